//! The embeds (`/sponsors.svg`, `/badge.svg`, `/feed.atom`) and the fediverse answers
//! (Mastodon's donation campaign, the FEP-0ea0 payment link, the NodeInfo fragment).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::backend_test;
use crate::helpers::{assert_error, TestApp};

/// Elements open and close in order, attributes are quoted, and only XML's own entities
/// (and numeric ones) are used: enough to catch what a template gets wrong.
fn assert_well_formed_xml(text: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = text.trim_start();
    if let Some(after) = rest.strip_prefix("<?xml") {
        rest = &after[after.find("?>").expect("declaration ends") + 2..];
    }
    while let Some(start) = rest.find('<') {
        let between = &rest[..start];
        for entity in between.split('&').skip(1) {
            let name = &entity[..entity.find(';').expect("entity ends")];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&name) || name.starts_with('#'),
                "unknown entity &{name};"
            );
        }
        let end = rest[start..].find('>').expect("tag ends") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "closing {name}");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().expect("a name").to_owned();
            stack.push(name);
        }
        assert_eq!(tag.matches('"').count() % 2, 0, "quotes in <{tag}>");
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

/// Three tiers, a sponsor in each, costs to measure against.
async fn sponsors(app: &TestApp) -> (i64, i64) {
    app.standard_tiers().await;
    let kestrel = app
        .create_id(
            "/api/v1/admin/donors",
            json!({"public_name": "Kestrel <Labs> & Co", "website": "https://kestrel.example/",
               "consent": {"name": true, "logo": true, "link": true}}),
        )
        .await;
    app.monthly_pledge(kestrel, "150.00").await;
    let bram = app
        .create_id(
            "/api/v1/admin/donors",
            json!({"public_name": "Bram Lindqvist", "consent": {"name": true}}),
        )
        .await;
    app.monthly_pledge(bram, "30.00").await;
    let hidden = app
        .create_id(
            "/api/v1/admin/donors",
            json!({"public_name": "Quiet Person", "consent": {"name": false}}),
        )
        .await;
    app.monthly_pledge(hidden, "30.00").await;
    app.create(
        "/api/v1/admin/expenses",
        json!({"amount": "240.00", "category": "hosting"}),
    )
    .await;
    (kestrel, bram)
}

backend_test!(
    the_badge_says_how_much_of_the_month_is_funded,
    |app| async move {
        sponsors(&app).await;
        let response = app.get("/badge.svg").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/svg+xml");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let svg = response.text().await.unwrap();
        assert_well_formed_xml(&svg);
        // 210 a month against 240 / 12 = 20: fully funded.
        assert!(
            svg.contains("<title>funded: 100% this month</title>"),
            "{svg}"
        );
        let again = app
            .client
            .get(app.url("/badge.svg"))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let norsk = app.get("/badge.svg?lang=nb").await.text().await.unwrap();
        assert!(norsk.contains("finansiert: 100 % denne måneden"), "{norsk}");
    }
);

backend_test!(
    the_sponsors_image_links_each_named_sponsor_and_loads_nothing_else,
    |app| async move {
        let (kestrel, _) = sponsors(&app).await;
        // A logo, attached directly; the next write wakes the publisher.
        let logo = coffer::ledger::logos::process(&crate::console::png_logo(64, 64)).unwrap();
        coffer::ledger::logos::attach(&mut app.conn(), kestrel, &logo).unwrap();
        app.open_donor("Late Comer").await;
        let response = app.get("/sponsors.svg").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/svg+xml");
        let svg = response.text().await.unwrap();
        assert_well_formed_xml(&svg);
        assert!(
            svg.contains("<title>Kestrel &lt;Labs&gt; &amp; Co</title>"),
            "{svg}"
        );
        assert!(svg.contains("<title>Bram Lindqvist</title>"));
        assert!(!svg.contains("Quiet Person"));
        assert!(svg.contains("href=\"https://kestrel.example/\""));
        assert!(
            svg.contains("href=\"data:image/png;base64,"),
            "the logo is inside"
        );
        for (i, _) in svg.match_indices("<image") {
            let image = &svg[i..i + svg[i..].find("/>").unwrap()];
            assert!(image.contains("href=\"data:"), "{image}");
        }
        let gold_only = app
            .get("/sponsors.svg?tier=gold&width=400&limit=1")
            .await
            .text()
            .await
            .unwrap();
        assert!(gold_only.contains("width=\"400\""));
        assert!(gold_only.contains("Bram Lindqvist"));
        assert!(!gold_only.contains("Kestrel"));
        for (query, status, code) in [
            ("width=100", StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ("width=5000", StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ("limit=0", StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ("limit=501", StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ("tier=nope", StatusCode::NOT_FOUND, "not_found"),
            ("colour=red", StatusCode::BAD_REQUEST, "bad_request"),
        ] {
            let response = app.get(&format!("/sponsors.svg?{query}")).await;
            assert_error(response, status, code).await;
        }
    }
);

backend_test!(
    the_feed_lists_named_sponsors_and_the_months,
    |app| async move {
        sponsors(&app).await;
        let response = app.get("/feed.atom").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "application/atom+xml; charset=utf-8"
        );
        let atom = response.text().await.unwrap();
        assert_well_formed_xml(&atom);
        assert!(atom.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
        // RFC 4287: the feed has an id, a title, an updated date and an author.
        for element in ["<id>", "<title>", "<updated>", "<author><name>"] {
            assert!(atom.contains(element), "{element}: {atom}");
        }
        assert!(
            atom.contains("Kestrel &lt;Labs&gt; &amp; Co became a Platinum sponsor"),
            "{atom}"
        );
        assert!(atom.contains("Bram Lindqvist became a Gold sponsor"));
        assert!(
            !atom.contains("Quiet Person"),
            "only those who consented are named"
        );
        let entries = atom.matches("<entry>").count();
        assert_eq!(entries, atom.matches("</updated>").count() - 1);
    }
);

backend_test!(
    mastodon_gets_a_campaign_in_the_visitors_language_until_it_is_switched_off,
    |app| async move {
        sponsors(&app).await;
        let campaign = app
            .get_json("/api/v1/mastodon/donation_campaign?platform=web&seed=42&locale=en&environment=production")
            .await;
        for field in [
            "id",
            "banner_message",
            "banner_button_text",
            "donation_message",
            "donation_button_text",
            "donation_success_post",
        ] {
            assert!(
                campaign[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field}"
            );
        }
        assert_eq!(campaign["locale"], "en");
        assert_eq!(campaign["default_currency"], "EUR");
        assert_eq!(
            campaign["donation_url"],
            app.url("/donate")
                .replace(&app.address, app.settings.public_url.trim_end_matches('/'))
        );
        assert_eq!(
            campaign["amounts"]["monthly"]["EUR"],
            json!([500, 2500, 10000])
        );
        assert_eq!(
            campaign["amounts"]["yearly"]["EUR"],
            json!([6000, 30000, 120000])
        );
        assert_eq!(
            campaign["amounts"]["one_time"]["EUR"],
            json!([500, 2500, 10000])
        );
        let norsk = app
            .get_json("/api/v1/mastodon/donation_campaign?platform=web&seed=1&locale=nb-NO")
            .await;
        assert_eq!(norsk["locale"], "nb");
        assert_eq!(
            norsk["id"], campaign["id"],
            "one campaign, in two languages"
        );
        assert!(norsk["banner_button_text"]
            .as_str()
            .unwrap()
            .starts_with("Støtt"));
        // The treasurer's own words, then switched off.
        let changed = app
            .admin_post(
                "/api/v1/admin/public-settings",
                &json!({"mastodon_campaign": true,
                        "messages": {"en": {"banner_message": "Keep our servers running!"}}}),
            )
            .await;
        assert_eq!(changed.status(), StatusCode::OK);
        let worded = app
            .get_json("/api/v1/mastodon/donation_campaign?locale=en")
            .await;
        assert_eq!(worded["banner_message"], "Keep our servers running!");
        assert_ne!(worded["id"], campaign["id"], "a new campaign shows again");
        app.admin_post(
            "/api/v1/admin/public-settings",
            &json!({"mastodon_campaign": false}),
        )
        .await;
        let off = app
            .get("/api/v1/mastodon/donation_campaign?locale=en")
            .await;
        assert_eq!(off.status(), StatusCode::NO_CONTENT);
        // The amount and frequency chosen in Mastodon open the donation form filled in.
        let form = app
            .get("/donate?amount=1500&currency=EUR&frequency=yearly")
            .await
            .text()
            .await
            .unwrap();
        assert!(form.contains("value=\"15.00\""), "the amount");
        let payment: Value = app.get_json("/api/v1/fediverse/payment-link").await;
        assert_eq!(payment["type"], "Link");
        assert_eq!(payment["rel"], "payment");
        assert!(payment["href"].as_str().unwrap().ends_with("/donate"));
        let nodeinfo = app.get_json("/api/v1/fediverse/nodeinfo-metadata").await;
        assert_eq!(nodeinfo["funding"]["paymentLink"], payment);
    }
);
