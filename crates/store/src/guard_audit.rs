//! The guard's audit trail: acknowledged findings (who, when, which category; never text).

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AckRecord {
    pub id: i64,
    pub account_id: i64,
    pub category: String,
    pub severity: String,
    pub audience: String,
    pub created_at: i64,
}

/// Several records in one statement (the findings of posts committed together).
pub async fn insert_many(e: Exec<'_>, records: &[AckRecord]) -> Result<()> {
    let mut e = e;
    for chunk in records.chunks(crate::rows::MAX_ROWS) {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO guard_acknowledgements (id, account_id, category, severity, audience, created_at) VALUES {}",
            crate::rows::placeholders(chunk.len(), 6)
        ));
        exec!(e.reborrow(), x => {
            let mut q = sqlx::query(sql).persistent(chunk.len() == 1);
            for r in chunk {
                q = q.bind(r.id).bind(r.account_id).bind(&r.category).bind(&r.severity).bind(&r.audience)
                    .bind(r.created_at);
            }
            q.execute(x).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Newest first, below `max`.
pub async fn page(e: Exec<'_>, max: i64, limit: i64) -> Result<Vec<AckRecord>> {
    const SQL: &str = "SELECT id, account_id, category, severity, audience, created_at FROM guard_acknowledgements \
        WHERE id < $1 ORDER BY id DESC LIMIT $2";
    Ok(exec!(e, x => sqlx::query_as::<_, AckRecord>(SQL).bind(max).bind(limit).fetch_all(x).await)?)
}

pub async fn count_for(e: Exec<'_>, account: Id) -> Result<i64> {
    const SQL: &str = "SELECT count(*) FROM guard_acknowledgements WHERE account_id = $1";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(account.0).fetch_one(x).await)?)
}
