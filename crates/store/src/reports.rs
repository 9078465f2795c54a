//! Reports to the moderators (`reports`), from local people or from other servers' Flags.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRecord {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    /// JSON array of post ids.
    pub status_ids: String,
    /// JSON array of rule ids.
    pub rule_ids: String,
    pub comment: String,
    pub category: String,
    pub forwarded: bool,
    pub uri: Option<String>,
    pub created_at: i64,
    pub action_taken_at: Option<i64>,
    pub action_taken_by_account_id: Option<i64>,
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT id, account_id, target_account_id, status_ids, rule_ids, comment, category, forwarded, uri, \
             created_at, action_taken_at, action_taken_by_account_id FROM reports ",
            $where
        )
    };
}

/// Stores a report; false when one with the same `uri` (a Flag delivered twice) exists.
pub async fn insert(e: Exec<'_>, r: &ReportRecord) -> Result<bool> {
    const SQL: &str = "INSERT INTO reports (id, account_id, target_account_id, status_ids, rule_ids, comment, \
        category, forwarded, uri, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (uri) DO NOTHING";
    let n = exec!(e, x => sqlx::query(SQL)
        .bind(r.id)
        .bind(r.account_id)
        .bind(r.target_account_id)
        .bind(&r.status_ids)
        .bind(&r.rule_ids)
        .bind(&r.comment)
        .bind(&r.category)
        .bind(r.forwarded)
        .bind(&r.uri)
        .bind(r.created_at)
        .execute(x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn by_id(e: Exec<'_>, id: i64) -> Result<Option<ReportRecord>> {
    const SQL: &str = select!("WHERE id = $1");
    Ok(exec!(e, x => sqlx::query_as::<_, ReportRecord>(SQL).bind(id).fetch_optional(x).await)?)
}

/// Reports not yet acted on, oldest first.
pub async fn open(e: Exec<'_>, limit: i64) -> Result<Vec<ReportRecord>> {
    const SQL: &str = select!("WHERE action_taken_at IS NULL ORDER BY id LIMIT $1");
    Ok(exec!(e, x => sqlx::query_as::<_, ReportRecord>(SQL).bind(limit).fetch_all(x).await)?)
}

/// Marks a report dealt with; false if it was not open.
pub async fn resolve(e: Exec<'_>, id: i64, by: Id, now: i64) -> Result<bool> {
    const SQL: &str = "UPDATE reports SET action_taken_at = $3, action_taken_by_account_id = $2 \
        WHERE id = $1 AND action_taken_at IS NULL";
    Ok(exec!(e, x => sqlx::query(SQL).bind(id).bind(by.0).bind(now).execute(x).await.map(|r| r.rows_affected()))? > 0)
}
