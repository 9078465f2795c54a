//! "Forgotten your password?": a single-use link by email, good for an hour. Asking never
//! says whether an address has a login here. The link is made and mailed by a job, so the
//! secret is never stored in the job table (only its hash, in `password_resets`), and a
//! relay that is down delays the mail rather than losing it. Setting a new password ends
//! every session and revokes every app token of the login.

use canteen_domain::Id;
use canteen_domain::validation;
use canteen_store::{oauth, users, web_accounts, web_sessions};

use crate::clock::now_ms;
use crate::mail::{self, Mail};
use crate::secrets::{random_token, sha256_hex};
use crate::{App, AppError, Result, jobs, passwords};

pub const SEND_JOB: &str = "mail.password_reset";
/// How long a reset link works.
pub const LINK_LIFETIME_MS: i64 = 60 * 60 * 1000;
/// At most this many reset emails per login per hour, so the form cannot flood a mailbox.
const MAX_PER_HOUR: i64 = 3;

/// Queues a reset email for the login with this address, if there is one (the job sends at
/// most three an hour). Always `Ok` for an unknown address: the answer must not reveal who
/// has a login.
pub async fn request(app: &App, email: &str) -> Result<()> {
    let Some(user) = users::by_email(app.store.reader(), email.trim()).await? else { return Ok(()) };
    jobs::enqueue(app, app.store.writer(), SEND_JOB, &user.id.0.to_string(), 0).await?;
    Ok(())
}

/// The job: makes a link and mails it.
pub async fn send(app: &App, payload: &str) -> std::result::Result<(), String> {
    let user_id: i64 = payload.trim().parse().map_err(|_| format!("bad payload {payload:?}"))?;
    let Some(user) = users::by_id(app.store.reader(), Id(user_id)).await.map_err(|e| e.to_string())? else {
        return Ok(()); // deleted since: nothing to send
    };
    // Counted here, where links are made, rather than when asked: asks that arrive together
    // are all queued before any link exists, and the jobs run one at a time.
    let now = now_ms();
    let recent =
        web_accounts::resets_since(app.store.reader(), user_id, now - 3_600_000).await.map_err(|e| e.to_string())?;
    if recent >= MAX_PER_HOUR {
        tracing::info!(user = user_id, "password reset asked for again too soon; no mail sent");
        return Ok(());
    }
    let token = random_token().map_err(|e| e.to_string())?;
    web_accounts::insert_reset(app.store.writer(), &sha256_hex(&token), user_id, now, now + LINK_LIFETIME_MS)
        .await
        .map_err(|e| e.to_string())?;
    let link = format!("{}/reset-password/{token}", app.config.public_url);
    let title = &app.config.title;
    let body = format!(
        "Someone asked to reset the password of your {title} login.\n\n\
         If it was you, open this link within an hour and choose a new password:\n\n{link}\n\n\
         If it was not you, ignore this email: your password has not changed.\n"
    );
    let mail = Mail { to: user.email.clone(), subject: format!("Reset your {title} password"), body };
    mail::send(&app.config.mail_transport, &app.config.mail_from, &mail).await
}

/// Whether a link's token is live (for showing the form).
pub async fn token_is_live(app: &App, token: &str) -> Result<bool> {
    Ok(!token.is_empty() && web_accounts::reset_user(app.store.reader(), &sha256_hex(token), now_ms()).await?.is_some())
}

/// Sets a new password with a live token, uses up the login's tokens, and signs it out
/// everywhere. A dead token is `NotFound`; a weak password is `Invalid` (and the token
/// stays usable).
pub async fn reset(app: &App, token: &str, new_password: &str) -> Result<()> {
    let Some(user_id) = web_accounts::reset_user(app.store.reader(), &sha256_hex(token), now_ms()).await? else {
        return Err(AppError::NotFound("This link has expired or has already been used".into()));
    };
    validation::password(new_password).map_err(AppError::invalid)?;
    let hash = passwords::hash(new_password).await?;
    let now = now_ms();
    let mut tx = app.store.begin().await?;
    users::set_password_hash(tx.exec(), Id(user_id), &hash, now).await?;
    web_accounts::delete_resets_of(tx.exec(), user_id).await?;
    web_sessions::delete_all_of(tx.exec(), user_id).await?;
    oauth::revoke_tokens_of_user(tx.exec(), Id(user_id), now).await?;
    tx.commit().await?;
    app.access_changed();
    Ok(())
}
