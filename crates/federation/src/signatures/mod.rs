//! HTTP message signatures, both dialects the fediverse speaks:
//!
//! - **draft-cavage-http-signatures-12** as Mastodon uses it (`Signature: keyId=…,algorithm=…,
//!   headers=…,signature=…` plus `Digest: SHA-256=…`) — what nearly every server sends today;
//! - **RFC 9421** (`Signature-Input` + `Signature`, with RFC 9530 `Content-Digest`) — what
//!   Fedify, newer Mastodon and others are moving to.
//!
//! # Signing
//! [`sign_cavage`] and [`sign_rfc9421`] add `Host`, `Date`, the body digest and the signature
//! headers to a [`RequestParts`]. Remembering which dialect a server accepts is the caller's job
//! (try RFC 9421, fall back to cavage on 401 — "double knocking").
//!
//! # Verifying
//! Verification is two-step so the key can be fetched asynchronously in between:
//! ```text
//! let pending = signatures::prepare(&request, &body, &VerifyOptions::new(now))?; // cheap checks
//! let key = fetch_actor_key(pending.key_id()).await?;  // the caller's I/O
//! let verified = pending.verify(&key)?;                  // the RSA check
//! // Then check that the key's owner is the activity's actor!
//! ```
//! [`prepare`] does every check that needs no key — dialect, parse, required coverage, date
//! window, digest against the body — so a stale or tampered request never costs a key fetch.
//! [`verify`] wraps both steps for a synchronous key lookup.
//!
//! Policy (decision 0005): cavage signatures must cover `(request-target)`, `host`, and `date`
//! or `(created)`, plus `digest` when there is a body; RFC 9421 signatures must cover
//! `@method`, the target (`@target-uri`, or `@authority`/`host` with `@path`/`@request-target`)
//! and `content-digest` when there is a body, and carry `created`. Dates may be up to
//! [`VerifyOptions::max_age`] old (12 h, Mastodon's window) and [`VerifyOptions::max_future`]
//! ahead (5 min of clock skew).

mod cavage;
pub mod digest;
mod rfc9421;
pub(crate) mod sfv;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

use crate::keys::{KeyError, PrivateKey, PublicKey, SignatureAlgorithm};

pub use cavage::sign_cavage;
pub use rfc9421::sign_rfc9421;

/// The parts of an HTTP request that signatures cover.
///
/// `uri` should be the absolute target URI (`https://host/path?query`). A server sees only the
/// origin form (`/inbox`); then the authority comes from the `Host` header and the scheme is
/// taken to be `https` — build an absolute URI if the server is reached over plain http.
#[derive(Debug, Clone)]
pub struct RequestParts {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
}

impl RequestParts {
    pub fn new(method: Method, uri: Uri, headers: HeaderMap) -> RequestParts {
        RequestParts { method, uri, headers }
    }

    /// From an `http::request::Parts` (what axum extracts), copying the headers.
    pub fn from_http(parts: &http::request::Parts) -> RequestParts {
        RequestParts { method: parts.method.clone(), uri: parts.uri.clone(), headers: parts.headers.clone() }
    }

    fn scheme(&self) -> &str {
        self.uri.scheme_str().unwrap_or("https")
    }

    /// `host[:port]`, lowercased, without the scheme's default port (RFC 9421 §2.2.3).
    fn authority(&self) -> Option<String> {
        let raw = match self.uri.authority() {
            Some(a) => a.as_str().to_string(),
            None => self.headers.get(http::header::HOST)?.to_str().ok()?.trim().to_string(),
        };
        // Drop any userinfo; it is never part of the authority a peer signs.
        let raw = raw.rsplit_once('@').map_or(raw.as_str(), |(_, host)| host).to_ascii_lowercase();
        if raw.is_empty() {
            return None;
        }
        let default_port = match self.scheme() {
            "https" => ":443",
            "http" => ":80",
            _ => "",
        };
        match raw.strip_suffix(default_port) {
            Some(host) if !default_port.is_empty() => Some(host.to_string()),
            _ => Some(raw),
        }
    }

    fn path(&self) -> &str {
        match self.uri.path() {
            "" => "/",
            p => p,
        }
    }

    fn query(&self) -> Option<&str> {
        self.uri.query()
    }

    /// Path and query, as in an HTTP/1.1 request line.
    fn path_and_query(&self) -> String {
        match self.query() {
            Some(q) => format!("{}?{q}", self.path()),
            None => self.path().to_string(),
        }
    }

    fn target_uri(&self) -> Option<String> {
        Some(format!("{}://{}{}", self.scheme(), self.authority()?, self.path_and_query()))
    }

    /// A header's value as both dialects define it: every field line trimmed, joined by `, `.
    /// `Host` falls back to the URI's authority, which HTTP/2 carries instead of a header.
    fn field_value(&self, name: &str) -> Option<Vec<u8>> {
        let mut values = self.headers.get_all(name).iter().peekable();
        if values.peek().is_none() {
            return if name == "host" { self.authority().map(String::into_bytes) } else { None };
        }
        let mut out = Vec::new();
        for (n, value) in values.enumerate() {
            if n > 0 {
                out.extend_from_slice(b", ");
            }
            out.extend_from_slice(value.as_bytes().trim_ascii());
        }
        Some(out)
    }

    fn header_str(&self, name: &'static str) -> Result<Option<&str>, SignatureError> {
        match self.headers.get(name) {
            None => Ok(None),
            Some(v) => v.to_str().map(Some).map_err(|_| SignatureError::Malformed {
                header: canonical_name(name),
                reason: "not visible ASCII".into(),
            }),
        }
    }

    fn set_header(&mut self, name: HeaderName, value: &str) -> Result<(), SignError> {
        let value = HeaderValue::from_str(value).map_err(|_| SignError::BadHeaderValue(name.to_string()))?;
        self.headers.insert(name, value);
        Ok(())
    }
}

fn canonical_name(name: &'static str) -> &'static str {
    match name {
        "signature" => "Signature",
        "signature-input" => "Signature-Input",
        "authorization" => "Authorization",
        "digest" => "Digest",
        "content-digest" => "Content-Digest",
        "date" => "Date",
        other => other,
    }
}

/// Requests whose method carries content must prove their body with a digest, even an empty one.
fn has_body(method: &Method, body: &[u8]) -> bool {
    !body.is_empty() || matches!(*method, Method::POST | Method::PUT | Method::PATCH)
}

/// Which signature standard a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// draft-cavage-http-signatures-12 (Mastodon's `Signature` header).
    Cavage,
    /// RFC 9421 (`Signature-Input` + `Signature`).
    Rfc9421,
}

/// What a successful verification proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The key that signed: an actor's `publicKey.id`. The caller must still check that this
    /// key belongs to the actor the request speaks for.
    pub key_id: String,
    pub dialect: Dialect,
    /// The RFC 9421 label that verified (`sig1`); `None` for cavage.
    pub label: Option<String>,
    /// The covered headers/components, in signed order.
    pub covered: Vec<String>,
}

/// How strict verification is about time.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions {
    /// The current time.
    pub now: SystemTime,
    /// How old a `Date`/`created` may be. Default 12 h: Mastodon's window, which tolerates
    /// deliveries retried from a queue without re-signing.
    pub max_age: Duration,
    /// How far ahead a `Date`/`created` may be, for clock skew. Default 5 min.
    pub max_future: Duration,
}

impl VerifyOptions {
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(12 * 3600);
    pub const DEFAULT_MAX_FUTURE: Duration = Duration::from_secs(5 * 60);

    pub fn new(now: SystemTime) -> VerifyOptions {
        VerifyOptions { now, max_age: VerifyOptions::DEFAULT_MAX_AGE, max_future: VerifyOptions::DEFAULT_MAX_FUTURE }
    }

    /// Checks a signing time (unix seconds) against the window.
    fn check_time(&self, signed_at: i64) -> Result<(), SignatureError> {
        let now = unix_seconds(self.now);
        let age = i128::from(now) - i128::from(signed_at);
        if age > i128::from(self.max_age.as_secs()) {
            return Err(SignatureError::TooOld { signed_at, now, max_age_secs: self.max_age.as_secs() });
        }
        if -age > i128::from(self.max_future.as_secs()) {
            return Err(SignatureError::FromFuture { signed_at, now, max_future_secs: self.max_future.as_secs() });
        }
        Ok(())
    }

    fn check_expires(&self, expires: i64) -> Result<(), SignatureError> {
        let now = unix_seconds(self.now);
        if now > expires { Err(SignatureError::Expired { expires, now }) } else { Ok(()) }
    }
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions::new(SystemTime::now())
    }
}

fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Why a request's signature was not accepted. Each says what exactly was wrong, for logs and
/// for the 401 body a peer's admin will read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request is not signed (no Signature or Signature-Input header)")]
    Unsigned,
    #[error("malformed {header} header: {reason}")]
    Malformed { header: &'static str, reason: String },
    #[error("the signature does not cover {0}, which is required")]
    NotCovered(String),
    #[error("the signature covers {0}, which the request does not have")]
    MissingHeader(String),
    #[error("the request has a body but no {0} header")]
    MissingDigest(&'static str),
    #[error("unsupported signature algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    #[error("unsupported covered component {0}")]
    UnsupportedComponent(String),
    #[error("the signature is too old: signed at {signed_at}, now {now} (unix seconds), limit {max_age_secs} s")]
    TooOld { signed_at: i64, now: i64, max_age_secs: u64 },
    #[error(
        "the signature is dated in the future: signed at {signed_at}, now {now} (unix seconds), limit {max_future_secs} s"
    )]
    FromFuture { signed_at: i64, now: i64, max_future_secs: u64 },
    #[error("the signature expired at {expires}, now {now} (unix seconds)")]
    Expired { expires: i64, now: i64 },
    #[error("the {header} header does not match the body")]
    DigestMismatch { header: &'static str },
    #[error("no supported digest algorithm (SHA-256, SHA-512) among: {0}")]
    UnsupportedDigest(String),
    #[error("no public key known for key id {0}")]
    UnknownKey(String),
    #[error("the signature does not verify with the key {key_id}")]
    BadSignature { key_id: String },
}

/// Why a request could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the request has no authority: give an absolute URI or a Host header")]
    NoAuthority,
    #[error("the key id {0:?} cannot be carried in a signature header (printable ASCII only)")]
    BadKeyId(String),
    #[error("could not build the {0} header")]
    BadHeaderValue(String),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A parsed signature that passed every check not needing the key.
#[derive(Debug, Clone)]
pub struct PendingSignature {
    key_id: String,
    dialect: Dialect,
    label: Option<String>,
    /// Usually one; an RFC 9421 signature without `alg` may be either RSA scheme it registers.
    algorithms: Vec<SignatureAlgorithm>,
    signature: Vec<u8>,
    /// The signing strings to try. Usually one; for cavage requests with a query string also the
    /// form without it, which Mastodon before 4.x and Fedify sign.
    messages: Vec<Vec<u8>>,
    covered: Vec<String>,
}

impl PendingSignature {
    /// The key to fetch: usually `https://host/users/name#main-key`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Checks the signature with the signer's public key.
    pub fn verify(&self, key: &PublicKey) -> Result<VerifiedSignature, SignatureError> {
        let verifies = |m: &Vec<u8>| self.algorithms.iter().any(|&alg| key.verify(alg, m, &self.signature));
        if self.messages.iter().any(verifies) {
            Ok(VerifiedSignature {
                key_id: self.key_id.clone(),
                dialect: self.dialect,
                label: self.label.clone(),
                covered: self.covered.clone(),
            })
        } else {
            Err(SignatureError::BadSignature { key_id: self.key_id.clone() })
        }
    }
}

/// Parses and checks a request's signature up to the point where the key is needed.
/// `body` is the request body as received (empty for GET).
pub fn prepare(req: &RequestParts, body: &[u8], options: &VerifyOptions) -> Result<PendingSignature, SignatureError> {
    if req.headers.contains_key("signature-input") {
        return rfc9421::prepare(req, body, options);
    }
    if let Some(value) = req.header_str("signature")? {
        return cavage::prepare(req, value, body, options);
    }
    if let Some(auth) = req.header_str("authorization")? {
        let auth = auth.trim_start();
        if let Some(rest) = auth.get(..10).filter(|s| s.eq_ignore_ascii_case("signature ")).and(auth.get(10..)) {
            return cavage::prepare(req, rest, body, options);
        }
    }
    Err(SignatureError::Unsigned)
}

/// [`prepare`] then [`PendingSignature::verify`] with a key from `lookup`.
pub fn verify(
    req: &RequestParts,
    body: &[u8],
    options: &VerifyOptions,
    lookup: impl FnOnce(&str) -> Option<PublicKey>,
) -> Result<VerifiedSignature, SignatureError> {
    let pending = prepare(req, body, options)?;
    let key = lookup(pending.key_id()).ok_or_else(|| SignatureError::UnknownKey(pending.key_id.clone()))?;
    pending.verify(&key)
}

/// Adds `Host` and `Date` when missing; both dialects sign them.
fn add_host_and_date(req: &mut RequestParts, now: SystemTime) -> Result<(), SignError> {
    if !req.headers.contains_key(http::header::HOST) {
        let authority = req.authority().ok_or(SignError::NoAuthority)?;
        req.set_header(http::header::HOST, &authority)?;
    }
    if !req.headers.contains_key(http::header::DATE) {
        req.set_header(http::header::DATE, &httpdate::fmt_http_date(now))?;
    }
    Ok(())
}

fn sign_bytes(key: &PrivateKey, message: &[u8]) -> Result<String, SignError> {
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::STANDARD.encode(key.sign(message)?))
}

#[cfg(test)]
mod tests;
