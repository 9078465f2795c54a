//! The storage layer: both dialects build the same schema, the job table is durable and
//! retries, and the SQLite WAL stays bounded under load.

use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use canteen_app::jobs::{self, JobHandlers};
use canteen_app::{App, AppConfig};
use canteen_store::{Store, StoreOptions};
use support::{Backend, TestDb};

#[tokio::test]
async fn both_dialects_build_the_same_schema() {
    if support::pg_url().is_none() {
        eprintln!("skipped: set CANTEEN_TEST_DATABASE_URL to compare with PostgreSQL");
        return;
    }
    let lite = TestDb::new(Backend::Sqlite).await;
    let pg = TestDb::new(Backend::Postgres).await;
    let a = canteen_store::schema::read(lite.store.reader()).await.unwrap();
    let b = canteen_store::schema::read(pg.store.reader()).await.unwrap();
    assert!(a.tables.len() >= 7, "{:?}", a.tables.keys());
    assert_eq!(a.tables, b.tables, "tables and columns differ between sqlite and postgres");
    assert_eq!(a.indexes, b.indexes, "indexes differ between sqlite and postgres");
}

fn app_on(db: &TestDb) -> App {
    App::new(db.store.clone(), AppConfig::new(support::PUBLIC_URL))
}

async fn jobs_run_retry_and_die(b: Backend) {
    let db = TestDb::new(b).await;
    let app = app_on(&db);
    let runs = Arc::new(AtomicUsize::new(0));
    let mut handlers = JobHandlers::default();
    let counter = runs.clone();
    handlers.register("test.count", move |_app, payload| {
        let counter = counter.clone();
        async move {
            assert_eq!(payload, "{\"n\":1}");
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    handlers.register("test.fail", |_app, _| async { Err("the far end said no".to_string()) });

    let ok = jobs::enqueue(&app, app.store.writer(), "test.count", "{\"n\":1}", 0).await.unwrap();
    let later = jobs::enqueue(&app, app.store.writer(), "test.count", "{\"n\":1}", 60_000).await.unwrap();
    assert!(jobs::run_one(&app, &handlers, "w1").await.unwrap());
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(canteen_store::jobs::state(app.store.reader(), ok).await.unwrap().is_none(), "done jobs are removed");
    assert!(!jobs::run_one(&app, &handlers, "w1").await.unwrap(), "a job scheduled later does not run early");
    assert!(canteen_store::jobs::state(app.store.reader(), later).await.unwrap().is_some());

    let failing = jobs::enqueue(&app, app.store.writer(), "test.fail", "{}", 0).await.unwrap();
    assert!(jobs::run_one(&app, &handlers, "w1").await.unwrap());
    let st = canteen_store::jobs::state(app.store.reader(), failing).await.unwrap().unwrap();
    assert_eq!((st.state.as_str(), st.attempts), ("queued", 1));
    assert_eq!(st.last_error.as_deref(), Some("the far end said no"));
    assert!(st.run_at >= canteen_app::clock::now_ms() + 9_000, "retried after a back-off");

    // Out of attempts: kept as dead, with its error, and counted.
    let unknown = jobs::enqueue(&app, app.store.writer(), "test.unknown_kind", "{}", 0).await.unwrap();
    for _ in 0..jobs::DEFAULT_MAX_ATTEMPTS {
        force_due(&app, unknown).await;
        jobs::run_one(&app, &handlers, "w1").await.unwrap();
    }
    let st = canteen_store::jobs::state(app.store.reader(), unknown).await.unwrap().unwrap();
    assert_eq!(st.state, "dead");
    assert!(st.last_error.unwrap().contains("no handler"));
    let depth = jobs::depth(&app).await.unwrap();
    assert_eq!(depth.dead, 1);
}

/// Makes a job due now (tests cannot wait for back-off).
async fn force_due(app: &App, id: i64) {
    let mut tx = app.store.begin().await.unwrap();
    let st = canteen_store::jobs::state(tx.exec(), id).await.unwrap().unwrap();
    if st.state == "queued" {
        canteen_store::jobs::fail(tx.exec(), id, st.last_error.as_deref().unwrap_or(""), Some(0), 0).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn queued_jobs_survive_a_restart(b: Backend) {
    let db = TestDb::new(b).await;
    let app = app_on(&db);
    // Enqueued in the same transaction as a change; the process then "dies" before running it.
    let mut tx = app.store.begin().await.unwrap();
    let id = jobs::enqueue(&app, tx.exec(), "test.count", "{}", 0).await.unwrap();
    tx.commit().await.unwrap();
    // A job claimed by a worker that then died is claimed again once its lease runs out.
    let now = canteen_app::clock::now_ms();
    let claimed = canteen_store::jobs::claim(app.store.writer(), "dead-worker", now, now + 1).await.unwrap().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(claimed.id, id);
    app.store.close().await;
    drop(app);

    // A new process: a new connection to the same database.
    let store = Store::connect(&StoreOptions::new(&db.url)).await.unwrap();
    store.migrate().await.unwrap();
    let reopened = App::new(store.clone(), AppConfig::new(support::PUBLIC_URL));
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let mut handlers = JobHandlers::default();
    handlers.register("test.count", move |_, _| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    assert!(jobs::run_one(&reopened, &handlers, "new-worker").await.unwrap());
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert!(!jobs::run_one(&reopened, &handlers, "new-worker").await.unwrap(), "and only once");
    store.close().await;
}

async fn concurrent_workers_claim_each_job_once(b: Backend) {
    let db = TestDb::new(b).await;
    let app = app_on(&db);
    for _ in 0..40 {
        jobs::enqueue(&app, app.store.writer(), "test.count", "{}", 0).await.unwrap();
    }
    let ran = Arc::new(AtomicUsize::new(0));
    let mut handlers = JobHandlers::default();
    let counter = ran.clone();
    handlers.register("test.count", move |_, _| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(())
        }
    });
    let mut tasks = Vec::new();
    for w in 0..4 {
        let (app, handlers) = (app.clone(), handlers.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while jobs::run_one(&app, &handlers, &format!("w{w}")).await.unwrap() {
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, 40);
    assert_eq!(ran.load(Ordering::SeqCst), 40, "every job ran exactly once");
    assert_eq!(jobs::depth(&app).await.unwrap().queued, 0);
}

backend_tests!(jobs_run_retry_and_die, queued_jobs_survive_a_restart, concurrent_workers_claim_each_job_once);

/// Under steady readers, SQLite's passive auto-checkpoints cannot reset the log; the
/// store's checkpoint keeps it near the configured limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_wal_stays_bounded_under_reads_and_writes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("wal.db").display());
    let mut opts = StoreOptions::new(&url);
    opts.wal_limit_bytes = 512 * 1024;
    opts.sqlite_durability = canteen_store::SqliteDurability::Normal;
    let store = Store::connect(&opts).await.unwrap();
    store.migrate().await.unwrap();
    let app = App::new(store.clone(), AppConfig::new(support::PUBLIC_URL));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..3 {
        let (app, stop) = (app.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                jobs::depth(&app).await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let payload = "x".repeat(400);
    let mut peak = 0;
    for i in 0..6000 {
        jobs::enqueue(&app, app.store.writer(), "test.bulk", &payload, 0).await.unwrap();
        if i % 200 == 0 {
            store.checkpoint_if_needed().await.unwrap();
        }
        peak = peak.max(store.wal_bytes());
    }
    stop.store(true, Ordering::SeqCst);
    let mut reads = 0;
    for r in readers {
        reads += r.await.unwrap();
    }
    store.checkpoint_if_needed().await.unwrap();
    let end = store.wal_bytes();
    assert!(reads > 100, "readers ran alongside ({reads} reads)");
    // 6000 commits of ~1 KiB pages each would be several MiB unchecked.
    assert!(peak < 4 * 1024 * 1024, "WAL peaked at {peak} bytes");
    assert!(end <= 512 * 1024, "WAL ended at {end} bytes");
    store.close().await;
}
