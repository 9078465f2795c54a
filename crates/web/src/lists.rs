//! `/lists`: reading lists of people one follows, each with its own timeline. A list can
//! be exclusive (its members' posts then leave the home timeline) and says which replies
//! it shows. The same lists are circles: the audience of a post for just those people.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use canteen_app::lists::ListRecord;
use canteen_app::web::WebSession;
use canteen_app::{App, AppError};
use canteen_domain::Id;
use serde::Deserialize;

use crate::forms::{Errors, TokenForm, done_or_not_found, see_other, session_and_id, session_for_form};
use crate::pages::{self, Chrome, PersonItem, PostItem, render};
use crate::session::Visitor;

/// Which replies a list shows, in the words its settings use.
const REPLY_POLICIES: [(&str, &str); 3] =
    [("list", "Replies to people in the list"), ("followed", "Replies to anyone you follow"), ("none", "No replies")];

pub struct ListItem {
    id: String,
    title: String,
    exclusive: bool,
}

impl ListItem {
    fn from_record(l: &ListRecord) -> ListItem {
        ListItem { id: l.id.to_string(), title: l.title.clone(), exclusive: l.exclusive }
    }
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    chrome: Chrome,
    lists: Vec<ListItem>,
    errors: Errors,
    title: String,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    chrome: Chrome,
    list: ListItem,
    replies_policy: String,
    reply_policies: &'static [(&'static str, &'static str)],
    members: Vec<PersonItem>,
    posts: Vec<PostItem>,
    older_href: Option<String>,
    errors: Errors,
    /// What was typed in "Add someone", kept when it is refused.
    account: String,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct ListsQuery {
    deleted: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    max_id: Option<String>,
    added: Option<String>,
    removed: Option<String>,
    saved: Option<String>,
}

#[derive(Deserialize)]
pub struct NewListForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    exclusive: Option<String>,
    #[serde(default)]
    csrf_token: String,
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    csrf_token: String,
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    replies_policy: String,
    #[serde(default)]
    exclusive: Option<String>,
    #[serde(default)]
    csrf_token: String,
}

async fn index_page(
    app: &App,
    session: &WebSession,
    errors: Errors,
    title: String,
    notice: Option<&'static str>,
) -> Response {
    let found = match session.auth() {
        Ok(auth) => canteen_app::lists::list(app, &auth).await,
        Err(e) => Err(e),
    };
    let lists = match found {
        Ok(l) => l.iter().map(ListItem::from_record).collect(),
        Err(e) => return pages::internal_error(&e),
    };
    let status = errors.status();
    let page = ListsPage { chrome: Chrome::new(errors.title("Lists"), Some(session)), lists, errors, title, notice };
    render(status, &page)
}

/// `GET /lists`: one's lists and a form to make one.
pub async fn index(State(app): State<App>, visitor: Visitor, Query(q): Query<ListsQuery>) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let notice = q.deleted.is_some().then_some("The list was deleted. The people in it were not unfollowed.");
    index_page(&app, session, Errors::default(), String::new(), notice).await
}

/// `POST /lists`: makes a list and opens it.
pub async fn create(State(app): State<App>, visitor: Visitor, Form(f): Form<NewListForm>) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let made = match session.auth() {
        Ok(auth) => canteen_app::lists::create(&app, &auth, &f.title, None, f.exclusive.is_some()).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(l) => see_other(&format!("/lists/{}", l.id)),
        Err(e) => match Errors::from_app(&e, &[("title", "title")], "title") {
            Some(errors) => index_page(&app, session, errors, f.title, None).await,
            None => pages::internal_error(&e),
        },
    }
}

async fn list_page(
    app: &App,
    session: &WebSession,
    id: Id,
    max_id: Option<Id>,
    errors: Errors,
    account: String,
    notice: Option<String>,
) -> Response {
    let found = match canteen_app::web::list_page(app, session, id, max_id).await {
        Ok(f) => f,
        Err(AppError::NotFound(_)) => return pages::not_found(Some(session)),
        Err(e) => return pages::internal_error(&e),
    };
    let full = found.posts.len() as i64 >= canteen_app::timelines::DEFAULT_LIMIT;
    let older_href = found.posts.last().filter(|_| full).map(|p| format!("/lists/{}?max_id={}", id.0, p.status.id.0));
    let status = errors.status();
    let page = ListPage {
        chrome: Chrome::new(errors.title(&found.list.title), Some(session)),
        list: ListItem::from_record(&found.list),
        replies_policy: found.list.replies_policy.clone(),
        reply_policies: &REPLY_POLICIES,
        members: found.members.iter().map(PersonItem::from_account).collect(),
        posts: found.posts.iter().map(PostItem::from_view).collect(),
        older_href,
        errors,
        account,
        notice,
    };
    render(status, &page)
}

/// `GET /lists/{id}`: the list's timeline, its people and its settings.
pub async fn show(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    let Some(session) = &visitor.session else { return see_other("/sign-in") };
    let Some(id) = Id::parse(&id) else { return pages::not_found(Some(session)) };
    let notice = if q.added.is_some() {
        Some("They were added. Their new posts will appear in this list.".to_string())
    } else if q.removed.is_some() {
        Some("They were removed from this list. You still follow them.".to_string())
    } else if q.saved.is_some() {
        Some("The list's settings were saved.".to_string())
    } else {
        None
    };
    let max_id = q.max_id.as_deref().and_then(Id::parse);
    list_page(&app, session, id, max_id, Errors::default(), String::new(), notice).await
}

/// Settles a list form: to the list's page with `done` on success, the page again with the
/// field's error when refused, or not found.
async fn settle(
    app: &App,
    session: &WebSession,
    id: Id,
    result: Result<(), AppError>,
    done: &str,
    field: (&str, &'static str),
    typed: String,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/lists/{}?{done}=1", id.0)),
        Err(AppError::NotFound(_)) => pages::not_found(Some(session)),
        Err(e) => match Errors::from_app(&e, &[field], field.1) {
            Some(errors) => list_page(app, session, id, None, errors, typed, None).await,
            None => pages::internal_error(&e),
        },
    }
}

/// `POST /lists/{id}/members`: adds someone one follows, by handle.
pub async fn add_member(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> Response {
    let (session, id) = match session_and_id(&visitor, &f.csrf_token, &id) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let result = canteen_app::web::add_to_list(&app, session, id, &f.account).await.map(|_| ());
    settle(&app, session, id, result, "added", ("account", "account"), f.account).await
}

/// `POST /lists/{id}/members/{account}/remove`.
pub async fn remove_member(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, member)): Path<(String, String)>,
    Form(f): Form<TokenForm>,
) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let (Some(id), Some(member)) = (Id::parse(&id), Id::parse(&member)) else {
        return pages::not_found(Some(session));
    };
    let result = match session.auth() {
        Ok(auth) => canteen_app::lists::remove(&app, &auth, id, &[member]).await,
        Err(e) => Err(e),
    };
    settle(&app, session, id, result, "removed", ("account", "account"), String::new()).await
}

/// `POST /lists/{id}/settings`: title, replies shown, exclusive.
pub async fn save_settings(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(f): Form<SettingsForm>,
) -> Response {
    let (session, id) = match session_and_id(&visitor, &f.csrf_token, &id) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let result = match session.auth() {
        Ok(auth) => canteen_app::lists::update(
            &app,
            &auth,
            id,
            Some(&f.title),
            Some(&f.replies_policy),
            Some(f.exclusive.is_some()),
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    settle(&app, session, id, result, "saved", ("title", "title"), String::new()).await
}

/// `POST /lists/{id}/delete`: deletes the list (its people stay followed).
pub async fn delete(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    let (session, id) = match session_and_id(&visitor, &f.csrf_token, &id) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let result = match session.auth() {
        Ok(auth) => canteen_app::lists::delete(&app, &auth, id).await,
        Err(e) => Err(e),
    };
    done_or_not_found(result, session, "/lists?deleted=1")
}
