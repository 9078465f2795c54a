//! Polls and votes.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollRecord {
    pub id: i64,
    pub status_id: i64,
    pub account_id: i64,
    pub options: String,
    pub multiple: bool,
    pub hide_totals: bool,
    pub expires_at: i64,
    pub created_at: i64,
    /// A remote poll's counts per option (JSON array), as its server last sent them.
    pub remote_counts: Option<String>,
    pub remote_voters_count: Option<i64>,
}

const SELECT: &str = "SELECT id, status_id, account_id, options, multiple, hide_totals, expires_at, created_at, \
    remote_counts, remote_voters_count FROM polls";

pub async fn insert(e: Exec<'_>, p: &PollRecord) -> Result<()> {
    const SQL: &str = "INSERT INTO polls (id, status_id, account_id, options, multiple, hide_totals, expires_at, \
        created_at, remote_counts, remote_voters_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    exec!(e, x => sqlx::query(SQL).bind(p.id).bind(p.status_id).bind(p.account_id).bind(&p.options).bind(p.multiple)
        .bind(p.hide_totals).bind(p.expires_at).bind(p.created_at).bind(&p.remote_counts).bind(p.remote_voters_count)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A remote poll's latest counts and end, as its server sent them.
pub async fn set_remote_counts(
    e: Exec<'_>,
    poll: Id,
    counts: &str,
    voters: Option<i64>,
    expires_at: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE polls SET remote_counts = $2, remote_voters_count = $3, expires_at = $4 WHERE id = $1";
    exec!(e, x => sqlx::query(SQL).bind(poll.0).bind(counts).bind(voters).bind(expires_at).execute(x).await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The poll of a post, if it has one.
pub async fn of_status(e: Exec<'_>, status: Id) -> Result<Option<PollRecord>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE status_id = $1"));
    Ok(exec!(e, x => sqlx::query_as::<_, PollRecord>(sql).bind(status.0).fetch_optional(x).await)?)
}

pub async fn by_id(e: Exec<'_>, id: Id) -> Result<Option<PollRecord>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
    Ok(exec!(e, x => sqlx::query_as::<_, PollRecord>(sql).bind(id.0).fetch_optional(x).await)?)
}

pub async fn of_statuses(e: Exec<'_>, statuses: &[Id]) -> Result<Vec<PollRecord>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::id_list::IdList::new(statuses, 1);
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE status_id IN ({})", list.sql));
    Ok(exec!(e, x => crate::id_list::bind_ids!(sqlx::query_as::<_, PollRecord>(sql), list).fetch_all(x).await)?)
}

pub async fn vote(e: Exec<'_>, poll: Id, account: Id, choices: &[i64], now: i64) -> Result<()> {
    let mut e = e;
    for c in choices {
        const SQL: &str = "INSERT INTO poll_votes (poll_id, account_id, choice, created_at) VALUES ($1, $2, $3, $4)";
        exec!(e.reborrow(), x => sqlx::query(SQL).bind(poll.0).bind(account.0).bind(c).bind(now).execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// (account, choice) for every vote in a poll.
pub async fn votes(e: Exec<'_>, poll: Id) -> Result<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT account_id, choice FROM poll_votes WHERE poll_id = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, (i64, i64)>(SQL).bind(poll.0).fetch_all(x).await)?)
}

/// Serialises voters on one poll for the rest of the transaction (PostgreSQL row lock;
/// SQLite's single writer already serialises writing transactions).
pub async fn lock(e: Exec<'_>, poll: Id) -> Result<()> {
    match e {
        Exec::Pg(_) | Exec::PgPool(_) => {
            exec!(e, x => sqlx::query_scalar::<_, i64>("SELECT id FROM polls WHERE id = $1 FOR UPDATE").bind(poll.0).fetch_optional(x).await)?;
        }
        _ => {}
    }
    Ok(())
}

/// Whether `account` has voted in `poll`.
pub async fn has_voted(e: Exec<'_>, poll: Id, account: Id) -> Result<bool> {
    const SQL: &str = "SELECT count(*) FROM poll_votes WHERE poll_id = $1 AND account_id = $2";
    Ok(exec!(e, x => sqlx::query_scalar::<_, i64>(SQL).bind(poll.0).bind(account.0).fetch_one(x).await)? > 0)
}
