//! The admin routes: policies (`GET` is open; `PUT`/`DELETE` need the admin token) and
//! signing-key rotation. Without a configured admin token every admin route answers
//! 403: a service nobody configured is not administrable by anybody.

use axum::body::Body;
use axum::extract::{Path, State as AxumState};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::api::{read_body, AppState};
use crate::policies::{PolicyStore, PutError, Summary};
use crate::problem::Problem;
use crate::state::{wall_secs, State};

/// Checks the `Authorization: Bearer` header against the admin token.
fn authorize(state: &State, headers: &HeaderMap) -> Result<(), Problem> {
    let Some(expected) = &state.config.admin_token else {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "admin_disabled",
            "no admin token is configured: the admin routes are disabled",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "admin_token_missing",
                "give the admin token as `Authorization: Bearer <token>`",
            )
        })?;
    // Compared as digests: equal-length, and no early exit on the secret's bytes.
    let same = Sha256::digest(given.as_bytes())
        .iter()
        .zip(Sha256::digest(expected.as_bytes()).iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0;
    if same {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::FORBIDDEN,
            "admin_token_wrong",
            "the admin token is not the configured one",
        ))
    }
}

/// `GET /v1/policies`: every policy id a request can name.
#[utoipa::path(get, path = "/v1/policies", tag = "policies", responses((status = 200, body = [Summary])))]
pub async fn list(AxumState(state): AppState) -> Json<Vec<Summary>> {
    Json(state.policies.list())
}

/// `GET /v1/policies/{id}`: the policy's YAML.
#[utoipa::path(get, path = "/v1/policies/{id}", tag = "policies",
    params(("id" = String, Path, description = "policy id")),
    responses((status = 200, description = "The policy (YAML)", content_type = "application/yaml"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(AxumState(state): AppState, Path(id): Path<String>) -> Result<Response, Problem> {
    let entry = state.policies.get(&id).ok_or_else(|| unknown(&id))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/yaml".to_owned()),
            (header::ETAG, format!("\"{}\"", entry.policy.digest())),
            (
                header::HeaderName::from_static("x-policy-version"),
                entry.version.to_string(),
            ),
        ],
        entry.source.to_string(),
    )
        .into_response())
}

/// The outcome of a PUT.
#[derive(Debug, Serialize, ToSchema)]
pub struct PutResponse {
    /// The id.
    pub id: String,
    /// The new version number.
    pub version: u32,
    /// The identifier tokens will carry.
    pub policy_id: String,
    /// Embedded tests run and passed.
    pub tests_passed: usize,
}

/// `PUT /v1/policies/{id}`: a new version, accepted if it compiles and its tests pass.
#[utoipa::path(put, path = "/v1/policies/{id}", tag = "policies",
    params(("id" = String, Path, description = "policy id")),
    request_body(content = String, content_type = "application/yaml"),
    responses((status = 200, body = PutResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("admin" = [])))]
pub async fn put(
    AxumState(state): AppState,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<PutResponse>, Problem> {
    authorize(&state, &headers)?;
    let body = read_body(&state, body).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| Problem::bad_request("malformed_request", "the policy is not UTF-8 text"))?;
    let refused = |e: PutError| {
        let status = match e {
            PutError::BadId(_) => StatusCode::BAD_REQUEST,
            PutError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Problem::new(status, e.kind(), e.to_string())
    };
    let state2 = std::sync::Arc::clone(&state);
    let (id2, text2) = (id.clone(), text.to_owned());
    // Compiling and running the tests is CPU work: off the async threads.
    let entry = match &state.redis {
        None => tokio::task::spawn_blocking(move || state2.policies.put(&id2, &text2))
            .await
            .map_err(|e| Problem::internal(e.to_string()))?
            .map_err(refused)?,
        Some(redis) => {
            let entry = tokio::task::spawn_blocking(move || PolicyStore::check(&id2, &text2))
                .await
                .map_err(|e| Problem::internal(e.to_string()))?
                .map_err(refused)?;
            // Published first, so the version number is the fleet's.
            let held = state.policies.version_of(&id);
            let version =
                crate::policy_sync::publish(redis, &state.policy_key, &id, Some(text), held)
                    .await
                    .map_err(redis_down)?;
            install(&state, &id, version, Some(entry.clone()))?;
            crate::policies::Entry { version, ..entry }
        }
    };
    tracing::info!(id, version = entry.version, policy = %entry.policy.id(), "policy stored");
    Ok(Json(PutResponse {
        id,
        version: entry.version,
        policy_id: entry.policy.id(),
        tests_passed: entry.tests_passed,
    }))
}

/// `DELETE /v1/policies/{id}`: removes the admin API's policy (a built-in one it
/// overrode comes back).
#[utoipa::path(delete, path = "/v1/policies/{id}", tag = "policies",
    params(("id" = String, Path, description = "policy id")),
    responses((status = 204, description = "deleted"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("admin" = [])))]
pub async fn delete(
    AxumState(state): AppState,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, Problem> {
    authorize(&state, &headers)?;
    let deleted = match &state.redis {
        None => state.policies.delete(&id).map_err(Problem::internal)?,
        Some(_) if !state.policies.has_managed(&id) => None,
        Some(redis) => {
            let held = state.policies.version_of(&id);
            let version = crate::policy_sync::publish(redis, &state.policy_key, &id, None, held)
                .await
                .map_err(redis_down)?;
            install(&state, &id, version, None)?;
            Some(version)
        }
    };
    match deleted {
        Some(version) => {
            tracing::info!(id, version, "policy deleted");
            Ok(StatusCode::NO_CONTENT)
        }
        None => Err(unknown(&id)),
    }
}

/// The outcome of a rotation.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotateResponse {
    /// The new key's id.
    pub kid: String,
}

/// `POST /v1/keys/rotate`: a new signing key; the old one stays in the JWKS until its
/// tokens have expired.
#[utoipa::path(post, path = "/v1/keys/rotate", tag = "keys",
    responses((status = 200, body = RotateResponse),
        (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("admin" = [])))]
pub async fn rotate(
    AxumState(state): AppState,
    headers: HeaderMap,
) -> Result<Json<RotateResponse>, Problem> {
    authorize(&state, &headers)?;
    let max_ttl = u64::try_from(policy::MAX_TTL_SECONDS).unwrap_or(86_400);
    let kid = state
        .keys
        .rotate(wall_secs(), max_ttl)
        .map_err(|e| Problem::new(StatusCode::CONFLICT, "rotation_unavailable", e.to_string()))?;
    tracing::info!(kid, "signing key rotated");
    Ok(Json(RotateResponse { kid }))
}

/// Installs a version this replica published; one not newer than what it holds (a
/// Redis counter gone wrong) is an error, never a change reported but not made.
fn install(
    state: &State,
    id: &str,
    version: u32,
    entry: Option<crate::policies::Entry>,
) -> Result<(), Problem> {
    match state.policies.install(id, version, entry) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Problem::new(
            StatusCode::CONFLICT,
            "policy_version_stale",
            format!(
                "Redis gave version {version} for policy {id}, which is not newer than this \
                 replica's; the change was not made"
            ),
        )),
        Err(e) => Err(Problem::internal(e)),
    }
}

fn redis_down(e: crate::redis::RedisError) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "policy_store_unavailable",
        format!("the change cannot reach the other replicas (redis: {e}); it was not made"),
    )
}

fn unknown(id: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "unknown_policy",
        format!("no policy {id:?}; GET /v1/policies lists them"),
    )
}
