//! Every admin POST honours `Idempotency-Key`; external references are recorded once.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::backend_test;
use crate::helpers::assert_error;

backend_test!(
    the_same_key_and_body_returns_the_first_response_and_records_once,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let body = json!({"donor_id": donor, "amount": "12.50"});
        let first = app
            .admin_send(
                Method::POST,
                "/api/v1/admin/donations",
                &body,
                Some("key-1"),
            )
            .await;
        assert_eq!(first.status(), StatusCode::CREATED);
        assert!(first.headers().get("Idempotent-Replayed").is_none());
        let first: Value = first.json().await.unwrap();
        let second = app
            .admin_send(
                Method::POST,
                "/api/v1/admin/donations",
                &body,
                Some("key-1"),
            )
            .await;
        assert_eq!(second.status(), StatusCode::CREATED);
        assert_eq!(second.headers().get("Idempotent-Replayed").unwrap(), "true");
        let second: Value = second.json().await.unwrap();
        assert_eq!(first, second);
        assert_eq!(app.count("ledger_entries"), 1);
    }
);

backend_test!(
    the_same_key_with_another_body_is_refused_and_writes_nothing,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let key = Some("key-2");
        let first = app
            .admin_send(
                Method::POST,
                "/api/v1/admin/donations",
                &json!({"donor_id": donor, "amount": "5.00"}),
                key,
            )
            .await;
        assert_eq!(first.status(), StatusCode::CREATED);
        let before = app.row_counts();
        let other = app
            .admin_send(
                Method::POST,
                "/api/v1/admin/donations",
                &json!({"donor_id": donor, "amount": "6.00"}),
                key,
            )
            .await;
        assert_error(
            other,
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
        )
        .await;
        assert_eq!(app.row_counts(), before);
    }
);

backend_test!(
    a_key_is_scoped_to_its_route_and_works_on_every_post,
    |app| async move {
        // The same key on another route is another request: refused, not silently replayed.
        let tier = app
            .admin_send(
                Method::POST,
                "/api/v1/admin/tiers",
                &json!({"slug": "gold", "name": "Gold", "monthly_minimum": "25"}),
                Some("k"),
            )
            .await;
        assert_eq!(tier.status(), StatusCode::CREATED);
        let donor = app
            .admin_send(
                Method::POST,
                "/api/v1/admin/donors",
                &json!({"public_name": "Bo"}),
                Some("k"),
            )
            .await;
        assert_error(
            donor,
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
        )
        .await;
        let replay = app
            .admin_send(
                Method::POST,
                "/api/v1/admin/tiers",
                &json!({"slug": "gold", "name": "Gold", "monthly_minimum": "25"}),
                Some("k"),
            )
            .await;
        assert_eq!(
            replay.status(),
            StatusCode::CREATED,
            "a replay is not a duplicate slug"
        );
        assert_eq!(app.count("tiers"), 1);
        assert_eq!(app.count("donors"), 0);
    }
);

backend_test!(
    a_refused_request_stores_no_response_so_a_fixed_retry_works,
    |app| async move {
        let bad = app
            .admin_send(
                Method::POST,
                "/api/v1/admin/donors",
                &json!({"public_name": "Bo", "email": "nope"}),
                Some("k3"),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("idempotency_keys"), 0);
    }
);

backend_test!(
    the_same_external_payment_is_never_recorded_twice,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let body = json!({"donor_id": donor, "amount": "20.00", "source": "bank", "external_ref": "TX-2026-001"});
        app.create("/api/v1/admin/donations", body.clone()).await;
        let before = app.row_counts();
        let again = app.admin_post("/api/v1/admin/donations", &body).await;
        assert_error(again, StatusCode::CONFLICT, "conflict").await;
        assert_eq!(app.row_counts(), before);
        // The same reference from another source is another payment.
        let other = json!({"donor_id": donor, "amount": "20.00", "source": "patreon", "external_ref": "TX-2026-001"});
        app.create("/api/v1/admin/donations", other).await;
        assert_eq!(app.count("ledger_entries"), 2);
    }
);

backend_test!(
    concurrent_retries_with_one_key_record_once,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let body = json!({"donor_id": donor, "amount": "7.00"});
        let requests = (0..6)
            .map(|_| app.admin_send(Method::POST, "/api/v1/admin/donations", &body, Some("race")));
        let responses = futures_util::future::join_all(requests).await;
        let mut ids = Vec::new();
        for response in responses {
            assert_eq!(response.status(), StatusCode::CREATED);
            ids.push(response.json::<Value>().await.unwrap()["id"].clone());
        }
        ids.dedup();
        assert_eq!(
            ids.len(),
            1,
            "every retry answers with the one recorded entry"
        );
        assert_eq!(app.count("ledger_entries"), 1);
    }
);
