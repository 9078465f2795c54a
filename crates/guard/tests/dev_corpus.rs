//! Quality tests: the guard meets the targets on the labelled corpora.
//! Run with `--nocapture` to see the evaluation tables and every miss.
//!
//! - `corpus/dev.jsonl`: 1,235 generated posts (`examples/gen_corpus`), over half hard negatives.
//! - `corpus/handwritten.jsonl`: 354 posts written by hand in four batches; each batch was
//!   first scored unseen (figures in docs/guard.md) and then kept as a regression set.
//! - `corpus/heldout2.jsonl`, `corpus/heldout3.jsonl`: two later hand-written batches (88 and
//!   52 posts), likewise scored unseen first. They do not meet the recall targets (see
//!   docs/guard.md, Known limits), so they guard precision and the current leak count.

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
    // (corpus, leaks when the rules were last changed)
    for (corpus, leaks) in
        [(include_str!("../corpus/heldout2.jsonl"), 4), (include_str!("../corpus/heldout3.jsonl"), 8)]
    {
        let r = report(corpus);
        assert!(r.leaks <= leaks, "{} leaks, was {leaks}", r.leaks);
        assert!(r.flagged.precision() >= 0.90, "verdict precision {:.3}", r.flagged.precision());
        assert_eq!(r.per_category[&Category::PatientName].fp, 0, "a false patient_name");
        assert!(r.national.precision() >= 0.97 && r.national.recall() >= 0.99, "{:?}", r.national);
    }
}
