//! The JSON API: public facts and the treasurer's admin API.

pub mod admin;
pub mod auth;
pub mod public;

use actix_web::http::header;
use actix_web::HttpResponse;
use serde::Serialize;

/// A JSON answer that caches for a minute: public facts change slowly and walls get linked.
pub(crate) fn public_json<T: Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .json(value)
}
