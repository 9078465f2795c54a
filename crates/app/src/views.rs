//! Posts made ready to show: each with its author, mentions, tags, counts and the viewer's
//! own flags — and only the posts the viewer may see. Every read path that returns posts
//! builds them here, so the audience rule is applied in one place.

use std::collections::{HashMap, HashSet};

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::status::Status;
use canteen_store::interactions;
use canteen_store::{accounts, statuses};

use crate::viewer::Viewer;
use crate::{App, Result};

#[derive(Debug, Clone)]
pub struct StatusView {
    pub status: Status,
    pub account: Account,
    pub mentions: Vec<Account>,
    pub tags: Vec<String>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub media: Vec<canteen_store::media::MediaRecord>,
    pub poll: Option<crate::polls::PollView>,
    pub reblog: Option<Box<StatusView>>,
}

/// Builds views of `list` in the given order, leaving out every post (or re-post of a
/// post) the viewer may not see.
pub async fn visible(app: &App, viewer: &Viewer, list: Vec<Status>) -> Result<Vec<StatusView>> {
    build(app, viewer, list, true).await
}

/// Views of `list` built without asking the audience rule and with no viewer's flags: only
/// for `live`, which asks the rule for each viewer before anything reaches them.
pub(crate) async fn unchecked(app: &App, list: Vec<Status>) -> Result<Vec<StatusView>> {
    build(app, &Viewer::anonymous(), list, false).await
}

async fn build(app: &App, viewer: &Viewer, list: Vec<Status>, check_audience: bool) -> Result<Vec<StatusView>> {
    let e = || app.store.reader();
    let original_ids: Vec<Id> = list.iter().filter_map(|s| s.reblog_of_id).collect();
    let originals: HashMap<Id, Status> =
        statuses::by_ids(e(), &original_ids).await?.into_iter().map(|s| (s.id, s)).collect();
    let all_ids: Vec<Id> = list.iter().map(|s| s.id).chain(originals.keys().copied()).collect();

    let mut mentioned: HashMap<Id, Vec<Id>> = HashMap::new();
    for (s, a) in statuses::mentions_of(e(), &all_ids).await? {
        mentioned.entry(Id(s)).or_default().push(Id(a));
    }
    let mut tags: HashMap<Id, Vec<String>> = HashMap::new();
    for (s, t) in statuses::tags_of(e(), &all_ids).await? {
        tags.entry(Id(s)).or_default().push(t);
    }
    let mut media: HashMap<Id, Vec<canteen_store::media::MediaRecord>> = HashMap::new();
    for m in canteen_store::media::of_statuses(e(), &all_ids).await? {
        if let Some(sid) = m.status_id {
            media.entry(Id(sid)).or_default().push(m);
        }
    }
    let mut polls: HashMap<Id, crate::polls::PollView> = HashMap::new();
    for p in canteen_store::polls::of_statuses(e(), &all_ids).await? {
        let sid = Id(p.status_id);
        polls.insert(sid, crate::polls::view_of(app, &p, viewer.account_id).await?);
    }
    let counts: HashMap<Id, (i64, i64, i64)> =
        statuses::counts(e(), &all_ids).await?.into_iter().map(|(id, r, b, f)| (Id(id), (r, b, f))).collect();

    let mut account_ids: HashSet<Id> = list.iter().map(|s| s.account_id).collect();
    account_ids.extend(originals.values().map(|s| s.account_id));
    account_ids.extend(mentioned.values().flatten().copied());
    let account_ids: Vec<Id> = account_ids.into_iter().collect();
    let accounts: HashMap<Id, Account> =
        accounts::by_ids(e(), &account_ids).await?.into_iter().map(|a| (a.id, a)).collect();

    let flags = match viewer.account_id {
        Some(me) => interactions::flags_among(e(), me, &all_ids).await?,
        None => Default::default(),
    };
    let faved: HashSet<Id> = flags.favourited.into_iter().collect();
    let bookmarked: HashSet<Id> = flags.bookmarked.into_iter().collect();
    let reblogged: HashSet<Id> = flags.reblogged.into_iter().collect();

    let build = |s: &Status| -> Option<StatusView> {
        let account = accounts.get(&s.account_id)?.clone();
        let m = mentioned.get(&s.id).cloned().unwrap_or_default();
        if check_audience && !viewer.may_see(s, &m, account.suspended_at.is_some()) {
            return None;
        }
        let (replies_count, reblogs_count, favourites_count) = counts.get(&s.id).copied().unwrap_or_default();
        Some(StatusView {
            status: s.clone(),
            mentions: m.iter().filter_map(|id| accounts.get(id).cloned()).collect(),
            tags: tags.get(&s.id).cloned().unwrap_or_default(),
            replies_count,
            reblogs_count,
            favourites_count,
            favourited: faved.contains(&s.id),
            reblogged: reblogged.contains(&s.id),
            bookmarked: bookmarked.contains(&s.id),
            pinned: s.pinned_at.is_some(),
            media: media.get(&s.id).cloned().unwrap_or_default(),
            poll: polls.get(&s.id).cloned(),
            reblog: None,
            account,
        })
    };

    let mut out = Vec::with_capacity(list.len());
    for s in &list {
        let Some(mut view) = build(s) else { continue };
        if let Some(orig_id) = s.reblog_of_id {
            // A re-post is shown only if its original may be seen too.
            let Some(orig) = originals.get(&orig_id).and_then(&build) else {
                continue;
            };
            view.reblog = Some(Box::new(orig));
        }
        out.push(view);
    }
    Ok(out)
}

/// The view of a post its author has just made with no attachments and no poll, built from
/// what the request already holds rather than read back: nobody can have replied to,
/// re-posted, liked or bookmarked it yet. Mentions come in the order a read gives them (by
/// account id); `tags` as `statuses::hashtags` gives them (lower case, sorted, once each),
/// which is the read's order too.
pub(crate) fn new_post(status: Status, author: Account, mut mentions: Vec<Account>, tags: Vec<String>) -> StatusView {
    mentions.sort_by_key(|a| a.id);
    mentions.dedup_by_key(|a| a.id);
    StatusView {
        pinned: status.pinned_at.is_some(),
        status,
        account: author,
        mentions,
        tags,
        replies_count: 0,
        reblogs_count: 0,
        favourites_count: 0,
        favourited: false,
        reblogged: false,
        bookmarked: false,
        media: Vec::new(),
        poll: None,
        reblog: None,
    }
}

/// One post for this viewer, or `None` if it does not exist or may not be seen (the two
/// answer alike, so a private post's existence is not revealed).
pub async fn one(app: &App, viewer: &Viewer, id: Id) -> Result<Option<StatusView>> {
    let Some(s) = statuses::by_id(app.store.reader(), id).await? else {
        return Ok(None);
    };
    Ok(visible(app, viewer, vec![s]).await?.into_iter().next())
}
