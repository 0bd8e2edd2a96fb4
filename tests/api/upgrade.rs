//! Upgrades: today's migrations applied to a database that an early Coffer made (the first
//! schema with receipts and console sessions, committed as SQL in `tests/fixtures/upgrade/`)
//! keep its totals, its receipts and its sessions.

use std::time::Duration;

use coffer::db::{self, DbConn};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::helpers::{spawn_app_with_settings, test_settings, Backend, TestDb, TEST_SECRET_KEY};

/// The token whose hash the fixture's session row holds (see `make.py`).
const OLD_SESSION_TOKEN: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

#[derive(QueryableByName, Debug, PartialEq)]
struct Total {
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

fn totals(conn: &mut DbConn) -> Vec<(String, i64)> {
    diesel::sql_query(
        "SELECT currency, CAST(SUM(amount) AS BIGINT) AS total FROM ledger_entries \
         GROUP BY currency ORDER BY currency",
    )
    .load::<Total>(conn)
    .expect("totals")
    .into_iter()
    .map(|t| (t.currency, t.total))
    .collect()
}

fn receipts(conn: &mut DbConn) -> Vec<(String, i64, String, String)> {
    use coffer::db::schema::receipts as r;
    r::table
        .order(r::number)
        .select((r::number, r::entry_id, r::kind, r::snapshot))
        .load(conn)
        .expect("receipts")
}

async fn upgrade(backend: Backend) {
    let Some((test_db, url)) = TestDb::create(backend) else {
        return;
    };
    let fixture = match backend {
        Backend::Sqlite => include_str!("../fixtures/upgrade/sqlite.sql"),
        Backend::Postgres => include_str!("../fixtures/upgrade/postgres.sql"),
    };
    let settings = test_settings(&url);
    let (before_totals, before_receipts) = {
        let mut conn = db::connect(&settings.database_url).expect("connect");
        conn.batch_execute(fixture).expect("load the old database");
        (totals(&mut conn), receipts(&mut conn))
    };
    assert_eq!(
        before_totals,
        vec![("EUR".to_owned(), 5_500), ("NOK".to_owned(), 50_000)]
    );

    // Today's binary migrates it on start.
    let pool = coffer::startup::prepare_database(&settings).expect("migrate the old database");
    {
        let mut conn = pool.get().expect("connection");
        assert_eq!(totals(&mut conn), before_totals);
        assert_eq!(receipts(&mut conn), before_receipts);
        // The treasurer's session of before the upgrade is still theirs.
        let policy = coffer::ledger::admins::SessionPolicy {
            idle: Duration::from_secs(3600),
            lifetime: Duration::from_secs(12 * 3600),
        };
        let just_after = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_opt(10, 5, 0))
            .expect("date");
        let session = coffer::ledger::admins::session(
            &mut conn,
            TEST_SECRET_KEY.as_bytes(),
            OLD_SESSION_TOKEN,
            policy,
            just_after,
        )
        .expect("session lookup")
        .expect("the old session survives the upgrade");
        assert_eq!(session.email, "treasurer@coffer.test");
        assert_eq!(session.csrf_token, "csrf-of-the-old-session");
        let report = coffer::ops::check::run(&mut conn, &settings).expect("check");
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }

    // And serves it: the wall shows the old books.
    let app = spawn_app_with_settings(backend, test_db, url, settings)
        .await
        .expect("app");
    app.settled().await;
    let summary = app.get_json("/api/v1/summary").await;
    assert_eq!(summary["currency"], "EUR", "{summary}");
    let receipt = app
        .admin_get_json("/api/v1/admin/receipts/2026-000003")
        .await;
    assert_eq!(receipt["kind"], "credit_note", "{receipt}");
}

#[actix_web::test]
async fn an_early_sqlite_database_upgrades_with_totals_receipts_and_sessions_intact() {
    upgrade(Backend::Sqlite).await;
}

#[actix_web::test]
async fn an_early_postgres_database_upgrades_with_totals_receipts_and_sessions_intact() {
    upgrade(Backend::Postgres).await;
}
