//! Live events for streaming. Use cases publish after their transaction commits; the
//! streaming front door subscribes and renders each event for its viewer, through the same
//! audience rule as every other read path.
//!
//! `EventBus` is a trait so a cross-node bus (PostgreSQL LISTEN/NOTIFY, Redis) can replace
//! the in-process one when several `canteen serve` nodes share a database.

use canteen_domain::Id;
use tokio::sync::broadcast;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A post entered a reader's home feed.
    Home { reader: Id, status: Id },
    /// A post by a pulled author (too many followers to fan out to, decision 0004): it is in
    /// the home timeline of each of the author's followers without a feed row.
    Followers { author: Id, status: Id },
    /// A listed (public) post was created: for the public, local and hashtag streams.
    Public { status: Id, tags: Vec<String> },
    /// A notification was created for an account.
    Notification { account: Id, id: i64 },
    /// A post was deleted.
    Delete { status: Id },
    /// A post was edited.
    Update { status: Id },
}

pub trait EventBus: Send + Sync {
    fn publish(&self, event: Event);
    fn subscribe(&self) -> broadcast::Receiver<Event>;
}

/// One process: a broadcast channel. Slow subscribers lose the oldest events rather than
/// holding up publishers (streaming clients re-read timelines on reconnect anyway).
pub struct LocalBus {
    tx: broadcast::Sender<Event>,
}

impl LocalBus {
    pub fn new(capacity: usize) -> LocalBus {
        LocalBus { tx: broadcast::channel(capacity.max(16)).0 }
    }
}

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus::new(4096)
    }
}

impl EventBus for LocalBus {
    fn publish(&self, event: Event) {
        // No subscribers is not an error.
        let _ = self.tx.send(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }
}
