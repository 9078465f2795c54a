//! Evaluates the guard on a labelled corpus file and prints the report and every miss:
//!
//!     cargo run --release -p canteen-guard --example eval -- crates/guard/corpus/dev.jsonl

use std::fs::File;
use std::io::BufReader;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: eval CORPUS.jsonl");
        std::process::exit(2);
    };
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    match canteen_guard::eval::evaluate(BufReader::new(file), &canteen_guard::Policy::default()) {
        Ok(report) => {
            println!("{report}");
            for m in &report.misses {
                println!(
                    "MISS {} expected {} {:?} got {} {:?}: {}",
                    m.id,
                    m.expected_verdict.name(),
                    m.expected,
                    m.verdict.name(),
                    m.got,
                    m.text
                );
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
