//! `/api/v1/preferences`.

use axum::Json;
use serde_json::{Value, json};

use crate::auth::{Authed, ReadAccounts};
use crate::error::ApiResult;

pub async fn show(auth: Authed<ReadAccounts>) -> ApiResult<Json<Value>> {
    let (_, me) = auth.signed_in()?;
    Ok(Json(json!({
        "posting:default:visibility": me.privacy.default_visibility.as_str(),
        "posting:default:sensitive": me.default_sensitive,
        "posting:default:language": me.default_language,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
    })))
}
