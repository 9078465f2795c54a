//! Signed-in browser sessions of the web app (`web_sessions`). Tokens are stored hashed.

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub id: i64,
    pub token_hash: String,
    pub user_id: i64,
    pub account_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn insert(e: Exec<'_>, s: &SessionRecord) -> Result<()> {
    const SQL: &str = "INSERT INTO web_sessions (id, token_hash, user_id, account_id, created_at, last_seen_at, \
        expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    exec!(e, x => sqlx::query(SQL)
        .bind(s.id)
        .bind(&s.token_hash)
        .bind(s.user_id)
        .bind(s.account_id)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .execute(x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_token_hash(e: Exec<'_>, token_hash: &str) -> Result<Option<SessionRecord>> {
    const SQL: &str = "SELECT id, token_hash, user_id, account_id, created_at, last_seen_at, expires_at \
        FROM web_sessions WHERE token_hash = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, SessionRecord>(SQL).bind(token_hash).fetch_optional(x).await)?)
}

pub async fn touch(e: Exec<'_>, id: i64, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE web_sessions SET last_seen_at = $2 WHERE id = $1";
    exec!(e, x => sqlx::query(SQL).bind(id).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes one session; true if it existed.
pub async fn delete(e: Exec<'_>, token_hash: &str) -> Result<bool> {
    const SQL: &str = "DELETE FROM web_sessions WHERE token_hash = $1";
    Ok(exec!(e, x => sqlx::query(SQL).bind(token_hash).execute(x).await.map(|r| r.rows_affected()))? > 0)
}

/// Removes a login's expired sessions (run at sign-in, so the table does not grow).
pub async fn delete_expired(e: Exec<'_>, user_id: i64, now: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM web_sessions WHERE user_id = $1 AND expires_at <= $2";
    Ok(exec!(e, x => sqlx::query(SQL).bind(user_id).bind(now).execute(x).await.map(|r| r.rows_affected()))?)
}

/// Ends every session of a login (after a password reset).
pub async fn delete_all_of(e: Exec<'_>, user_id: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM web_sessions WHERE user_id = $1";
    Ok(exec!(e, x => sqlx::query(SQL).bind(user_id).execute(x).await.map(|r| r.rows_affected()))?)
}

/// A login's live sessions, most recently used first.
pub async fn of_user(e: Exec<'_>, user_id: i64, now: i64) -> Result<Vec<SessionRecord>> {
    const SQL: &str = "SELECT id, token_hash, user_id, account_id, created_at, last_seen_at, expires_at \
        FROM web_sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC";
    Ok(exec!(e, x => sqlx::query_as::<_, SessionRecord>(SQL).bind(user_id).bind(now).fetch_all(x).await)?)
}

/// Ends one of a login's sessions by id; true if it was theirs and existed.
pub async fn delete_of_user(e: Exec<'_>, user_id: i64, id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM web_sessions WHERE user_id = $1 AND id = $2";
    Ok(exec!(e, x => sqlx::query(SQL).bind(user_id).bind(id).execute(x).await.map(|r| r.rows_affected()))? > 0)
}

/// Makes a session act as another of its login's profiles; true if the session was found.
pub async fn set_account(e: Exec<'_>, id: i64, user_id: i64, account_id: i64) -> Result<bool> {
    const SQL: &str = "UPDATE web_sessions SET account_id = $3 WHERE id = $1 AND user_id = $2";
    Ok(
        exec!(e, x => sqlx::query(SQL).bind(id).bind(user_id).bind(account_id).execute(x).await.map(|r| r.rows_affected()))?
            > 0,
    )
}
