//! Test harness: a fresh database per test (a SQLite file, or a new PostgreSQL database that is
//! dropped afterwards) and the real server on a random port.

use std::collections::HashMap;

use coffer::config::Settings;
use coffer::db::{self, DbConn, Pool};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use reqwest::{Response, StatusCode};
use serde_json::Value;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per backend from one body: `backend_test!(name, |app| async move { … })`.
#[macro_export]
macro_rules! backend_test {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                $body.await;
            }

            #[actix_web::test]
            async fn postgres() {
                let Some($app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await
                else {
                    return;
                };
                $body.await;
            }
        }
    };
}

/// A database made for one test, removed when the test ends.
pub enum TestDb {
    /// The folder holding the SQLite file; removed on drop.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl TestDb {
    /// A fresh database, or `None` (after saying so loudly) when PostgreSQL is not reachable.
    pub fn create(backend: Backend) -> Option<(TestDb, String)> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("coffer.sqlite3").display());
                Some((TestDb::Sqlite(dir), url))
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url()?;
                let name = format!("coffer_test_{}", random_suffix());
                let mut conn = match diesel::PgConnection::establish(&admin_url) {
                    Ok(conn) => conn,
                    Err(err) => {
                        skip_postgres(&format!("cannot connect to {admin_url}: {err}"));
                        return None;
                    }
                };
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create test database");
                let mut url =
                    url::Url::parse(&admin_url).expect("COFFER_TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                Some((TestDb::Postgres { admin_url, name }, url.to_string()))
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

fn random_suffix() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("{n:016x}")
}

fn postgres_required() -> bool {
    std::env::var("COFFER_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

fn skip_postgres(why: &str) {
    if postgres_required() {
        panic!("COFFER_REQUIRE_POSTGRES=1 but PostgreSQL is not available: {why}");
    }
    eprintln!(
        "\n!!! SKIPPED PostgreSQL test: {why}. Set COFFER_TEST_DATABASE_URL to run it. !!!\n"
    );
}

fn postgres_admin_url() -> Option<String> {
    match std::env::var("COFFER_TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            skip_postgres("COFFER_TEST_DATABASE_URL is not set");
            None
        }
    }
}

/// The console's secret key in tests (32 bytes or more, as the console requires).
pub const TEST_SECRET_KEY: &str = "test-secret-key-0123456789abcdef0123456789";

/// Settings for a test: the given database, port 0, EUR.
pub fn test_settings(database_url: &str) -> Settings {
    test_settings_with(database_url, &[])
}

/// Test settings with some variables set otherwise (or removed, with an empty value).
pub fn test_settings_with(database_url: &str, overrides: &[(&str, &str)]) -> Settings {
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("COFFER_DATABASE_URL", database_url.to_owned()),
        ("COFFER_BIND", "127.0.0.1:0".to_owned()),
        ("COFFER_PUBLIC_URL", "https://coffer.test".to_owned()),
        ("COFFER_INSTANCE_NAME", "Example Social".to_owned()),
        (
            "COFFER_MAIL_FROM",
            "Example Social <treasurer@coffer.test>".to_owned(),
        ),
        ("COFFER_SECRET_KEY", TEST_SECRET_KEY.to_owned()),
    ]);
    for (name, value) in overrides {
        vars.insert(name, (*value).to_owned());
    }
    Settings::from_lookup(|k| vars.get(k).cloned()).expect("test settings")
}

/// The mail worker's pace in tests: retries within milliseconds, `.eml` files in `files_dir`.
pub fn test_mail_options(files_dir: &std::path::Path) -> coffer::mail::MailerOptions {
    use std::time::Duration;
    coffer::mail::MailerOptions {
        poll_interval: Duration::from_millis(100),
        lease: Duration::from_secs(30),
        retry_base: Duration::from_millis(50),
        retry_max: Duration::from_millis(400),
        flag_after: Duration::from_secs(3 * 24 * 3600),
        files_dir: files_dir.to_owned(),
    }
}

/// A running app with a fresh database and an API token.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub token: String,
    pub pool: Pool,
    pub database_url: String,
    pub state: coffer::web::AppState,
    pub settings: Settings,
    pub backend: Backend,
    /// Where the mail worker writes `.eml` files when no SMTP server is configured.
    pub mail_dir: tempfile::TempDir,
    _db: TestDb,
}

/// Starts the app on a random port against a fresh database of the given backend.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[]).await
}

/// Like [`spawn_app`], with some settings changed.
pub async fn spawn_app_with(backend: Backend, overrides: &[(&str, &str)]) -> Option<TestApp> {
    let (test_db, database_url) = TestDb::create(backend)?;
    let settings = test_settings_with(&database_url, overrides);
    spawn_app_with_settings(backend, test_db, database_url, settings).await
}

/// Like [`spawn_app`], sending mail to `smtp_url` when given.
pub async fn spawn_app_with_smtp(backend: Backend, smtp_url: Option<&str>) -> Option<TestApp> {
    match smtp_url {
        Some(url) => spawn_app_with(backend, &[("COFFER_SMTP_URL", url)]).await,
        None => spawn_app(backend).await,
    }
}

pub async fn spawn_app_with_settings(
    backend: Backend,
    test_db: TestDb,
    database_url: String,
    settings: Settings,
) -> Option<TestApp> {
    let pool = coffer::startup::prepare_database(&settings).expect("migrate test database");
    let token = {
        let mut conn = pool.get().expect("connection");
        coffer::ledger::tokens::create(&mut conn, "tests").expect("token")
    };
    let mail_dir = tempfile::tempdir().expect("mail dir");
    let app = coffer::startup::Application::build_with_mail(
        settings.clone(),
        pool.clone(),
        test_mail_options(mail_dir.path()),
    )
    .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    actix_web::rt::spawn(app.run_until_stopped());
    Some(TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        token,
        pool,
        database_url,
        state,
        settings,
        backend,
        mail_dir,
        _db: test_db,
    })
}

impl TestApp {
    /// Waits (with a deadline, never a fixed sleep) until the public pages show every write
    /// made so far: the wall is rebuilt in the background after each write.
    pub async fn settled(&self) {
        let caught_up = self
            .state
            .publications
            .caught_up(
                self.state.writes.notice(),
                std::time::Duration::from_secs(10),
            )
            .await;
        assert!(caught_up, "the wall did not catch up with the writes");
    }

    /// Like [`TestApp::settled`], for writes another process made (the CLI): waits until the
    /// public pages show the database's latest audit record.
    pub async fn settled_with_others(&self) {
        let version = coffer::db::audit::latest_id(&mut self.conn()).expect("audit version");
        let shown = self
            .state
            .publications
            .shows_version(version, std::time::Duration::from_secs(10))
            .await;
        assert!(shown, "the wall did not pick up audit record {version}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A public GET, once the wall shows every write made so far.
    pub async fn get(&self, path: &str) -> Response {
        self.settled().await;
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("JSON")
    }

    /// A public GET's body as text, once the wall shows every write made so far.
    pub async fn get_text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.expect("body")
    }

    pub async fn get_html(&self, path: &str) -> scraper::Html {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        scraper::Html::parse_document(&response.text().await.expect("body"))
    }

    pub async fn admin_get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn admin_get_json(&self, path: &str) -> Value {
        let response = self.admin_get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("JSON")
    }

    pub async fn admin_post(&self, path: &str, body: &Value) -> Response {
        self.admin_send(reqwest::Method::POST, path, body, None)
            .await
    }

    pub async fn admin_send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
            .json(body);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.expect("request")
    }

    /// POSTs and expects `201 Created`, returning the body.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let response = self.admin_post(path, &body).await;
        let status = response.status();
        let json: Value = response.json().await.expect("JSON");
        assert_eq!(status, StatusCode::CREATED, "POST {path} {body} -> {json}");
        json
    }

    pub async fn create_id(&self, path: &str, body: Value) -> i64 {
        self.create(path, body).await["id"].as_i64().expect("id")
    }

    /// Rows in a table, read straight from the database.
    pub fn count(&self, table: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = self.pool.get().expect("connection");
        diesel::sql_query(format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"))
            .get_result::<Count>(&mut *conn as &mut DbConn)
            .expect("count")
            .n
    }

    /// Row counts of every table, to prove a refused request wrote nothing.
    pub fn row_counts(&self) -> Vec<(String, i64)> {
        [
            "tiers",
            "donors",
            "pledges",
            "ledger_entries",
            "api_tokens",
            "idempotency_keys",
            "audit_log",
            "settings",
            "logos",
        ]
        .into_iter()
        .map(|t| (t.to_owned(), self.count(t)))
        .collect()
    }

    pub fn conn(&self) -> db::PooledConn {
        self.pool.get().expect("connection")
    }

    /// Seeds the 40-donor demo data set; panics if the database was not empty.
    pub fn seed_demo(&self) -> coffer::demo::DemoSummary {
        let mut conn = self.conn();
        let summary = db::write_transaction(&mut conn, |conn| {
            coffer::demo::seed_if_empty(conn, coffer::domain::Currency::EUR, 40, db::now())
        })
        .expect("demo data")
        .expect("an empty database is seeded");
        // Seeding bypasses the write unit; tell the publisher as a write would.
        self.state.writes.notice().changed();
        summary
    }

    /// Creates the three standard tiers and returns their ids (platinum, gold, rosegold).
    pub async fn standard_tiers(&self) -> (i64, i64, i64) {
        let platinum = self
            .create_id(
                "/api/v1/admin/tiers",
                serde_json::json!({"slug": "platinum", "name": "Platinum", "monthly_minimum": "100.00",
                    "currency": "EUR", "perks": ["name", "logo", "link", "handle"], "position": 0}),
            )
            .await;
        let gold = self
            .create_id(
                "/api/v1/admin/tiers",
                serde_json::json!({"slug": "gold", "name": "Gold", "monthly_minimum": "25.00",
                    "currency": "EUR", "perks": ["name", "link"], "position": 1}),
            )
            .await;
        let rosegold = self
            .create_id(
                "/api/v1/admin/tiers",
                serde_json::json!({"slug": "rosegold", "name": "Rosegold", "monthly_minimum": "5.00",
                    "currency": "EUR", "perks": ["name"], "position": 2}),
            )
            .await;
        (platinum, gold, rosegold)
    }

    /// A donor who consents to everything.
    pub async fn open_donor(&self, name: &str) -> i64 {
        self.create_id(
            "/api/v1/admin/donors",
            serde_json::json!({
                "public_name": name, "email": "donor@mail.example", "legal_name": "Legal Name",
                "website": "https://donor.example/", "fediverse_handle": "@donor@social.example",
                "consent": {"name": true, "logo": true, "link": true, "handle": true, "amount": true}
            }),
        )
        .await
    }

    pub async fn monthly_pledge(&self, donor_id: i64, amount: &str) -> i64 {
        self.create_id(
            "/api/v1/admin/pledges",
            serde_json::json!({"donor_id": donor_id, "amount": amount, "currency": "EUR", "interval": "month"}),
        )
        .await
    }
}

/// Asserts the response is a JSON error with this status and code, and returns its message.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["error"]["code"], code, "{body}");
    body["error"]["message"]
        .as_str()
        .expect("message")
        .to_owned()
}

/// The CSRF token a page's forms carry (`<input name="csrf">`).
pub fn csrf_of(html: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("input[name=csrf]").expect("selector");
    document
        .select(&selector)
        .next()
        .and_then(|input| input.value().attr("value"))
        .expect("a CSRF field")
        .to_owned()
}
