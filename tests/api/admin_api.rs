//! The treasurer's JSON API: tiers, donors, pledges, and its errors.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::backend_test;
use crate::helpers::assert_error;

backend_test!(the_admin_api_requires_a_valid_token, |app| async move {
    let none = app.get("/api/v1/admin/tiers").await;
    assert_eq!(none.headers().get("www-authenticate").unwrap(), "Bearer");
    assert_error(none, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let wrong = app
        .client
        .post(app.url("/api/v1/admin/donors"))
        .bearer_auth("coffer_0000")
        .json(&json!({"public_name": "Mallory"}))
        .send()
        .await
        .unwrap();
    assert_error(wrong, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(app.count("donors"), 0);
});

backend_test!(
    tiers_are_created_listed_updated_and_archived,
    |app| async move {
        let (platinum, gold, _) = app.standard_tiers().await;
        let list = app.admin_get_json("/api/v1/admin/tiers").await;
        let slugs: Vec<&str> = list["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["slug"].as_str().unwrap())
            .collect();
        assert_eq!(slugs, ["platinum", "gold", "rosegold"]);
        assert_eq!(list["tiers"][0]["monthly_minimum"], "100.00");
        assert_eq!(list["tiers"][0]["link_rel"], "sponsored noopener");
        assert_eq!(
            list["tiers"][0]["perks"],
            json!(["name", "logo", "link", "handle"])
        );

        let updated = app
        .admin_send(Method::PATCH, &format!("/api/v1/admin/tiers/{gold}"),
            &json!({"monthly_minimum": "30.00", "name": "Gold ✨", "link_rel": "sponsored nofollow"}), None)
        .await;
        assert_eq!(updated.status(), StatusCode::OK);
        let updated: Value = updated.json().await.unwrap();
        assert_eq!(updated["monthly_minimum"], "30.00");
        assert_eq!(updated["name"], "Gold ✨");
        assert_eq!(updated["slug"], "gold");
        assert_eq!(updated["link_rel"], "sponsored nofollow");

        let archived = app
            .admin_post(
                &format!("/api/v1/admin/tiers/{platinum}/archive"),
                &json!({}),
            )
            .await;
        assert_eq!(archived.status(), StatusCode::OK);
        let public = app.get_json("/api/v1/tiers").await;
        assert_eq!(
            public["tiers"].as_array().unwrap().len(),
            2,
            "archived tiers leave the public list"
        );
        let all = app
            .admin_get_json("/api/v1/admin/tiers?include_archived=true")
            .await;
        assert_eq!(all["tiers"].as_array().unwrap().len(), 3);
        let again = app
            .admin_post(
                &format!("/api/v1/admin/tiers/{platinum}/archive"),
                &json!({}),
            )
            .await;
        assert_error(again, StatusCode::CONFLICT, "conflict").await;
    }
);

backend_test!(
    bad_tier_input_gets_a_clear_error_and_changes_nothing,
    |app| async move {
        app.standard_tiers().await;
        let before = app.row_counts();
        let cases = [
            (
                json!({"slug": "gold", "name": "Gold again", "monthly_minimum": "1"}),
                StatusCode::CONFLICT,
                "conflict",
            ),
            (
                json!({"slug": "Bad Slug", "name": "X", "monthly_minimum": "1"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            (
                json!({"slug": "x", "name": "X", "monthly_minimum": "1.005"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            (
                json!({"slug": "x", "name": "X", "monthly_minimum": "-3"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            (
                json!({"slug": "x", "name": "X", "monthly_minimum": "5", "currency": "XXX"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            (
                json!({"slug": "x", "name": "X", "monthly_minimum": "5", "perks": ["moderation"]}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            (
                json!({"slug": "x", "name": "X", "monthly_minimum": "5", "link_rel": "noopener"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            (
                json!({"slug": "x", "name": "X", "monthly_minimum": 5.0}),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                json!({"slug": "x", "name": "X", "monthly_minimum": "5", "role": "moderator"}),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
        ];
        for (body, status, code) in cases {
            let response = app.admin_post("/api/v1/admin/tiers", &body).await;
            let message = assert_error(response, status, code).await;
            assert!(!message.is_empty());
        }
        assert_eq!(app.row_counts(), before);
        let not_json = app
            .client
            .post(app.url("/api/v1/admin/tiers"))
            .bearer_auth(&app.token)
            .body("slug=gold")
            .send()
            .await
            .unwrap();
        assert_error(
            not_json,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
        let json_as_text = app
            .client
            .post(app.url("/api/v1/admin/tiers"))
            .bearer_auth(&app.token)
            .header("Content-Type", "text/plain")
            .body(r#"{"slug": "x", "name": "X", "monthly_minimum": "5"}"#)
            .send()
            .await
            .unwrap();
        assert_error(
            json_as_text,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
        let array = app
            .client
            .post(app.url("/api/v1/admin/tiers"))
            .bearer_auth(&app.token)
            .json(&json!([{"slug": "x", "name": "X", "monthly_minimum": "5"}]))
            .send()
            .await
            .unwrap();
        assert_error(array, StatusCode::BAD_REQUEST, "bad_request").await;
        let syntax = app
            .client
            .post(app.url("/api/v1/admin/tiers"))
            .bearer_auth(&app.token)
            .header("Content-Type", "application/json")
            .body("{\"slug\": ")
            .send()
            .await
            .unwrap();
        assert_error(syntax, StatusCode::BAD_REQUEST, "bad_request").await;
        let too_large = app
            .client
            .post(app.url("/api/v1/admin/tiers"))
            .bearer_auth(&app.token)
            .header("Content-Type", "application/json")
            .body(format!("{{\"name\": \"{}\"}}", "x".repeat(100_000)))
            .send()
            .await
            .unwrap();
        assert_error(
            too_large,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        )
        .await;
        assert_eq!(app.row_counts(), before);
    }
);

backend_test!(perks_are_a_closed_set_of_display_perks, |app| async move {
    let response = app
        .admin_post("/api/v1/admin/tiers", &json!({"slug": "mod", "name": "Mod", "monthly_minimum": "500", "perks": ["name", "moderator"]}))
        .await;
    let message = assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(message.contains("moderator"), "{message}");
});

backend_test!(
    donors_are_created_updated_and_shown_with_their_ledger,
    |app| async move {
        let donor = app
        .create("/api/v1/admin/donors", json!({
            "public_name": "Ada Okafor", "email": "Ada@Mail.Example", "fediverse_handle": "ada@Social.Example",
            "website": "https://ada.example", "consent": {"name": true}
        }))
        .await;
        let id = donor["id"].as_i64().unwrap();
        assert_eq!(donor["fediverse_handle"], "@ada@social.example");
        assert_eq!(donor["consent"]["name"], true);
        assert_eq!(donor["consent"]["link"], false);

        let updated = app
        .admin_send(Method::PATCH, &format!("/api/v1/admin/donors/{id}"),
            &json!({"consent": {"name": true, "link": true}, "legal_name": "Ada N. Okafor", "website": null}), None)
        .await;
        assert_eq!(updated.status(), StatusCode::OK);
        let updated: Value = updated.json().await.unwrap();
        assert_eq!(updated["consent"]["link"], true);
        assert_eq!(updated["legal_name"], "Ada N. Okafor");
        assert_eq!(updated["website"], Value::Null);
        assert_eq!(
            updated["fediverse_handle"], "@ada@social.example",
            "absent fields are kept"
        );

        let pledge = app.monthly_pledge(id, "10.00").await;
        app.create(
            "/api/v1/admin/donations",
            json!({"pledge_id": pledge, "amount": "10.00"}),
        )
        .await;
        let shown = app
            .admin_get_json(&format!("/api/v1/admin/donors/{id}"))
            .await;
        assert_eq!(shown["pledges"][0]["id"], pledge);
        assert_eq!(
            shown["entries"][0]["donor_id"], id,
            "a pledge's donation belongs to its donor"
        );
        assert_eq!(
            shown["monthly_support"],
            json!({"amount": "10.00", "currency": "EUR"})
        );

        let list = app.admin_get_json("/api/v1/admin/donors").await;
        assert_eq!(list["donors"].as_array().unwrap().len(), 1);
        assert_eq!(list["next_page"], Value::Null);
        let missing = app.admin_get("/api/v1/admin/donors/9999").await;
        assert_error(missing, StatusCode::NOT_FOUND, "not_found").await;
    }
);

backend_test!(
    bad_donor_input_is_refused_field_by_field,
    |app| async move {
        let before = app.row_counts();
        for (body, field) in [
            (
                json!({"public_name": "A", "email": "not-an-email"}),
                "email",
            ),
            (
                json!({"public_name": "A", "website": "javascript:alert(1)"}),
                "website",
            ),
            (
                json!({"public_name": "A", "fediverse_handle": "@@nope"}),
                "fediverse_handle",
            ),
            (json!({"public_name": "   "}), "public_name"),
        ] {
            let response = app.admin_post("/api/v1/admin/donors", &body).await;
            let message = assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
            assert!(message.starts_with(field), "{message}");
        }
        assert_eq!(app.row_counts(), before);
    }
);

backend_test!(
    pledges_change_status_with_an_audit_trail,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let pledge = app.monthly_pledge(donor, "5.00").await;
        let paused = app
            .admin_post(
                &format!("/api/v1/admin/pledges/{pledge}/status"),
                &json!({"status": "paused"}),
            )
            .await;
        assert_eq!(paused.status(), StatusCode::OK);
        let active = app
            .admin_get_json("/api/v1/admin/pledges?status=active")
            .await;
        assert_eq!(active["pledges"].as_array().unwrap().len(), 0);
        let mine = app
            .admin_get_json(&format!("/api/v1/admin/pledges?donor_id={donor}"))
            .await;
        assert_eq!(mine["pledges"][0]["status"], "paused");
        let cancelled: Value = app
            .admin_post(
                &format!("/api/v1/admin/pledges/{pledge}/status"),
                &json!({"status": "cancelled"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(cancelled["status"], "cancelled");
        assert!(cancelled["ended_at"].is_string());
        let reopen = app
            .admin_post(
                &format!("/api/v1/admin/pledges/{pledge}/status"),
                &json!({"status": "active"}),
            )
            .await;
        assert_error(reopen, StatusCode::CONFLICT, "conflict").await;
        assert_eq!(audit_actions(&app, "pledge.status"), 2);
        let bad = app
            .admin_post(
                &format!("/api/v1/admin/pledges/{pledge}/status"),
                &json!({"status": "deleted"}),
            )
            .await;
        assert_error(bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    }
);

backend_test!(bad_pledges_are_refused, |app| async move {
    let donor = app.open_donor("Ada").await;
    let ok = json!({"donor_id": donor, "amount": "5", "interval": "year", "source": "patreon", "external_ref": "p-1"});
    app.create("/api/v1/admin/pledges", ok.clone()).await;
    let before = app.row_counts();
    assert_error(
        app.admin_post("/api/v1/admin/pledges", &ok).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    for body in [
        json!({"donor_id": 999, "amount": "5", "interval": "month"}),
        json!({"donor_id": donor, "amount": "5", "interval": "week"}),
        json!({"donor_id": donor, "amount": "0", "interval": "month"}),
        json!({"donor_id": donor, "amount": "5", "interval": "month", "source": "paypal"}),
    ] {
        let response = app.admin_post("/api/v1/admin/pledges", &body).await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    }
    assert_eq!(app.row_counts(), before);
});

backend_test!(
    pinning_a_tier_is_audited_and_overrides_support,
    |app| async move {
        let (platinum, _, _) = app.standard_tiers().await;
        let donor = app.open_donor("Kestrel Labs").await;
        app.monthly_pledge(donor, "5.00").await;
        let no_reason = app
            .admin_post(
                &format!("/api/v1/admin/donors/{donor}/pin"),
                &json!({"tier_id": platinum, "reason": ""}),
            )
            .await;
        assert_error(no_reason, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        let pinned = app
            .admin_post(
                &format!("/api/v1/admin/donors/{donor}/pin"),
                &json!({"tier_id": platinum, "reason": "hardware donation"}),
            )
            .await;
        assert_eq!(pinned.status(), StatusCode::OK);
        let sponsors = app.get_json("/api/v1/sponsors").await;
        assert_eq!(sponsors["tiers"][0]["slug"], "platinum");
        assert_eq!(sponsors["tiers"][0]["sponsors"][0]["name"], "Kestrel Labs");
        let audit = coffer::db::audit::recent(&mut app.conn(), 10).unwrap();
        assert!(
            audit
                .iter()
                .any(|(action, _, detail)| action == "donor.pin_tier"
                    && detail.contains("hardware donation")),
            "{audit:?}"
        );
    }
);

/// How many audit records name this action.
fn audit_actions(app: &crate::helpers::TestApp, action: &str) -> usize {
    let mut conn = app.conn();
    coffer::db::audit::recent(&mut conn, 10_000)
        .expect("audit log")
        .iter()
        .filter(|(a, _, _)| a == action)
        .count()
}
