//! `/transparency` and its JSON: where the money goes, month by month, per currency, with
//! nothing personal in it.

use chrono::{Datelike, NaiveDate, Utc};
use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::{json, Value};

use crate::backend_test;
use crate::helpers::{assert_error, TestApp};

/// Noon on the first day of the month `back` months before this one.
fn month_start(back: i32) -> (String, String) {
    let today = Utc::now().date_naive();
    let index = today.year() * 12 + today.month0() as i32 - back;
    let date = NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .expect("a month");
    (
        format!("{date}T12:00:00Z"),
        format!("{:04}-{:02}", date.year(), date.month()),
    )
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).expect("selector"))
        .collect()
}

/// Three months of books: a gift and its partial refund, hosting every month, a domain once,
/// a gift in another currency; 500 EUR before Coffer.
async fn three_months_of_books(app: &TestApp) -> Value {
    let settings = app
        .admin_post(
            "/api/v1/admin/public-settings",
            &json!({"opening_balance": "500.00 EUR", "mastodon_campaign": true}),
        )
        .await;
    assert_eq!(settings.status(), StatusCode::OK);
    let donor = app.open_donor("Ada Lovelace").await;
    let (m3, _) = month_start(3);
    let (m2, _) = month_start(2);
    let (m1, _) = month_start(1);
    let gift = app
        .create_id(
            "/api/v1/admin/donations",
            json!({"donor_id": donor, "amount": "100.00", "occurred_at": m3}),
        )
        .await;
    app.create(
        "/api/v1/admin/refunds",
        json!({"entry_id": gift, "amount": "10.00", "occurred_at": m1, "memo": "asked back"}),
    )
    .await;
    app.create(
        "/api/v1/admin/donations",
        json!({"donor_id": donor, "amount": "30.00", "currency": "USD", "occurred_at": m2}),
    )
    .await;
    let hosting = app
        .create_id(
            "/api/v1/admin/expenses",
            json!({"amount": "40.00", "category": "hosting", "occurred_at": m3,
                   "memo": "invoice 2291 for Ada's account manager",
                   "public_note": "Hetzner AX41, media storage"}),
        )
        .await;
    for (amount, category, at) in [
        ("40.00", "hosting", &m2),
        ("12.00", "domain", &m2),
        ("40.00", "hosting", &m1),
    ] {
        app.create(
            "/api/v1/admin/expenses",
            json!({"amount": amount, "category": category, "occurred_at": at}),
        )
        .await;
    }
    json!({"gift": gift, "hosting": hosting})
}

backend_test!(
    the_books_show_each_month_the_balance_and_how_long_it_lasts,
    |app| async move {
        three_months_of_books(&app).await;
        let books = app.get_json("/api/v1/transparency").await;
        let eur = &books["currencies"][0];
        assert_eq!(eur["currency"], "EUR");
        assert_eq!(
            eur["opening_balance"],
            json!({"amount": "500.00", "currency": "EUR"})
        );
        let months = eur["months"].as_array().unwrap();
        assert_eq!(months.len(), 24);
        let (_, label3) = month_start(3);
        let (_, label2) = month_start(2);
        let (_, label1) = month_start(1);
        let month = |label: &str| {
            months
                .iter()
                .find(|m| m["month"] == label)
                .unwrap_or_else(|| panic!("no month {label}"))
                .clone()
        };
        let m3 = month(&label3);
        assert_eq!(m3["income"]["amount"], "100.00");
        assert_eq!(m3["expenses_total"]["amount"], "40.00");
        assert_eq!(m3["net"]["amount"], "60.00");
        assert_eq!(m3["balance"]["amount"], "560.00");
        let m2 = month(&label2);
        assert_eq!(
            m2["expenses"],
            json!([
                {"category": "hosting", "amount": {"amount": "40.00", "currency": "EUR"}},
                {"category": "domain", "amount": {"amount": "12.00", "currency": "EUR"}}
            ])
        );
        let m1 = month(&label1);
        assert_eq!(m1["refunds"]["amount"], "10.00");
        assert_eq!(m1["income"]["amount"], "-10.00");
        assert_eq!(m1["balance"]["amount"], "458.00");
        assert_eq!(eur["balance"]["amount"], "458.00");
        // (40 + 52 + 40) / 3 = 44 a month; 458 lasts 10 whole months.
        assert_eq!(eur["average_monthly_cost"]["amount"], "44.00");
        assert_eq!(eur["funded_months"], 10);
        // Another currency has books of its own, never added to the euros.
        let usd = &books["currencies"][1];
        assert_eq!(usd["currency"], "USD");
        assert_eq!(usd["balance"]["amount"], "30.00");
        assert_eq!(usd["funded_months"], Value::Null);
        assert_eq!(books["recurring"]["monthly_costs"]["amount"], "44.00");
        assert_eq!(
            books["notes"],
            json!([{"date": month_start(3).0[..10], "category": "hosting",
                    "amount": {"amount": "40.00", "currency": "EUR"},
                    "note": "Hetzner AX41, media storage"}])
        );
        let text = books.to_string();
        assert!(!text.contains("Ada"), "no donor, no private memo: {text}");
    }
);

backend_test!(
    the_page_draws_the_chart_and_lists_the_same_numbers,
    |app| async move {
        three_months_of_books(&app).await;
        let response = app.get("/transparency").await;
        assert_eq!(response.status(), StatusCode::OK);
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(select(&html, "h1").len(), 1);
        let charts = select(&html, "svg.chart");
        assert_eq!(charts.len(), 2, "one chart per currency");
        assert_eq!(select(&html, "svg.chart title").len(), 2);
        assert_eq!(
            select(&html, "svg.chart rect.chart-income").len(),
            2 * (24 + 1)
        );
        assert_eq!(select(&html, ".books-table tbody tr").len(), 48);
        let page = html.root_element().text().collect::<String>();
        assert!(page.contains("€458.00"), "{page}");
        assert!(page.contains("10 months"), "{page}");
        assert!(page.contains("Hetzner AX41, media storage"));
        assert!(!page.contains("Ada"), "no donor is named");
        assert!(!page.contains("invoice 2291"), "memos stay private");
        assert_eq!(
            select(&html, "meta[property='og:title']").len(),
            1,
            "link previews have a title"
        );
        // Cached like the wall: the same answer again is a 304.
        let again = app
            .client
            .get(app.url("/transparency"))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let norsk = app.get_html("/transparency?lang=nb").await;
        assert_eq!(select(&norsk, "html")[0].value().attr("lang"), Some("nb"));
        let text = norsk.root_element().text().collect::<String>();
        assert!(text.contains("Hvor pengene går"), "{text}");
        assert!(text.contains("458,00"), "{text}");
    }
);

backend_test!(
    notes_and_the_opening_balance_are_audited_and_only_expenses_carry_notes,
    |app| async move {
        let ids = three_months_of_books(&app).await;
        let gift = ids["gift"].as_i64().unwrap();
        let hosting = ids["hosting"].as_i64().unwrap();
        let refused = app
            .admin_post(
                &format!("/api/v1/admin/expenses/{gift}/public-note"),
                &json!({"note": "from Ada"}),
            )
            .await;
        assert_error(refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        let changed = app
            .admin_post(
                &format!("/api/v1/admin/expenses/{hosting}/public-note"),
                &json!({"note": "Hetzner AX52"}),
            )
            .await;
        assert_eq!(changed.status(), StatusCode::OK);
        let books = app.get_json("/api/v1/transparency").await;
        assert_eq!(books["notes"][0]["note"], "Hetzner AX52");
        let bad = app
            .admin_post(
                "/api/v1/admin/public-settings",
                &json!({"opening_balance": "12 EUR, 3 EUR", "mastodon_campaign": true}),
            )
            .await;
        assert_error(bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        let settings = app.admin_get_json("/api/v1/admin/public-settings").await;
        assert_eq!(
            settings["opening_balances"],
            json!([{"amount": "500.00", "currency": "EUR"}])
        );
        let mut conn = app.conn();
        let actions: Vec<(String, String)> = {
            use coffer::db::schema::audit_log::dsl::*;
            use diesel::prelude::*;
            audit_log
                .filter(action.eq_any(["public_settings.update", "expense.public_note"]))
                .select((action, detail))
                .load(&mut *conn)
                .unwrap()
        };
        assert_eq!(actions.len(), 2, "{actions:?}");
        assert!(actions[0].1.contains("500.00 EUR"), "{actions:?}");
        assert!(
            actions[1].1.contains("Hetzner AX41"),
            "the note before: {actions:?}"
        );
        // The ledger entry itself is untouched: the notes are rows of their own.
        assert_eq!(app.count("expense_notes"), 1);
    }
);
