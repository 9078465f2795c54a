//! Connections to SQLite or PostgreSQL behind one type.
//!
//! Queries are written once; the [`exec!`] macro expands a query body for each driver, so
//! each runs on the native driver (no `Any` layer) while the SQL text is shared.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};

use crate::error::{Result, StoreError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite's `synchronous` setting. `Full` (the default) fsyncs the WAL on every commit, so
/// an acknowledged write survives power loss; `Normal` survives a crash of the process but
/// may lose the last commits on power loss, for several times the write throughput.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteDurability {
    Full,
    Normal,
}

#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub url: String,
    /// Connections for readers (SQLite) or for everything (PostgreSQL).
    pub max_connections: u32,
    pub sqlite_durability: SqliteDurability,
    /// Truncate the SQLite WAL once it passes this many bytes.
    pub wal_limit_bytes: u64,
}

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> StoreOptions {
        StoreOptions {
            url: url.into(),
            max_connections: 8,
            sqlite_durability: SqliteDurability::Full,
            wal_limit_bytes: 64 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone)]
enum Pools {
    /// SQLite allows one writer at a time: one connection writes, the rest only read, so
    /// writers queue in the pool instead of failing with `SQLITE_BUSY`.
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
        wal_path: PathBuf,
        wal_limit: u64,
    },
    Pg(PgPool),
}

/// The handle every other crate holds. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pools: Pools,
}

/// Something a query can run on: a pool or a connection inside a transaction.
pub enum Exec<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// A transaction on either backend. Dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Pg(sqlx::Transaction<'static, Postgres>),
}

/// Runs `$body` with `$x` bound to the driver-specific executor inside an [`Exec`].
macro_rules! exec {
    ($e:expr, $x:ident => $body:expr) => {
        match $e {
            $crate::db::Exec::SqlitePool($x) => $body,
            $crate::db::Exec::PgPool($x) => $body,
            $crate::db::Exec::Sqlite($x) => $body,
            $crate::db::Exec::Pg($x) => $body,
        }
    };
}
pub(crate) use exec;

impl Exec<'_> {
    /// Lets one `Exec` serve several queries in a row.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::SqlitePool(p) => Exec::SqlitePool(p),
            Exec::PgPool(p) => Exec::PgPool(p),
            Exec::Sqlite(c) => Exec::Sqlite(c),
            Exec::Pg(c) => Exec::Pg(c),
        }
    }
}

impl Tx {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(t) => Exec::Sqlite(&mut *t),
            Tx::Pg(t) => Exec::Pg(&mut *t),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Pg(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(opts: &StoreOptions) -> Result<Store> {
        let url = opts.url.as_str();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pg = PgConnectOptions::from_str(url)?;
            return Store::connect_pg(pg, opts.max_connections).await;
        }
        if !url.starts_with("sqlite:") {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        let sync = match opts.sqlite_durability {
            SqliteDurability::Full => SqliteSynchronous::Full,
            SqliteDurability::Normal => SqliteSynchronous::Normal,
        };
        let base = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(sync)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // After a checkpoint, shrink the WAL file back to this size instead of leaving it
            // at its high-water mark.
            .pragma("journal_size_limit", opts.wal_limit_bytes.to_string());
        let db_path = base.get_filename().to_path_buf();
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .connect_with(base.read_only(true))
            .await?;
        let mut wal = db_path.clone().into_os_string();
        wal.push("-wal");
        Ok(Store {
            pools: Pools::Sqlite { write, read, wal_path: PathBuf::from(wal), wal_limit: opts.wal_limit_bytes },
        })
    }

    /// Connects to PostgreSQL with options built by the caller (tests use this to pin a schema).
    pub async fn connect_pg(pg: PgConnectOptions, max_connections: u32) -> Result<Store> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(pg)
            .await?;
        Ok(Store { pools: Pools::Pg(pool) })
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Pg(_) => Backend::Postgres,
        }
    }

    /// Applies any pending migrations for this backend.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Pools::Pg(pool) => PG_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// For reads outside a transaction.
    pub fn reader(&self) -> Exec<'_> {
        match &self.pools {
            Pools::Sqlite { read, .. } => Exec::SqlitePool(read),
            Pools::Pg(pool) => Exec::PgPool(pool),
        }
    }

    /// For single-statement writes outside a transaction.
    pub fn writer(&self) -> Exec<'_> {
        match &self.pools {
            Pools::Sqlite { write, .. } => Exec::SqlitePool(write),
            Pools::Pg(pool) => Exec::PgPool(pool),
        }
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Pools::Pg(pool) => Tx::Pg(pool.begin().await?),
        })
    }

    /// (connections open, idle) across the pools, for metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.pools {
            Pools::Sqlite { write, read, .. } => (write.size() + read.size(), write.num_idle() + read.num_idle()),
            Pools::Pg(pool) => (pool.size(), pool.num_idle()),
        }
    }

    /// Bytes in the SQLite write-ahead log (0 on PostgreSQL or when there is none).
    pub fn wal_bytes(&self) -> u64 {
        match &self.pools {
            Pools::Sqlite { wal_path, .. } => wal_size(wal_path),
            Pools::Pg(_) => 0,
        }
    }

    /// Keeps the SQLite WAL bounded. SQLite's automatic checkpoints are passive and cannot
    /// reset the log while readers hold old snapshots, so under steady reads it only grows;
    /// past the limit this runs a TRUNCATE checkpoint, which waits (up to the busy timeout)
    /// for readers to move on and then empties the file. Returns whether it ran.
    pub async fn checkpoint_if_needed(&self) -> Result<bool> {
        let Pools::Sqlite { write, wal_path, wal_limit, .. } = &self.pools else {
            return Ok(false);
        };
        if wal_size(wal_path) <= *wal_limit {
            return Ok(false);
        }
        let (busy, log, done): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(write).await?;
        tracing::debug!(busy, log, done, "sqlite wal checkpoint");
        Ok(true)
    }

    /// Closes every connection, waiting for those in use to be returned. On SQLite the
    /// last connection to close checkpoints the WAL into the database file.
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { write, read, .. } => {
                read.close().await;
                write.close().await;
            }
            Pools::Pg(pool) => pool.close().await,
        }
    }
}

fn wal_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}
