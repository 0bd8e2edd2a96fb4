//! The wall at scale, in small: one rebuild at a time whatever the load, a light front page for a
//! tier of thousands, ledger pages by key, and metrics.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::backend_test;

backend_test!(
    a_burst_of_readers_after_a_write_causes_one_rebuild,
    |app| async move {
        app.seed_demo();
        app.settled().await;
        let before = app.state.publications.builds();
        let donor = app.open_donor("Burst Sponsor").await;
        app.monthly_pledge(donor, "250.00").await;
        let requests = (0..100).map(|i| {
            let path = if i % 2 == 0 { "/" } else { "/api/v1/summary" };
            app.client.get(app.url(path)).send()
        });
        let responses = join_all(requests).await;
        for response in responses {
            assert_eq!(response.expect("GET").status(), StatusCode::OK);
        }
        app.settled().await;
        let rebuilds = app.state.publications.builds() - before;
        // Two writes (donor, pledge), folded into one or two builds; never one per reader.
        assert!(
            (1..=2).contains(&rebuilds),
            "{rebuilds} rebuilds for 2 writes and 100 readers"
        );
        let html = app.get("/").await.text().await.unwrap();
        assert!(
            html.contains("Burst Sponsor"),
            "the write is visible on the wall"
        );
    }
);

backend_test!(
    a_tier_of_thousands_is_compact_on_the_wall_and_paged,
    |app| async move {
        {
            let mut conn = app.conn();
            coffer::db::write_transaction(&mut conn, |conn| {
                coffer::demo::seed_at_scale_if_empty(
                    conn,
                    coffer::domain::Currency::EUR,
                    3000,
                    6000,
                    coffer::db::now(),
                )
            })
            .expect("bulk demo")
            .expect("an empty database");
        }
        app.state.writes.notice().changed();
        let wall = app.get("/").await;
        assert_eq!(wall.status(), StatusCode::OK);
        let html = wall.text().await.unwrap();
        assert!(html.len() < 200 * 1024, "the wall is {} bytes", html.len());
        let sponsors = app.get_json("/api/v1/sponsors").await;
        let largest = sponsors["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .max_by_key(|t| t["sponsor_count"].as_u64().unwrap())
            .unwrap()
            .clone();
        let slug = largest["slug"].as_str().unwrap().to_owned();
        let count = largest["sponsor_count"].as_u64().unwrap() as usize;
        assert!(count > 500, "the largest tier has {count} sponsors");
        // The JSON lists a page of the tier and links the rest, which add up to every sponsor.
        let mut listed = largest["sponsors"].as_array().unwrap().len();
        assert_eq!(listed, 100);
        let mut next = largest["next"].as_str().map(str::to_owned);
        while let Some(url) = next {
            let path = url.trim_start_matches("https://coffer.test").to_owned();
            let page = app.get_json(&path).await;
            listed += page["sponsors"].as_array().unwrap().len();
            next = page["next"].as_str().map(str::to_owned);
        }
        assert_eq!(listed, count);
        assert!(html.contains(&format!("/sponsors/{slug}?page=1")));
        let mut seen = 0;
        let mut page = 1;
        loop {
            let response = app.get(&format!("/sponsors/{slug}?page={page}")).await;
            if response.status() == StatusCode::NOT_FOUND {
                break;
            }
            assert_eq!(response.status(), StatusCode::OK);
            let document = scraper::Html::parse_document(&response.text().await.unwrap());
            let selector = scraper::Selector::parse(".sponsors-compact li").unwrap();
            seen += document.select(&selector).count();
            page += 1;
        }
        assert_eq!(seen, count, "the pages list every sponsor of the tier once");
    }
);

backend_test!(
    ledger_pages_by_cursor_cover_every_entry_once,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        for i in 0..120 {
            app.create(
                "/api/v1/admin/donations",
                json!({"donor_id": donor, "amount": format!("{}.00", i + 1)}),
            )
            .await;
        }
        let mut ids = Vec::new();
        let mut cursor: Option<i64> = None;
        loop {
            let path = match cursor {
                Some(c) => format!("/api/v1/admin/ledger?cursor={c}"),
                None => "/api/v1/admin/ledger".to_owned(),
            };
            let page = app.admin_get_json(&path).await;
            let entries = page["entries"].as_array().unwrap();
            assert!(entries.len() <= 50);
            ids.extend(entries.iter().map(|e| e["id"].as_i64().unwrap()));
            match page["next_cursor"].as_i64() {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(ids.len(), 120);
        assert!(
            ids.windows(2).all(|w| w[0] > w[1]),
            "newest first, no repeats"
        );
        let by_number = app.admin_get_json("/api/v1/admin/ledger?page=2").await;
        assert_eq!(by_number["entries"].as_array().unwrap().len(), 20);
        let both = app.admin_get("/api/v1/admin/ledger?page=1&cursor=5").await;
        assert_eq!(both.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

backend_test!(metrics_are_served_in_prometheus_text, |app| async move {
    app.seed_demo();
    app.get("/").await;
    app.get("/api/v1/summary").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = response.text().await.unwrap();
    for metric in [
        "coffer_http_requests_total",
        "coffer_http_request_duration_seconds_bucket",
        "coffer_wall_rebuilds_total",
        "coffer_wall_rebuild_seconds",
        "coffer_wall_cache_hits_total",
        "coffer_db_pool_wait_seconds",
    ] {
        assert!(text.contains(metric), "{metric} missing");
    }
    assert!(
        text.contains("route=\"/api/v1/summary\""),
        "requests are labelled by route"
    );
});

/// The benchmark's first steps, in small: `coffer demo --entries` seeds in bulk (by COPY on
/// PostgreSQL, then VACUUM), refuses a database that is not empty, and `coffer stats` reads it.
fn bulk_demo_and_stats_work_on(backend: crate::helpers::Backend) {
    use std::process::{Command, Stdio};
    let Some((_db, url)) = crate::helpers::TestDb::create(backend) else {
        return;
    };
    let coffer = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_coffer"))
            .args(args)
            .env("COFFER_DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .output()
            .expect("run coffer")
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).trim().to_owned();
    let demo = coffer(&["demo", "--donors", "300", "--entries", "5000"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let seeded = text(&demo.stdout);
    assert!(
        seeded.contains("300 donors") && seeded.contains("5000 ledger entries"),
        "{seeded}"
    );
    let again = coffer(&["demo", "--donors", "10", "--entries", "100"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("empty database"));
    let stats = coffer(&["stats"]);
    assert!(stats.status.success(), "{}", text(&stats.stderr));
    let stats = text(&stats.stdout);
    assert!(
        stats.contains("300 donors, 5000 ledger entries") && stats.contains("the wall builds in"),
        "{stats}"
    );
}

#[test]
fn bulk_demo_and_stats_work_on_sqlite() {
    bulk_demo_and_stats_work_on(crate::helpers::Backend::Sqlite);
}

#[test]
fn bulk_demo_and_stats_work_on_postgres() {
    bulk_demo_and_stats_work_on(crate::helpers::Backend::Postgres);
}
