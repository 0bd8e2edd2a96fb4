//! The OpenAPI document describes every route the app serves.

use serde_json::{json, Value};

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
