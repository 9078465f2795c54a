//! Scenario 4: a post by an account with 100,000 followers (a trust's page). How long until
//! its followers' home timelines show it, how many bytes the server writes for it, and what
//! it does to everyone else's home timeline meanwhile — with the hybrid fan-out the server
//! uses (the author is past `home_feed_pull_threshold`, so followers' reads merge the post in)
//! and, for comparison, with one feed row written per follower.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use canteen_domain::Id;
use canteen_store::bulk::{self, BulkAccount};
use canteen_store::oauth::TokenRecord;

use crate::generate::{DataSet, START_MS, open_store, token_hash};
use crate::load::{HEADER, Server, Stats, drive, json, one_path, percentile, row, start_with};
use crate::scenarios::drain;

const PAGE_TOKEN: &str = "bench-trustpage-token";
/// Followers whose home timelines are watched for the post, each read every [`POLL`] (spread
/// over the interval): enough to see the spread, few enough not to load the server much.
const PROBED: usize = 20;
const POLL: Duration = Duration::from_millis(50);

/// The page's id, and tokens of the page and of the probed followers.
struct Page {
    id: i64,
    token: String,
    fan_tokens: Vec<String>,
}

/// Adds the page and `fans` accounts following it to the data set (once per data set).
async fn ensure_page(dir: &Path, data: &DataSet, fans: usize) -> anyhow::Result<Page> {
    let backend = if data.database_url.is_some() { "pg-" } else { "" };
    let marker = dir.join(format!("celebrity-v1-{backend}{fans}"));
    let probed: Vec<usize> = (0..PROBED.min(fans)).map(|i| i * fans / PROBED.min(fans).max(1)).collect();
    let fan_tokens: Vec<String> = probed.iter().map(|i| format!("bench-fan-token-{i}")).collect();
    // Ids from a time before the generated accounts', so none collides with theirs.
    let page_id = Id::from_parts(START_MS - 1_000_000, 0).0;
    let page = Page { id: page_id, token: PAGE_TOKEN.into(), fan_tokens };
    if marker.exists() {
        return Ok(page);
    }
    let started = Instant::now();
    let store = open_store(dir, data).await?;
    let fan_ids: Vec<i64> = (0..fans).map(|i| Id::from_parts(START_MS - 900_000 + i as i64, 0).0).collect();
    let mut names = vec![("trustpage".to_string(), page_id)];
    names.extend(fan_ids.iter().enumerate().map(|(i, id)| (format!("fan{i}"), *id)));
    let uris: Vec<(String, String)> = names
        .iter()
        .map(|(n, _)| (format!("http://127.0.0.1:8080/users/{n}"), format!("http://127.0.0.1:8080/@{n}")))
        .collect();
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hiZW5jaGJlbmNo$bench";
    for (chunk, uris) in names.chunks(1000).zip(uris.chunks(1000)) {
        let rows: Vec<BulkAccount> = chunk
            .iter()
            .zip(uris)
            .map(|((n, id), (uri, url))| BulkAccount { id: *id, username: n, uri, url, created_at: START_MS })
            .collect();
        let mut tx = store.begin().await?;
        bulk::accounts(tx.exec(), &rows, hash).await?;
        tx.commit().await?;
    }
    let mut tx = store.begin().await?;
    for chunk in fan_ids.chunks(4000) {
        let follows: Vec<(i64, i64, i64)> = chunk.iter().map(|f| (*f, page_id, START_MS)).collect();
        bulk::follows(tx.exec(), &follows).await?;
    }
    let mut holders = vec![(PAGE_TOKEN.to_string(), page_id)];
    holders.extend(probed.iter().zip(&page.fan_tokens).map(|(i, t)| (t.clone(), fan_ids[*i])));
    for (k, (token, account)) in holders.iter().enumerate() {
        let record = TokenRecord {
            id: Id::from_parts(START_MS - 1, 2 + k as u64).0,
            token_hash: token_hash(token),
            refresh_hash: None,
            app_id: Id::from_parts(START_MS, 1).0,
            user_id: Some(*account),
            account_id: Some(*account),
            scopes: "read write".into(),
            created_at: START_MS,
            expires_at: None,
            revoked_at: None,
            last_used_at: Some(i64::MAX / 2),
        };
        canteen_store::oauth::insert_token(tx.exec(), &record).await?;
    }
    tx.commit().await?;
    bulk::analyze(store.writer()).await?;
    store.checkpoint_if_needed().await?;
    store.close().await;
    std::fs::write(&marker, "")?;
    println!("added a page with {fans} followers in {:.1} s", started.elapsed().as_secs_f64());
    Ok(page)
}

/// Bytes the process has caused to be written to storage (`write_bytes` of /proc/<pid>/io:
/// the database, its WAL and the search index; not what it sends over sockets).
fn written(pid: u32) -> u64 {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    io.lines().find_map(|l| l.strip_prefix("write_bytes:")).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(0)
}

/// Posts as the page, then polls every probed follower's home timeline (each every [`POLL`],
/// up to `within`): milliseconds from acknowledgement to each follower's first sight.
async fn post_and_watch(server: &Server, page: &Page, within: Duration) -> anyhow::Result<Vec<f64>> {
    let client = reqwest::Client::new();
    let status: serde_json::Value = client
        .post(format!("{}/api/v1/statuses", server.base))
        .bearer_auth(&page.token)
        .json(&serde_json::json!({"status": "Flu vaccination clinics open at all sites this week", "visibility": "public"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let acknowledged = Instant::now();
    let id = status["id"].as_str().unwrap_or_default().to_string();
    let since = id.parse::<i64>().map(|n| n - 1).unwrap_or(0);
    let mut watchers = Vec::new();
    for (i, fan) in page.fan_tokens.iter().enumerate() {
        let (client, fan, base, id) = (client.clone(), fan.clone(), server.base.clone(), id.clone());
        let phase = POLL.mul_f64(i as f64 / page.fan_tokens.len() as f64);
        watchers.push(tokio::spawn(async move {
            tokio::time::sleep(phase).await;
            while acknowledged.elapsed() < within {
                let url = format!("{base}/api/v1/timelines/home?since_id={since}&limit=5");
                if let Ok(r) = client.get(url).bearer_auth(&fan).send().await
                    && let Ok(v) = r.json::<serde_json::Value>().await
                    && v.as_array().is_some_and(|a| a.iter().any(|s| s["id"].as_str() == Some(id.as_str())))
                {
                    return Some(acknowledged.elapsed().as_secs_f64() * 1000.0);
                }
                tokio::time::sleep(POLL).await;
            }
            None
        }));
    }
    let mut seen = Vec::new();
    for w in watchers {
        seen.extend(w.await?);
    }
    seen.sort_by(|a, b| a.total_cmp(b));
    Ok(seen)
}

/// One way of delivering the post: home reads by everyone else at half load before and
/// while the page posts, the followers' first sight, and the bytes written.
struct Run {
    label: &'static str,
    before: Stats,
    during: Stats,
    seen: Vec<f64>,
    write_bytes: u64,
}

pub async fn celebrity(
    dir: &Path,
    data: &DataSet,
    connections: usize,
    seconds: u64,
    fans: usize,
    quick: bool,
) -> anyhow::Result<Vec<Stats>> {
    let page = ensure_page(dir, data, fans).await?;
    let tokens = Arc::new(data.tokens.clone());
    let home = one_path("/api/v1/timelines/home");
    // The quick data set's page has 2,000 followers: lower the threshold to pull it.
    let pulled: &[(&str, &str)] = if quick { &[("CANTEEN_HOME_FEED_PULL_THRESHOLD", "1000")] } else { &[] };
    let pushed: &[(&str, &str)] = &[("CANTEEN_HOME_FEED_PULL_THRESHOLD", "1000000000")];
    let mut runs = Vec::new();
    // Pushed first: once the server has pulled an author it keeps pulling them, so the page
    // is taken off that list for the pushed run.
    for (label, envs) in [("one feed row per follower", pushed), ("pulled (the server's default)", pulled)] {
        if envs == pushed {
            let store = open_store(dir, data).await?;
            bulk::unpull(store.writer(), page.id).await?;
            store.close().await;
        }
        let server = start_with(dir, data, envs).await?;
        drain(&server, Duration::from_secs(600)).await?;
        // A first post: with the hybrid fan-out, the job that fans it out finds the page past
        // the threshold and lists it, so from the next post on followers' reads merge it in.
        post_and_watch(&server, &page, Duration::from_secs(60)).await?;
        drain(&server, Duration::from_secs(600)).await?;
        let sat = drive(&server, home.clone(), tokens.clone(), connections, 2, None).await;
        let rate = Some(sat.rps / 2.0);
        let before = drive(&server, home.clone(), tokens.clone(), connections, seconds, rate).await;
        let pid = server.child.id();
        let written_before = written(pid);
        let watch = Duration::from_secs(seconds.max(10));
        let (during, seen) = tokio::join!(
            drive(&server, home.clone(), tokens.clone(), connections, seconds, rate),
            post_and_watch(&server, &page, watch),
        );
        drain(&server, Duration::from_secs(600)).await?;
        let write_bytes = written(pid).saturating_sub(written_before);
        runs.push(Run { label, before, during, seen: seen?, write_bytes });
    }

    println!("a post by a page with {fans} followers; home reads by {} other accounts at half load:\n", tokens.len());
    println!("{HEADER}");
    for r in &runs {
        println!("{}", row(&format!("{}: others' home, before", r.label), &r.before, r.before.rps));
        println!("{}", row(&format!("{}: others' home, while posting", r.label), &r.during, r.before.rps));
    }
    println!(
        "\n| delivery | followers probed | first sight p50 ms | p99 ms | max ms | MiB written | others' p99 during / before |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    for r in &runs {
        let pct = |p: f64| percentile(&r.seen, p).unwrap_or(f64::NAN);
        println!(
            "| {} | {} of {} | {:.0} | {:.0} | {:.0} | {:.1} | {:.2}× |",
            r.label,
            r.seen.len(),
            page.fan_tokens.len(),
            pct(0.5),
            pct(0.99),
            r.seen.last().copied().unwrap_or(f64::NAN),
            mib(r.write_bytes),
            r.during.p99 / r.before.p99.max(0.001)
        );
    }
    if data.database_url.is_some() {
        println!(
            "\n(on PostgreSQL the bytes are the canteen process's own, the search index; the database server's are not counted)"
        );
    }
    let out = serde_json::json!({"scenario": "celebrity", "followers": fans, "connections": connections,
        "seconds": seconds, "runs": runs.iter().map(|r| serde_json::json!({"delivery": r.label,
            "before": json(&r.before), "during": json(&r.during), "first_sight_ms": r.seen,
            "write_bytes": r.write_bytes})).collect::<Vec<_>>()});
    std::fs::write(dir.join("celebrity.json"), serde_json::to_string_pretty(&out)?)?;
    // The post must reach every probed follower, however it is delivered.
    for r in &runs {
        anyhow::ensure!(
            r.seen.len() == page.fan_tokens.len(),
            "{}: the post reached {} of {} followers",
            r.label,
            r.seen.len(),
            page.fan_tokens.len()
        );
    }
    Ok(runs.into_iter().flat_map(|r| [r.before, r.during]).collect())
}
