//! Attestation tokens: signing keys, JWKS, EAR as JWT and as CWT (COSE_Sign1), verification.
