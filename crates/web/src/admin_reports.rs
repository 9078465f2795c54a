//! `GET /admin/reports` (admins only): reports waiting for a moderator — from people here and
//! from other servers' `Flag`s — each with who reported whom, why, and the posts named; and
//! `POST /admin/reports/{id}/resolve` to mark one dealt with.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use canteen_app::App;
use serde::Deserialize;

use crate::admin::{admin, admin_form};
use crate::forms::{TokenForm, done_or_not_found};
use crate::pages::{self, Chrome, PersonItem, render};
use crate::session::Visitor;

struct ReportItem {
    id: String,
    reporter: PersonItem,
    /// The report came from another server (its moderators, or its instance actor).
    from_elsewhere: bool,
    target: PersonItem,
    target_local: bool,
    category: String,
    comment: String,
    /// Links to the reported posts.
    posts: Vec<String>,
    when: String,
}

#[derive(Template)]
#[template(path = "admin_reports.html")]
struct ReportsPage {
    chrome: Chrome,
    csrf_token: String,
    reports: Vec<ReportItem>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    resolved: Option<String>,
}

/// `GET /admin/reports`.
pub async fn show(State(app): State<App>, visitor: Visitor, Query(q): Query<DoneQuery>) -> Response {
    let session = match admin(&visitor) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let found = async { canteen_app::reports::open_as(&app, &session.auth()?).await }.await;
    let found = match found {
        Ok(f) => f,
        Err(e) => return pages::internal_error(&e),
    };
    let reports = found
        .iter()
        .map(|r| ReportItem {
            id: r.record.id.to_string(),
            reporter: PersonItem::from_account(&r.reporter),
            from_elsewhere: !r.reporter.is_local(),
            target: PersonItem::from_account(&r.target),
            target_local: r.target.is_local(),
            category: r.record.category.clone(),
            comment: r.record.comment.clone(),
            posts: r
                .status_ids
                .iter()
                .map(|id| {
                    if r.target.is_local() { format!("/@{}/{}", r.target.username, id.0) } else { r.target.url.clone() }
                })
                .collect(),
            when: crate::uk_time::show(r.record.created_at).1,
        })
        .collect();
    let page = ReportsPage {
        chrome: Chrome::new("Reports", Some(session)),
        csrf_token: session.csrf_token.clone(),
        reports,
        notice: q.resolved.is_some().then_some("The report is marked as dealt with."),
    };
    render(axum::http::StatusCode::OK, &page)
}

/// `POST /admin/reports/{id}/resolve`.
pub async fn resolve(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(f): Form<TokenForm>,
) -> Response {
    let session = match admin_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let Ok(id) = id.parse::<i64>() else { return pages::not_found(Some(session)) };
    let done = async { canteen_app::reports::resolve_as(&app, &session.auth()?, id).await }.await;
    done_or_not_found(done, session, "/admin/reports?resolved=1")
}
