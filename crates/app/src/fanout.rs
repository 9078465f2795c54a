//! Fan-out on write: after a post commits, a job puts it into the home feed of everyone in
//! its audience and sends mention and "new post" notifications. The job is idempotent (feed
//! rows and the checks are keyed), so a retry after a crash does no harm.
//! See docs/decisions/0004-home-feed-fan-out.md.

use std::collections::HashSet;

use canteen_domain::Id;
use canteen_domain::audience::{Relation, may_see_status};
use canteen_domain::status::Visibility;
use canteen_store::{accounts, feeds, notifications as nstore, relationships as rel, statuses};

use crate::events::Event;
use crate::{App, AppError, Result};

pub async fn run(app: &App, payload: &str) -> Result<()> {
    let id =
        Id::parse(payload.trim()).ok_or_else(|| AppError::BadRequest(format!("bad fan-out payload `{payload}`")))?;
    // Deleted before the job ran: nothing to do.
    let Some(s) = statuses::by_id(app.store.reader(), id).await? else {
        return Ok(());
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
        return Ok(());
    }
    let followers = if s.reblog_of_id.is_some() {
        rel::follower_ids_showing_reblogs(e(), author).await?
    } else {
        rel::follower_ids(e(), author).await?
    };
    let mut candidates: Vec<(Id, bool)> = followers.into_iter().map(|f| (f, true)).collect();
    candidates.extend(mentioned.iter().map(|m| (*m, false)));
    // A circle post is addressed to the circle: its members get it even if they do not follow.
    candidates.extend(circle.iter().map(|m| (*m, false)));
    // Listed posts reach those who follow one of their hashtags.
    if s.reblog_of_id.is_none() && s.visibility.is_listed() {
        let tags: Vec<String> = statuses::tags_of(e(), &[id]).await?.into_iter().map(|(_, t)| t).collect();
        for reader in canteen_store::extras::tag_followers(e(), &tags).await? {
            candidates.push((reader, false));
        }
    }
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
    let local: HashSet<Id> =
        accounts::by_ids(e(), &readers).await?.into_iter().filter(|a| a.is_local()).map(|a| a.id).collect();
    readers.retain(|r| local.contains(r));
    feeds::push(app.store.writer(), id, &readers).await?;
    for reader in &readers {
        app.events.publish(Event::Home { reader: *reader, status: id });
    }
    if s.reblog_of_id.is_none() && s.visibility.is_listed() {
        let tags = statuses::tags_of(e(), &[id]).await?.into_iter().map(|(_, t)| t).collect();
        app.events.publish(Event::Public { status: id, tags });
    }

    notify_once(app, &s, original.as_ref(), &mentioned).await
}

/// Mention, re-post and "new post" notifications, each at most once per post and recipient
/// (the job may run twice after a crash).
async fn notify_once(
    app: &App,
    s: &canteen_domain::status::Status,
    original: Option<&canteen_domain::status::Status>,
    mentioned: &[Id],
) -> Result<()> {
    let mut tx = app.store.begin().await?;
    let mut send = Vec::new();
    match original {
        Some(o) => send.push((o.account_id, "reblog", o.clone())),
        None => {
            for m in mentioned {
                send.push((*m, "mention", s.clone()));
            }
            for f in rel::follower_ids_notifying(tx.exec(), s.account_id).await? {
                if !mentioned.contains(&f) {
                    send.push((f, "status", s.clone()));
                }
            }
        }
    }
    let mut events = Vec::new();
    for (recipient, kind, about) in send {
        if nstore::exists(tx.exec(), recipient, s.account_id, kind, about.id).await? {
            continue;
        }
        events.push(crate::notifications::notify(app, tx.exec(), recipient, s.account_id, kind, Some(&about)).await?);
    }
    tx.commit().await?;
    crate::notifications::publish(app, events);
    Ok(())
}
