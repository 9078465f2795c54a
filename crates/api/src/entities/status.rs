use canteen_app::notifications::NotificationView;
use canteen_app::views::StatusView;
use canteen_domain::audience::Viewer as FieldViewer;
use serde::Serialize;
use serde_json::Value;

use super::account::{Account, account_from_domain};
use super::iso8601;

#[derive(Serialize)]
pub struct Mention {
    pub id: String,
    pub username: String,
    pub url: String,
    pub acct: String,
}

#[derive(Serialize)]
pub struct Tag {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct Status {
    pub id: String,
    pub created_at: String,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub visibility: &'static str,
    /// Canteen's own audience (`mutuals`, `circle:<id>`, or one of Mastodon's).
    pub canteen_visibility: String,
    /// A place the author chose to name, if any.
    pub canteen_place: Option<String>,
    pub language: Option<String>,
    pub uri: String,
    pub url: Option<String>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub edited_at: Option<String>,
    pub favourited: bool,
    pub reblogged: bool,
    pub muted: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub content: String,
    pub filtered: Vec<Value>,
    pub reblog: Option<Box<Status>>,
    pub application: Option<Value>,
    pub account: Account,
    pub media_attachments: Vec<Value>,
    pub mentions: Vec<Mention>,
    pub tags: Vec<Tag>,
    pub emojis: Vec<Value>,
    pub card: Option<Value>,
    pub poll: Option<Value>,
    /// Present on `DELETE` responses and `/source`, for "delete and redraft".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Builds the `Status` entity. `viewer_is` is the viewing account, to show profile fields
/// of the author as that viewer may see them.
pub fn status_from_domain(public_url: &str, v: &StatusView, viewer_id: Option<canteen_domain::Id>) -> Status {
    let s = &v.status;
    let field_viewer = match viewer_id {
        Some(id) if id == v.account.id => FieldViewer::Owner,
        Some(_) => FieldViewer::Stranger,
        None => FieldViewer::Anonymous,
    };
    Status {
        id: s.id.to_string(),
        created_at: iso8601(s.created_at),
        in_reply_to_id: s.in_reply_to_id.map(|i| i.to_string()),
        in_reply_to_account_id: s.in_reply_to_account_id.map(|i| i.to_string()),
        sensitive: s.sensitive,
        spoiler_text: s.spoiler_text.clone(),
        visibility: s.visibility.mastodon(),
        canteen_visibility: s.visibility.canteen(),
        canteen_place: s.place.clone(),
        language: s.language.clone(),
        uri: s.uri.clone(),
        url: Some(s.url.clone()),
        replies_count: v.replies_count,
        reblogs_count: v.reblogs_count,
        favourites_count: v.favourites_count,
        edited_at: s.edited_at.map(iso8601),
        favourited: v.favourited,
        reblogged: v.reblogged,
        muted: false,
        bookmarked: v.bookmarked,
        pinned: v.pinned,
        content: s.content_html.clone(),
        filtered: Vec::new(),
        reblog: v.reblog.as_ref().map(|r| Box::new(status_from_domain(public_url, r, viewer_id))),
        application: None,
        account: account_from_domain(public_url, &v.account, field_viewer),
        media_attachments: v.media.iter().map(|m| super::media::media_from_domain(public_url, m)).collect(),
        mentions: v
            .mentions
            .iter()
            .map(|a| Mention { id: a.id.to_string(), username: a.username.clone(), url: a.url.clone(), acct: a.acct() })
            .collect(),
        tags: v.tags.iter().map(|t| Tag { name: t.clone(), url: format!("{public_url}/tags/{t}") }).collect(),
        emojis: Vec::new(),
        card: None,
        poll: v.poll.as_ref().map(poll_from_domain),
        text: None,
    }
}

#[derive(Serialize)]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: String,
    pub group_key: String,
    pub account: Account,
    pub status: Option<Status>,
}

pub fn notification_from_domain(public_url: &str, n: &NotificationView, viewer_id: canteen_domain::Id) -> Notification {
    Notification {
        id: n.id.to_string(),
        kind: n.kind.clone(),
        created_at: iso8601(n.created_at),
        group_key: format!("ungrouped-{}", n.id),
        account: account_from_domain(public_url, &n.account, FieldViewer::Stranger),
        status: n.status.as_ref().map(|s| status_from_domain(public_url, s, Some(viewer_id))),
    }
}

/// Mastodon's `Poll`.
pub fn poll_from_domain(p: &canteen_app::polls::PollView) -> Value {
    let options: Vec<Value> = p
        .titles
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"title": t, "votes_count": p.counts.as_ref().map(|c| c[i])}))
        .collect();
    serde_json::json!({
        "id": p.id.to_string(),
        "expires_at": super::iso8601(p.expires_at),
        "expired": p.expired,
        "multiple": p.multiple,
        "votes_count": p.votes_count,
        "voters_count": p.voters_count,
        "options": options,
        "emojis": [],
        "voted": p.voted,
        "own_votes": p.own_votes,
    })
}
