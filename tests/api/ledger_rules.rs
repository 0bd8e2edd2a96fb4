//! Ledger rules over HTTP: refunds, expenses, corrections, listing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::backend_test;
use crate::helpers::assert_error;

backend_test!(
    a_refund_never_exceeds_what_remains_refundable,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let donation = app
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": donor, "amount": "50.00"}),
            )
            .await;
        let partial = app
            .create(
                "/api/v1/admin/refunds",
                json!({"entry_id": donation, "amount": "20", "memo": "partial"}),
            )
            .await;
        assert_eq!(partial["amount"], "-20.00");
        assert_eq!(partial["reverses"], donation);
        assert_eq!(partial["kind"], "refund");
        assert_eq!(partial["donor_id"], donor);

        let before = app.row_counts();
        let too_much = app
            .admin_post(
                "/api/v1/admin/refunds",
                &json!({"entry_id": donation, "amount": "30.01"}),
            )
            .await;
        let message = assert_error(too_much, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert!(message.contains("30.00 EUR"), "{message}");
        assert_eq!(app.row_counts(), before);

        let rest = app
            .create("/api/v1/admin/refunds", json!({"entry_id": donation}))
            .await;
        assert_eq!(
            rest["amount"], "-30.00",
            "the amount defaults to what remains"
        );
        let again = app
            .admin_post("/api/v1/admin/refunds", &json!({"entry_id": donation}))
            .await;
        assert_error(again, StatusCode::CONFLICT, "conflict").await;
        let of_refund = app
            .admin_post("/api/v1/admin/refunds", &json!({"entry_id": rest["id"]}))
            .await;
        assert_error(of_refund, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    }
);

backend_test!(
    expenses_are_negative_and_keep_their_category,
    |app| async move {
        let expense = app
        .create("/api/v1/admin/expenses", json!({"amount": "180.00", "category": "Hosting", "memo": "server", "occurred_at": "2026-11-01T00:00:00Z"}))
        .await;
        assert_eq!(expense["amount"], "-180.00");
        assert_eq!(expense["category"], "hosting");
        assert_eq!(expense["occurred_at"], "2026-11-01T00:00:00Z");
        let no_category = app
            .admin_post(
                "/api/v1/admin/expenses",
                &json!({"amount": "5", "category": " "}),
            )
            .await;
        assert_error(no_category, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        let future = app
            .admin_post(
                "/api/v1/admin/expenses",
                &json!({"amount": "5", "category": "x", "occurred_at": "2099-01-01T00:00:00Z"}),
            )
            .await;
        assert_error(future, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert_eq!(app.count("ledger_entries"), 1);
    }
);

backend_test!(
    a_correction_reverses_a_mistake_within_bounds,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let donation = app
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": donor, "amount": "100.00"}),
            )
            .await;
        let no_memo = app
            .admin_post(
                "/api/v1/admin/corrections",
                &json!({"entry_id": donation, "memo": ""}),
            )
            .await;
        assert_error(no_memo, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        let typo = app
        .create("/api/v1/admin/corrections", json!({"entry_id": donation, "amount": "-90.00", "memo": "was 10.00, typed 100.00"}))
        .await;
        assert_eq!(typo["amount"], "-90.00");
        assert_eq!(typo["kind"], "correction");
        let too_far = app
            .admin_post(
                "/api/v1/admin/corrections",
                &json!({"entry_id": donation, "amount": "-10.01", "memo": "x"}),
            )
            .await;
        assert_error(too_far, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        let above = app
            .admin_post(
                "/api/v1/admin/corrections",
                &json!({"entry_id": donation, "amount": "90.01", "memo": "x"}),
            )
            .await;
        assert_error(above, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        // The refundable remainder follows the correction.
        let refund = app
            .create("/api/v1/admin/refunds", json!({"entry_id": donation}))
            .await;
        assert_eq!(refund["amount"], "-10.00");
    }
);

backend_test!(
    amounts_carry_their_currency_and_never_mix,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let yen = app
            .create(
                "/api/v1/admin/donations",
                json!({"donor_id": donor, "amount": "1000", "currency": "JPY"}),
            )
            .await;
        assert_eq!(yen["amount"], "1000");
        assert_eq!(yen["currency"], "JPY");
        let refund = app
            .admin_post(
                "/api/v1/admin/refunds",
                &json!({"entry_id": yen["id"], "amount": "0.5"}),
            )
            .await;
        assert_error(refund, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        let pledge = app.monthly_pledge(donor, "5.00").await;
        let mixed = app
            .admin_post(
                "/api/v1/admin/donations",
                &json!({"pledge_id": pledge, "amount": "5", "currency": "USD"}),
            )
            .await;
        assert_error(mixed, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        let summary = app.get_json("/api/v1/summary").await;
        assert_eq!(
            summary["monthly_recurring"],
            json!({"amount": "5.00", "currency": "EUR"}),
            "the yen gift is not converted"
        );
    }
);

backend_test!(the_ledger_lists_with_filters_and_pages, |app| async move {
    let donor = app.open_donor("Ada").await;
    {
        // Fill directly through the service: 55 entries over HTTP would only slow the test.
        let mut conn = app.conn();
        for i in 0..53 {
            coffer::ledger::entries::record_expense(
                &mut conn,
                coffer::ledger::entries::ExpenseDraft {
                    amount: coffer::domain::Money::parse_positive(
                        "1.00",
                        coffer::domain::Currency::EUR,
                    )
                    .unwrap(),
                    category: "hosting".into(),
                    occurred_at: None,
                    source: coffer::domain::Source::Bank,
                    external_ref: Some(format!("fill-{i}")),
                    memo: String::new(),
                },
            )
            .unwrap();
        }
    }
    app.create(
        "/api/v1/admin/donations",
        json!({"donor_id": donor, "amount": "3.00"}),
    )
    .await;
    let first = app.admin_get_json("/api/v1/admin/ledger").await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 50);
    assert_eq!(first["next_page"], 1);
    assert_eq!(first["entries"][0]["kind"], "donation", "newest first");
    let second = app.admin_get_json("/api/v1/admin/ledger?page=1").await;
    assert_eq!(second["entries"].as_array().unwrap().len(), 4);
    assert_eq!(second["next_page"], Value::Null);
    let donations = app
        .admin_get_json("/api/v1/admin/ledger?kind=donation")
        .await;
    assert_eq!(donations["entries"].as_array().unwrap().len(), 1);
    let mine = app
        .admin_get_json(&format!("/api/v1/admin/ledger?donor_id={donor}"))
        .await;
    assert_eq!(mine["entries"][0]["amount"], "3.00");
    for key in [
        "id",
        "kind",
        "amount",
        "currency",
        "donor_id",
        "pledge_id",
        "source",
        "external_ref",
        "reverses",
    ] {
        assert!(mine["entries"][0].get(key).is_some(), "entries have {key}");
    }
    let bad = app.admin_get("/api/v1/admin/ledger?kind=gift").await;
    assert_error(bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let bad_page = app.admin_get("/api/v1/admin/ledger?page=abc").await;
    assert_error(bad_page, StatusCode::BAD_REQUEST, "bad_request").await;
});
