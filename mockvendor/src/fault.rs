//! Faults and which requests they hit.

use std::time::Duration;

/// A fault served instead of (or, for [`Fault::Delay`], before) the normal answer. Each is
/// real at the TCP/HTTP level, so a client sees what it would see from a failing service.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer normally, but only after this long (for client timeouts). The connection
    /// stays open meanwhile.
    Delay(Duration),
    /// Answer with this status and an empty body (500, 503, 404, …). A number that is not
    /// an HTTP status (outside 100..=999) is served as 500.
    Status(u16),
    /// `429 Too Many Requests` with `Retry-After: <retry_after>` (delta-seconds), as AMD KDS
    /// and Intel PCS rate-limit.
    TooManyRequests {
        /// The `Retry-After` value in seconds.
        retry_after: u64,
    },
    /// Send the normal status and headers with the `Content-Length` of the full body, then
    /// only the first `n` bytes of it, then close the connection: a truncated body. When
    /// `n` is not less than the body's length the whole body is sent (nothing to cut).
    Truncate(usize),
    /// `200 OK` with these bytes as the body (and the route's headers): wrong content.
    ReplaceBody(Vec<u8>),
    /// Read the request, then abort the connection without any response: the socket is
    /// closed with a zero linger time, so the client gets a TCP reset.
    Reset,
    /// `200 OK` with a body of this many bytes of garbage (and the route's headers), for a
    /// client's size bound. The body is streamed, never held in memory whole.
    Oversize(usize),
}

/// Which requests a fault hits (by the request path; the query is not looked at).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Match {
    /// Every request.
    Any,
    /// Requests whose path starts with this (`"/vcek/v1/"`, `"/v1/rim/"`, `"/"`).
    Prefix(String),
    /// Requests with exactly this path.
    Exact(String),
}

impl Match {
    pub(crate) fn hits(&self, path: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Self::Exact(exact) => path == exact,
        }
    }
}

/// A path prefix.
impl From<&str> for Match {
    fn from(prefix: &str) -> Self {
        Self::Prefix(prefix.to_owned())
    }
}

/// A path prefix.
impl From<String> for Match {
    fn from(prefix: String) -> Self {
        Self::Prefix(prefix)
    }
}

/// One injection: the fault, what it hits and how many more requests it takes.
#[derive(Debug)]
pub(crate) struct Injection {
    pub(crate) fault: Fault,
    pub(crate) on: Match,
    pub(crate) remaining: usize,
}

/// Takes the fault for a request to `path`: the oldest injection that matches and has
/// requests left, which it uses up by one. Spent injections are dropped.
pub(crate) fn take(injections: &mut Vec<Injection>, path: &str) -> Option<Fault> {
    let index = injections
        .iter()
        .position(|i| i.remaining > 0 && i.on.hits(path))?;
    let injection = &mut injections[index];
    injection.remaining -= 1;
    let fault = injection.fault.clone();
    injections.retain(|i| i.remaining > 0);
    Some(fault)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_matching_injection_is_used_up_first() {
        let mut list = vec![
            Injection {
                fault: Fault::Status(500),
                on: "/a".into(),
                remaining: 1,
            },
            Injection {
                fault: Fault::Status(503),
                on: Match::Any,
                remaining: 2,
            },
        ];
        assert_eq!(take(&mut list, "/b"), Some(Fault::Status(503)));
        assert_eq!(take(&mut list, "/a/x"), Some(Fault::Status(500)));
        assert_eq!(take(&mut list, "/a/x"), Some(Fault::Status(503)));
        assert_eq!(take(&mut list, "/a/x"), None);
        assert!(list.is_empty());
    }

    #[test]
    fn exact_and_prefix() {
        assert!(Match::Exact("/".into()).hits("/"));
        assert!(!Match::Exact("/".into()).hits("/v1"));
        assert!(Match::from("/v1/").hits("/v1/rim/x"));
        assert!(!Match::from("/v1/").hits("/v2/"));
    }
}
