//! Group commit of new posts. SQLite has one writer, and each statement is a round trip to
//! its connection while the write lock is held, so posts written one transaction each queue
//! behind each other. Posts made at the same moment are written together instead: each
//! request queues its rows, and whichever holds the leader's turn writes everything queued
//! in one transaction of a few multi-row statements, then hands each request its result.
//! A request returns only after the transaction holding its post has committed, so nothing
//! acknowledged is lost. If the shared transaction fails, each post is written again on its
//! own, so one bad post (a reused idempotency key) cannot fail its neighbours.

use std::sync::Mutex;

use tokio::sync::oneshot;

use canteen_domain::Id;
use canteen_domain::status::Status;
use canteen_store::guard_audit::AckRecord;
use canteen_store::jobs::NewJob;
use canteen_store::{Exec, guard_audit, jobs as jstore, statuses};

use crate::clock::now_ms;
use crate::{App, AppError, Result};

/// The most posts one shared transaction writes; more wait for the next turn.
const MAX_BATCH: usize = 256;

/// Everything a new post writes besides attachments and polls.
pub(crate) struct NewPostRows {
    pub status: Status,
    pub mentions: Vec<Id>,
    pub tags: Vec<String>,
    pub idempotency_key: Option<String>,
    pub acknowledged: Vec<AckRecord>,
    /// (kind, payload) of the jobs that follow the post: fan-out and indexing.
    pub jobs: Vec<(&'static str, String)>,
    /// Some remote server may be in its audience: its `Create` is queued with it.
    pub federate: bool,
}

struct Pending {
    rows: NewPostRows,
    done: oneshot::Sender<Result<()>>,
}

/// The queue of posts waiting for a transaction, and the turn to write them.
#[derive(Default)]
pub struct PostCommits {
    queue: Mutex<Vec<Pending>>,
    turn: tokio::sync::Mutex<()>,
}

/// Writes a plain new post (no attachments, no poll) together with any others being made
/// now, and returns once it has committed.
pub(crate) async fn commit(app: &App, rows: NewPostRows) -> Result<()> {
    let (done, mut result) = oneshot::channel();
    lock(&app.post_commits.queue).push(Pending { rows, done });
    loop {
        let _turn = app.post_commits.turn.lock().await;
        match result.try_recv() {
            Ok(r) => return r,
            Err(oneshot::error::TryRecvError::Closed) => {
                return Err(AppError::Internal("a post's transaction ended without an answer".into()));
            }
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let batch: Vec<Pending> = {
            let mut q = lock(&app.post_commits.queue);
            let n = q.len().min(MAX_BATCH);
            q.drain(..n).collect()
        };
        // Written on its own task: a request that goes away (its client hung up) must not
        // take the posts of the others down with it.
        let app2 = app.clone();
        tokio::spawn(async move { write_batch(&app2, batch).await })
            .await
            .map_err(|e| AppError::Internal(format!("post transaction: {e}")))?;
        // Our post was in that batch unless the queue held more than one batch before it.
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn write_batch(app: &App, batch: Vec<Pending>) {
    let rows: Vec<&NewPostRows> = batch.iter().map(|p| &p.rows).collect();
    let shared = write_in_one_transaction(app, &rows).await;
    drop(rows);
    match shared {
        Ok(()) => {
            for p in batch {
                let _ = p.done.send(Ok(()));
            }
        }
        Err(e) if batch.len() == 1 => {
            if let Some(p) = batch.into_iter().next() {
                let _ = p.done.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(posts = batch.len(), error = %e, "a shared post transaction failed; writing each alone");
            for p in batch {
                let r = write_in_one_transaction(app, &[&p.rows]).await;
                let _ = p.done.send(r);
            }
        }
    }
}

async fn write_in_one_transaction(app: &App, rows: &[&NewPostRows]) -> Result<()> {
    let mut tx = app.store.begin().await?;
    write_rows(app, tx.exec(), rows).await?;
    for r in rows.iter().filter(|r| r.federate) {
        crate::federation::outbox::created(app, tx.exec(), &r.status).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The rows of new posts, a few statements for any number of posts. The caller queues each
/// federated post's `Create` after this (and after its attachments and poll, which the
/// activity carries).
pub(crate) async fn write_rows(app: &App, e: Exec<'_>, rows: &[&NewPostRows]) -> Result<()> {
    let mut e = e;
    let now = now_ms();
    let posts: Vec<&Status> = rows.iter().map(|r| &r.status).collect();
    statuses::insert_many(e.reborrow(), &posts).await?;
    let mentions: Vec<(Id, Id)> = rows.iter().flat_map(|r| r.mentions.iter().map(|m| (r.status.id, *m))).collect();
    statuses::insert_mentions_many(e.reborrow(), &mentions).await?;
    let tags: Vec<(Id, String)> = rows.iter().flat_map(|r| r.tags.iter().map(|t| (r.status.id, t.clone()))).collect();
    statuses::insert_tags_many(e.reborrow(), &tags).await?;
    let keys: Vec<(Id, String, Id)> = rows
        .iter()
        .filter_map(|r| r.idempotency_key.as_ref().map(|k| (r.status.account_id, k.clone(), r.status.id)))
        .collect();
    statuses::remember_idempotency_many(e.reborrow(), &keys, now).await?;
    let acks: Vec<AckRecord> = rows.iter().flat_map(|r| r.acknowledged.iter().cloned()).collect();
    guard_audit::insert_many(e.reborrow(), &acks).await?;
    let job_rows: Vec<(i64, &str, &str)> = rows
        .iter()
        .flat_map(|r| r.jobs.iter().map(|(kind, payload)| (app.next_id().0, *kind, payload.as_str())))
        .collect();
    let jobs: Vec<NewJob<'_>> = job_rows
        .iter()
        .map(|&(id, kind, payload)| NewJob {
            id,
            kind,
            payload,
            run_at: now,
            max_attempts: crate::jobs::retry_policy(kind).max_attempts,
        })
        .collect();
    jstore::enqueue_many(e, &jobs, now).await?;
    Ok(())
}
