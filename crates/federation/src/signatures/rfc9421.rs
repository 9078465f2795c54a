//! RFC 9421 HTTP Message Signatures for requests, with RFC 9530 `Content-Digest`.

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderName;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

use super::sfv::{self, BareItem, Item, Member, Parameters};
use super::{
    Dialect, PendingSignature, RequestParts, SignError, SignatureError, VerifyOptions, add_host_and_date, digest,
    has_body, sign_bytes,
};
use crate::keys::{PrivateKey, SignatureAlgorithm};

/// The label we sign under, as Fedify does.
pub const LABEL: &str = "sig1";

/// Signs `req` with the components Fedify signs: `@method @target-uri @authority host date`,
/// plus `content-digest` when there is a body; parameters `created`, `keyid` and
/// `alg="rsa-v1_5-sha256"`. Adds `Host`, `Date` and `Content-Digest` when missing.
pub fn sign_rfc9421(
    req: &mut RequestParts,
    body: &[u8],
    key: &PrivateKey,
    key_id: &str,
    now: SystemTime,
) -> Result<(), SignError> {
    if key_id.is_empty() || !sfv::is_valid_string(key_id) {
        return Err(SignError::BadKeyId(key_id.to_string()));
    }
    add_host_and_date(req, now)?;
    let mut names = vec!["@method", "@target-uri", "@authority", "host", "date"];
    if has_body(&req.method, body) {
        if !req.headers.contains_key("content-digest") {
            req.set_header(HeaderName::from_static("content-digest"), &digest::content_digest_header(body))?;
        }
        names.push("content-digest");
    }
    let items: Vec<Item> =
        names.iter().map(|n| Item { value: BareItem::String((*n).to_string()), params: Vec::new() }).collect();
    let params: Parameters = vec![
        ("created".into(), BareItem::Integer(super::unix_seconds(now))),
        ("keyid".into(), BareItem::String(key_id.to_string())),
        ("alg".into(), BareItem::String("rsa-v1_5-sha256".into())),
    ];
    let base = signature_base(req, &items, &params).map_err(|e| match e {
        SignatureError::MissingHeader(_) => SignError::NoAuthority,
        _ => SignError::BadHeaderValue("Signature-Input".into()),
    })?;
    let signature = sign_bytes(key, &base)?;
    let mut input = format!("{LABEL}=");
    sfv::serialize_inner_list(&mut input, &items, &params);
    req.set_header(HeaderName::from_static("signature-input"), &input)?;
    req.set_header(HeaderName::from_static("signature"), &format!("{LABEL}=:{signature}:"))
}

fn malformed(header: &'static str, reason: impl Into<String>) -> SignatureError {
    SignatureError::Malformed { header, reason: reason.into() }
}

/// Tries each signature in `Signature-Input` order and returns the first that passes every
/// key-independent check; if none does, the first one's error.
pub(super) fn prepare(
    req: &RequestParts,
    body: &[u8],
    options: &VerifyOptions,
) -> Result<PendingSignature, SignatureError> {
    let inputs = joined(req, "signature-input")?;
    let inputs = sfv::parse_dictionary(&inputs).map_err(|e| malformed("Signature-Input", e.to_string()))?;
    let signatures = joined(req, "signature")?;
    let signatures = sfv::parse_dictionary(&signatures).map_err(|e| malformed("Signature", e.to_string()))?;

    let mut first_error = None;
    for (label, member) in &inputs {
        match prepare_one(req, body, options, label, member, &signatures) {
            Ok(pending) => return Ok(pending),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| malformed("Signature-Input", "no signatures")))
}

/// All field lines of a header joined by `, ` (a dictionary may be split across lines).
fn joined(req: &RequestParts, name: &'static str) -> Result<String, SignatureError> {
    let mut out = Vec::new();
    for value in req.headers.get_all(name) {
        let value = value.to_str().map_err(|_| malformed(super::canonical_name(name), "not visible ASCII"))?;
        out.push(value.trim());
    }
    if out.is_empty() {
        return Err(SignatureError::MissingHeader(name.into()));
    }
    Ok(out.join(", "))
}

fn prepare_one(
    req: &RequestParts,
    body: &[u8],
    options: &VerifyOptions,
    label: &str,
    member: &Member,
    signatures: &sfv::Dictionary,
) -> Result<PendingSignature, SignatureError> {
    let Member::InnerList(items, params) = member else {
        return Err(malformed("Signature-Input", format!("{label} is not an inner list")));
    };
    let signature = match signatures.iter().find(|(l, _)| l == label) {
        Some((_, Member::Item(Item { value: BareItem::ByteSeq(bytes), .. }))) if !bytes.is_empty() => bytes.clone(),
        Some(_) => return Err(malformed("Signature", format!("{label} is not a byte sequence"))),
        None => return Err(malformed("Signature", format!("no signature labelled {label}"))),
    };
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v);

    let key_id = match param("keyid") {
        Some(BareItem::String(k)) if !k.is_empty() => k.clone(),
        _ => return Err(malformed("Signature-Input", format!("{label} has no keyid"))),
    };
    // Without `alg` the key decides (§3.3.7). Our keys are RSA, so either RSA scheme RFC 9421
    // registers may have been used; trying both costs one extra verify, never a forgery.
    let algorithms = match param("alg") {
        None => vec![SignatureAlgorithm::RsaPkcs1Sha256, SignatureAlgorithm::RsaPssSha512],
        Some(BareItem::String(alg)) => match alg.as_str() {
            "rsa-v1_5-sha256" => vec![SignatureAlgorithm::RsaPkcs1Sha256],
            "rsa-v1_5-sha512" => vec![SignatureAlgorithm::RsaPkcs1Sha512],
            "rsa-pss-sha512" => vec![SignatureAlgorithm::RsaPssSha512],
            other => return Err(SignatureError::UnsupportedAlgorithm(other.to_string())),
        },
        Some(_) => return Err(malformed("Signature-Input", "alg is not a string")),
    };
    match param("created") {
        Some(BareItem::Integer(created)) => options.check_time(*created)?,
        Some(_) => return Err(malformed("Signature-Input", "created is not an integer")),
        // Without it a signature could be replayed for ever.
        None => return Err(SignatureError::NotCovered("the created parameter".into())),
    }
    match param("expires") {
        Some(BareItem::Integer(expires)) => options.check_expires(*expires)?,
        Some(_) => return Err(malformed("Signature-Input", "expires is not an integer")),
        None => {}
    }

    let mut covered = Vec::with_capacity(items.len());
    for item in items {
        match &item.value {
            BareItem::String(name) => covered.push(name.clone()),
            _ => return Err(malformed("Signature-Input", "a component identifier is not a string")),
        }
    }
    let has = |name: &str| covered.iter().any(|c| c == name);
    if !has("@method") {
        return Err(SignatureError::NotCovered("@method".into()));
    }
    let signs_target =
        has("@target-uri") || ((has("@authority") || has("host")) && (has("@path") || has("@request-target")));
    if !signs_target {
        return Err(SignatureError::NotCovered("the target (@target-uri, or @authority with @path)".into()));
    }
    let signs_digest = has("content-digest");
    if has_body(&req.method, body) {
        if !req.headers.contains_key("content-digest") {
            return Err(SignatureError::MissingDigest("Content-Digest"));
        }
        if !signs_digest {
            return Err(SignatureError::NotCovered("content-digest".into()));
        }
    }
    if signs_digest {
        let value =
            joined(req, "content-digest").map_err(|_| SignatureError::MissingHeader("content-digest".into()))?;
        digest::check_content_digest(&value, body)?;
    }

    let base = signature_base(req, items, params)?;
    Ok(PendingSignature {
        key_id,
        dialect: Dialect::Rfc9421,
        label: Some(label.to_string()),
        algorithms,
        signature,
        messages: vec![base],
        covered,
    })
}

/// The signature base (RFC 9421 §2.5): one line per covered component, then
/// `"@signature-params"`, the inner list serialised again (§2.3).
pub(super) fn signature_base(
    req: &RequestParts,
    items: &[Item],
    params: &Parameters,
) -> Result<Vec<u8>, SignatureError> {
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let BareItem::String(name) = &item.value else {
            return Err(malformed("Signature-Input", "a component identifier is not a string"));
        };
        let mut id = String::new();
        sfv::serialize_item(&mut id, item);
        if seen.contains(&id) {
            return Err(malformed("Signature-Input", format!("component {id} appears twice")));
        }
        let value = component_value(req, name, &item.params)?;
        if value.contains(&b'\n') || value.contains(&b'\r') {
            return Err(malformed("Signature-Input", format!("component {id} has a line break")));
        }
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&value);
        out.push(b'\n');
        seen.push(id);
    }
    let mut line = String::from("\"@signature-params\": ");
    sfv::serialize_inner_list(&mut line, items, params);
    out.extend_from_slice(line.as_bytes());
    Ok(out)
}

fn component_value(req: &RequestParts, name: &str, params: &Parameters) -> Result<Vec<u8>, SignatureError> {
    let unsupported = || {
        let mut id = String::new();
        sfv::serialize_item(&mut id, &Item { value: BareItem::String(name.to_string()), params: params.clone() });
        SignatureError::UnsupportedComponent(id)
    };
    let param_names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    if name.starts_with('@') {
        let value = match (name, param_names.as_slice()) {
            ("@method", []) => req.method.as_str().to_string(),
            ("@target-uri", []) => req.target_uri().ok_or_else(|| SignatureError::MissingHeader("host".into()))?,
            ("@authority", []) => req.authority().ok_or_else(|| SignatureError::MissingHeader("host".into()))?,
            ("@scheme", []) => req.scheme().to_ascii_lowercase(),
            ("@request-target", []) => req.path_and_query(),
            ("@path", []) => req.path().to_string(),
            ("@query", []) => format!("?{}", req.query().unwrap_or("")),
            ("@query-param", ["name"]) => match &params[0].1 {
                BareItem::String(wanted) => query_param(req, wanted)?,
                _ => return Err(unsupported()),
            },
            _ => return Err(unsupported()),
        };
        return Ok(value.into_bytes());
    }
    if name.is_empty() || name.bytes().any(|c| c.is_ascii_uppercase()) {
        return Err(malformed("Signature-Input", format!("component {name:?} is not a lowercase field name")));
    }
    match param_names.as_slice() {
        [] => req.field_value(name).ok_or_else(|| SignatureError::MissingHeader(name.to_string())),
        // `bs`: each field line wrapped as a byte sequence (§2.1.3).
        ["bs"] => {
            let lines: Vec<String> = req
                .headers
                .get_all(name)
                .iter()
                .map(|v| format!(":{}:", STANDARD.encode(v.as_bytes().trim_ascii())))
                .collect();
            if lines.is_empty() {
                return Err(SignatureError::MissingHeader(name.to_string()));
            }
            Ok(lines.join(", ").into_bytes())
        }
        // `sf`, `key`, `req`, `tr`: structured re-serialisation, responses and trailers are
        // not needed for the fediverse yet.
        _ => Err(unsupported()),
    }
}

/// The application/x-www-form-urlencoded percent-encode set, with space as `%20` (§2.2.8).
const QUERY_PARAM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'*').remove(b'-').remove(b'.').remove(b'_');

/// `@query-param;name=…`: the one value of the named parameter, decoded and re-encoded.
fn query_param(req: &RequestParts, wanted: &str) -> Result<String, SignatureError> {
    let query = req.query().unwrap_or("");
    let wanted: String =
        url::form_urlencoded::parse(wanted.as_bytes()).map(|(k, _)| k.into_owned()).next().unwrap_or_default();
    let mut found = url::form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| *k == wanted).map(|(_, v)| v);
    let value = found.next().ok_or_else(|| SignatureError::MissingHeader(format!("query parameter {wanted:?}")))?;
    if found.next().is_some() {
        return Err(SignatureError::UnsupportedComponent(format!("query parameter {wanted:?} appears more than once")));
    }
    Ok(percent_encoding::utf8_percent_encode(&value, QUERY_PARAM).to_string())
}
