//! `POST /posts/{id}/{action}`: the buttons under a post (like, re-post, bookmark and their
//! undoing). Each is a plain form, so it works without JavaScript; afterwards the browser
//! goes back to the page it came from, at the same post.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::{HOST, REFERER};
use axum::response::Response;
use canteen_app::web::PostAction;
use canteen_app::{App, AppError};
use canteen_domain::Id;

use crate::forms::{TokenForm, see_other, session_for_form};
use crate::pages;
use crate::session::Visitor;

/// `POST /posts/{id}/{action}` with `action` one of `like`, `unlike`, `repost`,
/// `undo-repost`, `bookmark`, `remove-bookmark`.
pub async fn act(
    State(app): State<App>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<TokenForm>,
) -> Response {
    let session = match session_for_form(&visitor, &f.csrf_token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let (Some(id), Some(action)) = (Id::parse(&id), PostAction::parse(&action)) else {
        return pages::not_found(Some(session));
    };
    match canteen_app::web::act_on_post(&app, session, id, action).await {
        Ok(_) => see_other(&back_to(&headers, id)),
        Err(AppError::NotFound(_)) => pages::not_found(Some(session)),
        Err(AppError::Unprocessable(reason) | AppError::Forbidden(reason)) => pages::forbidden(Some(session), &reason),
        Err(e) => pages::internal_error(&e),
    }
}

/// The page the form was on (from `Referer`, only when it is this site), at the post; the
/// home page when the browser did not say.
fn back_to(headers: &HeaderMap, id: Id) -> String {
    let anchor = format!("#post-{}", id.0);
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let referer = headers.get(REFERER).and_then(|v| v.to_str().ok()).and_then(|r| url::Url::parse(r).ok());
    match (host, referer) {
        (Some(host), Some(r)) if same_site(&r, host) => {
            let query = r.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{}{query}{anchor}", r.path())
        }
        _ => format!("/{anchor}"),
    }
}

fn same_site(r: &url::Url, host: &str) -> bool {
    let authority = match r.port() {
        Some(port) => format!("{}:{port}", r.host_str().unwrap_or_default()),
        None => r.host_str().unwrap_or_default().to_string(),
    };
    authority.eq_ignore_ascii_case(host) && r.path().starts_with('/') && !r.path().starts_with("//")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str, referer: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, host.parse().unwrap());
        h.insert(REFERER, referer.parse().unwrap());
        h
    }

    #[test]
    fn goes_back_only_within_the_site() {
        let id = Id(7);
        assert_eq!(
            back_to(&headers("canteen.test:8080", "http://canteen.test:8080/local?max_id=9#x"), id),
            "/local?max_id=9#post-7"
        );
        assert_eq!(back_to(&headers("canteen.test", "https://evil.example/phish"), id), "/#post-7");
        assert_eq!(back_to(&headers("canteen.test", "https://canteen.test.evil.example/"), id), "/#post-7");
        assert_eq!(back_to(&HeaderMap::new(), id), "/#post-7");
    }
}
