//! `/api/v1/admin/ledger` and the money movements: donations, refunds, expenses, corrections.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{page_number, PAGE_SIZE};
use crate::db::DbConn;
use crate::domain::EntryKind;
use crate::error::{AppError, AppResult};
use crate::ledger::{self, entries::*};
use crate::web::api::extract::{ApiToken, JsonBody};
use crate::web::api::{created, write};
use crate::web::error::ApiResult;
use crate::web::inputs::{CorrectionInput, DonationInput, ExpenseInput, RefundInput};
use crate::web::views::EntryView;
use crate::web::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    kind: Option<String>,
    donor_id: Option<i64>,
    page: Option<i64>,
    /// `next_cursor` of the previous page: pages by key, as cheap at the end as at the start.
    cursor: Option<i64>,
}

/// `GET /api/v1/admin/ledger?kind=&donor_id=&page=`.
pub async fn list(
    state: web::Data<AppState>,
    _token: ApiToken,
    query: web::Query<LedgerQuery>,
) -> ApiResult<HttpResponse> {
    let kind = query
        .kind
        .as_deref()
        .map(|k| EntryKind::parse(k).map_err(|e| AppError::invalid("kind", e.to_string())))
        .transpose()?;
    let at = match (query.page, query.cursor) {
        (Some(_), Some(_)) => {
            return Err(AppError::invalid("cursor", "give either page or cursor, not both").into())
        }
        (_, Some(cursor)) if cursor < 1 => {
            return Err(AppError::invalid("cursor", "must be a next_cursor from a page").into())
        }
        (_, Some(cursor)) => PageAt::After(cursor),
        (page, None) => PageAt::Number(page_number(page)?),
    };
    let donor_id = query.donor_id;
    let page = state
        .run(move |conn| ledger::entries::list(conn, kind, donor_id, at, PAGE_SIZE))
        .await?;
    let entries: Vec<EntryView> = page.entries.iter().map(EntryView::from).collect();
    Ok(HttpResponse::Ok().json(json!({
        "entries": entries,
        "next_page": page.next_page,
        "next_cursor": page.next_cursor,
    })))
}

/// `POST /api/v1/admin/donations`.
pub async fn record_donation(
    state: web::Data<AppState>,
    token: ApiToken,
    req: HttpRequest,
    body: JsonBody<DonationInput>,
) -> ApiResult<HttpResponse> {
    let draft = DonationDraft::try_from((body.value, state.settings.currency))?;
    record(
        &state,
        token,
        &req,
        &body.raw,
        "donation.record",
        move |conn| ledger::entries::record_donation(conn, draft),
    )
    .await
}

/// `POST /api/v1/admin/refunds`: the amount defaults to what remains of the donation.
pub async fn record_refund(
    state: web::Data<AppState>,
    token: ApiToken,
    req: HttpRequest,
    body: JsonBody<RefundInput>,
) -> ApiResult<HttpResponse> {
    let draft = RefundDraft::try_from(body.value)?;
    record(
        &state,
        token,
        &req,
        &body.raw,
        "refund.record",
        move |conn| ledger::entries::record_refund(conn, draft),
    )
    .await
}

/// `POST /api/v1/admin/expenses`.
pub async fn record_expense(
    state: web::Data<AppState>,
    token: ApiToken,
    req: HttpRequest,
    body: JsonBody<ExpenseInput>,
) -> ApiResult<HttpResponse> {
    let draft = ExpenseDraft::try_from((body.value, state.settings.currency))?;
    record(
        &state,
        token,
        &req,
        &body.raw,
        "expense.record",
        move |conn| ledger::entries::record_expense(conn, draft),
    )
    .await
}

/// `POST /api/v1/admin/corrections`: reverses a mistaken entry, in full or by a signed amount.
pub async fn record_correction(
    state: web::Data<AppState>,
    token: ApiToken,
    req: HttpRequest,
    body: JsonBody<CorrectionInput>,
) -> ApiResult<HttpResponse> {
    let draft = CorrectionDraft::try_from(body.value)?;
    record(
        &state,
        token,
        &req,
        &body.raw,
        "correction.record",
        move |conn| ledger::entries::record_correction(conn, draft),
    )
    .await
}

async fn record<F>(
    state: &AppState,
    token: ApiToken,
    req: &HttpRequest,
    raw: &[u8],
    action: &'static str,
    record: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut DbConn) -> AppResult<Entry> + Send + 'static,
{
    write(state, token, req, raw, action, move |conn| {
        let entry = record(conn)?;
        created(format!("entry:{}", entry.id), &EntryView::from(&entry))
    })
    .await
}
