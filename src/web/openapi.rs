//! The OpenAPI 3 description of the JSON API, served at `/openapi.json`.
//! A test checks that every route in [`super::api_routes`] is described here.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde_json::{json, Value};

/// `GET /openapi.json`.
pub async fn document() -> HttpResponse {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "public, max-age=60"))
        .json(DOCUMENT.get_or_init(build))
}

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn json_body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema(name) } } })
}

fn ok(description: &str, name: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema(name) } } })
}

fn errors() -> Value {
    let error = json!({ "content": { "application/json": { "schema": schema("Error") } } });
    let with = |description: &str| {
        let mut e = error.clone();
        e["description"] = json!(description);
        e
    };
    json!({
        "400": with("The body is not the JSON this route expects"),
        "401": with("A valid API token is required"),
        "404": with("Not found"),
        "409": with("Conflicts with what is recorded (e.g. a replayed external reference)"),
        "422": with("Invalid input, or an Idempotency-Key reused with another request"),
    })
}

/// An admin write: bearer auth, an optional Idempotency-Key, a JSON body.
fn admin_write(summary: &str, body: &str, status: &str, response: &str, path_id: bool) -> Value {
    let mut parameters = vec![json!({ "$ref": "#/components/parameters/IdempotencyKey" })];
    if path_id {
        parameters.push(json!({ "$ref": "#/components/parameters/Id" }));
    }
    let mut responses = errors();
    responses[status] = ok(summary, response);
    json!({
        "summary": summary,
        "security": [{ "bearer": [] }],
        "parameters": parameters,
        "requestBody": json_body(body),
        "responses": responses,
    })
}

fn admin_read(summary: &str, response: &str, parameters: Value) -> Value {
    let mut responses = errors();
    responses["200"] = ok(summary, response);
    json!({
        "summary": summary,
        "security": [{ "bearer": [] }],
        "parameters": parameters,
        "responses": responses,
    })
}

fn public_read(summary: &str, response: &str) -> Value {
    json!({ "summary": summary, "responses": { "200": ok(summary, response) } })
}

fn query(name: &str, kind: &str, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": { "type": kind } })
}

fn build() -> Value {
    let id = json!({ "$ref": "#/components/parameters/Id" });
    let money_string =
        json!({ "type": "string", "pattern": "^-?[0-9]+([.,][0-9]+)?$", "example": "50.00" });
    let nullable_string = json!({ "type": ["string", "null"] });
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Coffer API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Public sponsor facts and the treasurer's ledger API. Money is a decimal string and an ISO 4217 code, never a float. Sponsorship buys no influence: perks are display only."
        },
        "paths": {
            "/healthz": { "get": { "summary": "Liveness and database check", "responses": { "200": { "description": "Healthy" } } } },
            "/openapi.json": { "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3 document" } } } },
            "/api/v1/sponsors": { "get": public_read("Sponsors by tier, with only consented fields", "Sponsors") },
            "/api/v1/tiers": { "get": public_read("Current sponsor tiers", "PublicTiers") },
            "/api/v1/summary": { "get": public_read("Recurring support against the monthly goal", "Summary") },
            "/api/v1/admin/tiers": {
                "get": admin_read("List tiers", "TierList", json!([query("include_archived", "boolean", "Include archived tiers")])),
                "post": admin_write("Create a tier", "TierInput", "201", "Tier", false),
            },
            "/api/v1/admin/tiers/{id}": {
                "patch": admin_write("Update a tier", "TierPatch", "200", "Tier", true),
            },
            "/api/v1/admin/tiers/{id}/archive": {
                "post": admin_write("Archive a tier", "Empty", "200", "Tier", true),
            },
            "/api/v1/admin/donors": {
                "get": admin_read("List donors", "DonorList", json!([query("page", "integer", "Page number from 0")])),
                "post": admin_write("Create a donor", "DonorInput", "201", "Donor", false),
            },
            "/api/v1/admin/donors/{id}": {
                "get": admin_read("A donor with pledges, entries and standing", "DonorDetail", json!([id])),
                "patch": admin_write("Update a donor's details or consent", "DonorPatch", "200", "Donor", true),
            },
            "/api/v1/admin/donors/{id}/pin": {
                "post": admin_write("Pin a donor to a tier (audited)", "PinInput", "200", "Donor", true),
            },
            "/api/v1/admin/pledges": {
                "get": admin_read("List pledges", "PledgeList", json!([
                    query("donor_id", "integer", "Only this donor's pledges"),
                    query("status", "string", "active, past_due, paused or cancelled")
                ])),
                "post": admin_write("Record a pledge", "PledgeInput", "201", "Pledge", false),
            },
            "/api/v1/admin/pledges/{id}/status": {
                "post": admin_write("Change a pledge's status (audited)", "StatusInput", "200", "Pledge", true),
            },
            "/api/v1/admin/ledger": {
                "get": admin_read("The ledger, newest first", "LedgerPage", json!([
                    query("kind", "string", "donation, refund, fee, expense or correction"),
                    query("donor_id", "integer", "Only this donor's entries"),
                    query("page", "integer", "Page number from 0")
                ])),
            },
            "/api/v1/admin/donations": { "post": admin_write("Record a donation", "DonationInput", "201", "Entry", false) },
            "/api/v1/admin/refunds": { "post": admin_write("Refund (part of) a donation", "RefundInput", "201", "Entry", false) },
            "/api/v1/admin/expenses": { "post": admin_write("Record a running cost", "ExpenseInput", "201", "Entry", false) },
            "/api/v1/admin/corrections": { "post": admin_write("Correct a mistaken entry", "CorrectionInput", "201", "Entry", false) },
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "A token from `coffer token create NAME`" } },
            "parameters": {
                "Id": { "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } },
                "IdempotencyKey": {
                    "name": "Idempotency-Key", "in": "header", "required": false,
                    "description": "The same key and body returns the first response; the same key with another body is refused with 422.",
                    "schema": { "type": "string", "maxLength": 255 }
                }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": { "code": { "type": "string" }, "message": { "type": "string" } } } } },
                "Money": { "type": "object", "required": ["amount", "currency"], "properties": { "amount": money_string, "currency": { "type": "string", "example": "EUR" } } },
                "Empty": { "type": "object" },
                "Consent": { "type": "object", "properties": { "name": { "type": "boolean" }, "logo": { "type": "boolean" }, "link": { "type": "boolean" }, "handle": { "type": "boolean" }, "amount": { "type": "boolean" } } },
                "Perk": { "type": "string", "enum": ["name", "logo", "link", "handle"] },
                "TierInput": { "type": "object", "required": ["slug", "name", "monthly_minimum"], "properties": {
                    "slug": { "type": "string" }, "name": { "type": "string" }, "description": { "type": "string" },
                    "monthly_minimum": money_string, "currency": { "type": "string" },
                    "perks": { "type": "array", "items": schema("Perk") }, "link_rel": { "type": "string", "default": "sponsored noopener" },
                    "position": { "type": "integer" } } },
                "TierPatch": { "type": "object", "properties": {
                    "slug": { "type": "string" }, "name": { "type": "string" }, "description": { "type": "string" },
                    "monthly_minimum": money_string, "currency": { "type": "string" },
                    "perks": { "type": "array", "items": schema("Perk") }, "link_rel": { "type": "string" }, "position": { "type": "integer" } } },
                "Tier": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "slug": { "type": "string" }, "name": { "type": "string" }, "description": { "type": "string" },
                    "monthly_minimum": money_string, "currency": { "type": "string" }, "perks": { "type": "array", "items": schema("Perk") },
                    "link_rel": { "type": "string" }, "position": { "type": "integer" }, "archived": { "type": "boolean" } } },
                "TierList": { "type": "object", "properties": { "tiers": { "type": "array", "items": schema("Tier") } } },
                "PublicTier": { "type": "object", "properties": { "slug": { "type": "string" }, "name": { "type": "string" }, "description": { "type": "string" }, "monthly_minimum": schema("Money"), "perks": { "type": "array", "items": schema("Perk") } } },
                "PublicTiers": { "type": "object", "properties": { "tiers": { "type": "array", "items": schema("PublicTier") } } },
                "Sponsor": { "type": "object", "description": "Only the fields the tier grants and the donor consented to are present.", "properties": {
                    "name": { "type": "string" }, "logo_url": { "type": "string" }, "link": { "type": "string" },
                    "fediverse_handle": { "type": "string" }, "profile_url": { "type": "string" }, "monthly_amount": schema("Money") } },
                "Sponsors": { "type": "object", "properties": {
                    "tiers": { "type": "array", "items": { "allOf": [schema("PublicTier"), { "type": "object", "properties": { "sponsors": { "type": "array", "items": schema("Sponsor") } } }] } },
                    "anonymous_supporters": { "type": "integer" }, "statement": { "type": "string" } } },
                "Summary": { "type": "object", "properties": {
                    "currency": { "type": "string" }, "monthly_recurring": schema("Money"), "monthly_goal": { "oneOf": [schema("Money"), { "type": "null" }] },
                    "sponsors": { "type": "integer" }, "anonymous_supporters": { "type": "integer" } } },
                "DonorInput": { "type": "object", "required": ["public_name"], "properties": {
                    "public_name": { "type": "string" }, "email": { "type": "string" }, "legal_name": { "type": "string" },
                    "website": { "type": "string", "format": "uri" }, "fediverse_handle": { "type": "string", "example": "@alice@example.social" },
                    "anonymous": { "type": "boolean" }, "consent": schema("Consent"), "locale": { "type": "string" } } },
                "DonorPatch": { "type": "object", "description": "Absent fields are kept; null clears an optional field.", "properties": {
                    "public_name": { "type": "string" }, "email": nullable_string, "legal_name": nullable_string, "website": nullable_string,
                    "fediverse_handle": nullable_string, "anonymous": { "type": "boolean" }, "consent": schema("Consent"), "locale": nullable_string } },
                "Donor": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "public_name": { "type": "string" }, "legal_name": nullable_string, "email": nullable_string,
                    "website": nullable_string, "fediverse_handle": nullable_string, "anonymous": { "type": "boolean" }, "consent": schema("Consent"),
                    "locale": nullable_string, "pinned_tier_id": { "type": ["integer", "null"] }, "created_at": { "type": "string", "format": "date-time" }, "erased": { "type": "boolean" } } },
                "DonorList": { "type": "object", "properties": { "donors": { "type": "array", "items": schema("Donor") }, "next_page": { "type": ["integer", "null"] } } },
                "DonorDetail": { "allOf": [schema("Donor"), { "type": "object", "properties": {
                    "monthly_support": schema("Money"), "tier_id": { "type": ["integer", "null"] },
                    "pledges": { "type": "array", "items": schema("Pledge") }, "entries": { "type": "array", "items": schema("Entry") } } }] },
                "PinInput": { "type": "object", "required": ["reason"], "properties": { "tier_id": { "type": ["integer", "null"] }, "reason": { "type": "string" } } },
                "PledgeInput": { "type": "object", "required": ["donor_id", "amount", "interval"], "properties": {
                    "donor_id": { "type": "integer" }, "tier_id": { "type": "integer" }, "amount": money_string, "currency": { "type": "string" },
                    "interval": { "type": "string", "enum": ["month", "year"] },
                    "source": { "type": "string", "enum": ["stripe", "patreon", "liberapay", "opencollective", "bank", "manual"] },
                    "external_ref": { "type": "string" }, "started_at": { "type": "string", "format": "date-time" } } },
                "StatusInput": { "type": "object", "required": ["status"], "properties": { "status": { "type": "string", "enum": ["active", "past_due", "paused", "cancelled"] } } },
                "Pledge": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "donor_id": { "type": "integer" }, "tier_id": { "type": ["integer", "null"] },
                    "amount": money_string, "currency": { "type": "string" }, "interval": { "type": "string" }, "status": { "type": "string" },
                    "source": { "type": "string" }, "external_ref": nullable_string, "started_at": { "type": "string", "format": "date-time" },
                    "ended_at": { "type": ["string", "null"], "format": "date-time" } } },
                "PledgeList": { "type": "object", "properties": { "pledges": { "type": "array", "items": schema("Pledge") } } },
                "DonationInput": { "type": "object", "required": ["amount"], "properties": {
                    "donor_id": { "type": "integer" }, "pledge_id": { "type": "integer" }, "amount": money_string, "currency": { "type": "string" },
                    "occurred_at": { "type": "string", "format": "date-time" }, "source": { "type": "string" }, "external_ref": { "type": "string" }, "memo": { "type": "string" } } },
                "RefundInput": { "type": "object", "required": ["entry_id"], "properties": {
                    "entry_id": { "type": "integer" }, "amount": money_string, "occurred_at": { "type": "string", "format": "date-time" },
                    "source": { "type": "string" }, "external_ref": { "type": "string" }, "memo": { "type": "string" } } },
                "ExpenseInput": { "type": "object", "required": ["amount", "category"], "properties": {
                    "amount": money_string, "currency": { "type": "string" }, "category": { "type": "string", "example": "hosting" },
                    "occurred_at": { "type": "string", "format": "date-time" }, "source": { "type": "string" }, "external_ref": { "type": "string" }, "memo": { "type": "string" } } },
                "CorrectionInput": { "type": "object", "required": ["entry_id", "memo"], "properties": {
                    "entry_id": { "type": "integer" }, "amount": { "type": "string", "description": "Signed change; defaults to reversing what remains", "example": "-5.00" }, "memo": { "type": "string" } } },
                "Entry": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "kind": { "type": "string", "enum": ["donation", "refund", "fee", "expense", "correction"] },
                    "amount": money_string, "currency": { "type": "string" }, "donor_id": { "type": ["integer", "null"] }, "pledge_id": { "type": ["integer", "null"] },
                    "occurred_at": { "type": "string", "format": "date-time" }, "recorded_at": { "type": "string", "format": "date-time" },
                    "source": { "type": "string" }, "external_ref": nullable_string, "reverses": { "type": ["integer", "null"] },
                    "category": nullable_string, "memo": { "type": "string" } } },
                "LedgerPage": { "type": "object", "properties": { "entries": { "type": "array", "items": schema("Entry") }, "next_page": { "type": ["integer", "null"] } } }
            }
        }
    });
    add_receipts(&mut document);
    document
}

/// The receipts routes and their schemas, kept apart so that the rest of the document can
/// change shape (e.g. be derived from the types) without touching them.
fn add_receipts(document: &mut Value) {
    let number = json!({ "name": "number", "in": "path", "required": true,
        "description": "A receipt or credit note number, e.g. 2026-000042",
        "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{6}$" } });
    let mut show = admin_read(
        "A receipt or credit note, its snapshot, its message and its deliveries",
        "Receipt",
        json!([number.clone()]),
    );
    if let Some(responses) = show["responses"].as_object_mut() {
        responses.retain(|code, _| !matches!(code.as_str(), "400" | "409" | "422"));
    }
    let mut resend = admin_read(
        "Send a receipt again: same number, same snapshot",
        "Receipt",
        json!([
            { "$ref": "#/components/parameters/IdempotencyKey" }, number
        ]),
    );
    if let Some(responses) = resend["responses"].as_object_mut() {
        if let Some(ok) = responses.remove("200") {
            responses.insert("202".to_owned(), ok);
        }
    }
    document["paths"]["/api/v1/admin/receipts/{number}"] = json!({ "get": show });
    document["paths"]["/api/v1/admin/receipts/{number}/resend"] = json!({ "post": resend });
    document["paths"]["/healthz"]["get"]["summary"] =
        json!("Liveness and database check, with the outbox's depth (queued, failed, transport)");
    let nullable_string = json!({ "type": ["string", "null"] });
    document["components"]["schemas"]["Receipt"] = json!({ "type": "object", "properties": {
        "number": { "type": "string" }, "kind": { "type": "string", "enum": ["receipt", "credit_note"] },
        "year": { "type": "integer" }, "sequence": { "type": "integer" }, "entry_id": { "type": "integer" },
        "donor_id": { "type": ["integer", "null"] }, "corrects_receipt": nullable_string,
        "locale": { "type": "string", "enum": ["en", "nb"] }, "amount": schema("Money"),
        "date": { "type": "string", "format": "date" }, "created_at": { "type": "string", "format": "date-time" },
        "snapshot": { "type": "object", "description": "What the document says, frozen when it was issued" },
        "message": { "type": ["object", "null"], "properties": { "subject": { "type": "string" }, "text": { "type": "string" }, "html": { "type": "string" } } },
        "deliveries": { "type": "array", "items": { "type": "object", "properties": {
            "id": { "type": "integer" }, "recipient": { "type": "string" },
            "status": { "type": "string", "enum": ["queued", "sent", "failed"] }, "attempts": { "type": "integer" },
            "message_id": nullable_string, "last_error": nullable_string,
            "created_at": { "type": "string", "format": "date-time" },
            "sent_at": { "type": ["string", "null"], "format": "date-time" } } } } } });
}
