//! The HCL report's runtime data: a JSON document the paravisor writes, bound to the
//! hardware report by `report_data[0..32] = SHA-256(runtime data)`.
//!
//! ```text
//! {"keys": [{"kid": "HCLAkPub", "kty": "RSA", "e": "AQAB", "n": "…", "key_ops": […]},
//!           {"kid": "HCLEkPub", …}],
//!  "vm-configuration": {"console-enabled": true, "secure-boot": true, "tpm-enabled": true,
//!                       "vmUniqueId": "…", …},
//!  "user-data": "<64 bytes, hex>"}
//! ```
//!
//! The attestation key is chosen by `kid`, never by `key_ops` (files from 2023 label it
//! `encrypt`). Members Verdict does not read are ignored, as Azure adds some over time.

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::crypto::{CryptoProvider, HashAlg};
use crate::der::write_tlv;
use crate::error::{ParseError, ParseErrorKind};

/// The `kid` of the vTPM attestation key.
pub const AK_KID: &str = "HCLAkPub";
/// The `kid` of the vTPM endorsement key.
pub const EK_KID: &str = "HCLEkPub";
/// RSA key sizes accepted for the AK (a vTPM's AK is RSA-2048).
const RSA_BITS: core::ops::RangeInclusive<usize> = 2048..=4096;

/// An RSA public key from a JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaJwk {
    /// The modulus, big-endian, without leading zeros.
    pub n: Vec<u8>,
    /// The public exponent, big-endian.
    pub e: Vec<u8>,
    /// The RFC 7638 thumbprint: SHA-256 of `{"e":…,"kty":"RSA","n":…}`.
    pub thumbprint: [u8; 32],
}

impl RsaJwk {
    /// The key as a PKCS#1 `RSAPublicKey` (what the crypto provider takes).
    pub fn to_pkcs1_der(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(self.n.len().saturating_add(16));
        write_tlv(&mut body, 0x02, &der_uint(&self.n));
        write_tlv(&mut body, 0x02, &der_uint(&self.e));
        let mut out = Vec::with_capacity(body.len().saturating_add(4));
        write_tlv(&mut out, 0x30, &body);
        out
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        bit_len(&self.n)
    }
}

/// The Azure settings the paravisor reports (`vm-configuration`), each as given; `None`
/// when absent (not every generation of the paravisor writes every member). Also the
/// `azure.vm_configuration.*` claims, where an absent member is `null`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct VmConfiguration {
    /// `console-enabled`: the serial console is enabled.
    pub console_enabled: Option<bool>,
    /// `secure-boot`: UEFI Secure Boot is enabled.
    pub secure_boot: Option<bool>,
    /// `tpm-enabled`: the vTPM is enabled.
    pub tpm_enabled: Option<bool>,
    /// `tpm-persisted`: the vTPM state persists across boots.
    pub tpm_persisted: Option<bool>,
    /// `vmUniqueId`: the VM's id in Azure.
    pub vm_unique_id: Option<String>,
    /// `root-cert-thumbprint`: thumbprint of the root of the vTPM's AK certificate.
    pub root_cert_thumbprint: Option<String>,
    /// `current-time`: Unix seconds when the report was made (older paravisors).
    pub current_time: Option<i64>,
}

/// The parsed runtime data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeData {
    /// The vTPM attestation key (`kid` `HCLAkPub`).
    pub ak: RsaJwk,
    /// The vTPM endorsement key (`kid` `HCLEkPub`), when present.
    pub ek: Option<RsaJwk>,
    /// `vm-configuration`.
    pub vm_configuration: VmConfiguration,
    /// `user-data`, decoded from hex, when present (64 bytes; on evidence version 2 it
    /// begins with the nonce).
    pub user_data: Option<Vec<u8>>,
}

const WHAT: &str = "runtime data";

fn json_error(what: &'static str, message: impl Into<String>) -> ParseError {
    ParseError::new(what, 0, ParseErrorKind::Json(message.into()))
}

impl RuntimeData {
    /// Parses the runtime data JSON (a member named twice is refused).
    ///
    /// # Errors
    /// [`ParseError`] with [`ParseErrorKind::Json`]: not JSON or not an object, `keys`
    /// absent or not a list, no key or two keys with `kid` `HCLAkPub`, a key that is not
    /// an RSA key of 2048 to 4096 bits with base64url `n` and `e`, a `vm-configuration`
    /// member of the wrong type, a `user-data` that is not hex.
    pub fn parse(bytes: &[u8], provider: &dyn CryptoProvider) -> Result<Self, ParseError> {
        let value = crate::json::from_slice(bytes).map_err(|e| json_error(WHAT, e.to_string()))?;
        let Value::Object(root) = value else {
            return Err(json_error(WHAT, "expected an object"));
        };
        let keys = match root.get("keys") {
            Some(Value::Array(keys)) => keys,
            Some(other) => {
                return Err(json_error(
                    WHAT,
                    format!(
                        "keys: expected a list, found {}",
                        crate::json::kind_name(other)
                    ),
                ))
            }
            None => return Err(json_error(WHAT, "keys: absent, so there is no HCLAkPub")),
        };
        let ak = find_key(keys, AK_KID, provider)?
            .ok_or_else(|| json_error(WHAT, "keys: no key with kid \"HCLAkPub\""))?;
        let ek = find_key(keys, EK_KID, provider)?;
        let vm_configuration = match root.get("vm-configuration") {
            None | Some(Value::Null) => VmConfiguration::default(),
            Some(Value::Object(m)) => vm_configuration(m)?,
            Some(other) => {
                return Err(json_error(
                    WHAT,
                    format!(
                        "vm-configuration: expected an object, found {}",
                        crate::json::kind_name(other)
                    ),
                ))
            }
        };
        let user_data = match root.get("user-data") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(
                hex::decode(s)
                    .map_err(|_| json_error(WHAT, "user-data: expected hex, found other text"))?,
            ),
            Some(other) => {
                return Err(json_error(
                    WHAT,
                    format!(
                        "user-data: expected a hex string, found {}",
                        crate::json::kind_name(other)
                    ),
                ))
            }
        };
        Ok(Self {
            ak,
            ek,
            vm_configuration,
            user_data,
        })
    }
}

/// The one key with `kid`, if any; two are ambiguous and refused.
fn find_key(
    keys: &[Value],
    kid: &str,
    provider: &dyn CryptoProvider,
) -> Result<Option<RsaJwk>, ParseError> {
    let mut found = None;
    for (i, key) in keys.iter().enumerate() {
        let Value::Object(jwk) = key else {
            return Err(json_error(
                WHAT,
                format!(
                    "keys[{i}]: expected a JWK object, found {}",
                    crate::json::kind_name(key)
                ),
            ));
        };
        if jwk.get("kid").and_then(Value::as_str) != Some(kid) {
            continue;
        }
        if found.is_some() {
            return Err(json_error(
                WHAT,
                format!("keys: two keys have kid \"{kid}\", so which one signs is ambiguous"),
            ));
        }
        found = Some(rsa_jwk(jwk, kid, provider)?);
    }
    Ok(found)
}

fn rsa_jwk(
    jwk: &Map<String, Value>,
    kid: &str,
    provider: &dyn CryptoProvider,
) -> Result<RsaJwk, ParseError> {
    let member = |name: &str| -> Result<&str, ParseError> {
        jwk.get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| json_error(WHAT, format!("{kid}: \"{name}\" is absent or not a string")))
    };
    let kty = member("kty")?;
    if kty != "RSA" {
        return Err(json_error(
            WHAT,
            format!("{kid}: kty is \"{kty}\", expected \"RSA\""),
        ));
    }
    let (n_text, e_text) = (member("n")?, member("e")?);
    let decode = |name: &str, text: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| json_error(WHAT, format!("{kid}: \"{name}\" is not base64url")))
    };
    let n = strip_zeros(decode("n", n_text)?);
    let e = strip_zeros(decode("e", e_text)?);
    let bits = bit_len(&n);
    if !RSA_BITS.contains(&bits) {
        return Err(json_error(
            WHAT,
            format!("{kid}: a {bits}-bit RSA modulus (2048 to 4096 bits accepted)"),
        ));
    }
    // An even exponent, or 1, is no RSA key (and one backend would refuse it late).
    if e.len() > 8 || e.last().is_none_or(|b| b & 1 == 0) || e == [1] {
        return Err(json_error(
            WHAT,
            format!("{kid}: the public exponent is not a valid RSA exponent"),
        ));
    }
    // RFC 7638: the required members, in lexicographic order, without whitespace; the
    // values are the base64url strings as given.
    let canonical = format!(r#"{{"e":"{e_text}","kty":"RSA","n":"{n_text}"}}"#);
    let mut thumbprint = [0u8; 32];
    thumbprint.copy_from_slice(
        provider
            .hash(HashAlg::Sha256, &[canonical.as_bytes()])
            .as_ref(),
    );
    Ok(RsaJwk { n, e, thumbprint })
}

fn vm_configuration(m: &Map<String, Value>) -> Result<VmConfiguration, ParseError> {
    let flag = |name: &str| -> Result<Option<bool>, ParseError> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(json_error(
                WHAT,
                format!(
                    "vm-configuration.{name}: expected true or false, found {}",
                    crate::json::kind_name(other)
                ),
            )),
        }
    };
    let text = |name: &str| -> Result<Option<String>, ParseError> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(json_error(
                WHAT,
                format!(
                    "vm-configuration.{name}: expected a string, found {}",
                    crate::json::kind_name(other)
                ),
            )),
        }
    };
    let current_time = match m.get("current-time") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(|| {
            json_error(
                WHAT,
                "vm-configuration.current-time: not an integer of seconds",
            )
        })?),
        Some(other) => {
            return Err(json_error(
                WHAT,
                format!(
                    "vm-configuration.current-time: expected a number, found {}",
                    crate::json::kind_name(other)
                ),
            ))
        }
    };
    Ok(VmConfiguration {
        console_enabled: flag("console-enabled")?,
        secure_boot: flag("secure-boot")?,
        tpm_enabled: flag("tpm-enabled")?,
        tpm_persisted: flag("tpm-persisted")?,
        vm_unique_id: text("vmUniqueId")?,
        root_cert_thumbprint: text("root-cert-thumbprint")?,
        current_time,
    })
}

fn strip_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.drain(..zeros);
    bytes
}

fn bit_len(be: &[u8]) -> usize {
    match be.first() {
        None => 0,
        Some(first) => (be.len().saturating_sub(1))
            .saturating_mul(8)
            .saturating_add(8usize.saturating_sub(first.leading_zeros() as usize)),
    }
}

/// A DER INTEGER's content for an unsigned big-endian value (a zero byte first when the
/// top bit is set).
fn der_uint(be: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(be.len().saturating_add(1));
    if be.first().is_none_or(|b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(be);
    out
}
