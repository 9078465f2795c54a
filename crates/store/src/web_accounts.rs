//! What the web app's account journeys keep: social-media policy acknowledgements
//! (`policy_acknowledgements`) and password-reset tokens (`password_resets`, hashed).

use crate::db::{Exec, exec};
use crate::error::Result;

/// Records that a login acknowledged the policy version `policy_hash` (again is harmless).
pub async fn acknowledge_policy(e: Exec<'_>, user_id: i64, policy_hash: &str, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO policy_acknowledgements (user_id, policy_hash, acknowledged_at) \
        VALUES ($1, $2, $3) ON CONFLICT (user_id, policy_hash) DO NOTHING";
    exec!(e, x => sqlx::query(SQL).bind(user_id).bind(policy_hash).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// When the login acknowledged this policy version, if it did.
pub async fn policy_acknowledged_at(e: Exec<'_>, user_id: i64, policy_hash: &str) -> Result<Option<i64>> {
    const SQL: &str = "SELECT acknowledged_at FROM policy_acknowledgements WHERE user_id = $1 AND policy_hash = $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(user_id).bind(policy_hash).fetch_optional(x).await)?)
}

/// How many logins acknowledged this policy version (for the admin page).
pub async fn policy_acknowledgement_count(e: Exec<'_>, policy_hash: &str) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM policy_acknowledgements WHERE policy_hash = $1";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(policy_hash).fetch_one(x).await)?)
}

pub async fn insert_reset(e: Exec<'_>, token_hash: &str, user_id: i64, now: i64, expires_at: i64) -> Result<()> {
    const SQL: &str =
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
    exec!(e, x => sqlx::query(SQL).bind(token_hash).bind(user_id).bind(now).bind(expires_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The login a live reset token belongs to (without using it up).
pub async fn reset_user(e: Exec<'_>, token_hash: &str, now: i64) -> Result<Option<i64>> {
    const SQL: &str = "SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(token_hash).bind(now).fetch_optional(x).await)?)
}

/// Uses up every reset token of a login (after a reset, or when a new one is issued).
pub async fn delete_resets_of(e: Exec<'_>, user_id: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM password_resets WHERE user_id = $1";
    Ok(exec!(e, x => sqlx::query(SQL).bind(user_id).execute(x).await.map(|r| r.rows_affected()))?)
}

/// Tokens issued for a login since `since` (to limit how many reset emails one address gets).
pub async fn resets_since(e: Exec<'_>, user_id: i64, since: i64) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(user_id).bind(since).fetch_one(x).await)?)
}
