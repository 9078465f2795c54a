//! Writes `corpus/dev.jsonl`, the guard's labelled development corpus, deterministically.
//!
//!     cargo run -p canteen-guard --example gen_corpus > crates/guard/corpus/dev.jsonl
//!
//! Every post is synthetic. Identifier numbers are generated (NHS, CHI and H&C numbers pass
//! the modulus 11 check; hard negatives fail it or are placeholders); phone numbers are in
//! Ofcom's ranges reserved for drama; names are invented combinations.

mod negatives;
mod positives;
mod vocab;

use serde_json::json;

/// SplitMix64: small, deterministic, good enough to vary templates.
pub struct Rng(u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + (self.next_u64() % 10) as u8)).collect()
    }
}

pub fn check_digit(first9: &str) -> Option<u32> {
    let sum: u32 = first9.bytes().zip((2..=10).rev()).map(|(d, w)| u32::from(d - b'0') * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c),
    }
}

/// A post and its labels.
pub struct Post {
    pub text: String,
    pub categories: Vec<&'static str>,
    pub kind: Option<&'static str>,
    pub media: Option<bool>,
}

impl Post {
    pub fn pos(text: String, categories: &[&'static str]) -> Post {
        Post { text, categories: categories.to_vec(), kind: None, media: None }
    }
    pub fn neg(text: String, kind: &'static str) -> Post {
        Post { text, categories: Vec::new(), kind: Some(kind), media: None }
    }
}

const BLOCKING: &[&str] = &["nhs_number", "chi_number", "hc_number", "nino", "hospital_number", "patient_name"];

fn main() {
    let mut rng = Rng(0x00C0_FFEE_2024);
    let mut posts = Vec::new();
    positives::generate(&mut rng, &mut posts);
    negatives::generate(&mut rng, &mut posts);
    for (n, p) in posts.iter_mut().enumerate() {
        p.categories.sort_unstable();
        p.categories.dedup();
        let verdict = if p.categories.iter().any(|c| BLOCKING.contains(c)) {
            "block"
        } else if p.categories.is_empty() {
            "pass"
        } else {
            "warn"
        };
        let mut line = json!({
            "id": format!("dev-{:04}", n + 1),
            "text": p.text,
            "expected": {"verdict": verdict, "categories": p.categories},
        });
        if let Some(kind) = p.kind {
            line["kind"] = json!(kind);
        }
        if let Some(confirmed) = p.media {
            line["context"] = json!({"has_media": true, "media_confirmed_no_patient": confirmed});
        }
        println!("{line}");
    }
}
