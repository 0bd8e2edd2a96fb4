//! `/api/v1/admin/donors`: donors, their consent, their ledger, and tier pins.

use actix_web::{web, HttpResponse};

use super::{page_number, PageQuery, PAGE_SIZE};
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::ledger::{self, donors::DonorDraft, donors::DonorUpdate};
use crate::web::api::extract::JsonBody;
use crate::web::api::responses::{
    AdminListErrors, AdminWriteErrors, IdempotencyKey, ServerErrors, Unauthorized,
};
use crate::web::api::{changed, created, AdminRequest, Recorded};
use crate::web::error::ApiResult;
use crate::web::inputs::{DonorInput, DonorPatch, PinInput};
use crate::web::views::ErrorView;
use crate::web::views::{DonorDetailView, DonorListView, DonorView, EntryView, PledgeView};

/// How many of a donor's newest entries their detail shows; the rest are a ledger page away
/// (`/api/v1/admin/ledger?donor_id=…&cursor=…`).
const DETAIL_ENTRIES: i64 = 100;

#[utoipa::path(
    get,
    path = "/api/v1/admin/donors",
    operation_id = "listDonors",
    tag = "admin",
    summary = "List donors",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "List donors", body = DonorListView),
        AdminListErrors,
    )
)]
/// `GET /api/v1/admin/donors?page=`.
pub async fn list(admin: AdminRequest, query: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let page = page_number(query.page)?;
    let donors = admin
        .state
        .run(move |conn| ledger::donors::list(conn, page, PAGE_SIZE + 1))
        .await?;
    let next_page = (donors.len() as i64 > PAGE_SIZE).then_some(page + 1);
    let donors: Vec<DonorView> = donors
        .iter()
        .take(PAGE_SIZE as usize)
        .map(DonorView::from)
        .collect();
    Ok(HttpResponse::Ok().json(DonorListView { donors, next_page }))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/donors",
    operation_id = "createDonor",
    tag = "admin",
    summary = "Create a donor",
    request_body = DonorInput,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Create a donor", body = DonorView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/donors`.
pub async fn create(admin: AdminRequest, body: JsonBody<DonorInput>) -> ApiResult<HttpResponse> {
    let draft = DonorDraft::try_from(body.value)?;
    admin
        .write(&body.raw, "donor.create", move |conn| {
            let donor = ledger::donors::create(conn, draft)?;
            created(format!("donor:{}", donor.id), &DonorView::from(&donor))
        })
        .await
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/donors/{id}",
    operation_id = "showDonor",
    tag = "admin",
    summary = "A donor with pledges, entries and standing",
    params(("id" = i64, Path, minimum = 1, description = "The record's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A donor with pledges, entries and standing", body = DonorDetailView),
        Unauthorized,
        (status = 404, description = "No such record", body = ErrorView),
        ServerErrors,
    )
)]
/// `GET /api/v1/admin/donors/{id}`: the donor with their pledges, entries and standing.
pub async fn show(admin: AdminRequest, path: web::Path<i64>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let currency = admin.currency();
    let view = admin
        .state
        .run(move |conn| {
            let donor = ledger::donors::find(conn, id)?;
            let pledges = ledger::pledges::list(conn, Some(id), None)?;
            let entries = ledger::entries::list(
                conn,
                None,
                Some(id),
                ledger::entries::PageAt::Number(0),
                DETAIL_ENTRIES,
            )?;
            let standing = ledger::wall::standing(conn, &donor, &pledges, currency, db::now())?;
            Ok(DonorDetailView {
                donor: DonorView::from(&donor),
                monthly_support: standing.monthly_support.into(),
                tier_id: standing.tier_id,
                pledges: pledges.iter().map(PledgeView::from).collect(),
                entries: entries.entries.iter().map(EntryView::from).collect(),
                entries_next_cursor: entries.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    patch,
    path = "/api/v1/admin/donors/{id}",
    operation_id = "updateDonor",
    tag = "admin",
    summary = "Update a donor's details or consent",
    request_body = DonorPatch,
    params(("id" = i64, Path, minimum = 1, description = "The record's id"), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Update a donor's details or consent", body = DonorView),
        AdminWriteErrors,
    )
)]
/// `PATCH /api/v1/admin/donors/{id}`: details and consent.
pub async fn update(
    admin: AdminRequest,
    path: web::Path<i64>,
    body: JsonBody<DonorPatch>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let update = DonorUpdate::try_from(body.value)?;
    admin
        .write(&body.raw, "donor.update", move |conn| {
            let donor = ledger::donors::update(conn, id, update)?;
            changed(format!("donor:{id}"), &DonorView::from(&donor))
        })
        .await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/donors/{id}/pin",
    operation_id = "pinDonor",
    tag = "admin",
    summary = "Pin a donor to a tier, or unpin them (audited)",
    request_body = PinInput,
    params(("id" = i64, Path, minimum = 1, description = "The record's id"), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Pin a donor to a tier, or unpin them (audited)", body = DonorView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/donors/{id}/pin`: pin a tier (or `"tier_id": null` to unpin).
pub async fn pin(
    admin: AdminRequest,
    path: web::Path<i64>,
    body: JsonBody<PinInput>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let (tier_id, reason) = crate::web::inputs::pin(body.value)?;
    admin
        .write(&body.raw, "donor.pin_tier", move |conn| {
            pinned(conn, id, tier_id, &reason)
        })
        .await
}

/// Pins the donor to a tier (or unpins them), as the write unit records it: the audit log keeps
/// the reason. The console's pin form records the same.
pub(crate) fn pinned(
    conn: &mut DbConn,
    id: i64,
    tier_id: Option<i64>,
    reason: &str,
) -> AppResult<Recorded> {
    let donor = ledger::donors::pin_tier(conn, id, tier_id, reason)?;
    let detail = match tier_id {
        Some(tier_id) => format!("pinned to tier {tier_id}: {}", reason.trim()),
        None => format!("pin removed: {}", reason.trim()),
    };
    Ok(changed(format!("donor:{id}"), &DonorView::from(&donor))?.with_detail(detail))
}
