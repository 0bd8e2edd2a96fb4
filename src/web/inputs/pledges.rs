//! A recurring pledge and its status.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    currency_or_default, external_ref, id, integer, occurred_at, optional_integer, positive_amount,
    rules, source, vocabulary, WithCurrency,
};
use crate::domain::{Interval, PledgeStatus, Source};
use crate::error::{AppError, AppResult};
use crate::ledger;

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
