//! Patients' names. A name alone is not a finding: colleagues, public figures, authors,
//! eponyms and wards named after people are all names. A name is reported when the words
//! around it present the person as a patient, service user, resident or their relative,
//! and nothing presents them as staff or a public figure.

use std::cell::OnceCell;

use crate::names_model;
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
    /// A known given name typed in lower case ("sat with edna").
    lower: bool,
}

/// The features of a candidate name, in the order of `names_model::WEIGHTS`. Each has a
/// name (for the fitting tool and the docs), the sign its weight is held to when fitted
/// (`1` may only add, `-1` may only subtract, `0` either), and the reason a finding gives
/// when the feature is what most made the name a patient's.
pub(crate) const FEATURES: [(&str, i8, &str); NF] = [
    ("bias", 0, ""),
    ("titled", 0, "a title such as Mr or Mrs comes before it"),
    ("full_name", 0, "it is a full name"),
    ("given_name", 0, "it is a first name"),
    ("lower_case_name", 0, "it is a first name"),
    ("unknown_word", 0, "it is used as a name"),
    ("person_frame", 1, "it follows a word like \"patient\", \"resident\" or \"lady\""),
    ("relative_frame", 1, "it names a patient's relative (\"her son …\", \"the family of …\")"),
    ("procedure", 1, "a procedure is done to them (\"bloods from …\", \"obs on …\")"),
    ("family_name", 1, "it names a family being cared for"),
    ("appositive", 1, "it is set beside a phrase about a patient"),
    ("care_verb", 1, "it follows caring words (\"caring for\", \"nursing\", \"sat with\")"),
    ("called", 1, "\"called\" or \"named\" introduces it"),
    ("soft_frame", 1, "it is a farewell or bad news given to them (\"RIP …\", \"broke the news to …\")"),
    ("endearment", 1, "a fond word staff use of patients comes before it (\"poor\", \"little\", \"bless\")"),
    ("previous_sentence_patient", 1, "the sentence before it is about a patient"),
    ("care_action", 1, "it follows care given to someone (\"washed\", \"fed\", \"hoisted\", \"discharged\")"),
    ("person_verb", 0, "it follows something done with them (\"helped\", \"sat with\", \"took\")"),
    ("my_or_our", 0, "\"my\" or \"our\" comes before it"),
    ("possession", 1, "something of a patient's follows it (\"…'s obs\", \"…'s daughter\")"),
    ("staff_possession", -1, ""),
    ("in_bed_or_bay", 1, "a bed, bay, side room or resus is given for them"),
    ("on_bay", 1, "a bed or bay is given for them"),
    ("on_ward", 1, "they are placed on a ward"),
    ("age", 1, "an age is given with it"),
    ("clinical_subject", 1, "a clinical event follows it (\"was admitted\", \"fell\", \"died\")"),
    ("clinical_near", 1, "clinical words follow it"),
    ("role_next_to", -1, ""),
    ("role_near", -1, ""),
    ("thanks_before", -1, ""),
    ("praise", -1, ""),
    ("reporting", -1, ""),
    ("relative_in_sentence", 1, "the sentence mentions their family (\"his wife\", \"her son\")"),
    ("care_in_sentence", 1, "the sentence is about care at the bedside"),
    ("care_in_post", 1, "the post is about care at the bedside"),
    ("pronoun", 1, "the post goes on to talk about them (\"he\", \"her\")"),
    ("death", 0, "the sentence is about a death"),
    ("everyday", -1, ""),
    ("you", 0, ""),
    ("staff_in_post", -1, ""),
    ("patient_in_post", 1, "the post is about a patient"),
    ("vocative", -1, ""),
    ("sentence_start", 0, ""),
    ("from_after", -1, ""),
    ("place_preposition", -1, ""),
    ("strong_frame", 1, "the words around it present them as a patient or a patient's relative"),
    ("any_frame", 1, "the words around it present them as someone being cared for"),
    ("unknown_word_unframed", -1, ""),
    ("staff_cue_unframed", -1, ""),
    ("does_for_me", -1, ""),
    ("service_user", 1, "it names someone a service supports (\"a client of ours\", \"from the youth service\")"),
    (
        "progress",
        1,
        "the sentence is about their recovery or a milestone (\"first time he's walked since his amputation\")",
    ),
    ("fame", -1, ""),
    (
        "identifier_in_sentence",
        1,
        "the sentence gives a patient identifier with it (an NHS, CHI or hospital number, a date of birth)",
    ),
];

pub(crate) const NF: usize = 54;
const F_IDENTIFIER: usize = 53;
const F_FAME: usize = 52;
const F_SERVICE_USER: usize = 50;
const F_PROGRESS: usize = 51;
const F_BIAS: usize = 0;
const F_TITLED: usize = 1;
const F_FULL: usize = 2;
const F_GIVEN: usize = 3;
const F_LOWER: usize = 4;
const F_WEAK: usize = 5;
const F_PERSON_FRAME: usize = 6;
const F_RELATIVE_FRAME: usize = 7;
const F_PROCEDURE: usize = 8;
const F_FAMILY: usize = 9;
const F_APPOSITIVE: usize = 10;
const F_CARE_VERB: usize = 11;
const F_CALLED: usize = 12;
const F_SOFT: usize = 13;
const F_ENDEARMENT: usize = 14;
const F_PREV_PATIENT: usize = 15;
const F_CARE_ACTION: usize = 16;
const F_PERSON_VERB: usize = 17;
const F_MY_OUR: usize = 18;
const F_POSSESSION: usize = 19;
const F_STAFF_POSSESSION: usize = 20;
const F_SPOT: usize = 21;
const F_ON_BAY: usize = 22;
const F_ON_WARD: usize = 23;
const F_AGE: usize = 24;
const F_CLINICAL_SUBJECT: usize = 25;
const F_CLINICAL_NEAR: usize = 26;
const F_ROLE_NEXT_TO: usize = 27;
const F_ROLE_NEAR: usize = 28;
const F_THANKS_BEFORE: usize = 29;
const F_PRAISE: usize = 30;
const F_REPORTING: usize = 31;
const F_RELATIVE_SENT: usize = 32;
const F_CARE_SENT: usize = 33;
const F_CARE_POST: usize = 34;
const F_PRONOUN: usize = 35;
const F_DEATH: usize = 36;
const F_EVERYDAY: usize = 37;
const F_YOU: usize = 38;
const F_STAFF_POST: usize = 39;
const F_PATIENT_POST: usize = 40;
const F_VOCATIVE: usize = 41;
const F_SENT_START: usize = 42;
const F_FROM_AFTER: usize = 43;
const F_PLACE_PREP: usize = 44;
const F_STRONG_FRAME: usize = 45;
const F_ANY_FRAME: usize = 46;
const F_WEAK_UNFRAMED: usize = 47;
const F_STAFF_UNFRAMED: usize = 48;
const F_DOES_FOR_ME: usize = 49;

/// Frames that present a name as a patient's or a relative's whatever else the sentence
/// says ("so proud of my patient Tyrone"): staff cues count against a name only without one.
const STRONG_FRAMES: [usize; 10] = [
    F_IDENTIFIER,
    F_PERSON_FRAME,
    F_RELATIVE_FRAME,
    F_CARE_VERB,
    F_POSSESSION,
    F_SPOT,
    F_AGE,
    F_CLINICAL_SUBJECT,
    F_APPOSITIVE,
    F_SERVICE_USER,
];
/// Weaker frames, which a colleague can also be given.
const WEAK_FRAMES: [usize; 9] =
    [F_PROCEDURE, F_FAMILY, F_SOFT, F_ENDEARMENT, F_CARE_ACTION, F_CALLED, F_ON_BAY, F_ON_WARD, F_PREV_PATIENT];

type Features = [f32; NF];

/// Titles staff use for patients, English and the ones residents and patients from elsewhere
/// are called by ("Pani Jadwiga", "Senhor Almeida").
const PATIENT_TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "master", "mister", "pani", "pan", "senhor", "senhora", "señor", "señora",
    "senor", "senora", "signor", "signora", "madame", "monsieur", "frau", "herr",
];

/// What a sentence says about the names in it, worked out once per sentence.
#[derive(Clone, Copy, Default)]
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
    /// Bedside words (`care_words`), counted.
    care_words: u16,
    /// He, she, him, his, her.
    pronoun: bool,
    death: bool,
    everyday: bool,
    /// You, your: the sentence speaks to someone.
    you: bool,
    thanks: bool,
    /// Patient, resident, client, service user.
    patient_noun: bool,
    /// "one of our clients", "a resident of ours".
    service_user: bool,
    /// Recovery and milestone words (`progress_words`), or "first time".
    progress: bool,
    /// Teaching and fiction words (`fiction_words`: simulation, OSCE, manikin, scenario).
    fiction: bool,
    /// Fame words (`fame_words`: famous, celebrity, actor, spoke about).
    fame: bool,
    /// A patient identifier's label followed by its value: "NHS no 943…", "DOB 12/03/56",
    /// "H&C number 320…", "hosp no K22…". A name beside one is a referral or a handover.
    identifier: bool,
}

fn sentence_cues(scan: &Scan, a: usize, b: usize) -> SentenceCues {
    let doc = &scan.doc;
    let cues = &scan.lex.cues;
    let mut words: Vec<&str> = (a..=b).map(|k| doc.toks[k].stem()).collect();
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
    // "in bed by 7", "off to bed": a bed at home, unless it has a number ("in bed 6").
    for k in 1..words.len() {
        let numbered = doc.get(a + k + 1).is_some_and(|t| t.is_num() || t.norm.len() == 1);
        if words[k] == "bed" && matches!(words[k - 1], "in" | "to" | "of" | "out") && !numbered {
            words[k] = "";
        }
    }
    SentenceCues {
        // "…for her last hours": a death at the bedside is about care too.
        care: words.iter().any(|w| cues.care_context.contains(w))
            || words.windows(3).any(|p| {
                matches!(p[0], "his" | "her" | "their")
                    && matches!(p[1], "last" | "final")
                    && matches!(p[2], "hour" | "hours" | "moments" | "breath" | "breaths" | "days")
            }),
        // "…keeps asking for his wife": the person's own relatives are mentioned.
        relative: words.windows(2).any(|p| matches!(p[0], "his" | "her" | "their") && cues.relatives.contains(&p[1])),
        their_relative: (a..b)
            .any(|k| doc.norm(k) == "their" && doc.get(k + 1).is_some_and(|n| cues.relatives.contains(n.stem()))),
        praise: words.iter().filter(|w| cues.staff_activity.contains(w) || cues.thanks.contains(w)).count(),
        reporting: words.iter().any(|w| cues.reporting.contains(w)),
        role: (a..=b).any(|k| doc.toks[k].is_word() && is_role(scan, doc.toks[k].stem())),
        role_here_or_next: false,
        care_words: words.iter().filter(|w| cues.care_words.contains(w)).count().min(1000) as u16,
        pronoun: words
            .iter()
            .any(|w| matches!(*w, "he" | "she" | "him" | "his" | "her" | "he's" | "she's" | "he'd" | "she'd")),
        death: words.iter().any(|w| cues.death_words.contains(w)),
        everyday: words.iter().any(|w| cues.everyday_words.contains(w)),
        you: words.iter().any(|w| matches!(*w, "you" | "your" | "you're" | "you've" | "ya" | "u")),
        thanks: words.iter().any(|w| cues.thanks.contains(w)),
        service_user: words.windows(4).any(|p| {
            let users = |w: &str| {
                matches!(w, "client" | "clients" | "resident" | "residents" | "users" | "user" | "patient" | "patients")
            };
            (users(p[1]) && p[2] == "of" && p[3] == "ours")
                || (p[0] == "one" && p[1] == "of" && p[2] == "our" && (users(p[3]) || p[3] == "service"))
        }),
        fiction: words.iter().any(|w| cues.fiction_words.contains(w))
            || words.windows(2).any(|p| teaching_pair(p[0], p[1])),
        fame: words.iter().any(|w| cues.fame_words.contains(w))
            || words.windows(2).any(|p| {
                matches!(p[0], "spoke" | "speaks" | "talked" | "went") && matches!(p[1], "about" | "public" | "openly")
            }),
        progress: words.iter().any(|w| cues.progress_words.contains(w))
            || words.windows(2).any(|p| p[0] == "first" && matches!(p[1], "time" | "steps" | "words")),
        identifier: identifier_label(doc, a, b),
        patient_noun: words.iter().enumerate().any(|(k, w)| {
            matches!(*w, "patient" | "pt" | "patients" | "resident" | "residents" | "client" | "inpatient")
                || (*w == "user" && k > 0 && words[k - 1] == "service")
        }),
    }
}

/// Does the sentence `a..=b` label a patient identifier and give its value within three
/// tokens ("NHS number: 943…", "DOB 12/03/1956", "H&C 320…", "CHI 120467…", "MRN K22…")?
/// The value must follow: "patient numbers are up" and "tai chi" name no one.
pub(crate) fn identifier_label(doc: &crate::text::Doc, a: usize, b: usize) -> bool {
    let value_after = |k: usize| {
        (k + 1..=(k + 3).min(b)).any(|j| {
            doc.toks[j].is_num() || (doc.toks[j].is_word() && doc.toks[j].norm.bytes().any(|c| c.is_ascii_digit()))
        })
    };
    (a..=b).any(|k| {
        let w = doc.norm(k);
        let next = if k < b { doc.norm(k + 1) } else { "" };
        let label_end = match w {
            "dob" | "mrn" | "hcn" | "chi" | "nino" => Some(k),
            // "Born 14th March 1924", "born on 3/4/41": a birth date is an identifier.
            "born" => Some(if next == "on" { k + 1 } else { k }),
            "nhs" | "hospital" | "hosp" | "unit" | "patient" | "pt" | "pas" | "case"
                if matches!(next, "no" | "number" | "num" | "id" | "#") =>
            {
                Some(k + 1)
            }
            "h" if next == "&" && k + 2 <= b && doc.norm(k + 2) == "c" => Some(k + 2),
            "birth" if k >= a + 2 && doc.norm(k - 1) == "of" && doc.norm(k - 2) == "date" => Some(k),
            "d" if doc
                .text
                .get(doc.toks[k].start..doc.toks[k].start + 5)
                .is_some_and(|t| t.eq_ignore_ascii_case("d.o.b")) =>
            {
                Some((k + 4).min(b))
            }
            _ => None,
        };
        label_end.is_some_and(|e| value_after(e) && !(w == "chi" && k > a && doc.norm(k - 1) == "tai"))
    })
}

/// Two words that make a post a teaching case: "case study", "teaching case", "role play".
pub(crate) fn teaching_pair(a: &str, b: &str) -> bool {
    (a == "case" && matches!(b, "study" | "studies" | "scenario"))
        || (a == "teaching" && matches!(b, "case" | "cases"))
        || (a == "role" && matches!(b, "play" | "plays" | "played" | "playing"))
}

/// What the post says beyond the sentence a name is in.
struct PostCues {
    sentences: Vec<SentenceCues>,
    /// Sentences with a job title.
    roles: usize,
    care_words: usize,
    thanks: bool,
    patient_noun: bool,
    fiction: bool,
}

impl PostCues {
    fn new(sentences: Vec<SentenceCues>) -> PostCues {
        PostCues {
            roles: sentences.iter().filter(|c| c.role).count(),
            care_words: sentences.iter().map(|c| c.care_words as usize).sum(),
            thanks: sentences.iter().any(|c| c.thanks),
            patient_noun: sentences.iter().any(|c| c.patient_noun),
            fiction: sentences.iter().any(|c| c.fiction),
            sentences,
        }
    }
    /// The next sentence goes on about someone ("…He was so brave").
    fn pronoun_next(&self, s: usize) -> bool {
        self.sentences.get(s + 1).is_some_and(|c| c.pronoun)
    }
    /// A job title in a sentence other than this one and the next.
    fn role_elsewhere(&self, s: usize) -> bool {
        let near = (s..=s + 1).filter(|&k| self.sentences.get(k).is_some_and(|c| c.role)).count();
        self.roles > near
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

/// A candidate name that no rule excludes, with its features and its score.
pub(crate) struct Candidate {
    pub start: usize,
    pub end: usize,
    /// A job title directly beside the name: "HCA Olumide", "Kieran, our porter".
    pub role_adjacent: bool,
    pub x: Features,
    pub score: f32,
}

impl Candidate {
    /// The reason behind the score: the feature that added the most.
    fn reason(&self) -> &'static str {
        let w = &names_model::WEIGHTS;
        (F_WEAK + 1..NF)
            .filter(|&i| !FEATURES[i].2.is_empty() && w[i] * self.x[i] > 0.0)
            .max_by(|&i, &j| (w[i] * self.x[i]).total_cmp(&(w[j] * self.x[j])))
            .map_or_else(|| if self.x[F_TITLED] > 0.0 { FEATURES[F_TITLED].2 } else { "" }, |i| FEATURES[i].2)
    }
}

pub(crate) fn candidates(scan: &Scan) -> Vec<Candidate> {
    let mut spans: Vec<NameSpan> = name_spans(scan).into_iter().filter(|s| !excluded(scan, s)).collect();
    if spans.is_empty() {
        return Vec::new();
    }
    let doc = &scan.doc;
    // A name the post gives a staff title somewhere ("To Nurse Owen … Owen's pretending he
    // didn't cry") is a colleague's wherever it appears. Found once per post.
    let staff_titled: std::collections::HashSet<&str> = (1..doc.len())
        .filter(|&k| {
            doc.toks[k].is_word()
                && doc.toks[k - 1].is_word()
                && (scan.lex.cues.other_titles.contains(doc.norm(k - 1)) || is_role(scan, doc.norm(k - 1)))
        })
        .map(|k| doc.toks[k].stem())
        .collect();
    if !staff_titled.is_empty() {
        spans.retain(|s| s.titled || !staff_titled.contains(doc.toks[s.first].stem()));
    }
    let bounds = sentence_bounds(doc);
    let sentences: Vec<SentenceCues> =
        bounds.iter().map(|b| b.map_or_else(SentenceCues::default, |(a, b)| sentence_cues(scan, a, b))).collect();
    let post = PostCues::new(sentences);
    // A teaching case ("our manikin", "OSCE station 4: 'Mrs Jenkins'", "case study",
    // "role-play scenario"): the people in it are not real, like a citation or an eponym.
    if post.fiction {
        return Vec::new();
    }
    // Whether the post speaks of care anywhere, worked out once if a frame needs it.
    let post_care = OnceCell::new();
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let sent = doc.toks[span.first].sent as usize;
        let Some(mut c) = post.sentences.get(sent).copied() else {
            continue;
        };
        c.role_here_or_next = c.role || post.sentences.get(sent + 1).is_some_and(|n| n.role);
        let x = features(scan, &span, c, &post, &post_care);
        let score = x.iter().zip(names_model::WEIGHTS.iter()).map(|(a, b)| a * b).sum();
        let start = doc.toks[span.first].start;
        let last = &doc.toks[span.last];
        let end = last.end - possessive_len(&doc.text[last.start..last.end]);
        out.push(Candidate { start, end, role_adjacent: role_adjacent(scan, &span), x, score });
    }
    out
}

/// A job title directly beside the name, with no punctuation between: "HCA Olumide",
/// "student nurse Ewa", "Kieran our porter", "Priya, our HCA", "Tom the physio". Looser
/// ("…while the consultant explained") is only a feature.
fn role_adjacent(scan: &Scan, span: &NameSpan) -> bool {
    let doc = &scan.doc;
    let word_role = |k: usize| doc.get(k).is_some_and(|t| t.is_word() && is_role(scan, t.stem()));
    let before = (1..=2).any(|back| {
        span.first.checked_sub(back).is_some_and(|k| (k..span.first).all(|j| doc.toks[j].is_word()) && word_role(k))
    });
    let mut k = span.last + 1;
    if doc.norm(k) == "," {
        k += 1;
    }
    if matches!(doc.norm(k), "our" | "the" | "my" | "a" | "an") {
        k += 1;
    }
    let after = k > span.last + 1 && (word_role(k) || (doc.get(k).is_some_and(|t| t.is_word()) && word_role(k + 1)));
    before || after
}

/// Whether anything around the name, not just its form, speaks for a patient: a care cue
/// (a feature declared to only ever add), a title (Mr, Mrs: how staff speak of patients), a
/// death, or something done with them. A bare first name
/// ("kim here", "reply to kim") is never enough: without context it is as likely a
/// colleague, a friend or the author's own handle.
fn has_context_evidence(c: &Candidate) -> bool {
    c.x.iter().zip(names_model::WEIGHTS.iter()).zip(FEATURES.iter()).any(|((x, w), (name, sign, _))| {
        *x > 0.0 && *w > 0.0 && (*sign == 1 || matches!(*name, "titled" | "death" | "person_verb" | "my_or_our"))
    })
}

pub(crate) fn detect(scan: &Scan, out: &mut Vec<Raw>) {
    for c in candidates(scan) {
        // A job title right beside the name ("HCA Olumide", "Kieran our porter") makes it a
        // colleague's unless a frame ties the name itself to care.
        let titled_staff = c.role_adjacent && c.x[F_STRONG_FRAME] == 0.0;
        if c.score >= names_model::THRESHOLD
            && !titled_staff
            && has_context_evidence(&c)
            && !scan.is_masked(c.start, c.end)
        {
            out.push(Raw::new(Category::PatientName, c.start, c.end).because(c.reason()));
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
    let known = lex.given.contains(w)
        || lex.given_extra.contains(w)
        || lex.surnames.contains(w)
        || lex.given_ambiguous.contains(w);
    // Unknown words ending like verbs and adverbs ("Discharged", "Nursing", "Finally") are
    // sentence starters, not names.
    let verbish = !known && (w.ends_with("ing") || w.ends_with("ed") || w.ends_with("ly"));
    // "DNA'd", "she'll", "they've": contractions are not names.
    let contraction = ["'d", "'ll", "'ve", "'re"].iter().any(|c| t.norm.ends_with(c));
    is_cap_word(scan, i)
        && !verbish
        && !contraction
        && !lex.not_names.contains(w)
        && !scan.lex.cues.person_nouns.contains(&w)
        && !scan.lex.cues.care_verbs.contains(&w)
        && !scan.lex.cues.care_actions.contains(&w)
        && !scan.lex.cues.person_verbs.contains(&w)
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
        // Part of an email address, a web address or a file name ("bethan.quigley@…",
        // "www.sarah.co.uk"): glued to a dot, an @ or a slash.
        let glued = |k: usize| doc.get(k).is_some_and(|n| matches!(n.norm.as_str(), "." | "@" | "/" | "_"));
        let in_address = (!t.space_before && i > 0 && glued(i - 1))
            || doc.get(i + 1).is_some_and(|n| {
                !n.space_before && glued(i + 1) && doc.get(i + 2).is_some_and(|m| !m.space_before && m.is_word())
            });
        if handle || in_address {
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
        // "mrs o'hara's daughter", "mr mcallister's wife": any surname-shaped word after a
        // lower-case title that is not a common word.
        let lower_surnameish = |k: usize| {
            doc.get(k).is_some_and(|n| {
                let st = n.stem();
                n.is_word()
                    && !n.cap
                    && matches!(w, "mr" | "mrs" | "ms" | "mx")
                    && st.chars().count() >= 3
                    && (st.starts_with("o'") || st.starts_with("mc") || st.starts_with("mac") || n.possessive())
                    && !lex.not_names.contains(st)
            })
        };
        // "Mrs K asked me to…": a title and one initial, the way staff shorten a patient's name.
        let initial_only = t.cap
            && doc.get(j).is_some_and(|n| n.is_word() && n.cap && n.norm.len() == 1)
            && !(doc.norm(j + 1) == "." && name_like(scan, j + 2));
        if PATIENT_TITLES.contains(&w)
            && (name_like(scan, j) || initial_only || (!t.cap && (lower_known(j) || lower_surnameish(j))))
        {
            let mut last = j;
            // "Mrs J. Smith", "Mr John Smith".
            if doc.toks[j].norm.chars().count() == 1 && doc.norm(j + 1) == "." && name_like(scan, j + 2) {
                last = j + 2;
            } else if name_like(scan, j + 1) && !doc.toks[j].possessive() {
                last = j + 1;
            }
            spans.push(NameSpan { first: i, last, titled: true, strength: Strength::Strong, lower: false });
            i = last + 1;
            continue;
        }
        // "my patient john", "doris in bed 6": a known given name typed in lower case is a
        // weak name span, reported only with a real patient frame around it.
        if !t.cap && lex.given.contains(w) && !lex.not_names.contains(w) && !crate::names::is_role(scan, w) {
            spans.push(NameSpan { first: i, last: i, titled: false, strength: Strength::Weak, lower: true });
            i += 1;
            continue;
        }
        if !t.cap || t.all_caps {
            i += 1;
            continue;
        }
        let given = given_name(scan, w) && crate::dates::month_number(w).is_none();
        let ambiguous = lex.given_ambiguous.contains(w);
        let surname_next = !t.possessive()
            && name_like(scan, i + 1)
            && (lex.surnames.contains(doc.toks[i + 1].stem()) || !doc.toks[i + 1].space_before || given_name(scan, w));
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
            spans.push(NameSpan { first: i, last, titled: false, strength, lower: false });
            i = last + 1;
            continue;
        }
        if name_like(scan, i) && !lex.eponyms.contains_key(w) {
            // An unknown capitalised word: a name if a known surname follows it ("Florian
            // Okafor"), or, more weakly, another capitalised word or an age.
            let sentence_start = doc.prev_word(i).is_none();
            let next_is_given = doc.get(i + 1).is_some_and(|n| n.cap && given_name(scan, n.stem()));
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
            let span = NameSpan { first: i, last: if two { i + 1 } else { i }, titled: false, strength, lower: false };
            // "Hamid is nil by mouth": an unknown word opening a sentence as the subject of
            // a verb said of people. A weak span; the model wants more than that.
            let subject = sentence_start
                && !two
                && matches!(
                    doc.norm(i + 1),
                    "is" | "was"
                        | "has"
                        | "had"
                        | "keeps"
                        | "kept"
                        | "wants"
                        | "wanted"
                        | "needs"
                        | "refused"
                        | "refuses"
                        | "won't"
                        | "wouldn't"
                        | "can't"
                        | "isn't"
                        | "wasn't"
                        | "says"
                        | "said"
                        | "asked"
                        | "asks"
                        | "told"
                        | "tells"
                );
            if !sentence_start || t.possessive() || two || subject || age_next_to(scan, &span) {
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
    // Initials are left out ("Mrs J. Smith" is "smith"), unless the name is only one ("Mrs K").
    let initial_only = span.titled && span.first + 1 == span.last;
    (from..=span.last)
        .filter(|&k| doc.toks[k].kind == Kind::Word && (initial_only || doc.norm(k).chars().count() > 1))
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
    // "Jones and Patel (2019)": the first of two authors.
    let year_at = |k: usize| doc.get(k).is_some_and(|t| t.is_num() && t.norm.len() == 4);
    let second_author = matches!(doc.norm(next), "and" | "&")
        && is_cap_word(scan, next + 1)
        && ((doc.norm(next + 2) == "(" && year_at(next + 3))
            || (doc.norm(next + 2) == "et" && doc.norm(next + 3) == "al"));
    // "Macmillan Cancer Support": part of an organisation's name.
    let org_next = is_cap_word(scan, next)
        && doc.get(next).is_some_and(|t| scan.lex.cues.org_words.contains(t.stem()) && !t.possessive());
    if second_author || org_next {
        return true;
    }
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
    // Not a possessive before something of a patient's: "Hazel's catheter" is Hazel's.
    let patients_thing =
        last_tok.possessive() && after.first().is_some_and(|w| scan.lex.cues.patient_possessions.contains(w));
    if !span.titled && !patients_thing && after.first().is_some_and(|w| scan.lex.cues.eponym_after.contains(w)) {
        return true;
    }
    // Places and events named after people: "Seacole Ward", "St Mary's", "Keats ward".
    // The place word must follow directly: "Mrs Hussain (bay 2)" is a patient in a bay.
    let place_next = doc.get(next).is_some_and(|t| t.is_word() && scan.lex.cues.place_after.contains(&t.norm));
    if place_next && !last_tok.possessive()
        || doc.prev_word(span.first).is_some_and(|p| {
            matches!(doc.norm(p), "st" | "saint" | "ward" | "unit" | "ysbyty")
                && (p + 1..span.first).all(|k| doc.norm(k) == ".")
        }) && !span.titled
    {
        return true;
    }
    // "5 Tanners Row": a street, not a person.
    let street_next = doc.get(next).is_some_and(|t| t.is_word() && lex.street_types.contains(t.stem()));
    // Directly before: "Room 12 - Agnes" is a person in a room.
    let house_number = span.first > 0 && doc.toks[span.first - 1].is_num() && !span.titled;
    if street_next || house_number {
        return true;
    }
    if ws.iter().any(|w| scan.lex.cues.place_after.contains(&w.as_str()) || lex.street_types.contains(w)) {
        return true;
    }
    if in_policy_place(scan, span)
        || (lex.places.longest_at(doc, span.first).is_some()
            || lex.places.has_single(doc.toks[span.first].stem())
            // Inside a longer place name: "the Isle of Wight", "Newcastle upon Tyne".
            || (1..=3).any(|back| {
                span.first.checked_sub(back).is_some_and(|k| {
                    lex.places.longest_at(doc, k).is_some_and(|(len, _)| k + len > span.first)
                })
            }))
            && !span.titled
    {
        return true;
    }
    // A service's name before its number: "Breathing Space Scotland 0800 83 85 87".
    let number_next = doc.get(next).is_some_and(|t| t.is_num() && t.norm.starts_with('0') && t.norm.len() >= 3);
    if !span.titled && number_next {
        return true;
    }
    // A pet: "our cat Gerald", "my dog Bella", "Winston (our spaniel)", "Biscuit, the ward cat".
    let pet_before = doc.words_before(span.first, 2).any(|k| lex.cues.pets.contains(doc.toks[k].stem()));
    let pet_after = matches!(doc.norm(next), "(" | "," | "-" | "–" | "—")
        && doc.words_after(span.last, 4).any(|k| lex.cues.pets.contains(doc.toks[k].stem()));
    if !span.titled && (pet_before || pet_after) {
        return true;
    }
    // The author introducing themself: "I'm Sarah", "my name is Sarah".
    let before: Vec<&str> = doc.words_before(span.first, 3).map(|k| doc.norm(k)).collect();
    if matches!(
        before.as_slice(),
        ["i'm" | "im", ..]
            | ["am", "i", ..]
            | ["is", "name", "my", ..]
            | ["name's" | "names", "my", ..]
            | ["me", "call", ..]
    ) {
        return true;
    }
    // The author's own family: "my daughter Emily", "my grandad Les", and their family's:
    // "my sister's new baby, Oscar".
    let own_person = |w: &str| {
        scan.lex.cues.relatives.contains(w)
            || matches!(
                w,
                "friend" | "neighbour" | "neighbor" | "mate" | "bestie" | "housemate" | "flatmate" | "colleague"
            )
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
    // "Health Secretary Wes Streeting"; or a title after the name: "Kate, Princess of
    // Wales", "Charles, Prince of Wales", "Sadiq Khan, Mayor of London".
    let after_comma = if doc.norm(span.last + 1) == "," { span.last + 2 } else { span.last + 1 };
    let title_after = doc.get(after_comma).is_some_and(|t| {
        t.is_word()
            && t.cap
            && (scan.lex.cues.public_roles.contains(&t.norm.as_str())
                || matches!(
                    t.norm.as_str(),
                    "prince"
                        | "princess"
                        | "duke"
                        | "duchess"
                        | "king"
                        | "queen"
                        | "earl"
                        | "countess"
                        | "lord"
                        | "baroness"
                        | "baron"
                ))
            && doc.norm(after_comma + 1) == "of"
    });
    // "PM" is the Prime Minister, but "2pm" is a time ("For the 2pm visit: Janice …").
    let public_role_at = |k: usize| {
        scan.lex.cues.public_roles.contains(&doc.norm(k))
            && !(doc.norm(k) == "pm" && !doc.toks[k].space_before && k > 0 && doc.toks[k - 1].is_num())
    };
    title_after || doc.words_before(span.first, 2).any(public_role_at)
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

/// The words around a candidate name, measured as features of the linear model in
/// `names_model.rs`: frames that present the person as a patient or a relative add,
/// staff, thanks, public and everyday cues subtract. Each feature has a plain-English
/// reason, used in the finding's message.
fn features(scan: &Scan, span: &NameSpan, cues: SentenceCues, post: &PostCues, post_care: &OnceCell<bool>) -> Features {
    let doc = &scan.doc;
    let lex = scan.lex;
    let mut x = [0.0f32; NF];
    x[F_BIAS] = 1.0;
    match span.strength {
        _ if span.titled => x[F_TITLED] = 1.0,
        Strength::Strong => x[F_FULL] = 1.0,
        Strength::Medium => x[F_GIVEN] = 1.0,
        Strength::Weak if span.lower => x[F_LOWER] = 1.0,
        Strength::Weak => x[F_WEAK] = 1.0,
    }
    let before: Vec<usize> = doc.words_before(span.first, 4).collect();
    let bw: Vec<&str> = before.iter().map(|&k| doc.norm(k)).collect();
    // "my patient John", "a lady called Edna", "the family of Tom Reid", "her son Peter".
    let skip_called = usize::from(matches!(bw.first(), Some(&"called" | &"named" | &"aka")));
    let head = bw.get(skip_called).copied().unwrap_or("");
    let head2 = bw.get(skip_called + 1).copied().unwrap_or("");
    let person_frame = lex.cues.person_nouns.contains(&head) && !(head == "user" && head2 != "service");
    let relative_of = head == "of" && lex.cues.relatives.contains(&head2);
    // "bed 4's wife Maureen": staff call a patient by their bed; "4's" is "4", "'", "s".
    let bed_number = head2 == "s"
        && before.get(skip_called + 1).and_then(|k| k.checked_sub(1)).is_some_and(|k| doc.norm(k) == "'")
        && bw.get(skip_called + 2).is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
        && bw.get(skip_called + 3).is_some_and(|w| lex.cues.location_nouns.contains(w));
    let their_relative = lex.cues.relatives.contains(&head)
        && (matches!(head2, "his" | "her" | "their" | "the" | "patient's" | "pt's" | "whose") || bed_number);
    // "took bloods from Aurelia", "did obs on Doris": a procedure done to the person; but
    // "got the bloods from Priya" is a colleague handing them over, so the verb must say
    // the procedure was done.
    let procedure = skip_called == 0 && matches!(head, "from" | "on") && lex.cues.procedures.contains(&head2) && {
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
    x[F_PERSON_FRAME] = f(person_frame);
    x[F_RELATIVE_FRAME] = f(relative_of || their_relative);
    x[F_PROCEDURE] = f(procedure);
    // "Mr and Mrs Achebe": a couple named by their titles is a family being cared for.
    // Not "Mr and Mrs Whitfield from the Rotary Club": donors and visitors come from somewhere.
    let couple = span.titled
        && span.first >= 2
        && matches!(doc.norm(span.first - 1), "and" | "&")
        && PATIENT_TITLES.contains(&doc.norm(span.first - 2))
        && doc.words_after(span.last, 1).all(|k| doc.norm(k) != "from");
    x[F_FAMILY] = f(couple || family_name(scan, span, cues, post_care));
    x[F_APPOSITIVE] = f(appositive_person(scan, span));
    x[F_CARE_VERB] = f(lex.cues.care_verbs.contains(&head)
        || (head == "for" || head == "after") && lex.cues.care_verbs.contains(&head2)
        || head == "with" && matches!(head2, "sitting" | "sat" | "sit" | "stayed" | "staying"));
    x[F_CALLED] = f(skip_called == 1 && !is_role(scan, head));
    x[F_SOFT] = f(soft_frame(span, &bw, cues));
    x[F_ENDEARMENT] = f(lex.cues.endearments.contains(&head) && !matches!(head2, "my" | "our" | "your"));
    // A name opening the sentence after one about an unnamed patient: "…a patient with
    // dementia? Brenda keeps trying to get out of bed."
    x[F_PREV_PATIENT] =
        f(doc.words_before(span.first, 3).count() <= 1 && previous_sentence_has_patient(scan, span.first));
    // A care action done to the person, in the three words before the name: "washed and
    // shaved Frank", "hoisted Winston", "sat up with Rosemary". Helping verbs are said of
    // colleagues as often: they are a feature of their own.
    let near: Vec<&str> = bw.iter().take(3).copied().collect();
    x[F_CARE_ACTION] = f(near.iter().any(|w| lex.cues.care_actions.contains(w)));
    x[F_PERSON_VERB] = f(near.iter().any(|w| lex.cues.person_verbs.contains(w)));
    x[F_MY_OUR] = f(matches!(head, "my" | "our"));
    // After the name.
    let last = &doc.toks[span.last];
    let aft: Vec<usize> = doc.words_after(span.last, 8).collect();
    let aw: Vec<&str> = aft.iter().map(|&k| doc.norm(k)).collect();
    // "Doris's obs", "Pauline's leg ulcer" (one word may come between).
    x[F_POSSESSION] = f(last.possessive() && aw.iter().take(2).any(|w| lex.cues.patient_possessions.contains(w)));
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
        "leaving",
        "retirement",
    ];
    x[F_STAFF_POSSESSION] = f(last.possessive() && aw.first().is_some_and(|w| STAFF_POSSESSIONS.contains(w)));
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
    x[F_SPOT] = f(spot || (doc.norm(span.last + 1) == "(" && matches!(doc.norm(span.last + 2), "bed" | "bay")));
    // "Ellie on bay 5" is a patient's place, but "Kate on bay 3" may be the nurse allocated
    // there: a weaker sign than "in bay 5".
    x[F_ON_BAY] = f(!spot && matches!(aw.as_slice(), ["on", "bay" | "bed", id, ..] if is_id(id)));
    x[F_ON_WARD] = f(matches!(
        aw.as_slice(),
        ["on" | "from", "ward", ..]
            | ["on", "the", "ward", ..]
            | ["on", _, "ward", ..]
            | ["on", "the", _, "ward" | "unit", ..]
            | ["on", "the", _, _, "ward" | "unit", ..]
    ));
    x[F_AGE] = f(age_next_to(scan, span) || old_age_after(scan, span) || old_birthday_before(scan, span));
    // "Bronwen Lindqvist was admitted", "Doris fell": the name is the subject of a
    // clinical event.
    let auxiliaries = aw
        .iter()
        .take_while(|w| {
            matches!(**w, "was" | "is" | "has" | "had" | "been" | "got" | "being" | "just" | "finally" | "again")
        })
        .count();
    // "brought" is clinical only as "brought in": "Jess brought me a tea" is not.
    // "passed" is a death, but "passed his exams" is not.
    let clinical_at = |n: usize| {
        aw.get(n).is_some_and(|w| {
            lex.cues.clinical.contains(w)
                && (*w != "brought" || matches!(aw.get(n + 1), Some(&"in" | &"into")))
                && (*w != "passed"
                    || !matches!(
                        aw.get(n + 1),
                        Some(&"his" | &"her" | &"their" | &"the" | &"my" | &"a" | &"an" | &"all")
                    ))
        })
    };
    if clinical_at(auxiliaries) {
        x[F_CLINICAL_SUBJECT] = 1.0;
    } else if (0..aw.len().min(6)).any(clinical_at) {
        x[F_CLINICAL_NEAR] = 1.0;
    }
    // Role right before: "our HCA Priya", "Staff Nurse Jones", "colleague Sam"; or right
    // after: "Priya, our HCA", "Mr Patel the consultant", "Tom from physio".
    x[F_ROLE_NEXT_TO] = f(bw.iter().take(2).any(|w| is_role(scan, w)) || aw.iter().take(4).any(|w| is_role(scan, w)));
    x[F_ROLE_NEAR] = f(cues.role_here_or_next);
    // "Thanks to Priya", "well done Kemi", "welcome Bronagh".
    x[F_THANKS_BEFORE] = f(bw.iter().any(|w| lex.cues.thanks.contains(w)));
    x[F_PRAISE] = (cues.praise as f32).min(3.0);
    // A strong frame outweighs praise: "caring for Albert has been the highlight of my
    // placement" (applied below, once the frames are known).
    x[F_REPORTING] = f(cues.reporting);
    x[F_RELATIVE_SENT] = f(cues.relative);
    // How much the sentence, and the rest of the post, speaks of the bedside.
    let own = (span.first..=span.last).filter(|&k| lex.cues.care_words.contains(doc.toks[k].stem())).count();
    let here = (cues.care_words as usize).saturating_sub(own);
    x[F_CARE_SENT] = (here.min(3) as f32) + f(cues.care);
    x[F_CARE_POST] = (post.care_words.saturating_sub(cues.care_words as usize).min(3)) as f32;
    x[F_PRONOUN] = f(cues.pronoun || post.pronoun_next(doc.toks[span.first].sent as usize));
    x[F_DEATH] = f(cues.death);
    x[F_EVERYDAY] = f(cues.everyday);
    // A public figure's story ("famous", "spoke about his cancer"): not a patient of ours.
    // The sentence before counts too: "Watching Rob Burrow's documentary. His wife Lindsey …".
    let sent_no = doc.toks[span.first].sent as usize;
    x[F_FAME] = f(cues.fame || sent_no.checked_sub(1).and_then(|s| post.sentences.get(s)).is_some_and(|c| c.fame));
    x[F_YOU] = f(cues.you);
    x[F_STAFF_POST] = f(post.role_elsewhere(doc.toks[span.first].sent as usize) || post.thanks);
    x[F_PATIENT_POST] = f(post.patient_noun);
    // A vocative: "Jack, I owe you a coffee", "Sam, can you …".
    x[F_VOCATIVE] = f(bw.is_empty() && doc.norm(span.last + 1) == "," && x[F_AGE] == 0.0);
    x[F_SENT_START] = f(bw.is_empty());
    // "Jim from estates", "Kerry from the discharge lounge": where a colleague works.
    // Not a time: "little Ollie from last week's shout".
    let from_time = matches!(
        aw.get(1),
        Some(&"last" | &"yesterday" | &"earlier" | &"tonight" | &"today" | &"this" | &"the" | &"that")
    ) && aw.iter().skip(1).take(3).any(|w| {
        matches!(
            *w,
            "last"
                | "yesterday"
                | "earlier"
                | "tonight"
                | "today"
                | "week"
                | "week's"
                | "weekend"
                | "night"
                | "morning"
                | "afternoon"
                | "evening"
                | "shift"
        )
    });
    x[F_FROM_AFTER] = f(aw.first() == Some(&"from") && !spot && !from_time);
    // "in Rhyl", "at Barnsley": a place more likely than a person.
    // "bed 3 on Larkspur": an unknown word after "on" is a ward's name.
    x[F_PLACE_PREP] =
        f(span.strength == Strength::Weak && matches!(head, "in" | "at" | "near" | "around" | "outside" | "on"));
    // "Jess brought me a tea", "Tom covered me": a colleague doing something for the author.
    x[F_DOES_FOR_ME] = f(aw.windows(2).take(3).any(|p| {
        p[1] == "me"
            && matches!(
                p[0],
                "brought"
                    | "bought"
                    | "got"
                    | "made"
                    | "gave"
                    | "sent"
                    | "covered"
                    | "saved"
                    | "helped"
                    | "taught"
                    | "showed"
                    | "sorted"
                    | "fetched"
                    | "mentored"
                    | "supported"
                    | "trained"
            )
    }));
    // "Kwame from the youth mental health service", "Reggie (a client of ours)": someone a
    // care service supports.
    let service_after = matches!(aw.first(), Some(&"from" | &"at"))
        && aw.iter().skip(1).take(6).any(|w| {
            matches!(*w, "service" | "services" | "group" | "programme" | "project" | "hostel" | "day" | "centre")
        });
    // "HCA Olumide … sat with every one of our patients": the sentence's "one of our
    // patients" is not about a name with a job title beside it.
    x[F_SERVICE_USER] = f((cues.service_user && x[F_ROLE_NEXT_TO] == 0.0) || service_after);
    if service_after {
        x[F_FROM_AFTER] = 0.0;
    }
    x[F_PROGRESS] = f(cues.progress);
    // Only for known names and titles: an unknown capitalised word beside an MRN is as
    // likely a drug, a shop or a month ("TTOs", "Tesco", "August").
    x[F_IDENTIFIER] = f(cues.identifier && (span.titled || span.strength != Strength::Weak));
    let strong = STRONG_FRAMES.iter().any(|&i| x[i] > 0.0);
    let any = strong || WEAK_FRAMES.iter().any(|&i| x[i] > 0.0);
    x[F_STRONG_FRAME] = f(strong);
    if strong {
        x[F_PRAISE] *= 0.25;
    }
    x[F_ANY_FRAME] = f(any);
    x[F_WEAK_UNFRAMED] = f(span.strength == Strength::Weak && !span.lower && !any);
    x[F_STAFF_UNFRAMED] = f(!strong
        && (x[F_ROLE_NEXT_TO] > 0.0
            || x[F_ROLE_NEAR] > 0.0
            || x[F_THANKS_BEFORE] > 0.0
            || x[F_PRAISE] > 0.0
            || x[F_STAFF_POSSESSION] > 0.0));
    x
}

fn f(b: bool) -> f32 {
    if b { 1.0 } else { 0.0 }
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
        "couple",
        "regular",
        "regulars",
    ];
    const DETERMINERS: &[&str] = &["the", "a", "an", "this", "that", "one"];
    const OWN: &[&str] = &["my", "our"];
    let doc = &scan.doc;
    if appositive_after(scan, span, HEADS, DETERMINERS) {
        return true;
    }
    let Some(comma) = span.first.checked_sub(1) else {
        return false;
    };
    // "The lady I took to theatre, Vera, …" or "To the lady in cubicle 6 — Marjorie, …".
    if !matches!(doc.norm(comma), "," | "—" | "–" | "-") {
        return false;
    }
    let sent = doc.toks[span.first].sent;
    // "…, Eileen and Jim, …": the first of two names set beside the phrase.
    let closes = match doc.get(span.last + 1) {
        None => true,
        Some(n) => {
            n.sent != sent
                || matches!(n.norm.as_str(), "," | "." | "!" | ")" | "-" | "–" | "—")
                || (matches!(n.norm.as_str(), "and" | "&") && is_cap_word(scan, span.last + 2))
        }
    };
    if !closes {
        return false;
    }
    // The clause before the comma, back to the previous comma or the sentence start.
    let clause: Vec<&str> = (0..comma)
        .rev()
        .take_while(|&k| doc.toks[k].sent == sent && !matches!(doc.norm(k), "," | "—" | "–"))
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
                    && matches!(
                        *w,
                        "patient" | "pt" | "client" | "resident" | "patients" | "clients" | "residents" | "regulars"
                    ))
        };
        // "Client of mine, Jordan,": the head needs no determiner.
        let of_mine = n >= 2 && clause[n - 1] == "of" && matches!(clause[n - 2], "mine" | "ours");
        // Nor when the clause opens with it: "Lovely client today, Nia, …".
        let opens = n + 2 >= clause.len()
            && matches!(*w, "patient" | "pt" | "client" | "resident" | "patients" | "clients" | "residents");
        HEADS.contains(w) && (of_mine || opens || clause.iter().skip(n + 1).take(2).any(det))
    });
    has_head
        && !clause
            .iter()
            .any(|w| is_role(scan, w) || scan.lex.cues.staff_activity.contains(w) || scan.lex.cues.thanks.contains(w))
}

/// A phrase about a patient set after the name: "Gareth Pryce, the patient who taught me
/// crib", "Winston, our longest-standing COPD regular", "Ivy, one of our residents". Not
/// when a job title or staff word follows the head noun ("Priya, the patient's nurse").
fn appositive_after(scan: &Scan, span: &NameSpan, heads: &[&str], determiners: &[&str]) -> bool {
    let doc = &scan.doc;
    let sent = doc.toks[span.first].sent;
    // The phrase may follow the rest of a short clause: "Had Winston in clinic again today,
    // our longest-standing COPD regular".
    let Some(comma) = (span.last + 1..(span.last + 7).min(doc.len()))
        .take_while(|&k| doc.toks[k].sent == sent)
        .find(|&k| matches!(doc.norm(k), "," | "-" | "–" | "—" | "("))
    else {
        return false;
    };
    // "Aled, the lad with cystic fibrosis", "Mohammed (the one with the sickle cell crisis)":
    // a person described by a condition.
    let with_condition = (comma + 1..(comma + 5).min(doc.len()))
        .take_while(|&k| doc.toks[k].sent == sent)
        .find(|&k| doc.norm(k) == "with")
        .is_some_and(|w| (w + 1..(w + 4).min(doc.len())).any(|k| condition_at(scan, k)));
    if with_condition && matches!(doc.norm(comma + 1), "the" | "a" | "our" | "that" | "this") {
        return true;
    }
    let clause: Vec<&str> = (comma + 1..doc.len())
        .take_while(|&k| doc.toks[k].sent == sent && !matches!(doc.norm(k), "," | "-" | "–" | "—" | ":" | ";"))
        .filter(|&k| doc.toks[k].is_word())
        .take(7)
        .map(|k| doc.toks[k].stem())
        .collect();
    let Some(&det) = clause.first() else {
        return false;
    };
    let own_ok = |w: &str| {
        matches!(
            w,
            "patient" | "pt" | "client" | "resident" | "patients" | "clients" | "residents" | "regular" | "regulars"
        )
    };
    let head_at = clause.iter().take(5).position(|w| heads.contains(w) || matches!(*w, "regular" | "regulars"));
    let Some(h) = head_at.filter(|&h| h > 0) else {
        return false;
    };
    let det_ok = determiners.contains(&det) || (matches!(det, "my" | "our") && own_ok(clause[h]));
    // A job title may come two words after the head ("the patient flow coordinator"); staff
    // words only right after it ("the patient who taught me crib" is still a patient).
    det_ok
        && !clause[..(h + 3).min(clause.len())].iter().any(|w| is_role(scan, w))
        && !clause[..(h + 2).min(clause.len())]
            .iter()
            .any(|w| scan.lex.cues.staff_activity.contains(w) || scan.lex.cues.thanks.contains(w))
}

/// A condition starts at token `k` (the rare list, or a common condition of `facets.txt`).
fn condition_at(scan: &Scan, k: usize) -> bool {
    let (doc, lex) = (&scan.doc, scan.lex);
    lex.rare_conditions.longest_at(doc, k).is_some()
        || lex.facets.longest_at(doc, k).is_some_and(|(_, f)| *f == crate::lexicon::Facet::Condition)
}

/// "Happy 100th birthday to our Doris": an old age's birthday wished in the words before.
fn old_birthday_before(scan: &Scan, span: &NameSpan) -> bool {
    let doc = &scan.doc;
    let before: Vec<usize> = doc.words_before(span.first, 6).collect();
    before.iter().any(|&k| doc.norm(k) == "birthday")
        && (span.first.saturating_sub(10)..span.first).any(|k| {
            let t = &doc.toks[k];
            t.is_num()
                && t.norm.len() <= 3
                && t.norm.parse::<u32>().is_ok_and(|a| (80..=125).contains(&a))
                && matches!(doc.norm(k + 1), "st" | "nd" | "rd" | "th")
        })
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

fn given_name(scan: &Scan, w: &str) -> bool {
    scan.lex.given.contains(w) || scan.lex.given_extra.contains(w)
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
    use crate::testing::{found, spans, spans_with};

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
    fn a_bare_name_with_nothing_around_it_is_not_a_patient() {
        for t in ["kim here", "reply to kim", "Kim here", "morning all, it's dave", "lol bill"] {
            assert!(spans(t, Category::PatientName).is_empty(), "{t}");
        }
    }

    #[test]
    fn teaching_cases_and_public_figures_stories_are_not_patients() {
        for t in [
            "Role-play scenario: your patient Mr Blake refuses his medication. How do you respond?",
            "OSCE station 4: 'Mrs Jenkins', 72, has had a fall. Take a history.",
            "Sim lab today: our manikin Harold arrested three times. Poor Harold.",
            "Ever since Rod Stewart spoke openly about his prostate cancer, our clinic has been busy",
        ] {
            assert!(spans(t, Category::PatientName).is_empty(), "{t}");
        }
        // A real patient in a post without teaching words is still found.
        assert!(
            !spans("Washed and dressed Beryl this morning and she insisted on her pearls", Category::PatientName)
                .is_empty()
        );
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
            "Took Taid to the match on my day off, he's 91 and still shouts at the ref",
            "Hi all, my name's Basia and I care for my dad since his stroke",
            "Bipolar, 41, and three years in recovery. Talk to someone x",
            "Moved from the Royal Jubilee to the City last year, best decision",
            "She asked for yesterday's Telegraph and a cup of tea",
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
    fn the_model_weighs_care_cues_against_staff_and_everyday_cues() {
        for (t, want) in [
            ("Washed and shaved Gideon this morning and he said he felt human again", "Gideon"),
            ("Hoisted Philippa back into bed after she slid down the chair", "Philippa"),
            ("Cornelius pulled his cannula out again overnight", "Cornelius"),
        ] {
            assert_eq!(spans(t, Category::PatientName), vec![want], "{t}");
        }
        for t in [
            "Took Biscuit to the vet after my night shift, he's fine",
            "Jim from estates fixed the boiler in record time",
            "Jones and Patel (2019) showed fewer falls",
            "Helped my neighbour Pat with her shopping",
            "Her home address is 5 Tanners Row, Ludlow",
        ] {
            assert!(spans(t, Category::PatientName).is_empty(), "{t}: {:?}", spans(t, Category::PatientName));
        }
    }

    #[test]
    fn the_message_says_why_in_plain_words() {
        let r = crate::check("Fed Harold his lunch and he squeezed my hand", &Policy::default(), &Default::default());
        let m = &r.findings[0].message;
        assert!(m.starts_with("\"Harold\" reads as the name of a patient or their relative: "), "{m}");
        assert!(m.ends_with("Never name patients or their families, not even by first name."), "{m}");
    }

    #[test]
    fn names_in_addresses_are_not_candidates() {
        assert!(
            spans("His son's email is bethan.quigley@gmail.com, he wants updates", Category::PatientName).is_empty()
        );
    }

    #[test]
    fn the_staff_directory_is_never_a_patient() {
        let p = Policy::from_json(r#"{"staff_names": ["Amara Okafor"]}"#).unwrap();
        assert!(spans_with("Caring for Amara Okafor this week", Category::PatientName, &p).is_empty());
        assert_eq!(spans("Caring for Amara Okafor this week", Category::PatientName), vec!["Amara Okafor"]);
    }

    #[test]
    fn clients_doing_well_and_lower_case_surnames() {
        for t in [
            "Well done to Tayo from the young people's service who passed his driving test since his injury",
            "mr o'donnell's son rang the ward twice",
            "Mr and Mrs Oyelowo were both on our ward for their anniversary",
        ] {
            assert!(found(t).contains(&Category::PatientName), "{t}");
        }
        for t in
            ["Lancashire's new hospice opens in May", "Big thanks to Tayo from the pharmacy team for sorting our TTOs"]
        {
            assert!(!found(t).contains(&Category::PatientName), "{t}");
        }
    }

    #[test]
    fn a_patient_phrase_or_an_identifier_beside_a_name() {
        for (t, want) in [
            ("Lionel Ashby, the patient who always asked for extra custard, died peacefully today", "Lionel Ashby"),
            ("Saw Stanley Coombes in clinic again, our longest-standing heart failure regular", "Stanley Coombes"),
            ("Agnes Whitlow, DOB 03/04/1941, has been waiting for transport since 10am", "Agnes Whitlow"),
            ("Referral for Kofi Boateng, hosp no RX1234567, needs a falls review", "Kofi Boateng"),
        ] {
            assert_eq!(spans(t, Category::PatientName), vec![want], "{t}");
        }
    }

    #[test]
    fn exams_public_titles_and_wards_are_not_patients() {
        for t in [
            "Our HCA Tom Brennan just passed his nursing associate exams!",
            "Sophie, Duchess of Edinburgh visited the hospice today and spoke about her own cancer",
            "Bay 2 bed 6 on Foxglove has been ringing all night, bless her.",
            "Priya, the patient flow coordinator, sorted six discharges before lunch",
            "We sent three patients to the Isle of Wight hospice this year",
        ] {
            assert!(spans(t, Category::PatientName).is_empty(), "{t}: {:?}", spans(t, Category::PatientName));
        }
    }

    #[test]
    fn conditions_couples_rooms_and_clients_of_ours_beside_a_name() {
        for (t, want) in [
            ("Thinking of Gwilym tonight, the lad with sickle cell who was back in again", "Gwilym"),
            ("Resident of ours, Beatrice, turned 90 today and had a sherry", "Beatrice"),
            ("Bed 7 - Harold - keeps pulling his cannula out", "Harold"),
            ("The couple in the end bay, Maisie and Fred, have been married 70 years", "Maisie"),
            ("Cheeky resident this morning, Glenys, asked me to marry her", "Glenys"),
            ("Baby Olly went home from SCBU today", "Olly"),
            ("so proud of our mum-to-be shannon who stopped smoking", "shannon"),
            ("Mrs T asked for her glasses before the consultant's round", "Mrs T"),
            ("One of my regulars, Hamish Doyle, brought shortbread for the pharmacy", "Hamish Doyle"),
            ("Can nights check Mr Osei's sodium again, it was 128 at teatime", "Mr Osei"),
            ("For the 2pm visit: Janice Whitfield's insulin needs collecting", "Janice Whitfield"),
            ("Senhora Costa asked for her rosary before the doctors came round", "Senhora Costa"),
            ("Care plan review for the Kowalski children today, safeguarding still open", "Kowalski"),
        ] {
            assert_eq!(spans(t, Category::PatientName), vec![want], "{t}");
        }
    }

    #[test]
    fn staff_called_by_title_elsewhere_and_services_before_their_number_are_not_patients() {
        for t in [
            "The card said thank you to Sister Nadia and the team. Nadia cried reading it, bless her.",
            "Talk to Hafal 01792 816600 if a patient's family need support",
            "the patient DNA'd again so the slot is free",
        ] {
            assert!(spans(t, Category::PatientName).is_empty(), "{t}: {:?}", spans(t, Category::PatientName));
        }
    }
}
