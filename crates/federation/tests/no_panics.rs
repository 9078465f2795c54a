//! Hostile input never panics the parsers a remote server can reach.

use canteen_federation::keys::PublicKey;
use canteen_federation::ssrf::FetchPolicy;
use canteen_federation::vocab::Object;
use canteen_federation::webfinger::parse_resource;
use proptest::prelude::*;

/// JSON-ish text built from fragments the readers care about.
fn jsonish() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just(r#"{"type":"Note","id":"x","#.to_string()),
        Just(r#"{"type":["Person"],"id":"x","inbox":"i","#.to_string()),
        Just(r#"{"type":"Create","actor":"a","object":"#.to_string()),
        Just(r#""to":"#.to_string()),
        Just(r#""tag":[{"type":"Emoji","icon":"#.to_string()),
        Just(r#""attachment":{"type":"Document","url":"#.to_string()),
        Just(r#""url":[{"href":1},"#.to_string()),
        Just(r#""publicKey":[null,"#.to_string()),
        Just("null".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("}".to_string()),
        Just(",".to_string()),
        "[ -~]{0,6}",
    ];
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn documents(s in jsonish()) {
        let _ = Object::from_slice(s.as_bytes());
        // Closing every bracket makes more of them valid JSON, reaching the type readers.
        let _ = Object::from_slice(format!("{s}\"\"}}]}}").as_bytes());
    }

    #[test]
    fn webfinger_resources(s in "[ -~]{0,40}") {
        let _ = parse_resource(&s);
        let _ = parse_resource(&format!("acct:{s}"));
    }

    #[test]
    fn allow_list_entries(s in "[ -~]{0,40}") {
        let _ = FetchPolicy::with_allow_list(&[s]);
    }

    #[test]
    fn public_key_pem(body in prop::collection::vec(any::<u8>(), 0..300)) {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&body);
        let _ = PublicKey::from_pem(&format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----"));
        let _ = PublicKey::from_pem(&format!("-----BEGIN RSA PUBLIC KEY-----\n{b64}\n-----END RSA PUBLIC KEY-----"));
    }
}
