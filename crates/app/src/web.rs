//! Use cases of the web app (`crates/web`): browser sessions, their CSRF tokens, and the
//! public profile page. A session acts as one profile, like a token, and is checked against
//! the same sign-in rules on every request.

use canteen_domain::Id;
use canteen_domain::account::{Account, User};
use canteen_domain::scope::Scopes;
use canteen_store::web_sessions::{self, SessionRecord};
use canteen_store::{accounts, users};

use crate::auth::{Auth, check_may_sign_in};
use crate::clock::now_ms;
use crate::secrets::{constant_time_eq, random_token, sha256_hex};
use crate::timelines::{self, Page, Source};
use crate::viewer::Viewer;
use crate::views::StatusView;
use crate::{App, AppError, Result};

/// How long a session lasts after sign-in.
pub const SESSION_LIFETIME_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// The scopes a browser session holds (everything a person may do through the web app).
const SESSION_SCOPES: &str = "read write follow";

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub id: i64,
    pub user: User,
    pub account: Account,
    /// The token every form posted in this session must carry.
    pub csrf_token: String,
}

impl WebSession {
    /// The session as the caller of a use case.
    pub fn auth(&self) -> Result<Auth> {
        Ok(Auth {
            token_id: 0,
            app_id: 0,
            scopes: Scopes::parse(SESSION_SCOPES).map_err(|e| AppError::Internal(e.to_string()))?,
            user: Some(self.user.clone()),
            account: Some(self.account.clone()),
        })
    }
}

/// The CSRF token bound to a session token: derived from the (secret, HttpOnly) session
/// token, so it cannot be guessed without it and needs no storage.
fn csrf_for(session_token: &str) -> String {
    sha256_hex(&format!("canteen-web-csrf:{session_token}"))
}

/// Whether `given` is this session's CSRF token (constant time).
pub fn csrf_matches(session: &WebSession, given: &str) -> bool {
    !given.is_empty() && constant_time_eq(&session.csrf_token, given)
}

/// A fresh random token for signed-out forms (double-submit: a cookie and a form field).
pub fn new_form_token() -> Result<String> {
    random_token()
}

/// Whether a signed-out form's field matches its cookie (constant time, both non-empty).
pub fn form_token_matches(cookie: &str, field: &str) -> bool {
    !cookie.is_empty() && !field.is_empty() && constant_time_eq(cookie, field)
}

/// Checks email (or username) and password with the same rules as every other sign-in,
/// and opens a session. Returns the token for the cookie and the session.
pub async fn sign_in(app: &App, login: &str, password: &str) -> Result<(String, WebSession)> {
    let (user, account) = crate::oauth::sign_in(app, login, password).await?;
    let token = random_token()?;
    let now = now_ms();
    web_sessions::delete_expired(app.store.writer(), user.id.0, now).await?;
    let record = SessionRecord {
        id: app.next_id().0,
        token_hash: sha256_hex(&token),
        user_id: user.id.0,
        account_id: account.id.0,
        created_at: now,
        last_seen_at: now,
        expires_at: now + SESSION_LIFETIME_MS,
    };
    web_sessions::insert(app.store.writer(), &record).await?;
    let csrf_token = csrf_for(&token);
    Ok((token, WebSession { id: record.id, user, account, csrf_token }))
}

/// The session a cookie names, if it exists, has not expired and its login may still act.
pub async fn resolve(app: &App, token: &str) -> Result<Option<WebSession>> {
    if token.is_empty() {
        return Ok(None);
    }
    let Some(rec) = web_sessions::by_token_hash(app.store.reader(), &sha256_hex(token)).await? else {
        return Ok(None);
    };
    let now = now_ms();
    if rec.expires_at <= now {
        return Ok(None);
    }
    let Some(user) = users::by_id(app.store.reader(), Id(rec.user_id)).await? else { return Ok(None) };
    let Some(account) = accounts::by_id(app.store.reader(), Id(rec.account_id)).await? else { return Ok(None) };
    if check_may_sign_in(&user, &account).is_err() {
        return Ok(None);
    }
    // Recording use costs a write; do it at most once a minute per session.
    if rec.last_seen_at < now - 60_000 {
        web_sessions::touch(app.store.writer(), rec.id, now).await?;
    }
    Ok(Some(WebSession { id: rec.id, user, account, csrf_token: csrf_for(token) }))
}

/// Ends the session a cookie names (nothing happens for an unknown token).
pub async fn sign_out(app: &App, token: &str) -> Result<()> {
    web_sessions::delete(app.store.writer(), &sha256_hex(token)).await?;
    Ok(())
}

/// One page (20 posts) of the signed-in profile's home timeline, older than `max_id`.
pub async fn home(app: &App, session: &WebSession, max_id: Option<Id>) -> Result<Vec<StatusView>> {
    let page = Page { max_id: max_id.map(|i| i.0), since_id: None, min_id: None, limit: timelines::DEFAULT_LIMIT };
    timelines::home(app, &session.auth()?, page).await
}

/// A local profile and one page of its posts as anyone on the internet sees them (the
/// audience rule for a signed-out viewer). Unknown and suspended profiles are not found.
pub async fn public_profile(app: &App, username: &str, max_id: Option<Id>) -> Result<(Account, Vec<StatusView>)> {
    if username.is_empty() || username.contains('@') {
        return Err(AppError::NotFound("Record not found".into()));
    }
    let (account, _) = crate::accounts::lookup(app, None, username).await?;
    let source =
        Source::Account { id: account.id, pinned: false, exclude_replies: true, exclude_reblogs: false, tagged: None };
    let page = Page { max_id: max_id.map(|i| i.0), since_id: None, min_id: None, limit: timelines::DEFAULT_LIMIT };
    let posts = timelines::read(app, &Viewer::anonymous(), &source, page, false).await?;
    Ok((account, posts))
}
