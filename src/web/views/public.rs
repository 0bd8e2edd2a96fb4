//! What anyone may read: the wall, its tiers and sponsors, the summary and the health check.
//! Only consented, tier-granted fields ever reach these shapes.

use serde::Serialize;
use utoipa::ToSchema;

use super::MoneyView;
use crate::domain::Perk;
use crate::ledger::tiers::Tier;
use crate::ledger::wall::{Sponsor, Wall, WallTier};

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
pub const SPONSORS_PER_PAGE: usize = 100;

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

/// `GET /api/v1/tiers`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTiersView {
    pub tiers: Vec<PublicTierView>,
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
