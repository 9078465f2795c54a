//! `canteen-bench`: generate a data set, then measure a real `canteen serve` on loopback.
//!
//! ```text
//! cargo build --release -p canteen -p canteen-bench
//! target/release/canteen-bench --size medium --data-dir /tmp/canteen-bench home
//! ```

mod generate;
mod load;
mod scenarios;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "canteen-bench",
    about = "Load benchmarks for Canteen, measured against the floor of the same server."
)]
struct Cli {
    /// Data set size: small (1k accounts / 100k posts), medium (10k / 1M), large (100k / 10M).
    #[arg(long, value_enum, default_value = "small")]
    size: Size,
    /// Where the generated SQLite database lives (reused if already generated at this size).
    #[arg(long, default_value = "./canteen-bench-data")]
    data_dir: PathBuf,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Seconds per measurement (the floor, saturation and half load are each this long).
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Catch a scenario that breaks, in seconds: a tiny data set (300 accounts, 10,000 posts),
    /// 8 connections, 1 s per row; fails if any request fails. Timings are printed, not judged.
    #[arg(long)]
    quick: bool,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Clone, Copy, ValueEnum, Debug)]
pub enum Size {
    Small,
    Medium,
    Large,
}

impl Size {
    pub fn counts(self) -> (usize, usize) {
        match self {
            Size::Small => (1_000, 100_000),
            Size::Medium => (10_000, 1_000_000),
            Size::Large => (100_000, 10_000_000),
        }
    }
}

#[derive(Subcommand)]
enum Scenario {
    /// Only generate the data set.
    Generate,
    /// Home timeline reads (20 posts, full Mastodon JSON) by many accounts.
    Home,
    /// Two-word post searches by many accounts, after `canteen admin reindex`.
    Search,
    /// The web app's home page by many browser sessions, and a first visit's weight.
    Web,
    /// The local public timeline and hashtag timelines by many accounts.
    Public,
    /// Cold start, idle memory, and memory over rounds of mixed reads (a soak).
    Memory {
        /// Rounds of mixed reads, each `--seconds` long.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Public posts by many accounts, fanned out to followers; time until a follower sees one.
    Posting,
    /// Every scenario above, one after another.
    All,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (connections, seconds) = if cli.quick { (8, 1) } else { (cli.connections, cli.seconds) };
    rt.block_on(async move {
        let (accounts, posts) = if cli.quick { (300, 10_000) } else { cli.size.counts() };
        let data = generate::ensure(&cli.data_dir, accounts, posts).await?;
        let dir = cli.data_dir.as_path();
        let mut stats = Vec::new();
        let rounds = |r: usize| if cli.quick { 2 } else { r };
        match cli.scenario {
            Scenario::Generate => {}
            Scenario::Home => stats.extend(load::home(dir, &data, connections, seconds).await?),
            Scenario::Search => stats.extend(load::search(dir, &data, connections, seconds).await?),
            Scenario::Web => stats.extend(load::web(dir, &data, connections, seconds).await?),
            Scenario::Public => stats.extend(scenarios::public(dir, &data, connections, seconds).await?),
            Scenario::Posting => stats.extend(scenarios::posting(dir, &data, connections, seconds).await?),
            Scenario::Memory { rounds: r } => {
                stats.extend(scenarios::memory(dir, &data, connections, seconds, rounds(r)).await?)
            }
            Scenario::All => {
                stats.extend(load::home(dir, &data, connections, seconds).await?);
                stats.extend(scenarios::public(dir, &data, connections, seconds).await?);
                stats.extend(load::web(dir, &data, connections, seconds).await?);
                stats.extend(load::search(dir, &data, connections, seconds).await?);
                stats.extend(scenarios::memory(dir, &data, connections, seconds, rounds(5)).await?);
                // Last: it adds posts to the data set.
                stats.extend(scenarios::posting(dir, &data, connections, seconds).await?);
            }
        }
        // A scenario that answers with errors, or not at all, is broken whatever its speed.
        let failed = stats.iter().filter(|s| s.errors > 0 || s.requests == 0).count();
        anyhow::ensure!(failed == 0, "{failed} measurement(s) had failed requests or none answered");
        Ok(())
    })
}
