//! The console over HTTP, on both backends: signing in and out, sessions that expire and end,
//! the rate limit, CSRF, roles, and forms that write through the write unit.

use std::time::{Duration, Instant};

use coffer::db::DbConn;
use coffer::domain::Role;
use diesel::prelude::*;
use reqwest::{header, Response, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app_with, Backend, TestApp};

/// `backend_test!` for the console: the app is served as plain http (so the cookie jar sends
/// its cookie to 127.0.0.1), each test on fresh SQLite and PostgreSQL.
macro_rules! console_test {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let $app = console_app(Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                $body.await;
            }

            #[actix_web::test]
            async fn postgres() {
                let Some($app) = console_app(Backend::Postgres).await else {
                    return;
                };
                $body.await;
            }
        }
    };
}

async fn console_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[("COFFER_PUBLIC_URL", "http://coffer.test")]).await
}

const TREASURER: &str = "treasurer@coffer.test";
const VIEWER: &str = "viewer@coffer.test";
const PASSWORD: &str = "correct horse battery staple";

/// Creates an account straight in the database and returns its id.
fn account(app: &TestApp, email: &str, role: Role) -> i64 {
    let hash = coffer::ledger::admins::hash_password(PASSWORD).expect("hash");
    let mut conn = app.conn();
    coffer::ledger::admins::create(&mut conn, email, role, &hash)
        .expect("account")
        .id
}

/// A browser: a cookie jar, no redirects followed.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The sign-in form's cookie (`name=value`) and the token its hidden field carries.
async fn login_form(app: &TestApp, client: &reqwest::Client) -> (String, String) {
    let response = client
        .get(app.url("/admin/login"))
        .send()
        .await
        .expect("sign-in form");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = crate::helpers::csrf_of(&response.text().await.unwrap());
    (cookie, csrf)
}

async fn post_login(
    app: &TestApp,
    client: &reqwest::Client,
    (cookie, csrf): &(String, String),
    email: &str,
    password: &str,
) -> Response {
    client
        .post(app.url("/admin/login"))
        .header(header::COOKIE, cookie)
        .form(&[("email", email), ("password", password), ("csrf", csrf)])
        .send()
        .await
        .expect("sign in")
}

async fn sign_in(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> Response {
    let form = login_form(app, client).await;
    post_login(app, client, &form, email, password).await
}

/// A signed-in browser.
async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = browser();
    let response = sign_in(app, &client, email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin");
    client
}

fn location(response: &Response) -> String {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> Response {
    client.get(app.url(path)).send().await.expect("GET")
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = get(app, client, path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.text().await.expect("body")
}

async fn dashboard_csrf(app: &TestApp, client: &reqwest::Client) -> String {
    crate::helpers::csrf_of(&page(app, client, "/admin").await)
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> Response {
    client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .expect("POST")
}

console_test!(
    a_treasurer_signs_in_sees_the_dashboard_and_signs_out,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let client = browser();
        let anonymous = get(&app, &client, "/admin").await;
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&anonymous), "/admin/login");
        let form = get(&app, &client, "/admin/login").await;
        assert_eq!(form.status(), StatusCode::OK);
        assert_eq!(form.headers()[header::CACHE_CONTROL], "no-store");

        // The sign-in form has a CSRF token of its own, before any session exists.
        let without = client
            .post(app.url("/admin/login"))
            .form(&[("email", TREASURER), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(without.status(), StatusCode::FORBIDDEN);
        let (_, forged) = login_form(&app, &browser()).await;
        let (cookie, _) = login_form(&app, &client).await;
        let mismatched = post_login(&app, &client, &(cookie, forged), TREASURER, PASSWORD).await;
        assert_eq!(mismatched.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.count("admin_sessions"), 0);

        let response = sign_in(&app, &client, "Treasurer@Coffer.test", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("coffer_session="))
            .expect("a session cookie");
        assert!(cookie.starts_with("coffer_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        let token = cookie
            .trim_start_matches("coffer_session=")
            .split(';')
            .next()
            .unwrap()
            .to_owned();

        let dashboard = get(&app, &client, "/admin").await;
        assert_eq!(dashboard.status(), StatusCode::OK);
        let headers = dashboard.headers().clone();
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert!(headers.contains_key("content-security-policy"));
        assert_eq!(headers["x-frame-options"], "DENY");
        let html = dashboard.text().await.unwrap();
        assert!(html.contains(TREASURER), "{html}");
        assert!(html.contains(coffer::domain::INDEPENDENCE_STATEMENT));
        assert!(html.contains("<svg"), "the chart is inline SVG");

        let csrf = crate::helpers::csrf_of(&html);
        let out = post(&app, &client, "/admin/logout", &[("csrf", &csrf)]).await;
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&out), "/admin/login");
        assert_eq!(
            get(&app, &client, "/admin").await.status(),
            StatusCode::SEE_OTHER
        );
        // The old cookie, replayed by hand, opens nothing: the session is gone from the server.
        let replay = app
            .client
            .get(app.url("/admin"))
            .header(header::COOKIE, format!("coffer_session={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("admin_sessions"), 0);
    }
);

crate::backend_test!(
    over_https_the_cookie_is_secure_and_host_bound,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let form = login_form(&app, &app.client).await;
        assert!(form.0.starts_with("__Host-coffer_sign_in="), "{}", form.0);
        let response = post_login(&app, &app.client, &form, TREASURER, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|c| c.starts_with("__Host-coffer_session="))
            .expect("a session cookie");
        assert!(cookie.starts_with("__Host-coffer_session="), "{cookie}");
        for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attribute), "{attribute} in {cookie}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
        // Behind https every answer asks the browser to stay on https.
        for path in ["/", "/admin/login", "/api/v1/summary"] {
            let response = app.get(path).await;
            assert_eq!(
                response.headers()[header::STRICT_TRANSPORT_SECURITY],
                "max-age=31536000; includeSubDomains",
                "{path}"
            );
        }
        let plain = console_app(crate::helpers::Backend::Sqlite).await.unwrap();
        let response = plain.get("/").await;
        assert!(!response
            .headers()
            .contains_key(header::STRICT_TRANSPORT_SECURITY));
    }
);

console_test!(
    a_wrong_password_and_an_unknown_email_are_refused_alike_and_as_slowly,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let mut known = Duration::MAX;
        let mut unknown = Duration::MAX;
        let mut bodies = Vec::new();
        for _ in 0..2 {
            // A fresh client each time: nothing about one try carries over to the next.
            let client = browser();
            let form = login_form(&app, &client).await;
            let started = Instant::now();
            let response =
                post_login(&app, &client, &form, TREASURER, "not the password at all").await;
            known = known.min(started.elapsed());
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            assert!(!response.headers().contains_key(header::SET_COOKIE));
            bodies.push(response.text().await.unwrap());

            let started = Instant::now();
            let response = sign_in(
                &app,
                &browser(),
                "nobody@coffer.test",
                "not the password at all",
            )
            .await;
            unknown = unknown.min(started.elapsed());
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            bodies.push(response.text().await.unwrap());
        }
        assert!(bodies
            .iter()
            .all(|b| b.contains("Wrong email or password.")));
        let (fast, slow) = (known.min(unknown), known.max(unknown));
        assert!(
            slow < fast * 4,
            "known {known:?} vs unknown {unknown:?}: not the same order of magnitude"
        );
        assert_eq!(app.count("admin_sessions"), 0);
    }
);

console_test!(
    the_sixth_sign_in_in_a_minute_waits_with_retry_after,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let client = browser();
        for _ in 0..5 {
            let response = sign_in(&app, &client, TREASURER, "wrong wrong wrong").await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        // Even the right password waits now.
        let response = sign_in(&app, &client, TREASURER, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = response.headers()[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .expect("seconds");
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(app.count("admin_sessions"), 0);
    }
);

/// Everything in the database that a write could change, console tables included.
fn counts(app: &TestApp) -> Vec<(String, i64)> {
    let mut counts = app.row_counts();
    counts.push(("admins".to_owned(), app.count("admins")));
    counts
}

console_test!(
    a_post_without_the_session_csrf_token_is_refused_and_writes_nothing,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let donor = app.open_donor("Ada").await;
        let client = signed_in(&app, TREASURER).await;
        let donor = donor.to_string();
        // Another session, whose token is no good in this one.
        let other = signed_in(&app, TREASURER).await;
        let foreign = dashboard_csrf(&app, &other).await;
        let before = counts(&app);
        for csrf in [None, Some(""), Some("0".repeat(64).as_str())] {
            let mut fields = vec![("donor_id", donor.as_str()), ("amount", "10.00")];
            if let Some(csrf) = csrf {
                fields.push(("csrf", csrf));
            }
            let response = post(&app, &client, "/admin/ledger/donation", &fields).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{csrf:?}");
        }
        let response = post(
            &app,
            &client,
            "/admin/ledger/donation",
            &[
                ("donor_id", &donor),
                ("amount", "10.00"),
                ("csrf", &foreign),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(counts(&app), before);
        // The session's own token works.
        let own = dashboard_csrf(&app, &client).await;
        let response = post(
            &app,
            &client,
            "/admin/ledger/donation",
            &[("donor_id", &donor), ("amount", "10.00"), ("csrf", &own)],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("ledger_entries"), 1);
    }
);

fn age_sessions(app: &TestApp, column: &str, by: chrono::Duration) {
    let at = coffer::db::now() - by;
    let mut pooled = app.conn();
    let conn: &mut DbConn = &mut pooled;
    let sql = match conn {
        DbConn::Sqlite(_) => format!("UPDATE admin_sessions SET {column} = ?"),
        DbConn::Postgres(_) => format!("UPDATE admin_sessions SET {column} = $1"),
    };
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::Timestamp, _>(at)
        .execute(conn)
        .expect("age sessions");
}

console_test!(
    a_session_ends_after_thirty_idle_minutes_or_twelve_hours,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let client = signed_in(&app, TREASURER).await;
        // Busy a minute ago: still signed in (and marked as seen).
        age_sessions(&app, "last_seen_at", chrono::Duration::minutes(29));
        assert_eq!(get(&app, &client, "/admin").await.status(), StatusCode::OK);
        age_sessions(&app, "last_seen_at", chrono::Duration::minutes(31));
        let idle = get(&app, &client, "/admin").await;
        assert_eq!(idle.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&idle), "/admin/login");
        assert_eq!(app.count("admin_sessions"), 0);

        let client = signed_in(&app, TREASURER).await;
        age_sessions(&app, "created_at", chrono::Duration::hours(13));
        assert_eq!(
            get(&app, &client, "/admin").await.status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(app.count("admin_sessions"), 0);
    }
);

console_test!(
    disabling_an_account_ends_its_sessions_at_once,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let client = signed_in(&app, TREASURER).await;
        assert_eq!(get(&app, &client, "/admin").await.status(), StatusCode::OK);
        {
            let mut conn = app.conn();
            coffer::ledger::admins::disable(&mut conn, TREASURER).expect("disable");
        }
        assert_eq!(
            get(&app, &client, "/admin").await.status(),
            StatusCode::SEE_OTHER
        );
        let again = sign_in(&app, &browser(), TREASURER, PASSWORD).await;
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    }
);

/// Fields that would make each write route succeed for a treasurer.
fn plausible_fields(path: &str, ids: &Ids) -> Vec<(&'static str, String)> {
    match path {
        "/admin/donors/new" => vec![("public_name", "Eve".into())],
        "/admin/donors/{id}/edit" => vec![("public_name", "Renamed".into())],
        "/admin/donors/{id}/pin" => {
            vec![("tier_id", ids.tier.to_string()), ("reason", "why".into())]
        }
        "/admin/donors/{id}/erase" => vec![("confirm", "ERASE".into())],
        "/admin/pledges/new" => vec![
            ("donor_id", ids.donor.to_string()),
            ("amount", "5.00".into()),
            ("interval", "month".into()),
        ],
        "/admin/pledges/{id}/status" => vec![("status", "paused".into())],
        "/admin/ledger/donation" => vec![
            ("donor_id", ids.donor.to_string()),
            ("amount", "5.00".into()),
        ],
        "/admin/ledger/refund" => vec![("entry_id", ids.entry.to_string())],
        "/admin/ledger/expense" => vec![("amount", "5.00".into()), ("category", "hosting".into())],
        "/admin/ledger/correction" => {
            vec![
                ("entry_id", ids.other_entry.to_string()),
                ("memo", "typo".into()),
            ]
        }
        "/admin/tiers/new" => vec![
            ("slug", "bronze".into()),
            ("name", "Bronze".into()),
            ("monthly_minimum", "1.00".into()),
        ],
        "/admin/tiers/{id}/edit" => vec![
            ("slug", "gold".into()),
            ("name", "Golden".into()),
            ("monthly_minimum", "25.00".into()),
        ],
        "/admin/tiers/{id}/archive" => vec![],
        "/admin/tiers/{id}/move" => vec![("direction", "up".into())],
        "/admin/tokens" => vec![("name", "script".into())],
        "/admin/tokens/{id}/revoke" => vec![],
        "/admin/receipts/annual" => vec![("year", "2026".into())],
        "/admin/pledges/pending/{id}/confirm" | "/admin/pledges/pending/{id}/dismiss" => vec![],
        "/admin/donors/{id}/logo" => vec![],
        "/admin/donors/{id}/logo/remove" => vec![],
        "/admin/settings" => vec![
            ("instance_name", "Renamed Social".into()),
            ("monthly_goal", "300.00".into()),
            ("bank_instructions", String::new()),
        ],
        "/admin/public" => vec![
            ("opening_balance", "1200.00 EUR".into()),
            ("mastodon_campaign", "on".into()),
        ],
        other => panic!("no plausible fields for {other}: add them here"),
    }
}

/// A small PNG, as a treasurer's file picker would send it.
pub(crate) fn png_logo(width: u32, height: u32) -> Vec<u8> {
    let img = image::ImageBuffer::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 13 % 256) as u8, 200])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

/// Posts a file with the form's fields as `multipart/form-data`, as a browser does.
pub(crate) async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    bytes: Vec<u8>,
) -> Response {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
    form = form.part("file", part);
    client
        .post(app.url(path))
        .multipart(form)
        .send()
        .await
        .expect("POST")
}

/// A write route's post: the logo upload sends a file, every other form its fields.
async fn post_to_route(
    app: &TestApp,
    client: &reqwest::Client,
    route: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> Response {
    if route.ends_with("/logo") {
        upload(app, client, path, fields, "logo.png", png_logo(32, 32)).await
    } else {
        post(app, client, path, fields).await
    }
}

struct Ids {
    donor: i64,
    tier: i64,
    pledge: i64,
    entry: i64,
    /// A second donation, for the correction (the refund takes all of the first).
    other_entry: i64,
    /// A donor to erase.
    erasable: i64,
    token: i64,
    /// Bank pledges promised on the donation page: one to confirm, one to dismiss.
    bank_to_confirm: i64,
    bank_to_dismiss: i64,
}

impl Ids {
    fn path(&self, route: &str) -> String {
        let id = if route.ends_with("/pending/{id}/confirm") {
            self.bank_to_confirm
        } else if route.ends_with("/pending/{id}/dismiss") {
            self.bank_to_dismiss
        } else if route.ends_with("/erase") {
            self.erasable
        } else if route.starts_with("/admin/donors") {
            self.donor
        } else if route.starts_with("/admin/tiers") {
            self.tier
        } else if route.starts_with("/admin/pledges") {
            self.pledge
        } else if route.starts_with("/admin/tokens") {
            self.token
        } else {
            self.entry
        };
        route.replace("{id}", &id.to_string())
    }
}

async fn seed_ids(app: &TestApp) -> Ids {
    let (_, gold, _) = app.standard_tiers().await;
    let donor = app.open_donor("Ada").await;
    let pledge = app.monthly_pledge(donor, "10.00").await;
    let entry = app
        .create_id(
            "/api/v1/admin/donations",
            json!({"donor_id": donor, "amount": "20.00"}),
        )
        .await;
    let other_entry = app
        .create_id(
            "/api/v1/admin/donations",
            json!({"donor_id": donor, "amount": "7.00"}),
        )
        .await;
    let erasable = app.open_donor("Forget Me").await;
    let bank = |email: &str| {
        let mut conn = app.conn();
        coffer::ledger::payments::create_intent(
            &mut conn,
            coffer::ledger::payments::IntentDraft {
                channel: coffer::domain::Source::Bank,
                email: coffer::domain::Email::parse(email).unwrap(),
                public_name: "Bank Donor".to_owned(),
                website: None,
                fediverse_handle: None,
                consent: coffer::domain::Consent::default(),
                anonymous: false,
                locale: None,
                tier_id: None,
                amount: coffer::domain::Money::from_minor(1500, coffer::domain::Currency::EUR)
                    .unwrap(),
                frequency: coffer::ledger::payments::Frequency::Once,
            },
        )
        .unwrap()
        .id
    };
    let (bank_to_confirm, bank_to_dismiss) =
        (bank("bank1@mail.example"), bank("bank2@mail.example"));
    Ids {
        bank_to_confirm,
        bank_to_dismiss,
        donor,
        tier: gold,
        pledge,
        entry,
        other_entry,
        erasable,
        token: 1,
    }
}

console_test!(
    a_viewer_reads_everything_and_is_refused_on_every_write_route,
    |app| async move {
        account(&app, VIEWER, Role::Viewer);
        account(&app, TREASURER, Role::Treasurer);
        let ids = seed_ids(&app).await;
        let viewer = signed_in(&app, VIEWER).await;
        let csrf = dashboard_csrf(&app, &viewer).await;
        for path in [
            "/admin",
            "/admin/donors",
            &format!("/admin/donors/{}", ids.donor),
            "/admin/pledges",
            "/admin/pledges/pending",
            "/admin/ledger",
            "/admin/tiers",
            "/admin/audit",
            "/admin/tokens",
            "/admin/settings",
        ] {
            let html = page(&app, &viewer, path).await;
            let document = scraper::Html::parse_document(&html);
            let forms = scraper::Selector::parse("form[method=post]").unwrap();
            let actions: Vec<&str> = document
                .select(&forms)
                .filter_map(|f| f.value().attr("action"))
                .collect();
            assert_eq!(
                actions,
                ["/admin/logout"],
                "{path} offers a viewer: {actions:?}"
            );
        }
        let before = counts(&app);
        let audit_before = app.count("audit_log");
        for route in coffer::web::admin::WRITE_ROUTES {
            let path = ids.path(route);
            let mut fields: Vec<(&str, String)> = plausible_fields(route, &ids);
            fields.push(("csrf", csrf.clone()));
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = post_to_route(&app, &viewer, route, &path, &fields).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "POST {path}");
            if !route.contains("/status")
                && !route.contains("/remove")
                && !route.contains("/move")
                && *route != "/admin/settings"
                && *route != "/admin/public"
                && !route.contains("/archive")
                && !route.contains("/revoke")
                && !route.contains("/erase")
                && !route.contains("/annual")
                && !route.contains("/pending/")
                && *route != "/admin/tokens"
            {
                let form = get(&app, &viewer, &path).await;
                assert_eq!(form.status(), StatusCode::FORBIDDEN, "GET {path}");
            }
        }
        assert_eq!(counts(&app), before);
        assert_eq!(app.count("audit_log"), audit_before);

        // The same posts from a treasurer go through: the list of routes is real.
        let treasurer = signed_in(&app, TREASURER).await;
        let csrf = dashboard_csrf(&app, &treasurer).await;
        for route in coffer::web::admin::WRITE_ROUTES {
            let path = ids.path(route);
            let mut fields: Vec<(&str, String)> = plausible_fields(route, &ids);
            fields.push(("csrf", csrf.clone()));
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = post_to_route(&app, &treasurer, route, &path, &fields).await;
            let status = response.status();
            assert!(
                status == StatusCode::SEE_OTHER || status == StatusCode::CREATED,
                "POST {path} -> {status}: {}",
                response.text().await.unwrap_or_default()
            );
        }
        // And each did what it says.
        let mut conn = app.conn();
        let pledge = coffer::ledger::pledges::find(&mut conn, ids.pledge).unwrap();
        assert_eq!(pledge.status.as_str(), "paused");
        let donor = coffer::ledger::donors::find(&mut conn, ids.donor).unwrap();
        assert_eq!(donor.public_name, "Renamed");
        assert!(
            !donor.consent.name,
            "unticked consent boxes withdraw consent"
        );
        assert_eq!(donor.pinned_tier_id, Some(ids.tier));
        assert_eq!(donor.logo_path, None, "uploaded, then removed");
        let tier = coffer::ledger::tiers::find(&mut conn, ids.tier).unwrap();
        assert_eq!(tier.name, "Golden");
        assert!(tier.archived);
        let tokens = coffer::ledger::tokens::list(&mut conn).unwrap();
        assert!(tokens
            .iter()
            .any(|t| t.name == "script" && t.revoked_at.is_none()));
        assert!(coffer::db::audit::recent(&mut conn, 1000)
            .unwrap()
            .iter()
            .any(
                |(action, subject, _)| action == "receipts.annual" && subject == "statements:2026"
            ));
        let actions: Vec<String> = coffer::db::audit::recent(&mut conn, 1000)
            .unwrap()
            .into_iter()
            .map(|(action, _, _)| action)
            .collect();
        for action in ["donor.logo", "donor.logo_remove", "settings.update"] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
        let settings = coffer::ledger::settings::load(&mut conn, &app.state.settings).unwrap();
        assert_eq!(settings.instance_name, "Renamed Social");
        assert!(tokens
            .iter()
            .any(|t| t.id == ids.token && t.revoked_at.is_some()));
        let kinds: Vec<String> = coffer::ledger::entries::list(
            &mut conn,
            None,
            None,
            coffer::ledger::entries::PageAt::Number(0),
            50,
        )
        .unwrap()
        .entries
        .iter()
        .map(|e| e.kind.as_str().to_owned())
        .collect();
        for kind in ["donation", "refund", "expense", "correction"] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
        }
        let actors: Vec<String> =
            coffer::ledger::audit::list(&mut conn, Some("admin:2"), None, None, 100)
                .unwrap()
                .into_iter()
                .map(|r| r.action)
                .collect();
        assert!(actors.contains(&"donor.pin_tier".to_owned()), "{actors:?}");
    }
);

console_test!(
    the_ledger_pages_by_cursor_and_filters_by_kind_donor_source_and_month,
    |app| async move {
        account(&app, VIEWER, Role::Viewer);
        let ada = app.open_donor("Ada").await;
        let bob = app.open_donor("Bob").await;
        for i in 0..55 {
            let donor = if i % 5 == 0 { bob } else { ada };
            app.create(
                "/api/v1/admin/donations",
                json!({"donor_id": donor, "amount": format!("{}.00", i + 1)}),
            )
            .await;
        }
        app.create(
            "/api/v1/admin/expenses",
            json!({"amount": "9.99", "category": "hosting"}),
        )
        .await;
        let client = signed_in(&app, VIEWER).await;
        let rows = |html: &str| {
            let document = scraper::Html::parse_document(html);
            let selector = scraper::Selector::parse("tbody tr").unwrap();
            document.select(&selector).count()
        };
        let first = page(&app, &client, "/admin/ledger").await;
        assert_eq!(rows(&first), 50);
        let document = scraper::Html::parse_document(&first);
        let next = document
            .select(&scraper::Selector::parse("a[rel=next]").unwrap())
            .next()
            .and_then(|a| a.value().attr("href"))
            .expect("a next page")
            .to_owned();
        assert!(next.contains("cursor="), "{next}");
        let second = page(&app, &client, &next).await;
        assert_eq!(rows(&second), 6);
        assert!(!second.contains("rel=\"next\""));

        let expenses = page(&app, &client, "/admin/ledger?kind=expense").await;
        assert_eq!(rows(&expenses), 1);
        assert!(expenses.contains("hosting"));
        let bobs = page(&app, &client, &format!("/admin/ledger?donor_id={bob}")).await;
        assert_eq!(rows(&bobs), 11);
        let bad = get(&app, &client, "/admin/ledger?kind=gift").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // By source, and by the month the money moved (a bank gift of last March).
        app.create(
            "/api/v1/admin/donations",
            json!({"donor_id": ada, "amount": "70.00", "source": "bank",
                "occurred_at": "2026-03-31T23:59:59Z"}),
        )
        .await;
        app.create(
            "/api/v1/admin/donations",
            json!({"donor_id": ada, "amount": "80.00", "source": "bank",
                "occurred_at": "2026-04-01T00:00:00Z"}),
        )
        .await;
        let bank = page(&app, &client, "/admin/ledger?source=bank").await;
        assert_eq!(rows(&bank), 2);
        let march = page(&app, &client, "/admin/ledger?month=2026-03").await;
        assert_eq!(rows(&march), 1);
        assert!(march.contains("70.00 EUR") && !march.contains("80.00 EUR"));
        let march_bank_bob = page(
            &app,
            &client,
            &format!("/admin/ledger?month=2026-03&source=bank&donor_id={bob}"),
        )
        .await;
        assert_eq!(rows(&march_bank_bob), 1, "the empty-table row only");
        assert!(!march_bank_bob.contains("70.00 EUR"));
        for bad in [
            "/admin/ledger?month=2026-13",
            "/admin/ledger?month=March",
            "/admin/ledger?source=cash",
        ] {
            let response = get(&app, &client, bad).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
    }
);

console_test!(
    a_treasurer_records_a_donation_through_the_form_and_the_wall_shows_it,
    |app| async move {
        let admin = account(&app, TREASURER, Role::Treasurer);
        app.standard_tiers().await;
        let donor = app.open_donor("Grace Hopper").await;
        app.settled().await;
        let wall = app.get("/").await.text().await.unwrap();
        assert!(!wall.contains("Grace Hopper"));

        let client = signed_in(&app, TREASURER).await;
        let form = page(&app, &client, "/admin/ledger/donation").await;
        let csrf = crate::helpers::csrf_of(&form);
        // 120.00 in a year is 10.00 a month: the rosegold tier.
        let response = post(
            &app,
            &client,
            "/admin/ledger/donation",
            &[
                ("csrf", &csrf),
                ("donor_id", &donor.to_string()),
                ("amount", "120.00"),
                ("source", "bank"),
                ("memo", "yearly gift"),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/admin/ledger");
        let ledger = page(&app, &client, "/admin/ledger").await;
        assert!(
            ledger.contains("120.00 EUR") && ledger.contains("yearly gift"),
            "{ledger}"
        );

        app.settled().await;
        let wall = app.get("/").await.text().await.unwrap();
        assert!(wall.contains("Grace Hopper"), "{wall}");
        let audit = page(
            &app,
            &client,
            &format!("/admin/audit?actor=admin:{admin}&action=donation.record"),
        )
        .await;
        assert!(
            audit.contains("donation.record") && audit.contains(TREASURER),
            "{audit}"
        );
    }
);

console_test!(
    invalid_input_is_shown_again_beside_its_field_with_the_values_kept,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let client = signed_in(&app, TREASURER).await;
        let csrf = dashboard_csrf(&app, &client).await;
        let before = counts(&app);
        let response = post(
            &app,
            &client,
            "/admin/ledger/donation",
            &[("csrf", &csrf), ("amount", "12,5x"), ("memo", "keep me")],
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        let document = scraper::Html::parse_document(&html);
        let error = scraper::Selector::parse("#e-amount").unwrap();
        assert!(document.select(&error).next().is_some(), "{html}");
        let amount = scraper::Selector::parse("#f-amount").unwrap();
        assert_eq!(
            document
                .select(&amount)
                .next()
                .unwrap()
                .value()
                .attr("value"),
            Some("12,5x")
        );
        assert!(html.contains("keep me"));
        // A refund of an entry that does not exist: refused, nothing written.
        let response = post(
            &app,
            &client,
            "/admin/ledger/refund",
            &[("csrf", &csrf), ("entry_id", "999")],
        )
        .await;
        assert!(response.status().is_client_error(), "{}", response.status());
        assert_eq!(counts(&app), before);
    }
);

console_test!(
    every_console_page_renders_without_inline_script_or_style,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let ids = seed_ids(&app).await;
        let client = signed_in(&app, TREASURER).await;
        let paths = [
            "/admin".to_owned(),
            "/admin/donors".to_owned(),
            "/admin/donors?q=ad".to_owned(),
            format!("/admin/donors/{}", ids.donor),
            "/admin/donors/new".to_owned(),
            format!("/admin/donors/{}/edit", ids.donor),
            format!("/admin/donors/{}/pin", ids.donor),
            "/admin/pledges".to_owned(),
            "/admin/pledges/new".to_owned(),
            "/admin/ledger".to_owned(),
            "/admin/ledger?kind=donation".to_owned(),
            "/admin/ledger/donation".to_owned(),
            "/admin/ledger/refund".to_owned(),
            "/admin/ledger/expense".to_owned(),
            "/admin/ledger/correction".to_owned(),
            "/admin/tiers".to_owned(),
            "/admin/tiers/new".to_owned(),
            format!("/admin/tiers/{}/edit", ids.tier),
            "/admin/audit".to_owned(),
            "/admin/tokens".to_owned(),
            "/admin/settings".to_owned(),
            format!("/admin/donors/{}/logo", ids.donor),
        ];
        for path in &paths {
            let html = page(&app, &client, path).await;
            assert!(html.starts_with("<!doctype html>"), "{path}");
            assert!(!html.contains("<script"), "{path}");
            assert!(!html.contains("style="), "{path}");
            assert!(html.contains("name=\"viewport\""), "{path}");
        }
        let search = page(&app, &client, "/admin/donors?q=ADA").await;
        assert!(search.contains("Ada"));
        let search = page(&app, &client, "/admin/donors?q=nobody").await;
        assert!(!search.contains("/admin/donors/1\""));
    }
);

console_test!(a_new_api_token_is_shown_once_and_works, |app| async move {
    account(&app, TREASURER, Role::Treasurer);
    let client = signed_in(&app, TREASURER).await;
    let csrf = dashboard_csrf(&app, &client).await;
    let response = post(
        &app,
        &client,
        "/admin/tokens",
        &[("csrf", &csrf), ("name", "books")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let html = response.text().await.unwrap();
    let document = scraper::Html::parse_document(&html);
    let secret = scraper::Selector::parse("#new-token code").unwrap();
    let token = document
        .select(&secret)
        .next()
        .expect("token shown")
        .text()
        .collect::<String>();
    assert!(token.starts_with("coffer_"));
    let again = page(&app, &client, "/admin/tokens").await;
    assert!(!again.contains(&token), "shown only once");
    let audit = page(&app, &client, "/admin/audit").await;
    assert!(!audit.contains(&token), "never in the audit log");
    let works = app
        .client
        .get(app.url("/api/v1/admin/tiers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(works.status(), StatusCode::OK);
});

#[actix_web::test]
async fn the_server_refuses_to_start_without_a_secret_key_once_accounts_exist() {
    let (_db, url) = crate::helpers::TestDb::create(Backend::Sqlite).expect("sqlite");
    let keyless = crate::helpers::test_settings_with(&url, &[("COFFER_SECRET_KEY", "")]);
    let pool = coffer::startup::prepare_database(&keyless).expect("database");
    // No accounts yet: the public wall needs no key.
    assert!(coffer::startup::Application::build_with_pool(keyless.clone(), pool.clone()).is_ok());
    {
        let hash = coffer::ledger::admins::hash_password(PASSWORD).unwrap();
        let mut conn = pool.get().unwrap();
        coffer::ledger::admins::create(&mut conn, TREASURER, Role::Treasurer, &hash).unwrap();
    }
    for key in ["", "too-short"] {
        let settings = crate::helpers::test_settings_with(&url, &[("COFFER_SECRET_KEY", key)]);
        let err = coffer::startup::Application::build_with_pool(settings, pool.clone())
            .err()
            .expect("refused")
            .to_string();
        assert!(err.contains("COFFER_SECRET_KEY"), "{err}");
    }
}

console_test!(
    the_ledger_and_donors_export_as_csv_with_stable_columns,
    |app| async move {
        account(&app, VIEWER, Role::Viewer);
        let ada = app.open_donor("Ada").await;
        let mallory = app
            .create_id(
                "/api/v1/admin/donors",
                json!({"public_name": "=HYPERLINK(\"http://evil.example\")"}),
            )
            .await;
        app.create(
            "/api/v1/admin/donations",
            json!({"donor_id": ada, "amount": "20.00", "occurred_at": "2025-06-01T12:00:00Z"}),
        )
        .await;
        let recent = app
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": ada, "amount": "30.00", "memo": "-1+1"}),
            )
            .await;
        app.create(
            "/api/v1/admin/refunds",
            json!({"entry_id": recent, "amount": "5.00"}),
        )
        .await;
        app.create(
            "/api/v1/admin/donations",
            json!({"donor_id": mallory, "amount": "1.00"}),
        )
        .await;

        // Exporting is reading: a viewer may.
        let client = signed_in(&app, VIEWER).await;
        let response = get(&app, &client, "/admin/export/ledger.csv").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/csv; charset=utf-8"
        );
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert!(response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("coffer-ledger.csv"));
        let ledger = response.text().await.unwrap();
        let lines: Vec<&str> = ledger.lines().collect();
        assert_eq!(
            lines[0],
            "id,kind,occurred_at,recorded_at,amount,currency,donor_id,pledge_id,source,external_ref,reverses,category,memo"
        );
        assert_eq!(lines.len(), 5, "{ledger}");
        assert!(ledger.contains(",-5.00,EUR,"), "{ledger}");
        assert!(
            ledger.contains("'-1+1"),
            "a memo is never a formula: {ledger}"
        );

        let year = page(&app, &client, "/admin/export/ledger.csv?year=2025").await;
        assert_eq!(year.lines().count(), 2, "{year}");
        assert!(year.contains("2025-06-01T12:00:00"), "{year}");
        let bad = get(&app, &client, "/admin/export/ledger.csv?year=nineteen").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let donors = page(&app, &client, "/admin/export/donors.csv").await;
        let lines: Vec<&str> = donors.lines().collect();
        assert_eq!(
            lines[0],
            "id,public_name,legal_name,email,website,fediverse_handle,anonymous,consent_name,consent_logo,consent_link,consent_handle,consent_amount,pinned_tier_id,created_at,erased,currency,donations,refunds,net"
        );
        let ada_row = lines.iter().find(|l| l.contains(",Ada,")).expect("Ada");
        assert!(ada_row.ends_with(",EUR,50.00,-5.00,45.00"), "{ada_row}");
        let mallory_row = lines
            .iter()
            .find(|l| l.starts_with(&format!("{mallory},")))
            .expect("Mallory");
        assert!(mallory_row.contains("\"'=HYPERLINK("), "{mallory_row}");
        let in_2025 = page(&app, &client, "/admin/export/donors.csv?year=2025").await;
        let ada_row = in_2025.lines().find(|l| l.contains(",Ada,")).expect("Ada");
        assert!(ada_row.ends_with(",EUR,20.00,0.00,20.00"), "{ada_row}");

        let anonymous = get(&app, &browser(), "/admin/export/ledger.csv").await;
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    }
);

console_test!(
    erasing_a_donor_removes_their_details_and_keeps_every_total,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        app.standard_tiers().await;
        let donor = app.open_donor("Forget Me").await;
        app.monthly_pledge(donor, "30.00").await;
        app.create(
            "/api/v1/admin/donations",
            json!({"donor_id": donor, "amount": "30.00"}),
        )
        .await;
        app.settled().await;
        let summary_before = app.get_json("/api/v1/summary").await;
        let wall = app.get("/").await.text().await.unwrap();
        assert!(wall.contains("Forget Me"));

        let client = signed_in(&app, TREASURER).await;
        let path = format!("/admin/donors/{donor}");
        let html = page(&app, &client, &path).await;
        let csrf = crate::helpers::csrf_of(&html);
        let erase = format!("/admin/donors/{donor}/erase");
        let unconfirmed = post(
            &app,
            &client,
            &erase,
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
        assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let entries = app.count("ledger_entries");
        let response = post(
            &app,
            &client,
            &erase,
            &[("csrf", &csrf), ("confirm", "ERASE")],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.count("ledger_entries"),
            entries,
            "the ledger keeps every row"
        );

        let html = page(&app, &client, &path).await;
        assert!(
            !html.contains("Forget Me") && !html.contains("donor@mail.example"),
            "{html}"
        );
        assert!(html.contains(&format!("Erased donor {donor}")));
        let export = page(&app, &client, "/admin/export/donors.csv").await;
        assert!(!export.contains("Forget Me") && !export.contains("donor@mail.example"));
        let audit = page(&app, &client, "/admin/audit?action=donor.erase").await;
        assert!(
            audit.contains("erased on request") && !audit.contains("Forget Me"),
            "{audit}"
        );

        app.settled().await;
        let wall = app.get("/").await.text().await.unwrap();
        assert!(!wall.contains("Forget Me"));
        let summary = app.get_json("/api/v1/summary").await;
        assert_eq!(
            summary["monthly_recurring"],
            summary_before["monthly_recurring"]
        );

        let again = post(
            &app,
            &client,
            &erase,
            &[("csrf", &csrf), ("confirm", "ERASE")],
        )
        .await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
    }
);

console_test!(
    the_dashboard_shows_the_outbox_and_sends_annual_statements_once,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let donor = app.open_donor("Ada").await;
        app.create(
            "/api/v1/admin/donations",
            serde_json::json!({"donor_id": donor, "amount": "25.00"}),
        )
        .await;
        let treasurer = signed_in(&app, TREASURER).await;
        let page = get(&app, &treasurer, "/admin").await.text().await.unwrap();
        assert!(
            page.contains("id=\"outbox-queued\""),
            "outbox counts are shown"
        );
        assert!(
            page.contains("id=\"outbox-files\""),
            "without SMTP the dashboard says mail goes to .eml files"
        );
        let csrf = dashboard_csrf(&app, &treasurer).await;
        let year = chrono::Datelike::year(&chrono::Utc::now()).to_string();
        let first = post(
            &app,
            &treasurer,
            "/admin/receipts/annual",
            &[("year", year.as_str()), ("csrf", csrf.as_str())],
        )
        .await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        let location = first.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("statements=1"), "{location}");
        let again = post(
            &app,
            &treasurer,
            "/admin/receipts/annual",
            &[("year", year.as_str()), ("csrf", csrf.as_str())],
        )
        .await;
        let location = again.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.contains("statements=0"),
            "nothing new the second time: {location}"
        );
        let shown = get(&app, &treasurer, &location).await.text().await.unwrap();
        assert!(shown.contains("id=\"statements-result\""));
        let bad = post(
            &app,
            &treasurer,
            "/admin/receipts/annual",
            &[("year", "soon"), ("csrf", csrf.as_str())],
        )
        .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

/// A tier whose sponsors show a logo, and a donor in it with a yearly gift.
async fn logo_sponsor(app: &TestApp, name: &str) -> i64 {
    app.create_id(
        "/api/v1/admin/tiers",
        json!({"slug": "gold", "name": "Gold", "monthly_minimum": "25.00", "currency": "EUR",
            "perks": ["name", "logo", "link"], "position": 0}),
    )
    .await;
    let donor = app.open_donor(name).await;
    app.create(
        "/api/v1/admin/donations",
        json!({"donor_id": donor, "amount": "600.00", "currency": "EUR"}),
    )
    .await;
    donor
}

console_test!(
    a_treasurer_uploads_a_logo_and_the_wall_shows_it_from_the_database,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let donor = logo_sponsor(&app, "Acme Hosting").await;
        let client = signed_in(&app, TREASURER).await;
        let form = page(&app, &client, &format!("/admin/donors/{donor}/logo")).await;
        assert!(form.contains("multipart/form-data"), "{form}");
        let csrf = crate::helpers::csrf_of(&form);
        let original = png_logo(800, 400);
        let response = upload(
            &app,
            &client,
            &format!("/admin/donors/{donor}/logo"),
            &[("csrf", &csrf)],
            "acme.png",
            original.clone(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), format!("/admin/donors/{donor}"));
        let path = {
            let mut conn = app.conn();
            coffer::ledger::donors::find(&mut conn, donor)
                .unwrap()
                .logo_path
                .expect("a logo")
        };
        assert!(
            path.starts_with("/logos/") && path.ends_with(".png"),
            "{path}"
        );
        let detail = page(&app, &client, &format!("/admin/donors/{donor}")).await;
        assert!(detail.contains(&path), "the donor's page shows the logo");

        // Served from the database, scaled and re-encoded, cached for good.
        let served = app.get(&path).await;
        assert_eq!(served.status(), StatusCode::OK);
        assert_eq!(served.headers()[header::CONTENT_TYPE], "image/png");
        assert_eq!(
            served.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let etag = served.headers()[header::ETAG].to_str().unwrap().to_owned();
        let bytes = served.bytes().await.unwrap();
        assert_ne!(&bytes[..], &original[..], "no uploaded byte is served back");
        let image = image::load_from_memory(&bytes).expect("a PNG");
        assert_eq!((image.width(), image.height()), (400, 200));
        let again = reqwest::Client::new()
            .get(app.url(&path))
            .header(header::IF_NONE_MATCH, etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let head = reqwest::Client::new()
            .head(app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), StatusCode::OK);
        let missing = app.get(&format!("/logos/{}.png", "0".repeat(64))).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);

        // The wall shows it, and the JSON gives its absolute address.
        app.settled().await;
        let wall = app.get_html("/").await;
        let logo = scraper::Selector::parse("img.sponsor-logo").unwrap();
        let sources: Vec<&str> = wall
            .select(&logo)
            .filter_map(|img| img.value().attr("src"))
            .collect();
        assert_eq!(sources, [path.as_str()]);
        let sponsors = app.get_json("/api/v1/sponsors").await;
        assert!(
            sponsors
                .to_string()
                .contains(&format!("http://coffer.test{path}")),
            "{sponsors}"
        );

        // A new logo replaces the old one, whose file goes; erasure takes the logo away.
        let csrf = dashboard_csrf(&app, &client).await;
        let response = upload(
            &app,
            &client,
            &format!("/admin/donors/{donor}/logo"),
            &[("csrf", &csrf)],
            "acme-2.png",
            png_logo(64, 64),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("logos"), 1);
        assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
        let response = post(
            &app,
            &client,
            &format!("/admin/donors/{donor}/erase"),
            &[("csrf", &csrf), ("confirm", "ERASE")],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("logos"), 0);
    }
);

console_test!(
    uploads_that_are_not_small_png_jpeg_or_webp_images_are_refused_and_change_nothing,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let donor = logo_sponsor(&app, "Acme Hosting").await;
        let client = signed_in(&app, TREASURER).await;
        let csrf = dashboard_csrf(&app, &client).await;
        let before = counts(&app);
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        let mut too_large = png_logo(8, 8);
        too_large.resize(1024 * 1024 + 1, 0);
        let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
            (
                "notes.png",
                b"just some text renamed to .png".to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "not a PNG, JPEG or WebP",
            ),
            (
                "logo.svg",
                svg.to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "SVG logos are not accepted",
            ),
            (
                "logo.png",
                svg.to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "SVG logos are not accepted",
            ),
            (
                "anim.png",
                b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "GIF images are not accepted",
            ),
            (
                "wide.png",
                png_logo(2001, 10),
                StatusCode::UNPROCESSABLE_ENTITY,
                "2001×10 pixels",
            ),
            (
                "huge.png",
                too_large,
                StatusCode::PAYLOAD_TOO_LARGE,
                "at most 1 MB",
            ),
            (
                "",
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "choose an image file",
            ),
        ];
        for (name, bytes, status, message) in cases {
            let response = upload(
                &app,
                &client,
                &format!("/admin/donors/{donor}/logo"),
                &[("csrf", &csrf)],
                name,
                bytes,
            )
            .await;
            assert_eq!(response.status(), status, "{name}");
            let html = response.text().await.unwrap();
            let document = scraper::Html::parse_document(&html);
            let error = scraper::Selector::parse("#e-file").unwrap();
            let shown: String = document
                .select(&error)
                .next()
                .map(|e| e.text().collect())
                .unwrap_or_default();
            assert!(shown.contains(message), "{name}: {shown:?}");
        }
        // Without the session's token, even a good image is refused.
        let response = upload(
            &app,
            &client,
            &format!("/admin/donors/{donor}/logo"),
            &[("csrf", "forged")],
            "logo.png",
            png_logo(16, 16),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(counts(&app), before);
        let mut conn = app.conn();
        let donor = coffer::ledger::donors::find(&mut conn, donor).unwrap();
        assert_eq!(donor.logo_path, None);
    }
);

console_test!(
    settings_are_stored_audited_and_change_the_wall,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        account(&app, VIEWER, Role::Viewer);
        let client = signed_in(&app, TREASURER).await;
        let html = page(&app, &client, "/admin/settings").await;
        assert!(html.contains(coffer::domain::INDEPENDENCE_STATEMENT));
        assert!(html.contains("grant nothing on the instance"), "{html}");
        let csrf = crate::helpers::csrf_of(&html);

        let before = counts(&app);
        let response = post(
            &app,
            &client,
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("instance_name", "Example Social"),
                ("monthly_goal", "-5"),
                ("bank_instructions", "IBAN NO93 8601 1117 947"),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("id=\"e-monthly_goal\""), "{html}");
        assert!(html.contains("IBAN NO93 8601 1117 947"), "values are kept");
        assert_eq!(counts(&app), before);

        let response = post(
            &app,
            &client,
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("instance_name", "Example Social"),
                ("monthly_goal", "250.00"),
                (
                    "bank_instructions",
                    "IBAN NO93 8601 1117 947\r\nReference: your email",
                ),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        app.settled().await;
        let wall = app.get("/").await.text().await.unwrap();
        assert!(wall.contains("Example Social"), "{wall}");
        let summary = app.get_json("/api/v1/summary").await;
        assert_eq!(summary["monthly_goal"]["amount"], "250.00", "{summary}");

        // The audit log keeps what was there before.
        let mut conn = app.conn();
        let (_, _, detail) = coffer::db::audit::recent(&mut conn, 10)
            .unwrap()
            .into_iter()
            .find(|(action, _, _)| action == "settings.update")
            .expect("audited");
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(
            detail["before"]["instance_name"],
            app.settings.instance_name
        );
        assert_eq!(detail["after"]["instance_name"], "Example Social");
        assert_eq!(detail["after"]["monthly_goal"], "250.00");
        let stored = coffer::ledger::settings::load(&mut conn, &app.settings).unwrap();
        assert_eq!(
            stored.bank_instructions.as_deref(),
            Some("IBAN NO93 8601 1117 947\nReference: your email")
        );
        drop(conn);

        // An empty goal follows the running costs again (none recorded: no goal).
        let response = post(
            &app,
            &client,
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("instance_name", "Example Social"),
                ("monthly_goal", ""),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        app.settled().await;
        let summary = app.get_json("/api/v1/summary").await;
        assert_eq!(
            summary["monthly_goal"],
            serde_json::Value::Null,
            "{summary}"
        );

        // A viewer reads the settings and gets no form.
        let viewer = signed_in(&app, VIEWER).await;
        let html = page(&app, &viewer, "/admin/settings").await;
        assert!(html.contains("Example Social") && !html.contains("Save settings"));
    }
);

console_test!(
    tiers_move_up_and_down_the_wall_one_place_at_a_time,
    |app| async move {
        account(&app, TREASURER, Role::Treasurer);
        let (platinum, _, rosegold) = app.standard_tiers().await;
        let client = signed_in(&app, TREASURER).await;
        let csrf = dashboard_csrf(&app, &client).await;
        let order = |app: &TestApp| -> Vec<String> {
            let mut conn = app.conn();
            coffer::ledger::tiers::list(&mut conn, false)
                .unwrap()
                .into_iter()
                .map(|t| t.slug)
                .collect()
        };
        for (id, direction, expected) in [
            (rosegold, "up", ["platinum", "rosegold", "gold"]),
            (platinum, "up", ["platinum", "rosegold", "gold"]),
            (platinum, "down", ["rosegold", "platinum", "gold"]),
            (rosegold, "sideways", ["rosegold", "platinum", "gold"]),
        ] {
            let response = post(
                &app,
                &client,
                &format!("/admin/tiers/{id}/move"),
                &[("csrf", &csrf), ("direction", direction)],
            )
            .await;
            let expected_status = if direction == "sideways" {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::SEE_OTHER
            };
            assert_eq!(response.status(), expected_status, "{direction}");
            assert_eq!(order(&app), expected, "{id} {direction}");
        }
        app.settled().await;
        let tiers = app.get_json("/api/v1/tiers").await;
        let slugs: Vec<&str> = tiers["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["slug"].as_str().unwrap())
            .collect();
        assert_eq!(slugs, ["rosegold", "platinum", "gold"]);
    }
);
