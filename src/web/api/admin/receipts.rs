//! `/api/v1/admin/receipts/{number}`: view a receipt or credit note, and send it again (same
//! number, same snapshot).

use actix_web::{web, HttpResponse};

use crate::db::DbConn;
use crate::error::AppResult;
use crate::ledger::receipts::{self, Receipt};
use crate::mail::render::{self, Instance};
use crate::web::api::extract::RawBody;
use crate::web::api::responses::{IdempotencyKey, ServerErrors, Unauthorized};
use crate::web::api::{accepted, AdminRequest};
use crate::web::error::ApiResult;
#[allow(unused_imports)] // named by the OpenAPI annotations
use crate::web::views::ErrorView;
use crate::web::views::{rfc3339, DeliveryView, MoneyView, ReceiptView, RenderedView};
use crate::web::AppState;

fn view(conn: &mut DbConn, instance: &Instance, receipt: Receipt) -> AppResult<ReceiptView> {
    let deliveries = receipts::deliveries(conn, &receipt.number)?;
    let instance = instance.current(conn)?;
    // The treasurer's copy carries no donor's link: it would let the reader act as the donor.
    let mail = render::receipt(&instance, &receipt.snapshot, None)?;
    Ok(ReceiptView {
        kind: receipt.kind.as_str(),
        year: receipt.year,
        sequence: receipt.sequence,
        entry_id: receipt.entry_id,
        donor_id: receipt.donor_id,
        corrects_receipt: receipt.corrects_receipt.clone(),
        locale: receipt.snapshot.lang.tag(),
        amount: MoneyView::from(receipt.snapshot.amount()?),
        date: receipt.snapshot.date.to_string(),
        created_at: rfc3339(receipt.created_at),
        message: Some(RenderedView {
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
        }),
        deliveries: deliveries.iter().map(DeliveryView::from).collect(),
        number: receipt.number,
        snapshot: receipt.snapshot,
    })
}

fn instance(state: &AppState) -> Instance {
    Instance {
        name: state.settings.instance_name.clone(),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/receipts/{number}",
    operation_id = "showReceipt",
    tag = "admin",
    summary = "A receipt or credit note, as sent, with its deliveries",
    params(("number" = String, Path, pattern = "^[0-9]{4}-[0-9]{6}$", description = "The receipt number, e.g. 2026-000042")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The receipt", body = ReceiptView),
        Unauthorized,
        (status = 404, description = "No such record", body = ErrorView),
        ServerErrors,
    )
)]
/// `GET /api/v1/admin/receipts/{number}`.
pub async fn show(admin: AdminRequest, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let number = path.into_inner();
    let instance = instance(&admin.state);
    let view = admin
        .state
        .run(move |conn| {
            let receipt = receipts::find(conn, &number)?;
            view(conn, &instance, receipt)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/receipts/{number}/resend",
    operation_id = "resendReceipt",
    tag = "admin",
    summary = "Send a receipt again: same number, same snapshot",
    params(("number" = String, Path, pattern = "^[0-9]{4}-[0-9]{6}$", description = "The receipt number, e.g. 2026-000042"), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued again", body = ReceiptView),
        Unauthorized,
        (status = 404, description = "No such record", body = ErrorView),
        (status = 409, description = "Conflicts with what is recorded (the donor has no email)", body = ErrorView),
        (status = 413, description = "The body is larger than 64 KiB", body = ErrorView),
        (status = 422, description = "An Idempotency-Key reused with another request", body = ErrorView),
        ServerErrors,
    )
)]
/// `POST /api/v1/admin/receipts/{number}/resend`: queues the same document again for the
/// donor's current address; `202 Accepted` with the receipt and its deliveries.
pub async fn resend(
    admin: AdminRequest,
    path: web::Path<String>,
    body: RawBody,
) -> ApiResult<HttpResponse> {
    let number = path.into_inner();
    let instance = instance(&admin.state);
    admin
        .write(&body.0, "receipt.resend", move |conn| {
            let receipt = receipts::resend(conn, &number)?;
            let view = view(conn, &instance, receipt)?;
            Ok(accepted(format!("receipt:{number}"), &view)?
                .with_detail(format!("receipt {number} queued again")))
        })
        .await
}
