//! A generated data set: accounts with a power-law follow graph (a few accounts followed by
//! thousands, median about 100 follows), posts with hashtags, mentions, replies, re-posts and
//! every visibility, home feeds as fan-out leaves them, and bearer tokens for readers.

use std::path::Path;
use std::time::Instant;

use canteen_domain::Id;
use canteen_store::bulk::{self, BulkAccount, BulkStatus};
use canteen_store::oauth::{AppRecord, TokenRecord};
use canteen_store::{SqliteDurability, Store, StoreOptions};
use sha2::{Digest, Sha256};

/// What the load phase needs to know about the data set.
pub struct DataSet {
    pub tokens: Vec<String>,
    /// Browser session cookies' tokens of the same readers, for the web pages.
    pub sessions: Vec<String>,
    /// The server's `--database-url` when the data set lives in PostgreSQL (in a schema of
    /// its own); `None`: SQLite in the data directory.
    pub database_url: Option<String>,
}

/// `url` with every connection's `search_path` set to `schema` (libpq's `options`).
pub fn with_search_path(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// A small deterministic generator (xorshift), so every run builds the same graph.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
    /// Skewed towards 0: the popular end of a power law.
    pub fn popular(&mut self, n: usize, skew: f64) -> usize {
        ((self.unit().powf(skew)) * n as f64) as usize % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "ward",
    "shift",
    "team",
    "clinic",
    "rota",
    "handover",
    "patients",
    "today",
    "thanks",
    "great",
    "training",
    "nurses",
    "guidelines",
    "flu",
    "vaccine",
    "community",
    "care",
    "coffee",
    "night",
    "support",
    "learning",
    "audit",
    "new",
    "service",
    "pharmacy",
    "theatre",
    "discharge",
    "dietitian",
    "recipe",
    "wellbeing",
    "break",
    "canteen",
];
/// The words generated posts are made of (search queries draw from them too).
pub fn words() -> &'static [&'static str] {
    WORDS
}

pub const TAGS: &[&str] = &["flujab", "nhssm", "wenurses", "teamwork", "wellbeing", "dietitians", "ward7", "research"];

/// The generated data's clock: account and post ids are minted from here on.
pub const START_MS: i64 = 1_790_000_000_000;

pub(crate) fn token_hash(value: &str) -> String {
    Sha256::digest(value.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The data set's store, for scenarios that add to it.
pub async fn open_store(dir: &Path, data: &DataSet) -> anyhow::Result<Store> {
    let url = match &data.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", dir.join("canteen.db").display()),
    };
    let mut opts = StoreOptions::new(&url);
    opts.sqlite_durability = SqliteDurability::Normal;
    Ok(Store::connect(&opts).await?)
}

/// Opens the data set in `dir` (SQLite), or in its own schema of the PostgreSQL database at
/// `postgres`, generating it first if it is missing or of another size.
pub async fn ensure(dir: &Path, accounts: usize, posts: usize, postgres: Option<&str>) -> anyhow::Result<DataSet> {
    std::fs::create_dir_all(dir)?;
    let schema = format!("canteen_bench_{accounts}_{posts}");
    let database_url = postgres.map(|base| with_search_path(base, &schema));
    // v2: data sets since browser sessions were added.
    let backend = if postgres.is_some() { "pg-" } else { "" };
    let marker = dir.join(format!("generated-v2-{backend}{accounts}-{posts}"));
    let readers = accounts.min(2_000);
    let tokens: Vec<String> = (0..readers).map(|i| format!("bench-token-{i}")).collect();
    // 43 URL-safe characters, the shape of a real session token.
    let sessions: Vec<String> = (0..readers).map(|i| format!("bench-session-{i:0>29}")).collect();
    if marker.exists() {
        return Ok(DataSet { tokens, sessions, database_url });
    }
    // Scenarios' additions to an earlier data set (their markers) go with it.
    for entry in std::fs::read_dir(dir)?.flatten() {
        if entry.file_name().to_string_lossy().starts_with("celebrity-") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let url = match &database_url {
        Some(url) => url.clone(),
        None => {
            for f in ["canteen.db", "canteen.db-wal", "canteen.db-shm"] {
                let _ = std::fs::remove_file(dir.join(f));
            }
            format!("sqlite://{}", dir.join("canteen.db").display())
        }
    };
    let mut opts = StoreOptions::new(&url);
    opts.sqlite_durability = SqliteDurability::Normal;
    opts.wal_limit_bytes = 256 * 1024 * 1024;
    let store = Store::connect(&opts).await?;
    if database_url.is_some() {
        bulk::recreate_schema(store.writer(), &schema).await?;
    }
    store.migrate().await?;
    let public_url = "http://127.0.0.1:8080";
    let start_ms = START_MS;
    let mut rng = Rng::new(0x5eed_cafe);
    let t0 = Instant::now();

    // Accounts.
    let account_ids: Vec<i64> = (0..accounts).map(|i| Id::from_parts(start_ms + i as i64, 0).0).collect();
    let names: Vec<String> = (0..accounts).map(|i| format!("user{i}")).collect();
    let uris: Vec<(String, String)> =
        names.iter().map(|n| (format!("{public_url}/users/{n}"), format!("{public_url}/@{n}"))).collect();
    for chunk in (0..accounts).collect::<Vec<_>>().chunks(1000) {
        let rows: Vec<BulkAccount> = chunk
            .iter()
            .map(|&i| BulkAccount {
                id: account_ids[i],
                username: &names[i],
                uri: &uris[i].0,
                url: &uris[i].1,
                created_at: start_ms,
            })
            .collect();
        let mut tx = store.begin().await?;
        bulk::accounts(tx.exec(), &rows, "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hiZW5jaGJlbmNo$bench").await?;
        tx.commit().await?;
    }

    // Follows: each account follows a log-normal number of others (median ~100), chosen
    // with a strong preference for popular accounts.
    let mut follow_count = 0usize;
    let mut batch = Vec::with_capacity(5000);
    let mut tx = store.begin().await?;
    for (i, &me) in account_ids.iter().enumerate() {
        let normal = (-2.0 * rng.unit().max(1e-12).ln()).sqrt() * (2.0 * std::f64::consts::PI * rng.unit()).cos();
        let n = ((100.0 * (0.8 * normal).exp()) as usize).clamp(5, accounts.saturating_sub(1).min(3000));
        for _ in 0..n {
            let t = rng.popular(accounts, 2.5);
            if t != i {
                batch.push((me, account_ids[t], start_ms));
            }
        }
        if batch.len() >= 4000 {
            follow_count += batch.len();
            bulk::follows(tx.exec(), &batch).await?;
            batch.clear();
        }
    }
    follow_count += batch.len();
    if !batch.is_empty() {
        bulk::follows(tx.exec(), &batch).await?;
    }
    tx.commit().await?;

    // Posts, oldest first, across 30 days: made on a thread of their own, a thousand at a
    // time, while the previous batch is written; the posts' secondary indexes are dropped
    // for the load and built once at the end (one sorted build each is several times faster
    // than keeping six B-trees up to date row by row).
    let span_ms: i64 = 30 * 24 * 3600 * 1000;
    let step = (span_ms / posts.max(1) as i64).max(1);
    let post_start = start_ms + accounts as i64 + 1000;
    let gen_start = Instant::now();
    let indexes = bulk::drop_indexes(store.writer(), &["statuses", "status_tags", "status_mentions"]).await?;
    let (batches_tx, mut batches) = tokio::sync::mpsc::channel::<PostBatch>(2);
    let maker = {
        let (account_ids, names) = (account_ids.clone(), names.clone());
        std::thread::spawn(move || {
            make_posts(posts, &account_ids, &names, public_url, post_start, step, rng, |batch| {
                batches_tx.blocking_send(batch).is_ok()
            })
        })
    };
    while let Some(batch) = batches.recv().await {
        let rows: Vec<BulkStatus> = batch
            .meta
            .iter()
            .zip(&batch.texts)
            .map(|(m, t)| BulkStatus {
                id: m.0,
                account_id: m.1,
                uri: &t.0,
                text: &t.1,
                html: &t.2,
                visibility: m.2,
                in_reply_to: m.3,
                reblog_of: m.4,
                created_at: m.5,
            })
            .collect();
        let mut tx = store.begin().await?;
        for part in rows.chunks(250) {
            bulk::statuses(tx.exec(), part).await?;
        }
        bulk::tags_and_mentions(tx.exec(), &batch.tags, &batch.mentions).await?;
        tx.commit().await?;
    }
    maker.join().map_err(|_| anyhow::anyhow!("the post generator panicked"))?;
    let load_secs = gen_start.elapsed().as_secs_f64();
    bulk::create_indexes(store.writer(), &indexes).await?;
    let post_secs = gen_start.elapsed().as_secs_f64();

    // Home feeds for the newest 2% of posts (older pages fall back to reading by follows,
    // which the deep-paging scenario measures).
    let cutoff_ix = posts - (posts / 50).max(1);
    let since = Id::from_parts(post_start + cutoff_ix as i64 * step, 0).0;
    let feed_start = Instant::now();
    let mut tx = store.begin().await?;
    bulk::home_feeds_since(tx.exec(), since).await?;
    tx.commit().await?;
    let feed_secs = feed_start.elapsed().as_secs_f64();

    // An app and bearer tokens for the readers (spread across the graph).
    let app = AppRecord {
        id: Id::from_parts(start_ms, 1).0,
        name: "canteen-bench".into(),
        website: None,
        redirect_uris: "urn:ietf:wg:oauth:2.0:oob".into(),
        scopes: "read write".into(),
        client_id: "bench".into(),
        client_secret: "bench".into(),
        created_at: start_ms,
    };
    canteen_store::oauth::insert_app(store.writer(), &app).await?;
    let mut tx = store.begin().await?;
    for (i, t) in tokens.iter().enumerate() {
        let reader = account_ids[(i * 7919) % accounts];
        canteen_store::oauth::insert_token(
            tx.exec(),
            &TokenRecord {
                id: Id::from_parts(start_ms, 2 + i as u64).0,
                token_hash: token_hash(t),
                refresh_hash: None,
                app_id: app.id,
                user_id: Some(reader),
                account_id: Some(reader),
                scopes: "read write".into(),
                created_at: start_ms,
                expires_at: None,
                revoked_at: None,
                last_used_at: Some(i64::MAX / 2),
            },
        )
        .await?;
        canteen_store::web_sessions::insert(
            tx.exec(),
            &canteen_store::web_sessions::SessionRecord {
                id: Id::from_parts(start_ms, 2 + (tokens.len() + i) as u64).0,
                token_hash: token_hash(&sessions[i]),
                user_id: reader,
                account_id: reader,
                created_at: start_ms,
                // Far in the future, so reads never stop to record use.
                last_seen_at: i64::MAX / 2,
                expires_at: i64::MAX / 2,
            },
        )
        .await?;
    }
    tx.commit().await?;
    bulk::analyze(store.writer()).await?;
    store.checkpoint_if_needed().await?;
    store.close().await;
    std::fs::write(&marker, "")?;
    println!(
        "generated {accounts} accounts, {follow_count} follows, {posts} posts ({:.0} posts/s with their indexes built; \
         {:.0} posts/s loading, indexes {:.1} s), home feeds in {feed_secs:.1} s; total {:.1} s",
        posts as f64 / post_secs,
        posts as f64 / load_secs,
        post_secs - load_secs,
        t0.elapsed().as_secs_f64()
    );
    Ok(DataSet { tokens, sessions, database_url })
}

/// A thousand generated posts, ready to insert: (uri, text, html) and the columns around them.
struct PostBatch {
    texts: Vec<(String, String, String)>,
    #[allow(clippy::type_complexity)]
    meta: Vec<(i64, i64, &'static str, Option<(i64, i64)>, Option<i64>, i64)>,
    tags: Vec<(i64, String)>,
    mentions: Vec<(i64, i64)>,
}

/// Makes `posts` posts, oldest first, and hands them to `send` a thousand at a time (until it
/// returns false): text from the word list, 30% with a hashtag, mentions (every direct post
/// has one), 10% replies and 5% re-posts of recent public posts (one re-post of a post per
/// account, as the schema enforces), 70% public, 10% unlisted, 15% followers-only, 5% direct.
#[allow(clippy::too_many_arguments)]
fn make_posts(
    posts: usize,
    account_ids: &[i64],
    names: &[String],
    public_url: &str,
    post_start: i64,
    step: i64,
    mut rng: Rng,
    mut send: impl FnMut(PostBatch) -> bool,
) {
    let accounts = account_ids.len();
    let mut recent_public: Vec<(i64, i64)> = Vec::new();
    let mut reblogged: std::collections::HashSet<(i64, i64)> = std::collections::HashSet::new();
    let mut i = 0usize;
    while i < posts {
        let end = (i + 1000).min(posts);
        let mut batch = PostBatch {
            texts: Vec::with_capacity(end - i),
            meta: Vec::with_capacity(end - i),
            tags: Vec::new(),
            mentions: Vec::new(),
        };
        for k in i..end {
            let id = Id::from_parts(post_start + k as i64 * step, (k % 65_536) as u64).0;
            let author_ix = rng.popular(accounts, 1.6);
            let author = account_ids[author_ix];
            let roll = rng.unit();
            let visibility = if roll < 0.70 {
                "public"
            } else if roll < 0.80 {
                "unlisted"
            } else if roll < 0.95 {
                "private"
            } else {
                "direct"
            };
            let mut text = String::new();
            for w in 0..(6 + rng.below(20)) {
                if w > 0 {
                    text.push(' ');
                }
                text.push_str(WORDS[rng.below(WORDS.len())]);
            }
            if rng.unit() < 0.3 {
                let tag = TAGS[rng.below(TAGS.len())];
                text.push_str(&format!(" #{tag}"));
                batch.tags.push((id, tag.to_string()));
            }
            if visibility == "direct" || rng.unit() < 0.1 {
                let m = rng.popular(accounts, 2.0);
                text = format!("@{} {text}", names[m]);
                batch.mentions.push((id, account_ids[m]));
            }
            let (reply, mut reblog) = match rng.unit() {
                r if r < 0.10 && !recent_public.is_empty() => {
                    (Some(recent_public[rng.below(recent_public.len())]), None)
                }
                r if r < 0.15 && !recent_public.is_empty() => {
                    (None, Some(recent_public[rng.below(recent_public.len())].0))
                }
                _ => (None, None),
            };
            if let Some(original) = reblog
                && !reblogged.insert((author, original))
            {
                reblog = None;
            }
            let (text, visibility) = if reblog.is_some() { (String::new(), "public") } else { (text, visibility) };
            if visibility == "public" && reblog.is_none() {
                if recent_public.len() < 1000 {
                    recent_public.push((id, author));
                } else {
                    let slot = rng.below(1000);
                    recent_public[slot] = (id, author);
                }
            }
            let uri = format!("{public_url}/users/{}/statuses/{id}", names[author_ix]);
            let html = if text.is_empty() { String::new() } else { format!("<p>{text}</p>") };
            batch.texts.push((uri, text, html));
            batch.meta.push((id, author, visibility, reply, reblog, post_start + k as i64 * step));
        }
        if !send(batch) {
            return;
        }
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_skewed() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        let mut r = Rng::new(1);
        let low = (0..10_000).filter(|_| r.popular(1000, 2.5) < 100).count();
        // u^2.5 < 0.1 for u below 0.1^0.4 ≈ 0.40: four times the uniform share.
        assert!((3_500..4_500).contains(&low), "popular() prefers the first accounts ({low} of 10000 in the top 10%)");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tiny_data_set_loads_with_feeds_and_tokens() {
        let dir = std::env::temp_dir().join(format!("canteen-bench-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let data = ensure(&dir, 60, 3_000, None).await.unwrap();
        assert_eq!(data.tokens.len(), 60);
        let store =
            Store::connect(&StoreOptions::new(format!("sqlite://{}", dir.join("canteen.db").display()))).await.unwrap();
        let depth = canteen_store::jobs::depth(store.reader()).await.unwrap();
        assert_eq!(depth.queued, 0);
        let feed = canteen_store::feeds::page(
            store.reader(),
            Id(Id::from_parts(1_790_000_000_000, 0).0),
            canteen_store::statuses::Page { limit: 20, ..Default::default() },
        )
        .await
        .unwrap();
        assert!(!feed.is_empty(), "the most-followed account's home feed has posts");
        // A second call reuses the data set instead of generating it again.
        assert_eq!(ensure(&dir, 60, 3_000, None).await.unwrap().tokens.len(), 60);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
