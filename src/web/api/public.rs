//! Public JSON: what the wall shows, as data.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::db;
use crate::web::api::responses::ServerErrors;
use crate::web::error::{ApiError, ApiResult};
use crate::web::middleware::serve;
#[allow(unused_imports)] // named by the OpenAPI annotations
use crate::web::views::{
    ErrorView, HealthView, OutboxView, PublicTiersView, SponsorsView, SummaryView, TierSponsorsView,
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
        ServerErrors,
    )
)]
/// `GET /healthz`: the process answers and the database is reachable; it also reports the
/// outbox's depth. Requests that arrive together share one probe of the database.
pub async fn health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let arrived = std::time::Instant::now();
    let outbox = state
        .health
        .check(arrived, || {
            let settings = state.settings.clone();
            state.run(move |conn| {
                db::ping(conn)?;
                crate::mail::depth(conn, &settings)
            })
        })
        .await?;
    if let Some((reason, ago)) = state.health.recent_fault() {
        return Err(ApiError::Degraded(format!(
            "requests are failing: {reason} (last {} s ago)",
            ago.as_secs()
        )));
    }
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
        ServerErrors,
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
        ServerErrors,
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
        ServerErrors,
    )
)]
/// `GET /api/v1/summary`: served from the published set.
pub async fn summary(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.summary))
}

/// `?page=N` of a tier's sponsors.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SponsorsPageQuery {
    /// The page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sponsors/{slug}",
    operation_id = "tierSponsors",
    tag = "public",
    summary = "One page of a tier's sponsors (100 a page)",
    params(("slug" = String, Path, pattern = "^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$", description = "The tier's slug"), SponsorsPageQuery),
    responses(
        (status = 200, description = "A page of the tier's sponsors", body = TierSponsorsView),
        (status = 400, description = "The query is not what this route takes", body = ErrorView),
        (status = 404, description = "No such tier, or no such page", body = ErrorView),
        ServerErrors,
    )
)]
/// `GET /api/v1/sponsors/{slug}?page=N`: a large tier's sponsors beyond the first page.
pub async fn tier_sponsors(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<SponsorsPageQuery>,
) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    let slug = path.into_inner();
    let tier = published
        .wall
        .tiers
        .iter()
        .find(|t| t.tier.slug == slug)
        .ok_or_else(|| crate::error::AppError::not_found("tier", &slug))?;
    let page = query.page.unwrap_or(1);
    let view = TierSponsorsView::new(tier, page, &state.settings.public_url)
        .ok_or_else(|| crate::error::AppError::not_found("page", page))?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            crate::web::middleware::PUBLIC_CACHE,
        ))
        .json(view))
}
