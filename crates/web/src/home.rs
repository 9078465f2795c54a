//! `GET /`: a welcome for people who are signed out; for those signed in, the compose form
//! and the home timeline (sent to first run instead while the organisation's social-media
//! policy waits to be acknowledged).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::App;
use canteen_app::web::WebSession;
use canteen_domain::Id;
use serde::Deserialize;

use crate::compose::{AudienceChoice, ComposeForm, GuardView, audiences};
use crate::forms::{Errors, see_other};
use crate::pages::{self, Chrome, PostItem, render};
use crate::session::Visitor;

#[derive(Deserialize)]
pub struct HomeQuery {
    max_id: Option<String>,
    /// Posts per page (up to 40; 20 when not given).
    limit: Option<String>,
    posted: Option<String>,
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct Welcome {
    chrome: Chrome,
    title: String,
}

/// The compose form's contents and what the guard said about them.
pub struct ComposeState {
    pub text: String,
    pub spoiler_text: String,
    pub audiences: Vec<AudienceChoice>,
    pub guard: Option<GuardView>,
    pub errors: Errors,
    /// A picture uploaded with an earlier try: its id and description.
    pub media_id: String,
    pub image_description: String,
    pub image_no_patient: bool,
    pub poll_options: [String; 4],
    pub poll_expires_in: String,
    pub poll_multiple: bool,
    /// The post a reply answers (empty for a new post).
    pub in_reply_to_id: String,
    /// The chosen UK time to send it, as typed (empty: now).
    pub schedule_at: String,
}

impl ComposeState {
    fn empty(session: &WebSession) -> ComposeState {
        let default = canteen_app::statuses::default_visibility(&session.account).kind();
        ComposeState {
            text: String::new(),
            spoiler_text: String::new(),
            audiences: audiences(default),
            guard: None,
            errors: Errors::default(),
            media_id: String::new(),
            image_description: String::new(),
            image_no_patient: false,
            poll_options: Default::default(),
            poll_expires_in: "86400".into(),
            poll_multiple: false,
            in_reply_to_id: String::new(),
            schedule_at: String::new(),
        }
    }

    /// The form under a post in its thread: the reply starts with the handles of the people
    /// in it (not one's own), and a reply to a private or direct post keeps that audience.
    pub fn reply_to(session: &WebSession, parent: &canteen_app::views::StatusView) -> ComposeState {
        let mut state = ComposeState::empty(session);
        let mut handles: Vec<String> = Vec::new();
        for a in std::iter::once(&parent.account).chain(parent.mentions.iter()) {
            let handle = format!("@{}", a.acct());
            if a.id != session.account.id && !handles.contains(&handle) {
                handles.push(handle);
            }
        }
        state.text = if handles.is_empty() { String::new() } else { format!("{} ", handles.join(" ")) };
        let parent_kind = parent.status.visibility.kind();
        if matches!(parent_kind, "private" | "direct" | "mutuals") {
            state.audiences = audiences(parent_kind);
        }
        state.in_reply_to_id = parent.status.id.0.to_string();
        state
    }

    pub fn from_form(f: &ComposeForm, guard: Option<GuardView>, errors: Errors) -> ComposeState {
        ComposeState {
            text: f.status.clone(),
            spoiler_text: f.spoiler_text.clone(),
            audiences: audiences(&f.visibility),
            guard,
            errors,
            media_id: f.media_id.clone(),
            image_description: f.image_description.clone(),
            image_no_patient: f.image_no_patient.as_deref() == Some("true"),
            poll_options: [
                f.poll_option_1.clone(),
                f.poll_option_2.clone(),
                f.poll_option_3.clone(),
                f.poll_option_4.clone(),
            ],
            poll_expires_in: f.poll_expires_in.clone(),
            poll_multiple: f.poll_multiple.as_deref() == Some("true"),
            in_reply_to_id: f.in_reply_to_id.clone(),
            schedule_at: f.schedule_at.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    poll_lengths: &'static [(&'static str, &'static str)],
    chrome: Chrome,
    compose: ComposeState,
    max_chars: usize,
    notice: Option<&'static str>,
    posts: Vec<PostItem>,
    older_href: Option<String>,
    is_older_page: bool,
}

/// Renders the home page for `session` with the compose form as given.
pub async fn page(
    app: &App,
    session: &WebSession,
    compose: ComposeState,
    max_id: Option<Id>,
    status: StatusCode,
) -> Response {
    render_page(app, session, compose, (max_id, None), None, status).await
}

async fn render_page(
    app: &App,
    session: &WebSession,
    compose: ComposeState,
    (max_id, asked): (Option<Id>, Option<i64>),
    notice: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let limit = canteen_app::web::page_size(asked);
    let views = match canteen_app::web::home(app, session, max_id, limit).await {
        Ok(v) => v,
        Err(e) => return pages::internal_error(&e),
    };
    let full = views.len() as i64 >= limit;
    let limit_q = asked.map(|_| format!("&limit={limit}")).unwrap_or_default();
    let older_href = views.last().filter(|_| full).map(|v| format!("/?max_id={}{limit_q}", v.status.id.0));
    let title = if compose.errors.is_empty() { "Home" } else { "Error: Home" };
    let page = Home {
        poll_lengths: &crate::compose::POLL_LENGTHS,
        chrome: Chrome::new(title, Some(session)),
        compose,
        max_chars: app.config.max_post_chars,
        notice,
        posts: views.iter().map(PostItem::from_view).collect(),
        older_href,
        is_older_page: max_id.is_some(),
    };
    render(status, &page)
}

/// `GET /` (`?max_id=` pages back).
pub async fn show(State(app): State<App>, visitor: Visitor, Query(q): Query<HomeQuery>) -> Response {
    let Some(session) = visitor.session else {
        let title = app.config.title.clone();
        return render(StatusCode::OK, &Welcome { chrome: Chrome::new(format!("Welcome to {title}"), None), title });
    };
    let auth = match session.auth() {
        Ok(a) => a,
        Err(e) => return pages::internal_error(&e),
    };
    match canteen_app::onboarding::policy_to_acknowledge(&app, &auth).await {
        Ok(Some(_)) => return see_other("/start"),
        Ok(None) => {}
        Err(e) => return pages::internal_error(&e),
    }
    let max_id = q.max_id.as_deref().and_then(Id::parse);
    let notice = match q.posted.as_deref() {
        Some("now") => Some("Your post has been sent."),
        Some("later") => {
            Some("Your post will be sent in an hour. Until then you can change your mind in Scheduled posts.")
        }
        _ => None,
    };
    let asked = q.limit.as_deref().and_then(|l| l.parse::<i64>().ok());
    render_page(&app, &session, ComposeState::empty(&session), (max_id, asked), notice, StatusCode::OK).await
}
