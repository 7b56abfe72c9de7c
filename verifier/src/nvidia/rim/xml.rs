//! A small owned XML element tree, built from `quick-xml`'s raw events.
//!
//! Only what a signed SWID tag needs, and strict about the rest (fail closed):
//!
//! - UTF-8 only (an optional BOM, an XML declaration saying version 1.0 and UTF-8);
//! - no DOCTYPE, hence no DTD, no attribute defaults and no entities besides the five
//!   predefined ones and character references;
//! - no processing instructions (they would have to be canonicalized too; RIMs have none);
//! - every character a legal XML `Char`, names legal NCNames or `prefix:local` QNames;
//! - namespaces resolved (Namespaces in XML 1.0): prefixes bound, `xml`/`xmlns` reserved,
//!   no undeclared prefix, no two attributes with the same expanded name, and namespace
//!   names absolute URIs (C14N cannot handle relative ones);
//! - at most [`MAX_DEPTH`] nested elements.
//!
//! The tree keeps what canonicalization (XML-C14N) needs: each element's prefix as written,
//! its namespace declarations, its attributes with values normalized as an XML processor
//! must (XML 1.0 §3.3.3: no DTD, so every attribute is CDATA), and text with line endings
//! normalized (§2.11). Comments are dropped: Verdict canonicalizes without comments.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Error, ParseError, ParseErrorKind};

/// The namespace the `xml` prefix is bound to.
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` attributes; nothing may be bound to it.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// Nesting limit: real RIMs are 5 levels deep; canonicalization recurses per level.
pub(crate) const MAX_DEPTH: usize = 32;
/// Attributes (namespace declarations included) on one element: NVIDIA's Meta has 13.
/// Bounds the per-element work of sorting and of the namespace checks.
const MAX_ATTRIBUTES: usize = 64;

/// An element with its namespace context as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    /// The prefix as written (`ns0` in `ns0:Meta`), `None` when unprefixed.
    pub(crate) prefix: Option<String>,
    /// The local name.
    pub(crate) local: String,
    /// The namespace name the prefix (or the default namespace) resolves to.
    pub(crate) ns: Option<String>,
    /// `xmlns` / `xmlns:p` declarations on this element, in document order.
    pub(crate) ns_decls: Vec<NsDecl>,
    /// The other attributes, in document order.
    pub(crate) attrs: Vec<Attribute>,
    /// Child elements and text, in document order (adjacent text merged).
    pub(crate) children: Vec<Node>,
    /// Byte offset of the `<` of the start tag.
    pub(crate) offset: usize,
}

/// One namespace declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NsDecl {
    /// The declared prefix; `""` for the default namespace.
    pub(crate) prefix: String,
    /// The namespace name; `""` only for `xmlns=""` (no default namespace).
    pub(crate) uri: String,
}

/// One attribute (not a namespace declaration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attribute {
    /// The prefix as written.
    pub(crate) prefix: Option<String>,
    /// The local name.
    pub(crate) local: String,
    /// The namespace name (unprefixed attributes have none).
    pub(crate) ns: Option<String>,
    /// The normalized value (references resolved, whitespace normalized).
    pub(crate) value: String,
}

/// A child node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// An element.
    Element(Element),
    /// Character data (text, references and CDATA sections, merged).
    Text(String),
}

impl Element {
    /// Whether this element is `{ns}local`.
    pub(crate) fn is(&self, ns: &str, local: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.local == local
    }

    /// The value of the attribute `{ns}local` (`ns` `None`: an unprefixed attribute).
    pub(crate) fn attr(&self, ns: Option<&str>, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.as_deref() == ns && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// The child elements, in order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Self> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The qualified name as written.
    pub(crate) fn qname(&self) -> Cow<'_, str> {
        qname(self.prefix.as_deref(), &self.local)
    }
}

impl Attribute {
    /// The qualified name as written.
    pub(crate) fn qname(&self) -> Cow<'_, str> {
        qname(self.prefix.as_deref(), &self.local)
    }
}

fn qname<'a>(prefix: Option<&str>, local: &'a str) -> Cow<'a, str> {
    match prefix {
        Some(p) => Cow::Owned(format!("{p}:{local}")),
        None => Cow::Borrowed(local),
    }
}

fn xml_error(offset: usize, message: impl Into<String>) -> Error {
    Error::Parse(ParseError {
        what: "RIM XML",
        offset,
        kind: ParseErrorKind::Xml(message.into()),
    })
}

/// Parses a whole document and returns its document element.
///
/// # Errors
/// [`Error::Parse`] with [`ParseErrorKind::Xml`] and the byte offset of the problem.
pub(crate) fn parse(xml: &[u8]) -> Result<Element, Error> {
    let text = core::str::from_utf8(xml)
        .map_err(|e| xml_error(e.valid_up_to(), "not UTF-8 (only UTF-8 is accepted)"))?;
    check_chars(text)?;
    let (base, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (3, rest),
        None => (0, text),
    };
    Builder::new(base).run(body)
}

/// Every character of an XML document is a `Char` (XML 1.0 §2.2): no C0 controls besides
/// tab, LF and CR, and no U+FFFE/U+FFFF (Rust strings hold no surrogates).
fn check_chars(text: &str) -> Result<(), Error> {
    match text.char_indices().find(|(_, c)| !is_xml_char(*c)) {
        Some((i, c)) => Err(xml_error(
            i,
            format!("character U+{:04X} is not allowed in XML", u32::from(c)),
        )),
        None => Ok(()),
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Namespace bindings in scope: prefix (`""` for the default) to a stack of names.
#[derive(Default)]
struct Scopes {
    bindings: HashMap<String, Vec<String>>,
    frames: Vec<Vec<String>>,
}

impl Scopes {
    fn push(&mut self, decls: &[NsDecl]) {
        let mut frame = Vec::with_capacity(decls.len());
        for d in decls {
            self.bindings
                .entry(d.prefix.clone())
                .or_default()
                .push(d.uri.clone());
            frame.push(d.prefix.clone());
        }
        self.frames.push(frame);
    }

    fn pop(&mut self) {
        for prefix in self.frames.pop().unwrap_or_default() {
            if let Some(stack) = self.bindings.get_mut(&prefix) {
                stack.pop();
            }
        }
    }

    fn lookup(&self, prefix: &str) -> Option<&str> {
        self.bindings
            .get(prefix)
            .and_then(|s| s.last())
            .map(String::as_str)
    }
}

struct Builder {
    /// Offset of `body` in the input (3 after a BOM).
    base: usize,
    stack: Vec<Element>,
    scopes: Scopes,
    root: Option<Element>,
}

impl Builder {
    fn new(base: usize) -> Self {
        Self {
            base,
            stack: Vec::new(),
            scopes: Scopes::default(),
            root: None,
        }
    }

    fn at(&self, position: u64) -> usize {
        usize::try_from(position)
            .unwrap_or(usize::MAX)
            .saturating_add(self.base)
    }

    fn run(mut self, body: &str) -> Result<Element, Error> {
        let mut reader = Reader::from_str(body);
        let config = reader.config_mut();
        config.check_comments = true;
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        let mut first = true;
        loop {
            let start = self.at(reader.buffer_position());
            let event = reader
                .read_event()
                .map_err(|e| xml_error(self.at(reader.error_position()), e.to_string()))?;
            match event {
                Event::Decl(decl) => {
                    if !first {
                        return Err(xml_error(start, "XML declaration not at the start"));
                    }
                    check_decl(&decl, start)?;
                }
                Event::DocType(_) => {
                    return Err(xml_error(start, "DOCTYPE is not accepted"));
                }
                Event::PI(_) => {
                    return Err(xml_error(start, "processing instructions are not accepted"));
                }
                // Canonicalization without comments drops them.
                Event::Comment(_) => {}
                Event::Start(tag) => {
                    let element = self.open(&tag, body, start)?;
                    self.stack.push(element);
                }
                Event::Empty(tag) => {
                    let element = self.open(&tag, body, start)?;
                    self.close(element, start)?;
                }
                Event::End(tag) => {
                    let element = self
                        .stack
                        .pop()
                        .ok_or_else(|| xml_error(start, "end tag without a start tag"))?;
                    if tag.name().as_ref() != element.qname().as_bytes() {
                        return Err(xml_error(start, "end tag does not match the start tag"));
                    }
                    self.close(element, start)?;
                }
                Event::Text(t) => {
                    let raw = core::str::from_utf8(&t)
                        .map_err(|_| xml_error(start, "text is not UTF-8"))?;
                    if raw.contains("]]>") {
                        return Err(xml_error(start, "`]]>` in text"));
                    }
                    self.text(&normalize_newlines(raw), start)?;
                }
                Event::CData(c) => {
                    let raw = core::str::from_utf8(&c)
                        .map_err(|_| xml_error(start, "CDATA is not UTF-8"))?;
                    self.text(&normalize_newlines(raw), start)?;
                }
                Event::GeneralRef(r) => {
                    let name = core::str::from_utf8(&r)
                        .map_err(|_| xml_error(start, "reference is not UTF-8"))?;
                    let c = resolve_reference(name).ok_or_else(|| {
                        xml_error(start, format!("unknown or invalid reference &{name};"))
                    })?;
                    self.text(c.encode_utf8(&mut [0; 4]), start)?;
                }
                Event::Eof => break,
            }
            first = false;
        }
        if let Some(open) = self.stack.last() {
            return Err(xml_error(
                open.offset,
                format!("element {} is not closed", open.qname()),
            ));
        }
        self.root.ok_or_else(|| xml_error(0, "no document element"))
    }

    /// Builds an element from its start tag and enters its namespace scope.
    fn open(&mut self, tag: &BytesStart<'_>, body: &str, offset: usize) -> Result<Element, Error> {
        if self.stack.is_empty() && self.root.is_some() {
            return Err(xml_error(offset, "content after the document element"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(xml_error(
                offset,
                format!("elements nested deeper than {MAX_DEPTH}"),
            ));
        }
        let name = core::str::from_utf8(tag.name().into_inner())
            .map_err(|_| xml_error(offset, "element name is not UTF-8"))?;
        let (prefix, local) = split_qname(name)
            .ok_or_else(|| xml_error(offset, format!("invalid element name {name:?}")))?;
        if matches!(prefix, Some("xml" | "xmlns")) {
            return Err(xml_error(
                offset,
                format!("reserved prefix on element {name}"),
            ));
        }
        let mut ns_decls = Vec::new();
        let mut raw_attrs = Vec::new();
        let mut names = HashSet::new();
        let mut attributes = tag.attributes();
        // quick-xml's duplicate check is quadratic; the set below does it.
        attributes.with_checks(false);
        for attr in attributes {
            let attr = attr.map_err(|e| xml_error(offset, e.to_string()))?;
            let at =
                value_offset(body, &attr.value).map_or(offset, |o| o.saturating_add(self.base));
            let key = core::str::from_utf8(attr.key.into_inner())
                .map_err(|_| xml_error(at, "attribute name is not UTF-8"))?;
            if !names.insert(key) {
                return Err(xml_error(at, format!("attribute {key} given twice")));
            }
            if names.len() > MAX_ATTRIBUTES {
                return Err(xml_error(
                    at,
                    format!("more than {MAX_ATTRIBUTES} attributes on one element"),
                ));
            }
            let raw = core::str::from_utf8(&attr.value)
                .map_err(|_| xml_error(at, "attribute value is not UTF-8"))?;
            let value = attribute_value(raw).map_err(|m| xml_error(at, m))?;
            if key == "xmlns" {
                check_namespace_name("", &value, true).map_err(|m| xml_error(at, m))?;
                ns_decls.push(NsDecl {
                    prefix: String::new(),
                    uri: value,
                });
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                if !is_ncname(p) {
                    return Err(xml_error(at, format!("invalid namespace prefix {p:?}")));
                }
                check_namespace_name(p, &value, false).map_err(|m| xml_error(at, m))?;
                // `xml` is bound implicitly; a declaration of it (to its own name, as
                // checked) changes nothing and is never rendered.
                if p != "xml" {
                    ns_decls.push(NsDecl {
                        prefix: p.to_owned(),
                        uri: value,
                    });
                }
            } else {
                let (p, l) = split_qname(key)
                    .ok_or_else(|| xml_error(at, format!("invalid attribute name {key:?}")))?;
                raw_attrs.push((p, l, value, at));
            }
        }
        self.scopes.push(&ns_decls);
        let ns = match prefix {
            Some(p) => Some(self.bound(p, offset)?),
            None => self
                .scopes
                .lookup("")
                .filter(|u| !u.is_empty())
                .map(str::to_owned),
        };
        let mut attrs: Vec<Attribute> = Vec::with_capacity(raw_attrs.len());
        let mut expanded = HashSet::new();
        for (p, l, value, at) in raw_attrs {
            let ns = match p {
                Some("xml") => Some(XML_NS.to_owned()),
                Some(p) => Some(self.bound(p, at)?),
                None => None,
            };
            // Namespaces in XML §6.3: no two attributes with the same expanded name.
            if !expanded.insert((ns.clone(), l)) {
                return Err(xml_error(
                    at,
                    format!("attribute {l} given twice (same namespace and name)"),
                ));
            }
            attrs.push(Attribute {
                prefix: p.map(str::to_owned),
                local: l.to_owned(),
                ns,
                value,
            });
        }
        Ok(Element {
            prefix: prefix.map(str::to_owned),
            local: local.to_owned(),
            ns,
            ns_decls,
            attrs,
            children: Vec::new(),
            offset,
        })
    }

    fn bound(&self, prefix: &str, offset: usize) -> Result<String, Error> {
        self.scopes
            .lookup(prefix)
            .map(str::to_owned)
            .ok_or_else(|| xml_error(offset, format!("namespace prefix {prefix} is not declared")))
    }

    /// Leaves an element's scope and attaches it to its parent (or makes it the root).
    fn close(&mut self, element: Element, offset: usize) -> Result<(), Error> {
        self.scopes.pop();
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(element)),
            None if self.root.is_none() => self.root = Some(element),
            None => return Err(xml_error(offset, "content after the document element")),
        }
        Ok(())
    }

    /// Appends character data to the open element; outside it only whitespace may appear.
    fn text(&mut self, text: &str, offset: usize) -> Result<(), Error> {
        let Some(parent) = self.stack.last_mut() else {
            if text.chars().all(is_xml_space) {
                return Ok(());
            }
            return Err(xml_error(offset, "text outside the document element"));
        };
        if let Some(Node::Text(previous)) = parent.children.last_mut() {
            previous.push_str(text);
        } else {
            parent.children.push(Node::Text(text.to_owned()));
        }
        Ok(())
    }
}

fn check_decl(decl: &quick_xml::events::BytesDecl<'_>, offset: usize) -> Result<(), Error> {
    let version = decl
        .version()
        .map_err(|e| xml_error(offset, e.to_string()))?;
    if version.as_ref() != b"1.0" {
        return Err(xml_error(offset, "only XML version 1.0 is accepted"));
    }
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|e| xml_error(offset, e.to_string()))?;
        if !encoding.eq_ignore_ascii_case(b"UTF-8") {
            return Err(xml_error(offset, "only the UTF-8 encoding is accepted"));
        }
    }
    Ok(())
}

/// The offset of `value` in `body` when it borrows from it.
fn value_offset(body: &str, value: &[u8]) -> Option<usize> {
    let start = (value.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    (start <= body.len()).then_some(start)
}

/// Namespace name rules (Namespaces in XML 1.0 §3) plus C14N's: absolute URIs only.
fn check_namespace_name(prefix: &str, uri: &str, default: bool) -> Result<(), String> {
    if uri.is_empty() {
        // `xmlns=""` undeclares the default namespace; `xmlns:p=""` is an XML 1.1 feature.
        return if default {
            Ok(())
        } else {
            Err(format!(
                "prefix {prefix} is bound to an empty namespace name"
            ))
        };
    }
    if prefix == "xmlns" {
        return Err("the xmlns prefix cannot be declared".to_owned());
    }
    if (prefix == "xml") != (uri == XML_NS) {
        return Err(format!(
            "prefix {prefix:?} and {uri} must go together (xml)"
        ));
    }
    if uri == XMLNS_NS {
        return Err(format!("{XMLNS_NS} cannot be bound"));
    }
    if !has_scheme(uri) {
        return Err(format!("namespace name {uri:?} is not an absolute URI"));
    }
    Ok(())
}

/// `scheme ":"` with `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1).
fn has_scheme(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `prefix:local` or `local`, each an NCName.
fn split_qname(name: &str) -> Option<(Option<&str>, &str)> {
    match name.split_once(':') {
        Some((p, l)) if is_ncname(p) && is_ncname(l) => Some((Some(p), l)),
        Some(_) => None,
        None if is_ncname(name) => Some((None, name)),
        None => None,
    }
}

/// An XML `Name` without colons (Namespaces in XML 1.0 §3, NCName).
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// XML 1.0 (5th edition) §2.3 NameStartChar, without `:`.
fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 (5th edition) §2.3 NameChar, without `:`.
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// XML 1.0 §2.3 S.
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// XML 1.0 §2.11: `CR LF` and a lone `CR` become `LF`.
fn normalize_newlines(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The value of an attribute as the application sees it (XML 1.0 §3.3.3, CDATA type):
/// references replaced by their character, each literal whitespace character (after
/// line-end normalization, so `CR LF` counts once) replaced by a space. Characters from
/// character references are kept as they are (`&#9;` stays a tab).
fn attribute_value(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        let mut len = c.len_utf8();
        match c {
            '<' => return Err("`<` in an attribute value".to_owned()),
            '&' => {
                let end = rest
                    .find(';')
                    .ok_or_else(|| "unterminated reference in an attribute value".to_owned())?;
                let name = rest.get(1..end).unwrap_or_default();
                let resolved = resolve_reference(name)
                    .ok_or_else(|| format!("unknown or invalid reference &{name};"))?;
                out.push(resolved);
                len = end.saturating_add(1);
            }
            '\r' => {
                out.push(' ');
                if rest.get(1..2) == Some("\n") {
                    len = 2;
                }
            }
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
        rest = rest.get(len..).unwrap_or_default();
    }
    Ok(out)
}

/// The character a reference stands for: the five predefined entities and character
/// references (decimal or hex) to a legal `Char`. Anything else is refused: with no DTD,
/// no other entity is declared.
fn resolve_reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let number = name.strip_prefix('#')?;
            let (digits, radix) = match number.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            // from_str_radix accepts a leading `+`; references do not.
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            let value = u32::from_str_radix(digits, radix).ok()?;
            char::from_u32(value).filter(|c| is_xml_char(*c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(resolve_reference("#x9"), Some('\t'));
        assert_eq!(resolve_reference("#13"), Some('\r'));
        assert_eq!(resolve_reference("#0"), None);
        assert_eq!(resolve_reference("#x+1"), None);
        assert_eq!(resolve_reference("#xD800"), None);
        assert_eq!(resolve_reference("nbsp"), None);
    }

    #[test]
    fn attribute_values() {
        assert_eq!(
            attribute_value("a\r\nb\tc&#9;&amp;").as_deref(),
            Ok("a b c\t&")
        );
        assert!(attribute_value("a<b").is_err());
        assert!(attribute_value("a&b").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(split_qname("ns0:Meta"), Some((Some("ns0"), "Meta")));
        assert_eq!(split_qname("a:b:c"), None);
        assert_eq!(split_qname("1a"), None);
        assert!(has_scheme("http://x"));
        assert!(!has_scheme("x/y"));
    }
}
