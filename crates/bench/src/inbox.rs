//! Scenario 10: the shared inbox under load. Remote actors (their documents served by a small
//! HTTP responder in this process, on loopback) send signed `Delete`s of posts this server
//! never had to `POST /inbox` — the commonest inbox traffic in the fediverse, since servers
//! broadcast deletes to everyone they know. Half are signed with RFC 9421 (as Fedify signs)
//! and half with draft-cavage (as Mastodon signs), with RSA-2048 keys. Every answer 202 is one
//! activity whose date window, body digest and signature the server checked against the
//! actor's stored key, then acted on (a look-up that finds nothing to delete).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use canteen_federation::keys::{PrivateKey, SignatureAlgorithm};
use canteen_federation::signatures::{RequestParts, sign_cavage, sign_rfc9421};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::generate::DataSet;
use crate::load::{HEADER, MakeRequest, Stats, cpu_and_rss, drive, drive_with, json, one_path, row, start_with};

/// One signed inbox POST, ready to send as often as needed.
struct Signed {
    body: Arc<Vec<u8>>,
    headers: Vec<(String, String)>,
}

impl Signed {
    /// The POST of this activity to `inbox`, with the headers it was signed with.
    fn request(&self, client: &reqwest::Client, inbox: &str) -> reqwest::RequestBuilder {
        let mut req = client.post(inbox).body(self.body.as_ref().clone());
        for (name, value) in &self.headers {
            req = req.header(name, value);
        }
        req
    }
}

/// The actors' keys, kept in the data directory: RSA key generation takes a second or so
/// each, signing a few milliseconds.
fn keys(dir: &Path, actors: usize) -> anyhow::Result<Vec<PrivateKey>> {
    let key_dir = dir.join("inbox-keys");
    std::fs::create_dir_all(&key_dir)?;
    let one = |n: usize| -> anyhow::Result<PrivateKey> {
        let path = key_dir.join(format!("actor-{n}.pem"));
        if let Ok(pem) = std::fs::read_to_string(&path) {
            return PrivateKey::from_pem(&pem).with_context(|| format!("{}", path.display()));
        }
        let key = PrivateKey::generate()?;
        std::fs::write(&path, key.to_pem())?;
        Ok(key)
    };
    // Two threads, one per core.
    std::thread::scope(|scope| {
        let halves: Vec<_> = (0..2)
            .map(|t| scope.spawn(move || (t..actors).step_by(2).map(|n| (n, one(n))).collect::<Vec<_>>()))
            .collect();
        let mut all: Vec<(usize, anyhow::Result<PrivateKey>)> =
            halves.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect();
        all.sort_by_key(|(n, _)| *n);
        all.into_iter().map(|(_, k)| k).collect()
    })
}

fn actor_uri(base: &str, n: usize) -> String {
    format!("{base}/actors/{n}")
}

fn actor_document(base: &str, n: usize, key: &PrivateKey) -> String {
    let id = actor_uri(base, n);
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": format!("remote{n}"),
        "name": format!("Remote nurse {n}"),
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": key.public_key().to_pem()},
    })
    .to_string()
}

/// Serves `GET /actors/{n}` from `docs` on a loopback port until the task is dropped.
async fn serve_actors(docs: Arc<Vec<String>>, listener: tokio::net::TcpListener) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else { return };
        let docs = docs.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            let mut len = 0;
            // One request per connection; the head fits in 8 KiB.
            while len < buf.len() {
                match socket.read(&mut buf[len..]).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => len += n,
                }
                if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let head = String::from_utf8_lossy(&buf[..len]);
            let path = head.split_whitespace().nth(1).unwrap_or("");
            let doc = path.strip_prefix("/actors/").and_then(|n| n.parse::<usize>().ok()).and_then(|n| docs.get(n));
            let response = match doc {
                Some(d) => format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/activity+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{d}",
                    d.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string(),
            };
            let _ = socket.write_all(response.as_bytes()).await;
        });
    }
}

/// `count` signed `Delete`s, round-robin over the actors, alternating the two signature
/// dialects; signed on two threads.
fn sign_pool(inbox: &str, actors_base: &str, keys: &[PrivateKey], count: usize) -> anyhow::Result<Vec<Signed>> {
    let uri: http::Uri = inbox.parse()?;
    let sign = |k: usize| -> anyhow::Result<Signed> {
        let n = k % keys.len();
        let actor = actor_uri(actors_base, n);
        let body = serde_json::json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}/statuses/{k}#delete"),
            "type": "Delete",
            "actor": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {"id": format!("{actor}/statuses/{k}"), "type": "Tombstone"},
        })
        .to_string()
        .into_bytes();
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/activity+json"));
        let mut req = RequestParts::new(http::Method::POST, uri.clone(), headers);
        let key_id = format!("{actor}#main-key");
        if k.is_multiple_of(2) {
            sign_rfc9421(&mut req, &body, &keys[n], &key_id, SystemTime::now())?;
        } else {
            sign_cavage(&mut req, &body, &keys[n], &key_id, SystemTime::now())?;
        }
        let headers = req
            .headers
            .iter()
            // reqwest sets Host from the URL, as it was signed.
            .filter(|(name, _)| *name != http::header::HOST)
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_string()))
            .collect();
        Ok(Signed { body: Arc::new(body), headers })
    };
    std::thread::scope(|scope| {
        let halves: Vec<_> = (0..2)
            .map(|t| {
                let sign = &sign;
                scope.spawn(move || (t..count).step_by(2).map(sign).collect::<anyhow::Result<Vec<_>>>())
            })
            .collect();
        let mut out = Vec::with_capacity(count);
        for h in halves {
            out.extend(h.join().map_err(|_| anyhow::anyhow!("a signing thread panicked"))??);
        }
        Ok(out)
    })
}

/// RSA-2048 PKCS#1 v1.5 verifications per second on one core, in this process: the
/// cryptographic part of an inbox request, for the analysis.
fn verifications_per_second(key: &PrivateKey) -> anyhow::Result<f64> {
    let message = b"(request-target): post /inbox\nhost: example.org\ndate: Sun, 22 Nov 2026 05:00:00 GMT";
    let signature = key.sign(message)?;
    let public = key.public_key();
    let started = Instant::now();
    let mut n = 0u32;
    while started.elapsed() < Duration::from_secs(1) && n < 1_000_000 {
        anyhow::ensure!(public.verify(SignatureAlgorithm::RsaPkcs1Sha256, message, &signature), "verify failed");
        n += 1;
    }
    Ok(f64::from(n) / started.elapsed().as_secs_f64())
}

pub async fn inbox(
    dir: &Path,
    data: &DataSet,
    connections: usize,
    seconds: u64,
    actors: usize,
    pool: usize,
) -> anyhow::Result<Vec<Stats>> {
    let started = Instant::now();
    let keys = {
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || keys(&dir, actors)).await??
    };
    let key_time = started.elapsed().as_secs_f64();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let actors_host = listener.local_addr()?.to_string();
    let actors_base = format!("http://{actors_host}");
    let docs = Arc::new((0..actors).map(|n| actor_document(&actors_base, n, &keys[n])).collect::<Vec<_>>());
    let responder = tokio::spawn(serve_actors(docs, listener));
    // The server may fetch actor documents from this loopback port only.
    let server = start_with(dir, data, &[("CANTEEN_FEDERATION_ALLOW_PRIVATE", actors_host.as_str())]).await?;
    let inbox_url = format!("{}/inbox", server.base);
    let signed_at = Instant::now();
    let signed = {
        let (inbox_url, actors_base) = (inbox_url.clone(), actors_base.clone());
        tokio::task::spawn_blocking(move || sign_pool(&inbox_url, &actors_base, &keys, pool).map(|p| (p, keys)))
            .await??
    };
    let (signed, keys) = signed;
    let sign_rate = pool as f64 / signed_at.elapsed().as_secs_f64();
    let verify_rate = verifications_per_second(&keys[0])?;
    let signed = Arc::new(signed);
    // Each actor's first activity makes the server fetch and store its key; every later one
    // is checked against the stored key.
    let client = reqwest::Client::new();
    let send = |s: &Signed| s.request(&client, &inbox_url);
    for s in signed.iter().take(actors) {
        let r = send(s).send().await?;
        let status = r.status();
        anyhow::ensure!(status.is_success(), "inbox warm-up answered {status}: {}", r.text().await.unwrap_or_default());
    }
    // The answers measured are verifications: the same activity with one signature byte
    // changed must be refused.
    if let Some(s) = signed.get(1) {
        let mut forged = Signed { body: s.body.clone(), headers: s.headers.clone() };
        // Index 1 is signed with draft-cavage: `…,signature="<base64>"`.
        if let Some((_, value)) = forged.headers.iter_mut().find(|(n, _)| n == "signature") {
            let at = value.rfind('"').unwrap_or(value.len()).saturating_sub(12);
            let swapped = if value.as_bytes().get(at) == Some(&b'A') { "B" } else { "A" };
            value.replace_range(at..at + 1, swapped);
        }
        let status = send(&forged).send().await?.status();
        anyhow::ensure!(status.as_u16() == 401, "a forged signature was answered {status}, not 401");
    }
    let (inbox_for_make, signed_for_make) = (inbox_url.clone(), signed.clone());
    let make: Arc<MakeRequest> = Arc::new(move |client, rng, _, _| {
        signed_for_make[rng.below(signed_for_make.len())].request(client, &inbox_for_make)
    });
    drive_with(&server, make.clone(), connections, 2, None).await;
    let floor = drive(&server, one_path("/health"), Arc::new(Vec::new()), connections, seconds, None).await;
    let sat = drive_with(&server, make.clone(), connections, seconds, None).await;
    let half = drive_with(&server, make, connections, seconds, Some(sat.rps / 2.0)).await;
    let (_, rss) = cpu_and_rss(server.child.id());
    drop(server);
    responder.abort();
    println!("{HEADER}");
    println!("{}", row("floor: GET /health", &floor, floor.rps));
    println!("{}", row("inbox: signed Delete, saturated", &sat, floor.rps));
    println!("{}", row("inbox: signed Delete, half load", &half, floor.rps));
    println!(
        "\n{actors} remote actors (RSA-2048; keys ready in {key_time:.1} s), {pool} distinct signed activities \
         (half RFC 9421, half draft-cavage; signed at {sign_rate:.0}/s on two threads) sent at random; \
         one core verifies {verify_rate:.0} RSA-2048 signatures/s in-process; target >= 5,000 verified activities/s"
    );
    println!("server peak RSS: {rss:.0} MiB; {connections} connections; {seconds} s per row");
    let out = serde_json::json!({"scenario": "inbox", "connections": connections, "seconds": seconds,
        "actors": actors, "distinct_activities": pool, "sign_per_second": sign_rate,
        "verify_per_second_one_core": verify_rate, "floor": json(&floor), "saturated": json(&sat),
        "half_load": json(&half), "peak_rss_mib": rss});
    std::fs::write(dir.join("inbox.json"), serde_json::to_string_pretty(&out)?)?;
    Ok(vec![floor, sat, half])
}
