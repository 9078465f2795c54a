//! Federation state: local accounts' signing keys, remote actors' delivery and key details
//! (columns of `accounts`), the remote `Follow` ids behind follows, per-server delivery state,
//! and the public posts an outbox lists.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

/// A local account's key pair, PEM. Only the app's signing code reads the private half.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyPair {
    pub public_key_pem: String,
    pub private_key_pem: String,
}

pub async fn key_pair(e: Exec<'_>, account_id: Id) -> Result<Option<KeyPair>> {
    const SQL: &str = "SELECT public_key_pem, private_key_pem FROM account_keys WHERE account_id = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, KeyPair>(SQL).bind(account_id.0).fetch_optional(x).await)?)
}

/// Stores a new key pair unless the account already has one (two requests racing to make the
/// first key both succeed; the caller reads back whichever won).
pub async fn insert_key_pair(e: Exec<'_>, account_id: Id, pair: &KeyPair, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO account_keys (account_id, public_key_pem, private_key_pem, created_at) \
        VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO NOTHING";
    exec!(e, x => sqlx::query(SQL).bind(account_id.0).bind(&pair.public_key_pem).bind(&pair.private_key_pem)
        .bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What we know of a remote actor beyond its profile.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RemoteActor {
    pub account_id: i64,
    pub uri: String,
    pub inbox_url: Option<String>,
    pub shared_inbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub public_key_id: Option<String>,
    pub public_key_pem: Option<String>,
    pub last_fetched_at: Option<i64>,
}

macro_rules! remote_select {
    ($where:literal) => {
        concat!(
            "SELECT id AS account_id, uri, inbox_url, shared_inbox_url, followers_url, following_url, \
             public_key_id, public_key_pem, last_fetched_at FROM accounts WHERE domain IS NOT NULL AND ",
            $where
        )
    };
}

pub async fn remote_actor_by_uri(e: Exec<'_>, uri: &str) -> Result<Option<RemoteActor>> {
    Ok(exec!(e, x => sqlx::query_as::<_, RemoteActor>(remote_select!("uri = $1")).bind(uri).fetch_optional(x).await)?)
}

pub async fn remote_actor_by_key_id(e: Exec<'_>, key_id: &str) -> Result<Option<RemoteActor>> {
    Ok(
        exec!(e, x => sqlx::query_as::<_, RemoteActor>(remote_select!("public_key_id = $1 ORDER BY last_fetched_at DESC LIMIT 1"))
        .bind(key_id).fetch_optional(x).await)?,
    )
}

pub async fn remote_actor(e: Exec<'_>, account_id: Id) -> Result<Option<RemoteActor>> {
    Ok(
        exec!(e, x => sqlx::query_as::<_, RemoteActor>(remote_select!("id = $1")).bind(account_id.0).fetch_optional(x).await)?,
    )
}

/// The remote accounts (not suspended) that follow `account_id`: where a followers-only
/// post goes.
pub async fn remote_followers(e: Exec<'_>, account_id: Id) -> Result<Vec<RemoteActor>> {
    const SQL: &str =
        remote_select!("suspended_at IS NULL AND id IN (SELECT account_id FROM follows WHERE target_account_id = $1)");
    Ok(exec!(e, x => sqlx::query_as::<_, RemoteActor>(SQL).bind(account_id.0).fetch_all(x).await)?)
}

/// Whether any remote account (not suspended) follows `account_id`.
pub async fn has_remote_followers(e: Exec<'_>, account_id: Id) -> Result<bool> {
    const SQL: &str = "SELECT 1 FROM follows f JOIN accounts a ON a.id = f.account_id \
        WHERE f.target_account_id = $1 AND a.domain IS NOT NULL AND a.suspended_at IS NULL LIMIT 1";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i32>(SQL).bind(account_id.0).fetch_optional(x).await)?.is_some())
}

/// The remote accounts (not suspended) that follow `account_id` and are followed back: the
/// remote part of a mutuals audience.
pub async fn remote_mutuals(e: Exec<'_>, account_id: Id) -> Result<Vec<RemoteActor>> {
    const SQL: &str = remote_select!(
        "suspended_at IS NULL AND id IN (SELECT account_id FROM follows WHERE target_account_id = $1) \
         AND id IN (SELECT target_account_id FROM follows WHERE account_id = $1)"
    );
    Ok(exec!(e, x => sqlx::query_as::<_, RemoteActor>(SQL).bind(account_id.0).fetch_all(x).await)?)
}

/// The remote members (not suspended) of a list: the remote part of a circle audience.
pub async fn remote_list_members(e: Exec<'_>, list_id: Id) -> Result<Vec<RemoteActor>> {
    const SQL: &str =
        remote_select!("suspended_at IS NULL AND id IN (SELECT account_id FROM list_accounts WHERE list_id = $1)");
    Ok(exec!(e, x => sqlx::query_as::<_, RemoteActor>(SQL).bind(list_id.0).fetch_all(x).await)?)
}

/// The remote accounts (not suspended) a post mentions.
pub async fn remote_mentioned(e: Exec<'_>, status_id: Id) -> Result<Vec<RemoteActor>> {
    const SQL: &str =
        remote_select!("suspended_at IS NULL AND id IN (SELECT account_id FROM status_mentions WHERE status_id = $1)");
    Ok(exec!(e, x => sqlx::query_as::<_, RemoteActor>(SQL).bind(status_id.0).fetch_all(x).await)?)
}

/// Whether any local account follows `account_id`: a remote author's posts are wanted here.
pub async fn has_local_follower(e: Exec<'_>, account_id: Id) -> Result<bool> {
    const SQL: &str = "SELECT count(*) FROM follows f JOIN accounts a ON a.id = f.account_id \
        WHERE f.target_account_id = $1 AND a.domain IS NULL";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(account_id.0).fetch_one(x).await)? > 0)
}

/// Writes the federation columns of a remote account (the profile goes through `accounts`).
pub async fn set_remote_actor(e: Exec<'_>, r: &RemoteActor) -> Result<()> {
    const SQL: &str = "UPDATE accounts SET inbox_url = $2, shared_inbox_url = $3, followers_url = $4, \
        following_url = $5, public_key_id = $6, public_key_pem = $7, last_fetched_at = $8 \
        WHERE id = $1 AND domain IS NOT NULL";
    exec!(e, x => sqlx::query(SQL).bind(r.account_id).bind(&r.inbox_url).bind(&r.shared_inbox_url)
        .bind(&r.followers_url).bind(&r.following_url).bind(&r.public_key_id).bind(&r.public_key_pem)
        .bind(r.last_fetched_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Any account (local or remote) by its ActivityPub id.
pub async fn account_id_by_uri(e: Exec<'_>, uri: &str) -> Result<Option<Id>> {
    const SQL: &str = "SELECT id FROM accounts WHERE uri = $1";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(uri).fetch_optional(x).await)?.map(Id))
}

/// Remembers the remote `Follow` id behind a follow (`request = false`) or a follow request.
pub async fn set_follow_uri(e: Exec<'_>, request: bool, from: Id, to: Id, uri: &str) -> Result<()> {
    let sql = if request {
        "UPDATE follow_requests SET uri = $3 WHERE account_id = $1 AND target_account_id = $2"
    } else {
        "UPDATE follows SET uri = $3 WHERE account_id = $1 AND target_account_id = $2"
    };
    exec!(e, x => sqlx::query(sql).bind(from.0).bind(to.0).bind(uri).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The remote `Follow` id behind a pending follow request, if it came from another server.
pub async fn follow_request_uri(e: Exec<'_>, from: Id, to: Id) -> Result<Option<String>> {
    const SQL: &str = "SELECT uri FROM follow_requests WHERE account_id = $1 AND target_account_id = $2";
    let uri: Option<Option<String>> =
        exec!(e, x => sqlx::query_scalar(SQL).bind(from.0).bind(to.0).fetch_optional(x).await)?;
    Ok(uri.flatten())
}

/// The `Follow` id behind a follow or a pending request from `from` to `to`, if it has one.
pub async fn follow_uri(e: Exec<'_>, from: Id, to: Id) -> Result<Option<String>> {
    const SQL: &str = "SELECT uri FROM follows WHERE account_id = $1 AND target_account_id = $2 AND uri IS NOT NULL \
        UNION ALL SELECT uri FROM follow_requests WHERE account_id = $1 AND target_account_id = $2 AND uri IS NOT NULL";
    let uri: Option<Option<String>> =
        exec!(e, x => sqlx::query_scalar(SQL).bind(from.0).bind(to.0).fetch_optional(x).await)?;
    Ok(uri.flatten())
}

/// The (follower, followed) pair a remote `Follow` id made, as a follow or a pending request.
pub async fn follow_by_uri(e: Exec<'_>, uri: &str) -> Result<Option<(Id, Id)>> {
    const SQL: &str = "SELECT account_id, target_account_id FROM follows WHERE uri = $1 \
        UNION ALL SELECT account_id, target_account_id FROM follow_requests WHERE uri = $1";
    let row: Option<(i64, i64)> = exec!(e, x => sqlx::query_as(SQL).bind(uri).fetch_optional(x).await)?;
    Ok(row.map(|(a, b)| (Id(a), Id(b))))
}

/// An account's public original posts (no re-posts), newest first, below `max_id`.
pub async fn public_status_ids(e: Exec<'_>, account_id: Id, max_id: i64, limit: i64) -> Result<Vec<Id>> {
    const SQL: &str = "SELECT id FROM statuses WHERE account_id = $1 AND visibility = 'public' \
        AND reblog_of_id IS NULL AND id < $2 ORDER BY id DESC LIMIT $3";
    let ids: Vec<i64> =
        exec!(e, x => sqlx::query_scalar(SQL).bind(account_id.0).bind(max_id).bind(limit).fetch_all(x).await)?;
    Ok(ids.into_iter().map(Id).collect())
}

pub async fn count_public_statuses(e: Exec<'_>, account_id: Id) -> Result<i64> {
    const SQL: &str = "SELECT count(*) FROM statuses WHERE account_id = $1 AND visibility = 'public' \
        AND reblog_of_id IS NULL";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(account_id.0).fetch_one(x).await)?)
}

/// Delivery state of one remote server.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ServerState {
    pub domain: String,
    pub signature_dialect: Option<String>,
    pub failures: i64,
    pub failing_since: Option<i64>,
    pub dead_since: Option<i64>,
    pub last_success_at: Option<i64>,
}

pub async fn server(e: Exec<'_>, domain: &str) -> Result<Option<ServerState>> {
    const SQL: &str = "SELECT domain, signature_dialect, failures, failing_since, dead_since, last_success_at \
        FROM federation_servers WHERE domain = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, ServerState>(SQL).bind(domain).fetch_optional(x).await)?)
}

pub async fn put_server(e: Exec<'_>, s: &ServerState, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO federation_servers \
        (domain, signature_dialect, failures, failing_since, dead_since, last_success_at, updated_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (domain) DO UPDATE SET \
        signature_dialect = $2, failures = $3, failing_since = $4, dead_since = $5, last_success_at = $6, updated_at = $7";
    exec!(e, x => sqlx::query(SQL).bind(&s.domain).bind(&s.signature_dialect).bind(s.failures).bind(s.failing_since)
        .bind(s.dead_since).bind(s.last_success_at).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}
