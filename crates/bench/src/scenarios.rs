//! The scenarios beyond the home timeline: public and hashtag timelines, and memory and
//! start-up. Each prints a Markdown table and writes JSON beside the data set.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::generate::{DataSet, TAGS};
use crate::load::{
    As, HEADER, Server, Stats, cpu_and_rss, drive, drive_as, json, one_path, percentile, row, start, status_mib,
};

/// Scenario 2: the local public timeline and hashtag timelines, read by many signed-in
/// accounts (so blocks and mutes apply), saturated and at half that rate, beside the floor.
pub async fn public(dir: &Path, data: &DataSet, connections: usize, seconds: u64) -> anyhow::Result<Vec<Stats>> {
    let server = start(dir, data).await?;
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

/// Memory now in MiB: (VmRSS, RssAnon, RssFile).
fn rss_now(pid: u32) -> (f64, f64, f64) {
    (status_mib(pid, "VmRSS:"), status_mib(pid, "RssAnon:"), status_mib(pid, "RssFile:"))
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
        let server = start(dir, data).await?;
        starts.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(server);
    }
    starts.sort_by(|a, b| a.total_cmp(b));
    let server = start(dir, data).await?;
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

/// Scenario 3: posting (public posts by many accounts, each fanned out to its followers'
/// home feeds by the job worker), saturated and at half that rate; how long after the post is
/// acknowledged a follower's home timeline shows it, probed on the idle server and while
/// posting at half load; and how long the job queue takes to empty after the load.
pub async fn posting(dir: &Path, data: &DataSet, connections: usize, seconds: u64) -> anyhow::Result<Vec<Stats>> {
    let server = start(dir, data).await?;
    let tokens = Arc::new(data.tokens.clone());
    let endpoint = one_path("/api/v1/statuses");
    let pairs = follower_pairs(&server, &data.tokens, 10).await?;
    let floor = drive(&server, one_path("/health"), Arc::new(Vec::new()), connections, seconds, None).await;
    // A queue left by an earlier run (jobs are durable) is worked off first.
    let inherited = drain(&server, Duration::from_secs(600)).await?;
    let quiet = fanout_probes(&server, &pairs, 10, Duration::from_secs(5)).await;
    let sat = drive_as(&server, endpoint.clone(), tokens.clone(), As::Poster, connections, seconds, None).await;
    let (half, loaded) = tokio::join!(
        drive_as(&server, endpoint, tokens, As::Poster, connections, seconds, Some(sat.rps / 2.0)),
        fanout_probes(&server, &pairs, 20, Duration::from_secs(seconds)),
    );
    let drained = drain(&server, Duration::from_secs(600)).await?;
    let (_, rss) = cpu_and_rss(server.child.id());
    println!("{HEADER}");
    println!("{}", row("floor: GET /health", &floor, floor.rps));
    println!("{}", row("posting, saturated", &sat, floor.rps));
    println!("{}", row("posting, half load", &half, floor.rps));
    let summary = |l: &[f64]| {
        let mut l = l.to_vec();
        l.sort_by(|a, b| a.total_cmp(b));
        let pct = |p: f64| percentile(&l, p).unwrap_or(f64::NAN);
        (l.len(), pct(0.5), pct(0.99), l.last().copied().unwrap_or(f64::NAN))
    };
    println!(
        "\nfrom acknowledged to in a follower's home timeline (ms; {} author–follower pairs; a probe gives up after 10 s):",
        pairs.len()
    );
    for (when, probes, tried) in [("on the idle server", &quiet, 10), ("while posting at half load", &loaded, 20)] {
        let (n, p50, p99, max) = summary(probes);
        println!("- {when}: {n} arrived (of up to {tried} probes), p50 {p50:.0}, p99 {p99:.0}, max {max:.0}");
    }
    let made = (sat.requests + half.requests) as f64;
    println!(
        "- the job queue (fan-out and search indexing) emptied {drained:.1} s after the load stopped: {made:.0} posts \
         fanned out in {:.1} s, {:.0} posts/s (a queue of {inherited:.1} s was left from an earlier run)",
        drained + 2.0 * seconds as f64,
        made / (drained + 2.0 * seconds as f64)
    );
    println!("server peak RSS: {rss:.0} MiB; {connections} connections; {seconds} s per row");
    let out = serde_json::json!({"scenario": "posting", "connections": connections, "seconds": seconds,
        "peak_rss_mib": rss, "floor": json(&floor), "saturated": json(&sat), "half_load": json(&half),
        "fanout_ms_idle": quiet, "fanout_ms_under_load": loaded, "queue_drained_after_load_s": drained,
        "inherited_queue_s": inherited});
    std::fs::write(dir.join("posting.json"), serde_json::to_string_pretty(&out)?)?;
    // With nothing queued, a post must reach its follower: otherwise fan-out is broken.
    anyhow::ensure!(!quiet.is_empty(), "no post reached a follower's home timeline on the idle server");
    Ok(vec![floor, sat, half])
}

/// Up to `wanted` (author token, follower token) pairs among the readers: the follower
/// follows the author, so the author's post must reach the follower's home timeline.
async fn follower_pairs(server: &Server, tokens: &[String], wanted: usize) -> anyhow::Result<Vec<(String, String)>> {
    let client = reqwest::Client::new();
    let mut by_account = std::collections::HashMap::new();
    for t in tokens.iter().take(300) {
        let me = get_json(&client, &format!("{}/api/v1/accounts/verify_credentials", server.base), t).await?;
        if let Some(id) = me["id"].as_str() {
            by_account.insert(id.to_string(), t.clone());
        }
    }
    let mut pairs = Vec::new();
    for (id, author) in &by_account {
        let followers =
            get_json(&client, &format!("{}/api/v1/accounts/{id}/followers?limit=80", server.base), author).await?;
        let follower =
            followers.as_array().into_iter().flatten().filter_map(|a| a["id"].as_str()).find_map(|f| by_account.get(f));
        if let Some(f) = follower {
            pairs.push((author.clone(), f.clone()));
        }
        if pairs.len() >= wanted {
            break;
        }
    }
    anyhow::ensure!(!pairs.is_empty(), "no reader follows another reader");
    Ok(pairs)
}

/// `GET url` with a bearer token; the answer's JSON, or the error status.
async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<serde_json::Value> {
    Ok(client.get(url).bearer_auth(token).send().await?.error_for_status()?.json().await?)
}

/// Posts as each pair's author in turn and polls the follower's home timeline (every 5 ms, up
/// to 10 s) until the post is there: milliseconds from the post's acknowledgement. Bounded by
/// `count` probes and by `within`.
async fn fanout_probes(server: &Server, pairs: &[(String, String)], count: usize, within: Duration) -> Vec<f64> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + within;
    let mut out = Vec::new();
    for i in 0..count {
        if Instant::now() >= deadline {
            break;
        }
        let (author, follower) = &pairs[i % pairs.len()];
        let posted = client
            .post(format!("{}/api/v1/statuses", server.base))
            .bearer_auth(author)
            .json(&serde_json::json!({"status": format!("Clinic running to time this morning (probe {i})"), "visibility": "public"}))
            .send()
            .await;
        let acknowledged = Instant::now();
        let Ok(res) = posted else { continue };
        let Ok(status) = res.json::<serde_json::Value>().await else { continue };
        let Some(id) = status["id"].as_str().map(str::to_string) else { continue };
        for _ in 0..2_000 {
            let url = format!("{}/api/v1/timelines/home?since_id={}&limit=40", server.base, decrement(&id));
            let found = match client.get(url).bearer_auth(follower).send().await {
                Ok(r) => r.json::<serde_json::Value>().await.ok().is_some_and(|v| {
                    v.as_array().is_some_and(|a| a.iter().any(|s| s["id"].as_str() == Some(id.as_str())))
                }),
                Err(_) => false,
            };
            if found {
                out.push(acknowledged.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    out
}

/// The id just below `id` (ids are decimal integers), so `since_id` includes `id` itself.
fn decrement(id: &str) -> String {
    id.parse::<i64>().map(|n| (n - 1).to_string()).unwrap_or_else(|_| id.to_string())
}

/// Waits (polling `/metrics` every 100 ms, at most `limit`) until no job is queued; seconds taken.
pub(crate) async fn drain(server: &Server, limit: Duration) -> anyhow::Result<f64> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    while started.elapsed() < limit {
        let text = client.get(format!("{}/metrics", server.base)).send().await?.text().await?;
        let queued = text
            .lines()
            .find(|l| l.starts_with("canteen_jobs_queued "))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        if queued == 0.0 {
            return Ok(started.elapsed().as_secs_f64());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the job queue did not empty within {} s", limit.as_secs())
}
