//! `/api/v1/admin/tiers`: sponsor tiers.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::ledger::{self, tiers::TierDraft, tiers::TierUpdate};
use crate::web::api::extract::{JsonBody, RawBody};
use crate::web::api::responses::{AdminWriteErrors, IdempotencyKey, ServerErrors, Unauthorized};
use crate::web::api::{changed, created, AdminRequest};
use crate::web::error::ApiResult;
use crate::web::inputs::{TierInput, TierPatch};
use crate::web::views::ErrorView;
use crate::web::views::{TierListView, TierView};

/// `?include_archived=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IncludeArchived {
    /// Include archived tiers.
    include_archived: Option<bool>,
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tiers",
    operation_id = "listTiers",
    tag = "admin",
    summary = "List tiers",
    params(IncludeArchived),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "List tiers", body = TierListView),
        (status = 400, description = "The body or query is not what this route takes: not JSON, not an object, a wrong type or an unknown field", body = ErrorView),
        Unauthorized,
        ServerErrors,
    )
)]
/// `GET /api/v1/admin/tiers?include_archived=true`.
pub async fn list(
    admin: AdminRequest,
    query: web::Query<IncludeArchived>,
) -> ApiResult<HttpResponse> {
    let include = query.include_archived.unwrap_or(false);
    let tiers = admin
        .state
        .run(move |conn| ledger::tiers::list(conn, include))
        .await?;
    let tiers: Vec<TierView> = tiers.iter().map(TierView::from).collect();
    Ok(HttpResponse::Ok().json(TierListView { tiers }))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tiers",
    operation_id = "createTier",
    tag = "admin",
    summary = "Create a tier",
    request_body = TierInput,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Create a tier", body = TierView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/tiers`.
pub async fn create(admin: AdminRequest, body: JsonBody<TierInput>) -> ApiResult<HttpResponse> {
    let draft = TierDraft::try_from((body.value, admin.currency()))?;
    admin
        .write(&body.raw, "tier.create", move |conn| {
            let tier = ledger::tiers::create(conn, draft)?;
            created(format!("tier:{}", tier.id), &TierView::from(&tier))
        })
        .await
}

#[utoipa::path(
    patch,
    path = "/api/v1/admin/tiers/{id}",
    operation_id = "updateTier",
    tag = "admin",
    summary = "Update a tier",
    request_body = TierPatch,
    params(("id" = i64, Path, minimum = 1, description = "The record's id"), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Update a tier", body = TierView),
        AdminWriteErrors,
    )
)]
/// `PATCH /api/v1/admin/tiers/{id}`.
pub async fn update(
    admin: AdminRequest,
    path: web::Path<i64>,
    body: JsonBody<TierPatch>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let update = TierUpdate::try_from((body.value, admin.currency()))?;
    admin
        .write(&body.raw, "tier.update", move |conn| {
            let tier = ledger::tiers::update(conn, id, update)?;
            changed(format!("tier:{id}"), &TierView::from(&tier))
        })
        .await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tiers/{id}/archive",
    operation_id = "archiveTier",
    tag = "admin",
    summary = "Archive a tier",
    params(("id" = i64, Path, minimum = 1, description = "The record's id"), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Archive a tier", body = TierView),
        Unauthorized,
        (status = 404, description = "No such record", body = ErrorView),
        (status = 409, description = "Conflicts with what is recorded (a taken slug, a replayed external reference, a closed pledge)", body = ErrorView),
        (status = 413, description = "The body is larger than 64 KiB", body = ErrorView),
        (status = 422, description = "Breaks a rule of the ledger, or an Idempotency-Key reused with another request", body = ErrorView),
        ServerErrors,
    )
)]
/// `POST /api/v1/admin/tiers/{id}/archive`.
pub async fn archive(
    admin: AdminRequest,
    path: web::Path<i64>,
    body: RawBody,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    admin
        .write(&body.0, "tier.archive", move |conn| {
            let tier = ledger::tiers::archive(conn, id)?;
            changed(format!("tier:{id}"), &TierView::from(&tier))
        })
        .await
}
