//! axe-core in a real Chromium: the wall, the tier pages and the console, at phone and desktop
//! widths, with no WCAG 2.1 A/AA or best-practice violations. axe is read from
//! `COFFER_AXE_JS` (`npm install axe-core`); the test skips loudly without it unless
//! `COFFER_REQUIRE_BROWSER=1`.

use serde_json::Value;

use crate::browser::{chromedriver, start_driver, Driver};
use crate::helpers::{spawn_app_with, Backend, TestApp};

fn axe_source() -> Option<String> {
    match std::env::var("COFFER_AXE_JS") {
        Ok(path) => Some(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))),
        Err(_) if std::env::var("COFFER_REQUIRE_BROWSER").is_ok_and(|v| v == "1") => {
            panic!("COFFER_REQUIRE_BROWSER=1 but COFFER_AXE_JS does not name axe.min.js")
        }
        Err(_) => {
            eprintln!("\n!!! SKIPPED accessibility test: set COFFER_AXE_JS to axe.min.js (npm install axe-core). !!!\n");
            None
        }
    }
}

/// A Chromium session `width` pixels wide (a phone below 600).
pub(crate) async fn browser_at(
    driver: &Driver,
    profile: &std::path::Path,
    width: u32,
) -> fantoccini::Client {
    let mut options = serde_json::json!({
        "binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 format!("--window-size={width},900"),
                 format!("--user-data-dir={}", profile.display())],
    });
    if width < 600 {
        options["mobileEmulation"] = serde_json::json!({"deviceMetrics": {"width": width, "height": 844, "pixelRatio": 3.0}});
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".to_owned(), options);
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session")
}

/// Runs axe on the open page (injected through WebDriver, which the page's CSP does not
/// govern) and returns its violations, each as `{id, impact, help, nodes}`.
async fn violations(browser: &fantoccini::Client, axe: &str) -> Vec<Value> {
    browser.execute(axe, vec![]).await.expect("inject axe");
    let result = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
               .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
               .catch(e => done([{id: 'axe-error', help: String(e)}]));",
            vec![],
        )
        .await
        .expect("run axe");
    result.as_array().cloned().unwrap_or_default()
}

async fn sign_in(browser: &fantoccini::Client, app: &TestApp) {
    use fantoccini::Locator;
    browser.goto(&app.url("/admin/login")).await.unwrap();
    for (id, text) in [
        ("email", "treasurer@coffer.test"),
        ("password", "a long enough password"),
    ] {
        browser
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
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
}

#[actix_web::test]
async fn the_wall_and_the_console_have_no_accessibility_violations_at_390_and_1280_px() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let Some(axe) = axe_source() else { return };
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("COFFER_PUBLIC_URL", "http://coffer.test")],
    )
    .await
    .expect("app");
    app.seed_demo();
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
    app.settled().await;
    let public = [
        "/",
        "/?lang=nb",
        "/transparency",
        "/transparency?lang=nb",
        "/sponsors/rosegold",
        "/admin/login",
        "/donate",
        "/donate?tier=gold&lang=nb",
        "/donate/thanks",
        "/donate/manage",
    ];
    let console = [
        "/admin",
        "/admin/donors",
        "/admin/donors/1",
        "/admin/donors/1/edit",
        "/admin/donors/1/logo",
        "/admin/pledges",
        "/admin/pledges/pending",
        "/admin/ledger",
        "/admin/ledger/donation",
        "/admin/ledger/refund",
        "/admin/tiers",
        "/admin/tiers/new",
        "/admin/audit",
        "/admin/tokens",
        "/admin/settings",
    ];
    let driver = start_driver(driver_path).await;
    let mut found = Vec::new();
    for width in [390, 1280] {
        let profile = tempfile::tempdir().expect("profile dir");
        let browser = browser_at(&driver, profile.path(), width).await;
        for path in public {
            browser.goto(&app.url(path)).await.unwrap();
            for v in violations(&browser, &axe).await {
                found.push(format!("{width}px {path}: {v}"));
            }
        }
        sign_in(&browser, &app).await;
        for path in console {
            browser.goto(&app.url(path)).await.unwrap();
            for v in violations(&browser, &axe).await {
                found.push(format!("{width}px {path}: {v}"));
            }
            // Usable on a phone: only tables scroll sideways, never the page.
            let page_width = browser
                .execute("return document.documentElement.scrollWidth;", vec![])
                .await
                .unwrap();
            if page_width.as_u64().is_none_or(|w| w > u64::from(width)) {
                found.push(format!(
                    "{width}px {path}: the page is {page_width} px wide"
                ));
            }
        }
        browser.close().await.expect("close the browser");
    }
    drop(driver);
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
}
