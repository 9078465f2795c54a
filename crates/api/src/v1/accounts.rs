//! `/api/v1/accounts/*`.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::Response;
use canteen_app::accounts::{self, ProfileUpdate};
use canteen_app::follows;
use canteen_app::oauth::issue_token;
use canteen_app::timelines::{self, Source};
use canteen_app::viewer::Viewer;
use canteen_app::{App, AppError};
use canteen_domain::Id;
use canteen_domain::account::{AccountKind, FieldVisibility, PostVisibility, PrivacyPreset, ProfileField, ProfileMode};
use canteen_domain::validation::Invalid;
use serde::Deserialize;

use crate::auth::{
    AnyScope, Authed, MaybeAuthed, ProfileOrReadAccounts, ReadAccounts, ReadFollows, ReadStatuses, WriteAccounts,
    WriteBlocks, WriteFollows, WriteMutes,
};
use crate::entities::account::{
    Account, CredentialAccount, Relationship, account_from_domain, credential_account_from_domain, relationship_none,
    with_stats,
};
use crate::entities::oauth::{Token, token_from_domain};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{PageParams, paged};
use crate::params::{Params, ParamsWithFiles, lenient};

pub(crate) fn parse_id(s: &str) -> ApiResult<Id> {
    Id::parse(s).ok_or_else(|| ApiError(AppError::NotFound("Record not found".into())))
}

#[derive(Deserialize)]
pub struct Register {
    username: String,
    email: String,
    password: String,
    #[serde(default, deserialize_with = "lenient::bool")]
    agreement: bool,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/accounts`: sign up with an app token; answers with the new login's token.
pub async fn create(
    State(app): State<App>,
    auth: Authed<AnyScope>,
    Params(p): Params<Register>,
) -> ApiResult<Json<Token>> {
    if auth.user.is_some() {
        return Err(ApiError(AppError::Forbidden("Already signed in: sign-up needs an app token".into())));
    }
    auth.require("write:accounts")?;
    let (user, account) =
        accounts::register(&app, &p.username, &p.email, &p.password, p.agreement, p.locale, p.reason).await?;
    let token = issue_token(&app, app.store.writer(), auth.app_id, Some((&user, &account)), &auth.scopes).await?;
    Ok(Json(token_from_domain(&token)))
}

/// `GET /api/v1/accounts/verify_credentials`.
pub async fn verify_credentials(
    State(app): State<App>,
    auth: Authed<ProfileOrReadAccounts>,
) -> ApiResult<Json<CredentialAccount>> {
    let (user, me) = auth.signed_in()?;
    let mut out = credential_account_from_domain(&app.config.public_url, me, user.role);
    out.account = with_stats(out.account, accounts::stats(&app, Some(me.id), me).await?);
    out.source.follow_requests_count = follows::pending_count(&app, me.id).await?;
    Ok(Json(out))
}

/// A profile entity with its counters, as `viewer` may see them.
pub(crate) async fn profile(
    app: &App,
    auth: Option<&canteen_app::auth::Auth>,
    account: &canteen_domain::account::Account,
    viewer: canteen_domain::audience::Viewer,
) -> ApiResult<Account> {
    let me = auth.and_then(|a| a.account.as_ref()).map(|a| a.id);
    let stats = accounts::stats(app, me, account).await?;
    Ok(with_stats(account_from_domain(&app.config.public_url, account, viewer), stats))
}

#[derive(Deserialize, Default)]
struct SourceParams {
    #[serde(default)]
    privacy: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    sensitive: Option<bool>,
    #[serde(default)]
    language: Option<String>,
}

#[derive(Deserialize, Default)]
struct CanteenParams {
    #[serde(default)]
    profile_mode: Option<String>,
    /// `person`, `organization` or `group`.
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    privacy_preset: Option<String>,
    #[serde(default)]
    job_title: Option<String>,
    #[serde(default)]
    profession: Option<String>,
    #[serde(default)]
    employer: Option<String>,
    #[serde(default)]
    seniority: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    job_title_visibility: Option<String>,
    #[serde(default)]
    profession_visibility: Option<String>,
    #[serde(default)]
    employer_visibility: Option<String>,
    #[serde(default)]
    seniority_visibility: Option<String>,
    #[serde(default)]
    location_visibility: Option<String>,
}

#[derive(Deserialize)]
struct FieldParam {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    value: Option<String>,
}

#[derive(Deserialize)]
pub struct UpdateCredentials {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    locked: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    bot: Option<bool>,
    /// Mastodon's: the account is a group.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    group: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    discoverable: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    indexable: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    hide_collections: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    fields_attributes: Option<Vec<FieldParam>>,
    #[serde(default)]
    source: Option<SourceParams>,
    #[serde(default)]
    canteen: Option<CanteenParams>,
}

fn choice<T>(
    field: &'static str,
    value: Option<String>,
    parse: fn(&str) -> Option<T>,
    choices: String,
    problems: &mut Vec<Invalid>,
) -> Option<T> {
    let v = value?;
    match parse(&v) {
        Some(t) => Some(t),
        None => {
            problems.push(Invalid::new(field, "ERR_INCLUSION", format!("`{v}` is not one of: {choices}")));
            None
        }
    }
}

/// Turns wire parameters into the app's update, collecting every bad choice at once.
fn profile_update_from_params(p: UpdateCredentials) -> ApiResult<ProfileUpdate> {
    let mut bad = Vec::new();
    let source = p.source.unwrap_or_default();
    let c = p.canteen.unwrap_or_default();
    let vis = |f, v, bad: &mut Vec<Invalid>| choice(f, v, FieldVisibility::parse, FieldVisibility::choices(), bad);
    let up = ProfileUpdate {
        display_name: p.display_name,
        note: p.note,
        locked: p.locked,
        bot: p.bot,
        discoverable: p.discoverable,
        indexable: p.indexable,
        hide_collections: p.hide_collections,
        fields: p.fields_attributes.map(|fs| {
            fs.into_iter()
                .map(|f| ProfileField { name: f.name.unwrap_or_default(), value: f.value.unwrap_or_default() })
                .collect()
        }),
        default_visibility: choice(
            "source[privacy]",
            source.privacy,
            PostVisibility::parse,
            PostVisibility::choices(),
            &mut bad,
        ),
        default_sensitive: source.sensitive,
        default_language: source.language,
        profile_mode: choice(
            "canteen[profile_mode]",
            c.profile_mode,
            ProfileMode::parse,
            ProfileMode::choices(),
            &mut bad,
        ),
        // Canteen's own `canteen[kind]` wins over Mastodon's `group` flag.
        kind: choice("canteen[kind]", c.kind, AccountKind::parse, AccountKind::choices(), &mut bad)
            .or(p.group.map(|g| if g { AccountKind::Group } else { AccountKind::Person })),
        privacy_preset: choice(
            "canteen[privacy_preset]",
            c.privacy_preset,
            PrivacyPreset::parse,
            PrivacyPreset::choices(),
            &mut bad,
        ),
        job_title: c.job_title,
        profession: c.profession,
        employer: c.employer,
        seniority: c.seniority,
        location: c.location,
        job_title_visibility: vis("canteen[job_title_visibility]", c.job_title_visibility, &mut bad),
        profession_visibility: vis("canteen[profession_visibility]", c.profession_visibility, &mut bad),
        employer_visibility: vis("canteen[employer_visibility]", c.employer_visibility, &mut bad),
        seniority_visibility: vis("canteen[seniority_visibility]", c.seniority_visibility, &mut bad),
        location_visibility: vis("canteen[location_visibility]", c.location_visibility, &mut bad),
        avatar_url: None,
        header_url: None,
    };
    if bad.is_empty() { Ok(up) } else { Err(ApiError(AppError::Invalid(bad))) }
}

/// `PATCH /api/v1/accounts/update_credentials`.
pub async fn update_credentials(
    State(app): State<App>,
    auth: Authed<WriteAccounts>,
    ParamsWithFiles(p, files): ParamsWithFiles<UpdateCredentials>,
) -> ApiResult<Json<CredentialAccount>> {
    let (user, _) = auth.signed_in()?;
    let role = user.role;
    let mut update = profile_update_from_params(p)?;
    for (name, bytes) in files {
        let url = match name.as_str() {
            "avatar" | "header" => canteen_app::media::profile_image(&app, &auth, bytes).await?,
            _ => continue,
        };
        if name == "avatar" {
            update.avatar_url = Some(url);
        } else {
            update.header_url = Some(url);
        }
    }
    let updated = accounts::update_profile(&app, &auth, update).await?;
    Ok(Json(credential_account_from_domain(&app.config.public_url, &updated, role)))
}

/// `GET /api/v1/accounts/:id`.
pub async fn show(
    State(app): State<App>,
    auth: MaybeAuthed<ReadAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Account>> {
    let (account, viewer) = accounts::get(&app, auth.0.as_ref(), parse_id(&id)?).await?;
    Ok(Json(profile(&app, auth.0.as_ref(), &account, viewer).await?))
}

#[derive(Deserialize)]
pub struct Lookup {
    acct: Option<String>,
}

/// `GET /api/v1/accounts/lookup?acct=`.
pub async fn lookup(
    State(app): State<App>,
    auth: MaybeAuthed<ReadAccounts>,
    Query(q): Query<Lookup>,
) -> ApiResult<Json<Account>> {
    let acct = q
        .acct
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::bad_request("Param is missing or the value is empty: acct"))?;
    let (account, viewer) = accounts::lookup(&app, auth.0.as_ref(), &acct).await?;
    Ok(Json(profile(&app, auth.0.as_ref(), &account, viewer).await?))
}

#[derive(Deserialize)]
pub struct Relationships {
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    id: Option<Vec<String>>,
}

/// Mastodon's `Relationship`.
pub type RelationshipJson = Relationship;

pub fn relationship_json(r: follows::Relationship) -> Relationship {
    let mut out = relationship_none(r.id);
    out.following = r.following;
    out.showing_reblogs = r.showing_reblogs;
    out.notifying = r.notifying;
    out.followed_by = r.followed_by;
    out.blocking = r.blocking;
    out.blocked_by = r.blocked_by;
    out.muting = r.muting;
    out.muting_notifications = r.muting_notifications;
    out.requested = r.requested;
    out.requested_by = r.requested_by;
    out.endorsed = r.endorsed;
    out.note = r.note;
    out
}

#[derive(Deserialize)]
pub struct NoteParams {
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /api/v1/accounts/:id/note`.
pub async fn note(
    State(app): State<App>,
    auth: Authed<WriteAccounts>,
    Path(id): Path<String>,
    Params(p): Params<NoteParams>,
) -> ApiResult<Json<Relationship>> {
    let r = canteen_app::extras::set_note(&app, &auth, parse_id(&id)?, p.comment.as_deref().unwrap_or("")).await?;
    Ok(Json(relationship_json(r)))
}

/// `POST /api/v1/accounts/:id/pin` (feature on one's profile).
pub async fn endorse(
    State(app): State<App>,
    auth: Authed<WriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(relationship_json(canteen_app::extras::endorse(&app, &auth, parse_id(&id)?, true).await?)))
}

/// `POST /api/v1/accounts/:id/unpin`.
pub async fn unendorse(
    State(app): State<App>,
    auth: Authed<WriteAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(relationship_json(canteen_app::extras::endorse(&app, &auth, parse_id(&id)?, false).await?)))
}

/// `GET /api/v1/endorsements`.
pub async fn my_endorsements(State(app): State<App>, auth: Authed<ReadAccounts>) -> ApiResult<Json<Vec<Account>>> {
    let (_, me) = auth.signed_in()?;
    let list = canteen_app::extras::endorsements(&app, Some(me.id), me.id).await?;
    Ok(Json(
        list.iter()
            .map(|a| account_from_domain(&app.config.public_url, a, canteen_domain::audience::Viewer::Stranger))
            .collect(),
    ))
}

/// `GET /api/v1/accounts/:id/endorsements`.
pub async fn endorsements(
    State(app): State<App>,
    auth: MaybeAuthed<ReadAccounts>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Account>>> {
    let me = auth.0.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.id);
    let list = canteen_app::extras::endorsements(&app, me, parse_id(&id)?).await?;
    Ok(Json(
        list.iter()
            .map(|a| account_from_domain(&app.config.public_url, a, canteen_domain::audience::Viewer::Stranger))
            .collect(),
    ))
}

/// `GET /api/v1/accounts/relationships?id[]=`.
pub async fn relationships(
    State(app): State<App>,
    auth: Authed<ReadFollows>,
    Params(p): Params<Relationships>,
) -> ApiResult<Json<Vec<Relationship>>> {
    let (_, me) = auth.signed_in()?;
    let me = me.id;
    let ids: Vec<Id> = p.id.unwrap_or_default().iter().filter_map(|s| Id::parse(s)).collect();
    let found = accounts::visible_ids(&app, Some(&auth), &ids).await?;
    let mut out = Vec::with_capacity(found.len());
    for id in found {
        out.push(relationship_json(follows::relationship(&app, me, id).await?));
    }
    Ok(Json(out))
}

#[derive(Deserialize, Default)]
pub struct FollowParams {
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    reblogs: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    notify: Option<bool>,
}

/// `POST /api/v1/accounts/:id/follow`.
pub async fn follow(
    State(app): State<App>,
    auth: Authed<WriteFollows>,
    Path(id): Path<String>,
    Params(p): Params<FollowParams>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(relationship_json(follows::follow(&app, &auth, parse_id(&id)?, p.reblogs, p.notify).await?)))
}

/// `POST /api/v1/accounts/:id/unfollow`.
pub async fn unfollow(
    State(app): State<App>,
    auth: Authed<WriteFollows>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(relationship_json(follows::unfollow(&app, &auth, parse_id(&id)?).await?)))
}

/// `POST /api/v1/accounts/:id/remove_from_followers`.
pub async fn remove_from_followers(
    State(app): State<App>,
    auth: Authed<WriteFollows>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(relationship_json(follows::remove_follower(&app, &auth, parse_id(&id)?).await?)))
}

/// `POST /api/v1/accounts/:id/block`.
pub async fn block(
    State(app): State<App>,
    auth: Authed<WriteBlocks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(relationship_json(follows::block(&app, &auth, parse_id(&id)?).await?)))
}

/// `POST /api/v1/accounts/:id/unblock`.
pub async fn unblock(
    State(app): State<App>,
    auth: Authed<WriteBlocks>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(relationship_json(follows::unblock(&app, &auth, parse_id(&id)?).await?)))
}

#[derive(Deserialize, Default)]
pub struct MuteParams {
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    notifications: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    duration: Option<String>,
}

/// `POST /api/v1/accounts/:id/mute`.
pub async fn mute(
    State(app): State<App>,
    auth: Authed<WriteMutes>,
    Path(id): Path<String>,
    Params(p): Params<MuteParams>,
) -> ApiResult<Json<Relationship>> {
    let duration = match p.duration.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(d.parse::<i64>().map_err(|_| {
            ApiError(AppError::invalid(Invalid::new(
                "duration",
                "ERR_INVALID",
                "Duration must be a number of seconds (0 for indefinite)",
            )))
        })?),
    };
    Ok(Json(relationship_json(
        follows::mute(&app, &auth, parse_id(&id)?, p.notifications.unwrap_or(true), duration).await?,
    )))
}

/// `POST /api/v1/accounts/:id/unmute`.
pub async fn unmute(
    State(app): State<App>,
    auth: Authed<WriteMutes>,
    Path(id): Path<String>,
) -> ApiResult<Json<Relationship>> {
    Ok(Json(relationship_json(follows::unmute(&app, &auth, parse_id(&id)?).await?)))
}

/// `GET /api/v1/accounts/:id/followers` and `/following`.
async fn collection(
    app: &App,
    auth: Option<&canteen_app::auth::Auth>,
    uri: &axum::http::Uri,
    id: &str,
    followers: bool,
    p: PageParams,
) -> ApiResult<Response> {
    let page = p.accounts_page();
    let rows = follows::collection(app, auth, parse_id(id)?, followers, page.max_id, page.limit).await?;
    let items: Vec<Account> = rows
        .iter()
        .map(|(_, a)| account_from_domain(&app.config.public_url, a, canteen_domain::audience::Viewer::Stranger))
        .collect();
    Ok(paged(items, &app.config.public_url, uri, rows.first().map(|r| r.0), rows.last().map(|r| r.0)))
}

pub async fn followers(
    State(app): State<App>,
    auth: MaybeAuthed<ReadAccounts>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    Query(p): Query<PageParams>,
) -> ApiResult<Response> {
    collection(&app, auth.0.as_ref(), &uri, &id, true, p).await
}

pub async fn following(
    State(app): State<App>,
    auth: MaybeAuthed<ReadAccounts>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    Query(p): Query<PageParams>,
) -> ApiResult<Response> {
    collection(&app, auth.0.as_ref(), &uri, &id, false, p).await
}

#[derive(Deserialize, Default)]
pub struct AccountStatusesParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pinned: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    exclude_replies: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    exclude_reblogs: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    only_media: Option<bool>,
    #[serde(default)]
    tagged: Option<String>,
}

/// `GET /api/v1/accounts/:id/statuses`.
pub async fn statuses(
    State(app): State<App>,
    auth: MaybeAuthed<ReadStatuses>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    Query(p): Query<AccountStatusesParams>,
) -> ApiResult<Response> {
    let (account, _) = accounts::get(&app, auth.0.as_ref(), parse_id(&id)?).await?;
    let me = auth.0.as_ref().and_then(|a| a.account.as_ref());
    let viewer = Viewer::load(&app, me).await?;
    let source = Source::Account {
        id: account.id,
        pinned: p.pinned.unwrap_or(false),
        exclude_replies: p.exclude_replies.unwrap_or(false),
        exclude_reblogs: p.exclude_reblogs.unwrap_or(false),
        tagged: p.tagged.as_deref().map(|t| t.trim_start_matches('#').to_lowercase()).filter(|t| !t.is_empty()),
    };
    let views = timelines::read(&app, &viewer, &source, p.page.page(), p.only_media.unwrap_or(false)).await?;
    Ok(crate::v1::timelines::page_of(&app, &uri, &views, me.map(|a| a.id)))
}
