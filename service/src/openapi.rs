//! The OpenAPI document, generated from the handlers' annotations; served at
//! `/openapi.json` and committed as `service/openapi.json` (a test keeps the file
//! current).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{admin, api, policies, problem, trustee};

/// The API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Verdict attestation token service", description = "Verifies TEE evidence (AMD SEV-SNP, Intel TDX/SGX, NVIDIA GPUs, Azure vTPM), appraises it with a policy and issues EAR tokens (JWT or CWT). Errors are RFC 9457 problem documents."),
    paths(
        api::challenge, api::attest, api::jwks, api::openid_configuration,
        api::healthz, api::readyz, api::metrics,
        admin::list, admin::get, admin::put, admin::delete, admin::rotate,
        trustee::attestation, trustee::challenge,
    ),
    components(schemas(
        api::ChallengeResponse, api::AttestRequest, api::EvidenceItem, api::Format, api::AttestResponse,
        admin::PutResponse, admin::RotateResponse, policies::Summary, problem::Problem,
        trustee::TrusteeAttestationRequest, trustee::TrusteeVerificationRequest, trustee::RuntimeData,
        trustee::TrusteeChallengeRequest,
    )),
    modifiers(&AdminToken),
    tags(
        (name = "attestation", description = "Challenges and tokens"),
        (name = "keys", description = "Token verification keys"),
        (name = "policies", description = "Appraisal policies"),
        (name = "trustee", description = "Trustee's RESTful attestation service API"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as pretty JSON (what is committed).
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    // The version of the crate, not of utoipa's default.
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut text = doc.to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// `GET /openapi.json`.
pub async fn serve() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document()).into_response()
}
