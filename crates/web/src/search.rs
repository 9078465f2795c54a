//! `GET /search?q=&type=`: the search page, with a tab each for posts, people and hashtags.
//! The same use case as `/api/v2/search`, so the audience rule and each profile field's
//! visibility apply exactly as they do for apps.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use canteen_app::search::{self, Kind, Options};
use canteen_app::{App, AppError};
use serde::Deserialize;

use crate::pages::{self, Chrome, PostItem, render};
use crate::session::Visitor;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub struct Tab {
    label: &'static str,
    href: String,
    current: bool,
}

pub struct Person {
    name: String,
    handle: String,
    href: String,
}

pub struct Hashtag {
    name: String,
    href: String,
    uses_this_week: i64,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    kind: &'static str,
    error: Option<String>,
    searched: bool,
    tabs: Vec<Tab>,
    posts: Vec<PostItem>,
    people: Vec<Person>,
    hashtags: Vec<Hashtag>,
}

const KINDS: [(&str, &str, Kind); 3] = [
    ("statuses", "Posts", Kind::Statuses),
    ("accounts", "People", Kind::Accounts),
    ("hashtags", "Hashtags", Kind::Hashtags),
];

fn href(q: &str, kind: &str) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("q", q).append_pair("type", kind);
    format!("/search?{}", s.finish())
}

/// `GET /search`.
pub async fn show(State(app): State<App>, visitor: Visitor, Query(p): Query<SearchQuery>) -> Response {
    let q = p.q.unwrap_or_default();
    let (kind, kind_enum) = KINDS
        .iter()
        .find(|(k, _, _)| Some(*k) == p.kind.as_deref())
        .map(|(k, _, e)| (*k, *e))
        .unwrap_or(("statuses", Kind::Statuses));
    let session = visitor.session.as_ref();
    let mut page = SearchPage {
        chrome: Chrome::new("Search", session),
        q: q.clone(),
        kind,
        error: None,
        searched: false,
        tabs: Vec::new(),
        posts: Vec::new(),
        people: Vec::new(),
        hashtags: Vec::new(),
    };
    if q.trim().is_empty() {
        return render(StatusCode::OK, &page);
    }
    let auth = match session.map(|s| s.auth()).transpose() {
        Ok(a) => a,
        Err(e) => return pages::internal_error(&e),
    };
    let opts = Options { kind: Some(kind_enum), ..Options::default() };
    match search::search(&app, auth.as_ref(), &q, &opts).await {
        Ok(found) => {
            page.searched = true;
            page.tabs =
                KINDS.iter().map(|(k, label, _)| Tab { label, href: href(&q, k), current: *k == kind }).collect();
            page.posts = found.statuses.iter().map(PostItem::from_view).collect();
            page.people = found
                .accounts
                .iter()
                .map(|(a, _)| Person {
                    name: if a.display_name.trim().is_empty() { a.username.clone() } else { a.display_name.clone() },
                    handle: format!("@{}", a.acct()),
                    href: if a.is_local() { format!("/@{}", a.username) } else { a.url.clone() },
                })
                .collect();
            page.hashtags = found
                .hashtags
                .iter()
                .map(|t| Hashtag {
                    name: t.name.clone(),
                    href: href(&format!("#{}", t.name), "statuses"),
                    uses_this_week: t.history.iter().map(|(_, uses, _)| uses).sum(),
                })
                .collect();
            page.chrome = Chrome::new(format!("{q} – Search"), session);
            render(StatusCode::OK, &page)
        }
        // A query that cannot be understood is the person's to fix: say how, beside the box.
        Err(AppError::Unprocessable(message) | AppError::BadRequest(message) | AppError::Unauthorized(message)) => {
            page.error = Some(message);
            page.chrome = Chrome::new("Error: Search", session);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => pages::internal_error(&e),
    }
}
