//! Money movements: donations, refunds, expenses and corrections.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    currency_or_default, external_ref, id, integer, occurred_at, optional_integer, positive_amount,
    rules, source, text, WithCurrency,
};
use crate::domain::{Source, TypedAmount};
use crate::error::{AppError, AppResult};
use crate::ledger;

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
    /// A note to publish on `/transparency` ("Hetzner AX41, media storage"); never personal.
    #[serde(default)]
    #[schema(max_length = 200, nullable)]
    pub public_note: Option<String>,
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
            amount: typed_amount(
                input.amount.as_deref(),
                &rules::AMOUNT_RULE,
                TypedAmount::parse,
            )?,
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
            amount: typed_amount(
                input.amount.as_deref(),
                &rules::SIGNED_AMOUNT_RULE,
                TypedAmount::parse_signed,
            )?,
            memo: text(&rules::REQUIRED_MEMO, "memo", &input.memo)?,
        })
    }
}

/// An amount, if given, whose currency the ledger decides (a refund's is its donation's).
fn typed_amount(
    input: Option<&str>,
    rule: &rules::Rule,
    parse: fn(&str) -> Result<TypedAmount, crate::domain::MoneyError>,
) -> AppResult<Option<TypedAmount>> {
    let Some(input) = input else {
        return Ok(None);
    };
    rule.check("amount", input)?;
    parse(input)
        .map(Some)
        .map_err(|e| AppError::invalid("amount", e.to_string()))
}
