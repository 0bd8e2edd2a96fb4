//! Public JSON: what the wall shows, as data.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::db;
use crate::web::error::ApiResult;
use crate::web::middleware::serve;
use crate::web::AppState;

/// `GET /healthz`: the process answers and the database is reachable.
pub async fn health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state.run(|conn| Ok(db::ping(conn)?)).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ok" })))
}

/// `GET /api/v1/sponsors`: served from the published set.
pub async fn sponsors(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.sponsors))
}

/// `GET /api/v1/tiers`: served from the published set.
pub async fn tiers(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.tiers))
}

/// `GET /api/v1/summary`: served from the published set.
pub async fn summary(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.summary))
}
