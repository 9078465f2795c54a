//! Body digests: `Digest: SHA-256=<base64>` (RFC 3230, what draft-cavage peers send) and
//! `Content-Digest: sha-256=:<base64>:` (RFC 9530, what RFC 9421 peers send).
//!
//! A header may carry several algorithms. We require at least one we know (SHA-256 or
//! SHA-512) and that every one we know matches; unknown ones are ignored, as both RFCs say.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::digest::{self, Algorithm};

use super::SignatureError;
use super::sfv::{self, BareItem, Member};

/// `Digest` header value for `body`.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(digest::digest(&digest::SHA256, body)))
}

/// `Content-Digest` header value for `body`.
pub fn content_digest_header(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(digest::digest(&digest::SHA256, body)))
}

fn algorithm(name: &str) -> Option<&'static Algorithm> {
    match name.to_ascii_lowercase().as_str() {
        "sha-256" => Some(&digest::SHA256),
        "sha-512" => Some(&digest::SHA512),
        _ => None,
    }
}

/// Checks a `Digest` header against the body.
pub fn check_digest(value: &str, body: &[u8]) -> Result<(), SignatureError> {
    let mut known = 0;
    let mut seen = Vec::new();
    for part in value.split(',') {
        let part = part.trim();
        let Some((name, b64)) = part.split_once('=') else {
            return Err(SignatureError::Malformed {
                header: "Digest",
                reason: format!("{part:?} is not ALGORITHM=VALUE"),
            });
        };
        seen.push(name.trim().to_string());
        let Some(alg) = algorithm(name.trim()) else { continue };
        let claimed = STANDARD.decode(b64.trim()).map_err(|_| SignatureError::Malformed {
            header: "Digest",
            reason: format!("{name} value is not base64"),
        })?;
        compare(alg, &claimed, body, "Digest")?;
        known += 1;
    }
    if known == 0 {
        return Err(SignatureError::UnsupportedDigest(seen.join(", ")));
    }
    Ok(())
}

/// Checks a `Content-Digest` header (an RFC 8941 dictionary of byte sequences) against the body.
pub fn check_content_digest(value: &str, body: &[u8]) -> Result<(), SignatureError> {
    let dict = sfv::parse_dictionary(value)
        .map_err(|e| SignatureError::Malformed { header: "Content-Digest", reason: e.to_string() })?;
    let mut known = 0;
    for (name, member) in &dict {
        let Some(alg) = algorithm(name) else { continue };
        let Member::Item(sfv::Item { value: BareItem::ByteSeq(claimed), .. }) = member else {
            return Err(SignatureError::Malformed {
                header: "Content-Digest",
                reason: format!("{name} is not a byte sequence (:base64:)"),
            });
        };
        compare(alg, claimed, body, "Content-Digest")?;
        known += 1;
    }
    if known == 0 {
        let names: Vec<&str> = dict.iter().map(|(k, _)| k.as_str()).collect();
        return Err(SignatureError::UnsupportedDigest(names.join(", ")));
    }
    Ok(())
}

fn compare(alg: &'static Algorithm, claimed: &[u8], body: &[u8], header: &'static str) -> Result<(), SignatureError> {
    let actual = digest::digest(alg, body);
    // Digests are of public data, so a plain comparison leaks nothing worth protecting.
    if actual.as_ref() == claimed { Ok(()) } else { Err(SignatureError::DigestMismatch { header }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"hello": "world"}"#;

    #[test]
    fn known_values() {
        // RFC 9530 §B.1 / draft-cavage appendix C use this body.
        assert_eq!(digest_header(BODY), "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=");
        assert_eq!(content_digest_header(BODY), "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
        check_digest(&digest_header(BODY), BODY).unwrap();
        check_content_digest(&content_digest_header(BODY), BODY).unwrap();
        check_content_digest(
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
            BODY,
        )
        .unwrap();
    }

    #[test]
    fn mismatches_and_unknown_algorithms_are_named() {
        assert_eq!(check_digest(&digest_header(b"x"), BODY), Err(SignatureError::DigestMismatch { header: "Digest" }));
        assert_eq!(
            check_content_digest(&content_digest_header(b"x"), BODY),
            Err(SignatureError::DigestMismatch { header: "Content-Digest" })
        );
        assert_eq!(check_digest("MD5=abc", BODY), Err(SignatureError::UnsupportedDigest("MD5".into())));
        assert!(matches!(check_content_digest("sha-256=abc", BODY), Err(SignatureError::Malformed { .. })));
        // An unknown algorithm beside a good one is ignored; a bad known one is not.
        check_digest(&format!("MD5=abc, {}", digest_header(BODY)), BODY).unwrap();
        assert!(check_digest(&format!("{}, SHA-512=AAAA", digest_header(BODY)), BODY).is_err());
    }
}
