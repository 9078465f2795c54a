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

/// The most jobs of one kind a batch handler is given at once.
pub const BATCH_LIMIT: i64 = 500;

/// Which function runs each kind of job. Front doors and features register theirs at start-up.
#[derive(Clone, Default)]
pub struct JobHandlers {
    by_kind: HashMap<&'static str, Handler>,
    batches: HashMap<&'static str, BatchHandler>,
}

impl JobHandlers {
    pub fn register<F, Fut>(&mut self, kind: &'static str, f: F)
    where
        F: Fn(App, String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<(), String>> + Send + 'static,
    {
        self.by_kind.insert(kind, Arc::new(move |app, payload| Box::pin(f(app, payload))));
    }

    /// Registers a handler that takes every due job of `kind` (up to [`BATCH_LIMIT`]) at
    /// once; they succeed or fail together.
    pub fn register_batch<F, Fut>(&mut self, kind: &'static str, f: F)
    where
        F: Fn(App, Vec<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<(), String>> + Send + 'static,
    {
        self.batches.insert(kind, Arc::new(move |app, payloads| Box::pin(f(app, payloads))));
    }
}

/// Queues a job; pass the transaction's `Exec` so the job commits with the change.
pub async fn enqueue(app: &App, e: Exec<'_>, kind: &str, payload: &str, delay_ms: i64) -> Result<i64> {
    let id = app.next_id().0;
    let now = now_ms();
    jobs::enqueue(e, &NewJob { id, kind, payload, run_at: now + delay_ms, max_attempts: DEFAULT_MAX_ATTEMPTS }, now)
        .await?;
    Ok(id)
}

/// Jobs waiting and jobs out of attempts, for metrics.
pub async fn depth(app: &App) -> Result<jobs::QueueDepth> {
    Ok(jobs::depth(app.store.reader()).await?)
}

/// Back-off after the `attempt`-th failure: 10 s, 20 s, 40 s, … capped at one hour.
pub fn backoff_ms(attempt: i64) -> i64 {
    let exp = attempt.clamp(1, 20) - 1;
    (10_000i64.saturating_mul(1 << exp)).min(3_600_000)
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
    let outcome = if let Some(batch) = handlers.batches.get(claimed[0].kind.as_str()) {
        let more = jobs::claim_more(app.store.writer(), worker, &claimed[0].kind, now, now + LEASE_MS, BATCH_LIMIT - 1)
            .await?;
        claimed.extend(more);
        batch(app.clone(), claimed.iter().map(|j| j.payload.clone()).collect()).await
    } else {
        match handlers.by_kind.get(claimed[0].kind.as_str()) {
            Some(h) => h(app.clone(), claimed[0].payload.clone()).await,
            None => Err(format!("no handler for job kind `{}`", claimed[0].kind)),
        }
    };
    let now = now_ms();
    for job in claimed {
        match &outcome {
            Ok(()) => {
                jobs::complete(app.store.writer(), job.id).await?;
                metrics::counter!("canteen_jobs_total", "kind" => job.kind.clone(), "outcome" => "ok").increment(1);
            }
            Err(err) => {
                let retry_at = (job.attempts < job.max_attempts).then(|| now + backoff_ms(job.attempts));
                tracing::warn!(error = %err, job = job.id, retry_at, "job failed");
                jobs::fail(app.store.writer(), job.id, err, retry_at, now).await?;
                let outcome = if retry_at.is_some() { "retry" } else { "dead" };
                metrics::counter!("canteen_jobs_total", "kind" => job.kind.clone(), "outcome" => outcome).increment(1);
            }
        }
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
    h.register(crate::statuses::FANOUT_JOB, |app, payload| async move {
        crate::fanout::run(&app, &payload).await.map_err(|e| e.to_string())
    });
    h.register(crate::scheduled::PUBLISH_JOB, |app, payload| async move {
        crate::scheduled::publish(&app, &payload).await.map_err(|e| e.to_string())
    });
    h.register_batch(crate::search::INDEX_STATUS_JOB, |app, payloads| async move {
        crate::search::index_statuses_job(&app, &payloads).await.map_err(|e| e.to_string())
    });
    h.register(crate::search::INDEX_ACCOUNT_JOB, |app, payload| async move {
        crate::search::index_account_job(&app, &payload).await.map_err(|e| e.to_string())
    });
    h.register(crate::federation::delivery::DELIVER_JOB, |app, payload| async move {
        crate::federation::delivery::deliver(&app, &payload).await
    });
    h.register(crate::polls::EXPIRE_JOB, |app, payload| async move {
        crate::polls::expire(&app, &payload).await.map_err(|e| e.to_string())
    });
    h
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_ms(1), 10_000);
        assert_eq!(backoff_ms(2), 20_000);
        assert_eq!(backoff_ms(4), 80_000);
        assert_eq!(backoff_ms(30), 3_600_000);
    }
}
