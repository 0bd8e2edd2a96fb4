//! Public JSON: what the wall shows, as data.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::public_json;
use crate::db;
use crate::ledger;
use crate::web::error::ApiResult;
use crate::web::views::{PublicTierView, SponsorsView, SummaryView};
use crate::web::AppState;

/// `GET /healthz`: the process answers and the database is reachable; it also reports the
/// outbox's depth (a backlog is worth a look, not a failed health check).
pub async fn health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let settings = state.settings.clone();
    let outbox = state
        .run(move |conn| {
            db::ping(conn)?;
            crate::mail::depth(conn, &settings)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ok", "outbox": outbox })))
}

/// `GET /api/v1/sponsors`.
pub async fn sponsors(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let wall = state.wall().await?;
    Ok(public_json(&SponsorsView::new(
        &wall,
        &state.settings.public_url,
    )))
}

/// `GET /api/v1/tiers`.
pub async fn tiers(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let tiers = state.run(|conn| ledger::tiers::list(conn, false)).await?;
    let tiers: Vec<PublicTierView> = tiers.iter().map(PublicTierView::from).collect();
    Ok(public_json(&json!({ "tiers": tiers })))
}

/// `GET /api/v1/summary`.
pub async fn summary(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let wall = state.wall().await?;
    Ok(public_json(&SummaryView::from(&*wall)))
}
