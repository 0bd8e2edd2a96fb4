//! A sponsor tier: what the treasurer sends to create or change one.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    currency_or_default, integer, optional_integer, rules, text, vocabulary, WithCurrency,
};
use crate::domain::{Currency, Money, Perk, PerkSet};
use crate::error::{AppError, AppResult};
use crate::ledger;

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

/// A tier's monthly minimum; zero makes a tier for every supporter.
fn minimum_amount(input: &str, currency: Currency) -> AppResult<Money> {
    rules::AMOUNT_RULE.check("monthly_minimum", input)?;
    Money::parse_non_negative(input, currency)
        .map_err(|e| AppError::invalid("monthly_minimum", e.to_string()))
}

fn perks(values: &[String]) -> AppResult<PerkSet> {
    let perks: Vec<Perk> = values
        .iter()
        .map(|p| vocabulary("perks", p, Perk::parse, Perk::as_str))
        .collect::<AppResult<_>>()?;
    Ok(PerkSet::from_perks(perks))
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
