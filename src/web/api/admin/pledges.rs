//! `/api/v1/admin/pledges`: recurring pledges and their status.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::PledgeStatus;
use crate::error::AppError;
use crate::ledger::{self, pledges::PledgeDraft};
use crate::web::api::extract::{ApiToken, JsonBody};
use crate::web::api::{changed, created, write};
use crate::web::error::ApiResult;
use crate::web::inputs::{PledgeInput, StatusInput};
use crate::web::views::PledgeView;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeQuery {
    donor_id: Option<i64>,
    status: Option<String>,
}

/// `GET /api/v1/admin/pledges?donor_id=&status=`.
pub async fn list(
    state: web::Data<AppState>,
    _token: ApiToken,
    query: web::Query<PledgeQuery>,
) -> ApiResult<HttpResponse> {
    let status = query
        .status
        .as_deref()
        .map(|s| PledgeStatus::parse(s).map_err(|e| AppError::invalid("status", e.to_string())))
        .transpose()?;
    let donor_id = query.donor_id;
    let pledges = state
        .run(move |conn| ledger::pledges::list(conn, donor_id, status))
        .await?;
    let pledges: Vec<PledgeView> = pledges.iter().map(PledgeView::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "pledges": pledges })))
}

/// `POST /api/v1/admin/pledges`.
pub async fn create(
    state: web::Data<AppState>,
    token: ApiToken,
    req: HttpRequest,
    body: JsonBody<PledgeInput>,
) -> ApiResult<HttpResponse> {
    let draft = PledgeDraft::try_from((body.value, state.settings.currency))?;
    write(
        &state,
        token,
        &req,
        &body.raw,
        "pledge.create",
        move |conn| {
            let pledge = ledger::pledges::create(conn, draft)?;
            created(format!("pledge:{}", pledge.id), &PledgeView::from(&pledge))
        },
    )
    .await
}

/// `POST /api/v1/admin/pledges/{id}/status`.
pub async fn change_status(
    state: web::Data<AppState>,
    token: ApiToken,
    req: HttpRequest,
    path: web::Path<i64>,
    body: JsonBody<StatusInput>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let status = PledgeStatus::try_from(body.value)?;
    write(
        &state,
        token,
        &req,
        &body.raw,
        "pledge.status",
        move |conn| {
            let (pledge, before) = ledger::pledges::change_status(conn, id, status)?;
            let mut recorded = changed(format!("pledge:{id}"), &PledgeView::from(&pledge))?;
            recorded.detail = Some(format!("{before} -> {status}"));
            Ok(recorded)
        },
    )
    .await
}
