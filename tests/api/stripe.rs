//! Stripe's webhooks against a local fake of Stripe's API (wiremock), with events shaped as the
//! API reference documents them for 2026-09-30.endive (built from Stripe's own OpenAPI
//! fixtures, `fixtures/stripe_objects.json`) and signed in the tests with Stripe's scheme.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use coffer::domain::{Consent, Currency, Email, Money, Source};
use coffer::ledger::payments::{Frequency, IntentDraft};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::{spawn_app_with, Backend, TestApp};

/// The webhook signing secret the tests' app is configured with.
pub const WEBHOOK_SECRET: &str = "whsec_test_0123456789abcdef";
/// Where the fake Checkout Session sends the donor, on the fake's own server.
pub const CHECKOUT_PATH: &str = "/c/pay/cs_test_coffer";
/// Stripe's fee on every payment in the fake: 1.03 in the payment's currency.
pub const FEE: i64 = 103;

/// `backend_test!` with a fake Stripe API: `stripe_test!(name, |app, stripe| async move { … })`.
#[macro_export]
macro_rules! stripe_test {
    ($name:ident, |$app:ident, $stripe:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let ($app, $stripe) = $crate::stripe::stripe_app($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                $body.await;
            }

            #[actix_web::test]
            async fn postgres() {
                let Some(($app, $stripe)) =
                    $crate::stripe::stripe_app($crate::helpers::Backend::Postgres).await
                else {
                    return;
                };
                $body.await;
            }
        }
    };
}

/// Stripe's example objects for this API version.
pub fn fixture(kind: &str) -> Value {
    static FIXTURES: OnceLock<Value> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        serde_json::from_str(include_str!("fixtures/stripe_objects.json")).expect("fixtures")
    })[kind]
        .clone()
}

/// `object` with `changes` merged in (objects recursively, everything else replaced).
pub fn patched(mut object: Value, changes: Value) -> Value {
    fn merge(target: &mut Value, changes: Value) {
        match (target, changes) {
            (Value::Object(target), Value::Object(changes)) => {
                for (key, value) in changes {
                    merge(target.entry(key).or_insert(Value::Null), value);
                }
            }
            (target, changes) => *target = changes,
        }
    }
    merge(&mut object, changes);
    object
}

/// The fake's answers, derived from the ids asked for: invoice `in_X` was paid by `pi_X`
/// (charge `ch_X`, balance transaction `txn_X` with a fee of [`FEE`]); the refunds of `pi_X` are
/// whatever the test registered.
pub struct FakeStripe {
    refunds: std::sync::Arc<std::sync::Mutex<BTreeMap<String, Vec<Value>>>>,
    /// Objects a test put at a path (`/v1/customers/cus_1`), answered as they are.
    objects: std::sync::Arc<std::sync::Mutex<BTreeMap<String, Value>>>,
}

impl Respond for FakeStripe {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let url = &request.url;
        let query: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        let path = url.path();
        if let Some(object) = self.objects.lock().expect("objects").get(path) {
            return ResponseTemplate::new(200).set_body_json(object.clone());
        }
        if path == "/v1/invoice_payments" {
            let Some(invoice) = query.get("invoice").cloned() else {
                // Asked by payment: no invoice was paid by a payment the test did not say.
                return ResponseTemplate::new(200).set_body_json(json!({
                    "object": "list", "data": [], "has_more": false,
                    "url": "/v1/invoice_payments"}));
            };
            let suffix = invoice.trim_start_matches("in_");
            let payment = patched(
                fixture("invoice_payment"),
                json!({"id": format!("inpay_{suffix}"), "invoice": invoice, "status": "paid",
                    "currency": "eur", "amount_paid": 2500, "is_default": true,
                    "payment": {"type": "payment_intent", "payment_intent": format!("pi_{suffix}")}}),
            );
            return ResponseTemplate::new(200).set_body_json(json!({
                "object": "list", "data": [payment], "has_more": false,
                "url": "/v1/invoice_payments"}));
        }
        if let Some(id) = path.strip_prefix("/v1/payment_intents/") {
            let suffix = id.trim_start_matches("pi_");
            let transaction = patched(
                fixture("balance_transaction"),
                json!({"id": format!("txn_{suffix}"), "fee": FEE, "currency": "eur",
                    "source": format!("ch_{suffix}")}),
            );
            let charge = patched(
                fixture("charge"),
                json!({"id": format!("ch_{suffix}"), "payment_intent": id, "currency": "eur",
                    "balance_transaction": transaction}),
            );
            return ResponseTemplate::new(200).set_body_json(patched(
                fixture("payment_intent"),
                json!({"id": id, "status": "succeeded", "currency": "eur", "latest_charge": charge}),
            ));
        }
        if path == "/v1/refunds" {
            let payment_intent = query.get("payment_intent").cloned().unwrap_or_default();
            let refunds = self
                .refunds
                .lock()
                .expect("refunds")
                .get(&payment_intent)
                .cloned()
                .unwrap_or_default();
            return ResponseTemplate::new(200).set_body_json(json!({
                "object": "list", "data": refunds, "has_more": false, "url": "/v1/refunds"}));
        }
        ResponseTemplate::new(404).set_body_json(json!({"error": {
            "type": "invalid_request_error", "message": format!("No such path: {path}")}}))
    }
}

/// The fake Stripe API and what the tests tell it.
pub struct StripeFake {
    pub server: MockServer,
    refunds: std::sync::Arc<std::sync::Mutex<BTreeMap<String, Vec<Value>>>>,
    objects: std::sync::Arc<std::sync::Mutex<BTreeMap<String, Value>>>,
}

impl StripeFake {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let refunds = std::sync::Arc::default();
        let objects = std::sync::Arc::<std::sync::Mutex<BTreeMap<String, Value>>>::default();
        let checkout_url = format!("{}{CHECKOUT_PATH}", server.uri());
        let sessions = std::sync::atomic::AtomicUsize::new(0);
        let session = move |_: &Request| {
            let n = sessions.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(patched(
                fixture("checkout.session"),
                json!({"id": format!("cs_test_coffer_{n}"), "url": checkout_url,
                    "status": "open", "mode": "subscription", "currency": "eur"}),
            ))
        };
        Mock::given(method("GET"))
            .and(path(CHECKOUT_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                "<!doctype html><title>Fake Stripe Checkout</title><h1>Fake Stripe Checkout</h1>",
                "text/html",
            ))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/checkout/sessions"))
            .respond_with(session)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path_regex(r"^/v1/subscriptions/sub_[A-Za-z0-9_]+$"))
            .respond_with(move |request: &Request| {
                let id = request.url.path().rsplit('/').next().unwrap_or_default();
                ResponseTemplate::new(200).set_body_json(patched(
                    fixture("subscription"),
                    json!({"id": id, "status": "canceled"}),
                ))
            })
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(FakeStripe {
                refunds: std::sync::Arc::clone(&refunds),
                objects: std::sync::Arc::clone(&objects),
            })
            .mount(&server)
            .await;
        Self {
            server,
            refunds,
            objects,
        }
    }

    /// Stripe now answers `GET {at}` with this object.
    pub fn put(&self, at: &str, object: Value) {
        self.objects
            .lock()
            .expect("objects")
            .insert(at.to_owned(), object);
    }

    /// The URL of the fake's Checkout page.
    pub fn checkout_url(&self) -> String {
        format!("{}{CHECKOUT_PATH}", self.server.uri())
    }

    /// Stripe now lists this refund for its payment intent.
    pub fn add_refund(&self, refund: Value) {
        let payment_intent = refund["payment_intent"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut refunds = self.refunds.lock().expect("refunds");
        let list = refunds.entry(payment_intent).or_default();
        if !list.iter().any(|r| r["id"] == refund["id"]) {
            list.push(refund);
        }
    }

    /// The form bodies Stripe received at `path`, decoded.
    pub async fn posted(&self, at: &str) -> Vec<BTreeMap<String, String>> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == at)
            .map(|r| serde_urlencoded::from_bytes(&r.body).expect("a form body"))
            .collect()
    }

    /// How many requests reached `at` with `method`.
    pub async fn calls(&self, verb: &str, at: &str) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.method.as_str() == verb && r.url.path() == at)
            .count()
    }
}

/// An app configured for Stripe, talking to a fresh fake.
pub async fn stripe_app(backend: Backend) -> Option<(TestApp, StripeFake)> {
    stripe_app_with(backend, &[]).await
}

/// Like [`stripe_app`], with some settings changed.
pub async fn stripe_app_with(
    backend: Backend,
    overrides: &[(&str, &str)],
) -> Option<(TestApp, StripeFake)> {
    let stripe = StripeFake::start().await;
    let base = stripe.server.uri();
    let mut settings = vec![
        ("COFFER_STRIPE_SECRET_KEY", "sk_test_coffer"),
        ("COFFER_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("COFFER_STRIPE_API_BASE", base.as_str()),
    ];
    settings.extend_from_slice(overrides);
    let app = spawn_app_with(backend, &settings).await?;
    Some((app, stripe))
}

/// Stripe's signature header for `body` at time `t`.
pub fn signature(body: &str, secret: &str, t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An event envelope as Stripe sends it.
pub fn event(id: &str, kind: &str, created: i64, object: Value) -> String {
    json!({
        "id": id, "object": "event", "api_version": "2026-09-30.endive", "created": created,
        "data": {"object": object}, "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null}, "type": kind,
    })
    .to_string()
}

/// Delivers a signed event and returns the status and body.
pub async fn deliver(app: &TestApp, body: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url("/webhooks/stripe"))
        .header("Content-Type", "application/json")
        .header("Stripe-Signature", signature(body, WEBHOOK_SECRET, now()))
        .body(body.to_owned())
        .send()
        .await
        .expect("POST /webhooks/stripe");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Delivers and expects 200 with this outcome.
pub async fn deliver_ok(app: &TestApp, body: &str, outcome: &str) {
    let (status, reply) = deliver(app, body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["outcome"], outcome, "{reply} for {body}");
}

/// A donation intent, as the donation page records it; returns its reference.
pub fn intent(app: &TestApp, email: &str, amount_minor: i64, frequency: Frequency) -> String {
    let mut conn = app.conn();
    coffer::ledger::payments::create_intent(
        &mut conn,
        IntentDraft {
            channel: Source::Stripe,
            email: Email::parse(email).expect("email"),
            public_name: "Ada Lovelace".to_owned(),
            website: None,
            fediverse_handle: None,
            consent: Consent {
                name: true,
                logo: false,
                link: false,
                handle: false,
                amount: false,
            },
            anonymous: false,
            locale: Some("en".to_owned()),
            tier_id: None,
            amount: Money::from_minor(amount_minor, Currency::EUR).expect("amount"),
            frequency,
        },
    )
    .expect("intent")
    .reference
}

pub fn checkout_completed_payment(intent: &str, payment_intent: &str, amount: i64) -> Value {
    patched(
        fixture("checkout.session"),
        json!({"id": format!("cs_{payment_intent}"), "mode": "payment", "payment_status": "paid",
            "status": "complete", "payment_intent": payment_intent, "amount_total": amount,
            "amount_subtotal": amount, "currency": "eur", "client_reference_id": intent,
            "metadata": {"coffer_intent": intent}}),
    )
}

pub fn checkout_completed_subscription(intent: &str, subscription: &str) -> Value {
    patched(
        fixture("checkout.session"),
        json!({"id": format!("cs_{subscription}"), "mode": "subscription",
            "payment_status": "paid", "status": "complete", "payment_intent": null,
            "subscription": subscription, "amount_total": 2500, "currency": "eur",
            "client_reference_id": intent, "metadata": {"coffer_intent": intent}}),
    )
}

pub fn subscription(intent: &str, id: &str, status: &str, amount: i64) -> Value {
    let mut object = patched(
        fixture("subscription"),
        json!({"id": id, "status": status, "currency": "eur", "cancel_at_period_end": false,
            "metadata": {"coffer_intent": intent}}),
    );
    object["items"]["data"][0] = patched(
        object["items"]["data"][0].clone(),
        json!({"subscription": id, "quantity": 1, "price": {"currency": "eur",
            "unit_amount": amount, "unit_amount_decimal": amount.to_string(),
            "recurring": {"interval": "month", "interval_count": 1}}}),
    );
    object
}

pub fn invoice(
    intent: &str,
    subscription: &str,
    id: &str,
    paid: Option<i64>,
    amount: i64,
) -> Value {
    let mut object = patched(
        fixture("invoice"),
        json!({"id": id, "currency": "eur", "amount_due": amount, "customer_email": "ada@mail.example",
            "amount_paid": if paid.is_some() { amount } else { 0 },
            "amount_remaining": if paid.is_some() { 0 } else { amount },
            "status": if paid.is_some() { "paid" } else { "open" },
            "billing_reason": "subscription_cycle",
            "status_transitions": {"paid_at": paid},
            "parent": {"type": "subscription_details", "quote_details": null,
                "subscription_details": {"subscription": subscription,
                    "metadata": {"coffer_intent": intent}}}}),
    );
    object["lines"]["data"][0]["invoice"] = json!(id);
    object
}

pub fn refund(id: &str, payment_intent: &str, amount: i64, created: i64) -> Value {
    patched(
        fixture("refund"),
        json!({"id": id, "payment_intent": payment_intent, "amount": amount, "currency": "eur",
            "status": "succeeded", "created": created,
            "charge": payment_intent.replacen("pi_", "ch_", 1)}),
    )
}

pub fn charge_refunded(payment_intent: &str, amount: i64, refunded: i64) -> Value {
    patched(
        fixture("charge"),
        json!({"id": payment_intent.replacen("pi_", "ch_", 1), "payment_intent": payment_intent,
            "amount": amount, "amount_captured": amount, "amount_refunded": refunded,
            "captured": true, "refunded": refunded == amount, "currency": "eur"}),
    )
}

/// One ledger entry, as the property test compares them (no ids or recording times).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, QueryableByName)]
pub struct EntryFacts {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub external_ref: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub reverses_ref: Option<String>,
    #[diesel(sql_type = Timestamp)]
    pub occurred_at: chrono::NaiveDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    pub email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub pledge_ref: Option<String>,
}

/// Every Stripe entry, oldest first by what it is.
pub fn stripe_entries(app: &TestApp) -> Vec<EntryFacts> {
    let mut conn = app.conn();
    let mut rows: Vec<EntryFacts> = diesel::sql_query(
        "SELECT e.kind, e.amount, e.currency, e.external_ref, r.external_ref AS reverses_ref, \
         e.occurred_at, d.email, p.external_ref AS pledge_ref \
         FROM ledger_entries e LEFT JOIN ledger_entries r ON r.id = e.reverses \
         LEFT JOIN donors d ON d.id = e.donor_id LEFT JOIN pledges p ON p.id = e.pledge_id \
         WHERE e.source = 'stripe'",
    )
    .load(&mut *conn as &mut coffer::db::DbConn)
    .expect("entries");
    rows.sort();
    rows
}

/// A pledge's `(status, amount, interval, donor's email)`.
pub type PledgeState = (String, i64, String, String);

/// A pledge's state, by its subscription.
pub fn pledge_state(app: &TestApp, subscription: &str) -> Option<PledgeState> {
    use coffer::db::schema::{donors, pledges};
    let mut conn = app.conn();
    pledges::table
        .inner_join(donors::table)
        .filter(pledges::external_ref.eq(subscription))
        .select((
            pledges::status,
            pledges::amount,
            pledges::interval,
            donors::email.assume_not_null(),
        ))
        .first(&mut *conn as &mut coffer::db::DbConn)
        .optional()
        .expect("pledge")
}

crate::stripe_test!(
    a_paid_one_time_checkout_records_the_donation_and_its_fee_once,
    |app, stripe| async move {
        let reference = intent(&app, "ada@mail.example", 30000, Frequency::Once);
        let body = event(
            "evt_gift_1",
            "checkout.session.completed",
            now() - 60,
            checkout_completed_payment(&reference, "pi_gift_1", 30000),
        );
        deliver_ok(&app, &body, "applied").await;
        let entries = stripe_entries(&app);
        assert_eq!(entries.len(), 2, "{entries:?}");
        let donation = entries
            .iter()
            .find(|e| e.kind == "donation")
            .expect("donation");
        assert_eq!(donation.amount, 30000);
        assert_eq!(donation.currency, "EUR");
        assert_eq!(donation.external_ref.as_deref(), Some("pi_gift_1"));
        assert_eq!(donation.email.as_deref(), Some("ada@mail.example"));
        let fee = entries.iter().find(|e| e.kind == "fee").expect("fee");
        assert_eq!(fee.amount, -FEE);
        assert_eq!(fee.external_ref.as_deref(), Some("txn_gift_1"));
        assert_eq!(
            stripe.calls("GET", "/v1/payment_intents/pi_gift_1").await,
            1
        );
        // The same delivery again, and again at once: nothing changes.
        let before = app.row_counts();
        deliver_ok(&app, &body, "duplicate").await;
        let replies = futures_util::future::join_all((0..6).map(|_| deliver(&app, &body))).await;
        for (status, reply) in replies {
            assert_eq!(status, StatusCode::OK, "{reply}");
            assert_eq!(reply["outcome"], "duplicate");
        }
        assert_eq!(app.row_counts(), before);
        // The donor is on the wall by name (one-time: a twelfth of €300 a month).
        let wall = app.get_json("/api/v1/summary").await;
        assert!(wall.is_object(), "{wall}");
        let sponsors = app.get_json("/api/v1/sponsors").await.to_string();
        assert!(!sponsors.contains("ada@mail.example"));
    }
);

crate::stripe_test!(
    one_event_delivered_many_times_at_once_is_applied_once,
    |app, _stripe| async move {
        let reference = intent(&app, "grace@mail.example", 5000, Frequency::Once);
        let body = event(
            "evt_race",
            "checkout.session.completed",
            now() - 10,
            checkout_completed_payment(&reference, "pi_race", 5000),
        );
        let replies = futures_util::future::join_all((0..8).map(|_| deliver(&app, &body))).await;
        let mut applied = 0;
        for (status, reply) in &replies {
            assert_eq!(*status, StatusCode::OK, "{reply}");
            if reply["outcome"] == "applied" {
                applied += 1;
            } else {
                assert_eq!(reply["outcome"], "duplicate", "{reply}");
            }
        }
        assert_eq!(applied, 1, "{replies:?}");
        assert_eq!(stripe_entries(&app).len(), 2);
        assert_eq!(app.count("processed_events"), 1);
        assert_eq!(app.count("donors"), 1);
    }
);

crate::stripe_test!(
    bad_stale_or_missing_signatures_get_400_and_write_nothing,
    |app, _stripe| async move {
        let reference = intent(&app, "ada@mail.example", 30000, Frequency::Once);
        let body = event(
            "evt_forged",
            "checkout.session.completed",
            now(),
            checkout_completed_payment(&reference, "pi_forged", 30000),
        );
        let before = app.row_counts();
        let attempts = [
            Some(signature(&body, "whsec_someone_else", now())),
            Some(signature(&body, WEBHOOK_SECRET, now() - 301)),
            Some(signature(
                &body.replace("30000", "1"),
                WEBHOOK_SECRET,
                now(),
            )),
            Some("t=1,v1=nothex".to_owned()),
            None,
        ];
        for header in attempts {
            let mut request = app
                .client
                .post(app.url("/webhooks/stripe"))
                .header("Content-Type", "application/json")
                .body(body.clone());
            if let Some(header) = &header {
                request = request.header("Stripe-Signature", header);
            }
            let response = request.send().await.expect("POST");
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{header:?}");
            let reply: Value = response.json().await.expect("JSON error");
            assert_eq!(reply["error"]["code"], "bad_request");
        }
        assert_eq!(app.row_counts(), before);
        assert_eq!(app.count("processed_events"), 0);
        // Several v1 signatures (a secret being rolled): one matching is enough.
        let t = now();
        let good = signature(&body, WEBHOOK_SECRET, t);
        let v1 = good.split("v1=").nth(1).expect("v1");
        let rolled = format!("t={t},v1={},v1={v1}", "a".repeat(64));
        let response = app
            .client
            .post(app.url("/webhooks/stripe"))
            .header("Stripe-Signature", rolled)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), StatusCode::OK);
    }
);

crate::stripe_test!(
    unknown_events_and_foreign_objects_answer_200_and_change_nothing,
    |app, _stripe| async move {
        let before = app.row_counts();
        let unknown = event(
            "evt_u1",
            "customer.created",
            now(),
            json!({"id": "cus_1", "object": "customer"}),
        );
        deliver_ok(&app, &unknown, "ignored").await;
        // A checkout Coffer did not create (no intent in its metadata).
        let foreign = event(
            "evt_u2",
            "checkout.session.completed",
            now(),
            patched(
                fixture("checkout.session"),
                json!({"payment_status": "paid", "metadata": {}}),
            ),
        );
        deliver_ok(&app, &foreign, "ignored").await;
        assert_eq!(app.row_counts(), before);
    }
);

crate::stripe_test!(
    a_database_failure_answers_5xx_so_that_stripe_retries,
    |app, _stripe| async move {
        let reference = intent(&app, "ada@mail.example", 1000, Frequency::Once);
        {
            let mut conn = app.conn();
            diesel::sql_query("DROP TABLE stripe_payments")
                .execute(&mut *conn as &mut coffer::db::DbConn)
                .expect("drop");
        }
        let body = event(
            "evt_db",
            "checkout.session.completed",
            now(),
            checkout_completed_payment(&reference, "pi_db", 1000),
        );
        let (status, reply) = deliver(&app, &body).await;
        assert!(status.is_server_error(), "{status} {reply}");
        assert_eq!(app.count("processed_events"), 0);
        assert_eq!(app.count("ledger_entries"), 0);
    }
);

crate::stripe_test!(
    a_subscription_deleted_before_its_checkout_completes_still_ends_cancelled,
    |app, _stripe| async move {
        let reference = intent(
            &app,
            "lin@mail.example",
            2500,
            Frequency::Every(coffer::domain::Interval::Month),
        );
        let t = now() - 100;
        deliver_ok(
            &app,
            &event(
                "evt_d1",
                "customer.subscription.deleted",
                t + 5,
                subscription(&reference, "sub_early", "canceled", 2500),
            ),
            "applied",
        )
        .await;
        deliver_ok(
            &app,
            &event(
                "evt_d2",
                "customer.subscription.updated",
                t + 1,
                subscription(&reference, "sub_early", "active", 2500),
            ),
            "applied",
        )
        .await;
        deliver_ok(
            &app,
            &event(
                "evt_d3",
                "checkout.session.completed",
                t,
                checkout_completed_subscription(&reference, "sub_early"),
            ),
            "applied",
        )
        .await;
        let (status, amount, interval, email) = pledge_state(&app, "sub_early").expect("pledge");
        assert_eq!(status, "cancelled");
        assert_eq!((amount, interval.as_str()), (2500, "month"));
        assert_eq!(email, "lin@mail.example");
        assert_eq!(app.count("pledges"), 1);
        assert_eq!(app.count("donors"), 1);
    }
);

crate::stripe_test!(
    subscription_updates_move_amount_interval_and_status_and_failures_make_it_past_due,
    |app, _stripe| async move {
        let reference = intent(
            &app,
            "ida@mail.example",
            1000,
            Frequency::Every(coffer::domain::Interval::Month),
        );
        let t = now() - 100;
        deliver_ok(
            &app,
            &event(
                "evt_s1",
                "checkout.session.completed",
                t,
                checkout_completed_subscription(&reference, "sub_s"),
            ),
            "applied",
        )
        .await;
        assert_eq!(pledge_state(&app, "sub_s").expect("pledge").0, "active");
        deliver_ok(
            &app,
            &event(
                "evt_s2",
                "invoice.payment_failed",
                t + 1,
                invoice(&reference, "sub_s", "in_s_1", None, 1000),
            ),
            "applied",
        )
        .await;
        assert_eq!(pledge_state(&app, "sub_s").expect("pledge").0, "past_due");
        deliver_ok(
            &app,
            &event(
                "evt_s3",
                "customer.subscription.updated",
                t + 2,
                subscription(&reference, "sub_s", "active", 4000),
            ),
            "applied",
        )
        .await;
        let (status, amount, _, _) = pledge_state(&app, "sub_s").expect("pledge");
        assert_eq!((status.as_str(), amount), ("active", 4000));
        // An older report arriving late changes nothing.
        deliver_ok(
            &app,
            &event(
                "evt_s4",
                "customer.subscription.updated",
                t + 1,
                subscription(&reference, "sub_s", "past_due", 1000),
            ),
            "applied",
        )
        .await;
        let (status, amount, _, _) = pledge_state(&app, "sub_s").expect("pledge");
        assert_eq!((status.as_str(), amount), ("active", 4000));
    }
);

crate::stripe_test!(
    a_partial_refund_reported_twice_is_recorded_once_against_its_invoice,
    |app, stripe| async move {
        let reference = intent(
            &app,
            "ada@mail.example",
            2500,
            Frequency::Every(coffer::domain::Interval::Month),
        );
        let t = now() - 100;
        deliver_ok(
            &app,
            &event(
                "evt_r1",
                "invoice.paid",
                t,
                invoice(&reference, "sub_r", "in_r_1", Some(t), 2500),
            ),
            "applied",
        )
        .await;
        stripe.add_refund(refund("re_r_1", "pi_r_1", 700, t + 10));
        deliver_ok(
            &app,
            &event(
                "evt_r2",
                "charge.refunded",
                t + 10,
                charge_refunded("pi_r_1", 2500, 700),
            ),
            "applied",
        )
        .await;
        deliver_ok(
            &app,
            &event(
                "evt_r3",
                "refund.created",
                t + 10,
                refund("re_r_1", "pi_r_1", 700, t + 10),
            ),
            "applied",
        )
        .await;
        let entries = stripe_entries(&app);
        let refunds: Vec<_> = entries.iter().filter(|e| e.kind == "refund").collect();
        assert_eq!(refunds.len(), 1, "{entries:?}");
        assert_eq!(refunds[0].amount, -700);
        assert_eq!(refunds[0].reverses_ref.as_deref(), Some("in_r_1"));
        assert_eq!(refunds[0].external_ref.as_deref(), Some("re_r_1"));
        let donation = entries
            .iter()
            .find(|e| e.kind == "donation")
            .expect("donation");
        assert_eq!(donation.pledge_ref.as_deref(), Some("sub_r"));
        assert_eq!(stripe.calls("GET", "/v1/invoice_payments").await, 1);
    }
);

/// The realistic life of one subscription, as Stripe reports it: subscribe, three invoices
/// paid (the third after a failed attempt), a partial refund of the first reported twice,
/// cancel. Ids carry the case number so that many cases share one database.
fn life_of_a_subscription(case: usize, reference: &str, t: i64) -> (Vec<String>, Value) {
    let sub = format!("sub_c{case}");
    let id = |n: &str| format!("{n}_c{case}");
    let ev = |n: usize| format!("evt_c{case}_{n}");
    let events = vec![
        event(
            &ev(1),
            "checkout.session.completed",
            t,
            checkout_completed_subscription(reference, &sub),
        ),
        event(
            &ev(2),
            "customer.subscription.created",
            t,
            subscription(reference, &sub, "active", 2500),
        ),
        event(
            &ev(3),
            "invoice.paid",
            t + 1,
            invoice(
                reference,
                &sub,
                &format!("{}_1", id("in")),
                Some(t + 1),
                2500,
            ),
        ),
        event(
            &ev(4),
            "invoice.paid",
            t + 2,
            invoice(
                reference,
                &sub,
                &format!("{}_2", id("in")),
                Some(t + 2),
                2500,
            ),
        ),
        event(
            &ev(5),
            "invoice.payment_failed",
            t + 3,
            invoice(reference, &sub, &format!("{}_3", id("in")), None, 2500),
        ),
        event(
            &ev(6),
            "customer.subscription.updated",
            t + 3,
            subscription(reference, &sub, "past_due", 2500),
        ),
        event(
            &ev(7),
            "invoice.paid",
            t + 4,
            invoice(
                reference,
                &sub,
                &format!("{}_3", id("in")),
                Some(t + 4),
                2500,
            ),
        ),
        event(
            &ev(8),
            "customer.subscription.updated",
            t + 4,
            subscription(reference, &sub, "active", 2500),
        ),
        event(
            &ev(9),
            "charge.refunded",
            t + 5,
            charge_refunded(&format!("{}_1", id("pi")), 2500, 900),
        ),
        event(
            &ev(10),
            "refund.created",
            t + 5,
            refund(
                &format!("{}_1", id("re")),
                &format!("{}_1", id("pi")),
                900,
                t + 5,
            ),
        ),
        event(
            &ev(11),
            "customer.subscription.deleted",
            t + 6,
            subscription(reference, &sub, "canceled", 2500),
        ),
    ];
    let the_refund = refund(
        &format!("{}_1", id("re")),
        &format!("{}_1", id("pi")),
        900,
        t + 5,
    );
    (events, the_refund)
}

/// A case's entries and pledge with the case number taken out of every id.
fn outcome_of(app: &TestApp, case: usize) -> (Vec<EntryFacts>, Option<PledgeState>) {
    let tag = format!("_c{case}");
    let mine = |r: &Option<String>| {
        r.as_deref()
            .is_some_and(|r| r.contains(&format!("{tag}_")) || r.ends_with(&tag))
    };
    let strip = |r: Option<String>| r.map(|r| r.replace(&tag, "_cX"));
    let entries = stripe_entries(app)
        .into_iter()
        .filter(|e| mine(&e.external_ref))
        .map(|e| EntryFacts {
            external_ref: strip(e.external_ref),
            reverses_ref: strip(e.reverses_ref),
            pledge_ref: strip(e.pledge_ref),
            email: e
                .email
                .map(|m| m.replace(&format!("donor{case}@"), "donor@")),
            ..e
        })
        .collect();
    let pledge = pledge_state(app, &format!("sub_c{case}"))
        .map(|(s, a, i, m)| (s, a, i, m.replace(&format!("donor{case}@"), "donor@")));
    (entries, pledge)
}

crate::stripe_test!(
    any_order_and_any_repetition_of_a_subscriptions_events_gives_the_same_ledger,
    |app, stripe| async move {
        // Orders and repetitions drawn by proptest: a shuffle of the eleven events, and up to
        // four of them delivered again at random places.
        let strategy = (
            Just((0..11).collect::<Vec<usize>>()).prop_shuffle(),
            proptest::collection::vec((0..11usize, 0..16usize), 0..5),
        );
        let cases = 12;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut orders: Vec<Vec<usize>> = vec![(0..11).collect()];
        for _ in 0..cases {
            let (mut order, repeats) = strategy.new_tree(&mut runner).expect("a case").current();
            for (event, at) in repeats {
                order.insert(at.min(order.len()), event);
            }
            orders.push(order);
        }
        let t = now() - 3600;
        let mut expected = None;
        let mut latencies = Vec::new();
        for (case, order) in orders.iter().enumerate() {
            let reference = intent(
                &app,
                &format!("donor{case}@mail.example"),
                2500,
                Frequency::Every(coffer::domain::Interval::Month),
            );
            let (events, the_refund) = life_of_a_subscription(case, &reference, t);
            stripe.add_refund(the_refund);
            for &index in order {
                let started = std::time::Instant::now();
                let (status, reply) = deliver(&app, &events[index]).await;
                latencies.push(started.elapsed());
                assert_eq!(
                    status,
                    StatusCode::OK,
                    "case {case} order {order:?}: {reply}"
                );
            }
            let outcome = outcome_of(&app, case);
            match &expected {
                None => {
                    // In order: three donations and their fees, one refund, cancelled.
                    let (entries, pledge) = &outcome;
                    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
                    assert_eq!(
                        kinds.iter().filter(|k| **k == "donation").count(),
                        3,
                        "{entries:?}"
                    );
                    assert_eq!(
                        kinds.iter().filter(|k| **k == "fee").count(),
                        3,
                        "{entries:?}"
                    );
                    assert_eq!(
                        kinds.iter().filter(|k| **k == "refund").count(),
                        1,
                        "{entries:?}"
                    );
                    let total: i64 = entries.iter().map(|e| e.amount).sum();
                    assert_eq!(total, 3 * 2500 - 3 * FEE - 900);
                    assert_eq!(
                        pledge.as_ref().map(|p| (p.0.as_str(), p.1)),
                        Some(("cancelled", 2500))
                    );
                    expected = Some(outcome);
                }
                Some(expected) => assert_eq!(
                    &outcome, expected,
                    "case {case}: the order {order:?} gave another ledger"
                ),
            }
        }
        // Answers come within the request: each delivery, with its calls to the fake API.
        latencies.sort();
        let p50 = latencies[latencies.len() / 2];
        let p99 = latencies[latencies.len() * 99 / 100];
        let max = latencies[latencies.len() - 1];
        eprintln!(
            "webhook deliveries ({:?}): {} answered, p50 {p50:?}, p99 {p99:?}, max {max:?}",
            app.backend,
            latencies.len()
        );
        assert!(
            max < std::time::Duration::from_secs(2),
            "a delivery took {max:?}"
        );
        // Every event of every case was recorded once.
        assert_eq!(app.count("processed_events"), (orders.len() * 11) as i64);
    }
);

crate::stripe_test!(
    a_payment_and_its_refunds_reported_at_the_same_moment_are_all_recorded_once,
    |app, stripe| async move {
        let t = now() - 100;
        for round in 0..6 {
            let reference = intent(
                &app,
                &format!("race{round}@mail.example"),
                2500,
                Frequency::Every(coffer::domain::Interval::Month),
            );
            let sub = format!("sub_race{round}");
            let pi = format!("pi_race{round}_1");
            let re = format!("re_race{round}_1");
            stripe.add_refund(refund(&re, &pi, 400, t + 5));
            let events = [
                event(
                    &format!("evt_race{round}_a"),
                    "invoice.paid",
                    t,
                    invoice(
                        &reference,
                        &sub,
                        &format!("in_race{round}_1"),
                        Some(t),
                        2500,
                    ),
                ),
                event(
                    &format!("evt_race{round}_b"),
                    "refund.created",
                    t + 5,
                    refund(&re, &pi, 400, t + 5),
                ),
                event(
                    &format!("evt_race{round}_c"),
                    "charge.refunded",
                    t + 5,
                    charge_refunded(&pi, 2500, 400),
                ),
                event(
                    &format!("evt_race{round}_d"),
                    "checkout.session.completed",
                    t,
                    checkout_completed_subscription(&reference, &sub),
                ),
            ];
            let replies =
                futures_util::future::join_all(events.iter().map(|e| deliver(&app, e))).await;
            for (status, reply) in replies {
                assert!(
                    status == StatusCode::OK
                        || status == StatusCode::CONFLICT
                        || status.is_server_error(),
                    "{status} {reply}"
                );
            }
            // Whatever failed is delivered again, as Stripe would.
            for e in &events {
                let (status, reply) = deliver(&app, e).await;
                assert_eq!(status, StatusCode::OK, "{reply}");
            }
            let entries: Vec<EntryFacts> = stripe_entries(&app)
                .into_iter()
                .filter(|e| {
                    e.email.as_deref() == Some(&format!("race{round}@mail.example"))
                        || e.external_ref.as_deref() == Some(&re)
                })
                .collect();
            let refunds: Vec<&EntryFacts> = entries.iter().filter(|e| e.kind == "refund").collect();
            assert_eq!(refunds.len(), 1, "round {round}: {entries:?}");
            assert_eq!(refunds[0].amount, -400);
            assert_eq!(
                entries.iter().filter(|e| e.kind == "donation").count(),
                1,
                "{entries:?}"
            );
            assert_eq!(pledge_state(&app, &sub).expect("pledge").0, "active");
        }
        assert_eq!(app.count("donors"), 6);
        assert_eq!(app.count("pledges"), 6);
    }
);
