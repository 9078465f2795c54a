//! draft-cavage-http-signatures-12, as Mastodon, Misskey, GoToSocial, Pleroma and Fedify use it.

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderName;

use super::{
    Dialect, PendingSignature, RequestParts, SignError, SignatureError, VerifyOptions, add_host_and_date, digest,
    has_body, sign_bytes,
};
use crate::keys::{PrivateKey, SignatureAlgorithm};

const HEADER: &str = "Signature";

/// Signs `req` as Mastodon does: `(request-target) host date`, then `digest` when there is a
/// body and `content-type` when set. Adds `Host`, `Date` and `Digest` when missing.
///
/// `(request-target)` includes the query string, as the draft says; Mastodon 4 verifies both
/// with and without it, but Fedify checks only the path, so avoid signed GETs with a query to
/// Fedify peers in this dialect (RFC 9421 has no such ambiguity).
pub fn sign_cavage(
    req: &mut RequestParts,
    body: &[u8],
    key: &PrivateKey,
    key_id: &str,
    now: SystemTime,
) -> Result<(), SignError> {
    if !is_quotable(key_id) {
        return Err(SignError::BadKeyId(key_id.to_string()));
    }
    add_host_and_date(req, now)?;
    let mut names = vec!["(request-target)", "host", "date"];
    if has_body(&req.method, body) {
        if !req.headers.contains_key("digest") {
            req.set_header(HeaderName::from_static("digest"), &digest::digest_header(body))?;
        }
        names.push("digest");
    }
    if req.headers.contains_key(http::header::CONTENT_TYPE) {
        names.push("content-type");
    }
    let message = signing_string(req, &names, &Params::default(), true)
        .map_err(|_| SignError::BadHeaderValue("Signature".into()))?;
    let signature = sign_bytes(key, &message)?;
    let value =
        format!(r#"keyId="{key_id}",algorithm="rsa-sha256",headers="{}",signature="{signature}""#, names.join(" "));
    req.set_header(HeaderName::from_static("signature"), &value)
}

/// A key id goes between double quotes with no escaping in practice, so it must not hold one.
fn is_quotable(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| (0x20..=0x7e).contains(&c) && c != b'"' && c != b'\\')
}

#[derive(Default, Debug)]
struct Params {
    key_id: Option<String>,
    algorithm: Option<String>,
    headers: Option<String>,
    signature: Option<String>,
    created: Option<String>,
    expires: Option<String>,
}

/// Parses `name="value",name=value,…`. Names are compared case-insensitively (`keyId` is
/// sometimes sent as `keyid`); quoted values may contain commas and `\"` escapes. A repeated
/// parameter is refused: which one counts would be ambiguous.
fn parse_params(value: &str) -> Result<Params, SignatureError> {
    let malformed = |reason: String| SignatureError::Malformed { header: HEADER, reason };
    let s = value.as_bytes();
    let mut i = 0;
    let mut params = Params::default();
    loop {
        while i < s.len() && (s[i] == b',' || s[i].is_ascii_whitespace()) {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let start = i;
        while i < s.len() && s[i] != b'=' && s[i] != b',' {
            i += 1;
        }
        let name = value.get(start..i).unwrap_or_default().trim().to_ascii_lowercase();
        if i >= s.len() || s[i] != b'=' {
            return Err(malformed(format!("parameter {name:?} has no value")));
        }
        i += 1;
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        let param_value = if s.get(i) == Some(&b'"') {
            i += 1;
            let mut out = String::new();
            loop {
                match s.get(i) {
                    None => return Err(malformed(format!("unterminated quoted value for {name:?}"))),
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if i + 1 < s.len() => {
                        out.push(s[i + 1] as char);
                        i += 2;
                    }
                    Some(&c) => {
                        out.push(c as char);
                        i += 1;
                    }
                }
            }
            out
        } else {
            let start = i;
            while i < s.len() && s[i] != b',' {
                i += 1;
            }
            value.get(start..i).unwrap_or_default().trim().to_string()
        };
        let slot = match name.as_str() {
            "keyid" => &mut params.key_id,
            "algorithm" => &mut params.algorithm,
            "headers" => &mut params.headers,
            "signature" => &mut params.signature,
            "created" => &mut params.created,
            "expires" => &mut params.expires,
            _ => continue, // unknown parameters are ignored, as the draft says
        };
        if slot.is_some() {
            return Err(malformed(format!("parameter {name:?} appears twice")));
        }
        *slot = Some(param_value);
    }
    Ok(params)
}

fn parse_time(param: &str, value: &str) -> Result<i64, SignatureError> {
    value.trim().parse::<i64>().map_err(|_| SignatureError::Malformed {
        header: HEADER,
        reason: format!("{param}={value:?} is not a unix time"),
    })
}

/// Builds the signing string over `names`. `with_query` chooses whether `(request-target)`
/// carries the query string.
fn signing_string(
    req: &RequestParts,
    names: &[&str],
    params: &Params,
    with_query: bool,
) -> Result<Vec<u8>, SignatureError> {
    let mut out = Vec::new();
    for (n, name) in names.iter().enumerate() {
        if n > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        match *name {
            "(request-target)" => {
                let target = if with_query { req.path_and_query() } else { req.path().to_string() };
                out.extend_from_slice(req.method.as_str().to_ascii_lowercase().as_bytes());
                out.push(b' ');
                out.extend_from_slice(target.as_bytes());
            }
            "(created)" => out.extend_from_slice(
                params.created.as_deref().ok_or_else(|| SignatureError::MissingHeader("(created)".into()))?.as_bytes(),
            ),
            "(expires)" => out.extend_from_slice(
                params.expires.as_deref().ok_or_else(|| SignatureError::MissingHeader("(expires)".into()))?.as_bytes(),
            ),
            field => {
                let value = req.field_value(field).ok_or_else(|| SignatureError::MissingHeader(field.to_string()))?;
                out.extend_from_slice(&value);
            }
        }
    }
    Ok(out)
}

pub(super) fn prepare(
    req: &RequestParts,
    value: &str,
    body: &[u8],
    options: &VerifyOptions,
) -> Result<PendingSignature, SignatureError> {
    let params = parse_params(value)?;
    let key_id = params
        .key_id
        .clone()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| SignatureError::Malformed { header: HEADER, reason: "no keyId".into() })?;
    let signature = params
        .signature
        .as_deref()
        .map(|s| STANDARD.decode(s.trim()))
        .transpose()
        .map_err(|_| SignatureError::Malformed { header: HEADER, reason: "signature is not base64".into() })?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| SignatureError::Malformed { header: HEADER, reason: "no signature".into() })?;
    // hs2019 means "whatever the key says"; for the RSA keys the fediverse uses, that is
    // PKCS#1 v1.5 with SHA-256, which is what Mastodon signs under that name.
    let algorithm = match params.algorithm.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("hs2019" | "rsa-sha256") => SignatureAlgorithm::RsaPkcs1Sha256,
        Some("rsa-sha512") => SignatureAlgorithm::RsaPkcs1Sha512,
        Some(other) => return Err(SignatureError::UnsupportedAlgorithm(other.to_string())),
    };
    // The draft's default list is "(created)"; it fails the coverage rules below, as it should.
    let header_list = params.headers.as_deref().unwrap_or("(created)").to_ascii_lowercase();
    let names: Vec<&str> = header_list.split_ascii_whitespace().collect();

    // What must be signed: the method and path, the host, a time, and the body's digest.
    for required in ["(request-target)", "host"] {
        if !names.contains(&required) {
            return Err(SignatureError::NotCovered(required.into()));
        }
    }
    let signs_date = names.contains(&"date");
    let signs_created = names.contains(&"(created)");
    if !signs_date && !signs_created {
        return Err(SignatureError::NotCovered("date".into()));
    }
    if signs_date {
        let date = req.header_str("date")?.ok_or_else(|| SignatureError::MissingHeader("date".into()))?;
        let signed_at = httpdate::parse_http_date(date.trim()).map_err(|_| SignatureError::Malformed {
            header: "Date",
            reason: format!("{date:?} is not an HTTP date"),
        })?;
        options.check_time(super::unix_seconds(signed_at))?;
    }
    if let Some(created) = &params.created {
        options.check_time(parse_time("created", created)?)?;
    }
    if let Some(expires) = &params.expires {
        options.check_expires(parse_time("expires", expires)?)?;
    }
    let signs_digest = names.contains(&"digest");
    if has_body(&req.method, body) {
        if !req.headers.contains_key("digest") {
            return Err(SignatureError::MissingDigest("Digest"));
        }
        if !signs_digest {
            return Err(SignatureError::NotCovered("digest".into()));
        }
    }
    if signs_digest {
        let value = req.header_str("digest")?.ok_or_else(|| SignatureError::MissingHeader("digest".into()))?;
        digest::check_digest(value, body)?;
    }

    let mut messages = vec![signing_string(req, &names, &params, true)?];
    if req.query().is_some_and(|q| !q.is_empty()) {
        messages.push(signing_string(req, &names, &params, false)?);
    }
    Ok(PendingSignature {
        key_id,
        dialect: Dialect::Cavage,
        label: None,
        algorithms: vec![algorithm],
        signature,
        messages,
        covered: names.iter().map(|s| s.to_string()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mastodon_style_parameters() {
        let p = parse_params(
            r#"keyId="https://m.example/users/a#main-key",algorithm="hs2019",headers="(request-target) host date digest content-type",signature="YWJj""#,
        )
        .unwrap();
        assert_eq!(p.key_id.as_deref(), Some("https://m.example/users/a#main-key"));
        assert_eq!(p.algorithm.as_deref(), Some("hs2019"));
        assert_eq!(p.signature.as_deref(), Some("YWJj"));
    }

    #[test]
    fn tolerates_spacing_case_commas_in_quotes_and_unknown_parameters() {
        let p = parse_params(r#" keyid = "a,b" , Headers="date",created=1402170695, ext="x", signature="s" "#).unwrap();
        assert_eq!(p.key_id.as_deref(), Some("a,b"));
        assert_eq!(p.headers.as_deref(), Some("date"));
        assert_eq!(p.created.as_deref(), Some("1402170695"));
    }

    #[test]
    fn refuses_ambiguous_or_broken_parameters() {
        assert!(parse_params(r#"keyId="a",keyId="b""#).is_err());
        assert!(parse_params(r#"keyId="a"#).is_err());
        assert!(parse_params("keyId").is_err());
    }
}
