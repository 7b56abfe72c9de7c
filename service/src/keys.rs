//! The token signing keys: the current one, and the keys it replaced, published in the
//! JWKS until every token they signed has expired.
//!
//! Two ways to run: a key file given by configuration (replicas share it through a
//! secret; rotation is a new secret, with the old public keys listed in
//! `previous_jwks` until their tokens expire), or keys the service keeps in its data
//! directory (`keys/current.pem`, generated on first start, rotated by
//! `POST /v1/keys/rotate`; the replaced keys' public halves go to `keys/retired.json`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use policy::token::{Algorithm, Jwk, JwkSet, Signer, SigningKey};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};

use crate::files::{read_text, write_private};

/// A replaced key's public half and until when it is published.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Retired {
    jwk: Jwk,
    /// Unix seconds: the last token it signed has expired by then.
    publish_until: u64,
}

struct Keys {
    current: Arc<SigningKey>,
    retired: Vec<Retired>,
}

/// The signing keys.
pub struct KeyRing {
    keys: RwLock<Keys>,
    /// Where rotation writes; `None` when the key came from configuration.
    dir: Option<PathBuf>,
    /// Public keys published beside the current one (configuration's `previous_jwks`).
    previous: Vec<Jwk>,
}

/// Why the keys could not be loaded or rotated.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

impl KeyRing {
    /// The key in `file`, or else the data directory's (generated when absent).
    ///
    /// # Errors
    /// An unreadable or invalid key, or a data directory that cannot be written.
    pub fn open(
        file: Option<&Path>,
        data_dir: &Path,
        previous_jwks: &[PathBuf],
    ) -> Result<Self, KeyError> {
        let mut previous = Vec::new();
        for path in previous_jwks {
            let text = read_text(path).map_err(KeyError)?;
            let set = JwkSet::from_json(text.as_bytes())
                .map_err(|e| KeyError(format!("{}: {e}", path.display())))?;
            previous.extend(set.keys);
        }
        if let Some(file) = file {
            let key = load(file)?;
            return Ok(Self {
                keys: RwLock::new(Keys {
                    current: Arc::new(key),
                    retired: Vec::new(),
                }),
                dir: None,
                previous,
            });
        }
        let dir = data_dir.join("keys");
        let current_path = dir.join("current.pem");
        let current = if current_path.exists() {
            load(&current_path)?
        } else {
            let key = generate()?;
            write_private(&current_path, key.to_pkcs8_pem().as_bytes()).map_err(KeyError)?;
            tracing::info!(kid = key.key_id(), path = %current_path.display(), "generated a token signing key");
            key
        };
        let retired_path = dir.join("retired.json");
        let retired = if retired_path.exists() {
            let text = read_text(&retired_path).map_err(KeyError)?;
            serde_json::from_str(&text)
                .map_err(|e| KeyError(format!("{}: {e}", retired_path.display())))?
        } else {
            Vec::new()
        };
        Ok(Self {
            keys: RwLock::new(Keys {
                current: Arc::new(current),
                retired,
            }),
            dir: Some(dir),
            previous,
        })
    }

    /// The key new tokens are signed with.
    pub fn current(&self) -> Arc<SigningKey> {
        match self.keys.read() {
            Ok(k) => Arc::clone(&k.current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner().current),
        }
    }

    /// The published keys at `now`: the current one, the configured previous ones, and
    /// the retired ones whose tokens may still be live.
    pub fn jwks(&self, now: u64) -> JwkSet {
        let keys = match self.keys.read() {
            Ok(k) => k,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut set = JwkSet {
            keys: vec![keys.current.public_jwk()],
        };
        set.keys.extend(self.previous.iter().cloned());
        set.keys.extend(
            keys.retired
                .iter()
                .filter(|r| r.publish_until >= now)
                .map(|r| r.jwk.clone()),
        );
        set
    }

    /// Replaces the current key with a new one; the old one stays published for
    /// `max_token_ttl` seconds from `now`. Returns the new key id.
    ///
    /// # Errors
    /// When the key came from configuration (rotate the secret instead), or the new
    /// key cannot be written.
    pub fn rotate(&self, now: u64, max_token_ttl: u64) -> Result<String, KeyError> {
        let Some(dir) = &self.dir else {
            return Err(KeyError(
                "the signing key comes from configuration: rotate it there (and list the old \
                 public key in previous_jwks until its tokens expire)"
                    .into(),
            ));
        };
        let mut keys = self
            .keys
            .write()
            .map_err(|_| KeyError("the key ring is poisoned".into()))?;
        let new = generate()?;
        let mut retired: Vec<Retired> = keys
            .retired
            .iter()
            .filter(|r| r.publish_until >= now)
            .cloned()
            .collect();
        retired.push(Retired {
            jwk: keys.current.public_jwk(),
            publish_until: now.saturating_add(max_token_ttl),
        });
        // The retired list first: a crash between the writes leaves the old key
        // published, never a live token unverifiable.
        let json = serde_json::to_vec_pretty(&retired).map_err(|e| KeyError(e.to_string()))?;
        write_private(&dir.join("retired.json"), &json).map_err(KeyError)?;
        write_private(&dir.join("current.pem"), new.to_pkcs8_pem().as_bytes()).map_err(KeyError)?;
        let kid = new.key_id().to_owned();
        keys.current = Arc::new(new);
        keys.retired = retired;
        Ok(kid)
    }
}

fn generate() -> Result<SigningKey, KeyError> {
    SigningKey::generate(Algorithm::Es384, &mut OsRng).map_err(|e| KeyError(e.to_string()))
}

fn load(path: &Path) -> Result<SigningKey, KeyError> {
    let text = read_text(path).map_err(KeyError)?;
    SigningKey::from_pem(&text).map_err(|e| KeyError(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotated_key_stays_published_until_its_tokens_expire() {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::open(None, dir.path(), &[]).unwrap();
        let old = ring.current().key_id().to_owned();
        let new = ring.rotate(1_000, 300).unwrap();
        assert_ne!(old, new);
        let kids = |set: JwkSet| -> Vec<String> {
            set.keys.iter().filter_map(|k| k.kid.clone()).collect()
        };
        assert_eq!(kids(ring.jwks(1_300)), [new.clone(), old.clone()]);
        assert_eq!(kids(ring.jwks(1_301)), std::slice::from_ref(&new));
        // A restart reads the same state back.
        let reopened = KeyRing::open(None, dir.path(), &[]).unwrap();
        assert_eq!(reopened.current().key_id(), new);
        assert_eq!(kids(reopened.jwks(1_300)), [new, old]);
    }

    #[test]
    fn a_configured_key_is_not_rotated_by_the_api() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        std::fs::write(&path, generate().unwrap().to_pkcs8_pem()).unwrap();
        let ring = KeyRing::open(Some(&path), dir.path(), &[]).unwrap();
        assert!(ring.rotate(1, 1).is_err());
    }
}
