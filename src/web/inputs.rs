//! What clients send to write: input structs shared by the JSON API and the console's forms,
//! each converting with `TryFrom` into a validated ledger draft. The instance currency comes
//! along where an input may leave the currency out.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

use crate::domain::{
    Consent, Currency, Email, FediverseHandle, Interval, Money, Perk, PerkSet, PledgeStatus,
    Source, TypedAmount, WebUrl,
};
use crate::error::{AppError, AppResult};
use crate::ledger::{self, clean_text, required_text};

/// Distinguishes a missing field (keep) from `null` (clear) in PATCH bodies.
fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn currency_or_default(default: Currency, code: Option<&str>) -> AppResult<Currency> {
    match code {
        Some(code) => {
            Currency::parse(code).map_err(|e| AppError::invalid("currency", e.to_string()))
        }
        None => Ok(default),
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

fn occurred_at(field: &str, value: Option<DateTime<Utc>>) -> AppResult<Option<NaiveDateTime>> {
    value
        .map(|v| ledger::entries::check_date(field, v.naive_utc()))
        .transpose()
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
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub monthly_minimum: String,
    pub currency: Option<String>,
    #[serde(default)]
    pub perks: Vec<String>,
    pub link_rel: Option<String>,
    #[serde(default)]
    pub position: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierPatch {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub monthly_minimum: Option<String>,
    pub currency: Option<String>,
    pub perks: Option<Vec<String>>,
    pub link_rel: Option<String>,
    pub position: Option<i32>,
}

// ---------- donors ----------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    #[serde(default)]
    pub name: bool,
    #[serde(default)]
    pub logo: bool,
    #[serde(default)]
    pub link: bool,
    #[serde(default)]
    pub handle: bool,
    #[serde(default)]
    pub amount: bool,
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
    pub public_name: String,
    pub email: Option<String>,
    pub legal_name: Option<String>,
    pub website: Option<String>,
    pub fediverse_handle: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub consent: ConsentInput,
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DonorPatch {
    pub public_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub legal_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub fediverse_handle: Option<Option<String>>,
    pub anonymous: Option<bool>,
    pub consent: Option<ConsentInput>,
    #[serde(default, deserialize_with = "double_option")]
    pub locale: Option<Option<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinInput {
    pub tier_id: Option<i64>,
    pub reason: String,
}

// ---------- pledges ----------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeInput {
    pub donor_id: i64,
    pub tier_id: Option<i64>,
    pub amount: String,
    pub currency: Option<String>,
    pub interval: String,
    pub source: Option<String>,
    pub external_ref: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub status: String,
}

// ---------- money movements ----------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DonationInput {
    pub donor_id: Option<i64>,
    pub pledge_id: Option<i64>,
    pub amount: String,
    pub currency: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub source: Option<String>,
    pub external_ref: Option<String>,
    #[serde(default)]
    pub memo: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    pub entry_id: i64,
    pub amount: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub source: Option<String>,
    pub external_ref: Option<String>,
    #[serde(default)]
    pub memo: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpenseInput {
    pub amount: String,
    pub currency: Option<String>,
    pub category: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub source: Option<String>,
    pub external_ref: Option<String>,
    #[serde(default)]
    pub memo: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    pub entry_id: i64,
    pub amount: Option<String>,
    pub memo: String,
}

// ---------- conversions into ledger drafts ----------

/// An input together with the instance currency, which fills in a currency left out.
pub type WithCurrency<T> = (T, Currency);

impl TryFrom<WithCurrency<TierInput>> for ledger::tiers::TierDraft {
    type Error = AppError;
    fn try_from((input, default): WithCurrency<TierInput>) -> AppResult<Self> {
        let currency = currency_or_default(default, input.currency.as_deref())?;
        Ok(Self {
            slug: ledger::tiers::parse_slug(&input.slug)?,
            name: required_text("name", &input.name, 60)?,
            description: clean_text("description", &input.description, 1000)?,
            monthly_minimum: minimum_amount(&input.monthly_minimum, currency)?,
            perks: perks(&input.perks)?,
            link_rel: ledger::tiers::parse_link_rel(
                input.link_rel.as_deref().unwrap_or("sponsored noopener"),
            )?,
            position: input.position,
        })
    }
}

impl TryFrom<WithCurrency<TierPatch>> for ledger::tiers::TierUpdate {
    type Error = AppError;
    fn try_from((patch, default): WithCurrency<TierPatch>) -> AppResult<Self> {
        let monthly_minimum = match (&patch.monthly_minimum, &patch.currency) {
            (Some(amount), currency) => {
                let currency = currency_or_default(default, currency.as_deref())?;
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
        Ok(Self {
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
            monthly_minimum,
            perks: patch.perks.as_deref().map(perks).transpose()?,
            link_rel: patch
                .link_rel
                .as_deref()
                .map(ledger::tiers::parse_link_rel)
                .transpose()?,
            position: patch.position,
        })
    }
}

fn legal_name(value: &str) -> AppResult<Option<String>> {
    Ok(Some(clean_text("legal_name", value, 200)?).filter(|n| !n.is_empty()))
}

impl TryFrom<DonorInput> for ledger::donors::DonorDraft {
    type Error = AppError;
    fn try_from(input: DonorInput) -> AppResult<Self> {
        Ok(Self {
            public_name: required_text("public_name", &input.public_name, 100)?,
            legal_name: input
                .legal_name
                .as_deref()
                .map(legal_name)
                .transpose()?
                .flatten(),
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
        })
    }
}

impl TryFrom<DonorPatch> for ledger::donors::DonorUpdate {
    type Error = AppError;
    fn try_from(patch: DonorPatch) -> AppResult<Self> {
        Ok(Self {
            public_name: patch
                .public_name
                .as_deref()
                .map(|n| required_text("public_name", n, 100))
                .transpose()?,
            legal_name: patch
                .legal_name
                .map(|n| {
                    n.as_deref()
                        .map(legal_name)
                        .transpose()
                        .map(Option::flatten)
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
        })
    }
}

impl TryFrom<WithCurrency<PledgeInput>> for ledger::pledges::PledgeDraft {
    type Error = AppError;
    fn try_from((input, default): WithCurrency<PledgeInput>) -> AppResult<Self> {
        let currency = currency_or_default(default, input.currency.as_deref())?;
        Ok(Self {
            donor_id: input.donor_id,
            tier_id: input.tier_id,
            amount: positive_amount("amount", &input.amount, currency)?,
            interval: Interval::parse(&input.interval)
                .map_err(|e| AppError::invalid("interval", e.to_string()))?,
            source: source(input.source.as_deref())?,
            external_ref: external_ref(input.external_ref)?,
            started_at: occurred_at("started_at", input.started_at)?,
        })
    }
}

impl TryFrom<StatusInput> for PledgeStatus {
    type Error = AppError;
    fn try_from(input: StatusInput) -> AppResult<Self> {
        PledgeStatus::parse(&input.status).map_err(|e| AppError::invalid("status", e.to_string()))
    }
}

impl TryFrom<WithCurrency<DonationInput>> for ledger::entries::DonationDraft {
    type Error = AppError;
    fn try_from((input, default): WithCurrency<DonationInput>) -> AppResult<Self> {
        let currency = currency_or_default(default, input.currency.as_deref())?;
        Ok(Self {
            donor_id: input.donor_id,
            pledge_id: input.pledge_id,
            amount: positive_amount("amount", &input.amount, currency)?,
            occurred_at: occurred_at("occurred_at", input.occurred_at)?,
            source: source(input.source.as_deref())?,
            external_ref: external_ref(input.external_ref)?,
            memo: clean_text("memo", &input.memo, 1000)?,
        })
    }
}

impl TryFrom<RefundInput> for ledger::entries::RefundDraft {
    type Error = AppError;
    fn try_from(input: RefundInput) -> AppResult<Self> {
        Ok(Self {
            entry_id: input.entry_id,
            amount: input
                .amount
                .as_deref()
                .map(|a| typed_amount(a, TypedAmount::parse))
                .transpose()?,
            occurred_at: occurred_at("occurred_at", input.occurred_at)?,
            source: input
                .source
                .as_deref()
                .map(|s| source(Some(s)))
                .transpose()?,
            external_ref: external_ref(input.external_ref)?,
            memo: clean_text("memo", &input.memo, 1000)?,
        })
    }
}

impl TryFrom<WithCurrency<ExpenseInput>> for ledger::entries::ExpenseDraft {
    type Error = AppError;
    fn try_from((input, default): WithCurrency<ExpenseInput>) -> AppResult<Self> {
        let currency = currency_or_default(default, input.currency.as_deref())?;
        Ok(Self {
            amount: positive_amount("amount", &input.amount, currency)?,
            category: required_text("category", &input.category, 60)?.to_lowercase(),
            occurred_at: occurred_at("occurred_at", input.occurred_at)?,
            source: source(input.source.as_deref())?,
            external_ref: external_ref(input.external_ref)?,
            memo: clean_text("memo", &input.memo, 1000)?,
        })
    }
}

impl TryFrom<CorrectionInput> for ledger::entries::CorrectionDraft {
    type Error = AppError;
    fn try_from(input: CorrectionInput) -> AppResult<Self> {
        Ok(Self {
            entry_id: input.entry_id,
            amount: input
                .amount
                .as_deref()
                .map(|a| typed_amount(a, TypedAmount::parse_signed))
                .transpose()?,
            memo: required_text("memo", &input.memo, 1000)?,
        })
    }
}
