//! Posts as the live streams show them, built once per post rather than once per viewer.
//!
//! One fan-out event ("this post entered these 250 home feeds") wakes 250 open streams at
//! once. Each used to build the post from the database for its viewer — a dozen statements,
//! about a home read's worth of work per delivery. The post is the same for all of them but
//! for the viewer's own flags (liked, re-posted, bookmarked), which on a new post by someone
//! else are all false, and for profile fields shown to the author alone. So it is built once
//! with no viewer and without the audience rule ([`Neutral`]) and kept for a few seconds in
//! [`LiveViews`], a small bounded cache keyed by post id that every stream woken by the same
//! post shares; one stream builds it while the others wait for it. A cache rather than the
//! view carried in the events: events stay a few ids (a bus between nodes can carry them as
//! they are), and one entry serves every event naming the post — home, public, hashtag and
//! list streams alike. Edits and deletions drop the entry ([`LiveViews::forget`]), as does any
//! suspension (through the access epoch), so a cached post is never staler than a few seconds
//! of counts.
//!
//! Nothing reaches a viewer without the audience rule: [`item`] asks it for each viewer
//! against their relationships with the post's author (and the re-posted author) read afresh,
//! in one small statement (`Viewer::load_among`), so a block, mute or unfollow made after
//! fan-out applies at once, as before. Where the viewer's own flags may be true (a re-post, an
//! edited post, their own post) they are read in one statement (`interactions::flags_among`);
//! a post with a poll is built for a signed-in viewer as before (the vote state is theirs).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::status::Visibility;
use canteen_store::{interactions, statuses};

use crate::viewer::Viewer;
use crate::views::{self, StatusView};
use crate::{App, Result};

/// Posts kept at once: a few seconds of posts at hundreds a second.
const CAPACITY: usize = 1024;
/// How long a built post is reused (its counts may be this stale on a stream; nothing else).
const LIFETIME: Duration = Duration::from_secs(5);

/// A post built for no one in particular: every viewer flag false, the audience not yet
/// asked. Never shown as it is: [`item`] checks it for each viewer.
#[derive(Debug)]
pub struct Neutral {
    view: StatusView,
    /// Everyone mentioned in the post and in the post it re-posts (for the audience rule;
    /// `view.mentions` holds only the accounts that still exist).
    mentioned: Vec<Id>,
    original_mentioned: Vec<Id>,
    /// The front door's serialisation of `view`, made by the first viewer of each kind
    /// (signed out, signed in) and shared by the rest.
    rendered: [OnceLock<String>; 2],
}

struct Entry {
    made: Instant,
    epoch: u64,
    post: tokio::sync::OnceCell<Option<Arc<Neutral>>>,
}

#[derive(Default)]
struct Entries {
    by_id: HashMap<Id, Arc<Entry>>,
    /// Oldest first, for eviction; an id may appear again after it was rebuilt.
    order: VecDeque<(Id, Instant)>,
}

/// The cache of [`Neutral`] posts. One per process (in `App`).
#[derive(Default)]
pub struct LiveViews {
    entries: Mutex<Entries>,
}

impl LiveViews {
    /// Drops a post, and re-posts of it (it was edited or deleted): the next event naming
    /// one builds it afresh.
    pub fn forget(&self, id: Id) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.by_id.retain(|key, e| {
            *key != id
                && e.post
                    .get()
                    .is_none_or(|p| p.as_ref().is_none_or(|p| p.view.reblog.as_ref().is_none_or(|r| r.status.id != id)))
        });
    }

    /// The entry for `id`, made if missing, too old or from before an access change.
    fn entry(&self, id: Id, epoch: u64) -> Arc<Entry> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if let Some(e) = entries.by_id.get(&id)
            && e.epoch == epoch
            && now.duration_since(e.made) < LIFETIME
        {
            return e.clone();
        }
        let e = Arc::new(Entry { made: now, epoch, post: tokio::sync::OnceCell::new() });
        entries.by_id.insert(id, e.clone());
        entries.order.push_back((id, now));
        while entries.order.len() > CAPACITY {
            let Some((old, made)) = entries.order.pop_front() else { break };
            if entries.by_id.get(&old).is_some_and(|e| e.made == made) {
                entries.by_id.remove(&old);
            }
        }
        e
    }

    async fn get(&self, app: &App, id: Id) -> Result<Option<Arc<Neutral>>> {
        let entry = self.entry(id, app.access_epoch());
        entry.post.get_or_try_init(|| build(app, id)).await.cloned()
    }
}

async fn build(app: &App, id: Id) -> Result<Option<Arc<Neutral>>> {
    let Some(s) = statuses::by_id(app.store.reader(), id).await? else { return Ok(None) };
    let original = s.reblog_of_id;
    let Some(view) = views::unchecked(app, vec![s]).await?.into_iter().next() else { return Ok(None) };
    if original.is_some() && view.reblog.is_none() {
        return Ok(None);
    }
    let ids: Vec<Id> = std::iter::once(id).chain(original).collect();
    let (mut mentioned, mut original_mentioned) = (Vec::new(), Vec::new());
    for (s, a) in statuses::mentions_of(app.store.reader(), &ids).await? {
        if Id(s) == id {
            mentioned.push(Id(a));
        } else {
            original_mentioned.push(Id(a));
        }
    }
    Ok(Some(Arc::new(Neutral { view, mentioned, original_mentioned, rendered: Default::default() })))
}

/// A post ready for one viewer's stream.
pub enum LiveItem {
    /// The shared post, exactly as this viewer sees it.
    Shared { post: Arc<Neutral>, signed_in: bool },
    /// Built for this viewer (their flags, or their own post).
    Own(Box<StatusView>),
}

impl LiveItem {
    pub fn view(&self) -> &StatusView {
        match self {
            LiveItem::Shared { post, .. } => &post.view,
            LiveItem::Own(v) => v,
        }
    }

    /// The post serialised by `render`: once per post and kind of viewer when shared (so the
    /// caller must render the same for every signed-in viewer who is not the author, and the
    /// same for every signed-out one), else for this viewer.
    pub fn rendered(&self, render: impl FnOnce(&StatusView) -> String) -> String {
        match self {
            LiveItem::Shared { post, signed_in } => {
                post.rendered[usize::from(*signed_in)].get_or_init(|| render(&post.view)).clone()
            }
            LiveItem::Own(v) => render(v),
        }
    }
}

/// Post `id` as `me`'s live stream shows it (`None`: signed out), or `None` if the audience
/// rule keeps it from them or they muted its author. With `follower_of`, only if `me` follows
/// that account and is not it (a pulled author's post, `Event::Followers`).
pub async fn item(app: &App, me: Option<&Account>, id: Id, follower_of: Option<Id>) -> Result<Option<LiveItem>> {
    let Some(post) = app.live.get(app, id).await? else { return Ok(None) };
    let v = &post.view;
    let Some(me) = me else {
        if follower_of.is_some() || !may_see(&Viewer::anonymous(), &post) {
            return Ok(None);
        }
        return Ok(Some(LiveItem::Shared { post, signed_in: false }));
    };
    let mut among = vec![v.account.id];
    among.extend(v.reblog.as_ref().map(|r| r.account.id));
    among.extend(follower_of);
    let circles: Vec<Id> = std::iter::once(&v.status)
        .chain(v.reblog.as_ref().map(|r| &r.status))
        .filter_map(|s| match s.visibility {
            Visibility::Circle(list) => Some(list),
            _ => None,
        })
        .collect();
    let viewer = Viewer::load_among(app, me, &among, &circles).await?;
    if let Some(author) = follower_of
        && (me.id == author || !viewer.follows(author))
    {
        return Ok(None);
    }
    if !may_see(&viewer, &post) || (viewer.mutes(v.account.id) && me.id != v.account.id) {
        return Ok(None);
    }
    let has_poll = v.poll.is_some() || v.reblog.as_ref().is_some_and(|r| r.poll.is_some());
    if has_poll {
        // The poll's vote state is the viewer's: build it for them, as every delivery once did.
        return Ok(crate::timelines::live_item(app, Some(me), id).await?.map(|v| LiveItem::Own(Box::new(v))));
    }
    let flags_may_be_set = v.reblog.is_some() || v.status.edited_at.is_some() || v.account.id == me.id;
    if !flags_may_be_set {
        return Ok(Some(LiveItem::Shared { post, signed_in: true }));
    }
    let ids: Vec<Id> = std::iter::once(id).chain(v.reblog.as_ref().map(|r| r.status.id)).collect();
    let flags = interactions::flags_among(app.store.reader(), me.id, &ids).await?;
    let mut own = v.clone();
    let set = |view: &mut StatusView| {
        view.favourited = flags.favourited.contains(&view.status.id);
        view.reblogged = flags.reblogged.contains(&view.status.id);
        view.bookmarked = flags.bookmarked.contains(&view.status.id);
    };
    set(&mut own);
    if let Some(r) = own.reblog.as_deref_mut() {
        set(r);
    }
    Ok(Some(LiveItem::Own(Box::new(own))))
}

/// The audience rule for the post and the post it re-posts, as `views::visible` asks it.
fn may_see(viewer: &Viewer, post: &Neutral) -> bool {
    let v = &post.view;
    viewer.may_see(&v.status, &post.mentioned, v.account.suspended_at.is_some())
        && v.reblog
            .as_ref()
            .is_none_or(|r| viewer.may_see(&r.status, &post.original_mentioned, r.account.suspended_at.is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_shared_until_stale_forgotten_or_evicted() {
        let cache = LiveViews::default();
        let a = cache.entry(Id(1), 0);
        assert!(Arc::ptr_eq(&a, &cache.entry(Id(1), 0)), "one entry per post while fresh");
        assert!(!Arc::ptr_eq(&a, &cache.entry(Id(1), 1)), "an access change makes it anew");
        let b = cache.entry(Id(1), 1);
        cache.forget(Id(1));
        assert!(!Arc::ptr_eq(&b, &cache.entry(Id(1), 1)), "an edit or deletion makes it anew");
        for i in 2..(CAPACITY as i64 + 10) {
            cache.entry(Id(i), 1);
        }
        let entries = cache.entries.lock().unwrap();
        assert!(entries.by_id.len() <= CAPACITY && entries.order.len() <= CAPACITY);
        assert!(!entries.by_id.contains_key(&Id(1)), "the oldest went first");
    }
}
