//! Opening the store and running the server with its background tasks.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use canteen_api::ratelimit::RateLimits;
use canteen_app::App;
use canteen_app::jobs::{JobHandlers, worker_loop};
use canteen_store::{SqliteDurability, Store, StoreOptions};
use tokio::sync::watch;

use crate::config::Config;

/// Opens (and migrates) the store the configuration points at.
pub async fn open_app(cfg: &Config) -> anyhow::Result<App> {
    std::fs::create_dir_all(&cfg.data_dir)
        .with_context(|| format!("could not create the data directory {}", cfg.data_dir.display()))?;
    let mut opts = StoreOptions::new(cfg.database_url());
    opts.max_connections = cfg.database_max_connections;
    opts.sqlite_durability =
        if cfg.sqlite_synchronous == "normal" { SqliteDurability::Normal } else { SqliteDurability::Full };
    let store =
        Store::connect(&opts).await.with_context(|| format!("could not open the database at {}", redact(&opts.url)))?;
    store.migrate().await.context("could not apply database migrations")?;
    Ok(App::new(store, cfg.app_config_checked()?))
}

/// Opens the post index in the data dir. Only one process may hold it: a second gets a
/// message saying which.
pub fn open_search_index(
    cfg: &Config,
    options: canteen_search::WriterOptions,
) -> anyhow::Result<canteen_search::SearchIndex> {
    let dir = cfg.data_dir.join("search");
    canteen_search::SearchIndex::open_with(&dir, options).map_err(|e| match e {
        canteen_search::IndexError::Locked => anyhow::anyhow!(
            "the search index at {} is in use by another Canteen process (a running `canteen serve`?); stop it first",
            dir.display()
        ),
        other => anyhow::anyhow!("could not open the search index at {}: {other}", dir.display()),
    })
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Job kinds this build knows how to run.
pub fn job_handlers() -> JobHandlers {
    canteen_app::jobs::handlers()
}

/// Resolves when SIGINT or SIGTERM arrives.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Runs the server until SIGINT/SIGTERM, then stops taking connections, lets in-flight
/// requests and the running job finish, and closes the database cleanly.
pub async fn serve(cfg: Config) -> anyhow::Result<()> {
    let app =
        open_app(&cfg).await?.with_search_index(open_search_index(&cfg, canteen_search::WriterOptions::serving())?);
    // An index that is missing (first start after an upgrade, or its directory removed)
    // is rebuilt from the database in the background; searches fill in as it goes.
    if app.search.index.is_empty() && canteen_store::statuses::count_all(app.store.reader()).await? > 0 {
        let app = app.clone();
        tokio::spawn(async move {
            match canteen_app::search::rebuild(&app, |_, _| {}).await {
                Ok(n) => tracing::info!(posts = n, "search index rebuilt"),
                Err(e) => tracing::error!(error = %e, "search index rebuild failed"),
            }
        });
    }
    let limits = RateLimits { enabled: cfg.rate_limits, ..RateLimits::default() };
    let router = crate::routes::router(app.clone(), limits);
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("could not listen on {}", cfg.listen))?;
    let (stop_tx, stop_rx) = watch::channel(false);

    // Workers are named by host and pid, so a restart can tell its own dead predecessors'
    // leases (a crash leaves them held for minutes) from live workers elsewhere.
    // The start time tells this process from an earlier one that had the same pid (in a
    // container the server is often pid 1 every time).
    let worker_prefix = format!("serve-{}-", host_name());
    let worker_name = format!("{}.{}", std::process::id(), canteen_app::clock::now_ms());
    let alive = |name: &str| {
        name == worker_name || name.split('.').next().and_then(|p| p.parse().ok()).is_some_and(process_alive)
    };
    match canteen_app::jobs::release_dead_leases(&app, &worker_prefix, alive).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(jobs = n, "took back jobs claimed by a worker that stopped without finishing them"),
        Err(e) => tracing::warn!(error = %e, "could not check for jobs left by a stopped worker"),
    }
    // The workers share one name: a lease names the process that holds it, and claiming is
    // atomic, so each job still runs once.
    let handlers = job_handlers();
    let workers: Vec<_> = (0..cfg.job_workers.clamp(1, 64))
        .map(|_| {
            tokio::spawn(worker_loop(
                app.clone(),
                handlers.clone(),
                format!("{worker_prefix}{worker_name}"),
                stop_rx.clone(),
            ))
        })
        .collect();
    let maintenance = tokio::spawn(maintenance_loop(app.clone(), stop_rx.clone()));
    let access_watch = tokio::spawn(canteen_app::access_generation::watch(app.clone(), stop_rx.clone()));

    tracing::info!(listen = %cfg.listen, public_url = %app.config.public_url, backend = ?app.store.backend(), "canteen is listening");
    let mut stop_for_server = stop_rx.clone();
    let server = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            let _ = stop_for_server.changed().await;
        });
    let grace = Duration::from_secs(cfg.shutdown_grace_seconds);
    let server = tokio::spawn(async move { server.await });
    shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight requests");
    let _ = stop_tx.send(true);
    match tokio::time::timeout(grace, server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => tracing::error!(error = %e, "server error"),
        Ok(Err(e)) => tracing::error!(error = %e, "server task failed"),
        Err(_) => tracing::warn!(seconds = grace.as_secs(), "requests still running after the grace period"),
    }
    for worker in workers {
        let _ = worker.await;
    }
    let _ = maintenance.await;
    let _ = access_watch.await;
    app.store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Periodic upkeep: keeps the SQLite WAL bounded.
async fn maintenance_loop(app: App, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if let Err(e) = app.store.checkpoint_if_needed().await {
            tracing::warn!(error = %e, "wal checkpoint failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// This machine's name (Linux), or `localhost`.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Whether another process with this pid runs on this machine (our own pid, in another
/// worker's name, was an earlier process). Where that cannot be told (no `/proc`), every
/// process counts as running, so no lease is taken back early.
fn process_alive(pid: u32) -> bool {
    if !std::path::Path::new("/proc/self").exists() {
        return true;
    }
    pid != std::process::id() && std::path::Path::new(&format!("/proc/{pid}")).exists()
}
