//! The error of the services below the web layer: what went wrong, with the data to say so.
//!
//! Rule: repository functions (`db`) return `diesel::QueryResult`; services (`ledger`, `demo`)
//! return [`AppResult`]. Nothing here knows HTTP: `web::error` alone maps these to a status, a
//! JSON body or an HTML page.

use crate::domain::{DomainError, MoneyError};

/// The result of a service.
pub type AppResult<T> = Result<T, AppError>;

/// Everything a service can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is well-formed but breaks a rule (a bad amount, an unknown tier, …).
    #[error("{}", invalid_message(.field, .message))]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// The thing a request names does not exist.
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// The request conflicts with what is recorded (a replayed external reference, a final state).
    #[error("{0}")]
    Conflict(String),
    /// No live API token matched.
    #[error("a valid API token is required")]
    Unauthenticated,
    /// An `Idempotency-Key` came back with a different request.
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    /// No connection could be had in time.
    #[error("the database is busy, try again")]
    Unavailable(#[source] r2d2::Error),
    /// The database refused or failed; never the user's fault.
    #[error("database error")]
    Database(#[source] diesel::result::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

fn invalid_message(field: &Option<String>, message: &str) -> String {
    match field {
        Some(field) => format!("{field}: {message}"),
        None => message.to_owned(),
    }
}

impl AppError {
    /// An invalid value in a named field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// A missing record of some kind.
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// A reference in the input that names nothing is the input's fault: it becomes an invalid
    /// `field`. Every other error (a database failure above all) passes through unchanged.
    pub fn missing_reference(self, field: &str) -> Self {
        match self {
            Self::NotFound { what, id } => Self::invalid(field, format!("there is no {what} {id}")),
            other => other,
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &err {
            // Two writers raced for the same unique value: the loser conflicts, it is not broken.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let what = info
                    .constraint_name()
                    .map(str::to_owned)
                    .unwrap_or_else(|| info.message().to_owned());
                Self::Conflict(format!("this is already recorded ({what})"))
            }
            _ => Self::Database(err),
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
