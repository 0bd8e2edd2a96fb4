//! A donor: their details, what they agreed to show, and a pinned tier.

use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::{id, optional_integer, rules, text};
use crate::domain::{Consent, Email, FediverseHandle, WebUrl};
use crate::error::{AppError, AppResult};
use crate::ledger;

/// Distinguishes a missing field (keep) from `null` (clear) in PATCH bodies.
fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

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
