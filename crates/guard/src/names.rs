//! Patients' names. A name alone is not a finding: colleagues, public figures, authors,
//! eponyms and wards named after people are all names. A name is reported when the words
//! around it present the person as a patient, service user, resident or their relative,
//! and nothing presents them as staff or a public figure.

use std::cell::OnceCell;

use crate::report::Category;
use crate::text::Kind;
use crate::{Raw, Scan};

/// How sure we are that a span is a person's name at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    /// A capitalised word we do not know, or a given name that is also a word ("Will").
    Weak,
    /// A known given name on its own.
    Medium,
    /// A title and a name, or a given name and a surname.
    Strong,
}

struct NameSpan {
    first: usize,
    last: usize,
    titled: bool,
    strength: Strength,
}

const PATIENT_TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "mx", "master", "mister"];

/// What a sentence says about the names in it, worked out once per sentence.
#[derive(Clone, Copy)]
struct SentenceCues {
    care: bool,
    relative: bool,
    /// "their" and a relative: "…looking after their father".
    their_relative: bool,
    praise: usize,
    reporting: bool,
    /// A job title anywhere in the sentence.
    role: bool,
    /// A job title in this sentence or the next.
    role_here_or_next: bool,
}

fn sentence_cues(scan: &Scan, a: usize, b: usize) -> SentenceCues {
    let doc = &scan.doc;
    let mut words: Vec<&str> = (a..=b).map(|k| doc.norm(k)).collect();
    // "broke the news to her son" is a conversation at the bedside, not the news media or
    // news about a colleague: drop that "news" before looking for reporting and praise.
    for k in 2..words.len() {
        if words[k] == "news"
            && words[k - 1] == "the"
            && matches!(words[k - 2], "broke" | "break" | "breaking" | "breaks")
        {
            words[k] = "";
        }
    }
    SentenceCues {
        // "…for her last hours": a death at the bedside is about care too.
        care: words.iter().any(|w| scan.lex.cues.care_context.contains(w))
            || words.windows(3).any(|p| {
                matches!(p[0], "his" | "her" | "their")
                    && matches!(p[1], "last" | "final")
                    && matches!(p[2], "hour" | "hours" | "moments" | "breath" | "breaths" | "days")
            }),
        // "…keeps asking for his wife": the person's own relatives are mentioned.
        relative: words
            .windows(2)
            .any(|p| matches!(p[0], "his" | "her" | "their") && scan.lex.cues.relatives.contains(&p[1])),
        their_relative: (a..b).any(|k| {
            doc.norm(k) == "their" && doc.get(k + 1).is_some_and(|n| scan.lex.cues.relatives.contains(n.stem()))
        }),
        praise: words
            .iter()
            .filter(|w| scan.lex.cues.staff_activity.contains(w) || scan.lex.cues.thanks.contains(w))
            .count(),
        reporting: words.iter().any(|w| scan.lex.cues.reporting.contains(w)),
        role: (a..=b).any(|k| doc.toks[k].is_word() && is_role(scan, doc.toks[k].stem())),
        role_here_or_next: false,
    }
}

/// Each sentence's first and last token, indexed by sentence number.
fn sentence_bounds(doc: &crate::text::Doc) -> Vec<Option<(usize, usize)>> {
    let mut bounds: Vec<Option<(usize, usize)>> = Vec::new();
    for (k, t) in doc.toks.iter().enumerate() {
        let s = t.sent as usize;
        if bounds.len() <= s {
            bounds.resize(s + 1, None);
        }
        let entry = bounds[s].get_or_insert((k, k));
        entry.1 = k;
    }
    bounds
}

pub(crate) fn detect(scan: &Scan, out: &mut Vec<Raw>) {
    let bounds = sentence_bounds(&scan.doc);
    let mut cues: Vec<Option<SentenceCues>> = vec![None; bounds.len()];
    let mut cues_of = |s: usize| -> Option<SentenceCues> {
        let (a, b) = (*bounds.get(s)?)?;
        let slot = cues.get_mut(s)?;
        Some(*slot.get_or_insert_with(|| sentence_cues(scan, a, b)))
    };
    // Whether the post speaks of care anywhere, worked out once if a frame needs it.
    let post_care = OnceCell::new();
    for span in name_spans(scan) {
        if excluded(scan, &span) {
            continue;
        }
        let sent = scan.doc.toks[span.first].sent as usize;
        let Some(mut c) = cues_of(sent) else {
            continue;
        };
        c.role_here_or_next = c.role || cues_of(sent + 1).is_some_and(|n| n.role);
        let (score, framed, confirmed) = patient_score(scan, &span, c, &post_care);
        let needed = if span.strength == Strength::Weak && !confirmed { 3.5 } else { 3.0 };
        if score >= needed && (span.strength > Strength::Weak || framed) {
            let doc = &scan.doc;
            let start = doc.toks[span.first].start;
            let last = &doc.toks[span.last];
            let end = last.end - possessive_len(&doc.text[last.start..last.end]);
            if !scan.is_masked(start, end) {
                out.push(Raw::new(Category::PatientName, start, end));
            }
        }
    }
}

fn possessive_len(raw: &str) -> usize {
    ["'s", "’s", "'S", "'", "’"].iter().find(|s| raw.ends_with(*s) && raw.len() > s.len()).map_or(0, |s| s.len())
}

fn is_cap_word(scan: &Scan, i: usize) -> bool {
    scan.doc.get(i).is_some_and(|t| t.is_word() && t.cap && !t.all_caps)
}

/// A capitalised word that may be a surname or an unknown name.
fn name_like(scan: &Scan, i: usize) -> bool {
    let Some(t) = scan.doc.get(i) else {
        return false;
    };
    let lex = scan.lex;
    let w = t.stem();
    let known = lex.given.contains(w) || lex.surnames.contains(w) || lex.given_ambiguous.contains(w);
    // Unknown words ending like verbs and adverbs ("Discharged", "Nursing", "Finally") are
    // sentence starters, not names.
    let verbish = !known && (w.ends_with("ing") || w.ends_with("ed") || w.ends_with("ly"));
    is_cap_word(scan, i)
        && !verbish
        && !lex.not_names.contains(w)
        && !scan.lex.cues.person_nouns.contains(&w)
        && !scan.lex.cues.care_verbs.contains(&w)
        && !scan.lex.cues.relatives.contains(&w)
        && !scan.lex.cues.thanks.contains(&w)
        && !PATIENT_TITLES.contains(&w)
        && !scan.lex.cues.other_titles.contains(&w)
        && !lex.roles.contains(w)
        && !lex.street_types.contains(w)
        && crate::dates::month_number(w).is_none()
        && !t.norm.bytes().any(|b| b.is_ascii_digit())
}

fn name_spans(scan: &Scan) -> Vec<NameSpan> {
    let doc = &scan.doc;
    let lex = scan.lex;
    let mut spans = Vec::new();
    let mut i = 0;
    while i < doc.len() {
        let t = &doc.toks[i];
        if !t.is_word() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if doc.norm(j) == "." && !doc.toks[j].space_before {
            j += 1;
        }
        let w = t.stem();
        // "@Sarah" is a handle: a user on the network, not a patient.
        let handle = i > 0 && doc.norm(i - 1) == "@" && !t.space_before;
        if handle {
            i += 1;
            continue;
        }
        if t.cap && scan.lex.cues.other_titles.contains(&w) && (is_cap_word(scan, j)) {
            // Skip the titled name entirely: "Dr Shah", "Sister Okafor", "Sir Keir Starmer".
            i = j + 1;
            while is_cap_word(scan, i) {
                i += 1;
            }
            continue;
        }
        // Typed in lower case ("mrs patel"), a title still makes a known name a name.
        let lower_known = |k: usize| {
            doc.get(k).is_some_and(|n| {
                n.is_word() && !n.cap && (lex.surnames.contains(n.stem()) || lex.given.contains(n.stem()))
            })
        };
        if PATIENT_TITLES.contains(&w) && (name_like(scan, j) || (!t.cap && lower_known(j))) {
            let mut last = j;
            // "Mrs J. Smith", "Mr John Smith".
            if doc.toks[j].norm.chars().count() == 1 && doc.norm(j + 1) == "." && name_like(scan, j + 2) {
                last = j + 2;
            } else if name_like(scan, j + 1) && !doc.toks[j].possessive() {
                last = j + 1;
            }
            spans.push(NameSpan { first: i, last, titled: true, strength: Strength::Strong });
            i = last + 1;
            continue;
        }
        // "my patient john", "doris in bed 6": a known given name typed in lower case is a
        // weak name span, reported only with a real patient frame around it.
        if !t.cap && lex.given.contains(w) && !lex.not_names.contains(w) && !crate::names::is_role(scan, w) {
            spans.push(NameSpan { first: i, last: i, titled: false, strength: Strength::Weak });
            i += 1;
            continue;
        }
        if !t.cap || t.all_caps {
            i += 1;
            continue;
        }
        let given = lex.given.contains(w);
        let ambiguous = lex.given_ambiguous.contains(w);
        let surname_next = !t.possessive()
            && name_like(scan, i + 1)
            && (lex.surnames.contains(doc.toks[i + 1].stem())
                || !doc.toks[i + 1].space_before
                || lex.given.contains(w));
        if given || ambiguous {
            // "Reg Thornbury": a word-like given name followed by another capitalised name.
            let unknown_next = ambiguous && !t.possessive() && name_like(scan, i + 1) && doc.toks[i + 1].space_before;
            let (last, strength) = if surname_next {
                (i + 1, Strength::Strong)
            } else if unknown_next {
                (i + 1, Strength::Medium)
            } else if given {
                (i, Strength::Medium)
            } else {
                (i, Strength::Weak)
            };
            spans.push(NameSpan { first: i, last, titled: false, strength });
            i = last + 1;
            continue;
        }
        if name_like(scan, i) && !lex.eponyms.contains_key(w) {
            // An unknown capitalised word: a name if a known surname follows it ("Florian
            // Okafor"), or, more weakly, another capitalised word or an age.
            let sentence_start = doc.prev_word(i).is_none();
            let next_is_given = doc.get(i + 1).is_some_and(|n| n.cap && lex.given.contains(n.stem()));
            // "Told Zofia …": an unknown word before a known given name is not part of it.
            let two = !t.possessive()
                && name_like(scan, i + 1)
                && doc.toks[i + 1].space_before
                && !(sentence_start && next_is_given);
            let strength = if two && lex.surnames.contains(doc.toks[i + 1].stem()) {
                Strength::Strong
            } else if two && !sentence_start {
                Strength::Medium
            } else {
                Strength::Weak
            };
            let span = NameSpan { first: i, last: if two { i + 1 } else { i }, titled: false, strength };
            if !sentence_start || t.possessive() || two || age_next_to(scan, &span) {
                i = span.last + 1;
                spans.push(span);
                continue;
            }
        }
        i += 1;
    }
    spans
}

fn words(scan: &Scan, span: &NameSpan) -> Vec<String> {
    let doc = &scan.doc;
    let from = if span.titled { span.first + 1 } else { span.first };
    (from..=span.last)
        .filter(|&k| doc.toks[k].kind == Kind::Word && doc.norm(k).chars().count() > 1)
        .map(|k| doc.toks[k].stem().to_string())
        .collect()
}

/// Is this name something other than a patient's: staff, public, cited, a condition or a place?
fn excluded(scan: &Scan, span: &NameSpan) -> bool {
    let doc = &scan.doc;
    let lex = scan.lex;
    let ws = words(scan, span);
    if ws.is_empty() {
        return true;
    }
    // The organisation's staff directory.
    let staff = scan
        .prepared
        .staff
        .iter()
        .any(|entry| entry.iter().all(|e| ws.contains(e)) || ws.iter().all(|w| entry.contains(w)));
    if staff || public_figure(scan, span, &ws) {
        return true;
    }
    let next = span.last + 1;
    let after: Vec<&str> = doc.words_after(span.last, 3).map(|k| doc.norm(k)).collect();
    // Citations: "Smith et al.", "Smith (2019)", "Smith and Jones (2020)".
    if after.first() == Some(&"et") && after.get(1) == Some(&"al")
        || (doc.norm(next) == "(" && doc.get(next + 1).is_some_and(|t| t.is_num() && t.norm.len() == 4))
        || (doc.norm(next) == "," && doc.get(next + 1).is_some_and(|t| t.is_num() && t.norm.len() == 4))
    {
        return true;
    }
    // Eponyms: "Crohn's", "Down syndrome", "Bell's palsy", "Foley catheter".
    let last_tok = &doc.toks[span.last];
    if let Some(&bare) = lex.eponyms.get(last_tok.stem()) {
        let suffix_follows =
            after.first().is_some_and(|w| scan.lex.cues.eponym_after.contains(w) || *w == "disease" || *w == "'s");
        if (bare && last_tok.possessive()) || suffix_follows {
            return true;
        }
    }
    if last_tok.norm.contains('-') && last_tok.norm.split('-').any(|p| lex.eponyms.contains_key(p)) {
        return true;
    }
    // Any untitled name straight before "syndrome", "disease", "sign"… is an eponym, listed
    // or not ("Hirschsprung disease", "Conn's syndrome").
    if !span.titled && after.first().is_some_and(|w| scan.lex.cues.eponym_after.contains(w)) {
        return true;
    }
    // Places and events named after people: "Seacole Ward", "St Mary's", "Keats ward".
    // The place word must follow directly: "Mrs Hussain (bay 2)" is a patient in a bay.
    let place_next = doc.get(next).is_some_and(|t| t.is_word() && scan.lex.cues.place_after.contains(&t.norm));
    if place_next && !last_tok.possessive()
        || doc.prev_word(span.first).is_some_and(|p| {
            matches!(doc.norm(p), "st" | "saint" | "ward" | "unit") && (p + 1..span.first).all(|k| doc.norm(k) == ".")
        }) && !span.titled
    {
        return true;
    }
    if ws.iter().any(|w| scan.lex.cues.place_after.contains(&w.as_str()) || lex.street_types.contains(w)) {
        return true;
    }
    if in_policy_place(scan, span) || lex.places.longest_at(doc, span.first).is_some() && !span.titled {
        return true;
    }
    // The author introducing themself: "I'm Sarah", "my name is Sarah".
    let before: Vec<&str> = doc.words_before(span.first, 3).map(|k| doc.norm(k)).collect();
    if matches!(before.as_slice(), ["i'm" | "im", ..] | ["am", "i", ..] | ["is", "name", "my", ..] | ["me", "call", ..])
    {
        return true;
    }
    // The author's own family: "my daughter Emily", "my grandad Les", and their family's:
    // "my sister's new baby, Oscar".
    let own_person = |w: &str| {
        scan.lex.cues.relatives.contains(w)
            || scan.lex.cues.person_nouns.contains(w)
                && !matches!(w, "patient" | "pt" | "patients" | "client" | "resident")
    };
    matches!(before.as_slice(), [r, "my", ..] if own_person(r))
        || doc.words_before(span.first, 4).map(|k| doc.norm(k)).collect::<Vec<_>>().windows(2).any(|p| {
            matches!(p[1], "my" | "our")
                && p[0].strip_suffix("'s").is_some_and(|r| scan.lex.cues.relatives.contains(r) || r == "friend")
        })
}

fn public_figure(scan: &Scan, span: &NameSpan, ws: &[String]) -> bool {
    let doc = &scan.doc;
    let lex = scan.lex;
    let joined = ws.join(" ");
    let titled = format!("{} {joined}", doc.norm(span.first).trim_end_matches('.'));
    if lex.public_figures.contains(&joined)
        || (span.titled && lex.public_figures.contains(&titled))
        || (!span.titled && ws.len() == 1 && lex.public_figures.contains(&ws[0]))
    {
        return true;
    }
    // "Florence Nightingale" written with the surname only as part of a longer span.
    if ws.len() >= 2 && lex.public_figures.contains(&ws[ws.len() - 2..].join(" ")) {
        return true;
    }
    doc.words_before(span.first, 2).any(|k| scan.lex.cues.public_roles.contains(&doc.norm(k)))
}

/// Does a policy place name cover this span?
fn in_policy_place(scan: &Scan, span: &NameSpan) -> bool {
    let doc = &scan.doc;
    scan.prepared.places.iter().any(|place| {
        let n = place.len();
        (span.first.saturating_sub(n)..=span.last)
            .any(|s| doc.matches_at(s, place) && s <= span.last && s + n > span.first)
    })
}

/// How strongly the words around the span present the person as a patient or relative;
/// whether a strong frame (not just the title) did so; and whether the frame also shows
/// that a weak span (an unknown capitalised word) is a name ("the Okoro twins").
fn patient_score(scan: &Scan, span: &NameSpan, cues: SentenceCues, post_care: &OnceCell<bool>) -> (f32, bool, bool) {
    let doc = &scan.doc;
    let mut score = 0.0;
    let mut framed = false;
    // Set by the frames that outweigh staff cues ("my patient John" stays a patient even
    // in a sentence of thanks); the newer, weaker frames (procedures, families, appositions)
    // frame a name without that.
    let mut overrides = false;
    let mut confirmed = false;
    // In a health worker's post a plain title and surname is nearly always a patient or a
    // relative; staff, thanks and public-figure cues below pull it back.
    if span.titled {
        score += 3.0;
    }
    let before: Vec<usize> = doc.words_before(span.first, 4).collect();
    let bw: Vec<&str> = before.iter().map(|&k| doc.norm(k)).collect();
    // "my patient John", "a lady called Edna", "the family of Tom Reid", "her son Peter".
    let skip_called = usize::from(matches!(bw.first(), Some(&"called" | &"named" | &"aka")));
    let head = bw.get(skip_called).copied().unwrap_or("");
    let head2 = bw.get(skip_called + 1).copied().unwrap_or("");
    let person_frame = scan.lex.cues.person_nouns.contains(&head) && !(head == "user" && head2 != "service");
    let relative_of = head == "of" && scan.lex.cues.relatives.contains(&head2);
    // "bed 4's wife Maureen": staff call a patient by their bed; "4's" is "4", "'", "s".
    let bed_number = head2 == "s"
        && before.get(skip_called + 1).and_then(|k| k.checked_sub(1)).is_some_and(|k| doc.norm(k) == "'")
        && bw.get(skip_called + 2).is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
        && bw.get(skip_called + 3).is_some_and(|w| scan.lex.cues.location_nouns.contains(w));
    let their_relative = scan.lex.cues.relatives.contains(&head)
        && (matches!(head2, "his" | "her" | "their" | "the" | "patient's" | "pt's" | "whose") || bed_number);
    // "took bloods from Aurelia", "did obs on Doris": a procedure done to the person; but
    // "got the bloods from Priya" is a colleague handing them over, so the verb must say
    // the procedure was done.
    let procedure = skip_called == 0 && matches!(head, "from" | "on") && scan.lex.cues.procedures.contains(&head2) && {
        let verb = bw.get(2).filter(|w| !matches!(**w, "a" | "an" | "the" | "some" | "his" | "her" | "their"));
        let verb = verb.or_else(|| bw.get(3)).copied().unwrap_or("");
        matches!(
            verb,
            "took"
                | "take"
                | "taking"
                | "takes"
                | "did"
                | "do"
                | "doing"
                | "does"
                | "done"
                | "tried"
                | "trying"
                | "attempted"
                | "performed"
                | "repeated"
        )
    };
    // "the Okoro twins", "the Reid family"; "the Patels … their father".
    let family = family_name(scan, span, cues, post_care);
    // "The lady I took to theatre, Vera, held my hand".
    let appositive = appositive_person(scan, span);
    if family || appositive {
        confirmed = true;
    }
    if person_frame || relative_of || their_relative {
        score += 4.0;
        framed = true;
        overrides = true;
    } else if procedure || family || appositive {
        score += 4.0;
        framed = true;
    } else if scan.lex.cues.care_verbs.contains(&head)
        || (head == "for" || head == "after") && scan.lex.cues.care_verbs.contains(&head2)
        || head == "with" && matches!(head2, "sitting" | "sat" | "sit" | "stayed" | "staying")
    {
        score += 3.0;
        framed = true;
        overrides = true;
    } else if skip_called == 1 && !crate::names::is_role(scan, head) {
        score += 1.0;
    } else if soft_frame(span, &bw, cues) {
        score += 3.0;
    } else if scan.lex.cues.endearments.contains(&head) && !matches!(head2, "my" | "our" | "your") {
        // "little Oscar", "poor Doreen": fond words staff use of patients; weak alone.
        score += 1.5;
    }
    // A name opening the sentence after one about an unnamed patient: "…a patient with
    // dementia? Brenda keeps trying to get out of bed."
    if !framed && doc.words_before(span.first, 3).count() <= 1 && previous_sentence_has_patient(scan, span.first) {
        score += 2.0;
    }
    // After the name.
    let last = &doc.toks[span.last];
    let aft: Vec<usize> = doc.words_after(span.last, 8).collect();
    let aw: Vec<&str> = aft.iter().map(|&k| doc.norm(k)).collect();
    // "Doris's obs", "Pauline's leg ulcer" (one word may come between).
    if last.possessive() && aw.iter().take(2).any(|w| scan.lex.cues.patient_possessions.contains(w)) {
        score += 4.0;
        framed = true;
        overrides = true;
    }
    // "Mr Patel's clinic", "Mrs Shah's team": things a clinician has, not a patient.
    const STAFF_POSSESSIONS: &[&str] = &[
        "clinic",
        "list",
        "team",
        "firm",
        "theatre",
        "theatres",
        "secretary",
        "patients",
        "ward",
        "registrar",
        "reg",
        "juniors",
        "lecture",
        "teaching",
        "session",
        "talk",
        "book",
        "research",
        "office",
        "rota",
        "shift",
        "department",
        "service",
        "caseload",
    ];
    if last.possessive() && aw.first().is_some_and(|w| STAFF_POSSESSIONS.contains(w)) && !overrides {
        score -= 6.0;
    }
    // "in bay 3", "from bed 12B", "in the side room", "in resus": a place in a hospital.
    // A bare "in bed" is not one ("Josh in bed by 7").
    let is_id = |w: &str| {
        let b = w.as_bytes();
        w.bytes().all(|c| c.is_ascii_digit())
            || (b.len() == 1 && w != "a" && w != "i")
            || (b.len() <= 3 && b.len() > 1 && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit))
    };
    let spot = match aw.as_slice() {
        ["in" | "from", "resus" | "majors" | "sideroom" | "side-room", ..]
        | ["in", "side", "room", ..]
        | ["in", "the", "side", "room", ..]
        | ["in", "the", "end", "bed" | "bay", ..] => true,
        ["in" | "from", "bay" | "bed" | "cubicle" | "chair" | "trolley" | "room", id, ..] | ["bay" | "bed", id, ..] => {
            is_id(id)
        }
        _ => false,
    };
    if spot || (doc.norm(span.last + 1) == "(" && matches!(doc.norm(span.last + 2), "bed" | "bay")) {
        score += 5.0;
        framed = true;
        overrides = true;
    } else if matches!(aw.as_slice(), ["on", "bay" | "bed", id, ..] if is_id(id)) {
        // "Ellie on bay 5" is a patient's place, but "Kate on bay 3" may be the nurse
        // allocated there: a weaker sign than "in bay 5".
        score += 3.0;
    } else if matches!(
        aw.as_slice(),
        ["on" | "from", "ward", ..]
            | ["on", "the", "ward", ..]
            | ["on", _, "ward", ..]
            | ["on", "the", _, "ward" | "unit", ..]
            | ["on", "the", _, _, "ward" | "unit", ..]
    ) {
        score += 1.5;
    }
    if age_next_to(scan, span) || old_age_after(scan, span) {
        score += 4.0;
        framed = true;
        overrides = true;
    }
    // "Bronwen Lindqvist was admitted", "Doris fell": the name is the subject of a
    // clinical event, which frames it as strongly as "my patient" does.
    let auxiliaries = aw
        .iter()
        .take_while(|w| {
            matches!(**w, "was" | "is" | "has" | "had" | "been" | "got" | "being" | "just" | "finally" | "again")
        })
        .count();
    // "brought" is clinical only as "brought in": "Jess brought me a tea" is not.
    let clinical_at = |n: usize| {
        aw.get(n).is_some_and(|w| {
            scan.lex.cues.clinical.contains(w) && (*w != "brought" || matches!(aw.get(n + 1), Some(&"in" | &"into")))
        })
    };
    if clinical_at(auxiliaries) {
        score += 3.5;
        framed = true;
        overrides = true;
    } else if (0..aw.len().min(6)).any(clinical_at) {
        score += 2.5;
    }
    // Role right before: "our HCA Priya", "Staff Nurse Jones", "colleague Sam" (checked
    // once every frame is known: "District nurse diary: Pauline's leg ulcer" is a patient's).
    if bw.iter().take(2).any(|w| is_role(scan, w)) && !overrides {
        score -= 6.0;
    }
    // Role right after: "Priya, our HCA", "Mr Patel the consultant", "Tom from physio".
    let role_after = aw.iter().take(3).any(|w| is_role(scan, w));
    if role_after && !overrides {
        score -= 6.0;
    }
    if cues.care {
        score += 1.0;
    }
    // News about someone ("…was admitted to hospital, the BBC reports") is not a patient
    // of the author's.
    if cues.reporting {
        score -= 2.0;
    }
    if cues.relative {
        score += 1.0;
    }
    // "Thanks to Priya": thanks aimed at the name. "So proud of my patient Tyrone" is
    // still a patient's name, so a patient frame overrides it.
    if !overrides && bw.iter().any(|w| scan.lex.cues.thanks.contains(w)) {
        score -= 3.0;
    }
    let praise = cues.praise;
    // Sentence-level praise is a weak sign; a patient frame outweighs it.
    score -= if overrides { (praise as f32 * 0.5).min(1.5) } else { (praise as f32).min(3.0) };
    (score, framed, confirmed)
}

/// Frames that present a first name as someone cared for, but that a colleague could also
/// be given; a job title in the sentence or the next one cancels them (praise words in the
/// sentence count against them as usual).
/// "RIP Walter", "rest easy Dennis", "his name was Dennis", "broke the news to Gwen",
/// "explained the diagnosis to Joan". `bw` holds the words before the span, nearest first.
fn soft_frame(span: &NameSpan, bw: &[&str], cues: SentenceCues) -> bool {
    let w = |k: usize| bw.get(k).copied().unwrap_or("");
    // Farewells are written for celebrities too, who are named in full: first names only.
    let farewell = span.first == span.last
        && !span.titled
        && (w(0) == "rip"
            || matches!((w(0), w(1)), ("easy", "rest") | ("high", "fly"))
            || (w(0), w(1), w(2)) == ("peace", "in", "rest"));
    // Past tense: "her name is Chloe" as often introduces a new colleague.
    let named = w(0) == "was" && w(1) == "name" && matches!(w(2), "his" | "her" | "their");
    let news = w(0) == "to"
        && ((w(1) == "news" && w(2) == "the" && matches!(w(3), "broke" | "break" | "breaking" | "breaks"))
            || matches!(w(1), "diagnosis" | "prognosis"));
    (farewell || named || news) && !cues.role_here_or_next
}

/// Is the capitalised word a family's name: "the Okoro twins", "the Reid family", or a
/// plural "the Patels" in a sentence that mentions "their" mother, father, …?
fn family_name(scan: &Scan, span: &NameSpan, cues: SentenceCues, post_care: &OnceCell<bool>) -> bool {
    let doc = &scan.doc;
    if span.titled || span.first != span.last || doc.prev_word(span.first).is_none_or(|p| doc.norm(p) != "the") {
        return false;
    }
    let t = &doc.toks[span.first];
    if t.possessive() {
        return false;
    }
    let family_next =
        doc.get(span.last + 1).is_some_and(|n| n.is_word() && scan.lex.cues.family_after.contains(&n.norm));
    let found = if family_next {
        // "Christmas with the Patel family" is not about care: the post must be.
        *post_care.get_or_init(|| {
            doc.toks.iter().any(|k| {
                k.is_word()
                    && (scan.lex.cues.care_context.contains(k.stem()) || scan.lex.cues.clinical.contains(k.stem()))
            })
        })
    } else {
        let plural = t.norm.len() > 3 && t.norm.ends_with('s') && !t.norm.ends_with("ss");
        plural && cues.their_relative
    };
    // "The Jones twins from my school days are student nurses now": staff, not patients.
    found && !cues.role
}

/// A name set off by commas after a phrase about a patient: "The lady I took to theatre
/// this morning, Vera, held my hand". Not when that phrase has a job title, staff words or
/// thanks ("thanks to the lady at reception, Pam").
fn appositive_person(scan: &Scan, span: &NameSpan) -> bool {
    const HEADS: &[&str] = &[
        "patient",
        "pt",
        "client",
        "resident",
        "patients",
        "clients",
        "residents",
        "lady",
        "gentleman",
        "gent",
        "baby",
        "toddler",
        "child",
        "infant",
        "newborn",
        "widow",
        "widower",
    ];
    const DETERMINERS: &[&str] = &["the", "a", "an", "this", "that", "one"];
    const OWN: &[&str] = &["my", "our"];
    let doc = &scan.doc;
    let Some(comma) = span.first.checked_sub(1) else {
        return false;
    };
    if doc.norm(comma) != "," {
        return false;
    }
    let sent = doc.toks[span.first].sent;
    let closes = match doc.get(span.last + 1) {
        None => true,
        Some(n) => n.sent != sent || matches!(n.norm.as_str(), "," | "." | "!" | ")" | "-" | "–" | "—"),
    };
    if !closes {
        return false;
    }
    // The clause before the comma, back to the previous comma or the sentence start.
    let clause: Vec<&str> = (0..comma)
        .rev()
        .take_while(|&k| doc.toks[k].sent == sent && doc.norm(k) != ",")
        .filter(|&k| doc.toks[k].is_word())
        .take(12)
        .map(|k| doc.toks[k].stem())
        .collect();
    // Nearest first: a head noun with a determiner at most two words before it.
    // "my patient, John," but not "our baby, Isla," (the author's own).
    let has_head = clause.iter().enumerate().any(|(n, w)| {
        let det = |d: &&str| {
            DETERMINERS.contains(d)
                || (OWN.contains(d)
                    && matches!(*w, "patient" | "pt" | "client" | "resident" | "patients" | "clients" | "residents"))
        };
        HEADS.contains(w) && clause.iter().skip(n + 1).take(2).any(det)
    });
    has_head
        && !clause
            .iter()
            .any(|w| is_role(scan, w) || scan.lex.cues.staff_activity.contains(w) || scan.lex.cues.thanks.contains(w))
}

/// "…her 102nd birthday", "she's 100 next month": an old person's age in the words after the
/// name. Younger ages are left alone: "his 40th" is as likely a colleague's.
fn old_age_after(scan: &Scan, span: &NameSpan) -> bool {
    let doc = &scan.doc;
    let after: Vec<usize> = doc.words_after(span.last, 10).collect();
    after.iter().enumerate().any(|(n, &k)| {
        let t = &doc.toks[k];
        if !t.is_num() || t.norm.len() > 3 {
            return false;
        }
        let age: u32 = t.norm.parse().unwrap_or(0);
        let before = |back: usize| n.checked_sub(back).and_then(|m| after.get(m)).map_or("", |&j| doc.norm(j));
        let next = after.get(n + 1).map_or("", |&j| doc.norm(j));
        let ordinal = matches!(before(1), "his" | "her") && matches!(next, "st" | "nd" | "rd" | "th");
        let stated = matches!(before(1), "she's" | "he's" | "turns" | "turned" | "turning")
            || (before(1) == "is" && matches!(before(2), "she" | "he"));
        (ordinal && (80..=125).contains(&age)) || (stated && (70..=125).contains(&age))
    })
}

/// Does the sentence before token `i` speak of a patient without naming them?
fn previous_sentence_has_patient(scan: &Scan, i: usize) -> bool {
    let doc = &scan.doc;
    let Some(prev) = doc.get(i).and_then(|t| t.sent.checked_sub(1)) else {
        return false;
    };
    (0..i).rev().take_while(|&k| doc.toks[k].sent >= prev).any(|k| {
        doc.toks[k].sent == prev
            && matches!(doc.toks[k].stem(), "patient" | "pt" | "resident" | "client")
            && k.checked_sub(1).is_some_and(|j| matches!(doc.norm(j), "a" | "an" | "one" | "my" | "our"))
    })
}

pub(crate) fn is_role(scan: &Scan, w: &str) -> bool {
    scan.lex.roles.contains(w) && !matches!(w, "head" | "staff" | "chief" | "lead")
}

/// "Doris (82)", "Doris, 82,", "Doris aged 82", "82-year-old Doris", "Doris, 82yo".
fn age_next_to(scan: &Scan, span: &NameSpan) -> bool {
    let doc = &scan.doc;
    let n = span.last + 1;
    let age = |k: usize| doc.get(k).is_some_and(|t| t.is_num() && t.norm.len() <= 3);
    (doc.norm(n) == "(" && age(n + 1) && doc.norm(n + 2) == ")")
        || (doc.norm(n) == ","
            && age(n + 1)
            && matches!(doc.norm(n + 2), "," | ")" | "yo" | "y" | "years" | "year" | "yrs"))
        || (matches!(doc.norm(n), "aged" | "age") && age(n + 1))
        || (span.first >= 2 && doc.norm(span.first - 1).starts_with("year-old") && doc.norm(span.first - 2) == "-")
}

/// Does the sentence holding token `i` name a public figure? (Used by the birth-date check.)
pub(crate) fn sentence_names_public_figure(scan: &Scan, i: usize) -> bool {
    let doc = &scan.doc;
    let lex = scan.lex;
    let (a, b) = doc.sentence_of(i);
    (a..=b).any(|k| {
        let w = doc.toks[k].stem();
        let pair = format!("{w} {}", doc.get(k + 1).map_or("", |t| t.stem()));
        lex.public_figures.contains(&pair) || (doc.toks[k].cap && lex.public_figures.contains(w))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;
    use crate::testing::{spans, spans_with};

    #[test]
    fn names_presented_as_patients_or_relatives() {
        for (t, want) in [
            ("Mrs Patel in bay 3 keeps asking for tea", "Mrs Patel"),
            ("my patient John told me a joke", "John"),
            ("the family of Tom Reid brought chocolates", "Tom Reid"),
            ("Tom Reid's daughter rang again", "Tom Reid"),
            ("A lady called Thaddeus taught me to crochet", "Thaddeus"),
            ("Service user Florian smashed his goals", "Florian"),
            ("Caring for Florian Okafor this week", "Florian Okafor"),
            ("Babajide (34) finally went home today", "Babajide"),
            ("Doris, 92, fell again overnight", "Doris"),
            ("Perpetua Khan was admitted again last night", "Perpetua Khan"),
            ("Her son Peter stayed all night", "Peter"),
            ("Discharged Mr. J. Smith today", "Mr. J. Smith"),
            ("mrs patel in bay 3 is confused", "mrs patel"),
            ("my patient john made me laugh", "john"),
            ("doris in bed 6 is a delight", "doris"),
            ("Jean in the side room thinks I'm her granddaughter", "Jean"),
            ("Sat with Mr Haldane while he told me about the war", "Mr Haldane"),
            ("Albert on Ward 6 keeps asking for his wife", "Albert"),
        ] {
            assert_eq!(spans(t, Category::PatientName), vec![want], "{t}");
        }
    }

    #[test]
    fn staff_public_figures_authors_eponyms_and_wards_are_not_patients() {
        for t in [
            "Huge thanks to Priya, our HCA, for staying late",
            "Shout out to Sarah Jones on Ward 7 for covering my shift",
            "Congratulations to Sister Okafor on her retirement",
            "Dr Shah gave a brilliant teaching session",
            "Wes Streeting visited the hospital today",
            "Florence Nightingale was born in 1820",
            "Smith et al. (2021) found better outcomes",
            "Living with Crohn's is hard",
            "Down syndrome awareness week",
            "Patients with Parkinson's disease often wait",
            "Bell's palsy clinic is on Tuesdays",
            "Nightingale Ward is recruiting",
            "Moving from Keats Ward to Seacole Ward next month",
            "Hi, I'm Sarah, a nurse in Leeds",
            "My daughter Emily starts school today",
            "Mr Patel the consultant surgeon was brilliant",
            "@Sarah thanks for the coffee",
            "Josh in bed by 7 finally, time for a brew",
        ] {
            assert!(spans(t, Category::PatientName).is_empty(), "{t}: {:?}", spans(t, Category::PatientName));
        }
    }

    #[test]
    fn informal_frames_present_names_as_patients() {
        for (t, want) in [
            ("Did obs on Dorothy at 2am and she asked me to dance", "Dorothy"),
            ("Took a swab from Benjamin and he cried", "Benjamin"),
            ("The Mensah family have been by his bed for three days", "Mensah"),
            ("the Patels sent a card thanking us for looking after their father", "Patels"),
            ("The gentleman in the end bed, Arthur, told me his wife died 20 years ago today", "Arthur"),
            ("Went to the funeral of one of our residents, Ethel, today", "Ethel"),
            ("RIP Ron. The bay won't be the same without your singing", "Ron"),
            ("Her name was Edith and she loved a sherry", "Edith"),
            ("Broke the news to Stanley and he just nodded", "Stanley"),
            ("Celebrating with Lilian on her 100th birthday", "Lilian"),
            ("Visited Albert and he's 96 next week", "Albert"),
            ("Little Maisie on the paeds ward is ringing the bell tomorrow", "Maisie"),
            ("Bay 2's daughter Kirsty rang again", "Kirsty"),
            ("Mrs Hussain (bay 2) finally got her discharge letter", "Mrs Hussain"),
            ("District nurse diary: Pauline's leg ulcer is healing", "Pauline"),
            ("gran on the stroke unit (Peggy, 88) asked for a brew", "Peggy"),
            ("sat with edna for her last hours tonight", "edna"),
        ] {
            assert_eq!(spans(t, Category::PatientName), vec![want], "{t}");
        }
    }

    #[test]
    fn informal_frames_yield_to_staff_public_and_family_cues() {
        for t in [
            "The Jones twins from my school days just turned up as student nurses on our ward!",
            "Christmas dinner with the Patel family next door, stuffed",
            "Went to see the Hendersons for a cuppa on my day off",
            "RIP Sandra. Best ward clerk this hospital ever had.",
            "RIP Matthew Perry, what a loss",
            "Her name is Chloe and she's our new band 5, say hi!",
            "Broke the news to Sarah that she got the band 6 job!",
            "Collected the samples from Jade in the lab",
            "Got the bloods from Priya the phlebotomist, what a star",
            "My sister's new baby, Oscar, is gorgeous",
            "Thanks to the lady at reception, Pam, for the directions",
            "Poor Sarah has been on nights all week",
            "Lost a patient last night. Jess brought me a tea and a hug",
            "Shout out to Kate on bay 3 who covered my breaks",
            "Happy 60th birthday to Maureen in pharmacy",
            "My grandad Les is 90 today and still beats me at darts!",
        ] {
            assert!(spans(t, Category::PatientName).is_empty(), "{t}: {:?}", spans(t, Category::PatientName));
        }
    }

    #[test]
    fn the_staff_directory_is_never_a_patient() {
        let p = Policy::from_json(r#"{"staff_names": ["Amara Okafor"]}"#).unwrap();
        assert!(spans_with("Caring for Amara Okafor this week", Category::PatientName, &p).is_empty());
        assert_eq!(spans("Caring for Amara Okafor this week", Category::PatientName), vec!["Amara Okafor"]);
    }
}
