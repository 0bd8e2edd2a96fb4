//! Webhooks from payment providers: `POST /webhooks/stripe`.
//!
//! A delivery is verified on its raw body, read into a ledger fact (fetching from Stripe's API
//! what the payload lacks), and applied once. The answer tells Stripe what to do: 2xx for
//! applied, duplicate or ignored events; 400 for a bad signature (nothing written); 5xx when the
//! database or Stripe's API failed, so that Stripe delivers it again.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::ledger::payments::{self, EventOutcome, STRIPE};
use crate::payments::stripe;
use crate::web::api::extract::RawBody;
use crate::web::api::responses::ServerErrors;
use crate::web::error::{ApiError, ApiResult};
use crate::web::views::ErrorView;
use crate::web::AppState;

/// What Coffer did with a webhook delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookReceipt {
    /// The event's id.
    pub event: String,
    /// `applied`, `duplicate` (seen before: nothing changed) or `ignored` (not Coffer's).
    #[schema(pattern = "^(applied|duplicate|ignored)$")]
    pub outcome: &'static str,
}

#[utoipa::path(
    post,
    path = "/webhooks/stripe",
    operation_id = "stripeWebhook",
    tag = "public",
    summary = "Stripe's events (signed with Stripe-Signature), each applied once",
    request_body(content = Object, content_type = "application/json", description = "A Stripe event, as Stripe sends it"),
    params(("Stripe-Signature" = String, Header, description = "Stripe's signature: t=…,v1=…")),
    responses(
        (status = 200, description = "Applied, a duplicate, or an event Coffer ignores", body = WebhookReceipt),
        (status = 400, description = "A missing, bad or stale signature, or an unreadable event; nothing written", body = ErrorView),
        (status = 404, description = "Stripe is not configured on this instance", body = ErrorView),
        (status = 413, description = "The body is larger than 64 KiB", body = ErrorView),
        ServerErrors,
    )
)]
/// `POST /webhooks/stripe`.
pub async fn stripe(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: RawBody,
) -> ApiResult<HttpResponse> {
    let Some(secret) = state.settings.stripe_webhook_secret.clone() else {
        return Err(AppError::not_found("Stripe webhook endpoint", "(not configured)").into());
    };
    let signature = req
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok());
    let event = stripe::verify(&body.0, signature, &secret).map_err(|e| {
        tracing::warn!("refused a Stripe webhook: {e}");
        ApiError::BadRequest(e.to_string())
    })?;
    let id = event.id.clone();
    let seen = {
        let id = id.clone();
        state
            .run(move |conn| payments::is_processed(conn, STRIPE, &id))
            .await?
    };
    if seen {
        return Ok(receipt(id, EventOutcome::Duplicate));
    }
    let fact = stripe::to_fact(state.stripe.as_deref(), &event)
        .await
        .map_err(|e| ApiError::Internal(format!("event {id}: {e}")))?;
    let writes = state.writes.clone();
    let outcome = state
        .run(move |conn| payments::apply_event(conn, &writes, &fact))
        .await
        .inspect_err(|e| tracing::warn!(event = %id, "a Stripe event was not applied: {e}"))?;
    Ok(receipt(id, outcome))
}

fn receipt(event: String, outcome: EventOutcome) -> HttpResponse {
    HttpResponse::Ok().json(WebhookReceipt {
        event,
        outcome: match outcome {
            EventOutcome::Applied => "applied",
            EventOutcome::Duplicate => "duplicate",
            EventOutcome::Ignored => "ignored",
        },
    })
}
