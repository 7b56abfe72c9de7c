//! RFC 9457 problem documents: every refusal the service makes is one, with the
//! library's stable error kind as `kind` so a client branches on it, never on text.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem document (`application/problem+json`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:verdict:problem:<kind>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What failed and why, for people.
    pub detail: String,
    /// The stable error kind (the library's `Error::kind()` ids, or the service's own).
    pub kind: String,
}

impl Problem {
    /// A problem of `kind` answered with `status`.
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        Self {
            type_uri: format!("urn:verdict:problem:{kind}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            kind: kind.to_owned(),
        }
    }

    /// 400: the request is not what the API takes.
    pub fn bad_request(kind: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, kind, detail)
    }

    /// 422: the request was understood and its evidence is refused.
    pub fn rejected(kind: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, kind, detail)
    }

    /// 413: the body is over `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is over the limit of {limit} bytes"),
        )
    }

    /// 500: our fault, not the caller's.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }

    /// The problem for a verification error: malformed evidence is 400, evidence
    /// refused is 422, collateral that could not be had is 503 (a retry may succeed).
    pub fn from_verifier(e: &verifier::Error) -> Self {
        let status = match e.class() {
            // The same GPU twice in one document: a request that names a device twice,
            // refused like the same GPU given as two pieces of evidence.
            _ if matches!(e, verifier::Error::DuplicateDevice { .. }) => StatusCode::BAD_REQUEST,
            verifier::error::ErrorClass::Malformed => StatusCode::BAD_REQUEST,
            verifier::error::ErrorClass::Rejected => StatusCode::UNPROCESSABLE_ENTITY,
            verifier::error::ErrorClass::MissingCollateral => StatusCode::SERVICE_UNAVAILABLE,
        };
        Self::new(status, e.kind(), e.to_string())
    }

    /// The status as a [`StatusCode`].
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
