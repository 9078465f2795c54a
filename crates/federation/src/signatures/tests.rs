//! Signing and verifying both dialects, the published test vectors, and every refusal.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue, Method, Uri};

use super::*;
use crate::keys::tests::test_key;

const BODY: &[u8] =
    br#"{"type":"Follow","actor":"https://a.example/users/alice","object":"https://b.example/users/bob"}"#;
const KEY_ID: &str = "https://a.example/users/alice#main-key";

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

const NOW: u64 = 1_790_000_000;

fn post(uri: &str) -> RequestParts {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/activity+json"));
    RequestParts::new(Method::POST, uri.parse().unwrap(), headers)
}

/// What the receiving server sees: origin-form URI, headers as sent.
fn as_received(req: &RequestParts) -> RequestParts {
    let origin: Uri = req.uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/").parse().unwrap();
    RequestParts::new(req.method.clone(), origin, req.headers.clone())
}

fn lookup(key_id: &str) -> Option<PublicKey> {
    (key_id == KEY_ID).then(|| test_key().public_key())
}

fn options() -> VerifyOptions {
    VerifyOptions::new(at(NOW + 30))
}

#[test]
fn cavage_round_trip_looks_like_mastodon() {
    let mut req = post("https://b.example/users/bob/inbox");
    sign_cavage(&mut req, BODY, test_key(), KEY_ID, at(NOW)).unwrap();
    let sig = req.headers["signature"].to_str().unwrap();
    assert!(sig.starts_with(&format!(
        r#"keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature=""#
    )));
    assert_eq!(req.headers["host"], "b.example");
    assert_eq!(req.headers["date"], httpdate::fmt_http_date(at(NOW)).as_str());
    assert_eq!(req.headers["digest"].to_str().unwrap(), digest::digest_header(BODY));

    let verified = verify(&as_received(&req), BODY, &options(), lookup).unwrap();
    assert_eq!(verified.key_id, KEY_ID);
    assert_eq!(verified.dialect, Dialect::Cavage);
    assert_eq!(verified.covered, ["(request-target)", "host", "date", "digest", "content-type"]);
    // The absolute form verifies the same.
    verify(&req, BODY, &options(), lookup).unwrap();
}

#[test]
fn rfc9421_round_trip_signs_what_fedify_signs() {
    let mut req = post("https://b.example/users/bob/inbox");
    sign_rfc9421(&mut req, BODY, test_key(), KEY_ID, at(NOW)).unwrap();
    assert_eq!(
        req.headers["signature-input"].to_str().unwrap(),
        format!(
            r#"sig1=("@method" "@target-uri" "@authority" "host" "date" "content-digest");created={NOW};keyid="{KEY_ID}";alg="rsa-v1_5-sha256""#
        )
    );
    let sig = req.headers["signature"].to_str().unwrap();
    assert!(sig.starts_with("sig1=:") && sig.ends_with(':'));
    assert_eq!(req.headers["content-digest"].to_str().unwrap(), digest::content_digest_header(BODY));

    let verified = verify(&as_received(&req), BODY, &options(), lookup).unwrap();
    assert_eq!(verified.dialect, Dialect::Rfc9421);
    assert_eq!(verified.label.as_deref(), Some("sig1"));
}

#[test]
fn signed_gets_carry_no_digest() {
    for rfc in [false, true] {
        let mut req = RequestParts::new(Method::GET, "https://b.example/users/bob".parse().unwrap(), HeaderMap::new());
        if rfc {
            sign_rfc9421(&mut req, b"", test_key(), KEY_ID, at(NOW)).unwrap();
        } else {
            sign_cavage(&mut req, b"", test_key(), KEY_ID, at(NOW)).unwrap();
        }
        assert!(!req.headers.contains_key("digest") && !req.headers.contains_key("content-digest"));
        verify(&as_received(&req), b"", &options(), lookup).unwrap();
    }
}

#[test]
fn the_signature_base_matches_the_rfc_layout() {
    let mut req = post("https://b.example:8443/inbox?x=1");
    sign_rfc9421(&mut req, BODY, test_key(), KEY_ID, at(NOW)).unwrap();
    let (items, params) = match &sfv::parse_dictionary(req.headers["signature-input"].to_str().unwrap()).unwrap()[0].1 {
        sfv::Member::InnerList(items, params) => (items.clone(), params.clone()),
        sfv::Member::Item(_) => unreachable!(),
    };
    let base = String::from_utf8(rfc9421::signature_base(&req, &items, &params).unwrap()).unwrap();
    let expected = format!(
        "\"@method\": POST\n\"@target-uri\": https://b.example:8443/inbox?x=1\n\"@authority\": b.example:8443\n\
         \"host\": b.example:8443\n\"date\": {}\n\"content-digest\": {}\n\
         \"@signature-params\": (\"@method\" \"@target-uri\" \"@authority\" \"host\" \"date\" \"content-digest\");created={NOW};keyid=\"{KEY_ID}\";alg=\"rsa-v1_5-sha256\"",
        httpdate::fmt_http_date(at(NOW)),
        digest::content_digest_header(BODY),
    );
    assert_eq!(base, expected);
}

// --- Published test vectors -------------------------------------------------------------

/// RFC 9421 Appendix B.1.2, `test-key-rsa-pss` (public half; its SPKI uses rsaEncryption).
const RFC_RSA_PSS_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----";

const RFC_CREATED: u64 = 1_618_884_473;
const RFC_BODY: &[u8] = br#"{"hello": "world"}"#;

/// RFC 9421 Appendix B.2's `test-request`.
fn rfc_request() -> RequestParts {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("example.com"));
    headers.insert("date", HeaderValue::from_static("Tue, 20 Apr 2021 02:07:55 GMT"));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert(
        "content-digest",
        HeaderValue::from_static(
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        ),
    );
    headers.insert("content-length", HeaderValue::from_static("18"));
    RequestParts::new(Method::POST, "/foo?param=Value&Pet=dog".parse().unwrap(), headers)
}

fn inner_list(input: &str) -> (Vec<sfv::Item>, sfv::Parameters) {
    match sfv::parse_dictionary(input).unwrap().remove(0).1 {
        sfv::Member::InnerList(items, params) => (items, params),
        sfv::Member::Item(_) => panic!("not an inner list"),
    }
}

fn rfc_key() -> PublicKey {
    PublicKey::from_pem(RFC_RSA_PSS_PUBLIC).unwrap()
}

#[test]
fn rfc9421_b21_minimal_signature_base_and_signature() {
    let (items, params) =
        inner_list(r#"sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#);
    let base = rfc9421::signature_base(&rfc_request(), &items, &params).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&base),
        r#""@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#
    );
    let sig = STANDARD.decode("d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==").unwrap();
    assert!(rfc_key().verify(SignatureAlgorithm::RsaPssSha512, &base, &sig));

    // Our policy refuses it: it covers nothing, so it could be replayed against any request.
    let mut req = rfc_request();
    req.headers.insert(
        "signature-input",
        HeaderValue::from_static(
            r#"sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#,
        ),
    );
    req.headers.insert("signature", HeaderValue::from_str(&format!("sig-b21=:{}:", STANDARD.encode(&sig))).unwrap());
    let err = prepare(&req, RFC_BODY, &VerifyOptions::new(at(RFC_CREATED))).unwrap_err();
    assert_eq!(err, SignatureError::NotCovered("@method".into()));
}

#[test]
fn rfc9421_b22_selective_components_with_query_param() {
    let (items, params) = inner_list(
        r#"sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example""#,
    );
    let base = rfc9421::signature_base(&rfc_request(), &items, &params).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&base),
        "\"@authority\": example.com\n\
         \"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n\
         \"@query-param\";name=\"Pet\": dog\n\
         \"@signature-params\": (\"@authority\" \"content-digest\" \"@query-param\";name=\"Pet\");created=1618884473;keyid=\"test-key-rsa-pss\";tag=\"header-example\""
    );
    let sig = STANDARD.decode("LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==").unwrap();
    assert!(rfc_key().verify(SignatureAlgorithm::RsaPssSha512, &base, &sig));
}

#[test]
fn rfc9421_b23_full_coverage_verifies_end_to_end() {
    let mut req = rfc_request();
    req.headers.insert(
        "signature-input",
        HeaderValue::from_static(
            r#"sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#,
        ),
    );
    req.headers.insert("signature", HeaderValue::from_static("sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:"));
    let opts = VerifyOptions::new(at(RFC_CREATED + 60));
    let pending = prepare(&req, RFC_BODY, &opts).unwrap();
    assert_eq!(pending.key_id(), "test-key-rsa-pss");
    assert_eq!(
        String::from_utf8_lossy(&pending.messages[0]),
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@query\": ?param=Value&Pet=dog\n\
         \"@authority\": example.com\n\"content-type\": application/json\n\
         \"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n\
         \"content-length\": 18\n\
         \"@signature-params\": (\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\""
    );
    let verified = pending.verify(&rfc_key()).unwrap();
    assert_eq!(verified.label.as_deref(), Some("sig-b23"));

    // A changed body fails the digest before any key is needed.
    assert_eq!(
        prepare(&req, br#"{"hello": "World"}"#, &opts).unwrap_err(),
        SignatureError::DigestMismatch { header: "Content-Digest" }
    );
    // A changed path fails the signature.
    let mut moved = req.clone();
    moved.uri = "/bar?param=Value&Pet=dog".parse().unwrap();
    assert!(matches!(
        prepare(&moved, RFC_BODY, &opts).unwrap().verify(&rfc_key()),
        Err(SignatureError::BadSignature { .. })
    ));
}

/// RFC 9421 Appendix B.1.1, `test-key-rsa`, published as PKCS#1 (`BEGIN RSA PUBLIC KEY`).
const RFC_RSA_PUBLIC: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsPBRrw
WEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsdJKFq
MGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75jfZg
kne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKIlE0P
uKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZSFlQ
PSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQAB
-----END RSA PUBLIC KEY-----";

/// RFC 9421 §4.3: a proxy's `rsa-v1_5-sha256` signature over the forwarded request — the
/// scheme the fediverse uses, verified end to end with its deterministic published value.
#[test]
fn rfc9421_section_4_3_rsa_v1_5_sha256_proxy_signature() {
    let mut req = rfc_request();
    req.headers.insert("host", HeaderValue::from_static("origin.host.internal.example"));
    req.headers.insert("date", HeaderValue::from_static("Tue, 20 Apr 2021 02:07:56 GMT"));
    req.headers.insert("forwarded", HeaderValue::from_static("for=192.0.2.123;host=example.com;proto=https"));
    req.headers.insert(
        "signature-input",
        HeaderValue::from_static(
            r#"proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540"#,
        ),
    );
    req.headers.insert("signature", HeaderValue::from_static("proxy_sig=:S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==:"));
    let key = PublicKey::from_pem(RFC_RSA_PUBLIC).unwrap();
    assert_eq!(key.bits(), 2048);
    let verified = verify(&req, RFC_BODY, &VerifyOptions::new(at(1_618_884_500)), |id| {
        (id == "test-key-rsa").then(|| key.clone())
    })
    .unwrap();
    assert_eq!(verified.label.as_deref(), Some("proxy_sig"));
    // After `expires` it is refused.
    let late = VerifyOptions::new(at(1_618_884_541));
    assert!(matches!(prepare(&req, RFC_BODY, &late), Err(SignatureError::Expired { expires: 1_618_884_540, .. })));
}

/// draft-cavage-http-signatures-12 Appendix C.3 (all headers): our signing string verifies the
/// published signature. Its `Test` key is 1024-bit, which we refuse in production, so the
/// check goes to ring's legacy algorithm directly.
#[test]
fn cavage_appendix_c3_signing_string() {
    let test_key_spki = STANDARD
        .decode("MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB")
        .unwrap();
    let pkcs1 = &test_key_spki[22..]; // SPKI header of a 1024-bit rsaEncryption key is 22 bytes
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("example.com"));
    headers.insert("date", HeaderValue::from_static("Sun, 05 Jan 2014 21:31:40 GMT"));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("digest", HeaderValue::from_static("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="));
    headers.insert("content-length", HeaderValue::from_static("18"));
    headers.insert("signature", HeaderValue::from_static(r#"keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",signature="vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=""#));
    let req = RequestParts::new(Method::POST, "/foo?param=value&pet=dog".parse().unwrap(), headers);
    let opts = VerifyOptions::new(httpdate::parse_http_date("Sun, 05 Jan 2014 21:31:40 GMT").unwrap());
    let pending = prepare(&req, RFC_BODY, &opts).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&pending.messages[0]),
        "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT\n\
         content-type: application/json\ndigest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\ncontent-length: 18"
    );
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        pkcs1,
    );
    assert!(key.verify(&pending.messages[0], &pending.signature).is_ok());
}

// --- Compatibility ------------------------------------------------------------------------

#[test]
fn cavage_accepts_a_request_target_signed_without_the_query() {
    // Mastodon before 4.x and Fedify leave the query out of (request-target).
    let mut req = post("https://b.example/outbox?page=true");
    req.method = Method::GET;
    sign_cavage(&mut req, b"", test_key(), KEY_ID, at(NOW)).unwrap();
    // Re-sign by hand over the path alone.
    let names = "(request-target) host date content-type";
    let message = format!(
        "(request-target): get /outbox\nhost: b.example\ndate: {}\ncontent-type: application/activity+json",
        httpdate::fmt_http_date(at(NOW))
    );
    let signature = STANDARD.encode(test_key().sign(message.as_bytes()).unwrap());
    req.headers.insert(
        "signature",
        format!(r#"keyId="{KEY_ID}",algorithm="hs2019",headers="{names}",signature="{signature}""#).parse().unwrap(),
    );
    verify(&as_received(&req), b"", &options(), lookup).unwrap();
}

#[test]
fn cavage_in_the_authorization_header_verifies() {
    let mut req = post("https://b.example/inbox");
    sign_cavage(&mut req, BODY, test_key(), KEY_ID, at(NOW)).unwrap();
    let sig = req.headers.remove("signature").unwrap();
    req.headers.insert("authorization", format!("Signature {}", sig.to_str().unwrap()).parse().unwrap());
    verify(&req, BODY, &options(), lookup).unwrap();
}

#[test]
fn http2_requests_without_a_host_header_use_the_uri_authority() {
    let mut req = post("https://b.example/inbox");
    sign_rfc9421(&mut req, BODY, test_key(), KEY_ID, at(NOW)).unwrap();
    req.headers.remove("host");
    verify(&req, BODY, &options(), lookup).unwrap();
}

#[test]
fn default_ports_are_dropped_from_the_authority() {
    let mut req = post("https://B.Example:443/inbox");
    sign_rfc9421(&mut req, BODY, test_key(), KEY_ID, at(NOW)).unwrap();
    assert_eq!(req.headers["host"], "b.example");
    assert!(req.headers["signature-input"].to_str().unwrap().contains("\"@authority\""));
    verify(&as_received(&req), BODY, &options(), lookup).unwrap();
}

// --- Refusals -----------------------------------------------------------------------------

fn signed(rfc: bool) -> RequestParts {
    let mut req = post("https://b.example/inbox");
    if rfc {
        sign_rfc9421(&mut req, BODY, test_key(), KEY_ID, at(NOW)).unwrap();
    } else {
        sign_cavage(&mut req, BODY, test_key(), KEY_ID, at(NOW)).unwrap();
    }
    as_received(&req)
}

#[test]
fn unsigned_requests_are_named_as_such() {
    let req = post("https://b.example/inbox");
    assert_eq!(prepare(&req, BODY, &options()).unwrap_err(), SignatureError::Unsigned);
}

#[test]
fn tampered_bodies_fail_the_digest_in_both_dialects() {
    assert_eq!(
        prepare(&signed(false), b"{}", &options()).unwrap_err(),
        SignatureError::DigestMismatch { header: "Digest" }
    );
    assert_eq!(
        prepare(&signed(true), b"{}", &options()).unwrap_err(),
        SignatureError::DigestMismatch { header: "Content-Digest" }
    );
}

#[test]
fn a_digest_replaced_to_match_a_new_body_fails_the_signature() {
    for (rfc, header, value) in [
        (false, "digest", digest::digest_header(b"{}")),
        (true, "content-digest", digest::content_digest_header(b"{}")),
    ] {
        let mut req = signed(rfc);
        req.headers.insert(header, value.parse().unwrap());
        let err = verify(&req, b"{}", &options(), lookup).unwrap_err();
        assert_eq!(err, SignatureError::BadSignature { key_id: KEY_ID.into() });
    }
}

#[test]
fn stale_and_future_dates_are_refused_with_the_numbers() {
    for rfc in [false, true] {
        let req = signed(rfc);
        let late = VerifyOptions::new(at(NOW + 12 * 3600 + 1));
        assert!(
            matches!(prepare(&req, BODY, &late), Err(SignatureError::TooOld { signed_at, .. }) if signed_at == NOW as i64)
        );
        let early = VerifyOptions::new(at(NOW - 301));
        assert!(matches!(prepare(&req, BODY, &early), Err(SignatureError::FromFuture { .. })));
        prepare(&req, BODY, &VerifyOptions::new(at(NOW - 299))).unwrap();
        let strict = VerifyOptions { max_age: Duration::from_secs(10), ..options() };
        assert!(matches!(prepare(&req, BODY, &strict), Err(SignatureError::TooOld { max_age_secs: 10, .. })));
    }
}

#[test]
fn expired_rfc9421_signatures_are_refused() {
    let mut req = signed(true);
    let input = req.headers["signature-input"].to_str().unwrap().to_string();
    req.headers.insert("signature-input", format!("{input};expires={}", NOW + 10).parse().unwrap());
    assert_eq!(
        prepare(&req, BODY, &options()).unwrap_err(),
        SignatureError::Expired { expires: NOW as i64 + 10, now: NOW as i64 + 30 }
    );
}

#[test]
fn missing_bodies_digests_and_coverage_are_named() {
    // A body but no digest header at all.
    let mut req = signed(false);
    req.headers.remove("digest");
    assert_eq!(prepare(&req, BODY, &options()).unwrap_err(), SignatureError::MissingDigest("Digest"));

    // A signed header the request lost.
    let mut req = signed(false);
    req.headers.remove("content-type");
    assert_eq!(prepare(&req, BODY, &options()).unwrap_err(), SignatureError::MissingHeader("content-type".into()));

    // Coverage too thin.
    let mut req = signed(false);
    let sig =
        req.headers["signature"].to_str().unwrap().replace("(request-target) host date digest", "host date digest");
    req.headers.insert("signature", sig.parse().unwrap());
    assert_eq!(prepare(&req, BODY, &options()).unwrap_err(), SignatureError::NotCovered("(request-target)".into()));

    let mut req = signed(false);
    let sig = req.headers["signature"].to_str().unwrap().replace(" digest", "");
    req.headers.insert("signature", sig.parse().unwrap());
    assert_eq!(prepare(&req, BODY, &options()).unwrap_err(), SignatureError::NotCovered("digest".into()));

    let mut req = signed(true);
    let input = req.headers["signature-input"].to_str().unwrap().replace(" \"content-digest\"", "");
    req.headers.insert("signature-input", input.parse().unwrap());
    assert_eq!(prepare(&req, BODY, &options()).unwrap_err(), SignatureError::NotCovered("content-digest".into()));

    let mut req = signed(true);
    let input =
        req.headers["signature-input"].to_str().unwrap().replace("\"@target-uri\" \"@authority\" \"host\" ", "");
    req.headers.insert("signature-input", input.parse().unwrap());
    assert!(
        matches!(prepare(&req, BODY, &options()).unwrap_err(), SignatureError::NotCovered(what) if what.contains("target"))
    );
}

#[test]
fn unsupported_algorithms_and_components_are_named() {
    let mut req = signed(false);
    let sig = req.headers["signature"].to_str().unwrap().replace("rsa-sha256", "ed25519");
    req.headers.insert("signature", sig.parse().unwrap());
    assert_eq!(prepare(&req, BODY, &options()).unwrap_err(), SignatureError::UnsupportedAlgorithm("ed25519".into()));

    let mut req = signed(true);
    let input = req.headers["signature-input"].to_str().unwrap().replace("rsa-v1_5-sha256", "ecdsa-p256-sha256");
    req.headers.insert("signature-input", input.parse().unwrap());
    assert_eq!(
        prepare(&req, BODY, &options()).unwrap_err(),
        SignatureError::UnsupportedAlgorithm("ecdsa-p256-sha256".into())
    );

    let mut req = signed(true);
    let input = req.headers["signature-input"].to_str().unwrap().replace("\"date\"", "\"date\";sf");
    req.headers.insert("signature-input", input.parse().unwrap());
    assert_eq!(
        prepare(&req, BODY, &options()).unwrap_err(),
        SignatureError::UnsupportedComponent("\"date\";sf".into())
    );
}

#[test]
fn wrong_keys_and_unknown_keys_are_told_apart() {
    let req = signed(true);
    assert_eq!(verify(&req, BODY, &options(), |_| None).unwrap_err(), SignatureError::UnknownKey(KEY_ID.into()));
    let other = PublicKey::from_pem(RFC_RSA_PSS_PUBLIC).unwrap();
    assert_eq!(
        verify(&req, BODY, &options(), |_| Some(other)).unwrap_err(),
        SignatureError::BadSignature { key_id: KEY_ID.into() }
    );
}

#[test]
fn malformed_headers_are_named() {
    let mut req = signed(false);
    req.headers
        .insert("signature", HeaderValue::from_static(r#"keyId="x",headers="(request-target) host date digest""#));
    assert!(matches!(prepare(&req, BODY, &options()), Err(SignatureError::Malformed { header: "Signature", .. })));

    let mut req = signed(true);
    req.headers.insert("signature-input", HeaderValue::from_static("sig1=(\"@method\""));
    assert!(matches!(
        prepare(&req, BODY, &options()),
        Err(SignatureError::Malformed { header: "Signature-Input", .. })
    ));

    let mut req = signed(true);
    req.headers.insert("signature", HeaderValue::from_static("other=:AAAA:"));
    assert!(matches!(prepare(&req, BODY, &options()), Err(SignatureError::Malformed { header: "Signature", .. })));

    let mut req = signed(false);
    req.headers.insert("date", HeaderValue::from_static("yesterday"));
    assert!(matches!(prepare(&req, BODY, &options()), Err(SignatureError::Malformed { header: "Date", .. })));
}

#[test]
fn errors_read_well() {
    assert_eq!(
        SignatureError::DigestMismatch { header: "Digest" }.to_string(),
        "the Digest header does not match the body"
    );
    assert_eq!(
        SignatureError::TooOld { signed_at: 1, now: 50_000, max_age_secs: 43_200 }.to_string(),
        "the signature is too old: signed at 1, now 50000 (unix seconds), limit 43200 s"
    );
}

#[test]
fn a_second_rfc9421_signature_is_used_when_the_first_cannot_be() {
    let mut req = signed(true);
    let input = req.headers["signature-input"].to_str().unwrap().to_string();
    let sig = req.headers["signature"].to_str().unwrap().to_string();
    req.headers.insert("signature-input", format!(r#"old=("@method");created=1;keyid="x", {input}"#).parse().unwrap());
    req.headers.insert("signature", format!("old=:AAAA:, {sig}").parse().unwrap());
    let verified = verify(&req, BODY, &options(), lookup).unwrap();
    assert_eq!(verified.label.as_deref(), Some("sig1"));
}

#[test]
fn bad_key_ids_cannot_be_signed() {
    let mut req = post("https://b.example/inbox");
    assert!(matches!(sign_cavage(&mut req, BODY, test_key(), "a\"b", at(NOW)), Err(SignError::BadKeyId(_))));
    assert!(matches!(sign_rfc9421(&mut req, BODY, test_key(), "", at(NOW)), Err(SignError::BadKeyId(_))));
    let mut relative = RequestParts::new(Method::POST, "/inbox".parse().unwrap(), HeaderMap::new());
    assert!(matches!(sign_rfc9421(&mut relative, BODY, test_key(), KEY_ID, at(NOW)), Err(SignError::NoAuthority)));
}

// --- No input panics ------------------------------------------------------------------------

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const NAMES: &[&str] =
        &["signature", "signature-input", "digest", "content-digest", "date", "host", "authorization", "content-type"];

    /// Mostly header-ish text, with the characters the parsers care about over-represented.
    fn value() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop_oneof![
            Just(b"keyId=\"".to_vec()),
            Just(b"headers=\"(request-target) host date digest\"".to_vec()),
            Just(b"sig1=(\"@method\" \"@target-uri\" \"@query-param\";name=\"a\")".to_vec()),
            Just(b";created=1790000000;keyid=\"k\";alg=\"rsa-v1_5-sha256\"".to_vec()),
            Just(b"sig1=:AAAA:".to_vec()),
            Just(b"sha-256=:".to_vec()),
            Just(b"SHA-256=".to_vec()),
            Just(b"Signature ".to_vec()),
            prop::collection::vec(prop::sample::select(b"\"\\,;=:()?*-_. aZ09/+@\t".to_vec()), 0..8),
            prop::collection::vec(any::<u8>(), 0..8),
        ];
        prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_headers_and_bodies_never_panic(
            headers in prop::collection::vec((prop::sample::select(NAMES), value()), 0..8),
            body in prop::collection::vec(any::<u8>(), 0..64),
            path in "/[a-z?=&%]{0,12}",
            post in any::<bool>(),
        ) {
            let mut map = HeaderMap::new();
            for (name, v) in headers {
                if let Ok(v) = HeaderValue::from_bytes(&v) {
                    map.append(name, v);
                }
            }
            let Ok(uri) = path.parse::<Uri>() else { return Ok(()) };
            let method = if post { Method::POST } else { Method::GET };
            let req = RequestParts::new(method, uri, map);
            let _ = verify(&req, &body, &options(), |_| Some(test_key().public_key()));
        }

        #[test]
        fn random_structured_fields_never_panic(s in "[ -~]{0,64}") {
            let _ = sfv::parse_dictionary(&s);
        }
    }
}
