//! Lists (reading lists, and the audiences of circle posts) and their members.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListRecord {
    pub id: i64,
    pub account_id: i64,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
}

pub async fn insert(e: Exec<'_>, l: &ListRecord, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO lists (id, account_id, title, replies_policy, exclusive, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    exec!(e, x => sqlx::query(SQL).bind(l.id).bind(l.account_id).bind(&l.title).bind(&l.replies_policy).bind(l.exclusive).bind(now)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn update(e: Exec<'_>, l: &ListRecord) -> Result<()> {
    const SQL: &str = "UPDATE lists SET title = $2, replies_policy = $3, exclusive = $4 WHERE id = $1";
    exec!(e, x => sqlx::query(SQL).bind(l.id).bind(&l.title).bind(&l.replies_policy).bind(l.exclusive).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(e: Exec<'_>, id: Id) -> Result<()> {
    exec!(e, x => sqlx::query("DELETE FROM lists WHERE id = $1").bind(id.0).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_owner(e: Exec<'_>, owner: Id) -> Result<Vec<ListRecord>> {
    const SQL: &str =
        "SELECT id, account_id, title, replies_policy, exclusive FROM lists WHERE account_id = $1 ORDER BY id";
    Ok(exec!(e, x => sqlx::query_as::<_, ListRecord>(SQL).bind(owner.0).fetch_all(x).await)?)
}

pub async fn by_id(e: Exec<'_>, id: Id) -> Result<Option<ListRecord>> {
    const SQL: &str = "SELECT id, account_id, title, replies_policy, exclusive FROM lists WHERE id = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, ListRecord>(SQL).bind(id.0).fetch_optional(x).await)?)
}

pub async fn add_member(e: Exec<'_>, list: Id, account: Id) -> Result<()> {
    const SQL: &str = "INSERT INTO list_accounts (list_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    exec!(e, x => sqlx::query(SQL).bind(list.0).bind(account.0).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_member(e: Exec<'_>, list: Id, account: Id) -> Result<()> {
    const SQL: &str = "DELETE FROM list_accounts WHERE list_id = $1 AND account_id = $2";
    exec!(e, x => sqlx::query(SQL).bind(list.0).bind(account.0).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}
