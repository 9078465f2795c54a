//! Guard latency and start-up cost, printed as a Markdown table.
//!
//!     cargo bench -p canteen-guard
//!
//! No benchmark framework: plain timing around `check`, to keep compile times down. Posts
//! are built from the development corpus (realistic word mix), cut to 500 and 10,000 chars.

use std::hint::black_box;
use std::time::Instant;

use canteen_guard::{Context, Policy, check};

fn posts_of(len: usize, count: usize) -> Vec<String> {
    let texts: Vec<String> = include_str!("../corpus/dev.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    let mut out = Vec::with_capacity(count);
    let mut k = 0;
    while out.len() < count {
        let mut post = String::new();
        while post.len() < len {
            post.push_str(&texts[k % texts.len()]);
            post.push(' ');
            k += 7;
        }
        let mut cut = len;
        while !post.is_char_boundary(cut) {
            cut -= 1;
        }
        post.truncate(cut);
        out.push(post);
    }
    out
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Times `check` on each post `rounds` times. Returns (p50, p99, max) in milliseconds over
/// every run, and the p99 over posts of each post's fastest run: the machine is shared, and
/// a run the scheduler pre-empted measures the neighbour, not the guard.
fn time_checks(posts: &[String], rounds: usize) -> (f64, f64, f64, f64) {
    let policy = Policy::default();
    let ctx = Context::default();
    let mut samples = Vec::with_capacity(posts.len() * rounds);
    let mut best = vec![f64::INFINITY; posts.len()];
    for _ in 0..rounds {
        for (p, b) in posts.iter().zip(best.iter_mut()) {
            let t = Instant::now();
            black_box(check(black_box(p), &policy, &ctx));
            let ms = t.elapsed().as_secs_f64() * 1e3;
            samples.push(ms);
            *b = b.min(ms);
        }
    }
    samples.sort_by(f64::total_cmp);
    best.sort_by(f64::total_cmp);
    (percentile(&samples, 0.5), percentile(&samples, 0.99), samples[samples.len() - 1], percentile(&best, 0.99))
}

fn main() {
    // Start-up: the first call parses the word lists; later parses show the steady cost.
    let t = Instant::now();
    canteen_guard::warm_up();
    let first = t.elapsed().as_secs_f64() * 1e3;
    let mut parses: Vec<f64> = (0..20)
        .map(|_| {
            let t = Instant::now();
            canteen_guard::parse_word_lists_uncached();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    parses.sort_by(f64::total_cmp);

    let short = posts_of(500, 2000);
    let long = posts_of(10_000, 200);
    let _ = time_checks(&short[..100], 1); // warm caches
    let (s50, s99, smax, sbest) = time_checks(&short, 5);
    let (l50, l99, lmax, lbest) = time_checks(&long, 5);

    println!("| measure | p50 | p99 | max | p99 of each post's best run | target |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| check, 500-char post (2,000 posts × 5 runs) | {s50:.3} ms | {s99:.3} ms | {smax:.3} ms | {sbest:.3} ms | p99 ≤ 0.2 ms |"
    );
    println!(
        "| check, 10,000-char post (200 posts × 5 runs) | {l50:.3} ms | {l99:.3} ms | {lmax:.3} ms | {lbest:.3} ms | p99 ≤ 2 ms |"
    );
    println!(
        "| start-up: parse word lists (first call {first:.2} ms; 20 runs) | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | ≤ 50 ms |",
        percentile(&parses, 0.5),
        percentile(&parses, 0.99),
        parses[parses.len() - 1],
        parses[0]
    );
    println!("\nload average at the end: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());
}
