//! `canteen-bench`: generate a data set, then measure a real `canteen serve` on loopback.
//!
//! ```text
//! cargo build --release -p canteen -p canteen-bench
//! target/release/canteen-bench --size medium --data-dir /tmp/canteen-bench home
//! ```

mod celebrity;
mod generate;
mod inbox;
mod load;
mod mixed;
mod postgres;
mod scenarios;
mod storage;
mod streaming;

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
    /// Run on PostgreSQL: a `postgres://` URL (the data set goes into a schema of its own
    /// there; files and the search index stay in --data-dir). Default: SQLite in --data-dir.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
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
    /// A post by a page with 100,000 followers (2,000 with --quick): time to its followers'
    /// home timelines, bytes written, and everyone else's home reads meanwhile.
    Celebrity,
    /// 10,000 WebSocket user streams (200 with --quick): memory per stream, and delivery
    /// time from a post's acknowledgement to its followers' streams at 5, 50 and 500 posts/s.
    Streaming,
    /// 90% reads / 10% writes (likes, replies, new posts, bookmarks) by many accounts.
    Mixed,
    /// Signed `Delete`s from 32 remote actors (4 with --quick) to `POST /inbox`, half RFC 9421
    /// and half draft-cavage: verified activities per second.
    Inbox,
    /// SQLite only: the WAL's size while posting under reads, and reads before and after.
    Storage,
    /// PostgreSQL only (--database-url): home reads and posting beside `pgbench -S` and
    /// `pgbench -b simple-update` at the same connection count.
    Postgres,
    /// Every scenario above, one after another (`postgres` only with --database-url).
    All,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (connections, seconds) = if cli.quick { (8, 1) } else { (cli.connections, cli.seconds) };
    rt.block_on(async move {
        let (accounts, posts) = if cli.quick { (300, 10_000) } else { cli.size.counts() };
        let postgres = cli.database_url.as_deref();
        anyhow::ensure!(
            postgres.is_none_or(|u| u.starts_with("postgres://") || u.starts_with("postgresql://")),
            "--database-url must be a postgres:// URL (SQLite is the default, in --data-dir)"
        );
        let data = generate::ensure(&cli.data_dir, accounts, posts, postgres).await?;
        let pgbench_scale = if cli.quick { 1 } else { 10 };
        let fans = if cli.quick { 2_000 } else { 100_000 };
        let (inbox_actors, inbox_pool) = if cli.quick { (4, 200) } else { (32, 4_000) };
        let (stream_clients, stream_rates) =
            if cli.quick { (200, vec![20.0]) } else { (10_000, vec![5.0, 50.0, 500.0]) };
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
            Scenario::Celebrity => {
                stats.extend(celebrity::celebrity(dir, &data, connections, seconds, fans, cli.quick).await?)
            }
            Scenario::Streaming => stats
                .extend(streaming::streaming(dir, &data, connections, seconds, stream_clients, &stream_rates).await?),
            Scenario::Mixed => stats.extend(mixed::mixed(dir, &data, connections, seconds).await?),
            Scenario::Inbox => {
                stats.extend(inbox::inbox(dir, &data, connections, seconds, inbox_actors, inbox_pool).await?)
            }
            Scenario::Storage => stats.extend(storage::storage(dir, &data, connections, seconds).await?),
            Scenario::Postgres => {
                let url = postgres.ok_or_else(|| anyhow::anyhow!("the postgres scenario needs --database-url"))?;
                stats.extend(postgres::against_pgbench(dir, &data, url, connections, seconds, pgbench_scale).await?)
            }
            Scenario::Memory { rounds: r } => {
                stats.extend(scenarios::memory(dir, &data, connections, seconds, rounds(r)).await?)
            }
            Scenario::All => {
                stats.extend(load::home(dir, &data, connections, seconds).await?);
                stats.extend(scenarios::public(dir, &data, connections, seconds).await?);
                stats.extend(load::web(dir, &data, connections, seconds).await?);
                stats.extend(load::search(dir, &data, connections, seconds).await?);
                stats.extend(scenarios::memory(dir, &data, connections, seconds, rounds(5)).await?);
                stats.extend(inbox::inbox(dir, &data, connections, seconds, inbox_actors, inbox_pool).await?);
                if let Some(url) = postgres {
                    stats
                        .extend(postgres::against_pgbench(dir, &data, url, connections, seconds, pgbench_scale).await?);
                }
                // Last: these add posts to the data set.
                stats.extend(mixed::mixed(dir, &data, connections, seconds).await?);
                stats.extend(celebrity::celebrity(dir, &data, connections, seconds, fans, cli.quick).await?);
                stats.extend(
                    streaming::streaming(dir, &data, connections, seconds, stream_clients, &stream_rates).await?,
                );
                stats.extend(scenarios::posting(dir, &data, connections, seconds).await?);
                if postgres.is_none() {
                    stats.extend(storage::storage(dir, &data, connections, seconds).await?);
                }
            }
        }
        // A scenario that answers with errors, or not at all, is broken whatever its speed.
        let failed = stats.iter().filter(|s| s.errors > 0 || s.requests == 0).count();
        for why in stats.iter().filter_map(|s| s.first_error.as_deref()) {
            eprintln!("first failed request: {why}");
        }
        anyhow::ensure!(failed == 0, "{failed} measurement(s) had failed requests or none answered");
        Ok(())
    })
}
