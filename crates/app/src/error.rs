use canteen_domain::validation::Invalid;
use canteen_store::StoreError;
use thiserror::Error;

/// What went wrong, in terms a front door can show. The message of every variant but
/// `Internal` is safe for clients; `Internal` is logged and replaced by a generic message.
#[derive(Debug, Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    /// No, or an unusable, credential.
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The input is larger than this server accepts.
    #[error("{0}")]
    TooLarge(String),
    /// One or more fields broke a rule.
    #[error("Validation failed: {}", .0.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join(", "))]
    Invalid(Vec<Invalid>),
    /// Understood but refused (Mastodon's 422 without field details).
    #[error("{0}")]
    Unprocessable(String),
    /// An OAuth error as RFC 6749 names it (`invalid_grant`, …), with its HTTP status.
    #[error("{error}: {description}")]
    OAuth { status: u16, error: &'static str, description: String },
    /// The guard refused the text; `report` is its report as JSON, for the client.
    #[error("{message}")]
    Guard { message: String, report: serde_json::Value },
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(i: Invalid) -> AppError {
        AppError::Invalid(vec![i])
    }

    pub fn oauth(status: u16, error: &'static str, description: impl Into<String>) -> AppError {
        AppError::OAuth { status, error, description: description.into() }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => AppError::Unprocessable(format!("Already exists ({what})")),
            other => AppError::Internal(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;
