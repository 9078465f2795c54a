//! Canteen's use cases. Every front door (API, web, federation, CLI) calls these functions;
//! this is the only layer that opens transactions, checks permissions and enqueues jobs.

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
pub mod follows;
pub mod guard;
pub mod instance;
pub mod jobs;
pub mod lists;
pub mod media;
pub mod notifications;
pub mod oauth;
mod passwords;
pub mod polls;
pub mod profiles;
pub mod scheduled;
mod secrets;
pub mod statuses;
pub mod timelines;
pub mod viewer;
pub mod views;

use std::sync::Arc;

pub use canteen_domain as domain;
pub use canteen_store as store;
pub use config::AppConfig;
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
    ids: Arc<clock::IdGenerator>,
}

impl App {
    pub fn new(store: Store, config: AppConfig) -> App {
        App {
            store,
            events: Arc::new(events::LocalBus::default()),
            media_files: Arc::new(media::FsMediaFiles::new(config.media_dir.clone())),
            ids: Arc::new(clock::IdGenerator::new()),
            config: Arc::new(config),
        }
    }

    pub fn next_id(&self) -> domain::Id {
        self.ids.next()
    }
}
