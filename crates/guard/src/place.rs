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

/// Is the sentence of token `i` about a person? `seen` remembers the answer per sentence:
/// a long post with many beds in one sentence must not read that sentence again for each.
fn person_in_sentence(scan: &Scan, i: usize, names: &[Raw], seen: &mut Vec<Option<bool>>) -> bool {
    let doc = &scan.doc;
    let sent = doc.toks[i].sent as usize;
    if let Some(&Some(known)) = seen.get(sent) {
        return known;
    }
    let (a, b) = doc.sentence_of(i);
    let (s, e) = (doc.toks[a].start, doc.toks[b].end);
    let found = (a..=b).any(|k| scan.lex.cues.person_words.contains(&doc.toks[k].stem()))
        || names.iter().any(|n| n.category == Category::PatientName && n.start >= s && n.end <= e)
        || (a..=b).any(|k| age_at(scan, k).is_some())
        // "Ward 9 bed 11, hosp no K2287710": a patient identifier is a person.
        || crate::names::identifier_label(doc, a, b);
    if seen.len() <= sent {
        seen.resize(sent + 1, None);
    }
    seen[sent] = Some(found);
    found
}

/// Finds ward, bay, bed and room details that say where a patient is.
fn care_locations(scan: &Scan, names: &[Raw], out: &mut Vec<Raw>) {
    let doc = &scan.doc;
    let mut seen = Vec::new();
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
            // "12 beds", "bed 3 of 20" are capacity, not a place for one person; but in
            // "Ward 9 bed 11" the number before is the ward's.
            let ward_number = i >= 2 && matches!(doc.norm(i - 2), "ward" | "bay" | "unit");
            if doc.get(i.wrapping_sub(1)).is_some_and(|t| t.is_num()) && !ward_number {
                continue;
            }
            if person_in_sentence(scan, i, names, &mut seen) {
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
            if on_it && person_in_sentence(scan, i, names, &mut seen) {
                out.push(Raw::new(Category::CareLocation, doc.toks[first].start, doc.toks[last].end));
            }
        }
    }
    // The organisation's own ward and site names.
    for place in &scan.prepared.places {
        for i in 0..doc.len() {
            if doc.matches_at(i, place) && person_in_sentence(scan, i, names, &mut seen) {
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
        let group = doc.norm(i + 2) == "+"
            || doc.norm(i + 2) == "-"
            || (matches!(doc.norm(i + 2), "and" | "or")
                && matches!(doc.norm(i + 3), "over" | "under" | "above" | "below"))
            || doc.prev_word(i).is_some_and(|p| {
                matches!(doc.norm(p), "children" | "people" | "adults" | "patients" | "women" | "men")
            });
        return (n.is_num() && n.norm.len() <= 3 && !group).then_some(i + 1);
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
        "year-old" | "yo" | "y" | "yr" | "yrs" | "years" | "year" | "month-old" | "week-old" | "day-old" | "week"
        | "weeks" | "month" | "months" | "day" | "days" => {
            let next = doc.norm(j + 1);
            if matches!(
                doc.norm(j),
                "years" | "year" | "yrs" | "yr" | "week" | "weeks" | "month" | "months" | "day" | "days"
            ) && !matches!(next, "old" | "-")
            {
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

/// A life stage written with a decade: "early 20s", "mid-40s", "in his 80s", "in her
/// late 70s" (not "in their 80s", a group). Returns the last token.
fn decade_at(scan: &Scan, i: usize) -> Option<usize> {
    let doc = &scan.doc;
    let t = doc.get(i)?;
    if !t.is_num() || t.norm.len() != 2 || !t.norm.ends_with('0') {
        return None;
    }
    let s = doc.get(i + 1)?;
    if s.norm != "s" || s.space_before {
        return None;
    }
    let mut k = i;
    let mut before = doc.norm(k.checked_sub(1)?);
    if before == "-" {
        k -= 1;
        before = doc.norm(k.checked_sub(1)?);
    }
    if matches!(before, "early" | "mid" | "late") {
        k -= 1;
        before = doc.norm(k.checked_sub(1)?);
    }
    let bare = doc.norm(i - 1) == "," && matches!(doc.norm(i + 2), "," | "." | "");
    let ok = bare
        || matches!(before, "his" | "her" | "early" | "mid" | "late")
        || matches!(doc.norm(i - 1), "early" | "mid" | "late" | "-");
    ok.then_some(i + 1)
}

/// "41 y/o", "41 y.o.": the age written with a slash or dots. Returns the last token.
fn slash_age_at(scan: &Scan, i: usize) -> Option<usize> {
    let doc = &scan.doc;
    let t = doc.get(i)?;
    (t.is_num()
        && t.norm.len() <= 3
        && doc.norm(i + 1) == "y"
        && matches!(doc.norm(i + 2), "/" | ".")
        && doc.norm(i + 3) == "o")
        .then_some(i + 3)
}

/// A clock time: "6pm", "2am", "03:12".
fn clock_at(scan: &Scan, i: usize) -> Option<usize> {
    let doc = &scan.doc;
    let t = doc.get(i)?;
    if !t.is_num() || t.norm.len() > 2 {
        return None;
    }
    let n = doc.get(i + 1)?;
    if matches!(n.norm.as_str(), "am" | "pm") && !n.space_before {
        return Some(i + 1);
    }
    (n.norm == ":" && !n.space_before && doc.get(i + 2).is_some_and(|m| m.is_num() && m.norm.len() == 2))
        .then_some(i + 2)
}

/// A road: "A470", "M6", "B1234", or a capitalised name and a street type ("Dale Street").
fn road_at(scan: &Scan, i: usize) -> Option<usize> {
    let doc = &scan.doc;
    let t = doc.get(i)?;
    if t.kind != Kind::Word || !t.cap {
        return None;
    }
    let raw = &doc.text[t.start..t.end];
    let b = raw.as_bytes();
    if (2..=5).contains(&b.len()) && matches!(b[0], b'A' | b'M' | b'B') && b[1..].iter().all(u8::is_ascii_digit) {
        return Some(i);
    }
    let n = doc.get(i + 1)?;
    (n.cap && n.is_word() && scan.lex.street_types.contains(&n.norm) && !scan.lex.cues.not_a_person.contains(&t.norm))
        .then_some(i + 1)
}

const UNITS: &[&str] = &["icu", "itu", "hdu", "picu", "nicu", "scbu", "resus", "a&e", "hospital", "infirmary", "uhw"];

/// Details that together single out one person without naming them: an age or life stage,
/// a condition, a place, a time, an occupation, a family detail, an event, a singling
/// word ("the only", "oldest"). Counted as distinct kinds in a sentence and the one after
/// it, only when the sentence is about one person (an age, a life stage or a person noun
/// in the singular) who is not the author's own family ("my 6-year-old"). Reported at three
/// kinds, or two when one is rare or singling (a rare condition, "the only", "oldest").
fn indirect(scan: &Scan, locations: &[Raw], out: &mut Vec<Raw>) {
    use crate::lexicon::Facet;
    let doc = &scan.doc;
    let Some(last) = doc.toks.last() else {
        return;
    };
    let nsent = last.sent as usize + 1;
    // Facets per sentence: bit set, spans, whether one is specific, whether a person is there.
    let mut bits = vec![0u16; nsent];
    let mut specific = vec![false; nsent];
    let mut person = vec![false; nsent];
    let mut own = vec![false; nsent];
    let mut has_words = vec![false; nsent];
    for t in &doc.toks {
        if t.is_word() {
            has_words[t.sent as usize] = true;
        }
    }
    // A person only by a pronoun or a bare number ("she's 91"), and staff words nearby.
    let mut weak_person = vec![false; nsent];
    let mut staff = vec![false; nsent];
    let mut spans: Vec<Vec<(usize, usize)>> = vec![Vec::new(); nsent];
    const AGE: u16 = 1;
    const COND: u16 = 2;
    const PLACE: u16 = 4;
    const TIME: u16 = 8;
    const OCC: u16 = 16;
    const FAMILY: u16 = 32;
    const EVENT: u16 = 64;
    const SINGLE: u16 = 128;
    let mut k = 0;
    while k < doc.len() {
        let t = &doc.toks[k];
        let s = t.sent as usize;
        let mut mark = |bit: u16, first: usize, lastk: usize, spec: bool| {
            bits[s] |= bit;
            specific[s] |= spec;
            spans[s].push((doc.toks[first].start, doc.toks[lastk].end));
        };
        let prev = doc.prev_word(k).map_or("", |p| doc.norm(p));
        if let Some(e) = age_at(scan, k).or_else(|| slash_age_at(scan, k)).or_else(|| decade_at(scan, k)) {
            if matches!(prev, "my" | "our") && doc.norm(k.saturating_sub(1)) != "-" {
                own[s] = true;
            }
            person[s] = true;
            mark(AGE, k, e, false);
            k = e + 1;
            continue;
        }
        // "Retired headmaster, 88, from Keswick", "she's 24": a bare age said of someone.
        if t.is_num()
            && t.norm.len() <= 3
            && t.norm.parse::<u32>().is_ok_and(|n| (1..=110).contains(&n))
            && (matches!(prev, "she's" | "he's" | "who's")
                || (doc.norm(k.wrapping_sub(1)) == ","
                    && matches!(doc.norm(k + 1), "," | "." | "")
                    && k >= 2
                    && doc.toks[k - 2].is_word()))
        {
            weak_person[s] = true;
            mark(AGE, k, k, false);
            k += 1;
            continue;
        }
        if matches!(t.norm.as_str(), "she" | "he" | "she's" | "he's" | "her" | "his") {
            weak_person[s] = true;
        }
        if scan.lex.roles.contains(&t.norm) || matches!(t.norm.as_str(), "volunteer" | "colleague" | "team") {
            staff[s] = true;
        }
        if let Some((len, _)) = scan.lex.rare_conditions.longest_at(doc, k) {
            mark(COND, k, k + len - 1, true);
            k += len;
            continue;
        }
        if let Some((len, &facet)) = scan.lex.facets.longest_at(doc, k) {
            let (bit, spec) = match facet {
                Facet::Stage => (AGE, false),
                Facet::Condition => (COND, false),
                Facet::Occupation => (OCC, false),
                Facet::Venue => (PLACE, false),
                Facet::Event => (EVENT, false),
                Facet::Family => (FAMILY, false),
                Facet::Singling => (SINGLE, true),
                Facet::Time => (TIME, false),
            };
            if facet == Facet::Stage {
                person[s] = true;
                if matches!(prev, "my" | "our") {
                    own[s] = true;
                }
            }
            mark(bit, k, k + len - 1, spec);
            k += len;
            continue;
        }
        if t.cap
            && let Some((len, _)) = scan.lex.places.longest_at(doc, k)
        {
            mark(PLACE, k, k + len - 1, false);
            k += len;
            continue;
        }
        if let Some(e) = road_at(scan, k) {
            mark(PLACE, k, e, false);
            k = e + 1;
            continue;
        }
        let time_start = matches!(
            t.norm.as_str(),
            "last"
                | "this"
                | "yesterday"
                | "today"
                | "tonight"
                | "overnight"
                | "earlier"
                | "just"
                | "at"
                | "over"
                | "on"
                | "christmas"
                | "boxing"
                | "new"
        );
        if let Some(words) = TIME_WORDS
            .iter()
            .filter(|_| time_start)
            .find(|w| w.iter().enumerate().all(|(x, ww)| doc.norm(k + x) == *ww))
        {
            mark(TIME, k, k + words.len() - 1, false);
            k += words.len();
            continue;
        }
        if let Some(e) = clock_at(scan, k) {
            mark(TIME, k, e, false);
            k = e + 1;
            continue;
        }
        if scan.lex.cues.detail_words.contains(&t.norm.as_str())
            && !matches!(t.norm.as_str(), "only" | "first" | "news")
        {
            mark(OCC, k, k, true);
        }
        if (t.cap || t.all_caps) && UNITS.contains(&t.norm.as_str()) {
            mark(PLACE, k, k, false);
        }
        if t.is_word()
            && (scan.lex.cues.person_nouns.contains(&t.norm.as_str())
                || matches!(t.norm.as_str(), "mum" | "dad" | "mother" | "father" | "mam"))
            && !t.norm.ends_with('s')
            && !matches!(t.norm.as_str(), "patients" | "user" | "elderly")
        {
            person[s] = true;
            if matches!(prev, "my" | "our") {
                own[s] = true;
            }
        }
        k += 1;
    }
    for l in locations.iter().filter(|l| l.category != Category::PatientName) {
        let s = doc.toks[doc.token_at(l.start).min(doc.len() - 1)].sent as usize;
        let bit = if l.category == Category::DateOfBirth { AGE } else { PLACE };
        if bit == AGE {
            person[s] = true;
        }
        bits[s] |= bit;
        spans[s].push((l.start, l.end));
    }
    for s in 0..nsent {
        if weak_person[s] && !staff[s] {
            person[s] = true;
        }
    }
    // A patient already named is reported as a name; the details add nothing to that.
    for r in locations.iter().filter(|r| r.category == Category::PatientName) {
        let s = doc.toks[doc.token_at(r.start).min(doc.len() - 1)].sent as usize;
        person[s] = false;
    }
    // Teaching scenarios are made up (`fiction_words`), and a public figure's story
    // (`fame_words`: "the most famous face of young-onset Parkinson's") is public.
    let cues = &scan.lex.cues;
    if doc.toks.iter().any(|t| cues.fiction_words.contains(t.stem()) || cues.fame_words.contains(t.stem()))
        || doc.toks.windows(2).any(|p| crate::names::teaching_pair(p[0].stem(), p[1].stem()))
    {
        return;
    }
    // News about someone ("Harrogate woman completes marathon, the local paper reports")
    // is a public story, not a patient's details.
    let news = |w: &str| {
        matches!(
            w,
            "report"
                | "reports"
                | "reported"
                | "says"
                | "news"
                | "paper"
                | "headline"
                | "bbc"
                | "according"
                | "survey"
                | "study"
                | "poll"
                | "article"
                | "documentary"
                | "interview"
        )
    };
    for t in &doc.toks {
        if news(&t.norm) {
            person[t.sent as usize] = false;
        }
    }
    let mut s = 0;
    while s < nsent {
        if !person[s] || (own[s] && bits[s] & AGE != 0) {
            s += 1;
            continue;
        }
        let mut b = bits[s];
        let mut spec = specific[s];
        let mut sp = spans[s].clone();
        let mut upto = s;
        // The next sentence with words in it ("…on day 2!! Oldest patient…").
        if let Some(n) = (s + 1..nsent).find(|&n| has_words[n]) {
            b |= bits[n];
            spec |= specific[n];
            sp.extend(spans[n].iter().copied());
            upto = n;
        }
        let count = b.count_ones();
        if count >= 3 || (count >= 2 && spec && b & (AGE | COND) != 0) {
            let start = sp.iter().map(|x| x.0).min().unwrap_or(0);
            let end = sp.iter().map(|x| x.1).max().unwrap_or(0);
            out.push(Raw::new(Category::IndirectIdentifiers, start, end));
            s = upto + 1;
            continue;
        }
        s += 1;
    }
}

pub(crate) fn detect(scan: &Scan, earlier: &[Raw]) -> Vec<Raw> {
    let mut out = Vec::new();
    care_locations(scan, earlier, &mut out);
    let mut locations = out.clone();
    locations.extend(
        earlier.iter().filter(|r| matches!(r.category, Category::DateOfBirth | Category::PatientName)).copied(),
    );
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
    fn a_bed_beside_a_patient_identifier_is_a_care_location() {
        let t = "Ward 4 bed 9, MRN K1234567, still waiting for pharmacy";
        assert_eq!(spans(t, Category::CareLocation), vec!["bed 9"]);
        assert!(spans("Ward 4 bed 9 is free, ready for the next admission", Category::CareLocation).is_empty());
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

    #[test]
    fn facets_without_a_numbered_age() {
        for t in [
            "Teenage lad came off a quad bike near Hexham on Saturday night",
            "Man in his 50s, a retired postman from Whitby, admitted with a rare lymphoma yesterday",
        ] {
            assert_eq!(spans(t, Category::IndirectIdentifiers).len(), 1, "{t}");
        }
        for t in [
            "My 6-year-old loved the school trip to Bridgend yesterday",
            "Hip fractures in people over 90 are rising",
            "Harrogate woman completes marathon after transplant, the local paper reports",
            "Cystic fibrosis drug approved for children aged 2 and over",
        ] {
            assert!(spans(t, Category::IndirectIdentifiers).is_empty(), "{t}");
        }
    }
}
