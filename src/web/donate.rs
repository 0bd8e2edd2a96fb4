//! The donation page: `/donate` (choose a tier or an amount, once, monthly or yearly; how to be
//! shown, each its own consent, with a preview rendered by the server), `/donate/thanks`, and
//! the donor's self-service pages under `/donate/manage`.
//!
//! The ledger is never written here: a Stripe payment is recorded from its webhook. What is
//! written is the donor's choice (a donation intent) that the webhook will find again; without
//! Stripe, that intent is the pending bank pledge the treasurer confirms.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::domain::{
    Consent, Currency, Email, FediverseHandle, Interval, Money, Perk, PerkSet, Source, WebUrl,
};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::ledger::payments::{self, Frequency, Intent, IntentDraft};
use crate::ledger::settings;
use crate::ledger::write::{Actor, Recorded};
use crate::payments::stripe;
use crate::web::admin::forms::{same_token, Fields};
use crate::web::error::{ApiError, PageError};
use crate::web::pages::{visitor_lang, Localized};
use crate::web::AppState;

pub mod manage;

/// Donation forms (and link requests) an address may post in [`RATE_WINDOW`].
pub const TRIES_PER_WINDOW: usize = 10;
/// The window of the per-address limit.
pub const RATE_WINDOW: Duration = Duration::from_secs(600);
/// The largest gift the form takes, in minor units (Stripe's own limit for most currencies).
const MAX_MINOR: i64 = 99_999_999;
/// The hidden field repeating the form's CSRF cookie.
const CSRF_FIELD: &str = "csrf";

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

/// A tier as the donation page offers it.
#[derive(Debug, Clone)]
pub struct TierChoice {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub monthly_minimum: Money,
    pub perks: PerkSet,
}

/// What the visitor typed, kept as typed so a refused form comes back as it was.
#[derive(Debug, Clone, Default)]
pub struct DonateValues {
    pub tier: String,
    pub amount: String,
    pub frequency: String,
    pub email: String,
    pub public_name: String,
    pub website: String,
    pub fediverse_handle: String,
    pub show_name: bool,
    pub show_link: bool,
    pub show_handle: bool,
    pub show_logo: bool,
    pub anonymous: bool,
}

impl DonateValues {
    fn from_fields(fields: &Fields) -> Self {
        Self {
            tier: fields.get("tier").unwrap_or_default(),
            amount: fields.get("amount").unwrap_or_default(),
            frequency: fields
                .get("frequency")
                .unwrap_or_else(|| "month".to_owned()),
            email: fields.get("email").unwrap_or_default(),
            public_name: fields.get("public_name").unwrap_or_default(),
            website: fields.get("website").unwrap_or_default(),
            fediverse_handle: fields.get("fediverse_handle").unwrap_or_default(),
            show_name: fields.flag("show_name"),
            show_link: fields.flag("show_link"),
            show_handle: fields.flag("show_handle"),
            show_logo: fields.flag("show_logo"),
            anonymous: fields.flag("anonymous"),
        }
    }
}

/// How the donor will appear on the wall, as far as the form tells.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub tier: Option<String>,
    pub name: Option<String>,
    pub link: Option<String>,
    pub handle: Option<String>,
    pub logo: bool,
}

impl Preview {
    pub fn is_anonymous(&self) -> bool {
        self.name.is_none() && self.link.is_none() && self.handle.is_none() && !self.logo
    }
}

/// The donation page.
#[derive(Template)]
#[template(path = "donate/form.html")]
pub struct DonatePage {
    pub lang: Lang,
    pub instance_name: String,
    pub tiers: Vec<TierChoice>,
    pub values: DonateValues,
    pub errors: HashMap<&'static str, String>,
    pub message: Option<String>,
    pub preview: Preview,
    pub stripe: bool,
    pub bank_instructions: Option<String>,
    pub csrf: String,
    pub currency: Currency,
}

impl Localized for DonatePage {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl DonatePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    /// `aria-describedby` ids for a field: its hint and its error, when present.
    fn described_by(&self, field: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{field}-hint"));
        }
        if self.has_error(field) {
            ids.push(format!("{field}-error"));
        }
        ids.join(" ")
    }

    fn is_tier(&self, slug: &str) -> bool {
        self.values.tier == slug
    }

    fn is_frequency(&self, frequency: &str) -> bool {
        self.values.frequency == frequency
    }

    /// What a tier asks for each month, and once or yearly (twelve months' worth).
    fn tier_floor(&self, tier: &TierChoice) -> String {
        let yearly = Money::from_minor(
            tier.monthly_minimum.minor().saturating_mul(12),
            tier.monthly_minimum.currency(),
        )
        .unwrap_or(tier.monthly_minimum);
        self.lang.t_args(
            "donate-tier-floor",
            &[
                ("monthly", self.lang.money(tier.monthly_minimum)),
                ("yearly", self.lang.money(yearly)),
            ],
        )
    }

    fn tier_perks(&self, tier: &TierChoice) -> String {
        let names: Vec<String> = tier
            .perks
            .iter()
            .map(|p| self.lang.t(&format!("donate-perk-{}", p.as_str())))
            .collect();
        if names.is_empty() {
            self.lang.t("donate-perks-none")
        } else {
            self.lang
                .t_args("donate-perks", &[("perks", names.join(", "))])
        }
    }

    fn heading(&self) -> String {
        self.lang
            .t_args("donate-title", &[("instance", self.instance_name.clone())])
    }
}

/// Thanks, after Stripe's checkout.
#[derive(Template)]
#[template(path = "donate/thanks.html")]
pub struct ThanksPage {
    pub lang: Lang,
    pub instance_name: String,
}

impl Localized for ThanksPage {
    fn lang(&self) -> Lang {
        self.lang
    }
}

/// A bank pledge, recorded: how to pay.
#[derive(Template)]
#[template(path = "donate/bank.html")]
pub struct BankPage {
    pub lang: Lang,
    pub instance_name: String,
    pub reference: String,
    pub amount: String,
    pub bank_instructions: Option<String>,
}

impl Localized for BankPage {
    fn lang(&self) -> Lang {
        self.lang
    }
}

#[derive(Debug, Deserialize)]
pub struct DonateQuery {
    tier: Option<String>,
    lang: Option<String>,
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
        crate::startup::CSP.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origins}"),
        )
    )
}

/// What the wall would show: the fields the tier grants and the donor consents to.
fn preview(values: &DonateValues, tiers: &[TierChoice]) -> Preview {
    let tier = tiers.iter().find(|t| t.slug == values.tier);
    // Without a tier the amount decides it later; show what the donor consents to.
    let perks = tier.map_or_else(
        || PerkSet::from_perks([Perk::Name, Perk::Logo, Perk::Link, Perk::Handle]),
        |t| t.perks,
    );
    let consent = consent_of(values);
    let shown = crate::domain::shown_fields(perks, &consent, values.anonymous);
    let filled = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Preview {
        tier: tier.map(|t| t.name.clone()),
        name: filled(&values.public_name).filter(|_| shown.contains(Perk::Name)),
        link: filled(&values.website).filter(|_| shown.contains(Perk::Link)),
        handle: filled(&values.fediverse_handle).filter(|_| shown.contains(Perk::Handle)),
        logo: shown.contains(Perk::Logo),
    }
}

fn consent_of(values: &DonateValues) -> Consent {
    Consent {
        name: values.show_name && !values.anonymous,
        logo: values.show_logo && !values.anonymous,
        link: values.show_link && !values.anonymous,
        handle: values.show_handle && !values.anonymous,
        amount: false,
    }
}

/// Checks the form: every problem at once, each by its field, in the visitor's language.
fn validate(
    values: &DonateValues,
    tiers: &[TierChoice],
    currency: Currency,
    lang: Lang,
    channel: Source,
    locale: &str,
) -> Result<IntentDraft, HashMap<&'static str, String>> {
    let mut errors: HashMap<&'static str, String> = HashMap::new();
    let tier = if values.tier.is_empty() {
        None
    } else {
        match tiers.iter().find(|t| t.slug == values.tier) {
            Some(tier) => Some(tier),
            None => {
                errors.insert("tier", lang.t("donate-error-tier"));
                None
            }
        }
    };
    let frequency = match Frequency::parse(&values.frequency) {
        Ok(frequency) => Some(frequency),
        Err(_) => {
            errors.insert("frequency", lang.t("donate-error-frequency"));
            None
        }
    };
    let amount = match Money::parse_positive(&values.amount, currency) {
        Ok(amount) if amount.minor() > MAX_MINOR => {
            errors.insert("amount", lang.t("donate-error-amount-large"));
            None
        }
        Ok(amount) => Some(amount),
        Err(_) => {
            errors.insert(
                "amount",
                lang.t_args(
                    "donate-error-amount",
                    &[("currency", currency.code().to_owned())],
                ),
            );
            None
        }
    };
    if let (Some(tier), Some(amount), Some(frequency)) = (tier, amount, frequency) {
        let months = match frequency {
            Frequency::Every(Interval::Month) => 1,
            _ => 12,
        };
        let floor = tier.monthly_minimum.minor().saturating_mul(months);
        if amount.minor() < floor {
            let floor = Money::from_minor(floor, currency).unwrap_or(amount);
            errors.insert(
                "amount",
                lang.t_args(
                    "donate-error-below-tier",
                    &[("tier", tier.name.clone()), ("floor", lang.money(floor))],
                ),
            );
        }
    }
    let email = match Email::parse(&values.email) {
        Ok(email) => Some(email),
        Err(_) => {
            errors.insert("email", lang.t("donate-error-email"));
            None
        }
    };
    let public_name = match crate::ledger::clean_text("public_name", &values.public_name, 100) {
        Ok(name) if name.is_empty() && values.show_name && !values.anonymous => {
            errors.insert("public_name", lang.t("donate-error-name-missing"));
            None
        }
        Ok(name) => Some(name),
        Err(_) => {
            errors.insert("public_name", lang.t("donate-error-name"));
            None
        }
    };
    let website = match values.website.trim() {
        "" => Some(None),
        url => match WebUrl::parse(url) {
            Ok(url) => Some(Some(url)),
            Err(_) => {
                errors.insert("website", lang.t("donate-error-website"));
                None
            }
        },
    };
    let handle = match values.fediverse_handle.trim() {
        "" => Some(None),
        handle => match FediverseHandle::parse(handle) {
            Ok(handle) => Some(Some(handle)),
            Err(_) => {
                errors.insert("fediverse_handle", lang.t("donate-error-handle"));
                None
            }
        },
    };
    match (
        errors.is_empty(),
        email,
        public_name,
        website,
        handle,
        amount,
        frequency,
    ) {
        (
            true,
            Some(email),
            Some(public_name),
            Some(website),
            Some(handle),
            Some(amount),
            Some(frequency),
        ) => {
            let public_name = if public_name.is_empty() {
                lang.t("donate-anonymous-name")
            } else {
                public_name
            };
            Ok(IntentDraft {
                channel,
                email,
                public_name,
                website,
                fediverse_handle: handle,
                consent: consent_of(values),
                anonymous: values.anonymous,
                locale: Some(locale.to_owned()),
                tier_id: tier.map(|t| t.id),
                amount,
                frequency,
            })
        }
        _ => Err(errors),
    }
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

/// The form's own CSRF cookie: a double submit, as there is no session before a donation.
pub(crate) fn csrf_cookie_name(settings: &crate::config::Settings) -> &'static str {
    if settings.is_https() {
        "__Host-coffer_donate"
    } else {
        "coffer_donate"
    }
}

pub(crate) fn csrf_cookie(settings: &crate::config::Settings, token: String) -> Cookie<'static> {
    Cookie::build(csrf_cookie_name(settings), token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.is_https())
        .max_age(actix_web::cookie::time::Duration::hours(2))
        .finish()
}

/// Refuses a post whose hidden token does not repeat its cookie's.
pub(crate) fn check_csrf(
    state: &AppState,
    req: &HttpRequest,
    fields: &Fields,
) -> Result<(), PageError> {
    let cookie = req
        .cookie(csrf_cookie_name(&state.settings))
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let sent = fields.text(CSRF_FIELD);
    if cookie.is_empty() || !same_token(&cookie, &sent) {
        return Err(ApiError::Forbidden(
            "this form has expired or did not come from this site; reload it and try again"
                .to_owned(),
        )
        .into());
    }
    Ok(())
}

pub(crate) fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
