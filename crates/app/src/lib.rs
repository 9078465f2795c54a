//! Canteen's use cases. Every front door (API, web, federation, CLI) calls these functions;
//! this is the only layer that opens transactions, checks permissions and enqueues jobs.

pub mod access_generation;
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
pub mod live;
pub mod mail;
pub mod media;
pub mod memo;
pub mod notifications;
pub mod oauth;
pub mod onboarding;
pub mod password_reset;
mod passwords;
pub mod polls;
mod post_commit;
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
use std::sync::atomic::{AtomicU64, Ordering};

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
    /// Posts as the live streams show them, built once per post (`live`).
    pub live: Arc<live::LiveViews>,
    /// New posts waiting to be written together (`post_commit`).
    post_commits: Arc<post_commit::PostCommits>,
    /// Signing keys of remote actors by key id, for the inbox (`federation::actors::key`).
    pub(crate) signer_keys: Arc<memo::Memo<federation::actors::ActorKey>>,
    /// Whether a server may federate here, by domain (`federation::domains::permit`).
    pub(crate) domain_permits: Arc<memo::Memo<federation::domains::Permit>>,
    ids: Arc<clock::IdGenerator>,
    /// Moves whenever a token is revoked, a browser session ends or a profile or login is
    /// suspended, deleted or switched: open streams check their caller again only then.
    access_epoch: Arc<AtomicU64>,
    /// Moves whenever a follow, block, mute or list membership changes: the live streams'
    /// cached audience sets are read again (`live`).
    relations_epoch: Arc<AtomicU64>,
}

impl App {
    pub fn new(store: Store, config: AppConfig) -> App {
        App {
            store,
            events: Arc::new(events::LocalBus::default()),
            media_files: Arc::new(media::FsMediaFiles::new(config.media_dir.clone())),
            ids: Arc::new(clock::IdGenerator::new()),
            live: Arc::default(),
            post_commits: Arc::default(),
            signer_keys: Arc::new(memo::Memo::new(std::time::Duration::from_secs(60), 10_000)),
            domain_permits: Arc::new(memo::Memo::new(std::time::Duration::from_secs(10), 10_000)),
            access_epoch: Arc::default(),
            relations_epoch: Arc::default(),
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

    /// Publishes `event` on the bus, first dropping an edited or deleted post from the live
    /// streams' cache. Use cases publish edits and deletions through this.
    pub fn publish(&self, event: events::Event) {
        if let events::Event::Update { status } | events::Event::Delete { status } = &event {
            self.live.forget(*status);
        }
        self.events.publish(event);
    }

    /// The access epoch: read it *before* checking a caller, so a change made during the check
    /// is seen as a change afterwards.
    pub fn access_epoch(&self) -> u64 {
        self.access_epoch.load(Ordering::Acquire)
    }

    /// The relationships epoch (see `relations_changed`).
    pub fn relations_epoch(&self) -> u64 {
        self.relations_epoch.load(Ordering::Acquire)
    }

    /// Records that a follow, follow request, block, mute or list membership changed, so the
    /// live streams read the audience sets of the posts they hold again. Call it after the
    /// change commits.
    pub fn relations_changed(&self) {
        self.relations_epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// Records that some token, session, login or profile may no longer act (or that a
    /// profile's suspension changed how its posts show). Call it after the change commits.
    /// Process-wide and coarse on purpose: such changes are rare, and each costs every open
    /// stream one check of its caller at its next event. Streams also check at least once a
    /// minute, for changes made by another node.
    pub fn access_changed(&self) {
        self.access_epoch.fetch_add(1, Ordering::AcqRel);
    }
}
