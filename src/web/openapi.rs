//! The OpenAPI 3.1 description of the JSON API, generated from the handlers' `#[utoipa::path]`
//! annotations and the input and view types, and served at `/openapi.json`.
//! A test checks that every route in [`super::api_routes`] is described here. The answers that
//! many routes share are types of their own, in [`super::api::responses`]: this module only lists.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::api::{admin, public};
use super::views::ErrorView;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Coffer API",
        description = "Public sponsor facts and the treasurer's ledger API. Money is a decimal string and an ISO 4217 code, never a float. Sponsorship buys no influence: perks are display only. Admin routes take `Authorization: Bearer <token>` (a token from `coffer token create NAME`); request bodies are `application/json` objects of at most 64 KiB; unknown fields and unknown query parameters are refused with 400."
    ),
    paths(
        public::health,
        document,
        public::sponsors,
        public::tier_sponsors,
        public::tiers,
        public::summary,
        super::api::books::checkpoints,
        super::api::books::ledger_key,
        super::api::books::consistency,
        super::api::books::proof,
        super::transparency::json,
        super::mastodon::donation_campaign,
        super::mastodon::payment_link_json,
        super::mastodon::nodeinfo_metadata,
        super::webhooks::stripe,
        admin::tiers::list,
        admin::tiers::create,
        admin::tiers::update,
        admin::tiers::archive,
        admin::donors::list,
        admin::donors::create,
        admin::donors::show,
        admin::donors::update,
        admin::donors::pin,
        admin::pledges::list,
        admin::pledges::create,
        admin::pledges::change_status,
        admin::ledger::list,
        admin::ledger::record_donation,
        admin::ledger::record_refund,
        admin::ledger::record_expense,
        admin::ledger::record_correction,
        admin::public_pages::publish_note,
        admin::public_pages::show,
        admin::public_pages::update,
        admin::receipts::show,
        admin::receipts::resend,
    ),
    components(schemas(ErrorView)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `coffer token create NAME`"))
                    .build(),
            ),
        );
    }
}

/// The document as a value (for tests and tools).
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /openapi.json`: serialised once, cached by clients for a minute.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "public",
    summary = "This document",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
pub async fn document() -> HttpResponse {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let body = DOCUMENT.get_or_init(|| {
        openapi()
            .to_json()
            .expect("the OpenAPI document serialises")
    });
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .body(body.as_str())
}
