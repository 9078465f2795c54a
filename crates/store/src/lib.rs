//! All of Canteen's SQL. One set of queries, written with `$n` placeholders, 64-bit integer
//! ids, epoch-millisecond timestamps and JSON as text, runs on SQLite and on PostgreSQL.
//! Each module owns one aggregate; callers never see a SQL string.

pub mod accounts;
pub mod bulk;
mod db;
pub mod domains;
pub mod erasure;
mod error;
pub mod extras;
pub mod federation;
pub mod feeds;
pub mod guard_audit;
mod id_list;
pub mod interactions;
pub mod jobs;
pub mod lists;
pub mod media;
pub mod notifications;
pub mod oauth;
pub mod polls;
pub mod relationships;
pub mod reports;
mod rows;
pub mod rules;
pub mod scheduled;
pub mod schema;
pub mod settings;
pub mod statuses;
pub mod tags;
pub mod users;
pub mod web_accounts;
pub mod web_sessions;

pub use db::{Backend, Exec, SqliteDurability, Store, StoreOptions, Tx};
pub use error::StoreError;
