//! Scheduled posts and markers.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScheduledRecord {
    pub id: i64,
    pub account_id: i64,
    pub application_id: Option<i64>,
    pub scheduled_at: i64,
    pub params: String,
    pub created_at: i64,
}

const SELECT: &str = "SELECT id, account_id, application_id, scheduled_at, params, created_at FROM scheduled_statuses";

pub async fn insert(e: Exec<'_>, r: &ScheduledRecord) -> Result<()> {
    const SQL: &str = "INSERT INTO scheduled_statuses (id, account_id, application_id, scheduled_at, params, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6)";
    exec!(e, x => sqlx::query(SQL).bind(r.id).bind(r.account_id).bind(r.application_id).bind(r.scheduled_at).bind(&r.params)
        .bind(r.created_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_id(e: Exec<'_>, id: Id) -> Result<Option<ScheduledRecord>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
    Ok(exec!(e, x => sqlx::query_as::<_, ScheduledRecord>(sql).bind(id.0).fetch_optional(x).await)?)
}

pub async fn of_account(e: Exec<'_>, account: Id, limit: i64) -> Result<Vec<ScheduledRecord>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE account_id = $1 ORDER BY scheduled_at LIMIT $2"));
    Ok(exec!(e, x => sqlx::query_as::<_, ScheduledRecord>(sql).bind(account.0).bind(limit).fetch_all(x).await)?)
}

pub async fn reschedule(e: Exec<'_>, id: Id, at: i64) -> Result<()> {
    exec!(e, x => sqlx::query("UPDATE scheduled_statuses SET scheduled_at = $2 WHERE id = $1").bind(id.0).bind(at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(e: Exec<'_>, id: Id) -> Result<bool> {
    Ok(exec!(e, x => sqlx::query("DELETE FROM scheduled_statuses WHERE id = $1").bind(id.0).execute(x).await
        .map(|r| r.rows_affected()))?
        > 0)
}

/// (timeline, last read id, version, updated at) for the given timelines.
pub async fn markers(e: Exec<'_>, account: Id) -> Result<Vec<(String, i64, i64, i64)>> {
    const SQL: &str = "SELECT timeline, last_read_id, version, updated_at FROM markers WHERE account_id = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, (String, i64, i64, i64)>(SQL).bind(account.0).fetch_all(x).await)?)
}

pub async fn set_marker(e: Exec<'_>, account: Id, timeline: &str, last_read_id: i64, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) VALUES ($1, $2, $3, 1, $4) \
        ON CONFLICT (account_id, timeline) DO UPDATE SET last_read_id = $3, version = markers.version + 1, updated_at = $4";
    exec!(e, x => sqlx::query(SQL).bind(account.0).bind(timeline).bind(last_read_id).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}
