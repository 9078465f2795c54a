//! What the guard found: categories, findings, the verdict and the report's fingerprint.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What kind of risk a finding is. The snake_case names are part of the public interface
/// (policy files, the API and the command line all use them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    NhsNumber,
    ChiNumber,
    HcNumber,
    Nino,
    HospitalNumber,
    DateOfBirth,
    Address,
    PhoneNumber,
    EmailAddress,
    PatientName,
    CareLocation,
    IndirectIdentifiers,
    PhotoOfPatient,
    NegativeEmotion,
    Grievance,
}

impl Category {
    pub const ALL: [Category; 15] = [
        Category::NhsNumber,
        Category::ChiNumber,
        Category::HcNumber,
        Category::Nino,
        Category::HospitalNumber,
        Category::DateOfBirth,
        Category::Address,
        Category::PhoneNumber,
        Category::EmailAddress,
        Category::PatientName,
        Category::CareLocation,
        Category::IndirectIdentifiers,
        Category::PhotoOfPatient,
        Category::NegativeEmotion,
        Category::Grievance,
    ];

    /// The interface name, e.g. `nhs_number`.
    pub fn name(self) -> &'static str {
        match self {
            Category::NhsNumber => "nhs_number",
            Category::ChiNumber => "chi_number",
            Category::HcNumber => "hc_number",
            Category::Nino => "nino",
            Category::HospitalNumber => "hospital_number",
            Category::DateOfBirth => "date_of_birth",
            Category::Address => "address",
            Category::PhoneNumber => "phone_number",
            Category::EmailAddress => "email_address",
            Category::PatientName => "patient_name",
            Category::CareLocation => "care_location",
            Category::IndirectIdentifiers => "indirect_identifiers",
            Category::PhotoOfPatient => "photo_of_patient",
            Category::NegativeEmotion => "negative_emotion",
            Category::Grievance => "grievance",
        }
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The four national identifiers, reported together as one figure in evaluation.
    pub fn is_national_identifier(self) -> bool {
        matches!(self, Category::NhsNumber | Category::ChiNumber | Category::HcNumber | Category::Nino)
    }

    /// Plain-English name used in messages.
    fn described(self) -> &'static str {
        match self {
            Category::NhsNumber => "a valid NHS number",
            Category::ChiNumber => "a valid Scottish CHI number",
            Category::HcNumber => "a valid Northern Ireland Health and Care number",
            Category::Nino => "a National Insurance number",
            Category::HospitalNumber => "a hospital or medical record number",
            Category::DateOfBirth => "someone's date of birth",
            Category::Address => "someone's home address or postcode",
            Category::PhoneNumber => "a private phone number",
            Category::EmailAddress => "a private email address",
            Category::PatientName => "the name of a patient or their relative",
            Category::CareLocation => "where a patient is being cared for",
            Category::IndirectIdentifiers => "",
            Category::PhotoOfPatient => "",
            Category::NegativeEmotion => "",
            Category::Grievance => "",
        }
    }
}

/// How serious one finding is under the policy in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warn,
    Block,
}

/// The outcome for the whole post: the worst severity among its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Block,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Block => "block",
        }
    }

    pub fn from_name(name: &str) -> Option<Verdict> {
        match name {
            "pass" => Some(Verdict::Pass),
            "warn" => Some(Verdict::Warn),
            "block" => Some(Verdict::Block),
            _ => None,
        }
    }
}

/// One thing the guard found, with the byte span of the text it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub category: Category,
    /// Byte offsets into the UTF-8 text, always on character boundaries. A finding about
    /// the post as a whole (a photo) has an empty span at 0.
    pub start: usize,
    pub end: usize,
    pub severity: Severity,
    pub message: String,
}

/// The guard's answer for one draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// Hex SHA-256 of the text and the outcome. A client acknowledges a warning by sending
    /// this back; any change to the text (or to what the policy makes of it) changes it.
    pub fingerprint: String,
}

impl Report {
    pub(crate) fn build(text: &str, mut findings: Vec<Finding>) -> Report {
        findings.sort_by_key(|a| (a.start, a.end, a.category));
        let verdict = findings
            .iter()
            .map(|f| match f.severity {
                Severity::Warn => Verdict::Warn,
                Severity::Block => Verdict::Block,
            })
            .max()
            .unwrap_or(Verdict::Pass);
        let fingerprint = fingerprint(text, verdict, &findings);
        Report { verdict, findings, fingerprint }
    }

    /// The categories found, each once, in a stable order.
    pub fn categories(&self) -> Vec<Category> {
        let mut cats: Vec<Category> = self.findings.iter().map(|f| f.category).collect();
        cats.sort();
        cats.dedup();
        cats
    }
}

fn fingerprint(text: &str, verdict: Verdict, findings: &[Finding]) -> String {
    let mut h = Sha256::new();
    // Lengths are written before variable parts so that no two inputs hash the same bytes.
    h.update(b"canteen-guard/1\0");
    h.update((text.len() as u64).to_be_bytes());
    h.update(text.as_bytes());
    h.update(verdict.name().as_bytes());
    for f in findings {
        h.update(b"\0");
        h.update(f.category.name().as_bytes());
        h.update((f.start as u64).to_be_bytes());
        h.update((f.end as u64).to_be_bytes());
        h.update([f.severity as u8]);
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(b & 0xf));
    }
    out
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16).unwrap_or('0')
}

/// The matched text, shortened for a message without splitting a character.
pub(crate) fn quote(text: &str, start: usize, end: usize) -> String {
    let span = text.get(start..end).unwrap_or("");
    let span = span.split_whitespace().collect::<Vec<_>>().join(" ");
    const MAX: usize = 80;
    if span.chars().count() <= MAX {
        return span;
    }
    let mut short: String = span.chars().take(MAX - 1).collect();
    short.push('…');
    short
}

/// The message a nurse reads for a finding about `text[start..end]`.
pub(crate) fn message(category: Category, text: &str, start: usize, end: usize, why: &str) -> String {
    let q = quote(text, start, end);
    match category {
        Category::NhsNumber | Category::ChiNumber | Category::HcNumber => format!(
            "\"{q}\" looks like {}. Posting it could identify a patient.",
            category.described()
        ),
        Category::Nino => format!(
            "\"{q}\" looks like a National Insurance number. Posting it could identify a person."
        ),
        Category::HospitalNumber => format!(
            "\"{q}\" looks like a hospital or medical record number. Posting it could identify a patient."
        ),
        Category::DateOfBirth => format!(
            "\"{q}\" is given as someone's date of birth. A birth date can identify a patient."
        ),
        Category::Address => format!(
            "\"{q}\" looks like where someone lives or is staying. An address or postcode can identify a patient."
        ),
        Category::PhoneNumber => format!(
            "\"{q}\" looks like a private phone number. Only share an organisation's published numbers."
        ),
        Category::EmailAddress => format!(
            "\"{q}\" looks like a private email address. Only share an organisation's published addresses."
        ),
        Category::PatientName if !why.is_empty() => format!(
            "\"{q}\" reads as the name of a patient or their relative: {why}. Never name patients or their families, not even by first name."
        ),
        Category::PatientName => format!(
            "\"{q}\" reads as the name of a patient or their relative. Never name patients or their families, not even by first name."
        ),
        Category::CareLocation => format!(
            "\"{q}\" says where a patient is being cared for. Together with other details it could identify them."
        ),
        Category::IndirectIdentifiers => format!(
            "\"{q}\": together these details (such as age, condition, place and time) could identify a patient even without a name."
        ),
        Category::PhotoOfPatient => "This post has an image. Check that no patient can be recognised in it (faces, wristbands, notes, screens, tattoos) and confirm before posting.".to_string(),
        Category::NegativeEmotion => format!(
            "\"{q}\" suggests this was written in anger or distress. Consider waiting before you post: you can schedule it for later instead of sending it now."
        ),
        Category::Grievance => format!(
            "\"{q}\" reads as airing a grievance about your employer, colleagues or patients in public. Consider raising it with your manager, a Freedom to Speak Up guardian or your union instead."
        ),
    }
}
