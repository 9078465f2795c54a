//! National identifiers: NHS numbers, Scottish CHI numbers, Northern Ireland Health and Care
//! numbers and National Insurance numbers. Each is recognised by its shape and check digit,
//! never by digit count alone.

use crate::lexicon::Nation;
use crate::policy::Region;
use crate::report::Category;
use crate::{Raw, Scan};

/// Groupings of ten digits people write: `9434765919`, `943 476 5919`, `943-476-5919`, …
const TEN_DIGIT_GROUPINGS: &[&[usize]] = &[&[10], &[3, 3, 4], &[3, 4, 3], &[4, 3, 3], &[5, 5], &[6, 4]];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Nhs,
    Chi,
    Hc,
}

/// Is `digits` (ten ASCII digits) valid under the NHS/CHI/H&C modulus 11 check?
pub(crate) fn mod11_valid(digits: &[u8]) -> bool {
    if digits.len() != 10 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits[..9].iter().zip((2..=10).rev()).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    u32::from(digits[9] - b'0') == check
}

/// Repeated or trivially patterned digits are placeholders, not real numbers (every
/// repeated-digit number passes the modulus 11 check, so this must be tested apart).
fn placeholder(digits: &[u8]) -> bool {
    let mut distinct = digits.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 2 {
        return true;
    }
    let steps: Vec<i16> = digits.windows(2).map(|w| i16::from(w[1]) - i16::from(w[0])).collect();
    steps.iter().all(|&s| s == 1 || s == -9) || steps.iter().all(|&s| s == -1 || s == 9)
}

/// Do the first six digits make a real DDMMYY date?
pub(crate) fn ddmmyy_valid(digits: &[u8]) -> bool {
    let n = |i: usize| u32::from(digits[i] - b'0') * 10 + u32::from(digits[i + 1] - b'0');
    if digits.len() < 6 {
        return false;
    }
    let (d, m, y) = (n(0), n(2), n(4));
    crate::dates::day_valid(d, m, y)
}

/// A run of digit groups separated by single spaces, hyphens or dots.
struct Run {
    groups: Vec<(usize, usize)>,
    seps: Vec<u8>,
}

fn digit_runs(text: &str) -> Vec<Run> {
    let b = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let prev = text[..i].chars().next_back();
        let bad_start = prev.is_some_and(|p| p.is_alphanumeric() || "+£$€/_@".contains(p));
        let mut run = Run { groups: Vec::new(), seps: Vec::new() };
        loop {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            run.groups.push((s, i));
            if i + 1 < b.len() && matches!(b[i], b' ' | b'-' | b'.') && b[i + 1].is_ascii_digit() {
                run.seps.push(b[i]);
                i += 1;
            } else {
                break;
            }
        }
        let next = text[i..].chars().next();
        let bad_end = next.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '@');
        if !bad_start && !bad_end {
            runs.push(run);
        } else if run.groups.len() > 1 {
            // Only the touching group is spoiled: "bed4 943 476 5919" still holds a number.
            let keep_from = usize::from(bad_start);
            let keep_to = run.groups.len() - usize::from(bad_end);
            if keep_from < keep_to {
                runs.push(Run {
                    groups: run.groups[keep_from..keep_to].to_vec(),
                    seps: run.seps[keep_from..keep_to - 1].to_vec(),
                });
            }
        }
    }
    runs
}

/// Ten-digit candidates in the text: (start, end, digits).
fn ten_digit_candidates(text: &str) -> Vec<(usize, usize, Vec<u8>)> {
    let mut out = Vec::new();
    for run in digit_runs(text) {
        let lens: Vec<usize> = run.groups.iter().map(|(s, e)| e - s).collect();
        let mut k = 0;
        while k < lens.len() {
            let found = TEN_DIGIT_GROUPINGS.iter().find(|g| {
                lens.get(k..k + g.len()) == Some(**g) && run.seps[k..k + g.len() - 1].windows(2).all(|w| w[0] == w[1])
            });
            match found {
                Some(g) => {
                    let (start, _) = run.groups[k];
                    let (_, end) = run.groups[k + g.len() - 1];
                    let digits: Vec<u8> = text[start..end].bytes().filter(u8::is_ascii_digit).collect();
                    out.push((start, end, digits));
                    k += g.len();
                }
                None => k += 1,
            }
        }
    }
    out
}

/// What the words around a number call it, and whether they say it is something else.
fn labels_near(scan: &Scan, start: usize, end: usize) -> (Option<Label>, bool) {
    let doc = &scan.doc;
    let first = doc.token_at(start);
    let last = doc.token_at(end.saturating_sub(1));
    let mut label = None;
    let mut other = false;
    let before: Vec<usize> = doc.words_before(first, 6).collect();
    let after: Vec<usize> = doc.words_after(last, 3).collect();
    for (pos, &j) in before.iter().chain(after.iter()).enumerate() {
        let w = doc.norm(j);
        let l = match w {
            "nhs" => Some(Label::Nhs),
            "chi" => Some(Label::Chi),
            "hcn" | "h&c" => Some(Label::Hc),
            "c" if doc.norm(j.wrapping_sub(1)) == "&" && doc.norm(j.wrapping_sub(2)) == "h" => Some(Label::Hc),
            "care" if doc.norm(j.wrapping_sub(2)) == "health" => Some(Label::Hc),
            _ => None,
        };
        if label.is_none() {
            label = l;
        }
        // Only the words right before a number say what kind of number it is.
        if pos < before.len() && pos < 4 && scan.lex.cues.not_a_patient_number.contains(&w) {
            other = true;
        }
    }
    (label, other)
}

fn nation_context(scan: &Scan) -> Option<Nation> {
    match scan.prepared.region {
        Some(Region::Scotland) => return Some(Nation::Scotland),
        Some(Region::NorthernIreland) => return Some(Nation::NorthernIreland),
        _ => {}
    }
    let doc = &scan.doc;
    (0..doc.len()).find_map(|i| {
        if doc.norm(i) == "hscni" || doc.norm(i) == "hsc" {
            return Some(Nation::NorthernIreland);
        }
        match scan.lex.places.longest_at(doc, i) {
            Some((_, Nation::Other)) | None => None,
            Some((_, n)) => Some(*n),
        }
    })
}

pub(crate) fn detect(scan: &Scan, out: &mut Vec<Raw>) {
    let text = scan.doc.text;
    let mut nation: Option<Option<Nation>> = None;
    for (start, end, digits) in ten_digit_candidates(text) {
        if scan.is_masked(start, end) || placeholder(&digits) || !mod11_valid(&digits) {
            continue;
        }
        let (label, other) = labels_near(scan, start, end);
        if other && label.is_none() {
            continue;
        }
        // Ten-digit Unix times of these years start 15-19; without an NHS/CHI label or a
        // patient nearby such a number is far more likely a timestamp than an identifier.
        if label.is_none()
            && digits[0] == b'1'
            && digits[1] >= b'5'
            && !patient_nearby(scan, start)
            && *nation.get_or_insert_with(|| nation_context(scan)) != Some(Nation::Scotland)
        {
            continue;
        }
        let date = ddmmyy_valid(&digits);
        let first3 = u32::from(digits[0] - b'0') * 100 + u32::from(digits[1] - b'0') * 10 + u32::from(digits[2] - b'0');
        let hc_range = (320..=399).contains(&first3);
        let category = match label {
            Some(Label::Chi) if date => Category::ChiNumber,
            Some(Label::Hc) => Category::HcNumber,
            Some(_) => Category::NhsNumber,
            None => {
                let n = *nation.get_or_insert_with(|| nation_context(scan));
                if date && n == Some(Nation::Scotland) {
                    Category::ChiNumber
                } else if hc_range && n == Some(Nation::NorthernIreland) {
                    Category::HcNumber
                } else if digits[0] == b'0' && !date {
                    // Looks like a phone number, and no NHS number starts with 0.
                    continue;
                } else {
                    Category::NhsNumber
                }
            }
        };
        out.push(Raw::new(category, start, end));
    }
    detect_nino(scan, out);
}

fn patient_nearby(scan: &Scan, pos: usize) -> bool {
    const WORDS: &[&str] = &[
        "patient",
        "pt",
        "pts",
        "nhs",
        "chi",
        "admitted",
        "bed",
        "bay",
        "ward",
        "notes",
        "wristband",
        "discharged",
        "mr",
        "mrs",
        "ms",
        "miss",
        "bloods",
        "referral",
        "gp",
    ];
    let doc = &scan.doc;
    let (a, b) = doc.sentence_of(doc.token_at(pos));
    (a..=b).any(|k| WORDS.contains(&doc.norm(k)))
}

fn nino_prefix_valid(a: u8, b: u8) -> bool {
    let first_ok = !b"DFIQUV".contains(&a);
    let second_ok = !b"DFIOQUV".contains(&b);
    let pair = [a, b];
    let unallocated = [b"BG", b"GB", b"NK", b"KN", b"TN", b"NT", b"ZZ"];
    first_ok && second_ok && !unallocated.iter().any(|p| **p == pair)
}

/// National Insurance numbers: `AB 12 34 56 C`, `AB123456C`, `AB 123456 C`.
fn detect_nino(scan: &Scan, out: &mut Vec<Raw>) {
    let text = scan.doc.text;
    let b = text.as_bytes();
    let mut i = 0;
    while i + 8 <= b.len() {
        // ASCII bytes are always character boundaries, so slicing at `i` is safe after this.
        if !(b[i].is_ascii_alphabetic() && b[i + 1].is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        let boundary = !text[..i].chars().next_back().is_some_and(char::is_alphanumeric);
        if !boundary {
            i += 1;
            continue;
        }
        if let Some((end, digits, suffix)) = nino_shape(b, i) {
            let upper = b[i].is_ascii_uppercase() && b[i + 1].is_ascii_uppercase();
            let pre = (b[i].to_ascii_uppercase(), b[i + 1].to_ascii_uppercase());
            let labelled = ni_label_before(scan, i);
            let placeholder = digits == *b"123456" || pre == (b'Q', b'Q');
            let ok = nino_prefix_valid(pre.0, pre.1)
                && !placeholder
                && (suffix || labelled)
                && (upper || labelled)
                && !scan.is_masked(i, end);
            if ok {
                out.push(Raw::new(Category::Nino, i, end));
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

/// Matches the NINO shape at byte `i`: returns end, the six digits, and whether an A–D
/// suffix letter was present.
fn nino_shape(b: &[u8], i: usize) -> Option<(usize, [u8; 6], bool)> {
    let mut j = i + 2;
    let mut digits = [0u8; 6];
    let mut n = 0;
    while n < 6 {
        if j < b.len() && b[j] == b' ' && n % 2 == 0 {
            j += 1;
        }
        let d = *b.get(j)?;
        if !d.is_ascii_digit() {
            return None;
        }
        digits[n] = d;
        n += 1;
        j += 1;
    }
    let at_boundary = |k: usize| b.get(k).is_none_or(|c| !c.is_ascii_alphanumeric());
    let mut k = j;
    if b.get(k) == Some(&b' ') {
        k += 1;
    }
    if let Some(&s) = b.get(k)
        && matches!(s.to_ascii_uppercase(), b'A'..=b'D')
        && at_boundary(k + 1)
    {
        return Some((k + 1, digits, true));
    }
    at_boundary(j).then_some((j, digits, false))
}

fn ni_label_before(scan: &Scan, pos: usize) -> bool {
    let doc = &scan.doc;
    let i = doc.token_at(pos);
    let words: Vec<&str> = doc.words_before(i, 4).map(|j| doc.norm(j)).collect();
    words.iter().any(|w| matches!(*w, "nino" | "ni" | "ni-no" | "insurance"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{found, spans};

    #[test]
    fn modulus_11() {
        assert!(mod11_valid(b"9434765919"));
        assert!(!mod11_valid(b"9434765918"));
        assert!(mod11_valid(b"4010232137"));
        assert!(!mod11_valid(b"123"));
        // Remainder giving check digit 10 is never valid.
        assert!(!mod11_valid(b"1234567890"));
    }

    #[test]
    fn nhs_numbers_in_common_spacings_with_exact_spans() {
        let t = "Pt NHS no 943 476 5919 on the list";
        assert_eq!(spans(t, Category::NhsNumber), vec!["943 476 5919"]);
        assert_eq!(spans("ref:9434765919.", Category::NhsNumber), Vec::<&str>::new());
        assert_eq!(spans("number 943-476-5919.", Category::NhsNumber), vec!["943-476-5919"]);
        assert_eq!(spans("(9434765919)", Category::NhsNumber), vec!["9434765919"]);
        assert_eq!(spans("bed 4 943 476 5919", Category::NhsNumber), vec!["943 476 5919"]);
    }

    #[test]
    fn checksum_failures_repeats_and_sequences_are_not_nhs_numbers() {
        for t in [
            "NHS number 943 476 5918",
            "NHS number 0000000000",
            "NHS number 1111111111",
            "NHS number 444 444 4444",
            "try 0123456789 or 9876543210",
            "NHS 4444444440 demo",
        ] {
            assert!(!found(t).iter().any(|c| c.is_national_identifier()), "{t}");
        }
    }

    #[test]
    fn numbers_labelled_as_something_else_pass() {
        for t in [
            "Order number 943 476 5919 has shipped",
            "My GMC number is 9434765919",
            "Call 943 476 5919",
            "Unix timestamp 1700000005",
            "ring 0161 496 0000",
        ] {
            assert!(!found(t).iter().any(|c| c.is_national_identifier()), "{t}: {:?}", found(t));
        }
    }

    #[test]
    fn chi_needs_a_date_and_scottish_context_or_label() {
        // 150385 is 15 March 1985; 1503854000 passes modulus 11 (checked below).
        assert!(mod11_valid(b"1503854000"));
        assert_eq!(spans("CHI 1503854000", Category::ChiNumber), vec!["1503854000"]);
        assert_eq!(spans("Seen in Dundee, 1503854000", Category::ChiNumber), vec!["1503854000"]);
        // Without a Scottish context it is still blocked, as an NHS number, when it is
        // about a patient; alone it reads as a Unix time (15…–19… are this era's).
        assert_eq!(spans("patient 1503854000", Category::NhsNumber), vec!["1503854000"]);
        assert!(found("logged 1503854000").is_empty());
    }

    #[test]
    fn hc_numbers_with_northern_irish_context_or_label() {
        let n =
            (0..10_000u32).map(|k| format!("3{:09}", 201_000_000 + k * 7)).find(|s| mod11_valid(s.as_bytes())).unwrap();
        assert_eq!(spans(&format!("H&C number {n}"), Category::HcNumber), vec![n.as_str()]);
        assert_eq!(spans(&format!("Belfast: {n}"), Category::HcNumber), vec![n.as_str()]);
    }

    #[test]
    fn national_insurance_numbers() {
        assert_eq!(spans("NI: AB 12 34 57 C.", Category::Nino), vec!["AB 12 34 57 C"]);
        assert_eq!(spans("JT482917D", Category::Nino), vec!["JT482917D"]);
        assert_eq!(spans("NI number jt 48 29 17", Category::Nino), vec!["jt 48 29 17"]);
        for t in [
            "e.g. QQ 12 34 56 C",
            "like AB123456C",
            "DA482917D",
            "GB482917A",
            "JT482917",
            "NMC PIN 12A3456E",
            "xJT482917D",
        ] {
            assert!(spans(t, Category::Nino).is_empty(), "{t}");
        }
    }
}
