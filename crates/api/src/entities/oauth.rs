use canteen_app::oauth::{ClientApp, IssuedToken};
use serde::Serialize;

/// `Application`, with the client credentials when just created.
#[derive(Serialize)]
pub struct Application {
    pub id: String,
    pub name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub redirect_uris: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Deprecated in Mastodon but still read by older clients.
    pub vapid_key: String,
}

pub fn application_from_domain(app: &ClientApp, with_credentials: bool) -> Application {
    Application {
        id: app.id.to_string(),
        name: app.name.clone(),
        website: app.website.clone(),
        scopes: app.scopes.iter().map(String::from).collect(),
        redirect_uri: app.redirect_uris.join("\n"),
        redirect_uris: app.redirect_uris.clone(),
        client_id: with_credentials.then(|| app.client_id.clone()),
        client_secret: with_credentials.then(|| app.client_secret.clone()),
        vapid_key: String::new(),
    }
}

#[derive(Serialize)]
pub struct Token {
    pub access_token: String,
    pub token_type: &'static str,
    pub scope: String,
    pub created_at: i64,
}

pub fn token_from_domain(t: &IssuedToken) -> Token {
    Token {
        access_token: t.access_token.clone(),
        token_type: "Bearer",
        scope: t.scopes.to_string(),
        created_at: t.created_at / 1000,
    }
}
