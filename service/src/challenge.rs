//! Challenges that need no server state: a nonce carries its own expiry and a MAC
//! under the service's challenge key, so any replica sharing the key can check it.
//! Accepting each nonce once is [`crate::replay`]'s job.
//!
//! Layout (32 bytes, the size of an SPDM requester nonce, so one challenge serves
//! CPU and GPU evidence alike): expiry (u64 big-endian Unix seconds) ‖ 8 random bytes
//! ‖ the first 16 bytes of HMAC-SHA-256(key, "verdict-challenge-v1" ‖ expiry ‖ random).

use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;

/// A challenge's length in bytes.
pub const NONCE_LEN: usize = 32;
const MAC_LEN: usize = 16;
const DOMAIN: &[u8] = b"verdict-challenge-v1";

/// A challenge key's length in bytes.
pub const KEY_LEN: usize = 32;

/// Issues and checks challenges.
pub struct Challenger {
    key: [u8; KEY_LEN],
    ttl_seconds: u64,
}

/// Why a nonce is not a challenge this service issued and still honours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    /// Not 32 bytes.
    #[error("the nonce is {0} bytes; challenges from /v1/challenge are {NONCE_LEN}")]
    Length(usize),
    /// The MAC does not verify: not issued here (or under another key).
    #[error("the nonce was not issued by this service")]
    Forged,
    /// Past its expiry.
    #[error("the nonce expired at {0} (Unix seconds); ask /v1/challenge for a new one")]
    Expired(u64),
}

impl ChallengeError {
    /// The problem kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Length(_) => "nonce_malformed",
            Self::Forged => "nonce_unknown",
            Self::Expired(_) => "nonce_expired",
        }
    }
}

impl Challenger {
    /// A challenger with `key` whose nonces live `ttl_seconds`.
    pub fn new(key: [u8; KEY_LEN], ttl_seconds: u64) -> Self {
        Self { key, ttl_seconds }
    }

    /// How long a nonce lives.
    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    fn mac(&self, expiry_and_random: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length: this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(DOMAIN);
        mac.update(expiry_and_random);
        mac
    }

    /// A key for another purpose, derived from the challenge key (HMAC-SHA-256 of
    /// `label`): replicas share the challenge key, so they share what is derived from it.
    pub fn derive(&self, label: &[u8]) -> [u8; KEY_LEN] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(b"verdict-derive-v1\0");
        mac.update(label);
        mac.finalize().into_bytes().into()
    }

    /// A fresh nonce, valid until `now + ttl`; returns it and its expiry.
    pub fn issue(&self, now: u64) -> ([u8; NONCE_LEN], u64) {
        let expiry = now.saturating_add(self.ttl_seconds);
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..8].copy_from_slice(&expiry.to_be_bytes());
        OsRng.fill_bytes(&mut nonce[8..16]);
        let tag = self.mac(&nonce[..16]).finalize().into_bytes();
        nonce[16..].copy_from_slice(&tag[..MAC_LEN]);
        (nonce, expiry)
    }

    /// Checks that `nonce` was issued here and has not expired at `now`; returns its
    /// expiry.
    ///
    /// # Errors
    /// [`ChallengeError`] saying which.
    pub fn check(&self, nonce: &[u8], now: u64) -> Result<u64, ChallengeError> {
        let nonce: &[u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| ChallengeError::Length(nonce.len()))?;
        // The MAC first (constant time), so nothing about a forged nonce is believed.
        self.mac(&nonce[..16])
            .verify_truncated_left(&nonce[16..])
            .map_err(|_| ChallengeError::Forged)?;
        let mut expiry = [0u8; 8];
        expiry.copy_from_slice(&nonce[..8]);
        let expiry = u64::from_be_bytes(expiry);
        if now > expiry {
            return Err(ChallengeError::Expired(expiry));
        }
        Ok(expiry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_nonce_checks_until_it_expires() {
        let c = Challenger::new([7; KEY_LEN], 60);
        let (nonce, expiry) = c.issue(1_000);
        assert_eq!(expiry, 1_060);
        assert_eq!(c.check(&nonce, 1_000), Ok(1_060));
        assert_eq!(c.check(&nonce, 1_060), Ok(1_060));
        assert_eq!(c.check(&nonce, 1_061), Err(ChallengeError::Expired(1_060)));
    }

    #[test]
    fn every_changed_byte_is_a_forgery() {
        let c = Challenger::new([7; KEY_LEN], 60);
        let (nonce, _) = c.issue(1_000);
        for i in 0..NONCE_LEN {
            let mut bad = nonce;
            bad[i] ^= 1;
            assert_eq!(
                c.check(&bad, 1_000),
                Err(ChallengeError::Forged),
                "byte {i}"
            );
        }
        // A later expiry cannot be written in without the key.
        let mut extended = nonce;
        extended[..8].copy_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(c.check(&extended, 1_000), Err(ChallengeError::Forged));
    }

    #[test]
    fn another_key_does_not_accept_it_and_lengths_are_checked() {
        let (nonce, _) = Challenger::new([7; KEY_LEN], 60).issue(1_000);
        let other = Challenger::new([8; KEY_LEN], 60);
        assert_eq!(other.check(&nonce, 1_000), Err(ChallengeError::Forged));
        assert_eq!(
            other.check(&nonce[..31], 1_000),
            Err(ChallengeError::Length(31))
        );
    }

    #[test]
    fn nonces_differ() {
        let c = Challenger::new([7; KEY_LEN], 60);
        assert_ne!(c.issue(1_000).0, c.issue(1_000).0);
    }
}
