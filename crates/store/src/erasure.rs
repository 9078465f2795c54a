//! Erasing a local profile: everything it made or that links to it goes, in one
//! transaction, and tombstones remember its ids. The `accounts` row itself stays (blank,
//! suspended) with its key, so the `Delete` sent to other servers can still be signed and
//! its username is not taken by someone else.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

/// The ids of the profile's posts (to take out of the search index).
pub async fn status_ids(e: Exec<'_>, account: Id) -> Result<Vec<Id>> {
    const SQL: &str = "SELECT id FROM statuses WHERE account_id = $1";
    let rows: Vec<(i64,)> = exec!(e, x => sqlx::query_as(SQL).bind(account.0).fetch_all(x).await)?;
    Ok(rows.into_iter().map(|(id,)| Id(id)).collect())
}

/// The inboxes (shared where known) of the remote accounts that follow the profile or that
/// it follows: the servers that hold copies of it.
pub async fn remote_inboxes(e: Exec<'_>, account: Id) -> Result<Vec<String>> {
    const SQL: &str = "SELECT DISTINCT COALESCE(a.shared_inbox_url, a.inbox_url) FROM follows f \
        JOIN accounts a ON a.id = CASE WHEN f.account_id = $1 THEN f.target_account_id ELSE f.account_id END \
        WHERE (f.account_id = $1 OR f.target_account_id = $1) AND a.domain IS NOT NULL \
        AND COALESCE(a.shared_inbox_url, a.inbox_url) IS NOT NULL";
    let rows: Vec<(String,)> = exec!(e, x => sqlx::query_as(SQL).bind(account.0).fetch_all(x).await)?;
    Ok(rows.into_iter().map(|(i,)| i).collect())
}

/// The stored files of the profile's uploads: (file, preview) keys.
pub async fn media_files(e: Exec<'_>, account: Id) -> Result<Vec<(String, String)>> {
    const SQL: &str = "SELECT file_key, preview_key FROM media_attachments WHERE account_id = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, (String, String)>(SQL).bind(account.0).fetch_all(x).await)?)
}

/// Remembers the profile's id and its posts' ids as deleted at `now`.
pub async fn bury(mut e: Exec<'_>, account: Id, actor_uri: &str, now: i64) -> Result<()> {
    const ACTOR: &str = "INSERT INTO tombstones (uri, former_type, deleted_at) VALUES ($1, 'Person', $2) \
        ON CONFLICT (uri) DO NOTHING";
    exec!(e.reborrow(), x => sqlx::query(ACTOR).bind(actor_uri).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    const POSTS: &str = "INSERT INTO tombstones (uri, former_type, deleted_at) \
        SELECT uri, 'Note', $2 FROM statuses WHERE account_id = $1 AND reblog_of_id IS NULL ON CONFLICT (uri) DO NOTHING";
    exec!(e, x => sqlx::query(POSTS).bind(account.0).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes everything of the profile but its `accounts` row and key, and blanks that row.
pub async fn erase(mut e: Exec<'_>, account: Id, now: i64) -> Result<()> {
    // Posts first: their mentions, tags, likes, bookmarks, polls, feed entries and
    // notifications go with them (foreign keys cascade).
    const STATEMENTS: [&str; 28] = [
        "DELETE FROM statuses WHERE account_id = $1",
        "DELETE FROM home_feed WHERE account_id = $1",
        "DELETE FROM home_pull_authors WHERE account_id = $1",
        "DELETE FROM notifications WHERE account_id = $1 OR from_account_id = $1",
        "DELETE FROM follows WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM follow_requests WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM blocks WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM mutes WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM account_notes WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM endorsements WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM favourites WHERE account_id = $1",
        "DELETE FROM bookmarks WHERE account_id = $1",
        "DELETE FROM lists WHERE account_id = $1",
        "DELETE FROM list_accounts WHERE account_id = $1",
        "DELETE FROM guard_acknowledgements WHERE account_id = $1",
        "DELETE FROM media_attachments WHERE account_id = $1",
        "DELETE FROM poll_votes WHERE account_id = $1",
        "DELETE FROM scheduled_statuses WHERE account_id = $1",
        "DELETE FROM markers WHERE account_id = $1",
        "DELETE FROM followed_tags WHERE account_id = $1",
        "DELETE FROM conversation_mutes WHERE account_id = $1",
        "DELETE FROM featured_tags WHERE account_id = $1",
        "DELETE FROM status_mentions WHERE account_id = $1",
        "DELETE FROM idempotency_keys WHERE account_id = $1",
        "DELETE FROM oauth_tokens WHERE account_id = $1",
        "DELETE FROM web_sessions WHERE account_id = $1",
        "DELETE FROM polls WHERE account_id = $1",
        "UPDATE accounts SET display_name = '', note = '', fields = '[]', avatar_url = NULL, header_url = NULL, \
         job_title = '', profession = '', employer = '', seniority = '', location = '', suspended_at = $2, \
         updated_at = $2 WHERE id = $1",
    ];
    for sql in STATEMENTS {
        let sql = sqlx::AssertSqlSafe(sql);
        if sql.0.contains("$2") {
            exec!(e.reborrow(), x => sqlx::query(sql).bind(account.0).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
        } else {
            exec!(e.reborrow(), x => sqlx::query(sql).bind(account.0).execute(x).await.map(|r| r.rows_affected()))?;
        }
    }
    Ok(())
}

/// Whether (and when, and as what) an id of ours names something deleted.
pub async fn tombstone(e: Exec<'_>, uri: &str) -> Result<Option<(String, i64)>> {
    const SQL: &str = "SELECT former_type, deleted_at FROM tombstones WHERE uri = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, (String, i64)>(SQL).bind(uri).fetch_optional(x).await)?)
}

/// Remembers one id as deleted (a post deleted by its author).
pub async fn bury_uri(e: Exec<'_>, uri: &str, former_type: &str, now: i64) -> Result<()> {
    const SQL: &str =
        "INSERT INTO tombstones (uri, former_type, deleted_at) VALUES ($1, $2, $3) ON CONFLICT (uri) DO NOTHING";
    exec!(e, x => sqlx::query(SQL).bind(uri).bind(former_type).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}
