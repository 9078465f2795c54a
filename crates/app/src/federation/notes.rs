//! Posts from other servers: stored when they arrive (`Create`), changed (`Update`) and
//! removed (`Delete`), with their audience mapped to ours and their HTML sanitised.
//!
//! A post is kept only when someone here has a reason to see it, as Mastodon does: a local
//! account follows the author, it is addressed to or mentions a local account, or it answers a
//! post we hold. Anything else is "unsolicited" and dropped. Its audience comes from its
//! addressing (`audience::incoming_visibility`); the local accounts it names become its
//! mentions, which is what lets a direct post (and a Canteen mutuals or circle post from
//! another server, which arrives as one) reach exactly them through the one audience rule.

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::status::{Status, Visibility};
use canteen_federation::audience::incoming_visibility;
use canteen_federation::vocab::{Activity, Post};
use canteen_store::federation::{self as fstore, RemoteActor};
use canteen_store::{accounts, statuses};

use super::inbox::Outcome;
use super::{is_local_uri, local_username};
use crate::clock::now_ms;
use crate::statuses::FANOUT_JOB;
use crate::{App, AppError, Result};

/// Why a post was stored, or why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Delivered to us: keep it only if someone here has a reason to see it.
    Delivered,
    /// Fetched on purpose (search `resolve`, a thread): keep it if it is public or unlisted.
    Fetched,
}

/// Stores a remote post by `author` (whose signature or origin has been checked). Returns the
/// stored post, or `None` when nobody here has a reason to see it.
pub async fn store(
    app: &App,
    author: &Account,
    remote: &RemoteActor,
    post: &Post,
    admission: Admission,
) -> Result<Option<Status>> {
    if post.author() != Some(remote.uri.as_str()) {
        return Err(AppError::Unauthorized(format!(
            "Request not accepted: {} is attributed to {}, not to the actor {}",
            post.id,
            post.author().unwrap_or("nobody"),
            remote.uri
        )));
    }
    same_host(&post.id, &remote.uri)?;
    if let Some(known) = statuses::by_uri(app.store.reader(), &post.id).await? {
        return Ok(Some(known));
    }
    let visibility = incoming_visibility(&post.to, &post.cc, remote.followers_url.as_deref()).visibility();
    let recipients = local_recipients(app, post).await?;
    let parent = match post.in_reply_to.as_ref().and_then(|r| r.id()) {
        Some(uri) => statuses::by_uri(app.store.reader(), uri).await?,
        None => None,
    };
    let wanted = match admission {
        Admission::Delivered => {
            !recipients.is_empty()
                || parent.as_ref().is_some_and(|p| is_local_uri(&app.config, &p.uri))
                || fstore::has_local_follower(app.store.reader(), author.id).await?
        }
        Admission::Fetched => matches!(visibility, Visibility::Public | Visibility::Unlisted),
    };
    if !wanted {
        return Ok(None);
    }
    let status = Status {
        id: app.next_id(),
        account_id: author.id,
        uri: post.id.clone(),
        url: post.url.html().map(str::to_string).unwrap_or_else(|| post.id.clone()),
        text: String::new(),
        content_html: String::new(),
        spoiler_text: String::new(),
        sensitive: false,
        language: None,
        visibility,
        place: None,
        in_reply_to_id: parent.as_ref().map(|p| p.id),
        in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
        reblog_of_id: None,
        application_id: None,
        pinned_at: None,
        created_at: post.published.as_deref().and_then(parse_time).filter(|t| *t <= now_ms()).unwrap_or(now_ms()),
        edited_at: None,
    };
    let status = with_content(status, post);
    let mut tx = app.store.begin().await?;
    statuses::insert(tx.exec(), &status).await?;
    if let Some(q) = question_of(post) {
        crate::polls::insert_remote(app, tx.exec(), status.id, author.id, &q).await?;
    }
    // A server whose media is rejected gets its posts without their files.
    let domain = author.domain.clone().unwrap_or_default();
    let reject_media = matches!(
        super::domains::permit(app, &domain).await?,
        super::domains::Permit::Allowed { reject_media: true, .. }
    );
    if !reject_media {
        crate::media::attach_remote(app, tx.exec(), status.id, author.id, &media_of(post)).await?;
    }
    statuses::insert_mentions(tx.exec(), status.id, &recipients).await?;
    statuses::insert_tags(tx.exec(), status.id, &hashtags(post)).await?;
    crate::jobs::enqueue(app, tx.exec(), FANOUT_JOB, &status.id.to_string(), 0).await?;
    crate::search::enqueue_status(app, tx.exec(), status.id).await?;
    // A delivered reply to a post not here: fetch the conversation above it, later. (Fetched
    // posts do not start a walk of their own: the walk that fetched them goes on.)
    if admission == Admission::Delivered
        && parent.is_none()
        && let Some(uri) = post.in_reply_to.as_ref().and_then(|r| r.id())
        && !is_local_uri(&app.config, uri)
    {
        let payload = super::resolve::AncestorsPayload { status: status.id.0, parent: uri.to_string() };
        let payload = serde_json::to_string(&payload).map_err(|e| AppError::Internal(e.to_string()))?;
        crate::jobs::enqueue(app, tx.exec(), super::resolve::FETCH_ANCESTORS_JOB, &payload, 0).await?;
    }
    tx.commit().await?;
    Ok(Some(status))
}

/// `Update` of a post: its content, warning and tags change; its audience does not (Mastodon
/// ignores a changed audience too — widening one after the fact would leak).
pub async fn update(app: &App, remote: &RemoteActor, post: &Post) -> Result<Outcome> {
    let Some(old) = statuses::by_uri(app.store.reader(), &post.id).await? else {
        return Ok(Outcome::Ignored(format!("Update of {}, a post not held here", post.id)));
    };
    if old.account_id != Id(remote.account_id) || post.author() != Some(remote.uri.as_str()) {
        return Err(AppError::Unauthorized(format!("Request not accepted: {} may not update {}", remote.uri, post.id)));
    }
    let mut edited = with_content(old.clone(), post);
    let at = post.updated.as_deref().and_then(parse_time).unwrap_or(now_ms()).max(old.created_at);
    edited.edited_at = Some(at);
    let recipients = local_recipients(app, post).await?;
    let mut tx = app.store.begin().await?;
    if statuses::edits(tx.exec(), old.id).await?.is_empty() {
        crate::statuses::record_version(app, tx.exec(), &old, old.created_at).await?;
    }
    crate::statuses::record_version(app, tx.exec(), &edited, at).await?;
    statuses::update_content(tx.exec(), &edited).await?;
    statuses::clear_mentions_and_tags(tx.exec(), old.id).await?;
    // The audience stays: keep the people it was for, add any newly named.
    let mut keep: Vec<Id> =
        statuses::mentions_of(tx.exec(), &[old.id]).await?.into_iter().map(|(_, a)| Id(a)).collect();
    keep.extend(recipients.into_iter().filter(|r| !keep.contains(r)).collect::<Vec<_>>());
    statuses::insert_mentions(tx.exec(), old.id, &keep).await?;
    statuses::insert_tags(tx.exec(), old.id, &hashtags(post)).await?;
    crate::search::enqueue_status(app, tx.exec(), old.id).await?;
    tx.commit().await?;
    // Servers send an Update of a Question as its votes come in.
    if let Some(q) = question_of(post) {
        crate::polls::update_remote(app, old.id, &q).await?;
    }
    app.publish(crate::events::Event::Update { status: old.id });
    Ok(Outcome::Handled("update post"))
}

/// The media files a post carries (http(s) addresses only).
fn media_of(post: &Post) -> Vec<crate::media::RemoteMedia> {
    use canteen_federation::vocab::Attachment;
    post.attachment
        .iter()
        .filter_map(|a| match a {
            Attachment::Media(m) if m.url.starts_with("https://") || m.url.starts_with("http://") => {
                Some(crate::media::RemoteMedia {
                    url: m.url.clone(),
                    mime: m.media_type.clone().unwrap_or_else(|| "application/octet-stream".into()),
                    description: m.name.as_deref().map(plain_text).unwrap_or_default(),
                    blurhash: m.blurhash.clone().unwrap_or_default(),
                    width: m.width.map_or(0, i64::from),
                    height: m.height.map_or(0, i64::from),
                    focus: m.focal_point.map_or((0.0, 0.0), |[x, y]| (x.clamp(-1.0, 1.0), y.clamp(-1.0, 1.0))),
                })
            }
            _ => None,
        })
        .collect()
}

/// Most options a poll from another server may have here (Mastodon allows 4; others more).
const MAX_REMOTE_OPTIONS: usize = 20;

/// The poll of a `Question`, as its server describes it; `None` for other posts.
fn question_of(post: &Post) -> Option<crate::polls::RemoteQuestion> {
    if !post.is_poll() {
        return None;
    }
    let multiple = !post.any_of.is_empty();
    let items = if multiple { &post.any_of } else { &post.one_of };
    let items = &items[..items.len().min(MAX_REMOTE_OPTIONS)];
    let closed_at = match &post.closed {
        Some(serde_json::Value::String(t)) => parse_time(t),
        Some(serde_json::Value::Bool(true)) => Some(now_ms()),
        _ => None,
    };
    let ends = post.end_time.as_deref().and_then(parse_time);
    // No end given: it runs as long as the longest poll here may.
    let expires_at = closed_at.or(ends).unwrap_or_else(|| now_ms() + crate::polls::MAX_EXPIRY_SECS * 1000);
    Some(crate::polls::RemoteQuestion {
        options: items.iter().map(|o| plain_text(&o.name)).collect(),
        counts: items.iter().map(|o| o.replies.as_ref().map_or(0, |r| r.total_items as i64)).collect(),
        multiple,
        expires_at,
        voters: post.voters_count.map(|v| v as i64),
    })
}

/// Whether a `Note` is a vote on a poll rather than a reply: it names an option and says
/// nothing else (how Mastodon and others vote).
pub fn is_vote(post: &Post) -> bool {
    post.name.as_deref().is_some_and(|n| !n.trim().is_empty())
        && post.content.as_deref().is_none_or(|c| plain_text(c).trim().is_empty())
        && post.in_reply_to.is_some()
}

/// A vote from another server on a poll here.
pub async fn vote(app: &App, voter: &Account, remote: &RemoteActor, post: &Post) -> Result<Outcome> {
    if post.author() != Some(remote.uri.as_str()) {
        return Err(AppError::Unauthorized(format!(
            "Request not accepted: {} may not vote as another actor",
            remote.uri
        )));
    }
    let Some(question) = post.in_reply_to.as_ref().and_then(|r| r.id()) else {
        return Ok(Outcome::Ignored("a vote on nothing".into()));
    };
    if !is_local_uri(&app.config, question) {
        return Ok(Outcome::Ignored(format!("a vote on {question}, a poll not of this server")));
    }
    let Some(poll_post) = statuses::by_uri(app.store.reader(), question).await? else {
        return Ok(Outcome::Ignored(format!("a vote on {question}, which is not here")));
    };
    let choice = post.name.as_deref().unwrap_or_default();
    if crate::polls::record_remote_vote(app, poll_post.id, voter, choice).await? {
        Ok(Outcome::Handled("poll vote"))
    } else {
        Ok(Outcome::Ignored(format!("a vote on {question} that does not count")))
    }
}

/// `Delete` of a post by its author: the post and everything hanging off it go.
pub async fn delete(app: &App, remote: &RemoteActor, uri: &str) -> Result<Outcome> {
    let Some(s) = statuses::by_uri(app.store.reader(), uri).await? else {
        return Ok(Outcome::Ignored(format!("Delete of {uri}, which is not held here")));
    };
    if s.account_id != Id(remote.account_id) {
        return Err(AppError::Unauthorized(format!("Request not accepted: {} may not delete {uri}", remote.uri)));
    }
    let mut tx = app.store.begin().await?;
    let files = canteen_store::media::detach_all(tx.exec(), s.id).await?;
    statuses::delete(tx.exec(), s.id).await?;
    crate::search::enqueue_status(app, tx.exec(), s.id).await?;
    tx.commit().await?;
    // No stream may send it from the cache while its files are being removed.
    app.live.forget(s.id);
    crate::media::remove_files(app, files).await;
    app.publish(crate::events::Event::Delete { status: s.id });
    Ok(Outcome::Handled("delete post"))
}

/// `Announce` (a re-post) of a post held here or, if someone here follows the re-poster,
/// fetched: stored as a re-post by the remote account, so followers see it in their home and a
/// local author is told.
pub async fn announce(app: &App, remote: &RemoteActor, activity: &Activity) -> Result<Outcome> {
    let id = activity.id.clone().ok_or_else(|| AppError::BadRequest("the Announce has no id".into()))?;
    same_host(&id, &remote.uri)?;
    if statuses::by_uri(app.store.reader(), &id).await?.is_some() {
        return Ok(Outcome::Ignored(format!("{id} is already held")));
    }
    let object = activity.object_id().ok_or_else(|| AppError::BadRequest("the Announce has no object".into()))?;
    let author = Id(remote.account_id);
    let followed = fstore::has_local_follower(app.store.reader(), author).await?;
    let original = match statuses::by_uri(app.store.reader(), object).await? {
        Some(s) => s,
        None if followed => match super::resolve::by_url(app, object).await {
            Ok(super::resolve::Resolved::Status(s)) => s,
            Ok(_) => return Ok(Outcome::Ignored(format!("Announce of {object}, which is not a post"))),
            Err(e) => return Ok(Outcome::Ignored(format!("Announce of {object}, which could not be fetched: {e}"))),
        },
        None => return Ok(Outcome::Ignored(format!("Announce of {object}, which nobody here needs"))),
    };
    let original_is_local =
        accounts::by_id(app.store.reader(), original.account_id).await?.is_some_and(|a| a.is_local());
    if !original.visibility.can_reblog() || !(followed || original_is_local) {
        return Ok(Outcome::Ignored(format!("Announce of {object}: not public, or nobody here needs it")));
    }
    let visibility = match incoming_visibility(&activity.to, &activity.cc, remote.followers_url.as_deref()).visibility()
    {
        Visibility::Direct => return Ok(Outcome::Ignored("a re-post addressed to no audience".into())),
        v => v,
    };
    let now = now_ms();
    let reblog = Status {
        id: app.next_id(),
        account_id: author,
        uri: id.clone(),
        url: id,
        text: String::new(),
        content_html: String::new(),
        spoiler_text: String::new(),
        sensitive: false,
        language: None,
        visibility,
        place: None,
        in_reply_to_id: None,
        in_reply_to_account_id: None,
        reblog_of_id: Some(original.id),
        application_id: None,
        pinned_at: None,
        created_at: activity.published.as_deref().and_then(parse_time).filter(|t| *t <= now).unwrap_or(now),
        edited_at: None,
    };
    let mut tx = app.store.begin().await?;
    match statuses::insert(tx.exec(), &reblog).await {
        // It re-posted this before (under another id): once is enough.
        Err(canteen_store::StoreError::Conflict(_)) => return Ok(Outcome::Ignored("re-posted already".into())),
        other => other?,
    }
    crate::jobs::enqueue(app, tx.exec(), FANOUT_JOB, &reblog.id.to_string(), 0).await?;
    tx.commit().await?;
    Ok(Outcome::Handled("announce"))
}

/// `Undo` of an `Announce`: the re-post goes (only the re-poster's own).
pub async fn undo_announce(app: &App, remote: &RemoteActor, uri: &str) -> Result<Outcome> {
    match statuses::by_uri(app.store.reader(), uri).await? {
        Some(s) if s.account_id == Id(remote.account_id) && s.reblog_of_id.is_some() => {
            statuses::delete(app.store.writer(), s.id).await?;
            app.publish(crate::events::Event::Delete { status: s.id });
            Ok(Outcome::Handled("undo announce"))
        }
        Some(_) => Err(AppError::Unauthorized(format!("Request not accepted: {} may not undo {uri}", remote.uri))),
        None => Ok(Outcome::Ignored(format!("Undo of {uri}, which is not held here"))),
    }
}

/// The local accounts a post names: addressed in `to`/`cc`, or mentioned in its tags.
async fn local_recipients(app: &App, post: &Post) -> Result<Vec<Id>> {
    let named = post.to.iter().chain(&post.cc).map(String::as_str).chain(post.mentions().map(|m| m.href.as_str()));
    let mut out: Vec<Id> = Vec::new();
    for uri in named {
        let Some(name) = local_username(&app.config, uri) else { continue };
        if let Some(a) = accounts::by_local_username(app.store.reader(), name).await?
            && a.suspended_at.is_none()
            && !out.contains(&a.id)
        {
            out.push(a.id);
        }
    }
    Ok(out)
}

/// Content, warning, sensitivity and language from the document; `text` is the plain text of
/// the sanitised HTML (what search indexes).
fn with_content(mut s: Status, post: &Post) -> Status {
    let (language, html) = match (&post.content, post.content_map.iter().next()) {
        (Some(c), first) => (first.map(|(l, _)| l.clone()), c.clone()),
        (None, Some((l, c))) => (Some(l.clone()), c.clone()),
        (None, None) => (None, post.name.clone().map(|n| canteen_domain::text::escape_html(&n)).unwrap_or_default()),
    };
    s.content_html = sanitize(&html);
    s.text = plain_text(&s.content_html);
    s.spoiler_text = post.summary.clone().map(|t| plain_text(&t)).unwrap_or_default();
    s.sensitive = post.sensitive || !s.spoiler_text.is_empty();
    s.language = language.filter(|l| l.len() <= 16 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    s
}

fn hashtags(post: &Post) -> Vec<String> {
    let mut tags: Vec<String> = post
        .hashtags()
        .map(|h| h.name.trim_start_matches('#').to_lowercase())
        .filter(|t| !t.is_empty() && t.len() <= 100 && t.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// Remote HTML cut down to what Mastodon keeps: paragraphs, line breaks, links (made
/// `nofollow noopener`, opening nowhere special), emphasis, quotes, code and lists. Scripts,
/// styles, images, forms and event handlers are removed with their attributes.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Built once: every incoming post and edit goes through it.
static SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
    let set = |items: &[&'static str]| items.iter().copied().collect::<std::collections::HashSet<_>>();
    let mut b = ammonia::Builder::default();
    b.tags(set(&[
        "p",
        "br",
        "a",
        "span",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "del",
        "blockquote",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
    ]))
    .tag_attributes(std::collections::HashMap::from([
        ("a", set(&["href", "class", "translate"])),
        ("span", set(&["class", "translate"])),
        ("ol", set(&["start", "reversed"])),
    ]))
    .url_schemes(set(&["http", "https", "mailto"]))
    .link_rel(Some("nofollow noopener noreferrer"));
    b
});

/// The text of sanitised HTML: paragraphs and breaks become new lines, tags go, entities are
/// decoded.
pub fn plain_text(html: &str) -> String {
    let html = html.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n").replace("</p>", "\n\n");
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// A post must live on its author's server, or one server could speak for another's posts.
fn same_host(object: &str, actor: &str) -> Result<()> {
    let host = |u: &str| url::Url::parse(u).ok().and_then(|u| super::authority_of(&u));
    match (host(object), host(actor)) {
        (Some(a), Some(b)) if a == b => Ok(()),
        _ => Err(AppError::Unauthorized(format!(
            "Request not accepted: the post {object} is not on the server of its actor {actor}"
        ))),
    }
}

fn parse_time(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::{plain_text, sanitize};

    #[test]
    fn remote_html_keeps_text_and_links_only() {
        let dirty = r#"<p>Hi <a href="https://a.example/@x" class="u-url mention" onclick="evil()">@x</a></p><script>alert(1)</script><img src="https://t.example/p.gif"><p style="color:red">two<br>lines</p><a href="javascript:alert(1)">j</a>"#;
        let clean = sanitize(dirty);
        assert!(!clean.contains("script") && !clean.contains("onclick") && !clean.contains("<img"), "{clean}");
        assert!(!clean.contains("javascript:") && !clean.contains("style="), "{clean}");
        assert!(clean.contains(r#"href="https://a.example/@x""#) && clean.contains("nofollow"), "{clean}");
        assert_eq!(plain_text(&clean), "Hi @x\n\ntwo\nlines\n\nj");
    }
}
