//! Trustee's RESTful attestation service API, so an existing Trustee client switches
//! to Verdict by changing its URL: `POST /attestation`, `POST /challenge` (and the
//! JWKS, at the same path as ours).
//!
//! Runtime data binding is Trustee's: `raw` runtime data (base64url) is hashed as is;
//! `structured` runtime data is serialized with the members of every object sorted by
//! key, compactly, then hashed; the hash (`runtime_data_hash_algorithm`: sha256, sha384
//! (the default) or sha512) is zero-padded or truncated to the evidence's field (64
//! bytes of REPORT_DATA for SNP, TDX and SGX; the 32-byte SPDM nonce for a GPU; the
//! vTPM quote's nonce for Azure, unpadded) and must equal it exactly.

use axum::body::Body;
use axum::extract::State as AxumState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use policy::token::TokenFormat;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};
use utoipa::ToSchema;
use verifier::azure::{AzureSnpOptions, AzureTdxOptions};
use verifier::nvidia::NvidiaOptions;
use verifier::snp::{ReportDataExpectation, SnpOptions};
use verifier::tdx::{SgxOptions, TdxOptions};
use verifier::{Expectations, Tee};

use crate::api::{parse_json, read_body, AppState};
use crate::evidence_input::{
    check_decoded_devices, check_device_count, decode_base64, evidence_of, tee_of,
};
use crate::pipeline::{self, Attestation, Device};
use crate::policies::DEFAULT_ID;
use crate::problem::Problem;
use crate::state::wall_secs;

/// Trustee's attestation request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrusteeAttestationRequest {
    /// One request per device.
    pub verification_requests: Vec<TrusteeVerificationRequest>,
    /// The policies to appraise with (one; `default` or absent: the built-in policy for
    /// the evidence).
    #[serde(default)]
    pub policy_ids: Vec<String>,
}

/// One device's evidence, as Trustee takes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrusteeVerificationRequest {
    /// Trustee's TEE name (`snp`, `tdx`, `sgx`, `azsnpvtpm`, `aztdxvtpm`, `nvidia`).
    pub tee: String,
    /// The attester's evidence, base64url without padding.
    pub evidence: String,
    /// The runtime data the evidence binds.
    #[serde(default)]
    pub runtime_data: Option<RuntimeData>,
    /// `sha256`, `sha384` (default) or `sha512`.
    #[serde(default)]
    pub runtime_data_hash_algorithm: Option<String>,
    /// Init data: not supported (refused rather than ignored).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub init_data: Option<Value>,
    /// Accepted for compatibility; meaningful only with `init_data`.
    #[serde(default)]
    pub init_data_hash_algorithm: Option<String>,
}

/// Runtime data: raw bytes or a JSON object.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum RuntimeData {
    /// Base64url bytes, hashed as they are.
    Raw(String),
    /// A JSON value, hashed in Trustee's canonical form.
    #[schema(value_type = Object)]
    Structured(Value),
}

/// `POST /attestation`: Trustee's request in, the token (text) out.
#[utoipa::path(post, path = "/attestation", tag = "trustee", request_body = TrusteeAttestationRequest,
    responses((status = 200, description = "The token (JWT)", content_type = "text/plain"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown_policy", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn attestation(AxumState(state): AppState, body: Body) -> Result<Response, Problem> {
    let body = read_body(&state, body).await?;
    let answer = attestation_body(&state, &body).await;
    state.metrics.verdict(match &answer {
        Ok(issued) => issued.status,
        Err(p) => &p.kind,
    });
    let issued = answer?;
    Ok(([(header::CONTENT_TYPE, "text/plain")], issued.token).into_response())
}

async fn attestation_body(
    state: &std::sync::Arc<crate::state::State>,
    body: &[u8],
) -> Result<pipeline::Issued, Problem> {
    let request: TrusteeAttestationRequest = parse_json(body)?;
    if request.verification_requests.is_empty() {
        return Err(Problem::bad_request(
            "malformed_request",
            "`verification_requests` is empty",
        ));
    }
    check_device_count(request.verification_requests.len())?;
    let mut devices = Vec::new();
    let mut bound = Vec::new();
    for (i, item) in request.verification_requests.iter().enumerate() {
        let field = format!("verification_requests[{i}]");
        if item.init_data.as_ref().is_some_and(|v| !v.is_null()) {
            return Err(Problem::bad_request(
                "init_data_unsupported",
                format!("{field}.init_data: Verdict does not check init data; send none"),
            ));
        }
        let tee = tee_of(&item.tee)?;
        let raw = decode_base64(&item.evidence, &format!("{field}.evidence"))?;
        let evidence = evidence_of(&raw, Some(tee), &format!("{field}.evidence"))?;
        let digest = item
            .runtime_data
            .as_ref()
            .map(|data| runtime_digest(data, item.runtime_data_hash_algorithm.as_deref(), &field))
            .transpose()?;
        let expected = digest.as_ref().map(|d| regularize(d, evidence.tee()));
        // What the token's eat_nonce would name: the digest as far as the field holds it
        // (its zero padding is not part of what the workload bound).
        bound.push(digest.map(|d| {
            let len = expected.as_ref().map_or(d.len(), Vec::len).min(d.len());
            d[..len].to_vec()
        }));
        devices.push(Device {
            expectations: expectations(evidence.tee(), expected.as_deref()),
            evidence,
        });
    }
    check_decoded_devices(devices.iter().map(|d| &d.evidence))?;
    let policy = match request.policy_ids.as_slice() {
        [] => None,
        [id] if id == DEFAULT_ID => None,
        [id] => Some(id.as_str()),
        _ => {
            return Err(Problem::bad_request(
                "several_policies",
                "one token is appraised under one policy: give one policy id",
            ))
        }
    };
    let tees: Vec<Tee> = devices.iter().map(|d| d.evidence.tee()).collect();
    let policy = match policy {
        None => state.policies.default_for(&tees),
        Some(id) => state.policies.get(id),
    }
    .ok_or_else(|| {
        Problem::new(
            axum::http::StatusCode::NOT_FOUND,
            "unknown_policy",
            format!("no policy {:?}", policy.unwrap_or(DEFAULT_ID)),
        )
    })?;
    // Freshness comes from the runtime data (Trustee's KBS puts its nonce there).
    let all_bound = bound.iter().all(Option::is_some);
    if policy.policy.challenge_required() && !all_bound {
        return Err(Problem::bad_request(
            "nonce_required",
            format!(
                "policy {} requires fresh evidence: give runtime_data (holding the KBS nonce) \
                 for every verification request",
                policy.policy.name()
            ),
        ));
    }
    // The token's eat_nonce says what every device's evidence bound; with different
    // values per device there is no one nonce to name.
    let nonce = match bound.split_first() {
        Some((Some(first), rest)) if rest.iter().all(|b| b.as_ref() == Some(first)) => {
            Some(first.clone())
        }
        _ => None,
    };
    pipeline::attest(
        state,
        Attestation {
            devices,
            nonce,
            policy,
            format: TokenFormat::Jwt,
        },
    )
    .await
}

/// Trustee's challenge request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TrusteeChallengeRequest {
    /// The TEE the challenge is for.
    #[serde(default)]
    pub tee: Option<String>,
    /// TEE-specific parameters (unused).
    #[serde(default)]
    pub tee_params: Option<String>,
}

/// `POST /challenge`: a nonce (base64), as text.
#[utoipa::path(post, path = "/challenge", tag = "trustee", request_body = TrusteeChallengeRequest,
    responses((status = 200, description = "The nonce, base64", content_type = "text/plain")))]
pub async fn challenge(AxumState(state): AppState, body: Body) -> Result<Response, Problem> {
    let body = read_body(&state, body).await?;
    if !body.is_empty() {
        let request: TrusteeChallengeRequest = parse_json(&body)?;
        if let Some(tee) = &request.tee {
            tee_of(tee)?;
        }
    }
    let (nonce, _) = state.challenger.issue(wall_secs());
    Ok((
        [(header::CONTENT_TYPE, "text/plain")],
        STANDARD.encode(nonce),
    )
        .into_response())
}

/// The runtime data's digest, as Trustee computes it.
fn runtime_digest(
    data: &RuntimeData,
    algorithm: Option<&str>,
    field: &str,
) -> Result<Vec<u8>, Problem> {
    let bytes = match data {
        RuntimeData::Raw(text) => decode_base64(text, &format!("{field}.runtime_data.raw"))?,
        RuntimeData::Structured(value) => canonical_json(value).into_bytes(),
    };
    Ok(match algorithm.unwrap_or("sha384") {
        "sha256" => Sha256::digest(&bytes).to_vec(),
        "sha384" => Sha384::digest(&bytes).to_vec(),
        "sha512" => Sha512::digest(&bytes).to_vec(),
        other => {
            return Err(Problem::bad_request(
                "unsupported_hash_algorithm",
                format!(
                    "{field}.runtime_data_hash_algorithm {other:?}: use sha256, sha384 or sha512"
                ),
            ))
        }
    })
}

/// Compact JSON with the members of every object sorted by key (serde_json keeps
/// insertion order here, so the sort is explicit).
pub fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// The digest fitted to the field the evidence binds it in.
fn regularize(digest: &[u8], tee: Tee) -> Vec<u8> {
    let len = match tee {
        Tee::Snp | Tee::Tdx | Tee::Sgx => 64,
        Tee::AzureSnp | Tee::AzureTdx => return digest.to_vec(),
        _ => 32,
    };
    let mut out = digest[..digest.len().min(len)].to_vec();
    out.resize(len, 0);
    out
}

/// Expectations that hold the evidence to `expected` (exactly), or none.
fn expectations(tee: Tee, expected: Option<&[u8]>) -> Expectations {
    let exact = expected
        .and_then(|e| <[u8; 64]>::try_from(e).ok())
        .map(ReportDataExpectation::Exact);
    match tee {
        Tee::Snp => {
            let mut o = SnpOptions::default();
            o.report_data = exact;
            Expectations::snp(o)
        }
        Tee::Tdx => {
            let mut o = TdxOptions::default();
            o.report_data = exact;
            Expectations::tdx(o)
        }
        Tee::Sgx => {
            let mut o = SgxOptions::default();
            o.report_data = exact;
            Expectations::sgx(o)
        }
        Tee::AzureSnp => {
            let mut o = AzureSnpOptions::default();
            o.nonce = expected.map(<[u8]>::to_vec);
            Expectations::azure_snp(o)
        }
        Tee::AzureTdx => {
            let mut o = AzureTdxOptions::default();
            o.nonce = expected.map(<[u8]>::to_vec);
            Expectations::azure_tdx(o)
        }
        _ => {
            let mut o = NvidiaOptions::default();
            o.expected_nonce = expected.and_then(|e| <[u8; 32]>::try_from(e).ok());
            Expectations::nvidia(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn structured_runtime_data_is_sorted_at_every_level_and_compact() {
        let v: Value = serde_json::from_str(
            r#"{"tee-pubkey": {"kty": "EC", "crv": "P-256", "alg": "ES256"}, "nonce": "abc", "a": [ {"z": 1, "b": 2} ]}"#,
        )
        .unwrap();
        assert_eq!(
            canonical_json(&v),
            r#"{"a":[{"b":2,"z":1}],"nonce":"abc","tee-pubkey":{"alg":"ES256","crv":"P-256","kty":"EC"}}"#
        );
        assert_eq!(canonical_json(&json!("x")), "\"x\"");
    }

    #[test]
    fn digests_fit_each_field() {
        let d384 = Sha384::digest(b"x").to_vec();
        let snp = regularize(&d384, Tee::Snp);
        assert_eq!(&snp[..48], d384.as_slice());
        assert_eq!(&snp[48..], &[0u8; 16]);
        assert_eq!(regularize(&d384, Tee::Nvidia), d384[..32]);
        assert_eq!(regularize(&d384, Tee::AzureSnp), d384);
        let d512 = Sha512::digest(b"x").to_vec();
        assert_eq!(regularize(&d512, Tee::Tdx), d512);
    }

    #[test]
    fn unknown_hash_algorithms_are_refused() {
        let data = RuntimeData::Raw("AA".into());
        assert_eq!(
            runtime_digest(&data, Some("md5"), "r").unwrap_err().kind,
            "unsupported_hash_algorithm"
        );
        assert_eq!(runtime_digest(&data, None, "r").unwrap().len(), 48);
    }
}
