//! The EAR attestation result (draft-ietf-rats-ear-04): the claims set a token signs, and
//! its two encodings — JSON with the JWT names, CBOR with the integer keys.
//!
//! Our own model rather than the `ear` crate's: that crate's serializer checks `exp`
//! against the system clock (so a token could not be made at a pinned time), and its
//! CMW dependency builds an HTTP client and OpenSSL at build time.

use std::collections::BTreeMap;

use base64::Engine as _;
use ciborium::Value as Cbor;
use serde_json::{Map, Value as Json};
use verifier::time::{secs, UnixTime};

use crate::trust::{tier_name, TrustClaim, TrustTier, Vector};

/// The EAR profile our results follow.
pub const EAR_PROFILE: &str = "tag:ietf.org,2026:rats/ear#04";

/// `ear_verifier_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierId {
    /// Who made the verifier (a URI).
    pub developer: String,
    /// Which build.
    pub build: String,
}

/// One submodule's appraisal (`submods.<label>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Appraisal {
    /// `eat_profile` of the submodule, when it differs from the top level's.
    pub profile: Option<String>,
    /// `ear_status`.
    pub status: TrustTier,
    /// `ear_trustworthiness_vector`.
    pub trust: Vector,
    /// `ear_appraisal_policy_ids`, in the order applied.
    pub policy_ids: Vec<String>,
    /// `eat_nonce` of the evidence.
    pub nonce: Option<Vec<u8>>,
    /// `ear_attester_claims`.
    pub attester_claims: Map<String, Json>,
    /// `ear_verifier_claims`.
    pub verifier_claims: Map<String, Json>,
}

impl Appraisal {
    /// An appraisal with `status` and nothing else.
    pub fn new(status: TrustTier) -> Self {
        Self {
            profile: None,
            status,
            trust: Vector::default(),
            policy_ids: Vec::new(),
            nonce: None,
            attester_claims: Map::new(),
            verifier_claims: Map::new(),
        }
    }
}

/// An EAR claims set with the JWT/CWT claims our tokens carry.
#[derive(Debug, Clone, PartialEq)]
pub struct Ear {
    /// `eat_profile`.
    pub profile: String,
    /// `iat` (integer seconds on the wire).
    pub iat: UnixTime,
    /// `exp`: tokens must expire.
    pub exp: Option<UnixTime>,
    /// `nbf`.
    pub nbf: Option<UnixTime>,
    /// `iss`.
    pub issuer: Option<String>,
    /// `aud`.
    pub audience: Option<String>,
    /// `jti` (`cti` in a CWT).
    pub jti: Option<Vec<u8>>,
    /// `cnf` (RFC 7800 / RFC 8747), as JSON.
    pub cnf: Option<Json>,
    /// `ear_verifier_id`.
    pub verifier: VerifierId,
    /// `ear_status`: no better than the worst submodule.
    pub status: Option<TrustTier>,
    /// `eat_nonce`: the challenge (8 to 64 bytes).
    pub nonce: Option<Vec<u8>>,
    /// `ear_device_topology`.
    pub topology: Option<BTreeMap<String, Vec<String>>>,
    /// `submods`.
    pub submods: BTreeMap<String, Appraisal>,
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn status_code(tier: TrustTier) -> i64 {
    match tier {
        TrustTier::None => 0,
        TrustTier::Affirming => 2,
        TrustTier::Warning => 32,
        TrustTier::Contraindicated => 96,
    }
}

impl Ear {
    /// A result issued at `iat` by `verifier`, with the EAR -04 profile and nothing else.
    pub fn new(iat: UnixTime, verifier: VerifierId) -> Self {
        Self {
            profile: EAR_PROFILE.to_owned(),
            iat,
            exp: None,
            nbf: None,
            issuer: None,
            audience: None,
            jti: None,
            cnf: None,
            verifier,
            status: None,
            nonce: None,
            topology: None,
            submods: BTreeMap::new(),
        }
    }

    /// Checks what EAR and our tokens require: a profile, at least one submodule, `iat`,
    /// an `exp` after it, nonces of 8 to 64 bytes, and an `ear_status` no better than the
    /// worst submodule's.
    ///
    /// # Errors
    /// A sentence naming the first problem.
    pub fn validate(&self) -> Result<(), String> {
        if self.profile.is_empty() {
            return Err("eat_profile is empty".into());
        }
        if self.submods.is_empty() {
            return Err("an EAR needs at least one submodule".into());
        }
        if secs(self.iat) == 0 {
            return Err("iat is not set".into());
        }
        match self.exp {
            None => return Err("exp is not set, and a token must expire".into()),
            Some(exp) if exp <= self.iat => {
                return Err(format!(
                    "exp {} is not after iat {}",
                    secs(exp),
                    secs(self.iat)
                ))
            }
            Some(_) => {}
        }
        let nonces = std::iter::once(&self.nonce).chain(self.submods.values().map(|s| &s.nonce));
        for n in nonces.flatten() {
            if !(8..=64).contains(&n.len()) {
                return Err(format!("eat_nonce is {} bytes; EAT takes 8 to 64", n.len()));
            }
        }
        let worst = crate::trust::overall_status(self.submods.values().map(|s| s.status));
        if let Some(status) = self.status {
            // No better than the least trustworthy submodule, `none` below `affirming`.
            if crate::trust::overall_status([status, worst]) != status {
                return Err(format!(
                    "ear_status {} is better than the worst submodule's ({})",
                    tier_name(status),
                    tier_name(worst)
                ));
            }
        }
        Ok(())
    }

    /// The JSON claims set (the JWT payload): draft-ietf-rats-ear-04 names, tiers as
    /// names, byte strings base64url without padding.
    pub fn to_json(&self) -> Json {
        let mut m = Map::new();
        m.insert("eat_profile".into(), Json::from(self.profile.clone()));
        m.insert("iat".into(), Json::from(secs(self.iat)));
        if let Some(exp) = self.exp {
            m.insert("exp".into(), Json::from(secs(exp)));
        }
        if let Some(nbf) = self.nbf {
            m.insert("nbf".into(), Json::from(secs(nbf)));
        }
        if let Some(iss) = &self.issuer {
            m.insert("iss".into(), Json::from(iss.clone()));
        }
        if let Some(aud) = &self.audience {
            m.insert("aud".into(), Json::from(aud.clone()));
        }
        if let Some(jti) = &self.jti {
            m.insert("jti".into(), Json::from(B64.encode(jti)));
        }
        if let Some(cnf) = &self.cnf {
            m.insert("cnf".into(), cnf.clone());
        }
        let mut vid = Map::new();
        vid.insert(
            "developer".into(),
            Json::from(self.verifier.developer.clone()),
        );
        vid.insert("build".into(), Json::from(self.verifier.build.clone()));
        m.insert("ear_verifier_id".into(), Json::Object(vid));
        if let Some(status) = self.status {
            m.insert("ear_status".into(), Json::from(tier_name(status)));
        }
        if let Some(nonce) = &self.nonce {
            m.insert("eat_nonce".into(), Json::from(B64.encode(nonce)));
        }
        if let Some(topology) = &self.topology {
            let t: Map<String, Json> = topology
                .iter()
                .map(|(k, v)| (k.clone(), Json::from(v.clone())))
                .collect();
            m.insert("ear_device_topology".into(), Json::Object(t));
        }
        let submods: Map<String, Json> = self
            .submods
            .iter()
            .map(|(label, a)| (label.clone(), appraisal_json(a)))
            .collect();
        m.insert("submods".into(), Json::Object(submods));
        Json::Object(m)
    }

    /// The CBOR claims set (the CWT payload): integer keys (RFC 8392, RFC 9711 and the
    /// EAR draft's 1000–1007), tiers as integers, byte strings as bstr.
    pub fn to_cbor(&self) -> Cbor {
        let mut m: Vec<(Cbor, Cbor)> = Vec::new();
        let mut put = |k: i64, v: Cbor| m.push((Cbor::from(k), v));
        put(265, Cbor::from(self.profile.clone()));
        put(6, Cbor::from(secs(self.iat)));
        if let Some(exp) = self.exp {
            put(4, Cbor::from(secs(exp)));
        }
        if let Some(nbf) = self.nbf {
            put(5, Cbor::from(secs(nbf)));
        }
        if let Some(iss) = &self.issuer {
            put(1, Cbor::from(iss.clone()));
        }
        if let Some(aud) = &self.audience {
            put(3, Cbor::from(aud.clone()));
        }
        if let Some(jti) = &self.jti {
            put(7, Cbor::Bytes(jti.clone()));
        }
        if let Some(cnf) = &self.cnf {
            put(8, json_to_cbor(cnf));
        }
        put(
            1004,
            Cbor::Map(vec![
                (Cbor::from(0), Cbor::from(self.verifier.developer.clone())),
                (Cbor::from(1), Cbor::from(self.verifier.build.clone())),
            ]),
        );
        if let Some(status) = self.status {
            put(1000, Cbor::from(status_code(status)));
        }
        if let Some(nonce) = &self.nonce {
            put(10, Cbor::Bytes(nonce.clone()));
        }
        if let Some(topology) = &self.topology {
            let t = topology
                .iter()
                .map(|(k, v)| {
                    let list = v.iter().map(|s| Cbor::from(s.clone())).collect();
                    (Cbor::from(k.clone()), Cbor::Array(list))
                })
                .collect();
            put(1007, Cbor::Map(t));
        }
        let submods = self
            .submods
            .iter()
            .map(|(label, a)| (Cbor::from(label.clone()), appraisal_cbor(a)))
            .collect();
        put(266, Cbor::Map(submods));
        Cbor::Map(m)
    }
}

fn appraisal_json(a: &Appraisal) -> Json {
    let mut m = Map::new();
    if let Some(p) = &a.profile {
        m.insert("eat_profile".into(), Json::from(p.clone()));
    }
    m.insert("ear_status".into(), Json::from(tier_name(a.status)));
    let tv: Map<String, Json> = a
        .trust
        .iter()
        .map(|(c, v)| (c.name().to_owned(), Json::from(v)))
        .collect();
    if !tv.is_empty() {
        m.insert("ear_trustworthiness_vector".into(), Json::Object(tv));
    }
    if !a.policy_ids.is_empty() {
        m.insert(
            "ear_appraisal_policy_ids".into(),
            Json::from(a.policy_ids.clone()),
        );
    }
    if let Some(nonce) = &a.nonce {
        m.insert("eat_nonce".into(), Json::from(B64.encode(nonce)));
    }
    if !a.attester_claims.is_empty() {
        m.insert(
            "ear_attester_claims".into(),
            Json::Object(a.attester_claims.clone()),
        );
    }
    if !a.verifier_claims.is_empty() {
        m.insert(
            "ear_verifier_claims".into(),
            Json::Object(a.verifier_claims.clone()),
        );
    }
    Json::Object(m)
}

fn appraisal_cbor(a: &Appraisal) -> Cbor {
    let mut m: Vec<(Cbor, Cbor)> = Vec::new();
    let mut put = |k: i64, v: Cbor| m.push((Cbor::from(k), v));
    if let Some(p) = &a.profile {
        put(265, Cbor::from(p.clone()));
    }
    put(1000, Cbor::from(status_code(a.status)));
    let tv: Vec<(Cbor, Cbor)> = TrustClaim::ALL
        .into_iter()
        .filter_map(|c| {
            a.trust
                .get(c)
                .map(|v| (Cbor::from(c as i64), Cbor::from(i64::from(v))))
        })
        .collect();
    if !tv.is_empty() {
        put(1001, Cbor::Map(tv));
    }
    if !a.policy_ids.is_empty() {
        put(
            1003,
            Cbor::Array(a.policy_ids.iter().map(|p| Cbor::from(p.clone())).collect()),
        );
    }
    if let Some(nonce) = &a.nonce {
        put(10, Cbor::Bytes(nonce.clone()));
    }
    if !a.attester_claims.is_empty() {
        put(1005, json_to_cbor(&Json::Object(a.attester_claims.clone())));
    }
    if !a.verifier_claims.is_empty() {
        put(1006, json_to_cbor(&Json::Object(a.verifier_claims.clone())));
    }
    Cbor::Map(m)
}

/// JSON as CBOR: text keys, integers where JSON has integers.
pub(crate) fn json_to_cbor(value: &Json) -> Cbor {
    match value {
        Json::Null => Cbor::Null,
        Json::Bool(b) => Cbor::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Cbor::from(i),
            (None, Some(u), _) => Cbor::from(u),
            (None, None, Some(f)) => Cbor::Float(f),
            _ => Cbor::Null,
        },
        Json::String(s) => Cbor::Text(s.clone()),
        Json::Array(items) => Cbor::Array(items.iter().map(json_to_cbor).collect()),
        Json::Object(map) => Cbor::Map(
            map.iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), json_to_cbor(v)))
                .collect(),
        ),
    }
}
