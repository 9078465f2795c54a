//! The server's rules, shown at sign-up and in `/api/v1/instance/rules`.

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleRecord {
    pub id: i64,
    pub text: String,
    pub hint: String,
    pub position: i64,
}

pub async fn list(e: Exec<'_>) -> Result<Vec<RuleRecord>> {
    const SQL: &str = "SELECT id, text, hint, position FROM instance_rules ORDER BY position, id";
    Ok(exec!(e, x => sqlx::query_as::<_, RuleRecord>(SQL).fetch_all(x).await)?)
}

pub async fn insert(e: Exec<'_>, r: &RuleRecord, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO instance_rules (id, text, hint, position, created_at) VALUES ($1, $2, $3, $4, $5)";
    exec!(e, x => sqlx::query(SQL).bind(r.id).bind(&r.text).bind(&r.hint).bind(r.position).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(e: Exec<'_>, id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM instance_rules WHERE id = $1";
    Ok(exec!(e, x => sqlx::query(SQL).bind(id).execute(x).await.map(|r| r.rows_affected()))? > 0)
}
