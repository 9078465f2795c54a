//! Extractors for the caller's token. The scope an endpoint needs is part of its
//! extractor's type (`Authed<ReadAccounts>`), so no handler can forget to check it.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use canteen_app::auth::{Auth, authenticate};
use canteen_app::{App, AppError};

use crate::error::ApiError;

/// The scope an endpoint requires.
pub trait RequiredScope {
    const SCOPE: &'static str;
}

macro_rules! scopes {
    ($($name:ident => $scope:literal),+ $(,)?) => {
        $(
            #[doc = concat!("Requires the `", $scope, "` scope.")]
            pub struct $name;
            impl RequiredScope for $name { const SCOPE: &'static str = $scope; }
        )+
    };
}

scopes! {
    ReadAccounts => "read:accounts",
    ReadSearch => "read:search",
    ProfileOrReadAccounts => "read:accounts|profile",
    CanteenProfiles => "canteen:profiles",
    WriteAccounts => "write:accounts",
    ReadFollows => "read:follows",
    WriteFollows => "write:follows",
    ReadStatuses => "read:statuses",
    WriteStatuses => "write:statuses",
    WriteFavourites => "write:favourites",
    ReadFavourites => "read:favourites",
    WriteBookmarks => "write:bookmarks",
    ReadBookmarks => "read:bookmarks",
    ReadNotifications => "read:notifications",
    WriteNotifications => "write:notifications",
    ReadBlocks => "read:blocks",
    WriteBlocks => "write:blocks",
    ReadMutes => "read:mutes",
    ReadLists => "read:lists",
    WriteMedia => "write:media",
    AdminRead => "admin:read",
    AdminWrite => "admin:write",
    WriteLists => "write:lists",
    WriteMutes => "write:mutes",
    WriteReports => "write:reports",
    AnyScope => "",  // any valid token at all (apps/verify_credentials)
}

/// The bearer token sent with a request: `Authorization: Bearer …`, or `access_token=` in
/// the query (as Mastodon allows, for streaming clients).
pub fn bearer(parts: &Parts) -> Option<String> {
    if let Some(h) = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let mut it = h.splitn(2, ' ');
        if let (Some(kind), Some(value)) = (it.next(), it.next())
            && kind.eq_ignore_ascii_case("bearer")
            && !value.trim().is_empty()
        {
            return Some(value.trim().to_string());
        }
    }
    parts.uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "access_token").map(|(_, v)| v.into_owned())
    })
}

/// A token is required and must hold scope `S`.
pub struct Authed<S: RequiredScope>(pub Auth, PhantomData<S>);

impl<S: RequiredScope> std::ops::Deref for Authed<S> {
    type Target = Auth;
    fn deref(&self) -> &Auth {
        &self.0
    }
}

impl<St, S> FromRequestParts<St> for Authed<S>
where
    St: Send + Sync,
    App: FromRef<St>,
    S: RequiredScope,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(|| AppError::Unauthorized("The access token is invalid".into()))?;
        let auth = authenticate(&App::from_ref(state), &token).await?;
        // `a|b` means either scope will do.
        if !S::SCOPE.is_empty() && !S::SCOPE.split('|').any(|scope| auth.scopes.allows(scope)) {
            auth.require(S::SCOPE.split('|').next().unwrap_or(S::SCOPE))?;
        }
        Ok(Authed(auth, PhantomData))
    }
}

/// A token is optional (public reads); when present it must be valid and hold scope `S`.
pub struct MaybeAuthed<S: RequiredScope>(pub Option<Auth>, PhantomData<S>);

impl<St, S> FromRequestParts<St> for MaybeAuthed<S>
where
    St: Send + Sync,
    App: FromRef<St>,
    S: RequiredScope,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, ApiError> {
        match bearer(parts) {
            None => Ok(MaybeAuthed(None, PhantomData)),
            Some(_) => Authed::<S>::from_request_parts(parts, state).await.map(|a| MaybeAuthed(Some(a.0), PhantomData)),
        }
    }
}
