//! The sponsor wall in a real headless browser (Debian's chromium), under the page's own CSP.

use std::process::Command;

use crate::helpers::{spawn_app, Backend};

pub(crate) fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    if found.is_none() {
        if std::env::var("COFFER_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("COFFER_REQUIRE_BROWSER=1 but chromium is not installed");
        }
        eprintln!("\n!!! SKIPPED browser test: chromium is not installed (apt-get install chromium). !!!\n");
    }
    found
}

#[actix_web::test]
async fn the_demo_wall_renders_in_a_browser_without_csp_violations() {
    let Some(chromium) = chromium() else { return };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    app.seed_demo();
    let profile = tempfile::tempdir().expect("profile dir");
    let url = app.url("/");
    let output = actix_web::rt::task::spawn_blocking(move || {
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("--dump-dom")
            .arg(url)
            .output()
    })
    .await
    .expect("join")
    .expect("run chromium");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        !log.contains("Content Security Policy"),
        "the page breaks its own CSP:\n{log}"
    );
    let html = scraper::Html::parse_document(&dom);
    let sponsors = html
        .select(&scraper::Selector::parse(".sponsor").unwrap())
        .count();
    assert!(
        sponsors >= 15,
        "the browser shows {sponsors} sponsors:\n{dom}"
    );
    assert!(dom.contains("Sponsorship does not buy influence"));
    assert!(dom.contains("<progress"));
}

/// The Nu HTML Checker (the W3C validator), from `COFFER_VNU_JAR`.
fn validator() -> Option<String> {
    let jar = std::env::var("COFFER_VNU_JAR")
        .ok()
        .filter(|p| std::path::Path::new(p).exists());
    if jar.is_none() {
        if std::env::var("COFFER_REQUIRE_VALIDATOR").is_ok_and(|v| v == "1") {
            panic!("COFFER_REQUIRE_VALIDATOR=1 but COFFER_VNU_JAR does not name vnu.jar");
        }
        eprintln!("\n!!! SKIPPED HTML validation: set COFFER_VNU_JAR to vnu.jar (npm install vnu-jar). !!!\n");
    }
    jar
}

#[actix_web::test]
async fn the_pages_are_valid_html() {
    let Some(jar) = validator() else { return };
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let pages = tempfile::tempdir().expect("dir");
    let mut files = Vec::new();
    let mut save = |name: &str, html: String| {
        let path = pages.path().join(name);
        std::fs::write(&path, html).expect("write page");
        files.push(path);
    };
    save("empty-wall.html", app.get("/").await.text().await.unwrap());
    save(
        "not-found.html",
        app.get("/no-such-page").await.text().await.unwrap(),
    );
    app.seed_demo();
    app.create(
        "/api/v1/admin/donors",
        serde_json::json!({"public_name": "<b>\"Quotes\" & co</b>", "consent": {"name": true}}),
    )
    .await;
    save("demo-wall.html", app.get("/").await.text().await.unwrap());
    for (name, path) in [
        ("donate.html", "/donate"),
        ("donate-tier.html", "/donate?tier=gold&lang=nb"),
        ("donate-thanks.html", "/donate/thanks"),
        ("donate-manage.html", "/donate/manage"),
    ] {
        save(name, app.get(path).await.text().await.unwrap());
    }
    save_console_pages(&app, &mut save).await;
    let output = actix_web::rt::task::spawn_blocking(move || {
        Command::new("java")
            .args(["-jar", &jar, "--errors-only", "--format", "text"])
            .args(&files)
            .output()
    })
    .await
    .expect("join")
    .expect("run java");
    assert!(
        output.status.success(),
        "the validator found errors:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The console's pages, as a signed-in treasurer sees them (a refused form included).
async fn save_console_pages(app: &crate::helpers::TestApp, save: &mut impl FnMut(&str, String)) {
    let password = "a long enough password";
    {
        let hash = coffer::ledger::admins::hash_password(password).unwrap();
        let mut conn = app.conn();
        coffer::ledger::admins::create(
            &mut conn,
            "treasurer@coffer.test",
            coffer::domain::Role::Treasurer,
            &hash,
        )
        .unwrap();
    }
    let form = app
        .client
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap();
    let form_cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let login = form.text().await.unwrap();
    let form_csrf = scraper::Html::parse_document(&login)
        .select(&scraper::Selector::parse("input[name=csrf]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_owned))
        .unwrap();
    save("console-login.html", login);
    let signed_in = app
        .client
        .post(app.url("/admin/login"))
        .header("cookie", form_cookie)
        .form(&[
            ("email", "treasurer@coffer.test"),
            ("password", password),
            ("csrf", form_csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.contains("coffer_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let get = |path: String| {
        let request = app
            .client
            .get(app.url(&path))
            .header("cookie", cookie.clone());
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let dashboard = get("/admin".to_owned()).await;
    let csrf = scraper::Html::parse_document(&dashboard)
        .select(&scraper::Selector::parse("input[name=csrf]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_owned))
        .unwrap();
    save("console-dashboard.html", dashboard);
    for (name, path) in [
        ("donors", "/admin/donors"),
        ("donor", "/admin/donors/1"),
        ("donor-edit", "/admin/donors/1/edit"),
        ("donor-pin", "/admin/donors/1/pin"),
        ("pledges", "/admin/pledges"),
        ("pledge-new", "/admin/pledges/new"),
        ("ledger", "/admin/ledger"),
        ("donation", "/admin/ledger/donation"),
        ("tiers", "/admin/tiers"),
        ("tier-edit", "/admin/tiers/1/edit"),
        ("audit", "/admin/audit"),
        ("tokens", "/admin/tokens"),
    ] {
        save(&format!("console-{name}.html"), get(path.to_owned()).await);
    }
    let refused = app
        .client
        .post(app.url("/admin/ledger/donation"))
        .header("cookie", cookie.clone())
        .form(&[("csrf", csrf.as_str()), ("amount", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    save("console-refused.html", refused.text().await.unwrap());
}

/// Debian's chromedriver, or `None` after saying so loudly (a failure with
/// `COFFER_REQUIRE_BROWSER=1`).
pub(crate) fn chromedriver() -> Option<&'static str> {
    let found = ["/usr/bin/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    if found.is_none() || chromium().is_none() {
        if std::env::var("COFFER_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("COFFER_REQUIRE_BROWSER=1 but chromedriver is not installed");
        }
        eprintln!(
            "\n!!! SKIPPED console browser test: apt-get install chromium chromium-driver. !!!\n"
        );
        return None;
    }
    found
}

/// A chromedriver process of this test's own, stopped when dropped.
pub(crate) struct Driver {
    child: std::process::Child,
    pub(crate) port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn start_driver(path: &str) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver { child, port };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "chromedriver did not start"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    driver
}

/// A treasurer at 390 px wide: signs in, records a donation through the form, and sees the
/// wall name the donor; no page needs a script, and none is wider than the screen.
#[actix_web::test]
async fn a_treasurer_records_a_donation_in_a_real_browser_at_phone_width() {
    use fantoccini::{ClientBuilder, Locator};
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let app = crate::helpers::spawn_app_with(
        Backend::Sqlite,
        &[("COFFER_PUBLIC_URL", "http://coffer.test")],
    )
    .await
    .expect("app");
    app.standard_tiers().await;
    let donor = app.open_donor("Katherine Johnson").await;
    {
        let hash = coffer::ledger::admins::hash_password("a long enough password").unwrap();
        let mut conn = app.conn();
        coffer::ledger::admins::create(
            &mut conn,
            "treasurer@coffer.test",
            coffer::domain::Role::Treasurer,
            &hash,
        )
        .unwrap();
    }
    let driver = start_driver(driver_path).await;
    let profile = tempfile::tempdir().expect("profile dir");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "mobileEmulation": {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0}},
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--no-first-run", format!("--user-data-dir={}", profile.path().display())],
        }),
    );
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session");

    browser
        .goto(&app.url("/admin"))
        .await
        .expect("open the console");
    assert!(browser
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/admin/login"));
    browser
        .find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys("treasurer@coffer.test")
        .await
        .unwrap();
    let password = browser.find(Locator::Id("password")).await.unwrap();
    password.send_keys("a long enough password").await.unwrap();
    browser
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Id("monthly-recurring"))
        .await
        .expect("the dashboard");
    // The page scrolls sideways only inside its tables, never as a whole.
    let widths = browser
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth];",
            vec![],
        )
        .await
        .expect("measure the page");
    assert_eq!(widths[0], 390, "the phone's width: {widths}");
    assert!(
        widths[1].as_i64().is_some_and(|w| w <= 390),
        "the dashboard is wider than a phone: {widths}"
    );

    browser
        .goto(&app.url("/admin/ledger/donation"))
        .await
        .unwrap();
    let width = browser
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap();
    assert!(
        width.as_i64().is_some_and(|w| w <= 390),
        "the donation form is wider than a phone: {width}"
    );
    browser
        .find(Locator::Id("f-donor_id"))
        .await
        .unwrap()
        .send_keys(&donor.to_string())
        .await
        .unwrap();
    let amount = browser.find(Locator::Id("f-amount")).await.unwrap();
    amount.send_keys("1200.00").await.unwrap();
    browser
        .find(Locator::Css("form.console-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_url(&url::Url::parse(&app.url("/admin/ledger")).unwrap())
        .await
        .expect("back on the ledger");
    let ledger = browser.source().await.unwrap();
    assert!(ledger.contains("1200.00 EUR"), "{ledger}");

    app.settled().await;
    browser.goto(&app.url("/")).await.unwrap();
    let wall = browser.source().await.unwrap();
    assert!(wall.contains("Katherine Johnson"), "{wall}");
    browser.close().await.expect("close the browser");
    drop(driver);
}
