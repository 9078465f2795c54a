//! What every page shares: the layout's data (`Chrome`), posts made ready for templates,
//! rendering, and the error pages (403, 404, 500).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use canteen_app::AppError;
use canteen_app::views::StatusView;
use canteen_app::web::WebSession;
use canteen_domain::account::Account;

use crate::assets;

/// The signed-in person, as the header shows them.
pub struct Me {
    pub display_name: String,
    pub username: String,
    /// The token the sign-out form (and every other form) carries.
    pub csrf_token: String,
    pub is_admin: bool,
}

/// The layout's data: the page title, asset URLs and who is signed in.
pub struct Chrome {
    pub title: String,
    pub me: Option<Me>,
    pub css: String,
    pub own_css: String,
    pub script: String,
    pub favicon: String,
    pub favicon_svg: String,
    pub apple_icon: String,
    /// Ask search engines not to index this page.
    pub noindex: bool,
}

impl Chrome {
    pub fn new(title: impl Into<String>, session: Option<&WebSession>) -> Chrome {
        Chrome {
            title: title.into(),
            me: session.map(|s| Me {
                display_name: display_name(&s.account),
                username: s.account.username.clone(),
                csrf_token: s.csrf_token.clone(),
                is_admin: s.user.role == canteen_domain::account::Role::Admin,
            }),
            css: assets::nhsuk("nhsuk-frontend.min.css"),
            own_css: assets::canteen("canteen.css"),
            script: assets::canteen("init.js"),
            favicon: assets::nhsuk("images/favicon.ico"),
            favicon_svg: assets::nhsuk("images/favicon.svg"),
            apple_icon: assets::nhsuk("images/nhsuk-icon-180.png"),
            noindex: false,
        }
    }
}

fn display_name(a: &Account) -> String {
    if a.display_name.trim().is_empty() { a.username.clone() } else { a.display_name.clone() }
}

/// A person in a list of people (follow requests, a list's members).
pub struct PersonItem {
    pub id: String,
    pub name: String,
    /// `@user` (local) or `@user@domain`.
    pub handle: String,
    pub href: String,
}

impl PersonItem {
    pub fn from_account(a: &Account) -> PersonItem {
        PersonItem {
            id: a.id.0.to_string(),
            name: display_name(a),
            handle: format!("@{}", a.acct()),
            href: if a.is_local() { format!("/@{}", a.username) } else { a.url.clone() },
        }
    }
}

/// A picture (or other file) on a post.
pub struct MediaItem {
    /// The full file, and the smaller preview shown in the post (both on this server).
    pub src: String,
    pub preview_src: String,
    /// The description for people who cannot see it.
    pub alt: String,
    pub width: i64,
    pub height: i64,
    /// Another server's file: our pages link to it rather than load it (the
    /// Content-Security-Policy allows only our own images).
    pub remote_host: Option<String>,
    pub is_image: bool,
}

impl MediaItem {
    fn from_record(m: &canteen_app::media::MediaRecord) -> MediaItem {
        let alt = if m.description.trim().is_empty() {
            "A picture with no description".to_string()
        } else {
            m.description.clone()
        };
        MediaItem {
            src: m.remote_url.clone().unwrap_or_else(|| format!("/system/media/{}", m.file_key)),
            preview_src: format!("/system/media/{}", m.preview_key),
            alt,
            width: m.preview_width,
            height: m.preview_height,
            remote_host: m
                .remote_url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_string)),
            is_image: matches!(m.kind.as_str(), "image" | "gifv"),
        }
    }
}

/// One choice of a poll as a page shows it.
pub struct PollChoice {
    pub index: usize,
    pub title: String,
    /// Votes and share of all votes (whole per cent), when the totals may be shown.
    pub votes: Option<(i64, i64)>,
    /// The viewer chose it.
    pub chosen: bool,
}

/// A post's poll: a form to vote, or the results once the viewer has voted (or it ended).
pub struct PollItem {
    pub id: String,
    pub choices: Vec<PollChoice>,
    pub multiple: bool,
    /// Show results, not the form.
    pub show_results: bool,
    pub expired: bool,
    pub voters_count: i64,
    /// "Closes 21 November 2026 at 14:30 UTC" or "Closed …".
    pub closes_text: String,
}

impl PollItem {
    fn from_view(p: &canteen_app::polls::PollView) -> PollItem {
        let total: i64 = p.counts.as_ref().map(|c| c.iter().sum()).unwrap_or(0);
        let (_, when) = times(p.expires_at);
        PollItem {
            id: p.id.0.to_string(),
            choices: p
                .titles
                .iter()
                .enumerate()
                .map(|(i, title)| PollChoice {
                    index: i,
                    title: title.clone(),
                    votes: p.counts.as_ref().map(|c| {
                        let n = c.get(i).copied().unwrap_or(0);
                        (n, if total > 0 { (n * 100 + total / 2) / total } else { 0 })
                    }),
                    chosen: p.own_votes.contains(&(i as i64)),
                })
                .collect(),
            multiple: p.multiple,
            show_results: p.voted || p.expired,
            expired: p.expired,
            voters_count: p.voters_count,
            closes_text: if p.expired { format!("Closed {when}") } else { format!("Closes {when}") },
        }
    }
}

/// One post as a page shows it.
pub struct PostItem {
    pub id: String,
    pub author_name: String,
    /// `@user` (local) or `@user@domain`.
    pub author_handle: String,
    pub author_href: String,
    /// Who re-posted it, when it is a re-post.
    pub reposted_by: Option<String>,
    pub time_iso: String,
    pub time_text: String,
    /// The post's own page: its thread here, or its page on its home server.
    pub href: String,
    /// Replies, shown when there are any.
    pub replies_count: i64,
    pub spoiler_text: String,
    /// HTML made by the app from escaped text (`canteen_app::content`): safe to insert.
    pub content_html: String,
    /// The post the buttons act on (the original, for a re-post).
    pub action_id: String,
    /// Where "Reply" goes: the thread's reply form, for posts from this server.
    pub reply_href: Option<String>,
    pub favourites_count: i64,
    pub reblogs_count: i64,
    /// The viewer's own marks on it.
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    /// Its audience lets it be re-posted (public or unlisted).
    pub can_repost: bool,
    pub poll: Option<PollItem>,
    pub media: Vec<MediaItem>,
}

impl PostItem {
    pub fn from_view(v: &StatusView) -> PostItem {
        let (shown, reposted_by) = match &v.reblog {
            Some(original) => (original.as_ref(), Some(display_name(&v.account))),
            None => (v, None),
        };
        let a = &shown.account;
        let (time_iso, time_text) = times(shown.status.created_at);
        PostItem {
            id: v.status.id.0.to_string(),
            author_name: display_name(a),
            author_handle: format!("@{}", a.acct()),
            author_href: if a.is_local() { format!("/@{}", a.username) } else { a.url.clone() },
            reposted_by,
            time_iso,
            time_text,
            href: if a.is_local() {
                format!("/@{}/{}", a.username, shown.status.id.0)
            } else if !shown.status.url.is_empty() {
                shown.status.url.clone()
            } else {
                shown.status.uri.clone()
            },
            replies_count: shown.replies_count,
            spoiler_text: shown.status.spoiler_text.clone(),
            content_html: shown.status.content_html.clone(),
            action_id: shown.status.id.0.to_string(),
            reply_href: a.is_local().then(|| format!("/@{}/{}#reply", a.username, shown.status.id.0)),
            favourites_count: shown.favourites_count,
            reblogs_count: shown.reblogs_count,
            favourited: shown.favourited,
            reblogged: shown.reblogged,
            bookmarked: shown.bookmarked,
            can_repost: shown.status.visibility.can_reblog(),
            poll: shown.poll.as_ref().map(PollItem::from_view),
            media: shown.media.iter().map(MediaItem::from_record).collect(),
        }
    }
}

/// (machine-readable, human-readable) forms of an epoch-milliseconds time, in UTC.
pub fn times(ms: i64) -> (String, String) {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => {
            (t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), t.format("%-d %B %Y at %H:%M UTC").to_string())
        }
        None => (String::new(), String::new()),
    }
}

/// Renders a template as an HTML response with `status`.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(FALLBACK_500)).into_response()
        }
    }
}

const FALLBACK_500: &str = "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
    <title>Sorry, there is a problem with the service – Canteen</title></head><body><main>\
    <h1>Sorry, there is a problem with the service</h1><p>Try again later.</p></main></body></html>";

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    back_href: Option<String>,
}

fn error_page(status: StatusCode, session: Option<&WebSession>, heading: &str, paragraphs: &[&str]) -> Response {
    let page = ErrorPage {
        chrome: Chrome::new(heading, session),
        heading: heading.into(),
        paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
        back_href: Some("/".into()),
    };
    render(status, &page)
}

/// 404: the page (or profile) does not exist, or may not be shown.
pub fn not_found(session: Option<&WebSession>) -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        session,
        "Page not found",
        &[
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
        ],
    )
}

/// 400: a form that could not be read at all.
pub fn bad_request(session: Option<&WebSession>, reason: &str) -> Response {
    error_page(StatusCode::BAD_REQUEST, session, "Your form could not be sent", &[reason, "Go back and try again."])
}

/// 403 with the app's reason (already plain words).
pub fn forbidden(session: Option<&WebSession>, reason: &str) -> Response {
    error_page(StatusCode::FORBIDDEN, session, "You cannot do that", &[reason])
}

/// 422: the form was understood but what it asked cannot be done (the reason in plain words).
pub fn refused(session: Option<&WebSession>, heading: &str, reason: &str) -> Response {
    error_page(StatusCode::UNPROCESSABLE_ENTITY, session, heading, &[reason, "Go back to the page you were on."])
}

/// 403: a form arrived without its CSRF token, or with the wrong one.
pub fn csrf_rejected(session: Option<&WebSession>) -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        session,
        "Your form could not be sent",
        &[
            "For your security, we could not accept this form. This can happen if the page was open for a long time, or if you signed in or out in another tab or window.",
            "Go back, refresh the page and try again. Nothing was changed.",
        ],
    )
}

/// 429: too many sign-in, sign-up or password-reset tries from one address. Made by the
/// rate limiter, outside the web router, so it adds the security headers itself.
pub fn too_many_tries(retry_after_secs: u64) -> Response {
    let minutes = retry_after_secs.div_ceil(60);
    let wait = if minutes <= 1 { "a minute".to_string() } else { format!("{minutes} minutes") };
    let mut res = error_page(
        StatusCode::TOO_MANY_REQUESTS,
        None,
        "Too many tries",
        &[
            "There have been too many tries from your network in a short time, so we have paused this form to keep accounts safe.",
            &format!("Wait {wait}, then try again. Nothing you sent was saved."),
        ],
    );
    crate::security::add_headers(&mut res);
    res
}

/// 500, logging the cause; the page says nothing about it.
pub fn internal_error(e: &AppError) -> Response {
    tracing::error!(error = %e, "web page failed");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        None,
        "Sorry, there is a problem with the service",
        &["Try again later."],
    )
}

/// A page that says one thing: a heading, paragraphs and perhaps a link on.
#[derive(Template)]
#[template(path = "message.html")]
pub struct Message {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    link: Option<(String, String)>,
}

impl Message {
    pub fn new(
        heading: &str,
        session: Option<&WebSession>,
        paragraphs: &[&str],
        link: Option<(&str, &str)>,
    ) -> Message {
        Message {
            chrome: Chrome::new(heading, session),
            heading: heading.into(),
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
            link: link.map(|(h, t)| (h.to_string(), t.to_string())),
        }
    }
}
