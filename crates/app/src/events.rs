//! Live events for streaming. Use cases publish after their transaction commits; the
//! streaming front door subscribes and renders each event for its viewer, through the same
//! audience rule as every other read path.
//!
//! Events are routed by who they concern, so a server holding thousands of open streams
//! wakes only the ones an event is for: home-feed entries and notifications go to their
//! account's subscribers alone, public posts to subscribers of public timelines, and the rest
//! (deletions, edits, a pulled author's post) to every subscriber.
//!
//! `EventBus` is a trait so a cross-node bus (PostgreSQL LISTEN/NOTIFY, Redis) can replace
//! the in-process one when several `canteen serve` nodes share a database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use canteen_domain::Id;
use tokio::sync::broadcast::{self, error::RecvError};

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

/// What a subscriber wants besides the events every subscriber gets.
#[derive(Debug, Clone, Copy, Default)]
pub struct Interest {
    /// The signed-in account: its home-feed entries and notifications.
    pub account: Option<Id>,
    /// New public posts (public, local and hashtag timelines).
    pub public: bool,
}

pub trait EventBus: Send + Sync {
    fn publish(&self, event: Event);
    fn subscribe(&self, interest: Interest) -> Subscription;
}

/// Per-account channels, created on first subscription and dropped with the last.
type Accounts = Arc<Mutex<HashMap<Id, broadcast::Sender<Event>>>>;

/// Events buffered per account before a slow subscriber starts losing the oldest: an
/// account's own events are few, and each buffered slot costs memory per open stream.
const ACCOUNT_CAPACITY: usize = 32;

/// One subscriber's receivers. Dropping it gives back its account channel.
pub struct Subscription {
    account: Option<(Id, broadcast::Receiver<Event>)>,
    public: Option<broadcast::Receiver<Event>>,
    everyone: broadcast::Receiver<Event>,
    public_tx: broadcast::Sender<Event>,
    accounts: Accounts,
}

async fn next(rx: Option<&mut broadcast::Receiver<Event>>) -> Result<Event, RecvError> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

impl Subscription {
    /// The next event for this subscriber; `None` once the bus is gone. A subscriber that
    /// fell behind skips what it missed (streaming clients re-read timelines on reconnect).
    pub async fn recv(&mut self) -> Option<Event> {
        loop {
            // Biased: an account's own events first when several are waiting (order within
            // each channel is kept; across channels it is by arrival only).
            let got = tokio::select! {
                biased;
                e = next(self.account.as_mut().map(|(_, rx)| rx)) => e,
                e = next(self.public.as_mut()) => e,
                e = self.everyone.recv() => e,
            };
            match got {
                Ok(e) => return Some(e),
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// Starts receiving public posts too (a WebSocket subscribed to a public timeline).
    pub fn add_public(&mut self) {
        if self.public.is_none() {
            self.public = Some(self.public_tx.subscribe());
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let Some((id, _)) = &self.account else { return };
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        // Our own receiver is still counted here; if it is the last, the channel goes.
        if accounts.get(id).is_some_and(|tx| tx.receiver_count() <= 1) {
            accounts.remove(id);
        }
    }
}

/// One process: broadcast channels. Slow subscribers lose the oldest events rather than
/// holding up publishers.
pub struct LocalBus {
    public: broadcast::Sender<Event>,
    everyone: broadcast::Sender<Event>,
    accounts: Accounts,
}

impl LocalBus {
    pub fn new(capacity: usize) -> LocalBus {
        LocalBus {
            public: broadcast::channel(capacity.max(16)).0,
            everyone: broadcast::channel(capacity.max(16)).0,
            accounts: Arc::default(),
        }
    }

    /// Accounts with an open subscription (for tests and metrics).
    pub fn subscribed_accounts(&self) -> usize {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner()).len()
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
        match &event {
            Event::Home { reader: to, .. } | Event::Notification { account: to, .. } => {
                let accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(tx) = accounts.get(to) {
                    let _ = tx.send(event);
                }
            }
            Event::Public { .. } => {
                let _ = self.public.send(event);
            }
            Event::Followers { .. } | Event::Delete { .. } | Event::Update { .. } => {
                let _ = self.everyone.send(event);
            }
        }
    }

    fn subscribe(&self, interest: Interest) -> Subscription {
        let account = interest.account.map(|id| {
            let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
            let tx = accounts.entry(id).or_insert_with(|| broadcast::channel(ACCOUNT_CAPACITY).0);
            (id, tx.subscribe())
        });
        Subscription {
            account,
            public: interest.public.then(|| self.public.subscribe()),
            everyone: self.everyone.subscribe(),
            public_tx: self.public.clone(),
            accounts: self.accounts.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home(reader: i64) -> Event {
        Event::Home { reader: Id(reader), status: Id(100) }
    }

    /// Whatever is waiting for `sub`, without blocking.
    async fn drain(sub: &mut Subscription) -> Vec<Event> {
        let mut out = Vec::new();
        while let Ok(Some(e)) = tokio::time::timeout(std::time::Duration::from_millis(20), sub.recv()).await {
            out.push(e);
        }
        out
    }

    #[tokio::test]
    async fn events_reach_only_those_they_concern() {
        let bus = LocalBus::default();
        let mut alice = bus.subscribe(Interest { account: Some(Id(1)), public: false });
        let mut bob_public = bus.subscribe(Interest { account: Some(Id(2)), public: true });
        let mut anonymous = bus.subscribe(Interest::default());
        bus.publish(home(1));
        bus.publish(Event::Notification { account: Id(2), id: 7 });
        bus.publish(Event::Public { status: Id(5), tags: vec![] });
        bus.publish(Event::Delete { status: Id(9) });
        bus.publish(home(3));
        assert_eq!(drain(&mut alice).await, vec![home(1), Event::Delete { status: Id(9) }]);
        let bob = drain(&mut bob_public).await;
        assert_eq!(bob.len(), 3, "{bob:?}");
        assert!(bob.contains(&Event::Notification { account: Id(2), id: 7 }));
        assert!(bob.contains(&Event::Public { status: Id(5), tags: vec![] }));
        assert_eq!(drain(&mut anonymous).await, vec![Event::Delete { status: Id(9) }]);
        anonymous.add_public();
        bus.publish(Event::Public { status: Id(6), tags: vec![] });
        assert_eq!(drain(&mut anonymous).await, vec![Event::Public { status: Id(6), tags: vec![] }]);
    }

    #[tokio::test]
    async fn an_account_channel_lives_as_long_as_its_subscribers() {
        let bus = LocalBus::default();
        let first = bus.subscribe(Interest { account: Some(Id(1)), public: false });
        let mut second = bus.subscribe(Interest { account: Some(Id(1)), public: false });
        assert_eq!(bus.subscribed_accounts(), 1);
        drop(first);
        assert_eq!(bus.subscribed_accounts(), 1, "the second device still listens");
        bus.publish(home(1));
        assert_eq!(drain(&mut second).await, vec![home(1)]);
        drop(second);
        assert_eq!(bus.subscribed_accounts(), 0);
    }
}
