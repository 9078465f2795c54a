//! Outgoing activities about local posts and follow requests: `Create`, `Update` and `Delete`
//! of a post, and `Accept`/`Reject` of a remote `Follow`. Each is queued (one
//! `federation.deliver` job per inbox) through the `Exec` of the transaction that made the
//! change, so the change and its deliveries commit together or not at all.
//!
//! Who gets a post follows issue 6's rule — only the inboxes of servers that have a recipient:
//! public, unlisted and followers-only posts go to the author's remote followers; mutuals and
//! circle posts to the remote accounts in that audience, each named in `to` (never the public
//! or the followers collection); every audience also goes to the remote accounts it mentions
//! (the only recipients of a direct post).

use std::collections::HashMap;

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::status::{Status, Visibility};
use canteen_federation::audience::{self, InboxInfo};
use canteen_federation::vocab::Context;
use canteen_store::federation::{self as fstore, RemoteActor};
use canteen_store::{Exec, accounts};
use serde_json::json;

use super::{delivery, documents, rfc3339};
use crate::{App, AppError, Result};

/// A post was made: `Create` its `Note`.
pub async fn created(app: &App, e: Exec<'_>, s: &Status) -> Result<()> {
    send_post_activity(app, e, s, Kind::Create).await
}

/// A post was edited (call after its new content, mentions and tags are written): `Update`.
pub async fn updated(app: &App, e: Exec<'_>, s: &Status) -> Result<()> {
    send_post_activity(app, e, s, Kind::Update).await
}

/// A post is being deleted (call before its rows go, while its audience can still be read):
/// `Delete` with a `Tombstone`.
pub async fn deleted(app: &App, e: Exec<'_>, s: &Status) -> Result<()> {
    send_post_activity(app, e, s, Kind::Delete).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    Update,
    Delete,
}

async fn send_post_activity(app: &App, mut e: Exec<'_>, s: &Status, kind: Kind) -> Result<()> {
    // Re-posts are `Announce`, which is not federated yet; remote authors' posts are not ours
    // to announce.
    if s.reblog_of_id.is_some() {
        return Ok(());
    }
    let author = accounts::by_id(e.reborrow(), s.account_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("post {} has no author", s.id)))?;
    if !author.is_local() {
        return Ok(());
    }
    let recipients = remote_audience(e.reborrow(), &author, s).await?;
    if recipients.is_empty() {
        return Ok(());
    }
    // Mutuals and circle posts name each recipient; `addressing` ignores this for the others.
    let explicit: Vec<String> = match s.visibility {
        Visibility::Mutuals | Visibility::Circle(_) => recipients.iter().map(|r| r.uri.clone()).collect(),
        _ => Vec::new(),
    };
    let mut note = documents::note_in(app, e.reborrow(), &author, s, &explicit).await?;
    let (to, cc) = (note["to"].clone(), note["cc"].clone());
    if let Some(o) = note.as_object_mut() {
        o.remove("@context");
    }
    let activity = match kind {
        // The same id and shape as the outbox lists, so a server that has both sees one activity.
        Kind::Create => json!({
            "@context": Context::canteen(), "id": format!("{}/activity", s.uri), "type": "Create",
            "actor": author.uri, "published": rfc3339(s.created_at), "to": to, "cc": cc, "object": note,
        }),
        // Each edit is its own activity (servers drop an id they have seen), as Mastodon names them.
        Kind::Update => {
            let at = s.edited_at.unwrap_or(s.created_at);
            json!({
                "@context": Context::canteen(), "id": format!("{}#updates/{at}", s.uri), "type": "Update",
                "actor": author.uri, "published": rfc3339(at), "to": to, "cc": cc, "object": note,
            })
        }
        Kind::Delete => json!({
            "@context": Context::canteen(), "id": format!("{}#delete", s.uri), "type": "Delete",
            "actor": author.uri, "to": to, "cc": cc,
            "object": {"id": s.uri, "type": "Tombstone", "atomUri": s.uri},
        }),
    };
    enqueue_all(app, e, author.id, &recipients, &activity.to_string()).await
}

/// The remote accounts a post is for, by its audience (plus the remote accounts it mentions).
async fn remote_audience(mut e: Exec<'_>, author: &Account, s: &Status) -> Result<Vec<RemoteActor>> {
    let mut out = match s.visibility {
        Visibility::Public | Visibility::Unlisted | Visibility::Private => {
            fstore::remote_followers(e.reborrow(), author.id).await?
        }
        Visibility::Mutuals => fstore::remote_mutuals(e.reborrow(), author.id).await?,
        Visibility::Circle(list) => fstore::remote_list_members(e.reborrow(), list).await?,
        Visibility::Direct => Vec::new(),
    };
    // A public or unlisted reply goes to the author it answers (anyone may read it anyway);
    // a narrower one reaches them only if they are in its audience, e.g. mentioned.
    if matches!(s.visibility, Visibility::Public | Visibility::Unlisted)
        && let Some(parent_author) = s.in_reply_to_account_id
        && let Some(r) = fstore::remote_actor(e.reborrow(), parent_author).await?
        && !out.iter().any(|o| o.account_id == r.account_id)
    {
        out.push(r);
    }
    for m in fstore::remote_mentioned(e, s.id).await? {
        if !out.iter().any(|r| r.account_id == m.account_id) {
            out.push(m);
        }
    }
    Ok(out)
}

/// One delivery job per inbox (shared inboxes preferred, so a server gets one copy).
async fn enqueue_all(app: &App, mut e: Exec<'_>, author: Id, recipients: &[RemoteActor], activity: &str) -> Result<()> {
    let directory: HashMap<String, InboxInfo> = recipients
        .iter()
        .filter_map(|r| {
            let inbox = r.inbox_url.clone()?;
            Some((r.uri.clone(), InboxInfo { inbox, shared_inbox: r.shared_inbox_url.clone() }))
        })
        .collect();
    let plan = audience::delivery_plan(recipients.iter().map(|r| r.uri.as_str()), &directory);
    if !plan.unresolved.is_empty() {
        // Every stored remote actor was fetched with its inbox; one without cannot be reached.
        tracing::warn!(recipients = ?plan.unresolved, "no inbox known: not delivered");
    }
    for inbox in &plan.inboxes {
        delivery::enqueue(app, e.reborrow(), author, inbox, activity).await?;
    }
    Ok(())
}

/// The answer to a remote `Follow` (`"Accept"` or `"Reject"`), quoting it by id.
pub(crate) fn follow_answer(app: &App, target: &Account, follower_uri: &str, follow_id: &str, kind: &str) -> String {
    json!({
        "@context": Context::canteen(),
        "id": format!("{}#{}/follows/{}", target.uri, kind.to_ascii_lowercase(), app.next_id()),
        "type": kind,
        "actor": target.uri,
        "to": [follower_uri],
        "object": {"id": follow_id, "type": "Follow", "actor": follower_uri, "object": target.uri},
    })
    .to_string()
}

/// The owner of a locked account settled a follow request from `from`; if it came from
/// another server (`follow_uri`, read before the request was taken), answer it there. An
/// accepted follow keeps the `Follow` id, so a later `Undo` by id finds it.
pub async fn follow_request_settled(
    app: &App,
    mut e: Exec<'_>,
    target: &Account,
    from: Id,
    follow_uri: Option<&str>,
    accept: bool,
) -> Result<()> {
    let Some(follow_uri) = follow_uri else { return Ok(()) };
    let Some(remote) = fstore::remote_actor(e.reborrow(), from).await? else { return Ok(()) };
    if accept {
        fstore::set_follow_uri(e.reborrow(), false, from, target.id, follow_uri).await?;
    }
    let Some(inbox) = &remote.inbox_url else {
        tracing::warn!(actor = %remote.uri, "no inbox known: follow request answer not delivered");
        return Ok(());
    };
    let answer = follow_answer(app, target, &remote.uri, follow_uri, if accept { "Accept" } else { "Reject" });
    delivery::enqueue(app, e, target.id, inbox, &answer).await
}

/// A local account asks to follow a remote one: `Follow`, with the id the request keeps so the
/// `Accept` (or a later `Undo`) can name it.
pub async fn follow(app: &App, e: Exec<'_>, me: &Account, target: Id, follow_id: &str) -> Result<()> {
    follow_activity(app, e, me, target, follow_id, false).await
}

/// A local account stops following (or withdraws its request to) a remote one: `Undo` of the
/// `Follow`.
pub async fn undo_follow(app: &App, e: Exec<'_>, me: &Account, target: Id, follow_id: &str) -> Result<()> {
    follow_activity(app, e, me, target, follow_id, true).await
}

async fn follow_activity(
    app: &App,
    mut e: Exec<'_>,
    me: &Account,
    target: Id,
    follow_id: &str,
    undo: bool,
) -> Result<()> {
    let Some(remote) = fstore::remote_actor(e.reborrow(), target).await? else { return Ok(()) };
    let Some(inbox) = &remote.inbox_url else {
        tracing::warn!(actor = %remote.uri, "no inbox known: follow not delivered");
        return Ok(());
    };
    let follow = json!({"id": follow_id, "type": "Follow", "actor": me.uri, "object": remote.uri});
    let activity = if undo {
        json!({
            "@context": Context::canteen(), "id": format!("{follow_id}/undo"), "type": "Undo",
            "actor": me.uri, "to": [remote.uri], "object": follow,
        })
    } else {
        let mut f = follow;
        f["@context"] = serde_json::to_value(Context::canteen()).unwrap_or_default();
        f["to"] = json!([remote.uri]);
        f
    };
    delivery::enqueue(app, e, me.id, inbox, &activity.to_string()).await
}

/// A local account re-posted a post: `Announce` it to the re-poster's remote followers and,
/// for a public or unlisted re-post, to the original's author if remote.
pub async fn announced(app: &App, e: Exec<'_>, reblog: &Status) -> Result<()> {
    announce_activity(app, e, reblog, false).await
}

/// A re-post was taken back: `Undo` the `Announce`, to the same servers.
pub async fn unannounced(app: &App, e: Exec<'_>, reblog: &Status) -> Result<()> {
    announce_activity(app, e, reblog, true).await
}

async fn announce_activity(app: &App, mut e: Exec<'_>, reblog: &Status, undo: bool) -> Result<()> {
    let Some(original_id) = reblog.reblog_of_id else { return Ok(()) };
    let Some(original) = canteen_store::statuses::by_id(e.reborrow(), original_id).await? else { return Ok(()) };
    let author = accounts::by_id(e.reborrow(), reblog.account_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("re-post {} has no author", reblog.id)))?;
    if !author.is_local() {
        return Ok(());
    }
    let mut recipients = fstore::remote_followers(e.reborrow(), author.id).await?;
    if matches!(reblog.visibility, Visibility::Public | Visibility::Unlisted)
        && let Some(r) = fstore::remote_actor(e.reborrow(), original.account_id).await?
        && !recipients.iter().any(|x| x.account_id == r.account_id)
    {
        recipients.push(r);
    }
    if recipients.is_empty() {
        return Ok(());
    }
    let followers = format!("{}/followers", author.uri);
    let original_author = accounts::by_id(e.reborrow(), original.account_id).await?.map(|a| a.uri).unwrap_or_default();
    let public = canteen_federation::vocab::PUBLIC;
    let (to, cc) = match reblog.visibility {
        Visibility::Public => (json!([public]), json!([followers, original_author])),
        Visibility::Unlisted => (json!([followers]), json!([public, original_author])),
        _ => (json!([followers]), json!([])),
    };
    let announce = json!({
        "id": reblog.uri, "type": "Announce", "actor": author.uri, "published": rfc3339(reblog.created_at),
        "to": to, "cc": cc, "object": original.uri,
    });
    let activity = if undo {
        json!({
            "@context": Context::canteen(), "id": format!("{}#undo", reblog.uri), "type": "Undo",
            "actor": author.uri, "to": announce["to"], "cc": announce["cc"], "object": announce,
        })
    } else {
        let mut a = announce;
        a["@context"] = serde_json::to_value(Context::canteen()).unwrap_or_default();
        a
    };
    enqueue_all(app, e, author.id, &recipients, &activity.to_string()).await
}

/// A local account blocks (or, with `undo`, unblocks) a remote one: `Block`, or `Undo` of it.
/// Each has an id of its own (servers drop ids seen before); an `Undo` is matched by the
/// blocker and the blocked account it embeds, as Mastodon matches it.
pub async fn block(app: &App, mut e: Exec<'_>, me: &Account, target: Id, undo: bool) -> Result<()> {
    let Some(remote) = fstore::remote_actor(e.reborrow(), target).await? else { return Ok(()) };
    let Some(inbox) = &remote.inbox_url else { return Ok(()) };
    let block = json!({
        "id": format!("{}#blocks/{}/{}", me.uri, target, app.next_id()), "type": "Block", "actor": me.uri,
        "object": remote.uri,
    });
    let activity = if undo {
        json!({
            "@context": Context::canteen(), "id": format!("{}/undo", block["id"].as_str().unwrap_or_default()),
            "type": "Undo", "actor": me.uri, "to": [remote.uri], "object": block,
        })
    } else {
        let mut b = block;
        b["@context"] = serde_json::to_value(Context::canteen()).unwrap_or_default();
        b["to"] = json!([remote.uri]);
        b
    };
    delivery::enqueue(app, e, me.id, inbox, &activity.to_string()).await
}

/// A report forwarded to the reported account's server: `Flag` from our instance actor (so the
/// reporter is not named there) of the account and the reported posts, with the comment.
pub async fn flag(
    app: &App,
    mut e: Exec<'_>,
    target: &Account,
    post_uris: &[String],
    report: &canteen_store::reports::ReportRecord,
) -> Result<()> {
    let Some(remote) = fstore::remote_actor(e.reborrow(), target.id).await? else { return Ok(()) };
    let Some(inbox) = remote.shared_inbox_url.clone().or_else(|| remote.inbox_url.clone()) else {
        tracing::warn!(actor = %remote.uri, "no inbox known: report not forwarded");
        return Ok(());
    };
    let mut object = vec![remote.uri.clone()];
    object.extend(post_uris.iter().cloned());
    let activity = json!({
        "@context": Context::canteen(),
        "id": format!("{}/reports/{}", app.config.public_url, report.id),
        "type": "Flag",
        "actor": super::instance_actor::uri(&app.config),
        "to": [remote.uri],
        "object": object,
        "content": report.comment,
    })
    .to_string();
    delivery::enqueue_as_instance(app, e, &inbox, &activity).await
}

/// A vote from here on another server's poll: one `Create` of a `Note` naming each chosen
/// option, in reply to the `Question`, to its author only (as Mastodon sends votes).
pub async fn poll_vote(app: &App, mut e: Exec<'_>, voter: &Account, question: &Status, chosen: &[&str]) -> Result<()> {
    let Some(author) = fstore::remote_actor(e.reborrow(), question.account_id).await? else { return Ok(()) };
    let Some(inbox) = author.inbox_url.clone().or_else(|| author.shared_inbox_url.clone()) else {
        tracing::warn!(actor = %author.uri, "no inbox known: poll vote not delivered");
        return Ok(());
    };
    for title in chosen {
        let id = format!("{}#votes/{}", voter.uri, app.next_id());
        let activity = json!({
            "@context": Context::canteen(),
            "id": format!("{id}/activity"),
            "type": "Create",
            "actor": voter.uri,
            "to": [author.uri],
            "object": {
                "id": id, "type": "Note", "name": title, "attributedTo": voter.uri,
                "to": [author.uri], "inReplyTo": question.uri,
            },
        })
        .to_string();
        delivery::enqueue(app, e.reborrow(), voter.id, &inbox, &activity).await?;
    }
    Ok(())
}

/// A local profile changed (name, bio, fields, locked…): the `Update` of its actor document
/// for the servers of its remote followers, so their copies show the change, with those
/// servers' inboxes. Made before the change's transaction (the key may need making, which
/// writes); `None` when no server holds a copy.
pub async fn actor_update(app: &App, account: &Account) -> Result<Option<(String, Vec<String>)>> {
    let followers = fstore::remote_followers(app.store.reader(), account.id).await?;
    let mut inboxes: Vec<String> =
        followers.iter().filter_map(|r| r.shared_inbox_url.clone().or_else(|| r.inbox_url.clone())).collect();
    inboxes.sort_unstable();
    inboxes.dedup();
    if inboxes.is_empty() {
        return Ok(None);
    }
    let mut doc = documents::actor_document(app, account).await?;
    if let Some(map) = doc.as_object_mut() {
        map.remove("@context");
    }
    let activity = json!({
        "@context": Context::canteen(),
        "id": format!("{}#updates/{}", account.uri, account.updated_at),
        "type": "Update",
        "actor": account.uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{}/followers", account.uri)],
        "object": doc,
    })
    .to_string();
    Ok(Some((activity, inboxes)))
}

/// Queues one activity of `account` for each inbox, in the caller's transaction.
pub async fn enqueue_for(app: &App, mut e: Exec<'_>, account: Id, inboxes: &[String], activity: &str) -> Result<()> {
    for inbox in inboxes {
        delivery::enqueue(app, e.reborrow(), account, inbox, activity).await?;
    }
    Ok(())
}

/// A like (or its undoing) of another server's post: `Like`, or `Undo` of it, to the author's
/// server only.
pub async fn liked(app: &App, mut e: Exec<'_>, me: &Account, post: &Status, on: bool) -> Result<()> {
    let Some(author) = fstore::remote_actor(e.reborrow(), post.account_id).await? else { return Ok(()) };
    let Some(inbox) = author.shared_inbox_url.clone().or_else(|| author.inbox_url.clone()) else { return Ok(()) };
    let like = json!({
        "id": format!("{}#likes/{}", me.uri, post.id),
        "type": "Like",
        "actor": me.uri,
        "object": post.uri,
        "to": [author.uri],
    });
    let activity = if on {
        let mut like = like;
        like["@context"] = json!(Context::canteen());
        like
    } else {
        json!({
            "@context": Context::canteen(),
            "id": format!("{}#likes/{}/undo/{}", me.uri, post.id, app.next_id()),
            "type": "Undo",
            "actor": me.uri,
            "to": [author.uri],
            "object": like,
        })
    };
    delivery::enqueue(app, e, me.id, &inbox, &activity.to_string()).await
}
