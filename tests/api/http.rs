//! HTTP by the book, as standard clients and caches expect it.

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::backend_test;
use crate::helpers::assert_error;

const PUBLIC_GETS: &[&str] = &[
    "/",
    "/api/v1/sponsors",
    "/api/v1/tiers",
    "/api/v1/summary",
    "/openapi.json",
    "/static/coffer.css",
    "/transparency",
    "/api/v1/transparency",
    "/sponsors.svg",
    "/badge.svg",
    "/feed.atom",
    "/api/v1/mastodon/donation_campaign",
    "/api/v1/fediverse/payment-link",
    "/robots.txt",
    "/favicon.ico",
];

backend_test!(head_answers_wherever_get_does, |app| async move {
    app.seed_demo();
    for path in PUBLIC_GETS
        .iter()
        .chain(&["/healthz", "/api/v1/admin/tiers"])
    {
        let get = app
            .client
            .get(app.url(path))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        let get_status = get.status();
        let get_type = get.headers().get(header::CONTENT_TYPE).cloned();
        let get_length = get.bytes().await.unwrap().len();
        let head = app
            .client
            .head(app.url(path))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get_status, "HEAD {path}");
        assert_eq!(head.headers().get(header::CONTENT_TYPE).cloned(), get_type);
        let declared: usize = head.headers()[header::CONTENT_LENGTH]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            declared, get_length,
            "HEAD {path} declares the GET body's length"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has no body"
        );
    }
});

backend_test!(a_wrong_method_gets_405_with_allow, |app| async move {
    let cases: &[(Method, &str, &str)] = &[
        (Method::DELETE, "/api/v1/admin/tiers", "GET, POST, HEAD"),
        (Method::PUT, "/api/v1/admin/donations", "POST"),
        (Method::POST, "/api/v1/summary", "GET, HEAD"),
        (Method::PATCH, "/api/v1/admin/donors/1/pin", "POST"),
    ];
    for (method, path, allow) in cases {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[header::ALLOW], *allow, "{method} {path}");
        assert_error(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
    let page = app.client.post(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(page.headers()[header::ALLOW], "GET, HEAD");
    assert!(page.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
});

backend_test!(
    public_answers_carry_strong_etags_and_answer_304,
    |app| async move {
        app.seed_demo();
        for path in PUBLIC_GETS {
            let first = app.get(path).await;
            assert_eq!(first.status(), StatusCode::OK, "{path}");
            let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
            assert!(
                etag.starts_with('"') && etag.ends_with('"'),
                "{path}: a strong tag, got {etag}"
            );
            let body = first.bytes().await.unwrap();
            let again = app.get(path).await;
            assert_eq!(
                again.headers()[header::ETAG],
                etag.as_str(),
                "{path} is stable"
            );
            assert_eq!(again.bytes().await.unwrap(), body);
            let revalidated = app
                .client
                .get(app.url(path))
                .header(header::IF_NONE_MATCH, &etag)
                .send()
                .await
                .unwrap();
            assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED, "{path}");
            assert_eq!(revalidated.headers()[header::ETAG], etag.as_str());
            assert!(revalidated.bytes().await.unwrap().is_empty());
            let other = app
                .client
                .get(app.url(path))
                .header(header::IF_NONE_MATCH, "\"something-else\"")
                .send()
                .await
                .unwrap();
            assert_eq!(other.status(), StatusCode::OK);
        }
        // A write changes the wall, so its tag.
        let before = app.get("/api/v1/summary").await.headers()[header::ETAG].clone();
        let donor = app.open_donor("New Sponsor").await;
        app.monthly_pledge(donor, "500.00").await;
        let after = app.get("/api/v1/summary").await.headers()[header::ETAG].clone();
        assert_ne!(before, after);
    }
);

backend_test!(
    answers_are_compressed_when_asked_and_decompress_to_the_same_bytes,
    |app| async move {
        use std::io::Read;
        app.seed_demo();
        for path in ["/", "/api/v1/sponsors", "/api/v1/admin/ledger"] {
            let plain = app
                .client
                .get(app.url(path))
                .bearer_auth(&app.token)
                .send()
                .await
                .unwrap();
            assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
            let plain_tag = plain.headers().get(header::ETAG).cloned();
            let plain = plain.bytes().await.unwrap();
            for (coding, accept) in [("gzip", "gzip"), ("br", "br, gzip")] {
                let response = app
                    .client
                    .get(app.url(path))
                    .bearer_auth(&app.token)
                    .header(header::ACCEPT_ENCODING, accept)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    response.headers()[header::CONTENT_ENCODING],
                    coding,
                    "{path}"
                );
                assert!(
                    response.headers().get_all(header::VARY).iter().any(|v| v
                        .to_str()
                        .unwrap()
                        .to_ascii_lowercase()
                        .contains("accept-encoding")),
                    "{path} varies by Accept-Encoding"
                );
                if let Some(plain_tag) = &plain_tag {
                    // Another representation, so another strong tag.
                    assert_ne!(&response.headers()[header::ETAG], plain_tag);
                }
                let compressed = response.bytes().await.unwrap();
                assert!(compressed.len() < plain.len(), "{path} {coding} is smaller");
                let mut decoded = Vec::new();
                if coding == "gzip" {
                    flate2::read::GzDecoder::new(&compressed[..])
                        .read_to_end(&mut decoded)
                        .unwrap();
                } else {
                    brotli::Decompressor::new(&compressed[..], 4096)
                        .read_to_end(&mut decoded)
                        .unwrap();
                }
                assert_eq!(decoded, plain, "{path} {coding}");
            }
        }
    }
);

backend_test!(
    admin_answers_are_no_store_and_public_ones_cache,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        for path in [
            "/api/v1/admin/donors".to_owned(),
            format!("/api/v1/admin/donors/{donor}"),
            "/api/v1/admin/ledger".to_owned(),
            "/api/v1/admin/nothing-here".to_owned(),
        ] {
            let response = app.admin_get(&path).await;
            assert_eq!(
                response.headers()[header::CACHE_CONTROL],
                "no-store",
                "{path}"
            );
        }
        let created = app
            .admin_post(
                "/api/v1/admin/donors",
                &json!({"public_name": "Bo", "email": "bo@mail.example"}),
            )
            .await;
        assert_eq!(created.headers()[header::CACHE_CONTROL], "no-store");
        let wall = app.get("/").await;
        assert!(wall.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("public"));
        let openapi = app.get("/openapi.json").await;
        assert!(openapi.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
    }
);

backend_test!(
    the_bearer_scheme_is_case_insensitive_and_revocation_is_immediate,
    |app| async move {
        for scheme in ["Bearer", "bearer", "BEARER"] {
            let response = app
                .client
                .get(app.url("/api/v1/admin/tiers"))
                .header(header::AUTHORIZATION, format!("{scheme} {}", app.token))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{scheme}");
        }
        let revoked = {
            let mut conn = app.conn();
            coffer::ledger::tokens::revoke(
                &mut conn,
                "tests",
                coffer::ledger::write::Actor::System("test"),
            )
            .expect("revoke")
        };
        assert_eq!(revoked.len(), 1);
        let refused = app.admin_get("/api/v1/admin/tiers").await;
        assert_eq!(refused.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_error(refused, StatusCode::UNAUTHORIZED, "unauthorized").await;
        let mut conn = app.conn();
        let audit = coffer::db::audit::recent(&mut conn, 10).unwrap();
        assert!(audit.iter().any(|(action, _, _)| action == "token.revoke"));
    }
);

backend_test!(
    idempotency_keys_outside_the_stated_pattern_are_refused,
    |app| async move {
        let donor = app.open_donor("Ada").await;
        let before = app.row_counts();
        for key in ["", "with space", "ünïcode", &"k".repeat(256)] {
            let response = app
                .admin_send(
                    Method::POST,
                    "/api/v1/admin/donations",
                    &json!({"donor_id": donor, "amount": "5.00"}),
                    Some(key),
                )
                .await;
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            assert!(status.is_client_error(), "{key:?}: {status} {body}");
        }
        assert_eq!(app.row_counts(), before);
    }
);
