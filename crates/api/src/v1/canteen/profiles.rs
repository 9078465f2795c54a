//! `/api/v1/canteen/profiles` and `/api/v1/canteen/profile`: the signed-in person's profiles, and
//! each profile's mode and privacy preset.

use axum::Json;
use axum::extract::{Path, State};
use canteen_app::accounts::{self, ProfileUpdate};
use canteen_app::{App, AppError, profiles};
use canteen_domain::account::{PrivacyPreset, ProfileMode};
use canteen_domain::validation::Invalid;
use serde::{Deserialize, Serialize};

use crate::auth::{Authed, CanteenProfiles, ReadAccounts, WriteAccounts};
use crate::entities::account::{
    CredentialAccount, OwnSettings, credential_account_from_domain, own_settings_from_domain,
};
use crate::entities::oauth::{Token, token_from_domain};
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::v1::accounts::parse_id;

#[derive(Serialize)]
pub struct Profile {
    #[serde(flatten)]
    pub account: CredentialAccount,
    /// Whether this is the profile the calling token acts as.
    pub current: bool,
}

/// `GET /api/v1/canteen/profiles`.
pub async fn list(State(app): State<App>, auth: Authed<CanteenProfiles>) -> ApiResult<Json<Vec<Profile>>> {
    let (user, me) = auth.signed_in()?;
    let (role, my_id) = (user.role, me.id);
    let all = profiles::list(&app, &auth).await?;
    Ok(Json(
        all.iter()
            .map(|a| Profile {
                account: credential_account_from_domain(&app.config.public_url, a, role),
                current: a.id == my_id,
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
pub struct CreateProfile {
    username: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    profile_mode: Option<String>,
}

fn parse_mode(s: Option<&str>, default: ProfileMode) -> ApiResult<ProfileMode> {
    match s {
        None => Ok(default),
        Some(m) => ProfileMode::parse(m).ok_or_else(|| {
            ApiError(AppError::invalid(Invalid::new(
                "profile_mode",
                "ERR_INCLUSION",
                format!("`{m}` is not one of: {}", ProfileMode::choices()),
            )))
        }),
    }
}

/// `POST /api/v1/canteen/profiles`: adds a profile to the signed-in login.
pub async fn create(
    State(app): State<App>,
    auth: Authed<CanteenProfiles>,
    Params(p): Params<CreateProfile>,
) -> ApiResult<Json<CredentialAccount>> {
    let (user, _) = auth.signed_in()?;
    let role = user.role;
    let mode = parse_mode(p.profile_mode.as_deref(), ProfileMode::Personal)?;
    let account = profiles::create(&app, &auth, &p.username, p.display_name.as_deref(), mode).await?;
    Ok(Json(credential_account_from_domain(&app.config.public_url, &account, role)))
}

#[derive(Serialize)]
pub struct Switched {
    #[serde(flatten)]
    pub token: Token,
    pub account: CredentialAccount,
}

/// `POST /api/v1/canteen/profiles/:id/switch`: a token acting as another of one's profiles.
pub async fn switch(
    State(app): State<App>,
    auth: Authed<CanteenProfiles>,
    Path(id): Path<String>,
) -> ApiResult<Json<Switched>> {
    let (user, _) = auth.signed_in()?;
    let role = user.role;
    let (token, account) = profiles::switch(&app, &auth, parse_id(&id)?).await?;
    Ok(Json(Switched {
        token: token_from_domain(&token),
        account: credential_account_from_domain(&app.config.public_url, &account, role),
    }))
}

/// `GET /api/v1/canteen/profile`: the current profile's mode, preset and detail visibilities.
pub async fn show_settings(auth: Authed<ReadAccounts>) -> ApiResult<Json<OwnSettings>> {
    let (_, me) = auth.signed_in()?;
    Ok(Json(own_settings_from_domain(me)))
}

#[derive(Deserialize)]
pub struct SetSettings {
    #[serde(default)]
    profile_mode: Option<String>,
    #[serde(default)]
    privacy_preset: Option<String>,
}

/// `PATCH /api/v1/canteen/profile`: sets the mode (resetting what it decides) and/or preset.
pub async fn update_settings(
    State(app): State<App>,
    auth: Authed<WriteAccounts>,
    Params(p): Params<SetSettings>,
) -> ApiResult<Json<OwnSettings>> {
    let (_, me) = auth.signed_in()?;
    let mode = match p.profile_mode.as_deref() {
        Some(m) => Some(parse_mode(Some(m), me.profile_mode)?),
        None => None,
    };
    let preset = match p.privacy_preset.as_deref() {
        None => None,
        Some(s) => Some(PrivacyPreset::parse(s).ok_or_else(|| {
            ApiError(AppError::invalid(Invalid::new(
                "privacy_preset",
                "ERR_INCLUSION",
                format!("`{s}` is not one of: {}", PrivacyPreset::choices()),
            )))
        })?),
    };
    let updated = accounts::update_profile(
        &app,
        &auth,
        ProfileUpdate { profile_mode: mode, privacy_preset: preset, ..Default::default() },
    )
    .await?;
    Ok(Json(own_settings_from_domain(&updated)))
}
