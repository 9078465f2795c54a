//! `canteen-bench`: generate a data set, then measure a real `canteen serve` on loopback.
//!
//! ```text
//! cargo build --release -p canteen -p canteen-bench
//! target/release/canteen-bench --size medium --data-dir /tmp/canteen-bench home
//! ```

mod generate;
mod load;

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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let (accounts, posts) = cli.size.counts();
        let data = generate::ensure(&cli.data_dir, accounts, posts).await?;
        match cli.scenario {
            Scenario::Generate => Ok(()),
            Scenario::Home => load::home(&cli.data_dir, &data, cli.connections, cli.seconds).await,
            Scenario::Search => load::search(&cli.data_dir, &data, cli.connections, cli.seconds).await,
            Scenario::Web => load::web(&cli.data_dir, &data, cli.connections, cli.seconds).await,
        }
    })
}
