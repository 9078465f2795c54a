//! Fan-out on write: after a post commits, a job puts it into the home feed of everyone in
//! its audience and sends mention and "new post" notifications. The job is idempotent (feed
//! rows and the checks are keyed), so a retry after a crash does no harm. Jobs run in
//! batches: reads first, then one transaction for the whole batch's writes.
//! See docs/decisions/0004-home-feed-fan-out.md.

use std::collections::HashSet;

use futures_util::StreamExt;

use canteen_domain::Id;
use canteen_domain::audience::{Relation, may_see_status};
use canteen_domain::status::{Status, Visibility};
use canteen_store::Exec;
use canteen_store::{accounts, feeds, notifications as nstore, relationships as rel, statuses};

use crate::clock::now_ms;
use crate::events::Event;
use crate::{App, Result};

/// Posts of a batch whose readers are worked out at the same time.
const PLAN_CONCURRENCY: usize = 8;

/// One post's fan-out, worked out from reads alone: who gets it in their home feed, and who
/// is notified of it.
struct Plan {
    status: Status,
    /// The re-posted original, for a re-post.
    original: Option<Status>,
    mentioned: Vec<Id>,
    /// Local readers whose home feed gets the post.
    readers: Vec<Id>,
    /// The author's followers read the post through `home_pull_authors`, not feed rows.
    pulled: bool,
    /// A listed original's hashtags (for the public streams); `None` for anything else.
    listed_tags: Option<Vec<String>>,
}

/// Fans out a batch of posts (the fan-out jobs' payloads are post ids): every post's readers
/// are read first, then one transaction writes every feed row and notification, so a busy
/// queue costs the single SQLite writer one commit per batch rather than several per post.
pub async fn run_batch(app: &App, payloads: &[String]) -> Result<()> {
    let mut ids = Vec::with_capacity(payloads.len());
    for payload in payloads {
        match Id::parse(payload.trim()) {
            Some(id) => ids.push(id),
            // Only the server enqueues these; a malformed one cannot succeed on retry.
            None => tracing::warn!(payload, "fan-out job with a malformed post id, skipped"),
        }
    }
    // Each plan is a dozen small reads; several at once keep the reader connections busy
    // instead of waiting on one round trip after another. Kept in order.
    let planned: Vec<Result<Option<Plan>>> =
        futures_util::stream::iter(ids).map(|id| plan(app, id)).buffered(PLAN_CONCURRENCY).collect().await;
    let mut plans = Vec::with_capacity(planned.len());
    for p in planned {
        plans.extend(p?);
    }
    if plans.is_empty() {
        return Ok(());
    }
    let mut tx = app.store.begin().await?;
    let mut notices = Vec::new();
    for p in &plans {
        if p.pulled {
            feeds::mark_pulled(tx.exec(), p.status.account_id, now_ms()).await?;
        }
        feeds::push(tx.exec(), p.status.id, &p.readers).await?;
        notices.extend(notify_once(app, tx.exec(), p).await?);
    }
    tx.commit().await?;
    for p in &plans {
        for reader in &p.readers {
            app.events.publish(Event::Home { reader: *reader, status: p.status.id });
        }
        if p.pulled {
            app.events.publish(Event::Followers { author: p.status.account_id, status: p.status.id });
        }
        if let Some(tags) = &p.listed_tags {
            app.events.publish(Event::Public { status: p.status.id, tags: tags.clone() });
        }
    }
    crate::notifications::publish(app, notices);
    Ok(())
}

/// Lists `author` as pulled once their followers pass the threshold, so even the first post
/// after that is merged into followers' reads without waiting for its fan-out job. Called
/// in the transaction that adds a follower.
pub(crate) async fn pull_if_widely_followed(app: &App, e: Exec<'_>, author: Id) -> Result<()> {
    let mut e = e;
    if !feeds::is_pulled(e.reborrow(), author).await? && past_threshold(app, e.reborrow(), author).await? {
        feeds::mark_pulled(e, author, now_ms()).await?;
    }
    Ok(())
}

/// Whether `author` has more followers than home feeds are written for.
async fn past_threshold(app: &App, e: Exec<'_>, author: Id) -> Result<bool> {
    Ok(rel::count_followers(e, author).await?.max(0) as u64 > app.config.home_feed_pull_threshold)
}

/// The reads of one post's fan-out; `None` if there is nothing to do (the post, or the
/// original it re-posts, was deleted before the job ran).
async fn plan(app: &App, id: Id) -> Result<Option<Plan>> {
    let Some(s) = statuses::by_id(app.store.reader(), id).await? else {
        return Ok(None);
    };
    let author = s.account_id;
    let e = || app.store.reader();
    let mentioned: Vec<Id> = statuses::mentions_of(e(), &[id]).await?.into_iter().map(|(_, a)| Id(a)).collect();
    let author_follows: HashSet<Id> = rel::following_ids(e(), author).await?.into_iter().collect();
    let blocked: HashSet<Id> = rel::block_partners(e(), author).await?.into_iter().collect();
    let circle: HashSet<Id> = match s.visibility {
        Visibility::Circle(list) => rel::list_members(e(), list).await?.into_iter().collect(),
        _ => HashSet::new(),
    };
    let original = match s.reblog_of_id {
        Some(oid) => statuses::by_id(e(), oid).await?,
        None => None,
    };
    if s.reblog_of_id.is_some() && original.is_none() {
        return Ok(None);
    }
    // An author followed by very many is not fanned out to their followers: home reads merge
    // their posts in (decision 0004). Once listed, always listed, so no post falls between.
    let pulled = s.reblog_of_id.is_none()
        && matches!(s.visibility, Visibility::Public | Visibility::Unlisted | Visibility::Private)
        && (feeds::is_pulled(e(), author).await? || past_threshold(app, e(), author).await?);
    let followers = if pulled {
        Vec::new()
    } else if s.reblog_of_id.is_some() {
        rel::follower_ids_showing_reblogs(e(), author).await?
    } else {
        rel::follower_ids(e(), author).await?
    };
    let mut candidates: Vec<(Id, bool)> = followers.into_iter().map(|f| (f, true)).collect();
    candidates.extend(mentioned.iter().map(|m| (*m, false)));
    // A circle post is addressed to the circle: its members get it even if they do not follow.
    candidates.extend(circle.iter().map(|m| (*m, false)));
    // Listed posts reach those who follow one of their hashtags.
    let listed_tags = if s.reblog_of_id.is_none() && s.visibility.is_listed() {
        let tags: Vec<String> = statuses::tags_of(e(), &[id]).await?.into_iter().map(|(_, t)| t).collect();
        for reader in canteen_store::extras::tag_followers(e(), &tags).await? {
            candidates.push((reader, false));
        }
        Some(tags)
    } else {
        None
    };
    candidates.push((author, false));

    // The original's author's block partners and followers, read once for all readers.
    let original_relations = match &original {
        Some(o) => Some((
            rel::block_partners(e(), o.account_id).await?.into_iter().collect::<HashSet<Id>>(),
            rel::follower_ids(e(), o.account_id).await?.into_iter().collect::<HashSet<Id>>(),
        )),
        None => None,
    };
    let mut readers: Vec<Id> = Vec::new();
    let mut seen = HashSet::new();
    for (reader, follows) in candidates {
        if !seen.insert(reader) {
            continue;
        }
        let r = Relation {
            is_author: reader == author,
            follows_author: follows || rel::is_following(e(), reader, author).await?,
            author_follows_viewer: author_follows.contains(&reader),
            in_circle: circle.contains(&reader),
            mentioned: mentioned.contains(&reader),
            blocked: blocked.contains(&reader),
        };
        if !may_see_status(s.visibility, false, Some(&r)) {
            continue;
        }
        // A re-post reaches a follower only if they may see the original too.
        if let (Some(o), Some((blocked, followers))) = (&original, &original_relations) {
            let r = Relation {
                is_author: reader == o.account_id,
                follows_author: followers.contains(&reader),
                blocked: blocked.contains(&reader),
                ..Relation::default()
            };
            if !may_see_status(o.visibility, false, Some(&r)) {
                continue;
            }
        }
        readers.push(reader);
    }
    // Only local readers have home feeds.
    let local: HashSet<Id> = accounts::local_among(e(), &readers).await?.into_iter().collect();
    readers.retain(|r| local.contains(r));
    Ok(Some(Plan { status: s, original, mentioned, readers, pulled, listed_tags }))
}

/// Mention, re-post and "new post" notifications, each at most once per post and recipient
/// (the job may run twice after a crash), written in the batch's transaction; the events to
/// publish once it commits.
async fn notify_once(app: &App, e: Exec<'_>, plan: &Plan) -> Result<Vec<Option<Event>>> {
    let mut e = e;
    let s = &plan.status;
    let mut send = Vec::new();
    match &plan.original {
        Some(o) => send.push((o.account_id, "reblog", o)),
        None => {
            for m in &plan.mentioned {
                send.push((*m, "mention", s));
            }
            for f in rel::follower_ids_notifying(e.reborrow(), s.account_id).await? {
                if !plan.mentioned.contains(&f) {
                    send.push((f, "status", s));
                }
            }
        }
    }
    let mut events = Vec::new();
    for (recipient, kind, about) in send {
        if nstore::exists(e.reborrow(), recipient, s.account_id, kind, about.id).await? {
            continue;
        }
        events.push(crate::notifications::notify(app, e.reborrow(), recipient, s.account_id, kind, Some(about)).await?);
    }
    Ok(events)
}
