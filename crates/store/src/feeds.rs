//! Home feeds, written on fan-out and read a page at a time.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;
use crate::statuses::Page;

/// Adds a post to each reader's home feed (idempotent, so a retried fan-out job is safe).
pub async fn push(e: Exec<'_>, status: Id, readers: &[Id]) -> Result<()> {
    let mut e = e;
    // Batched inserts keep fan-out to thousands of followers to a handful of statements.
    for chunk in readers.chunks(500) {
        let values: Vec<String> = chunk.iter().map(|r| format!("({}, {})", r.0, status.0)).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO home_feed (account_id, status_id) VALUES {} ON CONFLICT DO NOTHING",
            values.join(",")
        ));
        exec!(e.reborrow(), x => sqlx::query(sql).execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Lists `author` as too widely followed to fan out to: from now on home reads merge their
/// posts in (see `statuses::for_pulled_home`). Idempotent.
pub async fn mark_pulled(e: Exec<'_>, author: Id, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO home_pull_authors (account_id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    exec!(e, x => sqlx::query(SQL).bind(author.0).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether `author` is listed by [`mark_pulled`].
pub async fn is_pulled(e: Exec<'_>, author: Id) -> Result<bool> {
    const SQL: &str = "SELECT 1 FROM home_pull_authors WHERE account_id = $1";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i32>(SQL).bind(author.0).fetch_optional(x).await)?.is_some())
}

/// A page of a reader's feed: post ids, newest first (or oldest first with `min_id`).
pub async fn page(e: Exec<'_>, reader: Id, page: Page) -> Result<Vec<Id>> {
    let (upper, lower, ascending) = page.bounds();
    let sql = if ascending {
        "SELECT status_id FROM home_feed WHERE account_id = $1 AND status_id < $2 AND status_id > $3 ORDER BY status_id ASC LIMIT $4"
    } else {
        "SELECT status_id FROM home_feed WHERE account_id = $1 AND status_id < $2 AND status_id > $3 ORDER BY status_id DESC LIMIT $4"
    };
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(sql).bind(reader.0).bind(upper).bind(lower).bind(page.limit).fetch_all(x).await)?
        .into_iter()
        .map(Id)
        .collect())
}

/// Removes one author's posts from a reader's feed (on unfollow or block).
pub async fn remove_author(e: Exec<'_>, reader: Id, author: Id) -> Result<()> {
    const SQL: &str =
        "DELETE FROM home_feed WHERE account_id = $1 AND status_id IN (SELECT id FROM statuses WHERE account_id = $2)";
    exec!(e, x => sqlx::query(SQL).bind(reader.0).bind(author.0).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes one author's re-posts from a reader's feed (the reader turned their re-posts off).
pub async fn remove_reposts(e: Exec<'_>, reader: Id, author: Id) -> Result<()> {
    const SQL: &str = "DELETE FROM home_feed WHERE account_id = $1 AND status_id IN \
        (SELECT id FROM statuses WHERE account_id = $2 AND reblog_of_id IS NOT NULL)";
    exec!(e, x => sqlx::query(SQL).bind(reader.0).bind(author.0).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Copies an author's recent posts into a new follower's feed (their re-posts too only if
/// `with_reposts`).
pub async fn backfill(e: Exec<'_>, reader: Id, author: Id, limit: i64, with_reposts: bool) -> Result<()> {
    const SQL: &str = "INSERT INTO home_feed (account_id, status_id) SELECT $1, id FROM statuses WHERE account_id = $2 \
        AND ($4 OR reblog_of_id IS NULL) ORDER BY id DESC LIMIT $3 ON CONFLICT DO NOTHING";
    exec!(e, x => sqlx::query(SQL).bind(reader.0).bind(author.0).bind(limit).bind(with_reposts).execute(x).await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
