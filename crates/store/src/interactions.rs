//! Favourites and bookmarks.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

/// Which of the two tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Favourite,
    Bookmark,
}

/// Adds one; returns whether it is new.
pub async fn add(e: Exec<'_>, kind: Kind, id: i64, account: Id, status: Id, now: i64) -> Result<bool> {
    let sql = match kind {
        Kind::Favourite => {
            "INSERT INTO favourites (id, account_id, status_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
        }
        Kind::Bookmark => {
            "INSERT INTO bookmarks (id, account_id, status_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
        }
    };
    Ok(
        exec!(e, x => sqlx::query(sql).bind(id).bind(account.0).bind(status.0).bind(now).execute(x).await.map(|r| r.rows_affected()))?
            > 0,
    )
}

pub async fn remove(e: Exec<'_>, kind: Kind, account: Id, status: Id) -> Result<bool> {
    let sql = match kind {
        Kind::Favourite => "DELETE FROM favourites WHERE account_id = $1 AND status_id = $2",
        Kind::Bookmark => "DELETE FROM bookmarks WHERE account_id = $1 AND status_id = $2",
    };
    Ok(exec!(e, x => sqlx::query(sql).bind(account.0).bind(status.0).execute(x).await.map(|r| r.rows_affected()))? > 0)
}

/// Of `statuses`, which `account` has liked, bookmarked and re-posted, in one statement.
pub async fn flags_among(e: Exec<'_>, account: Id, statuses: &[Id]) -> Result<ViewerFlags> {
    if statuses.is_empty() {
        return Ok(ViewerFlags::default());
    }
    let list = crate::id_list::IdList::new(statuses, 2);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT 1, status_id FROM favourites WHERE account_id = $1 AND status_id IN ({ids}) \
         UNION ALL SELECT 2, status_id FROM bookmarks WHERE account_id = $1 AND status_id IN ({ids}) \
         UNION ALL SELECT 3, reblog_of_id FROM statuses WHERE account_id = $1 AND reblog_of_id IN ({ids})",
        ids = list.sql
    ));
    let rows: Vec<(i32, i64)> =
        exec!(e, x => crate::id_list::bind_ids!(sqlx::query_as(sql).bind(account.0), list).fetch_all(x).await)?;
    let mut flags = ViewerFlags::default();
    for (kind, status) in rows {
        match kind {
            1 => flags.favourited.push(Id(status)),
            2 => flags.bookmarked.push(Id(status)),
            _ => flags.reblogged.push(Id(status)),
        }
    }
    Ok(flags)
}

#[derive(Debug, Default)]
pub struct ViewerFlags {
    pub favourited: Vec<Id>,
    pub bookmarked: Vec<Id>,
    pub reblogged: Vec<Id>,
}

/// One page of an account's favourites or bookmarks, newest first: (cursor, status id).
pub async fn page(e: Exec<'_>, kind: Kind, account: Id, page: crate::statuses::Page) -> Result<Vec<(i64, Id)>> {
    let (upper, lower, ascending) = page.bounds();
    let table = match kind {
        Kind::Favourite => "favourites",
        Kind::Bookmark => "bookmarks",
    };
    let order = if ascending { "ASC" } else { "DESC" };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, status_id FROM {table} WHERE account_id = $1 AND id < $2 AND id > $3 ORDER BY id {order} LIMIT $4"
    ));
    let rows: Vec<(i64, i64)> =
        exec!(e, x => sqlx::query_as(sql).bind(account.0).bind(upper).bind(lower).bind(page.limit).fetch_all(x).await)?;
    let mut rows: Vec<(i64, Id)> = rows.into_iter().map(|(c, s)| (c, Id(s))).collect();
    // Read upwards from `min_id`, a page is still returned newest first.
    if ascending {
        rows.reverse();
    }
    Ok(rows)
}

/// Accounts that favourited a post, newest first.
pub async fn favourited_by(e: Exec<'_>, status: Id, limit: i64) -> Result<Vec<Id>> {
    const SQL: &str = "SELECT account_id FROM favourites WHERE status_id = $1 ORDER BY id DESC LIMIT $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(status.0).bind(limit).fetch_all(x).await)?
        .into_iter()
        .map(Id)
        .collect())
}

/// Accounts that re-posted a post, newest first.
pub async fn reblogged_by(e: Exec<'_>, status: Id, limit: i64) -> Result<Vec<Id>> {
    const SQL: &str = "SELECT account_id FROM statuses WHERE reblog_of_id = $1 ORDER BY id DESC LIMIT $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(status.0).bind(limit).fetch_all(x).await)?
        .into_iter()
        .map(Id)
        .collect())
}

/// The posts an account has favourited or bookmarked, newest first, at most `cap` (for
/// searching one's own library with `in:library`).
pub async fn library(e: Exec<'_>, account: Id, cap: i64) -> Result<Vec<Id>> {
    const SQL: &str = "SELECT status_id FROM (SELECT status_id, id FROM favourites WHERE account_id = $1 \
        UNION ALL SELECT status_id, id FROM bookmarks WHERE account_id = $1) lib ORDER BY id DESC LIMIT $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(account.0).bind(cap).fetch_all(x).await)?
        .into_iter()
        .map(Id)
        .collect())
}
