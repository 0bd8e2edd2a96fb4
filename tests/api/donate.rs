//! The donation page: tiers and amounts, validation, the preview, CSRF, the rate limit, the
//! Checkout Session at the fake Stripe, the bank fallback, thanks, self-service, and a donor in
//! a real browser going from the wall to Stripe.

use std::collections::BTreeMap;

use diesel::prelude::*;
use reqwest::{header, Response, StatusCode};

use crate::helpers::{Backend, TestApp};
use crate::stripe::StripeFake;

/// The form's cookie (`name=value`) and the token its hidden field carries, from a GET.
async fn form(app: &TestApp, path: &str) -> (String, String, String) {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    (cookie, crate::helpers::csrf_of(&html), html)
}

async fn post(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Response {
    app.client
        .post(app.url(path))
        .header(header::COOKIE, cookie)
        .form(fields)
        .send()
        .await
        .expect("POST")
}

/// A complete Gold pledge, as a donor fills it in.
fn gold(csrf: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf", csrf),
        ("tier", "gold"),
        ("amount", "25.00"),
        ("frequency", "month"),
        ("email", "ada@mail.example"),
        ("public_name", "Ada Lovelace"),
        ("website", "https://ada.example/"),
        ("show_name", "1"),
        ("show_link", "1"),
        ("action", "pay"),
    ]
}

fn intents(app: &TestApp) -> Vec<(String, String, i64, String, Option<String>)> {
    use coffer::db::schema::donation_intents as i;
    let mut conn = app.conn();
    i::table
        .select((
            i::channel,
            i::status,
            i::amount,
            i::frequency,
            i::checkout_session_id,
        ))
        .order(i::id.asc())
        .load(&mut *conn as &mut coffer::db::DbConn)
        .unwrap()
}

crate::backend_test!(
    the_donation_page_offers_each_tier_and_preselects_one,
    |app| async move {
        app.standard_tiers().await;
        let response = app.get("/donate?tier=gold").await;
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("form-action 'self' https://checkout.stripe.com"),
            "{csp}"
        );
        assert!(
            csp.contains("script-src") || csp.contains("default-src 'none'"),
            "{csp}"
        );
        let (_, _, html) = form(&app, "/donate?tier=gold").await;
        let page = scraper::Html::parse_document(&html);
        let radio = |id: &str| {
            page.select(&scraper::Selector::parse(&format!("input#{id}")).unwrap())
                .next()
                .unwrap_or_else(|| panic!("no #{id}"))
                .value()
                .attr("checked")
                .is_some()
        };
        assert!(radio("tier-gold"));
        assert!(!radio("tier-platinum"));
        assert!(radio("frequency-month"));
        assert!(html.contains(r#"value="25.00""#), "{html}");
        assert!(html.contains("€300.00 once or yearly"), "{html}");
        assert!(html.contains("Sponsorship does not buy influence"));
        assert!(html.contains("Continue to payment") || html.contains("Pledge by bank transfer"));
    }
);

crate::stripe_test!(
    a_gold_pledge_goes_to_stripe_checkout_with_the_donors_choices,
    |app, stripe| async move {
        app.standard_tiers().await;
        let (cookie, csrf, _) = form(&app, "/donate?tier=gold").await;
        let before = app.count("ledger_entries");
        let response = post(&app, "/donate", &cookie, &gold(&csrf)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION].to_str().unwrap(),
            stripe.checkout_url()
        );
        let sent: Vec<BTreeMap<String, String>> = stripe.posted("/v1/checkout/sessions").await;
        assert_eq!(sent.len(), 1);
        let session = &sent[0];
        assert_eq!(session["mode"], "subscription");
        assert_eq!(session["line_items[0][price_data][unit_amount]"], "2500");
        assert_eq!(session["line_items[0][price_data][currency]"], "eur");
        assert_eq!(
            session["line_items[0][price_data][recurring][interval]"],
            "month"
        );
        assert_eq!(session["customer_email"], "ada@mail.example");
        let reference = &session["metadata[coffer_intent]"];
        assert!(reference.starts_with("di_"), "{session:?}");
        assert_eq!(
            &session["subscription_data[metadata][coffer_intent]"],
            reference
        );
        assert!(session["success_url"].starts_with("https://coffer.test/donate/thanks"));
        assert_eq!(
            intents(&app),
            vec![(
                "stripe".to_owned(),
                "open".to_owned(),
                2500,
                "month".to_owned(),
                Some("cs_test_coffer_1".to_owned())
            )]
        );
        // The ledger is written only from webhooks.
        assert_eq!(app.count("ledger_entries"), before);
        // A one-time gift is a payment-mode session.
        let (cookie, csrf, _) = form(&app, "/donate").await;
        let mut once = gold(&csrf);
        once.retain(|(k, _)| *k != "tier" && *k != "frequency" && *k != "amount");
        once.extend([("tier", ""), ("frequency", "once"), ("amount", "12.50")]);
        let response = post(&app, "/donate", &cookie, &once).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let sent = stripe.posted("/v1/checkout/sessions").await;
        assert_eq!(sent[1]["mode"], "payment");
        assert_eq!(sent[1]["line_items[0][price_data][unit_amount]"], "1250");
        assert!(!sent[1].contains_key("line_items[0][price_data][recurring][interval]"));
        assert!(sent[1].contains_key("payment_intent_data[metadata][coffer_intent]"));
    }
);

crate::stripe_test!(
    refused_forms_say_what_is_wrong_keep_the_values_and_record_nothing,
    |app, stripe| async move {
        app.standard_tiers().await;
        let (cookie, csrf, _) = form(&app, "/donate").await;
        let mut fields = gold(&csrf);
        for (name, value) in fields.iter_mut() {
            match *name {
                "amount" => *value = "10.00",
                "email" => *value = "not an email",
                "website" => *value = "javascript:alert(1)",
                _ => {}
            }
        }
        fields.push(("fediverse_handle", "nobody"));
        let response = post(&app, "/donate", &cookie, &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("Gold starts at €25.00"), "{html}");
        assert!(html.contains("Enter an email address"), "{html}");
        assert!(html.contains("Enter a web address"), "{html}");
        assert!(html.contains("Enter a handle like"), "{html}");
        assert!(
            html.contains(r#"value="not an email""#),
            "values are kept: {html}"
        );
        assert!(html.contains(r#"value="Ada Lovelace""#));
        assert!(html.contains(r#"aria-invalid="true""#));
        // A yearly Gold gift needs twelve months' worth.
        let (cookie, csrf, _) = form(&app, "/donate").await;
        let mut yearly = gold(&csrf);
        yearly.retain(|(k, _)| *k != "frequency");
        yearly.push(("frequency", "year"));
        let response = post(&app, "/donate", &cookie, &yearly).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("€300.00"));
        assert!(intents(&app).is_empty());
        assert!(stripe.posted("/v1/checkout/sessions").await.is_empty());
    }
);

crate::backend_test!(
    a_post_without_the_forms_own_token_is_refused,
    |app| async move {
        let (cookie, csrf, _) = form(&app, "/donate").await;
        let forged = "0".repeat(64);
        let response = post(&app, "/donate", &cookie, &gold(&forged)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = app
            .client
            .post(app.url("/donate"))
            .form(&gold(&csrf))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(intents(&app).is_empty());
    }
);

crate::backend_test!(
    the_preview_shows_what_the_tier_shows_and_the_donor_consents_to,
    |app| async move {
        app.standard_tiers().await;
        let (cookie, csrf, _) = form(&app, "/donate").await;
        let preview_of = |html: &str| {
            let page = scraper::Html::parse_document(html);
            page.select(&scraper::Selector::parse("section.preview").unwrap())
                .next()
                .expect("a preview")
                .text()
                .collect::<String>()
        };
        let mut fields = gold(&csrf);
        fields.retain(|(k, _)| *k != "action");
        fields.extend([
            ("action", "preview"),
            ("fediverse_handle", "@ada@social.example"),
            ("show_handle", "1"),
        ]);
        let response = post(&app, "/donate", &cookie, &fields).await;
        assert_eq!(response.status(), StatusCode::OK);
        let preview = preview_of(&response.text().await.unwrap());
        assert!(preview.contains("Ada Lovelace"), "{preview}");
        assert!(preview.contains("https://ada.example/"), "{preview}");
        // Gold shows names and links, not handles.
        assert!(!preview.contains("@ada@social.example"), "{preview}");
        fields.push(("anonymous", "1"));
        let response = post(&app, "/donate", &cookie, &fields).await;
        let preview = preview_of(&response.text().await.unwrap());
        assert!(preview.contains("anonymous supporters"), "{preview}");
        assert!(!preview.contains("Ada Lovelace"), "{preview}");
        assert!(intents(&app).is_empty(), "a preview records nothing");
    }
);

crate::backend_test!(posting_is_limited_per_address, |app| async move {
    let (cookie, csrf, _) = form(&app, "/donate").await;
    let mut fields = gold(&csrf);
    for (name, value) in fields.iter_mut() {
        if *name == "email" {
            *value = "bad";
        }
    }
    for _ in 0..coffer::web::donate::TRIES_PER_WINDOW {
        let response = post(&app, "/donate", &cookie, &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = post(&app, "/donate", &cookie, &fields).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
});

crate::backend_test!(
    without_stripe_a_pledge_is_recorded_as_a_pending_bank_transfer,
    |app| async move {
        app.standard_tiers().await;
        {
            let mut conn = app.conn();
            coffer::db::settings::put(
                &mut conn,
                "bank_instructions",
                "IBAN NO93 8601 1117 947, Example Social",
                coffer::db::now(),
            )
            .unwrap();
        }
        let (cookie, csrf, html) = form(&app, "/donate?tier=gold").await;
        assert!(html.contains("Pay by bank transfer"), "{html}");
        assert!(html.contains("IBAN NO93 8601 1117 947"), "{html}");
        let response = post(&app, "/donate", &cookie, &gold(&csrf)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        let page = scraper::Html::parse_document(&html);
        let reference = page
            .select(&scraper::Selector::parse("code.bank-reference").unwrap())
            .next()
            .expect("a reference")
            .text()
            .collect::<String>();
        assert!(reference.starts_with("di_"), "{html}");
        assert!(html.contains("€25.00"), "{html}");
        assert!(html.contains("IBAN NO93 8601 1117 947"), "{html}");
        assert_eq!(
            intents(&app),
            vec![(
                "bank".to_owned(),
                "open".to_owned(),
                2500,
                "month".to_owned(),
                None
            )]
        );
        let pending = {
            let mut conn = app.conn();
            coffer::ledger::payments::pending_bank_pledges(&mut conn, 10).unwrap()
        };
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].reference, reference);
        assert_eq!(app.count("ledger_entries"), 0);
        // The transfer arrives: the treasurer confirms it, once.
        let confirm = |id: i64| {
            let mut conn = app.conn();
            coffer::db::write_transaction(&mut conn, |conn| {
                coffer::ledger::payments::confirm_bank_pledge(conn, id)
            })
        };
        let confirmed = confirm(pending[0].id).expect("confirmed");
        assert!(
            confirm(pending[0].id).is_err(),
            "a second confirmation is refused"
        );
        let pledge = {
            let mut conn = app.conn();
            coffer::ledger::pledges::find(&mut conn, confirmed.pledge_id.expect("a pledge"))
                .unwrap()
        };
        assert_eq!(pledge.status.as_str(), "active");
        assert_eq!(pledge.source.as_str(), "bank");
        assert_eq!(pledge.amount.minor(), 2500);
        assert_eq!(app.count("ledger_entries"), 1);
        let pending = {
            let mut conn = app.conn();
            coffer::ledger::payments::pending_bank_pledges(&mut conn, 10).unwrap()
        };
        assert!(pending.is_empty());
    }
);

crate::backend_test!(
    the_thanks_page_trusts_nothing_in_its_query,
    |app| async move {
        let before = app.row_counts();
        let response = app
            .get("/donate/thanks?session_id=cs_test_forged&amount=1000000")
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        assert!(html.contains("Thank you"), "{html}");
        assert!(!html.contains("1000000"));
        assert_eq!(app.row_counts(), before);
    }
);

/// The self-service link in the newest message to `email`.
fn link_sent_to(app: &TestApp, email: &str) -> Option<String> {
    use coffer::db::schema::outbox;
    let mut conn = app.conn();
    let text: Option<Option<String>> = outbox::table
        .filter(outbox::recipient.eq(email))
        .filter(outbox::kind.eq("manage_link"))
        .order(outbox::id.desc())
        .select(outbox::body_text)
        .first(&mut *conn as &mut coffer::db::DbConn)
        .optional()
        .unwrap();
    let text = text.flatten()?;
    text.split_whitespace()
        .find(|w| w.starts_with("https://coffer.test/donate/manage/"))
        .map(str::to_owned)
}

async fn donor_with_subscription(app: &TestApp, stripe: &StripeFake) -> i64 {
    let _ = stripe;
    let reference = crate::stripe::intent(
        app,
        "ada@mail.example",
        2500,
        coffer::ledger::payments::Frequency::Every(coffer::domain::Interval::Month),
    );
    crate::stripe::deliver_ok(
        app,
        &crate::stripe::event(
            "evt_manage_1",
            "checkout.session.completed",
            crate::stripe::now() - 10,
            crate::stripe::checkout_completed_subscription(&reference, "sub_manage"),
        ),
        "applied",
    )
    .await;
    let mut conn = app.conn();
    coffer::db::donors::find_by_email(&mut conn, "ada@mail.example")
        .unwrap()
        .unwrap()
        .id
}

crate::stripe_test!(
    a_donor_asks_for_a_link_changes_what_the_wall_shows_and_cancels_at_stripe,
    |app, stripe| async move {
        let donor = donor_with_subscription(&app, &stripe).await;
        let (cookie, csrf, _) = form(&app, "/donate/manage").await;
        let unknown = post(
            &app,
            "/donate/manage",
            &cookie,
            &[("csrf", &csrf), ("email", "nobody@mail.example")],
        )
        .await;
        assert_eq!(unknown.status(), StatusCode::OK);
        let unknown = unknown.text().await.unwrap();
        // The name the treasurer set in the console is the one the mail gives.
        {
            let mut conn = app.conn();
            let draft = coffer::ledger::settings::SettingsDraft::parse(
                "Renamed Social",
                "",
                "",
                app.settings.currency,
            )
            .unwrap();
            coffer::ledger::settings::save(&mut conn, &app.settings, &draft).unwrap();
        }
        let known = post(
            &app,
            "/donate/manage",
            &cookie,
            &[("csrf", &csrf), ("email", "ADA@mail.example")],
        )
        .await;
        assert_eq!(known.status(), StatusCode::OK);
        let known = known.text().await.unwrap();
        let said = |html: &str| {
            scraper::Html::parse_document(html)
                .select(&scraper::Selector::parse("p.form-message").unwrap())
                .next()
                .map(|p| p.text().collect::<String>())
        };
        assert_eq!(said(&known), said(&unknown), "the same answer either way");
        assert!(link_sent_to(&app, "nobody@mail.example").is_none());
        let link = link_sent_to(&app, "ada@mail.example").expect("a link by email");
        {
            use coffer::db::schema::outbox;
            let mut conn = app.conn();
            let subject: Option<String> = outbox::table
                .filter(outbox::kind.eq("manage_link"))
                .select(outbox::subject)
                .first(&mut *conn as &mut coffer::db::DbConn)
                .unwrap();
            assert!(subject.is_some_and(|s| s.contains("Renamed Social")));
        }
        let path = link.trim_start_matches("https://coffer.test");
        // A link altered by one character opens nothing.
        let mut forged = path.split('?').next().unwrap().to_owned();
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        assert_eq!(app.get(&forged).await.status(), StatusCode::FORBIDDEN);

        let (cookie, csrf, html) = form(&app, path).await;
        assert!(html.contains("Cancel this donation"), "{html}");
        let action = path.split('?').next().unwrap();
        let response = post(
            &app,
            action,
            &cookie,
            &[("csrf", &csrf), ("action", "consent"), ("show_handle", "1")],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let consent = {
            let mut conn = app.conn();
            coffer::ledger::donors::find(&mut conn, donor)
                .unwrap()
                .consent
        };
        assert!(consent.handle && !consent.name && !consent.link);

        let pledge = {
            let mut conn = app.conn();
            coffer::ledger::pledges::list(&mut conn, Some(donor), None).unwrap()[0].id
        };
        let response = post(
            &app,
            action,
            &cookie,
            &[
                ("csrf", &csrf),
                ("action", "cancel"),
                ("pledge", &pledge.to_string()),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            stripe.calls("DELETE", "/v1/subscriptions/sub_manage").await,
            1
        );
        // The ledger follows from Stripe's webhook, not from the button.
        assert_eq!(
            crate::stripe::pledge_state(&app, "sub_manage").unwrap().0,
            "active"
        );
    }
);

/// A donor in a real browser: from the wall, "Become a Gold sponsor", fill the form, and land
/// on the (fake) Stripe Checkout page.
#[actix_web::test]
async fn a_donor_goes_from_the_wall_to_stripe_checkout_in_a_real_browser_on_sqlite() {
    from_the_wall_to_stripe_checkout_in_a_real_browser(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_donor_goes_from_the_wall_to_stripe_checkout_in_a_real_browser_on_postgres() {
    from_the_wall_to_stripe_checkout_in_a_real_browser(Backend::Postgres).await;
}

async fn from_the_wall_to_stripe_checkout_in_a_real_browser(backend: Backend) {
    use fantoccini::{ClientBuilder, Locator};
    let Some(driver_path) = crate::browser::chromedriver() else {
        return;
    };
    // Served as plain http, so that the browser keeps the form's cookie.
    let Some((app, stripe)) =
        crate::stripe::stripe_app_with(backend, &[("COFFER_PUBLIC_URL", "http://coffer.test")])
            .await
    else {
        return;
    };
    app.standard_tiers().await;
    app.settled().await;
    let driver = crate::browser::start_driver(driver_path).await;
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
    browser.goto(&app.url("/")).await.expect("the wall");
    let width = browser
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap();
    assert!(
        width.as_i64().is_some_and(|w| w <= 390),
        "the wall is wider than a phone: {width}"
    );
    browser
        .find(Locator::Css("a[href^='/donate?tier=gold']"))
        .await
        .expect("a Become a Gold sponsor link")
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Id("email"))
        .await
        .expect("the donation form");
    let checked = browser
        .execute(
            "return document.getElementById('tier-gold').checked;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(checked, serde_json::json!(true));
    let width = browser
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap();
    assert!(
        width.as_i64().is_some_and(|w| w <= 390),
        "wider than a phone: {width}"
    );
    for (id, text) in [
        ("email", "grace@mail.example"),
        ("public_name", "Grace Hopper"),
        ("website", "https://grace.example/"),
    ] {
        browser
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    // The preview follows the typing (the page's script asks the server to render it).
    browser
        .wait()
        .for_element(Locator::XPath(
            "//section[contains(@class, 'preview')]//bdi[contains(., 'Grace Hopper')]",
        ))
        .await
        .expect("the live preview shows the name");
    browser
        .find(Locator::Css("button[value=pay]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_url(&url::Url::parse(&stripe.checkout_url()).unwrap())
        .await
        .expect("on Stripe's Checkout page");
    let page = browser.source().await.unwrap();
    assert!(page.contains("Fake Stripe Checkout"), "{page}");
    let sent = stripe.posted("/v1/checkout/sessions").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["line_items[0][price_data][unit_amount]"], "2500");
    assert_eq!(sent[0]["customer_email"], "grace@mail.example");
    browser.close().await.expect("close the browser");
    drop(driver);
}
