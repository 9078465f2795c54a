//! The OAuth 2 surface Mastodon apps use: app registration, authorization codes (with
//! PKCE), the token endpoint's grants, and revocation.

use canteen_domain::Id;
use canteen_domain::account::{Account, User};
use canteen_domain::scope::Scopes;
use canteen_store::oauth::{self as store, AppRecord, CodeRecord, TokenRecord};
use canteen_store::{Exec, accounts, users};

use crate::auth::check_may_sign_in;
use crate::clock::now_ms;
use crate::secrets::{constant_time_eq, pkce_s256, random_token, sha256_hex};
use crate::{App, AppError, Result, passwords};

pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";
const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;

/// A registered client application.
#[derive(Debug, Clone)]
pub struct ClientApp {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: Scopes,
    pub client_id: String,
    pub client_secret: String,
}

impl TryFrom<AppRecord> for ClientApp {
    type Error = AppError;
    fn try_from(r: AppRecord) -> Result<ClientApp> {
        Ok(ClientApp {
            id: r.id,
            name: r.name,
            website: r.website,
            redirect_uris: r.redirect_uris.lines().map(str::to_string).collect(),
            scopes: Scopes::parse(&r.scopes).map_err(|e| AppError::Internal(e.to_string()))?,
            client_id: r.client_id,
            client_secret: r.client_secret,
        })
    }
}

/// An access token as handed to a client: the secret value exists only here.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub scopes: Scopes,
    pub created_at: i64,
}

/// `POST /api/v1/apps`.
pub async fn create_app(
    app: &App,
    name: &str,
    redirect_uris: &str,
    scopes: &str,
    website: Option<&str>,
) -> Result<ClientApp> {
    use canteen_domain::validation::Invalid;
    let mut problems = Vec::new();
    if name.trim().is_empty() {
        problems.push(Invalid::new("client_name", "ERR_BLANK", "Client name can't be blank"));
    }
    problems.extend(canteen_domain::validation::max_chars("client_name", "Client name", name, 60).err());
    let uris: Vec<String> =
        redirect_uris.split(['\n', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    if uris.is_empty() {
        problems.push(Invalid::new("redirect_uris", "ERR_BLANK", "Redirect URI can't be blank"));
    }
    for u in &uris {
        if u != OOB && url::Url::parse(u).is_err() {
            problems.push(Invalid::new(
                "redirect_uris",
                "ERR_INVALID",
                format!("Redirect URI `{u}` must be an absolute URI"),
            ));
        }
    }
    if let Some(w) = website
        && !w.is_empty()
        && url::Url::parse(w).is_err()
    {
        problems.push(Invalid::new("website", "ERR_INVALID", "Website must be an absolute URL"));
    }
    let scopes = match Scopes::parse(scopes) {
        Ok(s) => Some(s),
        Err(e) => {
            problems.push(Invalid::new("scopes", "ERR_INVALID", format!("Scopes: {e}")));
            None
        }
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let scopes = scopes.unwrap_or_default();
    let record = AppRecord {
        id: app.next_id().0,
        name: name.trim().to_string(),
        website: website.filter(|w| !w.is_empty()).map(String::from),
        redirect_uris: uris.join("\n"),
        scopes: scopes.to_string(),
        client_id: random_token()?,
        client_secret: random_token()?,
        created_at: now_ms(),
    };
    store::insert_app(app.store.writer(), &record).await?;
    record.try_into()
}

/// Finds an app by client id, checking the secret when one is given.
pub async fn client(app: &App, client_id: &str, client_secret: Option<&str>) -> Result<ClientApp> {
    let bad = || {
        AppError::oauth(
            401,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        )
    };
    let rec = store::app_by_client_id(app.store.reader(), client_id).await?.ok_or_else(bad)?;
    if let Some(secret) = client_secret
        && !constant_time_eq(secret, &rec.client_secret)
    {
        return Err(bad());
    }
    rec.try_into()
}

pub async fn app_of_token(app: &App, app_id: i64) -> Result<ClientApp> {
    store::app_by_id(app.store.reader(), app_id)
        .await?
        .ok_or_else(|| AppError::Unauthorized("The access token is invalid".into()))?
        .try_into()
}

/// What `/oauth/authorize` was asked for, checked before a sign-in form is shown.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client: ClientApp,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

/// Checks an authorization request. Errors here are shown on the page, never redirected:
/// an unknown client or redirect URI must not become an open redirect.
/// The query of `GET /oauth/authorize`, as sent.
#[derive(Debug, Clone, Default)]
pub struct AuthorizeParams {
    pub client_id: String,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

pub async fn check_authorize(app: &App, p: AuthorizeParams) -> Result<AuthorizeRequest> {
    let AuthorizeParams { client_id, redirect_uri, response_type, scope, state, code_challenge, code_challenge_method } =
        p;
    let (redirect_uri, response_type, scope) = (redirect_uri.as_deref(), response_type.as_deref(), scope.as_deref());
    let client = client(app, &client_id, None).await?;
    let redirect_uri = match redirect_uri {
        Some(r) => r.to_string(),
        None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
        None => {
            return Err(AppError::oauth(400, "invalid_request", "redirect_uri is required"));
        }
    };
    if !client.redirect_uris.contains(&redirect_uri) {
        return Err(AppError::oauth(400, "invalid_request", "The redirect URI is not one this app registered."));
    }
    if response_type.unwrap_or("code") != "code" {
        return Err(AppError::oauth(400, "unsupported_response_type", "Only response_type=code is supported."));
    }
    let scopes =
        Scopes::parse(scope.unwrap_or("read")).map_err(|e| AppError::oauth(400, "invalid_scope", e.to_string()))?;
    if !client.scopes.covers(&scopes) {
        return Err(AppError::oauth(400, "invalid_scope", "The requested scope is not one this app registered."));
    }
    if code_challenge.is_some() && code_challenge_method.as_deref().unwrap_or("plain") != "S256" {
        return Err(AppError::oauth(400, "invalid_request", "Only code_challenge_method=S256 is supported."));
    }
    Ok(AuthorizeRequest { client, redirect_uri, scopes, state, code_challenge, code_challenge_method })
}

/// Checks a person's credentials. `login` is an email (which picks the login's first
/// profile) or a username (which picks that profile). Unknown login and wrong password
/// answer alike, and take the same time.
pub async fn sign_in(app: &App, login: &str, password: &str) -> Result<(User, Account)> {
    let bad = || AppError::oauth(400, "invalid_grant", "The email, username or password is not correct.");
    let e = app.store.reader();
    let found = if login.contains('@') {
        match users::by_email(e, login.trim()).await? {
            Some(u) => accounts::by_user(app.store.reader(), u.id).await?.into_iter().next().map(|a| (u, a)),
            None => None,
        }
    } else {
        match accounts::by_local_username(e, login.trim()).await? {
            Some(a) => match a.user_id {
                Some(uid) => users::by_id(app.store.reader(), uid).await?.map(|u| (u, a)),
                None => None,
            },
            None => None,
        }
    };
    let Some((user, account)) = found else {
        passwords::verify(password, DUMMY_HASH).await;
        return Err(bad());
    };
    if !passwords::verify(password, &user.password_hash).await {
        return Err(bad());
    }
    check_may_sign_in(&user, &account)?;
    Ok((user, account))
}

/// A real Argon2id hash of a random password, verified against when a login does not
/// exist so that answering "no such user" costs as long as "wrong password".
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0PuJ0R6qJbLoaH6ZJ+ITc7GwgGMsaqgtk2NP3Q6IfHE";

/// Issues a code after a successful sign-in and consent. Returns the code to send back.
pub async fn issue_code(app: &App, req: &AuthorizeRequest, user: &User, account: &Account) -> Result<String> {
    let code = random_token()?;
    let now = now_ms();
    store::insert_code(
        app.store.writer(),
        &CodeRecord {
            code_hash: sha256_hex(&code),
            app_id: req.client.id,
            user_id: user.id.0,
            account_id: account.id.0,
            scopes: req.scopes.to_string(),
            redirect_uri: req.redirect_uri.clone(),
            code_challenge: req.code_challenge.clone(),
            code_challenge_method: req.code_challenge_method.clone(),
            expires_at: now + CODE_LIFETIME_MS,
            created_at: now,
        },
    )
    .await?;
    Ok(code)
}

/// The parameters of `POST /oauth/token`.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub scope: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

fn invalid_grant(why: &str) -> AppError {
    AppError::oauth(400, "invalid_grant", why)
}

/// `POST /oauth/token`.
pub async fn token(app: &App, req: TokenRequest) -> Result<IssuedToken> {
    if req.client_id.is_empty() {
        return Err(AppError::oauth(401, "invalid_client", "client_id is required."));
    }
    match req.grant_type.as_str() {
        "authorization_code" => {
            // Public clients using PKCE may omit the secret; the verifier proves possession.
            let pkce = req.code_verifier.is_some();
            let client = client(
                app,
                &req.client_id,
                if pkce { req.client_secret.as_deref() } else { Some(req.client_secret.as_deref().unwrap_or("")) },
            )
            .await?;
            let code =
                req.code.as_deref().ok_or_else(|| AppError::oauth(400, "invalid_request", "code is required."))?;
            let mut tx = app.store.begin().await?;
            let rec = store::take_code(tx.exec(), &sha256_hex(code)).await?;
            tx.commit().await?;
            let rec = rec.ok_or_else(|| invalid_grant("The authorization code is invalid or was already used."))?;
            if rec.app_id != client.id || rec.expires_at <= now_ms() {
                return Err(invalid_grant("The authorization code is invalid or expired."));
            }
            if req.redirect_uri.as_deref().is_some_and(|r| r != rec.redirect_uri) {
                return Err(invalid_grant("The redirect URI does not match the one used to authorize."));
            }
            match (&rec.code_challenge, &req.code_verifier) {
                (Some(challenge), Some(verifier)) if constant_time_eq(&pkce_s256(verifier), challenge) => {}
                (Some(_), _) => {
                    return Err(invalid_grant("The PKCE code_verifier does not match the code_challenge."));
                }
                (None, Some(_)) => {
                    return Err(invalid_grant("A code_verifier was sent but no code_challenge was used."));
                }
                (None, None) => {}
            }
            let scopes = Scopes::parse(&rec.scopes).map_err(|e| AppError::Internal(e.to_string()))?;
            let user = users::by_id(app.store.reader(), Id(rec.user_id))
                .await?
                .ok_or_else(|| invalid_grant("Unknown login."))?;
            let account = accounts::by_id(app.store.reader(), Id(rec.account_id))
                .await?
                .ok_or_else(|| invalid_grant("Unknown profile."))?;
            check_may_sign_in(&user, &account)?;
            issue_token(app, app.store.writer(), client.id, Some((&user, &account)), &scopes).await
        }
        "password" => {
            if !app.config.password_grant {
                return Err(AppError::oauth(
                    400,
                    "unsupported_grant_type",
                    "The password grant is turned off on this server.",
                ));
            }
            let client = client(app, &req.client_id, Some(req.client_secret.as_deref().unwrap_or(""))).await?;
            let scopes = requested_scopes(&client, req.scope.as_deref())?;
            let (login, password) = match (&req.username, &req.password) {
                (Some(u), Some(p)) => (u, p),
                _ => {
                    return Err(AppError::oauth(400, "invalid_request", "username and password are required."));
                }
            };
            let (user, account) = sign_in(app, login, password).await?;
            issue_token(app, app.store.writer(), client.id, Some((&user, &account)), &scopes).await
        }
        "client_credentials" => {
            let client = client(app, &req.client_id, Some(req.client_secret.as_deref().unwrap_or(""))).await?;
            let scopes = requested_scopes(&client, req.scope.as_deref())?;
            issue_token(app, app.store.writer(), client.id, None, &scopes).await
        }
        "" => Err(AppError::oauth(400, "invalid_request", "grant_type is required.")),
        _ => Err(AppError::oauth(
            400,
            "unsupported_grant_type",
            "Supported grant types: authorization_code, password, client_credentials.",
        )),
    }
}

fn requested_scopes(client: &ClientApp, scope: Option<&str>) -> Result<Scopes> {
    let scopes = match scope {
        Some(s) if !s.trim().is_empty() => {
            Scopes::parse(s).map_err(|e| AppError::oauth(400, "invalid_scope", e.to_string()))?
        }
        // No scope asked for: the app's registered scopes (what Mastodon.py expects back).
        _ => client.scopes.clone(),
    };
    if !client.scopes.covers(&scopes) {
        return Err(AppError::oauth(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed."));
    }
    Ok(scopes)
}

/// Mints an access token for an app, optionally acting as a login's profile.
pub async fn issue_token(
    app: &App,
    e: Exec<'_>,
    app_id: i64,
    who: Option<(&User, &Account)>,
    scopes: &Scopes,
) -> Result<IssuedToken> {
    let value = random_token()?;
    let now = now_ms();
    store::insert_token(
        e,
        &TokenRecord {
            id: app.next_id().0,
            token_hash: sha256_hex(&value),
            refresh_hash: None,
            app_id,
            user_id: who.map(|(u, _)| u.id.0),
            account_id: who.map(|(_, a)| a.id.0),
            scopes: scopes.to_string(),
            created_at: now,
            expires_at: None,
            revoked_at: None,
            last_used_at: None,
        },
    )
    .await?;
    Ok(IssuedToken { access_token: value, scopes: scopes.clone(), created_at: now })
}

/// `POST /oauth/revoke` (RFC 7009): revoking an unknown token is not an error, but a
/// client may only revoke its own tokens.
pub async fn revoke(app: &App, client_id: &str, client_secret: &str, token: &str) -> Result<()> {
    let client = client(app, client_id, Some(client_secret)).await?;
    let Some(rec) = store::token_by_hash(app.store.reader(), &sha256_hex(token)).await? else {
        return Ok(());
    };
    if rec.app_id != client.id {
        return Err(AppError::oauth(403, "unauthorized_client", "You are not authorized to revoke this token"));
    }
    store::revoke_token(app.store.writer(), rec.id, now_ms()).await?;
    app.access_changed();
    Ok(())
}
