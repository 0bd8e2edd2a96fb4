//! `/admin/public`: what the public pages show beyond the ledger: the opening balance on
//! `/transparency`, and whether (and in what words) Mastodon's donation banner asks for
//! support. Saved all at once and audited with before and after, like the settings.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::forms::{Field, FormState, WriteForm};
use super::session::Console;
use super::{attempt, refused_status, render, see_other, Ctx, Outcome};
use crate::ledger::public_pages::{self, CampaignMessage, PublicPageDraft, PublicPageSettings};
use crate::ledger::write::Recorded;
use crate::web::error::PageError;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "admin/public_pages.html")]
pub struct PublicPagesPage {
    pub ctx: Ctx,
    pub current: PublicPageSettings,
    pub fields: Vec<Field>,
    pub form: FormState,
}

/// The message fields, `(form name, language, message, label)`.
const MESSAGES: [(&str, &str, CampaignMessage, &str); 10] = [
    (
        "banner_message_en",
        "en",
        CampaignMessage::BannerMessage,
        "Banner message (English)",
    ),
    (
        "banner_button_text_en",
        "en",
        CampaignMessage::BannerButtonText,
        "Banner button (English)",
    ),
    (
        "donation_message_en",
        "en",
        CampaignMessage::DonationMessage,
        "Donation dialog message (English)",
    ),
    (
        "donation_button_text_en",
        "en",
        CampaignMessage::DonationButtonText,
        "Donation button (English)",
    ),
    (
        "donation_success_post_en",
        "en",
        CampaignMessage::DonationSuccessPost,
        "Post after donating (English)",
    ),
    (
        "banner_message_nb",
        "nb",
        CampaignMessage::BannerMessage,
        "Banner message (Norwegian)",
    ),
    (
        "banner_button_text_nb",
        "nb",
        CampaignMessage::BannerButtonText,
        "Banner button (Norwegian)",
    ),
    (
        "donation_message_nb",
        "nb",
        CampaignMessage::DonationMessage,
        "Donation dialog message (Norwegian)",
    ),
    (
        "donation_button_text_nb",
        "nb",
        CampaignMessage::DonationButtonText,
        "Donation button (Norwegian)",
    ),
    (
        "donation_success_post_nb",
        "nb",
        CampaignMessage::DonationSuccessPost,
        "Post after donating (Norwegian)",
    ),
];

fn fields() -> Vec<Field> {
    let mut fields = vec![
        Field::new("opening_balance", "Opening balance", "text").hint(
            "The money the instance had before Coffer, e.g. 1200.00 EUR, 40.00 USD; a bare amount is in the instance currency; empty for none.",
        ),
        Field::new("mastodon_campaign", "Offer Mastodon's donation banner a campaign", "checkbox"),
    ];
    for (name, _, _, label) in MESSAGES {
        fields.push(Field::new(name, label, "textarea").hint("Empty for the default wording."));
    }
    fields
}

fn values(current: &PublicPageSettings) -> FormState {
    let mut values = vec![("opening_balance", current.opening_balance_text())];
    if current.campaign_enabled {
        values.push(("mastodon_campaign", "on".to_owned()));
    }
    for (name, lang, message, _) in MESSAGES {
        values.push((
            name,
            current.message(lang, message).unwrap_or("").to_owned(),
        ));
    }
    FormState::filled(values)
}

async fn page(
    state: &AppState,
    console: &Console,
    status: StatusCode,
    form: Option<FormState>,
) -> Result<HttpResponse, PageError> {
    let current = state.run(public_pages::load).await?;
    render(
        status,
        &PublicPagesPage {
            ctx: Ctx::new(console, "public"),
            form: form.unwrap_or_else(|| values(&current)),
            current,
            fields: fields(),
        },
    )
}

/// `GET /admin/public`: what is in force; treasurers also get the form.
pub async fn show(state: web::Data<AppState>, console: Console) -> Result<HttpResponse, PageError> {
    page(&state, &console, StatusCode::OK, None).await
}

/// `POST /admin/public`: saves them all at once.
pub async fn update(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let f = &form.fields;
    let messages: Vec<(String, String, String)> = MESSAGES
        .iter()
        .map(|(name, lang, message, _)| {
            (
                (*lang).to_owned(),
                message.as_str().to_owned(),
                f.text(name),
            )
        })
        .collect();
    let change = PublicPageDraft::parse(
        &f.text("opening_balance"),
        f.flag("mastodon_campaign"),
        &messages,
        state.settings.currency,
    )
    .map(|draft| {
        move |conn: &mut crate::db::DbConn| {
            let (before, after) = public_pages::save(conn, &draft)?;
            let detail = serde_json::json!({
                "before": before.audit_value(),
                "after": after.audit_value(),
            });
            Ok(Recorded {
                status: 200,
                body: after.audit_value(),
                subject: "public_settings".to_owned(),
                detail: Some(detail.to_string()),
            })
        }
    });
    match attempt(&state, &form.console, "public_settings.update", change).await? {
        Outcome::Done(_) => Ok(see_other("/admin/public")),
        Outcome::Refused(err) => {
            let again = FormState::refused(form.fields.clone(), &err, &fields());
            page(&state, &form.console, refused_status(&err), Some(again)).await
        }
    }
}
