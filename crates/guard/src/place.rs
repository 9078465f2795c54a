//! Where a patient is (care_location) and combinations of details that single someone out
//! without a name (indirect_identifiers).

use crate::report::Category;
use crate::text::Kind;
use crate::{Raw, Scan};

fn location_id(scan: &Scan, j: usize) -> Option<usize> {
    let doc = &scan.doc;
    let t = doc.get(j)?;
    let ok = match t.kind {
        Kind::Num => t.norm.len() <= 3,
        Kind::Word => {
            let raw = &doc.text[t.start..t.end];
            (raw.len() == 1 && t.cap && raw != "I" && raw != "A")
                || (raw.len() <= 4 && t.cap && raw.bytes().skip(1).all(|b| b.is_ascii_digit()) && raw.len() > 1)
        }
        Kind::Punct => false,
    };
    if !ok {
        return None;
    }
    // "4B", "12a"
    match doc.get(j + 1) {
        Some(n) if t.is_num() && n.is_word() && !n.space_before && n.norm.len() == 1 => Some(j + 1),
        _ => Some(j),
    }
}

fn person_in_sentence(scan: &Scan, i: usize, names: &[Raw]) -> bool {
    let doc = &scan.doc;
    let (a, b) = doc.sentence_of(i);
    let (s, e) = (doc.toks[a].start, doc.toks[b].end);
    (a..=b).any(|k| scan.lex.cues.person_words.contains(&doc.toks[k].stem()))
        || names.iter().any(|n| n.category == Category::PatientName && n.start >= s && n.end <= e)
        || (a..=b).any(|k| age_at(scan, k).is_some())
}

/// Finds ward, bay, bed and room details that say where a patient is.
fn care_locations(scan: &Scan, names: &[Raw], out: &mut Vec<Raw>) {
    let doc = &scan.doc;
    for i in 0..doc.len() {
        let w = doc.norm(i);
        let prev = doc.prev_word(i).map_or("", |p| doc.norm(p));
        let mut noun_end = i;
        let is_side_room = w == "side" && doc.norm(i + 1) == "room";
        if is_side_room {
            noun_end = i + 1;
        }
        if scan.lex.cues.location_nouns.contains(&w) || is_side_room {
            if w == "room" && scan.lex.cues.non_care_rooms.contains(&prev) {
                continue;
            }
            let Some(last) = location_id(scan, noun_end + 1) else {
                continue;
            };
            // "12 beds", "bed 3 of 20" are capacity, not a place for one person.
            if doc.get(i.wrapping_sub(1)).is_some_and(|t| t.is_num()) {
                continue;
            }
            if person_in_sentence(scan, i, names) {
                out.push(Raw::new(Category::CareLocation, doc.toks[i].start, doc.toks[last].end));
            }
        } else if w == "ward" {
            // "Ward 12", "ward 7B", "Keats Ward": a ward with someone on it.
            let (first, last) = if let Some(last) = location_id(scan, i + 1) {
                (i, last)
            } else if i > 0
                && doc.toks[i - 1].cap
                && doc.toks[i - 1].is_word()
                && !matches!(doc.norm(i - 1), "the" | "our" | "this" | "my" | "a")
            {
                (i - 1, i)
            } else {
                continue;
            };
            let before = doc.prev_word(first).map_or("", |p| doc.norm(p));
            let on_it = matches!(before, "on" | "in" | "to" | "from" | "onto" | "at" | "into");
            if on_it && person_in_sentence(scan, i, names) {
                out.push(Raw::new(Category::CareLocation, doc.toks[first].start, doc.toks[last].end));
            }
        }
    }
    // The organisation's own ward and site names.
    for place in &scan.prepared.places {
        for i in 0..doc.len() {
            if doc.matches_at(i, place) && person_in_sentence(scan, i, names) {
                let last = i + place.len() - 1;
                out.push(Raw::new(Category::CareLocation, doc.toks[i].start, doc.toks[last].end));
            }
        }
    }
}

/// An age for one person at token `i`: "93-year-old", "93 year old", "aged 93", "93yo".
/// Returns the last token of the phrase.
fn age_at(scan: &Scan, i: usize) -> Option<usize> {
    let doc = &scan.doc;
    let t = doc.get(i)?;
    if matches!(t.norm.as_str(), "aged" | "age") {
        let n = doc.get(i + 1)?;
        return (n.is_num() && n.norm.len() <= 3 && doc.norm(i + 2) != "+" && doc.norm(i + 2) != "-").then_some(i + 1);
    }
    if t.norm == "centenarian" {
        return Some(i);
    }
    if !t.is_num() || t.norm.len() > 3 {
        return None;
    }
    let mut j = i + 1;
    if doc.norm(j) == "-" {
        j += 1;
    }
    match doc.norm(j) {
        "year-old" | "yo" | "y" | "yr" | "yrs" | "years" | "year" | "month-old" | "week-old" | "day-old" => {
            let next = doc.norm(j + 1);
            if matches!(doc.norm(j), "years" | "year" | "yrs" | "yr") && !matches!(next, "old" | "-") {
                return None;
            }
            let end = if matches!(next, "old" | "-") { j + 1 } else { j };
            // "93-year-olds" is a group, not a person.
            (!doc.norm(j).ends_with("olds") && doc.norm(end + 1) != "olds").then_some(end)
        }
        _ => None,
    }
}

const TIME_WORDS: &[&[&str]] = &[
    &["last", "night"],
    &["this", "morning"],
    &["this", "afternoon"],
    &["this", "evening"],
    &["yesterday"],
    &["today"],
    &["tonight"],
    &["overnight"],
    &["earlier"],
    &["just", "now"],
    &["at", "the", "weekend"],
    &["over", "the", "weekend"],
    &["on", "monday"],
    &["on", "tuesday"],
    &["on", "wednesday"],
    &["on", "thursday"],
    &["on", "friday"],
    &["on", "saturday"],
    &["on", "sunday"],
    &["christmas", "day"],
    &["boxing", "day"],
    &["new", "year's", "eve"],
    &["last", "week"],
];

/// Age + rare condition + place + time (and similar details) that together single a
/// patient out.
fn indirect(scan: &Scan, locations: &[Raw], out: &mut Vec<Raw>) {
    let doc = &scan.doc;
    let mut done_until = 0u32;
    for i in 0..doc.len() {
        let Some(age_end) = age_at(scan, i) else {
            continue;
        };
        let sent = doc.toks[i].sent;
        if sent < done_until {
            continue;
        }
        // The sentence with the age, and the one after it.
        let (a, _) = doc.sentence_of(i);
        let mut b = doc.sentence_of(i).1;
        if let Some(n) = doc.get(b + 1) {
            b = doc.sentence_of(b + 1).1.max(b);
            let _ = n;
        }
        let mut spans = vec![(doc.toks[i].start, doc.toks[age_end].end)];
        let (mut rare, mut place, mut time, mut detail) = (false, false, false, false);
        let mut k = a;
        while k <= b {
            let t = &doc.toks[k];
            if let Some((len, _)) = scan.lex.rare_conditions.longest_at(doc, k) {
                rare = true;
                spans.push((t.start, doc.toks[k + len - 1].end));
                k += len;
                continue;
            }
            if let Some((len, _)) = scan.lex.places.longest_at(doc, k)
                && doc.toks[k].cap
            {
                place = true;
                spans.push((t.start, doc.toks[k + len - 1].end));
                k += len;
                continue;
            }
            if let Some(words) = TIME_WORDS.iter().find(|w| w.iter().enumerate().all(|(x, ww)| doc.norm(k + x) == *ww))
            {
                time = true;
                spans.push((t.start, doc.toks[k + words.len() - 1].end));
                k += words.len();
                continue;
            }
            if scan.lex.cues.detail_words.contains(&t.norm.as_str()) {
                detail = true;
                spans.push((t.start, t.end));
            }
            if matches!(t.norm.as_str(), "hospital" | "infirmary" | "icu" | "hdu" | "a&e" | "resus") && doc.toks[k].cap
            {
                place = true;
                spans.push((t.start, t.end));
            }
            k += 1;
        }
        let (s, e) = (doc.toks[a].start, doc.toks[b].end);
        for l in locations.iter().filter(|l| l.start >= s && l.end <= e) {
            place = true;
            spans.push((l.start, l.end));
        }
        let count = 1 + usize::from(rare) + usize::from(place) + usize::from(time) + usize::from(detail);
        if count >= 3 && (rare || detail || count >= 4) {
            let start = spans.iter().map(|x| x.0).min().unwrap_or(0);
            let end = spans.iter().map(|x| x.1).max().unwrap_or(0);
            out.push(Raw::new(Category::IndirectIdentifiers, start, end));
            done_until = doc.toks[b].sent + 1;
        }
    }
}

pub(crate) fn detect(scan: &Scan, earlier: &[Raw]) -> Vec<Raw> {
    let mut out = Vec::new();
    care_locations(scan, earlier, &mut out);
    let locations = out.clone();
    indirect(scan, &locations, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;
    use crate::testing::{spans, spans_with};

    #[test]
    fn beds_bays_and_wards_with_a_patient() {
        assert_eq!(spans("The lady in bay 3 kept pressing her buzzer", Category::CareLocation), vec!["bay 3"]);
        assert_eq!(spans("Bed 12B is confused again", Category::CareLocation), vec!["Bed 12B"]);
        assert_eq!(spans("Transferred him to Ward 7 at 2am", Category::CareLocation), vec!["Ward 7"]);
        assert_eq!(spans("He's in side room 4", Category::CareLocation), vec!["side room 4"]);
    }

    #[test]
    fn places_without_a_patient_are_not_care_locations() {
        for t in [
            "Ward 12 are recruiting band 5 nurses",
            "Bay 3 is being deep cleaned today",
            "We opened 12 beds this winter",
            "Training in meeting room 4 at 2pm",
            "Nightingale Ward celebrates ten years",
        ] {
            assert!(spans(t, Category::CareLocation).is_empty(), "{t}");
        }
        let p = Policy::from_json(r#"{"place_names": ["Willow Unit"]}"#).unwrap();
        assert_eq!(spans_with("She was moved to Willow Unit", Category::CareLocation, &p), vec!["Willow Unit"]);
    }

    #[test]
    fn combinations_of_details() {
        let t = "the 93-year-old with a sarcoma we admitted to Ward 12 last night";
        assert_eq!(
            spans(t, Category::IndirectIdentifiers),
            vec!["93-year-old with a sarcoma we admitted to Ward 12 last night"]
        );
        for t in [
            "Sarcoma awareness month: most cases are in people over 50",
            "A 70-year-old with a chest infection is a common admission",
            "Our 80-year-olds with MND deserve better care",
        ] {
            assert!(spans(t, Category::IndirectIdentifiers).is_empty(), "{t}");
        }
    }
}
