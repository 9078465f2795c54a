//! The scenarios beyond the home timeline: public and hashtag timelines, and memory and
//! start-up. Each prints a Markdown table and writes JSON beside the data set.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::generate::{DataSet, TAGS};
use crate::load::{Stats, cpu_and_rss, drive, json, one_path, row, start};

const HEADER: &str = "| scenario | req/s | of floor | p50 ms | p95 ms | p99 ms | max ms | requests | errors | server CPU (cores) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

/// Scenario 2: the local public timeline and hashtag timelines, read by many signed-in
/// accounts (so blocks and mutes apply), saturated and at half that rate, beside the floor.
pub async fn public(dir: &Path, data: &DataSet, connections: usize, seconds: u64) -> anyhow::Result<Vec<Stats>> {
    let server = start(dir).await?;
    let tokens = Arc::new(data.tokens.clone());
    let local = one_path("/api/v1/timelines/public?local=true");
    let tags: Arc<Vec<String>> = Arc::new(TAGS.iter().map(|t| format!("/api/v1/timelines/tag/{t}")).collect());
    drive(&server, local.clone(), tokens.clone(), connections, 1, None).await;
    let floor = drive(&server, one_path("/health"), Arc::new(Vec::new()), connections, seconds, None).await;
    let local_sat = drive(&server, local.clone(), tokens.clone(), connections, seconds, None).await;
    let local_half = drive(&server, local, tokens.clone(), connections, seconds, Some(local_sat.rps / 2.0)).await;
    let tag_sat = drive(&server, tags.clone(), tokens.clone(), connections, seconds, None).await;
    let tag_half = drive(&server, tags, tokens, connections, seconds, Some(tag_sat.rps / 2.0)).await;
    let (_, rss) = cpu_and_rss(server.child.id());
    println!("{HEADER}");
    println!("{}", row("floor: GET /health", &floor, floor.rps));
    println!("{}", row("local timeline, saturated", &local_sat, floor.rps));
    println!("{}", row("local timeline, half load", &local_half, floor.rps));
    println!("{}", row("hashtag timeline, saturated", &tag_sat, floor.rps));
    println!("{}", row("hashtag timeline, half load", &tag_half, floor.rps));
    println!("\nserver peak RSS: {rss:.0} MiB; {connections} connections; {seconds} s per row");
    let out = serde_json::json!({"scenario": "public", "connections": connections, "seconds": seconds,
        "peak_rss_mib": rss, "floor": json(&floor), "local_saturated": json(&local_sat),
        "local_half_load": json(&local_half), "tag_saturated": json(&tag_sat), "tag_half_load": json(&tag_half)});
    std::fs::write(dir.join("public.json"), serde_json::to_string_pretty(&out)?)?;
    Ok(vec![floor, local_sat, local_half, tag_sat, tag_half])
}

/// Memory in kB from /proc/<pid>/status: (VmRSS, RssAnon, RssFile).
fn rss_now(pid: u32) -> (f64, f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("RssAnon:"), field("RssFile:"))
}

/// Scenario 7: cold start (process start until `/health` answers, three times), idle memory,
/// memory while serving a mix of timeline reads, and memory after each of several rounds of
/// that load (a soak: it should level off, not climb).
pub async fn memory(
    dir: &Path,
    data: &DataSet,
    connections: usize,
    seconds: u64,
    rounds: usize,
) -> anyhow::Result<Vec<Stats>> {
    let mut starts = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let server = start(dir).await?;
        starts.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(server);
    }
    starts.sort_by(|a, b| a.total_cmp(b));
    let server = start(dir).await?;
    let pid = server.child.id();
    // Idle: started, one request answered (the health check), background workers polling.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = rss_now(pid);
    let tokens = Arc::new(data.tokens.clone());
    let mixed: Arc<Vec<String>> = Arc::new(vec![
        "/api/v1/timelines/home".into(),
        "/api/v1/timelines/home".into(),
        "/api/v1/timelines/public?local=true".into(),
        "/api/v1/notifications".into(),
        "/api/v1/accounts/verify_credentials".into(),
    ]);
    let mut soak = Vec::new();
    let mut stats = Vec::new();
    for _ in 0..rounds.max(1) {
        let s = drive(&server, mixed.clone(), tokens.clone(), connections, seconds, None).await;
        soak.push(rss_now(pid));
        stats.push(s);
    }
    let (_, peak) = cpu_and_rss(pid);
    println!("| measure | figure |\n|---|---:|");
    println!("| cold start to first answer (median of 3) | {:.0} ms (all: {starts:.0?}) |", starts[1]);
    println!("| idle RSS | {:.1} MiB (anonymous {:.1}, file-backed {:.1}) |", idle.0, idle.1, idle.2);
    for (i, (r, s)) in soak.iter().zip(&stats).enumerate() {
        println!(
            "| RSS after round {} of mixed reads ({:.0} req/s, {} errors) | {:.1} MiB (anonymous {:.1}, file-backed {:.1}) |",
            i + 1,
            s.rps,
            s.errors,
            r.0,
            r.1,
            r.2
        );
    }
    println!("| peak RSS | {peak:.1} MiB |");
    println!("\n{connections} connections; {seconds} s per round");
    let out = serde_json::json!({"scenario": "memory", "cold_start_ms": starts, "idle_rss_mib": idle.0,
        "idle_anon_mib": idle.1, "idle_file_mib": idle.2, "peak_rss_mib": peak,
        "soak_rss_mib": soak.iter().map(|r| r.0).collect::<Vec<_>>(),
        "soak_anon_mib": soak.iter().map(|r| r.1).collect::<Vec<_>>(),
        "rounds": stats.iter().map(json).collect::<Vec<_>>()});
    std::fs::write(dir.join("memory.json"), serde_json::to_string_pretty(&out)?)?;
    Ok(stats)
}
