//! `POST /posts/{id}/{action}`: the buttons under a post (like, re-post, bookmark and their
//! undoing), and `POST /polls/{id}/vote`. Each is a plain form, so it works without JavaScript; afterwards the browser
//! goes back to the page it came from, at the same post.

use axum::Form;
use axum::extract::{Path, RawForm, State};
use axum::http::HeaderMap;
use axum::http::header::{HOST, REFERER};
use axum::response::Response;
use canteen_app::web::PostAction;
use canteen_app::{App, AppError};
use canteen_domain::Id;

use crate::forms::{TokenForm, see_other, session_for_form};
use crate::pages;
use crate::session::Visitor;

/// `POST /polls/{id}/vote` with one `choices` field per chosen option (option numbers).
pub async fn vote(
    State(app): State<App>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Response {
    let mut token = String::new();
    let mut choices: Vec<i64> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "csrf_token" => token = v.into_owned(),
            "choices" => choices.extend(v.parse::<i64>().ok()),
            _ => {}
        }
    }
    let session = match session_for_form(&visitor, &token) {
        Ok(s) => s,
        Err(res) => return *res,
    };
    let Some(id) = Id::parse(&id) else { return pages::not_found(Some(session)) };
    if choices.is_empty() {
        return pages::refused(Some(session), "Your vote was not counted", "Choose an option, then select Vote.");
    }
    match canteen_app::web::vote(&app, session, id, &choices).await {
        Ok(()) => see_other(&back_to(&headers, &format!("poll-{}", id.0))),
        Err(AppError::NotFound(_)) => pages::not_found(Some(session)),
        Err(AppError::Unprocessable(reason)) => pages::refused(Some(session), "Your vote was not counted", &reason),
        Err(e @ AppError::Invalid(_)) => pages::refused(Some(session), "Your vote was not counted", &e.to_string()),
        Err(e) => pages::internal_error(&e),
    }
}

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
        Ok(_) => see_other(&back_to(&headers, &format!("post-{}", id.0))),
        Err(AppError::NotFound(_)) => pages::not_found(Some(session)),
        Err(AppError::Unprocessable(reason) | AppError::Forbidden(reason)) => pages::forbidden(Some(session), &reason),
        Err(e) => pages::internal_error(&e),
    }
}

/// The page the form was on (from `Referer`, only when it is this site), at `anchor` (an
/// element id); the home page when the browser did not say.
pub(crate) fn back_to(headers: &HeaderMap, anchor: &str) -> String {
    let anchor = format!("#{anchor}");
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
        let id = "post-7";
        assert_eq!(
            back_to(&headers("canteen.test:8080", "http://canteen.test:8080/local?max_id=9#x"), id),
            "/local?max_id=9#post-7"
        );
        assert_eq!(back_to(&headers("canteen.test", "https://evil.example/phish"), id), "/#post-7");
        assert_eq!(back_to(&headers("canteen.test", "https://canteen.test.evil.example/"), id), "/#post-7");
        assert_eq!(back_to(&HeaderMap::new(), id), "/#post-7");
    }
}
