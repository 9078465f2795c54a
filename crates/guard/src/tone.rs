//! Wellbeing: posts written in anger or distress (negative_emotion), and grievances aired in
//! public about one's employer, colleagues or patients (grievance).
//!
//! Both are decided by a small linear model over explainable cue classes, like the
//! patient-name model: each post gets `NF` features (`FEATURES`), each a count of one kind
//! of cue (anger, distress and swear words from `emotion.txt`; targets and complaints from
//! `grievance.txt`; despair, sarcasm, mistreatment, repetition, exhaustion, rhetorical
//! questions, grief, gratitude, campaigning and humour from `tone.txt`; shouting, runs of
//! `!!`/`?!`, scare quotes), and each category has its own weights and threshold in
//! `tone_model.rs`, fitted by `examples/fit_tone.rs`. Every weight is held to a declared
//! sign, so grief, gratitude, news and jokes can only pull a post towards passing.
//!
//! Sadness is not anger: a composed post about a patient's death uses sad words and calm,
//! professional ones, and should pass. So sad words carry no weight; anger, distress,
//! despair and swearing do, and grief and calm words pull the score down.

use crate::lexicon::{EmotionKind, GrievanceKind, ToneClass};
use crate::report::Category;
use crate::text::Kind;
use crate::tone_model::{EMOTION, EMOTION_THRESHOLD, GRIEVANCE, GRIEVANCE_THRESHOLD};
use crate::{Raw, Scan};

pub(crate) const NF: usize = 33;

/// The features: name, the sign the negative_emotion weight is held to, the sign the
/// grievance weight is held to (1 only adds, -1 only subtracts, 0 either), and a cap on
/// the count.
pub(crate) const FEATURES: [(&str, i8, i8, f32); NF] = [
    ("bias", 0, 0, 1.0),
    ("anger", 1, 0, 4.0),
    ("distress", 1, 0, 4.0),
    ("profanity", 1, 0, 4.0),
    ("calm", -1, -1, 3.0),
    ("shouting", 1, 0, 3.0),
    ("punct_runs", 1, 0, 2.0),
    ("short_cue_sentence", 1, 0, 2.0),
    ("short_praise_sentence", 0, 0, 2.0),
    ("despair", 1, 0, 3.0),
    ("sarcasm", 1, 1, 3.0),
    ("mistreatment", 0, 1, 3.0),
    ("repetition_with_complaint", 0, 0, 3.0),
    ("exhaustion", 1, 0, 3.0),
    ("employer_target", 0, 1, 3.0),
    ("colleague_target", 0, 1, 3.0),
    ("patient_target", 0, 0, 2.0),
    ("complaint", 0, 1, 3.0),
    ("target_complaint_pair", 0, 1, 1.0),
    ("strong_grievance", 0, 1, 1.0),
    ("intensifier", 0, 0, 3.0),
    ("scare_quotes", 0, 1, 2.0),
    ("rhetorical", 1, 0, 2.0),
    ("address", 0, 0, 2.0),
    ("first_person", 0, 0, 1.0),
    ("grief", -1, -1, 3.0),
    ("gratitude", -1, -1, 3.0),
    ("campaign", -1, -1, 3.0),
    ("humour", -1, -1, 2.0),
    ("questions", 0, 0, 3.0),
    ("negated_cue", -1, -1, 2.0),
    ("target_with_frame", 0, 1, 1.0),
    ("upset_first_person", 1, 0, 1.0),
];

const F_ANGER: usize = 1;
const F_DISTRESS: usize = 2;
const F_PROFANITY: usize = 3;
const F_CALM: usize = 4;
const F_SHOUT: usize = 5;
const F_PUNCT: usize = 6;
const F_SHORT_CUE: usize = 7;
const F_SHORT_PRAISE: usize = 8;
const F_DESPAIR: usize = 9;
const F_SARCASM: usize = 10;
const F_MISTREAT: usize = 11;
const F_REPEAT: usize = 12;
const F_EXHAUST: usize = 13;
const F_EMPLOYER: usize = 14;
const F_COLLEAGUE: usize = 15;
const F_PATIENT: usize = 16;
const F_COMPLAINT: usize = 17;
const F_PAIR: usize = 18;
const F_STRONG: usize = 19;
const F_INTENS: usize = 20;
const F_QUOTES: usize = 21;
const F_RHET: usize = 22;
const F_ADDRESS: usize = 23;
const F_FIRST: usize = 24;
const F_GRIEF: usize = 25;
const F_GRAT: usize = 26;
const F_CAMPAIGN: usize = 27;
const F_HUMOUR: usize = 28;
const F_QUESTIONS: usize = 29;
const F_NEGATED: usize = 30;
const F_TARGET_FRAME: usize = 31;
const F_UPSET_FIRST: usize = 32;

/// A post's features and, for each, the first span that set it.
pub(crate) struct ToneFeatures {
    pub x: [f32; NF],
    spans: [Option<(usize, usize)>; NF],
    pair: Option<(usize, usize)>,
}

impl ToneFeatures {
    fn add(&mut self, f: usize, v: f32, span: (usize, usize)) {
        self.x[f] += v;
        if self.spans[f].is_none() {
            self.spans[f] = Some(span);
        }
    }
}

pub(crate) fn detect(scan: &Scan, out: &mut Vec<Raw>) {
    let f = features(scan);
    if score(&f.x, &EMOTION) >= EMOTION_THRESHOLD {
        let (s, e) = strongest(&f, &EMOTION, scan);
        out.push(Raw::new(Category::NegativeEmotion, s, e));
    }
    // A grievance is about someone: the employer, colleagues or patients must be named (or
    // a phrase that is a grievance on its own be used, which always counts).
    let about_someone = f.x[F_EMPLOYER] + f.x[F_COLLEAGUE] + f.x[F_PATIENT] > 0.0;
    if f.x[F_STRONG] > 0.0 || (about_someone && score(&f.x, &GRIEVANCE) >= GRIEVANCE_THRESHOLD) {
        let (s, e) = f.spans[F_STRONG].or(f.pair).unwrap_or_else(|| strongest(&f, &GRIEVANCE, scan));
        out.push(Raw::new(Category::Grievance, s, e));
    }
}

pub(crate) fn score(x: &[f32; NF], w: &[f32; NF]) -> f32 {
    x.iter().zip(w).map(|(a, b)| a * b).sum()
}

/// The span of the cue that added most to the score (the first sentence if none has one).
fn strongest(f: &ToneFeatures, w: &[f32; NF], scan: &Scan) -> (usize, usize) {
    let best = (1..NF)
        .filter(|&i| f.spans[i].is_some() && w[i] * f.x[i] > 0.0)
        .max_by(|&a, &b| (w[a] * f.x[a]).total_cmp(&(w[b] * f.x[b])));
    if let Some(span) = best.and_then(|i| f.spans[i]) {
        return span;
    }
    let doc = &scan.doc;
    match doc.toks.first() {
        Some(t) => {
            let (_, b) = doc.sentence_of(0);
            (t.start, doc.toks[b].end)
        }
        None => (0, 0),
    }
}

/// Sentence bounds `[first, last]` by sentence number.
fn sentences(scan: &Scan) -> Vec<(usize, usize)> {
    let doc = &scan.doc;
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, t) in doc.toks.iter().enumerate() {
        let s = t.sent as usize;
        while out.len() <= s {
            out.push((i, i));
        }
        out[s].1 = i;
    }
    out
}

pub(crate) fn features(scan: &Scan) -> ToneFeatures {
    let doc = &scan.doc;
    let lex = scan.lex;
    let cues = &lex.cues;
    let sents = sentences(scan);
    let bounds = |i: usize| sents.get(doc.toks[i].sent as usize).copied().unwrap_or((i, i));
    let words_in = |(a, b): (usize, usize)| (a..=b).filter(|&k| doc.toks[k].kind != Kind::Punct).count();
    let reporting: Vec<bool> =
        sents.iter().map(|&(a, b)| (a..=b).any(|k| cues.reporting.contains(&doc.norm(k)))).collect();
    let is_reporting = |i: usize| reporting.get(doc.toks[i].sent as usize).copied().unwrap_or(false);
    let negated = |i: usize, n: usize| doc.words_before(i, n).any(|k| cues.negators.contains(&doc.norm(k)));
    let sentence_start = |i: usize| {
        let (a, _) = bounds(i);
        (a..i).all(|k| doc.toks[k].kind == Kind::Punct)
    };
    let span = |i: usize, len: usize| (doc.toks[i].start, doc.toks[i + len - 1].end);

    let mut f = ToneFeatures { x: [0.0; NF], spans: [None; NF], pair: None };
    f.x[0] = 1.0;

    // Emotion words (anger, distress, swearing, calm).
    let mut i = 0;
    while i < doc.len() {
        if let Some((len, &(weight, kind))) = lex.emotion.longest_at(doc, i) {
            let sp = span(i, len);
            if kind == EmotionKind::Calm {
                f.add(F_CALM, -weight, sp);
            } else if negated(i, 3) {
                f.add(F_NEGATED, 1.0, sp);
            } else {
                let w = if is_reporting(i) { weight * 0.4 } else { weight };
                let feat = match kind {
                    EmotionKind::Anger => F_ANGER,
                    EmotionKind::Distress => F_DISTRESS,
                    _ => F_PROFANITY,
                };
                f.add(feat, w, sp);
                if words_in(bounds(i)) <= 3 {
                    f.add(F_SHORT_CUE, 1.0, sp);
                }
            }
            i += len;
            continue;
        }
        i += 1;
    }

    // Grievance targets and complaints.
    struct Hit {
        kind: GrievanceKind,
        first: usize,
        last: usize,
    }
    let mut hits: Vec<Hit> = Vec::new();
    let mut i = 0;
    while i < doc.len() {
        if let Some((len, &kind)) = lex.grievance.longest_at(doc, i) {
            let sp = span(i, len);
            if kind == GrievanceKind::Complaint && negated(i, 3) {
                f.add(F_NEGATED, 1.0, sp);
            } else {
                let feat = match kind {
                    GrievanceKind::Employer => F_EMPLOYER,
                    GrievanceKind::Colleague => F_COLLEAGUE,
                    GrievanceKind::Patient => F_PATIENT,
                    GrievanceKind::Complaint => F_COMPLAINT,
                    GrievanceKind::Strong => F_STRONG,
                };
                if !(kind == GrievanceKind::Strong && is_reporting(i)) {
                    f.add(feat, 1.0, sp);
                }
                if kind == GrievanceKind::Complaint && words_in(bounds(i)) <= 3 {
                    f.add(F_SHORT_CUE, 1.0, sp);
                }
                hits.push(Hit { kind, first: i, last: i + len - 1 });
            }
            i += len;
            continue;
        }
        i += 1;
    }
    for c in hits.iter().filter(|h| h.kind == GrievanceKind::Complaint) {
        let sent = doc.toks[c.first].sent;
        let phrase: Vec<&str> = (c.first..=c.last).map(|k| doc.norm(k)).collect();
        // Weak complaint words ("worst", "hate") next to "patients" are usually about what
        // patients suffer ("flu season is the worst for our patients"), not about them.
        let weak = matches!(
            phrase.as_slice(),
            ["worst"]
                | ["ignored"]
                | ["unfair"]
                | ["demanding"]
                | ["hate"]
                | ["undervalued"]
                | ["exploited"]
                | ["no", "support"]
                | ["zero", "support"]
                | ["abusive"]
                | ["toxic"]
        );
        let target = hits.iter().find(|t| {
            (matches!(t.kind, GrievanceKind::Employer | GrievanceKind::Colleague)
                || (t.kind == GrievanceKind::Patient && !weak))
                && doc.toks[t.first].sent == sent
                && t.first.abs_diff(c.first) <= 12
        });
        if let Some(t) = target
            && !is_reporting(c.first)
        {
            let first = t.first.min(c.first);
            let last = t.last.max(c.last);
            f.x[F_PAIR] = 1.0;
            f.pair = Some((doc.toks[first].start, doc.toks[last].end));
            break;
        }
    }

    // Tone cue classes.
    let mut i = 0;
    while i < doc.len() {
        if let Some((len, &class)) = lex.tone.longest_at(doc, i) {
            let sp = span(i, len);
            match class {
                ToneClass::Despair | ToneClass::Mistreatment if negated(i, 3) => f.add(F_NEGATED, 1.0, sp),
                ToneClass::Despair => f.add(F_DESPAIR, 1.0, sp),
                ToneClass::Sarcasm => f.add(F_SARCASM, 1.0, sp),
                ToneClass::PraiseWord => {
                    if words_in(bounds(i)) <= 3 && !negated(i, 2) {
                        f.add(F_SHORT_PRAISE, 1.0, sp);
                    }
                }
                ToneClass::Mistreatment => f.add(F_MISTREAT, 1.0, sp),
                ToneClass::Repetition => f.add(F_REPEAT, 1.0, sp),
                ToneClass::Exhaustion => f.add(F_EXHAUST, 1.0, sp),
                ToneClass::Intensifier => f.add(F_INTENS, 1.0, sp),
                ToneClass::Address => {
                    if sentence_start(i) {
                        f.add(F_ADDRESS, 1.0, sp);
                    }
                }
                ToneClass::Rhetorical => {
                    if sentence_start(i) {
                        f.add(F_RHET, 1.0, sp);
                    }
                }
                ToneClass::Grief => f.add(F_GRIEF, 1.0, sp),
                ToneClass::Gratitude => {
                    if negated(i, 5) {
                        f.add(F_MISTREAT, 1.0, sp);
                    } else {
                        f.add(F_GRAT, 1.0, sp);
                    }
                }
                ToneClass::Campaign => f.add(F_CAMPAIGN, 1.0, sp),
                ToneClass::Humour => f.add(F_HUMOUR, 1.0, sp),
            }
            i += len;
            continue;
        }
        i += 1;
    }

    // Token shapes: shouting, long hours, first person, quotes, punctuation.
    let mut shouted = 0usize;
    let mut words = 0usize;
    for (k, t) in doc.toks.iter().enumerate() {
        match t.kind {
            Kind::Word => {
                words += 1;
                if t.all_caps
                    && t.norm.chars().count() >= 3
                    && !cues.acronyms.contains(&t.norm.as_str())
                    && lex.places.longest_at(doc, k).is_none()
                {
                    shouted += 1;
                    if f.spans[F_SHOUT].is_none() {
                        f.spans[F_SHOUT] = Some((t.start, t.end));
                    }
                }
                if matches!(t.norm.as_str(), "i" | "i'm" | "i've" | "i'd" | "me" | "my" | "im" | "ive") {
                    f.x[F_FIRST] = 1.0;
                }
            }
            Kind::Num => {
                // "13 hours", "a 14-hour run", "12.5 hour shift"
                let next = doc.norm(k + 1);
                let next = if next == "-" || next == "." { doc.norm(k + 2) } else { next };
                if t.norm.parse::<u32>().is_ok_and(|n| (9..=40).contains(&n))
                    && matches!(next, "hour" | "hours" | "hr" | "hrs" | "hour-shift")
                {
                    f.add(F_EXHAUST, 1.0, (t.start, t.end));
                }
            }
            Kind::Punct => {
                if t.norm == "?" {
                    f.x[F_QUESTIONS] += 1.0;
                }
                if matches!(t.norm.as_str(), "!" | "?")
                    && doc.get(k + 1).is_some_and(|n| matches!(n.norm.as_str(), "!" | "?") && !n.space_before)
                    && (k == 0 || !matches!(doc.norm(k - 1), "!" | "?"))
                {
                    f.add(F_PUNCT, 1.0, (t.start, doc.toks[k + 1].end));
                }
                if matches!(t.norm.as_str(), "\"" | "“" | "'" | "‘") && doc.get(k + 1).is_some_and(|n| n.is_word())
                {
                    let end = (k + 2..doc.len().min(k + 9))
                        .find(|&j| matches!(doc.norm(j), "\"" | "”" | "'" | "’") && doc.toks[j].sent == t.sent);
                    if let Some(j) = end {
                        f.add(F_QUOTES, 1.0, (t.start, doc.toks[j].end));
                    }
                }
            }
        }
    }
    if shouted >= 1 && shouted * 2 < words.max(1) {
        f.x[F_SHOUT] = shouted as f32;
    } else {
        f.spans[F_SHOUT] = None;
    }
    if f.x[F_CAMPAIGN] == 0.0 && reporting.iter().any(|&r| r) {
        f.x[F_CAMPAIGN] = 1.0;
    }
    let any_target = f.x[F_EMPLOYER] + f.x[F_COLLEAGUE] > 0.0;
    let frame = f.x[F_MISTREAT] + f.x[F_SARCASM] + f.x[F_COMPLAINT] + f.x[F_DESPAIR] + f.x[F_SHORT_PRAISE];
    if any_target && frame > 0.0 {
        f.x[F_TARGET_FRAME] = 1.0;
    }
    // "again", "third time" say something keeps going wrong only next to a complaint; in a
    // fond story ("asked me to marry him again") they are just repetition.
    if f.x[F_MISTREAT] + f.x[F_COMPLAINT] + f.x[F_SARCASM] + f.x[F_DESPAIR] + f.x[F_ANGER] + f.x[F_PROFANITY] == 0.0 {
        f.x[F_REPEAT] = 0.0;
        f.spans[F_REPEAT] = None;
    }
    if f.x[F_FIRST] > 0.0 && f.x[F_ANGER] + f.x[F_DISTRESS] + f.x[F_DESPAIR] + f.x[F_PROFANITY] > 0.0 {
        f.x[F_UPSET_FIRST] = 1.0;
    }
    for (k, feat) in FEATURES.iter().enumerate() {
        f.x[k] = f.x[k].min(feat.3);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{found, spans};

    #[test]
    fn anger_and_distress_are_found() {
        assert_eq!(
            spans("Absolutely fuming. Third shift in a row with no break", Category::NegativeEmotion),
            vec!["fuming"]
        );
        assert!(found("I can't do this anymore, crying in the sluice again").contains(&Category::NegativeEmotion));
        assert!(found("WHY does NOBODY answer the PHONE?! Sick of it").contains(&Category::NegativeEmotion));
        assert!(
            found("I am done. Nine nights in a row and not one thank you. Why do I bother.")
                .contains(&Category::NegativeEmotion)
        );
    }

    #[test]
    fn sad_but_professional_posts_pass() {
        for t in [
            "Sad shift today. We lost a lovely gentleman this morning; it was a privilege to care for him and keep him comfortable and peaceful. Look after yourselves.",
            "Heartbroken for the family we supported tonight. Proud of the team.",
            "Not angry, just tired. Home to bed.",
            "Survey finds 40% of nurses feel angry about pay, says RCN",
        ] {
            assert!(!found(t).contains(&Category::NegativeEmotion), "{t}");
        }
    }

    #[test]
    fn grievances_about_employer_colleagues_and_patients() {
        assert_eq!(
            spans("Management here are completely useless and never listen", Category::Grievance),
            vec!["Management here are completely useless"]
        );
        assert!(found("This trust treats us like dirt").contains(&Category::Grievance));
        assert!(found("Another night of frequent flyers in ED").contains(&Category::Grievance));
        assert!(
            found("HR lost my payslip again and now I'm on a formal review. You couldn't make it up.")
                .contains(&Category::Grievance)
        );
        for t in [
            "Huge thanks to our managers for their support this winter",
            "Our patients are amazing",
            "Management training day was really useful",
            "The printer on our ward has jammed again 😂",
        ] {
            assert!(!found(t).contains(&Category::Grievance), "{t}");
        }
    }

    #[test]
    fn anger_at_the_employer_without_swearing() {
        let t = "Sick of being told to be resilient by managers who never come on the ward. I am done.";
        assert!(found(t).contains(&Category::NegativeEmotion));
        assert!(found(t).contains(&Category::Grievance));
        let t = "Oh great, the rota is out and I'm on every weekend again. Brilliant.";
        assert!(found(t).contains(&Category::Grievance));
        for t in ["So proud of my team today, they were amazing.", "The printer jammed again 😂"] {
            assert!(found(t).is_empty(), "{t}");
        }
    }
}
