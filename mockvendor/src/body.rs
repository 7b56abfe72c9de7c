//! Response bodies: whole, streamed garbage, and truncated.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Bytes, Frame, SizeHint};
use tokio::time::Sleep;

/// How long a truncated body waits after its last byte before failing, so that hyper has
/// flushed the bytes before it closes the connection.
const TRUNCATE_FLUSH_PAUSE: Duration = Duration::from_millis(50);

/// The size of one chunk of the garbage body.
const GARBAGE_CHUNK: usize = 64 * 1024;

/// A body as the mock sends it.
pub(crate) enum MockBody {
    /// The whole body, sent as one frame (`None` once sent).
    Full(Option<Bytes>),
    /// `remaining` bytes of garbage, streamed in chunks.
    Garbage { remaining: usize },
    /// A prefix of the body; then, after a pause, an error, on which hyper closes the
    /// connection short of the `Content-Length` the headers announced.
    Truncated {
        prefix: Option<Bytes>,
        pause: Option<Pin<Box<Sleep>>>,
    },
}

impl MockBody {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        Self::Full(Some(bytes.into()))
    }

    pub(crate) fn empty() -> Self {
        Self::Full(None)
    }

    pub(crate) fn truncated(prefix: Bytes) -> Self {
        Self::Truncated {
            prefix: (!prefix.is_empty()).then_some(prefix),
            pause: Some(Box::pin(tokio::time::sleep(TRUNCATE_FLUSH_PAUSE))),
        }
    }
}

/// The error a truncated body ends with (hyper then closes the connection).
#[derive(Debug)]
pub(crate) struct Truncated;

impl fmt::Display for Truncated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("body truncated by an injected fault")
    }
}

impl std::error::Error for Truncated {}

/// One chunk of garbage: a fixed pseudo-random byte sequence (xorshift), deterministic,
/// and neither DER, PEM nor JSON.
fn garbage_chunk() -> Bytes {
    static CHUNK: OnceLock<Bytes> = OnceLock::new();
    CHUNK
        .get_or_init(|| {
            let mut state: u32 = 0x9e37_79b9;
            let bytes: Vec<u8> = (0..GARBAGE_CHUNK)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state.to_be_bytes()[0]
                })
                .collect();
            Bytes::from(bytes)
        })
        .clone()
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = Truncated;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Truncated>>> {
        match self.get_mut() {
            Self::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Self::Garbage { remaining } => {
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let n = (*remaining).min(GARBAGE_CHUNK);
                *remaining -= n;
                Poll::Ready(Some(Ok(Frame::data(garbage_chunk().slice(..n)))))
            }
            Self::Truncated { prefix, pause } => {
                if let Some(prefix) = prefix.take() {
                    return Poll::Ready(Some(Ok(Frame::data(prefix))));
                }
                if let Some(sleep) = pause {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *pause = None;
                }
                Poll::Ready(Some(Err(Truncated)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Self::Full(None) | Self::Garbage { remaining: 0 })
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(Some(bytes)) => SizeHint::with_exact(bytes.len() as u64),
            Self::Full(None) => SizeHint::with_exact(0),
            Self::Garbage { remaining } => SizeHint::with_exact(*remaining as u64),
            // Unknown: hyper then takes the length from the Content-Length header.
            Self::Truncated { .. } => SizeHint::default(),
        }
    }
}
