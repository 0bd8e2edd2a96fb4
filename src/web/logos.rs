//! `GET /logos/{hash}.png`: donors' logos from the database. The name is the hash of the bytes,
//! so an answer never changes and may be cached for a year.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::ledger::logos;
use crate::web::error::PageError;
use crate::web::AppState;

/// A stored file never changes under its name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `GET /logos/{file}`.
pub async fn serve(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let file = path.into_inner();
    let hash = logos::hash_of_path(&format!("{}{file}", logos::URL_PREFIX))
        .ok_or_else(|| AppError::not_found("logo", &file))?
        .to_owned();
    let etag = format!("\"{hash}\"");
    let revalidating = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let lookup = hash.clone();
    let logo = state
        .run(move |conn| logos::find(conn, &lookup))
        .await?
        .ok_or_else(|| AppError::not_found("logo", &file))?;
    if revalidating {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(logo.content_type.as_str())
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, IMMUTABLE))
        .body(logo.bytes))
}
