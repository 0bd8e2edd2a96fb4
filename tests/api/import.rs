//! Imports from the platforms' exports (#15): each format read from a realistic file (a BOM,
//! CRLF, quoted commas and line breaks, non-ASCII names, blank lines), refused whole on one bad
//! row, idempotent, updated by a newer export; the CLI and the console's upload page.

use std::path::{Path, PathBuf};

use coffer::db::{self, DbConn};
use coffer::domain::{Currency, Money, PledgeStatus};
use coffer::import::{self, Format, ImportError, ImportFile, Report};
use coffer::ledger::write::{Actor, WriteUnit};

use crate::backend_test;
use crate::helpers::TestApp;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn import_path(
    app: &TestApp,
    format: Format,
    path: &Path,
    dry_run: bool,
) -> Result<Report, ImportError> {
    let mut conn = app.conn();
    let file = ImportFile {
        format,
        path,
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    import::run(
        &mut conn,
        &WriteUnit::default(),
        Actor::System("test"),
        &file,
        dry_run,
        &import::Silent,
    )
}

fn import_fixture(app: &TestApp, format: Format, name: &str) -> Report {
    import_path(app, format, &fixture(name), false).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Everything an import can change, to prove that a refusal or a dry run changed nothing.
fn state(app: &TestApp) -> Vec<(String, i64)> {
    let mut counts = app.row_counts();
    counts.push((
        "import_identities".to_owned(),
        app.count("import_identities"),
    ));
    counts.push(("receipts".to_owned(), app.count("receipts")));
    counts.push(("outbox".to_owned(), app.count("outbox")));
    let mut conn = app.conn();
    for pledge in coffer::ledger::pledges::list(&mut conn, None, None).expect("pledges") {
        counts.push((
            format!("pledge {} {} {}", pledge.id, pledge.status, pledge.amount),
            pledge.amount.minor(),
        ));
    }
    counts
}

fn pledge(app: &TestApp, source: &str, external_ref: &str) -> coffer::ledger::pledges::Pledge {
    let mut conn = app.conn();
    let row = db::pledges::find_by_external_ref(&mut conn, source, external_ref)
        .expect("query")
        .unwrap_or_else(|| panic!("no pledge {source} {external_ref}"));
    coffer::ledger::pledges::find(&mut conn, row.id).expect("pledge")
}

fn donor(app: &TestApp, id: i64) -> coffer::ledger::donors::Donor {
    coffer::ledger::donors::find(&mut app.conn(), id).expect("donor")
}

fn entry(app: &TestApp, source: &str, external_ref: &str) -> db::ledger::EntryRow {
    db::ledger::find_by_external_ref(&mut app.conn(), source, external_ref)
        .expect("query")
        .unwrap_or_else(|| panic!("no entry {source} {external_ref}"))
}

fn eur(amount: &str) -> Money {
    Money::parse_positive(amount, Currency::EUR).expect("amount")
}

/// Imports `first` twice (the second changes nothing), after a dry run that writes nothing.
fn import_once_and_again(app: &TestApp, format: Format, first: &str) -> Report {
    let before = state(app);
    let dry = import_path(app, format, &fixture(first), true).expect("dry run");
    assert!(dry.dry_run);
    assert_eq!(state(app), before, "a dry run writes nothing");
    let report = import_fixture(app, format, first);
    assert_eq!(
        report.counts, dry.counts,
        "the dry run reports what the import does"
    );
    assert_eq!(report.money_created, dry.money_created);
    let after = state(app);
    let again = import_fixture(app, format, first);
    assert_eq!(state(app), after, "a second import changes nothing");
    for (kind, counts) in &again.counts {
        assert_eq!(
            (kind, counts.created, counts.updated),
            (kind, 0, 0),
            "{again}"
        );
    }
    report
}

fn audit_mentions(app: &TestApp, sha256: &str) -> bool {
    db::audit::recent(&mut app.conn(), 20)
        .map(|records| {
            records
                .iter()
                .any(|(action, _, detail)| action == "import" && detail.contains(sha256))
        })
        .unwrap_or(false)
}

backend_test!(
    patreon_members_become_donors_and_pledges_and_a_newer_export_updates_them,
    |app| async move {
        let report = import_once_and_again(&app, Format::Patreon, "patreon.csv");
        assert_eq!(report.count("donor").created, 3, "{report}");
        assert_eq!(report.count("pledge").created, 3, "{report}");
        assert_eq!(report.passed_over.get("free members"), Some(&1), "{report}");
        assert!(
            audit_mentions(&app, &report.sha256),
            "the audit holds the file's hash"
        );

        let zoe = pledge(&app, "patreon", "1001");
        assert_eq!(
            (zoe.amount, zoe.status),
            (eur("5.00"), PledgeStatus::Active)
        );
        let zoe_donor = donor(&app, zoe.donor_id);
        assert_eq!(zoe_donor.public_name, "Zoë Ångström, PhD");
        assert_eq!(zoe_donor.email.as_deref(), Some("zoe@example.org"));
        assert!(
            !zoe_donor.consent.name,
            "Patreon states no consent: nothing is shown"
        );
        assert_eq!(
            pledge(&app, "patreon", "1002").status,
            PledgeStatus::PastDue
        );
        let ming = pledge(&app, "patreon", "1003");
        assert_eq!(ming.interval.as_str(), "year");
        assert_eq!(ming.amount.to_string(), "50.00 USD");
        assert_eq!(donor(&app, ming.donor_id).public_name, "黄明");
        assert!(
            db::pledges::find_by_external_ref(&mut app.conn(), "patreon", "1004")
                .expect("query")
                .is_none()
        );
        assert_eq!(app.count("receipts"), 0, "imports send no receipts");

        let newer = import_fixture(&app, Format::Patreon, "patreon_newer.csv");
        assert_eq!(newer.count("pledge").updated, 2, "{newer}");
        assert_eq!(newer.count("pledge").created, 1, "{newer}");
        assert_eq!(newer.count("donor").created, 1, "{newer}");
        assert_eq!(
            pledge(&app, "patreon", "1001").status,
            PledgeStatus::Cancelled
        );
        let kim = pledge(&app, "patreon", "1002");
        assert_eq!(
            (kim.amount, kim.status),
            (eur("12.00"), PledgeStatus::Active)
        );
        assert_eq!(app.count("donors"), 4);
    }
);

backend_test!(
    liberapay_pledges_are_52_weeks_a_year_and_hidden_patrons_anonymous,
    |app| async move {
        let report = import_once_and_again(&app, Format::Liberapay, "liberapay.csv");
        assert_eq!(report.count("pledge").created, 3, "{report}");
        let alice = pledge(&app, "liberapay", "42");
        assert_eq!(
            (alice.amount, alice.interval.as_str()),
            (eur("52.00"), "year")
        );
        let alice_donor = donor(&app, alice.donor_id);
        assert_eq!(alice_donor.public_name, "Alice, the Builder");
        assert!(alice_donor.consent.name && !alice_donor.anonymous);
        let bob = pledge(&app, "liberapay", "43");
        assert_eq!(bob.amount, eur("13.00"));
        let bob_donor = donor(&app, bob.donor_id);
        assert!(bob_donor.anonymous && !bob_donor.consent.name);
        assert_eq!(bob_donor.public_name, "Bøb Ødegård");
        let carol = pledge(&app, "liberapay", "44");
        assert_eq!(carol.amount.to_string(), "130.00 USD");
        assert_eq!(donor(&app, carol.donor_id).public_name, "carol");

        // Exactly 1.00 × 52 / 12 a month: the wall counts 4.3333… for Alice, not a rounded 4.33.
        let monthly = coffer::domain::monthly_support(
            Currency::EUR,
            &[coffer::domain::PledgeFacts {
                amount: alice.amount,
                interval: alice.interval,
                status: alice.status,
            }],
            &[],
            db::now(),
        );
        assert_eq!(
            monthly * rust_decimal::Decimal::from(12),
            rust_decimal::Decimal::from(52)
        );

        let newer = import_fixture(&app, Format::Liberapay, "liberapay_newer.csv");
        assert_eq!(newer.count("pledge").updated, 1, "{newer}");
        assert_eq!(pledge(&app, "liberapay", "42").amount, eur("104.00"));
    }
);

backend_test!(
    opencollective_contributions_fees_refunds_and_expenses_are_recorded,
    |app| async move {
        let report = import_once_and_again(&app, Format::OpenCollective, "opencollective.csv");
        assert_eq!(report.count("donation").created, 2, "{report}");
        assert_eq!(report.count("fee").created, 3, "{report}");
        assert_eq!(report.count("refund").created, 1, "{report}");
        assert_eq!(report.count("expense").created, 1, "{report}");
        assert_eq!(report.money_created["EUR"]["donation"], "35.00", "{report}");
        assert_eq!(report.money_created["EUR"]["fee"], "-2.62", "{report}");
        let gift = entry(&app, "opencollective", "c0ntrib1");
        let refund = entry(&app, "opencollective", "r3fund01");
        assert_eq!((refund.amount, refund.reverses), (-1000, Some(gift.id)));
        assert_eq!(refund.donor_id, gift.donor_id);
        let expense = entry(&app, "opencollective", "exp00001");
        assert_eq!(
            (expense.amount, expense.category.as_deref()),
            (-3570, Some("hosting"))
        );
        assert_eq!(expense.memo, "Hetzner, March");
        let umit = entry(&app, "opencollective", "c0ntrib2");
        assert_eq!(
            donor(&app, umit.donor_id.expect("donor")).public_name,
            "Ümit Öztürk"
        );
        assert_eq!(entry(&app, "opencollective", "c0ntrib2:fee").amount, -103);

        let newer = import_fixture(&app, Format::OpenCollective, "opencollective_newer.csv");
        assert_eq!(newer.count("donation").created, 1, "{newer}");
        assert_eq!(newer.count("donation").skipped, 1, "{newer}");
        assert_eq!(
            newer.count("donor").created,
            0,
            "José is found again: {newer}"
        );
        let again = entry(&app, "opencollective", "c0ntrib3");
        assert_eq!(again.donor_id, gift.donor_id);
    }
);

backend_test!(
    kofi_donations_are_keyed_by_transaction_and_a_newer_export_adds_only_new_payments,
    |app| async move {
        let report = import_once_and_again(&app, Format::Kofi, "kofi.csv");
        assert_eq!(report.count("donation").created, 3, "{report}");
        assert_eq!(report.money_created["EUR"]["donation"], "10.00", "{report}");
        assert_eq!(
            report.passed_over.get("shop orders and commissions"),
            Some(&1)
        );
        let ana = entry(&app, "kofi", "kofi-tx-1");
        assert_eq!(
            donor(&app, ana.donor_id.expect("donor")).public_name,
            "Ana, from Lisbon"
        );
        assert_eq!(
            entry(&app, "kofi", "kofi-tx-4").donor_id,
            None,
            "no address, no donor"
        );
        let taro = entry(&app, "kofi", "kofi-tx-2");

        let newer = import_fixture(&app, Format::Kofi, "kofi_newer.csv");
        assert_eq!(newer.count("donation").created, 1, "{newer}");
        assert_eq!(newer.count("donation").skipped, 2, "{newer}");
        assert_eq!(entry(&app, "kofi", "kofi-tx-5").donor_id, taro.donor_id);
        assert_eq!(app.count("ledger_entries"), 4);
    }
);

backend_test!(
    github_sponsors_public_ones_are_named_and_payments_belong_to_the_sponsorship,
    |app| async move {
        let report = import_once_and_again(&app, Format::GitHubSponsors, "github_sponsors.csv");
        assert_eq!(report.count("donation").created, 3, "{report}");
        assert_eq!(report.count("pledge").created, 2, "{report}");
        assert_eq!(
            report.money_created["USD"]["donation"], "130.00",
            "{report}"
        );
        let octo = pledge(&app, "github", "octocat");
        assert_eq!(
            (octo.amount.to_string(), octo.interval.as_str()),
            ("5.00 USD".to_owned(), "month")
        );
        let octo_donor = donor(&app, octo.donor_id);
        assert!(octo_donor.consent.name && !octo_donor.anonymous);
        assert_eq!(entry(&app, "github", "ch_0001").pledge_id, Some(octo.id));
        let quiet = pledge(&app, "github", "quiet-one");
        assert_eq!(
            (quiet.amount.to_string(), quiet.interval.as_str()),
            ("120.00 USD".to_owned(), "year")
        );
        let quiet_donor = donor(&app, quiet.donor_id);
        assert!(quiet_donor.anonymous && !quiet_donor.consent.name);
        assert_eq!(quiet_donor.public_name, "Jürgen Groß");

        let newer = import_fixture(&app, Format::GitHubSponsors, "github_sponsors_newer.csv");
        assert_eq!(newer.count("pledge").updated, 1, "{newer}");
        assert_eq!(newer.count("donation").created, 0, "{newer}");
        assert_eq!(
            pledge(&app, "github", "octocat").status,
            PledgeStatus::Cancelled
        );
    }
);

/// A fixture with one change, written beside the test's other files.
fn altered(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture");
    assert!(text.contains(from), "{name} holds {from}");
    let path = dir.join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    path
}

backend_test!(
    a_wrong_column_a_bad_amount_or_a_bad_date_is_refused_with_its_line_and_column_and_nothing_is_written,
    |app| async move {
        let dir = tempfile::tempdir().expect("dir");
        // (format, fixture, text to change, what it becomes, line, column)
        let cases: &[(Format, &str, &str, &str, u64, &str)] = &[
            (Format::Patreon, "patreon.csv", "Pledge Amount", "Pledge Amt", 1, "Pledge Amount"),
            (Format::Patreon, "patreon.csv", ",10.00,Monthly", ",\"10,00\",Monthly", 3, "Pledge Amount"),
            (Format::Patreon, "patreon.csv", "2022-07-01 00:00:00", "01/07/2022", 5, "Patronage Since Date"),
            (Format::Liberapay, "liberapay.csv", "weekly_amount", "amount", 1, "weekly_amount"),
            (Format::Liberapay, "liberapay.csv", "USD,2.50", "USD,\"1.234,50\"", 5, "weekly_amount"),
            (Format::Liberapay, "liberapay.csv", "2023-04-05,2023", "2023-13-05,2023", 3, "pledge_date"),
            (Format::OpenCollective, "opencollective.csv", ",shortId,", ",id,", 1, "shortId"),
            (Format::OpenCollective, "opencollective.csv", ",25.00,-1.03", ",25.0.0,-1.03", 5, "amount"),
            (Format::OpenCollective, "opencollective.csv", "2024-02-15T18:30:00.000Z", "yesterday", 5, "datetime"),
            (Format::Kofi, "kofi.csv", "TransactionId", "Transaction", 1, "TransactionId"),
            (Format::Kofi, "kofi.csv", ",3.00,3.00,", ",3.00 EUR,3.00,", 3, "Received"),
            (Format::Kofi, "kofi.csv", "2024-05-04 10:00:00", "1999-05-04 10:00:00", 7, "DateTime (UTC)"),
            (Format::GitHubSponsors, "github_sponsors.csv", "Processed Amount", "Amount", 1, "Processed Amount"),
            (Format::GitHubSponsors, "github_sponsors.csv", "$120.00", "\"$1.200,00\"", 5, "Processed Amount"),
            (Format::GitHubSponsors, "github_sponsors.csv", "settled,2024-06-01", "settled,2024-06-31", 3, "Transaction Date"),
        ];
        // Something already recorded, so "nothing written" is tested against a ledger in use.
        import_fixture(&app, Format::Kofi, "kofi.csv");
        let before = state(&app);
        for (format, name, from, to, line, column) in cases {
            let path = altered(dir.path(), name, from, to);
            let err = import_path(&app, *format, &path, false).expect_err("refused");
            let ImportError::Refused { errors, .. } = &err else {
                panic!("{name}: {err}");
            };
            assert_eq!(
                (errors[0].line, errors[0].column.as_deref()),
                (*line, Some(*column)),
                "{format} {from} → {to}: {err}"
            );
            let message = err.to_string();
            assert!(message.starts_with(&format!("{name}: line {line}, column “{column}”: ")), "{message}");
            assert_eq!(state(&app), before, "{message}");
        }
    }
);

backend_test!(
    a_refund_of_a_payment_neither_recorded_nor_in_the_file_writes_nothing,
    |app| async move {
        let dir = tempfile::tempdir().expect("dir");
        let path = altered(
            dir.path(),
            "opencollective.csv",
            "true,false,c0ntrib1",
            "true,false,unknown1",
        );
        let before = state(&app);
        let err = import_path(&app, Format::OpenCollective, &path, false).expect_err("refused");
        assert!(
            err.to_string()
                .contains("line 2: the refunded payment “unknown1”"),
            "{err}"
        );
        assert_eq!(state(&app), before);
    }
);

fn export(conn: &mut DbConn) -> (Vec<u8>, Vec<u8>) {
    (
        coffer::reports::export::donors_csv(conn, Currency::EUR, None).expect("donors.csv"),
        coffer::reports::export::ledger_csv(conn, None).expect("ledger.csv"),
    )
}

backend_test!(
    coffers_own_export_imported_into_an_empty_database_exports_the_same_files,
    |app| async move {
        use serde_json::json;
        let ada = app
            .create_id(
                "/api/v1/admin/donors",
                json!({"public_name": "Ada, \"the first\"", "email": "ada@example.org", "consent": {"name": true}}),
            )
            .await;
        let zoe = app
            .create_id("/api/v1/admin/donors", json!({"public_name": "=Zoë"}))
            .await;
        let gift = app
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": ada, "amount": "1234.50", "source": "bank", "external_ref": "TX-1", "memo": "line one\nline two"}),
            )
            .await;
        app.create_id(
            "/api/v1/admin/donations",
            json!({"donor_id": zoe, "amount": "5.00"}),
        )
        .await;
        app.create_id(
            "/api/v1/admin/refunds",
            json!({"entry_id": gift, "amount": "34.50"}),
        )
        .await;
        app.create_id(
            "/api/v1/admin/expenses",
            json!({"amount": "20.00", "category": "hosting", "memo": "-VPS"}),
        )
        .await;
        let (donors_csv, ledger_csv) = export(&mut app.conn());

        let Some(empty) = crate::helpers::spawn_app(app.backend).await else {
            return;
        };
        let dir = tempfile::tempdir().expect("dir");
        let donors_path = dir.path().join("donors.csv");
        let ledger_path = dir.path().join("ledger.csv");
        std::fs::write(&donors_path, &donors_csv).expect("write");
        std::fs::write(&ledger_path, &ledger_csv).expect("write");
        let donors = import_path(&empty, Format::Csv, &donors_path, false).expect("donors.csv");
        assert_eq!(donors.count("donor").created, 2, "{donors}");
        let ledger = import_path(&empty, Format::Csv, &ledger_path, false).expect("ledger.csv");
        assert_eq!(ledger.count("donation").created, 2, "{ledger}");
        let (donors_again, ledger_again) = export(&mut empty.conn());
        assert_eq!(
            String::from_utf8_lossy(&donors_again),
            String::from_utf8_lossy(&donors_csv)
        );
        assert_eq!(
            String::from_utf8_lossy(&ledger_again),
            String::from_utf8_lossy(&ledger_csv)
        );
        // Importing again changes nothing, and new entries take ids after the restored ones.
        let again = import_path(&empty, Format::Csv, &ledger_path, false).expect("again");
        assert_eq!(again.count("donation").skipped, 2, "{again}");
        let next = empty
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": ada, "amount": "1.00"}),
            )
            .await;
        assert!(next > gift + 2, "{next}");
    }
);

fn coffer_cli(database_url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(args)
        .env("COFFER_DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run coffer")
}

backend_test!(
    the_cli_reports_a_dry_run_imports_and_refuses_a_bad_file_with_one_line,
    |app| async move {
        let file = fixture("kofi.csv");
        let file = file.to_str().expect("path");
        let before = state(&app);
        let dry = coffer_cli(&app.database_url, &["import", "kofi", file, "--dry-run"]);
        assert!(
            dry.status.success(),
            "{}",
            String::from_utf8_lossy(&dry.stderr)
        );
        let out = String::from_utf8_lossy(&dry.stdout);
        assert!(out.contains("dry run, nothing was written"), "{out}");
        assert!(out.contains("donations: 3 created"), "{out}");
        assert!(out.contains("EUR: donation 10.00"), "{out}");
        assert!(
            dry.stderr.is_empty(),
            "no progress line when not on a terminal"
        );
        assert_eq!(state(&app), before);

        let done = coffer_cli(&app.database_url, &["import", "kofi", file]);
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        assert_eq!(app.count("ledger_entries"), 3);

        let dir = tempfile::tempdir().expect("dir");
        let bad = altered(dir.path(), "kofi.csv", "2024-05-04 10:00:00", "04/05/2024");
        let before = state(&app);
        let refused = coffer_cli(
            &app.database_url,
            &["import", "kofi", bad.to_str().expect("path")],
        );
        assert!(!refused.status.success());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("line 7, column “DateTime (UTC)”"),
            "{stderr}"
        );
        assert!(refused.stdout.is_empty());
        assert_eq!(state(&app), before);

        let missing = coffer_cli(&app.database_url, &["import", "kofi", "/nonexistent.csv"]);
        assert!(!missing.status.success());
        assert_eq!(
            String::from_utf8_lossy(&missing.stderr)
                .trim()
                .lines()
                .count(),
            1
        );
    }
);

mod console {
    use reqwest::{header, StatusCode};

    use super::*;
    use coffer::domain::Role;

    const PASSWORD: &str = "correct horse battery staple";

    async fn console_app(backend: crate::helpers::Backend) -> Option<TestApp> {
        crate::helpers::spawn_app_with(backend, &[("COFFER_PUBLIC_URL", "http://coffer.test")])
            .await
    }

    /// A browser signed in as a new account of `role`.
    async fn signed_in(app: &TestApp, email: &str, role: Role) -> reqwest::Client {
        let hash = coffer::ledger::admins::hash_password(PASSWORD).expect("hash");
        coffer::ledger::admins::create(&mut app.conn(), email, role, &hash).expect("account");
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let form = client
            .get(app.url("/admin/login"))
            .send()
            .await
            .expect("form");
        let cookie = form.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let csrf = crate::helpers::csrf_of(&form.text().await.unwrap());
        let response = client
            .post(app.url("/admin/login"))
            .header(header::COOKIE, cookie)
            .form(&[("email", email), ("password", PASSWORD), ("csrf", &csrf)])
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        client
    }

    async fn upload(
        app: &TestApp,
        client: &reqwest::Client,
        csrf: Option<&str>,
        format: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new()
            .text("format", format.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("export.csv"),
            );
        if let Some(csrf) = csrf {
            form = form.text("csrf", csrf.to_owned());
        }
        client
            .post(app.url("/admin/import"))
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }

    macro_rules! console_test {
        ($name:ident, |$app:ident| $body:expr) => {
            mod $name {
                use super::*;

                #[actix_web::test]
                async fn sqlite() {
                    let $app = console_app(crate::helpers::Backend::Sqlite)
                        .await
                        .expect("SQLite");
                    $body.await;
                }

                #[actix_web::test]
                async fn postgres() {
                    let Some($app) = console_app(crate::helpers::Backend::Postgres).await else {
                        return;
                    };
                    $body.await;
                }
            }
        };
    }

    console_test!(
        a_treasurer_uploads_sees_the_preview_and_confirms_while_viewers_and_forged_posts_are_refused,
        |app| async move {
            let bytes = std::fs::read(fixture("opencollective.csv")).expect("fixture");
            let viewer = signed_in(&app, "viewer@coffer.test", Role::Viewer).await;
            let treasurer = signed_in(&app, "treasurer@coffer.test", Role::Treasurer).await;
            let before = state(&app);
            let response = viewer.get(app.url("/admin/import")).send().await.expect("GET");
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
            let viewer_csrf = crate::helpers::csrf_of(
                &viewer.get(app.url("/admin")).send().await.expect("GET").text().await.unwrap(),
            );
            let response = upload(&app, &viewer, Some(&viewer_csrf), "opencollective", bytes.clone()).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN);

            let page = treasurer.get(app.url("/admin/import")).send().await.expect("GET");
            assert_eq!(page.status(), StatusCode::OK);
            let csrf = crate::helpers::csrf_of(&page.text().await.unwrap());
            for forged in [None, Some(""), Some(viewer_csrf.as_str())] {
                let response = upload(&app, &treasurer, forged, "opencollective", bytes.clone()).await;
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{forged:?}");
            }
            assert_eq!(state(&app), before);

            // A bad file: refused with its line and column, nothing written.
            let bad = String::from_utf8(bytes.clone()).unwrap().replacen(",25.00,", ",25.0.0,", 1);
            let response = upload(&app, &treasurer, Some(&csrf), "opencollective", bad.into_bytes()).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let html = response.text().await.unwrap();
            assert!(html.contains("line 5, column “amount”"), "{html}");
            assert_eq!(state(&app), before);

            // The preview: what would be created, and the money, and nothing written yet.
            let response = upload(&app, &treasurer, Some(&csrf), "opencollective", bytes.clone()).await;
            assert_eq!(response.status(), StatusCode::OK);
            let html = response.text().await.unwrap();
            assert!(html.contains("What this import would do"), "{html}");
            assert!(html.contains("EUR: donation 35.00"), "{html}");
            assert_eq!(state(&app), before, "a preview writes nothing");
            let document = scraper::Html::parse_document(&html);
            let hidden = |name: &str| {
                let selector = scraper::Selector::parse(&format!(
                    "form[action='/admin/import/confirm'] input[name={name}]"
                ))
                .unwrap();
                document
                    .select(&selector)
                    .next()
                    .and_then(|i| i.value().attr("value"))
                    .expect("a confirm form")
                    .to_owned()
            };
            let sha256 = hidden("sha256");
            let confirm = |csrf: String| {
                let fields = [
                    ("csrf", csrf),
                    ("format", "opencollective".to_owned()),
                    ("sha256", sha256.clone()),
                ];
                treasurer.post(app.url("/admin/import/confirm")).form(&fields).send()
            };
            let forged = confirm(viewer_csrf.clone()).await.expect("POST");
            assert_eq!(forged.status(), StatusCode::FORBIDDEN);
            assert_eq!(state(&app), before);
            let done = confirm(hidden("csrf")).await.expect("POST");
            assert_eq!(done.status(), StatusCode::OK);
            let html = done.text().await.unwrap();
            assert!(html.contains("Imported"), "{html}");
            assert_eq!(app.count("ledger_entries"), 7);
            assert!(audit_mentions(&app, &sha256));
            let audit = db::audit::recent(&mut app.conn(), 1).expect("audit");
            assert_eq!(audit[0].0, "import");

            // Confirming again: the kept file is gone once imported.
            let again = confirm(hidden("csrf")).await.expect("POST");
            assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(app.count("ledger_entries"), 7);
        }
    );
}
