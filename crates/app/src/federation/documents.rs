//! The documents other servers fetch: WebFinger, actors, their collections and outbox, and
//! posts. Everything here is what an anonymous visitor may see: collections honour
//! `hide_collections`, and a post is served only when public or unlisted — any other audience
//! is a 404, exactly like a post that does not exist, so its existence is not revealed.

use std::collections::HashMap;

use canteen_domain::Id;
use canteen_domain::account::{Account, AccountKind};
use canteen_domain::status::{Status, Visibility};
use canteen_federation::audience::{self, Recipients};
use canteen_federation::vocab::Context;
use canteen_federation::webfinger::{self, Jrd, Resource};
use canteen_store::statuses::Page;
use canteen_store::{Exec, accounts, federation as fstore, relationships as rel, statuses};
use serde_json::{Value, json};

use super::{key_id, rfc3339, shared_inbox};
use crate::{App, AppError, Result};

/// Items per collection page.
pub const PAGE_SIZE: i64 = 40;

const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

fn not_found() -> AppError {
    AppError::NotFound("Record not found".into())
}

/// An actor document, or the news that the account was suspended (410 Gone, so servers drop it).
pub enum ActorDocument {
    Live {
        document: Value,
        account: Box<Account>,
    },
    Suspended,
    /// Deleted by its owner: the `Tombstone` to answer with (410 Gone).
    Deleted(Value),
}

/// The `Tombstone` for an id of ours that names something deleted, if it does.
pub async fn tombstone(app: &App, uri: &str) -> Result<Option<Value>> {
    let Some((former_type, deleted_at)) = canteen_store::erasure::tombstone(app.store.reader(), uri).await? else {
        return Ok(None);
    };
    Ok(Some(json!({
        "@context": Context::canteen(),
        "id": uri, "type": "Tombstone", "formerType": former_type, "deleted": rfc3339(deleted_at),
    })))
}

/// A local account by username that is not suspended; a suspended one is "not found" here.
async fn live_local(app: &App, username: &str) -> Result<Account> {
    match accounts::by_local_username(app.store.reader(), username).await? {
        Some(a) if a.suspended_at.is_none() => Ok(a),
        _ => Err(not_found()),
    }
}

/// `GET /.well-known/webfinger?resource=…`: `acct:user@our-domain` or one of our actor URLs.
pub async fn webfinger(app: &App, resource: &str) -> Result<Jrd> {
    let parsed = webfinger::parse_resource(resource).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let domain = app.config.domain();
    let username = match &parsed {
        Resource::Acct { user, host } if host.eq_ignore_ascii_case(&domain) => user.as_str(),
        Resource::Acct { .. } => return Err(AppError::NotFound(format!("{resource} is not on this server"))),
        Resource::Url(url) => {
            let profile = url.strip_prefix(&format!("{}/@", app.config.public_url));
            match profile.or_else(|| super::local_username(&app.config, url)) {
                Some(name) if !name.contains('/') => name,
                _ => return Err(AppError::NotFound(format!("{resource} is not an account on this server"))),
            }
        }
    };
    let account = live_local(app, username).await?;
    let template = format!("{}/authorize_interaction?uri={{uri}}", app.config.public_url);
    Ok(Jrd::for_account(&account.username, &domain, &account.uri, &account.url, Some(&template)))
}

/// `GET /.well-known/host-meta`: where WebFinger is (XRD), for the software that still asks.
pub fn host_meta(app: &App) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n",
        app.config.public_url
    )
}

/// The actor document of a local account.
pub async fn actor(app: &App, username: &str) -> Result<ActorDocument> {
    let account = match accounts::by_local_username(app.store.reader(), username).await? {
        None => return Err(not_found()),
        Some(a) if a.suspended_at.is_some() => {
            return Ok(match tombstone(app, &a.uri).await? {
                Some(t) => ActorDocument::Deleted(t),
                None => ActorDocument::Suspended,
            });
        }
        Some(a) => a,
    };
    let document = actor_document(app, &account).await?;
    Ok(ActorDocument::Live { document, account: Box::new(account) })
}

/// A local account's actor document, as served at its id (and sent in an `Update`).
pub async fn actor_document(app: &App, account: &Account) -> Result<Value> {
    let pem = super::keys::public_key_pem(app, account).await?;
    let uri = &account.uri;
    let mut doc = json!({
        "@context": Context::canteen(),
        "id": uri,
        "type": match (account.bot, account.kind) {
            (true, _) => "Service",
            (false, AccountKind::Organization) => "Organization",
            (false, AccountKind::Group) => "Group",
            (false, AccountKind::Person) => "Person",
        },
        "preferredUsername": account.username,
        "name": account.display_name,
        "summary": paragraphs(&account.note),
        "url": account.url,
        "inbox": format!("{uri}/inbox"),
        "outbox": format!("{uri}/outbox"),
        "followers": format!("{uri}/followers"),
        "following": format!("{uri}/following"),
        "featured": format!("{uri}/collections/featured"),
        "endpoints": {"sharedInbox": shared_inbox(&app.config)},
        "publicKey": {"id": key_id(uri), "owner": uri, "publicKeyPem": pem},
        "manuallyApprovesFollowers": account.privacy.locked,
        "discoverable": account.privacy.discoverable,
        "indexable": account.privacy.indexable,
        "published": rfc3339(account.created_at),
        "attachment": account.fields.iter().map(|f| json!({
            "type": "PropertyValue", "name": f.name, "value": escape(&f.value)
        })).collect::<Vec<_>>(),
    });
    if let Some(avatar) = &account.avatar_url {
        doc["icon"] = json!({"type": "Image", "url": absolute(app, avatar)});
    }
    if let Some(header) = &account.header_url {
        doc["image"] = json!({"type": "Image", "url": absolute(app, header)});
    }
    if !account.also_known_as.is_empty() {
        doc["alsoKnownAs"] = json!(account.also_known_as);
    }
    if let Some(to) = &account.moved_to {
        doc["movedTo"] = json!(to);
    }
    Ok(doc)
}

fn absolute(app: &App, url: &str) -> String {
    if url.starts_with('/') { format!("{}{url}", app.config.public_url) } else { url.to_string() }
}

/// Which page of a collection is asked for: none (the collection itself), or a page ending
/// below `max` (a cursor from the previous page's `next`).
#[derive(Debug, Clone, Copy, Default)]
pub struct PageQuery {
    pub page: bool,
    pub max: Option<i64>,
}

/// `followers` or `following` of a local account. Hidden collections show their size only.
pub async fn follow_collection(app: &App, username: &str, followers: bool, q: PageQuery) -> Result<Value> {
    let account = live_local(app, username).await?;
    let e = || app.store.reader();
    let total = if followers {
        rel::count_followers(e(), account.id).await?
    } else {
        rel::count_following(e(), account.id).await?
    };
    let id = format!("{}/{}", account.uri, if followers { "followers" } else { "following" });
    if account.privacy.hide_collections {
        // Mastodon's shape for hidden collections: the count, no `first`, no items.
        return Ok(json!({"@context": AS_CONTEXT, "id": id, "type": "OrderedCollection", "totalItems": total}));
    }
    if !q.page {
        return Ok(json!({
            "@context": AS_CONTEXT, "id": id, "type": "OrderedCollection", "totalItems": total,
            "first": format!("{id}?page=true"),
        }));
    }
    let rows = rel::page(e(), account.id, followers, q.max.unwrap_or(i64::MAX), PAGE_SIZE).await?;
    let ids: Vec<Id> = rows.iter().map(|(_, a)| *a).collect();
    let by_id: HashMap<Id, Account> = accounts::by_ids(e(), &ids).await?.into_iter().map(|a| (a.id, a)).collect();
    let items: Vec<&str> =
        ids.iter().filter_map(|i| by_id.get(i)).filter(|a| a.suspended_at.is_none()).map(|a| a.uri.as_str()).collect();
    let mut page = json!({
        "@context": AS_CONTEXT, "type": "OrderedCollectionPage", "totalItems": total, "partOf": id,
        "id": page_id(&id, "max", q.max), "orderedItems": items,
    });
    if rows.len() as i64 == PAGE_SIZE
        && let Some((cursor, _)) = rows.last()
    {
        page["next"] = json!(format!("{id}?page=true&max={cursor}"));
    }
    Ok(page)
}

fn page_id(id: &str, param: &str, max: Option<i64>) -> String {
    match max {
        Some(m) => format!("{id}?page=true&{param}={m}"),
        None => format!("{id}?page=true"),
    }
}

/// The outbox: public posts only, as `Create` activities, newest first.
pub async fn outbox(app: &App, username: &str, q: PageQuery) -> Result<Value> {
    let account = live_local(app, username).await?;
    let id = format!("{}/outbox", account.uri);
    let total = fstore::count_public_statuses(app.store.reader(), account.id).await?;
    if !q.page {
        return Ok(json!({
            "@context": AS_CONTEXT, "id": id, "type": "OrderedCollection", "totalItems": total,
            "first": format!("{id}?page=true"),
        }));
    }
    let ids = fstore::public_status_ids(app.store.reader(), account.id, q.max.unwrap_or(i64::MAX), PAGE_SIZE).await?;
    let mut posts = statuses::by_ids(app.store.reader(), &ids).await?;
    posts.sort_by_key(|s| std::cmp::Reverse(s.id));
    let mut items = Vec::with_capacity(posts.len());
    for s in &posts {
        let mut note = note_object(app, &account, s).await?;
        let (to, cc) = (note["to"].clone(), note["cc"].clone());
        if let Some(o) = note.as_object_mut() {
            o.remove("@context");
        }
        items.push(json!({
            "id": format!("{}/activity", s.uri), "type": "Create", "actor": account.uri,
            "published": rfc3339(s.created_at), "to": to, "cc": cc, "object": note,
        }));
    }
    let mut page = json!({
        "@context": Context::canteen(), "type": "OrderedCollectionPage", "totalItems": total, "partOf": id,
        "id": page_id(&id, "max", q.max), "orderedItems": items,
    });
    if ids.len() as i64 == PAGE_SIZE
        && let Some(last) = ids.last()
    {
        page["next"] = json!(format!("{id}?page=true&max={}", last.0));
    }
    Ok(page)
}

/// Pinned posts that anyone may see.
pub async fn featured(app: &App, username: &str) -> Result<Value> {
    let account = live_local(app, username).await?;
    let page = Page { limit: PAGE_SIZE, ..Page::default() };
    let pinned = statuses::by_account(app.store.reader(), account.id, page, true).await?;
    let mut items = Vec::new();
    for s in pinned.iter().filter(|s| anyone_may_fetch(s)) {
        let mut note = note_object(app, &account, s).await?;
        if let Some(o) = note.as_object_mut() {
            o.remove("@context");
        }
        items.push(note);
    }
    Ok(json!({
        "@context": Context::canteen(), "id": format!("{}/collections/featured", account.uri),
        "type": "OrderedCollection", "totalItems": items.len(), "orderedItems": items,
    }))
}

/// Public and unlisted posts may be fetched by anyone; every other audience only by its
/// members, which needs signed fetches (a later slice), so for now by no one.
fn anyone_may_fetch(s: &Status) -> bool {
    s.reblog_of_id.is_none() && matches!(s.visibility, Visibility::Public | Visibility::Unlisted)
}

/// The `Note` at a post's `uri`, if anyone may see it; otherwise 404, like a missing post.
pub async fn note(app: &App, username: &str, id: Id) -> Result<(Value, Status)> {
    let account = live_local(app, username).await?;
    let status = statuses::by_id(app.store.reader(), id).await?.ok_or_else(not_found)?;
    if status.account_id != account.id || !anyone_may_fetch(&status) {
        return Err(not_found());
    }
    Ok((note_object(app, &account, &status).await?, status))
}

/// A post as a `Note`, addressed for its visibility.
pub async fn note_object(app: &App, author: &Account, s: &Status) -> Result<Value> {
    note_in(app, app.store.reader(), author, s, &[]).await
}

/// A post as a `Note`, read through `e` (a transaction that has just written the post sees
/// its own mentions and tags), with `explicit` the recipients of a mutuals or circle post.
pub(crate) async fn note_in(
    app: &App,
    mut e: Exec<'_>,
    author: &Account,
    s: &Status,
    explicit: &[String],
) -> Result<Value> {
    let mention_ids: Vec<Id> =
        statuses::mentions_of(e.reborrow(), &[s.id]).await?.into_iter().map(|(_, a)| Id(a)).collect();
    let mentioned = accounts::by_ids(e.reborrow(), &mention_ids).await?;
    let mentioned_uris: Vec<String> = mentioned.iter().map(|a| a.uri.clone()).collect();
    let followers = format!("{}/followers", author.uri);
    let addressing =
        audience::addressing(s.visibility, Recipients { followers: &followers, mentioned: &mentioned_uris, explicit });
    let domain = app.config.domain();
    let mut tags: Vec<Value> = mentioned
        .iter()
        .map(|a| {
            let handle = match &a.domain {
                Some(d) => format!("@{}@{d}", a.username),
                None => format!("@{}@{domain}", a.username),
            };
            json!({"type": "Mention", "href": a.uri, "name": handle})
        })
        .collect();
    for (_, tag) in statuses::tags_of(e.reborrow(), &[s.id]).await? {
        tags.push(json!({
            "type": "Hashtag", "href": format!("{}/tags/{tag}", app.config.public_url), "name": format!("#{tag}")
        }));
    }
    let in_reply_to = match s.in_reply_to_id {
        Some(parent) => statuses::by_id(e.reborrow(), parent).await?.map(|p| p.uri),
        None => None,
    };
    let mut note = json!({
        "@context": Context::canteen(),
        "id": s.uri,
        "type": "Note",
        "attributedTo": author.uri,
        "content": s.content_html,
        "summary": if s.spoiler_text.is_empty() { Value::Null } else { json!(s.spoiler_text) },
        "sensitive": s.sensitive,
        "inReplyTo": in_reply_to,
        "published": rfc3339(s.created_at),
        "url": s.url,
        "to": addressing.to,
        "cc": addressing.cc,
        "tag": tags,
    });
    if let Some(edited) = s.edited_at {
        note["updated"] = json!(rfc3339(edited));
    }
    if let Some(lang) = &s.language {
        note["contentMap"] = json!({ lang: s.content_html });
    }
    let media = canteen_store::media::of_statuses(e.reborrow(), &[s.id]).await?;
    if !media.is_empty() {
        note["attachment"] = media.iter().map(|m| attachment(app, m)).collect();
    }
    if let Some(poll) = canteen_store::polls::of_statuses(e.reborrow(), &[s.id]).await?.into_iter().next() {
        question(e, &mut note, &poll).await?;
    }
    Ok(note)
}

/// A picture as Mastodon attaches it: a `Document` with its type, size, alt text, blurhash
/// and focal point.
fn attachment(app: &App, m: &canteen_store::media::MediaRecord) -> Value {
    json!({
        "type": "Document", "mediaType": m.mime, "url": format!("{}/system/media/{}", app.config.public_url, m.file_key),
        "name": if m.description.is_empty() { Value::Null } else { json!(m.description) },
        "blurhash": m.blurhash, "width": m.width, "height": m.height, "focalPoint": [m.focus_x, m.focus_y],
    })
}

/// A post with a poll is a `Question`: its options (`oneOf`, or `anyOf` for several choices)
/// with their counts, when it ends, and `closed` once it has.
async fn question(e: Exec<'_>, note: &mut Value, poll: &canteen_store::polls::PollRecord) -> Result<()> {
    let options: Vec<String> = serde_json::from_str(&poll.options).unwrap_or_default();
    let votes = canteen_store::polls::votes(e, Id(poll.id)).await?;
    let mut voters: Vec<i64> = votes.iter().map(|(account, _)| *account).collect();
    voters.sort_unstable();
    voters.dedup();
    let items: Vec<Value> = options
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let n = votes.iter().filter(|(_, c)| *c == i as i64).count();
            json!({"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": n}})
        })
        .collect();
    note["type"] = json!("Question");
    note[if poll.multiple { "anyOf" } else { "oneOf" }] = json!(items);
    note["endTime"] = json!(rfc3339(poll.expires_at));
    note["votersCount"] = json!(voters.len());
    if poll.expires_at <= crate::clock::now_ms() {
        note["closed"] = json!(rfc3339(poll.expires_at));
    }
    Ok(())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A local bio (plain text) as HTML paragraphs, as the client API renders it.
fn paragraphs(text: &str) -> String {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br />")))
        .collect()
}
