//! Load against a real `canteen serve` process on loopback, with the floor of the same
//! stack (`GET /health`) measured in the same run under the same connection count.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::generate::{DataSet, Rng};

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `canteen` binary built beside this one.
fn canteen_binary() -> anyhow::Result<std::path::PathBuf> {
    let me = std::env::current_exe()?;
    let bin = me.with_file_name("canteen");
    anyhow::ensure!(bin.exists(), "{} not found: build it with `cargo build --release -p canteen`", bin.display());
    Ok(bin)
}

/// `canteen <args> --data-dir <dir>`, on the data set's database.
pub(crate) fn canteen(args: &[&str], dir: &Path, data: &DataSet) -> anyhow::Result<Command> {
    let mut command = Command::new(canteen_binary()?);
    command.args(args).arg("--data-dir").arg(dir);
    if let Some(url) = &data.database_url {
        command.args(["--database-url", url]);
    }
    Ok(command)
}

pub(crate) async fn start(dir: &Path, data: &DataSet) -> anyhow::Result<Server> {
    start_with(dir, data, &[]).await
}

/// [`start`], with more environment variables (configuration) for the server.
pub(crate) async fn start_with(dir: &Path, data: &DataSet, envs: &[(&str, &str)]) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let listen = format!("127.0.0.1:{port}");
    let child = canteen(&["serve", "--listen", &listen], dir, data)?
        .envs(envs.iter().copied())
        .env("CANTEEN_RATE_LIMITS", "false")
        .env("CANTEEN_SQLITE_SYNCHRONOUS", "normal")
        .env("CANTEEN_LOG_LEVEL", "warn")
        // Readers' connections: 16 unless the bench's own environment says otherwise.
        .env(
            "CANTEEN_DATABASE_MAX_CONNECTIONS",
            std::env::var("CANTEEN_DATABASE_MAX_CONNECTIONS").unwrap_or_else(|_| "16".into()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let server = Server { child, base: format!("http://{listen}") };
    let client = reqwest::Client::new();
    for _ in 0..400 {
        if client.get(format!("{}/health", server.base)).send().await.is_ok() {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("canteen serve did not start")
}

/// The head of every scenario's Markdown table (rows come from [`row`]).
pub(crate) const HEADER: &str = "| scenario | req/s | of floor | p50 ms | p95 ms | p99 ms | max ms | requests | errors | server CPU (cores) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

/// The value at fraction `p` of sorted values (`None` when there are none).
pub(crate) fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    sorted.get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1))).copied()
}

/// A memory field of /proc/<pid>/status (`VmHWM:`, `VmRSS:`, `RssAnon:` …) in MiB.
pub(crate) fn status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// (user+system CPU seconds, peak RSS in MiB) of a process so far, from /proc.
pub(crate) fn cpu_and_rss(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    (cpu, status_mib(pid, "VmHWM:"))
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub(crate) requests: usize,
    pub(crate) errors: usize,
    pub(crate) rps: f64,
    pub(crate) p50: f64,
    pub(crate) p95: f64,
    pub(crate) p99: f64,
    pub(crate) max: f64,
    pub(crate) cpu: f64,
    /// What the first failed request answered, to say why a run failed.
    pub(crate) first_error: Option<String>,
}

/// Closed loop (`per_second` = None: as fast as answers come) or paced open loop.
pub(crate) async fn drive(
    server: &Server,
    paths: Arc<Vec<String>>,
    tokens: Arc<Vec<String>>,
    connections: usize,
    seconds: u64,
    per_second: Option<f64>,
) -> Stats {
    drive_as(server, paths, tokens, As::Bearer, connections, seconds, per_second).await
}

/// How each request is made.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum As {
    /// `GET` with the token as a bearer token.
    Bearer,
    /// `GET` with the token as a browser session's cookie (`canteen_session`).
    Cookie,
    /// `POST` of a new public post (the path is the endpoint), with a bearer token.
    Poster,
    /// With a bearer token, each path as [`mixed_request`] reads it: `GET` by default,
    /// `POST <path>` with no body, `REPLY <id>` answering a post, `NEW` posting.
    Mixed,
}

/// The request one of [`As::Mixed`]'s paths stands for; `n` makes posted text unique.
fn mixed_request(client: &reqwest::Client, base: &str, spec: &str, n: String) -> reqwest::RequestBuilder {
    let post = |body: serde_json::Value| client.post(format!("{base}/api/v1/statuses")).json(&body);
    if let Some(path) = spec.strip_prefix("POST ") {
        client.post(format!("{base}{path}"))
    } else if let Some(id) = spec.strip_prefix("REPLY ") {
        post(serde_json::json!({"status": format!("Thanks, useful for our ward too ({n})"), "in_reply_to_id": id}))
    } else if spec == "NEW" {
        post(
            serde_json::json!({"status": format!("Flu clinic open until 6 today #flujab ({n})"), "visibility": "public"}),
        )
    } else {
        client.get(format!("{base}{spec}"))
    }
}

/// As [`drive`], with requests made `how`.
pub(crate) async fn drive_as(
    server: &Server,
    paths: Arc<Vec<String>>,
    tokens: Arc<Vec<String>>,
    how: As,
    connections: usize,
    seconds: u64,
    per_second: Option<f64>,
) -> Stats {
    let base = server.base.clone();
    let make = move |client: &reqwest::Client, rng: &mut Rng, c: usize, n: usize| {
        let path = &paths[rng.below(paths.len())];
        let mut req = match how {
            As::Poster => client.post(format!("{base}{path}")).json(&serde_json::json!({
                "status": format!("Handover done on time again, thank you all #teamwork ({c}-{n})"),
                "visibility": "public",
            })),
            As::Mixed => mixed_request(client, &base, path, format!("{c}-{n}")),
            _ => client.get(format!("{base}{path}")),
        };
        if !tokens.is_empty() {
            let token = &tokens[rng.below(tokens.len())];
            req = match how {
                As::Cookie => req.header("cookie", format!("canteen_session={token}")),
                _ => req.bearer_auth(token),
            };
        }
        req
    };
    drive_with(server, Arc::new(make), connections, seconds, per_second).await
}

/// Builds one request: the client, the connection's random numbers, the connection's number
/// and how many requests it has answered so far.
pub(crate) type MakeRequest = dyn Fn(&reqwest::Client, &mut Rng, usize, usize) -> reqwest::RequestBuilder + Send + Sync;

/// Closed loop or paced open loop over `connections`, each request made by `make`; a
/// request counts when it answers 2xx.
pub(crate) async fn drive_with(
    server: &Server,
    make: Arc<MakeRequest>,
    connections: usize,
    seconds: u64,
    per_second: Option<f64>,
) -> Stats {
    let client = reqwest::Client::builder().pool_max_idle_per_host(connections).build().unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (cpu0, _) = cpu_and_rss(server.child.id());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (client, make) = (client.clone(), make.clone());
        let interval = per_second.map(|r| Duration::from_secs_f64(connections as f64 / r));
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(0xbeef + c as u64);
            let (mut lat, mut errors) = (Vec::new(), 0usize);
            let mut first_error: Option<String> = None;
            // Paced connections start spread over one interval; started together they would
            // arrive in bursts and measure queueing behind each burst, not the server.
            if let Some(iv) = interval {
                tokio::time::sleep(iv.mul_f64(c as f64 / connections as f64)).await;
            }
            // Paced requests are timed from when they were due, not from when they went out,
            // so a stalled server is charged for the requests it held back (coordinated
            // omission); a request that is late goes at once.
            let mut due = Instant::now();
            // Bounded: a deadline, and at most 2 million requests per connection.
            for _ in 0..2_000_000 {
                let t = match interval {
                    Some(iv) => {
                        if due > Instant::now() {
                            tokio::time::sleep_until(due.into()).await;
                        }
                        let this = due;
                        due += iv;
                        this
                    }
                    None => Instant::now(),
                };
                if Instant::now() >= deadline {
                    break;
                }
                let req = make(&client, &mut rng, c, lat.len());
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    Ok(r) => {
                        errors += 1;
                        if first_error.is_none() {
                            let status = r.status();
                            let body = r.text().await.unwrap_or_default();
                            first_error = Some(format!("{status}: {}", body.chars().take(200).collect::<String>()));
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| format!("request failed: {e}"));
                    }
                }
            }
            (lat, errors, first_error)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        if let Ok((l, e, first)) = t.await {
            all.extend(l);
            errors += e;
            first_error = first_error.or(first);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (cpu1, _) = cpu_and_rss(server.child.id());
    all.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| percentile(&all, p).unwrap_or(0.0);
    Stats {
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p95: pct(0.95),
        p99: pct(0.99),
        max: all.last().copied().unwrap_or(0.0),
        cpu: (cpu1 - cpu0) / elapsed,
        first_error,
    }
}

pub(crate) fn row(name: &str, s: &Stats, floor: f64) -> String {
    format!(
        "| {name} | {:.0} | {:.1}% | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {:.2} |",
        s.rps,
        100.0 * s.rps / floor.max(1.0),
        s.p50,
        s.p95,
        s.p99,
        s.max,
        s.requests,
        s.errors,
        s.cpu
    )
}

pub(crate) fn json(s: &Stats) -> serde_json::Value {
    serde_json::json!({"requests": s.requests, "errors": s.errors, "rps": s.rps, "p50_ms": s.p50, "p95_ms": s.p95,
                       "p99_ms": s.p99, "max_ms": s.max, "server_cpu_cores": s.cpu})
}

/// Scenario 1: home timeline reads, at saturation and at half that rate, beside the floor;
/// and deep pages (older than the 400th post of a reader's feed) at saturation.
pub async fn home(dir: &Path, data: &DataSet, connections: usize, seconds: u64) -> anyhow::Result<Vec<Stats>> {
    let server = start(dir, data).await?;
    let tokens = Arc::new(data.tokens.clone());
    // Warm the caches and the connection pool first.
    let home = one_path("/api/v1/timelines/home");
    drive(&server, home.clone(), tokens.clone(), connections, 2, None).await;
    let (deep_paths, deep_readers) = deep_pages(&server, &data.tokens).await?;
    let deep = Arc::new(deep_paths);
    let floor = drive(&server, one_path("/health"), Arc::new(Vec::new()), connections, seconds, None).await;
    let sat = drive(&server, home.clone(), tokens.clone(), connections, seconds, None).await;
    let half = drive(&server, home, tokens.clone(), connections, seconds, Some(sat.rps / 2.0)).await;
    let deep_sat = drive(&server, deep, Arc::new(Vec::new()), connections, seconds, None).await;
    let (_, rss) = cpu_and_rss(server.child.id());
    println!("{HEADER}");
    println!("{}", row("floor: GET /health", &floor, floor.rps));
    println!("{}", row("home timeline, saturated", &sat, floor.rps));
    println!("{}", row("home timeline, half load", &half, floor.rps));
    println!("{}", row("home timeline, deep page, saturated", &deep_sat, floor.rps));
    println!(
        "\ndeep page: 20 pages (400 posts) into the feeds of {deep_readers} readers (0: none that deep, each one's deepest); \
         cost per request {:.1}× page one",
        sat.rps / deep_sat.rps.max(0.001)
    );
    println!("server peak RSS: {rss:.0} MiB; {connections} connections; {seconds} s per row");
    let out = serde_json::json!({"scenario": "home", "connections": connections, "seconds": seconds, "peak_rss_mib": rss,
        "floor": json(&floor), "saturated": json(&sat), "half_load": json(&half), "deep_saturated": json(&deep_sat),
        "deep_readers": deep_readers});
    std::fs::write(dir.join("home.json"), serde_json::to_string_pretty(&out)?)?;
    Ok(vec![floor, sat, half, deep_sat])
}

/// For up to 64 readers, the path of their home timeline 20 pages (400 posts) down, with the
/// reader's token in the query (`access_token=`), so each deep page is that reader's own.
/// Readers with shorter feeds are left out; if none is that deep, each reader's deepest page.
async fn deep_pages(server: &Server, tokens: &[String]) -> anyhow::Result<(Vec<String>, usize)> {
    const PAGES: usize = 20;
    let client = reqwest::Client::new();
    let (mut deep, mut deepest) = (Vec::new(), Vec::new());
    for token in tokens.iter().take(64) {
        let (mut max_id, mut depth) = (None::<String>, 0);
        while depth < PAGES {
            let mut url = format!("{}/api/v1/timelines/home?limit=20&access_token={token}", server.base);
            if let Some(id) = &max_id {
                url.push_str(&format!("&max_id={id}"));
            }
            let page: serde_json::Value = client.get(url).send().await?.error_for_status()?.json().await?;
            match page.as_array().and_then(|p| p.last()).and_then(|s| s["id"].as_str()) {
                Some(id) => max_id = Some(id.to_string()),
                None => break,
            }
            depth += 1;
        }
        if let Some(id) = max_id {
            let path = format!("/api/v1/timelines/home?max_id={id}&access_token={token}");
            if depth == PAGES { deep.push(path) } else { deepest.push(path) }
        }
    }
    let readers = deep.len();
    anyhow::ensure!(readers > 0 || !deepest.is_empty(), "no reader has a home timeline");
    Ok(if readers > 0 { (deep, readers) } else { (deepest, 0) })
}

pub(crate) fn one_path(path: &str) -> Arc<Vec<String>> {
    Arc::new(vec![path.to_string()])
}

/// Search: the index is rebuilt with `canteen admin reindex` (timed), then two-word post
/// searches by many accounts (so each carries its own audience keys), by relevance and
/// newest first, beside the floor.
pub async fn search(dir: &Path, data: &DataSet, connections: usize, seconds: u64) -> anyhow::Result<Vec<Stats>> {
    let started = Instant::now();
    let out =
        canteen(&["admin", "reindex"], dir, data)?.env("CANTEEN_LOG_LEVEL", "warn").stderr(Stdio::null()).output()?;
    anyhow::ensure!(out.status.success(), "reindex failed: {}", String::from_utf8_lossy(&out.stdout));
    let reindex_secs = started.elapsed().as_secs_f64();
    let indexed = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let server = start(dir, data).await?;
    let tokens = Arc::new(data.tokens.clone());
    let mut rng = Rng::new(0x5ea5c4);
    let words = crate::generate::words();
    let queries = |order: &str, rng: &mut Rng| -> Arc<Vec<String>> {
        Arc::new(
            (0..500)
                .map(|_| {
                    let (a, b) = (words[rng.below(words.len())], words[rng.below(words.len())]);
                    format!("/api/v2/search?type=statuses&limit=20&sort={order}&q={a}+{b}")
                })
                .collect(),
        )
    };
    let relevance = queries("relevance", &mut rng);
    let newest = queries("newest", &mut rng);
    drive(&server, relevance.clone(), tokens.clone(), connections, 2, None).await;
    let floor = drive(&server, one_path("/health"), Arc::new(Vec::new()), connections, seconds, None).await;
    let sat = drive(&server, relevance.clone(), tokens.clone(), connections, seconds, None).await;
    let half = drive(&server, relevance, tokens.clone(), connections, seconds, Some(sat.rps / 2.0)).await;
    let new_sat = drive(&server, newest, tokens, connections, seconds, None).await;
    let (_, rss) = cpu_and_rss(server.child.id());
    println!("`canteen admin reindex`: {indexed} ({reindex_secs:.1} s with start-up)\n");
    println!("{HEADER}");
    println!("{}", row("floor: GET /health", &floor, floor.rps));
    println!("{}", row("search by relevance, saturated", &sat, floor.rps));
    println!("{}", row("search by relevance, half load", &half, floor.rps));
    println!("{}", row("search newest first, saturated", &new_sat, floor.rps));
    println!("\nserver peak RSS: {rss:.0} MiB; {connections} connections; {seconds} s per row");
    let out = serde_json::json!({"scenario": "search", "connections": connections, "seconds": seconds,
        "peak_rss_mib": rss, "reindex_seconds": reindex_secs, "reindex": indexed, "floor": json(&floor),
        "relevance_saturated": json(&sat), "relevance_half_load": json(&half), "newest_saturated": json(&new_sat)});
    std::fs::write(dir.join("search.json"), serde_json::to_string_pretty(&out)?)?;
    Ok(vec![floor, sat, half, new_sat])
}

/// The web app: the home page (compose form and 20 posts, rendered on the server) by many
/// signed-in browser sessions and the local timeline, beside the floor; and the weight of a
/// first visit (the page and every asset it loads, gzipped as a browser would get them).
pub async fn web(dir: &Path, data: &DataSet, connections: usize, seconds: u64) -> anyhow::Result<Vec<Stats>> {
    let server = start(dir, data).await?;
    let sessions = Arc::new(data.sessions.clone());
    let home = one_path("/");
    drive_as(&server, home.clone(), sessions.clone(), As::Cookie, connections, 2, None).await;
    let floor = drive(&server, one_path("/health"), Arc::new(Vec::new()), connections, seconds, None).await;
    let sat = drive_as(&server, home.clone(), sessions.clone(), As::Cookie, connections, seconds, None).await;
    let half = drive_as(&server, home, sessions.clone(), As::Cookie, connections, seconds, Some(sat.rps / 2.0)).await;
    let local = drive_as(&server, one_path("/local"), sessions.clone(), As::Cookie, connections, seconds, None).await;
    let single = drive_as(&server, one_path("/"), sessions.clone(), As::Cookie, 1, seconds.min(5), None).await;
    // Issue 5's render target is for a 40-post page.
    let single40 =
        drive_as(&server, one_path("/?limit=40"), sessions.clone(), As::Cookie, 1, seconds.min(5), None).await;
    let local40 =
        drive_as(&server, one_path("/local?limit=40"), sessions.clone(), As::Cookie, 1, seconds.min(5), None).await;
    let (weight, files) = first_visit_weight(&server, &data.sessions[0]).await?;
    let (_, rss) = cpu_and_rss(server.child.id());
    println!("{HEADER}");
    println!("{}", row("floor: GET /health", &floor, floor.rps));
    println!("{}", row("home page, saturated", &sat, floor.rps));
    println!("{}", row("home page, half load", &half, floor.rps));
    println!("{}", row("local timeline page, saturated", &local, floor.rps));
    println!("{}", row("home page, one connection", &single, floor.rps));
    println!("{}", row("home page, 40 posts, one connection", &single40, floor.rps));
    println!("{}", row("local timeline, 40 posts, one connection", &local40, floor.rps));
    println!(
        "\nfirst visit (home page and its assets, gzipped): {:.1} KB in {} files",
        weight as f64 / 1024.0,
        files.len()
    );
    for (url, bytes) in &files {
        println!("- {url}: {:.1} KB", *bytes as f64 / 1024.0);
    }
    println!("\nserver peak RSS: {rss:.0} MiB; {connections} connections; {seconds} s per row");
    let out = serde_json::json!({"scenario": "web", "connections": connections, "seconds": seconds, "peak_rss_mib": rss,
        "floor": json(&floor), "home_saturated": json(&sat), "home_half_load": json(&half),
        "local_saturated": json(&local), "home_one_connection": json(&single),
        "home_40_one_connection": json(&single40), "local_40_one_connection": json(&local40),
        "first_visit_gzip_bytes": weight});
    std::fs::write(dir.join("web.json"), serde_json::to_string_pretty(&out)?)?;
    Ok(vec![floor, sat, half, local, single, single40, local40])
}

/// Fetches the home page and every file it loads (stylesheets, icon, scripts and the modules
/// they import), asking for gzip; returns the total bytes on the wire and each file's.
async fn first_visit_weight(server: &Server, session: &str) -> anyhow::Result<(usize, Vec<(String, usize)>)> {
    let client = reqwest::Client::new();
    let get = |path: String| {
        let req = client
            .get(format!("{}{path}", server.base))
            .header("accept-encoding", "gzip")
            .header("cookie", format!("canteen_session={session}"));
        async move {
            let res = req.send().await?;
            anyhow::ensure!(res.status().is_success(), "{path}: {}", res.status());
            Ok::<_, anyhow::Error>(res.bytes().await?.to_vec())
        }
    };
    let page = get("/".into()).await?;
    let html = String::from_utf8_lossy(&page).to_string();
    let html = if html.contains("<html") { html } else { decompressed(&page)? };
    let mut queue: Vec<String> = Vec::new();
    for attr in ["href=\"/assets/", "src=\"/assets/"] {
        for part in html.split(attr).skip(1) {
            let path = format!("/assets/{}", part.split('"').next().unwrap_or(""));
            // One icon is fetched (the SVG); the others are alternatives.
            if (path.ends_with(".ico") || path.ends_with(".png")) || queue.contains(&path) {
                continue;
            }
            queue.push(path);
        }
    }
    let mut files = vec![("/".to_string(), page.len())];
    let mut i = 0;
    while i < queue.len() && i < 50 {
        let path = queue[i].clone();
        let body = get(path.clone()).await?;
        if path.ends_with(".js") {
            // Module imports: `from './x.js'` and `from '../../nhsuk/…'`, relative to the file.
            let text = decompressed(&body).unwrap_or_default();
            for part in text.split("from '").skip(1) {
                let rel = part.split('\'').next().unwrap_or("");
                if let Ok(url) = url::Url::parse(&format!("http://x{path}")).and_then(|u| u.join(rel)) {
                    let p = url.path().to_string();
                    if !queue.contains(&p) {
                        queue.push(p);
                    }
                }
            }
        }
        files.push((path, body.len()));
        i += 1;
    }
    Ok((files.iter().map(|f| f.1).sum(), files))
}

fn decompressed(bytes: &[u8]) -> anyhow::Result<String> {
    use std::io::Read;
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut out)?;
    Ok(out)
}
