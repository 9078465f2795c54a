//! RSA key pairs for actors: generate, PEM in and out, sign and verify.
//!
//! Signing and verifying go through `ring` (constant-time, ~47k verifies/s here). `ring` cannot
//! generate RSA keys, so [`PrivateKey::generate`] uses the `rsa` crate for that one step and
//! hands the PKCS#8 bytes straight to `ring`; no private-key operation ever runs in `rsa`
//! (RUSTSEC-2023-0071 is a timing leak in its private-key operations — decision 0005).
//!
//! Formats: public keys are written as SPKI (`BEGIN PUBLIC KEY`, what Mastodon publishes as
//! `publicKeyPem`) and read as SPKI or PKCS#1 (`BEGIN RSA PUBLIC KEY`, which a few servers
//! publish). Private keys are written as PKCS#8 (`BEGIN PRIVATE KEY`) and read as PKCS#8 or
//! PKCS#1 (`BEGIN RSA PRIVATE KEY`, Mastodon's own storage format).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{self as ring_sig, RsaKeyPair};

/// The smallest modulus we accept from anyone. `ring` refuses smaller keys anyway; checking on
/// import gives a clear error instead of every signature failing later.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest modulus `ring` verifies.
pub const MAX_RSA_BITS: usize = 8192;
/// The size of the keys we generate: what Mastodon uses, and fast to verify.
pub const GENERATED_RSA_BITS: usize = 2048;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("no PEM block found (expected {expected})")]
    NoPem { expected: &'static str },
    #[error("the PEM block is not valid base64")]
    BadBase64,
    #[error("the key is not a well-formed {0} structure")]
    BadDer(&'static str),
    #[error("the key is not an RSA key (algorithm OID is not rsaEncryption)")]
    NotRsa,
    #[error("RSA key of {bits} bits is outside the accepted {MIN_RSA_BITS}..={MAX_RSA_BITS} bits")]
    BadSize { bits: usize },
    #[error("ring rejected the private key: {0}")]
    Rejected(String),
    #[error("key generation failed: {0}")]
    Generation(String),
    #[error("signing failed")]
    Signing,
}

/// The RSA signature schemes we verify. We only ever *sign* with
/// [`SignatureAlgorithm::RsaPkcs1Sha256`]; the others exist because RFC 9421 peers may choose them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: draft-cavage `rsa-sha256`/`hs2019`, RFC 9421 `rsa-v1_5-sha256`.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-512: draft-cavage `rsa-sha512`, RFC 9421 `rsa-v1_5-sha512`.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-512: RFC 9421 `rsa-pss-sha512`.
    RsaPssSha512,
}

impl SignatureAlgorithm {
    fn ring(self) -> &'static ring_sig::RsaParameters {
        match self {
            SignatureAlgorithm::RsaPkcs1Sha256 => &ring_sig::RSA_PKCS1_2048_8192_SHA256,
            SignatureAlgorithm::RsaPkcs1Sha512 => &ring_sig::RSA_PKCS1_2048_8192_SHA512,
            SignatureAlgorithm::RsaPssSha512 => &ring_sig::RSA_PSS_2048_8192_SHA512,
        }
    }
}

/// An actor's private key. Debug output never shows key material.
pub struct PrivateKey {
    pair: RsaKeyPair,
    /// Kept to write the key back out; `ring` does not export private keys.
    pkcs8: Vec<u8>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey(RSA-{}, redacted)", self.pair.public().modulus_len() * 8)
    }
}

impl PrivateKey {
    /// Generates a new 2048-bit key pair (slow: ~50–500 ms; run it off the async executor).
    pub fn generate() -> Result<PrivateKey, KeyError> {
        use rsa::pkcs8::EncodePrivateKey as _;
        let mut rng = rsa::rand_core::OsRng;
        let key =
            rsa::RsaPrivateKey::new(&mut rng, GENERATED_RSA_BITS).map_err(|e| KeyError::Generation(e.to_string()))?;
        let der = key.to_pkcs8_der().map_err(|e| KeyError::Generation(e.to_string()))?;
        PrivateKey::from_pkcs8_der(der.as_bytes())
    }

    /// Reads `BEGIN PRIVATE KEY` (PKCS#8) or `BEGIN RSA PRIVATE KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<PrivateKey, KeyError> {
        if let Some(der) = pem_block(pem, "PRIVATE KEY")? {
            return PrivateKey::from_pkcs8_der(&der);
        }
        if let Some(der) = pem_block(pem, "RSA PRIVATE KEY")? {
            return PrivateKey::from_pkcs8_der(&der::pkcs1_private_to_pkcs8(&der));
        }
        Err(KeyError::NoPem { expected: "BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY" })
    }

    /// Reads a DER-encoded PKCS#8 `PrivateKeyInfo` holding an RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| KeyError::Rejected(e.to_string()))?;
        let bits = pair.public().modulus_len() * 8;
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return Err(KeyError::BadSize { bits });
        }
        Ok(PrivateKey { pair, pkcs8: der.to_vec() })
    }

    /// The key as PKCS#8 PEM (`BEGIN PRIVATE KEY`), for storage.
    pub fn to_pem(&self) -> String {
        pem_encode("PRIVATE KEY", &self.pkcs8)
    }

    pub fn public_key(&self) -> PublicKey {
        let pkcs1 = self.pair.public().as_ref().to_vec();
        PublicKey { bits: self.pair.public().modulus_len() * 8, pkcs1 }
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 SHA-256, the only scheme the fediverse agrees on.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = ring::rand::SystemRandom::new();
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair.sign(&ring_sig::RSA_PKCS1_SHA256, &rng, message, &mut signature).map_err(|_| KeyError::Signing)?;
        Ok(signature)
    }
}

/// An actor's public key, as published in its `publicKey.publicKeyPem`.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// DER `RSAPublicKey` (PKCS#1), the form `ring` verifies with.
    pkcs1: Vec<u8>,
    bits: usize,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(RSA-{})", self.bits)
    }
}

impl PublicKey {
    /// Reads `BEGIN PUBLIC KEY` (SPKI) or `BEGIN RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        if let Some(der) = pem_block(pem, "PUBLIC KEY")? {
            return PublicKey::from_spki_der(&der);
        }
        if let Some(der) = pem_block(pem, "RSA PUBLIC KEY")? {
            return PublicKey::from_pkcs1_der(&der);
        }
        Err(KeyError::NoPem { expected: "BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY" })
    }

    /// Reads a DER `SubjectPublicKeyInfo` whose algorithm is rsaEncryption.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let pkcs1 = der::spki_to_pkcs1(der)?;
        PublicKey::from_pkcs1_der(pkcs1)
    }

    /// Reads a DER `RSAPublicKey` (PKCS#1).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let bits = der::rsa_modulus_bits(der)?;
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return Err(KeyError::BadSize { bits });
        }
        Ok(PublicKey { pkcs1: der.to_vec(), bits })
    }

    /// The key as SPKI PEM (`BEGIN PUBLIC KEY`), the form to publish in `publicKeyPem`.
    pub fn to_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &der::pkcs1_to_spki(&self.pkcs1))
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Whether `signature` is a valid signature of `message` under this key.
    pub fn verify(&self, algorithm: SignatureAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        ring_sig::UnparsedPublicKey::new(algorithm.ring(), &self.pkcs1).verify(message, signature).is_ok()
    }
}

/// Finds `-----BEGIN {label}-----` … `-----END {label}-----` and decodes the base64 between,
/// ignoring whitespace (keys arrive re-wrapped, with `\r\n`, or on one line). `Ok(None)` when
/// there is no such block.
fn pem_block(text: &str, label: &str) -> Result<Option<Vec<u8>>, KeyError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let Some(start) = text.find(&begin) else { return Ok(None) };
    let body_start = start + begin.len();
    let Some(len) = text.get(body_start..).and_then(|rest| rest.find(&end)) else { return Ok(None) };
    let body: String = text[body_start..body_start + len].chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(body.as_bytes()).map(Some).map_err(|_| KeyError::BadBase64)
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every 64-byte chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Just enough DER to move RSA keys between the PKCS#1, PKCS#8 and SPKI wrappings.
mod der {
    use super::KeyError;

    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    const BIT_STRING: u8 = 0x03;
    const OCTET_STRING: u8 = 0x04;
    const NULL: u8 = 0x05;
    const OID: u8 = 0x06;
    /// 1.2.840.113549.1.1.1, rsaEncryption.
    const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

    /// Reads one tag-length-value; returns (tag, content, rest).
    fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            first as usize
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 {
                return None;
            }
            let (bytes, after) = (rest.get(..n)?, rest.get(n..)?);
            rest = after;
            bytes.iter().fold(0usize, |acc, &b| (acc << 8) | b as usize)
        };
        Some((tag, rest.get(..len)?, rest.get(len..)?))
    }

    fn expect<'a>(input: &'a [u8], tag: u8, what: &'static str) -> Result<(&'a [u8], &'a [u8]), KeyError> {
        match tlv(input) {
            Some((t, content, rest)) if t == tag => Ok((content, rest)),
            _ => Err(KeyError::BadDer(what)),
        }
    }

    fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }

    fn rsa_algorithm_identifier() -> Vec<u8> {
        let mut content = encode(OID, RSA_ENCRYPTION);
        content.extend(encode(NULL, &[]));
        encode(SEQUENCE, &content)
    }

    /// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
    pub(super) fn spki_to_pkcs1(der: &[u8]) -> Result<&[u8], KeyError> {
        const WHAT: &str = "SubjectPublicKeyInfo";
        let (spki, _) = expect(der, SEQUENCE, WHAT)?;
        let (algorithm, rest) = expect(spki, SEQUENCE, WHAT)?;
        let (oid, _) = expect(algorithm, OID, WHAT)?;
        if oid != RSA_ENCRYPTION {
            return Err(KeyError::NotRsa);
        }
        let (bits, _) = expect(rest, BIT_STRING, WHAT)?;
        // The first content byte counts unused bits in the last byte; a key has none.
        match bits.split_first() {
            Some((0, key)) => Ok(key),
            _ => Err(KeyError::BadDer(WHAT)),
        }
    }

    pub(super) fn pkcs1_to_spki(pkcs1: &[u8]) -> Vec<u8> {
        let mut bits = vec![0u8];
        bits.extend_from_slice(pkcs1);
        let mut content = rsa_algorithm_identifier();
        content.extend(encode(BIT_STRING, &bits));
        encode(SEQUENCE, &content)
    }

    /// PrivateKeyInfo ::= SEQUENCE { version INTEGER (0), algorithm, privateKey OCTET STRING }
    pub(super) fn pkcs1_private_to_pkcs8(pkcs1: &[u8]) -> Vec<u8> {
        let mut content = encode(INTEGER, &[0]);
        content.extend(rsa_algorithm_identifier());
        content.extend(encode(OCTET_STRING, pkcs1));
        encode(SEQUENCE, &content)
    }

    /// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    pub(super) fn rsa_modulus_bits(pkcs1: &[u8]) -> Result<usize, KeyError> {
        const WHAT: &str = "RSAPublicKey";
        let (key, trailing) = expect(pkcs1, SEQUENCE, WHAT)?;
        if !trailing.is_empty() {
            return Err(KeyError::BadDer(WHAT));
        }
        let (modulus, rest) = expect(key, INTEGER, WHAT)?;
        let (exponent, _) = expect(rest, INTEGER, WHAT)?;
        if exponent.is_empty() {
            return Err(KeyError::BadDer(WHAT));
        }
        // Skip the sign-padding zero bytes, then count bits from the top byte.
        let significant: &[u8] = match modulus.iter().position(|&b| b != 0) {
            Some(i) => &modulus[i..],
            None => return Err(KeyError::BadDer(WHAT)),
        };
        let top = significant.first().copied().unwrap_or(0);
        Ok((significant.len() - 1) * 8 + (8 - top.leading_zeros() as usize))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// Key generation is slow in debug builds; one key serves every test here.
    pub(crate) fn test_key() -> &'static PrivateKey {
        static KEY: OnceLock<PrivateKey> = OnceLock::new();
        KEY.get_or_init(|| PrivateKey::generate().expect("generate"))
    }

    #[test]
    fn generated_keys_round_trip_through_pem_and_sign() {
        let key = test_key();
        assert_eq!(key.public_key().bits(), 2048);
        let pem = key.to_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = PrivateKey::from_pem(&pem).unwrap();
        let public_pem = again.public_key().to_pem();
        assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let public = PublicKey::from_pem(&public_pem).unwrap();
        assert_eq!(public, key.public_key());

        let sig = key.sign(b"hello").unwrap();
        assert!(public.verify(SignatureAlgorithm::RsaPkcs1Sha256, b"hello", &sig));
        assert!(!public.verify(SignatureAlgorithm::RsaPkcs1Sha256, b"hellO", &sig));
        assert!(!public.verify(SignatureAlgorithm::RsaPkcs1Sha512, b"hello", &sig));
    }

    #[test]
    fn pem_is_read_with_odd_wrapping_and_pkcs1_forms() {
        let key = test_key();
        let pem = key.public_key().to_pem();
        let one_line = pem.replace('\n', "").replace("-----BEGIN PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\r\n");
        assert_eq!(PublicKey::from_pem(&one_line).unwrap(), key.public_key());

        // PKCS#1 public key, as a few servers publish it.
        let pkcs1 = pem_encode("RSA PUBLIC KEY", key.public_key().pkcs1.as_slice());
        assert_eq!(PublicKey::from_pem(&pkcs1).unwrap(), key.public_key());
    }

    #[test]
    fn pkcs1_private_keys_are_accepted() {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        use rsa::pkcs8::DecodePrivateKey as _;
        let key = test_key();
        let rsa_key = rsa::RsaPrivateKey::from_pkcs8_der(&key.pkcs8).unwrap();
        let pkcs1_pem = rsa_key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
        assert!(pkcs1_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let again = PrivateKey::from_pem(&pkcs1_pem).unwrap();
        assert_eq!(again.public_key(), key.public_key());
    }

    #[test]
    fn bad_input_gives_specific_errors() {
        assert!(matches!(PublicKey::from_pem("nothing here"), Err(KeyError::NoPem { .. })));
        assert_eq!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"),
            Err(KeyError::BadBase64)
        );
        assert_eq!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
            Err(KeyError::BadDer("SubjectPublicKeyInfo"))
        );
        // An Ed25519 SPKI (RFC 8410 example).
        let ed = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----";
        assert_eq!(PublicKey::from_pem(ed), Err(KeyError::NotRsa));
    }

    #[test]
    fn small_keys_are_refused() {
        // The draft-cavage appendix key: 1024 bits.
        let pem = "-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3\n6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6\nZ4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw\noYi+1hqp1fIekaxsyQIDAQAB\n-----END PUBLIC KEY-----";
        assert_eq!(PublicKey::from_pem(pem), Err(KeyError::BadSize { bits: 1024 }));
    }

    #[test]
    fn debug_never_shows_key_material() {
        let shown = format!("{:?}", test_key());
        assert_eq!(shown, "PrivateKey(RSA-2048, redacted)");
    }
}
