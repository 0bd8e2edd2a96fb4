//! Running Coffer for years: backups taken under load and restored, `coffer check` finding what
//! was tampered with, clear answers when the disk is full or the database is gone, a clean
//! stop on SIGTERM, a refusal to run on a newer schema, and `coffer config check`.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coffer::db::{self, DatabaseUrl, DbConn};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with_settings, test_settings_with, Backend, TestApp, TestDb};
use crate::mailbox::{smtp_url, start_smtp};
use crate::process::{free_port, Env};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn scalar(conn: &mut DbConn, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .expect(sql)
        .n
}

fn donation_ids(conn: &mut DbConn) -> BTreeSet<i64> {
    use coffer::db::schema::ledger_entries as e;
    e::table
        .filter(e::kind.eq("donation"))
        .select(e::id)
        .load::<i64>(conn)
        .expect("donations")
        .into_iter()
        .collect()
}

async fn donor(app: &TestApp) -> i64 {
    app.create_id(
        "/api/v1/admin/donors",
        json!({"public_name": "Ada", "email": "ada@mail.example", "consent": {"name": true}}),
    )
    .await
}

/// Writers posting donations until told to stop; each acknowledged id is kept with the moment
/// its answer came back.
struct DonationStream {
    stop: Arc<AtomicBool>,
    acknowledged: Arc<Mutex<Vec<(i64, Instant)>>>,
    writers: Vec<actix_web::rt::task::JoinHandle<usize>>,
}

impl DonationStream {
    fn start(base: String, token: String, donor: i64, writers: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let writers = (0..writers)
            .map(|_| {
                let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
                let (base, token) = (base.clone(), token.clone());
                actix_web::rt::spawn(async move {
                    let client = reqwest::Client::new();
                    let mut failures = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let response = client
                            .post(format!("{base}/api/v1/admin/donations"))
                            .bearer_auth(&token)
                            .json(&json!({"donor_id": donor, "amount": "3.00", "source": "bank"}))
                            .send()
                            .await;
                        match response {
                            Ok(r) if r.status() == StatusCode::CREATED => {
                                let body: Value = r.json().await.expect("JSON");
                                let id = body["id"].as_i64().expect("id");
                                acknowledged
                                    .lock()
                                    .expect("lock")
                                    .push((id, Instant::now()));
                            }
                            // A server that is stopping refuses or drops connections: those
                            // donations were never acknowledged.
                            _ => failures += 1,
                        }
                    }
                    failures
                })
            })
            .collect();
        Self {
            stop,
            acknowledged,
            writers,
        }
    }

    fn count(&self) -> usize {
        self.acknowledged.lock().expect("lock").len()
    }

    async fn until(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.count() < n {
            assert!(
                Instant::now() < deadline,
                "the writers did not get {n} donations in"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn acknowledged_before(&self, moment: Instant) -> BTreeSet<i64> {
        self.acknowledged
            .lock()
            .expect("lock")
            .iter()
            .filter(|(_, at)| *at < moment)
            .map(|(id, _)| *id)
            .collect()
    }

    async fn finish(self) -> BTreeSet<i64> {
        self.stop.store(true, Ordering::SeqCst);
        for writer in self.writers {
            writer.await.expect("writer");
        }
        let acknowledged = self.acknowledged.lock().expect("lock");
        acknowledged.iter().map(|(id, _)| *id).collect()
    }
}

crate::backend_test!(
    a_backup_taken_during_a_stream_of_donations_restores_everything_acknowledged_before_it,
    |app| async move {
        let donor = donor(&app).await;
        let stream = DonationStream::start(app.address.clone(), app.token.clone(), donor, 4);
        stream.until(20).await;
        let folder = tempfile::tempdir().expect("backup folder");
        let file = folder.path().join("coffer-backup");
        let began = Instant::now();
        let url = app.settings.database_url.clone();
        let target = file.clone();
        let during = stream.count();
        let copied = actix_web::web::block(move || coffer::ops::backup::backup(&url, &target))
            .await
            .expect("backup thread")
            .expect("backup");
        // For the record (`--nocapture`): how the backup behaves under the writers' load.
        eprintln!(
            "{:?} backup: {:.0} ms, {} donations acknowledged while it ran, {} bytes",
            app.backend,
            began.elapsed().as_secs_f64() * 1000.0,
            stream.count() - during,
            copied.bytes
        );
        // The stream goes on after the backup, as the server would.
        let more = stream.count() + 10;
        stream.until(more).await;
        let acknowledged_before = stream.acknowledged_before(began);
        let all = stream.finish().await;
        assert!(acknowledged_before.len() >= 20);

        // Restore into a fresh database of the same backend.
        let (_restored_db, restored_url) = TestDb::create(app.backend).expect("a fresh database");
        let restored_url = DatabaseUrl::parse(&restored_url).expect("url");
        let target = file.clone();
        let into = restored_url.clone();
        let restored =
            actix_web::web::block(move || coffer::ops::backup::restore(&into, &target, false))
                .await
                .expect("restore thread")
                .expect("restore");
        if app.backend == Backend::Sqlite {
            // SQLite's backup counts the snapshot it wrote; pg_dump's is taken while writing.
            assert_eq!(restored.contents, copied.contents);
        }

        let mut conn = db::connect(&restored_url).expect("restored database");
        coffer::startup::migrate(&mut conn, &app.settings).expect("migrate");
        let restored_ids = donation_ids(&mut conn);
        let missing: Vec<_> = acknowledged_before.difference(&restored_ids).collect();
        assert!(
            missing.is_empty(),
            "acknowledged before the backup began but not in it: {missing:?}"
        );
        assert!(
            restored_ids.is_subset(&all),
            "the backup holds a donation nobody was told about"
        );
        assert!(
            restored_ids.len() < all.len(),
            "the stream went on after the backup"
        );

        // The restored books are sound, and their totals are the live books' for the same rows.
        let settings = test_settings_with(
            &match &restored_url {
                DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
                DatabaseUrl::Postgres(url) => url.clone(),
            },
            &[("COFFER_BIND", &format!("127.0.0.1:{}", free_port()))],
        );
        let report = coffer::ops::check::run(&mut conn, &settings).expect("check");
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let ids = restored_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let total = |conn: &mut DbConn| {
            scalar(
                conn,
                &format!(
                    "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries WHERE id IN ({ids})"
                ),
            )
        };
        let restored_total = scalar(
            &mut conn,
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries",
        );
        let mut live = app.pool.get().expect("live connection");
        assert_eq!(restored_total, total(&mut live));
        assert_eq!(
            restored_total,
            300 * i64::try_from(restored_ids.len()).unwrap()
        );
        let restored_receipts = scalar(&mut conn, "SELECT COUNT(*) AS n FROM receipts");
        assert_eq!(
            restored_receipts,
            i64::try_from(restored_ids.len()).unwrap()
        );
    }
);

#[actix_web::test]
async fn restore_refuses_a_database_that_holds_data_unless_told_to() {
    let work = tempfile::tempdir().expect("work dir");
    let live = format!("sqlite://{}", work.path().join("live.sqlite3").display());
    let env =
        Env::new(work.path(), &live).set("COFFER_BIND", &format!("127.0.0.1:{}", free_port()));
    env.ok(&["demo", "--donors", "12"], None);
    let out = env.ok(&["backup", "first.sqlite3"], None);
    assert!(out.starts_with("backed up "), "{out}");
    // A backup never overwrites.
    let (status, _, stderr) = env.run(&["backup", "first.sqlite3"], None);
    assert!(!status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // Restoring over the live database is refused, naming what it holds.
    let (status, _, stderr) = env.run(&["restore", "first.sqlite3"], None);
    assert!(!status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    // Not a Coffer database: refused.
    std::fs::write(work.path().join("junk.sqlite3"), b"not a database at all").unwrap();
    let empty = format!("sqlite://{}", work.path().join("new.sqlite3").display());
    let fresh = Env::new(work.path(), &empty);
    let (status, _, stderr) = fresh.run(&["restore", "junk.sqlite3"], None);
    assert!(!status.success(), "{stderr}");
    // Into an empty file it goes, and with --force over the live one.
    let out = fresh.ok(&["restore", "first.sqlite3"], None);
    assert!(out.contains("restored"), "{out}");
    env.ok(&["restore", "first.sqlite3", "--force"], None);
    let check = fresh.ok(&["check"], None);
    assert_eq!(check, "", "no problems, nothing on stdout");
}

/// Breaks the books behind Coffer's back, the way someone holding the database could.
fn tamper(conn: &mut DbConn) -> (i64, String) {
    use diesel::connection::SimpleConnection;
    let donation = scalar(
        conn,
        "SELECT MIN(id) AS n FROM ledger_entries WHERE kind = 'donation' AND reverses IS NULL",
    );
    let amount = scalar(
        conn,
        &format!("SELECT amount AS n FROM ledger_entries WHERE id = {donation}"),
    );
    let (drop_trigger, trigger) = match conn {
        DbConn::Sqlite(_) => (
            "DROP TRIGGER receipts_refuse_delete",
            "receipts_refuse_delete",
        ),
        DbConn::Postgres(_) => (
            "DROP TRIGGER receipts_refuse_update_delete ON receipts",
            "receipts_refuse_update_delete",
        ),
    };
    conn.batch_execute(drop_trigger).expect("drop trigger");
    // A receipt taken out of the middle of its year's series.
    let middle = "(SELECT r.number FROM receipts r WHERE r.sequence = 2 AND EXISTS \
                  (SELECT 1 FROM receipts n WHERE n.year = r.year AND n.sequence = 3) LIMIT 1)";
    conn.batch_execute(&format!(
        "DELETE FROM outbox WHERE receipt_number = {middle}; \
         DELETE FROM receipts WHERE number = {middle};"
    ))
    .expect("delete a receipt");
    // A refund larger than its donation, written without the ledger's rules.
    let refund = -2 * amount;
    conn.batch_execute(&format!(
        "INSERT INTO ledger_entries (kind, amount, currency, occurred_at, recorded_at, source, reverses) \
         SELECT 'refund', {refund}, currency, occurred_at, recorded_at, 'manual', id \
         FROM ledger_entries WHERE id = {donation}"
    ))
    .expect("insert an over-refund");
    (donation, trigger.to_owned())
}

crate::backend_test!(
    check_names_a_missing_trigger_an_over_refund_and_a_gap_in_the_receipts,
    |app| async move {
        app.seed_demo();
        let work = tempfile::tempdir().expect("work dir");
        let env = Env::new(work.path(), &app.database_url)
            .set("COFFER_BIND", &format!("127.0.0.1:{}", free_port()));
        let (status, stdout, _) = env.run(&["check"], None);
        assert!(status.success(), "a fresh demo is sound: {stdout}");
        let (donation, trigger) = {
            let mut conn = app.pool.get().expect("connection");
            tamper(&mut conn)
        };
        let (status, stdout, stderr) = env.run(&["check"], None);
        assert!(!status.success());
        let problems: Vec<&str> = stdout.lines().collect();
        assert_eq!(problems.len(), 3, "{stdout}");
        assert!(problems.iter().any(|p| p.contains(&trigger)), "{stdout}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains(&format!("ledger entry {donation}:"))
                    && p.contains("take more than it was")),
            "{stdout}"
        );
        assert!(
            problems.iter().any(|p| p.starts_with("receipts of ")),
            "{stdout}"
        );
        assert_eq!(
            stderr.lines().last(),
            Some("coffer: check found 3 problem(s)")
        );
    }
);

crate::backend_test!(
    check_compares_the_running_servers_wall_with_a_fresh_build,
    |app| async move {
        app.seed_demo();
        app.settled().await;
        let work = tempfile::tempdir().expect("work dir");
        let port = app.address.rsplit(':').next().expect("port");
        let env = Env::new(work.path(), &app.database_url)
            .set("COFFER_BIND", &format!("127.0.0.1:{port}"))
            .set("COFFER_PUBLIC_URL", &app.settings.public_url);
        let (status, _, stderr) = env.run(&["check"], None);
        assert!(status.success(), "{stderr}");
        assert!(
            stderr.contains("the published wall matches a fresh build"),
            "{stderr}"
        );
    }
);

#[actix_web::test]
async fn a_binary_refuses_a_database_whose_schema_is_newer_than_itself() {
    let work = tempfile::tempdir().expect("work dir");
    let url = format!("sqlite://{}", work.path().join("c.sqlite3").display());
    let env = Env::new(work.path(), &url);
    env.ok(&["migrate"], None);
    {
        use diesel::connection::SimpleConnection;
        let mut conn = db::connect(&DatabaseUrl::parse(&url).unwrap()).unwrap();
        conn.batch_execute(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000001')",
        )
        .unwrap();
    }
    for command in [&["migrate"][..], &["serve"][..]] {
        let (status, _, stderr) = env.run(command, None);
        assert!(!status.success(), "{command:?}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("newer than this coffer binary"), "{stderr}");
    }
}

#[actix_web::test]
async fn config_check_prints_the_configuration_without_secrets_and_names_what_clashes() {
    let work = tempfile::tempdir().expect("work dir");
    let url = format!("sqlite://{}", work.path().join("c.sqlite3").display());
    let good = Env::new(work.path(), &url)
        .set("COFFER_PUBLIC_URL", "https://funding.example.social")
        .set("COFFER_TRUSTED_PROXIES", "127.0.0.1")
        .set("COFFER_STRIPE_SECRET_KEY", "sk_test_verysecret123")
        .set("COFFER_STRIPE_WEBHOOK_SECRET", "whsec_alsosecret456")
        .set("COFFER_SMTP_URL", "smtp://mailer:hunter2@127.0.0.1:2525");
    let out = good.ok(&["config", "check"], None);
    assert!(
        out.contains("COFFER_PUBLIC_URL = https://funding.example.social"),
        "{out}"
    );
    assert!(
        out.contains("COFFER_TRUSTED_PROXIES = 127.0.0.1/32"),
        "{out}"
    );
    assert!(out.contains("COFFER_STRIPE_SECRET_KEY = <set>"), "{out}");
    for secret in [
        "verysecret",
        "alsosecret",
        "hunter2",
        crate::helpers::TEST_SECRET_KEY,
    ] {
        assert!(!out.contains(secret), "a secret was printed: {out}");
    }
    assert!(!out.contains("problem:"), "{out}");

    good.ok(
        &["admin", "create", "t@coffer.test"],
        Some("correct horse battery staple"),
    );
    let bad = good
        .clone()
        .set("COFFER_PUBLIC_URL", "http://funding.example.social")
        .set("COFFER_BIND", "0.0.0.0:8080")
        .set("COFFER_TRUSTED_PROXIES", "0.0.0.0/0")
        .set("COFFER_SECRET_KEY", "short");
    let (status, stdout, stderr) = bad.run(&["config", "check"], None);
    assert!(!status.success());
    let problems: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("problem:"))
        .collect();
    assert_eq!(problems.len(), 3, "{stdout}");
    assert!(problems[0].contains("unencrypted"), "{stdout}");
    assert!(problems[1].contains("COFFER_SECRET_KEY"), "{stdout}");
    assert!(problems[2].contains("trusts every address"), "{stdout}");
    assert_eq!(stderr.trim(), "coffer: the configuration has 3 problem(s)");
}

/// A folder on a small filesystem of its own (tmpfs), unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then_some(Self { dir })
    }

    /// Writes a file until the disk is full.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.dir.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        let small = [0u8; 512];
        while file.write_all(&small).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: the test's server may still hold the database open until its runtime ends.
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

async fn post_donation(app: &TestApp, donor: i64) -> (StatusCode, Option<String>, Value, Duration) {
    let started = Instant::now();
    let response = app
        .admin_post(
            "/api/v1/admin/donations",
            &json!({"donor_id": donor, "amount": "5.00", "source": "bank"}),
        )
        .await;
    let elapsed = started.elapsed();
    let status = response.status();
    let retry = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, retry, body, elapsed)
}

#[actix_web::test]
async fn a_full_disk_answers_503_with_retry_after_and_loses_nothing() {
    let Some(disk) = SmallDisk::mount(6) else {
        assert!(
            std::env::var("CI").is_err(),
            "CI runs as root and must be able to mount a tmpfs for this test"
        );
        eprintln!("\n!!! SKIPPED the full-disk test: cannot mount a tmpfs here. !!!\n");
        return;
    };
    let url = format!(
        "sqlite://{}",
        disk.dir.path().join("coffer.sqlite3").display()
    );
    let settings = test_settings_with(&url, &[]);
    let holder = TestDb::Sqlite(tempfile::tempdir().expect("dir"));
    let app = spawn_app_with_settings(Backend::Sqlite, holder, url, settings)
        .await
        .expect("app");
    let donor = donor(&app).await;
    let mut acknowledged = 0;
    for _ in 0..3 {
        let (status, ..) = post_donation(&app, donor).await;
        assert_eq!(status, StatusCode::CREATED);
        acknowledged += 1;
    }
    app.settled().await;
    let filler = disk.fill();

    // Writes fail as the disk fills (the first may still find room in SQLite's log): each
    // answers 503 with Retry-After at once, never 500.
    let mut refused = 0;
    for _ in 0..200 {
        let (status, retry, body, elapsed) = post_donation(&app, donor).await;
        assert!(elapsed < Duration::from_secs(3), "answered in {elapsed:?}");
        match status {
            StatusCode::CREATED => acknowledged += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                eprintln!(
                    "full disk: 503 in {:.1} ms, Retry-After {retry:?}",
                    elapsed.as_secs_f64() * 1000.0
                );
                assert!(retry.is_some(), "503 without Retry-After");
                assert_eq!(body["error"]["code"], "unavailable", "{body}");
                assert!(
                    body["error"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("disk is full")),
                    "{body}"
                );
                refused += 1;
                if refused == 3 {
                    break;
                }
            }
            other => panic!("a full disk answered {other}: {body}"),
        }
    }
    assert_eq!(refused, 3, "the full disk never refused a write");
    // The wall keeps serving what it last published; /healthz says what is wrong.
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    assert_eq!(app.get("/api/v1/summary").await.status(), StatusCode::OK);
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health: Value = health.json().await.expect("JSON");
    assert!(
        health["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("disk is full")),
        "{health}"
    );

    // Room again: writing resumes, and every acknowledged donation is there.
    std::fs::remove_file(filler).expect("free the disk");
    let (status, ..) = post_donation(&app, donor).await;
    assert_eq!(status, StatusCode::CREATED);
    acknowledged += 1;
    assert_eq!(app.count("ledger_entries"), acknowledged);
    drop(app);
}

/// A TCP relay between Coffer and PostgreSQL that the test can cut, as a network or a stopped
/// server would. It runs on threads of its own: Coffer connects to it from blocking code that
/// may run on the test's own runtime thread.
struct Relay {
    port: u16,
    stop: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<std::net::TcpStream>>>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    fn start(port: u16) -> Self {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind the relay");
        let stop = Arc::new(AtomicBool::new(false));
        let streams: Arc<Mutex<Vec<std::net::TcpStream>>> = Arc::default();
        let (stopping, kept) = (stop.clone(), streams.clone());
        let accept = std::thread::spawn(move || {
            for inbound in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(inbound) = inbound else { continue };
                let Ok(outbound) = std::net::TcpStream::connect(("127.0.0.1", 5432)) else {
                    continue;
                };
                let pipe = |mut from: std::net::TcpStream, mut to: std::net::TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    })
                };
                let (Ok(a), Ok(b)) = (inbound.try_clone(), outbound.try_clone()) else {
                    continue;
                };
                kept.lock().expect("lock").extend([a, b]);
                let (Ok(in2), Ok(out2)) = (inbound.try_clone(), outbound.try_clone()) else {
                    continue;
                };
                pipe(inbound, outbound);
                pipe(out2, in2);
            }
        });
        Self {
            port,
            stop,
            streams,
            accept: Some(accept),
        }
    }

    /// Stops listening and drops every relayed connection.
    fn cut(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for stream in self.streams.lock().expect("lock").drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        // Wakes the accept loop so that it sees the stop and closes the listener.
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cut();
    }
}

#[actix_web::test]
async fn a_database_that_cannot_be_reached_answers_503_within_two_seconds() {
    let Some((test_db, direct_url)) = TestDb::create(Backend::Postgres) else {
        return;
    };
    let port = free_port();
    let mut relay = Relay::start(port);
    let mut url = url::Url::parse(&direct_url).expect("url");
    url.set_port(Some(relay.port)).expect("port");
    let url = url.to_string();
    let settings = test_settings_with(&url, &[]);
    let app = spawn_app_with_settings(Backend::Postgres, test_db, url, settings)
        .await
        .expect("app");
    let donor = donor(&app).await;
    let (status, ..) = post_donation(&app, donor).await;
    assert_eq!(status, StatusCode::CREATED);
    app.settled().await;

    relay.cut();
    for _ in 0..3 {
        let (status, retry, body, elapsed) = post_donation(&app, donor).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        eprintln!(
            "database unreachable: 503 in {:.0} ms, Retry-After {retry:?}",
            elapsed.as_secs_f64() * 1000.0
        );
        assert!(retry.is_some());
        assert_eq!(body["error"]["code"], "unavailable");
        assert!(
            elapsed < Duration::from_millis(2_800),
            "the answer took {elapsed:?}"
        );
    }
    // Public pages are served from what was last published.
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    assert_eq!(app.get("/api/v1/sponsors").await.status(), StatusCode::OK);
    let started = Instant::now();
    let health = app.get("/healthz").await;
    assert!(started.elapsed() < Duration::from_millis(2_800));
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health: Value = health.json().await.expect("JSON");
    assert!(
        health["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cannot be reached")),
        "{health}"
    );

    // The database is back: so are the writes, and nothing acknowledged was lost.
    let _relay = Relay::start(port);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, ..) = post_donation(&app, donor).await;
        if status == StatusCode::CREATED {
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(Instant::now() < deadline, "writes did not come back");
    }
    assert_eq!(app.count("ledger_entries"), 2);
}

async fn sigterm_during_a_stream_of_donations(backend: Backend) {
    let Some((_db, database_url)) = TestDb::create(backend) else {
        return;
    };
    let smtp_port = free_port();
    let mailbox = start_smtp(smtp_port);
    let work = tempfile::tempdir().expect("work dir");
    let env = Env::new(work.path(), &database_url).set("COFFER_SMTP_URL", &smtp_url(smtp_port));
    env.ok(&["migrate"], None);
    let token = env
        .ok(&["token", "create", "stream"], None)
        .trim()
        .to_owned();
    let port = free_port();
    let server = env.serve(port).await;
    let base = server.url("");
    let client = reqwest::Client::new();
    let donor: Value = client
        .post(format!("{base}/api/v1/admin/donors"))
        .bearer_auth(&token)
        .json(&json!({"public_name": "Ada", "email": "ada@mail.example"}))
        .send()
        .await
        .expect("donor")
        .json()
        .await
        .expect("JSON");
    let donor = donor["id"].as_i64().expect("id");
    let stream = DonationStream::start(base.clone(), token.clone(), donor, 4);
    stream.until(15).await;
    let status = server.terminate().await;
    assert!(status.success(), "coffer exited with {status}");
    let acknowledged = stream.finish().await;

    // Every acknowledged donation is stored.
    let url = DatabaseUrl::parse(&database_url).expect("url");
    let mut conn = db::connect(&url).expect("connect");
    let stored = donation_ids(&mut conn);
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");

    // After a restart, every receipt goes out, each exactly once.
    let receipts =
        usize::try_from(scalar(&mut conn, "SELECT COUNT(*) AS n FROM receipts")).expect("count");
    assert_eq!(receipts, stored.len());
    let _again = env.serve(port).await;
    let messages = mailbox.wait_for(receipts, Duration::from_secs(60)).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while scalar(
        &mut conn,
        "SELECT COUNT(*) AS n FROM outbox WHERE status <> 'sent'",
    ) > 0
    {
        assert!(Instant::now() < deadline, "the outbox did not drain");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let messages = if mailbox.len() > messages.len() {
        mailbox.messages()
    } else {
        messages
    };
    let mut numbers = crate::receipts::numbers_in(&messages);
    numbers.sort();
    let before = numbers.len();
    numbers.dedup();
    assert_eq!(before, numbers.len(), "a receipt was sent twice");
    assert_eq!(numbers.len(), receipts, "every receipt, once");
}

#[actix_web::test]
async fn sigterm_during_a_stream_of_donations_keeps_every_acknowledged_one_sqlite() {
    sigterm_during_a_stream_of_donations(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sigterm_during_a_stream_of_donations_keeps_every_acknowledged_one_postgres() {
    sigterm_during_a_stream_of_donations(Backend::Postgres).await;
}
