//! The application's error type and its one mapping to HTTP.
//!
//! Rule: repository functions return `diesel::QueryResult`; services and handlers return
//! `AppResult`; `anyhow`-style catch-alls are not used on request paths. JSON routes answer
//! `{"error": {"code", "message"}}`; HTML pages wrap the same error in [`PageError`].

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::domain::{DomainError, MoneyError};

/// The result of a service or handler.
pub type AppResult<T> = Result<T, AppError>;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is well-formed but not acceptable (a bad amount, an unknown tier, …).
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// The request body is not the JSON the route expects.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with what is recorded (a replayed external reference, …).
    #[error("{0}")]
    Conflict(String),
    #[error("a valid API token is required")]
    Unauthorized,
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    #[error("the database is busy, try again")]
    Unavailable(#[source] r2d2::Error),
    #[error("database error")]
    Database(#[from] diesel::result::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// An invalid value in a named field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// A short, stable machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid",
            Self::BadRequest(_) => "bad_request",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Unauthorized => "unauthorized",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::Unavailable(_) => "unavailable",
            Self::Database(_) | Self::Internal(_) => "internal",
        }
    }

    /// The message shown to the client; internal causes are logged, never shown.
    pub fn public_message(&self) -> String {
        match self {
            Self::Invalid {
                field: Some(field),
                message,
            } => format!("{field}: {message}"),
            Self::Database(_) | Self::Internal(_) => {
                "something went wrong on our side; it has been logged".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl From<MoneyError> for AppError {
    fn from(err: MoneyError) -> Self {
        Self::Invalid {
            field: None,
            message: err.to_string(),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        Self::Invalid {
            field: None,
            message: err.to_string(),
        }
    }
}

impl From<r2d2::Error> for AppError {
    fn from(err: r2d2::Error) -> Self {
        Self::Unavailable(err)
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::Internal(err.to_string())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Invalid { .. } | Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        log_if_server_error(self);
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, Self::Unauthorized) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(json!({
            "error": { "code": self.code(), "message": self.public_message() }
        }))
    }
}

fn log_if_server_error(err: &AppError) {
    if err.status_code().is_server_error() {
        // The whole cause chain goes to the log; the client only sees the public message.
        let mut chain = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(error = %chain, "request failed");
    }
}

/// An [`AppError`] on an HTML route: rendered as a small page rather than JSON.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PageError(#[from] pub AppError);

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        log_if_server_error(&self.0);
        let status = self.status_code();
        let page = crate::web::pages::ErrorPage {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("Error"),
            message: self.0.public_message(),
        };
        match askama::Template::render(&page) {
            Ok(html) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(html),
            Err(_) => HttpResponse::build(status).body(self.0.public_message()),
        }
    }
}

impl From<r2d2::Error> for PageError {
    fn from(err: r2d2::Error) -> Self {
        Self(err.into())
    }
}

impl From<actix_web::error::BlockingError> for PageError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self(err.into())
    }
}

impl From<diesel::result::Error> for PageError {
    fn from(err: diesel::result::Error) -> Self {
        Self(err.into())
    }
}
