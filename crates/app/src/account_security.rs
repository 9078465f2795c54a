//! "Sessions and authorised apps": where a login is signed in (browser sessions) and which
//! apps hold its tokens, and ending either. Only the login's own can be seen or ended.

use canteen_store::oauth::{self, AuthorisedApp};
use canteen_store::web_sessions;

use crate::clock::now_ms;
use crate::web::WebSession;
use crate::{App, AppError, Result};

/// One browser session as its owner sees it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The session asking.
    pub current: bool,
}

pub async fn sessions(app: &App, me: &WebSession) -> Result<Vec<SessionInfo>> {
    let found = web_sessions::of_user(app.store.reader(), me.user.id.0, now_ms()).await?;
    Ok(found
        .into_iter()
        .map(|r| SessionInfo {
            id: r.id,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            current: r.id == me.id,
        })
        .collect())
}

/// Ends another session of the same login (signing out here is `web::sign_out`).
pub async fn end_session(app: &App, me: &WebSession, id: i64) -> Result<()> {
    if web_sessions::delete_of_user(app.store.writer(), me.user.id.0, id).await? {
        app.access_changed();
        Ok(())
    } else {
        Err(AppError::NotFound("Record not found".into()))
    }
}

pub async fn authorised_apps(app: &App, me: &WebSession) -> Result<Vec<AuthorisedApp>> {
    Ok(oauth::authorised_apps(app.store.reader(), me.user.id, now_ms()).await?)
}

/// Revokes every token an app holds for this login: it must be authorised again.
pub async fn revoke_app(app: &App, me: &WebSession, app_id: i64) -> Result<()> {
    let n = oauth::revoke_app_for_user(app.store.writer(), me.user.id, app_id, now_ms()).await?;
    app.access_changed();
    if n == 0 { Err(AppError::NotFound("Record not found".into())) } else { Ok(()) }
}
