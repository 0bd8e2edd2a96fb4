//! The treasurer's JSON API under `/api/v1/admin/`. Each write parses its body into validated
//! domain values, then runs one ledger service inside [`idempotent_write`].

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use super::auth::{idempotent_write, parse_json, ApiToken};
use crate::db;
use crate::domain::{
    Consent, Currency, Email, EntryKind, FediverseHandle, Interval, Money, Perk, PerkSet,
    PledgeStatus, Source, TypedAmount, WebUrl,
};
use crate::error::{AppError, AppResult};
use crate::ledger::{self, clean_text, required_text};
use crate::web::views::{DonorDetailView, DonorView, EntryView, PledgeView, TierView};
use crate::web::AppState;

const PAGE_SIZE: i64 = 50;

type State = web::Data<AppState>;

fn to_json<T: serde::Serialize>(value: &T) -> AppResult<Value> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(format!("serialising: {e}")))
}

// ---------- shared input parsing ----------

/// Distinguishes a missing field (keep) from `null` (clear) in PATCH bodies.
fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn currency_or_default(state: &AppState, code: Option<&str>) -> AppResult<Currency> {
    match code {
        Some(code) => {
            Currency::parse(code).map_err(|e| AppError::invalid("currency", e.to_string()))
        }
        None => Ok(state.settings.currency),
    }
}

fn positive_amount(field: &str, input: &str, currency: Currency) -> AppResult<Money> {
    Money::parse_positive(input, currency).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// A tier's monthly minimum; zero makes a tier for every supporter.
fn minimum_amount(input: &str, currency: Currency) -> AppResult<Money> {
    Money::parse_non_negative(input, currency)
        .map_err(|e| AppError::invalid("monthly_minimum", e.to_string()))
}

/// An amount whose currency the ledger decides (a refund's is its donation's).
fn typed_amount(
    input: &str,
    parse: fn(&str) -> Result<TypedAmount, crate::domain::MoneyError>,
) -> AppResult<TypedAmount> {
    parse(input).map_err(|e| AppError::invalid("amount", e.to_string()))
}

fn occurred_at(value: Option<DateTime<Utc>>) -> AppResult<Option<NaiveDateTime>> {
    let Some(value) = value else { return Ok(None) };
    // A day of slack covers clocks and time zones; more than that is a typo in the year.
    if value > Utc::now() + chrono::Duration::days(1) {
        return Err(AppError::invalid(
            "occurred_at",
            "must not be in the future",
        ));
    }
    Ok(Some(db::truncate_to_micros(value.naive_utc())))
}

fn source(value: Option<&str>) -> AppResult<Source> {
    value.map_or(Ok(Source::Manual), |s| {
        Source::parse(s).map_err(|e| AppError::invalid("source", e.to_string()))
    })
}

fn external_ref(value: Option<String>) -> AppResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    let value = required_text("external_ref", &value, 255)?;
    Ok(Some(value))
}

fn perks(values: &[String]) -> AppResult<PerkSet> {
    let perks: Vec<Perk> = values
        .iter()
        .map(|p| Perk::parse(p).map_err(|e| AppError::invalid("perks", e.to_string())))
        .collect::<AppResult<_>>()?;
    Ok(PerkSet::from_perks(perks))
}

fn optional_parsed<T, E: std::fmt::Display>(
    field: &str,
    value: Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> AppResult<Option<T>> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| parse(&v).map_err(|e| AppError::invalid(field, e.to_string())))
        .transpose()
}

fn locale(value: Option<String>) -> AppResult<Option<String>> {
    optional_parsed("locale", value, |v| {
        let ok = v.len() <= 35 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if ok {
            Ok(v.to_owned())
        } else {
            Err("must be a language tag like “en” or “de-CH”")
        }
    })
}

// ---------- tiers ----------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
    monthly_minimum: String,
    currency: Option<String>,
    #[serde(default)]
    perks: Vec<String>,
    link_rel: Option<String>,
    #[serde(default)]
    position: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierPatch {
    slug: Option<String>,
    name: Option<String>,
    description: Option<String>,
    monthly_minimum: Option<String>,
    currency: Option<String>,
    perks: Option<Vec<String>>,
    link_rel: Option<String>,
    position: Option<i32>,
}

/// `GET /api/v1/admin/tiers?include_archived=true`.
pub async fn list_tiers(
    state: State,
    _token: ApiToken,
    query: web::Query<IncludeArchived>,
) -> AppResult<HttpResponse> {
    let include = query.include_archived.unwrap_or(false);
    let tiers = state
        .run(move |conn| ledger::tiers::list(conn, include))
        .await?;
    let tiers: Vec<TierView> = tiers.iter().map(TierView::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "tiers": tiers })))
}

#[derive(Debug, Deserialize)]
pub struct IncludeArchived {
    include_archived: Option<bool>,
}

/// `POST /api/v1/admin/tiers`.
pub async fn create_tier(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let input: TierInput = parse_json(&body)?;
    let currency = currency_or_default(&state, input.currency.as_deref())?;
    let draft = ledger::tiers::TierDraft {
        slug: ledger::tiers::parse_slug(&input.slug)?,
        name: required_text("name", &input.name, 60)?,
        description: clean_text("description", &input.description, 1000)?,
        monthly_minimum: minimum_amount(&input.monthly_minimum, currency)?,
        perks: perks(&input.perks)?,
        link_rel: ledger::tiers::parse_link_rel(
            input.link_rel.as_deref().unwrap_or("sponsored noopener"),
        )?,
        position: input.position,
    };
    idempotent_write(&state, token, &req, &body, move |conn| {
        let tier = ledger::tiers::create(conn, draft)?;
        Ok((StatusCode::CREATED, to_json(&TierView::from(&tier))?))
    })
    .await
}

/// `PATCH /api/v1/admin/tiers/{id}`.
pub async fn update_tier(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch: TierPatch = parse_json(&body)?;
    let minimum = match (&patch.monthly_minimum, &patch.currency) {
        (Some(amount), currency) => {
            let currency = currency_or_default(&state, currency.as_deref())?;
            Some(minimum_amount(amount, currency)?)
        }
        (None, Some(_)) => {
            return Err(AppError::invalid(
                "currency",
                "give monthly_minimum together with its currency",
            ))
        }
        (None, None) => None,
    };
    let update = ledger::tiers::TierUpdate {
        slug: patch
            .slug
            .as_deref()
            .map(ledger::tiers::parse_slug)
            .transpose()?,
        name: patch
            .name
            .as_deref()
            .map(|n| required_text("name", n, 60))
            .transpose()?,
        description: patch
            .description
            .as_deref()
            .map(|d| clean_text("description", d, 1000))
            .transpose()?,
        monthly_minimum: minimum,
        perks: patch.perks.as_deref().map(perks).transpose()?,
        link_rel: patch
            .link_rel
            .as_deref()
            .map(ledger::tiers::parse_link_rel)
            .transpose()?,
        position: patch.position,
    };
    idempotent_write(&state, token, &req, &body, move |conn| {
        let tier = ledger::tiers::update(conn, id, update)?;
        Ok((StatusCode::OK, to_json(&TierView::from(&tier))?))
    })
    .await
}

/// `POST /api/v1/admin/tiers/{id}/archive`.
pub async fn archive_tier(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    idempotent_write(&state, token, &req, &body, move |conn| {
        let tier = ledger::tiers::archive(conn, id)?;
        Ok((StatusCode::OK, to_json(&TierView::from(&tier))?))
    })
    .await
}

// ---------- donors ----------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    #[serde(default)]
    name: bool,
    #[serde(default)]
    logo: bool,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    handle: bool,
    #[serde(default)]
    amount: bool,
}

impl From<ConsentInput> for Consent {
    fn from(c: ConsentInput) -> Self {
        Consent {
            name: c.name,
            logo: c.logo,
            link: c.link,
            handle: c.handle,
            amount: c.amount,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DonorInput {
    public_name: String,
    email: Option<String>,
    legal_name: Option<String>,
    website: Option<String>,
    fediverse_handle: Option<String>,
    #[serde(default)]
    anonymous: bool,
    #[serde(default)]
    consent: ConsentInput,
    locale: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DonorPatch {
    public_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    legal_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    fediverse_handle: Option<Option<String>>,
    anonymous: Option<bool>,
    consent: Option<ConsentInput>,
    #[serde(default, deserialize_with = "double_option")]
    locale: Option<Option<String>>,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

fn page_number(page: Option<i64>) -> AppResult<i64> {
    match page.unwrap_or(0) {
        p if (0..=1_000_000).contains(&p) => Ok(p),
        _ => Err(AppError::invalid("page", "must be a page number from 0")),
    }
}

/// `GET /api/v1/admin/donors?page=`.
pub async fn list_donors(
    state: State,
    _token: ApiToken,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = page_number(query.page)?;
    let donors = state
        .run(move |conn| ledger::donors::list(conn, page, PAGE_SIZE + 1))
        .await?;
    let next_page = (donors.len() as i64 > PAGE_SIZE).then_some(page + 1);
    let donors: Vec<DonorView> = donors
        .iter()
        .take(PAGE_SIZE as usize)
        .map(DonorView::from)
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "donors": donors, "next_page": next_page })))
}

/// `POST /api/v1/admin/donors`.
pub async fn create_donor(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let input: DonorInput = parse_json(&body)?;
    let draft = ledger::donors::DonorDraft {
        public_name: required_text("public_name", &input.public_name, 100)?,
        legal_name: input
            .legal_name
            .as_deref()
            .map(|n| clean_text("legal_name", n, 200))
            .transpose()?
            .filter(|n| !n.is_empty()),
        email: optional_parsed("email", input.email, Email::parse)?,
        website: optional_parsed("website", input.website, WebUrl::parse)?,
        fediverse_handle: optional_parsed(
            "fediverse_handle",
            input.fediverse_handle,
            FediverseHandle::parse,
        )?,
        logo_path: None,
        anonymous: input.anonymous,
        consent: input.consent.into(),
        locale: locale(input.locale)?,
    };
    idempotent_write(&state, token, &req, &body, move |conn| {
        let donor = ledger::donors::create(conn, draft)?;
        Ok((StatusCode::CREATED, to_json(&DonorView::from(&donor))?))
    })
    .await
}

/// `GET /api/v1/admin/donors/{id}`: the donor with their pledges, entries and standing.
pub async fn show_donor(
    state: State,
    _token: ApiToken,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let currency = state.settings.currency;
    let view = state
        .run(move |conn| {
            let donor = ledger::donors::find(conn, id)?;
            let pledges = ledger::pledges::list(conn, Some(id), None)?;
            let entries = ledger::entries::list(conn, None, Some(id), 0, 1000)?.entries;
            let standing = ledger::wall::standing(conn, &donor, &pledges, currency, db::now())?;
            Ok(DonorDetailView {
                donor: DonorView::from(&donor),
                monthly_support: standing.monthly_support.into(),
                tier_id: standing.tier_id,
                pledges: pledges.iter().map(PledgeView::from).collect(),
                entries: entries.iter().map(EntryView::from).collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `PATCH /api/v1/admin/donors/{id}`: details and consent.
pub async fn update_donor(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch: DonorPatch = parse_json(&body)?;
    let update = ledger::donors::DonorUpdate {
        public_name: patch
            .public_name
            .as_deref()
            .map(|n| required_text("public_name", n, 100))
            .transpose()?,
        legal_name: patch
            .legal_name
            .map(|n| {
                n.map(|n| clean_text("legal_name", &n, 200))
                    .transpose()
                    .map(|n| n.filter(|n| !n.is_empty()))
            })
            .transpose()?,
        email: patch
            .email
            .map(|v| optional_parsed("email", v, Email::parse))
            .transpose()?,
        website: patch
            .website
            .map(|v| optional_parsed("website", v, WebUrl::parse))
            .transpose()?,
        fediverse_handle: patch
            .fediverse_handle
            .map(|v| optional_parsed("fediverse_handle", v, FediverseHandle::parse))
            .transpose()?,
        anonymous: patch.anonymous,
        consent: patch.consent.map(Consent::from),
        locale: patch.locale.map(locale).transpose()?,
    };
    idempotent_write(&state, token, &req, &body, move |conn| {
        let donor = ledger::donors::update(conn, id, update)?;
        Ok((StatusCode::OK, to_json(&DonorView::from(&donor))?))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinInput {
    tier_id: Option<i64>,
    reason: String,
}

/// `POST /api/v1/admin/donors/{id}/pin`: pin a tier (or `"tier_id": null` to unpin).
pub async fn pin_donor(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input: PinInput = parse_json(&body)?;
    let actor = token.actor();
    idempotent_write(&state, token, &req, &body, move |conn| {
        let donor = ledger::donors::pin_tier(conn, id, input.tier_id, &input.reason, &actor)?;
        Ok((StatusCode::OK, to_json(&DonorView::from(&donor))?))
    })
    .await
}

// ---------- pledges ----------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeInput {
    donor_id: i64,
    tier_id: Option<i64>,
    amount: String,
    currency: Option<String>,
    interval: String,
    source: Option<String>,
    external_ref: Option<String>,
    started_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
pub struct PledgeQuery {
    donor_id: Option<i64>,
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    status: String,
}

/// `GET /api/v1/admin/pledges?donor_id=&status=`.
pub async fn list_pledges(
    state: State,
    _token: ApiToken,
    query: web::Query<PledgeQuery>,
) -> AppResult<HttpResponse> {
    let status = query
        .status
        .as_deref()
        .map(|s| PledgeStatus::parse(s).map_err(|e| AppError::invalid("status", e.to_string())))
        .transpose()?;
    let donor_id = query.donor_id;
    let pledges = state
        .run(move |conn| ledger::pledges::list(conn, donor_id, status))
        .await?;
    let pledges: Vec<PledgeView> = pledges.iter().map(PledgeView::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "pledges": pledges })))
}

/// `POST /api/v1/admin/pledges`.
pub async fn create_pledge(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let input: PledgeInput = parse_json(&body)?;
    let currency = currency_or_default(&state, input.currency.as_deref())?;
    let draft = ledger::pledges::PledgeDraft {
        donor_id: input.donor_id,
        tier_id: input.tier_id,
        amount: positive_amount("amount", &input.amount, currency)?,
        interval: Interval::parse(&input.interval)
            .map_err(|e| AppError::invalid("interval", e.to_string()))?,
        source: source(input.source.as_deref())?,
        external_ref: external_ref(input.external_ref)?,
        started_at: occurred_at(input.started_at)?,
    };
    idempotent_write(&state, token, &req, &body, move |conn| {
        let pledge = ledger::pledges::create(conn, draft)?;
        Ok((StatusCode::CREATED, to_json(&PledgeView::from(&pledge))?))
    })
    .await
}

/// `POST /api/v1/admin/pledges/{id}/status`.
pub async fn change_pledge_status(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input: StatusInput = parse_json(&body)?;
    let status = PledgeStatus::parse(&input.status)
        .map_err(|e| AppError::invalid("status", e.to_string()))?;
    let actor = token.actor();
    idempotent_write(&state, token, &req, &body, move |conn| {
        let pledge = ledger::pledges::change_status(conn, id, status, &actor)?;
        Ok((StatusCode::OK, to_json(&PledgeView::from(&pledge))?))
    })
    .await
}

// ---------- ledger ----------

#[derive(Debug, Deserialize)]
pub struct LedgerQuery {
    kind: Option<String>,
    donor_id: Option<i64>,
    page: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DonationInput {
    donor_id: Option<i64>,
    pledge_id: Option<i64>,
    amount: String,
    currency: Option<String>,
    occurred_at: Option<DateTime<Utc>>,
    source: Option<String>,
    external_ref: Option<String>,
    #[serde(default)]
    memo: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    entry_id: i64,
    amount: Option<String>,
    occurred_at: Option<DateTime<Utc>>,
    source: Option<String>,
    external_ref: Option<String>,
    #[serde(default)]
    memo: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpenseInput {
    amount: String,
    currency: Option<String>,
    category: String,
    occurred_at: Option<DateTime<Utc>>,
    source: Option<String>,
    external_ref: Option<String>,
    #[serde(default)]
    memo: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    entry_id: i64,
    amount: Option<String>,
    memo: String,
}

/// `GET /api/v1/admin/ledger?kind=&donor_id=&page=`.
pub async fn list_ledger(
    state: State,
    _token: ApiToken,
    query: web::Query<LedgerQuery>,
) -> AppResult<HttpResponse> {
    let kind = query
        .kind
        .as_deref()
        .map(|k| EntryKind::parse(k).map_err(|e| AppError::invalid("kind", e.to_string())))
        .transpose()?;
    let page = page_number(query.page)?;
    let donor_id = query.donor_id;
    let page = state
        .run(move |conn| ledger::entries::list(conn, kind, donor_id, page, PAGE_SIZE))
        .await?;
    let entries: Vec<EntryView> = page.entries.iter().map(EntryView::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "entries": entries, "next_page": page.next_page })))
}

/// `POST /api/v1/admin/donations`.
pub async fn record_donation(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let input: DonationInput = parse_json(&body)?;
    let currency = currency_or_default(&state, input.currency.as_deref())?;
    let draft = ledger::entries::DonationDraft {
        donor_id: input.donor_id,
        pledge_id: input.pledge_id,
        amount: positive_amount("amount", &input.amount, currency)?,
        occurred_at: occurred_at(input.occurred_at)?,
        source: source(input.source.as_deref())?,
        external_ref: external_ref(input.external_ref)?,
        memo: clean_text("memo", &input.memo, 1000)?,
    };
    write_entry(state, token, req, body, move |conn| {
        ledger::entries::record_donation(conn, draft)
    })
    .await
}

/// `POST /api/v1/admin/refunds`: the amount defaults to what remains of the donation.
pub async fn record_refund(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let input: RefundInput = parse_json(&body)?;
    let draft = ledger::entries::RefundDraft {
        entry_id: input.entry_id,
        amount: input
            .amount
            .as_deref()
            .map(|a| typed_amount(a, TypedAmount::parse))
            .transpose()?,
        occurred_at: occurred_at(input.occurred_at)?,
        source: input
            .source
            .as_deref()
            .map(|s| source(Some(s)))
            .transpose()?,
        external_ref: external_ref(input.external_ref)?,
        memo: clean_text("memo", &input.memo, 1000)?,
    };
    write_entry(state, token, req, body, move |conn| {
        ledger::entries::record_refund(conn, draft)
    })
    .await
}

/// `POST /api/v1/admin/expenses`.
pub async fn record_expense(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let input: ExpenseInput = parse_json(&body)?;
    let currency = currency_or_default(&state, input.currency.as_deref())?;
    let draft = ledger::entries::ExpenseDraft {
        amount: positive_amount("amount", &input.amount, currency)?,
        category: required_text("category", &input.category, 60)?.to_lowercase(),
        occurred_at: occurred_at(input.occurred_at)?,
        source: source(input.source.as_deref())?,
        external_ref: external_ref(input.external_ref)?,
        memo: clean_text("memo", &input.memo, 1000)?,
    };
    write_entry(state, token, req, body, move |conn| {
        ledger::entries::record_expense(conn, draft)
    })
    .await
}

/// `POST /api/v1/admin/corrections`: reverses a mistaken entry, in full or by a signed amount.
pub async fn record_correction(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let input: CorrectionInput = parse_json(&body)?;
    let draft = ledger::entries::CorrectionDraft {
        entry_id: input.entry_id,
        amount: input
            .amount
            .as_deref()
            .map(|a| typed_amount(a, TypedAmount::parse_signed))
            .transpose()?,
        memo: required_text("memo", &input.memo, 1000)?,
    };
    write_entry(state, token, req, body, move |conn| {
        ledger::entries::record_correction(conn, draft)
    })
    .await
}

async fn write_entry<F>(
    state: State,
    token: ApiToken,
    req: HttpRequest,
    body: web::Bytes,
    record: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut db::DbConn) -> AppResult<ledger::entries::Entry> + Send + 'static,
{
    idempotent_write(&state, token, &req, &body, move |conn| {
        let entry = record(conn)?;
        Ok((StatusCode::CREATED, to_json(&EntryView::from(&entry))?))
    })
    .await
}
