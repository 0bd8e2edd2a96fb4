//! The donation page: `/donate` (choose a tier or an amount, once, monthly or yearly; how to be
//! shown, each its own consent, with a preview rendered by the server), `/donate/thanks`, and
//! the donor's self-service pages under `/donate/manage`.
//!
//! The ledger is never written here: a Stripe payment is recorded from its webhook. What is
//! written is the donor's choice (a donation intent) that the webhook will find again; without
//! Stripe, that intent is the pending bank pledge the treasurer confirms.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::domain::Source;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::ledger::payments::{self, Frequency, Intent, IntentDraft};
use crate::ledger::settings;
use crate::ledger::write::{Actor, Recorded};
use crate::payments::stripe;
use crate::web::admin::forms::Fields;
use crate::web::error::{ApiError, PageError};
use crate::web::pages::visitor_lang;
use crate::web::AppState;

mod choice;
mod csrf;
pub mod manage;
mod pages;

pub(crate) use csrf::{check_csrf, csrf_cookie, random_token};
pub use pages::{BankPage, DonatePage, DonateValues, Preview, ThanksPage, TierChoice};

use choice::{preview, validate};
use csrf::CSRF_FIELD;

/// Donation forms (and link requests) an address may post in [`RATE_WINDOW`].
pub const TRIES_PER_WINDOW: usize = 10;
/// The window of the per-address limit.
pub const RATE_WINDOW: Duration = Duration::from_secs(600);

/// Registers the donation pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let page = |path: &'static str, methods: &'static [Method]| {
        web::resource(path).default_service(web::to(move |req: HttpRequest| async move {
            Err::<&str, _>(PageError(super::method_not_allowed(&req, methods)))
        }))
    };
    cfg.service(
        page("/donate", &[Method::GET, Method::POST])
            .route(web::get().to(form))
            .route(web::post().to(submit)),
    )
    .service(page("/donate/thanks", &[Method::GET]).route(web::get().to(thanks)))
    .service(
        page("/donate/manage", &[Method::GET, Method::POST])
            .route(web::get().to(manage::request_form))
            .route(web::post().to(manage::request_link)),
    )
    .service(
        page("/donate/manage/{token}", &[Method::GET, Method::POST])
            .route(web::get().to(manage::page))
            .route(web::post().to(manage::change)),
    );
}

#[derive(Debug, Deserialize)]
pub struct DonateQuery {
    tier: Option<String>,
    lang: Option<String>,
    /// From Mastodon's donation modal: the amount chosen, in minor units.
    amount: Option<String>,
    currency: Option<String>,
    /// `one_time`, `monthly` or `yearly` (Mastodon's words), or `once`, `month`, `year`.
    frequency: Option<String>,
    /// Stripe's `{CHECKOUT_SESSION_ID}` on the thanks page; deliberately unused.
    #[allow(dead_code)]
    session_id: Option<String>,
}

/// The tiers on offer, from the published wall (no database read), in the instance currency.
async fn tier_choices(state: &AppState) -> Result<Vec<TierChoice>, PageError> {
    let published = state.publications.latest().await?;
    Ok(published
        .wall
        .tiers
        .iter()
        .map(|t| TierChoice {
            id: t.tier.id,
            slug: t.tier.slug.clone(),
            name: t.tier.name.clone(),
            description: t.tier.description.clone(),
            monthly_minimum: t.tier.monthly_minimum,
            perks: t.tier.perks,
        })
        .collect())
}

async fn instance(state: &AppState) -> Result<settings::InstanceSettings, PageError> {
    let env = state.settings.clone();
    Ok(state.run(move |conn| settings::load(conn, &env)).await?)
}

/// `GET /donate`: the form, `?tier=slug` preselected at its floor.
pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DonateQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = visitor_lang(&req, query.lang.as_deref());
    let tiers = tier_choices(&state).await?;
    let mut values = DonateValues {
        frequency: "month".to_owned(),
        show_name: true,
        show_link: true,
        show_handle: true,
        ..DonateValues::default()
    };
    if let Some(tier) = query
        .tier
        .as_deref()
        .and_then(|slug| tiers.iter().find(|t| t.slug == slug))
    {
        values.tier = tier.slug.clone();
        values.amount = tier.monthly_minimum.amount_string();
    }
    crate::web::donate::choice::prefill_from_campaign(
        &mut values,
        state.settings.currency,
        query.amount.as_deref(),
        query.currency.as_deref(),
        query.frequency.as_deref(),
    );
    let page = page(&state, lang, tiers, values, HashMap::new(), None, None).await?;
    respond(&state, StatusCode::OK, page)
}

async fn page(
    state: &AppState,
    lang: Lang,
    tiers: Vec<TierChoice>,
    values: DonateValues,
    errors: HashMap<&'static str, String>,
    message: Option<String>,
    csrf: Option<String>,
) -> Result<DonatePage, PageError> {
    let instance = instance(state).await?;
    let preview = preview(&values, &tiers);
    Ok(DonatePage {
        lang,
        instance_name: instance.instance_name,
        tiers,
        values,
        errors,
        message,
        preview,
        stripe: state.stripe.is_some(),
        bank_instructions: instance.bank_instructions,
        // A page shown again after a post keeps the token that post proved (the live preview
        // posts while the form stays on screen); a new page gets a new one.
        csrf: csrf.unwrap_or_else(random_token),
        currency: state.settings.currency,
    })
}

/// Renders the page with a fresh CSRF token in its field and its cookie.
fn respond(
    state: &AppState,
    status: StatusCode,
    page: DonatePage,
) -> Result<HttpResponse, PageError> {
    let html = page
        .render()
        .map_err(|e| ApiError::Internal(format!("rendering the donation page: {e}")))?;
    let mut response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_LANGUAGE, page.lang.tag()))
        .insert_header((header::CONTENT_SECURITY_POLICY, donate_csp(&state.settings)))
        .body(html);
    response
        .add_cookie(&csrf_cookie(&state.settings, page.csrf))
        .map_err(|e| ApiError::Internal(format!("setting the form cookie: {e}")))?;
    Ok(response)
}

/// Stripe Checkout's own origin: the form's answer redirects there, and browsers hold a
/// form's redirects to `form-action` as well.
const CHECKOUT_ORIGIN: &str = "https://checkout.stripe.com";

/// The site's policy, with the form allowed to end on Stripe Checkout (and on the fake's
/// origin when the API base points at one).
fn donate_csp(settings: &crate::config::Settings) -> String {
    let mut origins = CHECKOUT_ORIGIN.to_owned();
    if let Some(base) = settings
        .stripe_api_base
        .as_deref()
        .and_then(|b| url::Url::parse(b).ok())
    {
        origins.push(' ');
        origins.push_str(&base.origin().ascii_serialization());
    }
    // The live preview (`/static/donate.js`) asks this origin to render it.
    format!(
        "{}; script-src 'self'; connect-src 'self'",
        crate::web::security::CSP.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origins}"),
        )
    )
}

/// `POST /donate`: preview, or record the choice and go to Stripe (303), or record a pending
/// bank pledge and say how to pay.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?;
    let fields = Fields(pairs);
    check_csrf(&state, &req, &fields)?;
    let lang = visitor_lang(&req, fields.get("lang").as_deref());
    let values = DonateValues::from_fields(&fields);
    let tiers = tier_choices(&state).await?;
    let proved = Some(fields.text(CSRF_FIELD));
    if fields.get("action").as_deref() == Some("preview") {
        let page = page(&state, lang, tiers, values, HashMap::new(), None, proved).await?;
        return respond(&state, StatusCode::OK, page);
    }
    let client = crate::web::client::client_of(&req);
    state
        .rate_limit(&state.donate_limiter, vec![format!("donate:{client}")])
        .await?;
    let channel = if state.stripe.is_some() {
        Source::Stripe
    } else {
        Source::Bank
    };
    let draft = match validate(
        &values,
        &tiers,
        state.settings.currency,
        lang,
        channel,
        lang.tag(),
    ) {
        Ok(draft) => draft,
        Err(errors) => {
            let page = page(&state, lang, tiers, values, errors, None, proved).await?;
            return respond(&state, StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    let tier_name = draft
        .tier_id
        .and_then(|id| tiers.iter().find(|t| t.id == id))
        .map(|t| t.name.clone());
    let intent = record_intent(&state, draft, client.ip).await?;
    let Some(api) = state.stripe.clone() else {
        let instance = instance(&state).await?;
        let html = BankPage {
            lang,
            instance_name: instance.instance_name,
            reference: intent.reference,
            amount: lang.money(intent.amount),
            bank_instructions: instance.bank_instructions,
        }
        .render()
        .map_err(|e| ApiError::Internal(format!("rendering the bank page: {e}")))?;
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(html));
    };
    let instance = instance(&state).await?;
    let public_url = &state.settings.public_url;
    let request = stripe::CheckoutRequest {
        intent: intent.reference.clone(),
        email: intent.email.clone(),
        amount: intent.amount.minor(),
        currency: intent.amount.currency().code().to_owned(),
        interval: match intent.frequency {
            Frequency::Once => None,
            Frequency::Every(interval) => Some(interval),
        },
        product_name: match &tier_name {
            Some(tier) => lang.t_args(
                "donate-product-tier",
                &[
                    ("tier", tier.clone()),
                    ("instance", instance.instance_name.clone()),
                ],
            ),
            None => lang.t_args(
                "donate-product",
                &[("instance", instance.instance_name.clone())],
            ),
        },
        success_url: format!(
            "{public_url}/donate/thanks?lang={}&session_id={{CHECKOUT_SESSION_ID}}",
            lang.tag()
        ),
        cancel_url: format!("{public_url}/donate?lang={}", lang.tag()),
        locale: Some(lang.tag().to_owned()),
    };
    match stripe::create_checkout_session(&api, &request).await {
        Ok(session) => {
            let (id, session_id) = (intent.id, session.id.clone());
            let writes = state.writes.clone();
            let address = Some(client.ip);
            state
                .run(move |conn| {
                    writes.apply_from(
                        conn,
                        Actor::System("donate"),
                        address,
                        "donation.checkout",
                        None,
                        |conn| {
                            payments::set_checkout_session(conn, id, &session_id)?;
                            Ok(Recorded {
                                status: 200,
                                body: serde_json::json!({"intent": id, "session": session_id}),
                                subject: format!("donation-intent:{id}"),
                                detail: None,
                            })
                        },
                    )
                })
                .await?;
            Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, session.url))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish())
        }
        Err(err) => {
            tracing::error!("a Checkout Session could not be created: {err}");
            let page = page(
                &state,
                lang,
                tiers,
                values,
                HashMap::new(),
                Some(lang.t("donate-error-stripe")),
                proved,
            )
            .await?;
            respond(&state, StatusCode::BAD_GATEWAY, page)
        }
    }
}

/// Records the visitor's choice through the write unit.
async fn record_intent(
    state: &AppState,
    draft: IntentDraft,
    address: std::net::IpAddr,
) -> Result<Intent, PageError> {
    let writes = state.writes.clone();
    let intent = state
        .run(move |conn| {
            let mut made = None;
            writes.apply_from(
                conn,
                Actor::System("donate"),
                Some(address),
                "donation.intent",
                None,
                |conn| {
                    let intent = payments::create_intent(conn, draft)?;
                    let recorded = Recorded {
                        status: 201,
                        body: serde_json::json!({
                            "intent": intent.id,
                            "channel": intent.channel,
                            "amount": intent.amount.amount_string(),
                            "currency": intent.amount.currency().code(),
                            "frequency": intent.frequency.as_str(),
                        }),
                        subject: format!("donation-intent:{}", intent.id),
                        detail: None,
                    };
                    made = Some(intent);
                    Ok(recorded)
                },
            )?;
            made.ok_or_else(|| AppError::Internal("the intent was not recorded".to_owned()))
        })
        .await?;
    Ok(intent)
}

/// `GET /donate/thanks`: thanks, whatever the query says; the ledger follows from the webhook.
pub async fn thanks(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DonateQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = visitor_lang(&req, query.lang.as_deref());
    let instance = instance(&state).await?;
    let html = ThanksPage {
        lang,
        instance_name: instance.instance_name,
    }
    .render()
    .map_err(|e| ApiError::Internal(format!("rendering the thanks page: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}
