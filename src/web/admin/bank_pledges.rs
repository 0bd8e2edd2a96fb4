//! `/admin/pledges/pending`: bank transfers promised on the donation page (when Stripe is not
//! configured), for the treasurer to confirm when the money arrives, or dismiss.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::forms::WriteForm;
use super::session::Console;
use super::{act, donor_or, render, Ctx};
use crate::error::AppResult;
use crate::ledger::payments::{self, Intent};
use crate::ledger::write::Recorded;
use crate::web::api::changed;
use crate::web::error::PageError;
use crate::web::AppState;

/// The pending bank pledges.
#[derive(Template)]
#[template(path = "admin/bank_pledges.html")]
pub struct BankPledgesPage {
    pub ctx: Ctx,
    pub intents: Vec<Intent>,
}

/// `GET /admin/pledges/pending`.
pub async fn list(state: web::Data<AppState>, console: Console) -> Result<HttpResponse, PageError> {
    let intents = state
        .run(|conn| payments::pending_bank_pledges(conn, 200))
        .await?;
    render(
        StatusCode::OK,
        &BankPledgesPage {
            ctx: Ctx::new(&console, "pledges"),
            intents,
        },
    )
}

/// `POST /admin/pledges/pending/{id}/confirm`: the transfer arrived.
pub async fn confirm(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let change: AppResult<_> = Ok(move |conn: &mut crate::db::DbConn| {
        let confirmed = payments::confirm_bank_pledge(conn, id)?;
        Ok(Recorded {
            status: 200,
            body: serde_json::json!({"intent": id, "donor_id": confirmed.donor_id,
                "pledge_id": confirmed.pledge_id, "entry_id": confirmed.entry_id}),
            subject: format!("donation-intent:{id}"),
            detail: None,
        })
    });
    act(
        &state,
        &form.console,
        "bank_pledge.confirm",
        change,
        |body| donor_or(body, "/admin/pledges/pending"),
    )
    .await
}

/// `POST /admin/pledges/pending/{id}/dismiss`: no transfer came.
pub async fn dismiss(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let change: AppResult<_> = Ok(move |conn: &mut crate::db::DbConn| {
        payments::dismiss_bank_pledge(conn, id)?;
        changed(
            format!("donation-intent:{id}"),
            &serde_json::json!({"intent": id, "status": "dismissed"}),
        )
    });
    act(&state, &form.console, "bank_pledge.dismiss", change, |_| {
        "/admin/pledges/pending".to_owned()
    })
    .await
}
