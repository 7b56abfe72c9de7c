//! What the mock serves: routes (exact path + query map → body and headers), 404 bodies
//! per path prefix, and recorded OCSP responses.

use std::collections::BTreeMap;
use std::fmt;

use hyper::body::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, TRANSFER_ENCODING};
use percent_encoding::percent_decode_str;

use crate::error::BuildError;
use crate::ocsp;

/// One URL the mock answers, with the body and headers it answers with.
#[derive(Clone, PartialEq, Eq)]
pub struct Route {
    path: String,
    query: BTreeMap<String, String>,
    body: Bytes,
    headers: Vec<(String, String)>,
}

impl Route {
    /// The exact path, e.g. `/vcek/v1/Milan/cert_chain`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query parameters a request must carry: all of them and no others.
    pub fn query(&self) -> &BTreeMap<String, String> {
        &self.query
    }

    /// The body served (the exact file bytes, for the real-vector builders).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The response headers besides `Content-Length` (which the server sets).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The value of one response header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path and query as a request target, parameters in name order:
    /// `/tdx/certification/v4/tcb?fmspc=b0c06f000000`.
    pub fn target(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let query: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{}?{}", self.path, query.join("&"))
    }

    pub(crate) fn body_bytes(&self) -> Bytes {
        self.body.clone()
    }

    fn same_url(&self, other: &Self) -> bool {
        self.path == other.path && self.query == other.query
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("target", &self.target())
            .field("body_len", &self.body.len())
            .field("headers", &self.headers)
            .finish()
    }
}

/// A recorded OCSP response and the serial numbers it answers for.
#[derive(Clone, Debug, PartialEq, Eq)]
struct OcspEntry {
    der: Bytes,
    serials: Vec<Vec<u8>>,
}

/// Everything a [`MockVendor`](crate::MockVendor) serves.
///
/// * Routes: `GET` (or `HEAD`) of an exact path with exactly the route's query parameters,
///   compared as a map — order does not matter; a missing, extra, repeated or different
///   parameter does not match. Values compare ASCII-case-insensitively, and decimal numbers
///   by value (KDS takes `blSPL=03` for `blSPL=3`; PCS takes upper- or lower-case FMSPCs).
///   No match is a 404, with the body of the longest [`Catalog::not_found`] prefix if any.
/// * OCSP: a `POST /` with `Content-Type: application/ocsp-request` is answered, with
///   `Content-Type: application/ocsp-response`, by the first recorded response that covers
///   a serial number the request names, else by [`OCSP_UNAUTHORIZED`](crate::OCSP_UNAUTHORIZED);
///   a body that is no `OCSPRequest` gets [`OCSP_MALFORMED_REQUEST`](crate::OCSP_MALFORMED_REQUEST).
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    routes: Vec<Route>,
    not_found: Vec<Route>,
    ocsp: Vec<OcspEntry>,
}

/// The path the OCSP responder answers `POST`s on (NVIDIA's responder is
/// `http://ocsp.ndis.nvidia.com/`).
pub(crate) const OCSP_PATH: &str = "/";

impl Catalog {
    /// An empty catalog: every `GET` is a 404 and every OCSP request `unauthorized`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `body` with `headers` at `path` with exactly the `query` parameters. A route
    /// with the same path and parameters is replaced.
    ///
    /// # Panics
    /// If a header name or value is not valid HTTP, or is `Content-Length` or
    /// `Transfer-Encoding` (the server frames the body itself).
    pub fn route(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
        body: impl Into<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> &mut Self {
        let route = Route {
            path: path.to_owned(),
            query: query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: Bytes::from(body.into()),
            headers: checked_headers(headers),
        };
        match self.routes.iter_mut().find(|r| r.same_url(&route)) {
            Some(existing) => *existing = route,
            None => self.routes.push(route),
        }
        self
    }

    /// The 404 answer for paths under `prefix` that no route serves (the longest prefix
    /// wins), e.g. the RIM service's `{"message": "RIM_NOT_FOUND"}`.
    ///
    /// # Panics
    /// As [`Catalog::route`], for the headers.
    pub fn not_found(
        &mut self,
        prefix: &str,
        body: impl Into<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> &mut Self {
        let route = Route {
            path: prefix.to_owned(),
            query: BTreeMap::new(),
            body: Bytes::from(body.into()),
            headers: checked_headers(headers),
        };
        match self.not_found.iter_mut().find(|r| r.path == route.path) {
            Some(existing) => *existing = route,
            None => self.not_found.push(route),
        }
        self
    }

    /// Adds a recorded DER `OCSPResponse` for the responder to serve to requests naming a
    /// serial number it answers for.
    ///
    /// # Errors
    /// [`BuildError::Ocsp`] if it is not a successful basic OCSP response.
    pub fn ocsp_response(&mut self, der: impl Into<Vec<u8>>) -> Result<&mut Self, BuildError> {
        let der = Bytes::from(der.into());
        let serials = ocsp::response_serials(&der).map_err(BuildError::Ocsp)?;
        let entry = OcspEntry { der, serials };
        if !self.ocsp.contains(&entry) {
            self.ocsp.push(entry);
        }
        Ok(self)
    }

    /// Adds everything `other` serves. Identical routes and responses are kept once.
    ///
    /// # Errors
    /// [`BuildError::Collision`] if both serve the same URL (path and query), 404 prefix or
    /// OCSP serial number with different content; `self` is then unchanged.
    pub fn merge(&mut self, other: Self) -> Result<&mut Self, BuildError> {
        for route in &other.routes {
            if let Some(mine) = self.routes.iter().find(|r| r.same_url(route)) {
                if mine != route {
                    return Err(BuildError::Collision {
                        what: route.target(),
                    });
                }
            }
        }
        for route in &other.not_found {
            if let Some(mine) = self.not_found.iter().find(|r| r.path == route.path) {
                if mine != route {
                    return Err(BuildError::Collision {
                        what: format!("the 404 answer under {}", route.path),
                    });
                }
            }
        }
        for entry in &other.ocsp {
            for mine in &self.ocsp {
                if mine.der != entry.der {
                    if let Some(serial) = entry.serials.iter().find(|s| mine.serials.contains(s)) {
                        return Err(BuildError::Collision {
                            what: format!("the OCSP response for serial {}", hex::encode(serial)),
                        });
                    }
                }
            }
        }
        for route in other.routes {
            if !self.routes.contains(&route) {
                self.routes.push(route);
            }
        }
        for route in other.not_found {
            if !self.not_found.contains(&route) {
                self.not_found.push(route);
            }
        }
        for entry in other.ocsp {
            if !self.ocsp.contains(&entry) {
                self.ocsp.push(entry);
            }
        }
        Ok(self)
    }

    /// Every route, in the order added.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The route a `GET path?query` is served from, matched as the server matches.
    pub fn find(&self, path: &str, query: &[(&str, &str)]) -> Option<&Route> {
        let mut map = BTreeMap::new();
        for (k, v) in query {
            if map.insert((*k).to_owned(), (*v).to_owned()).is_some() {
                return None;
            }
        }
        self.find_map(path, &map)
    }

    /// The recorded OCSP responses, in the order added.
    pub fn ocsp_responses(&self) -> Vec<&[u8]> {
        self.ocsp.iter().map(|e| &e.der[..]).collect()
    }

    /// What the responder answers to this DER `OCSPRequest`.
    pub fn answer_ocsp(&self, request: &[u8]) -> &[u8] {
        let Ok(asked) = ocsp::request_serials(request) else {
            return ocsp::OCSP_MALFORMED_REQUEST;
        };
        self.ocsp
            .iter()
            .find(|e| e.serials.iter().any(|s| asked.contains(s)))
            .map_or(ocsp::OCSP_UNAUTHORIZED, |e| &e.der[..])
    }

    /// The route for a request with this path and raw (still percent-encoded) query.
    pub(crate) fn lookup(&self, path: &str, raw_query: &str) -> Option<&Route> {
        let query = parse_query(raw_query)?;
        self.find_map(path, &query)
    }

    /// The 404 answer for a path, if a prefix covers it.
    pub(crate) fn not_found_for(&self, path: &str) -> Option<&Route> {
        self.not_found
            .iter()
            .filter(|r| path.starts_with(r.path.as_str()))
            .max_by_key(|r| r.path.len())
    }

    fn find_map(&self, path: &str, query: &BTreeMap<String, String>) -> Option<&Route> {
        self.routes
            .iter()
            .find(|r| r.path == path && query_matches(&r.query, query))
    }
}

fn checked_headers(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let parsed = HeaderName::from_bytes(name.as_bytes())
                .unwrap_or_else(|e| panic!("header name {name:?}: {e}"));
            assert!(
                parsed != CONTENT_LENGTH && parsed != TRANSFER_ENCODING,
                "{name} is set by the server"
            );
            HeaderValue::from_str(value)
                .unwrap_or_else(|e| panic!("header {name} value {value:?}: {e}"));
            ((*name).to_owned(), (*value).to_owned())
        })
        .collect()
}

/// A request's query as a map; `None` if a parameter is repeated (which matches nothing).
fn parse_query(raw: &str) -> Option<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode_str(k).decode_utf8_lossy().into_owned();
        let v = percent_decode_str(v).decode_utf8_lossy().into_owned();
        if map.insert(k, v).is_some() {
            return None;
        }
    }
    Some(map)
}

fn query_matches(want: &BTreeMap<String, String>, got: &BTreeMap<String, String>) -> bool {
    want.len() == got.len()
        && want
            .iter()
            .all(|(k, v)| got.get(k).is_some_and(|g| value_matches(v, g)))
}

/// Values compare ASCII-case-insensitively, and decimal numbers by value (`03` = `3`).
fn value_matches(want: &str, got: &str) -> bool {
    fn decimal(s: &str) -> Option<&str> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let trimmed = s.trim_start_matches('0');
        Some(if trimmed.is_empty() { "0" } else { trimmed })
    }
    want.eq_ignore_ascii_case(got)
        || matches!((decimal(want), decimal(got)), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut c = Catalog::new();
        c.route(
            "/vcek/v1/Milan/ab",
            &[("blSPL", "3"), ("teeSPL", "0")],
            b"A".to_vec(),
            &[("Content-Type", "application/x-x509-ca-cert")],
        )
        .route("/t", &[("fmspc", "B0C06F000000")], b"T".to_vec(), &[]);
        c
    }

    #[test]
    fn query_is_a_map() {
        let c = catalog();
        assert!(c.lookup("/vcek/v1/Milan/ab", "teeSPL=0&blSPL=3").is_some());
        assert!(c
            .lookup("/vcek/v1/Milan/ab", "blSPL=03&teeSPL=00")
            .is_some());
        assert!(c.lookup("/vcek/v1/Milan/ab", "blSPL=3").is_none());
        assert!(c
            .lookup("/vcek/v1/Milan/ab", "blSPL=3&teeSPL=0&snpSPL=1")
            .is_none());
        assert!(c
            .lookup("/vcek/v1/Milan/ab", "blSPL=3&teeSPL=0&teeSPL=0")
            .is_none());
        assert!(c.lookup("/vcek/v1/Milan/ab", "blSPL=4&teeSPL=0").is_none());
        assert!(c.lookup("/vcek/v1/Milan/AB", "blSPL=3&teeSPL=0").is_none());
        assert!(c.lookup("/t", "fmspc=b0c06f000000").is_some());
        assert!(c.lookup("/t", "fmspc=b0c06f00000").is_none());
        assert!(c.lookup("/t", "").is_none());
    }

    #[test]
    fn route_replaces_and_merge_detects_collisions() {
        let mut c = catalog();
        c.route("/t", &[("fmspc", "B0C06F000000")], b"T2".to_vec(), &[]);
        assert_eq!(c.routes().len(), 2);
        assert_eq!(
            c.find("/t", &[("fmspc", "b0c06f000000")]).unwrap().body(),
            b"T2"
        );

        let mut same = catalog();
        same.merge(catalog()).expect("identical routes merge");
        assert_eq!(same.routes().len(), 2);

        let mut other = Catalog::new();
        other.route("/t", &[("fmspc", "B0C06F000000")], b"X".to_vec(), &[]);
        other.route("/new", &[], b"N".to_vec(), &[]);
        let err = same.merge(other).unwrap_err();
        assert!(matches!(err, BuildError::Collision { .. }), "{err}");
        assert!(
            same.find("/new", &[]).is_none(),
            "a failed merge changes nothing"
        );
    }

    #[test]
    fn not_found_takes_the_longest_prefix() {
        let mut c = Catalog::new();
        c.not_found("/", b"root".to_vec(), &[])
            .not_found("/v1/rim/", b"rim".to_vec(), &[]);
        assert_eq!(c.not_found_for("/v1/rim/X").unwrap().body(), b"rim");
        assert_eq!(c.not_found_for("/other").unwrap().body(), b"root");
    }

    #[test]
    #[should_panic(expected = "set by the server")]
    fn content_length_is_refused() {
        Catalog::new().route("/", &[], Vec::new(), &[("Content-Length", "3")]);
    }
}
