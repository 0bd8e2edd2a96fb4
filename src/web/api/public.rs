//! Public JSON: what the wall shows, as data.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::db;
use crate::web::error::ApiResult;
use crate::web::middleware::serve;
#[allow(unused_imports)] // named by the OpenAPI annotations
use crate::web::views::{
    ErrorView, HealthView, OutboxView, PublicTiersView, SponsorsView, SummaryView,
};
use crate::web::AppState;

#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health",
    tag = "public",
    summary = "Liveness and database check",
    responses(
        (status = 200, description = "Healthy", body = HealthView),
        (status = 500, description = "A bug on our side; it has been logged", body = ErrorView),
        (status = 503, description = "The database is busy or unreachable; try again", body = ErrorView),
    )
)]
/// `GET /healthz`: the process answers and the database is reachable; it also reports the
/// outbox's depth.
pub async fn health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let settings = state.settings.clone();
    let outbox = state
        .run(move |conn| {
            db::ping(conn)?;
            crate::mail::depth(conn, &settings)
        })
        .await?;
    Ok(HttpResponse::Ok().json(HealthView {
        status: "ok",
        outbox: OutboxView {
            queued: outbox.queued,
            failed: outbox.failed,
            transport: outbox.transport,
        },
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/sponsors",
    operation_id = "sponsors",
    tag = "public",
    summary = "Sponsors by tier, with only consented fields",
    responses(
        (status = 200, description = "Sponsors by tier, with only consented fields", body = SponsorsView),
        (status = 500, description = "A bug on our side; it has been logged", body = ErrorView),
        (status = 503, description = "The database is busy or unreachable; try again", body = ErrorView),
    )
)]
/// `GET /api/v1/sponsors`: served from the published set.
pub async fn sponsors(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.sponsors))
}

#[utoipa::path(
    get,
    path = "/api/v1/tiers",
    operation_id = "publicTiers",
    tag = "public",
    summary = "Current sponsor tiers",
    responses(
        (status = 200, description = "Current sponsor tiers", body = PublicTiersView),
        (status = 500, description = "A bug on our side; it has been logged", body = ErrorView),
        (status = 503, description = "The database is busy or unreachable; try again", body = ErrorView),
    )
)]
/// `GET /api/v1/tiers`: served from the published set.
pub async fn tiers(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.tiers))
}

#[utoipa::path(
    get,
    path = "/api/v1/summary",
    operation_id = "summary",
    tag = "public",
    summary = "Recurring support against the monthly goal",
    responses(
        (status = 200, description = "Recurring support against the monthly goal", body = SummaryView),
        (status = 500, description = "A bug on our side; it has been logged", body = ErrorView),
        (status = 503, description = "The database is busy or unreachable; try again", body = ErrorView),
    )
)]
/// `GET /api/v1/summary`: served from the published set.
pub async fn summary(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.summary))
}
