//! Property tests: the guard never panics, its spans are exact slices of the text, and the
//! same input always gives the same report.

use canteen_guard::{Audience, Context, Policy, check};
use proptest::collection::vec;
use proptest::prelude::*;

/// Fragments that steer random text towards the detectors' interesting paths.
const FRAGMENTS: &[&str] = &[
    "NHS no ",
    "943 476 5919",
    "9434765919",
    "CHI ",
    "1503854000",
    "H&C ",
    "AB 12 34 57 C",
    "JT482917D",
    "MRN ",
    "K1234567",
    "DOB ",
    "12/03/1956",
    "3rd March 1941",
    "born on ",
    "14 Oak Lane",
    "LS6 2AB",
    "07700 900123",
    "+44 (0)7700 900456",
    "jo@gmail.com",
    "@a@b.c",
    "Mrs ",
    "Patel",
    "Doris",
    "'s ",
    "’s ",
    "in bay 3",
    "bed 12B",
    "Ward 7",
    "side room ",
    "93-year-old",
    "sarcoma",
    "last night",
    "fuming",
    "FFS",
    "!!",
    "management",
    "useless",
    "Zoë",
    "é",
    "–",
    "😀",
    "\u{200d}",
    "\n",
    ". ",
    "(",
    ")",
    "-",
    "'",
    "’",
    "@",
    "0",
    "+44",
    "d.o.b.",
    "Dr ",
    "et al.",
    "Crohn's",
    "  ",
    "\t",
];

fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => vec(any::<char>(), 0..6).prop_map(|cs| cs.into_iter().collect::<String>()),
        4 => (0..FRAGMENTS.len()).prop_map(|i| FRAGMENTS[i].to_string()),
        2 => vec(prop_oneof![Just(' '), Just('0'), Just('9'), Just('A'), Just('a'), Just('.'), Just('/')], 0..12)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
    ];
    vec(piece, 0..40).prop_map(|parts| parts.concat())
}

fn ctx_strategy() -> impl Strategy<Value = Context> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(direct, media, confirmed)| Context {
        visibility: if direct { Audience::Direct } else { Audience::Public },
        has_media: media,
        media_confirmed_no_patient: confirmed,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_spans_are_exact(text in text_strategy(), ctx in ctx_strategy()) {
        let policy = Policy::default();
        let report = check(&text, &policy, &ctx);
        for f in &report.findings {
            prop_assert!(f.start <= f.end && f.end <= text.len());
            prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            prop_assert!(!f.message.is_empty());
        }
        let again = check(&text, &policy, &ctx);
        prop_assert_eq!(&report, &again);
        prop_assert_eq!(report.fingerprint.len(), 64);
    }

    #[test]
    fn arbitrary_unicode_never_panics(chars in vec(any::<char>(), 0..400)) {
        let text: String = chars.into_iter().collect();
        let report = check(&text, &Policy::default(), &Context::default());
        for f in &report.findings {
            prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        }
    }

    #[test]
    fn a_changed_text_changes_the_fingerprint(text in text_strategy()) {
        let policy = Policy::default();
        let a = check(&text, &policy, &Context::default());
        let b = check(&format!("{text} "), &policy, &Context::default());
        prop_assert_ne!(a.fingerprint, b.fingerprint);
    }
}
