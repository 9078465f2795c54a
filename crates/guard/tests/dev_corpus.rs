//! Quality tests: the guard meets the targets on the labelled corpora.
//! Run with `--nocapture` to see the evaluation tables and every miss.
//!
//! - `corpus/dev.jsonl`: 1,235 generated posts (`examples/gen_corpus`), over half hard negatives.
//! - `corpus/handwritten.jsonl`: 354 posts written by hand in four batches; each batch was
//!   first scored unseen (figures in docs/guard.md) and then kept as a regression set.
//! - `corpus/batch5.jsonl`: 217 hand-written posts (121 patients' names in informal frames,
//!   96 hard negatives), written as training data for the patient-name model.
//! - `corpus/heldout2.jsonl`, `corpus/heldout3.jsonl`: two later hand-written batches (88 and
//!   52 posts), likewise scored unseen first, and kept out of the model's fit as validation.
//!   They do not meet the recall targets (see docs/guard.md, Known limits), so they guard
//!   precision and the current leak count.
//! - `corpus/heldout4.jsonl`: 220 posts written blind (first-sight figures in docs/guard.md);
//!   validation for the tone models, the facet count and the refitted name model (never
//!   fitted on), kept at the level the code now reaches.
//! - `corpus/batch6.jsonl`: 267 hand-written training posts for the tone models, the facets
//!   and the name model's new cues (anger at the employer without swearing, sarcasm,
//!   despair, combinations of details, praise around clients' names), about half hard
//!   negatives.
//! - `corpus/heldout5.jsonl` … `corpus/heldout7.jsonl`: blind batches, each scored once at
//!   first sight (figures in docs/guard.md), then kept at the level the code reaches.

use std::io::BufReader;

use canteen_guard::eval::{EvalReport, evaluate};
use canteen_guard::{Category, Policy};

fn report(corpus: &str) -> EvalReport {
    let r = evaluate(BufReader::new(corpus.as_bytes()), &Policy::default()).expect("corpus parses");
    println!("{r}");
    for m in &r.misses {
        println!(
            "MISS {} expected {:?} {:?} got {:?} {:?}: {}",
            m.id, m.expected_verdict, m.expected, m.verdict, m.got, m.text
        );
    }
    r
}

/// The targets; `leak` is the allowed share of block-worthy posts that pass.
fn assert_targets(r: &EvalReport, leak: f64) {
    assert!(r.leak_rate() <= leak, "leak rate {:.3}", r.leak_rate());
    assert!(r.flagged.precision() >= 0.90, "verdict precision {:.3}", r.flagged.precision());
    assert!(r.national.recall() >= 0.99, "national recall {:.3}", r.national.recall());
    assert!(r.national.precision() >= 0.97, "national precision {:.3}", r.national.precision());
    let names = r.per_category[&Category::PatientName];
    assert!(names.recall() >= 0.90, "patient_name recall {:.3}", names.recall());
    assert!(names.precision() >= 0.85, "patient_name precision {:.3}", names.precision());
    let emotion = r.per_category[&Category::NegativeEmotion];
    assert!(emotion.f1() >= 0.80, "negative_emotion F1 {:.3}", emotion.f1());
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
}

#[test]
fn dev_corpus_meets_the_targets() {
    let r = report(include_str!("../corpus/dev.jsonl"));
    assert!(r.posts >= 1000, "corpus has {} posts", r.posts);
    let hard_negatives: usize = r.false_alarms.values().map(|(_, posts)| posts).sum();
    assert!(hard_negatives * 2 > r.posts, "{hard_negatives} hard negatives of {}", r.posts);
    for c in [Category::NhsNumber, Category::ChiNumber, Category::HcNumber, Category::Nino] {
        let k = r.per_category[&c];
        assert!(k.recall() >= 0.99 && k.precision() >= 0.97, "{}: {k:?}", c.name());
    }
    assert_targets(&r, 0.01);
}

#[test]
fn handwritten_corpus_meets_the_targets() {
    let r = report(include_str!("../corpus/handwritten.jsonl"));
    // Small set (73 block-worthy posts): one leak is 1.4%, so allow two.
    assert_targets(&r, 0.03);
}

#[test]
fn held_out_batches_keep_their_precision_and_do_not_leak_more() {
    // Validation only since the patient-name model (its weights are fitted on dev,
    // handwritten, batch5 and batch6, never on these). Leaks together: 12 under the old
    // rules (4 + 8, after those rules had been tuned on both batches), 7 with the model
    // (4 + 3), 5 after the batch6 refit (3 + 2; it moved by a post or two between fits), 4
    // after the heldout6 cues and refit (2 + 2).
    let mut leaks = 0;
    for corpus in [include_str!("../corpus/heldout2.jsonl"), include_str!("../corpus/heldout3.jsonl")] {
        let r = report(corpus);
        leaks += r.leaks;
        assert!(r.flagged.precision() >= 0.90, "verdict precision {:.3}", r.flagged.precision());
        let names = r.per_category[&Category::PatientName];
        assert!(names.precision() >= 0.85, "patient_name precision {:.3}", names.precision());
        assert!(names.recall() >= 0.90, "patient_name recall {:.3}", names.recall());
        assert!(r.national.precision() >= 0.97 && r.national.recall() >= 0.99, "{:?}", r.national);
    }
    assert!(leaks <= 4, "{leaks} leaks, was 4 (5 before heldout6's cues, 7 before batch6)");
}

#[test]
fn batch5_keeps_its_precision_and_does_not_leak_more() {
    // Training data for the patient-name model (written for it; first-sight scores in
    // docs/guard.md). Its leaks are names the model cannot fit (7 of 121).
    let r = report(include_str!("../corpus/batch5.jsonl"));
    assert!(
        r.leaks <= 3,
        "{} leaks, was 7 (6 since the batch7 refit, 4 since heldout6's, 3 since heldout8's)",
        r.leaks
    );
    assert!(r.flagged.precision() >= 0.95, "verdict precision {:.3}", r.flagged.precision());
    let names = r.per_category[&Category::PatientName];
    assert!(names.recall() >= 0.93 && names.precision() >= 0.95, "{names:?}");
}

#[test]
fn heldout4_stays_at_its_new_level() {
    // Blind batch: first sight 7/50 leaks, verdict precision 0.881, names 0.818/0.818,
    // negative_emotion F1 0.571, grievance recall 0.176, indirect_identifiers recall 0.167.
    // Never fitted on; these are the levels after the tone models, the facet count and
    // the name model's refit on batch6.
    let r = report(include_str!("../corpus/heldout4.jsonl"));
    assert!(r.leaks <= 2, "{} leaks, was 2 (7 at first sight)", r.leaks);
    assert!(r.flagged.precision() >= 0.93, "verdict precision {:.3}", r.flagged.precision());
    assert!(r.national.precision() >= 0.97 && r.national.recall() >= 0.99, "{:?}", r.national);
    let names = r.per_category[&Category::PatientName];
    // 0.865 before the teaching-case exclusion and the fame cue, 0.914 after.
    assert!(names.precision() >= 0.90 && names.recall() >= 0.95, "{names:?}");
    let emotion = r.per_category[&Category::NegativeEmotion];
    assert!(emotion.f1() >= 0.85, "negative_emotion F1 {:.3}", emotion.f1());
    let grievance = r.per_category[&Category::Grievance];
    assert!(grievance.recall() >= 0.80 && grievance.precision() >= 0.90, "{grievance:?}");
    let indirect = r.per_category[&Category::IndirectIdentifiers];
    // 0.75 since heldout10: "Mr W (… room 4 …)" is now a titled name, as heldout10's writer
    // labels "Mrs K"; heldout4's writer labelled the initial as an indirect identifier.
    assert!(indirect.recall() >= 0.75 && indirect.precision() >= 0.90, "{indirect:?}");
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
}

#[test]
fn batch6_keeps_its_fit() {
    // Training data for the tone models and the facets (and the name model's new cues).
    let r = report(include_str!("../corpus/batch6.jsonl"));
    assert!(r.posts >= 250, "{} posts", r.posts);
    assert!(r.leaks <= 6, "{} leaks, was 6", r.leaks);
    assert!(r.flagged.precision() >= 0.93, "verdict precision {:.3}", r.flagged.precision());
    let emotion = r.per_category[&Category::NegativeEmotion];
    assert!(emotion.f1() >= 0.88, "negative_emotion F1 {:.3}", emotion.f1());
    let grievance = r.per_category[&Category::Grievance];
    assert!(grievance.f1() >= 0.84, "grievance F1 {:.3}", grievance.f1());
    let indirect = r.per_category[&Category::IndirectIdentifiers];
    assert!(indirect.recall() >= 0.90 && indirect.precision() >= 0.95, "{indirect:?}");
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
}

#[test]
fn heldout5_stays_at_its_new_level() {
    // Second blind batch: first sight 1/40 leaks, verdict precision 0.913, names
    // 0.833/0.926, negative_emotion F1 0.636, grievance 1.000/0.308, indirect 0.833/0.455.
    // Since then the name model is fitted on it too, so these are training levels. Names
    // precision went 0.962 → 0.926 when the fit's precision floor went 0.94 → 0.92 (a
    // missed name is a leak; the target is 0.85).
    let r = report(include_str!("../corpus/heldout5.jsonl"));
    assert!(r.leaks <= 1, "{} leaks, was 1", r.leaks);
    assert!(r.flagged.precision() >= 0.95, "verdict precision {:.3}", r.flagged.precision());
    assert!(r.national.precision() >= 0.97 && r.national.recall() >= 0.99, "{:?}", r.national);
    let names = r.per_category[&Category::PatientName];
    assert!(names.precision() >= 0.90 && names.recall() >= 0.92, "{names:?}");
    let emotion = r.per_category[&Category::NegativeEmotion];
    assert!(emotion.f1() >= 0.63, "negative_emotion F1 {:.3}", emotion.f1());
    let grievance = r.per_category[&Category::Grievance];
    assert!(grievance.precision() >= 0.95 && grievance.recall() >= 0.30, "{grievance:?}");
    let indirect = r.per_category[&Category::IndirectIdentifiers];
    assert!(indirect.precision() >= 0.80 && indirect.recall() >= 0.45, "{indirect:?}");
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
    for kind in ["fictional_or_training", "public_figure"] {
        let fa = r.false_alarm_rate(kind, Category::PatientName);
        assert!(fa == 0.0, "patient_name false alarms on {kind} {fa:.3}");
    }
}

#[test]
fn batch7_keeps_its_fit() {
    // Hand-written training posts (anger and grievance with and without swearing, and hard
    // negatives: teaching cases, public figures' relatives, grief, pride, relief,
    // campaigning, gratitude, light humour). The tone models are not fitted on it (a
    // refit with it did not help heldout4); the name model is, at weight 0.5.
    let r = report(include_str!("../corpus/batch7.jsonl"));
    assert!(r.posts >= 150, "{} posts", r.posts);
    assert!(r.leaks == 0, "{} leaks", r.leaks);
    let names = r.per_category[&Category::PatientName];
    assert!(names.precision() >= 0.80 && names.recall() >= 0.99, "{names:?}");
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
}

#[test]
fn heldout6_stays_at_its_new_level() {
    // Third blind batch: first sight 6/30 leaks, verdict precision 0.927, names 0.818/0.750,
    // negative_emotion F1 0.809, grievance 0.917/0.367. Its misses brought the apposition
    // after a name ("Gareth Pryce, the patient who…"), an identifier beside a name (a
    // referral), public titles after a name ("Kate, Princess of Wales") and "passed his
    // exams"; the name model is now fitted on it, so these are training levels. Its two
    // leaks left: a CHI number that fails modulus 11 (not a valid number by the issue's own
    // definition) and a couple's discharge day.
    let r = report(include_str!("../corpus/heldout6.jsonl"));
    assert!(r.leaks <= 2, "{} leaks, was 6 at first sight", r.leaks);
    assert!(r.flagged.precision() >= 0.95, "verdict precision {:.3}", r.flagged.precision());
    let names = r.per_category[&Category::PatientName];
    assert!(names.precision() >= 0.95 && names.recall() >= 0.90, "{names:?}");
    let emotion = r.per_category[&Category::NegativeEmotion];
    assert!(emotion.f1() >= 0.80, "negative_emotion F1 {:.3}", emotion.f1());
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
    for kind in ["public_figure", "staff_praise"] {
        let fa = r.false_alarm_rate(kind, Category::PatientName);
        assert!(fa == 0.0, "patient_name false alarms on {kind} {fa:.3}");
    }
}

#[test]
fn heldout7_stays_at_its_new_level() {
    // Fourth blind batch (221 posts, written by a helper who never saw the guard's code,
    // lists or corpora). First sight, after heldout6's changes: 6/55 leaks, verdict
    // precision 0.885, names 0.773/0.829, negative_emotion F1 0.640, grievance 0.857/0.250,
    // indirect 1.000/0.545. Its misses brought pets beside a name, a job title directly
    // beside a name, "role play", a birthday's age before a name, a dash before a name,
    // slashed and hyphenated record numbers, first-person low mood, and more public figures.
    // The name model is *not* refitted on it (a refit lowered heldout4 and batch5), so the
    // name figures here are the rules' and cues' effect on a seen batch, not a fit.
    let r = report(include_str!("../corpus/heldout7.jsonl"));
    assert!(r.leaks <= 4, "{} leaks, was 6 at first sight", r.leaks);
    assert!(r.flagged.precision() >= 0.95, "verdict precision {:.3}", r.flagged.precision());
    assert!(r.national.precision() >= 0.97 && r.national.recall() >= 0.99, "{:?}", r.national);
    let names = r.per_category[&Category::PatientName];
    assert!(names.precision() >= 0.95 && names.recall() >= 0.87, "{names:?}");
    let emotion = r.per_category[&Category::NegativeEmotion];
    assert!(emotion.f1() >= 0.78, "negative_emotion F1 {:.3}", emotion.f1());
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
    for kind in ["fictional_or_training", "public_figure", "staff_praise", "everyday"] {
        let fa = r.false_alarm_rate(kind, Category::PatientName);
        assert!(fa == 0.0, "patient_name false alarms on {kind} {fa:.3}");
    }
}

#[test]
fn heldout8_stays_at_its_new_level() {
    // Fifth blind batch (210 posts, a second helper who never saw the guard or any earlier
    // batch). First sight, with heldout7's changes: 5/59 leaks (8/59 with the code before
    // heldout6's and heldout7's rounds), verdict precision 0.911, names 0.854/0.814,
    // negative_emotion F1 0.769. Its misses brought Welsh given names and names ending
    // -ed/-ly, a condition beside a name ("the lad with cystic fibrosis"), "client of
    // mine, Jordan", a name right after a room number, staff called by a title elsewhere in
    // the post, a service's name before its phone number, record codes with the letters apart
    // ("RTH 2094471"). Not fitted on: these are the rules' levels on a seen batch.
    let r = report(include_str!("../corpus/heldout8.jsonl"));
    assert!(r.leaks == 0, "{} leaks, was 5 at first sight", r.leaks);
    assert!(r.flagged.precision() >= 0.93, "verdict precision {:.3}", r.flagged.precision());
    assert!(r.national.precision() >= 0.97 && r.national.recall() >= 0.99, "{:?}", r.national);
    let names = r.per_category[&Category::PatientName];
    assert!(names.precision() >= 0.95 && names.recall() >= 0.95, "{names:?}");
    let emotion = r.per_category[&Category::NegativeEmotion];
    assert!(emotion.f1() >= 0.76, "negative_emotion F1 {:.3}", emotion.f1());
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
    for kind in ["fictional_or_training", "public_figure", "staff_praise", "gratitude", "org_contact_or_helpline"] {
        let fa = r.false_alarm_rate(kind, Category::PatientName);
        assert!(fa == 0.0, "patient_name false alarms on {kind} {fa:.3}");
    }
}

#[test]
fn heldout9_stays_at_its_new_level() {
    // Sixth blind batch (221 posts, a third helper who never saw the guard or any earlier
    // batch, asked for paramedics, midwives, care-home and learning-disability staff, Scots
    // and Welsh voices). First sight, with heldout8's changes: 7/59 leaks, verdict precision
    // 0.955, names 0.884/0.844, negative_emotion F1 0.870, national 0.929/1.000 (one
    // checksum-valid number the post says is outside the allocated range; kept, see
    // docs/guard.md). Its misses brought Welsh street names ("14 Heol y Coed"), "Baby Olly",
    // "our mum-to-be kayleigh", "Lovely client today, Nia,", short forms of names, a client
    // beside a phone number, case notes beside a record code, dummy phone numbers, Welsh
    // words for grandparents, newspapers and benefits that are not names.
    let r = report(include_str!("../corpus/heldout9.jsonl"));
    assert!(r.leaks <= 3, "{} leaks, was 7 at first sight", r.leaks);
    assert!(r.flagged.precision() >= 0.97, "verdict precision {:.3}", r.flagged.precision());
    assert!(r.national.recall() >= 0.99, "{:?}", r.national);
    let names = r.per_category[&Category::PatientName];
    assert!(names.precision() >= 0.97 && names.recall() >= 0.90, "{names:?}");
    let emotion = r.per_category[&Category::NegativeEmotion];
    assert!(emotion.f1() >= 0.85, "negative_emotion F1 {:.3}", emotion.f1());
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
    for kind in ["author_family", "public_figure", "staff_praise", "repeated_digits", "ward_name"] {
        let fa = r.false_alarm_rate(kind, Category::PatientName);
        assert!(fa == 0.0, "patient_name false alarms on {kind} {fa:.3}");
    }
}

#[test]
fn heldout10_stays_at_its_new_level() {
    // Seventh blind batch (229 posts, a fourth helper who never saw the guard or any earlier
    // batch, asked for GP practices, pharmacists, therapists, hospices, prison healthcare,
    // school nurses, students and formal managers' posts). First sight, with heldout9's
    // changes: 10/62 leaks, verdict precision 0.966, names 0.952/0.800, negative_emotion F1
    // 0.889, national 1.000/1.000. Its misses brought a title with one initial ("Mrs K"),
    // "one of my regulars, Gerry McAllister,", test results and medicines after a possessive
    // ("Mrs Begum's potassium"), home visits at an address a team is sent to, "hours" as no
    // organisation cue, and "made-up"/"e-learning" as teaching cases.
    let r = report(include_str!("../corpus/heldout10.jsonl"));
    assert!(r.leaks <= 6, "{} leaks, was 10 at first sight", r.leaks);
    assert!(r.flagged.precision() >= 0.97, "verdict precision {:.3}", r.flagged.precision());
    assert!(r.national.precision() >= 0.97 && r.national.recall() >= 0.99, "{:?}", r.national);
    let names = r.per_category[&Category::PatientName];
    assert!(names.precision() >= 0.95 && names.recall() >= 0.86, "{names:?}");
    let emotion = r.per_category[&Category::NegativeEmotion];
    assert!(emotion.f1() >= 0.88, "negative_emotion F1 {:.3}", emotion.f1());
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
    for kind in ["fictional_or_training", "public_figure", "staff_praise", "author_family", "ward_name"] {
        let fa = r.false_alarm_rate(kind, Category::PatientName);
        assert!(fa == 0.0, "patient_name false alarms on {kind} {fa:.3}");
    }
}

#[test]
fn heldout11_stays_at_its_new_level() {
    // Eighth blind batch (225 posts, a fifth helper who never saw the guard or any earlier
    // batch, asked for social care, dental, ambulance control, 111, crisis teams, chaplains,
    // carers' groups, union reps and staff writing in a second language). First sight, with
    // heldout10's changes: 5/61 leaks, verdict precision 0.936, names 0.909/0.851,
    // negative_emotion F1 0.703 (10 of its 23 flags on posts the writer labelled as
    // grievance only), national 1.000/1.000. Its misses brought titles from other
    // languages ("Pani Jadwiga", "Senhor Almeida"), "the Nowak children" in social work,
    // "my name's Gosia", conditions that are not names ("Bipolar, 34,"), 01/01/1900 as a
    // placeholder birth date.
    let r = report(include_str!("../corpus/heldout11.jsonl"));
    assert!(r.leaks <= 2, "{} leaks, was 5 at first sight", r.leaks);
    assert!(r.flagged.precision() >= 0.95, "verdict precision {:.3}", r.flagged.precision());
    assert!(r.national.precision() >= 0.97 && r.national.recall() >= 0.99, "{:?}", r.national);
    let names = r.per_category[&Category::PatientName];
    assert!(names.precision() >= 0.95 && names.recall() >= 0.91, "{names:?}");
    let sad = r.false_alarm_rate("sad_professional", Category::NegativeEmotion);
    assert!(sad <= 0.10, "negative_emotion false alarms on sad posts {sad:.3}");
    for kind in ["patient_own_story", "public_figure", "staff_praise", "author_family", "ward_name"] {
        let fa = r.false_alarm_rate(kind, Category::PatientName);
        assert!(fa == 0.0, "patient_name false alarms on {kind} {fa:.3}");
    }
}
