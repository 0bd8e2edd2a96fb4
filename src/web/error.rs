//! The web layer's errors and their one mapping to HTTP: a status, a stable code and a message,
//! as the JSON error shape on the API and as a small page on HTML routes.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use serde_json::json;

use crate::error::AppError;

/// Where the console sends whoever is not signed in.
pub const SIGN_IN_PATH: &str = "/admin/login";

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

/// Everything a request can fail with: a service's error, or one of HTTP's own.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),
    /// The body is not the JSON the route expects (syntax, shape, types, unknown fields).
    #[error("{0}")]
    BadRequest(String),
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the body must be application/json (got {0})")]
    UnsupportedMediaType(String),
    #[error("{method} is not allowed here; use {allow}")]
    MethodNotAllowed { method: String, allow: String },
    /// Signed in, but not allowed to do this (a viewer writing, a form without a valid CSRF token).
    #[error("{0}")]
    Forbidden(String),
    /// The console needs a signed-in account: pages answer with a redirect to the sign-in form.
    #[error("please sign in")]
    SignInRequired,
    /// Too many tries; the client may try again after this many seconds.
    #[error("too many attempts; try again in {retry_after} seconds")]
    TooManyRequests { retry_after: u64 },
    #[error("internal error: {0}")]
    Internal(String),
    /// The process answers but cannot do its work (e.g. recent writes failed on a full disk).
    #[error("{0}")]
    Degraded(String),
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::Internal(err.to_string())
    }
}

impl ApiError {
    /// A short, stable machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::App(err) => match err {
                AppError::Invalid { .. } => "invalid",
                AppError::NotFound { .. } => "not_found",
                AppError::Conflict(_) => "conflict",
                AppError::Unauthenticated => "unauthorized",
                AppError::IdempotencyKeyReused => "idempotency_key_reused",
                AppError::Unavailable(_) => "unavailable",
                AppError::Database(err) if is_transient(err) => "unavailable",
                AppError::Database(_) | AppError::Internal(_) => "internal",
            },
            Self::BadRequest(_) => "bad_request",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::Forbidden(_) => "forbidden",
            Self::SignInRequired => "sign_in_required",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Internal(_) => "internal",
            Self::Degraded(_) => "unavailable",
        }
    }

    /// The message shown to the client; internal causes are logged, never shown.
    pub fn public_message(&self) -> String {
        if let Self::Degraded(message) = self {
            return message.clone();
        }
        if self.status_code().is_server_error() {
            return match self.code() {
                "unavailable" => format!(
                    "the service is unavailable for a moment ({}); nothing was recorded, try again",
                    self.unavailable_reason()
                ),
                _ => "something went wrong on our side; it has been logged".to_owned(),
            };
        }
        self.to_string()
    }

    /// For a 503, what keeps the service from answering, in an operator's words.
    pub fn fault(&self) -> Option<&'static str> {
        (self.code() == "unavailable" && !matches!(self, Self::Degraded(_)))
            .then(|| self.unavailable_reason())
    }

    /// What keeps the service from answering, in an operator's words (no internals).
    fn unavailable_reason(&self) -> &'static str {
        let message = match self {
            Self::App(AppError::Database(diesel::result::Error::DatabaseError(_, info))) => {
                info.message().to_owned()
            }
            Self::App(AppError::Unavailable(err)) => err.to_string(),
            _ => String::new(),
        };
        if message.contains("full") || message.contains("No space left") {
            "the database's disk is full"
        } else if message.contains("locked") || message.contains("deadlock") {
            "the database is busy"
        } else if matches!(self, Self::App(AppError::Unavailable(_))) {
            "the database cannot be reached or has no free connection"
        } else if message.contains("serializ") || message.contains("concurrent") {
            "the database is busy"
        } else {
            "the database cannot be reached"
        }
    }

    fn log_if_server_error(&self) {
        if !self.status_code().is_server_error() {
            return;
        }
        // The whole cause chain goes to the log; the client only sees the public message.
        let mut chain = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !chain.ends_with(&text) {
                chain.push_str(": ");
                chain.push_str(&text);
            }
            source = cause.source();
        }
        tracing::error!(error = %chain, "request failed");
    }
}

/// A failure that goes away when the client tries again, or once the operator has fixed the
/// machine: a serialisation conflict or a deadlock broken by the database, a full disk, a
/// database that cannot be reached or is restarting. 503 with `Retry-After`, so that clients and
/// Stripe retry; nothing was written.
fn is_transient(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    const TRANSIENT_MESSAGES: [&str; 14] = [
        "deadlock",
        // SQLite
        "database or disk is full",
        "disk I/O error",
        "database is locked",
        "unable to open database file",
        // PostgreSQL, and libpq when the server went away
        "No space left on device",
        "could not extend file",
        "server closed the connection",
        "terminating connection",
        "no connection to the server",
        "could not receive data",
        "could not send data",
        "the database system is",
        "connection to server",
    ];
    match err {
        Error::DatabaseError(
            DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::ClosedConnection,
            _,
        ) => true,
        Error::DatabaseError(_, info) => {
            let message = info.message();
            TRANSIENT_MESSAGES.iter().any(|m| message.contains(m))
        }
        _ => false,
    }
}

/// Seconds a client is asked to wait before retrying an unavailable service.
const RETRY_UNAVAILABLE_SECONDS: &str = "2";

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::App(err) => match err {
                AppError::Invalid { .. } | AppError::IdempotencyKeyReused => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                AppError::NotFound { .. } => StatusCode::NOT_FOUND,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
                AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Database(err) if is_transient(err) => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::SignInRequired => StatusCode::SEE_OTHER,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Degraded(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log_if_server_error();
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::App(AppError::Unauthenticated) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.clone()));
            }
            Self::SignInRequired => {
                response.insert_header((header::LOCATION, SIGN_IN_PATH));
            }
            Self::TooManyRequests { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ if self.code() == "unavailable" => {
                response.insert_header((header::RETRY_AFTER, RETRY_UNAVAILABLE_SECONDS));
            }
            _ => {}
        }
        response
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({
                "error": { "code": self.code(), "message": self.public_message() }
            }))
    }
}

/// An [`ApiError`] on an HTML route: rendered as a small page rather than JSON.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PageError(#[from] pub ApiError);

impl From<AppError> for PageError {
    fn from(err: AppError) -> Self {
        Self(err.into())
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log_if_server_error();
        let status = self.status_code();
        let page = ErrorPage {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("Error"),
            message: self.0.public_message(),
        };
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        match &self.0 {
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.clone()));
            }
            ApiError::SignInRequired => {
                return response
                    .insert_header((header::LOCATION, SIGN_IN_PATH))
                    .finish();
            }
            ApiError::TooManyRequests { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ if self.0.code() == "unavailable" => {
                response.insert_header((header::RETRY_AFTER, RETRY_UNAVAILABLE_SECONDS));
            }
            _ => {}
        }
        match askama::Template::render(&page) {
            Ok(html) => response.content_type("text/html; charset=utf-8").body(html),
            Err(_) => response.body(self.0.public_message()),
        }
    }
}

/// A small page for errors on HTML routes.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub reason: &'static str,
    pub message: String,
}
