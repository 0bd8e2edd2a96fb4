//! The write path's rules that accepted input must never break: bounds, dates, periods,
//! append-only storage, and database failures that are never blamed on the client.

use diesel::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::backend_test;
use crate::helpers::{assert_error, Backend};

backend_test!(
    the_largest_accepted_pledges_still_show_on_the_wall,
    |app| async move {
        app.standard_tiers().await;
        for name in ["Whale One", "Whale Two", "Whale Three"] {
            let donor = app.open_donor(name).await;
            app.monthly_pledge(donor, "999999999.99").await;
        }
        let summary = app.get_json("/api/v1/summary").await;
        assert_eq!(summary["monthly_recurring"]["amount"], "2999999999.97");
        let sponsors = app.get("/api/v1/sponsors").await;
        assert_eq!(sponsors.status(), StatusCode::OK);
        let wall = app.get("/").await;
        assert_eq!(wall.status(), StatusCode::OK);
        let html = wall.text().await.unwrap();
        assert!(
            html.contains("€2,999,999,999.97"),
            "the wall shows the total"
        );
    }
);

backend_test!(
    refund_then_correction_cannot_reopen_the_refunded_amount,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let donation = app
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": donor, "amount": "100.00"}),
            )
            .await;
        app.create("/api/v1/admin/refunds", json!({"entry_id": donation}))
            .await;
        let before = app.row_counts();
        let reopen = app
            .admin_post(
                "/api/v1/admin/corrections",
                &json!({"entry_id": donation, "amount": "100.00", "memo": "reopen"}),
            )
            .await;
        let message = assert_error(reopen, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert!(message.contains("refunded"), "{message}");
        let again = app
            .admin_post("/api/v1/admin/refunds", &json!({"entry_id": donation}))
            .await;
        assert_error(again, StatusCode::CONFLICT, "conflict").await;
        assert_eq!(app.row_counts(), before);
        // A correction may give back what an earlier correction took, and no more.
        let other = app
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": donor, "amount": "100.00"}),
            )
            .await;
        app.create(
            "/api/v1/admin/corrections",
            json!({"entry_id": other, "amount": "-40.00", "memo": "typo"}),
        )
        .await;
        app.create(
            "/api/v1/admin/corrections",
            json!({"entry_id": other, "amount": "40.00", "memo": "undo typo fix"}),
        )
        .await;
        let beyond = app
            .admin_post(
                "/api/v1/admin/corrections",
                &json!({"entry_id": other, "amount": "0.01", "memo": "more"}),
            )
            .await;
        assert_error(beyond, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    }
);

backend_test!(
    a_correction_counts_in_the_period_of_the_entry_it_corrects,
    |app| async move {
        let old = (chrono::Utc::now() - chrono::Duration::days(400)).to_rfc3339();
        let recent = (chrono::Utc::now() - chrono::Duration::days(10)).to_rfc3339();
        let old_expense = app
            .create_id(
                "/api/v1/admin/expenses",
                json!({"amount": "1200.00", "category": "hosting", "occurred_at": old}),
            )
            .await;
        app.create(
            "/api/v1/admin/expenses",
            json!({"amount": "120.00", "category": "hosting", "occurred_at": recent}),
        )
        .await;
        let goal_before = app.get_json("/api/v1/summary").await["monthly_goal"].clone();
        assert_eq!(goal_before["amount"], "10.00");
        let correction = app
            .create(
                "/api/v1/admin/corrections",
                json!({"entry_id": old_expense, "amount": "600.00", "memo": "half was a deposit"}),
            )
            .await;
        assert_eq!(correction["occurred_at"].as_str().unwrap()[..10], old[..10]);
        let goal_after = app.get_json("/api/v1/summary").await["monthly_goal"].clone();
        assert_eq!(
            goal_after, goal_before,
            "last year's correction leaves this year's goal"
        );
    }
);

backend_test!(
    dates_are_bounded_and_refunds_follow_donations,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let before = app.row_counts();
        let tomorrow_and_more = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        for occurred_at in [
            "0001-01-01T00:00:00Z",
            "1999-12-31T23:59:59Z",
            &tomorrow_and_more,
        ] {
            let response = app
                .admin_post(
                    "/api/v1/admin/donations",
                    &json!({"donor_id": donor, "amount": "5.00", "occurred_at": occurred_at}),
                )
                .await;
            assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        }
        assert_eq!(app.row_counts(), before);
        let donation = app
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": donor, "amount": "5.00", "occurred_at": "2026-03-01T12:00:00Z"}),
            )
            .await;
        let early = app
            .admin_post(
                "/api/v1/admin/refunds",
                &json!({"entry_id": donation, "occurred_at": "2026-02-28T12:00:00Z"}),
            )
            .await;
        let message = assert_error(early, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert!(message.contains("before the donation"), "{message}");
        app.create(
            "/api/v1/admin/refunds",
            json!({"entry_id": donation, "occurred_at": "2026-03-02T12:00:00Z"}),
        )
        .await;
    }
);

backend_test!(
    names_refuse_hidden_characters_and_the_wall_isolates_them,
    |app| async move {
        app.standard_tiers().await;
        let before = app.row_counts();
        for name in [
            "Evil\u{202E}gnp.exe",
            "Zero\u{200B}Width",
            "\u{2066}Isolate",
        ] {
            let response = app
                .admin_post(
                    "/api/v1/admin/donors",
                    &json!({"public_name": name, "consent": {"name": true}}),
                )
                .await;
            assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        }
        assert_eq!(app.row_counts(), before);
        let donor = app.open_donor("שלום Sponsor").await;
        app.monthly_pledge(donor, "30.00").await;
        let html = app.get("/").await.text().await.unwrap();
        assert!(
            html.contains("<bdi>שלום Sponsor</bdi>"),
            "names are isolated"
        );
    }
);

backend_test!(
    a_database_failure_is_a_server_error_not_the_clients,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        {
            let mut conn = app.conn();
            diesel::sql_query("ALTER TABLE donors RENAME TO donors_elsewhere")
                .execute(&mut *conn as &mut coffer::db::DbConn)
                .expect("rename");
        }
        let response = app
            .admin_post(
                "/api/v1/admin/donations",
                &json!({"donor_id": donor, "amount": "5.00"}),
            )
            .await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
        assert_eq!(body["error"]["code"], "internal");
        assert!(
            !body.to_string().contains("donors_elsewhere"),
            "no internals leak"
        );
    }
);

#[actix_web::test]
async fn on_sqlite_no_statement_can_replace_or_remove_a_ledger_row() {
    let app = crate::helpers::spawn_app(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let donor = app.open_donor("Ada").await;
    let donation = app
        .create(
            "/api/v1/admin/donations",
            json!({"donor_id": donor, "amount": "50.00", "source": "bank", "external_ref": "TX-1"}),
        )
        .await;
    let id = donation["id"].as_i64().unwrap();
    let mut conn = app.conn();
    let conn = &mut *conn as &mut coffer::db::DbConn;
    let attempts = [
        format!(
            "INSERT OR REPLACE INTO ledger_entries (id, kind, amount, currency, occurred_at, \
             recorded_at, source, memo) VALUES ({id}, 'donation', 1, 'EUR', '2026-01-01 00:00:00', \
             '2026-01-01 00:00:00', 'manual', 'rewritten')"
        ),
        format!(
            "REPLACE INTO ledger_entries (id, kind, amount, currency, occurred_at, recorded_at, \
             source, memo) VALUES ({id}, 'donation', 1, 'EUR', '2026-01-01 00:00:00', \
             '2026-01-01 00:00:00', 'manual', 'rewritten')"
        ),
        "INSERT OR REPLACE INTO ledger_entries (kind, amount, currency, occurred_at, recorded_at, \
         source, external_ref, memo) VALUES ('donation', 1, 'EUR', '2026-01-01 00:00:00', \
         '2026-01-01 00:00:00', 'bank', 'TX-1', 'rewritten')"
            .to_owned(),
        format!("UPDATE OR REPLACE ledger_entries SET amount = 1 WHERE id = {id}"),
        format!("DELETE FROM ledger_entries WHERE id = {id}"),
    ];
    for sql in &attempts {
        assert!(
            diesel::sql_query(sql).execute(conn).is_err(),
            "{sql} must be refused"
        );
    }
    drop(attempts);
    let after = app
        .admin_get_json(&format!("/api/v1/admin/donors/{donor}"))
        .await;
    assert_eq!(after["entries"].as_array().unwrap().len(), 1);
    assert_eq!(after["entries"][0]["amount"], "50.00");
    assert_eq!(after["entries"][0]["memo"], "");
}

backend_test!(
    a_connection_returned_inside_a_transaction_is_discarded,
    |app| async move {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        use diesel::Connection;
        let settings = crate::helpers::test_settings(&app.database_url);
        let pool = coffer::db::build_pool(&settings.database_url).expect("pool");
        {
            let mut conn = pool.get().expect("connection");
            match &mut *conn {
                coffer::db::DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction(c),
                coffer::db::DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c),
            }
            .expect("begin");
            // Dropped here without commit or rollback, as a panicking request would.
        }
        let mut held = Vec::new();
        for _ in 0..pool.max_size() {
            held.push(pool.get().expect("connection"));
        }
        for conn in &mut held {
            let status = <coffer::db::DbConn as Connection>::TransactionManager::transaction_manager_status_mut(
                conn,
            );
            let depth = match status {
                diesel::connection::TransactionManagerStatus::Valid(v) => v.transaction_depth(),
                diesel::connection::TransactionManagerStatus::InError => None,
            };
            assert_eq!(
                depth, None,
                "no pooled connection is still inside a transaction"
            );
        }
    }
);
