//! Scenario 8: storage hygiene on SQLite. Posting at saturation while home timelines are read
//! (readers holding snapshots are what stops a WAL from being reset), with the `-wal` file's
//! size sampled throughout; home reads before and after show whether reads stay as fast.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::generate::DataSet;
use crate::load::{As, HEADER, Stats, cpu_and_rss, drive, drive_as, json, one_path, row, start};
use crate::scenarios::drain;

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

const MIB: f64 = 1024.0 * 1024.0;

pub async fn storage(dir: &Path, data: &DataSet, connections: usize, seconds: u64) -> anyhow::Result<Vec<Stats>> {
    anyhow::ensure!(
        data.database_url.is_none(),
        "the storage scenario measures SQLite's WAL: run it without --database-url"
    );
    let (db, wal) = (dir.join("canteen.db"), dir.join("canteen.db-wal"));
    let server = start(dir, data).await?;
    let tokens = Arc::new(data.tokens.clone());
    let home = one_path("/api/v1/timelines/home");
    // A queue left by an earlier run is worked off first, so "after" measures this run's posts.
    drain(&server, Duration::from_secs(600)).await?;
    drive(&server, home.clone(), tokens.clone(), connections, 2, None).await;
    let before = drive(&server, home.clone(), tokens.clone(), connections, seconds, None).await;
    let db_before = file_len(&db);

    // The sampler: every 20 ms until told to stop, and never longer than the load could last.
    let (stop, peak) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let sampler = {
        let (stop, peak, wal) = (stop.clone(), peak.clone(), wal.clone());
        let limit = Instant::now() + Duration::from_secs(4 * seconds + 660);
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) && Instant::now() < limit {
                peak.fetch_max(file_len(&wal), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let writers = (connections / 2).max(1);
    let (posts, reads) = tokio::join!(
        drive_as(&server, one_path("/api/v1/statuses"), tokens.clone(), As::Poster, writers, 3 * seconds, None),
        drive(&server, home.clone(), tokens.clone(), (connections - writers).max(1), 3 * seconds, None),
    );
    let drained = drain(&server, Duration::from_secs(600)).await?;
    stop.store(true, Ordering::Relaxed);
    sampler.await?;
    let wal_peak = peak.load(Ordering::Relaxed) as f64 / MIB;
    let after = drive(&server, home, tokens, connections, seconds, None).await;
    let (wal_end, db_growth) = (file_len(&wal) as f64 / MIB, (file_len(&db).saturating_sub(db_before)) as f64 / MIB);
    let (_, rss) = cpu_and_rss(server.child.id());

    println!("{HEADER}");
    println!("{}", row("home timeline before, saturated", &before, before.rps));
    println!("{}", row("posting while reading", &posts, before.rps));
    println!("{}", row("home timeline while posting", &reads, before.rps));
    println!("{}", row("home timeline after, saturated", &after, before.rps));
    let per_thousand = db_growth * 1000.0 / (posts.requests.max(1) as f64);
    println!(
        "\n{} posts written (fan-out and indexing done {drained:.1} s after posting stopped); WAL peak {wal_peak:.1} MiB \
         (target ≤ 64 MiB), {wal_end:.1} MiB at the end; database grew {db_growth:.1} MiB ({per_thousand:.2} MiB per \
         1,000 posts); home reads after: {:.0}% of before",
        posts.requests,
        100.0 * after.rps / before.rps.max(0.001)
    );
    println!("server peak RSS: {rss:.0} MiB; {connections} connections; \"of floor\" here is of the first row");
    let out = serde_json::json!({"scenario": "storage", "connections": connections, "seconds": seconds,
        "posts": posts.requests, "wal_peak_mib": wal_peak, "wal_end_mib": wal_end, "db_growth_mib": db_growth,
        "queue_drained_s": drained, "home_before": json(&before), "posting": json(&posts),
        "home_while_posting": json(&reads), "home_after": json(&after), "peak_rss_mib": rss});
    std::fs::write(dir.join("storage.json"), serde_json::to_string_pretty(&out)?)?;
    Ok(vec![before, posts, reads, after])
}
