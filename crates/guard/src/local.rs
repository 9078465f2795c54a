//! Local identifiers: hospital (record) numbers and dates of birth. Both are found by the
//! words around them: a number is only a hospital number when the post calls it one (or
//! it has one of the organisation's own formats), and a date is only a birth date when the
//! post presents it as one.

use crate::dates::{DateAt, date_at};
use crate::report::Category;
use crate::text::Kind;
use crate::{Raw, Scan};

/// Phrases that introduce a local patient number.
const HOSPITAL_LABELS: &[&[&str]] = &[
    &["mrn"],
    &["hospital", "number"],
    &["hospital", "no"],
    &["hospital", "num"],
    &["hospital", "id"],
    &["hosp", "no"],
    &["hosp", "number"],
    &["unit", "number"],
    &["unit", "no"],
    &["patient", "number"],
    &["patient", "no"],
    &["patient", "id"],
    &["pt", "id"],
    &["pt", "no"],
    &["pt", "number"],
    &["record", "number"],
    &["records", "number"],
    &["record", "no"],
    &["case", "note", "number"],
    &["casenote", "number"],
    &["case", "notes", "number"],
    &["notes", "number"],
    &["pas", "number"],
    &["pas", "no"],
    &["pas", "id"],
    &["k", "number"],
    &["k", "no"],
    &["k-number"],
    &["k-no"],
    &["trust", "number"],
    &["trust", "no"],
    &["rxh", "number"],
    &["crn"],
    &["hospital", "reg"],
    &["episode", "number"],
];

pub(crate) fn detect(scan: &Scan, out: &mut Vec<Raw>) {
    hospital_numbers(scan, out);
    dates_of_birth(scan, out);
}

/// A value that can be a record number: at least five digits, or letters with at least
/// four digits (`K1234567`, `RX1234567`).
fn id_like(scan: &Scan, i: usize) -> Option<usize> {
    let doc = &scan.doc;
    let t = doc.get(i)?;
    if t.kind == Kind::Punct {
        return None;
    }
    // "1234 5678", "A12 345 678": join groups written with single spaces; "WH/552190",
    // "612-884-3": and groups joined by a slash or hyphen with no space around it.
    let mut last = i;
    let mut digits = t.norm.bytes().filter(u8::is_ascii_digit).count();
    let mut letters = t.kind == Kind::Word;
    while let Some(n) = doc.get(last + 1) {
        if n.kind == Kind::Num && n.space_before && n.sent == t.sent && n.norm.len() >= 3 {
            last += 1;
            digits += n.norm.len();
        } else if matches!(n.norm.as_str(), "/" | "-")
            && !n.space_before
            && doc
                .get(last + 2)
                .is_some_and(|g| !g.space_before && g.kind != Kind::Punct && g.norm.bytes().any(|b| b.is_ascii_digit()))
        {
            last += 2;
            digits += doc.toks[last].norm.bytes().filter(u8::is_ascii_digit).count();
            letters |= doc.toks[last].kind == Kind::Word;
        } else {
            break;
        }
    }
    let ok = if letters { digits >= 4 } else { digits >= 5 };
    ok.then_some(last)
}

/// Could a hospital-number label start with this word? (Kept in step with
/// `HOSPITAL_LABELS` by a test.)
fn label_start(w: &str) -> bool {
    matches!(
        w,
        "mrn"
            | "hospital"
            | "hosp"
            | "unit"
            | "patient"
            | "pt"
            | "record"
            | "records"
            | "case"
            | "casenote"
            | "notes"
            | "pas"
            | "k"
            | "k-number"
            | "k-no"
            | "trust"
            | "rxh"
            | "crn"
            | "episode"
    )
}

fn hospital_numbers(scan: &Scan, out: &mut Vec<Raw>) {
    let doc = &scan.doc;
    let mut i = 0;
    while i < doc.len() {
        let first = doc.norm(i);
        // Cheap test on the first word before trying every label.
        let maybe_label = label_start(first);
        let label = HOSPITAL_LABELS.iter().filter(|_| maybe_label).find(|l| {
            l.iter()
                .enumerate()
                .all(|(k, w)| doc.norm(i + k) == *w || (k > 0 && *w == "no" && doc.norm(i + k) == "no."))
        });
        if let Some(label) = label {
            let mut j = i + label.len();
            // Skip "no.", ":", "#", "is", "was", "-" between the label and the value.
            let mut skipped = 0;
            while skipped < 4 && matches!(doc.norm(j), "." | ":" | "#" | "is" | "was" | "-" | "=" | "of" | "no" | "(") {
                j += 1;
                skipped += 1;
            }
            if let Some(last) = id_like(scan, j) {
                let (s, e) = (doc.toks[j].start, doc.toks[last].end);
                if !scan.is_masked(s, e) {
                    out.push(Raw::new(Category::HospitalNumber, s, e));
                }
                i = last + 1;
                continue;
            }
        }
        i += 1;
    }
    policy_formats(scan, out);
    unlabelled_codes(scan, out);
}

/// The organisation's own formats match anywhere, on word boundaries.
fn policy_formats(scan: &Scan, out: &mut Vec<Raw>) {
    if scan.prepared.formats.is_empty() {
        return;
    }
    let text = scan.doc.text;
    for t in &scan.doc.toks {
        if t.kind == Kind::Punct {
            continue;
        }
        let prev = text[..t.start].chars().next_back();
        if prev.is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        for f in &scan.prepared.formats {
            if let Some(len) = f.match_at(&text[t.start..]) {
                let end = t.start + len;
                let next = text[end..].chars().next();
                if !next.is_some_and(|c| c.is_alphanumeric()) && !scan.is_masked(t.start, end) {
                    out.push(Raw::new(Category::HospitalNumber, t.start, end));
                    break;
                }
            }
        }
    }
}

/// `K1234567`, `RX123456`: one to three capitals then six to eight digits, next to words
/// about a patient and not introduced as some other kind of code.
fn unlabelled_codes(scan: &Scan, out: &mut Vec<Raw>) {
    let doc = &scan.doc;
    for (i, t) in doc.toks.iter().enumerate() {
        if t.kind != Kind::Word {
            continue;
        }
        let raw = &doc.text[t.start..t.end];
        let letters = raw.bytes().take_while(u8::is_ascii_uppercase).count();
        let digits = raw.len() - letters;
        // "K1234567", or the letters and digits apart: "RTH 2094471".
        let glued = (1..=3).contains(&letters)
            && (6..=8).contains(&digits)
            && raw[letters..].bytes().all(|b| b.is_ascii_digit());
        let apart = (2..=4).contains(&raw.len())
            && letters == raw.len()
            && doc
                .get(i + 1)
                .is_some_and(|n| n.is_num() && n.space_before && n.sent == t.sent && (6..=8).contains(&n.norm.len()));
        if !glued && !apart {
            continue;
        }
        let last = if apart { i + 1 } else { i };
        let before: Vec<&str> = doc.words_before(i, 3).map(|j| doc.norm(j)).collect();
        if before.iter().any(|w| scan.lex.cues.other_code_words.contains(w))
            || (apart && scan.lex.cues.other_code_words.contains(&t.norm.as_str()))
            // National numbers are the ids detector's, with their check digits.
            || (apart && matches!(t.norm.as_str(), "chi" | "nhs" | "hcn" | "nino" | "ni"))
        {
            continue;
        }
        // Patient words in the sentence, or (for a code opening a question to colleagues) the
        // next: "RTH 2094471 – is this one of yours? Found the notes on the trolley".
        let (a, b) = doc.sentence_of(i);
        let b = if apart { doc.toks.iter().rposition(|x| x.sent <= t.sent + 1).unwrap_or(b) } else { b };
        let patient = (a..=b).any(|j| scan.lex.cues.patient_words.contains(&doc.norm(j)));
        let (start, end) = (t.start, doc.toks[last].end);
        if patient && !scan.is_masked(start, end) {
            out.push(Raw::new(Category::HospitalNumber, start, end));
        }
    }
}

fn dates_of_birth(scan: &Scan, out: &mut Vec<Raw>) {
    let doc = &scan.doc;
    for i in 0..doc.len() {
        let (cue_len, is_born) = match doc.norm(i) {
            "dob" | "dob:" => (1, false),
            "d" if doc.norm(i + 1) == "." && doc.norm(i + 2) == "o" && doc.norm(i + 4) == "b" => (5, false),
            "date" if doc.norm(i + 1) == "of" && doc.norm(i + 2) == "birth" => (3, false),
            "born" => (1, true),
            "birthday" | "bday" | "b'day" => (1, true),
            _ => continue,
        };
        if is_born {
            let subject: Vec<&str> = doc.words_before(i, 4).map(|j| doc.norm(j)).collect();
            if subject.iter().any(|w| scan.lex.cues.not_a_person.contains(w))
                || doc.norm(i) != "born" && subject.first() == Some(&"my")
            {
                continue;
            }
        }
        let Some(date) = (i + cue_len..i + cue_len + 7)
            .take_while(|&j| doc.get(j).is_some_and(|t| t.sent == doc.toks[i].sent))
            .find_map(|j| date_at(doc, j))
        else {
            continue;
        };
        if !plausible_birth(scan, &date, !is_born) {
            continue;
        }
        let (s, e) = (doc.toks[date.first].start, doc.toks[date.last].end);
        if !scan.is_masked(s, e) {
            out.push(Raw::new(Category::DateOfBirth, s, e));
        }
    }
}

/// A birth date of someone who could be a patient today: a day is given (or the post says
/// DOB outright), it is not a historical date, and the sentence is not about a public figure.
fn plausible_birth(scan: &Scan, date: &DateAt, explicit_label: bool) -> bool {
    if !date.has_day && !explicit_label {
        return false;
    }
    // Nobody alive was born in 1900 or before; 01/01/1900 is a system's placeholder.
    if date.year.is_some_and(|y| (100..=1900).contains(&y)) {
        return false;
    }
    !crate::names::sentence_names_public_figure(scan, date.first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;
    use crate::testing::{found, spans, spans_with};

    #[test]
    fn every_label_passes_the_first_word_filter() {
        assert!(HOSPITAL_LABELS.iter().all(|l| label_start(l[0])));
    }

    #[test]
    fn unlabelled_codes_with_the_letters_apart() {
        let t = "RTH 2094471 – is this one of yours? Found the notes on the trolley by the lift";
        assert_eq!(spans(t, Category::HospitalNumber), vec!["RTH 2094471"]);
        assert!(spans("GMC 7012345 is on the letter, the patient asked", Category::HospitalNumber).is_empty());
        assert!(spans("Order ABC 1234567 arrived. Printer fixed.", Category::HospitalNumber).is_empty());
    }

    #[test]
    fn labelled_hospital_numbers_with_slashes_and_hyphens() {
        assert_eq!(spans("hospital number WH/552190 has no x-ray", Category::HospitalNumber), vec!["WH/552190"]);
        assert_eq!(spans("Pt unit no: 612-884-3 came with no notes", Category::HospitalNumber), vec!["612-884-3"]);
    }

    #[test]
    fn labelled_hospital_numbers() {
        assert_eq!(spans("MRN: 00483921 needs a review", Category::HospitalNumber), vec!["00483921"]);
        assert_eq!(spans("hospital no. K1234567", Category::HospitalNumber), vec!["K1234567"]);
        assert_eq!(spans("his unit number is 1234 5678.", Category::HospitalNumber), vec!["1234 5678"]);
        assert_eq!(spans("Pt ID RX8837261", Category::HospitalNumber), vec!["RX8837261"]);
    }

    #[test]
    fn unlabelled_codes_need_patient_words() {
        assert_eq!(spans("Mrs B, K4829301, back on the ward", Category::HospitalNumber), vec!["K4829301"]);
        assert!(spans("Order K4829301 shipped", Category::HospitalNumber).is_empty());
        assert!(spans("Use voucher code SAVE202455 at the till", Category::HospitalNumber).is_empty());
    }

    #[test]
    fn registration_and_other_numbers_are_not_hospital_numbers() {
        for t in [
            "My GMC number is 7123456",
            "NMC PIN 12A3456E renewed today!",
            "Datix 123456 submitted",
            "bleep 4471 if you need me",
            "ext 23456",
            "Order number 55512345",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    #[test]
    fn policy_formats_match_on_word_boundaries() {
        let p = Policy::from_json(r#"{"hospital_number_formats": ["AAA999999"]}"#).unwrap();
        assert_eq!(spans_with("see RXH123456 today", Category::HospitalNumber, &p), vec!["RXH123456"]);
        assert!(spans_with("see XRXH123456 today", Category::HospitalNumber, &p).is_empty());
    }

    #[test]
    fn dates_presented_as_birth_dates() {
        assert_eq!(spans("DOB 12/03/1956, admitted", Category::DateOfBirth), vec!["12/03/1956"]);
        assert_eq!(spans("d.o.b. 3rd March 1941", Category::DateOfBirth), vec!["3rd March 1941"]);
        assert_eq!(spans("date of birth: 1956-03-12", Category::DateOfBirth), vec!["1956-03-12"]);
        assert_eq!(spans("baby born at 03:12 on 5 May 2024 weighing 3kg", Category::DateOfBirth), vec!["5 May 2024"]);
    }

    #[test]
    fn other_dates_are_not_birth_dates() {
        for t in [
            "Clinic on 12/03/2024 at 14:30",
            "Updated 2024-03-05 09:12:44",
            "The NHS was born on 5 July 1948.",
            "Florence Nightingale was born on 12 May 1820",
            "born in 1956",
            "Aneurin Bevan, born 15 November 1897",
        ] {
            assert!(spans(t, Category::DateOfBirth).is_empty(), "{t}");
        }
    }
}
