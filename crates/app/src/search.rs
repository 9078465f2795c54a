//! Search: posts through the embedded index, people and hashtags through the store.
//!
//! Audience first. A post is indexed with the reader keys that may find it (see
//! `canteen_search`), a search is limited to the keys the viewer holds, and every hit then
//! passes through `views::visible` — the same audience rule as every other read path — so
//! blocks, mutuals, circles and suspensions are applied as they stand *now*.
//!
//! The index follows the database through jobs enqueued in the transaction of each change
//! (create, edit, delete, suspension, an author's `indexable` switch): a job finishes only
//! after the index has committed its change, so nothing acknowledged is lost on a crash.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::audience::Viewer as FieldViewer;
use canteen_domain::status::{Status, Visibility};
use canteen_domain::text::{Token, tokenize};
use canteen_search::query::{Scope, SearchQuery};
use canteen_search::{Reader, Request, SearchIndex, SortOrder, StatusDoc};
use canteen_store::{Exec, accounts, interactions, statuses};

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::federation::resolve::Resolved;
use crate::viewer::Viewer;
use crate::views::{self, StatusView};
use crate::{App, AppError, Result, jobs};

pub const INDEX_STATUS_JOB: &str = "search.index_status";
pub const INDEX_ACCOUNT_JOB: &str = "search.index_account";

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 40;
/// How deep `offset` may page; past this, refine the search.
pub const MAX_OFFSET: i64 = 10_000;
/// The most library posts `in:library` looks through.
const LIBRARY_CAP: i64 = 10_000;

/// The shared index and the lock that lets one commit at a time cover everyone's changes.
pub struct Search {
    pub index: Arc<SearchIndex>,
    commit_lock: tokio::sync::Mutex<()>,
    /// Held while a job reads posts and writes their documents: with several job workers,
    /// a batch holding an older read of a post must not overwrite a newer one's document.
    indexing: tokio::sync::Mutex<()>,
}

impl Search {
    pub fn new(index: SearchIndex) -> Search {
        Search {
            index: Arc::new(index),
            commit_lock: tokio::sync::Mutex::new(()),
            indexing: tokio::sync::Mutex::new(()),
        }
    }

    /// Waits until change number `change` is durable. Callers arriving while a commit runs
    /// find their change covered by the next one, so concurrent jobs share commits.
    pub async fn commit_through(&self, change: u64) -> Result<()> {
        let _turn = self.commit_lock.lock().await;
        if self.index.is_committed(change) {
            return Ok(());
        }
        self.commit().await
    }

    /// Commits every change so far, off the async threads (a commit writes and syncs files).
    async fn commit(&self) -> Result<()> {
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.commit())
            .await
            .map_err(|e| AppError::Internal(format!("search commit task: {e}")))?
            .map_err(index_error)
    }
}

fn index_error(e: canteen_search::IndexError) -> AppError {
    AppError::Internal(e.to_string())
}

/// Queues re-indexing one post; pass the transaction that changes it.
pub async fn enqueue_status(app: &App, e: Exec<'_>, id: Id) -> Result<()> {
    jobs::enqueue(app, e, INDEX_STATUS_JOB, &id.to_string(), 0).await.map(|_| ())
}

/// Queues re-indexing every post of an account (suspension, `indexable` switched).
pub async fn enqueue_account(app: &App, e: Exec<'_>, id: Id) -> Result<()> {
    jobs::enqueue(app, e, INDEX_ACCOUNT_JOB, &id.to_string(), 0).await.map(|_| ())
}

/// Who may find a post, as index reader keys. Public posts are findable by anyone only
/// when the author is `indexable`; otherwise by their followers (and those mentioned).
fn readers(s: &Status, author: &Account, mentioned: &[Id]) -> Vec<Reader> {
    let mut keys = vec![Reader::Owner(author.id.0)];
    keys.extend(mentioned.iter().map(|m| Reader::Mentioned(m.0)));
    match s.visibility {
        Visibility::Public if author.privacy.indexable => keys.push(Reader::Anyone),
        Visibility::Public | Visibility::Unlisted | Visibility::Private | Visibility::Mutuals => {
            keys.push(Reader::FollowersOf(author.id.0))
        }
        Visibility::Circle(list) => keys.push(Reader::CircleMember(list.0)),
        Visibility::Direct => {}
    }
    keys
}

/// What the index should hold for each post: `None` to remove it (deleted, a re-post, or
/// by a suspended author). Loads related rows for the whole batch at once.
async fn documents(app: &App, list: &[Status]) -> Result<Vec<StatusDoc>> {
    let e = || app.store.reader();
    let ids: Vec<Id> = list.iter().map(|s| s.id).collect();
    let author_ids: Vec<Id> = list.iter().map(|s| s.account_id).collect::<HashSet<_>>().into_iter().collect();
    let authors: HashMap<Id, Account> =
        accounts::by_ids(e(), &author_ids).await?.into_iter().map(|a| (a.id, a)).collect();
    let mut mentioned: HashMap<Id, Vec<Id>> = HashMap::new();
    for (s, a) in statuses::mentions_of(e(), &ids).await? {
        mentioned.entry(Id(s)).or_default().push(Id(a));
    }
    let mut tags: HashMap<Id, Vec<String>> = HashMap::new();
    for (s, t) in statuses::tags_of(e(), &ids).await? {
        tags.entry(Id(s)).or_default().push(t);
    }
    let mut media: HashMap<Id, Vec<String>> = HashMap::new();
    for m in canteen_store::media::of_statuses(e(), &ids).await? {
        if let Some(sid) = m.status_id {
            media.entry(Id(sid)).or_default().push(m.description);
        }
    }
    let mut polls: HashMap<Id, Vec<String>> = HashMap::new();
    for p in canteen_store::polls::of_statuses(e(), &ids).await? {
        let options: Vec<String> = serde_json::from_str(&p.options).unwrap_or_default();
        polls.insert(Id(p.status_id), options);
    }
    let mut out = Vec::new();
    for s in list {
        let Some(author) = authors.get(&s.account_id) else { continue };
        if s.reblog_of_id.is_some() || author.suspended_at.is_some() {
            continue;
        }
        let m = mentioned.get(&s.id).map(Vec::as_slice).unwrap_or(&[]);
        let descriptions = media.get(&s.id);
        let options = polls.get(&s.id);
        let mut text = String::with_capacity(s.text.len() + s.spoiler_text.len() + 1);
        for part in std::iter::once(&s.spoiler_text)
            .chain(std::iter::once(&s.text))
            .chain(options.into_iter().flatten())
            .chain(descriptions.into_iter().flatten())
        {
            if !part.is_empty() {
                text.push_str(part);
                text.push('\n');
            }
        }
        out.push(StatusDoc {
            id: s.id.0,
            author_id: s.account_id.0,
            has_link: tokenize(&s.text).iter().any(|t| matches!(t, Token::Link(_))),
            text,
            tags: tags.get(&s.id).cloned().unwrap_or_default(),
            readers: readers(s, author, m),
            has_media: descriptions.is_some(),
            has_poll: options.is_some(),
            is_reply: s.in_reply_to_id.is_some(),
            sensitive: s.sensitive,
            language: s.language.clone(),
        });
    }
    Ok(out)
}

/// Brings the index up to date for these posts (by id), then commits.
async fn reindex(app: &App, ids: &[Id], list: Vec<Status>) -> Result<()> {
    let docs: HashMap<i64, StatusDoc> = documents(app, &list).await?.into_iter().map(|d| (d.id, d)).collect();
    let index = &app.search.index;
    let mut last = 0;
    for id in ids {
        last = match docs.get(&id.0) {
            Some(d) => index.upsert(d),
            None => index.remove(id.0),
        }
        .map_err(index_error)?;
    }
    app.search.commit_through(last).await
}

/// Job: re-index posts (each payload is a post id); the batch shares one index commit.
pub async fn index_statuses_job(app: &App, payloads: &[String]) -> Result<()> {
    let mut ids = Vec::with_capacity(payloads.len());
    for p in payloads {
        ids.push(Id::parse(p).ok_or_else(|| AppError::Internal(format!("bad search job payload `{p}`")))?);
    }
    ids.sort();
    ids.dedup();
    let _turn = app.search.indexing.lock().await;
    let found = statuses::by_ids(app.store.reader(), &ids).await?;
    reindex(app, &ids, found).await
}

/// Job: re-index every post of one account (its payload is the account id).
pub async fn index_account_job(app: &App, payload: &str) -> Result<()> {
    let id = Id::parse(payload).ok_or_else(|| AppError::Internal(format!("bad search job payload `{payload}`")))?;
    let _turn = app.search.indexing.lock().await;
    let mut page = statuses::Page { limit: 500, ..Default::default() };
    loop {
        let batch = statuses::by_account(app.store.reader(), id, page, false).await?;
        let Some(last) = batch.last().map(|s| s.id) else { break };
        let ids: Vec<Id> = batch.iter().map(|s| s.id).collect();
        let full = batch.len() as i64 == page.limit;
        reindex(app, &ids, batch).await?;
        if !full {
            break;
        }
        page.max_id = Some(last.0);
    }
    Ok(())
}

/// Rebuilds the whole index from the database (`canteen admin reindex`), reporting
/// (done, total) after each batch.
pub async fn rebuild(app: &App, mut progress: impl FnMut(u64, u64)) -> Result<u64> {
    let total = statuses::count_all(app.store.reader()).await?.max(0) as u64;
    let index = &app.search.index;
    index.clear().map_err(index_error)?;
    let mut after = Id(0);
    let mut done = 0u64;
    loop {
        let batch = statuses::all_after(app.store.reader(), after, 2_000).await?;
        let Some(last) = batch.last().map(|s| s.id) else { break };
        done += batch.len() as u64;
        for d in documents(app, &batch).await? {
            index.add_new(&d).map_err(index_error)?;
        }
        after = last;
        progress(done, total);
    }
    app.search.commit().await?;
    Ok(app.search.index.len())
}

/// What a search asks for, beyond the query text.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `accounts`, `statuses` or `hashtags`; `None` for all three.
    pub kind: Option<Kind>,
    /// Accounts: only those the viewer follows.
    pub following: bool,
    /// Statuses: only this author's.
    pub account_id: Option<Id>,
    pub max_id: Option<Id>,
    pub min_id: Option<Id>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub order: SortOrder,
    /// A handle (`user@host`) or URL is looked up on its server, as Mastodon's `resolve=true`.
    pub resolve: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Accounts,
    Statuses,
    Hashtags,
}

/// A hashtag as found: its name and public use per day, newest day first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagHit {
    pub name: String,
    pub uses: i64,
    /// (day start in seconds since the epoch, uses, distinct accounts), 7 days, today first.
    pub history: Vec<(i64, i64, i64)>,
}

#[derive(Debug, Clone, Default)]
pub struct Results {
    /// Each with how the viewer stands to it, for its per-field visibility.
    pub accounts: Vec<(Account, FieldViewer)>,
    pub statuses: Vec<StatusView>,
    pub hashtags: Vec<TagHit>,
}

fn bad_query(e: canteen_search::QueryError) -> AppError {
    AppError::Unprocessable(e.to_string())
}

/// `GET /api/v2/search`.
pub async fn search(app: &App, auth: Option<&Auth>, q: &str, opts: &Options) -> Result<Results> {
    let me = auth.and_then(|a| a.account.as_ref());
    if opts.offset.is_some_and(|o| o > 0) && me.is_none() {
        return Err(AppError::Unauthorized("Sign in to page through search results with offset".into()));
    }
    if opts.offset.is_some_and(|o| !(0..=MAX_OFFSET).contains(&o)) {
        return Err(AppError::Unprocessable(format!("offset must be between 0 and {MAX_OFFSET}")));
    }
    let wants = |k: Kind| opts.kind.is_none_or(|w| w == k);
    let mut results = Results::default();
    let viewer = Viewer::load(app, me).await?;
    if let Some(target) = remote_target(q) {
        if opts.resolve && me.is_none() {
            return Err(AppError::Unauthorized(
                "Search queries that resolve remote resources are not supported without authentication".into(),
            ));
        }
        if opts.resolve && opts.offset.unwrap_or(0) == 0 {
            match resolve(app, target).await {
                Ok(Resolved::Account(a)) if wants(Kind::Accounts) && !viewer.blocks_or_blocked_by(a.id) => {
                    let v = field_viewer(&viewer, &a);
                    results.accounts.push((a, v));
                    return Ok(results);
                }
                Ok(Resolved::Status(s)) if wants(Kind::Statuses) => {
                    results.statuses.extend(views::one(app, &viewer, s.id).await?);
                    return Ok(results);
                }
                Ok(_) => return Ok(results),
                // Not found there: fall back to what is known here, as Mastodon does.
                Err(e) => tracing::debug!(error = %e, "search: could not resolve"),
            }
        }
    }
    let query = canteen_search::parse(q).map_err(bad_query)?;
    let limit = opts.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let offset = opts.offset.unwrap_or(0);
    let plain = query.plain_text();
    // People and tags are found by what was typed, not by the post operators.
    let operators_only = plain.trim().is_empty();
    if wants(Kind::Accounts) && !operators_only && query.scope != Scope::Library {
        results.accounts = accounts_matching(app, &viewer, me, &plain, opts.following, limit, offset).await?;
    }
    if wants(Kind::Hashtags) && query.scope != Scope::Library {
        let typed = if query.tags.len() == 1 && operators_only { query.tags[0].clone() } else { plain.clone() };
        results.hashtags = hashtags(app, &typed, limit, offset).await?;
    }
    if wants(Kind::Statuses) {
        results.statuses = statuses_matching(app, &viewer, me, &query, opts, limit, offset).await?;
    }
    Ok(results)
}

/// `GET /api/v1/accounts/search`.
pub async fn accounts(
    app: &App,
    auth: Option<&Auth>,
    q: &str,
    following: bool,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Vec<(Account, FieldViewer)>> {
    let q = q.trim();
    if q.is_empty() {
        return Err(AppError::Unprocessable(canteen_search::QueryError::Empty.to_string()));
    }
    if q.chars().count() > canteen_search::query::MAX_QUERY_CHARS {
        return Err(bad_query(canteen_search::QueryError::TooLong(q.chars().count())));
    }
    let me = auth.and_then(|a| a.account.as_ref());
    let limit = limit.unwrap_or(40).clamp(1, 80);
    let viewer = Viewer::load(app, me).await?;
    accounts_matching(app, &viewer, me, q, following, limit, offset.unwrap_or(0).clamp(0, MAX_OFFSET)).await
}

/// How much of an account's profile the viewer stands to see.
fn field_viewer(viewer: &Viewer, a: &Account) -> FieldViewer {
    match viewer.account_id {
        None => FieldViewer::Anonymous,
        Some(me) if me == a.id => FieldViewer::Owner,
        Some(_) if viewer.follows(a.id) => FieldViewer::Follower,
        Some(_) => FieldViewer::Stranger,
    }
}

/// What a query names on another server: a handle or a URL, or nothing.
enum RemoteTarget<'a> {
    Handle(&'a str),
    Url(&'a str),
}

fn remote_target(q: &str) -> Option<RemoteTarget<'_>> {
    let q = q.trim();
    if q.contains(char::is_whitespace) {
        return None;
    }
    if q.starts_with("https://") || q.starts_with("http://") {
        return Some(RemoteTarget::Url(q));
    }
    let handle = q.trim_start_matches('@');
    let (user, host) = handle.split_once('@')?;
    (!user.is_empty() && (host.contains('.') || host.contains(':'))).then_some(RemoteTarget::Handle(handle))
}

async fn resolve(app: &App, target: RemoteTarget<'_>) -> Result<Resolved> {
    match target {
        RemoteTarget::Handle(h) => Ok(Resolved::Account(crate::federation::resolve::account_by_handle(app, h).await?)),
        RemoteTarget::Url(u) => crate::federation::resolve::by_url(app, u).await,
    }
}

/// Accounts by what was typed; with `resolve`, a handle is first looked up on its server.
pub async fn accounts_resolving(
    app: &App,
    auth: Option<&Auth>,
    q: &str,
    following: bool,
    resolve_remote: bool,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Vec<(Account, FieldViewer)>> {
    let me = auth.and_then(|a| a.account.as_ref());
    if resolve_remote
        && me.is_some()
        && let Some(RemoteTarget::Handle(h)) = remote_target(q)
        && let Ok(a) = crate::federation::resolve::account_by_handle(app, h).await
    {
        let viewer = Viewer::load(app, me).await?;
        if viewer.blocks_or_blocked_by(a.id) {
            return Ok(Vec::new());
        }
        let v = field_viewer(&viewer, &a);
        return Ok(vec![(a, v)]);
    }
    accounts(app, auth, q, following, limit, offset).await
}

async fn accounts_matching(
    app: &App,
    viewer: &Viewer,
    me: Option<&Account>,
    text: &str,
    following: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<(Account, FieldViewer)>> {
    if following && me.is_none() {
        return Ok(Vec::new());
    }
    // `@alice` and `alice@our.domain` are the local username `alice`.
    let our_domain = app.config.domain().to_lowercase();
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            let w = w.trim_start_matches('@').to_lowercase();
            match w.split_once('@') {
                Some((user, domain)) if domain == our_domain => user.to_string(),
                _ => w,
            }
        })
        .filter(|w| !w.is_empty())
        .collect();
    let s = accounts::AccountSearch { words, viewer: me.map(|m| m.id), following_only: following, limit, offset };
    let stands = |a: &Account| field_viewer(viewer, a);
    Ok(accounts::search(app.store.reader(), &s)
        .await?
        .into_iter()
        .filter(|a| !viewer.blocks_or_blocked_by(a.id))
        .map(|a| {
            let v = stands(&a);
            (a, v)
        })
        .collect())
}

async fn hashtags(app: &App, typed: &str, limit: i64, offset: i64) -> Result<Vec<TagHit>> {
    let prefix: String = typed
        .trim()
        .trim_start_matches('#')
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_lowercase();
    if prefix.is_empty() {
        return Ok(Vec::new());
    }
    let e = || app.store.reader();
    let found = canteen_store::tags::with_prefix(e(), &prefix, limit, offset).await?;
    let today = now_ms() / 86_400_000;
    let names: Vec<String> = found.iter().map(|(t, _)| t.clone()).collect();
    let daily = canteen_store::tags::daily_use(e(), &names, (today - 6) * 86_400_000).await?;
    Ok(found
        .into_iter()
        .map(|(name, uses)| {
            let history = (0..7)
                .map(|back| {
                    let day = today - back;
                    let (u, a) = daily
                        .iter()
                        .find(|(t, d, _, _)| *t == name && *d == day)
                        .map(|(_, _, u, a)| (*u, *a))
                        .unwrap_or((0, 0));
                    (day * 86_400, u, a)
                })
                .collect();
            TagHit { name, uses, history }
        })
        .collect())
}

/// The index keys this viewer holds.
fn viewer_keys(viewer: &Viewer) -> Vec<Reader> {
    let mut keys = vec![Reader::Anyone];
    if let Some(me) = viewer.account_id {
        keys.push(Reader::Owner(me.0));
        keys.push(Reader::Mentioned(me.0));
        keys.extend(viewer.following_ids().map(|a| Reader::FollowersOf(a.0)));
        keys.extend(viewer.circle_ids().map(|l| Reader::CircleMember(l.0)));
    }
    keys
}

/// Resolves `from:` handles to account ids (`me` is the viewer). Unknown handles find nothing.
async fn authors(
    app: &App,
    me: Option<&Account>,
    query: &SearchQuery,
    account_id: Option<Id>,
) -> Result<Option<Vec<i64>>> {
    if query.from.is_empty() && account_id.is_none() {
        return Ok(None);
    }
    let our_domain = app.config.domain();
    let mut ids: Option<Vec<i64>> = None;
    if !query.from.is_empty() {
        let mut found = Vec::new();
        for handle in &query.from {
            if handle.eq_ignore_ascii_case("me") {
                found.extend(me.map(|m| m.id.0));
                continue;
            }
            let (user, domain) = handle.split_once('@').unwrap_or((handle.as_str(), ""));
            if !domain.is_empty() && !domain.eq_ignore_ascii_case(&our_domain) {
                continue;
            }
            if let Some(a) = accounts::by_local_username(app.store.reader(), user).await? {
                found.push(a.id.0);
            }
        }
        ids = Some(found);
    }
    if let Some(a) = account_id {
        ids = Some(match ids {
            Some(list) => list.into_iter().filter(|i| *i == a.0).collect(),
            None => vec![a.0],
        });
    }
    Ok(ids)
}

async fn statuses_matching(
    app: &App,
    viewer: &Viewer,
    me: Option<&Account>,
    query: &SearchQuery,
    opts: &Options,
    limit: i64,
    offset: i64,
) -> Result<Vec<StatusView>> {
    let library = match (query.scope, me) {
        (Scope::Library, Some(me)) => Some(interactions::library(app.store.reader(), me.id, LIBRARY_CAP).await?),
        (Scope::Library, None) => return Err(AppError::Unauthorized("Sign in to search your library".into())),
        _ => None,
    };
    let mut request = Request {
        query,
        readers: viewer_keys(viewer),
        authors: authors(app, me, query, opts.account_id).await?,
        library: library.map(|l| l.into_iter().map(|i| i.0).collect()),
        order: opts.order,
        max_id: opts.max_id.map(|i| i.0),
        min_id: opts.min_id.map(|i| i.0),
        offset: offset as usize,
        limit: limit as usize,
    };
    let mut out: Vec<StatusView> = Vec::new();
    // Hits the audience rule or a mute leaves out are replaced by reading further.
    for _ in 0..5 {
        // Sub-millisecond for typical queries (see docs/benchmarks.md), so it runs inline.
        let ids = app.search.index.search(&request).map_err(index_error)?;
        let exhausted = ids.len() < request.limit;
        let ids: Vec<Id> = ids.into_iter().map(Id).collect();
        let mut found = statuses::by_ids(app.store.reader(), &ids).await?;
        found.sort_by_key(|s| ids.iter().position(|i| *i == s.id).unwrap_or(usize::MAX));
        for v in views::visible(app, viewer, found).await? {
            let muted = viewer.mutes(v.account.id) && !viewer.is(v.account.id);
            if !muted && out.len() < limit as usize {
                out.push(v);
            }
        }
        if out.len() >= limit as usize || exhausted {
            break;
        }
        request.offset += request.limit;
    }
    Ok(out)
}
