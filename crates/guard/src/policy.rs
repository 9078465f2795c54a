//! The organisation's policy: what each category does, how the audience changes that, and
//! the local knowledge the detectors use (allowed contacts, record-number formats, place
//! names, staff names).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::report::{Category, Severity};

/// What the organisation wants done about a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Off,
    Warn,
    Block,
}

impl Action {
    pub(crate) fn severity(self) -> Option<Severity> {
        match self {
            Action::Off => None,
            Action::Warn => Some(Severity::Warn),
            Action::Block => Some(Severity::Block),
        }
    }
}

/// Who the post is for. Mirrors the post visibilities Canteen has, plus groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    #[default]
    Public,
    Unlisted,
    #[serde(alias = "private", alias = "followers")]
    FollowersOnly,
    Mutuals,
    Circle,
    Group,
    Direct,
}

/// Which UK health system the organisation is in: decides how an unlabelled ten-digit
/// number whose first six digits are a date is reported (CHI in Scotland).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    England,
    Wales,
    Scotland,
    NorthernIreland,
    IsleOfMan,
}

/// An organisation's guard policy. Every field is optional in JSON; see `docs/guard.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Action per category; a category left out gets its default.
    pub categories: BTreeMap<Category, Action>,
    /// Per-audience actions that replace `categories` for posts with that audience.
    pub overrides: BTreeMap<Audience, BTreeMap<Category, Action>>,
    /// Published contacts that may be posted: phone numbers, email addresses, `@domain`
    /// for a whole mail domain, and URL prefixes (text inside an allowed URL is not checked).
    pub allow_contacts: Vec<String>,
    /// Extra local record-number formats: `A` a letter, `9` a digit, `#` either,
    /// `\` makes the next character literal, anything else is itself.
    pub hospital_number_formats: Vec<String>,
    /// Local ward, unit and site names, e.g. "Keats Ward", "Willow Unit", "Riverside".
    pub place_names: Vec<String>,
    /// Names of staff, which are never reported as patient names.
    pub staff_names: Vec<String>,
    pub region: Option<Region>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            categories: Category::ALL.into_iter().map(|c| (c, default_action(c))).collect(),
            overrides: BTreeMap::new(),
            allow_contacts: Vec::new(),
            hospital_number_formats: Vec::new(),
            place_names: Vec::new(),
            staff_names: Vec::new(),
            region: None,
        }
    }
}

/// The issue's defaults: identifiers and names block, everything else warns.
pub fn default_action(category: Category) -> Action {
    match category {
        Category::NhsNumber
        | Category::ChiNumber
        | Category::HcNumber
        | Category::Nino
        | Category::HospitalNumber
        | Category::PatientName => Action::Block,
        _ => Action::Warn,
    }
}

/// Why a policy could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid guard policy: {}", self.0)
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// Reads a policy from its JSON form and checks the record-number formats.
    pub fn from_json(json: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = serde_json::from_str(json).map_err(|e| PolicyError(e.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// The policy as pretty JSON (every category spelled out).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn validate(&self) -> Result<(), PolicyError> {
        for f in &self.hospital_number_formats {
            IdFormat::parse(f).map_err(PolicyError)?;
        }
        Ok(())
    }

    /// The action for a category in a post for this audience.
    pub fn action(&self, category: Category, audience: Audience) -> Action {
        self.overrides
            .get(&audience)
            .and_then(|m| m.get(&category))
            .or_else(|| self.categories.get(&category))
            .copied()
            .unwrap_or_else(|| default_action(category))
    }
}

/// One element of a record-number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Letter,
    Digit,
    Alnum,
    Literal(char),
}

/// A compiled `hospital_number_formats` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdFormat {
    slots: Vec<Slot>,
}

impl IdFormat {
    pub(crate) fn parse(pattern: &str) -> Result<IdFormat, String> {
        let mut slots = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            slots.push(match c {
                'A' => Slot::Letter,
                '9' => Slot::Digit,
                '#' => Slot::Alnum,
                '\\' => match chars.next() {
                    Some(lit) => Slot::Literal(lit),
                    None => return Err(format!("format {pattern:?} ends with a lone \\")),
                },
                other => Slot::Literal(other),
            });
        }
        let digits = slots.iter().filter(|s| matches!(s, Slot::Digit)).count();
        if digits < 3 {
            return Err(format!(
                "format {pattern:?} needs at least three digit slots (9) so it cannot match ordinary words"
            ));
        }
        if slots.len() > 40 {
            return Err(format!("format {pattern:?} is longer than 40 characters"));
        }
        Ok(IdFormat { slots })
    }

    /// The byte length of a match at the start of `s`, if the whole format matches there.
    pub(crate) fn match_at(&self, s: &str) -> Option<usize> {
        let mut chars = s.char_indices();
        for slot in &self.slots {
            let (_, c) = chars.next()?;
            let ok = match slot {
                Slot::Letter => c.is_ascii_alphabetic(),
                Slot::Digit => c.is_ascii_digit(),
                Slot::Alnum => c.is_ascii_alphanumeric(),
                Slot::Literal(l) => c.eq_ignore_ascii_case(l),
            };
            if !ok {
                return None;
            }
        }
        Some(chars.next().map_or(s.len(), |(i, _)| i))
    }
}

/// The policy's lists in the form the detectors use, prepared once per check.
pub(crate) struct Prepared {
    pub formats: Vec<IdFormat>,
    /// Allowed phone numbers as national digits (`01614960000`).
    pub phones: Vec<String>,
    /// Allowed email addresses, lower case.
    pub emails: Vec<String>,
    /// Allowed mail domains (from `@domain` entries), lower case.
    pub mail_domains: Vec<String>,
    /// Allowed URL prefixes, lower case, without the scheme.
    pub urls: Vec<String>,
    /// Place and staff names as lower-case word sequences.
    pub places: Vec<Vec<String>>,
    pub staff: Vec<Vec<String>>,
    pub region: Option<Region>,
}

impl Prepared {
    pub(crate) fn new(policy: &Policy) -> Prepared {
        let mut p = Prepared {
            formats: policy.hospital_number_formats.iter().filter_map(|f| IdFormat::parse(f).ok()).collect(),
            phones: Vec::new(),
            emails: Vec::new(),
            mail_domains: Vec::new(),
            urls: Vec::new(),
            places: policy.place_names.iter().map(|s| words_of(s)).collect(),
            staff: policy.staff_names.iter().map(|s| words_of(s)).collect(),
            region: policy.region,
        };
        p.places.retain(|w| !w.is_empty());
        p.staff.retain(|w| !w.is_empty());
        for entry in &policy.allow_contacts {
            let e = entry.trim().to_lowercase();
            if let Some(domain) = e.strip_prefix('@') {
                p.mail_domains.push(domain.to_string());
            } else if e.contains('@') && !e.contains('/') {
                p.emails.push(e);
            } else if e.contains("://") || e.starts_with("www.") || e.contains('/') {
                p.urls.push(strip_scheme(&e).to_string());
            } else if let Some(digits) = crate::contact::national_digits(&e) {
                p.phones.push(digits);
            }
        }
        p
    }
}

pub(crate) fn strip_scheme(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.strip_prefix("www.").unwrap_or(rest)
}

/// Lower-case words of a name, for matching against the text's words.
fn words_of(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_block_identifiers_and_names_and_warn_otherwise() {
        let p = Policy::default();
        assert_eq!(p.action(Category::NhsNumber, Audience::Public), Action::Block);
        assert_eq!(p.action(Category::PatientName, Audience::Public), Action::Block);
        assert_eq!(p.action(Category::HospitalNumber, Audience::Direct), Action::Block);
        assert_eq!(p.action(Category::Address, Audience::Public), Action::Warn);
        assert_eq!(p.action(Category::NegativeEmotion, Audience::Public), Action::Warn);
        assert_eq!(p.action(Category::PhotoOfPatient, Audience::Public), Action::Warn);
    }

    #[test]
    fn json_is_partial_and_overrides_apply_per_audience() {
        let p = Policy::from_json(
            r#"{"categories": {"grievance": "off", "photo_of_patient": "block"},
                "overrides": {"direct": {"patient_name": "warn"}},
                "allow_contacts": ["0161 496 0000", "@example.nhs.uk", "https://example.nhs.uk/"],
                "hospital_number_formats": ["AAA999999", "K9999999"],
                "place_names": ["Keats Ward"], "staff_names": ["Amara Okafor"],
                "region": "scotland"}"#,
        )
        .unwrap();
        assert_eq!(p.action(Category::Grievance, Audience::Public), Action::Off);
        assert_eq!(p.action(Category::PhotoOfPatient, Audience::Public), Action::Block);
        assert_eq!(p.action(Category::PatientName, Audience::Direct), Action::Warn);
        assert_eq!(p.action(Category::PatientName, Audience::Public), Action::Block);
        assert_eq!(p.action(Category::NhsNumber, Audience::Public), Action::Block);
        let prepared = Prepared::new(&p);
        assert_eq!(prepared.phones, vec!["01614960000".to_string()]);
        assert_eq!(prepared.mail_domains, vec!["example.nhs.uk".to_string()]);
        assert_eq!(prepared.urls, vec!["example.nhs.uk/".to_string()]);
        assert_eq!(prepared.staff, vec![vec!["amara".to_string(), "okafor".to_string()]]);
    }

    #[test]
    fn round_trips_through_json() {
        let p = Policy::default();
        assert_eq!(Policy::from_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn rejects_unknown_fields_categories_and_weak_formats() {
        assert!(Policy::from_json(r#"{"categorys": {}}"#).is_err());
        assert!(Policy::from_json(r#"{"categories": {"nhs": "block"}}"#).is_err());
        assert!(Policy::from_json(r#"{"categories": {"nino": "maybe"}}"#).is_err());
        assert!(Policy::from_json(r#"{"hospital_number_formats": ["AAA"]}"#).is_err());
        assert!(Policy::from_json(r#"{"hospital_number_formats": ["99\\"]}"#).is_err());
    }

    #[test]
    fn formats_match_letters_digits_and_literals() {
        let f = IdFormat::parse("AAA999999").unwrap();
        assert_eq!(f.match_at("RXH123456 rest"), Some(9));
        assert_eq!(f.match_at("rxh123456"), Some(9));
        assert_eq!(f.match_at("RX1234567"), None);
        let g = IdFormat::parse("\\A-999-##").unwrap();
        assert_eq!(g.match_at("a-123-x9"), Some(8));
        assert_eq!(g.match_at("B-123-x9"), None);
        assert_eq!(f.match_at("RXH12"), None);
    }
}
