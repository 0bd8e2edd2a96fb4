//! Stripe's webhook events: verified on the raw body, then read into the ledger's facts, with
//! what a payload does not carry fetched from the API.

use serde_json::Value;

use super::{Api, ApiError, INTENT_KEY};
use crate::domain::{Interval, PledgeStatus};
use crate::ledger::payments::{
    DisputeFact, ExternalEvent, Fee, GivenBack, Payer, PaymentDetails, PaymentFact, RefundFact,
    SubscriptionOrigin, STRIPE,
};

/// How far a delivery's time may be from ours, as Stripe's libraries allow.
const TOLERANCE_SECONDS: i64 = 300;

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
/// Checked here rather than by the SDK: its typed parse wants every field of the pinned version
/// and logs an ERROR for each shape it does not know, though the event is fine; Coffer reads
/// events leniently (only the fields it uses matter).
pub fn verify(
    body: &[u8],
    signature: Option<&str>,
    secret: &str,
) -> Result<VerifiedEvent, WebhookRejection> {
    let signature = signature.ok_or(WebhookRejection::MissingSignature)?;
    let payload = std::str::from_utf8(body)
        .map_err(|_| WebhookRejection::Malformed("the body is not UTF-8".to_owned()))?;
    check_signature(payload, signature, secret, chrono::Utc::now().timestamp())?;
    let event: Value =
        serde_json::from_str(payload).map_err(|e| WebhookRejection::Malformed(e.to_string()))?;
    VerifiedEvent::from_value(&event)
}

impl VerifiedEvent {
    /// An event as Stripe's API lists it (`GET /v1/events`): read over TLS with the secret
    /// key, so it needs no signature.
    pub fn from_value(event: &Value) -> Result<Self, WebhookRejection> {
        read_event(event)
    }
}

fn read_event(event: &Value) -> Result<VerifiedEvent, WebhookRejection> {
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

/// Stripe's scheme: `t=…` and one or more `v1=…`, each an HMAC-SHA256 of `"{t}.{payload}"`.
fn check_signature(
    payload: &str,
    header: &str,
    secret: &str,
    now: i64,
) -> Result<(), WebhookRejection> {
    use hmac::{Hmac, Mac};
    let bad = |why: &str| WebhookRejection::BadSignature(why.to_owned());
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v1)) => {
                if let Ok(bytes) = hex::decode(v1) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or_else(|| bad("no timestamp"))?;
    if signatures.is_empty() {
        return Err(bad("no v1 signature"));
    }
    let mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| bad("unusable secret"))?
        .chain_update(timestamp.to_string().as_bytes())
        .chain_update(b".")
        .chain_update(payload.as_bytes());
    if !signatures
        .iter()
        .any(|candidate| mac.clone().verify_slice(candidate).is_ok())
    {
        return Err(bad("no signature matches"));
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(bad("the timestamp is outside the tolerance zone"));
    }
    Ok(())
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
        "payment_intent.succeeded" => payment_succeeded(api, object).await?,
        "invoice.payment_failed" => match subscription_of_invoice(object) {
            Some((subscription, intent)) => PaymentFact::SubscriptionState {
                intent,
                subscription,
                status: Some(PledgeStatus::PastDue),
                amount: None,
                currency: None,
                interval: None,
                started_at: None,
                origin: None,
            },
            None => PaymentFact::Ignored,
        },
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            let deleted = event.kind == "customer.subscription.deleted";
            let mut fact = subscription_state(object, deleted);
            if let PaymentFact::SubscriptionState {
                intent: None,
                origin,
                ..
            } = &mut fact
            {
                *origin = subscription_origin(api, object, None).await?;
            }
            fact
        }
        "charge.refunded" => match id_of(object.get("payment_intent")) {
            Some(payment_intent) => match api {
                Some(api) => PaymentFact::Refunds(refunds_of(api, &payment_intent).await?),
                None => PaymentFact::Ignored,
            },
            None => PaymentFact::Ignored,
        },
        "refund.created" | "refund.updated" | "refund.failed" => {
            match str_at(object, "/status").as_deref() {
                Some("failed" | "canceled") => match refund_fields(object) {
                    Some(refund) => PaymentFact::RefundFailed(GivenBack {
                        refund,
                        at: event.created,
                    }),
                    None => PaymentFact::Ignored,
                },
                _ => match refund(object) {
                    Some(refund) => PaymentFact::Refunds(vec![refund]),
                    None => PaymentFact::Ignored,
                },
            }
        }
        "charge.dispute.funds_withdrawn" => match dispute_funds(object) {
            Some(funds) => PaymentFact::DisputeWithdrawn(DisputeFact {
                funds,
                fee: dispute_fee(object),
            }),
            None => PaymentFact::Ignored,
        },
        "charge.dispute.funds_reinstated" => match dispute_funds(object) {
            Some(refund) => PaymentFact::DisputeReinstated(GivenBack {
                refund,
                at: event.created,
            }),
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
    let intent = intent_of(session);
    match str_at(session, "/mode").as_deref() {
        // A subscription no intent made (a Payment Link): its own events make the pledge.
        Some("subscription") if intent.is_none() => Ok(PaymentFact::Ignored),
        Some("subscription") => Ok(match (intent, id_of(session.get("subscription"))) {
            (Some(intent), Some(subscription)) => PaymentFact::SubscriptionStarted {
                intent,
                subscription,
            },
            _ => PaymentFact::Ignored,
        }),
        Some("payment") if str_at(session, "/payment_status").as_deref() == Some("paid") => {
            let (Some(payment_intent), Some(amount), Some(currency)) = (
                id_of(session.get("payment_intent")),
                session.get("amount_total").and_then(Value::as_i64),
                str_at(session, "/currency"),
            ) else {
                return Ok(PaymentFact::Ignored);
            };
            let payer = match intent {
                Some(_) => None,
                None => match str_at(session, "/customer_details/email") {
                    Some(email) => Some(Payer {
                        email,
                        name: str_at(session, "/customer_details/name"),
                        locale: str_at(session, "/locale").and_then(|l| language(&l)),
                    }),
                    None => match (api, id_of(session.get("customer"))) {
                        (Some(api), Some(customer)) => customer_payer(api, &customer).await?,
                        _ => None,
                    },
                },
            };
            if intent.is_none() && payer.is_none() {
                return Ok(PaymentFact::Ignored);
            }
            let payment = payment_details(api, &payment_intent).await?;
            Ok(PaymentFact::GiftPaid {
                intent,
                payer,
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
    let origin = match (&intent, api) {
        (None, Some(api)) if super::is_stripe_id(&subscription, "sub_") => {
            let object = api
                .get(&format!("/subscriptions/{subscription}"), &[])
                .await?;
            let payer = str_at(invoice, "/customer_email").map(|email| Payer {
                email,
                name: str_at(invoice, "/customer_name"),
                locale: None,
            });
            subscription_origin(Some(api), &object, payer).await?
        }
        _ => None,
    };
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
        origin,
    })
}

/// A payment no checkout or invoice reports (the Dashboard, an older integration). Coffer's
/// own checkouts (an intent in the metadata) and invoices' payments are recorded from their
/// checkout or invoice, under the same key.
async fn payment_succeeded(api: Option<&Api>, intent: &Value) -> Result<PaymentFact, ApiError> {
    let (Some(api), Some(id), Some(amount), Some(currency)) = (
        api,
        str_at(intent, "/id"),
        intent.get("amount_received").and_then(Value::as_i64),
        str_at(intent, "/currency"),
    ) else {
        return Ok(PaymentFact::Ignored);
    };
    if intent.pointer(&format!("/metadata/{INTENT_KEY}")).is_some()
        || amount <= 0
        || !super::is_stripe_id(&id, "pi_")
    {
        return Ok(PaymentFact::Ignored);
    }
    let invoices = api
        .get(
            "/invoice_payments",
            &[
                ("payment[type]", "payment_intent"),
                ("payment[payment_intent]", id.as_str()),
                ("limit", "1"),
            ],
        )
        .await?;
    if invoices
        .get("data")
        .and_then(Value::as_array)
        .is_some_and(|d| !d.is_empty())
    {
        return Ok(PaymentFact::Ignored);
    }
    let payer = match id_of(intent.get("customer")) {
        Some(customer) => customer_payer(api, &customer).await?,
        None => None,
    }
    .or_else(|| {
        str_at(intent, "/receipt_email").map(|email| Payer {
            email,
            name: None,
            locale: None,
        })
    });
    let Some(payer) = payer else {
        return Ok(PaymentFact::Ignored);
    };
    let payment = payment_details(Some(api), &id).await?;
    Ok(PaymentFact::GiftPaid {
        intent: None,
        payer: Some(payer),
        payment,
        amount,
        currency,
    })
}

/// A customer's email, name and language.
async fn customer_payer(api: &Api, customer: &str) -> Result<Option<Payer>, ApiError> {
    if !super::is_stripe_id(customer, "cus_") {
        return Ok(None);
    }
    let object = api.get(&format!("/customers/{customer}"), &[]).await?;
    Ok(str_at(&object, "/email").map(|email| Payer {
        email,
        name: str_at(&object, "/name"),
        locale: str_at(&object, "/preferred_locales/0").and_then(|l| language(&l)),
    }))
}

/// A Stripe locale (`nb`, `en-GB`) as one of Coffer's languages.
fn language(locale: &str) -> Option<String> {
    (!locale.is_empty() && locale != "auto").then(|| {
        crate::i18n::Lang::from_locale(Some(locale))
            .tag()
            .to_owned()
    })
}

/// What a pledge is made from, for a subscription no intent made: its terms, its start and its
/// customer (`payer` when the event already names them).
async fn subscription_origin(
    api: Option<&Api>,
    subscription: &Value,
    payer: Option<Payer>,
) -> Result<Option<SubscriptionOrigin>, ApiError> {
    let Some((amount, interval)) = terms(subscription) else {
        return Ok(None);
    };
    let Some(currency) = str_at(subscription, "/items/data/0/price/currency") else {
        return Ok(None);
    };
    let payer = match (payer, api, id_of(subscription.get("customer"))) {
        (Some(payer), _, _) => Some(payer),
        (None, Some(api), Some(customer)) => customer_payer(api, &customer).await?,
        _ => None,
    };
    Ok(payer.map(|payer| SubscriptionOrigin {
        payer,
        amount,
        currency,
        interval,
        started_at: subscription
            .get("start_date")
            .and_then(Value::as_i64)
            .or_else(|| subscription.get("created").and_then(Value::as_i64))
            .unwrap_or_default(),
    }))
}

/// A subscription's amount per month or year: its first item's price times its quantity,
/// brought to Coffer's intervals without losing its worth. Every 3 months is 4 payments a year
/// (exact); every 5 months is a fifth a month; weeks and days become a year's worth.
fn terms(subscription: &Value) -> Option<(i64, Interval)> {
    let item = subscription.pointer("/items/data/0")?;
    let price = item.get("price")?;
    let quantity = item.get("quantity").and_then(Value::as_i64).unwrap_or(1);
    let each = price
        .get("unit_amount")
        .and_then(Value::as_i64)?
        .checked_mul(quantity)?;
    let count = price
        .pointer("/recurring/interval_count")
        .and_then(Value::as_i64)
        .filter(|c| *c >= 1)
        .unwrap_or(1);
    let per = |numerator: i64, denominator: i64| -> Option<i64> {
        // Rounded half up, in integers: money stays exact.
        let n = i128::from(each) * i128::from(numerator);
        let d = i128::from(denominator);
        i64::try_from((2 * n + d) / (2 * d)).ok()
    };
    let terms = match str_at(price, "/recurring/interval")?.as_str() {
        "month" if count == 1 => (each, Interval::Month),
        "month" if 12 % count == 0 => (per(12, count)?, Interval::Year),
        "month" => (per(1, count)?, Interval::Month),
        "year" => (per(1, count)?, Interval::Year),
        "week" => (per(365, 7 * count)?, Interval::Year),
        "day" => (per(365, count)?, Interval::Year),
        _ => return None,
    };
    Some(terms).filter(|(amount, _)| *amount > 0)
}

/// A dispute's funds, kept like a refund under the dispute's id.
fn dispute_funds(dispute: &Value) -> Option<RefundFact> {
    Some(RefundFact {
        refund_id: str_at(dispute, "/id")?,
        payment_intent: id_of(dispute.get("payment_intent"))?,
        amount: dispute.get("amount").and_then(Value::as_i64)?,
        currency: str_at(dispute, "/currency")?,
        created: dispute.get("created").and_then(Value::as_i64)?,
    })
}

/// The fee of a dispute's withdrawal: its first balance transaction that took money.
fn dispute_fee(dispute: &Value) -> Option<Fee> {
    let transaction = dispute
        .get("balance_transactions")?
        .as_array()?
        .iter()
        .find(|t| t.get("amount").and_then(Value::as_i64).unwrap_or(0) < 0)?;
    Some(Fee {
        reference: str_at(transaction, "/id")?,
        amount: transaction.get("fee").and_then(Value::as_i64)?,
        currency: str_at(transaction, "/currency")?.to_uppercase(),
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
    refund_fields(object)
}

/// A refund's fields, whatever its status.
fn refund_fields(object: &Value) -> Option<RefundFact> {
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
    let terms = terms(subscription);
    PaymentFact::SubscriptionState {
        intent: subscription
            .pointer(&format!("/metadata/{INTENT_KEY}"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        subscription: id,
        status,
        amount: terms.map(|(amount, _)| amount),
        currency: str_at(subscription, "/items/data/0/price/currency"),
        interval: terms.map(|(_, interval)| interval),
        started_at: subscription.get("start_date").and_then(Value::as_i64),
        origin: None,
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
