//! Hashtags as things to find: by prefix, with how much they are used. Only public posts
//! count, so a tag used only in private posts is never suggested to anyone.

use crate::db::{Exec, exec};
use crate::error::Result;

/// Tags starting with `prefix` (lower case), most used first, with their public post counts.
pub async fn with_prefix(e: Exec<'_>, prefix: &str, limit: i64, offset: i64) -> Result<Vec<(String, i64)>> {
    // A range scan on the (tag, status_id) index instead of LIKE, which neither backend
    // would use the index for with a bound parameter.
    let upper = format!("{prefix}\u{10FFFF}");
    const SQL: &str = "SELECT t.tag, COUNT(*) AS uses FROM status_tags t \
        JOIN statuses s ON s.id = t.status_id AND s.visibility = 'public' \
        WHERE t.tag >= $1 AND t.tag < $2 GROUP BY t.tag ORDER BY uses DESC, t.tag LIMIT $3 OFFSET $4";
    Ok(exec!(e, x => sqlx::query_as::<_, (String, i64)>(SQL).bind(prefix).bind(&upper).bind(limit).bind(offset)
        .fetch_all(x).await)?)
}

/// Per tag and day (days since the epoch, UTC) from `since_ms`: public posts and distinct authors.
pub async fn daily_use(e: Exec<'_>, tags: &[String], since_ms: i64) -> Result<Vec<(String, i64, i64, i64)>> {
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..tags.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT t.tag, s.created_at / 86400000 AS day, COUNT(*) AS uses, COUNT(DISTINCT s.account_id) AS accounts \
         FROM status_tags t JOIN statuses s ON s.id = t.status_id AND s.visibility = 'public' \
         WHERE t.tag IN ({}) AND s.created_at >= $1 GROUP BY t.tag, s.created_at / 86400000",
        placeholders.join(", ")
    );
    Ok(exec!(e, x => {
        let mut q = sqlx::query_as::<_, (String, i64, i64, i64)>(sqlx::AssertSqlSafe(sql.clone())).bind(since_ms);
        for t in tags {
            q = q.bind(t.clone());
        }
        q.fetch_all(x).await
    })?)
}
