//! Canteen's confidentiality and wellbeing guard.
//!
//! [`check`] reads a draft post and reports anything that could identify a patient (NHS,
//! CHI, H&C and National Insurance numbers, hospital numbers, birth dates, addresses,
//! private contacts, patients' names, where a patient is, combinations of details, photos)
//! and signs that it was written in anger or distress or airs a grievance. The
//! organisation's [`Policy`] decides which findings warn and which block.
//!
//! Pure: no I/O, no clock, no global mutable state. The built-in word lists are compiled in
//! and parsed once into a shared read-only value. Nothing here panics on any input.

mod contact;
mod dates;
mod ids;
mod lexicon;
mod local;
mod names;
mod names_model;
mod place;
mod policy;
mod report;
mod text;
mod tone;
mod tone_model;

pub mod cli_io;
pub mod eval;

#[cfg(test)]
mod testing;

use serde::{Deserialize, Serialize};

pub use cli_io::check_jsonl;
pub use policy::{Action, Audience, Policy, PolicyError, Region, default_action};
pub use report::{Category, Finding, Report, Severity, Verdict};

use lexicon::Lexicon;
use policy::Prepared;
use text::Doc;

/// Where and how the post is being sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Context {
    pub visibility: Audience,
    /// The post carries an image or video.
    pub has_media: bool,
    /// The author has confirmed that no patient can be identified in the media.
    pub media_confirmed_no_patient: bool,
}

/// Checks one draft post against the policy.
pub fn check(text: &str, policy: &Policy, ctx: &Context) -> Report {
    let scan = Scan::new(text, policy);
    let mut raw = Vec::new();
    ids::detect(&scan, &mut raw);
    local::detect(&scan, &mut raw);
    contact::detect(&scan, &mut raw);
    names::detect(&scan, &mut raw);
    let places = place::detect(&scan, &raw);
    raw.extend(places);
    tone::detect(&scan, &mut raw);
    if ctx.has_media && !ctx.media_confirmed_no_patient {
        raw.push(Raw::new(Category::PhotoOfPatient, 0, 0));
    }
    let raw = resolve(raw);
    let findings = raw
        .into_iter()
        .filter_map(|r| {
            let severity = policy.action(r.category, ctx.visibility).severity()?;
            Some(Finding {
                category: r.category,
                start: r.start,
                end: r.end,
                severity,
                message: report::message(r.category, text, r.start, r.end, r.why),
            })
        })
        .collect();
    Report::build(text, findings)
}

/// Forces the built-in word lists to be parsed now (otherwise the first check does it).
pub fn warm_up() {
    let _ = Lexicon::get();
}

/// Parses the built-in word lists afresh and drops them: lets the benchmark measure the
/// guard's start-up cost more than once per process. Not for normal use.
#[doc(hidden)]
pub fn parse_word_lists_uncached() {
    drop(Lexicon::build());
}

/// The candidate names in `text` (byte spans), each with its feature vector and score, as
/// the patient-name model sees them under the default policy. For the fitting tool
/// (`examples/fit_names.rs`); not for normal use.
#[doc(hidden)]
pub fn name_candidates(text: &str) -> Vec<(usize, usize, Vec<f32>, f32)> {
    let scan = Scan::new(text, &Policy::default());
    names::candidates(&scan).into_iter().map(|c| (c.start, c.end, c.x.to_vec(), c.score)).collect()
}

/// The patient-name model's features: name and the sign its weight is held to. For the
/// fitting tool; not for normal use.
#[doc(hidden)]
pub fn name_features() -> Vec<(&'static str, i8)> {
    names::FEATURES.iter().map(|&(n, s, _)| (n, s)).collect()
}

/// The tone models' features for `text` under the default policy. For the fitting tool
/// (`examples/fit_tone.rs`); not for normal use.
#[doc(hidden)]
pub fn tone_features(text: &str) -> Vec<f32> {
    let scan = Scan::new(text, &Policy::default());
    tone::features(&scan).x.to_vec()
}

/// The tone models' features: name, sign for negative_emotion, sign for grievance. For the
/// fitting tool; not for normal use.
#[doc(hidden)]
pub fn tone_feature_names() -> Vec<(&'static str, i8, i8)> {
    tone::FEATURES.iter().map(|&(n, e, g, _)| (n, e, g)).collect()
}

/// A detector's result before the policy is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Raw {
    pub category: Category,
    pub start: usize,
    pub end: usize,
    /// Why the detector reported it, in plain words, when that adds to the message.
    pub why: &'static str,
}

impl Raw {
    pub fn new(category: Category, start: usize, end: usize) -> Raw {
        Raw { category, start, end, why: "" }
    }

    pub fn because(self, why: &'static str) -> Raw {
        Raw { why, ..self }
    }
}

/// Everything the detectors share for one check.
pub(crate) struct Scan<'a> {
    pub doc: Doc<'a>,
    pub lex: &'static Lexicon,
    pub prepared: Prepared,
    /// Byte ranges inside allow-listed URLs, which are not checked.
    pub masked: Vec<(usize, usize)>,
}

impl<'a> Scan<'a> {
    pub fn new(text: &'a str, policy: &Policy) -> Scan<'a> {
        let prepared = Prepared::new(policy);
        let masked = allowed_urls(text, &prepared);
        Scan { doc: Doc::new(text), lex: Lexicon::get(), prepared, masked }
    }

    pub fn is_masked(&self, start: usize, end: usize) -> bool {
        self.masked.iter().any(|&(s, e)| start < e && s < end)
    }
}

fn allowed_urls(text: &str, prepared: &Prepared) -> Vec<(usize, usize)> {
    if prepared.urls.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut pos = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let w = word.trim_end();
        let lower = w.to_lowercase();
        let bare = policy::strip_scheme(&lower);
        let is_url = lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.");
        if is_url && prepared.urls.iter().any(|u| bare.starts_with(u.as_str())) {
            out.push((pos, pos + w.len()));
        }
        pos += word.len();
    }
    out
}

/// The numeric categories, strongest first: where two overlap, the weaker is dropped
/// (a ten-digit NHS number is not also reported as a phone number).
const NUMERIC_PRIORITY: [Category; 8] = [
    Category::NhsNumber,
    Category::ChiNumber,
    Category::HcNumber,
    Category::Nino,
    Category::HospitalNumber,
    Category::EmailAddress,
    Category::PhoneNumber,
    Category::DateOfBirth,
];

fn resolve(mut raw: Vec<Raw>) -> Vec<Raw> {
    raw.sort_by_key(|r| (r.category, r.start, r.end));
    // Merge overlapping findings of one category.
    let mut merged: Vec<Raw> = Vec::with_capacity(raw.len());
    for r in raw {
        match merged.last_mut() {
            Some(last) if last.category == r.category && r.start < last.end.max(last.start + 1) => {
                last.end = last.end.max(r.end);
            }
            _ => merged.push(r),
        }
    }
    let rank = |c: Category| NUMERIC_PRIORITY.iter().position(|&p| p == c);
    let keep: Vec<bool> = merged
        .iter()
        .map(|r| {
            let Some(mine) = rank(r.category) else {
                return true;
            };
            !merged
                .iter()
                .any(|o| rank(o.category).is_some_and(|theirs| theirs < mine) && o.start < r.end && r.start < o.end)
        })
        .collect();
    merged.into_iter().zip(keep).filter_map(|(r, k)| k.then_some(r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(visibility: Audience, has_media: bool, confirmed: bool) -> Context {
        Context { visibility, has_media, media_confirmed_no_patient: confirmed }
    }

    #[test]
    fn photos_need_confirmation_and_the_policy_sets_the_severity() {
        let p = Policy::default();
        let r = check("Look who's going home!", &p, &ctx(Audience::Public, true, false));
        assert_eq!(r.verdict, Verdict::Warn);
        assert_eq!((r.findings[0].category, r.findings[0].start, r.findings[0].end), (Category::PhotoOfPatient, 0, 0));
        assert_eq!(check("Look!", &p, &ctx(Audience::Public, true, true)).verdict, Verdict::Pass);
        let strict = Policy::from_json(r#"{"categories": {"photo_of_patient": "block"}}"#).unwrap();
        assert_eq!(check("Look!", &strict, &ctx(Audience::Public, true, false)).verdict, Verdict::Block);
    }

    #[test]
    fn audience_overrides_and_off_categories_apply() {
        let p = Policy::from_json(
            r#"{"overrides": {"direct": {"patient_name": "warn"}}, "categories": {"care_location": "off"}}"#,
        )
        .unwrap();
        let text = "Mrs Patel in bay 3 is asking for you";
        let public = check(text, &p, &Context::default());
        assert_eq!(public.verdict, Verdict::Block);
        assert_eq!(public.categories(), vec![Category::PatientName]);
        let direct = check(text, &p, &ctx(Audience::Direct, false, false));
        assert_eq!(direct.verdict, Verdict::Warn);
        assert_eq!(direct.findings[0].severity, Severity::Warn);
    }

    #[test]
    fn fingerprint_is_stable_and_follows_text_and_outcome() {
        let p = Policy::default();
        let text = "Absolutely fuming after that shift";
        let a = check(text, &p, &Context::default());
        assert_eq!(a.fingerprint, check(text, &p, &Context::default()).fingerprint);
        assert_eq!(a.fingerprint.len(), 64);
        assert_ne!(a.fingerprint, check("Absolutely fuming after this shift", &p, &Context::default()).fingerprint);
        let quiet = Policy::from_json(r#"{"categories": {"negative_emotion": "off"}}"#).unwrap();
        let b = check(text, &quiet, &Context::default());
        assert_eq!(b.verdict, Verdict::Pass);
        assert_ne!(a.fingerprint, b.fingerprint);
    }

    #[test]
    fn an_identifier_is_reported_once_under_its_strongest_category() {
        let r = check("NHS no 943 476 5919", &Policy::default(), &Context::default());
        assert_eq!(r.categories(), vec![Category::NhsNumber]);
        assert_eq!(
            r.findings[0].message,
            "\"943 476 5919\" looks like a valid NHS number. Posting it could identify a patient."
        );
    }

    #[test]
    fn allow_listed_urls_are_not_checked() {
        let p = Policy::from_json(r#"{"allow_contacts": ["https://example.nhs.uk/"]}"#).unwrap();
        let text = "See https://example.nhs.uk/feedback?cc=jo.bloggs@gmail.com for the form";
        assert_eq!(check(text, &p, &Context::default()).verdict, Verdict::Pass);
        assert_eq!(check(text, &Policy::default(), &Context::default()).verdict, Verdict::Warn);
    }

    #[test]
    fn empty_and_plain_posts_pass() {
        for t in ["", " ", "Lovely sunny day for a walk", "😀😀😀"] {
            let r = check(t, &Policy::default(), &Context::default());
            assert_eq!(r.verdict, Verdict::Pass, "{t}");
            assert!(r.findings.is_empty());
        }
    }
}
