//! JSON shapes of the API. They are their own types, never database rows, so a column added to
//! a table cannot leak into a response. The treasurer's shapes are in `admin`, the public ones in
//! `public`; money, times and errors, which both use, are here.

mod admin;
mod public;

pub use admin::{
    ConsentView, DeliveryView, DonorDetailView, DonorListView, DonorView, EntryView,
    LedgerPageView, PledgeListView, PledgeView, ReceiptView, RenderedView, TierListView, TierView,
};
pub use public::{
    HealthView, OutboxView, PublicTierView, PublicTiersView, SponsorView, SponsorsView,
    SummaryView, TierSponsorsView, WallTierView, SPONSORS_PER_PAGE,
};

use chrono::{NaiveDateTime, SecondsFormat};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{Money, Total};

/// Money as a decimal string and its currency, never a float.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyView {
    pub amount: String,
    #[schema(schema_with = crate::web::inputs::rules::currency)]
    pub currency: &'static str,
}

impl From<Total> for MoneyView {
    fn from(total: Total) -> Self {
        Self {
            amount: total.amount_string(),
            currency: total.currency().code(),
        }
    }
}

impl From<Money> for MoneyView {
    fn from(money: Money) -> Self {
        Self {
            amount: money.amount_string(),
            currency: money.currency().code(),
        }
    }
}

/// RFC 3339 in UTC, e.g. `2026-11-24T20:00:00Z`.
pub fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Every error the API answers: a stable code and a message for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorView {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    #[schema(value_type = ErrorCode)]
    pub code: &'static str,
    pub message: String,
}

/// The stable error codes.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    Invalid,
    IdempotencyKeyReused,
    Internal,
    Unavailable,
}
