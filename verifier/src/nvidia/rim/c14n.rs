//! Canonical XML, without comments: C14N 1.0 (W3C REC-xml-c14n-20010315), C14N 1.1
//! (W3C xml-c14n11, 2008) and exclusive C14N 1.0 (W3C xml-exc-c14n, 2002), for an
//! element and its descendants (a whole document, or the document subset an XMLDSig
//! SignedInfo is), optionally leaving out one descendant subtree (the enveloped
//! signature).
//!
//! What each algorithm renders, element by element (section numbers of C14N 1.0):
//!
//! - the element's name as written (prefixes are never rewritten), empty elements as a
//!   start and an end tag (§2.3);
//! - namespace declarations (§2.3 "Namespace Nodes"), sorted by prefix with the default
//!   namespace first, each only where it is not already in effect in the output:
//!   - inclusive (1.0, 1.1): every namespace in scope; at the apex of a subset that
//!     includes those declared on the ancestors left out, the classic case of SignedInfo
//!     inheriting `xmlns`, `xmlns:ns0`... from the document element;
//!   - exclusive: only the prefixes the element visibly uses (its own and its attributes'),
//!     checked against what its output ancestors rendered (exc-c14n §3);
//!   - `xmlns=""` only where the output ancestor has a non-empty default namespace;
//!   - never the implicit `xml` namespace;
//! - attributes sorted by namespace name (none first), then local name (§2.3);
//! - attribute values escaped `&amp; &lt; &quot; &#x9; &#xA; &#xD;`, text escaped
//!   `&amp; &lt; &gt; &#xD;` (§2.3), both after the parser's normalization of line ends
//!   and of attribute whitespace (§2.1).
//!
//! C14N 1.0 and 1.1 differ only in how `xml:*` attributes of ancestors left out of a
//! subset are inherited (1.1 drops `xml:id` and fixes up `xml:base`). The XMLDSig profile
//! refuses `xml:*` attributes on the ancestors of SignedInfo, and a whole document has no
//! ancestors, so both render identically here. Comments are dropped by the parser,
//! processing instructions and DTDs are refused by it, so neither needs rendering.

use std::collections::HashMap;

use super::xml::{Element, Node};

/// A canonicalization algorithm, without comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum C14nMethod {
    /// Canonical XML 1.0 (`http://www.w3.org/TR/2001/REC-xml-c14n-20010315`).
    C14n10,
    /// Canonical XML 1.1 (`http://www.w3.org/2006/12/xml-c14n11`): what NVIDIA RIMs use.
    C14n11,
    /// Exclusive XML Canonicalization 1.0 (`http://www.w3.org/2001/10/xml-exc-c14n#`),
    /// without an InclusiveNamespaces prefix list.
    ExclusiveC14n,
}

impl C14nMethod {
    /// The algorithm's URI in XMLDSig.
    pub fn uri(self) -> &'static str {
        match self {
            Self::C14n10 => "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            Self::C14n11 => "http://www.w3.org/2006/12/xml-c14n11",
            Self::ExclusiveC14n => "http://www.w3.org/2001/10/xml-exc-c14n#",
        }
    }

    /// The algorithm an XMLDSig URI names; the `#WithComments` variants and anything else
    /// are not accepted.
    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::C14n10, Self::C14n11, Self::ExclusiveC14n]
            .into_iter()
            .find(|m| m.uri() == uri)
    }

    fn exclusive(self) -> bool {
        self == Self::ExclusiveC14n
    }
}

/// Canonicalizes `apex` (whose ancestors, outermost first, are `ancestors`) and its
/// descendants, leaving out the subtree `omit`.
pub(crate) fn canonicalize(
    apex: &Element,
    ancestors: &[&Element],
    method: C14nMethod,
    omit: Option<&Element>,
) -> Vec<u8> {
    let mut in_scope: Vec<(&str, &str)> = Vec::new();
    for element in ancestors.iter().copied().chain([apex]) {
        for d in &element.ns_decls {
            match in_scope.iter_mut().find(|(p, _)| *p == d.prefix) {
                Some(slot) => slot.1 = &d.uri,
                None => in_scope.push((&d.prefix, &d.uri)),
            }
        }
    }
    let mut writer = Writer {
        out: Vec::new(),
        method,
        omit,
        rendered: HashMap::new(),
    };
    writer.element(apex, in_scope);
    writer.out
}

struct Writer<'a> {
    out: Vec<u8>,
    method: C14nMethod,
    omit: Option<&'a Element>,
    /// Namespace declarations rendered by the output ancestors: prefix to a stack.
    rendered: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Writer<'a> {
    /// Writes `e`; `candidates` are the namespace declarations inclusive C14N considers
    /// (all in scope at the apex; below it, the element's own: anything else in scope was
    /// rendered on an output ancestor already).
    fn element(&mut self, e: &'a Element, candidates: Vec<(&'a str, &'a str)>) {
        let namespaces = self.namespaces_to_render(e, candidates);
        let name = e.qname();
        self.push("<");
        self.push(&name);
        for (prefix, uri) in &namespaces {
            if prefix.is_empty() {
                self.push(" xmlns=\"");
            } else {
                self.push(" xmlns:");
                self.push(prefix);
                self.push("=\"");
            }
            self.attribute_value(uri);
            self.push("\"");
            self.rendered.entry(prefix).or_default().push(uri);
        }
        let mut attrs: Vec<_> = e.attrs.iter().collect();
        attrs.sort_by(|a, b| {
            (a.ns.as_deref().unwrap_or(""), a.local.as_str())
                .cmp(&(b.ns.as_deref().unwrap_or(""), b.local.as_str()))
        });
        for a in attrs {
            self.push(" ");
            self.push(&a.qname());
            self.push("=\"");
            self.attribute_value(&a.value);
            self.push("\"");
        }
        self.push(">");
        for child in &e.children {
            match child {
                Node::Text(t) => self.text(t),
                Node::Element(c) if self.omit.is_some_and(|o| core::ptr::eq(o, c)) => {}
                Node::Element(c) => {
                    let own = c
                        .ns_decls
                        .iter()
                        .map(|d| (d.prefix.as_str(), d.uri.as_str()))
                        .collect();
                    self.element(c, own);
                }
            }
        }
        self.push("</");
        self.push(&name);
        self.push(">");
        for (prefix, _) in namespaces {
            if let Some(stack) = self.rendered.get_mut(prefix) {
                stack.pop();
            }
        }
    }

    fn namespaces_to_render(
        &self,
        e: &'a Element,
        candidates: Vec<(&'a str, &'a str)>,
    ) -> Vec<(&'a str, &'a str)> {
        let wanted = if self.method.exclusive() {
            // Visibly utilized (exc-c14n §3): the element's prefix (the default namespace
            // when unprefixed) and its attributes' prefixes.
            let own = (
                e.prefix.as_deref().unwrap_or(""),
                e.ns.as_deref().unwrap_or(""),
            );
            let attrs = e.attrs.iter().filter_map(|a| {
                a.prefix
                    .as_deref()
                    .map(|p| (p, a.ns.as_deref().unwrap_or("")))
            });
            core::iter::once(own).chain(attrs).collect()
        } else {
            candidates
        };
        let mut out: Vec<(&str, &str)> = Vec::new();
        for (prefix, uri) in wanted {
            if prefix == "xml" || out.iter().any(|(p, _)| *p == prefix) {
                continue;
            }
            let current = self.rendered.get(prefix).and_then(|s| s.last()).copied();
            let render = if prefix.is_empty() && uri.is_empty() {
                // xmlns="" only undoes a non-empty default namespace in the output.
                current.is_some_and(|c| !c.is_empty())
            } else {
                current != Some(uri)
            };
            if render {
                out.push((prefix, uri));
            }
        }
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    fn push(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn text(&mut self, t: &str) {
        for c in t.chars() {
            match c {
                '&' => self.push("&amp;"),
                '<' => self.push("&lt;"),
                '>' => self.push("&gt;"),
                '\r' => self.push("&#xD;"),
                c => self.push(c.encode_utf8(&mut [0; 4])),
            }
        }
    }

    fn attribute_value(&mut self, v: &str) {
        for c in v.chars() {
            match c {
                '&' => self.push("&amp;"),
                '<' => self.push("&lt;"),
                '"' => self.push("&quot;"),
                '\t' => self.push("&#x9;"),
                '\n' => self.push("&#xA;"),
                '\r' => self.push("&#xD;"),
                c => self.push(c.encode_utf8(&mut [0; 4])),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvidia::rim::xml;

    fn c14n(doc: &str, method: C14nMethod) -> String {
        let root = xml::parse(doc.as_bytes()).expect("parses");
        String::from_utf8(canonicalize(&root, &[], method, None)).expect("UTF-8")
    }

    #[test]
    fn spec_example_3_3_start_and_end_tags() {
        // C14N 1.0 §3.3, without the DTD-defaulted attributes.
        let doc = "<doc>\n   <e1   />\n   <e2   ></e2>\n   <e3   name = \"elem3\"   id=\"elem3\"   />\n   <e5 a:attr=\"out\" b:attr=\"sorted\" attr2=\"all\" attr=\"I'm\"\n      xmlns:b=\"http://www.ietf.org\"\n      xmlns:a=\"http://www.w3.org\"\n      xmlns=\"http://example.org\"/>\n   <e6 xmlns=\"\" xmlns:a=\"http://www.w3.org\">\n      <e7 xmlns=\"http://www.ietf.org\">\n         <e8 xmlns=\"\" xmlns:a=\"http://www.w3.org\">\n            <e9 xmlns=\"\" xmlns:a=\"http://www.ietf.org\"/>\n         </e8>\n      </e7>\n   </e6>\n</doc>";
        let expected = "<doc>\n   <e1></e1>\n   <e2></e2>\n   <e3 id=\"elem3\" name=\"elem3\"></e3>\n   <e5 xmlns=\"http://example.org\" xmlns:a=\"http://www.w3.org\" xmlns:b=\"http://www.ietf.org\" attr=\"I'm\" attr2=\"all\" b:attr=\"sorted\" a:attr=\"out\"></e5>\n   <e6 xmlns:a=\"http://www.w3.org\">\n      <e7 xmlns=\"http://www.ietf.org\">\n         <e8 xmlns=\"\">\n            <e9 xmlns:a=\"http://www.ietf.org\"></e9>\n         </e8>\n      </e7>\n   </e6>\n</doc>";
        assert_eq!(c14n(doc, C14nMethod::C14n10), expected);
        assert_eq!(c14n(doc, C14nMethod::C14n11), expected);
    }

    #[test]
    fn spec_example_3_4_character_modifications() {
        // C14N 1.0 §3.4, without the DTD-typed attributes and the entity reference.
        let doc = "<doc>\n   <text>First line&#x0d;&#10;Second line</text>\n   <value>&#x32;</value>\n   <compute><![CDATA[value>\"0\" && value<\"10\" ?\"valid\":\"error\"]]></compute>\n   <compute expr='value>\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"'>valid</compute>\n   <norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/>\n</doc>";
        let expected = "<doc>\n   <text>First line&#xD;\nSecond line</text>\n   <value>2</value>\n   <compute>value&gt;\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"</compute>\n   <compute expr=\"value>&quot;0&quot; &amp;&amp; value&lt;&quot;10&quot; ?&quot;valid&quot;:&quot;error&quot;\">valid</compute>\n   <norm attr=\" '    &#xD;&#xA;&#x9;   ' \"></norm>\n</doc>";
        assert_eq!(c14n(doc, C14nMethod::C14n11), expected);
    }

    #[test]
    fn exclusive_renders_only_visibly_used_namespaces() {
        let doc = r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d"><b:c x="1"><d a:y="2"/></b:c></a:r>"#;
        assert_eq!(
            c14n(doc, C14nMethod::ExclusiveC14n),
            r#"<a:r xmlns:a="urn:a"><b:c xmlns:b="urn:b" x="1"><d xmlns="urn:d" a:y="2"></d></b:c></a:r>"#
        );
        assert_eq!(
            c14n(doc, C14nMethod::C14n11),
            r#"<a:r xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b"><b:c x="1"><d a:y="2"></d></b:c></a:r>"#
        );
    }
}
