//! Stripe's webhook events: verified on the raw body, then read into the ledger's facts, with
//! what a payload does not carry fetched from the API.

use serde_json::Value;

use super::{Api, ApiError, INTENT_KEY};
use crate::domain::{Interval, PledgeStatus};
use crate::ledger::payments::{
    ExternalEvent, Fee, PaymentDetails, PaymentFact, RefundFact, STRIPE,
};

/// A webhook delivery whose signature matched: its id, type, time and object.
#[derive(Debug, Clone)]
pub struct VerifiedEvent {
    pub id: String,
    pub kind: String,
    /// Unix seconds.
    pub created: i64,
    object: Value,
}

/// Why a delivery was refused (answered 400, nothing written).
#[derive(Debug, thiserror::Error)]
pub enum WebhookRejection {
    #[error("the Stripe-Signature header is missing")]
    MissingSignature,
    #[error("the signature does not match: {0}")]
    BadSignature(String),
    #[error("the event could not be read: {0}")]
    Malformed(String),
}

/// Verifies a delivery with Stripe's scheme (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 of
/// `"{t}.{body}"` with the endpoint's secret, any of several `v1` signatures, 300 s tolerance)
/// and reads its envelope.
///
/// The SDK checks the signature and the time before it parses; its typed parse wants every
/// field of the pinned version, so a `BadParse` after a good signature is accepted here and the
/// event is read leniently: only the fields Coffer uses matter.
pub fn verify(
    body: &[u8],
    signature: Option<&str>,
    secret: &str,
) -> Result<VerifiedEvent, WebhookRejection> {
    let signature = signature.ok_or(WebhookRejection::MissingSignature)?;
    let payload = std::str::from_utf8(body)
        .map_err(|_| WebhookRejection::Malformed("the body is not UTF-8".to_owned()))?;
    match stripe_webhook::Webhook::construct_event(payload, signature, secret) {
        Ok(_) | Err(stripe_webhook::WebhookError::BadParse(_)) => {}
        Err(err) => return Err(WebhookRejection::BadSignature(err.to_string())),
    }
    let event: Value =
        serde_json::from_str(payload).map_err(|e| WebhookRejection::Malformed(e.to_string()))?;
    let text = |name: &str| {
        event
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| WebhookRejection::Malformed(format!("no “{name}”")))
    };
    Ok(VerifiedEvent {
        id: text("id")?,
        kind: text("type")?,
        created: event
            .get("created")
            .and_then(Value::as_i64)
            .ok_or_else(|| WebhookRejection::Malformed("no “created”".to_owned()))?,
        object: event
            .pointer("/data/object")
            .cloned()
            .ok_or_else(|| WebhookRejection::Malformed("no “data.object”".to_owned()))?,
    })
}

/// Reads a verified event into what it means for the ledger, fetching through the API what the
/// payload does not carry (an invoice's payment and fee, a charge's refunds).
pub async fn to_fact(api: Option<&Api>, event: &VerifiedEvent) -> Result<ExternalEvent, ApiError> {
    let object = &event.object;
    let fact = match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            checkout_completed(api, object).await?
        }
        "checkout.session.async_payment_failed" => match intent_of(object) {
            Some(intent) => PaymentFact::CheckoutFailed { intent },
            None => PaymentFact::Ignored,
        },
        "invoice.paid" => invoice_paid(api, object).await?,
        "invoice.payment_failed" => match subscription_of_invoice(object) {
            Some((subscription, intent)) => PaymentFact::SubscriptionState {
                intent,
                subscription,
                status: Some(PledgeStatus::PastDue),
                amount: None,
                currency: None,
                interval: None,
            },
            None => PaymentFact::Ignored,
        },
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            subscription_state(object, event.kind == "customer.subscription.deleted")
        }
        "charge.refunded" => match id_of(object.get("payment_intent")) {
            Some(payment_intent) => match api {
                Some(api) => PaymentFact::Refunds(refunds_of(api, &payment_intent).await?),
                None => PaymentFact::Ignored,
            },
            None => PaymentFact::Ignored,
        },
        "refund.created" | "refund.updated" => match refund(object) {
            Some(refund) => PaymentFact::Refunds(vec![refund]),
            None => PaymentFact::Ignored,
        },
        _ => PaymentFact::Ignored,
    };
    Ok(ExternalEvent {
        source: STRIPE,
        id: event.id.clone(),
        kind: event.kind.clone(),
        created: event.created,
        fact,
    })
}

async fn checkout_completed(api: Option<&Api>, session: &Value) -> Result<PaymentFact, ApiError> {
    let Some(intent) = intent_of(session) else {
        return Ok(PaymentFact::Ignored);
    };
    match str_at(session, "/mode").as_deref() {
        Some("subscription") => Ok(match id_of(session.get("subscription")) {
            Some(subscription) => PaymentFact::SubscriptionStarted {
                intent,
                subscription,
            },
            None => PaymentFact::Ignored,
        }),
        Some("payment") if str_at(session, "/payment_status").as_deref() == Some("paid") => {
            let (Some(payment_intent), Some(amount), Some(currency)) = (
                id_of(session.get("payment_intent")),
                session.get("amount_total").and_then(Value::as_i64),
                str_at(session, "/currency"),
            ) else {
                return Ok(PaymentFact::Ignored);
            };
            let payment = payment_details(api, &payment_intent).await?;
            Ok(PaymentFact::GiftPaid {
                intent,
                payment,
                amount,
                currency,
            })
        }
        // Not paid yet (a delayed payment method): `async_payment_succeeded` follows.
        _ => Ok(PaymentFact::Ignored),
    }
}

async fn invoice_paid(api: Option<&Api>, invoice: &Value) -> Result<PaymentFact, ApiError> {
    let (Some((subscription, intent)), Some(id), Some(amount), Some(currency)) = (
        subscription_of_invoice(invoice),
        str_at(invoice, "/id"),
        invoice.get("amount_paid").and_then(Value::as_i64),
        str_at(invoice, "/currency"),
    ) else {
        return Ok(PaymentFact::Ignored);
    };
    let paid_at = invoice
        .pointer("/status_transitions/paid_at")
        .and_then(Value::as_i64)
        .or_else(|| invoice.get("created").and_then(Value::as_i64))
        .unwrap_or_default();
    let payment = match api {
        Some(api) if amount > 0 => {
            // The invoice does not name its payment; its invoice payments do.
            let payments = api
                .get(
                    "/invoice_payments",
                    &[("invoice", id.as_str()), ("limit", "10")],
                )
                .await?;
            let paid = payments
                .get("data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|p| str_at(p, "/status").as_deref() == Some("paid"))
                .find_map(|p| id_of(p.pointer("/payment/payment_intent")));
            match paid {
                Some(payment_intent) => Some(payment_details(Some(api), &payment_intent).await?),
                None => None,
            }
        }
        _ => None,
    };
    Ok(PaymentFact::InvoicePaid {
        intent,
        subscription,
        invoice: id,
        amount,
        currency,
        paid_at,
        payment,
    })
}

/// The payment intent and, when its charge has settled, Stripe's fee from its balance
/// transaction.
async fn payment_details(
    api: Option<&Api>,
    payment_intent: &str,
) -> Result<PaymentDetails, ApiError> {
    let fee = match api {
        Some(api) if super::is_stripe_id(payment_intent, "pi_") => {
            let intent = api
                .get(
                    &format!("/payment_intents/{payment_intent}"),
                    &[("expand[]", "latest_charge.balance_transaction")],
                )
                .await?;
            let transaction = intent.pointer("/latest_charge/balance_transaction");
            match (
                transaction.and_then(|t| str_at(t, "/id")),
                transaction
                    .and_then(|t| t.get("fee"))
                    .and_then(Value::as_i64),
                transaction.and_then(|t| str_at(t, "/currency")),
            ) {
                (Some(reference), Some(amount), Some(currency)) => Some(Fee {
                    reference,
                    amount,
                    currency: currency.to_uppercase(),
                }),
                _ => None,
            }
        }
        _ => None,
    };
    Ok(PaymentDetails {
        payment_intent: payment_intent.to_owned(),
        fee,
    })
}

/// Every refund of a payment: a `charge.refunded` event does not list them.
async fn refunds_of(api: &Api, payment_intent: &str) -> Result<Vec<RefundFact>, ApiError> {
    let list = api
        .get(
            "/refunds",
            &[("payment_intent", payment_intent), ("limit", "100")],
        )
        .await?;
    Ok(list
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(refund)
        .collect())
}

/// A refund that moved money (or is on its way); failed and cancelled ones did not.
fn refund(object: &Value) -> Option<RefundFact> {
    let status = str_at(object, "/status")?;
    if status != "succeeded" && status != "pending" {
        return None;
    }
    Some(RefundFact {
        refund_id: str_at(object, "/id")?,
        payment_intent: id_of(object.get("payment_intent"))?,
        amount: object.get("amount").and_then(Value::as_i64)?,
        currency: str_at(object, "/currency")?,
        created: object.get("created").and_then(Value::as_i64)?,
    })
}

fn subscription_state(subscription: &Value, deleted: bool) -> PaymentFact {
    let Some(id) = str_at(subscription, "/id") else {
        return PaymentFact::Ignored;
    };
    let status = if deleted {
        Some(PledgeStatus::Cancelled)
    } else {
        match str_at(subscription, "/status").as_deref() {
            Some("active" | "trialing") => Some(PledgeStatus::Active),
            Some("past_due" | "unpaid") => Some(PledgeStatus::PastDue),
            Some("paused") => Some(PledgeStatus::Paused),
            Some("canceled" | "incomplete_expired") => Some(PledgeStatus::Cancelled),
            _ => None,
        }
    };
    // Coffer's pledges have one price: the first item's, times its quantity.
    let item = subscription.pointer("/items/data/0");
    let price = item.and_then(|i| i.get("price"));
    let quantity = item
        .and_then(|i| i.get("quantity"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let interval = price
        .filter(|p| {
            p.pointer("/recurring/interval_count")
                .and_then(Value::as_i64)
                .unwrap_or(1)
                == 1
        })
        .and_then(|p| str_at(p, "/recurring/interval"))
        .and_then(|i| Interval::parse(&i).ok());
    let amount = price
        .and_then(|p| p.get("unit_amount"))
        .and_then(Value::as_i64)
        .and_then(|a| a.checked_mul(quantity))
        .filter(|_| interval.is_some());
    PaymentFact::SubscriptionState {
        intent: subscription
            .pointer(&format!("/metadata/{INTENT_KEY}"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        subscription: id,
        status,
        amount,
        currency: price.and_then(|p| str_at(p, "/currency")),
        interval,
    }
}

/// An invoice's subscription and the intent in its metadata (`parent.subscription_details`).
fn subscription_of_invoice(invoice: &Value) -> Option<(String, Option<String>)> {
    let details = invoice.pointer("/parent/subscription_details")?;
    let subscription = id_of(details.get("subscription"))?;
    let intent = details
        .pointer(&format!("/metadata/{INTENT_KEY}"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some((subscription, intent))
}

/// The donation intent a Checkout Session was made for.
fn intent_of(session: &Value) -> Option<String> {
    session
        .pointer(&format!("/metadata/{INTENT_KEY}"))
        .and_then(Value::as_str)
        .or_else(|| session.get("client_reference_id").and_then(Value::as_str))
        .map(str::to_owned)
}

/// An id, whether the field holds it or an expanded object.
fn id_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(id) => Some(id.clone()),
        Value::Object(object) => object.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn str_at(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(payload: &str, secret: &str, t: i64) -> String {
        stripe_webhook::Webhook::generate_test_header(payload, secret, Some(t))
    }

    const BODY: &str = r#"{"id":"evt_1","object":"event","type":"some.thing","created":1,
        "livemode":false,"pending_webhooks":1,"data":{"object":{"id":"x_1"}}}"#;

    #[test]
    fn a_good_signature_is_accepted_even_when_the_sdk_cannot_type_the_object() {
        let now = chrono::Utc::now().timestamp();
        let event = verify(
            BODY.as_bytes(),
            Some(&sign(BODY, "whsec_a", now)),
            "whsec_a",
        )
        .expect("verified");
        assert_eq!(event.id, "evt_1");
        assert_eq!(event.kind, "some.thing");
    }

    #[test]
    fn bad_stale_or_missing_signatures_are_refused() {
        let now = chrono::Utc::now().timestamp();
        assert!(verify(
            BODY.as_bytes(),
            Some(&sign(BODY, "whsec_b", now)),
            "whsec_a"
        )
        .is_err());
        assert!(verify(
            BODY.as_bytes(),
            Some(&sign(BODY, "whsec_a", now - 301)),
            "whsec_a"
        )
        .is_err());
        assert!(verify(BODY.as_bytes(), None, "whsec_a").is_err());
        let tampered = BODY.replace("evt_1", "evt_2");
        assert!(verify(
            tampered.as_bytes(),
            Some(&sign(BODY, "whsec_a", now)),
            "whsec_a"
        )
        .is_err());
    }

    #[test]
    fn one_of_several_v1_signatures_is_enough() {
        let now = chrono::Utc::now().timestamp();
        let good = sign(BODY, "whsec_new", now);
        let v1 = good.split("v1=").nth(1).expect("v1");
        let header = format!("t={now},v1={},v1={v1}", "0".repeat(64));
        assert!(verify(BODY.as_bytes(), Some(&header), "whsec_new").is_ok());
    }
}
