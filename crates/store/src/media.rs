//! Media attachment rows.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRecord {
    pub id: i64,
    pub account_id: i64,
    pub status_id: Option<i64>,
    pub kind: String,
    pub mime: String,
    pub file_key: String,
    pub preview_key: String,
    pub size: i64,
    pub width: i64,
    pub height: i64,
    pub preview_width: i64,
    pub preview_height: i64,
    pub blurhash: String,
    pub description: String,
    pub focus_x: f64,
    pub focus_y: f64,
    pub position: i64,
    pub created_at: i64,
    /// Where another server serves it (a remote post's media is not copied here).
    pub remote_url: Option<String>,
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT id, account_id, status_id, kind, mime, file_key, preview_key, size, width, height, preview_width, \
             preview_height, blurhash, description, focus_x, focus_y, position, created_at, remote_url FROM media_attachments ",
            $where
        )
    };
}

pub async fn insert(e: Exec<'_>, m: &MediaRecord) -> Result<()> {
    const SQL: &str = "INSERT INTO media_attachments (id, account_id, status_id, kind, mime, file_key, preview_key, size, \
        width, height, preview_width, preview_height, blurhash, description, focus_x, focus_y, position, created_at, \
        remote_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";
    exec!(e, x => sqlx::query(SQL).bind(m.id).bind(m.account_id).bind(m.status_id).bind(&m.kind).bind(&m.mime)
        .bind(&m.file_key).bind(&m.preview_key).bind(m.size).bind(m.width).bind(m.height).bind(m.preview_width)
        .bind(m.preview_height).bind(&m.blurhash).bind(&m.description).bind(m.focus_x).bind(m.focus_y).bind(m.position)
        .bind(m.created_at).bind(&m.remote_url).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_id(e: Exec<'_>, id: Id) -> Result<Option<MediaRecord>> {
    Ok(exec!(e, x => sqlx::query_as::<_, MediaRecord>(select!("WHERE id = $1")).bind(id.0).fetch_optional(x).await)?)
}

/// Attachments of the given posts, in their order on each post.
pub async fn of_statuses(e: Exec<'_>, statuses: &[Id]) -> Result<Vec<MediaRecord>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::id_list::IdList::new(statuses, 1);
    let sql =
        sqlx::AssertSqlSafe(format!("{} WHERE status_id IN ({}) ORDER BY status_id, position", select!(""), list.sql));
    Ok(exec!(e, x => crate::id_list::bind_ids!(sqlx::query_as::<_, MediaRecord>(sql), list).fetch_all(x).await)?)
}

pub async fn update_description(e: Exec<'_>, id: Id, description: &str, focus: (f64, f64)) -> Result<()> {
    const SQL: &str = "UPDATE media_attachments SET description = $2, focus_x = $3, focus_y = $4 WHERE id = $1";
    exec!(e, x => sqlx::query(SQL).bind(id.0).bind(description).bind(focus.0).bind(focus.1).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Attaches unattached media to a post at the given position. Returns whether it was still
/// free (two posts racing for one upload: only the first gets it).
pub async fn attach(e: Exec<'_>, id: Id, status: Id, position: i64) -> Result<bool> {
    const SQL: &str = "UPDATE media_attachments SET status_id = $2, position = $3 WHERE id = $1 AND status_id IS NULL";
    Ok(
        exec!(e, x => sqlx::query(SQL).bind(id.0).bind(status.0).bind(position).execute(x).await.map(|r| r.rows_affected()))?
            > 0,
    )
}

/// Removes the rows of a deleted post's media, returning their file keys to delete.
pub async fn detach_all(e: Exec<'_>, status: Id) -> Result<Vec<(String, String)>> {
    let mut e = e;
    let keys: Vec<(String, String)> = exec!(e.reborrow(), x => sqlx::query_as::<_, (String, String)>(
        "SELECT file_key, preview_key FROM media_attachments WHERE status_id = $1").bind(status.0).fetch_all(x).await)?;
    exec!(e, x => sqlx::query("DELETE FROM media_attachments WHERE status_id = $1").bind(status.0).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(keys)
}

/// The visibility of the post a file belongs to (`None` while unattached).
pub async fn visibility_of_file(e: Exec<'_>, key: &str) -> Result<Option<String>> {
    const SQL: &str = "SELECT s.visibility FROM media_attachments m JOIN statuses s ON s.id = m.status_id \
        WHERE m.file_key = $1 OR m.preview_key = $1";
    Ok(exec!(e, x => sqlx::query_scalar::<_, String>(SQL).bind(key).fetch_optional(x).await)?)
}

/// The row for a stored file key (original or preview), for serving it.
pub async fn by_file_key(e: Exec<'_>, key: &str) -> Result<Option<MediaRecord>> {
    Ok(
        exec!(e, x => sqlx::query_as::<_, MediaRecord>(select!("WHERE file_key = $1 OR preview_key = $1")).bind(key).fetch_optional(x).await)?,
    )
}
