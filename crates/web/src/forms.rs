//! What every form shares: field errors for the NHS error summary, the redirect after a
//! successful post, cookies, and the two kinds of CSRF token (signed-out double-submit,
//! and the token bound to a session).

use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use canteen_app::web::{self, WebSession};
use canteen_app::{App, AppError};

use crate::session::{self, Visitor};

/// A field's error, shown beside it and in the error summary at the top. `field` is the
/// input's `id`, so the summary's link moves focus to it.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// A form's errors, in the order the fields appear.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field, message: message.into() });
    }

    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The page's status: 422 when a field is wrong.
    pub fn status(&self) -> StatusCode {
        if self.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY }
    }

    /// The page's title, starting "Error: " when a field is wrong (as the NHS pattern asks).
    pub fn title(&self, title: &str) -> String {
        if self.is_empty() { title.to_string() } else { format!("Error: {title}") }
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// The app's validation problems, each under the form field it names (`fields` maps
    /// the app's field names to the form's ids; unknown ones go to `fallback`).
    pub fn from_app(e: &AppError, fields: &[(&str, &'static str)], fallback: &'static str) -> Option<Errors> {
        let mut out = Errors::default();
        match e {
            AppError::Invalid(problems) => {
                for p in problems {
                    let id = fields.iter().find(|(name, _)| *name == p.field).map(|(_, id)| *id).unwrap_or(fallback);
                    out.add(id, p.message.clone());
                }
            }
            AppError::Unprocessable(m) | AppError::Forbidden(m) => out.add(fallback, m.clone()),
            _ => return None,
        }
        Some(out)
    }
}

/// 303 See Other to `to` (the answer to a successful form post).
pub fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(LOCATION, HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")));
    res
}

pub fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

/// The signed-out form token to use: the visitor's cookie, or a new one (with the cookie
/// to set).
pub fn signed_out_token(app: &App, visitor: &Visitor) -> Result<(String, Option<String>), AppError> {
    match &visitor.form_token {
        Some(t) => Ok((t.clone(), None)),
        None => {
            let t = web::new_form_token()?;
            let cookie = session::form_cookie(app, &t);
            Ok((t, Some(cookie)))
        }
    }
}

/// Renders a signed-out form page with its token, setting the cookie when it is new.
pub fn signed_out_page(app: &App, visitor: &Visitor, render: impl FnOnce(String) -> Response) -> Response {
    let (token, cookie) = match signed_out_token(app, visitor) {
        Ok(t) => t,
        Err(e) => return crate::pages::internal_error(&e),
    };
    let res = render(token);
    match cookie {
        Some(c) => with_cookie(res, &c),
        None => res,
    }
}

/// Whether a signed-out form carries the token its cookie holds.
pub fn signed_out_token_ok(visitor: &Visitor, field: &str) -> bool {
    web::form_token_matches(visitor.form_token.as_deref().unwrap_or(""), field)
}

/// A form whose only field is its CSRF token (a button that does one thing).
#[derive(serde::Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub csrf_token: String,
}

/// The session (as [`session_for_form`]) and the record id the form's URL names; a malformed
/// id is not found.
pub fn session_and_id<'a>(
    visitor: &'a Visitor,
    csrf_token: &str,
    id: &str,
) -> Result<(&'a WebSession, canteen_domain::Id), Box<Response>> {
    let session = session_for_form(visitor, csrf_token)?;
    let id = canteen_domain::Id::parse(id).ok_or_else(|| Box::new(crate::pages::not_found(Some(session))))?;
    Ok((session, id))
}

/// The answer to a form that changed one record: 303 to `to`, the not-found page when the
/// record is not the session's (or does not exist), else the error page.
pub fn done_or_not_found(result: Result<(), AppError>, session: &WebSession, to: &str) -> Response {
    match result {
        Ok(()) => see_other(to),
        Err(AppError::NotFound(_)) => crate::pages::not_found(Some(session)),
        Err(e) => crate::pages::internal_error(&e),
    }
}

/// The signed-in session, if the form carries its CSRF token; otherwise the response to give
/// (sign in first, or the CSRF refusal).
pub fn session_for_form<'a>(visitor: &'a Visitor, csrf_token: &str) -> Result<&'a WebSession, Box<Response>> {
    match &visitor.session {
        None => Err(Box::new(see_other("/sign-in"))),
        Some(s) if !web::csrf_matches(s, csrf_token) => Err(Box::new(crate::pages::csrf_rejected(Some(s)))),
        Some(s) => Ok(s),
    }
}
