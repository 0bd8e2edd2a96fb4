//! `/api/v1/admin/ledger` and the money movements: donations, refunds, expenses, corrections.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{page_number, PAGE_SIZE};
use crate::db::DbConn;
use crate::domain::EntryKind;
use crate::error::{AppError, AppResult};
use crate::ledger::{self, entries::*};
use crate::web::api::extract::JsonBody;
use crate::web::api::responses::{AdminListErrors, AdminWriteErrors, IdempotencyKey};
use crate::web::api::{created, AdminRequest};
use crate::web::error::ApiResult;
use crate::web::inputs::{CorrectionInput, DonationInput, ExpenseInput, RefundInput};
use crate::web::views::{EntryView, LedgerPageView};

/// `?kind=&donor_id=&page=` or `?kind=&donor_id=&cursor=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// Only entries of this kind.
    #[param(value_type = Option<EntryKind>)]
    kind: Option<String>,
    /// Only this donor's entries.
    #[param(schema_with = crate::web::inputs::rules::id)]
    donor_id: Option<i64>,
    /// Page number, from 0.
    #[param(schema_with = crate::web::inputs::rules::page)]
    page: Option<i64>,
    /// `next_cursor` of the previous page: pages by key, as cheap at the end as at the start.
    /// Not together with `page`.
    #[param(schema_with = crate::web::inputs::rules::id)]
    cursor: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/ledger",
    operation_id = "listLedger",
    tag = "admin",
    summary = "The ledger, newest first",
    params(LedgerQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ledger, newest first", body = LedgerPageView),
        AdminListErrors,
    )
)]
/// `GET /api/v1/admin/ledger?kind=&donor_id=&page=`.
pub async fn list(admin: AdminRequest, query: web::Query<LedgerQuery>) -> ApiResult<HttpResponse> {
    let kind = query
        .kind
        .as_deref()
        .map(|k| match EntryKind::parse(k) {
            Ok(kind) if kind.as_str() == k => Ok(kind),
            Ok(_) => Err(AppError::invalid(
                "kind",
                format!("“{k}” must be written exactly as listed"),
            )),
            Err(e) => Err(AppError::invalid("kind", e.to_string())),
        })
        .transpose()?;
    let at = match (query.page, query.cursor) {
        (Some(_), Some(_)) => {
            return Err(AppError::invalid("cursor", "give either page or cursor, not both").into())
        }
        (_, Some(cursor)) => PageAt::After(crate::web::inputs::rules::check_id("cursor", cursor)?),
        (page, None) => PageAt::Number(page_number(page)?),
    };
    let donor_id = query
        .donor_id
        .map(|id| crate::web::inputs::rules::check_id("donor_id", id))
        .transpose()?;
    let page = admin
        .state
        .run(move |conn| ledger::entries::list(conn, kind, donor_id, at, PAGE_SIZE))
        .await?;
    let entries: Vec<EntryView> = page.entries.iter().map(EntryView::from).collect();
    Ok(HttpResponse::Ok().json(LedgerPageView {
        entries,
        next_page: page.next_page,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/donations",
    operation_id = "recordDonation",
    tag = "admin",
    summary = "Record a donation",
    request_body = DonationInput,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Record a donation", body = EntryView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/donations`.
pub async fn record_donation(
    admin: AdminRequest,
    body: JsonBody<DonationInput>,
) -> ApiResult<HttpResponse> {
    let draft = DonationDraft::try_from((body.value, admin.currency()))?;
    record(admin, &body.raw, "donation.record", move |conn| {
        ledger::entries::record_donation(conn, draft)
    })
    .await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/refunds",
    operation_id = "recordRefund",
    tag = "admin",
    summary = "Refund (part of) a donation",
    request_body = RefundInput,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Refund (part of) a donation", body = EntryView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/refunds`: the amount defaults to what remains of the donation.
pub async fn record_refund(
    admin: AdminRequest,
    body: JsonBody<RefundInput>,
) -> ApiResult<HttpResponse> {
    let draft = RefundDraft::try_from(body.value)?;
    record(admin, &body.raw, "refund.record", move |conn| {
        ledger::entries::record_refund(conn, draft)
    })
    .await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/expenses",
    operation_id = "recordExpense",
    tag = "admin",
    summary = "Record a running cost",
    request_body = ExpenseInput,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Record a running cost", body = EntryView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/expenses`.
pub async fn record_expense(
    admin: AdminRequest,
    body: JsonBody<ExpenseInput>,
) -> ApiResult<HttpResponse> {
    let note = body.value.public_note.clone();
    let draft = ExpenseDraft::try_from((body.value, admin.currency()))?;
    record(admin, &body.raw, "expense.record", move |conn| {
        ledger::entries::record_expense_with_note(conn, draft, note.as_deref())
    })
    .await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/corrections",
    operation_id = "recordCorrection",
    tag = "admin",
    summary = "Correct a mistaken entry",
    request_body = CorrectionInput,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Correct a mistaken entry", body = EntryView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/corrections`: reverses a mistaken entry, in full or by a signed amount.
pub async fn record_correction(
    admin: AdminRequest,
    body: JsonBody<CorrectionInput>,
) -> ApiResult<HttpResponse> {
    let draft = CorrectionDraft::try_from(body.value)?;
    record(admin, &body.raw, "correction.record", move |conn| {
        ledger::entries::record_correction(conn, draft)
    })
    .await
}

/// Records an entry through the write unit and answers with it (201).
async fn record<F>(
    admin: AdminRequest,
    raw: &[u8],
    action: &'static str,
    record: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut DbConn) -> AppResult<Entry> + Send + 'static,
{
    admin
        .write(raw, action, move |conn| {
            let entry = record(conn)?;
            created(format!("entry:{}", entry.id), &EntryView::from(&entry))
        })
        .await
}
