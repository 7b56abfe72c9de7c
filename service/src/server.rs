//! The HTTP server: the routes, what every request goes through (a request id, a
//! deadline, size limits, a log line, metrics), and the accept loop (HTTP/1.1 and
//! HTTP/2, a header-read deadline against slow clients, optional TLS, graceful
//! shutdown that lets in-flight requests finish).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State as AxumState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tracing::Instrument as _;

use crate::config::Config;
use crate::problem::Problem;
use crate::state::State;
use crate::{admin, api, openapi, trustee};

/// How long a client has to send its request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a TLS handshake may take.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The routes.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/v1/challenge", post(api::challenge))
        .route("/v1/attest", post(api::attest))
        .route("/.well-known/jwks.json", get(api::jwks))
        .route(
            "/.well-known/openid-configuration",
            get(api::openid_configuration),
        )
        .route("/v1/policies", get(admin::list))
        .route(
            "/v1/policies/{id}",
            get(admin::get).put(admin::put).delete(admin::delete),
        )
        .route("/v1/keys/rotate", post(admin::rotate))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        .route("/openapi.json", get(openapi::serve))
        .route("/attestation", post(trustee::attestation))
        .route("/challenge", post(trustee::challenge))
        .fallback(|| async { Problem::new(StatusCode::NOT_FOUND, "not_found", "no such route") })
        .method_not_allowed_fallback(|| async {
            Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method",
            )
        })
        .layer(middleware::from_fn_with_state(Arc::clone(&state), around))
        .with_state(state)
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);

/// What every request goes through.
async fn around(AxumState(state): AxumState<Arc<State>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // A caller's id is kept if it is short and printable; else one is made.
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(
            || {
                format!(
                    "{:x}-{}",
                    std::process::id(),
                    REQUESTS.fetch_add(1, Ordering::Relaxed)
                )
            },
            str::to_owned,
        );
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let span = tracing::info_span!("request", request_id = %id, method = %request.method(), route = %route);
    let limit = state.config.max_body_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut response = if declared.is_some_and(|n| n > limit as u64) {
        too_large(limit)
    } else {
        let deadline = Duration::from_secs(state.config.request_timeout_seconds);
        let request =
            request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
        match tokio::time::timeout(deadline, next.run(request).instrument(span.clone())).await {
            Ok(response) => response,
            Err(_) => Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!(
                    "the request took longer than {} s (reading its body included)",
                    deadline.as_secs()
                ),
            )
            .into_response(),
        }
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    state.metrics.request(&route, status, elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(
            status,
            elapsed_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            "answered"
        );
    });
    response
}

fn too_large(limit: usize) -> Response {
    Problem::too_large(limit).into_response()
}

/// Serves `state` on `listener` until `shutdown` completes, then lets in-flight
/// requests finish (for at most 30 s).
///
/// # Errors
/// When the TLS configuration cannot be loaded.
pub async fn serve(
    state: Arc<State>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), String> {
    let tls = tls_acceptor(&state.config)?;
    // Policy changes made at other replicas arrive through Redis.
    let follower = state
        .redis
        .clone()
        .map(|redis| tokio::spawn(crate::policy_sync::follow(redis, Arc::clone(&state))));
    let app = router(state);
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, say: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => {
                    let connection =
                        builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                    let _ = watcher.watch(connection.into_owned()).await;
                }
                Some(acceptor) => {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let connection =
                        builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                    let _ = watcher.watch(connection.into_owned()).await;
                }
            }
        });
    }
    drop(listener);
    if let Some(follower) = follower {
        follower.abort();
    }
    tracing::info!("shutting down: finishing in-flight requests");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all requests finished"),
        () = tokio::time::sleep(DRAIN_TIMEOUT) => tracing::warn!("requests still running after {} s: stopping", DRAIN_TIMEOUT.as_secs()),
    }
    Ok(())
}

/// The TLS acceptor, when a certificate and key are configured.
fn tls_acceptor(config: &Config) -> Result<Option<TlsAcceptor>, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls;
    let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) else {
        return Ok(None);
    };
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| format!("tls_cert {}: {e}", cert.display()))?;
    let key =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("tls_key {}: {e}", key.display()))?;
    let mut server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| format!("tls: {e}"))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(TlsAcceptor::from(Arc::new(server))))
}
