//! Feeds arbitrary bytes (as UTF-8, lossily) to the guard under every audience and media
//! setting, with the default policy or one that uses every policy feature (own record
//! formats, place and staff names, allow-listed contacts, a region), and checks the
//! invariants the posting path relies on. The same bytes are also tried as a policy file:
//! a policy that parses must validate, round-trip and check text without panicking.
#![no_main]

use std::sync::LazyLock;

use canteen_guard::{Audience, Category, Context, Policy, check};
use libfuzzer_sys::fuzz_target;

static RICH: LazyLock<Policy> = LazyLock::new(|| {
    Policy::from_json(
        r###"{
            "categories": {"photo_of_patient": "block", "grievance": "off"},
            "overrides": {"direct": {"patient_name": "warn"}},
            "allow_contacts": ["0161 496 0000", "pals@example.nhs.uk", "@example.nhs.uk", "https://example.nhs.uk/"],
            "hospital_number_formats": ["AAA999999", "K9999999", "\\R\\X9999999", "##-999-#"],
            "place_names": ["Keats Ward", "Willow Unit", "Riverside"],
            "staff_names": ["Amara Okafor", "Jo Bloggs"],
            "region": "scotland"
        }"###,
    )
    .unwrap_or_else(|e| panic!("the fuzz target's own policy is invalid: {e}"))
});

const AUDIENCES: [Audience; 7] = [
    Audience::Public,
    Audience::Unlisted,
    Audience::FollowersOnly,
    Audience::Mutuals,
    Audience::Circle,
    Audience::Group,
    Audience::Direct,
];

fn assert_invariants(text: &str, policy: &Policy, ctx: &Context) {
    let report = check(text, policy, ctx);
    for f in &report.findings {
        assert!(f.start <= f.end && f.end <= text.len());
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        assert!(!f.message.is_empty());
    }
    assert!(report.findings.windows(2).all(|w| w[0].start <= w[1].start));
    assert_eq!(report, check(text, policy, ctx));
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let selector = data.first().copied().unwrap_or(0);
    let ctx = Context {
        visibility: if selector & 1 == 0 { Audience::Public } else { Audience::Direct },
        has_media: selector & 2 != 0,
        media_confirmed_no_patient: selector & 4 != 0,
    };
    let policy = if selector & 8 == 0 { Policy::default() } else { RICH.clone() };
    assert_invariants(&text, &policy, &ctx);
    if let Ok(parsed) = Policy::from_json(&text) {
        assert!(parsed.validate().is_ok());
        // Written out and read back, it decides every category for every audience alike.
        let again = Policy::from_json(&parsed.to_json());
        assert!(again.is_ok(), "{again:?}");
        let again = again.unwrap_or_default();
        for c in Category::ALL {
            for a in AUDIENCES {
                assert_eq!(parsed.action(c, a), again.action(c, a));
            }
        }
        assert_invariants("Mrs Patel in bay 3, MRN K1234567, call 07700 900123", &parsed, &ctx);
        assert_invariants(&text, &parsed, &ctx);
    }
});
