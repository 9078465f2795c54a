//! The durable job table. Work that must happen after a commit (fan-out, delivery,
//! indexing, e-mail) is inserted here in the same transaction as the change that causes it,
//! so a crash between the two loses nothing.
//!
//! A worker claims a job by taking a lease (`locked_until`). A worker that dies mid-job
//! leaves the lease to expire and another claims the job again, so handlers must be
//! idempotent. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets many workers claim in parallel
//! without waiting on each other; SQLite has one writer, so a plain update is already serial.

use canteen_domain::Id;

use crate::db::{Exec, exec};
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

pub struct NewJob<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub payload: &'a str,
    pub run_at: i64,
    pub max_attempts: i64,
}

pub async fn enqueue(e: Exec<'_>, job: &NewJob<'_>, now: i64) -> Result<()> {
    enqueue_many(e, std::slice::from_ref(job), now).await
}

/// Several jobs in one statement.
pub async fn enqueue_many(e: Exec<'_>, jobs: &[NewJob<'_>], now: i64) -> Result<()> {
    let mut e = e;
    for chunk in jobs.chunks(crate::rows::MAX_ROWS) {
        // Five values a row; `now` is bound once, last, for every row's timestamps.
        let now_at = chunk.len() * 5 + 1;
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let n = r * 5;
                format!(
                    "(${}, ${}, ${}, 'queued', ${}, 0, ${}, ${now_at}, ${now_at})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                )
            })
            .collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, created_at, updated_at) \
             VALUES {}",
            rows.join(", ")
        ));
        exec!(e.reborrow(), x => {
            let mut q = sqlx::query(sql).persistent(chunk.len() == 1);
            for j in chunk {
                q = q.bind(j.id).bind(j.kind).bind(j.payload).bind(j.run_at).bind(j.max_attempts);
            }
            q.bind(now).execute(x).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Claims the next due job, if any, leasing it to `worker` until `lease_until`.
pub async fn claim(e: Exec<'_>, worker: &str, now: i64, lease_until: i64) -> Result<Option<JobRecord>> {
    const SQLITE: &str = "UPDATE jobs SET locked_until = $1, locked_by = $2, attempts = attempts + 1, updated_at = $3 \
        WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 \
        AND (locked_until IS NULL OR locked_until < $3) ORDER BY run_at, id LIMIT 1) \
        RETURNING id, kind, payload, attempts, max_attempts";
    const PG: &str = "UPDATE jobs SET locked_until = $1, locked_by = $2, attempts = attempts + 1, updated_at = $3 \
        WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 \
        AND (locked_until IS NULL OR locked_until < $3) ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
        RETURNING id, kind, payload, attempts, max_attempts";
    let sql = match e {
        Exec::SqlitePool(_) | Exec::Sqlite(_) => SQLITE,
        Exec::PgPool(_) | Exec::Pg(_) => PG,
    };
    Ok(exec!(e, x => sqlx::query_as::<_, JobRecord>(sql).bind(lease_until).bind(worker).bind(now)
        .fetch_optional(x).await)?)
}

/// Removes jobs that succeeded, many in one statement.
pub async fn complete_many(e: Exec<'_>, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let ids: Vec<Id> = ids.iter().map(|i| Id(*i)).collect();
    let list = crate::id_list::IdList::new(&ids, 1);
    let sql = sqlx::AssertSqlSafe(format!("DELETE FROM jobs WHERE id IN ({})", list.sql));
    exec!(e, x => crate::id_list::bind_ids!(sqlx::query(sql), list).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The workers holding unexpired leases.
pub async fn lease_holders(e: Exec<'_>, now: i64) -> Result<Vec<String>> {
    const SQL: &str =
        "SELECT DISTINCT locked_by FROM jobs WHERE state = 'queued' AND locked_by IS NOT NULL AND locked_until >= $1";
    Ok(exec!(e, x => sqlx::query_scalar::<_, String>(SQL).bind(now).fetch_all(x).await)?)
}

/// Gives back every lease `worker` holds (it is known to be gone), so its jobs are due again.
pub async fn release_leases(e: Exec<'_>, worker: &str) -> Result<u64> {
    const SQL: &str = "UPDATE jobs SET locked_until = NULL, locked_by = NULL WHERE state = 'queued' AND locked_by = $1";
    Ok(exec!(e, x => sqlx::query(SQL).bind(worker).execute(x).await.map(|r| r.rows_affected()))?)
}

/// A job that failed runs again at `retry_at`, or, with no attempts left (`retry_at` is
/// `None`), is kept as `dead` with its last error for an operator to inspect.
pub async fn fail(e: Exec<'_>, id: i64, error: &str, retry_at: Option<i64>, now: i64) -> Result<()> {
    const RETRY: &str = "UPDATE jobs SET last_error = $2, run_at = $3, locked_until = NULL, locked_by = NULL, \
        updated_at = $4 WHERE id = $1";
    const DEAD: &str = "UPDATE jobs SET last_error = $2, state = 'dead', locked_until = NULL, locked_by = NULL, \
        updated_at = $3 WHERE id = $1";
    match retry_at {
        Some(at) => {
            exec!(e, x => sqlx::query(RETRY).bind(id).bind(error).bind(at).bind(now).execute(x).await.map(|r| r.rows_affected()))?
        }
        None => {
            exec!(e, x => sqlx::query(DEAD).bind(id).bind(error).bind(now).execute(x).await.map(|r| r.rows_affected()))?
        }
    };
    Ok(())
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Waiting or running.
    pub queued: i64,
    /// Out of attempts.
    pub dead: i64,
}

pub async fn depth(e: Exec<'_>) -> Result<QueueDepth> {
    const SQL: &str = "SELECT state, count(*) FROM jobs GROUP BY state";
    let rows: Vec<(String, i64)> = exec!(e, x => sqlx::query_as(SQL).fetch_all(x).await)?;
    let mut d = QueueDepth::default();
    for (state, n) in rows {
        match state.as_str() {
            "queued" => d.queued = n,
            "dead" => d.dead = n,
            _ => {}
        }
    }
    Ok(d)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobState {
    pub state: String,
    pub attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
}

/// One job's state, or `None` once it has completed.
pub async fn state(e: Exec<'_>, id: i64) -> Result<Option<JobState>> {
    const SQL: &str = "SELECT state, attempts, run_at, last_error FROM jobs WHERE id = $1";
    Ok(exec!(e, x => sqlx::query_as::<_, JobState>(SQL).bind(id).fetch_optional(x).await)?)
}

/// Claims up to `limit` more due jobs of one kind, so a worker can run them together (the
/// search index commits once for all of them).
pub async fn claim_more(
    e: Exec<'_>,
    worker: &str,
    kind: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<JobRecord>> {
    const SQLITE: &str = "UPDATE jobs SET locked_until = $1, locked_by = $2, attempts = attempts + 1, updated_at = $3 \
        WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND kind = $4 AND run_at <= $3 \
        AND (locked_until IS NULL OR locked_until < $3) ORDER BY run_at, id LIMIT $5) \
        RETURNING id, kind, payload, attempts, max_attempts";
    const PG: &str = "UPDATE jobs SET locked_until = $1, locked_by = $2, attempts = attempts + 1, updated_at = $3 \
        WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND kind = $4 AND run_at <= $3 \
        AND (locked_until IS NULL OR locked_until < $3) ORDER BY run_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) \
        RETURNING id, kind, payload, attempts, max_attempts";
    let sql = match e {
        Exec::SqlitePool(_) | Exec::Sqlite(_) => SQLITE,
        Exec::PgPool(_) | Exec::Pg(_) => PG,
    };
    let mut claimed: Vec<JobRecord> = exec!(e, x => sqlx::query_as::<_, JobRecord>(sql).bind(lease_until)
        .bind(worker).bind(now).bind(kind).bind(limit).fetch_all(x).await)?;
    // RETURNING does not keep the subquery's order (PostgreSQL's does not); a batch runs in
    // the order the jobs were made, as single jobs would (ids are minted in time order).
    claimed.sort_by_key(|j| j.id);
    Ok(claimed)
}
