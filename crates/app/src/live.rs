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
//! against the post's *audience sets*, read with the post (`relationships::author_sets`, one
//! statement per author): the author's followers, whom the author follows, block partners,
//! who mutes the author, the circle's members — and the same for a re-posted author. So a
//! delivery reads nothing from the database. The sets are as fresh as the entry: every
//! follow, block, mute or list change moves the relationships epoch
//! (`App::relations_changed`, after its commit) and the entries built before it are built
//! again, so a block, mute or unfollow made after fan-out still applies to the next delivery.
//! Where the viewer's own flags may be true (a re-post, an edited post, their own post) they
//! are read in one statement (`interactions::flags_among`); a post with a poll is built for a
//! signed-in viewer as before (the vote state is theirs).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::audience::{Relation, may_see_status};
use canteen_domain::status::{Status, Visibility};
use canteen_store::{interactions, relationships as rel, statuses};

use crate::clock::now_ms;
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
    /// Everyone in some relation to the author, and to the re-posted author.
    author: Side,
    original_author: Option<Side>,
    /// The front door's serialisation of `view`, made by the first viewer of each kind
    /// (signed out, signed in) and shared by the rest.
    rendered: [OnceLock<String>; 2],
}

/// One author's audience sets (`relationships::author_sets`).
#[derive(Debug)]
struct Side {
    id: Id,
    followers: HashSet<Id>,
    following: HashSet<Id>,
    block_partners: HashSet<Id>,
    muted_by: HashSet<Id>,
    circle_members: HashSet<Id>,
    exclusive_list_owners: HashSet<Id>,
}

impl Side {
    async fn load(app: &App, s: &Status) -> Result<Side> {
        let circle = match s.visibility {
            Visibility::Circle(list) => Some(list),
            _ => None,
        };
        let sets = rel::author_sets(app.store.reader(), s.account_id, circle, now_ms()).await?;
        let set = |v: Vec<Id>| v.into_iter().collect::<HashSet<Id>>();
        Ok(Side {
            id: s.account_id,
            followers: set(sets.followers),
            following: set(sets.following),
            block_partners: set(sets.block_partners),
            muted_by: set(sets.muted_by),
            circle_members: set(sets.circle_members),
            exclusive_list_owners: set(sets.exclusive_list_owners),
        })
    }

    /// How `me` stands to this author, as `Viewer::relation` says it.
    fn relation(&self, me: Id, mentioned: &[Id]) -> Relation {
        Relation {
            is_author: me == self.id,
            follows_author: self.followers.contains(&me),
            author_follows_viewer: self.following.contains(&me),
            in_circle: self.circle_members.contains(&me),
            mentioned: mentioned.contains(&me),
            blocked: self.block_partners.contains(&me),
        }
    }
}

struct Entry {
    made: Instant,
    /// The access and relationships epochs it was built in.
    epoch: (u64, u64),
    post: tokio::sync::OnceCell<Option<Arc<Neutral>>>,
}

#[derive(Default)]
struct Entries {
    by_id: HashMap<Id, Arc<Entry>>,
    /// Oldest first, for eviction; an id may appear again after it was rebuilt.
    order: VecDeque<(Id, Instant)>,
}

/// How old a post may be for its viewer's flags (liked, re-posted, bookmarked) to be taken as
/// unset without asking: too soon after posting for anyone to have acted on it.
const FRESH_MS: i64 = 2_000;

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
    fn entry(&self, id: Id, epoch: (u64, u64)) -> Arc<Entry> {
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
        // Read before the build, so a change during it is seen as a change afterwards.
        let entry = self.entry(id, (app.access_epoch(), app.relations_epoch()));
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
    let author = Side::load(app, &view.status).await?;
    let original_author = match &view.reblog {
        Some(r) => Some(Side::load(app, &r.status).await?),
        None => None,
    };
    Ok(Some(Arc::new(Neutral {
        view,
        mentioned,
        original_mentioned,
        author,
        original_author,
        rendered: Default::default(),
    })))
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
    item_for(app, me, id, follower_of, false).await
}

/// [`item`] for `me`'s home stream: also `None` when its author (the re-poster, for a
/// re-post) is on one of `me`'s exclusive lists, as home reads leave such posts out.
pub async fn home_item(app: &App, me: &Account, id: Id, follower_of: Option<Id>) -> Result<Option<LiveItem>> {
    item_for(app, Some(me), id, follower_of, true).await
}

async fn item_for(
    app: &App,
    me: Option<&Account>,
    id: Id,
    follower_of: Option<Id>,
    home: bool,
) -> Result<Option<LiveItem>> {
    let Some(post) = app.live.get(app, id).await? else { return Ok(None) };
    let v = &post.view;
    let Some(me) = me else {
        if follower_of.is_some() || !may_see(None, &post) {
            return Ok(None);
        }
        return Ok(Some(LiveItem::Shared { post, signed_in: false }));
    };
    if let Some(author) = follower_of {
        let follows = if author == post.author.id {
            post.author.followers.contains(&me.id)
        } else {
            rel::is_following(app.store.reader(), me.id, author).await?
        };
        if me.id == author || !follows {
            return Ok(None);
        }
    }
    // A re-post of someone the viewer muted is hidden too, as home reads hide it.
    let muted = |side: &Side| side.muted_by.contains(&me.id) && me.id != side.id;
    if !may_see(Some(me.id), &post) || muted(&post.author) || post.original_author.as_ref().is_some_and(muted) {
        return Ok(None);
    }
    if home && post.author.exclusive_list_owners.contains(&me.id) {
        return Ok(None);
    }
    let has_poll = v.poll.is_some() || v.reblog.as_ref().is_some_and(|r| r.poll.is_some());
    if has_poll {
        // The poll's vote state is the viewer's: build it for them, as every delivery once did.
        return Ok(crate::timelines::live_item(app, Some(me), id).await?.map(|v| LiveItem::Own(Box::new(v))));
    }
    // A post delivered seconds after it was made (a fan-out queue behind, or a pulled
    // author's post already in home reads) may already be liked or bookmarked by the viewer.
    let fresh = crate::clock::now_ms() - v.status.created_at < FRESH_MS;
    let flags_may_be_set = v.reblog.is_some() || v.status.edited_at.is_some() || v.account.id == me.id || !fresh;
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

/// The audience rule for the post and the post it re-posts, as `views::visible` asks it, for
/// `me` (`None`: signed out).
fn may_see(me: Option<Id>, post: &Neutral) -> bool {
    let v = &post.view;
    let rule = |s: &Status, side: &Side, mentioned: &[Id], suspended: bool| {
        may_see_status(s.visibility, suspended, me.map(|me| side.relation(me, mentioned)).as_ref())
    };
    if !rule(&v.status, &post.author, &post.mentioned, v.account.suspended_at.is_some()) {
        return false;
    }
    match (&v.reblog, &post.original_author) {
        (Some(r), Some(side)) => rule(&r.status, side, &post.original_mentioned, r.account.suspended_at.is_some()),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// Whether a post may go to the public and hashtag streams beyond its audience rule: not by
/// (or re-posting) someone on a silenced or blocked server, as the public timelines leave
/// them out. Asks only for remote authors (one read each).
pub async fn on_public_streams(app: &App, view: &StatusView) -> Result<bool> {
    let authors = std::iter::once(&view.account).chain(view.reblog.as_ref().map(|r| &r.account));
    for domain in authors.filter_map(|a| a.domain.as_deref()) {
        match crate::federation::domains::permit(app, domain).await? {
            crate::federation::domains::Permit::Allowed { silenced: false, .. } => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_shared_until_stale_forgotten_or_evicted() {
        let cache = LiveViews::default();
        let a = cache.entry(Id(1), (0, 0));
        assert!(Arc::ptr_eq(&a, &cache.entry(Id(1), (0, 0))), "one entry per post while fresh");
        assert!(!Arc::ptr_eq(&a, &cache.entry(Id(1), (1, 0))), "an access change makes it anew");
        let b = cache.entry(Id(1), (1, 0));
        assert!(!Arc::ptr_eq(&b, &cache.entry(Id(1), (1, 1))), "a relationship change makes it anew");
        let c = cache.entry(Id(1), (1, 1));
        cache.forget(Id(1));
        assert!(!Arc::ptr_eq(&c, &cache.entry(Id(1), (1, 1))), "an edit or deletion makes it anew");
        for i in 2..(CAPACITY as i64 + 10) {
            cache.entry(Id(i), (1, 1));
        }
        let entries = cache.entries.lock().unwrap();
        assert!(entries.by_id.len() <= CAPACITY && entries.order.len() <= CAPACITY);
        assert!(!entries.by_id.contains_key(&Id(1)), "the oldest went first");
    }
}
