//! Fake NVIDIA RIMs: a fake RIM signing PKI and signed SWID tags laid out as NVIDIA
//! writes them (namespaces, prefixes, attribute set, line breaks, KeyInfo chain).
//!
//! The generator does not canonicalize anything: it writes the document *already in
//! canonical form* for the chosen algorithm (start and end tags, sorted attributes, the
//! namespace declarations where that algorithm renders them), digests those bytes, and
//! writes SignedInfo's canonical form by hand, inherited namespace declarations included,
//! to sign it. Only the Signature element itself is written the way NVIDIA writes it
//! (self-closing empty elements, no declarations on SignedInfo), so the verifier's
//! canonicalizer and this writer check each other. [`Fragment`]s add content whose raw
//! form differs from its canonical form, both written by the test author.

use std::sync::OnceLock;

use base64::Engine as _;
use p384::ecdsa::signature::Signer as _;
use sha2::{Digest as _, Sha256, Sha384};

use crate::pki::time::{add_years, DEFAULT_NOT_BEFORE};
use crate::pki::x509::{key_usage, name};
use crate::pki::{CertSpec, PrivateKey};

/// ISO/IEC 19770-2:2015 SWID namespace (default namespace and `ns0`).
pub const SWID_NS: &str = "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
/// TCG RIM Information Model namespace (`ns1`, on Meta).
pub const RIM_IM_NS: &str =
    "https://trustedcomputinggroup.org/resource/tcg-reference-integrity-manifest-rim-information-model/";
/// The namespace of the `HashN` attributes (`ns2`, also declared as `SHA384` on Payload).
pub const SHA384_NS: &str = "http://www.w3.org/2001/04/xmlenc#sha384";
/// XMLDSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Algorithm URIs of the XMLDSig profile.
pub mod uri {
    /// Canonical XML 1.0.
    pub const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
    /// Canonical XML 1.1 (what NVIDIA uses).
    pub const C14N_11: &str = "http://www.w3.org/2006/12/xml-c14n11";
    /// Exclusive canonicalization.
    pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    /// Canonical XML 1.1 with comments (refused).
    pub const C14N_11_WITH_COMMENTS: &str = "http://www.w3.org/2006/12/xml-c14n11#WithComments";
    /// The enveloped-signature transform.
    pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
    /// ECDSA P-384 with SHA-384.
    pub const ECDSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
    /// ECDSA P-256 with SHA-256 (refused).
    pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
    /// SHA-384.
    pub const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
    /// SHA-256 (refused).
    pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
}

/// The four certificates of the fake RIM PKI before signing, NVIDIA's shape: root,
/// "Reference Value" CA (L2), L3 CA (pathLen 0), L4 signer. All P-384.
#[derive(Debug, Clone)]
pub struct RimPkiSpecs {
    /// `Fake NVIDIA CoRIM signing Root CA`, self-signed.
    pub root: CertSpec,
    /// `Fake NVIDIA Reference Value GH100 CA`.
    pub l2: CertSpec,
    /// `Fake NVIDIA Reference Value L3 GH100 001`.
    pub l3: CertSpec,
    /// `Fake HCC RIM L4 Signer`.
    pub signer: CertSpec,
}

impl Default for RimPkiSpecs {
    fn default() -> Self {
        Self::new()
    }
}

impl RimPkiSpecs {
    /// The default specs: deterministic keys (`nvidia/rim-root`, `-l2`, `-l3`,
    /// `-signer`), notBefore 2024-01-01, valid 30 / 10 / 4 / 2 years.
    pub fn new() -> Self {
        let key =
            |n: &str| PrivateKey::generate_p384(PrivateKey::seed_for(&format!("nvidia/rim-{n}")));
        let mut root = CertSpec::self_signed(
            name(&[
                ("C", "US"),
                ("O", "NVIDIA"),
                ("CN", "Fake NVIDIA CoRIM signing Root CA"),
            ]),
            key("root"),
        );
        root.not_after = add_years(DEFAULT_NOT_BEFORE, 30);
        root.set_basic_constraints(true, None);
        root.set_key_usage(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN);
        ski_aki(&mut root, None);

        let ca_name = |cn: &str| name(&[("CN", cn), ("O", "NVIDIA Corporation"), ("C", "US")]);
        let mut l2 = CertSpec::issued_by(
            ca_name("Fake NVIDIA Reference Value GH100 CA"),
            key("l2"),
            &root,
        );
        l2.set_serial(2);
        l2.not_after = add_years(DEFAULT_NOT_BEFORE, 10);
        l2.set_basic_constraints(true, None);
        l2.set_key_usage(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN);
        ski_aki(&mut l2, Some(&root));

        let mut l3 = CertSpec::issued_by(
            ca_name("Fake NVIDIA Reference Value L3 GH100 001"),
            key("l3"),
            &l2,
        );
        l3.set_serial(3);
        l3.not_after = add_years(DEFAULT_NOT_BEFORE, 4);
        l3.set_basic_constraints(true, Some(0));
        l3.set_key_usage(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN);
        ski_aki(&mut l3, Some(&l2));

        let mut signer = CertSpec::issued_by(
            name(&[
                ("C", "US"),
                ("ST", "CA"),
                ("L", "Santa Clara"),
                ("O", "NVIDIA Corporation"),
                ("CN", "Fake HCC RIM L4 Signer"),
            ]),
            key("signer"),
            &l3,
        );
        signer.set_serial(4);
        signer.not_after = add_years(DEFAULT_NOT_BEFORE, 2);
        signer.set_basic_constraints(false, None);
        signer.set_key_usage(key_usage::DIGITAL_SIGNATURE);
        ski_aki(&mut signer, Some(&l3));
        Self {
            root,
            l2,
            l3,
            signer,
        }
    }

    /// Signs the four certificates.
    pub fn build(self) -> RimPki {
        RimPki {
            root: self.root.build(),
            l2: self.l2.build(),
            l3: self.l3.build(),
            signer: self.signer.build(),
            specs: self,
        }
    }
}

fn ski_aki(spec: &mut CertSpec, issuer: Option<&CertSpec>) {
    let id = spec.key.key_id();
    spec.set_subject_key_id(&id);
    let authority = issuer.map_or(id, CertSpec::key_id);
    spec.set_authority_key_id(&authority);
}

/// The fake RIM PKI, signed: each certificate's DER and its spec (with its key).
#[derive(Debug, Clone)]
pub struct RimPki {
    /// What was signed.
    pub specs: RimPkiSpecs,
    /// Root DER.
    pub root: Vec<u8>,
    /// L2 CA DER.
    pub l2: Vec<u8>,
    /// L3 CA DER.
    pub l3: Vec<u8>,
    /// L4 signer DER.
    pub signer: Vec<u8>,
}

impl RimPki {
    /// The default PKI ([`RimPkiSpecs::new`]), built once per process.
    pub fn cached() -> &'static Self {
        static CACHE: OnceLock<RimPki> = OnceLock::new();
        CACHE.get_or_init(|| RimPkiSpecs::new().build())
    }

    /// A PKI with changed specs (validity, names, keys...).
    pub fn with(f: impl FnOnce(&mut RimPkiSpecs)) -> Self {
        let mut specs = RimPkiSpecs::new();
        f(&mut specs);
        specs.build()
    }

    /// The KeyInfo order: signer, L3, L2, root.
    pub fn chain(&self) -> Vec<Vec<u8>> {
        vec![
            self.signer.clone(),
            self.l3.clone(),
            self.l2.clone(),
            self.root.clone(),
        ]
    }

    /// The key that signs RIMs.
    pub fn signer_key(&self) -> &PrivateKey {
        &self.specs.signer.key
    }

    /// SHA-256 of the root's DER SubjectPublicKeyInfo (the pin).
    pub fn root_spki_sha256(&self) -> [u8; 32] {
        // From the built certificate: deriving the public key from the spec's private key
        // is slow in debug builds.
        let cert = verifier::pki::Certificate::from_der(&self.root).expect("the fake root parses");
        Sha256::digest(cert.spki_der()).into()
    }
}

/// A canonicalization algorithm, as this writer lays out the document for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum C14n {
    /// Canonical XML 1.1 (NVIDIA's choice).
    Inclusive11,
    /// Canonical XML 1.0.
    Inclusive10,
    /// Exclusive canonicalization.
    Exclusive,
}

impl C14n {
    /// The algorithm URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Inclusive11 => uri::C14N_11,
            Self::Inclusive10 => uri::C14N_10,
            Self::Exclusive => uri::EXC_C14N,
        }
    }

    fn exclusive(self) -> bool {
        self == Self::Exclusive
    }
}

/// One measurement Resource.
#[derive(Debug, Clone)]
pub struct MeasurementSpec {
    /// `index`.
    pub index: u32,
    /// `active`.
    pub active: bool,
    /// `size` (48).
    pub size: usize,
    /// `name` (`Measurement_<index>`).
    pub name: String,
    /// `Hash0`..: `alternatives` is their number.
    pub hashes: Vec<Vec<u8>>,
    /// Attribute edits applied last, by qualified name: `Some(value)` sets (or adds),
    /// `None` removes (`("active", Some("true"))`, `("ns2:Hash0", None)`).
    pub tweaks: Vec<(String, Option<String>)>,
}

impl MeasurementSpec {
    /// A SHA-384 measurement with one golden value (zeros when inactive, as NVIDIA writes
    /// unused indices), derived from `seed` and the index.
    pub fn new(seed: &str, index: u32, active: bool) -> Self {
        let hash = if active {
            golden(seed, index, 0)
        } else {
            vec![0; 48]
        };
        Self {
            index,
            active,
            size: 48,
            name: format!("Measurement_{index}"),
            hashes: vec![hash],
            tweaks: Vec::new(),
        }
    }

    /// The same with `n` golden values.
    pub fn with_alternatives(mut self, seed: &str, n: u32) -> Self {
        self.hashes = (0..n).map(|alt| golden(seed, self.index, alt)).collect();
        self
    }
}

/// A deterministic fake golden value.
pub fn golden(seed: &str, index: u32, alternative: u32) -> Vec<u8> {
    Sha384::digest(format!("fake golden {seed} {index} {alternative}")).to_vec()
}

/// Content added after Meta: `raw` goes into the document, `canonical` into the bytes
/// digested (what the verifier must canonicalize `raw` to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// As written in the document.
    pub raw: String,
    /// Its canonical form under the spec's transform.
    pub canonical: String,
}

impl Fragment {
    /// Content that is already canonical.
    pub fn canonical(text: &str) -> Self {
        Self {
            raw: text.to_owned(),
            canonical: text.to_owned(),
        }
    }
}

/// Signature-wrapping layouts (each must be refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapping {
    /// The Signature twice, both children of the root.
    SecondSignature,
    /// The only Signature inside Payload instead of the root.
    SignatureInPayload,
    /// An extra `ds:Reference` inside Payload.
    ReferenceInPayload,
    /// A `ds:Object` after KeyInfo.
    ObjectInSignature,
}

/// A RIM to write and sign.
#[derive(Debug, Clone)]
pub struct RimSpec {
    /// `Meta/@product` and `SoftwareIdentity/@name`.
    pub product: String,
    /// `Meta/@edition`.
    pub edition: String,
    /// `Meta/@colloquialVersion`.
    pub colloquial_version: String,
    /// `SoftwareIdentity/@tagId`.
    pub tag_id: String,
    /// `Meta/@ns1:FirmwareManufacturerId` (and PlatformManufacturerId); `None` omits it.
    pub manufacturer_id: Option<String>,
    /// The Payload's Resources, in order.
    pub measurements: Vec<MeasurementSpec>,
    /// Content after Meta.
    pub extra: Vec<Fragment>,
    /// How the document is laid out and digested (the second Transform).
    pub transform: C14n,
    /// How SignedInfo is signed (CanonicalizationMethod).
    pub canonicalization: C14n,
    /// The CanonicalizationMethod URI written, when not `canonicalization`'s.
    pub canonicalization_uri: Option<String>,
    /// The Transform URIs written, when not enveloped-signature and `transform`'s.
    pub transforms: Option<Vec<String>>,
    /// SignatureMethod.
    pub signature_method: String,
    /// DigestMethod.
    pub digest_method: String,
    /// The Reference's URI; `None` omits the attribute.
    pub reference_uri: Option<String>,
    /// The XMLDSig prefix (`ds`); `None` puts the Signature in the default namespace.
    pub ds_prefix: Option<String>,
    /// Whether KeyInfo is written.
    pub key_info: bool,
    /// KeyInfo certificates (DER), when not the PKI's chain.
    pub certificates: Option<Vec<Vec<u8>>>,
    /// Flip a bit of DigestValue before signing (the signature stays valid).
    pub tamper_digest: bool,
    /// Flip a bit of SignatureValue.
    pub tamper_signature: bool,
    /// Start with `<!DOCTYPE SoftwareIdentity>`.
    pub doctype: bool,
    /// Start with an XML declaration.
    pub xml_declaration: bool,
    /// A signature-wrapping layout.
    pub wrapping: Option<Wrapping>,
}

/// A written RIM and the canonical forms the writer signed.
#[derive(Debug, Clone)]
pub struct SignedRim {
    /// The document.
    pub xml: Vec<u8>,
    /// The canonical document without the Signature (digested).
    pub canonical_document: Vec<u8>,
    /// The canonical SignedInfo (signed).
    pub canonical_signed_info: Vec<u8>,
}

impl RimSpec {
    /// A GH100 driver RIM: 64 Resources, active 7 and 21..=40 (as NVIDIA's 550.90.07).
    pub fn driver(version: &str) -> Self {
        let active = |i: u32| i == 7 || (21..=40).contains(&i);
        Self::gh100(version, active)
    }

    /// A GH100 VBIOS RIM: 64 Resources, active 0..=6 and 8..=12.
    pub fn vbios(version: &str) -> Self {
        let active = |i: u32| i <= 12 && i != 7;
        Self::gh100(version, active)
    }

    fn gh100(version: &str, active: impl Fn(u32) -> bool) -> Self {
        let seed = format!("GH100 {version}");
        Self {
            product: "GH100".to_owned(),
            edition: "GPU".to_owned(),
            colloquial_version: version.to_owned(),
            tag_id: hex::encode(Sha384::digest(&seed)),
            manufacturer_id: Some("5703".to_owned()),
            measurements: (0..64)
                .map(|i| MeasurementSpec::new(&seed, i, active(i)))
                .collect(),
            extra: Vec::new(),
            transform: C14n::Inclusive11,
            canonicalization: C14n::Inclusive11,
            canonicalization_uri: None,
            transforms: None,
            signature_method: uri::ECDSA_SHA384.to_owned(),
            digest_method: uri::SHA384.to_owned(),
            reference_uri: Some(String::new()),
            ds_prefix: Some("ds".to_owned()),
            key_info: true,
            certificates: None,
            tamper_digest: false,
            tamper_signature: false,
            doctype: false,
            xml_declaration: false,
            wrapping: None,
        }
    }

    /// Changes the spec in place and returns it.
    pub fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }

    /// Uses one canonicalization for both the document and SignedInfo.
    pub fn with_c14n(self, c14n: C14n) -> Self {
        self.with(|s| {
            s.transform = c14n;
            s.canonicalization = c14n;
        })
    }

    /// The signed document.
    pub fn build(&self, pki: &RimPki) -> Vec<u8> {
        self.sign(pki).xml
    }

    /// The signed document and what was digested and signed.
    pub fn sign(&self, pki: &RimPki) -> SignedRim {
        let (head, payload) = self.body();
        let canonical_head = head.canonical;
        let raw_head = head.raw;
        let canonical_document =
            format!("{canonical_head}{}\n</SoftwareIdentity>", payload.canonical).into_bytes();
        let mut digest = Sha384::digest(&canonical_document).to_vec();
        if self.tamper_digest {
            digest[0] ^= 1;
        }
        let canonical_signed_info = self.canonical_signed_info(&digest).into_bytes();
        let key = pki
            .signer_key()
            .as_p384()
            .expect("the RIM signer key is P-384");
        let signature: p384::ecdsa::Signature =
            p384::ecdsa::SigningKey::from(key).sign(&canonical_signed_info);
        let mut signature = signature.to_bytes().to_vec();
        if self.tamper_signature {
            *signature.last_mut().expect("96 bytes") ^= 1;
        }
        let certificates = self.certificates.clone().unwrap_or_else(|| pki.chain());
        let sig = self.signature_element(&digest, &signature, &certificates);

        let mut xml = String::new();
        if self.xml_declaration {
            xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        }
        if self.doctype {
            xml.push_str("<!DOCTYPE SoftwareIdentity>\n");
        }
        xml.push_str(&raw_head);
        match self.wrapping {
            Some(Wrapping::SignatureInPayload) => {
                let (open, close) = payload
                    .raw
                    .rsplit_once("\n    </")
                    .expect("Payload ends with its end tag");
                xml.push_str(&format!("{open}{sig}\n    </{close}\n"));
            }
            Some(Wrapping::SecondSignature) => {
                xml.push_str(&format!("{}\n{sig}{sig}", payload.raw));
            }
            _ => xml.push_str(&format!("{}\n{sig}", payload.raw)),
        }
        xml.push_str("</SoftwareIdentity>");
        SignedRim {
            xml: xml.into_bytes(),
            canonical_document,
            canonical_signed_info,
        }
    }

    fn ds(&self, local: &str) -> String {
        match &self.ds_prefix {
            Some(p) => format!("{p}:{local}"),
            None => local.to_owned(),
        }
    }

    fn ds_decl(&self) -> (&str, &str) {
        (self.ds_prefix.as_deref().unwrap_or(""), DSIG_NS)
    }

    /// Namespace declarations on the document element in the chosen layout.
    fn root_decls(&self) -> Vec<(&'static str, &'static str)> {
        if self.transform.exclusive() {
            vec![("", SWID_NS)]
        } else {
            vec![("", SWID_NS), ("ns0", SWID_NS), ("ns2", SHA384_NS)]
        }
    }

    /// The document up to and including the Payload: (head = root start tag .. extra,
    /// payload), each raw and canonical.
    fn body(&self) -> (Fragment, Fragment) {
        let exclusive = self.transform.exclusive();
        let own_ns0: &[(&str, &str)] = if exclusive { &[("ns0", SWID_NS)] } else { &[] };
        let root = start_tag(
            "SoftwareIdentity",
            &self.root_decls(),
            &[
                ("", "corpus", "false"),
                ("", "name", &self.product),
                ("", "patch", "false"),
                ("", "supplemental", "false"),
                ("", "tagId", &self.tag_id),
                ("", "version", "1.0"),
                ("", "tagVersion", "0"),
            ],
        );
        let entity = format!(
            "{}</ns0:Entity>",
            start_tag(
                "ns0:Entity",
                own_ns0,
                &[
                    ("", "name", "NVIDIA Corporation"),
                    ("", "role", "softwareCreator tagCreator"),
                ],
            )
        );
        let mut meta_attrs = vec![
            ("", "colloquialVersion", self.colloquial_version.as_str()),
            ("", "edition", self.edition.as_str()),
            ("", "product", self.product.as_str()),
            ("", "revision", "r1"),
            ("", "PayloadType", "direct"),
            (RIM_IM_NS, "ns1:BindingSpec", "RIMIM"),
            (RIM_IM_NS, "ns1:BindingSpecVersion", "1.01"),
            (
                RIM_IM_NS,
                "ns1:PlatformManufacturerStr",
                "NVIDIA Corporation",
            ),
            (RIM_IM_NS, "ns1:PlatformModel", self.product.as_str()),
            (RIM_IM_NS, "ns1:FirmwareManufacturer", "NVIDIA Corporation"),
        ];
        if let Some(id) = &self.manufacturer_id {
            meta_attrs.push((RIM_IM_NS, "ns1:PlatformManufacturerId", id));
            meta_attrs.push((RIM_IM_NS, "ns1:FirmwareManufacturerId", id));
        }
        let meta_decls: Vec<(&str, &str)> = own_ns0
            .iter()
            .copied()
            .chain([("ns1", RIM_IM_NS)])
            .collect();
        let meta = format!(
            "{}</ns0:Meta>",
            start_tag("ns0:Meta", &meta_decls, &meta_attrs)
        );
        let mut raw = format!("{root}\n    {entity}\n    {meta}\n    ");
        let mut canonical = raw.clone();
        for f in &self.extra {
            raw.push_str(&format!("{}\n    ", f.raw));
            canonical.push_str(&format!("{}\n    ", f.canonical));
        }

        let payload_decls: &[(&str, &str)] = if exclusive {
            &[("ns0", SWID_NS)]
        } else {
            &[("SHA384", SHA384_NS)]
        };
        let resource_decls: &[(&str, &str)] = if exclusive {
            &[("ns2", SHA384_NS)]
        } else {
            &[]
        };
        let mut payload = start_tag("ns0:Payload", payload_decls, &[]);
        for m in &self.measurements {
            payload.push_str("\n        ");
            payload.push_str(&resource(m, resource_decls));
        }
        if self.wrapping == Some(Wrapping::ReferenceInPayload) {
            let q = self.ds("Reference");
            let (p, u) = self.ds_decl();
            let decl = if p.is_empty() {
                format!("xmlns=\"{u}\"")
            } else {
                format!("xmlns:{p}=\"{u}\"")
            };
            payload.push_str(&format!("\n        <{q} {decl} URI=\"\"></{q}>"));
        }
        payload.push_str("\n    </ns0:Payload>");
        (Fragment { raw, canonical }, Fragment::canonical(&payload))
    }

    /// SignedInfo's canonical form, written by hand: under inclusive C14N it carries every
    /// namespace in scope (the root's and the Signature's), under exclusive C14N only the
    /// XMLDSig one it uses.
    fn canonical_signed_info(&self, digest: &[u8]) -> String {
        let (ds_prefix, ds_uri) = self.ds_decl();
        let decls: Vec<(&str, &str)> = if self.canonicalization.exclusive() {
            vec![(ds_prefix, ds_uri)]
        } else {
            let mut d: Vec<(&str, &str)> = self
                .root_decls()
                .into_iter()
                .filter(|(p, _)| *p != ds_prefix)
                .collect();
            d.push((ds_prefix, ds_uri));
            d
        };
        let mut out = start_tag(&self.ds("SignedInfo"), &decls, &[]);
        out.push_str(&self.signed_info_content(digest, true));
        out.push_str(&format!("</{}>", self.ds("SignedInfo")));
        out
    }

    /// SignedInfo's children; `canonical`: empty elements as start and end tags.
    fn signed_info_content(&self, digest: &[u8], canonical: bool) -> String {
        let empty = |local: &str, algorithm: &str| {
            let q = self.ds(local);
            if canonical {
                format!("<{q} Algorithm=\"{}\"></{q}>", escape_attr(algorithm))
            } else {
                format!("<{q} Algorithm=\"{}\"/>", escape_attr(algorithm))
            }
        };
        let c14n_uri = self
            .canonicalization_uri
            .clone()
            .unwrap_or_else(|| self.canonicalization.uri().to_owned());
        let transforms = self
            .transforms
            .clone()
            .unwrap_or_else(|| vec![uri::ENVELOPED.to_owned(), self.transform.uri().to_owned()]);
        let reference = match &self.reference_uri {
            Some(u) => format!("<{} URI=\"{}\">", self.ds("Reference"), escape_attr(u)),
            None => format!("<{}>", self.ds("Reference")),
        };
        let mut out = empty("CanonicalizationMethod", &c14n_uri);
        out.push_str(&empty("SignatureMethod", &self.signature_method));
        out.push_str(&reference);
        out.push_str(&format!("<{}>", self.ds("Transforms")));
        for t in &transforms {
            out.push_str(&empty("Transform", t));
        }
        out.push_str(&format!("</{}>", self.ds("Transforms")));
        out.push_str(&empty("DigestMethod", &self.digest_method));
        let digest_value = self.ds("DigestValue");
        out.push_str(&format!(
            "<{digest_value}>{}</{digest_value}>",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
        out.push_str(&format!("</{}>", self.ds("Reference")));
        out
    }

    /// The Signature element as NVIDIA writes it.
    fn signature_element(
        &self,
        digest: &[u8],
        signature: &[u8],
        certificates: &[Vec<u8>],
    ) -> String {
        let (p, u) = self.ds_decl();
        let decl = if p.is_empty() {
            format!(" xmlns=\"{u}\"")
        } else {
            format!(" xmlns:{p}=\"{u}\"")
        };
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut out = format!("<{}{decl}>", self.ds("Signature"));
        out.push_str(&format!("<{}>", self.ds("SignedInfo")));
        out.push_str(&self.signed_info_content(digest, false));
        out.push_str(&format!("</{}>", self.ds("SignedInfo")));
        let sv = self.ds("SignatureValue");
        out.push_str(&format!("<{sv}>{}</{sv}>", b64.encode(signature)));
        if self.key_info {
            out.push_str(&format!(
                "<{}><{}>",
                self.ds("KeyInfo"),
                self.ds("X509Data")
            ));
            let xc = self.ds("X509Certificate");
            for der in certificates {
                out.push_str(&format!("<{xc}>"));
                for line in b64.encode(der).as_bytes().chunks(64) {
                    out.push_str(core::str::from_utf8(line).expect("base64 is ASCII"));
                    out.push('\n');
                }
                out.push_str(&format!("</{xc}>"));
            }
            out.push_str(&format!(
                "</{}></{}>",
                self.ds("X509Data"),
                self.ds("KeyInfo")
            ));
        }
        if self.wrapping == Some(Wrapping::ObjectInSignature) {
            let o = self.ds("Object");
            out.push_str(&format!("<{o}>payload</{o}>"));
        }
        out.push_str(&format!("</{}>", self.ds("Signature")));
        out
    }
}

/// One Resource in canonical form.
fn resource(m: &MeasurementSpec, decls: &[(&str, &str)]) -> String {
    let mut attrs: Vec<(String, String)> = vec![
        ("type".into(), "Measurement".into()),
        ("index".into(), m.index.to_string()),
        (
            "active".into(),
            if m.active { "True" } else { "False" }.into(),
        ),
        ("alternatives".into(), m.hashes.len().to_string()),
        ("name".into(), m.name.clone()),
        ("size".into(), m.size.to_string()),
    ];
    for (i, h) in m.hashes.iter().enumerate() {
        attrs.push((format!("ns2:Hash{i}"), hex::encode(h)));
    }
    for (qname, value) in &m.tweaks {
        attrs.retain(|(q, _)| q != qname);
        if let Some(v) = value {
            attrs.push((qname.clone(), v.clone()));
        }
    }
    let with_ns: Vec<(&str, &str, &str)> = attrs
        .iter()
        .map(|(q, v)| (namespace_of(q), q.as_str(), v.as_str()))
        .collect();
    format!(
        "{}</ns0:Resource>",
        start_tag("ns0:Resource", decls, &with_ns)
    )
}

/// The namespace of a prefixed attribute name in this layout.
fn namespace_of(qname: &str) -> &'static str {
    match qname.split_once(':') {
        Some(("ns1", _)) => RIM_IM_NS,
        Some(("ns2" | "SHA384", _)) => SHA384_NS,
        Some(("ns0", _)) => SWID_NS,
        Some(_) => "urn:unknown",
        None => "",
    }
}

/// A start tag in canonical form: declarations sorted by prefix (the default first), then
/// attributes sorted by namespace name (none first) and local name; values escaped.
/// `attrs` are (namespace name, qualified name, value).
fn start_tag(qname: &str, decls: &[(&str, &str)], attrs: &[(&str, &str, &str)]) -> String {
    let mut decls = decls.to_vec();
    decls.sort_by(|a, b| a.0.cmp(b.0));
    let mut attrs = attrs.to_vec();
    let local = |q: &str| q.split_once(':').map_or(q, |(_, l)| l).to_owned();
    attrs.sort_by(|a, b| (a.0, local(a.1)).cmp(&(b.0, local(b.1))));
    let mut out = format!("<{qname}");
    for (p, u) in decls {
        if p.is_empty() {
            out.push_str(&format!(" xmlns=\"{}\"", escape_attr(u)));
        } else {
            out.push_str(&format!(" xmlns:{p}=\"{}\"", escape_attr(u)));
        }
    }
    for (_, q, v) in attrs {
        out.push_str(&format!(" {q}=\"{}\"", escape_attr(v)));
    }
    out.push('>');
    out
}

/// Canonical attribute-value escaping (C14N §2.3).
pub fn escape_attr(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
        .replace('\t', "&#x9;")
        .replace('\n', "&#xA;")
        .replace('\r', "&#xD;")
}

/// Canonical text escaping (C14N §2.3).
pub fn escape_text(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\r', "&#xD;")
}
