//! `/api/v1/admin/pledges`: recurring pledges and their status.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::DbConn;
use crate::domain::PledgeStatus;
use crate::error::AppResult;
use crate::ledger::{self, pledges::PledgeDraft};
use crate::web::api::extract::JsonBody;
use crate::web::api::responses::{AdminListErrors, AdminWriteErrors, IdempotencyKey};
use crate::web::api::{changed, created, AdminRequest, Recorded};
use crate::web::error::ApiResult;
use crate::web::inputs::{PledgeInput, StatusInput};
use crate::web::views::{PledgeListView, PledgeView};

/// `?donor_id=&status=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PledgeQuery {
    /// Only this donor's pledges.
    #[param(schema_with = crate::web::inputs::rules::id)]
    donor_id: Option<i64>,
    /// Only pledges with this status.
    #[param(value_type = Option<PledgeStatus>)]
    status: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/pledges",
    operation_id = "listPledges",
    tag = "admin",
    summary = "List pledges",
    params(PledgeQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "List pledges", body = PledgeListView),
        AdminListErrors,
    )
)]
/// `GET /api/v1/admin/pledges?donor_id=&status=`.
pub async fn list(admin: AdminRequest, query: web::Query<PledgeQuery>) -> ApiResult<HttpResponse> {
    let status = query
        .status
        .clone()
        .map(|status| PledgeStatus::try_from(StatusInput { status }))
        .transpose()?;
    let donor_id = query
        .donor_id
        .map(|id| crate::web::inputs::rules::check_id("donor_id", id))
        .transpose()?;
    let pledges = admin
        .state
        .run(move |conn| ledger::pledges::list(conn, donor_id, status))
        .await?;
    let pledges: Vec<PledgeView> = pledges.iter().map(PledgeView::from).collect();
    Ok(HttpResponse::Ok().json(PledgeListView { pledges }))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/pledges",
    operation_id = "createPledge",
    tag = "admin",
    summary = "Record a pledge",
    request_body = PledgeInput,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Record a pledge", body = PledgeView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/pledges`.
pub async fn create(admin: AdminRequest, body: JsonBody<PledgeInput>) -> ApiResult<HttpResponse> {
    let draft = PledgeDraft::try_from((body.value, admin.currency()))?;
    admin
        .write(&body.raw, "pledge.create", move |conn| {
            let pledge = ledger::pledges::create(conn, draft)?;
            created(format!("pledge:{}", pledge.id), &PledgeView::from(&pledge))
        })
        .await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/pledges/{id}/status",
    operation_id = "changePledgeStatus",
    tag = "admin",
    summary = "Change a pledge's status (audited)",
    request_body = StatusInput,
    params(("id" = i64, Path, minimum = 1, description = "The record's id"), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Change a pledge's status (audited)", body = PledgeView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/pledges/{id}/status`.
pub async fn change_status(
    admin: AdminRequest,
    path: web::Path<i64>,
    body: JsonBody<StatusInput>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let status = PledgeStatus::try_from(body.value)?;
    admin
        .write(&body.raw, "pledge.status", move |conn| {
            status_changed(conn, id, status)
        })
        .await
}

/// Changes the pledge's status, as the write unit records it: the audit log keeps the status it
/// had. The console's status buttons record the same.
pub(crate) fn status_changed(
    conn: &mut DbConn,
    id: i64,
    status: PledgeStatus,
) -> AppResult<Recorded> {
    let (pledge, before) = ledger::pledges::change_status(conn, id, status)?;
    Ok(changed(format!("pledge:{id}"), &PledgeView::from(&pledge))?
        .with_detail(format!("{before} -> {status}")))
}
