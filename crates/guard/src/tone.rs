//! Wellbeing: posts written in anger or distress (negative_emotion), and grievances aired in
//! public about one's employer, colleagues or patients (grievance).
//!
//! Sadness is not anger: a composed post about a patient's death uses sad words and calm,
//! professional ones, and should pass. So sad words carry no weight here; anger, distress
//! and swearing do, and calm words pull the score down.

use crate::lexicon::{EmotionKind, GrievanceKind};
use crate::report::Category;
use crate::{Raw, Scan};

pub(crate) fn detect(scan: &Scan, out: &mut Vec<Raw>) {
    emotion(scan, out);
    grievance(scan, out);
}

fn negated(scan: &Scan, i: usize) -> bool {
    let doc = &scan.doc;
    doc.words_before(i, 3).any(|k| scan.lex.cues.negators.contains(&doc.norm(k)))
}

fn reporting_sentence(scan: &Scan, i: usize) -> bool {
    let doc = &scan.doc;
    let (a, b) = doc.sentence_of(i);
    (a..=b).any(|k| scan.lex.cues.reporting.contains(&doc.norm(k)))
}

fn emotion(scan: &Scan, out: &mut Vec<Raw>) {
    let doc = &scan.doc;
    let lex = scan.lex;
    let mut score = 0.0f32;
    let mut best: Option<(f32, usize, usize)> = None;
    let mut shouting = Vec::new();
    let mut i = 0;
    while i < doc.len() {
        if let Some((len, &(weight, kind))) = lex.emotion.longest_at(doc, i) {
            let mut w = weight;
            if kind != EmotionKind::Calm {
                if negated(scan, i) {
                    w = 0.0;
                } else if reporting_sentence(scan, i) {
                    w *= 0.4;
                }
            }
            // A cue standing alone as a sentence ("Livid.", "Pathetic!") is said with force.
            let (a, b) = doc.sentence_of(i);
            if w > 0.0 && (a..=b).filter(|&k| doc.toks[k].is_word()).count() <= 2 {
                w += 0.5;
            }
            score += w;
            let (s, e) = (doc.toks[i].start, doc.toks[i + len - 1].end);
            if kind != EmotionKind::Calm && w > 0.0 && best.is_none_or(|b| w > b.0) {
                best = Some((w, s, e));
            }
            i += len;
            continue;
        }
        let t = &doc.toks[i];
        if t.all_caps
            && t.is_word()
            && t.norm.chars().count() >= 3
            && !scan.lex.cues.acronyms.contains(&t.norm.as_str())
            && lex.places.longest_at(doc, i).is_none()
        {
            shouting.push((t.start, t.end));
        }
        i += 1;
    }
    // Shouting: several upper-case words, or runs of exclamation marks.
    let words = doc.toks.iter().filter(|t| t.is_word()).count();
    if shouting.len() >= 2 && shouting.len() * 2 < words.max(1) * 2 {
        score += if shouting.len() >= 4 { 2.0 } else { 1.0 };
    }
    let bangs = doc.text.matches("!!").count() + doc.text.matches("?!").count();
    if bangs > 0 {
        score += 1.0;
    }
    if score >= 2.0 {
        let (s, e) = best
            .map(|b| (b.1, b.2))
            .or_else(|| shouting.first().copied())
            .unwrap_or((0, doc.text.len().min(doc.toks.last().map_or(0, |t| t.end))));
        out.push(Raw::new(Category::NegativeEmotion, s, e));
    }
}

struct Hit {
    kind: GrievanceKind,
    first: usize,
    last: usize,
}

fn grievance(scan: &Scan, out: &mut Vec<Raw>) {
    let doc = &scan.doc;
    let lex = scan.lex;
    let mut hits: Vec<Hit> = Vec::new();
    let mut i = 0;
    while i < doc.len() {
        if let Some((len, &kind)) = lex.grievance.longest_at(doc, i) {
            if !(kind == GrievanceKind::Complaint && negated(scan, i)) {
                hits.push(Hit { kind, first: i, last: i + len - 1 });
            }
            i += len;
            continue;
        }
        i += 1;
    }
    for h in &hits {
        if h.kind == GrievanceKind::Strong && !reporting_sentence(scan, h.first) {
            out.push(Raw::new(Category::Grievance, doc.toks[h.first].start, doc.toks[h.last].end));
            return;
        }
    }
    for c in hits.iter().filter(|h| h.kind == GrievanceKind::Complaint) {
        let sent = doc.toks[c.first].sent;
        // Weak complaint words ("worst", "hate") next to "patients" are usually about what
        // patients suffer ("flu season is the worst for our patients"), not about them.
        let phrase: Vec<&str> = (c.first..=c.last).map(|k| doc.norm(k)).collect();
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
        // "…cut our unsocial hours. Pathetic." – a one-word verdict on the sentence before.
        let target = target.or_else(|| {
            let (a, b) = doc.sentence_of(c.first);
            let short = (a..=b).filter(|&k| doc.toks[k].is_word()).count() <= 2;
            let prev_sent = sent.checked_sub(1)?;
            hits.iter().find(|t| {
                short
                    && matches!(t.kind, GrievanceKind::Employer | GrievanceKind::Colleague | GrievanceKind::Patient)
                    && doc.toks[t.first].sent == prev_sent
            })
        });
        if let Some(t) = target {
            if reporting_sentence(scan, c.first) || praise_nearby(scan, c.first) {
                continue;
            }
            let first = t.first.min(c.first);
            let last = t.last.max(c.last);
            out.push(Raw::new(Category::Grievance, doc.toks[first].start, doc.toks[last].end));
            return;
        }
    }
}

/// "Management have been anything but useless this week" is rare; "not useless" is handled
/// by negation. Praise in the same sentence usually means the complaint is about something
/// else ("brilliant colleagues despite a useless rota system" still counts).
fn praise_nearby(scan: &Scan, i: usize) -> bool {
    let doc = &scan.doc;
    let (a, b) = doc.sentence_of(i);
    (a..=b).any(|k| matches!(doc.norm(k), "thank" | "thanks" | "grateful" | "proud" | "supportive" | "support" if doc.norm(k.saturating_sub(1)) != "no" && doc.norm(k.saturating_sub(1)) != "zero"))
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
        assert_eq!(
            spans("I can't do this anymore, crying in the sluice again", Category::NegativeEmotion),
            vec!["can't do this anymore"]
        );
        assert!(found("WHY does NOBODY answer the PHONE?! Sick of it").contains(&Category::NegativeEmotion));
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
        for t in [
            "Huge thanks to our managers for their support this winter",
            "Our patients are amazing",
            "Management training day was really useful",
        ] {
            assert!(!found(t).contains(&Category::Grievance), "{t}");
        }
    }
}
