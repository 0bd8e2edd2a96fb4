//! JSON shapes of the API. They are their own types, never database rows, so a column added to
//! a table cannot leak into a response.

use chrono::{NaiveDateTime, SecondsFormat};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{EntryKind, Interval, Money, Perk, PledgeStatus, Source, Total};
use crate::ledger::donors::Donor;
use crate::ledger::entries::Entry;
use crate::ledger::pledges::Pledge;
use crate::ledger::tiers::Tier;
use crate::ledger::wall::{Sponsor, Wall, WallTier};

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

/// A tier as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTierView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub monthly_minimum: MoneyView,
    #[schema(value_type = Vec<Perk>)]
    pub perks: Vec<&'static str>,
}

impl From<&Tier> for PublicTierView {
    fn from(tier: &Tier) -> Self {
        Self {
            slug: tier.slug.clone(),
            name: tier.name.clone(),
            description: tier.description.clone(),
            monthly_minimum: tier.monthly_minimum.into(),
            perks: tier.perks.iter().map(|p| p.as_str()).collect(),
        }
    }
}

/// A sponsor as the public sees it: only consented, tier-granted fields; absent ones are omitted.
#[derive(Debug, Serialize, ToSchema)]
pub struct SponsorView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fediverse_handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_amount: Option<MoneyView>,
}

impl SponsorView {
    fn new(sponsor: &Sponsor, public_url: &str) -> Self {
        Self {
            name: sponsor.name.clone(),
            logo_url: sponsor.logo_path.as_ref().map(|p| absolute(public_url, p)),
            link: sponsor.link.clone(),
            fediverse_handle: sponsor.handle.as_ref().map(|h| h.as_str().to_owned()),
            profile_url: sponsor.handle.as_ref().map(|h| h.profile_url()),
            monthly_amount: sponsor.monthly_amount.map(MoneyView::from),
        }
    }
}

fn absolute(public_url: &str, path: &str) -> String {
    if path.starts_with("https://") || path.starts_with("http://") {
        path.to_owned()
    } else {
        format!("{public_url}{path}")
    }
}

/// How many sponsors of a tier one JSON answer lists; the rest are on further pages.
pub const SPONSORS_PER_PAGE: usize = 500;

/// A tier on the public wall, with its sponsors (the first page of them).
#[derive(Debug, Serialize, ToSchema)]
pub struct WallTierView {
    #[serde(flatten)]
    pub tier: PublicTierView,
    pub sponsors: Vec<SponsorView>,
    /// How many sponsors the tier has in all.
    pub sponsor_count: usize,
    /// Where the tier's next sponsors are, when it has more than one page of them.
    pub next: Option<String>,
}

/// `GET /api/v1/sponsors/{slug}?page=N`: one page of a tier's sponsors.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierSponsorsView {
    pub tier: PublicTierView,
    pub sponsors: Vec<SponsorView>,
    pub sponsor_count: usize,
    pub page: usize,
    pub pages: usize,
    /// The next page, when there is one.
    pub next: Option<String>,
}

impl TierSponsorsView {
    /// Page `page` (from 1) of a tier's sponsors, or `None` past the last page.
    pub fn new(tier: &WallTier, page: usize, public_url: &str) -> Option<Self> {
        let pages = tier.sponsors.len().div_ceil(SPONSORS_PER_PAGE).max(1);
        if !(1..=pages).contains(&page) {
            return None;
        }
        let start = (page - 1) * SPONSORS_PER_PAGE;
        let end = (start + SPONSORS_PER_PAGE).min(tier.sponsors.len());
        Some(Self {
            tier: (&tier.tier).into(),
            sponsors: tier.sponsors[start..end]
                .iter()
                .map(|s| SponsorView::new(s, public_url))
                .collect(),
            sponsor_count: tier.sponsors.len(),
            page,
            pages,
            next: (page < pages).then(|| sponsors_page_url(public_url, &tier.tier.slug, page + 1)),
        })
    }
}

fn sponsors_page_url(public_url: &str, slug: &str, page: usize) -> String {
    format!("{public_url}/api/v1/sponsors/{slug}?page={page}")
}

/// `GET /api/v1/sponsors`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SponsorsView {
    pub tiers: Vec<WallTierView>,
    pub anonymous_supporters: usize,
    #[schema(value_type = String)]
    pub statement: &'static str,
}

impl SponsorsView {
    pub fn new(wall: &Wall, public_url: &str) -> Self {
        Self {
            tiers: wall
                .tiers
                .iter()
                .map(|WallTier { tier, sponsors }| WallTierView {
                    tier: tier.into(),
                    sponsors: sponsors
                        .iter()
                        .take(SPONSORS_PER_PAGE)
                        .map(|s| SponsorView::new(s, public_url))
                        .collect(),
                    sponsor_count: sponsors.len(),
                    next: (sponsors.len() > SPONSORS_PER_PAGE)
                        .then(|| sponsors_page_url(public_url, &tier.slug, 2)),
                })
                .collect(),
            anonymous_supporters: wall.anonymous_supporters,
            statement: crate::domain::INDEPENDENCE_STATEMENT,
        }
    }
}

/// `GET /api/v1/summary`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    #[schema(schema_with = crate::web::inputs::rules::currency)]
    pub currency: &'static str,
    pub monthly_recurring: MoneyView,
    pub monthly_goal: Option<MoneyView>,
    pub sponsors: usize,
    pub anonymous_supporters: usize,
}

impl From<&Wall> for SummaryView {
    fn from(wall: &Wall) -> Self {
        Self {
            currency: wall.currency.code(),
            monthly_recurring: wall.monthly_recurring.into(),
            monthly_goal: wall.monthly_goal.map(MoneyView::from),
            sponsors: wall.sponsor_count(),
            anonymous_supporters: wall.anonymous_supporters,
        }
    }
}

/// `GET /api/v1/admin/tiers`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierListView {
    pub tiers: Vec<TierView>,
}

/// `GET /api/v1/tiers`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTiersView {
    pub tiers: Vec<PublicTierView>,
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

/// `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    #[schema(value_type = String, pattern = "^ok$")]
    pub status: &'static str,
    /// The outbox's depth: a backlog is worth a look, not a failed health check.
    pub outbox: OutboxView,
}

/// Where the outbox stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxView {
    /// Messages waiting to be sent (or retried).
    pub queued: i64,
    /// Messages that kept failing for days: flagged for a look, still retried.
    pub failed: i64,
    /// `smtp`, or `files` when messages are written under `data/outbox/`.
    #[schema(value_type = String, pattern = "^(smtp|files)$")]
    pub transport: &'static str,
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
