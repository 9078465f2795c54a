//! Notifications.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;
use crate::statuses::Page;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRecord {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub status_id: Option<i64>,
    pub created_at: i64,
}

pub async fn insert(e: Exec<'_>, n: &NotificationRecord) -> Result<()> {
    const SQL: &str = "INSERT INTO notifications (id, account_id, from_account_id, type, status_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    exec!(e, x => sqlx::query(SQL).bind(n.id).bind(n.account_id).bind(n.from_account_id).bind(&n.kind).bind(n.status_id)
        .bind(n.created_at).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn page(e: Exec<'_>, account: Id, page: Page) -> Result<Vec<NotificationRecord>> {
    let (upper, lower, ascending) = page.bounds();
    let sql = if ascending {
        "SELECT id, account_id, from_account_id, type, status_id, created_at FROM notifications WHERE account_id = $1 AND id < $2 AND id > $3 ORDER BY id ASC LIMIT $4"
    } else {
        "SELECT id, account_id, from_account_id, type, status_id, created_at FROM notifications WHERE account_id = $1 AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4"
    };
    Ok(
        exec!(e, x => sqlx::query_as::<_, NotificationRecord>(sql).bind(account.0).bind(upper).bind(lower).bind(page.limit).fetch_all(x).await)?,
    )
}

pub async fn by_id(e: Exec<'_>, account: Id, id: i64) -> Result<Option<NotificationRecord>> {
    const SQL: &str = "SELECT id, account_id, from_account_id, type, status_id, created_at FROM notifications WHERE account_id = $1 AND id = $2";
    Ok(exec!(e, x => sqlx::query_as::<_, NotificationRecord>(SQL).bind(account.0).bind(id).fetch_optional(x).await)?)
}

pub async fn dismiss(e: Exec<'_>, account: Id, id: i64) -> Result<bool> {
    Ok(
        exec!(e, x => sqlx::query("DELETE FROM notifications WHERE account_id = $1 AND id = $2").bind(account.0).bind(id)
        .execute(x).await.map(|r| r.rows_affected()))?
            > 0,
    )
}

pub async fn clear(e: Exec<'_>, account: Id) -> Result<()> {
    exec!(e, x => sqlx::query("DELETE FROM notifications WHERE account_id = $1").bind(account.0).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a pending follow-request notification once the request is settled.
pub async fn remove_follow_request(e: Exec<'_>, to: Id, from: Id) -> Result<()> {
    const SQL: &str =
        "DELETE FROM notifications WHERE account_id = $1 AND from_account_id = $2 AND type = 'follow_request'";
    exec!(e, x => sqlx::query(SQL).bind(to.0).bind(from.0).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether this exact notification already exists (keeps retried jobs from repeating it).
pub async fn exists(e: Exec<'_>, account: Id, from: Id, kind: &str, status: Id) -> Result<bool> {
    const SQL: &str = "SELECT count(*) FROM notifications WHERE account_id = $1 AND from_account_id = $2 AND type = $3 AND status_id = $4";
    Ok(
        exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(account.0).bind(from.0).bind(kind).bind(status.0).fetch_one(x).await)?
            > 0,
    )
}
