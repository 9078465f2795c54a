//! `/api/v1/timelines/*`, `/api/v1/favourites`, `/api/v1/bookmarks`.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::Response;
use canteen_app::App;
use canteen_app::timelines::{self, Kind, Source};
use canteen_app::viewer::Viewer;
use canteen_app::views::StatusView;
use serde::Deserialize;

use crate::auth::{Authed, MaybeAuthed, ReadBookmarks, ReadFavourites, ReadStatuses};
use crate::entities::status::status_from_domain;
use crate::error::ApiResult;
use crate::pagination::{PageParams, paged};
use crate::params::{Params, lenient};

pub(crate) fn page_of(
    app: &App,
    uri: &axum::http::Uri,
    views: &[StatusView],
    me: Option<canteen_domain::Id>,
) -> Response {
    let items: Vec<_> = views.iter().map(|v| status_from_domain(&app.config.public_url, v, me)).collect();
    let newest = views.first().map(|v| v.status.id.0);
    let oldest = views.last().map(|v| v.status.id.0);
    paged(items, &app.config.public_url, uri, newest, oldest)
}

/// `GET /api/v1/timelines/home`.
pub async fn home(
    State(app): State<App>,
    auth: Authed<ReadStatuses>,
    OriginalUri(uri): OriginalUri,
    Query(p): Query<PageParams>,
) -> ApiResult<Response> {
    let views = timelines::home(&app, &auth, p.page()).await?;
    Ok(page_of(&app, &uri, &views, auth.account.as_ref().map(|a| a.id)))
}

#[derive(Deserialize, Default)]
pub struct PublicParams {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    remote: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    only_media: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    any: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    all: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string_list")]
    none: Option<Vec<String>>,
}

fn tags(list: Option<Vec<String>>) -> Vec<String> {
    list.unwrap_or_default()
        .iter()
        .map(|t| t.trim_start_matches('#').to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

async fn read(
    app: &App,
    auth: Option<&canteen_app::auth::Auth>,
    source: Source,
    page: canteen_app::timelines::Page,
    only_media: bool,
) -> ApiResult<Vec<StatusView>> {
    let viewer = Viewer::load(app, auth.and_then(|a| a.account.as_ref())).await?;
    Ok(timelines::read(app, &viewer, &source, page, only_media).await?)
}

/// `GET /api/v1/timelines/public`. Remote posts arrive with federation: `remote` answers
/// empty until then rather than ignoring the filter.
pub async fn public(
    State(app): State<App>,
    auth: MaybeAuthed<ReadStatuses>,
    OriginalUri(uri): OriginalUri,
    Query(p): Query<PublicParams>,
) -> ApiResult<Response> {
    let only_media = p.only_media.unwrap_or(false);
    let views = if p.remote.unwrap_or(false) {
        Vec::new()
    } else {
        read(&app, auth.0.as_ref(), Source::Public { local: p.local.unwrap_or(false) }, p.page.page(), only_media)
            .await?
    };
    Ok(page_of(&app, &uri, &views, auth.0.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.id)))
}

/// `GET /api/v1/timelines/tag/:hashtag`.
pub async fn tag(
    State(app): State<App>,
    auth: MaybeAuthed<ReadStatuses>,
    OriginalUri(uri): OriginalUri,
    Path(tag): Path<String>,
    Params(p): Params<PublicParams>,
) -> ApiResult<Response> {
    let only_media = p.only_media.unwrap_or(false);
    let views = if p.remote.unwrap_or(false) {
        Vec::new()
    } else {
        let source = Source::Tag {
            tag: tag.trim_start_matches('#').to_lowercase(),
            any: tags(p.any),
            all: tags(p.all),
            none: tags(p.none),
        };
        read(&app, auth.0.as_ref(), source, p.page.page(), only_media).await?
    };
    Ok(page_of(&app, &uri, &views, auth.0.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.id)))
}

async fn marked(
    app: &App,
    auth: &canteen_app::auth::Auth,
    uri: &axum::http::Uri,
    kind: Kind,
    p: PageParams,
) -> ApiResult<Response> {
    let (views, cursor) = timelines::marked(app, auth, kind, p.page()).await?;
    let items: Vec<_> = views
        .iter()
        .map(|v| status_from_domain(&app.config.public_url, v, auth.account.as_ref().map(|a| a.id)))
        .collect();
    Ok(paged(items, &app.config.public_url, uri, cursor.map(|c| c.0), cursor.map(|c| c.1)))
}

/// `GET /api/v1/favourites`.
pub async fn favourites(
    State(app): State<App>,
    auth: Authed<ReadFavourites>,
    OriginalUri(uri): OriginalUri,
    Query(p): Query<PageParams>,
) -> ApiResult<Response> {
    marked(&app, &auth, &uri, Kind::Favourite, p).await
}

/// `GET /api/v1/bookmarks`.
pub async fn bookmarks(
    State(app): State<App>,
    auth: Authed<ReadBookmarks>,
    OriginalUri(uri): OriginalUri,
    Query(p): Query<PageParams>,
) -> ApiResult<Response> {
    marked(&app, &auth, &uri, Kind::Bookmark, p).await
}
