//! The search index benchmark: bulk indexing rate, bytes per post, query latency over a
//! generated corpus, and the latency of one change made durable (upsert + commit).
//!
//! `cargo bench -p canteen-search --bench search -- [POSTS]` (default 1,000,000).
//! Results go to standard output as a Markdown table; docs/benchmarks.md keeps them.

use std::time::Instant;

use canteen_search::{Reader, Request, SearchIndex, SortOrder, StatusDoc, WriterOptions, parse};

/// xorshift: every run builds the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
}

/// Health and everyday words first (so they are the frequent ones), then made-up words to
/// give the vocabulary a realistic long tail.
const REAL: &[&str] = &[
    "the",
    "and",
    "to",
    "a",
    "of",
    "in",
    "for",
    "on",
    "with",
    "our",
    "today",
    "ward",
    "team",
    "shift",
    "patients",
    "clinic",
    "care",
    "nurse",
    "nurses",
    "thanks",
    "night",
    "new",
    "support",
    "staff",
    "service",
    "training",
    "community",
    "health",
    "hospital",
    "waiting",
    "cancer",
    "diabetes",
    "stroke",
    "dementia",
    "mental",
    "pain",
    "surgery",
    "theatre",
    "pharmacy",
    "discharge",
    "vaccine",
    "flu",
    "covid",
    "research",
    "trial",
    "sarcoma",
    "leukaemia",
    "lymphoma",
    "haematology",
    "oncology",
    "paediatric",
    "midwife",
    "maternity",
    "birth",
    "baby",
    "carers",
    "family",
    "story",
    "diagnosed",
    "treatment",
    "chemo",
    "radiotherapy",
    "recovery",
    "rehab",
    "physio",
    "dietitian",
    "recipe",
    "wellbeing",
    "coffee",
    "break",
    "canteen",
    "rota",
    "handover",
    "audit",
    "guidelines",
    "awareness",
    "fundraising",
    "charity",
    "volunteers",
    "rare",
    "disease",
    "condition",
    "symptoms",
    "screening",
    "scan",
    "mri",
    "results",
    "appointment",
    "gp",
    "referral",
    "emergency",
    "ambulance",
    "paramedic",
    "sepsis",
    "asthma",
    "copd",
    "heart",
    "kidney",
    "liver",
    "transplant",
    "donor",
    "blood",
    "plasma",
    "bone",
    "marrow",
    "tumour",
    "biopsy",
    "consultant",
    "registrar",
    "student",
    "placement",
    "qualified",
    "proud",
    "exhausted",
    "grateful",
    "hope",
    "journey",
    "support",
    "group",
    "meeting",
    "online",
    "event",
    "week",
];

fn vocabulary(rng: &mut Rng, size: usize) -> Vec<String> {
    const SYLLABLES: &[&str] = &[
        "ka", "lo", "mi", "ter", "pra", "son", "vel", "dra", "ni", "que", "bor", "tal", "ri", "men", "stu", "pho",
        "gly", "cor", "den", "ax", "lum", "tri", "ven", "ost", "ula", "bri", "cha", "fen", "gor", "hep",
    ];
    let mut words: Vec<String> = REAL.iter().map(|w| w.to_string()).collect();
    while words.len() < size {
        let n = 2 + rng.below(3);
        let w: String = (0..n).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
        words.push(w);
    }
    words
}

/// A Zipf sampler (exponent 1.0) over ranks, by inverting the cumulative weights.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut cumulative = Vec::with_capacity(n);
        let mut total = 0.0;
        for rank in 1..=n {
            total += 1.0 / rank as f64;
            cumulative.push(total);
        }
        Zipf { cumulative }
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let target = rng.unit() * self.cumulative.last().copied().unwrap_or(1.0);
        self.cumulative.partition_point(|c| *c < target).min(self.cumulative.len() - 1)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

const AUTHORS: usize = 10_000;

fn main() {
    let posts: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let mut rng = Rng(0x5eed_cafe);
    let words = vocabulary(&mut rng, 50_000);
    let zipf = Zipf::new(words.len());
    let dir = std::env::temp_dir().join(format!("canteen-search-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let index = SearchIndex::open_with(&dir, WriterOptions::bulk()).expect("open index");

    // 1. Bulk indexing (as `admin reindex` does): documents in, one commit at the end. The
    // corpus is generated first so only indexing is timed.
    let base_ms: i64 = 1_767_225_600_000; // 2026-01-01
    let mut docs = Vec::with_capacity(posts);
    for i in 0..posts {
        let mut text = String::new();
        let len = 8 + rng.below(40);
        for _ in 0..len {
            text.push_str(&words[zipf.sample(&mut rng)]);
            text.push(' ');
        }
        let author = rng.below(AUTHORS) as i64 + 1;
        let roll = rng.below(100);
        let readers = match roll {
            0..80 => vec![Reader::Owner(author), Reader::Anyone],
            80..97 => vec![Reader::Owner(author), Reader::FollowersOf(author)],
            _ => vec![Reader::Owner(author), Reader::Mentioned(rng.below(AUTHORS) as i64 + 1)],
        };
        docs.push(StatusDoc {
            id: (base_ms + i as i64 * 10) << 16,
            author_id: author,
            text,
            tags: if rng.below(5) == 0 { vec![words[zipf.sample(&mut rng) % 500].clone()] } else { vec![] },
            readers,
            has_media: rng.below(10) == 0,
            has_poll: rng.below(50) == 0,
            is_reply: rng.below(4) == 0,
            ..Default::default()
        });
    }
    // The analyzer alone, on one thread: how much of indexing is turning text into terms.
    let analysed = Instant::now();
    let mut terms = 0usize;
    for doc in docs.iter().take(100_000) {
        terms += canteen_search::analyzer::terms(&doc.text).len();
    }
    let analyse_rate = docs.len().min(100_000) as f64 / analysed.elapsed().as_secs_f64();
    let started = Instant::now();
    for doc in &docs {
        index.add_new(doc).expect("add");
    }
    index.commit().expect("commit");
    let index_secs = started.elapsed().as_secs_f64();
    let bytes = dir_size(&dir);

    // 2. Queries for a viewer who follows 200 accounts.
    let mut readers = vec![Reader::Anyone, Reader::Owner(1), Reader::Mentioned(1)];
    readers.extend((0..200).map(|_| Reader::FollowersOf(rng.below(AUTHORS) as i64 + 1)));
    let mut rows = Vec::new();
    for (label, lo, hi) in
        [("two words, typical (ranks 100–5,000)", 100, 5_000), ("two words, common (ranks 10–100)", 10, 100)]
    {
        for order in [SortOrder::Relevance, SortOrder::Newest] {
            let mut times = Vec::new();
            let mut hits = 0usize;
            for _ in 0..2_000 {
                let a = &words[lo + rng.below(hi - lo)];
                let b = &words[lo + rng.below(hi - lo)];
                let q = parse(&format!("{a} {b}")).expect("query");
                let r = Request {
                    query: &q,
                    readers: readers.clone(),
                    authors: None,
                    library: None,
                    order,
                    max_id: None,
                    min_id: None,
                    offset: 0,
                    limit: 20,
                };
                let t = Instant::now();
                hits += index.search(&r).expect("search").len();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(|a, b| a.total_cmp(b));
            rows.push(format!(
                "| {label}, {} | {:.3} | {:.3} | {:.3} | {:.1} |",
                if order == SortOrder::Relevance { "by relevance" } else { "newest first" },
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                times.last().copied().unwrap_or(0.0),
                hits as f64 / times.len() as f64
            ));
        }
    }

    // 3. One change made durable, with the writer a running server uses: what an index job
    // pays when posts arrive one at a time (busier servers share commits between jobs).
    drop(index);
    let index = SearchIndex::open(&dir).expect("reopen index");
    let mut commit_times = Vec::new();
    for i in 0..200 {
        let doc = StatusDoc {
            id: (base_ms + (posts + i) as i64 * 10) << 16,
            author_id: 1,
            text: "sarcoma support group meets on thursday".into(),
            readers: vec![Reader::Anyone],
            ..Default::default()
        };
        let t = Instant::now();
        index.upsert(&doc).expect("upsert");
        index.commit().expect("commit");
        commit_times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    commit_times.sort_by(|a, b| a.total_cmp(b));

    println!("## Search index, {posts} posts, {AUTHORS} authors, vocabulary {}", words.len());
    println!();
    println!("| measure | value |");
    println!("|---|---:|");
    println!("| bulk indexing | {:.0} posts/s ({:.1} s) |", posts as f64 / index_secs, index_secs);
    println!("| analyzer alone, one thread | {analyse_rate:.0} posts/s ({terms} terms in the first 100k posts) |");
    println!("| index size | {:.1} MB, {:.0} bytes/post |", bytes as f64 / 1e6, bytes as f64 / posts as f64);
    println!(
        "| one post upserted and committed | p50 {:.2} ms, p99 {:.2} ms |",
        percentile(&commit_times, 0.5),
        percentile(&commit_times, 0.99)
    );
    println!();
    println!("Queries (2,000 each, top 20, viewer follows 200 accounts):");
    println!();
    println!("| query | p50 ms | p99 ms | max ms | hits/query |");
    println!("|---|---:|---:|---:|---:|");
    for r in rows {
        println!("{r}");
    }
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}
