//! OCSP responses (RFC 6960): parsing and verification against the certificate asked
//! about and its issuer.
