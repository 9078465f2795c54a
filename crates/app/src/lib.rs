//! Canteen's use cases. Every front door (API, web, federation, CLI) calls these functions;
//! this is the only layer that opens transactions, checks permissions and enqueues jobs.

pub mod account_deletion;
pub mod account_moves;
pub mod account_security;
pub mod accounts;
pub mod admin;
pub mod auth;
pub mod clock;
mod config;
mod content;
mod error;
pub mod events;
pub mod extras;
mod fanout;
pub mod federation;
pub mod follows;
pub mod guard;
pub mod instance;
pub mod jobs;
pub mod lists;
pub mod mail;
pub mod media;
pub mod notifications;
pub mod oauth;
pub mod onboarding;
pub mod password_reset;
mod passwords;
pub mod polls;
pub mod profiles;
pub mod registration;
pub mod reports;
pub mod scheduled;
pub mod search;
mod secrets;
pub mod statuses;
pub mod timelines;
pub mod viewer;
pub mod views;
pub mod web;

use std::sync::Arc;

pub use canteen_domain as domain;
pub use canteen_store as store;
pub use config::{AppConfig, DEFAULT_HOME_FEED_PULL_THRESHOLD};
pub use error::{AppError, Result};

use canteen_store::Store;

/// Everything a use case needs: the store, the configuration and the id generator.
/// Cheap to clone; one per process.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<AppConfig>,
    pub events: Arc<dyn events::EventBus>,
    pub media_files: Arc<dyn media::MediaFiles>,
    /// The post index (in memory unless the binary opens one in the data dir).
    pub search: Arc<search::Search>,
    ids: Arc<clock::IdGenerator>,
}

impl App {
    pub fn new(store: Store, config: AppConfig) -> App {
        App {
            store,
            events: Arc::new(events::LocalBus::default()),
            media_files: Arc::new(media::FsMediaFiles::new(config.media_dir.clone())),
            ids: Arc::new(clock::IdGenerator::new()),
            search: Arc::new(search::Search::new(
                canteen_search::SearchIndex::in_memory().expect("an in-memory search index needs no I/O"),
            )),
            config: Arc::new(config),
        }
    }

    /// Uses this post index instead of the in-memory one.
    pub fn with_search_index(mut self, index: canteen_search::SearchIndex) -> App {
        self.search = Arc::new(search::Search::new(index));
        self
    }

    pub fn next_id(&self) -> domain::Id {
        self.ids.next()
    }
}
