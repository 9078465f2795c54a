//! Scenario 6: streaming. Many WebSocket clients hold the user stream open (several devices
//! per account, as the readers' tokens repeat); the server's memory per open stream; then
//! posts at a fixed rate by many accounts, and how long after each post is acknowledged it
//! reaches the streams of its author's followers.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::generate::DataSet;
use crate::load::{As, HEADER, Server, Stats, drive_as, json, one_path, percentile, row, start, status_mib};

/// Opens `n` user streams (tokens in turn), `batch` handshakes at a time. Each client task
/// records (post id, arrival) for every `update` until `stop`; returns the tasks and how
/// many connections failed.
async fn open_clients(
    server: &Server,
    tokens: &[String],
    n: usize,
    arrivals: Arc<Mutex<Vec<(i64, Instant)>>>,
) -> (Vec<tokio::task::JoinHandle<()>>, usize) {
    let ws_base = server.base.replacen("http://", "ws://", 1);
    let mut clients = Vec::with_capacity(n);
    let mut failed = 0;
    for start in (0..n).step_by(200) {
        let mut handshakes = Vec::new();
        for i in start..(start + 200).min(n) {
            let url = format!("{ws_base}/api/v1/streaming?stream=user&access_token={}", tokens[i % tokens.len()]);
            handshakes.push(tokio::spawn(async move {
                tokio::time::timeout(Duration::from_secs(20), tokio_tungstenite::connect_async(url)).await
            }));
        }
        for h in handshakes {
            match h.await {
                Ok(Ok(Ok((mut ws, _)))) => {
                    let arrivals = arrivals.clone();
                    clients.push(tokio::spawn(async move {
                        // Bounded by the socket: the task ends when the scenario drops it.
                        while let Some(Ok(msg)) = ws.next().await {
                            let tokio_tungstenite::tungstenite::Message::Text(text) = msg else { continue };
                            let at = Instant::now();
                            let Ok(frame) = serde_json::from_str::<serde_json::Value>(text.as_str()) else { continue };
                            if frame["event"] != "update" {
                                continue;
                            }
                            let payload = frame["payload"].as_str().unwrap_or("{}");
                            let id = serde_json::from_str::<serde_json::Value>(payload)
                                .ok()
                                .and_then(|p| p["id"].as_str().and_then(|i| i.parse::<i64>().ok()));
                            if let Some(id) = id {
                                arrivals.lock().unwrap_or_else(|p| p.into_inner()).push((id, at));
                            }
                        }
                    }));
                }
                _ => failed += 1,
            }
        }
    }
    (clients, failed)
}

/// Posts by many accounts at `rate` a second for `seconds`, each acknowledgement's time kept
/// by post id.
async fn post_at(
    server: &Server,
    tokens: Arc<Vec<String>>,
    rate: f64,
    seconds: u64,
    acks: Arc<Mutex<HashMap<i64, Instant>>>,
) -> Stats {
    // The load generator's Poster mode does not keep ids; a paced loop of our own does.
    let client = reqwest::Client::new();
    let interval = Duration::from_secs_f64(1.0 / rate.max(0.1));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut due = Instant::now();
    let mut tasks = Vec::new();
    let mut n = 0usize;
    // Bounded: the deadline, and the count the rate allows.
    while Instant::now() < deadline && n < (rate * seconds as f64) as usize + 1 {
        tokio::time::sleep_until(due.into()).await;
        due += interval;
        let (client, base, token, acks) =
            (client.clone(), server.base.clone(), tokens[n % tokens.len()].clone(), acks.clone());
        let sent = Instant::now();
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(format!("{base}/api/v1/statuses"))
                .bearer_auth(token)
                .json(&serde_json::json!({"status": format!("Ward round notes ready ({n})"), "visibility": "public"}))
                .send()
                .await
                .ok()?;
            let v: serde_json::Value = res.error_for_status().ok()?.json().await.ok()?;
            let id = v["id"].as_str()?.parse::<i64>().ok()?;
            acks.lock().unwrap_or_else(|p| p.into_inner()).insert(id, Instant::now());
            Some(sent.elapsed().as_secs_f64() * 1000.0)
        }));
        n += 1;
    }
    let started = deadline - Duration::from_secs(seconds);
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        match t.await {
            Ok(Some(ms)) => lat.push(ms),
            _ => errors += 1,
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| percentile(&lat, p).unwrap_or(0.0);
    Stats {
        requests: lat.len(),
        errors,
        rps: lat.len() as f64 / started.elapsed().as_secs_f64().max(0.001),
        p50: pct(0.5),
        p95: pct(0.95),
        p99: pct(0.99),
        max: lat.last().copied().unwrap_or(0.0),
        cpu: 0.0,
        first_error: (errors > 0).then(|| format!("{errors} post(s) did not reach a stream")),
    }
}

pub async fn streaming(
    dir: &Path,
    data: &DataSet,
    connections: usize,
    seconds: u64,
    clients: usize,
    rates: &[f64],
) -> anyhow::Result<Vec<Stats>> {
    let server = start(dir, data).await?;
    let pid = server.child.id();
    let tokens = Arc::new(data.tokens.clone());
    // Warm the server (pools, caches) before measuring its memory.
    drive_as(&server, one_path("/api/v1/timelines/home"), tokens.clone(), As::Bearer, connections, 2, None).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let anon_before = status_mib(pid, "RssAnon:");
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let opened = Instant::now();
    let (tasks, failed) = open_clients(&server, &tokens, clients, arrivals.clone()).await;
    let open_secs = opened.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let anon_open = status_mib(pid, "RssAnon:");
    let per_client_kib = (anon_open - anon_before) * 1024.0 / tasks.len().max(1) as f64;
    println!(
        "{} streams open ({failed} failed) in {open_secs:.1} s: {per_client_kib:.1} KiB of server memory each",
        tasks.len()
    );

    let mut rows = Vec::new();
    for &rate in rates {
        arrivals.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let acks = Arc::new(Mutex::new(HashMap::new()));
        let posted = post_at(&server, tokens.clone(), rate, seconds, acks.clone()).await;
        // Late deliveries still count: wait for the queue (up to two minutes; a server that
        // cannot keep up is reported, not waited for), then a moment for the sockets.
        let drained = crate::scenarios::drain(&server, Duration::from_secs(120)).await.is_ok();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let acks = acks.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let got = std::mem::take(&mut *arrivals.lock().unwrap_or_else(|p| p.into_inner()));
        let mut lat: Vec<f64> = got
            .iter()
            .filter_map(|(id, at)| acks.get(id).map(|ack| at.saturating_duration_since(*ack).as_secs_f64() * 1000.0))
            .collect();
        lat.sort_by(|a, b| a.total_cmp(b));
        let reached = got.iter().map(|(id, _)| *id).collect::<std::collections::HashSet<_>>().len();
        rows.push((rate, posted, lat, reached, acks.len(), drained));
    }
    let anon_after = status_mib(pid, "RssAnon:");
    drop(tasks);

    println!(
        "\n{} user streams open ({failed} failed) in {open_secs:.1} s over {} accounts; server anonymous memory {anon_before:.1} \
         → {anon_open:.1} MiB: {per_client_kib:.1} KiB per open stream (target ≤ 24 KiB); {anon_after:.1} MiB after \
         the posting rows\n",
        clients - failed,
        tokens.len().min(clients)
    );
    println!("{HEADER}");
    for (rate, posted, ..) in &rows {
        println!("{}", row(&format!("posting at {rate:.0}/s while streaming"), posted, *rate));
    }
    println!(
        "\n| posting rate | posts | posts seen on a stream | deliveries | delivery p50 ms | p99 ms | max ms | queue emptied within 2 min |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|:---:|");
    for (rate, _, lat, reached, acked, drained) in &rows {
        let pct = |p: f64| percentile(lat, p).unwrap_or(f64::NAN);
        println!(
            "| {rate:.0}/s | {acked} | {reached} | {} | {:.0} | {:.0} | {:.0} | {} |",
            lat.len(),
            pct(0.5),
            pct(0.99),
            lat.last().copied().unwrap_or(f64::NAN),
            if *drained { "yes" } else { "no" }
        );
    }
    println!(
        "\n(\"of floor\" above is of the posting rate asked for; a delivery is one post arriving on one open stream)"
    );
    let out = serde_json::json!({"scenario": "streaming", "clients": clients - failed, "failed": failed,
        "open_seconds": open_secs, "anon_before_mib": anon_before, "anon_open_mib": anon_open,
        "per_client_kib": per_client_kib, "anon_after_mib": anon_after,
        "rows": rows.iter().map(|(rate, posted, lat, reached, acked, drained)| serde_json::json!({"rate": rate,
            "posting": json(posted), "posts": acked, "posts_seen": reached, "deliveries": lat.len(), "drained": drained,
            "p50_ms": percentile(lat, 0.5), "p99_ms": percentile(lat, 0.99), "max_ms": lat.last()})).collect::<Vec<_>>()});
    std::fs::write(dir.join("streaming.json"), serde_json::to_string_pretty(&out)?)?;
    anyhow::ensure!(failed == 0, "{failed} of {clients} streams did not open");
    anyhow::ensure!(rows.iter().all(|r| r.3 > 0), "no post reached an open stream");
    Ok(rows.into_iter().map(|r| r.1).collect())
}
