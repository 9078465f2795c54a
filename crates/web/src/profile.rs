//! `GET /@{username}`: a profile as the viewer may see it, with a follow button; the owner
//! can also see it as a stranger would (`?view=stranger`: exactly what someone signed out,
//! or a search engine, sees). `POST /@{username}/follow` and `/unfollow`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::web::ProfileTab;
use canteen_app::{App, AppError};
use serde::Deserialize;

use crate::forms::{TokenForm, see_other, session_for_form};
use crate::pages::{self, Chrome, PersonItem, PostItem, render};
use crate::session::Visitor;

/// The follow control's state.
pub enum FollowState {
    /// Signed out: a link to sign in.
    SignIn,
    /// The owner, looking at their own profile.
    Owner,
    /// The owner, seeing it as a stranger.
    OwnerAsStranger,
    Follow,
    Requested,
    Following,
    /// Blocking or blocked: no button.
    None,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: Chrome,
    username: String,
    display_name: String,
    handle: String,
    locked: bool,
    /// The bio, one entry per paragraph (escaped by the template).
    bio: Vec<String>,
    details: Vec<(&'static str, String)>,
    follow: FollowState,
    follows_you: bool,
    posts: Vec<PostItem>,
    older_href: Option<String>,
    /// The profile's sections as links: (label, href, is this one).
    tabs: Vec<(String, String, bool)>,
    tab: &'static str,
    people: Vec<PersonItem>,
    /// The owner hides who follows them and whom they follow.
    people_hidden: bool,
}

#[derive(Deserialize)]
pub struct ProfileQuery {
    max_id: Option<String>,
    view: Option<String>,
    tab: Option<String>,
}

/// (query value, label) of the tabs, in order.
const TABS: [(&str, &str); 5] = [
    ("posts", "Posts"),
    ("replies", "Posts and replies"),
    ("media", "Pictures"),
    ("followers", "Followers"),
    ("following", "Following"),
];

/// `GET /@{username}` (`?max_id=` pages back; `?view=stranger` for the owner).
pub async fn show(
    State(app): State<App>,
    visitor: Visitor,
    Path(username): Path<String>,
    Query(q): Query<ProfileQuery>,
) -> Response {
    let max_id = q.max_id.as_deref().and_then(|m| m.parse::<i64>().ok());
    let Some(tab) = ProfileTab::parse(q.tab.as_deref().unwrap_or("posts")) else {
        return pages::not_found(visitor.session.as_ref());
    };
    let tab_name = TABS.iter().map(|t| t.0).find(|t| ProfileTab::parse(t) == Some(tab)).unwrap_or("posts");
    let as_stranger = q.view.as_deref() == Some("stranger");
    let owner_as_stranger = as_stranger && visitor.session.as_ref().is_some_and(|s| s.account.username == username);
    // The stranger view reads as a signed-out visitor would: nothing of the owner's is used.
    let reader = if as_stranger { None } else { visitor.session.as_ref() };
    let view = match canteen_app::web::profile(&app, reader, &username, tab, max_id).await {
        Ok(v) => v,
        Err(AppError::NotFound(_)) => return pages::not_found(visitor.session.as_ref()),
        Err(e) => return pages::internal_error(&e),
    };
    let account = &view.account;
    let display_name =
        if account.display_name.trim().is_empty() { account.username.clone() } else { account.display_name.clone() };
    let full = view.posts.len() as i64 >= canteen_app::timelines::DEFAULT_LIMIT;
    let stranger_q = if as_stranger { "&view=stranger" } else { "" };
    let href = |tab: &str| format!("/@{}?tab={tab}{stranger_q}", account.username);
    let older_href = view
        .posts
        .last()
        .filter(|_| full)
        .map(|v| v.status.id.0)
        .or(view.people_next)
        .map(|cursor| format!("{}&max_id={cursor}", href(tab_name)));
    let tabs = TABS
        .iter()
        .map(|(value, label)| {
            let label = match (value, view.counts) {
                (&"followers", Some((n, _))) => format!("{label} ({n})"),
                (&"following", Some((_, n))) => format!("{label} ({n})"),
                _ => label.to_string(),
            };
            (label, href(value), *value == tab_name)
        })
        .collect();
    let follow = match (&visitor.session, &view.relationship) {
        _ if owner_as_stranger => FollowState::OwnerAsStranger,
        (None, _) => FollowState::SignIn,
        (Some(_), _) if view.is_owner => FollowState::Owner,
        (Some(_), Some(r)) if r.blocking || r.blocked_by => FollowState::None,
        (Some(_), Some(r)) if r.following => FollowState::Following,
        (Some(_), Some(r)) if r.requested => FollowState::Requested,
        (Some(_), _) => FollowState::Follow,
    };
    let title =
        if owner_as_stranger { format!("{display_name} (as a stranger sees it)") } else { display_name.clone() };
    let mut chrome = Chrome::new(title, visitor.session.as_ref());
    chrome.noindex = !account.privacy.indexable;
    let page = ProfilePage {
        chrome,
        username: account.username.clone(),
        handle: format!("@{}@{}", account.username, app.config.domain()),
        display_name,
        locked: account.privacy.locked,
        bio: account.note.split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
        details: view.details.clone(),
        follows_you: view.relationship.as_ref().is_some_and(|r| r.followed_by),
        follow,
        posts: view.posts.iter().map(PostItem::from_view).collect(),
        older_href,
        tabs,
        tab: tab_name,
        people: view.people.iter().map(PersonItem::from_account).collect(),
        people_hidden: view.counts.is_none(),
    };
    render(StatusCode::OK, &page)
}

async fn change(app: &App, visitor: &Visitor, username: &str, token: &str, follow: bool) -> Response {
    let session = match session_for_form(visitor, token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let result = async {
        let auth = session.auth()?;
        let account = canteen_app::web::profile_account(app, session, username).await?;
        if follow {
            canteen_app::follows::follow(app, &auth, account.id, None, None).await
        } else {
            canteen_app::follows::unfollow(app, &auth, account.id).await
        }
    }
    .await;
    match result {
        Ok(_) => see_other(&format!("/@{username}")),
        Err(AppError::NotFound(_)) => pages::not_found(Some(session)),
        Err(AppError::Forbidden(m)) => pages::forbidden(Some(session), &m),
        Err(e) => pages::internal_error(&e),
    }
}

/// `POST /@{username}/follow`: follows, or asks to if the profile is locked.
pub async fn follow(
    State(app): State<App>,
    visitor: Visitor,
    Path(username): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    change(&app, &visitor, &username, &f.csrf_token, true).await
}

/// `POST /@{username}/unfollow`: unfollows, or withdraws a request.
pub async fn unfollow(
    State(app): State<App>,
    visitor: Visitor,
    Path(username): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    change(&app, &visitor, &username, &f.csrf_token, false).await
}
