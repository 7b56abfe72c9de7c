//! The vendors' services over HTTPS: AMD KDS, Intel PCS (or a PCCS), NVIDIA's RIM service
//! and OCSP responder.
//!
//! Each key becomes one request at the URL [`Endpoints::locate`] gives. Requests have a
//! timeout, a bound on the response size, and retries with exponential backoff on
//! timeouts, broken connections, 5xx and 429 (honouring `Retry-After`, up to a bound:
//! AMD KDS rate-limits hard). Keys that need the same request share it while it is in
//! flight: two verifications needing one VCEK make one request, and Intel's QE Identity
//! and the TCB Signing chain in its header come from one response. Every response is
//! checked to answer its key ([`crate::check_answer`]) before it is returned.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand_core::{OsRng, RngCore};
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use tokio::sync::OnceCell;
use verifier::needs::{CollateralKey, OcspTarget};
use verifier::snp::Product;
use verifier::time::UnixTime;

use crate::answer::check_answer;
use crate::fetch::{FetchError, FetchErrorKind, FetchFuture, Fetched, Origin, Source};
use crate::locate::{Endpoints, Location};
use crate::ocsp::OcspRequest;
use crate::MAX_FILE_BYTES;

/// How the HTTP source behaves on a slow or failing service.
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub struct HttpOptions {
    /// The limit for one request, connection to last byte. Default 20 s.
    pub timeout: Duration,
    /// Requests per key, first included. Default 4.
    pub attempts: u32,
    /// The wait before the first retry, doubled for each next one. Default 500 ms.
    pub backoff: Duration,
    /// The longest wait between retries. Default 8 s.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; a service asking for more fails the key at
    /// once, saying how long it asked. Default 60 s.
    pub max_retry_after: Duration,
    /// The largest response body accepted. Default [`MAX_FILE_BYTES`].
    pub max_body: u64,
    /// Send requests through the proxy the environment names (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY`, honouring `NO_PROXY`). Default `true`.
    pub proxy_from_environment: bool,
    /// The subscription key for Intel PCS, sent (as `Ocp-Apim-Subscription-Key`) with
    /// requests for a PCK certificate by encrypted PPID only: the one PCS request that
    /// may want it. A PCCS wants none. Default none.
    pub intel_api_key: Option<String>,
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .field("backoff", &self.backoff)
            .field("max_backoff", &self.max_backoff)
            .field("max_retry_after", &self.max_retry_after)
            .field("max_body", &self.max_body)
            .field("proxy_from_environment", &self.proxy_from_environment)
            // A secret: whether there is one, never what it is.
            .field(
                "intel_api_key",
                &self.intel_api_key.as_ref().map(|_| "(set)"),
            )
            .finish()
    }
}

/// The header Intel PCS takes its subscription key in.
const INTEL_API_KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            max_body: MAX_FILE_BYTES,
            proxy_from_environment: true,
            intel_api_key: None,
        }
    }
}

/// A response as far as collateral needs it.
#[derive(Debug)]
struct Response {
    body: Vec<u8>,
    headers: HeaderMap,
}

type Shared = Arc<OnceCell<Result<Arc<Response>, FetchErrorKind>>>;

/// The vendors' services, at the base URLs of an [`Endpoints`].
#[derive(Debug)]
pub struct Http {
    client: reqwest::Client,
    endpoints: Endpoints,
    options: HttpOptions,
    /// Requests in flight, by what they ask (URL, or responder and certificate for
    /// OCSP), so that keys asking the same share one.
    in_flight: Mutex<HashMap<String, Shared>>,
}

/// The HTTP client could not be built (no TLS roots on this system, say).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up HTTPS: {0}")]
pub struct HttpSetupError(String);

impl Http {
    /// A source for `endpoints`.
    ///
    /// # Errors
    /// [`HttpSetupError`] when the HTTPS client cannot be built.
    pub fn new(endpoints: Endpoints, options: HttpOptions) -> Result<Self, HttpSetupError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("verdict/", env!("CARGO_PKG_VERSION")))
            .timeout(options.timeout)
            .connect_timeout(options.timeout);
        if !options.proxy_from_environment {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| HttpSetupError(e.to_string()))?;
        Ok(Self {
            client,
            endpoints,
            options,
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    /// The base URLs asked.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    async fn fetch_key(&self, key: &CollateralKey, now: UnixTime) -> Result<Fetched, FetchError> {
        match self.endpoints.locate(key) {
            Location::Get(url) => {
                let api_key = match key {
                    CollateralKey::IntelPckCertificate { .. } => {
                        self.options.intel_api_key.as_deref()
                    }
                    _ => None,
                };
                let response = self
                    .get_keyed(&url, api_key)
                    .await
                    .map_err(|k| err(key, &url, k))?;
                let bytes = normalize(key, &response.body);
                answered(key, &url, bytes, now)
            }
            Location::Header { url, header } => {
                let mut response = self.get(&url).await;
                // The TCB Signing chain heads both QE Identity responses; a service that
                // holds only TDX collateral (a TDX-only PCCS, say) has only the TD QE's.
                let mut url = url;
                if matches!(response, Err(FetchErrorKind::NotFound))
                    && matches!(key, CollateralKey::IntelTcbSigning)
                {
                    url = self
                        .endpoints
                        .locate(&CollateralKey::IntelQeIdentity {
                            tee: verifier::needs::IntelTee::Tdx,
                        })
                        .url()
                        .unwrap_or_default()
                        .to_owned();
                    response = self.get(&url).await;
                }
                let response = response.map_err(|k| err(key, &url, k))?;
                let bytes =
                    issuer_chain(&response.headers, header).map_err(|k| err(key, &url, k))?;
                answered(key, &url, bytes, now)
            }
            Location::Ocsp(url) => {
                let CollateralKey::NvidiaOcsp(target) = key else {
                    return Err(err(key, &url, wrong("an OCSP location for a non-OCSP key")));
                };
                self.ocsp(key, target, &url, now).await
            }
            Location::NotPublic(why) => match key {
                CollateralKey::AmdVcek {
                    product: None,
                    hw_id,
                    tcb,
                } if hw_id.iter().any(|b| *b != 0) => {
                    self.probe_vcek(key, hw_id, *tcb, now, why).await
                }
                _ => Err(FetchError::new(key, None, FetchErrorKind::NotPublic(why))),
            },
        }
    }

    /// A v2 report names no product line, and its VCEK names it: KDS is asked under each
    /// line that had v2 firmware, Milan first (a chip is known under one line only;
    /// the others answer 404).
    async fn probe_vcek(
        &self,
        key: &CollateralKey,
        hw_id: &[u8],
        tcb: verifier::snp::TcbParts,
        now: UnixTime,
        why: &'static str,
    ) -> Result<Fetched, FetchError> {
        let mut last = None;
        for product in [Product::Milan, Product::Genoa] {
            let probe = CollateralKey::AmdVcek {
                product: Some(product),
                hw_id: hw_id.to_vec(),
                tcb,
            };
            let Location::Get(url) = self.endpoints.locate(&probe) else {
                continue;
            };
            match self.get(&url).await {
                Ok(response) => return answered(key, &url, response.body.clone(), now),
                Err(FetchErrorKind::NotFound) => last = Some(url),
                Err(kind) => return Err(err(key, &url, kind)),
            }
        }
        Err(match last {
            Some(url) => err(key, &url, FetchErrorKind::NotFound),
            None => FetchError::new(key, None, FetchErrorKind::NotPublic(why)),
        })
    }

    async fn ocsp(
        &self,
        key: &CollateralKey,
        target: &OcspTarget,
        url: &str,
        now: UnixTime,
    ) -> Result<Fetched, FetchError> {
        let mut nonce = [0u8; 32];
        OsRng.fill_bytes(&mut nonce);
        let request = OcspRequest::new(target, nonce).map_err(|e| {
            err(
                key,
                url,
                wrong(&format!("cannot build the OCSP request: {e}")),
            )
        })?;
        // The same certificate asked twice at once shares one request (and its nonce).
        let id = format!(
            "OCSP {url} {} {}",
            target.serial,
            hex::encode(&target.issuer)
        );
        let body = request.der().to_vec();
        let response = self
            .coalesced(id, || async {
                let response = self
                    .send(|| {
                        self.client
                            .post(url)
                            .header(CONTENT_TYPE, "application/ocsp-request")
                            .body(body.clone())
                    })
                    .await?;
                Ok(Arc::new(response))
            })
            .await
            .map_err(|k| err(key, url, k))?;
        request
            .check_answer(&response.body)
            .map_err(|e| err(key, url, wrong(&e.to_string())))?;
        answered(key, url, response.body.clone(), now)
    }

    /// A GET, shared with any other key asking the same URL at the same time.
    async fn get(&self, url: &str) -> Result<Arc<Response>, FetchErrorKind> {
        self.get_keyed(url, None).await
    }

    /// A GET with Intel's subscription key, when given (see
    /// [`HttpOptions::intel_api_key`]), shared as [`Http::get`] is.
    async fn get_keyed(
        &self,
        url: &str,
        api_key: Option<&str>,
    ) -> Result<Arc<Response>, FetchErrorKind> {
        let id = match api_key {
            Some(_) => format!("GET (with the subscription key) {url}"),
            None => format!("GET {url}"),
        };
        self.coalesced(id, || async {
            let response = self
                .send(|| {
                    let request = self.client.get(url);
                    match api_key {
                        Some(k) => request.header(INTEL_API_KEY_HEADER, k),
                        None => request,
                    }
                })
                .await?;
            Ok(Arc::new(response))
        })
        .await
    }

    async fn coalesced<F, Fut>(
        &self,
        id: String,
        request: F,
    ) -> Result<Arc<Response>, FetchErrorKind>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Arc<Response>, FetchErrorKind>>,
    {
        let cell = {
            let mut map = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(map.entry(id.clone()).or_default())
        };
        let result = cell.get_or_init(request).await.clone();
        // Done: a later fetch asks the service again (the cache is what remembers).
        let mut map = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if map.get(&id).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            map.remove(&id);
        }
        result
    }

    /// Sends the request `build` makes, retrying what may pass on a later try.
    async fn send<B>(&self, build: B) -> Result<Response, FetchErrorKind>
    where
        B: Fn() -> reqwest::RequestBuilder,
    {
        let attempts = self.options.attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.send_once(build()).await;
            let wait = match &outcome {
                Ok(_) => return outcome.map_err(|f| f.kind(attempt, &self.options)),
                Err(failure) => match failure.retry(&self.options, attempt) {
                    Some(wait) if attempt < attempts => wait,
                    _ => return outcome.map_err(|f| f.kind(attempt, &self.options)),
                },
            };
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(&self, request: reqwest::RequestBuilder) -> Result<Response, Failure> {
        let mut response = request.send().await.map_err(Failure::from_reqwest)?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Err(Failure::NotFound);
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(Failure::RateLimited(retry_after(response.headers())));
        }
        if !status.is_success() {
            return Err(Failure::Status(status.as_u16()));
        }
        let limit = self.options.max_body;
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(Failure::TooLarge(limit));
        }
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(Failure::from_reqwest)? {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(Failure::TooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response { body, headers })
    }
}

impl Source for Http {
    fn fetch<'a>(&'a self, key: &'a CollateralKey, now: UnixTime) -> FetchFuture<'a> {
        Box::pin(self.fetch_key(key, now))
    }
}

/// One request's failure, before it becomes a [`FetchErrorKind`] with the attempts.
#[derive(Debug)]
enum Failure {
    NotFound,
    Status(u16),
    RateLimited(Option<u64>),
    Timeout,
    Transport(String),
    TooLarge(u64),
}

impl Failure {
    fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            return Self::Timeout;
        }
        // The innermost cause says what happened ("connection reset by peer"); reqwest's
        // own text only says that a request failed.
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            reason = s.to_string();
            source = s.source();
        }
        Self::Transport(reason)
    }

    /// How long to wait before trying again, or `None` when trying again cannot help.
    fn retry(&self, options: &HttpOptions, attempt: u32) -> Option<Duration> {
        let backoff = options
            .backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(options.max_backoff);
        match self {
            Self::Timeout | Self::Transport(_) => Some(backoff),
            Self::Status(s) if *s >= 500 => Some(backoff),
            Self::RateLimited(Some(secs)) => {
                let asked = Duration::from_secs(*secs);
                (asked <= options.max_retry_after).then_some(asked.max(backoff))
            }
            Self::RateLimited(None) => Some(backoff),
            _ => None,
        }
    }

    fn kind(&self, attempts: u32, options: &HttpOptions) -> FetchErrorKind {
        match self {
            Self::NotFound => FetchErrorKind::NotFound,
            Self::Status(status) => FetchErrorKind::Status {
                status: *status,
                attempts,
            },
            Self::RateLimited(retry_after) => FetchErrorKind::RateLimited {
                retry_after: *retry_after,
                attempts,
            },
            Self::Timeout => FetchErrorKind::Timeout {
                timeout: options.timeout,
                attempts,
            },
            Self::Transport(reason) => FetchErrorKind::Transport {
                reason: reason.clone(),
                attempts,
            },
            Self::TooLarge(limit) => FetchErrorKind::TooLarge { limit: *limit },
        }
    }
}

/// `Retry-After` as delta-seconds. An HTTP-date is not read: the backoff applies instead.
fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

/// An issuer chain from a response header: URL-encoded PEM, as PCS sends it.
fn issuer_chain(headers: &HeaderMap, name: &str) -> Result<Vec<u8>, FetchErrorKind> {
    let value = headers
        .get(name)
        .ok_or_else(|| wrong(&format!("the response has no {name} header")))?;
    let text = value
        .to_str()
        .map_err(|_| wrong(&format!("the {name} header is not text")))?;
    Ok(percent_encoding::percent_decode_str(text).collect())
}

/// Vendor forms Verdict keeps in their readable form: a RIM service answer becomes its
/// RIM (XML), and a CRL a PCCS sends as hex text becomes its DER.
fn normalize(key: &CollateralKey, body: &[u8]) -> Vec<u8> {
    match key {
        CollateralKey::NvidiaRim { .. } => rim_xml(body).unwrap_or_else(|| body.to_vec()),
        CollateralKey::IntelRootCaCrl
        | CollateralKey::IntelPckCrl { .. }
        | CollateralKey::AmdCrl { .. } => {
            let text = body.trim_ascii();
            if !text.is_empty()
                && text.len().is_multiple_of(2)
                && text.iter().all(u8::is_ascii_hexdigit)
            {
                hex::decode(text).unwrap_or_else(|_| body.to_vec())
            } else {
                body.to_vec()
            }
        }
        _ => body.to_vec(),
    }
}

/// The RIM in a RIM service answer: `{"id": …, "rim": base64(XML), …}`.
fn rim_xml(body: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let rim = value.get("rim")?.as_str()?;
    base64::engine::general_purpose::STANDARD
        .decode(rim.trim())
        .ok()
}

/// The fetched bytes, once they are checked to answer `key`.
fn answered(
    key: &CollateralKey,
    url: &str,
    bytes: Vec<u8>,
    now: UnixTime,
) -> Result<Fetched, FetchError> {
    check_answer(key, &bytes).map_err(|why| err(key, url, FetchErrorKind::WrongContent(why)))?;
    Ok(Fetched {
        bytes,
        fetched_at: now,
        origin: Origin::Network {
            url: url.to_owned(),
        },
    })
}

fn wrong(why: &str) -> FetchErrorKind {
    FetchErrorKind::WrongContent(why.to_owned())
}

fn err(key: &CollateralKey, url: &str, kind: FetchErrorKind) -> FetchError {
    FetchError::new(key, Some(url), kind)
}
