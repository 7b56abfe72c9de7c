//! The HTTP/1.1 server: hyper on a current-thread tokio runtime on its own thread.

use std::io;
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};

use crate::body::MockBody;
use crate::catalog::{Catalog, Route, OCSP_PATH};
use crate::fault::{self, Fault, Injection, Match};

/// The largest request body read (OCSP requests are a few hundred bytes).
const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// One request as the mock saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Seen {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, as sent (still percent-encoded).
    pub path: String,
    /// The raw query without the `?` (empty when there is none).
    pub query: String,
    /// The length of the request body.
    pub body_len: usize,
    /// The fault it got, if one was injected for it.
    pub fault: Option<Fault>,
    /// The `Ocp-Apim-Subscription-Key` header (Intel PCS's subscription key), if sent.
    pub subscription_key: Option<String>,
}

/// What the connections share.
#[derive(Debug, Default)]
struct Shared {
    catalog: RwLock<Arc<Catalog>>,
    seen: Mutex<Vec<Seen>>,
    faults: Mutex<Vec<Injection>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not wedge the server: the data stays usable.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A running mock vendor service on `127.0.0.1`. Dropping it stops the server, closes
/// every connection and frees the port before `drop` returns.
#[derive(Debug)]
pub struct MockVendor {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockVendor {
    /// Starts serving `catalog` on `127.0.0.1` on a free port.
    ///
    /// # Panics
    /// If no port can be bound or the runtime cannot start (see [`MockVendor::try_start`]).
    pub fn start(catalog: Catalog) -> Self {
        Self::try_start(catalog).unwrap_or_else(|e| panic!("starting the mock vendor: {e}"))
    }

    /// Starts serving `catalog` on `127.0.0.1` on a free port.
    ///
    /// # Errors
    /// If no port can be bound or the runtime cannot start.
    pub fn try_start(catalog: Catalog) -> io::Result<Self> {
        Self::bind(catalog, SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Starts serving `catalog` on `addr` (port 0: a free one).
    ///
    /// # Errors
    /// If `addr` cannot be bound or the runtime cannot start.
    pub fn bind(catalog: Catalog, addr: SocketAddr) -> io::Result<Self> {
        let listener = StdListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            catalog: RwLock::new(Arc::new(catalog)),
            ..Shared::default()
        });
        let (shutdown, stop) = oneshot::channel();
        let (ready_tx, ready) = mpsc::channel();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("mockvendor-{}", addr.port()))
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let listener = {
                    let _entered = runtime.enter();
                    match TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    }
                };
                let _ = ready_tx.send(Ok(()));
                runtime.block_on(serve(listener, thread_shared, stop));
                // Dropping the runtime here cancels every connection task (and every
                // delayed answer): their sockets close before `drop` returns.
            })?;
        match ready.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(io::Error::other("the mock vendor thread ended at start")),
        }
        Ok(Self {
            addr,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, with no trailing slash: the base URL to give a fetcher in
    /// place of each vendor's (`https://kdsintf.amd.com`, …).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `base_url()` followed by `path_and_query` (which starts with `/`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base_url())
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<Seen> {
        lock(&self.shared.seen).clone()
    }

    /// How many requests were received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.seen).len()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.seen).clear();
    }

    /// The next `times` requests whose path `on` matches (a `&str` is a path prefix) get
    /// `fault`; later ones are served normally again. Injections are used oldest first:
    /// a request takes the first one that matches it and still has requests left.
    pub fn inject(&self, fault: Fault, on: impl Into<Match>, times: usize) {
        if times == 0 {
            return;
        }
        lock(&self.shared.faults).push(Injection {
            fault,
            on: on.into(),
            remaining: times,
        });
    }

    /// Drops every pending fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// How many more requests the pending faults will hit, together.
    pub fn pending_faults(&self) -> usize {
        lock(&self.shared.faults).iter().map(|i| i.remaining).sum()
    }

    /// Serves `catalog` from now on (for example collateral re-issued with a later
    /// `nextUpdate`). Requests already being answered keep the old one.
    pub fn replace_catalog(&self, catalog: Catalog) {
        *self
            .shared
            .catalog
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(catalog);
    }

    /// The catalog being served.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.shared.catalog()
    }
}

impl Drop for MockVendor {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until told to stop.
async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => {
                // An accept error (out of descriptors, an aborted handshake) drops that
                // connection only.
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(connection(stream, Arc::clone(&shared)));
                }
            }
        }
    }
}

/// Serves one connection. A [`Fault::Reset`] asks, through `abort`, for the connection to
/// be dropped with a zero linger time: the kernel then answers with a TCP RST.
async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    // A second handle on the socket (the same file description), kept outside hyper so
    // that the linger option can be set when a reset is asked for.
    let Some((stream, keep)) = split_handle(stream) else {
        return;
    };
    let abort = Arc::new(Notify::new());
    let service_abort = Arc::clone(&abort);
    let service = service_fn(move |request| {
        let shared = Arc::clone(&shared);
        let abort = Arc::clone(&service_abort);
        async move { Ok::<_, std::convert::Infallible>(answer(&shared, &abort, request).await) }
    });
    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    let reset = tokio::select! {
        _ = conn => false,
        () = abort.notified() => true,
    };
    if reset {
        let _ = socket2::SockRef::from(&keep).set_linger(Some(Duration::ZERO));
    }
    // hyper's handle is gone (dropped with `conn`); closing the last one closes the socket.
    drop(keep);
}

fn split_handle(stream: TcpStream) -> Option<(TcpStream, StdStream)> {
    let std = stream.into_std().ok()?;
    let keep = std.try_clone().ok()?;
    let stream = TcpStream::from_std(std).ok()?;
    Some((stream, keep))
}

/// Answers one request: log it, take its fault, serve.
async fn answer(shared: &Shared, abort: &Notify, request: Request<Incoming>) -> Response<MockBody> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => Some(collected.to_bytes()),
        Err(_) => None,
    };
    let fault = fault::take(&mut lock(&shared.faults), &path);
    lock(&shared.seen).push(Seen {
        method: parts.method.to_string(),
        path: path.clone(),
        query: query.clone(),
        body_len: body.as_ref().map_or(0, Bytes::len),
        fault: fault.clone(),
        subscription_key: parts
            .headers
            .get("ocp-apim-subscription-key")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
    });
    let Some(body) = body else {
        return status_only(StatusCode::PAYLOAD_TOO_LARGE);
    };

    let catalog = shared.catalog();
    let served = || {
        normal(
            &catalog,
            &parts.method,
            &parts.headers,
            &path,
            &query,
            &body,
        )
    };
    match fault {
        None => served().into_response(),
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            served().into_response()
        }
        Some(Fault::Status(code)) => {
            status_only(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        }
        Some(Fault::TooManyRequests { retry_after }) => {
            let mut response = status_only(StatusCode::TOO_MANY_REQUESTS);
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after));
            response
        }
        Some(Fault::Truncate(n)) => {
            let answer = served();
            let full = answer.body.len();
            if n >= full {
                return answer.into_response();
            }
            let prefix = answer.body.slice(..n);
            let mut response = answer.with_body(MockBody::truncated(prefix));
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(full));
            response
        }
        Some(Fault::ReplaceBody(bytes)) => served().into_ok().with_body(MockBody::full(bytes)),
        Some(Fault::Oversize(n)) => served()
            .into_ok()
            .with_body(MockBody::Garbage { remaining: n }),
        Some(Fault::Reset) => {
            abort.notify_one();
            // Never answered: the connection is dropped under this future.
            std::future::pending::<()>().await;
            status_only(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// The normal answer, before faults shape it.
struct Answer {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Answer {
    fn from_route(status: StatusCode, route: &Route) -> Self {
        Self {
            status,
            headers: route.headers().to_vec(),
            body: route.body_bytes(),
        }
    }

    fn bare(status: StatusCode) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// `200 OK` keeping the headers of a successful answer (for wrong or oversize bodies).
    fn into_ok(self) -> Self {
        let headers = if self.status.is_success() {
            self.headers
        } else {
            Vec::new()
        };
        Self {
            status: StatusCode::OK,
            headers,
            body: self.body,
        }
    }

    fn with_body(self, body: MockBody) -> Response<MockBody> {
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        for (name, value) in &self.headers {
            // Validated when the route was added.
            if let (Ok(name), Ok(value)) = (
                hyper::header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }

    fn into_response(self) -> Response<MockBody> {
        let body = MockBody::full(self.body.clone());
        self.with_body(body)
    }
}

fn status_only(status: StatusCode) -> Response<MockBody> {
    let mut response = Response::new(MockBody::empty());
    *response.status_mut() = status;
    response
}

fn normal(
    catalog: &Catalog,
    method: &Method,
    headers: &hyper::HeaderMap,
    path: &str,
    query: &str,
    body: &Bytes,
) -> Answer {
    if *method == Method::POST && path == OCSP_PATH {
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim);
        if !content_type.is_some_and(|t| t.eq_ignore_ascii_case("application/ocsp-request")) {
            return Answer::bare(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
        return Answer {
            status: StatusCode::OK,
            headers: vec![(
                CONTENT_TYPE.as_str().to_owned(),
                "application/ocsp-response".to_owned(),
            )],
            body: Bytes::copy_from_slice(catalog.answer_ocsp(body)),
        };
    }
    if *method != Method::GET && *method != Method::HEAD {
        let mut answer = Answer::bare(StatusCode::METHOD_NOT_ALLOWED);
        answer
            .headers
            .push((ALLOW.as_str().to_owned(), "GET, HEAD".to_owned()));
        return answer;
    }
    if let Some(route) = catalog.lookup(path, query) {
        return Answer::from_route(StatusCode::OK, route);
    }
    match catalog.not_found_for(path) {
        Some(route) => Answer::from_route(StatusCode::NOT_FOUND, route),
        None => Answer::bare(StatusCode::NOT_FOUND),
    }
}
