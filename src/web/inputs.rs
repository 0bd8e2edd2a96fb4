//! What clients send to write: input structs shared by the JSON API and the console's forms,
//! each converting with `TryFrom` into a validated ledger draft. The instance currency comes
//! along where an input may leave the currency out.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

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

/// A JSON integer, also when written with a zero fraction (`5.0`), which JSON Schema counts as
/// an integer too; anything else, or out of `T`'s range, is refused.
fn integer<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: TryFrom<i64>,
    D: Deserializer<'de>,
{
    let number = serde_json::Number::deserialize(deserializer)?;
    whole_number(&number).map_err(serde::de::Error::custom)
}

fn optional_integer<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: TryFrom<i64>,
    D: Deserializer<'de>,
{
    Option::<serde_json::Number>::deserialize(deserializer)?
        .map(|n| whole_number(&n).map_err(serde::de::Error::custom))
        .transpose()
}

fn whole_number<T: TryFrom<i64>>(number: &serde_json::Number) -> Result<T, String> {
    let value = match (number.as_i64(), number.as_f64()) {
        (Some(n), _) => Some(n),
        // 2^63 is exactly representable; every whole f64 below it fits an i64.
        (None, Some(f)) if f.fract() == 0.0 && f >= -(2f64.powi(63)) && f < 2f64.powi(63) => {
            Some(f as i64)
        }
        _ => None,
    };
    value
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("invalid value: {number}, expected an integer in range"))
}

fn currency_or_default(default: Currency, code: Option<&str>) -> AppResult<Currency> {
    match code {
        Some(code) => {
            rules::check_currency(code)?;
            Currency::parse(code).map_err(|e| AppError::invalid("currency", e.to_string()))
        }
        None => Ok(default),
    }
}

fn positive_amount(field: &str, input: &str, currency: Currency) -> AppResult<Money> {
    rules::AMOUNT_RULE.check(field, input)?;
    Money::parse_positive(input, currency).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// A tier's monthly minimum; zero makes a tier for every supporter.
fn minimum_amount(input: &str, currency: Currency) -> AppResult<Money> {
    rules::AMOUNT_RULE.check("monthly_minimum", input)?;
    Money::parse_non_negative(input, currency)
        .map_err(|e| AppError::invalid("monthly_minimum", e.to_string()))
}

/// An amount whose currency the ledger decides (a refund's is its donation's).
fn typed_amount(
    input: &str,
    rule: &rules::Rule,
    parse: fn(&str) -> Result<TypedAmount, crate::domain::MoneyError>,
) -> AppResult<TypedAmount> {
    rule.check("amount", input)?;
    parse(input).map_err(|e| AppError::invalid("amount", e.to_string()))
}

fn occurred_at(field: &str, value: Option<DateTime<Utc>>) -> AppResult<Option<NaiveDateTime>> {
    value
        .map(|v| ledger::entries::check_date(field, v.naive_utc()))
        .transpose()
}

/// A word of a closed vocabulary, exactly as the document lists it (no case or space games).
fn vocabulary<T: Copy>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Result<T, crate::domain::DomainError>,
    as_str: fn(T) -> &'static str,
) -> AppResult<T> {
    match parse(value) {
        Ok(word) if as_str(word) == value => Ok(word),
        Ok(_) => Err(AppError::invalid(
            field,
            format!("“{value}” must be written exactly as listed"),
        )),
        Err(e) => Err(AppError::invalid(field, e.to_string())),
    }
}

fn source(value: Option<&str>) -> AppResult<Source> {
    value.map_or(Ok(Source::Manual), |s| {
        vocabulary("source", s, Source::parse, Source::as_str)
    })
}

fn external_ref(value: Option<String>) -> AppResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    Ok(Some(text(&rules::EXTERNAL_REF, "external_ref", &value)?))
}

fn perks(values: &[String]) -> AppResult<PerkSet> {
    let perks: Vec<Perk> = values
        .iter()
        .map(|p| vocabulary("perks", p, Perk::parse, Perk::as_str))
        .collect::<AppResult<_>>()?;
    Ok(PerkSet::from_perks(perks))
}

/// Free text: the ledger's own checks (trimmed, bounded, no hidden characters), then the rule
/// the document states, on the text as sent.
fn text(rule: &rules::Rule, field: &str, value: &str) -> AppResult<String> {
    let cleaned = if rule.min_chars > 0 {
        required_text(field, value, rule.max_chars)?
    } else {
        clean_text(field, value, rule.max_chars)?
    };
    rule.check(field, value)?;
    Ok(cleaned)
}

/// An optional value with a pattern: `None` stays `None`, anything else must match and parse.
fn optional_parsed<T, E: std::fmt::Display>(
    field: &str,
    rule: &rules::Rule,
    value: Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> AppResult<Option<T>> {
    value
        .map(|v| {
            rule.check(field, &v)?;
            parse(&v).map_err(|e| AppError::invalid(field, e.to_string()))
        })
        .transpose()
}

fn locale(value: Option<String>) -> AppResult<Option<String>> {
    optional_parsed("locale", &rules::LOCALE_RULE, value, |v| {
        Ok::<_, AppError>(v.to_owned())
    })
}

fn position(value: i32) -> AppResult<i32> {
    if rules::POSITION.contains(&value) {
        Ok(value)
    } else {
        Err(AppError::invalid(
            "position",
            format!(
                "must be from {} to {}",
                rules::POSITION.start(),
                rules::POSITION.end()
            ),
        ))
    }
}

fn slug(value: &str) -> AppResult<String> {
    rules::SLUG_RULE.check("slug", value)?;
    ledger::tiers::parse_slug(value)
}

fn link_rel(value: &str) -> AppResult<String> {
    rules::LINK_REL_RULE.check("link_rel", value)?;
    ledger::tiers::parse_link_rel(value)
}

fn id(field: &str, value: Option<i64>) -> AppResult<Option<i64>> {
    value.map(|v| rules::check_id(field, v)).transpose()
}

// ---------- tiers ----------

/// A new sponsor tier.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    #[schema(schema_with = rules::slug)]
    pub slug: String,
    #[schema(schema_with = rules::name)]
    pub name: String,
    #[serde(default)]
    #[schema(schema_with = rules::description)]
    pub description: String,
    #[schema(schema_with = rules::minimum_amount)]
    pub monthly_minimum: String,
    #[schema(schema_with = rules::currency_or_null)]
    pub currency: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<Perk>)]
    pub perks: Vec<String>,
    #[schema(schema_with = rules::link_rel_or_null)]
    pub link_rel: Option<String>,
    #[serde(default, deserialize_with = "integer")]
    #[schema(minimum = -10000, maximum = 10000)]
    pub position: i32,
}

/// Changes to a tier; absent and `null` fields are kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierPatch {
    #[schema(schema_with = rules::slug_or_null)]
    pub slug: Option<String>,
    #[schema(schema_with = rules::name_or_null)]
    pub name: Option<String>,
    #[schema(schema_with = rules::description_or_null)]
    pub description: Option<String>,
    #[schema(schema_with = rules::minimum_amount_or_null)]
    pub monthly_minimum: Option<String>,
    #[schema(schema_with = rules::currency_or_null)]
    pub currency: Option<String>,
    #[schema(value_type = Option<Vec<Perk>>)]
    pub perks: Option<Vec<String>>,
    #[schema(schema_with = rules::link_rel_or_null)]
    pub link_rel: Option<String>,
    #[schema(minimum = -10000, maximum = 10000)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub position: Option<i32>,
}

// ---------- donors ----------

/// What a donor agreed to show; absent flags are `false`.
#[derive(Debug, Default, Deserialize, ToSchema)]
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

/// A new donor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DonorInput {
    #[schema(schema_with = rules::public_name)]
    pub public_name: String,
    #[schema(schema_with = rules::email_or_null)]
    pub email: Option<String>,
    #[schema(schema_with = rules::legal_name_or_null)]
    pub legal_name: Option<String>,
    #[schema(schema_with = rules::website_or_null)]
    pub website: Option<String>,
    #[schema(schema_with = rules::handle_or_null)]
    pub fediverse_handle: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub consent: ConsentInput,
    #[schema(schema_with = rules::locale_or_null)]
    pub locale: Option<String>,
}

/// Changes to a donor: absent fields are kept; `null` clears an optional field (and keeps
/// `public_name`, `anonymous` and `consent`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DonorPatch {
    #[schema(schema_with = rules::public_name_or_null)]
    pub public_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = rules::email_or_null)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = rules::legal_name_or_null)]
    pub legal_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = rules::website_or_null)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = rules::handle_or_null)]
    pub fediverse_handle: Option<Option<String>>,
    pub anonymous: Option<bool>,
    #[schema(nullable)]
    pub consent: Option<ConsentInput>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = rules::locale_or_null)]
    pub locale: Option<Option<String>>,
}

/// Pins a donor to a tier, or unpins them with `"tier_id": null`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinInput {
    #[schema(schema_with = rules::id_or_null)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub tier_id: Option<i64>,
    #[schema(schema_with = rules::reason)]
    pub reason: String,
}

// ---------- pledges ----------

/// A new recurring pledge.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PledgeInput {
    #[schema(schema_with = rules::id)]
    #[serde(deserialize_with = "integer")]
    pub donor_id: i64,
    #[schema(schema_with = rules::id_or_null)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub tier_id: Option<i64>,
    #[schema(schema_with = rules::positive_amount)]
    pub amount: String,
    #[schema(schema_with = rules::currency_or_null)]
    pub currency: Option<String>,
    #[schema(value_type = Interval)]
    pub interval: String,
    #[schema(value_type = Option<Source>, nullable)]
    pub source: Option<String>,
    #[schema(schema_with = rules::external_ref_or_null)]
    pub external_ref: Option<String>,
    #[schema(schema_with = rules::date_time_or_null)]
    pub started_at: Option<DateTime<Utc>>,
}

/// A pledge's new status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    #[schema(value_type = PledgeStatus)]
    pub status: String,
}

// ---------- money movements ----------

/// Money received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DonationInput {
    #[schema(schema_with = rules::id_or_null)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub donor_id: Option<i64>,
    #[schema(schema_with = rules::id_or_null)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub pledge_id: Option<i64>,
    #[schema(schema_with = rules::positive_amount)]
    pub amount: String,
    #[schema(schema_with = rules::currency_or_null)]
    pub currency: Option<String>,
    #[schema(schema_with = rules::date_time_or_null)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<Source>, nullable)]
    pub source: Option<String>,
    #[schema(schema_with = rules::external_ref_or_null)]
    pub external_ref: Option<String>,
    #[serde(default)]
    #[schema(schema_with = rules::memo)]
    pub memo: String,
}

/// Money given back; the amount defaults to what remains of the donation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    #[schema(schema_with = rules::id)]
    #[serde(deserialize_with = "integer")]
    pub entry_id: i64,
    #[schema(schema_with = rules::positive_amount_or_null)]
    pub amount: Option<String>,
    #[schema(schema_with = rules::date_time_or_null)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<Source>, nullable)]
    pub source: Option<String>,
    #[schema(schema_with = rules::external_ref_or_null)]
    pub external_ref: Option<String>,
    #[serde(default)]
    #[schema(schema_with = rules::memo)]
    pub memo: String,
}

/// A running cost.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpenseInput {
    #[schema(schema_with = rules::positive_amount)]
    pub amount: String,
    #[schema(schema_with = rules::currency_or_null)]
    pub currency: Option<String>,
    #[schema(schema_with = rules::category)]
    pub category: String,
    #[schema(schema_with = rules::date_time_or_null)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<Source>, nullable)]
    pub source: Option<String>,
    #[schema(schema_with = rules::external_ref_or_null)]
    pub external_ref: Option<String>,
    #[serde(default)]
    #[schema(schema_with = rules::memo)]
    pub memo: String,
}

/// Corrects a mistaken entry: by a signed amount, or by reversing what remains of it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    #[schema(schema_with = rules::id)]
    #[serde(deserialize_with = "integer")]
    pub entry_id: i64,
    #[schema(schema_with = rules::signed_amount_or_null)]
    pub amount: Option<String>,
    #[schema(schema_with = rules::required_memo)]
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
            slug: slug(&input.slug)?,
            name: text(&rules::NAME, "name", &input.name)?,
            description: text(&rules::DESCRIPTION, "description", &input.description)?,
            monthly_minimum: minimum_amount(&input.monthly_minimum, currency)?,
            perks: perks(&input.perks)?,
            link_rel: link_rel(input.link_rel.as_deref().unwrap_or("sponsored noopener"))?,
            position: position(input.position)?,
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
            slug: patch.slug.as_deref().map(slug).transpose()?,
            name: patch
                .name
                .as_deref()
                .map(|n| text(&rules::NAME, "name", n))
                .transpose()?,
            description: patch
                .description
                .as_deref()
                .map(|d| text(&rules::DESCRIPTION, "description", d))
                .transpose()?,
            monthly_minimum,
            perks: patch.perks.as_deref().map(perks).transpose()?,
            link_rel: patch.link_rel.as_deref().map(link_rel).transpose()?,
            position: patch.position.map(position).transpose()?,
        })
    }
}

fn legal_name(value: &str) -> AppResult<Option<String>> {
    Ok(Some(text(&rules::LEGAL_NAME, "legal_name", value)?).filter(|n| !n.is_empty()))
}

fn email(value: Option<String>) -> AppResult<Option<Email>> {
    optional_parsed("email", &rules::EMAIL_RULE, value, Email::parse)
}

fn website(value: Option<String>) -> AppResult<Option<WebUrl>> {
    optional_parsed("website", &rules::WEBSITE_RULE, value, WebUrl::parse)
}

fn handle(value: Option<String>) -> AppResult<Option<FediverseHandle>> {
    optional_parsed(
        "fediverse_handle",
        &rules::HANDLE_RULE,
        value,
        FediverseHandle::parse,
    )
}

impl TryFrom<DonorInput> for ledger::donors::DonorDraft {
    type Error = AppError;
    fn try_from(input: DonorInput) -> AppResult<Self> {
        Ok(Self {
            public_name: text(&rules::PUBLIC_NAME, "public_name", &input.public_name)?,
            legal_name: input
                .legal_name
                .as_deref()
                .map(legal_name)
                .transpose()?
                .flatten(),
            email: email(input.email)?,
            website: website(input.website)?,
            fediverse_handle: handle(input.fediverse_handle)?,
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
                .map(|n| text(&rules::PUBLIC_NAME, "public_name", n))
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
            email: patch.email.map(email).transpose()?,
            website: patch.website.map(website).transpose()?,
            fediverse_handle: patch.fediverse_handle.map(handle).transpose()?,
            anonymous: patch.anonymous,
            consent: patch.consent.map(Consent::from),
            locale: patch.locale.map(locale).transpose()?,
        })
    }
}

/// A pin's tier and its reason, checked.
pub fn pin(input: PinInput) -> AppResult<(Option<i64>, String)> {
    let tier_id = id("tier_id", input.tier_id)?;
    text(&rules::REASON, "reason", &input.reason)?;
    Ok((tier_id, input.reason))
}

impl TryFrom<WithCurrency<PledgeInput>> for ledger::pledges::PledgeDraft {
    type Error = AppError;
    fn try_from((input, default): WithCurrency<PledgeInput>) -> AppResult<Self> {
        let currency = currency_or_default(default, input.currency.as_deref())?;
        Ok(Self {
            donor_id: rules::check_id("donor_id", input.donor_id)?,
            tier_id: id("tier_id", input.tier_id)?,
            amount: positive_amount("amount", &input.amount, currency)?,
            interval: vocabulary(
                "interval",
                &input.interval,
                Interval::parse,
                Interval::as_str,
            )?,
            source: source(input.source.as_deref())?,
            external_ref: external_ref(input.external_ref)?,
            started_at: occurred_at("started_at", input.started_at)?,
        })
    }
}

impl TryFrom<StatusInput> for PledgeStatus {
    type Error = AppError;
    fn try_from(input: StatusInput) -> AppResult<Self> {
        vocabulary(
            "status",
            &input.status,
            PledgeStatus::parse,
            PledgeStatus::as_str,
        )
    }
}

impl TryFrom<WithCurrency<DonationInput>> for ledger::entries::DonationDraft {
    type Error = AppError;
    fn try_from((input, default): WithCurrency<DonationInput>) -> AppResult<Self> {
        let currency = currency_or_default(default, input.currency.as_deref())?;
        Ok(Self {
            donor_id: id("donor_id", input.donor_id)?,
            pledge_id: id("pledge_id", input.pledge_id)?,
            amount: positive_amount("amount", &input.amount, currency)?,
            occurred_at: occurred_at("occurred_at", input.occurred_at)?,
            source: source(input.source.as_deref())?,
            external_ref: external_ref(input.external_ref)?,
            memo: text(&rules::MEMO, "memo", &input.memo)?,
        })
    }
}

impl TryFrom<RefundInput> for ledger::entries::RefundDraft {
    type Error = AppError;
    fn try_from(input: RefundInput) -> AppResult<Self> {
        Ok(Self {
            entry_id: rules::check_id("entry_id", input.entry_id)?,
            amount: input
                .amount
                .as_deref()
                .map(|a| typed_amount(a, &rules::AMOUNT_RULE, TypedAmount::parse))
                .transpose()?,
            occurred_at: occurred_at("occurred_at", input.occurred_at)?,
            source: input
                .source
                .as_deref()
                .map(|s| source(Some(s)))
                .transpose()?,
            external_ref: external_ref(input.external_ref)?,
            memo: text(&rules::MEMO, "memo", &input.memo)?,
        })
    }
}

impl TryFrom<WithCurrency<ExpenseInput>> for ledger::entries::ExpenseDraft {
    type Error = AppError;
    fn try_from((input, default): WithCurrency<ExpenseInput>) -> AppResult<Self> {
        let currency = currency_or_default(default, input.currency.as_deref())?;
        Ok(Self {
            amount: positive_amount("amount", &input.amount, currency)?,
            category: text(&rules::CATEGORY, "category", &input.category)?.to_lowercase(),
            occurred_at: occurred_at("occurred_at", input.occurred_at)?,
            source: source(input.source.as_deref())?,
            external_ref: external_ref(input.external_ref)?,
            memo: text(&rules::MEMO, "memo", &input.memo)?,
        })
    }
}

impl TryFrom<CorrectionInput> for ledger::entries::CorrectionDraft {
    type Error = AppError;
    fn try_from(input: CorrectionInput) -> AppResult<Self> {
        Ok(Self {
            entry_id: rules::check_id("entry_id", input.entry_id)?,
            amount: input
                .amount
                .as_deref()
                .map(|a| typed_amount(a, &rules::SIGNED_AMOUNT_RULE, TypedAmount::parse_signed))
                .transpose()?,
            memo: text(&rules::REQUIRED_MEMO, "memo", &input.memo)?,
        })
    }
}

/// The rules the JSON API enforces on its inputs, each stated once: the OpenAPI document is
/// built from these patterns and bounds, and the conversions above check the same ones, so the
/// document and the server cannot disagree. Rules no schema can state (a date not in the future,
/// no more decimal places than the currency has, a refund within what remains) answer 422.
pub mod rules {
    use std::sync::OnceLock;

    use regex::Regex;
    use serde_json::Value;
    use utoipa::openapi::schema::{
        KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type,
    };

    use crate::domain::Currency;
    use crate::error::{AppError, AppResult};

    /// Control characters (but `\n`) and invisible or text-direction characters. (Unicode tag
    /// characters, U+E0000 to U+E007F, are refused too, but cannot be written portably here.)
    macro_rules! refused {
        () => {
            r"\x00-\x09\x0B-\x1F\x7F-\x9F\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB"
        };
    }

    /// Free text: no control (but newline) or invisible characters.
    pub const TEXT: &str = concat!("^[^", refused!(), "]*$");
    /// Free text that is not only whitespace.
    pub const REQUIRED_TEXT: &str = concat!(
        "^[^",
        refused!(),
        "]*[^",
        refused!(),
        r"\s][^",
        refused!(),
        "]*$"
    );
    pub const SLUG: &str = "^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$";
    /// A plain decimal: no sign, no grouping, no leading zeros, at most 3 decimal places.
    pub const AMOUNT: &str = r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,3})?$";
    /// A plain decimal with an optional sign.
    pub const SIGNED_AMOUNT: &str = r"^[-+]?(0|[1-9][0-9]{0,8})(\.[0-9]{1,3})?$";
    /// Known `rel` tokens separated by single spaces, `sponsored` among them.
    pub const LINK_REL: &str = "^((sponsored|noopener|noreferrer|nofollow|ugc) )*sponsored( (sponsored|noopener|noreferrer|nofollow|ugc))*$";
    pub const EMAIL: &str = concat!(
        r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@",
        r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
    );
    pub const WEBSITE: &str = r"^https?://[^\s]+$";
    pub const HANDLE: &str = concat!(
        r"^@?[A-Za-z0-9_]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?@",
        r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
    );
    pub const LOCALE: &str = "^[A-Za-z0-9-]{1,35}$";

    /// The bounds of a tier's position.
    pub const POSITION: std::ops::RangeInclusive<i32> = -10_000..=10_000;

    /// A string rule: a length in characters (Unicode code points) and a pattern.
    pub struct Rule {
        pub pattern: &'static str,
        pub min_chars: usize,
        pub max_chars: usize,
        pub message: &'static str,
        regex: OnceLock<Regex>,
    }

    impl Rule {
        pub const fn new(
            pattern: &'static str,
            min_chars: usize,
            max_chars: usize,
            message: &'static str,
        ) -> Self {
            Self {
                pattern,
                min_chars,
                max_chars,
                message,
                regex: OnceLock::new(),
            }
        }

        pub fn check(&self, field: &str, value: &str) -> AppResult<()> {
            let chars = value.chars().count();
            if chars < self.min_chars || chars > self.max_chars {
                return Err(AppError::invalid(
                    field,
                    format!(
                        "must be {} to {} characters long",
                        self.min_chars, self.max_chars
                    ),
                ));
            }
            let regex = self
                .regex
                .get_or_init(|| Regex::new(self.pattern).expect("a valid input pattern"));
            if !regex.is_match(value) {
                return Err(AppError::invalid(field, self.message));
            }
            Ok(())
        }

        fn schema(&self, nullable: bool) -> Object {
            ObjectBuilder::new()
                .schema_type(string_type(nullable))
                .min_length(Some(self.min_chars))
                .max_length(Some(self.max_chars))
                .pattern(Some(self.pattern))
                .build()
        }
    }

    const TEXT_MESSAGE: &str = "must not contain control or invisible characters";
    const REQUIRED_MESSAGE: &str = "must not be empty, nor contain control or invisible characters";

    pub static NAME: Rule = Rule::new(REQUIRED_TEXT, 1, 60, REQUIRED_MESSAGE);
    pub static PUBLIC_NAME: Rule = Rule::new(REQUIRED_TEXT, 1, 100, REQUIRED_MESSAGE);
    pub static LEGAL_NAME: Rule = Rule::new(TEXT, 0, 200, TEXT_MESSAGE);
    pub static DESCRIPTION: Rule = Rule::new(TEXT, 0, 1000, TEXT_MESSAGE);
    pub static MEMO: Rule = Rule::new(TEXT, 0, 1000, TEXT_MESSAGE);
    pub static REQUIRED_MEMO: Rule = Rule::new(REQUIRED_TEXT, 1, 1000, REQUIRED_MESSAGE);
    pub static REASON: Rule = Rule::new(REQUIRED_TEXT, 1, 500, REQUIRED_MESSAGE);
    pub static CATEGORY: Rule = Rule::new(REQUIRED_TEXT, 1, 60, REQUIRED_MESSAGE);
    pub static EXTERNAL_REF: Rule = Rule::new(REQUIRED_TEXT, 1, 255, REQUIRED_MESSAGE);
    pub static SLUG_RULE: Rule = Rule::new(
        SLUG,
        1,
        40,
        "use 1 to 40 lowercase letters, digits and inner dashes, like “gold”",
    );
    const AMOUNT_MESSAGE: &str =
        "must be a plain decimal like 12.50: digits, at most one “.” and 3 decimals, no grouping";
    pub static AMOUNT_RULE: Rule = Rule::new(AMOUNT, 1, 13, AMOUNT_MESSAGE);
    pub static SIGNED_AMOUNT_RULE: Rule = Rule::new(SIGNED_AMOUNT, 1, 14, AMOUNT_MESSAGE);
    pub static LINK_REL_RULE: Rule = Rule::new(
        LINK_REL,
        9,
        100,
        "must be sponsored, noopener, noreferrer, nofollow or ugc, separated by single spaces, sponsored among them",
    );
    pub static EMAIL_RULE: Rule = Rule::new(EMAIL, 3, 254, "is not an email address");
    pub static WEBSITE_RULE: Rule = Rule::new(
        WEBSITE,
        8,
        2048,
        "is not a web address starting with http:// or https://",
    );
    pub static HANDLE_RULE: Rule = Rule::new(
        HANDLE,
        3,
        320,
        "is not a fediverse handle like @alice@example.social",
    );
    pub static LOCALE_RULE: Rule =
        Rule::new(LOCALE, 1, 35, "must be a language tag like “en” or “de-CH”");

    /// Checks a currency code: exactly one of the uppercase codes Coffer knows.
    pub fn check_currency(code: &str) -> AppResult<()> {
        if Currency::codes().any(|c| c == code) {
            Ok(())
        } else {
            Err(AppError::invalid(
                "currency",
                format!("“{code}” is not a currency Coffer knows (use an uppercase ISO 4217 code like EUR)"),
            ))
        }
    }

    /// Checks an id: from 1.
    pub fn check_id(field: &str, id: i64) -> AppResult<i64> {
        if id >= 1 {
            Ok(id)
        } else {
            Err(AppError::invalid(field, "must be an id from 1"))
        }
    }

    fn string_type(nullable: bool) -> SchemaType {
        if nullable {
            SchemaType::from_iter([Type::String, Type::Null])
        } else {
            SchemaType::new(Type::String)
        }
    }

    pub fn slug() -> Object {
        SLUG_RULE.schema(false)
    }
    pub fn slug_or_null() -> Object {
        SLUG_RULE.schema(true)
    }
    pub fn name() -> Object {
        NAME.schema(false)
    }
    pub fn name_or_null() -> Object {
        NAME.schema(true)
    }
    pub fn public_name() -> Object {
        PUBLIC_NAME.schema(false)
    }
    pub fn public_name_or_null() -> Object {
        PUBLIC_NAME.schema(true)
    }
    pub fn legal_name_or_null() -> Object {
        LEGAL_NAME.schema(true)
    }
    pub fn description() -> Object {
        DESCRIPTION.schema(false)
    }
    pub fn description_or_null() -> Object {
        DESCRIPTION.schema(true)
    }
    pub fn memo() -> Object {
        MEMO.schema(false)
    }
    pub fn required_memo() -> Object {
        REQUIRED_MEMO.schema(false)
    }
    pub fn reason() -> Object {
        REASON.schema(false)
    }
    pub fn category() -> Object {
        CATEGORY.schema(false)
    }
    pub fn external_ref_or_null() -> Object {
        EXTERNAL_REF.schema(true)
    }
    pub fn link_rel_or_null() -> Object {
        let mut schema = LINK_REL_RULE.schema(true);
        schema.default = Some(Value::from("sponsored noopener"));
        schema
    }
    pub fn email_or_null() -> Object {
        EMAIL_RULE.schema(true)
    }
    pub fn website_or_null() -> Object {
        WEBSITE_RULE.schema(true)
    }
    pub fn handle_or_null() -> Object {
        HANDLE_RULE.schema(true)
    }
    pub fn locale_or_null() -> Object {
        LOCALE_RULE.schema(true)
    }

    fn amount(rule: &Rule, nullable: bool, description: &str, example: &str) -> Object {
        let mut schema = rule.schema(nullable);
        schema.description = Some(description.to_owned());
        schema.examples = vec![Value::from(example)];
        schema
    }
    pub fn minimum_amount() -> Object {
        amount(
            &AMOUNT_RULE,
            false,
            "Zero or more, with at most the currency's decimal places",
            "50.00",
        )
    }
    pub fn minimum_amount_or_null() -> Object {
        amount(
            &AMOUNT_RULE,
            true,
            "Zero or more, with at most the currency's decimal places",
            "50.00",
        )
    }
    pub fn positive_amount() -> Object {
        amount(
            &AMOUNT_RULE,
            false,
            "More than zero, with at most the currency's decimal places",
            "20.00",
        )
    }
    pub fn positive_amount_or_null() -> Object {
        amount(
            &AMOUNT_RULE,
            true,
            "More than zero, with at most the currency's decimal places; defaults to what remains",
            "5.00",
        )
    }
    pub fn signed_amount_or_null() -> Object {
        amount(
            &SIGNED_AMOUNT_RULE,
            true,
            "A signed change, not zero; defaults to reversing what remains",
            "-5.00",
        )
    }

    /// An uppercase ISO 4217 code Coffer knows.
    pub fn currency() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .enum_values(Some(Currency::codes()))
            .examples([Value::from("EUR")])
            .build()
    }
    /// A currency code, or `null` for the instance currency.
    pub fn currency_or_null() -> Object {
        let codes: Vec<Value> = Currency::codes()
            .map(Value::from)
            .chain([Value::Null])
            .collect();
        ObjectBuilder::new()
            .schema_type(string_type(true))
            .enum_values(Some(codes))
            .description(Some("Defaults to the instance currency"))
            .build()
    }

    fn integer(nullable: bool) -> ObjectBuilder {
        let ty = if nullable {
            SchemaType::from_iter([Type::Integer, Type::Null])
        } else {
            SchemaType::new(Type::Integer)
        };
        ObjectBuilder::new()
            .schema_type(ty)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
    }
    /// A record's id: from 1.
    pub fn id() -> Object {
        integer(false)
            .minimum(Some(1))
            .maximum(Some(i64::MAX))
            .build()
    }
    pub fn id_or_null() -> Object {
        integer(true)
            .minimum(Some(1))
            .maximum(Some(i64::MAX))
            .build()
    }
    /// A page number.
    pub fn page() -> Object {
        integer(false)
            .minimum(Some(0))
            .maximum(Some(crate::web::api::admin::MAX_PAGE))
            .default(Some(Value::from(0)))
            .build()
    }
    pub fn date_time_or_null() -> Object {
        ObjectBuilder::new()
            .schema_type(string_type(true))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some(
                "RFC 3339; from 2000-01-01 and not in the future; defaults to now",
            ))
            .build()
    }
}
