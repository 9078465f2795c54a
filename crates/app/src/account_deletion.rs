//! Deleting one's own profile, for good: its posts, uploads, follows, lists, notifications and
//! everything else it made go from this server at once (one transaction); the servers that
//! hold copies (those of its remote followers and of the people it follows) are sent a
//! `Delete` of the actor, signed with its key; its id and its posts' ids answer 410 Gone
//! from then on. When it was the login's last profile, the login is closed too (its email
//! address is freed). The username stays taken, so nobody can pose as it later.

use canteen_domain::account::Role;
use canteen_domain::validation::Invalid;
use canteen_federation::vocab::Context;
use canteen_store::{accounts, erasure, users};
use serde_json::json;

use crate::auth::Auth;
use crate::clock::now_ms;
use crate::{App, AppError, Result};

/// What deleting a profile did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deleted {
    /// It was the login's last profile, so the login is closed too.
    pub login_closed: bool,
}

/// Deletes the caller's profile after checking their password again.
pub async fn delete_own_profile(app: &App, auth: &Auth, password: &str) -> Result<Deleted> {
    let (user, me) = auth.signed_in()?;
    if password.is_empty() || !crate::passwords::verify(password, &user.password_hash).await {
        return Err(AppError::invalid(Invalid::new("password", "ERR_INVALID", "Enter your password correctly")));
    }
    let others = accounts::by_user(app.store.reader(), user.id)
        .await?
        .into_iter()
        .filter(|a| a.id != me.id && a.suspended_at.is_none())
        .count();
    let login_closed = others == 0;
    if login_closed && user.role == Role::Admin && users::count_with_role(app.store.reader(), Role::Admin).await? <= 1 {
        return Err(AppError::Forbidden(
            "You are the only administrator. Make someone else an administrator first, so the server is not left without one.".into(),
        ));
    }
    let now = now_ms();
    let inboxes = erasure::remote_inboxes(app.store.reader(), me.id).await?;
    let posts = erasure::status_ids(app.store.reader(), me.id).await?;
    let files = erasure::media_files(app.store.reader(), me.id).await?;
    let delete = json!({
        "@context": Context::canteen(),
        "id": format!("{}#delete", me.uri),
        "type": "Delete",
        "actor": me.uri,
        "object": me.uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    })
    .to_string();
    let mut tx = app.store.begin().await?;
    for inbox in &inboxes {
        crate::federation::delivery::enqueue(app, tx.exec(), me.id, inbox, &delete).await?;
    }
    erasure::bury(tx.exec(), me.id, &me.uri, now).await?;
    erasure::erase(tx.exec(), me.id, now).await?;
    for id in &posts {
        crate::search::enqueue_status(app, tx.exec(), *id).await?;
    }
    crate::search::enqueue_account(app, tx.exec(), me.id).await?;
    if login_closed {
        users::close(tx.exec(), user.id, now).await?;
        canteen_store::oauth::revoke_tokens_of_user(tx.exec(), user.id, now).await?;
        canteen_store::web_sessions::delete_all_of(tx.exec(), user.id.0).await?;
    }
    tx.commit().await?;
    app.access_changed();
    // The files go after the rows: a failure leaves an orphan file, never a served one.
    crate::media::remove_files(app, files).await;
    tracing::info!(account = %me.id, servers = inboxes.len(), login_closed, "profile deleted");
    Ok(Deleted { login_closed })
}
