//! RIMs written and signed by `testvectors::build::nvidia_rim` with the fake RIM PKI: the
//! writer lays documents out in canonical form and writes SignedInfo's canonical form by
//! hand, so every round trip checks the verifier's canonicalizer against an independent
//! writer. Then one negative test per XML, profile, content, signature and chain check,
//! each asserting the precise error; canonicalization edge cases; and a property test
//! that parsing never panics on mutated or truncated input.

use proptest::prelude::*;
use testvectors::build::nvidia_rim::{
    uri, C14n, Fragment, MeasurementSpec, RimPki, RimSpec, Wrapping, DSIG_NS, SWID_NS,
};
use testvectors::pki::ocsp::extended_key_usage;
use testvectors::pki::time::{DAY, DEFAULT_NOW};
use testvectors::pki::x509::{key_usage, name};
use testvectors::pki::{CertSpec, PrivateKey};
use verifier::crypto::{all_providers, default_provider};
use verifier::error::{CertErrorKind, ParseErrorKind, RimErrorKind};
use verifier::nvidia::rim::{canonicalize_document, C14nMethod, Rim};
use verifier::pki::{CertRole, PathChecker, SignatureCache};
use verifier::time::from_secs;
use verifier::Error;

/// Extended key usage purposes (dotted OIDs).
mod eku {
    pub(super) const EXTENDED_KEY_USAGE: &str = "2.5.29.37";
    pub(super) const ANY: &str = "2.5.29.37.0";
    pub(super) const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
    pub(super) const CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
    pub(super) const OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
    pub(super) const OCSP_NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";
}

fn pki() -> &'static RimPki {
    RimPki::cached()
}

fn driver() -> RimSpec {
    RimSpec::driver("550.90.07")
}

fn parse(xml: &[u8]) -> Rim {
    Rim::parse(xml).unwrap_or_else(|e| panic!("{e}"))
}

fn verify_signature(rim: &Rim) -> Result<(), Error> {
    rim.verify_signature(default_provider(), &SignatureCache::default())
}

fn verify_chain_at(rim: &Rim, pki: &RimPki, now: u64) -> Result<(), Error> {
    let cache = SignatureCache::default();
    let checker = PathChecker {
        provider: default_provider(),
        cache: &cache,
        now: from_secs(now),
    };
    rim.verify_chain(&checker, &[pki.root_spki_sha256()])
}

/// Builds, parses and fully verifies a spec, and checks that the verifier's canonical
/// forms are byte for byte the writer's.
fn round_trip(spec: &RimSpec) -> Rim {
    let signed = spec.sign(pki());
    let rim = parse(&signed.xml);
    assert_eq!(
        String::from_utf8_lossy(rim.canonical_document()),
        String::from_utf8_lossy(&signed.canonical_document)
    );
    assert_eq!(
        String::from_utf8_lossy(rim.canonical_signed_info()),
        String::from_utf8_lossy(&signed.canonical_signed_info)
    );
    for provider in all_providers() {
        rim.verify_signature(provider, &SignatureCache::default())
            .unwrap_or_else(|e| panic!("{}: {e}", provider.name()));
    }
    verify_chain_at(&rim, pki(), DEFAULT_NOW).expect("chain");
    rim
}

fn parse_error(xml: &[u8]) -> (usize, String) {
    match Rim::parse(xml) {
        Err(err @ Error::Parse(_)) => {
            assert_eq!(err.kind(), "malformed_xml", "{err}");
            let Error::Parse(p) = err else { unreachable!() };
            match p.kind {
                ParseErrorKind::Xml(m) => (p.offset, m),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("expected an XML parse error, got {other:?}"),
    }
}

fn rim_error(xml: &[u8]) -> RimErrorKind {
    match Rim::parse(xml) {
        Err(Error::Rim { kind, .. }) => kind,
        other => panic!("expected a RIM error, got {other:?}"),
    }
}

/// The SignatureProfile message for a spec (and that its kind id is the profile's).
fn profile(spec: &RimSpec) -> String {
    profile_of(&spec.build(pki()))
}

fn profile_of(xml: &[u8]) -> String {
    let err = Rim::parse(xml).expect_err("outside the profile");
    assert_eq!(err.kind(), "rim_signature_profile", "{err}");
    match err {
        Error::Rim {
            kind: RimErrorKind::SignatureProfile(m),
            ..
        } => m,
        other => panic!("{other:?}"),
    }
}

fn content(xml: &[u8]) -> String {
    match rim_error(xml) {
        RimErrorKind::Content(m) => m,
        other => panic!("expected Content, got {other:?}"),
    }
}

fn measurement_error(spec: &RimSpec) -> (Option<u32>, String) {
    let err = Rim::parse(&spec.build(pki())).expect_err("bad Resource");
    assert_eq!(err.kind(), "rim_measurement", "{err}");
    match err {
        Error::Rim {
            kind: RimErrorKind::Measurement { index, reason },
            ..
        } => (index, reason),
        other => panic!("{other:?}"),
    }
}

/// `find` replaced by `replace`, exactly once.
fn edit(xml: &[u8], find: &str, replace: &str) -> Vec<u8> {
    let text = String::from_utf8(xml.to_vec()).expect("UTF-8");
    assert_eq!(text.matches(find).count(), 1, "{find} must occur once");
    text.replacen(find, replace, 1).into_bytes()
}

fn tweak(index: usize, qname: &str, value: Option<&str>) -> RimSpec {
    driver().with(|s| {
        s.measurements[index]
            .tweaks
            .push((qname.to_owned(), value.map(str::to_owned)));
    })
}

// ---- round trips ----------------------------------------------------------------------

#[test]
fn a_fake_driver_rim_round_trips_with_c14n_11() {
    let rim = round_trip(&driver());
    assert_eq!(rim.product(), "GH100");
    assert_eq!(rim.edition(), "GPU");
    assert_eq!(rim.colloquial_version(), "550.90.07");
    assert_eq!(rim.manufacturer_id(), Some("5703"));
    assert_eq!(rim.tag_id(), driver().tag_id);
    assert_eq!(rim.label(), "RIM GH100 550.90.07");
    assert_eq!(rim.certificates().len(), 4);
    assert_eq!(
        rim.certificates()[0].subject().common_name(),
        Some("Fake HCC RIM L4 Signer")
    );
    let active: Vec<u32> = rim
        .measurements()
        .iter()
        .filter(|m| m.active)
        .map(|m| m.index)
        .collect();
    let mut want = vec![7];
    want.extend(21..=40);
    assert_eq!(active, want);
    let spec = driver();
    for (m, s) in rim.measurements().iter().zip(&spec.measurements) {
        assert_eq!(m.alternatives, s.hashes);
        assert_eq!(m.name, s.name);
        assert_eq!(m.size, 48);
    }
    // The subset rule: SignedInfo carries every namespace in scope, sorted.
    assert!(rim.canonical_signed_info().starts_with(
        format!(
            "<ds:SignedInfo xmlns=\"{SWID_NS}\" xmlns:ds=\"{DSIG_NS}\" xmlns:ns0=\"{SWID_NS}\" xmlns:ns2=\"http://www.w3.org/2001/04/xmlenc#sha384\">"
        )
        .as_bytes()
    ));
}

#[test]
fn every_accepted_canonicalization_round_trips() {
    for (transform, canonicalization) in [
        (C14n::Inclusive11, C14n::Inclusive11),
        (C14n::Inclusive10, C14n::Inclusive10),
        (C14n::Exclusive, C14n::Exclusive),
        (C14n::Inclusive11, C14n::Exclusive),
        (C14n::Exclusive, C14n::Inclusive11),
        (C14n::Inclusive10, C14n::Exclusive),
    ] {
        let spec = driver().with(|s| {
            s.transform = transform;
            s.canonicalization = canonicalization;
        });
        round_trip(&spec);
    }
    // Exclusive SignedInfo renders only the namespace it uses.
    let rim = round_trip(&driver().with_c14n(C14n::Exclusive));
    assert!(rim
        .canonical_signed_info()
        .starts_with(format!("<ds:SignedInfo xmlns:ds=\"{DSIG_NS}\">").as_bytes()));
}

#[test]
fn a_signature_in_the_default_namespace_round_trips() {
    // SignedInfo then inherits a default namespace that overrides the root's.
    for c14n in [C14n::Inclusive11, C14n::Exclusive] {
        let spec = driver().with_c14n(c14n).with(|s| s.ds_prefix = None);
        let rim = round_trip(&spec);
        assert!(rim
            .canonical_signed_info()
            .starts_with(format!("<SignedInfo xmlns=\"{DSIG_NS}\"").as_bytes()));
    }
}

#[test]
fn vbios_and_switch_rims_with_alternatives_round_trip() {
    let vbios = RimSpec::vbios("96.00.9F.00.01").with(|s| {
        s.measurements[12] = MeasurementSpec::new("x", 12, true).with_alternatives("x", 4);
        s.manufacturer_id = None;
    });
    let rim = round_trip(&vbios);
    assert_eq!(rim.measurements()[12].alternatives.len(), 4);
    assert_eq!(rim.manufacturer_id(), None);
    let active: Vec<u32> = rim
        .measurements()
        .iter()
        .filter(|m| m.active)
        .map(|m| m.index)
        .collect();
    assert_eq!(active, [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]);

    let switch = RimSpec::vbios("96.10.55.00.01").with(|s| {
        s.product = "LS10".to_owned();
        s.edition = "SWITCH".to_owned();
    });
    let rim = round_trip(&switch);
    assert_eq!(rim.edition(), "SWITCH");
    assert_eq!(rim.label(), "RIM LS10 96.10.55.00.01");
}

#[test]
fn escaped_values_round_trip() {
    // The writer escapes, the verifier unescapes and re-escapes: both must agree.
    let spec = driver().with(|s| {
        s.product = "GH100 & <\"odd\"> 'name'\ttab".to_owned();
        s.measurements[3].name = "a&b<c>d\"e".to_owned();
    });
    let rim = round_trip(&spec);
    assert_eq!(rim.product(), "GH100 & <\"odd\"> 'name'\ttab");
    assert_eq!(rim.measurements()[3].name, "a&b<c>d\"e");
}

#[test]
fn an_xml_declaration_and_comments_are_not_signed() {
    let spec = driver().with(|s| {
        s.xml_declaration = true;
        s.extra = vec![Fragment {
            raw: "<!-- not signed -->".to_owned(),
            canonical: String::new(),
        }];
    });
    round_trip(&spec);
}

/// Content whose raw form differs from its canonical form, inside a signed RIM: the
/// verifier must canonicalize the raw form to exactly what the test author wrote.
fn edge_fragments(c14n: C14n) -> Vec<Fragment> {
    let exclusive = c14n == C14n::Exclusive;
    vec![
        // Attribute value normalization and escaping: literal whitespace becomes spaces
        // (CR LF counts once), character references survive and are escaped; `>` stays.
        Fragment {
            raw: format!("<ns0:Link xmlns:ns0=\"{SWID_NS}\" rel='x&apos;y'\n href=\"a&#9;b\tc&#10;d\r\ne&#13;f &quot;&amp;&lt;>g\"  />"),
            canonical: format!(
                "<ns0:Link{} href=\"a&#x9;b c&#xA;d e&#xD;f &quot;&amp;&lt;>g\" rel=\"x'y\"></ns0:Link>",
                if exclusive { format!(" xmlns:ns0=\"{SWID_NS}\"") } else { String::new() }
            ),
        },
        // Text escaping, CR LF and lone CR normalization, CDATA, character references.
        Fragment {
            raw: format!("<ns0:Evidence xmlns:ns0=\"{SWID_NS}\">1 &lt; 2 &amp;&amp; 3 > 2 \"q\" 'a'\r\nx\ry<![CDATA[<c>&]]>&#13;&#x9;\t</ns0:Evidence>"),
            canonical: format!(
                "<ns0:Evidence{}>1 &lt; 2 &amp;&amp; 3 &gt; 2 \"q\" 'a'\nx\ny&lt;c&gt;&amp;&#xD;\t\t</ns0:Evidence>",
                if exclusive { format!(" xmlns:ns0=\"{SWID_NS}\"") } else { String::new() }
            ),
        },
        // Attributes sorted by namespace name then local name, across prefixes whose
        // order is the opposite; declarations sorted by prefix; a namespace redeclared
        // identically on a child; the default namespace undeclared.
        Fragment {
            raw: "<z:Ext xmlns:z=\"urn:a\" xmlns:a=\"urn:z\" xmlns=\"\" a:x=\"1\" z:y=\"2\" b=\"3\" z:a=\"4\"><z:in xmlns:z=\"urn:a\" z:k=\"v\"/><plain/></z:Ext>".to_owned(),
            canonical: if exclusive {
                // `plain` uses the default namespace: the output's is the root's, so it
                // renders xmlns="" itself.
                "<z:Ext xmlns:a=\"urn:z\" xmlns:z=\"urn:a\" b=\"3\" z:a=\"4\" z:y=\"2\" a:x=\"1\"><z:in z:k=\"v\"></z:in><plain xmlns=\"\"></plain></z:Ext>".to_owned()
            } else {
                "<z:Ext xmlns=\"\" xmlns:a=\"urn:z\" xmlns:z=\"urn:a\" b=\"3\" z:a=\"4\" z:y=\"2\" a:x=\"1\"><z:in z:k=\"v\"></z:in><plain></plain></z:Ext>".to_owned()
            },
        },
        // A redeclaration of the document's own prefix, and an unused one.
        Fragment {
            raw: format!("<ns0:Link xmlns:ns0=\"{SWID_NS}\" xmlns:unused=\"urn:u\" rel=\"y\"/>"),
            canonical: if exclusive {
                format!("<ns0:Link xmlns:ns0=\"{SWID_NS}\" rel=\"y\"></ns0:Link>")
            } else {
                "<ns0:Link xmlns:unused=\"urn:u\" rel=\"y\"></ns0:Link>".to_owned()
            },
        },
    ]
}

#[test]
fn canonicalization_edge_cases_inside_a_signed_rim() {
    for c14n in [C14n::Inclusive11, C14n::Inclusive10, C14n::Exclusive] {
        let spec = driver()
            .with_c14n(c14n)
            .with(|s| s.extra = edge_fragments(c14n));
        round_trip(&spec);
    }
}

fn c14n(doc: &str, method: C14nMethod) -> String {
    String::from_utf8(canonicalize_document(doc.as_bytes(), method).expect("parses"))
        .expect("UTF-8")
}

#[test]
fn canonicalization_edge_cases() {
    use C14nMethod::{C14n10, C14n11, ExclusiveC14n};
    let all = [C14n10, C14n11, ExclusiveC14n];
    for m in all {
        // Empty elements, whitespace outside the root, declaration and comments.
        assert_eq!(
            c14n(
                "<?xml version=\"1.0\"?>\n<!-- c -->\n<a><b/><!-- c --><c>  </c></a>\n\n",
                m
            ),
            "<a><b></b><c>  </c></a>"
        );
        // Text escaping.
        assert_eq!(
            c14n("<a>&amp;&lt;&gt;&quot;&apos;\"'&#13;\r\n\r\t</a>", m),
            "<a>&amp;&lt;&gt;\"'\"'&#xD;\n\n\t</a>"
        );
        // Attribute escaping and normalization.
        assert_eq!(
            c14n("<a b=\"&amp;&lt;>&quot;'&#9;&#10;&#13;\t\n\r\n \"/>", m),
            "<a b=\"&amp;&lt;>&quot;'&#x9;&#xA;&#xD;    \"></a>"
        );
        // Attributes by namespace name, then local name.
        assert_eq!(
            c14n(
                "<a xmlns:p=\"urn:b\" xmlns:q=\"urn:a\" p:z=\"1\" q:z=\"2\" p:a=\"3\" z=\"4\" a=\"5\"/>",
                m
            ),
            "<a xmlns:p=\"urn:b\" xmlns:q=\"urn:a\" a=\"5\" z=\"4\" q:z=\"2\" p:a=\"3\" p:z=\"1\"></a>"
        );
        // Non-ASCII is written as UTF-8, never as references.
        assert_eq!(
            c14n("<a b=\"&#xE9;\">&#x263A;é</a>", m),
            "<a b=\"é\">☺é</a>"
        );
    }
    for m in [C14n10, C14n11] {
        // A namespace redeclared identically on a child is not rendered again; xmlns=""
        // only where a default namespace is in effect in the output.
        assert_eq!(
            c14n("<a xmlns:p=\"urn:p\" xmlns=\"\"><p:b xmlns:p=\"urn:p\"><c xmlns=\"urn:d\"><d xmlns=\"\"/></c></p:b></a>", m),
            "<a xmlns:p=\"urn:p\"><p:b><c xmlns=\"urn:d\"><d xmlns=\"\"></d></c></p:b></a>"
        );
    }
    // Exclusive: declarations move to where they are used, once per output branch.
    assert_eq!(
        c14n("<a xmlns:p=\"urn:p\" xmlns=\"\"><p:b xmlns:p=\"urn:p\"><c xmlns=\"urn:d\"><d xmlns=\"\"/></c></p:b><p:e/></a>", ExclusiveC14n),
        "<a><p:b xmlns:p=\"urn:p\"><c xmlns=\"urn:d\"><d xmlns=\"\"></d></c></p:b><p:e xmlns:p=\"urn:p\"></p:e></a>"
    );
}

#[test]
fn a_repeated_verification_is_a_cache_hit() {
    let rim = parse(&driver().build(pki()));
    let cache = SignatureCache::default();
    rim.verify_signature(default_provider(), &cache)
        .expect("verifies");
    assert_eq!(cache.len(), 1);
    rim.verify_signature(default_provider(), &cache)
        .expect("verifies");
    assert_eq!(cache.len(), 1);
}

// ---- XML well-formedness and refused constructs ------------------------------------------

#[test]
fn a_doctype_is_refused() {
    let xml = driver().with(|s| s.doctype = true).build(pki());
    let (offset, message) = parse_error(&xml);
    assert_eq!(offset, 0);
    assert!(message.contains("DOCTYPE"), "{message}");
    let xml = driver()
        .with(|s| {
            s.doctype = true;
            s.xml_declaration = true;
        })
        .build(pki());
    assert_eq!(
        parse_error(&xml).0,
        39,
        "after the declaration and its line break"
    );
}

#[test]
fn an_entity_declaration_is_refused() {
    let xml = driver().build(pki());
    let mut bad = b"<!DOCTYPE SoftwareIdentity [<!ENTITY v \"550.90.07\">]>".to_vec();
    bad.extend(edit(
        &xml,
        "colloquialVersion=\"550.90.07\"",
        "colloquialVersion=\"&v;\"",
    ));
    assert!(parse_error(&bad).1.contains("DOCTYPE"));
    // Without the DTD the reference is simply undeclared.
    let bad = edit(
        &xml,
        "colloquialVersion=\"550.90.07\"",
        "colloquialVersion=\"&v;\"",
    );
    assert!(parse_error(&bad).1.contains("&v;"));
}

#[test]
fn a_processing_instruction_is_refused() {
    let xml = driver()
        .with(|s| s.extra = vec![Fragment::canonical("<?pi data?>")])
        .build(pki());
    let (offset, message) = parse_error(&xml);
    assert!(message.contains("processing instruction"), "{message}");
    assert_eq!(&xml[offset..offset + 4], b"<?pi");
}

#[test]
fn malformed_xml_is_refused_with_its_offset() {
    let xml = driver().build(pki());
    let checks: [(&str, &str, &str); 9] = [
        ("revision=\"r1\"", "revision=\"r1&nbsp;\"", "&nbsp;"),
        ("revision=\"r1\"", "revision=\"r<1\"", "`<`"),
        ("revision=\"r1\"", "revision=\"r1\" revision=\"r2\"", "revision given twice"),
        ("revision=\"r1\"", "ns9:revision=\"r1\"", "prefix ns9"),
        ("revision=\"r1\"", "revision=\"r1\" ns0:edition=\"x\" ns2:edition=\"x\" xmlns:ns2=\"http://standards.iso.org/iso/19770/-2/2015/schema.xsd\"", "twice"),
        ("<ns0:Entity ", "<ns0:Entity xmlns:rel=\"relative/uri\" ", "absolute URI"),
        ("</ns0:Payload>", "</ns0:Payloa>", "expected `</ns0:Payload>`"),
        ("<ns0:Entity ", "<ns0:Entity xmlns:ns5=\"\" ", "empty namespace"),
        ("<ns0:Entity ", "<ns0:Entity \u{1} ", "U+0001"),
    ];
    for (find, replace, expected) in checks {
        let bad = edit(&xml, find, replace);
        let (offset, message) = parse_error(&bad);
        assert!(
            message.to_lowercase().contains(&expected.to_lowercase()),
            "{replace}: {message}"
        );
        assert!(offset < bad.len(), "{replace}: offset {offset}");
    }
    // Not UTF-8: the offset of the first bad byte.
    let mut bad = xml.clone();
    let at = xml.iter().position(|b| *b == b'G').expect("a G");
    bad[at] = 0xFF;
    assert_eq!(
        parse_error(&bad),
        (at, "not UTF-8 (only UTF-8 is accepted)".to_owned())
    );
    // A second root, text after the root, an unclosed root.
    let mut two = xml.clone();
    two.extend_from_slice(b"<again/>");
    assert!(parse_error(&two).1.contains("after the document element"));
    let mut text = xml.clone();
    text.extend_from_slice(b"junk");
    assert!(parse_error(&text)
        .1
        .contains("outside the document element"));
    // Only XML 1.0 in UTF-8.
    let mut latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".to_vec();
    latin.extend_from_slice(&xml);
    assert!(parse_error(&latin).1.contains("UTF-8"));
    // Too many attributes on one element.
    let wide = format!(
        "<a {}/>",
        (0..65)
            .map(|i| format!("a{i}=\"\""))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert!(parse_error(wide.as_bytes())
        .1
        .contains("more than 64 attributes"));
    // Too deep.
    let deep = format!("{}{}", "<a>".repeat(40), "</a>".repeat(40));
    assert!(parse_error(deep.as_bytes()).1.contains("deeper"));
}

#[test]
fn truncated_documents_are_refused() {
    let xml = driver().build(pki());
    for cut in [0, 1, 100, xml.len() / 2, xml.len() - 1] {
        let err = Rim::parse(&xml[..cut]).expect_err("truncated");
        assert_eq!(err.kind(), "malformed_xml", "cut at {cut}: {err}");
    }
}

// ---- content ---------------------------------------------------------------------------

#[test]
fn the_root_must_be_a_swid_software_identity() {
    let xml = driver().build(pki());
    let other_ns = edit(
        &xml,
        &format!("<SoftwareIdentity xmlns=\"{SWID_NS}\""),
        "<SoftwareIdentity xmlns=\"urn:other\"",
    );
    assert!(content(&other_ns).contains("SoftwareIdentity"));
    let no_tag = edit(&xml, "tagId=\"", "tagIdX=\"");
    assert_eq!(content(&no_tag), "SoftwareIdentity has no tagId");
}

#[test]
fn meta_and_payload_are_required_once() {
    let xml = driver().build(pki());
    let two_meta = driver()
        .with(|s| {
            s.extra = vec![Fragment::canonical(
                "<ns0:Meta colloquialVersion=\"1\" edition=\"GPU\" product=\"X\"></ns0:Meta>",
            )]
        })
        .build(pki());
    assert_eq!(content(&two_meta), "more than one Meta element");
    let no_meta = rename(
        &xml,
        "<ns0:Meta ",
        "<ns0:Metax ",
        "</ns0:Meta>",
        "</ns0:Metax>",
    );
    assert_eq!(content(&no_meta), "no Meta element");
    for attr in ["colloquialVersion", "product", "edition"] {
        let bad = edit(&xml, &format!(" {attr}=\""), &format!(" x{attr}=\""));
        assert_eq!(content(&bad), format!("Meta has no {attr}"));
    }
    let no_payload = rename(
        &xml,
        "<ns0:Payload ",
        "<ns0:Payloadx ",
        "</ns0:Payload>",
        "</ns0:Payloadx>",
    );
    assert_eq!(content(&no_payload), "no Payload element");
    // Resources end in `</ns0:Resource>`; the first one becomes another element.
    let stranger = rename(
        &xml,
        "<ns0:Resource active=\"False\" alternatives=\"1\" index=\"0\"",
        "<ns0:Other active=\"False\" alternatives=\"1\" index=\"0\"",
        "</ns0:Resource>",
        "</ns0:Other>",
    );
    assert!(content(&stranger).contains("ns0:Other in Payload"));
}

/// Renames an element: its start tag (`find` must occur once) and the first `end` after it.
fn rename(xml: &[u8], find: &str, replace: &str, end: &str, new_end: &str) -> Vec<u8> {
    let text = String::from_utf8(edit(xml, find, replace)).expect("UTF-8");
    let at = text.find(replace).expect("renamed start tag");
    let (head, tail) = text.split_at(at);
    format!("{head}{}", tail.replacen(end, new_end, 1)).into_bytes()
}

#[test]
fn resources_are_validated() {
    let cases: Vec<(RimSpec, Option<u32>, &str)> = vec![
        (
            tweak(7, "active", Some("true")),
            Some(7),
            "only \"True\" and \"False\"",
        ),
        (tweak(7, "active", None), Some(7), "no active"),
        (
            tweak(7, "alternatives", Some("2")),
            Some(7),
            "alternatives is 2 but 1 HashN",
        ),
        (tweak(7, "alternatives", Some("0")), Some(7), "at least 1"),
        (tweak(7, "alternatives", Some("+1")), Some(7), "at least 1"),
        (
            tweak(7, "ns2:Hash0", Some("00")),
            Some(7),
            "Hash0 is 1 bytes, size says 48",
        ),
        (
            tweak(7, "ns2:Hash0", Some(&"zz".repeat(48))),
            Some(7),
            "not hexadecimal",
        ),
        (
            tweak(7, "size", Some("32")),
            Some(7),
            "Hash0 is 48 bytes, size says 32",
        ),
        (tweak(7, "size", Some("0")), Some(7), "size must be"),
        (tweak(7, "size", Some("65")), Some(7), "size must be"),
        (
            tweak(7, "type", Some("Firmware")),
            Some(7),
            "type \"Firmware\"",
        ),
        (tweak(7, "type", None), Some(7), "no type"),
        (
            tweak(7, "index", Some("seven")),
            None,
            "\"seven\" is not a number",
        ),
        (tweak(7, "index", Some("-7")), None, "is not a number"),
        (tweak(7, "index", None), None, "no index"),
        (tweak(7, "name", None), Some(7), "no name"),
        // The hash must be in the SHA-384 namespace: an unprefixed one does not count.
        (
            driver().with(|s| {
                let m = &mut s.measurements[7];
                m.tweaks.push(("ns2:Hash0".into(), None));
                m.tweaks
                    .push(("Hash0".into(), Some(hex::encode([1u8; 48]))));
            }),
            Some(7),
            "alternatives is 1 but 0 HashN",
        ),
        // Hash0 and Hash2: Hash1 is missing.
        (
            driver().with(|s| {
                let m = &mut s.measurements[7];
                m.hashes.push(vec![2; 48]);
                m.tweaks.push(("ns2:Hash1".into(), None));
                m.tweaks
                    .push(("ns2:Hash2".into(), Some(hex::encode([2u8; 48]))));
            }),
            Some(7),
            "Hash1 is missing",
        ),
        (
            tweak(7, "ns2:Hash01", Some("00")),
            Some(7),
            "unexpected attribute Hash01",
        ),
        (
            tweak(7, "ns2:Other", Some("00")),
            Some(7),
            "unexpected attribute Other",
        ),
    ];
    for (spec, index, reason) in cases {
        let (got_index, got_reason) = measurement_error(&spec);
        assert_eq!(got_index, index, "{reason}");
        assert!(got_reason.contains(reason), "{got_reason} / {reason}");
    }
}

#[test]
fn a_duplicate_index_is_refused() {
    let spec = driver().with(|s| s.measurements[9].index = 8);
    let err = Rim::parse(&spec.build(pki())).expect_err("duplicate");
    assert_eq!(err.kind(), "rim_duplicate_index");
    assert!(matches!(
        err,
        Error::Rim {
            kind: RimErrorKind::DuplicateIndex { index: 8 },
            ref rim,
        } if rim == "RIM GH100 550.90.07"
    ));
}

// ---- the XMLDSig profile --------------------------------------------------------------------

#[test]
fn canonicalization_methods_outside_the_profile_are_refused() {
    for bad in [
        uri::C14N_11_WITH_COMMENTS,
        "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
        "http://www.w3.org/2000/09/xmldsig#base64",
        "",
    ] {
        let m = profile(&driver().with(|s| s.canonicalization_uri = Some(bad.to_owned())));
        assert!(m.contains("CanonicalizationMethod"), "{m}");
    }
}

#[test]
fn transforms_outside_the_profile_are_refused() {
    let c14n = uri::C14N_11.to_owned();
    let env = uri::ENVELOPED.to_owned();
    for (transforms, expected) in [
        (vec![env.clone()], "1 child elements"),
        (
            vec![c14n.clone(), env.clone()],
            "only http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        ),
        (
            vec![env.clone(), c14n.clone(), c14n.clone()],
            "3 child elements",
        ),
        (
            vec![env.clone(), uri::C14N_11_WITH_COMMENTS.to_owned()],
            "second Transform",
        ),
        (
            vec![
                env.clone(),
                "http://www.w3.org/TR/1999/REC-xpath-19991116".to_owned(),
            ],
            "second Transform",
        ),
        (vec![], "0 child elements"),
    ] {
        let m = profile(&driver().with(|s| s.transforms = Some(transforms.clone())));
        assert!(m.contains(expected), "{transforms:?}: {m}");
    }
}

#[test]
fn an_inclusive_namespaces_list_is_refused() {
    let xml = driver().with_c14n(C14n::Exclusive).build(pki());
    let bad = edit(
        &xml,
        &format!("<ds:Transform Algorithm=\"{}\"/></ds:Transforms>", uri::EXC_C14N),
        &format!(
            "<ds:Transform Algorithm=\"{}\"><ec:InclusiveNamespaces xmlns:ec=\"{}\" PrefixList=\"ns0\"/></ds:Transform></ds:Transforms>",
            uri::EXC_C14N,
            uri::EXC_C14N
        ),
    );
    assert!(profile_of(&bad).contains("has 1 child elements"));
}

#[test]
fn other_signature_and_digest_algorithms_are_refused() {
    for bad in [
        uri::ECDSA_SHA256,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
    ] {
        let m = profile(&driver().with(|s| s.signature_method = bad.to_owned()));
        assert!(m.contains("SignatureMethod algorithm"), "{m}");
    }
    for bad in [uri::SHA256, "http://www.w3.org/2000/09/xmldsig#sha1"] {
        let m = profile(&driver().with(|s| s.digest_method = bad.to_owned()));
        assert!(m.contains("DigestMethod algorithm"), "{m}");
    }
    // HMACOutputLength (or any parameter) under SignatureMethod.
    let xml = driver().build(pki());
    let bad = edit(
        &xml,
        &format!("<ds:SignatureMethod Algorithm=\"{}\"/>", uri::ECDSA_SHA384),
        &format!(
            "<ds:SignatureMethod Algorithm=\"{}\"><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>",
            uri::ECDSA_SHA384
        ),
    );
    assert!(profile_of(&bad).contains("has 1 child elements"));
}

#[test]
fn a_reference_to_anything_but_the_whole_document_is_refused() {
    for uri in [Some("#payload"), Some("other.xml"), None] {
        let m = profile(&driver().with(|s| s.reference_uri = uri.map(str::to_owned)));
        assert!(m.contains("URI=\"\""), "{uri:?}: {m}");
    }
    let xml = driver().build(pki());
    let bad = edit(
        &xml,
        "<ds:Reference URI=\"\">",
        "<ds:Reference URI=\"\" Type=\"urn:x\">",
    );
    assert!(profile_of(&bad).contains("attribute Type on ds:Reference"));
}

#[test]
fn signature_wrapping_is_refused() {
    for (wrapping, expected) in [
        (Wrapping::SecondSignature, "2 ds:Signature elements"),
        (
            Wrapping::SignatureInPayload,
            "not a child of the document element",
        ),
        (
            Wrapping::ReferenceInPayload,
            "ds:Reference outside the ds:Signature",
        ),
        (Wrapping::ObjectInSignature, "4 child elements"),
    ] {
        let m = profile(&driver().with(|s| s.wrapping = Some(wrapping)));
        assert!(m.contains(expected), "{wrapping:?}: {m}");
    }
    let unsigned = rename(
        &driver().build(pki()),
        "<ds:Signature xmlns:ds",
        "<ds:Signatur xmlns:ds",
        "</ds:Signature>",
        "</ds:Signatur>",
    );
    assert_eq!(profile_of(&unsigned), "no ds:Signature element");
}

#[test]
fn missing_key_info_certificates_are_refused() {
    let m = profile(&driver().with(|s| s.key_info = false));
    assert!(m.contains("no ds:KeyInfo"), "{m}");
    let m = profile(&driver().with(|s| s.certificates = Some(vec![])));
    assert!(m.contains("KeyInfo holds 0 certificates"), "{m}");
    let m = profile(&driver().with(|s| s.certificates = Some(vec![pki().signer.clone()])));
    assert!(m.contains("KeyInfo holds 1 certificates"), "{m}");
    let many = vec![pki().signer.clone(); 9];
    let m = profile(&driver().with(|s| s.certificates = Some(many)));
    assert!(m.contains("more than 8"), "{m}");
    // Other KeyInfo content.
    let xml = driver().build(pki());
    let bad = edit(
        &xml,
        "<ds:X509Data>",
        "<ds:X509Data><ds:X509SubjectName>CN=x</ds:X509SubjectName>",
    );
    assert!(profile_of(&bad).contains("ds:X509SubjectName where ds:X509Certificate belongs"));
}

#[test]
fn value_lengths_and_encodings_are_checked() {
    let xml = driver().build(pki());
    let text = String::from_utf8(xml.clone()).expect("UTF-8");
    let digest = text
        .split("<ds:DigestValue>")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .expect("DigestValue");
    let short = edit(&xml, digest, "AAAA");
    assert!(profile_of(&short).contains("DigestValue is 3 bytes"));
    let not_b64 = edit(&xml, digest, "!!!!");
    let err = Rim::parse(&not_b64).expect_err("not base64");
    assert!(
        matches!(
            err,
            Error::Parse(ref p) if p.what == "DigestValue" && p.kind == ParseErrorKind::InvalidValue("not base64")
        ),
        "{err:?}"
    );
    let signature = text
        .split("<ds:SignatureValue>")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .expect("SignatureValue");
    // A DER-encoded signature instead of r||s.
    let der = edit(&xml, signature, &"MEUCIQ".repeat(12));
    assert!(profile_of(&der).contains("SignatureValue is 54 bytes"));
    // A certificate that is not DER: the error points at its element.
    let cert_start = text.find("<ds:X509Certificate>").expect("cert");
    let bad = text
        .replacen("<ds:X509Certificate>MII", "<ds:X509Certificate>AII", 1)
        .into_bytes();
    match Rim::parse(&bad) {
        Err(Error::Parse(p)) => {
            assert_eq!(p.offset, cert_start);
            assert!(matches!(p.kind, ParseErrorKind::Der(_)), "{p:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn xml_attributes_on_signed_info_ancestors_are_refused() {
    let xml = driver().build(pki());
    let bad = edit(
        &xml,
        "<SoftwareIdentity ",
        "<SoftwareIdentity xml:lang=\"en\" ",
    );
    assert!(profile_of(&bad).contains("xml:lang on SoftwareIdentity"));
    let bad = edit(
        &xml,
        "<ds:Signature ",
        "<ds:Signature xml:base=\"http://x/\" ",
    );
    assert!(profile_of(&bad).contains("xml:base on ds:Signature"));
}

#[test]
fn text_and_attributes_inside_the_signature_are_refused() {
    let xml = driver().build(pki());
    let bad = edit(&xml, "<ds:SignedInfo>", "<ds:SignedInfo>text");
    assert!(profile_of(&bad).contains("text inside ds:SignedInfo"));
    let bad = edit(&xml, "<ds:KeyInfo>", "<ds:KeyInfo ds:Id=\"k\">");
    assert!(profile_of(&bad).contains("attribute ds:Id on ds:KeyInfo"));
    // Whitespace between the signature's elements is fine (and signed).
    let spaced = edit(&xml, "<ds:KeyInfo>", "\n  <ds:KeyInfo Id=\"k\">");
    verify_signature(&parse(&spaced)).expect("KeyInfo is not signed");
}

// ---- the signature -----------------------------------------------------------------------

#[test]
fn a_tampered_digest_value_fails_the_digest() {
    let rim = parse(&driver().with(|s| s.tamper_digest = true).build(pki()));
    let err = verify_signature(&rim).expect_err("digest");
    assert_eq!(err.kind(), "rim_digest_mismatch");
    assert!(matches!(
        err,
        Error::Rim {
            kind: RimErrorKind::DigestMismatch,
            ..
        }
    ));
}

#[test]
fn a_tampered_signature_fails_the_signature() {
    for c14n in [C14n::Inclusive11, C14n::Exclusive] {
        let rim = parse(
            &driver()
                .with_c14n(c14n)
                .with(|s| s.tamper_signature = true)
                .build(pki()),
        );
        for provider in all_providers() {
            let err = rim
                .verify_signature(provider, &SignatureCache::default())
                .expect_err("signature");
            assert_eq!(err.kind(), "rim_signature");
            assert!(matches!(
                err,
                Error::Rim {
                    kind: RimErrorKind::BadSignature,
                    ..
                }
            ));
        }
    }
}

#[test]
fn edits_of_signed_content_are_caught() {
    let xml = driver().build(pki());
    let hash7 = hex::encode(&driver().measurements[7].hashes[0]);
    let flipped = format!(
        "{}{}",
        if hash7.starts_with('0') { "1" } else { "0" },
        &hash7[1..]
    );
    for (find, replace) in [
        (hash7.as_str(), flipped.as_str()),
        ("revision=\"r1\"", "revision=\"r2\""),
        ("\n    <ns0:Meta", "\n   \t<ns0:Meta"),
        (
            "</ns0:Payload>\n<ds:Signature",
            "</ns0:Payload>\n\n<ds:Signature",
        ),
    ] {
        let rim = parse(&edit(&xml, find, replace));
        let err = verify_signature(&rim).expect_err(find);
        assert!(
            matches!(
                err,
                Error::Rim {
                    kind: RimErrorKind::DigestMismatch,
                    ..
                }
            ),
            "{find}: {err:?}"
        );
    }
    // SignedInfo is signed: a namespace declaration it inherits changes its canonical form.
    let bad = edit(
        &xml,
        "<SoftwareIdentity xmlns=",
        "<SoftwareIdentity xmlns:extra=\"urn:extra\" xmlns=",
    );
    let err = verify_signature(&parse(&bad)).expect_err("SignedInfo changed");
    assert!(
        matches!(
            err,
            Error::Rim {
                kind: RimErrorKind::BadSignature,
                ..
            }
        ),
        "{err:?}"
    );
    // ... but not under exclusive C14N, where only the document digest sees it.
    let xml = driver().with_c14n(C14n::Exclusive).build(pki());
    let bad = edit(
        &xml,
        "<SoftwareIdentity xmlns=",
        "<SoftwareIdentity xmlns:extra=\"urn:extra\" xmlns=",
    );
    verify_signature(&parse(&bad)).expect("an unused declaration is not rendered");
}

#[test]
fn a_signature_by_another_key_fails() {
    // KeyInfo names a signer whose key did not sign.
    let other = RimPki::with(|s| {
        s.signer.key = PrivateKey::generate_p384(PrivateKey::seed_for("nvidia/rim-other-signer"));
    });
    let xml = driver()
        .with(|s| s.certificates = Some(other.chain()))
        .build(pki());
    let err = verify_signature(&parse(&xml)).expect_err("other key");
    assert!(
        matches!(
            err,
            Error::Rim {
                kind: RimErrorKind::BadSignature,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_signer_without_a_p384_key_is_refused() {
    let mut leaf = CertSpec::issued_by(
        name(&[("CN", "P-256 signer")]),
        PrivateKey::generate_p256(PrivateKey::seed_for("nvidia/rim-p256-signer")),
        &pki().specs.l3,
    );
    leaf.set_basic_constraints(false, None);
    let mut chain = pki().chain();
    chain[0] = leaf.build();
    let xml = driver().with(|s| s.certificates = Some(chain)).build(pki());
    let err = verify_signature(&parse(&xml)).expect_err("P-256");
    assert_eq!(err.kind(), "unexpected_key");
    assert!(matches!(
        err,
        Error::Certificate {
            role: CertRole::RimSigner,
            kind: CertErrorKind::UnexpectedKey(_),
            ..
        }
    ));
}

// ---- the chain ---------------------------------------------------------------------------

fn chain_error(pki: &RimPki, certificates: Option<Vec<Vec<u8>>>, now: u64) -> Error {
    let rim = parse(
        &driver()
            .with(|s| s.certificates = certificates)
            .build(RimPki::cached()),
    );
    verify_chain_at(&rim, pki, now).expect_err("chain must fail")
}

fn cert_error(err: &Error) -> (CertRole, &CertErrorKind) {
    match err {
        Error::Certificate { role, kind, .. } => (*role, kind),
        other => panic!("expected a certificate error, got {other:?}"),
    }
}

#[test]
fn the_chain_is_checked_at_now() {
    let rim = parse(&driver().build(pki()));
    verify_chain_at(&rim, pki(), DEFAULT_NOW).expect("inside every validity");
    let signer_end = pki().specs.signer.not_after;
    let err = verify_chain_at(&rim, pki(), signer_end + DAY).expect_err("expired");
    assert_eq!(err.kind(), "certificate_expired");
    assert!(matches!(
        cert_error(&err),
        (CertRole::RimSigner, CertErrorKind::Expired { .. })
    ));
    let err = verify_chain_at(&rim, pki(), pki().specs.signer.not_before - DAY).expect_err("early");
    assert!(matches!(
        cert_error(&err),
        (CertRole::RimRoot, CertErrorKind::NotYetValid { .. })
    ));
    // An expired L3 is reported as a CA.
    let short = RimPki::with(|s| s.l3.not_after = DEFAULT_NOW - DAY);
    let err = chain_error(&short, Some(short.chain()), DEFAULT_NOW);
    assert!(matches!(
        cert_error(&err),
        (CertRole::RimCa, CertErrorKind::Expired { .. })
    ));
}

#[test]
fn an_unpinned_root_is_untrusted() {
    let rim = parse(&driver().build(pki()));
    let cache = SignatureCache::default();
    let checker = PathChecker {
        provider: default_provider(),
        cache: &cache,
        now: from_secs(DEFAULT_NOW),
    };
    let err = rim
        .verify_chain(&checker, &[[0x5a; 32]])
        .expect_err("unpinned");
    assert_eq!(err.kind(), "untrusted_root");
    assert!(matches!(
        cert_error(&err),
        (CertRole::RimRoot, CertErrorKind::UntrustedRoot { .. })
    ));
    // KeyInfo in reverse order: the last certificate (the signer) is no pinned root.
    let mut reversed = pki().chain();
    reversed.reverse();
    let err = chain_error(pki(), Some(reversed), DEFAULT_NOW);
    assert!(matches!(
        cert_error(&err),
        (CertRole::RimRoot, CertErrorKind::UntrustedRoot { .. })
    ));
}

#[test]
fn chain_order_and_issuers_are_checked() {
    let p = pki();
    // L3 and L2 swapped.
    let swapped = vec![p.signer.clone(), p.l2.clone(), p.l3.clone(), p.root.clone()];
    let err = chain_error(p, Some(swapped), DEFAULT_NOW);
    assert_eq!(err.kind(), "issuer_mismatch");
    assert!(matches!(
        cert_error(&err),
        (CertRole::RimCa, CertErrorKind::IssuerMismatch { .. })
    ));
    // L3 missing.
    let missing = vec![p.signer.clone(), p.l2.clone(), p.root.clone()];
    let err = chain_error(p, Some(missing), DEFAULT_NOW);
    assert!(matches!(
        cert_error(&err),
        (CertRole::RimSigner, CertErrorKind::IssuerMismatch { .. })
    ));
    // The L3's signature is broken.
    let bad = RimPki::with(|s| s.l3.corrupt_signature = true);
    let err = chain_error(&bad, Some(bad.chain()), DEFAULT_NOW);
    assert_eq!(err.kind(), "certificate_signature");
    assert!(matches!(
        cert_error(&err),
        (CertRole::RimCa, CertErrorKind::BadSignature { .. })
    ));
    // An L3 that is no CA.
    let not_ca = RimPki::with(|s| s.l3.set_basic_constraints(false, None));
    let err = chain_error(&not_ca, Some(not_ca.chain()), DEFAULT_NOW);
    assert!(
        matches!(
            cert_error(&err),
            (CertRole::RimSigner, CertErrorKind::NotCa)
        ),
        "{err:?}"
    );
    // A signer that is itself a CA.
    let ca_signer = RimPki::with(|s| s.signer.set_basic_constraints(true, None));
    let err = chain_error(&ca_signer, Some(ca_signer.chain()), DEFAULT_NOW);
    assert!(
        matches!(
            cert_error(&err),
            (CertRole::RimSigner, CertErrorKind::UnexpectedSubject { .. })
        ),
        "{err:?}"
    );
    // pathLenConstraint 0 on the L2: the L3 under it is one CA too many.
    let path_len = RimPki::with(|s| s.l2.set_basic_constraints(true, Some(0)));
    let err = chain_error(&path_len, Some(path_len.chain()), DEFAULT_NOW);
    assert!(
        matches!(
            cert_error(&err),
            (CertRole::RimCa, CertErrorKind::PathLenExceeded { max: 0 })
        ),
        "{err:?}"
    );
    // A shorter chain without the L3, issued directly by the L2, is fine.
    let direct = RimPki::with(|s| {
        s.signer.issuer = s.l2.subject.clone();
        s.signer.signing_key = s.l2.key.clone();
    });
    let rim = parse(
        &driver()
            .with(|s| {
                s.certificates = Some(vec![
                    direct.signer.clone(),
                    direct.l2.clone(),
                    direct.root.clone(),
                ])
            })
            .build(&direct),
    );
    verify_chain_at(&rim, &direct, DEFAULT_NOW).expect("three certificates");
    verify_signature(&rim).expect("signed by the same signer key");
}

/// The chain with the signer certificate rebuilt from the cached signer's spec after
/// `change` (same key and issuer), so the RIM still verifies by signature.
fn signer_changed(change: impl FnOnce(&mut CertSpec)) -> Vec<Vec<u8>> {
    let mut signer = pki().specs.signer.clone();
    change(&mut signer);
    let mut chain = pki().chain();
    chain[0] = signer.build();
    chain
}

fn signer_chain_result(chain: Vec<Vec<u8>>) -> Result<(), Error> {
    let rim = parse(&driver().with(|s| s.certificates = Some(chain)).build(pki()));
    verify_signature(&rim).expect("signed by the signer's key");
    verify_chain_at(&rim, pki(), DEFAULT_NOW)
}

/// Security review, issue 11 item 4: an OCSP responder certificate of a RIM CA (EKU
/// OCSPSigning only, as NVIDIA's RIM CAs issue them) must not sign RIMs.
#[test]
fn an_ocsp_signing_only_certificate_cannot_sign_a_rim() {
    for purposes in [
        &[eku::OCSP_SIGNING][..],
        &[eku::OCSP_SIGNING, eku::OCSP_NOCHECK],
        &[eku::SERVER_AUTH],
    ] {
        let chain = signer_changed(|s| {
            s.set_ext(eku::EXTENDED_KEY_USAGE, true, extended_key_usage(purposes))
        });
        let err = signer_chain_result(chain).expect_err("not a purpose that signs RIMs");
        assert_eq!(
            err.kind(),
            "signer_extended_key_usage",
            "{purposes:?}: {err}"
        );
        assert_eq!(cert_error(&err).0, CertRole::RimSigner, "{err:?}");
    }
    // Purposes fit for signing manifests, alone or beside others.
    for purposes in [
        &[eku::CODE_SIGNING][..],
        &[eku::ANY],
        &[eku::OCSP_SIGNING, eku::CODE_SIGNING],
    ] {
        let chain = signer_changed(|s| {
            s.set_ext(eku::EXTENDED_KEY_USAGE, false, extended_key_usage(purposes))
        });
        signer_chain_result(chain).unwrap_or_else(|e| panic!("{purposes:?}: {e}"));
    }
}

/// Security review, issue 11 item 4: the signer's keyUsage must allow digitalSignature;
/// every real RIM signer carries it (critical), so its absence is refused too.
#[test]
fn a_rim_signer_without_digital_signature_is_refused() {
    for change in [
        Box::new(|s: &mut CertSpec| s.set_key_usage(key_usage::NON_REPUDIATION))
            as Box<dyn FnOnce(&mut CertSpec)>,
        Box::new(|s: &mut CertSpec| s.set_key_usage(key_usage::KEY_CERT_SIGN)),
        Box::new(|s: &mut CertSpec| {
            s.remove_ext(testvectors::pki::x509::oids::KEY_USAGE);
        }),
    ] {
        let err = signer_chain_result(signer_changed(change)).expect_err("no digitalSignature");
        assert_eq!(err.kind(), "signer_key_usage", "{err}");
        assert_eq!(cert_error(&err).0, CertRole::RimSigner, "{err:?}");
    }
    signer_chain_result(signer_changed(|s| {
        s.set_key_usage(key_usage::DIGITAL_SIGNATURE | key_usage::NON_REPUDIATION)
    }))
    .expect("digitalSignature among others");
}

// ---- robustness --------------------------------------------------------------------------

fn base_xml() -> &'static [u8] {
    static XML: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    XML.get_or_init(|| {
        // A short RIM keeps each case fast; the structure is the same.
        driver().with(|s| s.measurements.truncate(4)).build(pki())
    })
}

fn base_rim() -> &'static Rim {
    static RIM: std::sync::OnceLock<Rim> = std::sync::OnceLock::new();
    RIM.get_or_init(|| parse(base_xml()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Mutations never panic; anything that still verifies signs the same content.
    #[test]
    fn mutated_rims_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4)
    ) {
        let mut xml = base_xml().to_vec();
        for (at, byte, op) in edits {
            let i = at.index(xml.len());
            match op {
                0 => xml[i] = byte,
                1 => xml.insert(i, byte),
                _ => { xml.remove(i); }
            }
        }
        match Rim::parse(&xml) {
            Ok(rim) => {
                if rim.verify_signature(default_provider(), &SignatureCache::default()).is_ok() {
                    prop_assert_eq!(rim.canonical_signed_info(), base_rim().canonical_signed_info());
                    prop_assert_eq!(rim.canonical_document(), base_rim().canonical_document());
                }
            }
            Err(e) => {
                let _ = (e.to_string(), e.kind(), e.class());
            }
        }
    }

    /// Every proper prefix of a RIM is refused as malformed XML.
    #[test]
    fn truncations_are_malformed(at in any::<prop::sample::Index>()) {
        let xml = base_xml();
        let cut = at.index(xml.len());
        let err = Rim::parse(&xml[..cut]).expect_err("truncated");
        prop_assert_eq!(err.kind(), "malformed_xml");
    }
}
