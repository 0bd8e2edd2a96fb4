//! What the treasurer's API answers: tiers, donors, pledges, the ledger and receipts, private
//! fields included (these views are behind a token).

use serde::Serialize;
use utoipa::ToSchema;

use super::{rfc3339, MoneyView};
use crate::domain::{EntryKind, Interval, Perk, PledgeStatus, Source};
use crate::ledger::donors::Donor;
use crate::ledger::entries::Entry;
use crate::ledger::pledges::Pledge;
use crate::ledger::tiers::Tier;

/// A tier for the admin API.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierView {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub monthly_minimum: String,
    #[schema(schema_with = crate::web::inputs::rules::currency)]
    pub currency: &'static str,
    #[schema(value_type = Vec<Perk>)]
    pub perks: Vec<&'static str>,
    pub link_rel: String,
    pub position: i32,
    pub archived: bool,
}

impl From<&Tier> for TierView {
    fn from(tier: &Tier) -> Self {
        Self {
            id: tier.id,
            slug: tier.slug.clone(),
            name: tier.name.clone(),
            description: tier.description.clone(),
            monthly_minimum: tier.monthly_minimum.amount_string(),
            currency: tier.monthly_minimum.currency().code(),
            perks: tier.perks.iter().map(|p| p.as_str()).collect(),
            link_rel: tier.link_rel.clone(),
            position: tier.position,
            archived: tier.archived,
        }
    }
}

/// Consent flags as the API shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentView {
    pub name: bool,
    pub logo: bool,
    pub link: bool,
    pub handle: bool,
    pub amount: bool,
}

/// A donor for the admin API (private fields included: this view is behind a token).
#[derive(Debug, Serialize, ToSchema)]
pub struct DonorView {
    pub id: i64,
    pub public_name: String,
    pub legal_name: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub fediverse_handle: Option<String>,
    pub anonymous: bool,
    pub consent: ConsentView,
    pub locale: Option<String>,
    pub pinned_tier_id: Option<i64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub erased: bool,
}

impl From<&Donor> for DonorView {
    fn from(donor: &Donor) -> Self {
        Self {
            id: donor.id,
            public_name: donor.public_name.clone(),
            legal_name: donor.legal_name.clone(),
            email: donor.email.clone(),
            website: donor.website.clone(),
            fediverse_handle: donor
                .fediverse_handle
                .as_ref()
                .map(|h| h.as_str().to_owned()),
            anonymous: donor.anonymous,
            consent: ConsentView {
                name: donor.consent.name,
                logo: donor.consent.logo,
                link: donor.consent.link,
                handle: donor.consent.handle,
                amount: donor.consent.amount,
            },
            locale: donor.locale.clone(),
            pinned_tier_id: donor.pinned_tier_id,
            created_at: rfc3339(donor.created_at),
            erased: donor.erased,
        }
    }
}

/// A donor with their pledges, entries and standing.
#[derive(Debug, Serialize, ToSchema)]
pub struct DonorDetailView {
    #[serde(flatten)]
    pub donor: DonorView,
    pub monthly_support: MoneyView,
    /// Where the donor's older entries continue, as a ledger cursor.
    pub entries_next_cursor: Option<i64>,
    pub tier_id: Option<i64>,
    pub pledges: Vec<PledgeView>,
    pub entries: Vec<EntryView>,
}

/// A pledge for the admin API.
#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeView {
    pub id: i64,
    pub donor_id: i64,
    pub tier_id: Option<i64>,
    pub amount: String,
    #[schema(schema_with = crate::web::inputs::rules::currency)]
    pub currency: &'static str,
    #[schema(value_type = Interval)]
    pub interval: &'static str,
    #[schema(value_type = PledgeStatus)]
    pub status: &'static str,
    #[schema(value_type = Source)]
    pub source: &'static str,
    pub external_ref: Option<String>,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub ended_at: Option<String>,
}

impl From<&Pledge> for PledgeView {
    fn from(p: &Pledge) -> Self {
        Self {
            id: p.id,
            donor_id: p.donor_id,
            tier_id: p.tier_id,
            amount: p.amount.amount_string(),
            currency: p.amount.currency().code(),
            interval: p.interval.as_str(),
            status: p.status.as_str(),
            source: p.source.as_str(),
            external_ref: p.external_ref.clone(),
            started_at: rfc3339(p.started_at),
            ended_at: p.ended_at.map(rfc3339),
        }
    }
}

/// A ledger entry for the admin API; `amount` is signed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub id: i64,
    #[schema(value_type = EntryKind)]
    pub kind: &'static str,
    pub amount: String,
    #[schema(schema_with = crate::web::inputs::rules::currency)]
    pub currency: &'static str,
    pub donor_id: Option<i64>,
    pub pledge_id: Option<i64>,
    #[schema(format = DateTime)]
    pub occurred_at: String,
    #[schema(format = DateTime)]
    pub recorded_at: String,
    #[schema(value_type = Source)]
    pub source: &'static str,
    pub external_ref: Option<String>,
    pub reverses: Option<i64>,
    pub category: Option<String>,
    pub memo: String,
}

impl From<&Entry> for EntryView {
    fn from(e: &Entry) -> Self {
        Self {
            id: e.id,
            kind: e.kind.as_str(),
            amount: e.amount.amount_string(),
            currency: e.amount.currency().code(),
            donor_id: e.donor_id,
            pledge_id: e.pledge_id,
            occurred_at: rfc3339(e.occurred_at),
            recorded_at: rfc3339(e.recorded_at),
            source: e.source.as_str(),
            external_ref: e.external_ref.clone(),
            reverses: e.reverses,
            category: e.category.clone(),
            memo: e.memo.clone(),
        }
    }
}

/// `GET /api/v1/admin/tiers`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierListView {
    pub tiers: Vec<TierView>,
}

/// One page of donors, oldest first; `next_page` is `null` on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct DonorListView {
    pub donors: Vec<DonorView>,
    pub next_page: Option<i64>,
}

/// `GET /api/v1/admin/pledges`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeListView {
    pub pledges: Vec<PledgeView>,
}

/// One page of the ledger, newest first; `next_page` is `null` on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerPageView {
    pub entries: Vec<EntryView>,
    /// The next page's number, when this page was asked for by `page`.
    pub next_page: Option<i64>,
    /// Give this as `cursor` for the next page; pages by key cost the same however deep.
    pub next_cursor: Option<i64>,
}

/// A receipt or credit note for the treasurer: its number, what it covers, the snapshot that
/// was sent, the message as the donor reads it, and every delivery of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptView {
    pub number: String,
    pub kind: &'static str,
    pub year: i32,
    pub sequence: i64,
    pub entry_id: i64,
    pub donor_id: Option<i64>,
    pub corrects_receipt: Option<String>,
    pub locale: &'static str,
    pub amount: MoneyView,
    pub date: String,
    pub created_at: String,
    /// What was sent, as recorded when the receipt was issued; never rewritten.
    #[schema(value_type = Object)]
    pub snapshot: crate::ledger::receipts::ReceiptSnapshot,
    pub message: Option<RenderedView>,
    pub deliveries: Vec<DeliveryView>,
}

/// A rendered message.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedView {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// One queued copy of a message and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub recipient: String,
    pub status: String,
    pub attempts: i32,
    pub message_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

impl From<&crate::db::outbox::OutboxRow> for DeliveryView {
    fn from(row: &crate::db::outbox::OutboxRow) -> Self {
        Self {
            id: row.id,
            recipient: row.recipient.clone(),
            status: row.status.clone(),
            attempts: row.attempts,
            message_id: row.message_id.clone(),
            last_error: row.last_error.clone(),
            created_at: rfc3339(row.created_at),
            sent_at: row.sent_at.map(rfc3339),
        }
    }
}
