//! `/api/v1/admin/tiers`: sponsor tiers.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::ledger::{self, tiers::TierDraft, tiers::TierUpdate};
use crate::web::api::extract::{ApiToken, JsonBody, RawBody};
use crate::web::api::{changed, created, write};
use crate::web::error::ApiResult;
use crate::web::inputs::{TierInput, TierPatch};
use crate::web::views::TierView;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncludeArchived {
    include_archived: Option<bool>,
}

/// `GET /api/v1/admin/tiers?include_archived=true`.
pub async fn list(
    state: web::Data<AppState>,
    _token: ApiToken,
    query: web::Query<IncludeArchived>,
) -> ApiResult<HttpResponse> {
    let include = query.include_archived.unwrap_or(false);
    let tiers = state
        .run(move |conn| ledger::tiers::list(conn, include))
        .await?;
    let tiers: Vec<TierView> = tiers.iter().map(TierView::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "tiers": tiers })))
}

/// `POST /api/v1/admin/tiers`.
pub async fn create(
    state: web::Data<AppState>,
    token: ApiToken,
    req: HttpRequest,
    body: JsonBody<TierInput>,
) -> ApiResult<HttpResponse> {
    let draft = TierDraft::try_from((body.value, state.settings.currency))?;
    write(&state, token, &req, &body.raw, "tier.create", move |conn| {
        let tier = ledger::tiers::create(conn, draft)?;
        created(format!("tier:{}", tier.id), &TierView::from(&tier))
    })
    .await
}

/// `PATCH /api/v1/admin/tiers/{id}`.
pub async fn update(
    state: web::Data<AppState>,
    token: ApiToken,
    req: HttpRequest,
    path: web::Path<i64>,
    body: JsonBody<TierPatch>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let update = TierUpdate::try_from((body.value, state.settings.currency))?;
    write(&state, token, &req, &body.raw, "tier.update", move |conn| {
        let tier = ledger::tiers::update(conn, id, update)?;
        changed(format!("tier:{id}"), &TierView::from(&tier))
    })
    .await
}

/// `POST /api/v1/admin/tiers/{id}/archive`.
pub async fn archive(
    state: web::Data<AppState>,
    token: ApiToken,
    req: HttpRequest,
    path: web::Path<i64>,
    body: RawBody,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    write(&state, token, &req, &body.0, "tier.archive", move |conn| {
        let tier = ledger::tiers::archive(conn, id)?;
        changed(format!("tier:{id}"), &TierView::from(&tier))
    })
    .await
}
