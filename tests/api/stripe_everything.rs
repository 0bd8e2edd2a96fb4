//! Every Stripe payment on the account, whatever started it: Payment Links and Dashboard
//! subscriptions (no donation intent), refunds that fail, disputes lost and won; against the
//! local fake of Stripe's API.

use coffer::ledger::payments::Frequency;
use diesel::prelude::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::stripe::{
    checkout_completed_payment, deliver, deliver_ok, event, fixture, intent, invoice, now, patched,
    pledge_state, refund, stripe_entries, subscription, EntryFacts, PledgeState, FEE,
};

/// A customer as `GET /v1/customers/{id}` returns it.
fn customer(id: &str, email: &str, name: &str) -> Value {
    json!({"id": id, "object": "customer", "address": null, "balance": 0, "created": 1700000000,
        "currency": "eur", "default_source": null, "delinquent": false, "description": null,
        "email": email, "invoice_prefix": "ABC123", "livemode": false, "metadata": {},
        "name": name, "phone": null, "preferred_locales": ["nb"], "shipping": null,
        "tax_exempt": "none", "test_clock": null})
}

/// A subscription made in the Dashboard: no metadata, `each` every `months` months.
fn dashboard_subscription(
    id: &str,
    customer: &str,
    status: &str,
    each: i64,
    months: i64,
    start: i64,
) -> Value {
    let mut object = subscription("", id, status, each);
    object["metadata"] = json!({});
    object["customer"] = json!(customer);
    object["start_date"] = json!(start);
    object["items"]["data"][0]["price"]["recurring"]["interval_count"] = json!(months);
    object
}

/// An invoice of a subscription no intent made.
fn dashboard_invoice(
    subscription: &str,
    id: &str,
    paid: Option<i64>,
    amount: i64,
    email: &str,
) -> Value {
    let mut object = invoice("", subscription, id, paid, amount);
    object["parent"]["subscription_details"]["metadata"] = json!({});
    object["customer_email"] = json!(email);
    object["customer_name"] = json!("Dash Donor");
    object
}

/// A donor's display consent, all five fields, by email.
fn consent_of(app: &TestApp, email: &str) -> (bool, bool, bool, bool, bool) {
    use coffer::db::schema::donors;
    let mut conn = app.conn();
    donors::table
        .filter(donors::email.eq(email))
        .select((
            donors::consent_name,
            donors::consent_logo,
            donors::consent_link,
            donors::consent_handle,
            donors::consent_amount,
        ))
        .first(&mut *conn as &mut coffer::db::DbConn)
        .expect("the donor")
}

fn started_at(app: &TestApp, subscription: &str) -> chrono::NaiveDateTime {
    use coffer::db::schema::pledges;
    let mut conn = app.conn();
    pledges::table
        .filter(pledges::external_ref.eq(subscription))
        .select(pledges::started_at)
        .first(&mut *conn as &mut coffer::db::DbConn)
        .expect("the pledge")
}

fn dispute(id: &str, payment_intent: &str, amount: i64, created: i64, status: &str) -> Value {
    json!({"id": id, "object": "dispute", "amount": amount, "currency": "eur",
        "charge": payment_intent.replacen("pi_", "ch_", 1), "payment_intent": payment_intent,
        "created": created, "reason": "fraudulent", "status": status, "livemode": false,
        "is_charge_refundable": false, "metadata": {},
        "balance_transactions": [{"id": format!("txn_{id}"), "object": "balance_transaction",
            "amount": -amount, "fee": 1500, "net": -amount - 1500, "currency": "eur",
            "type": "adjustment", "reporting_category": "dispute", "created": created}]})
}

crate::stripe_test!(
    a_payment_link_checkout_becomes_a_donation_of_a_donor_who_gave_no_consent,
    |app, stripe| async move {
        let session = patched(
            fixture("checkout.session"),
            json!({"id": "cs_link_1", "mode": "payment", "payment_status": "paid",
                "status": "complete", "payment_intent": "pi_link_1", "amount_total": 1500,
                "amount_subtotal": 1500, "currency": "eur", "payment_link": "plink_1",
                "metadata": {}, "client_reference_id": null,
                "customer_details": {"email": "lin@mail.example", "name": "Lin Payer"}}),
        );
        let t = now() - 60;
        deliver_ok(
            &app,
            &event("evt_link_1", "checkout.session.completed", t, session),
            "applied",
        )
        .await;
        // Its payment intent reports the same payment: nothing more.
        let payment = patched(
            fixture("payment_intent"),
            json!({"id": "pi_link_1", "status": "succeeded", "amount": 1500,
                "amount_received": 1500, "currency": "eur", "metadata": {},
                "receipt_email": "lin@mail.example"}),
        );
        deliver_ok(
            &app,
            &event("evt_link_2", "payment_intent.succeeded", t + 1, payment),
            "applied",
        )
        .await;
        let entries = stripe_entries(&app);
        let kinds: Vec<(&str, i64)> = entries
            .iter()
            .map(|e| (e.kind.as_str(), e.amount))
            .collect();
        assert_eq!(
            kinds,
            vec![("donation", 1500), ("fee", -FEE)],
            "{entries:?}"
        );
        assert_eq!(entries[0].email.as_deref(), Some("lin@mail.example"));
        assert_eq!(
            consent_of(&app, "lin@mail.example"),
            (false, false, false, false, false)
        );
        let sponsors = app.get_json("/api/v1/sponsors").await.to_string();
        assert!(!sponsors.contains("Lin Payer"), "{sponsors}");
        // A one-off payment made in the Dashboard, for a customer: recorded too.
        let dashboard = patched(
            fixture("payment_intent"),
            json!({"id": "pi_dash_1", "status": "succeeded", "amount": 4200,
                "amount_received": 4200, "currency": "eur", "metadata": {},
                "customer": "cus_lin"}),
        );
        stripe.put(
            "/v1/customers/cus_lin",
            customer("cus_lin", "lin@mail.example", "Lin Payer"),
        );
        deliver_ok(
            &app,
            &event("evt_dash_1", "payment_intent.succeeded", t + 2, dashboard),
            "applied",
        )
        .await;
        let entries = stripe_entries(&app);
        assert_eq!(entries.len(), 4, "{entries:?}");
        assert_eq!(app.count("donors"), 1);
    }
);

crate::stripe_test!(
    a_dashboard_subscription_becomes_a_pledge_at_its_true_rate_and_its_invoices_donations,
    |app, stripe| async move {
        let start = now() - 86_400 * 40;
        let t = now() - 100;
        // Every three months, 30.00: a year's worth is 120.00.
        stripe.put(
            "/v1/subscriptions/sub_dash",
            dashboard_subscription("sub_dash", "cus_dash", "active", 3000, 3, start),
        );
        stripe.put(
            "/v1/customers/cus_dash",
            customer("cus_dash", "dash@mail.example", "Dash Donor"),
        );
        // The invoice comes before the subscription's own event.
        deliver_ok(
            &app,
            &event(
                "evt_dash_in_1",
                "invoice.paid",
                t,
                dashboard_invoice("sub_dash", "in_dash_1", Some(t), 3000, "dash@mail.example"),
            ),
            "applied",
        )
        .await;
        deliver_ok(
            &app,
            &event(
                "evt_dash_sub_1",
                "customer.subscription.created",
                t,
                dashboard_subscription("sub_dash", "cus_dash", "active", 3000, 3, start),
            ),
            "applied",
        )
        .await;
        assert_eq!(
            pledge_state(&app, "sub_dash"),
            Some((
                "active".to_owned(),
                12000,
                "year".to_owned(),
                "dash@mail.example".to_owned()
            ))
        );
        assert_eq!(
            started_at(&app, "sub_dash"),
            chrono::DateTime::from_timestamp(start, 0)
                .expect("a time")
                .naive_utc()
        );
        let entries = stripe_entries(&app);
        let donation = entries
            .iter()
            .find(|e| e.kind == "donation")
            .expect("donation");
        assert_eq!(donation.amount, 3000);
        assert_eq!(donation.pledge_ref.as_deref(), Some("sub_dash"));
        assert_eq!(
            consent_of(&app, "dash@mail.example"),
            (false, false, false, false, false)
        );
        // The amount changes at Stripe: the pledge follows.
        deliver_ok(
            &app,
            &event(
                "evt_dash_sub_2",
                "customer.subscription.updated",
                t + 5,
                dashboard_subscription("sub_dash", "cus_dash", "active", 4500, 3, start),
            ),
            "applied",
        )
        .await;
        assert_eq!(pledge_state(&app, "sub_dash").expect("pledge").1, 18000);
        // Every five months, 50.00: 10.00 a month.
        deliver_ok(
            &app,
            &event(
                "evt_dash_sub_3",
                "customer.subscription.created",
                t,
                dashboard_subscription("sub_five", "cus_dash", "active", 5000, 5, start),
            ),
            "applied",
        )
        .await;
        let five = pledge_state(&app, "sub_five").expect("pledge");
        assert_eq!((five.1, five.2.as_str()), (1000, "month"));
        assert_eq!(app.count("donors"), 1);
    }
);

crate::stripe_test!(
    a_failed_refund_and_a_won_dispute_give_the_money_back_in_any_order,
    |app, _stripe| async move {
        let t = now() - 500;
        for (n, reversed) in [(1, false), (2, true)] {
            let reference = intent(
                &app,
                &format!("back{n}@mail.example"),
                5000,
                Frequency::Once,
            );
            let pi_refund = format!("pi_back{n}_r");
            let re = format!("re_back{n}");
            let gift = event(
                &format!("evt_back{n}_gift"),
                "checkout.session.completed",
                t,
                checkout_completed_payment(&reference, &pi_refund, 5000),
            );
            let created = event(
                &format!("evt_back{n}_re1"),
                "refund.created",
                t + 10,
                refund(&re, &pi_refund, 700, t + 10),
            );
            let mut failed_refund = refund(&re, &pi_refund, 700, t + 10);
            failed_refund["status"] = json!("failed");
            failed_refund["failure_reason"] = json!("expired_or_canceled_card");
            let failed = event(
                &format!("evt_back{n}_re2"),
                "refund.updated",
                t + 20,
                failed_refund,
            );
            let du = format!("du_back{n}");
            let withdrawn = event(
                &format!("evt_back{n}_du1"),
                "charge.dispute.funds_withdrawn",
                t + 30,
                dispute(&du, &pi_refund, 5000, t + 25, "needs_response"),
            );
            let reinstated = event(
                &format!("evt_back{n}_du2"),
                "charge.dispute.funds_reinstated",
                t + 40,
                dispute(&du, &pi_refund, 5000, t + 25, "won"),
            );
            let mut order = [gift, created, failed, withdrawn, reinstated];
            if reversed {
                order.reverse();
            }
            for body in order.iter().chain(order.iter()) {
                let (status, reply) = deliver(&app, body).await;
                assert_eq!(status, reqwest::StatusCode::OK, "{reply}");
            }
            let mine: Vec<EntryFacts> = stripe_entries(&app)
                .into_iter()
                .filter(|e| {
                    e.external_ref
                        .as_deref()
                        .is_some_and(|r| r.contains(&format!("back{n}")))
                })
                .collect();
            let mut kinds: Vec<(&str, i64)> =
                mine.iter().map(|e| (e.kind.as_str(), e.amount)).collect();
            kinds.sort();
            assert_eq!(
                kinds,
                vec![
                    ("correction", 700),
                    ("correction", 5000),
                    ("donation", 5000),
                    ("fee", -1500),
                    ("fee", -FEE),
                    ("refund", -5000),
                    ("refund", -700),
                ],
                "reversed: {reversed}: {mine:?}"
            );
        }
    }
);

/// The life of a subscription made in the Dashboard, with a refund that failed and a dispute
/// won; ids carry the case number.
fn life_without_intent(case: usize, t: i64, start: i64) -> Vec<String> {
    let sub = format!("sub_d{case}");
    let cus = format!("cus_d{case}");
    let email = format!("donor{case}@mail.example");
    let ev = |n: usize| format!("evt_d{case}_{n}");
    let inv = |n: usize| format!("in_d{case}_{n}");
    let pi = |n: usize| format!("pi_d{case}_{n}");
    let re = format!("re_d{case}_1");
    let du = format!("du_d{case}_2");
    let mut failed = refund(&re, &pi(1), 900, t + 5);
    failed["status"] = json!("failed");
    vec![
        event(
            &ev(1),
            "customer.subscription.created",
            t,
            dashboard_subscription(&sub, &cus, "active", 3000, 1, start),
        ),
        event(
            &ev(2),
            "invoice.paid",
            t + 1,
            dashboard_invoice(&sub, &inv(1), Some(t + 1), 3000, &email),
        ),
        event(
            &ev(3),
            "invoice.paid",
            t + 2,
            dashboard_invoice(&sub, &inv(2), Some(t + 2), 3000, &email),
        ),
        event(
            &ev(4),
            "refund.created",
            t + 5,
            refund(&re, &pi(1), 900, t + 5),
        ),
        event(&ev(5), "refund.updated", t + 6, failed),
        event(
            &ev(6),
            "charge.dispute.funds_withdrawn",
            t + 7,
            dispute(&du, &pi(2), 3000, t + 7, "needs_response"),
        ),
        event(
            &ev(7),
            "charge.dispute.funds_reinstated",
            t + 8,
            dispute(&du, &pi(2), 3000, t + 7, "won"),
        ),
        event(
            &ev(8),
            "customer.subscription.updated",
            t + 9,
            dashboard_subscription(&sub, &cus, "active", 4000, 1, start),
        ),
        event(
            &ev(9),
            "customer.subscription.deleted",
            t + 10,
            dashboard_subscription(&sub, &cus, "canceled", 4000, 1, start),
        ),
    ]
}

fn outcome_without_intent(app: &TestApp, case: usize) -> (Vec<EntryFacts>, Option<PledgeState>) {
    let tag = format!("_d{case}");
    let strip = |r: Option<String>| r.map(|r| r.replace(&tag, "_dX"));
    let entries = stripe_entries(app)
        .into_iter()
        .filter(|e| {
            e.external_ref
                .as_deref()
                .is_some_and(|r| r.contains(&format!("{tag}_")))
        })
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
    let pledge = pledge_state(app, &format!("sub_d{case}"))
        .map(|(s, a, i, m)| (s, a, i, m.replace(&format!("donor{case}@"), "donor@")));
    (entries, pledge)
}

crate::stripe_test!(
    any_order_of_a_dashboard_subscriptions_events_with_failed_refunds_and_disputes_converges,
    |app, stripe| async move {
        let events = 9;
        let strategy = (
            Just((0..events).collect::<Vec<usize>>()).prop_shuffle(),
            proptest::collection::vec((0..events, 0..12usize), 0..4),
        );
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut orders: Vec<Vec<usize>> = vec![(0..events).collect()];
        for _ in 0..8 {
            let (mut order, repeats) = strategy.new_tree(&mut runner).expect("a case").current();
            for (event, at) in repeats {
                order.insert(at.min(order.len()), event);
            }
            orders.push(order);
        }
        let t = now() - 3600;
        let start = t - 86_400;
        let mut expected = None;
        for (case, order) in orders.iter().enumerate() {
            let sub = format!("sub_d{case}");
            let cus = format!("cus_d{case}");
            // What Stripe says now: the subscription's last state.
            stripe.put(
                &format!("/v1/subscriptions/{sub}"),
                dashboard_subscription(&sub, &cus, "canceled", 4000, 1, start),
            );
            stripe.put(
                &format!("/v1/customers/{cus}"),
                customer(&cus, &format!("donor{case}@mail.example"), "Dee Donor"),
            );
            let bodies = life_without_intent(case, t, start);
            for &index in order {
                let (status, reply) = deliver(&app, &bodies[index]).await;
                assert_eq!(
                    status,
                    reqwest::StatusCode::OK,
                    "case {case} {order:?}: {reply}"
                );
            }
            let outcome = outcome_without_intent(&app, case);
            match &expected {
                None => {
                    let (entries, pledge) = &outcome;
                    let total: i64 = entries.iter().map(|e| e.amount).sum();
                    assert_eq!(total, 2 * 3000 - 2 * FEE - 1500, "{entries:?}");
                    assert_eq!(entries.len(), 9, "{entries:?}");
                    assert_eq!(
                        pledge.as_ref().map(|p| (p.0.as_str(), p.1)),
                        Some(("cancelled", 4000))
                    );
                    expected = Some(outcome);
                }
                Some(expected) => assert_eq!(
                    &outcome, expected,
                    "case {case}: the order {order:?} gave another ledger"
                ),
            }
        }
        assert_eq!(
            app.count("processed_events"),
            (orders.len() * events) as i64
        );
    }
);
