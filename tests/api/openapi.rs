//! The OpenAPI document describes every route the app serves.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::assert_error;

use crate::backend_test;

backend_test!(
    every_route_is_in_the_openapi_document_and_answers,
    |app| async move {
        let document = app.get_json("/openapi.json").await;
        assert!(document["openapi"].as_str().unwrap().starts_with("3."));
        let paths = document["paths"].as_object().unwrap();
        let routes = coffer::web::api_routes();
        assert!(routes.len() >= 20);
        let mut described = 0;
        for route in &routes {
            let method = route.method.as_str().to_lowercase();
            assert!(
                paths.get(route.path).and_then(|p| p.get(&method)).is_some(),
                "{} {} is not in openapi.json",
                route.method,
                route.path
            );
            described += 1;
            // Every listed route is really served: a request never falls through to 404/405.
            let path = route.path.replace("{id}", "1");
            let response = app
                .client
                .request(
                    reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap(),
                    app.url(&path),
                )
                .bearer_auth(&app.token)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let is_route_miss = status == 405
                || (status == 404
                    && body["error"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(" /")));
            assert!(
                !is_route_miss,
                "{} {} answered {status} {body}",
                route.method, route.path
            );
        }
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(
            operations, described,
            "openapi.json describes no route the app lacks"
        );
        // Every $ref points at a defined schema or parameter.
        let text = document.to_string();
        for reference in text.split("\"$ref\":\"#/components/").skip(1) {
            let target = reference.split('"').next().unwrap();
            let (kind, name) = target.split_once('/').unwrap();
            assert!(
                document["components"][kind][name].is_object(),
                "missing component {target}"
            );
        }
    }
);

backend_test!(
    the_document_states_the_rules_the_server_enforces,
    |app| async move {
        let response = app
            .client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["cache-control"], "public, max-age=60");
        assert!(headers.contains_key("etag"));
        let document: Value = response.json().await.unwrap();
        let schemas = &document["components"]["schemas"];
        let tier = &schemas["TierInput"];
        assert_eq!(tier["additionalProperties"], false);
        assert_eq!(tier["properties"]["name"]["maxLength"], 60);
        assert_eq!(tier["properties"]["name"]["minLength"], 1);
        assert_eq!(
            schemas["DonorInput"]["properties"]["public_name"]["maxLength"],
            100
        );
        assert_eq!(
            schemas["DonationInput"]["properties"]["memo"]["maxLength"],
            1000
        );
        assert_eq!(schemas["Interval"]["enum"], json!(["month", "year"]));
        assert_eq!(
            schemas["PledgeInput"]["properties"]["donor_id"]["minimum"],
            1
        );
        let ledger = &document["paths"]["/api/v1/admin/ledger"]["get"]["parameters"];
        let page = ledger
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "page")
            .unwrap();
        assert_eq!(page["schema"]["maximum"], coffer::web::api::admin::MAX_PAGE);
        // Every admin write takes the Idempotency-Key with the pattern the server checks, and
        // every admin route asks for the bearer token.
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if !path.starts_with("/api/v1/admin/") {
                    continue;
                }
                assert_eq!(
                    operation["security"],
                    json!([{ "bearer": [] }]),
                    "{method} {path}"
                );
                if method == "post" || method == "patch" {
                    let key = operation["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|p| p["name"] == "Idempotency-Key")
                        .unwrap_or_else(|| panic!("{method} {path} lacks Idempotency-Key"));
                    assert_eq!(key["in"], "header");
                    assert_eq!(key["schema"]["pattern"], "^[!-~]{1,255}$");
                }
            }
        }

        // The JSON API takes plain decimals only (the console's forms stay liberal).
        let donor = app.open_donor("Ada").await;
        let before = app.row_counts();
        for amount in ["1 000", "12,50", "+5", "05", "5.", "1.0000", "1000000000"] {
            let response = app
                .admin_post(
                    "/api/v1/admin/donations",
                    &json!({"donor_id": donor, "amount": amount}),
                )
                .await;
            assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        }
        // Vocabularies are exact, names are bounded before trimming, ids start at 1.
        for (path, body) in [
            (
                "/api/v1/admin/pledges",
                json!({"donor_id": donor, "amount": "5", "interval": " month"}),
            ),
            (
                "/api/v1/admin/pledges",
                json!({"donor_id": donor, "amount": "5", "interval": "month", "currency": "eur"}),
            ),
            (
                "/api/v1/admin/pledges",
                json!({"donor_id": 0, "amount": "5", "interval": "month"}),
            ),
            (
                "/api/v1/admin/donors",
                json!({"public_name": format!("{} ", "a".repeat(100))}),
            ),
            (
                "/api/v1/admin/donors",
                json!({"public_name": "Ada", "email": ""}),
            ),
            (
                "/api/v1/admin/tiers",
                json!({"slug": " gold", "name": "Gold", "monthly_minimum": "5"}),
            ),
            (
                "/api/v1/admin/tiers",
                json!({"slug": "gold", "name": "Gold", "monthly_minimum": "5", "position": 10001}),
            ),
            (
                "/api/v1/admin/tiers",
                json!({"slug": "gold", "name": "Gold", "monthly_minimum": "5", "link_rel": "sponsored  noopener"}),
            ),
        ] {
            let response = app.admin_post(path, &body).await;
            assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        }
        assert_eq!(app.row_counts(), before);
        // A whole number written with a fraction is an integer to JSON Schema, and to the server.
        let pledge = app
            .create(
                "/api/v1/admin/pledges",
                json!({"donor_id": donor as f64, "amount": "5", "interval": "month"}),
            )
            .await;
        assert_eq!(pledge["donor_id"], donor);
    }
);

/// The served document, byte for byte, is the committed snapshot: a refactoring of the handlers
/// or the types they describe must not change what clients read. After a deliberate change,
/// write the new snapshot with `COFFER_UPDATE_SNAPSHOTS=1 cargo test --test api openapi` and
/// review its diff.
#[actix_web::test]
async fn the_served_document_is_the_committed_snapshot() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let served = response.text().await.unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("api")
        .join("snapshots")
        .join("openapi.json");
    if std::env::var_os("COFFER_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &served).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set COFFER_UPDATE_SNAPSHOTS=1)", path.display()));
    if served != snapshot {
        // One line of JSON makes a poor diff: show the change pretty-printed first.
        let pretty = |text: &str| {
            serde_json::from_str::<Value>(text)
                .and_then(|value| serde_json::to_string_pretty(&value))
                .unwrap_or_else(|_| text.to_owned())
        };
        assert_eq!(pretty(&served), pretty(&snapshot), "openapi.json changed");
        assert_eq!(served, snapshot, "openapi.json changed in its bytes only");
    }
}
