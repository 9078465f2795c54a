//! Access changes made in another process reach this one's open streams within seconds.
//! `canteen admin suspend` runs in a shell, not in the server, and several `canteen serve`
//! may share one PostgreSQL: moving the in-memory access epoch there reaches nobody here.
//! So such a change also writes a new generation to `settings`, and every server reads it
//! every [`POLL`], moving its own epoch when it changed; open streams then check their
//! caller again (`auth::Recheck`).

use std::time::Duration;

use canteen_store::settings;
use tokio::sync::watch;

use crate::clock::now_ms;
use crate::{App, Result};

const KEY: &str = "access_generation";
/// How often a server reads the generation: one small read, so seconds, not a minute.
pub const POLL: Duration = Duration::from_secs(2);

/// Moves the access epoch here and, through the database, in every other process.
pub async fn announce(app: &App) -> Result<()> {
    app.access_changed();
    settings::set(app.store.writer(), KEY, &app.next_id().to_string(), now_ms()).await?;
    Ok(())
}

/// Runs until `stop` turns true: moves this process's access epoch whenever another process
/// announced a change.
pub async fn watch(app: App, mut stop: watch::Receiver<bool>) {
    let mut seen = settings::get(app.store.reader(), KEY).await.ok().flatten();
    while !*stop.borrow() {
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => continue,
        }
        match settings::get(app.store.reader(), KEY).await {
            Ok(now) if now != seen => {
                seen = now;
                app.access_changed();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not read the access generation"),
        }
    }
}
