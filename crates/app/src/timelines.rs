//! Timelines: home, public, hashtag, an account's posts, favourites and bookmarks. Each
//! reads candidates a page at a time and keeps only what the audience rule allows, reading
//! on until the page is full.

use canteen_domain::Id;
use canteen_domain::status::Status;
use canteen_store::feeds;
use canteen_store::interactions;
pub use canteen_store::interactions::Kind;
use canteen_store::statuses;
pub use canteen_store::statuses::Page;

use crate::auth::Auth;
use crate::viewer::Viewer;
use crate::views::{self, StatusView};
use crate::{App, Result};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 40;

/// Where a timeline's candidates come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A reader's home feed, merged with the posts of the followed authors in `pulled`
    /// (too many followers to fan out to); posts by members of the reader's exclusive lists
    /// stay out.
    Home {
        reader: Id,
        excluded: Vec<Id>,
        pulled: Vec<Id>,
    },
    Public {
        local: bool,
    },
    /// A hashtag timeline: `tag` or any of `any`, with all of `all` and none of `none`.
    Tag {
        tag: String,
        any: Vec<String>,
        all: Vec<String>,
        none: Vec<String>,
    },
    Account {
        id: Id,
        pinned: bool,
        exclude_replies: bool,
        exclude_reblogs: bool,
        /// Only posts carrying this hashtag.
        tagged: Option<String>,
    },
    /// Posts by a list's members.
    List {
        members: Vec<Id>,
        replies_policy: String,
    },
}

async fn candidates(app: &App, source: &Source, page: Page) -> Result<Vec<Status>> {
    let e = app.store.reader();
    Ok(match source {
        Source::Home { reader: me, pulled, .. } => {
            let ids = feeds::page(e, *me, page).await?;
            let mut found = statuses::by_ids(app.store.reader(), &ids).await?;
            let order = |s: &Status| ids.iter().position(|i| *i == s.id).unwrap_or(usize::MAX);
            found.sort_by_key(order);
            if !pulled.is_empty() {
                found = merge_pulled(found, statuses::for_pulled_home(app.store.reader(), pulled, page).await?, page);
            }
            found
        }
        Source::Public { local } => statuses::public(e, page, *local).await?,
        Source::Tag { tag, any, .. } => {
            let mut tags = vec![tag.clone()];
            tags.extend(any.iter().cloned());
            statuses::by_tags(e, &tags, page).await?
        }
        Source::Account { id, pinned, .. } => statuses::by_account(e, *id, page, *pinned).await?,
        Source::List { members, .. } => statuses::by_accounts(e, members, page).await?,
    })
}

/// A feed page and the pulled authors' posts in the same window, as one page: in the page's
/// order, each post once (a post fanned out before its author was pulled is in both), no
/// longer than the page, so the last post is still the cursor for the next.
fn merge_pulled(feed: Vec<Status>, pulled: Vec<Status>, page: Page) -> Vec<Status> {
    let mut all = feed;
    all.extend(pulled);
    all.sort_by_key(|s| s.id.0);
    all.dedup_by_key(|s| s.id.0);
    if page.min_id.is_none() {
        all.reverse();
    }
    all.truncate(page.limit.max(0) as usize);
    all
}

fn wanted(source: &Source, viewer: &Viewer, s: &StatusView) -> bool {
    let author = s.account.id;
    let shown_author = s.reblog.as_ref().map(|r| r.account.id);
    let muted = |id: Id| viewer.mutes(id) && !viewer.is(id);
    match source {
        Source::Tag { all, none, .. } => {
            !muted(author) && all.iter().all(|t| s.tags.contains(t)) && !none.iter().any(|t| s.tags.contains(t))
        }
        Source::Home { excluded, .. } => {
            !muted(author) && shown_author.is_none_or(|a| !muted(a)) && !excluded.contains(&author)
        }
        Source::Public { .. } => !muted(author) && shown_author.is_none_or(|a| !muted(a)),
        Source::List { members, replies_policy } => {
            // A reply to someone else shows by the list's replies policy, as in Mastodon.
            let reply_ok = match s.status.in_reply_to_account_id {
                Some(to) if to != author => match replies_policy.as_str() {
                    "followed" => viewer.follows(to) || viewer.is(to),
                    "list" => members.contains(&to),
                    _ => false,
                },
                _ => true,
            };
            !muted(author) && shown_author.is_none_or(|a| !muted(a)) && reply_ok
        }
        Source::Account { exclude_replies, exclude_reblogs, tagged, .. } => {
            if tagged.as_ref().is_some_and(|t| !s.tags.contains(t)) {
                return false;
            }
            let reblog = *exclude_reblogs && s.reblog.is_some();
            // A reply to oneself (a thread) still shows, as in Mastodon.
            let reply = *exclude_replies
                && s.status.in_reply_to_id.is_some()
                && s.status.in_reply_to_account_id != Some(author);
            !(reblog || reply)
        }
    }
}

/// One page of a timeline for this viewer; with `only_media`, only posts with attachments.
pub async fn read(
    app: &App,
    viewer: &Viewer,
    source: &Source,
    page: Page,
    only_media: bool,
) -> Result<Vec<StatusView>> {
    let limit = page.limit.clamp(1, MAX_LIMIT);
    // Read a few more candidates than the page needs, for those the viewer may not see or has
    // muted. A home feed holds only posts already checked at fan-out, so few drop out there;
    // every extra candidate costs its share of building views.
    let candidates_wanted = match source {
        Source::Home { .. } => limit + limit / 4 + 1,
        _ => limit * 2,
    };
    let mut cursor = Page { limit: candidates_wanted, ..page };
    let ascending = page.min_id.is_some();
    let mut out: Vec<StatusView> = Vec::new();
    for _ in 0..10 {
        let batch = candidates(app, source, cursor).await?;
        let exhausted = (batch.len() as i64) < cursor.limit;
        let edge = batch.last().map(|s| s.id.0);
        for v in views::visible(app, viewer, batch).await? {
            let shown = v.reblog.as_deref().unwrap_or(&v);
            if wanted(source, viewer, &v) && (!only_media || !shown.media.is_empty()) {
                out.push(v);
            }
        }
        if out.len() as i64 >= limit || exhausted {
            break;
        }
        match edge {
            Some(id) if ascending => cursor.min_id = Some(id),
            Some(id) => cursor.max_id = Some(id),
            None => break,
        }
    }
    out.truncate(limit as usize);
    if ascending {
        out.reverse();
    }
    Ok(out)
}

pub async fn home(app: &App, auth: &Auth, page: Page) -> Result<Vec<StatusView>> {
    let (_, me) = auth.signed_in()?;
    let viewer = Viewer::load(app, Some(me)).await?;
    let excluded = viewer.exclusive_list_members().to_vec();
    let pulled = viewer.pulled_following().to_vec();
    read(app, &viewer, &Source::Home { reader: me.id, excluded, pulled }, page, false).await
}

/// Favourites or bookmarks of the caller, newest first, with the (newest, oldest) row cursors.
pub async fn marked(app: &App, auth: &Auth, kind: Kind, page: Page) -> Result<(Vec<StatusView>, Option<(i64, i64)>)> {
    let (_, me) = auth.signed_in()?;
    let viewer = Viewer::load(app, Some(me)).await?;
    let rows =
        interactions::page(app.store.reader(), kind, me.id, Page { limit: page.limit.clamp(1, MAX_LIMIT), ..page })
            .await?;
    let cursors = rows.first().zip(rows.last()).map(|(a, b)| (a.0, b.0));
    let ids: Vec<Id> = rows.iter().map(|(_, s)| *s).collect();
    let mut found = statuses::by_ids(app.store.reader(), &ids).await?;
    found.sort_by_key(|s| ids.iter().position(|i| *i == s.id).unwrap_or(usize::MAX));
    Ok((views::visible(app, &viewer, found).await?, cursors))
}

/// `GET /api/v1/timelines/list/:id`.
pub async fn list(app: &App, auth: &Auth, id: Id, page: Page) -> Result<Vec<StatusView>> {
    let (_, me) = auth.signed_in()?;
    let list = crate::lists::own(app, auth, id).await?;
    let members = canteen_store::relationships::list_members(app.store.reader(), id).await?;
    let viewer = Viewer::load(app, Some(me)).await?;
    read(app, &viewer, &Source::List { members, replies_policy: list.replies_policy }, page, false).await
}

/// A post built for `me` alone (`None`: signed out), as a live stream shows it: only if the
/// audience rule lets them see it and they have not muted its author, with all their
/// relationships read afresh. The streams use `live::item`, which builds each post once for
/// all its viewers; this is its path for a post whose view is the viewer's own (a poll).
pub async fn live_item(app: &App, me: Option<&canteen_domain::account::Account>, id: Id) -> Result<Option<StatusView>> {
    let viewer = Viewer::load(app, me).await?;
    let Some(v) = crate::views::one(app, &viewer, id).await? else { return Ok(None) };
    if viewer.mutes(v.account.id) && !viewer.is(v.account.id) {
        return Ok(None);
    }
    Ok(Some(v))
}
