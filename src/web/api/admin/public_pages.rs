//! `/api/v1/admin/public-settings` and `/api/v1/admin/expenses/{id}/public-note`: what the
//! public pages show beyond the ledger (the opening balance, Mastodon's donation banner) and
//! the notes the treasurer publishes on expenses. Every change is audited with before and after.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ledger::public_pages::{self, PublicPageDraft, PublicPageSettings};
use crate::web::api::extract::JsonBody;
use crate::web::api::responses::{AdminListErrors, AdminWriteErrors, IdempotencyKey};
use crate::web::api::{changed, AdminRequest};
use crate::web::error::ApiResult;
use crate::web::views::MoneyView;

/// The public pages' settings, as submitted: all of them at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicSettingsInput {
    /// The money the instance had before Coffer, at most one amount per currency, e.g.
    /// `"1200.00 EUR, 40.00 USD"`; a bare amount is in the instance currency; empty for none.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub opening_balance: String,
    /// Whether `/api/v1/mastodon/donation_campaign` offers a campaign (204 when off).
    pub mastodon_campaign: bool,
    /// The campaign's words by language tag (`en`, `nb`) and Mastodon's field name
    /// (`banner_message`, `banner_button_text`, `donation_message`, `donation_button_text`,
    /// `donation_success_post`); a missing or empty one takes the translation's default.
    #[serde(default)]
    pub messages: BTreeMap<String, BTreeMap<String, String>>,
}

/// The public pages' settings in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSettingsView {
    pub opening_balances: Vec<MoneyView>,
    pub mastodon_campaign: bool,
    /// The treasurer's own words by language tag and field; defaults are not listed.
    pub messages: BTreeMap<String, BTreeMap<String, String>>,
}

impl From<&PublicPageSettings> for PublicSettingsView {
    fn from(settings: &PublicPageSettings) -> Self {
        let mut messages: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for ((lang, message), text) in &settings.campaign_messages {
            messages
                .entry(lang.clone())
                .or_default()
                .insert(message.as_str().to_owned(), text.clone());
        }
        Self {
            opening_balances: settings
                .opening_balances
                .iter()
                .copied()
                .map(MoneyView::from)
                .collect(),
            mastodon_campaign: settings.campaign_enabled,
            messages,
        }
    }
}

/// A public note on an expense; empty withdraws it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicNoteInput {
    #[schema(max_length = 200)]
    pub note: String,
}

/// An expense's public note.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicNoteView {
    pub entry_id: i64,
    /// `null` once withdrawn.
    pub note: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/public-settings",
    operation_id = "publicSettings",
    tag = "admin",
    summary = "The public pages' settings",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The public pages' settings", body = PublicSettingsView),
        AdminListErrors,
    )
)]
/// `GET /api/v1/admin/public-settings`.
pub async fn show(admin: AdminRequest) -> ApiResult<HttpResponse> {
    let settings = admin.state.run(public_pages::load).await?;
    Ok(HttpResponse::Ok().json(PublicSettingsView::from(&settings)))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/public-settings",
    operation_id = "updatePublicSettings",
    tag = "admin",
    summary = "Replace the public pages' settings (audited)",
    request_body = PublicSettingsInput,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings in force", body = PublicSettingsView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/public-settings`.
pub async fn update(
    admin: AdminRequest,
    body: JsonBody<PublicSettingsInput>,
) -> ApiResult<HttpResponse> {
    let input = body.value;
    let messages: Vec<(String, String, String)> = input
        .messages
        .into_iter()
        .flat_map(|(lang, fields)| {
            fields
                .into_iter()
                .map(move |(field, text)| (lang.clone(), field, text))
        })
        .collect();
    let draft = PublicPageDraft::parse(
        &input.opening_balance,
        input.mastodon_campaign,
        &messages,
        admin.currency(),
    )?;
    admin
        .write(&body.raw, "public_settings.update", move |conn| {
            let (before, after) = public_pages::save(conn, &draft)?;
            let detail = serde_json::json!({
                "before": before.audit_value(),
                "after": after.audit_value(),
            });
            Ok(changed(
                "public_settings".to_owned(),
                &PublicSettingsView::from(&after),
            )?
            .with_detail(detail.to_string()))
        })
        .await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/expenses/{id}/public-note",
    operation_id = "publishExpenseNote",
    tag = "admin",
    summary = "Publish (or withdraw) an expense's note on /transparency (audited)",
    request_body = PublicNoteInput,
    params(("id" = i64, Path, minimum = 1, description = "The expense's entry id"), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The note in force", body = PublicNoteView),
        AdminWriteErrors,
    )
)]
/// `POST /api/v1/admin/expenses/{id}/public-note`: the entry itself never changes.
pub async fn publish_note(
    admin: AdminRequest,
    path: web::Path<i64>,
    body: JsonBody<PublicNoteInput>,
) -> ApiResult<HttpResponse> {
    let id = crate::web::inputs::rules::check_id("id", path.into_inner())?;
    let note = body.value.note;
    admin
        .write(&body.raw, "expense.public_note", move |conn| {
            let before = public_pages::publish_note(conn, id, &note)?;
            let after = crate::db::transparency::note(conn, id)?;
            let detail = serde_json::json!({"before": before, "after": after});
            Ok(changed(
                format!("entry:{id}"),
                &PublicNoteView {
                    entry_id: id,
                    note: after,
                },
            )?
            .with_detail(detail.to_string()))
        })
        .await
}
