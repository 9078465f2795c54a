//! `GET/POST /oauth/authorize`: the page where someone lets an app (a Mastodon client) use
//! their account. Signed in, it asks only "allow this app?" for the profile in use; signed
//! out, it asks for email (or username) and password on the same page. Either way the app's
//! registered redirect URI is the only place it ever sends the browser, and errors in the
//! link are shown here, never redirected (no open redirect).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use canteen_app::oauth::{self, AuthorizeParams, AuthorizeRequest, OOB};
use canteen_app::{App, AppError};
use canteen_domain::account::{Account, User};
use serde::Deserialize;

use crate::forms::{Errors, signed_out_page, signed_out_token_ok};
use crate::pages::{self, Chrome, render};
use crate::session::Visitor;

/// The request's parameters, carried through the form as hidden fields.
#[derive(Deserialize, Default, Clone)]
pub struct AuthorizeQuery {
    #[serde(default)]
    client_id: String,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

impl AuthorizeQuery {
    fn params(&self) -> AuthorizeParams {
        AuthorizeParams {
            client_id: self.client_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            response_type: self.response_type.clone(),
            scope: self.scope.clone(),
            state: self.state.clone(),
            code_challenge: self.code_challenge.clone(),
            code_challenge_method: self.code_challenge_method.clone(),
        }
    }

    /// (name, value) of the fields to carry, with the checked redirect URI and scopes.
    fn hidden(&self, req: &AuthorizeRequest) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("client_id", self.client_id.clone()),
            ("redirect_uri", req.redirect_uri.clone()),
            ("scope", req.scopes.to_string()),
        ];
        for (name, value) in [
            ("response_type", &self.response_type),
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
        ] {
            if let Some(v) = value {
                out.push((name, v.clone()));
            }
        }
        out
    }
}

/// A scope in plain words.
fn permission(scope: &str) -> String {
    let (kind, what) = scope.split_once(':').unwrap_or((scope, ""));
    let base = match kind {
        "read" => "See your posts, timelines, notifications, lists and settings",
        "write" => "Post, reply, like, re-post and change your profile and settings for you",
        "follow" => "Follow, unfollow, block and mute people for you",
        "push" => "Send you notifications on your device",
        "profile" => "See who you are (your profile only)",
        _ => return scope.to_string(),
    };
    if what.is_empty() { base.to_string() } else { format!("{base} (only: {what})") }
}

#[derive(Template)]
#[template(path = "oauth_authorize.html")]
struct ConsentPage {
    chrome: Chrome,
    app_name: String,
    permissions: Vec<String>,
    hidden: Vec<(&'static str, String)>,
    csrf_token: String,
    /// The profile that would be used, when signed in.
    profile: Option<(String, String)>,
    login: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    link: Option<(String, String)>,
}

fn link_error(visitor: &Visitor, e: &AppError) -> Response {
    let (status, message) = match e {
        AppError::OAuth { status, description, .. } => {
            (StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST), description.clone())
        }
        AppError::Internal(_) => return pages::internal_error(e),
        other => (StatusCode::BAD_REQUEST, other.to_string()),
    };
    let page = MessagePage {
        chrome: Chrome::new("This sign-in link does not work", visitor.session.as_ref()),
        heading: "This sign-in link does not work".into(),
        paragraphs: vec![message, "Go back to the app and try signing in again.".into()],
        link: None,
    };
    render(status, &page)
}

fn consent(
    app: &App,
    visitor: &Visitor,
    status: StatusCode,
    req: &AuthorizeRequest,
    q: &AuthorizeQuery,
    login: String,
    errors: Errors,
) -> Response {
    let title = errors.title(&format!("Allow {} to use your account?", req.client.name));
    let build = |csrf_token: String| ConsentPage {
        chrome: Chrome::new(title.clone(), visitor.session.as_ref()),
        app_name: req.client.name.clone(),
        permissions: req.scopes.iter().map(permission).collect(),
        hidden: q.hidden(req),
        csrf_token,
        profile: visitor.session.as_ref().map(|s| {
            let a = &s.account;
            (
                if a.display_name.trim().is_empty() { a.username.clone() } else { a.display_name.clone() },
                a.username.clone(),
            )
        }),
        login,
        errors,
    };
    match &visitor.session {
        Some(s) => render(status, &build(s.csrf_token.clone())),
        None => signed_out_page(app, visitor, |token| render(status, &build(token))),
    }
}

/// `GET /oauth/authorize`.
pub async fn show(State(app): State<App>, visitor: Visitor, Query(q): Query<AuthorizeQuery>) -> Response {
    match oauth::check_authorize(&app, q.params()).await {
        Ok(req) => consent(&app, &visitor, StatusCode::OK, &req, &q, String::new(), Errors::default()),
        Err(e) => link_error(&visitor, &e),
    }
}

#[derive(Deserialize)]
pub struct AuthorizeForm {
    #[serde(flatten)]
    query: AuthorizeQuery,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    csrf_token: String,
}

fn redirect_with(visitor: &Visitor, req: &AuthorizeRequest, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(&req.redirect_uri) else {
        return link_error(visitor, &AppError::BadRequest("The app's redirect address is not valid.".into()));
    };
    {
        let mut qp = url.query_pairs_mut();
        for (k, v) in pairs {
            qp.append_pair(k, v);
        }
        if let Some(state) = &req.state {
            qp.append_pair("state", state);
        }
    }
    let mut res = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// `POST /oauth/authorize`: allow (with the session's profile, or after checking the
/// password) or deny, then back to the app — or, for out-of-band apps, the code to copy.
pub async fn submit(State(app): State<App>, visitor: Visitor, Form(f): Form<AuthorizeForm>) -> Response {
    let req = match oauth::check_authorize(&app, f.query.params()).await {
        Ok(r) => r,
        Err(e) => return link_error(&visitor, &e),
    };
    let token_ok = match &visitor.session {
        Some(s) => canteen_app::web::csrf_matches(s, &f.csrf_token),
        None => signed_out_token_ok(&visitor, &f.csrf_token),
    };
    if !token_ok {
        return pages::csrf_rejected(visitor.session.as_ref());
    }
    if f.decision != "approve" {
        if req.redirect_uri == OOB {
            let page = MessagePage {
                chrome: Chrome::new("You did not allow the app", visitor.session.as_ref()),
                heading: "You did not allow the app".into(),
                paragraphs: vec![format!("{} cannot use your account.", req.client.name)],
                link: None,
            };
            return render(StatusCode::OK, &page);
        }
        return redirect_with(
            &visitor,
            &req,
            &[("error", "access_denied"), ("error_description", "The person denied the request.")],
        );
    }
    let (user, account): (User, Account) = match &visitor.session {
        Some(s) => (s.user.clone(), s.account.clone()),
        None => match oauth::sign_in(&app, &f.login, &f.password).await {
            Ok(found) => found,
            Err(AppError::OAuth { .. }) => {
                let mut errors = Errors::default();
                errors.add("login", "Enter a correct email address (or username) and password");
                return consent(&app, &visitor, StatusCode::UNAUTHORIZED, &req, &f.query, f.login, errors);
            }
            Err(AppError::Forbidden(message)) => {
                let mut errors = Errors::default();
                errors.add("login", message);
                return consent(&app, &visitor, StatusCode::FORBIDDEN, &req, &f.query, f.login, errors);
            }
            Err(e) => return pages::internal_error(&e),
        },
    };
    match oauth::issue_code(&app, &req, &user, &account).await {
        Ok(code) if req.redirect_uri == OOB => {
            let page = CodePage { chrome: Chrome::new("Your authorisation code", visitor.session.as_ref()), code };
            render(StatusCode::OK, &page)
        }
        Ok(code) => redirect_with(&visitor, &req, &[("code", &code)]),
        Err(e) => link_error(&visitor, &e),
    }
}

#[derive(Template)]
#[template(path = "oauth_code.html")]
struct CodePage {
    chrome: Chrome,
    code: String,
}
