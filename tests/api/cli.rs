//! The `coffer` command line, run as a real process.

use std::process::{Command, Output, Stdio};

use crate::helpers::{Backend, TestDb};

fn coffer(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(args)
        .env("COFFER_DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .output()
        .expect("run coffer")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

#[test]
fn bad_arguments_exit_non_zero_with_one_readable_line() {
    for args in [
        &["frobnicate"][..],
        &["demo", "--donors", "lots"],
        &["token", "create"],
        &["serve", "--nope"],
    ] {
        let output = coffer("sqlite:///nonexistent/never-created.sqlite3", args);
        assert!(!output.status.success(), "{args:?}");
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("coffer: "), "{err}");
    }
    let bad_url = coffer("mysql://localhost/x", &["migrate"]);
    assert!(!bad_url.status.success());
    let err = stderr(&bad_url);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("COFFER_DATABASE_URL"), "{err}");
}

fn commands_work_on(backend: Backend) {
    let Some((_db, url)) = TestDb::create(backend) else {
        return;
    };
    let migrate = coffer(&url, &["migrate"]);
    assert!(migrate.status.success(), "{}", stderr(&migrate));

    let token = coffer(&url, &["token", "create", "bookkeeping"]);
    assert!(token.status.success(), "{}", stderr(&token));
    let printed = String::from_utf8(token.stdout).unwrap();
    let printed = printed.trim();
    assert!(
        printed.starts_with("coffer_") && printed.len() > 60,
        "{printed}"
    );
    // Only the hash is stored.
    let settings = crate::helpers::test_settings(&url);
    let pool = coffer::startup::prepare_database(&settings).unwrap();
    let mut conn = pool.get().unwrap();
    assert!(coffer::ledger::tokens::authenticate(&mut conn, printed).is_ok());
    use diesel::prelude::*;
    let stored: Vec<String> = coffer::db::schema::api_tokens::table
        .select(coffer::db::schema::api_tokens::token_hash)
        .load(&mut *conn)
        .unwrap();
    assert!(stored.iter().all(|h| h != printed && h.len() == 64));
    drop(conn);
    drop(pool);

    let listed = coffer(&url, &["token", "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let listing = String::from_utf8_lossy(&listed.stdout).to_string();
    assert!(listing.contains("bookkeeping"), "{listing}");
    assert!(!listing.contains(printed), "the secret is never listed");
    let revoke = coffer(&url, &["token", "revoke", "bookkeeping"]);
    assert!(revoke.status.success(), "{}", stderr(&revoke));
    let mut conn = pool_for(&url).get().unwrap();
    assert!(
        coffer::ledger::tokens::authenticate(&mut conn, printed).is_err(),
        "a revoked token is refused at once"
    );
    drop(conn);
    let listing = String::from_utf8_lossy(&coffer(&url, &["token", "list"]).stdout).to_string();
    let row = listing.lines().find(|l| l.contains("bookkeeping")).unwrap();
    assert!(
        !row.ends_with("\t-"),
        "the listing shows when it was revoked: {row}"
    );
    let unknown = coffer(&url, &["token", "revoke", "no-such-token"]);
    assert!(!unknown.status.success());
    assert_eq!(stderr(&unknown).lines().count(), 1, "{}", stderr(&unknown));

    let demo = coffer(&url, &["demo", "--donors", "12"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    assert!(String::from_utf8_lossy(&demo.stdout).contains("12 donors"));
    let again = coffer(&url, &["demo"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("empty database"),
        "{}",
        stderr(&again)
    );
}

fn pool_for(url: &str) -> coffer::db::Pool {
    coffer::startup::prepare_database(&crate::helpers::test_settings(url)).unwrap()
}

#[test]
fn migrate_token_and_demo_work_on_sqlite() {
    commands_work_on(Backend::Sqlite);
}

#[test]
fn migrate_token_and_demo_work_on_postgres() {
    commands_work_on(Backend::Postgres);
}

/// Runs `coffer` with `input` on stdin.
fn coffer_with_input(database_url: &str, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(args)
        .env("COFFER_DATABASE_URL", database_url)
        .env("COFFER_SECRET_KEY", crate::helpers::TEST_SECRET_KEY)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coffer");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn admin_commands_work_on(backend: Backend) {
    let Some((_db, url)) = TestDb::create(backend) else {
        return;
    };
    let short = coffer_with_input(
        &url,
        &["admin", "create", "ada@coffer.test"],
        "short pass\n",
    );
    assert!(!short.status.success());
    assert!(stderr(&short).contains("at least 12"), "{}", stderr(&short));
    assert_eq!(stderr(&short).lines().count(), 1, "{}", stderr(&short));

    let created = coffer_with_input(
        &url,
        &["admin", "create", "Ada@Coffer.test", "--role", "viewer"],
        "a long enough password\n",
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let twice = coffer_with_input(
        &url,
        &["admin", "create", "ada@coffer.test"],
        "a long enough password\n",
    );
    assert!(!twice.status.success(), "an email has one account");
    let bad_role = coffer_with_input(
        &url,
        &["admin", "create", "bob@coffer.test", "--role", "moderator"],
        "a long enough password\n",
    );
    assert!(!bad_role.status.success());

    let pool = pool_for(&url);
    {
        let mut conn = pool.get().unwrap();
        let (admin, hash) = coffer::ledger::admins::for_sign_in(&mut conn, "ada@coffer.test")
            .unwrap()
            .expect("the account");
        assert_eq!(admin.role, coffer::domain::Role::Viewer);
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(coffer::ledger::admins::verify_password(
            Some(&hash),
            "a long enough password"
        ));
    }
    let listed = coffer(&url, &["admin", "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let listing = String::from_utf8_lossy(&listed.stdout).to_string();
    let row = listing
        .lines()
        .find(|l| l.contains("ada@coffer.test"))
        .expect("listed");
    assert!(row.contains("viewer") && row.ends_with("\t-"), "{row}");
    assert!(!listing.contains("argon2"), "hashes are never listed");

    let disabled = coffer(&url, &["admin", "disable", "ada@coffer.test"]);
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    let listing = String::from_utf8_lossy(&coffer(&url, &["admin", "list"]).stdout).to_string();
    let row = listing
        .lines()
        .find(|l| l.contains("ada@coffer.test"))
        .unwrap();
    assert!(!row.ends_with("\t-"), "the listing shows when: {row}");
    let mut conn = pool.get().unwrap();
    assert!(
        coffer::ledger::admins::for_sign_in(&mut conn, "ada@coffer.test")
            .unwrap()
            .is_none()
    );
    let actions: Vec<String> = coffer::db::audit::recent(&mut conn, 10)
        .unwrap()
        .into_iter()
        .map(|(action, _, _)| action)
        .collect();
    assert!(actions.contains(&"admin.create".to_owned()), "{actions:?}");
    assert!(actions.contains(&"admin.disable".to_owned()), "{actions:?}");
}

#[test]
fn admin_accounts_are_made_listed_and_disabled_on_sqlite() {
    admin_commands_work_on(Backend::Sqlite);
}

#[test]
fn admin_accounts_are_made_listed_and_disabled_on_postgres() {
    admin_commands_work_on(Backend::Postgres);
}

fn export_works_on(backend: Backend) {
    let Some((_db, url)) = TestDb::create(backend) else {
        return;
    };
    let demo = coffer(&url, &["demo", "--donors", "5"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let ledger = coffer(&url, &["export", "ledger"]);
    assert!(ledger.status.success(), "{}", stderr(&ledger));
    let text = String::from_utf8(ledger.stdout).unwrap();
    assert!(
        text.starts_with("id,kind,occurred_at,recorded_at,amount,currency,"),
        "{text}"
    );
    assert!(text.lines().count() > 5, "{text}");
    let donors = coffer(&url, &["export", "donors", "--year", "2026"]);
    assert!(donors.status.success(), "{}", stderr(&donors));
    let text = String::from_utf8(donors.stdout).unwrap();
    assert!(text.starts_with("id,public_name,"), "{text}");
    assert_eq!(text.lines().count(), 6, "{text}");
    let bad = coffer(&url, &["export", "receipts"]);
    assert!(!bad.status.success());
    let bad_year = coffer(&url, &["export", "ledger", "--year", "1900"]);
    assert!(!bad_year.status.success());
}

#[test]
fn export_writes_csv_on_sqlite() {
    export_works_on(Backend::Sqlite);
}

#[test]
fn export_writes_csv_on_postgres() {
    export_works_on(Backend::Postgres);
}
