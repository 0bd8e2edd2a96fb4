//! The public sponsor wall and its JSON, as a visitor sees them.

use scraper::{Html, Selector};
use serde_json::json;

use crate::backend_test;

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).expect("selector"))
        .collect()
}

fn text(element: &scraper::ElementRef<'_>) -> String {
    element.text().collect::<String>().trim().to_owned()
}

backend_test!(
    an_empty_wall_is_well_formed_and_says_how_to_start,
    |app| async move {
        let response = app.get("/").await;
        assert_eq!(response.status(), 200);
        let csp = response
            .headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(select(&html, "html")[0].value().attr("lang"), Some("en"));
        assert_eq!(select(&html, "h1").len(), 1);
        assert!(text(&select(&html, "h1")[0]).contains("Example Social"));
        let start = text(&select(&html, ".getting-started")[0]);
        assert!(start.contains("coffer token create"), "{start}");
        assert!(
            text(&select(&html, ".independence")[0]).contains("Sponsorship does not buy influence")
        );
        assert_eq!(app.get_json("/healthz").await["status"], "ok");
    }
);

backend_test!(
    sponsors_show_only_the_perks_their_tier_gives_and_they_consented_to,
    |app| async move {
        app.standard_tiers().await;
        // Platinum: every perk, full consent.
        let platinum = app
        .create_id("/api/v1/admin/donors", json!({
            "public_name": "Kestrel Labs", "email": "billing@kestrel.example", "legal_name": "Kestrel Labs GmbH",
            "website": "https://kestrel.example/", "fediverse_handle": "@kestrel@social.example",
            "consent": {"name": true, "logo": true, "link": true, "handle": true, "amount": false}
        }))
        .await;
        app.monthly_pledge(platinum, "150.00").await;
        // Gold grants name and link; this donor consents to name and handle only.
        let gold = app
        .create_id("/api/v1/admin/donors", json!({
            "public_name": "Bram Lindqvist", "website": "https://bram.example/", "fediverse_handle": "@bram@social.example",
            "consent": {"name": true, "handle": true}
        }))
        .await;
        app.monthly_pledge(gold, "30.00").await;
        // Anonymous: counted, never named.
        let anonymous = app
        .create_id("/api/v1/admin/donors", json!({"public_name": "Secret Person", "anonymous": true, "consent": {"name": true}}))
        .await;
        app.monthly_pledge(anonymous, "200.00").await;
        // Escaping: a hostile name is shown as text.
        let hostile = app
            .create_id(
                "/api/v1/admin/donors",
                json!({"public_name": "<script>alert(1)</script>", "consent": {"name": true}}),
            )
            .await;
        app.monthly_pledge(hostile, "5.00").await;
        app.create(
            "/api/v1/admin/expenses",
            json!({"amount": "1200.00", "category": "hosting"}),
        )
        .await;

        let sponsors = app.get_json("/api/v1/sponsors").await;
        let body = sponsors.to_string();
        for private in [
            "billing@kestrel.example",
            "Kestrel Labs GmbH",
            "Secret Person",
            "bram.example",
            "@bram@",
        ] {
            assert!(!body.contains(private), "{private} leaked into {body}");
        }
        assert_eq!(sponsors["tiers"][0]["slug"], "platinum");
        assert_eq!(
            sponsors["tiers"][0]["sponsors"][0],
            json!({"name": "Kestrel Labs", "link": "https://kestrel.example/",
               "fediverse_handle": "@kestrel@social.example", "profile_url": "https://social.example/@kestrel"})
        );
        assert_eq!(
            sponsors["tiers"][1]["sponsors"][0],
            json!({"name": "Bram Lindqvist"})
        );
        assert_eq!(
            sponsors["tiers"][2]["sponsors"][0],
            json!({"name": "<script>alert(1)</script>"})
        );
        assert_eq!(sponsors["anonymous_supporters"], 1);
        assert!(sponsors["statement"]
            .as_str()
            .unwrap()
            .contains("no say in moderation"));

        let summary = app.get_json("/api/v1/summary").await;
        assert_eq!(
            summary,
            json!({
                "currency": "EUR",
                "monthly_recurring": {"amount": "385.00", "currency": "EUR"},
                "monthly_goal": {"amount": "100.00", "currency": "EUR"},
                "sponsors": 3,
                "anonymous_supporters": 1
            })
        );

        let response = app.get("/").await;
        assert_eq!(
            response.headers().get("cache-control").unwrap(),
            "public, max-age=60"
        );
        let raw = response.text().await.unwrap();
        assert!(
            !raw.contains("<script>alert(1)</script>"),
            "the hostile name must be escaped"
        );
        assert!(!raw.contains("Secret Person"));
        let html = Html::parse_document(&raw);
        let headings: Vec<String> = select(&html, "section.tier h2").iter().map(text).collect();
        assert_eq!(headings, ["Platinum", "Gold", "Rosegold"]);
        let link = &select(&html, ".tier-platinum a.sponsor-name")[0];
        assert_eq!(link.value().attr("href"), Some("https://kestrel.example/"));
        assert_eq!(link.value().attr("rel"), Some("sponsored noopener"));
        assert_eq!(
            text(&select(&html, ".tier-gold .sponsor")[0]),
            "Bram Lindqvist"
        );
        assert_eq!(
            text(&select(&html, ".tier-rosegold .sponsor-name")[0]),
            "<script>alert(1)</script>"
        );
        assert!(text(&select(&html, ".anonymous")[0]).contains("One supporter"));
        let progress = &select(&html, "progress#goal-progress")[0];
        assert_eq!(progress.value().attr("value"), Some("100"));
        for img in select(&html, "img") {
            assert!(img.value().attr("alt").is_some_and(|a| !a.is_empty()));
        }
        assert_eq!(select(&html, ".independence").len(), 1);
    }
);

backend_test!(
    a_refund_reverses_the_donation_and_the_wall_drops_the_sponsor,
    |app| async move {
        app.standard_tiers().await;
        let donor = app.open_donor("Noor Haddad").await;
        let gift = app
            .create_id(
                "/api/v1/admin/donations",
                json!({"donor_id": donor, "amount": "600.00"}),
            )
            .await;
        let wall = app.get_json("/api/v1/sponsors").await;
        assert_eq!(
            wall["tiers"][1]["slug"], "gold",
            "600 a year is 50 a month: gold"
        );
        assert_eq!(wall["tiers"][1]["sponsors"][0]["name"], "Noor Haddad");
        app.create(
            "/api/v1/admin/refunds",
            json!({"entry_id": gift, "amount": "400.00"}),
        )
        .await;
        let wall = app.get_json("/api/v1/sponsors").await;
        assert_eq!(wall["tiers"][1]["sponsors"].as_array().unwrap().len(), 0);
        assert_eq!(
            wall["tiers"][2]["sponsors"][0]["name"], "Noor Haddad",
            "200 left is 16.67 a month: rosegold"
        );
        app.create("/api/v1/admin/refunds", json!({"entry_id": gift}))
            .await;
        let wall = app.get_json("/api/v1/sponsors").await;
        assert!(wall["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["sponsors"].as_array().unwrap().is_empty()));
        assert_eq!(wall["anonymous_supporters"], 0);
    }
);

backend_test!(
    consent_can_be_withdrawn_and_the_wall_follows,
    |app| async move {
        app.standard_tiers().await;
        let donor = app.open_donor("Wren Byrne").await;
        app.monthly_pledge(donor, "120.00").await;
        let wall = app.get_json("/api/v1/sponsors").await;
        assert_eq!(wall["tiers"][0]["sponsors"][0]["name"], "Wren Byrne");
        assert_eq!(
            wall["tiers"][0]["sponsors"][0]["monthly_amount"],
            json!({"amount": "120.00", "currency": "EUR"})
        );
        let patch = app
            .admin_send(
                reqwest::Method::PATCH,
                &format!("/api/v1/admin/donors/{donor}"),
                &json!({"anonymous": true}),
                None,
            )
            .await;
        assert_eq!(patch.status(), 200);
        let wall = app.get_json("/api/v1/sponsors").await;
        assert!(wall["tiers"][0]["sponsors"].as_array().unwrap().is_empty());
        assert_eq!(wall["anonymous_supporters"], 1);
        let summary = app.get_json("/api/v1/summary").await;
        assert_eq!(
            summary["monthly_recurring"]["amount"], "120.00",
            "anonymous donors still count in totals"
        );
    }
);

backend_test!(the_demo_wall_is_populated, |app| async move {
    let summary = app.seed_demo();
    assert_eq!(summary.tiers, 3);
    assert_eq!(summary.donors, 40);
    let wall = app.get_json("/api/v1/sponsors").await;
    let named: usize = wall["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["sponsors"].as_array().unwrap().len())
        .sum();
    assert!(named >= 15, "{wall}");
    assert!(
        wall["anonymous_supporters"].as_u64().unwrap() >= 3,
        "{wall}"
    );
    let refunds = app.admin_get_json("/api/v1/admin/ledger?kind=refund").await;
    assert_eq!(refunds["entries"].as_array().unwrap().len(), 1);
    let summary = app.get_json("/api/v1/summary").await;
    assert_eq!(summary["monthly_goal"]["amount"], "971.25", "{summary}");
    let html = app.get_html("/").await;
    assert!(select(&html, ".sponsor").len() >= 15);
    assert!(select(&html, ".getting-started").is_empty());
    let logos = select(&html, "img.sponsor-logo");
    assert!(!logos.is_empty(), "demo companies show their logos");
    for logo in &logos {
        assert!(logo
            .value()
            .attr("alt")
            .is_some_and(|a| a.starts_with("Logo of ")));
        let src = logo.value().attr("src").expect("src");
        let image = app.get(src).await;
        assert_eq!(image.status(), 200, "{src}");
        assert_eq!(image.headers()["content-type"], "image/svg+xml");
    }
    let logo_urls = wall
        .to_string()
        .matches("\"logo_url\":\"https://coffer.test/static/demo/")
        .count();
    assert_eq!(
        logo_urls,
        logos.len(),
        "the JSON gives the same logos, as absolute URLs"
    );
    let mut conn = app.conn();
    let again = coffer::db::write_transaction(&mut conn, |conn| {
        coffer::demo::seed_if_empty(conn, coffer::domain::Currency::EUR, 40, coffer::db::now())
    })
    .unwrap();
    assert!(
        again.is_none(),
        "demo data only goes into an empty database"
    );
});

backend_test!(
    the_wall_speaks_the_visitors_language_with_a_switch,
    |app| async move {
        app.standard_tiers().await;
        let donor = app.open_donor("Kari Nordmann").await;
        app.monthly_pledge(donor, "1234.50").await;
        app.settled().await;
        let english = app.get("/").await;
        assert_eq!(english.headers()["content-language"], "en");
        let english = english.text().await.unwrap();
        assert!(english.contains("<html lang=\"en\">"));
        assert!(english.contains("Who funds Example Social"));
        assert!(english.contains("€1,234.50"), "English amounts");
        assert!(
            english.contains("href=\"/?lang=nb\""),
            "a link switches the language"
        );
        let norwegian = app
            .client
            .get(app.url("/"))
            .header("Accept-Language", "nb-NO,nb;q=0.9,en;q=0.5")
            .send()
            .await
            .unwrap();
        assert_eq!(norwegian.headers()["content-language"], "nb");
        assert!(norwegian.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Language"));
        let norwegian = norwegian.text().await.unwrap();
        assert!(norwegian.contains("<html lang=\"nb\">"));
        assert!(norwegian.contains("Hvem finansierer Example Social"));
        assert!(norwegian.contains("1 234,50 €"), "Bokmål amounts");
        assert!(norwegian.contains("Sponsing kjøper ingen innflytelse"));
        assert!(
            norwegian.contains("Sponsing gir ikke innflytelse"),
            "the statement is translated"
        );
        // The switch wins over the browser's preference.
        let switched = app.get("/?lang=en").await;
        assert_eq!(switched.headers()["content-language"], "en");
        let chosen = app
            .client
            .get(app.url("/?lang=nb"))
            .header("Accept-Language", "en")
            .send()
            .await
            .unwrap();
        assert_eq!(chosen.headers()["content-language"], "nb");
        // Each language is its own representation, with its own validator.
        let en_tag = app.get("/?lang=en").await.headers()["etag"].clone();
        let nb_tag = app.get("/?lang=nb").await.headers()["etag"].clone();
        assert_ne!(en_tag, nb_tag);
    }
);
