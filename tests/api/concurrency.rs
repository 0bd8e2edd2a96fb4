//! Real concurrent HTTP requests against the admin API, then the ledger's invariants read
//! straight from the database: whatever order the server happens to run racing requests in, money
//! is never returned twice, a cancelled pledge stays cancelled, and a payment is recorded once.
//!
//! Each scenario fires tens of requests at once (`join_all` over reqwest futures, no sleeps), so
//! they queue on the server's connection pool exactly as a burst of retries from a payment
//! provider would.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::backend_test;
use crate::helpers::TestApp;

// ---------- firing requests ----------

/// One admin POST to send.
struct Call {
    path: String,
    body: Value,
    idempotency_key: Option<String>,
}

fn post(path: &str, body: Value) -> Call {
    Call {
        path: path.to_owned(),
        body,
        idempotency_key: None,
    }
}

fn post_with_key(path: &str, body: Value, key: Option<String>) -> Call {
    Call {
        idempotency_key: key,
        ..post(path, body)
    }
}

/// What the server answered to one call.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    replayed: bool,
    body: Value,
}

/// Sends every call at once and waits for all answers, in the order of the calls.
async fn fire(app: &TestApp, calls: Vec<Call>) -> Vec<Answer> {
    let sends = calls.iter().map(|call| async move {
        let response = app
            .admin_send(
                Method::POST,
                &call.path,
                &call.body,
                call.idempotency_key.as_deref(),
            )
            .await;
        let status = response.status();
        let replayed = response
            .headers()
            .get("Idempotent-Replayed")
            .is_some_and(|v| v == "true");
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or_else(|err| {
            panic!("POST {} -> {status}: not JSON ({err}): {text}", call.path)
        });
        Answer {
            status,
            replayed,
            body,
        }
    });
    join_all(sends).await
}

/// Sends the same body to the same route `n` times at once.
async fn fire_same(app: &TestApp, n: usize, path: &str, body: Value) -> Vec<Answer> {
    fire(app, (0..n).map(|_| post(path, body.clone())).collect()).await
}

/// How many answers had each status, for failure messages: `{201: 3, 422: 47}`.
fn tally(answers: &[Answer]) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for answer in answers {
        *counts.entry(answer.status.as_u16()).or_insert(0) += 1;
    }
    counts
}

fn count_status(answers: &[Answer], status: StatusCode) -> usize {
    answers.iter().filter(|a| a.status == status).count()
}

/// Every answer is a success (`ok`) or one of the `refusals`, and each refusal is the JSON error
/// shape with the code its status stands for. A 500 is never an acceptable answer to a race.
fn assert_only(answers: &[Answer], ok: StatusCode, refusals: &[StatusCode]) {
    for answer in answers {
        if answer.status == ok {
            continue;
        }
        assert!(
            refusals.contains(&answer.status),
            "unexpected {} (all answers: {:?}): {}",
            answer.status,
            tally(answers),
            answer.body
        );
        let expected_code = match answer.status {
            StatusCode::CONFLICT => "conflict",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid",
            other => panic!("no error code known for {other}"),
        };
        assert_eq!(
            answer.body["error"]["code"], expected_code,
            "{}: {}",
            answer.status, answer.body
        );
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "an error carries a message: {}",
            answer.body
        );
    }
}

/// A single request was refused with this status and error code; `why` says what was tried.
async fn assert_refused(response: reqwest::Response, status: StatusCode, code: &str, why: &str) {
    let got = response.status();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(got, status, "{why}: {body}");
    assert_eq!(body["error"]["code"], code, "{why}: {body}");
}

// ---------- reading the database ----------

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Word {
    #[diesel(sql_type = Text)]
    s: String,
}

/// One integer from a query that names it `n`. Only ids and literals are formatted into `sql`.
fn number(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.conn();
    diesel::sql_query(sql)
        .get_result::<Number>(&mut *conn)
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .n
}

/// One text from a query that names it `s`, or `None` when there is no row.
fn word(app: &TestApp, sql: &str) -> Option<String> {
    let mut conn = app.conn();
    diesel::sql_query(sql)
        .get_result::<Word>(&mut *conn)
        .optional()
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .map(|w| w.s)
}

/// The sum, in cents, of the entries of `kind` (or of every kind) that reverse `entry_id`.
fn reversals_of(app: &TestApp, entry_id: i64, kind: Option<&str>) -> i64 {
    let kind = kind.map_or(String::new(), |k| format!(" AND kind = '{k}'"));
    number(
        app,
        &format!(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries \
             WHERE reverses = {entry_id}{kind}"
        ),
    )
}

/// How many entries reverse `entry_id`.
fn reversal_count(app: &TestApp, entry_id: i64) -> i64 {
    number(
        app,
        &format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ledger_entries WHERE reverses = {entry_id}"
        ),
    )
}

/// The stored amount of an entry, in cents.
fn amount_of(app: &TestApp, entry_id: i64) -> i64 {
    number(
        app,
        &format!("SELECT amount AS n FROM ledger_entries WHERE id = {entry_id}"),
    )
}

/// What remains of an entry: its amount plus everything that reverses it, in cents.
fn remaining_of(app: &TestApp, entry_id: i64) -> i64 {
    amount_of(app, entry_id) + reversals_of(app, entry_id, None)
}

/// A donation of 100.00 EUR by a new donor; returns its id.
async fn hundred_euro_donation(app: &TestApp) -> i64 {
    let donor = app.open_donor("Ada").await;
    app.create_id(
        "/api/v1/admin/donations",
        json!({"donor_id": donor, "amount": "100.00"}),
    )
    .await
}

/// How many rows of `table` match `condition` (literal SQL written by the test itself).
fn rows_where(app: &TestApp, table: &str, condition: &str) -> i64 {
    number(
        app,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table} WHERE {condition}"),
    )
}

const REFUNDS: &str = "/api/v1/admin/refunds";
const CORRECTIONS: &str = "/api/v1/admin/corrections";

/// A race is won or lost by luck: each burst is repeated, on fresh rows, so that a missing lock
/// shows on practically every run rather than on one run in three.
const ROUNDS: usize = 8;

// ---------- refunds and corrections ----------

backend_test!(
    fifty_parallel_refunds_never_return_more_than_was_given,
    |app| async move {
        for round in 0..ROUNDS {
            let donation = hundred_euro_donation(&app).await;
            let answers = fire_same(
                &app,
                50,
                REFUNDS,
                json!({"entry_id": donation, "amount": "30.00"}),
            )
            .await;

            assert_only(
                &answers,
                StatusCode::CREATED,
                &[StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY],
            );
            let refunded = reversals_of(&app, donation, Some("refund"));
            assert!(
                refunded >= -10_000,
                "round {round}: {refunded} cents refunded of a 10000-cent donation ({:?})",
                tally(&answers)
            );
            assert_eq!(
                count_status(&answers, StatusCode::CREATED),
                3,
                "round {round}: three refunds of 30.00 fit in 100.00: {:?}",
                tally(&answers)
            );
            for refund in answers.iter().filter(|a| a.status == StatusCode::CREATED) {
                assert_eq!(refund.body["amount"], "-30.00", "{}", refund.body);
                assert_eq!(refund.body["reverses"], donation, "{}", refund.body);
            }
            assert_eq!(refunded, -9_000, "round {round}");
            assert_eq!(reversal_count(&app, donation), 3, "round {round}");
            assert_eq!(remaining_of(&app, donation), 1_000, "round {round}");
        }
    }
);

backend_test!(
    twenty_parallel_full_refunds_give_the_money_back_once,
    |app| async move {
        for round in 0..ROUNDS {
            let donation = hundred_euro_donation(&app).await;
            let answers = fire_same(&app, 20, REFUNDS, json!({"entry_id": donation})).await;

            assert_only(
                &answers,
                StatusCode::CREATED,
                &[StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY],
            );
            assert_eq!(
                count_status(&answers, StatusCode::CREATED),
                1,
                "round {round}: a donation is refunded in full once: {:?}",
                tally(&answers)
            );
            assert_eq!(reversals_of(&app, donation, None), -10_000, "round {round}");
            assert_eq!(reversal_count(&app, donation), 1, "round {round}");
        }
    }
);

backend_test!(
    twenty_parallel_corrections_never_push_a_donation_below_zero,
    |app| async move {
        for round in 0..ROUNDS {
            let donation = hundred_euro_donation(&app).await;
            let answers = fire_same(
                &app,
                20,
                CORRECTIONS,
                json!({"entry_id": donation, "amount": "-30.00", "memo": "x"}),
            )
            .await;

            assert_only(
                &answers,
                StatusCode::CREATED,
                &[StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY],
            );
            let remaining = remaining_of(&app, donation);
            assert!(
                remaining >= 0,
                "round {round}: the donation stands at {remaining} cents ({:?})",
                tally(&answers)
            );
            assert_eq!(
                count_status(&answers, StatusCode::CREATED),
                3,
                "round {round}: three corrections of -30.00 fit in 100.00: {:?}",
                tally(&answers)
            );
            assert_eq!(remaining, 1_000, "round {round}");
            assert_eq!(reversal_count(&app, donation), 3, "round {round}");
        }
    }
);

backend_test!(
    refunds_and_corrections_racing_keep_a_donation_within_what_was_given,
    |app| async move {
        let donation = hundred_euro_donation(&app).await;
        let mut accepted = 0;
        for round in 0..ROUNDS {
            // Interleaved: refunds, corrections down and corrections up, all at once.
            let calls = (0..24)
                .map(|i| match i % 4 {
                    0 => post(REFUNDS, json!({"entry_id": donation, "amount": "15.00"})),
                    1 => post(
                        CORRECTIONS,
                        json!({"entry_id": donation, "amount": "-15.00", "memo": "down"}),
                    ),
                    2 => post(
                        CORRECTIONS,
                        json!({"entry_id": donation, "amount": "15.00", "memo": "up"}),
                    ),
                    _ => post(REFUNDS, json!({"entry_id": donation, "amount": "10.00"})),
                })
                .collect();
            let answers = fire(&app, calls).await;
            assert_only(
                &answers,
                StatusCode::CREATED,
                &[StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY],
            );
            accepted += count_status(&answers, StatusCode::CREATED) as i64;

            let refunded = reversals_of(&app, donation, Some("refund"));
            let remaining = remaining_of(&app, donation);
            assert!(
                refunded >= -10_000,
                "round {round}: {refunded} cents refunded of a 10000-cent donation ({:?})",
                tally(&answers)
            );
            assert!(
                (0..=10_000).contains(&remaining),
                "round {round}: the donation stands at {remaining} cents ({:?})",
                tally(&answers)
            );
            assert_eq!(
                reversal_count(&app, donation),
                accepted,
                "round {round}: every 201 is one row, every refusal none"
            );
        }
        // Whatever is left can be refunded, once, and then nothing more.
        let rest = fire_same(&app, 10, REFUNDS, json!({"entry_id": donation})).await;
        assert_only(
            &rest,
            StatusCode::CREATED,
            &[StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY],
        );
        assert!(
            count_status(&rest, StatusCode::CREATED) <= 1,
            "{:?}",
            tally(&rest)
        );
        assert!(reversals_of(&app, donation, Some("refund")) >= -10_000);
        assert!(remaining_of(&app, donation) >= 0);
    }
);

backend_test!(
    a_correction_cannot_reopen_money_that_was_refunded,
    |app| async move {
        let donation = hundred_euro_donation(&app).await;
        app.create(REFUNDS, json!({"entry_id": donation, "amount": "30.00"}))
            .await;
        let reopen_part = app
            .admin_post(
                CORRECTIONS,
                &json!({"entry_id": donation, "amount": "30.00", "memo": "undo the refund"}),
            )
            .await;
        assert_refused(
            reopen_part,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "a correction of +30.00 after a refund of 30.00 would reopen refunded money",
        )
        .await;

        app.create(REFUNDS, json!({"entry_id": donation})).await;
        let before = app.row_counts();
        let reopen_all = app
            .admin_post(
                CORRECTIONS,
                &json!({"entry_id": donation, "amount": "100.00", "memo": "undo the refund"}),
            )
            .await;
        assert_refused(
            reopen_all,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "a correction of +100.00 after a full refund would reopen refunded money",
        )
        .await;
        assert_eq!(
            app.row_counts(),
            before,
            "a refused correction writes nothing"
        );

        let again = app
            .admin_post(REFUNDS, &json!({"entry_id": donation, "amount": "100.00"}))
            .await;
        assert!(
            again.status().is_client_error(),
            "a third refund after a reopening correction: {}",
            again.status()
        );
        assert_eq!(reversals_of(&app, donation, Some("refund")), -10_000);
        assert_eq!(remaining_of(&app, donation), 0);
    }
);

// ---------- pledges ----------

backend_test!(
    a_cancelled_pledge_stays_cancelled_however_the_requests_race,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        // The window is one short transaction wide, so this race gets many more tries.
        for round in 0..6 * ROUNDS {
            let pledge = app.monthly_pledge(donor, "5.00").await;
            let path = format!("/api/v1/admin/pledges/{pledge}/status");
            // The cancellations go out at different places in each burst.
            let statuses: Vec<&str> = (0..30)
                .map(|i| match (i + round) % 3 {
                    0 => "cancelled",
                    1 => "paused",
                    _ => "active",
                })
                .collect();
            let calls = statuses
                .iter()
                .map(|s| post(&path, json!({ "status": s })))
                .collect();
            let answers = fire(&app, calls).await;

            assert_only(&answers, StatusCode::OK, &[StatusCode::CONFLICT]);
            let cancelled_ok = statuses
                .iter()
                .zip(&answers)
                .any(|(s, a)| *s == "cancelled" && a.status == StatusCode::OK);
            let status = word(
                &app,
                &format!("SELECT status AS s FROM pledges WHERE id = {pledge}"),
            )
            .expect("the pledge exists");
            if cancelled_ok {
                assert_eq!(
                    status,
                    "cancelled",
                    "round {round}: a cancellation was confirmed, yet the pledge is {status} ({:?})",
                    tally(&answers)
                );
                let last_change = word(
                    &app,
                    &format!(
                        "SELECT detail AS s FROM audit_log WHERE subject = 'pledge:{pledge}' \
                         ORDER BY id DESC LIMIT 1"
                    ),
                )
                .expect("a change of status is audited");
                assert!(
                    last_change.ends_with("-> cancelled"),
                    "round {round}: the audit log goes on after the cancellation: {last_change}"
                );
            }
            let ended = rows_where(
                &app,
                "pledges",
                &format!("id = {pledge} AND ended_at IS NOT NULL"),
            );
            assert_eq!(
                ended == 1,
                status == "cancelled",
                "round {round}: ended_at is set exactly when the pledge is cancelled"
            );
        }
    }
);

// ---------- idempotency and duplicates ----------

backend_test!(
    twenty_retries_of_one_donation_at_once_record_it_once,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        for round in 0..ROUNDS {
            let external_ref = format!("TX-RACE-{round}");
            let body = json!({"donor_id": donor, "amount": "25.00", "source": "bank",
                "external_ref": external_ref});
            let key = format!("retry-storm-{round}");
            let calls = (0..20)
                .map(|_| post_with_key("/api/v1/admin/donations", body.clone(), Some(key.clone())))
                .collect();
            let answers = fire(&app, calls).await;

            for answer in &answers {
                assert_eq!(
                    answer.status,
                    StatusCode::CREATED,
                    "round {round}: a retry answers with the first response ({:?}): {}",
                    tally(&answers),
                    answer.body
                );
            }
            assert_eq!(
                answers.iter().filter(|a| !a.replayed).count(),
                1,
                "round {round}: one request did the work, every other answer is a replay"
            );
            let first = &answers[0].body;
            assert!(first["id"].is_i64(), "{first}");
            for answer in &answers {
                assert_eq!(
                    &answer.body, first,
                    "round {round}: every retry sees the same entry"
                );
            }
            assert_eq!(
                rows_where(
                    &app,
                    "ledger_entries",
                    &format!("source = 'bank' AND external_ref = '{external_ref}'")
                ),
                1,
                "round {round}"
            );
            assert_eq!(
                rows_where(
                    &app,
                    "idempotency_keys",
                    &format!("idempotency_key = '{key}'")
                ),
                1,
                "round {round}"
            );
        }
        assert_eq!(app.count("ledger_entries"), ROUNDS as i64);
    }
);

/// Exactly one call created something; every other got `409 {"error":{"code":"conflict"}}`.
fn assert_one_created_rest_conflict(round: usize, answers: &[Answer]) {
    assert_only(answers, StatusCode::CREATED, &[StatusCode::CONFLICT]);
    assert_eq!(
        count_status(answers, StatusCode::CREATED),
        1,
        "round {round}: {:?}",
        tally(answers)
    );
}

backend_test!(
    twenty_tiers_with_one_slug_at_once_make_one_tier,
    |app| async move {
        for round in 0..ROUNDS {
            let slug = format!("gold-{round}");
            let answers = fire_same(
                &app,
                20,
                "/api/v1/admin/tiers",
                json!({"slug": slug, "name": "Gold", "monthly_minimum": "25.00"}),
            )
            .await;
            assert_one_created_rest_conflict(round, &answers);
            assert_eq!(
                rows_where(&app, "tiers", &format!("slug = '{slug}'")),
                1,
                "round {round}"
            );
        }
    }
);

backend_test!(
    twenty_pledges_with_one_external_ref_at_once_make_one_pledge,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        for round in 0..ROUNDS {
            let external_ref = format!("PATREON-{round}");
            let answers = fire_same(
                &app,
                20,
                "/api/v1/admin/pledges",
                json!({"donor_id": donor, "amount": "5.00", "currency": "EUR",
                    "interval": "month", "source": "patreon", "external_ref": external_ref}),
            )
            .await;
            assert_one_created_rest_conflict(round, &answers);
            assert_eq!(
                rows_where(
                    &app,
                    "pledges",
                    &format!("source = 'patreon' AND external_ref = '{external_ref}'")
                ),
                1,
                "round {round}"
            );
        }
    }
);

backend_test!(
    twenty_donations_with_one_external_ref_at_once_record_one_payment,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        for round in 0..ROUNDS {
            let external_ref = format!("TX-DUP-{round}");
            let body = json!({"donor_id": donor, "amount": "20.00", "source": "bank",
                "external_ref": external_ref});
            // Different keys (or none) make each one a new request, not a retry.
            let calls = (0..20)
                .map(|i| {
                    let key = (i % 2 == 0).then(|| format!("dup-{round}-{i}"));
                    post_with_key("/api/v1/admin/donations", body.clone(), key)
                })
                .collect();
            let answers = fire(&app, calls).await;
            assert_one_created_rest_conflict(round, &answers);
            assert!(answers.iter().all(|a| !a.replayed));
            assert_eq!(
                rows_where(
                    &app,
                    "ledger_entries",
                    &format!("source = 'bank' AND external_ref = '{external_ref}'")
                ),
                1,
                "round {round}"
            );
            let creator = answers
                .iter()
                .position(|a| a.status == StatusCode::CREATED)
                .expect("one was created");
            assert_eq!(
                rows_where(
                    &app,
                    "idempotency_keys",
                    &format!("idempotency_key LIKE 'dup-{round}-%'")
                ),
                i64::from(creator % 2 == 0),
                "round {round}: only the created response is kept for replay, if it had a key"
            );
        }
    }
);
