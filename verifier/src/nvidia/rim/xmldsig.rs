//! The one XMLDSig shape Verdict accepts for RIMs, checked structurally at parse time,
//! and the canonical bytes it signs.
//!
//! ```text
//! <SoftwareIdentity ...>                       (document element)
//!   ...
//!   <ds:Signature>                             exactly one in the document, a child of the root
//!     <ds:SignedInfo>
//!       <ds:CanonicalizationMethod Algorithm=C14N/>
//!       <ds:SignatureMethod Algorithm="...xmldsig-more#ecdsa-sha384"/>
//!       <ds:Reference URI="">                  exactly one: the whole document
//!         <ds:Transforms>
//!           <ds:Transform Algorithm="...xmldsig#enveloped-signature"/>
//!           <ds:Transform Algorithm=C14N/>
//!         </ds:Transforms>
//!         <ds:DigestMethod Algorithm="...xmldsig-more#sha384"/>
//!         <ds:DigestValue>base64, 48 bytes</ds:DigestValue>
//!       </ds:Reference>
//!     </ds:SignedInfo>
//!     <ds:SignatureValue>base64, r||s, 96 bytes</ds:SignatureValue>
//!     <ds:KeyInfo><ds:X509Data>
//!       <ds:X509Certificate>signer</ds:X509Certificate> ... root (2 to 8)
//!     </ds:X509Data></ds:KeyInfo>
//!   </ds:Signature>
//! </SoftwareIdentity>
//! ```
//!
//! C14N is C14N 1.1 (every real RIM), C14N 1.0 or exclusive C14N, without comments and
//! without an InclusiveNamespaces list. Nothing else is accepted (no Object, no Manifest,
//! no other KeyInfo content, no attributes besides `Id`), and no element of the XMLDSig
//! namespace may appear outside the Signature: with a single Reference to the whole
//! document and a single Signature, there is nothing to wrap.

use base64::Engine as _;

use super::c14n::{canonicalize, C14nMethod};
use super::xml::{is_xml_space, Element, Node, XML_NS};
use crate::error::{Error, ParseError, ParseErrorKind, RimErrorKind};
use crate::pki::Certificate;

/// The XMLDSig namespace.
pub(crate) const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const ECDSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
/// SHA-384 output.
const DIGEST_LEN: usize = 48;
/// ECDSA P-384 `r ‖ s`.
const SIGNATURE_LEN: usize = 96;
/// Certificates in KeyInfo: NVIDIA sends 4 (signer, L3, L2, root); a signer and a root at
/// least; 8 bounds the work a hostile file can ask for.
const MAX_CERTIFICATES: usize = 8;

/// What the signature covers, canonicalized once at parse time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedParts {
    /// Canonical SignedInfo (the signed message).
    pub(crate) signed_info: Vec<u8>,
    /// Canonical document without the Signature (what DigestValue digests).
    pub(crate) document: Vec<u8>,
    /// DigestValue.
    pub(crate) digest_value: Vec<u8>,
    /// SignatureValue, `r ‖ s`.
    pub(crate) signature_value: Vec<u8>,
    /// KeyInfo certificates, signer first.
    pub(crate) certificates: Vec<Certificate>,
}

/// Checks the profile and canonicalizes. `label` names the RIM in errors.
///
/// # Errors
/// [`RimErrorKind::SignatureProfile`] for anything outside the profile; [`Error::Parse`]
/// for base64 or certificates that do not decode.
pub(crate) fn parse(root: &Element, label: &str) -> Result<SignedParts, Error> {
    let profile = |msg: String| Error::Rim {
        rim: label.to_owned(),
        kind: RimErrorKind::SignatureProfile(msg),
    };
    let signature = locate(root, &profile)?;
    if let [_, last] = child_elements(signature, &profile)?.as_slice() {
        if last.is(DSIG_NS, "SignatureValue") {
            return Err(profile(
                "no ds:KeyInfo: the signer's certificates are missing".to_owned(),
            ));
        }
    }
    only_attributes(signature, &["Id"], &profile)?;
    let [signed_info, signature_value, key_info] = children(signature, &profile)?;
    expect(signed_info, "SignedInfo", &profile)?;
    only_attributes(signed_info, &["Id"], &profile)?;
    expect(signature_value, "SignatureValue", &profile)?;
    only_attributes(signature_value, &["Id"], &profile)?;
    expect(key_info, "KeyInfo", &profile)?;
    only_attributes(key_info, &["Id"], &profile)?;

    let [c14n_method, signature_method, reference] = children(signed_info, &profile)?;
    expect(c14n_method, "CanonicalizationMethod", &profile)?;
    let signed_info_method = algorithm(c14n_method, &profile)
        .and_then(|uri| c14n_algorithm(uri, "CanonicalizationMethod", &profile))?;
    expect(signature_method, "SignatureMethod", &profile)?;
    require_algorithm(signature_method, ECDSA_SHA384, &profile)?;
    expect(reference, "Reference", &profile)?;
    only_attributes(reference, &["Id", "URI"], &profile)?;
    if reference.attr(None, "URI") != Some("") {
        return Err(profile(
            "the Reference must have URI=\"\" (the whole document)".to_owned(),
        ));
    }
    let [transforms, digest_method, digest_value] = children(reference, &profile)?;
    expect(transforms, "Transforms", &profile)?;
    only_attributes(transforms, &[], &profile)?;
    let [enveloped, c14n_transform] = children(transforms, &profile)?;
    expect(enveloped, "Transform", &profile)?;
    require_algorithm(enveloped, ENVELOPED, &profile)?;
    expect(c14n_transform, "Transform", &profile)?;
    let document_method = algorithm(c14n_transform, &profile)
        .and_then(|uri| c14n_algorithm(uri, "the second Transform", &profile))?;
    expect(digest_method, "DigestMethod", &profile)?;
    require_algorithm(digest_method, SHA384, &profile)?;
    expect(digest_value, "DigestValue", &profile)?;
    only_attributes(digest_value, &[], &profile)?;
    let digest = base64_content(digest_value, "DigestValue", &profile)?;
    if digest.len() != DIGEST_LEN {
        return Err(profile(format!(
            "DigestValue is {} bytes, SHA-384 gives {DIGEST_LEN}",
            digest.len()
        )));
    }
    let sig = base64_content(signature_value, "SignatureValue", &profile)?;
    if sig.len() != SIGNATURE_LEN {
        return Err(profile(format!(
            "SignatureValue is {} bytes, ECDSA P-384 r||s is {SIGNATURE_LEN}",
            sig.len()
        )));
    }
    let certificates = key_info_certificates(key_info, &profile)?;

    Ok(SignedParts {
        signed_info: canonicalize(signed_info, &[root, signature], signed_info_method, None),
        document: canonicalize(root, &[], document_method, Some(signature)),
        digest_value: digest,
        signature_value: sig,
        certificates,
    })
}

/// The one Signature: a child of the root, no other XMLDSig element outside it, and no
/// `xml:*` attribute on the ancestors of SignedInfo (C14N 1.0 and 1.1 would inherit those
/// into SignedInfo, each in its own way).
fn locate<'a>(root: &'a Element, profile: &impl Fn(String) -> Error) -> Result<&'a Element, Error> {
    let mut signatures = Vec::new();
    find_signatures(root, &mut signatures);
    let signature = match signatures.as_slice() {
        [one] => *one,
        [] => return Err(profile("no ds:Signature element".to_owned())),
        many => {
            return Err(profile(format!(
                "{} ds:Signature elements (exactly one is accepted)",
                many.len()
            )))
        }
    };
    if !root.elements().any(|child| core::ptr::eq(child, signature)) {
        return Err(profile(
            "ds:Signature is not a child of the document element".to_owned(),
        ));
    }
    for child in root.elements() {
        if !core::ptr::eq(child, signature) {
            if let Some(stray) = find_dsig(child) {
                return Err(profile(format!(
                    "ds:{} outside the ds:Signature",
                    stray.local
                )));
            }
        }
    }
    for ancestor in [root, signature] {
        if let Some(a) = ancestor
            .attrs
            .iter()
            .find(|a| a.ns.as_deref() == Some(XML_NS))
        {
            return Err(profile(format!(
                "xml:{} on {}, an ancestor of ds:SignedInfo",
                a.local,
                ancestor.qname()
            )));
        }
    }

    Ok(signature)
}

/// Every `ds:Signature` in the tree.
fn find_signatures<'a>(e: &'a Element, found: &mut Vec<&'a Element>) {
    if e.is(DSIG_NS, "Signature") {
        found.push(e);
    }
    for child in e.elements() {
        find_signatures(child, found);
    }
}

/// The first element of the XMLDSig namespace in `e`'s subtree.
fn find_dsig(e: &Element) -> Option<&Element> {
    if e.ns.as_deref() == Some(DSIG_NS) {
        return Some(e);
    }
    e.elements().find_map(find_dsig)
}

fn expect(e: &Element, local: &str, profile: &impl Fn(String) -> Error) -> Result<(), Error> {
    if e.is(DSIG_NS, local) {
        Ok(())
    } else {
        Err(profile(format!(
            "found {} where ds:{local} belongs",
            e.qname()
        )))
    }
}

/// Exactly `N` child elements (only whitespace between them).
fn children<'a, const N: usize>(
    e: &'a Element,
    profile: &impl Fn(String) -> Error,
) -> Result<[&'a Element; N], Error> {
    let out = child_elements(e, profile)?;
    let count = out.len();
    out.try_into().map_err(|_| {
        profile(format!(
            "{} has {count} child elements, the profile has {N}",
            e.qname()
        ))
    })
}

/// The child elements (only whitespace between them).
fn child_elements<'a>(
    e: &'a Element,
    profile: &impl Fn(String) -> Error,
) -> Result<Vec<&'a Element>, Error> {
    let mut out = Vec::new();
    for node in &e.children {
        match node {
            Node::Element(c) => out.push(c),
            Node::Text(t) if t.chars().all(is_xml_space) => {}
            Node::Text(_) => {
                return Err(profile(format!("text inside {}", e.qname())));
            }
        }
    }
    Ok(out)
}

fn only_attributes(
    e: &Element,
    allowed: &[&str],
    profile: &impl Fn(String) -> Error,
) -> Result<(), Error> {
    match e
        .attrs
        .iter()
        .find(|a| a.ns.is_some() || !allowed.contains(&a.local.as_str()))
    {
        Some(a) => Err(profile(format!(
            "attribute {} on {} is not accepted",
            a.qname(),
            e.qname()
        ))),
        None => Ok(()),
    }
}

/// The Algorithm of a method element, which must have no content (no parameters: no
/// HMACOutputLength, no InclusiveNamespaces, no XPath).
fn algorithm<'a>(e: &'a Element, profile: &impl Fn(String) -> Error) -> Result<&'a str, Error> {
    only_attributes(e, &["Algorithm"], profile)?;
    let [] = children(e, profile)?;
    e.attr(None, "Algorithm")
        .ok_or_else(|| profile(format!("{} has no Algorithm", e.qname())))
}

fn require_algorithm(
    e: &Element,
    wanted: &str,
    profile: &impl Fn(String) -> Error,
) -> Result<(), Error> {
    let uri = algorithm(e, profile)?;
    if uri == wanted {
        Ok(())
    } else {
        Err(profile(format!(
            "{} algorithm {uri} is not accepted (only {wanted})",
            e.qname()
        )))
    }
}

fn c14n_algorithm(
    uri: &str,
    what: &str,
    profile: &impl Fn(String) -> Error,
) -> Result<C14nMethod, Error> {
    C14nMethod::from_uri(uri).ok_or_else(|| {
        profile(format!(
            "{what} {uri} is not an accepted canonicalization (C14N 1.0, 1.1 or exclusive, without comments)"
        ))
    })
}

/// The text of an element with no child elements.
fn text_content(e: &Element, profile: &impl Fn(String) -> Error) -> Result<String, Error> {
    let mut out = String::new();
    for node in &e.children {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Element(c) => {
                return Err(profile(format!("{} inside {}", c.qname(), e.qname())));
            }
        }
    }
    Ok(out)
}

/// base64Binary content: XML whitespace allowed anywhere (line breaks in certificates).
fn base64_content(
    e: &Element,
    what: &'static str,
    profile: &impl Fn(String) -> Error,
) -> Result<Vec<u8>, Error> {
    let text: String = text_content(e, profile)?
        .chars()
        .filter(|c| !is_xml_space(*c))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| {
            Error::Parse(ParseError {
                what,
                offset: e.offset,
                kind: ParseErrorKind::InvalidValue("not base64"),
            })
        })
}

fn key_info_certificates(
    key_info: &Element,
    profile: &impl Fn(String) -> Error,
) -> Result<Vec<Certificate>, Error> {
    let [x509_data] = children(key_info, profile)?;
    expect(x509_data, "X509Data", profile)?;
    only_attributes(x509_data, &[], profile)?;
    let mut certificates = Vec::new();
    for node in &x509_data.children {
        match node {
            Node::Text(t) if t.chars().all(is_xml_space) => {}
            Node::Text(_) => return Err(profile("text inside ds:X509Data".to_owned())),
            Node::Element(c) => {
                expect(c, "X509Certificate", profile)?;
                only_attributes(c, &[], profile)?;
                if certificates.len() == MAX_CERTIFICATES {
                    return Err(profile(format!(
                        "more than {MAX_CERTIFICATES} certificates in KeyInfo"
                    )));
                }
                let der = base64_content(c, "X509Certificate", profile)?;
                let cert = Certificate::from_der(&der).map_err(|e| match e {
                    // The offset inside the DER is less useful than where it is in the file.
                    Error::Parse(p) => Error::Parse(ParseError {
                        offset: c.offset,
                        ..p
                    }),
                    other => other,
                })?;
                certificates.push(cert);
            }
        }
    }
    if certificates.len() < 2 {
        return Err(profile(format!(
            "KeyInfo holds {} certificates: it must carry the signer's chain up to the root",
            certificates.len()
        )));
    }
    Ok(certificates)
}
