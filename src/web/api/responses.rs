//! The answers the OpenAPI document states for many routes at once, each set a type
//! (`#[derive(IntoResponses)]`) that a route names in its `responses(…)`, and the
//! `Idempotency-Key` header every admin write takes. [`super::super::openapi`] only lists routes.

use std::collections::BTreeMap;

use serde::Deserialize;
use utoipa::openapi::{RefOr, Response};
use utoipa::{IntoParams, IntoResponses};

use crate::web::views::ErrorView;

/// What any route may answer when the server, not the request, fails.
#[derive(IntoResponses)]
pub enum ServerErrors {
    #[response(status = 500, description = "A bug on our side; it has been logged")]
    Bug(ErrorView),
    #[response(
        status = 503,
        description = "The database is busy or unreachable; try again"
    )]
    Busy(ErrorView),
}

/// What an admin route answers without a valid API token.
#[derive(IntoResponses)]
pub enum Unauthorized {
    #[response(status = 401, description = "A valid API token is required")]
    Missing(ErrorView),
}

/// What an admin write with a JSON body answers when the request, not the server, is at fault.
#[derive(IntoResponses)]
pub enum WriteErrors {
    #[response(
        status = 400,
        description = "The body or query is not what this route takes: not JSON, not an object, a wrong type or an unknown field"
    )]
    Malformed(ErrorView),
    #[response(status = 404, description = "No such record")]
    NotFound(ErrorView),
    #[response(
        status = 409,
        description = "Conflicts with what is recorded (a taken slug, a replayed external reference, a closed pledge)"
    )]
    Conflict(ErrorView),
    #[response(status = 413, description = "The body is larger than 64 KiB")]
    TooLarge(ErrorView),
    #[response(status = 415, description = "The body is not application/json")]
    NotJson(ErrorView),
    #[response(
        status = 422,
        description = "Breaks a rule of the ledger, or an Idempotency-Key reused with another request"
    )]
    Refused(ErrorView),
}

/// What an admin list answers to a query it does not take or a page out of bounds.
#[derive(IntoResponses)]
pub enum ListErrors {
    #[response(
        status = 400,
        description = "The body or query is not what this route takes: not JSON, not an object, a wrong type or an unknown field"
    )]
    Malformed(ErrorView),
    #[response(
        status = 422,
        description = "Breaks a rule of the ledger, or an Idempotency-Key reused with another request"
    )]
    Refused(ErrorView),
}

/// Everything an admin write may answer besides its success: the request's faults, a missing
/// token, the server's faults.
pub struct AdminWriteErrors;

impl IntoResponses for AdminWriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        with_admin_faults(WriteErrors::responses())
    }
}

/// Everything an admin list may answer besides its page: a query it does not take, a missing
/// token, the server's faults.
pub struct AdminListErrors;

impl IntoResponses for AdminListErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        with_admin_faults(ListErrors::responses())
    }
}

/// A route's own faults together with those every admin route may answer.
fn with_admin_faults(
    mut faults: BTreeMap<String, RefOr<Response>>,
) -> BTreeMap<String, RefOr<Response>> {
    faults.extend(Unauthorized::responses());
    faults.extend(ServerErrors::responses());
    faults
}

/// The `Idempotency-Key` header every admin POST and PATCH takes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// Makes a write safe to retry: the same key and body answer the first response again
    /// (with `Idempotent-Replayed: true`); the same key with another request is refused with 422.
    #[param(
        rename = "Idempotency-Key",
        value_type = String,
        required = false,
        pattern = "^[!-~]{1,255}$", min_length = 1, max_length = 255)]
    #[serde(rename = "Idempotency-Key")]
    pub key: Option<String>,
}
