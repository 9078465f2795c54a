//! Scenario 5: mixed realistic load. Nine requests in ten read (home, notifications, the local
//! timeline, threads, profiles' posts); one in ten writes (likes, replies that notify the
//! author, new posts that fan out, bookmarks), by many accounts, saturated and at half load.

use std::path::Path;
use std::sync::Arc;

use crate::generate::{DataSet, Rng};
use crate::load::{As, HEADER, Server, Stats, cpu_and_rss, drive, drive_as, json, one_path, row, start};
use crate::scenarios::drain;

/// Up to 200 public posts (id, author id) from the local timeline, for likes and replies.
async fn public_posts(server: &Server, token: &str) -> anyhow::Result<Vec<(String, String)>> {
    let client = reqwest::Client::new();
    let mut out = Vec::new();
    let mut max_id: Option<String> = None;
    for _ in 0..5 {
        let mut url = format!("{}/api/v1/timelines/public?local=true&limit=40", server.base);
        if let Some(id) = &max_id {
            url.push_str(&format!("&max_id={id}"));
        }
        let page: serde_json::Value =
            client.get(url).bearer_auth(token).send().await?.error_for_status()?.json().await?;
        let Some(page) = page.as_array().filter(|p| !p.is_empty()) else { break };
        for s in page {
            if let (Some(id), Some(author)) = (s["id"].as_str(), s["account"]["id"].as_str()) {
                out.push((id.to_string(), author.to_string()));
            }
        }
        max_id = page.last().and_then(|s| s["id"].as_str()).map(str::to_string);
    }
    anyhow::ensure!(!out.is_empty(), "the local timeline is empty");
    Ok(out)
}

/// 100 requests in the proportions of the mix, each naming a post or profile at random.
fn the_mix(posts: &[(String, String)]) -> Vec<String> {
    let mut rng = Rng::new(0x3172ed);
    let mut pick = || posts[rng.below(posts.len())].clone();
    let mut mix = Vec::new();
    let mut add = |n: usize, f: &mut dyn FnMut() -> String| mix.extend((0..n).map(|_| f()));
    add(45, &mut || "/api/v1/timelines/home".into());
    add(15, &mut || "/api/v1/notifications".into());
    add(10, &mut || "/api/v1/timelines/public?local=true".into());
    add(10, &mut || format!("/api/v1/statuses/{}/context", pick().0));
    add(10, &mut || format!("/api/v1/accounts/{}/statuses", pick().1));
    add(4, &mut || format!("POST /api/v1/statuses/{}/favourite", pick().0));
    add(3, &mut || format!("REPLY {}", pick().0));
    add(2, &mut || "NEW".into());
    add(1, &mut || format!("POST /api/v1/statuses/{}/bookmark", pick().0));
    mix
}

pub async fn mixed(dir: &Path, data: &DataSet, connections: usize, seconds: u64) -> anyhow::Result<Vec<Stats>> {
    let server = start(dir, data).await?;
    let tokens = Arc::new(data.tokens.clone());
    let mix = Arc::new(the_mix(&public_posts(&server, &data.tokens[0]).await?));
    drive_as(&server, mix.clone(), tokens.clone(), As::Mixed, connections, 2, None).await;
    let floor = drive(&server, one_path("/health"), Arc::new(Vec::new()), connections, seconds, None).await;
    let sat = drive_as(&server, mix.clone(), tokens.clone(), As::Mixed, connections, seconds, None).await;
    let half = drive_as(&server, mix, tokens, As::Mixed, connections, seconds, Some(sat.rps / 2.0)).await;
    let drained = drain(&server, std::time::Duration::from_secs(600)).await?;
    let (_, rss) = cpu_and_rss(server.child.id());
    println!("{HEADER}");
    println!("{}", row("floor: GET /health", &floor, floor.rps));
    println!("{}", row("mixed 90% reads / 10% writes, saturated", &sat, floor.rps));
    println!("{}", row("mixed 90% reads / 10% writes, half load", &half, floor.rps));
    println!(
        "\nreads: home 45%, notifications 15%, local timeline 10%, threads 10%, profiles' posts 10%; writes: likes 4%, \
         replies 3%, new posts 2%, bookmarks 1%; fan-out and notifications done {drained:.1} s after the load"
    );
    println!("server peak RSS: {rss:.0} MiB; {connections} connections; {seconds} s per row");
    let out = serde_json::json!({"scenario": "mixed", "connections": connections, "seconds": seconds,
        "floor": json(&floor), "saturated": json(&sat), "half_load": json(&half), "queue_drained_s": drained,
        "peak_rss_mib": rss});
    std::fs::write(dir.join("mixed.json"), serde_json::to_string_pretty(&out)?)?;
    Ok(vec![floor, sat, half])
}
