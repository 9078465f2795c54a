//! Durable side effects: enqueue inside the transaction that causes them, run by a worker
//! loop in the same process (or in `canteen worker` processes later), retried with
//! exponential back-off, kept as `dead` after the last attempt.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use canteen_store::Exec;
use canteen_store::jobs::{self, NewJob};
use tokio::sync::watch;

use crate::clock::now_ms;
use crate::{App, Result};

pub const DEFAULT_MAX_ATTEMPTS: i64 = 8;
/// How long a claimed job is reserved for its worker before another may take it.
pub const LEASE_MS: i64 = 5 * 60 * 1000;

type HandlerFuture = Pin<Box<dyn Future<Output = std::result::Result<(), String>> + Send>>;
type Handler = Arc<dyn Fn(App, String) -> HandlerFuture + Send + Sync>;
type BatchHandler = Arc<dyn Fn(App, Vec<String>) -> HandlerFuture + Send + Sync>;

/// The most search-index jobs a batch handler is given at once (one index commit each).
pub const BATCH_LIMIT: i64 = 500;
/// The most fan-out jobs run together: enough to make one commit serve many posts, few
/// enough that the first post of a batch still reaches its followers' feeds quickly.
pub const FANOUT_BATCH_LIMIT: i64 = 32;

/// Which function runs each kind of job. Front doors and features register theirs at start-up.
#[derive(Clone, Default)]
pub struct JobHandlers {
    by_kind: HashMap<&'static str, Handler>,
    /// Batch handlers with the most jobs each is given at once.
    batches: HashMap<&'static str, (i64, BatchHandler)>,
}

impl JobHandlers {
    pub fn register<F, Fut>(&mut self, kind: &'static str, f: F)
    where
        F: Fn(App, String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<(), String>> + Send + 'static,
    {
        self.by_kind.insert(kind, Arc::new(move |app, payload| Box::pin(f(app, payload))));
    }

    /// Registers a handler that takes the due jobs of `kind`, up to `limit`, at once; they
    /// succeed or fail together.
    pub fn register_batch<F, Fut>(&mut self, kind: &'static str, limit: i64, f: F)
    where
        F: Fn(App, Vec<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<(), String>> + Send + 'static,
    {
        self.batches.insert(kind, (limit.max(1), Arc::new(move |app, payloads| Box::pin(f(app, payloads)))));
    }
}

/// How often a kind of job is tried, and the longest wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: i64,
    pub max_backoff_ms: i64,
}

/// Most jobs are local work that either succeeds soon or is broken: eight tries over about
/// twenty minutes. A delivery waits on another server, which may be down for days (an
/// upgrade, a weekend): twenty tries, the waits doubling up to twelve hours, about four and
/// a half days in all (Mastodon retries for about as long).
pub fn retry_policy(kind: &str) -> RetryPolicy {
    if kind == crate::federation::delivery::DELIVER_JOB {
        RetryPolicy { max_attempts: 20, max_backoff_ms: 12 * 3_600_000 }
    } else {
        RetryPolicy { max_attempts: DEFAULT_MAX_ATTEMPTS, max_backoff_ms: 3_600_000 }
    }
}

/// Queues a job; pass the transaction's `Exec` so the job commits with the change.
pub async fn enqueue(app: &App, e: Exec<'_>, kind: &str, payload: &str, delay_ms: i64) -> Result<i64> {
    let id = app.next_id().0;
    let now = now_ms();
    let max_attempts = retry_policy(kind).max_attempts;
    jobs::enqueue(e, &NewJob { id, kind, payload, run_at: now + delay_ms, max_attempts }, now).await?;
    Ok(id)
}

/// Frees the leases of workers on this host that are no longer running (a crash or `kill -9`
/// leaves its claimed jobs leased for [`LEASE_MS`]); their jobs run again at once instead.
/// `prefix` names this host's workers (`serve-{host}-`); `alive` is asked about the rest of
/// each such worker's name.
pub async fn release_dead_leases(app: &App, prefix: &str, alive: impl Fn(&str) -> bool) -> Result<u64> {
    let now = now_ms();
    let mut released = 0;
    for worker in jobs::lease_holders(app.store.reader(), now).await? {
        let Some(rest) = worker.strip_prefix(prefix) else { continue };
        if !alive(rest) {
            released += jobs::release_leases(app.store.writer(), &worker).await?;
        }
    }
    Ok(released)
}

/// Jobs waiting and jobs out of attempts, for metrics.
pub async fn depth(app: &App) -> Result<jobs::QueueDepth> {
    Ok(jobs::depth(app.store.reader()).await?)
}

/// Back-off after the `attempt`-th failure: 10 s, 20 s, 40 s, … capped at `max_ms`.
pub fn backoff_ms(attempt: i64, max_ms: i64) -> i64 {
    let exp = attempt.clamp(1, 30) - 1;
    (10_000i64.saturating_mul(1 << exp)).min(max_ms)
}

/// Claims and runs one due job. Returns whether there was one.
pub async fn run_one(app: &App, handlers: &JobHandlers, worker: &str) -> Result<bool> {
    let now = now_ms();
    let Some(job) = jobs::claim(app.store.writer(), worker, now, now + LEASE_MS).await? else {
        return Ok(false);
    };
    let span = tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
    let _enter = span.enter();
    let mut claimed = vec![job];
    let outcome = if let Some((limit, batch)) = handlers.batches.get(claimed[0].kind.as_str()) {
        let more =
            jobs::claim_more(app.store.writer(), worker, &claimed[0].kind, now, now + LEASE_MS, limit - 1).await?;
        claimed.extend(more);
        batch(app.clone(), claimed.iter().map(|j| j.payload.clone()).collect()).await
    } else {
        match handlers.by_kind.get(claimed[0].kind.as_str()) {
            Some(h) => h(app.clone(), claimed[0].payload.clone()).await,
            None => Err(format!("no handler for job kind `{}`", claimed[0].kind)),
        }
    };
    let err = match outcome {
        Ok(()) => {
            // One statement for the whole batch: the writer is the scarce resource.
            let ids: Vec<i64> = claimed.iter().map(|j| j.id).collect();
            jobs::complete_many(app.store.writer(), &ids).await?;
            metrics::counter!("canteen_jobs_total", "kind" => claimed[0].kind.clone(), "outcome" => "ok")
                .increment(claimed.len() as u64);
            return Ok(true);
        }
        Err(err) => err,
    };
    let now = now_ms();
    for job in claimed {
        let retry_at = (job.attempts < job.max_attempts)
            .then(|| now + backoff_ms(job.attempts, retry_policy(&job.kind).max_backoff_ms));
        tracing::warn!(error = %err, job = job.id, retry_at, "job failed");
        jobs::fail(app.store.writer(), job.id, &err, retry_at, now).await?;
        let outcome = if retry_at.is_some() { "retry" } else { "dead" };
        metrics::counter!("canteen_jobs_total", "kind" => job.kind.clone(), "outcome" => outcome).increment(1);
    }
    Ok(true)
}

/// Runs jobs until `shutdown` turns true. A job that has started is finished first, so a
/// graceful stop never abandons work half-done (and a crash leaves a lease to expire).
pub async fn worker_loop(app: App, handlers: JobHandlers, worker: String, mut shutdown: watch::Receiver<bool>) {
    let idle = Duration::from_millis(250);
    while !*shutdown.borrow() {
        match run_one(&app, &handlers, &worker).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "job worker"),
        }
        tokio::select! {
            _ = tokio::time::sleep(idle) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Every job kind the app runs, for `canteen serve` (and tests) to hand to the worker.
pub fn handlers() -> JobHandlers {
    let mut h = JobHandlers::default();
    h.register_batch(crate::statuses::FANOUT_JOB, FANOUT_BATCH_LIMIT, |app, payloads| async move {
        crate::fanout::run_batch(&app, &payloads).await.map_err(|e| e.to_string())
    });
    h.register(crate::scheduled::PUBLISH_JOB, |app, payload| async move {
        crate::scheduled::publish(&app, &payload).await.map_err(|e| e.to_string())
    });
    h.register_batch(crate::search::INDEX_STATUS_JOB, BATCH_LIMIT, |app, payloads| async move {
        crate::search::index_statuses_job(&app, &payloads).await.map_err(|e| e.to_string())
    });
    h.register(crate::search::INDEX_ACCOUNT_JOB, |app, payload| async move {
        crate::search::index_account_job(&app, &payload).await.map_err(|e| e.to_string())
    });
    h.register(crate::federation::delivery::DELIVER_JOB, |app, payload| async move {
        crate::federation::delivery::deliver(&app, &payload).await
    });
    h.register(crate::password_reset::SEND_JOB, |app, payload| async move {
        crate::password_reset::send(&app, &payload).await
    });
    h.register(crate::federation::resolve::FETCH_ANCESTORS_JOB, |app, payload| async move {
        crate::federation::resolve::fetch_ancestors(&app, &payload).await
    });
    h.register(crate::polls::EXPIRE_JOB, |app, payload| async move {
        crate::polls::expire(&app, &payload).await.map_err(|e| e.to_string())
    });
    h
}

#[cfg(test)]
mod tests {
    use super::{DEFAULT_MAX_ATTEMPTS, backoff_ms, retry_policy};

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_ms(1, 3_600_000), 10_000);
        assert_eq!(backoff_ms(2, 3_600_000), 20_000);
        assert_eq!(backoff_ms(4, 3_600_000), 80_000);
        assert_eq!(backoff_ms(30, 3_600_000), 3_600_000);
        // Deliveries: twenty tries spread over days, never more than twelve hours apart.
        let p = retry_policy(crate::federation::delivery::DELIVER_JOB);
        let waits: Vec<i64> = (1..p.max_attempts).map(|a| backoff_ms(a, p.max_backoff_ms)).collect();
        let total_hours = waits.iter().sum::<i64>() as f64 / 3_600_000.0;
        assert!((72.0..=120.0).contains(&total_hours), "{total_hours} h");
        assert_eq!(*waits.iter().max().unwrap(), 12 * 3_600_000);
        assert_eq!(retry_policy("status.fanout").max_attempts, DEFAULT_MAX_ATTEMPTS);
    }
}
