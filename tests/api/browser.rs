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
        ("transparency.html", "/transparency"),
        ("transparency-nb.html", "/transparency?lang=nb"),
    ] {
        save(name, app.get(path).await.text().await.unwrap());
    }
    // The donation form refused (messages beside fields), previewed, and its bank answer.
    let form = app.get("/donate?tier=gold").await;
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = scraper::Html::parse_document(&form.text().await.unwrap())
        .select(&scraper::Selector::parse("input[name=csrf]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_owned))
        .unwrap();
    for (name, action, email) in [
        ("donate-refused.html", "pay", "not an email"),
        ("donate-preview.html", "preview", "ada@mail.example"),
        ("donate-bank.html", "pay", "ada@mail.example"),
    ] {
        let response = app
            .client
            .post(app.url("/donate"))
            .header("cookie", cookie.clone())
            .form(&[
                ("csrf", csrf.as_str()),
                ("tier", "gold"),
                ("amount", "300"),
                ("frequency", "year"),
                ("email", email),
                ("public_name", "Ada <b>Lovelace</b>"),
                ("website", "https://ada.example/"),
                ("show_name", "1"),
                ("show_link", "1"),
                ("action", action),
            ])
            .send()
            .await
            .unwrap();
        save(name, response.text().await.unwrap());
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
        ("settings", "/admin/settings"),
        ("donor-logo", "/admin/donors/1/logo"),
        ("pending-bank-pledges", "/admin/pledges/pending"),
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

/// A phone-sized Chromium session driven through `driver`, with a profile of its own.
async fn phone_browser(driver: &Driver, profile: &std::path::Path) -> fantoccini::Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "mobileEmulation": {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0}},
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--no-first-run", format!("--user-data-dir={}", profile.display())],
        }),
    );
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session")
}

/// Fills an input found by id.
async fn type_into(browser: &fantoccini::Client, id: &str, text: &str) {
    browser
        .find(fantoccini::Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("typing into #{id}: {e}"));
}

async fn click(browser: &fantoccini::Client, css: &str) {
    browser
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

/// The page is never wider than the phone (tables scroll inside themselves).
async fn assert_fits_the_phone(browser: &fantoccini::Client, what: &str) {
    let width = browser
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .expect("measure the page");
    assert!(
        width.as_i64().is_some_and(|w| w <= 390),
        "{what} is wider than a phone: {width}"
    );
}

async fn sign_in_as(browser: &fantoccini::Client, app: &crate::helpers::TestApp, email: &str) {
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
    type_into(browser, "email", email).await;
    type_into(browser, "password", "a long enough password").await;
    click(browser, "main form button[type=submit]").await;
    browser
        .wait()
        .for_element(fantoccini::Locator::Id("monthly-recurring"))
        .await
        .expect("the dashboard");
}

/// The treasurer's journey at 390 px wide, in Debian's Chromium: sign in, create a donor,
/// record a donation that puts them in Gold, upload their logo, and find them with their logo on
/// the public wall; then a viewer signs in and is offered no write at all.
async fn the_treasurers_journey_in_a_real_browser_at_phone_width(backend: Backend) {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let Some(app) =
        crate::helpers::spawn_app_with(backend, &[("COFFER_PUBLIC_URL", "http://coffer.test")])
            .await
    else {
        return;
    };
    for (slug, name, minimum, perks, position) in [
        (
            "platinum",
            "Platinum",
            "150.00",
            vec!["name", "logo", "link", "handle"],
            0,
        ),
        ("gold", "Gold", "25.00", vec!["name", "logo", "link"], 1),
        ("rosegold", "Rosegold", "5.00", vec!["name"], 2),
    ] {
        app.create_id(
            "/api/v1/admin/tiers",
            serde_json::json!({"slug": slug, "name": name, "monthly_minimum": minimum,
                "currency": "EUR", "perks": perks, "position": position}),
        )
        .await;
    }
    {
        let hash = coffer::ledger::admins::hash_password("a long enough password").unwrap();
        let mut conn = app.conn();
        for (email, role) in [
            ("treasurer@coffer.test", coffer::domain::Role::Treasurer),
            ("viewer@coffer.test", coffer::domain::Role::Viewer),
        ] {
            coffer::ledger::admins::create(&mut conn, email, role, &hash).unwrap();
        }
    }
    let logo_file = tempfile::Builder::new()
        .suffix(".png")
        .tempfile()
        .expect("a logo file");
    std::fs::write(logo_file.path(), crate::console::png_logo(600, 300)).expect("write the logo");

    let driver = start_driver(driver_path).await;
    let profile = tempfile::tempdir().expect("profile dir");
    let browser = phone_browser(&driver, profile.path()).await;
    sign_in_as(&browser, &app, "treasurer@coffer.test").await;
    let widths = browser
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth];",
            vec![],
        )
        .await
        .expect("measure the page");
    assert_eq!(widths[0], 390, "the phone's width: {widths}");
    assert_fits_the_phone(&browser, "the dashboard").await;

    // A new donor, who may be shown by name and logo.
    browser.goto(&app.url("/admin/donors/new")).await.unwrap();
    assert_fits_the_phone(&browser, "the donor form").await;
    type_into(&browser, "f-public_name", "Katherine Johnson").await;
    type_into(&browser, "f-email", "katherine@example.org").await;
    click(&browser, "#f-consent_name").await;
    click(&browser, "#f-consent_logo").await;
    click(&browser, "form.console-form button[type=submit]").await;
    browser
        .wait()
        .for_element(fantoccini::Locator::Id("monthly-support"))
        .await
        .expect("the donor's page");
    let donor_url = browser.current_url().await.unwrap();
    let donor: i64 = donor_url
        .path()
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a donor page: {donor_url}"));

    // 600.00 given once is 50.00 a month over the year: Gold.
    browser
        .goto(&app.url("/admin/ledger/donation"))
        .await
        .unwrap();
    assert_fits_the_phone(&browser, "the donation form").await;
    type_into(&browser, "f-donor_id", &donor.to_string()).await;
    type_into(&browser, "f-amount", "600.00").await;
    click(&browser, "form.console-form button[type=submit]").await;
    browser
        .wait()
        .for_url(&url::Url::parse(&app.url("/admin/ledger")).unwrap())
        .await
        .expect("back on the ledger");
    let ledger = browser.source().await.unwrap();
    assert!(ledger.contains("600.00 EUR"), "{ledger}");
    browser
        .goto(&app.url(&format!("/admin/donors/{donor}")))
        .await
        .unwrap();
    let tier = browser
        .find(fantoccini::Locator::Id("tier"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(tier.contains("Gold"), "{tier}");

    // The logo, chosen with the file picker.
    click(&browser, &format!("a[href='/admin/donors/{donor}/logo']")).await;
    browser
        .find(fantoccini::Locator::Id("f-file"))
        .await
        .unwrap()
        .send_keys(&logo_file.path().display().to_string())
        .await
        .expect("choose the file");
    click(&browser, "form.console-form button[type=submit]").await;
    browser
        .wait()
        .for_url(&url::Url::parse(&app.url(&format!("/admin/donors/{donor}"))).unwrap())
        .await
        .expect("back on the donor's page");

    // The wall names them, with their logo, loaded and drawn.
    app.settled().await;
    browser.goto(&app.url("/")).await.unwrap();
    let wall = browser.source().await.unwrap();
    assert!(wall.contains("Katherine Johnson"), "{wall}");
    let drawn = browser
        .execute(
            "const img = document.querySelector('img.sponsor-logo');
             return img ? [img.getAttribute('src'), img.complete, img.naturalWidth] : null;",
            vec![],
        )
        .await
        .expect("look at the logo");
    assert!(
        drawn[0]
            .as_str()
            .is_some_and(|src| src.starts_with("/logos/"))
            && drawn[2] == 400,
        "the logo on the wall: {drawn}"
    );
    assert_fits_the_phone(&browser, "the wall").await;
    browser.delete_all_cookies().await.unwrap();

    // A viewer reads the same pages and is offered no write: only the sign-out form.
    sign_in_as(&browser, &app, "viewer@coffer.test").await;
    for path in [
        "/admin".to_owned(),
        format!("/admin/donors/{donor}"),
        "/admin/donors".to_owned(),
        "/admin/ledger".to_owned(),
        "/admin/pledges".to_owned(),
        "/admin/tiers".to_owned(),
        "/admin/settings".to_owned(),
    ] {
        browser.goto(&app.url(&path)).await.unwrap();
        let offered = browser
            .execute(
                "return [...document.querySelectorAll('form[method=post]')]
                    .map(f => f.getAttribute('action'))
                    .concat([...document.querySelectorAll('main a[href$=\"/new\"], main a[href$=\"/edit\"], main a[href$=\"/logo\"], main a[href$=\"/pin\"]')]
                    .map(a => a.getAttribute('href')));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            offered,
            serde_json::json!(["/admin/logout"]),
            "{path} offers a viewer a write"
        );
    }
    browser.close().await.expect("close the browser");
    drop(driver);
}

#[actix_web::test]
async fn the_treasurers_journey_in_a_real_browser_at_phone_width_on_sqlite() {
    the_treasurers_journey_in_a_real_browser_at_phone_width(Backend::Sqlite).await;
}

#[actix_web::test]
async fn the_treasurers_journey_in_a_real_browser_at_phone_width_on_postgres() {
    the_treasurers_journey_in_a_real_browser_at_phone_width(Backend::Postgres).await;
}
