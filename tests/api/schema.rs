//! The two backends' migrations agree, and the ledger is append-only in both.

use coffer::db::{self, DbConn};
use diesel::prelude::*;
use serde_json::json;

use crate::backend_test;
use crate::helpers::{spawn_app, Backend};

#[actix_web::test]
async fn sqlite_and_postgres_migrations_produce_the_same_tables_and_columns() {
    let sqlite = spawn_app(Backend::Sqlite).await.expect("sqlite");
    let Some(postgres) = spawn_app(Backend::Postgres).await else {
        return;
    };
    let sqlite_columns = db::describe_columns(&mut sqlite.conn()).expect("sqlite columns");
    let postgres_columns = db::describe_columns(&mut postgres.conn()).expect("postgres columns");
    assert!(sqlite_columns.len() > 40, "{sqlite_columns:?}");
    assert_eq!(sqlite_columns, postgres_columns);
}

backend_test!(ledger_entries_refuse_update_and_delete, |app| async move {
    let donor = app.open_donor("Ada").await;
    let entry = app
        .create_id(
            "/api/v1/admin/donations",
            json!({"donor_id": donor, "amount": "10.00"}),
        )
        .await;
    let mut pooled = app.conn();
    let conn: &mut DbConn = &mut pooled;
    let update = diesel::sql_query(format!(
        "UPDATE ledger_entries SET amount = 1 WHERE id = {entry}"
    ))
    .execute(conn);
    let err = update.expect_err("UPDATE must be refused").to_string();
    assert!(err.contains("append-only"), "{err}");
    let delete =
        diesel::sql_query(format!("DELETE FROM ledger_entries WHERE id = {entry}")).execute(conn);
    assert!(delete
        .expect_err("DELETE must be refused")
        .to_string()
        .contains("append-only"));
    drop(pooled);
    let entries = app.admin_get_json("/api/v1/admin/ledger").await;
    assert_eq!(entries["entries"][0]["amount"], "10.00");
});

backend_test!(
    migrating_twice_applies_nothing_the_second_time,
    |app| async move {
        let mut conn = app.conn();
        assert_eq!(db::run_migrations(&mut conn).expect("migrate"), 0);
    }
);

backend_test!(foreign_keys_are_enforced, |app| async move {
    let mut pooled = app.conn();
    let conn: &mut DbConn = &mut pooled;
    let orphan = diesel::sql_query(
        "INSERT INTO pledges (donor_id, amount, currency, interval, status, source, started_at) \
         VALUES (999, 500, 'EUR', 'month', 'active', 'manual', CURRENT_TIMESTAMP)",
    )
    .execute(conn);
    assert!(
        orphan.is_err(),
        "a pledge for a donor that does not exist must be refused"
    );
});
