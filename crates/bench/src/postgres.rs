//! Scenario 9: on PostgreSQL, Canteen's timeline reads and post creation beside `pgbench`'s
//! select-only and simple-update transactions, run in the same process, against the same
//! database server, at the same connection count and durability (the server's
//! `synchronous_commit`, which neither side changes).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use canteen_store::{Store, StoreOptions};

use crate::generate::{DataSet, with_search_path};
use crate::load::{As, HEADER, Stats, cpu_and_rss, drive, drive_as, json, one_path, row, start};
use crate::scenarios::drain;

/// pgbench's tables live in a schema of their own beside the data set's.
const PGBENCH_SCHEMA: &str = "canteen_bench_pgbench";

/// One pgbench run's transactions per second and mean latency in ms.
struct PgbenchRun {
    tps: f64,
    latency_ms: f64,
}

/// Runs `pgbench <args> <url>` with its tables in [`PGBENCH_SCHEMA`]; its report parsed.
async fn pgbench(url: &str, args: Vec<String>) -> anyhow::Result<PgbenchRun> {
    let url = url.to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("pgbench")
            .args(&args)
            .arg(&url)
            .env("PGOPTIONS", format!("-c search_path={PGBENCH_SCHEMA}"))
            .output()
    })
    .await??;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    anyhow::ensure!(out.status.success(), "pgbench failed: {}{}", text, String::from_utf8_lossy(&out.stderr));
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.trim_start_matches(prefix).split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    Ok(PgbenchRun { tps: field("tps = ").unwrap_or(0.0), latency_ms: field("latency average = ").unwrap_or(0.0) })
}

/// Home timeline reads and posting, saturated, beside `pgbench -S` and `pgbench -b
/// simple-update` at the same connection count; `scale` is pgbench's scale factor.
pub async fn against_pgbench(
    dir: &Path,
    data: &DataSet,
    base_url: &str,
    connections: usize,
    seconds: u64,
    scale: u32,
) -> anyhow::Result<Vec<Stats>> {
    let store = Store::connect(&StoreOptions::new(with_search_path(base_url, PGBENCH_SCHEMA))).await?;
    canteen_store::bulk::recreate_schema(store.writer(), PGBENCH_SCHEMA).await?;
    store.close().await;
    let init = std::time::Instant::now();
    pgbench(base_url, vec!["-i".into(), "-q".into(), "-s".into(), scale.to_string()]).await?;
    let init_secs = init.elapsed().as_secs_f64();
    let clients = |mode: &str| -> Vec<String> {
        let mut a = vec!["-n".into(), "-c".into(), connections.to_string(), "-j".into(), "2".into()];
        a.extend(["-T".into(), seconds.to_string(), "-b".into(), mode.into()]);
        a
    };
    let selects = pgbench(base_url, clients("select-only")).await?;
    let updates = pgbench(base_url, clients("simple-update")).await?;

    let server = start(dir, data).await?;
    let tokens = Arc::new(data.tokens.clone());
    let home = one_path("/api/v1/timelines/home");
    drive(&server, home.clone(), tokens.clone(), connections, 2, None).await;
    let floor = drive(&server, one_path("/health"), Arc::new(Vec::new()), connections, seconds, None).await;
    let reads = drive(&server, home, tokens.clone(), connections, seconds, None).await;
    let posts = drive_as(&server, one_path("/api/v1/statuses"), tokens, As::Poster, connections, seconds, None).await;
    let drained = drain(&server, std::time::Duration::from_secs(600)).await?;
    let (_, rss) = cpu_and_rss(server.child.id());

    let ratio = |a: f64, b: f64| 100.0 * a / b.max(0.001);
    println!("pgbench scale {scale} (initialised in {init_secs:.1} s), {connections} clients, 2 threads:\n");
    println!("| measure | per second | mean latency ms |\n|---|---:|---:|");
    println!("| pgbench -S (select-only) | {:.0} | {:.2} |", selects.tps, selects.latency_ms);
    println!("| pgbench -b simple-update | {:.0} | {:.2} |", updates.tps, updates.latency_ms);
    println!();
    println!("{HEADER}");
    println!("{}", row("floor: GET /health", &floor, floor.rps));
    println!("{}", row("home timeline, saturated", &reads, floor.rps));
    println!("{}", row("posting, saturated", &posts, floor.rps));
    println!(
        "\nhome timeline reads: {:.1}% of pgbench -S (target ≥ 30%); posting: {:.1}% of pgbench simple-update \
         (target ≥ 50%); the fan-out queue emptied {drained:.1} s after posting stopped",
        ratio(reads.rps, selects.tps),
        ratio(posts.rps, updates.tps)
    );
    println!("server peak RSS: {rss:.0} MiB; {connections} connections; {seconds} s per row");
    let out = serde_json::json!({"scenario": "postgres", "connections": connections, "seconds": seconds,
        "pgbench_scale": scale, "pgbench_select_tps": selects.tps, "pgbench_select_latency_ms": selects.latency_ms,
        "pgbench_update_tps": updates.tps, "pgbench_update_latency_ms": updates.latency_ms,
        "floor": json(&floor), "home_saturated": json(&reads), "posting_saturated": json(&posts),
        "home_of_pgbench_select_pct": ratio(reads.rps, selects.tps),
        "posting_of_pgbench_update_pct": ratio(posts.rps, updates.tps), "queue_drained_s": drained,
        "peak_rss_mib": rss});
    std::fs::write(dir.join("postgres.json"), serde_json::to_string_pretty(&out)?)?;
    anyhow::ensure!(selects.tps > 0.0 && updates.tps > 0.0, "pgbench reported no transactions");
    Ok(vec![floor, reads, posts])
}
