//! Verdict's own API: challenges, attestation, keys, health and metrics.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use policy::token::TokenFormat;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use verifier::Expectations;

use crate::challenge::NONCE_LEN;
use crate::evidence_input::{
    check_decoded_devices, check_device_count, decode_base64, evidence_of, tee_of,
};
use crate::pipeline::{self, Attestation, Device};
use crate::policies::DEFAULT_ID;
use crate::problem::Problem;
use crate::state::{wall_secs, State};

/// Shared state as handlers take it.
pub type AppState = AxumState<Arc<State>>;

/// A challenge.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeResponse {
    /// The nonce, base64url without padding (32 bytes). CPU evidence binds it by
    /// beginning REPORT_DATA with it; a GPU by using it, or SHA-256 of REPORT_DATA, as
    /// its SPDM nonce.
    pub nonce: String,
    /// The same nonce in hex.
    pub nonce_hex: String,
    /// When it stops being accepted (RFC 3339).
    pub expires_at: String,
}

/// `POST /v1/challenge`: a nonce that needs no server state.
#[utoipa::path(post, path = "/v1/challenge", tag = "attestation",
    responses((status = 200, body = ChallengeResponse)))]
pub async fn challenge(AxumState(state): AppState) -> Json<ChallengeResponse> {
    let (nonce, expiry) = state.challenger.issue(wall_secs());
    Json(ChallengeResponse {
        nonce: URL_SAFE_NO_PAD.encode(nonce),
        nonce_hex: hex::encode(nonce),
        expires_at: verifier::time::rfc3339(verifier::time::from_secs(expiry)),
    })
}

/// One device's evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceItem {
    /// The kind (`snp`, `tdx`, `sgx`, `nvidia`, `azure-snp`, `azure-tdx`); when absent
    /// it is told from the content.
    #[serde(default)]
    pub tee: Option<String>,
    /// The evidence in any form `verdict verify` reads (raw report or quote, Trustee's
    /// and NVIDIA's JSON), base64 (either alphabet).
    pub evidence: String,
    /// A TDX event log (CCEL), base64.
    #[serde(default)]
    pub event_log: Option<String>,
}

/// Token formats.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JWS compact serialization.
    #[default]
    Jwt,
    /// COSE_Sign1 (CWT), base64url.
    Cwt,
}

/// `POST /v1/attest`'s body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestRequest {
    /// One CPU report and/or GPU evidence.
    pub evidence: Vec<EvidenceItem>,
    /// The nonce from `/v1/challenge` (base64url); required unless the policy says
    /// `challenge: optional`.
    #[serde(default)]
    pub nonce: Option<String>,
    /// The policy id (default: the built-in policy for the evidence's kinds).
    #[serde(default)]
    pub policy: Option<String>,
    /// The token format.
    #[serde(default)]
    pub format: Format,
}

/// An issued token.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttestResponse {
    /// The token: a JWT, or a CWT in base64url.
    pub token: String,
    /// Its format.
    pub format: Format,
    /// The overall `ear.status`.
    pub status: String,
    /// The appraisal policy's identifier.
    pub policy_id: String,
}

/// Reads a request body (the server bounds it): over the limit is 413, a body that
/// breaks off (or arrives too slowly) is 400, each a problem document.
pub async fn read_body(state: &State, body: Body) -> Result<Bytes, Problem> {
    let limit = state.config.max_body_bytes;
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = source {
            if s.is::<http_body_util::LengthLimitError>() {
                return Problem::too_large(limit);
            }
            source = s.source();
        }
        Problem::bad_request(
            "body_unreadable",
            format!("the body could not be read: {e}"),
        )
    })
}

/// Parses a JSON body, refusing duplicate members and unknown fields.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    verifier::json::from_slice_as(body)
        .map_err(|e| Problem::bad_request("malformed_request", format!("the body: {e}")))
}

/// `POST /v1/attest`: evidence, nonce, policy and format in; a token out.
#[utoipa::path(post, path = "/v1/attest", tag = "attestation", request_body = AttestRequest,
    responses((status = 200, body = AttestResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown_policy", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn attest(
    AxumState(state): AppState,
    body: Body,
) -> Result<Json<AttestResponse>, Problem> {
    let body = read_body(&state, body).await?;
    let answer = attest_body(&state, &body).await;
    state.metrics.verdict(match &answer {
        Ok(a) => &a.status,
        Err(p) => &p.kind,
    });
    answer.map(Json)
}

async fn attest_body(state: &Arc<State>, body: &[u8]) -> Result<AttestResponse, Problem> {
    let request: AttestRequest = parse_json(body)?;
    if request.evidence.is_empty() {
        return Err(Problem::bad_request(
            "malformed_request",
            "`evidence` is empty",
        ));
    }
    check_device_count(request.evidence.len())?;
    let mut devices = Vec::with_capacity(request.evidence.len());
    for (i, item) in request.evidence.iter().enumerate() {
        let field = format!("evidence[{i}]");
        let tee = item.tee.as_deref().map(tee_of).transpose()?;
        let raw = decode_base64(&item.evidence, &field)?;
        let mut evidence = evidence_of(&raw, tee, &field)?;
        if let Some(log) = &item.event_log {
            let log = decode_base64(log, &format!("{field}.event_log"))?;
            evidence = evidence
                .with_event_log(log)
                .map_err(|e| Problem::from_verifier(&e))?;
        }
        // No caller options: freshness is the policy's binding check.
        let expectations = Expectations::defaults_for(evidence.tee());
        devices.push(Device {
            evidence,
            expectations,
        });
    }
    check_decoded_devices(devices.iter().map(|d| &d.evidence))?;
    let tees: Vec<_> = devices.iter().map(|d| d.evidence.tee()).collect();
    let policy = match request.policy.as_deref() {
        None | Some(DEFAULT_ID) => state.policies.default_for(&tees),
        Some(id) => state.policies.get(id),
    }
    .ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "unknown_policy",
            format!(
                "no policy {:?}; GET /v1/policies lists them",
                request.policy.as_deref().unwrap_or(DEFAULT_ID)
            ),
        )
    })?;
    let nonce = match &request.nonce {
        Some(text) => Some(redeem(state, text).await?),
        None if policy.policy.challenge_required() => {
            return Err(Problem::bad_request(
                "nonce_required",
                format!(
                    "policy {} requires a challenge: POST /v1/challenge and bind its nonce",
                    policy.policy.name()
                ),
            ))
        }
        None => None,
    };
    let issued = pipeline::attest(
        state,
        Attestation {
            devices,
            nonce,
            policy,
            format: match request.format {
                Format::Jwt => TokenFormat::Jwt,
                Format::Cwt => TokenFormat::Cwt,
            },
        },
    )
    .await?;
    Ok(AttestResponse {
        token: issued.token,
        format: request.format,
        status: issued.status.to_owned(),
        policy_id: issued.policy_id,
    })
}

/// Checks a nonce's MAC and expiry and records its use.
async fn redeem(state: &State, text: &str) -> Result<Vec<u8>, Problem> {
    let nonce = decode_base64(text, "nonce")?;
    let now = wall_secs();
    let expiry = state
        .challenger
        .check(&nonce, now)
        .map_err(|e| Problem::rejected(e.kind(), e.to_string()))?;
    let fixed: [u8; NONCE_LEN] = nonce
        .as_slice()
        .try_into()
        .map_err(|_| Problem::internal("checked nonce of the wrong length"))?;
    state
        .replay
        .first_use(&fixed, expiry, now)
        .await
        .map_err(|e| match e {
            crate::replay::ReplayError::Replayed => Problem::rejected(e.kind(), e.to_string()),
            crate::replay::ReplayError::Unavailable(_) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, e.kind(), e.to_string())
            }
        })?;
    Ok(nonce)
}

/// `GET /.well-known/jwks.json`: the keys tokens are signed with (current and
/// retired-but-live).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "keys",
    responses((status = 200, description = "JWK Set (RFC 7517)", content_type = "application/json")))]
pub async fn jwks(AxumState(state): AppState) -> Response {
    let set = state.keys.jwks(wall_secs());
    (
        [(header::CACHE_CONTROL, "max-age=300")],
        Json(serde_json::to_value(&set).unwrap_or_default()),
    )
        .into_response()
}

/// `GET /.well-known/openid-configuration`: where the keys are, for clients that
/// discover them the OpenID way.
#[utoipa::path(get, path = "/.well-known/openid-configuration", tag = "keys",
    responses((status = 200, description = "Discovery document", content_type = "application/json")))]
pub async fn openid_configuration(AxumState(state): AppState) -> Json<serde_json::Value> {
    let issuer = state.issuer.trim_end_matches('/');
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "id_token_signing_alg_values_supported": ["ES384", "ES256", "EdDSA"],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "claims_supported": ["iss", "iat", "exp", "jti", "eat_profile", "eat_nonce", "ear.status", "submods"],
    }))
}

/// `GET /healthz`: the process serves.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive")))]
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: what requests depend on answers (Redis, when configured).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "ready"), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn readyz(AxumState(state): AppState) -> Result<&'static str, Problem> {
    state.replay.ready().await.map_err(|e| {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("nonces cannot be checked, so attestations with one are refused: {e}"),
        )
    })?;
    Ok("ready\n")
}

/// `GET /metrics`: Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(AxumState(state): AppState) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}
