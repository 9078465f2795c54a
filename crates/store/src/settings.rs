//! Key/value settings changed at run time, stored as JSON text.

use crate::db::{Exec, exec};
use crate::error::Result;

pub async fn get(e: Exec<'_>, key: &str) -> Result<Option<String>> {
    Ok(
        exec!(e, x => sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(x).await)?,
    )
}

pub async fn set(e: Exec<'_>, key: &str, value: &str, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
        ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3";
    exec!(e, x => sqlx::query(SQL).bind(key).bind(value).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores `value` unless the key already has one (two racing writers: the first wins, and
/// both read back the same).
pub async fn insert_if_absent(e: Exec<'_>, key: &str, value: &str, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING";
    exec!(e, x => sqlx::query(SQL).bind(key).bind(value).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}
