//! Evaluating the guard on a labelled corpus (`canteen guard eval FILE`).
//!
//! Each line: `{"id", "text", "expected": {"verdict", "categories": [...]}, "kind"?, "context"?}`.
//! `kind` names the sort of hard negative a post is (for false-alarm counts per kind).
//! Scores are per post: a category counts as found if any finding has it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::BufRead;
use std::time::Instant;

use serde::Deserialize;

use crate::{Category, Context, Policy, Verdict, check};

#[derive(Deserialize)]
struct Expected {
    verdict: String,
    #[serde(default)]
    categories: Vec<String>,
}

#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    id: serde_json::Value,
    text: String,
    expected: Expected,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    context: Option<Context>,
}

/// True/false positives and false negatives for one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    fn add(&mut self, expected: bool, got: bool) {
        match (expected, got) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => {}
        }
    }
    /// 1.0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// 1.0 when nothing was expected.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// A post where the guard's answer differs from the label.
#[derive(Debug, Clone)]
pub struct Miss {
    pub id: String,
    pub text: String,
    pub expected: Vec<String>,
    pub got: Vec<String>,
    pub expected_verdict: Verdict,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub posts: usize,
    pub per_category: BTreeMap<Category, Counts>,
    /// NHS, CHI, H&C and NI numbers taken together.
    pub national: Counts,
    /// Flagged (warn or block) against expected flagged.
    pub flagged: Counts,
    /// Block against expected block.
    pub blocked: Counts,
    pub verdict_exact: usize,
    /// Expected-block posts that passed with no finding at all.
    pub leaks: usize,
    pub block_worthy: usize,
    /// Per hard-negative kind: (posts with a finding not in their labels, posts).
    pub false_alarms: BTreeMap<String, (usize, usize)>,
    /// Per hard-negative kind: which categories fired wrongly, and how often.
    pub false_alarm_categories: BTreeMap<String, BTreeMap<Category, usize>>,
    pub latency_p50_us: f64,
    pub latency_p99_us: f64,
    pub misses: Vec<Miss>,
}

impl EvalReport {
    pub fn leak_rate(&self) -> f64 {
        if self.block_worthy == 0 { 0.0 } else { self.leaks as f64 / self.block_worthy as f64 }
    }

    /// Share of posts of `kind` on which `category` fired although not labelled.
    pub fn false_alarm_rate(&self, kind: &str, category: Category) -> f64 {
        let posts = self.false_alarms.get(kind).map_or(0, |x| x.1);
        let n = self.false_alarm_categories.get(kind).and_then(|m| m.get(&category)).copied().unwrap_or(0);
        if posts == 0 { 0.0 } else { n as f64 / posts as f64 }
    }
}

/// Runs the guard over every post of a labelled corpus.
pub fn evaluate(corpus: impl BufRead, policy: &Policy) -> Result<EvalReport, String> {
    let mut r = EvalReport::default();
    for c in Category::ALL {
        r.per_category.insert(c, Counts::default());
    }
    let mut latencies = Vec::new();
    for (n, line) in corpus.lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let post: Line = serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let expected_verdict = Verdict::from_name(&post.expected.verdict)
            .ok_or_else(|| format!("line {}: unknown verdict {:?}", n + 1, post.expected.verdict))?;
        let mut expected = BTreeSet::new();
        for c in &post.expected.categories {
            expected.insert(Category::from_name(c).ok_or_else(|| format!("line {}: unknown category {c:?}", n + 1))?);
        }
        let ctx = post.context.unwrap_or_default();
        let started = Instant::now();
        let report = check(&post.text, policy, &ctx);
        latencies.push(started.elapsed().as_secs_f64() * 1e6);
        let got: BTreeSet<Category> = report.findings.iter().map(|f| f.category).collect();
        r.posts += 1;
        for c in Category::ALL {
            if let Some(counts) = r.per_category.get_mut(&c) {
                counts.add(expected.contains(&c), got.contains(&c));
            }
        }
        r.national
            .add(expected.iter().any(|c| c.is_national_identifier()), got.iter().any(|c| c.is_national_identifier()));
        r.flagged.add(expected_verdict != Verdict::Pass, report.verdict != Verdict::Pass);
        r.blocked.add(expected_verdict == Verdict::Block, report.verdict == Verdict::Block);
        r.verdict_exact += usize::from(expected_verdict == report.verdict);
        if expected_verdict == Verdict::Block {
            r.block_worthy += 1;
            r.leaks += usize::from(report.verdict == Verdict::Pass);
        }
        if let Some(kind) = &post.kind {
            let wrong: Vec<Category> = got.difference(&expected).copied().collect();
            let entry = r.false_alarms.entry(kind.clone()).or_insert((0, 0));
            entry.1 += 1;
            entry.0 += usize::from(!wrong.is_empty());
            let cats = r.false_alarm_categories.entry(kind.clone()).or_default();
            for c in wrong {
                *cats.entry(c).or_insert(0) += 1;
            }
        }
        if got != expected || report.verdict != expected_verdict {
            r.misses.push(Miss {
                id: match &post.id {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
                text: post.text.clone(),
                expected: expected.iter().map(|c| c.name().to_string()).collect(),
                got: got.iter().map(|c| c.name().to_string()).collect(),
                expected_verdict,
                verdict: report.verdict,
            });
        }
    }
    latencies.sort_by(f64::total_cmp);
    r.latency_p50_us = percentile(&latencies, 0.50);
    r.latency_p99_us = percentile(&latencies, 0.99);
    Ok(r)
}

pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn row(f: &mut fmt::Formatter<'_>, name: &str, c: &Counts) -> fmt::Result {
    writeln!(
        f,
        "| {name} | {} | {} | {} | {:.3} | {:.3} | {:.3} |",
        c.tp,
        c.fp,
        c.fn_,
        c.precision(),
        c.recall(),
        c.f1()
    )
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Guard evaluation on {} posts\n", self.posts)?;
        writeln!(f, "| label | TP | FP | FN | precision | recall | F1 |")?;
        writeln!(f, "|---|---:|---:|---:|---:|---:|---:|")?;
        row(f, "verdict: flagged (warn or block)", &self.flagged)?;
        row(f, "verdict: block", &self.blocked)?;
        row(f, "national identifiers (all four)", &self.national)?;
        for (c, counts) in &self.per_category {
            if counts.tp + counts.fp + counts.fn_ > 0 {
                row(f, c.name(), counts)?;
            }
        }
        writeln!(f)?;
        writeln!(
            f,
            "Exact verdict: {}/{} ({:.1}%)",
            self.verdict_exact,
            self.posts,
            100.0 * ratio(self.verdict_exact, self.posts)
        )?;
        writeln!(
            f,
            "Leak rate (block-worthy posts that passed): {}/{} ({:.2}%)",
            self.leaks,
            self.block_worthy,
            100.0 * self.leak_rate()
        )?;
        writeln!(f, "\n| hard negative kind | posts | false alarms | rate | categories |")?;
        writeln!(f, "|---|---:|---:|---:|---|")?;
        for (kind, (alarms, posts)) in &self.false_alarms {
            let cats = self
                .false_alarm_categories
                .get(kind)
                .map(|m| m.iter().map(|(c, n)| format!("{} {n}", c.name())).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            writeln!(f, "| {kind} | {posts} | {alarms} | {:.1}% | {cats} |", 100.0 * ratio(*alarms, *posts))?;
        }
        writeln!(f, "\nLatency per post: p50 {:.1} µs, p99 {:.1} µs", self.latency_p50_us, self.latency_p99_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_rates() {
        let corpus = concat!(
            "{\"id\":\"1\",\"text\":\"NHS no 943 476 5919\",\"expected\":{\"verdict\":\"block\",\"categories\":[\"nhs_number\"]}}\n",
            "{\"id\":\"2\",\"text\":\"NHS no 943 476 5918\",\"expected\":{\"verdict\":\"pass\",\"categories\":[]},\"kind\":\"checksum_fail\"}\n",
            "{\"id\":\"3\",\"text\":\"a lovely day\",\"expected\":{\"verdict\":\"block\",\"categories\":[\"patient_name\"]}}\n",
        );
        let r = evaluate(corpus.as_bytes(), &Policy::default()).unwrap();
        assert_eq!(r.posts, 3);
        assert_eq!(r.national, Counts { tp: 1, fp: 0, fn_: 0 });
        assert_eq!(r.leaks, 1);
        assert_eq!(r.block_worthy, 2);
        assert_eq!(r.false_alarms.get("checksum_fail"), Some(&(0, 1)));
        assert_eq!(r.misses.len(), 1);
        let shown = r.to_string();
        assert!(shown.contains("| nhs_number | 1 | 0 | 0 | 1.000 | 1.000 | 1.000 |"));
        assert!(shown.contains("Leak rate"));
    }

    #[test]
    fn bad_lines_are_errors_with_line_numbers() {
        let err = evaluate("{\"text\":\"x\"}\n".as_bytes(), &Policy::default()).unwrap_err();
        assert!(err.starts_with("line 1:"));
        let err = evaluate("{\"text\":\"x\",\"expected\":{\"verdict\":\"maybe\"}}\n".as_bytes(), &Policy::default())
            .unwrap_err();
        assert!(err.contains("unknown verdict"));
    }
}
