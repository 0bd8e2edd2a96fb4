//! Receipts and their mail, against a real SMTP server over TCP: the right headers, parts and
//! numbers; every receipt exactly once after an outage; two workers on one database; gap-free
//! numbers under concurrent recording; statements once a year.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use coffer::db;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with_smtp, Backend, TestApp};
use crate::mailbox::{free_port, smtp_url, start_smtp, Received};

const DEADLINE: Duration = Duration::from_secs(30);

/// Runs a scenario on SQLite and PostgreSQL, each app mailing through its own SMTP server
/// (or, with `down`, through a port where no server listens yet).
macro_rules! mail_test {
    ($name:ident, |$app:ident, $port:ident| $body:expr) => {
        mod $name {
            use super::*;

            async fn run(backend: Backend) {
                let $port = free_port();
                let Some($app) = spawn_app_with_smtp(backend, Some(&smtp_url($port))).await else {
                    return;
                };
                $body.await;
            }

            #[actix_web::test]
            async fn sqlite() {
                run(Backend::Sqlite).await;
            }

            #[actix_web::test]
            async fn postgres() {
                run(Backend::Postgres).await;
            }
        }
    };
}

async fn donor(app: &TestApp, name: &str, email: Option<&str>, locale: &str) -> i64 {
    app.create_id(
        "/api/v1/admin/donors",
        json!({"public_name": name, "legal_name": format!("{name} Legal"), "email": email,
               "locale": locale, "consent": {"name": true}}),
    )
    .await
}

async fn donate(app: &TestApp, donor: i64, amount: &str) -> i64 {
    app.create_id(
        "/api/v1/admin/donations",
        json!({"donor_id": donor, "amount": amount, "source": "bank"}),
    )
    .await
}

fn receipt_of_entry(app: &TestApp, entry: i64) -> String {
    db::receipts::find_by_entry(&mut app.conn(), entry)
        .expect("query")
        .expect("every donation has a receipt")
        .number
}

fn year() -> i32 {
    use chrono::Datelike;
    db::now().year()
}

/// The outbox's counts: queued and failed as `/healthz` reports them, sent from the database.
async fn outbox(app: &TestApp) -> Value {
    let mut counts = app.get_json("/healthz").await["outbox"].clone();
    let sent = db::outbox::counts(&mut app.conn()).expect("counts").sent;
    counts["sent"] = json!(sent);
    counts
}

/// Waits until the outbox holds no queued message (polling, with a deadline).
async fn wait_until_drained(app: &TestApp, sent: i64) {
    let start = Instant::now();
    loop {
        let counts = outbox(app).await;
        if counts["sent"] == sent && counts["queued"] == 0 {
            return;
        }
        assert!(start.elapsed() < DEADLINE, "outbox not drained: {counts}");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The receipt numbers the messages' subjects carry, in order.
pub(crate) fn numbers_in(messages: &[Received]) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            let subject = m.header("Subject").expect("subject");
            subject
                .split_whitespace()
                .find(|w| w.len() == 11 && w.as_bytes()[4] == b'-')
                .unwrap_or_else(|| panic!("no receipt number in “{subject}”"))
                .to_owned()
        })
        .collect()
}

mail_test!(
    a_receipt_arrives_with_the_right_headers_parts_and_number,
    |app, port| async move {
        let mailbox = start_smtp(port);
        let ada = donor(&app, "Ada", Some("ada@mail.example"), "en").await;
        let pledge = app
            .create_id(
                "/api/v1/admin/pledges",
                json!({"donor_id": ada, "amount": "25.00", "interval": "month"}),
            )
            .await;
        let entry = app
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": ada, "pledge_id": pledge, "amount": "1234.50", "source": "bank"}),
            )
            .await;
        let number = receipt_of_entry(&app, entry);
        assert_eq!(number, format!("{}-000001", year()));

        let received = mailbox.wait_for(1, DEADLINE).await;
        let mail = &received[0];
        assert_eq!(mail.to, vec!["ada@mail.example".to_owned()]);
        assert_eq!(mail.from, "treasurer@coffer.test");
        assert_eq!(
            mail.header("Subject").unwrap(),
            format!("Receipt {number} from Example Social")
        );
        let message_id = mail.header("Message-ID").expect("Message-ID");
        assert!(message_id.ends_with("@coffer.test>"), "{message_id}");
        assert!(message_id.contains(&number), "{message_id}");
        assert!(mail.header("Date").is_some());
        assert_eq!(mail.header("Auto-Submitted").unwrap(), "auto-generated");
        assert!(mail.header("List-Unsubscribe").is_none());
        assert_eq!(mail.parsed().ctype.mimetype, "multipart/alternative");
        let text = mail.part("text/plain").expect("a text part");
        let html = mail.part("text/html").expect("an HTML part");
        for body in [&text, &html] {
            assert!(body.contains(&number), "{body}");
            assert!(body.contains("€1,234.50"), "{body}");
            assert!(body.contains("Ada Legal"), "the legal name is used: {body}");
            assert!(body.contains("€25.00 every month"), "{body}");
            assert!(body.contains("change or cancel"), "{body}");
            assert!(
                body.contains(coffer::domain::INDEPENDENCE_STATEMENT),
                "{body}"
            );
        }

        // The receipt carries the donor's own self-service link, and it opens their page.
        let link = text
            .split_whitespace()
            .find(|w| w.starts_with("https://coffer.test/donate/manage/"))
            .unwrap_or_else(|| panic!("a self-service link in {text}"));
        assert!(
            link.starts_with(&format!("https://coffer.test/donate/manage/{ada}.")),
            "{link}"
        );
        assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
        let page = app
            .get(link.trim_start_matches("https://coffer.test"))
            .await;
        assert_eq!(page.status(), reqwest::StatusCode::OK, "{link}");
        let tampered = link.replacen(
            &format!("/manage/{ada}."),
            &format!("/manage/{}.", ada + 1),
            1,
        );
        let refused = app
            .get(tampered.trim_start_matches("https://coffer.test"))
            .await;
        assert_ne!(
            refused.status(),
            reqwest::StatusCode::OK,
            "a link names one donor only"
        );

        // A Bokmål donor gets Bokmål; a donor without an email gets a number and no mail.
        let kari = donor(&app, "Kari", Some("kari@mail.example"), "nb-NO").await;
        let kari_entry = donate(&app, kari, "99.00").await;
        let anon = donor(&app, "Nobody", None, "en").await;
        let anon_entry = donate(&app, anon, "5.00").await;
        assert_eq!(
            receipt_of_entry(&app, anon_entry),
            format!("{}-000003", year())
        );
        let received = mailbox.wait_for(2, DEADLINE).await;
        let kari_number = receipt_of_entry(&app, kari_entry);
        let norwegian = &received[1];
        assert_eq!(
            norwegian.header("Subject").unwrap(),
            format!("Kvittering {kari_number} fra Example Social")
        );
        assert!(norwegian.part("text/plain").unwrap().contains("99,00 €"));

        // A refund sends a credit note naming the receipt it corrects.
        let refund = app
            .create_id(
                "/api/v1/admin/refunds",
                json!({"entry_id": entry, "amount": "34.50"}),
            )
            .await;
        let credit = receipt_of_entry(&app, refund);
        let received = mailbox.wait_for(3, DEADLINE).await;
        let note = &received[2];
        assert_eq!(
            note.header("Subject").unwrap(),
            format!("Credit note {credit} from Example Social")
        );
        assert!(note
            .part("text/plain")
            .unwrap()
            .contains(&format!("corrects receipt {number}")));

        // The treasurer views the receipt and sends it again: same number, same snapshot.
        let shown = app
            .admin_get_json(&format!("/api/v1/admin/receipts/{number}"))
            .await;
        assert_eq!(shown["number"], number.as_str());
        assert_eq!(shown["kind"], "receipt");
        assert_eq!(
            shown["amount"],
            json!({"amount": "1234.50", "currency": "EUR"})
        );
        assert_eq!(shown["deliveries"][0]["status"], "sent");
        assert_eq!(shown["deliveries"][0]["message_id"], message_id.as_str());
        let response = app
            .admin_post(
                &format!("/api/v1/admin/receipts/{number}/resend"),
                &json!({}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let received = mailbox.wait_for(4, DEADLINE).await;
        let again = &received[3];
        assert_eq!(again.header("Subject"), mail.header("Subject"));
        assert_ne!(again.header("Message-ID"), mail.header("Message-ID"));
        // The same document; only the self-service link is fresh, its week starting now.
        let without_link = |text: Option<String>| -> Vec<String> {
            text.unwrap_or_default()
                .lines()
                .filter(|line| !line.contains("/donate/manage/"))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(
            without_link(again.part("text/plain")),
            without_link(mail.part("text/plain"))
        );
        let shown_again = app
            .admin_get_json(&format!("/api/v1/admin/receipts/{number}"))
            .await;
        assert_eq!(shown_again["snapshot"], shown["snapshot"]);
        assert_eq!(shown_again["deliveries"].as_array().unwrap().len(), 2);

        let missing = app.admin_get("/api/v1/admin/receipts/1999-000001").await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let anon_number = receipt_of_entry(&app, anon_entry);
        let refused = app
            .admin_post(
                &format!("/api/v1/admin/receipts/{anon_number}/resend"),
                &json!({}),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::CONFLICT);

        wait_until_drained(&app, 4).await;
        assert_eq!(mailbox.len(), 4);
    }
);

mail_test!(
    every_receipt_arrives_exactly_once_after_an_smtp_outage,
    |app, port| async move {
        const DONATIONS: usize = 50;
        let ada = donor(&app, "Ada", Some("ada@mail.example"), "en").await;
        let calls = (0..DONATIONS).map(|i| {
            let app = &app;
            async move {
                app.admin_post(
                    "/api/v1/admin/donations",
                    &json!({"donor_id": ada, "amount": format!("{}.00", i + 1)}),
                )
                .await
                .status()
            }
        });
        for status in join_all(calls).await {
            assert_eq!(status, StatusCode::CREATED);
        }
        // The worker has tried and failed while the server was down; nothing was dropped.
        let start = Instant::now();
        loop {
            let attempted: i64 = {
                use coffer::db::schema::outbox::dsl::*;
                use diesel::prelude::*;
                outbox
                    .filter(attempts.gt(0))
                    .count()
                    .get_result(&mut *app.conn())
                    .expect("count")
            };
            if attempted > 0 {
                break;
            }
            assert!(start.elapsed() < DEADLINE, "the worker never tried");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        let before = outbox(&app).await;
        let queued = before["queued"].as_i64().unwrap() + before["failed"].as_i64().unwrap();
        assert_eq!(queued, DONATIONS as i64, "{before}");
        assert_eq!(before["sent"], 0);

        let up = Instant::now();
        let mailbox = start_smtp(port);
        let received = mailbox.wait_for(DONATIONS, DEADLINE).await;
        let drain = up.elapsed();
        wait_until_drained(&app, DONATIONS as i64).await;
        let received_after = mailbox.messages();

        let numbers = numbers_in(&received_after);
        let distinct_numbers: BTreeSet<_> = numbers.iter().collect();
        let ids: BTreeSet<_> = received_after
            .iter()
            .map(|m| m.header("Message-ID").unwrap())
            .collect();
        let duplicates = received_after.len() - distinct_numbers.len();
        println!(
            "outage ({:?}): {queued} messages queued while SMTP was down; drained in {drain:?} \
             after it came up; {} received, {duplicates} duplicates",
            app.backend,
            received_after.len()
        );
        assert!(received.len() >= DONATIONS);
        assert_eq!(received_after.len(), DONATIONS);
        assert_eq!(duplicates, 0);
        assert_eq!(ids.len(), DONATIONS);
        let expected: BTreeSet<String> = (1..=DONATIONS)
            .map(|n| format!("{}-{n:06}", year()))
            .collect();
        assert_eq!(
            distinct_numbers
                .into_iter()
                .cloned()
                .collect::<BTreeSet<_>>(),
            expected
        );
    }
);

mail_test!(
    two_workers_on_one_database_send_each_message_once,
    |app, port| async move {
        const DONATIONS: usize = 40;
        let mailbox = start_smtp(port);
        // A second worker, as another `coffer` process would run: its own pool, its own lease
        // name, no wake-up from this process's writes (it polls).
        let other_pool = db::build_pool(&app.settings.database_url).expect("second pool");
        let other = coffer::mail::Mailer::new(
            other_pool,
            &app.settings,
            crate::helpers::test_mail_options(app.mail_dir.path()),
            std::sync::Arc::new(tokio::sync::Notify::new()),
        )
        .expect("second worker");
        actix_web::rt::spawn(other.run());
        let ada = donor(&app, "Ada", Some("ada@mail.example"), "en").await;
        let calls = (0..DONATIONS).map(|i| {
            let app = &app;
            async move {
                app.admin_post(
                    "/api/v1/admin/donations",
                    &json!({"donor_id": ada, "amount": format!("{}.00", i + 1)}),
                )
                .await
                .status()
            }
        });
        for status in join_all(calls).await {
            assert_eq!(status, StatusCode::CREATED);
        }
        mailbox.wait_for(DONATIONS, DEADLINE).await;
        wait_until_drained(&app, DONATIONS as i64).await;
        let received = mailbox.messages();
        let numbers: BTreeSet<_> = numbers_in(&received).into_iter().collect();
        let by_worker: BTreeMap<String, i64> = {
            use coffer::db::schema::outbox::dsl::*;
            use diesel::prelude::*;
            let owners: Vec<Option<String>> = outbox
                .select(lease_owner)
                .load(&mut *app.conn())
                .expect("owners");
            let mut counts = BTreeMap::new();
            for owner in owners.into_iter().flatten() {
                *counts.entry(owner).or_insert(0) += 1;
            }
            counts
        };
        println!(
            "two workers ({:?}): {} received, {} distinct, sent per worker {by_worker:?}",
            app.backend,
            received.len(),
            numbers.len()
        );
        assert_eq!(received.len(), DONATIONS);
        assert_eq!(numbers.len(), DONATIONS);
    }
);

mail_test!(
    concurrent_donations_get_unique_gap_free_numbers,
    |app, _port| async move {
        const DONATIONS: usize = 40;
        let ada = donor(&app, "Ada", None, "en").await;
        // A donation rolled back after its number was taken gives the number back.
        {
            let mut conn = app.conn();
            let draft = coffer::ledger::entries::DonationDraft {
                donor_id: Some(ada),
                pledge_id: None,
                amount: coffer::domain::Money::from_minor(100, coffer::domain::Currency::EUR)
                    .unwrap(),
                occurred_at: None,
                source: coffer::domain::Source::Manual,
                external_ref: None,
                memo: String::new(),
            };
            let rolled_back: Result<(), coffer::error::AppError> =
                db::write_transaction(&mut conn, |conn| {
                    coffer::ledger::entries::record_donation(conn, draft)?;
                    Err(coffer::error::AppError::Internal("rolled back".to_owned()))
                });
            assert!(rolled_back.is_err());
        }
        let calls = (0..DONATIONS).map(|i| {
            let app = &app;
            async move {
                // Every fifth one is refused (an unknown pledge) and must not take a number.
                let body = if i % 5 == 4 {
                    json!({"donor_id": ada, "pledge_id": 999_999, "amount": "1.00"})
                } else {
                    json!({"donor_id": ada, "amount": format!("{}.00", i + 1)})
                };
                app.admin_post("/api/v1/admin/donations", &body)
                    .await
                    .status()
            }
        });
        let statuses = join_all(calls).await;
        let created = statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        assert_eq!(created, DONATIONS - DONATIONS / 5, "{statuses:?}");
        let sequences = db::receipts::sequences_of_year(&mut app.conn(), year()).expect("query");
        let expected: Vec<i64> = (1..=created as i64).collect();
        assert_eq!(sequences, expected, "unique and gap-free");
        assert_eq!(app.count("outbox"), 0, "no email, no mail");
    }
);

mail_test!(
    annual_statements_are_sent_once_per_donor_and_year,
    |app, port| async move {
        let mailbox = start_smtp(port);
        let ada = donor(&app, "Ada", Some("ada@mail.example"), "en").await;
        let kari = donor(&app, "Kari", Some("kari@mail.example"), "nb").await;
        let first = donate(&app, ada, "100.00").await;
        donate(&app, ada, "20.00").await;
        app.create_id(
            "/api/v1/admin/refunds",
            json!({"entry_id": first, "amount": "30.00"}),
        )
        .await;
        donate(&app, kari, "50.00").await;
        mailbox.wait_for(4, DEADLINE).await;

        let instance = coffer::mail::render::Instance {
            name: "Example Social".to_owned(),
        };
        let run = coffer::mail::statements::queue_annual(&mut app.conn(), &instance, year())
            .expect("statements");
        assert_eq!(run.queued, 2);
        let again = coffer::mail::statements::queue_annual(&mut app.conn(), &instance, year())
            .expect("statements");
        assert_eq!(again.queued, 0);
        assert_eq!(again.already_sent, 2);
        let received = mailbox.wait_for(6, DEADLINE).await;
        let statements: Vec<&Received> = received[4..].iter().collect();
        let for_ada = statements
            .iter()
            .find(|m| m.to == vec!["ada@mail.example".to_owned()])
            .expect("Ada's statement");
        let text = for_ada.part("text/plain").unwrap();
        assert_eq!(
            for_ada.header("Subject").unwrap(),
            format!("Your {} statement from Example Social", year())
        );
        assert!(text.contains("Net total: €90.00"), "{text}");
        for n in 1..=3 {
            assert!(text.contains(&format!("{}-{n:06}", year())), "{text}");
        }
        let for_kari = statements
            .iter()
            .find(|m| m.to == vec!["kari@mail.example".to_owned()])
            .expect("Kari's statement");
        assert!(for_kari
            .part("text/plain")
            .unwrap()
            .contains("Netto totalt: 50,00 €"));
        // Triggered by the worker's poll, not a write of this process: nothing more arrives.
        wait_until_drained(&app, 6).await;
        assert_eq!(mailbox.len(), 6);
    }
);

crate::backend_test!(
    without_smtp_mail_is_written_as_eml_files_and_healthz_says_so,
    |app| async move {
        let ada = donor(&app, "Ada", Some("ada@mail.example"), "en").await;
        donate(&app, ada, "10.00").await;
        wait_until_drained(&app, 1).await;
        let health = app.get_json("/healthz").await;
        assert_eq!(health["status"], "ok");
        assert_eq!(health["outbox"]["transport"], "files");
        let files: Vec<_> = std::fs::read_dir(app.mail_dir.path())
            .expect("mail dir")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let eml = std::fs::read(&files[0]).expect("eml");
        let parsed = mailparse::parse_mail(&eml).expect("an .eml message");
        use mailparse::MailHeaderMap;
        assert_eq!(
            parsed.headers.get_first_value("Subject").unwrap(),
            format!("Receipt {}-000001 from Example Social", year())
        );
    }
);

fn donation_draft(donor: i64, cents: i64) -> coffer::ledger::entries::DonationDraft {
    coffer::ledger::entries::DonationDraft {
        donor_id: Some(donor),
        pledge_id: None,
        amount: coffer::domain::Money::from_minor(cents, coffer::domain::Currency::EUR).unwrap(),
        occurred_at: None,
        source: coffer::domain::Source::Bank,
        external_ref: None,
        memo: String::new(),
    }
}

fn outbox_row(app: &TestApp) -> coffer::db::outbox::OutboxRow {
    db::outbox::find(&mut app.conn(), 1)
        .expect("query")
        .expect("the first message")
}

mail_test!(
    a_message_whose_sender_died_mid_send_goes_out_once_after_its_lease,
    |app, port| async move {
        let mailbox = start_smtp(port);
        let ada = donor(&app, "Ada", Some("ada@mail.example"), "en").await;
        // Another process recorded the donation and claimed its mail, then died: its lease
        // holds for another second and nobody may send the message meanwhile.
        {
            let mut conn = app.conn();
            db::write_transaction(&mut conn, |conn| {
                coffer::ledger::entries::record_donation(conn, donation_draft(ada, 1000))?;
                let now = db::now();
                let claimed = db::outbox::claim(
                    conn,
                    "dead-process",
                    now,
                    now + chrono::Duration::seconds(1),
                )?;
                assert!(claimed.is_some());
                Ok::<_, coffer::error::AppError>(())
            })
            .expect("record and claim");
        }
        assert_eq!(
            outbox_row(&app).lease_owner.as_deref(),
            Some("dead-process")
        );
        mailbox.wait_for(1, DEADLINE).await;
        wait_until_drained(&app, 1).await;
        let row = outbox_row(&app);
        assert_eq!(row.status, "sent");
        assert_eq!(row.attempts, 2, "the dead claim and the one that sent");
        assert_ne!(row.lease_owner.as_deref(), Some("dead-process"));
        assert_eq!(mailbox.len(), 1);
    }
);

mail_test!(
    a_message_that_keeps_failing_is_flagged_never_dropped,
    |app, port| async move {
        // A worker that flags at once stands in for days of failures.
        let impatient = coffer::mail::Mailer::new(
            app.pool.clone(),
            &app.settings,
            coffer::mail::MailerOptions {
                flag_after: Duration::ZERO,
                ..crate::helpers::test_mail_options(app.mail_dir.path())
            },
            std::sync::Arc::new(tokio::sync::Notify::new()),
        )
        .expect("worker");
        let ada = donor(&app, "Ada", Some("ada@mail.example"), "en").await;
        donate(&app, ada, "10.00").await;
        let start = Instant::now();
        while outbox_row(&app).status != "failed" {
            impatient.send_next().await.expect("an attempt");
            assert!(start.elapsed() < DEADLINE, "never flagged");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        let row = outbox_row(&app);
        assert!(row.last_error.is_some());
        assert_eq!(outbox(&app).await["failed"], 1);
        // Flagged is not dropped: once the server is back, it goes out.
        let mailbox = start_smtp(port);
        mailbox.wait_for(1, DEADLINE).await;
        wait_until_drained(&app, 1).await;
        assert_eq!(outbox(&app).await["failed"], 0);
        assert_eq!(mailbox.len(), 1);
    }
);

#[test]
fn the_command_line_queues_annual_statements_once_and_reports_the_outbox() {
    use std::process::Command;
    let (_db, url) = crate::helpers::TestDb::create(Backend::Sqlite).expect("sqlite");
    let coffer = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_coffer"))
            .args(args)
            .env("COFFER_DATABASE_URL", &url)
            .env_remove("COFFER_SMTP_URL")
            .env("RUST_LOG", "error")
            .output()
            .expect("run coffer");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    coffer(&["migrate"]);
    {
        let settings = crate::helpers::test_settings(&url);
        let mut conn = db::connect(&settings.database_url).expect("connect");
        db::write_transaction(&mut conn, |conn| {
            let donor = coffer::ledger::donors::create(
                conn,
                coffer::ledger::donors::DonorDraft {
                    public_name: "Ada".to_owned(),
                    legal_name: None,
                    email: Some(coffer::domain::Email::parse("ada@mail.example").unwrap()),
                    website: None,
                    fediverse_handle: None,
                    logo_path: None,
                    consent: Default::default(),
                    anonymous: false,
                    locale: Some("nb".to_owned()),
                },
            )?;
            coffer::ledger::entries::record_donation(conn, donation_draft(donor.id, 12_345))?;
            Ok::<_, coffer::error::AppError>(())
        })
        .unwrap_or_else(|e| panic!("seeding through the library failed: {e:?}"));
    }
    let year = year().to_string();
    let first = coffer(&["receipts", "annual", "--year", &year]);
    assert!(
        first.contains("queued 1 statement(s); 0 already sent"),
        "{first}"
    );
    let second = coffer(&["receipts", "annual", "--year", &year]);
    assert!(
        second.contains("queued 0 statement(s); 1 already sent"),
        "{second}"
    );
    let status = coffer(&["outbox", "status"]);
    assert!(status.contains("queued\t2"), "{status}");
    assert!(status.contains("failed\t0"), "{status}");
    assert!(status.contains("sent\t0"), "{status}");
    assert!(status.contains("transport\tfiles"), "{status}");
}
