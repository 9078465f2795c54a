//! OAuth applications, authorization codes and access tokens. Codes and tokens are looked
//! up by the SHA-256 of their value; the values themselves are never stored.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppRecord {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    /// One URI a line.
    pub redirect_uris: String,
    pub scopes: String,
    pub client_id: String,
    pub client_secret: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRecord {
    pub code_hash: String,
    pub app_id: i64,
    pub user_id: i64,
    pub account_id: i64,
    pub scopes: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRecord {
    pub id: i64,
    pub token_hash: String,
    pub refresh_hash: Option<String>,
    pub app_id: i64,
    pub user_id: Option<i64>,
    pub account_id: Option<i64>,
    pub scopes: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

pub async fn insert_app(e: Exec<'_>, a: &AppRecord) -> Result<()> {
    const SQL: &str = "INSERT INTO oauth_apps (id, name, website, redirect_uris, scopes, client_id, client_secret, \
        created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    exec!(e, x => sqlx::query(SQL).bind(a.id).bind(&a.name).bind(&a.website).bind(&a.redirect_uris)
        .bind(&a.scopes).bind(&a.client_id).bind(&a.client_secret).bind(a.created_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn app_by_client_id(e: Exec<'_>, client_id: &str) -> Result<Option<AppRecord>> {
    const SQL: &str = "SELECT id, name, website, redirect_uris, scopes, client_id, client_secret, created_at \
        FROM oauth_apps WHERE client_id = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, AppRecord>(SQL).bind(client_id).fetch_optional(x).await)?)
}

pub async fn app_by_id(e: Exec<'_>, id: i64) -> Result<Option<AppRecord>> {
    const SQL: &str = "SELECT id, name, website, redirect_uris, scopes, client_id, client_secret, created_at \
        FROM oauth_apps WHERE id = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, AppRecord>(SQL).bind(id).fetch_optional(x).await)?)
}

pub async fn insert_code(e: Exec<'_>, c: &CodeRecord) -> Result<()> {
    const SQL: &str = "INSERT INTO oauth_codes (code_hash, app_id, user_id, account_id, scopes, redirect_uri, \
        code_challenge, code_challenge_method, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    exec!(e, x => sqlx::query(SQL).bind(&c.code_hash).bind(c.app_id).bind(c.user_id).bind(c.account_id)
        .bind(&c.scopes).bind(&c.redirect_uri).bind(&c.code_challenge).bind(&c.code_challenge_method)
        .bind(c.expires_at).bind(c.created_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes and returns a code: a code is good for one exchange only, even if that fails.
pub async fn take_code(e: Exec<'_>, code_hash: &str) -> Result<Option<CodeRecord>> {
    const SQL: &str = "DELETE FROM oauth_codes WHERE code_hash = $1 RETURNING code_hash, app_id, user_id, \
        account_id, scopes, redirect_uri, code_challenge, code_challenge_method, expires_at, created_at";
    Ok(exec!(e, x => sqlx::query_as::<_, CodeRecord>(SQL).bind(code_hash).fetch_optional(x).await)?)
}

const TOKEN_COLUMNS_SQL: &str = "SELECT id, token_hash, refresh_hash, app_id, user_id, account_id, scopes, \
    created_at, expires_at, revoked_at, last_used_at FROM oauth_tokens";

pub async fn insert_token(e: Exec<'_>, t: &TokenRecord) -> Result<()> {
    const SQL: &str = "INSERT INTO oauth_tokens (id, token_hash, refresh_hash, app_id, user_id, account_id, \
        scopes, created_at, expires_at, revoked_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    exec!(e, x => sqlx::query(SQL).bind(t.id).bind(&t.token_hash).bind(&t.refresh_hash).bind(t.app_id)
        .bind(t.user_id).bind(t.account_id).bind(&t.scopes).bind(t.created_at).bind(t.expires_at)
        .bind(t.revoked_at).bind(t.last_used_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn token_by_hash(e: Exec<'_>, token_hash: &str) -> Result<Option<TokenRecord>> {
    let sql = sqlx::AssertSqlSafe(format!("{TOKEN_COLUMNS_SQL} WHERE token_hash = $1"));
    Ok(exec!(e, x => sqlx::query_as::<_, TokenRecord>(sql).bind(token_hash).fetch_optional(x).await)?)
}

pub async fn token_by_refresh_hash(e: Exec<'_>, refresh_hash: &str) -> Result<Option<TokenRecord>> {
    let sql = sqlx::AssertSqlSafe(format!("{TOKEN_COLUMNS_SQL} WHERE refresh_hash = $1"));
    Ok(exec!(e, x => sqlx::query_as::<_, TokenRecord>(sql).bind(refresh_hash).fetch_optional(x).await)?)
}

/// Revokes one token. Returns whether a live token was revoked.
pub async fn revoke_token(e: Exec<'_>, id: i64, now: i64) -> Result<bool> {
    const SQL: &str = "UPDATE oauth_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
    let r = exec!(e, x => sqlx::query(SQL).bind(id).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(r > 0)
}

/// Revokes every token of one account (on suspension).
pub async fn revoke_tokens_of_account(e: Exec<'_>, account_id: Id, now: i64) -> Result<u64> {
    const SQL: &str = "UPDATE oauth_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL";
    Ok(exec!(e, x => sqlx::query(SQL).bind(account_id.0).bind(now).execute(x).await.map(|r| r.rows_affected()))?)
}

/// Records that a token was used, at most once a minute per token to spare the writer.
pub async fn touch_token(e: Exec<'_>, id: i64, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE oauth_tokens SET last_used_at = $2 WHERE id = $1 \
        AND (last_used_at IS NULL OR last_used_at < $3)";
    exec!(e, x => sqlx::query(SQL).bind(id).bind(now).bind(now - 60_000).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Revokes every live token of a login, all its profiles (after a password reset).
pub async fn revoke_tokens_of_user(e: Exec<'_>, user_id: Id, now: i64) -> Result<u64> {
    const SQL: &str = "UPDATE oauth_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL";
    Ok(exec!(e, x => sqlx::query(SQL).bind(user_id.0).bind(now).execute(x).await.map(|r| r.rows_affected()))?)
}

/// An app holding live tokens of a login, for "authorised apps".
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthorisedApp {
    pub app_id: i64,
    pub name: String,
    pub website: Option<String>,
    pub first_authorised_at: i64,
    pub last_used_at: i64,
}

/// The apps with live (unrevoked, unexpired) tokens of a login, most recently used first.
pub async fn authorised_apps(e: Exec<'_>, user_id: Id, now: i64) -> Result<Vec<AuthorisedApp>> {
    const SQL: &str = "SELECT a.id AS app_id, a.name, a.website, MIN(t.created_at) AS first_authorised_at, \
        MAX(COALESCE(t.last_used_at, t.created_at)) AS last_used_at \
        FROM oauth_tokens t JOIN oauth_apps a ON a.id = t.app_id \
        WHERE t.user_id = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
        GROUP BY a.id, a.name, a.website ORDER BY last_used_at DESC";
    Ok(exec!(e, x => sqlx::query_as::<_, AuthorisedApp>(SQL).bind(user_id.0).bind(now).fetch_all(x).await)?)
}

/// Revokes every live token one app holds for a login; how many were revoked.
pub async fn revoke_app_for_user(e: Exec<'_>, user_id: Id, app_id: i64, now: i64) -> Result<u64> {
    const SQL: &str =
        "UPDATE oauth_tokens SET revoked_at = $3 WHERE user_id = $1 AND app_id = $2 AND revoked_at IS NULL";
    Ok(
        exec!(e, x => sqlx::query(SQL).bind(user_id.0).bind(app_id).bind(now).execute(x).await.map(|r| r.rows_affected()))?,
    )
}
