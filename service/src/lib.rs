//! `verdict serve`: Verdict as a token issuance service.
//!
//! Confidential workloads ask it for a challenge and send evidence answering it; it
//! verifies the evidence against vendor collateral, appraises it with a policy and
//! answers with a signed EAR token; relying parties check tokens with its JWKS. It is
//! stateless apart from Redis (nonces used, collateral shared between replicas) and its
//! on-disk collateral cache, so it scales out as replicas. Trustee's RESTful API is
//! served beside Verdict's own.
//!
//! The attestation itself is the library's pipeline ([`pipeline`]); this crate does
//! the I/O around it: HTTP ([`server`]), configuration ([`config`]), keys
//! ([`keys`]), policies ([`policies`]), collateral fetching and sharing
//! ([`collateral_set`], [`redis_source`]), challenges ([`challenge`], [`replay`]).

pub mod admin;
pub mod api;
pub mod challenge;
pub mod collateral_set;
pub mod config;
pub mod evidence_input;
mod files;
pub mod keys;
pub mod metrics;
pub mod openapi;
pub mod pipeline;
pub mod policies;
pub mod policy_sync;
pub mod problem;
pub mod redis;
pub mod redis_source;
pub mod replay;
pub mod server;
pub mod state;
pub mod trustee;

pub use config::Config;
pub use state::State;

/// Starts logging (text or JSON lines; `RUST_LOG` filters, default `info`).
pub fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Already set (a test that starts two services): keep the first.
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// Runs the service until SIGINT or SIGTERM.
///
/// # Errors
/// What stopped it from starting, for the operator.
pub async fn run(config: Config) -> Result<(), String> {
    init_logging(config.log_json);
    let listen = config.listen;
    let state = State::build(config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!(
        listen = %listener.local_addr().map_or(listen, |a| a),
        issuer = %state.issuer,
        data_dir = %state.config.data_dir.display(),
        "verdict serve: ready"
    );
    server::serve(state, listener, shutdown_signal()).await
}

/// SIGINT (Ctrl-C) or SIGTERM (what Kubernetes sends).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
