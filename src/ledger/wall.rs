//! The public sponsor wall and its summary, derived from the ledger on each request.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use rust_decimal::Decimal;

use super::donors::Donor;
use super::pledges::Pledge;
use super::settings::MonthlyGoal;
use super::tiers::Tier;
use crate::db::{self, DbConn};
use crate::domain::{
    monthly_support, resolve_tier, shown_fields, Currency, FediverseHandle, Interval, OneTimeGift,
    Perk, PledgeFacts, PledgeStatus, TierThreshold, Total,
};
use crate::error::AppResult;

/// How far back one-time gifts count towards a donor's tier.
const GIFT_WINDOW_DAYS: i64 = 365;

/// Everything the public may know about who funds the instance.
#[derive(Debug, Clone)]
pub struct Wall {
    pub currency: Currency,
    pub tiers: Vec<WallTier>,
    /// Supporters who are not named: anonymous, no consented field, or below every tier.
    pub anonymous_supporters: usize,
    pub monthly_recurring: Total,
    /// Average monthly running costs over the last year, when any are recorded.
    pub monthly_goal: Option<Total>,
}

impl Wall {
    /// Sponsors named on the wall, across all tiers.
    pub fn sponsor_count(&self) -> usize {
        self.tiers.iter().map(|t| t.sponsors.len()).sum()
    }

    /// Progress towards the goal in whole percent, capped at 100 for the bar.
    pub fn goal_percent(&self) -> Option<u32> {
        let goal = self.monthly_goal?.to_decimal();
        if goal <= Decimal::ZERO {
            return None;
        }
        let percent = (self.monthly_recurring.to_decimal() * Decimal::from(100) / goal)
            .floor()
            .clamp(Decimal::ZERO, Decimal::from(100));
        u32::try_from(percent).ok()
    }
}

/// A tier and the sponsors it shows.
#[derive(Debug, Clone)]
pub struct WallTier {
    pub tier: Tier,
    pub sponsors: Vec<Sponsor>,
}

/// A sponsor as shown: only the fields their tier grants and they consented to.
#[derive(Debug, Clone)]
pub struct Sponsor {
    /// Never shown: it lets the feed find when a sponsor joined.
    pub donor_id: i64,
    pub name: Option<String>,
    pub logo_path: Option<String>,
    pub link: Option<String>,
    pub handle: Option<FediverseHandle>,
    /// Their monthly support, when they consented to show the amount.
    pub monthly_amount: Option<Total>,
}

/// A donor as the wall reads them.
#[derive(Debug, Clone)]
struct WallDonor {
    id: i64,
    public_name: String,
    website: Option<String>,
    /// As stored; parsed only for the sponsors who show it.
    fediverse_handle: Option<String>,
    logo_path: Option<String>,
    consent: crate::domain::Consent,
    anonymous: bool,
    pinned_tier_id: Option<i64>,
}

impl From<db::donors::WallDonorRow> for WallDonor {
    fn from(row: db::donors::WallDonorRow) -> Self {
        Self {
            id: row.id,
            public_name: row.public_name,
            website: row.website,
            fediverse_handle: row.fediverse_handle,
            logo_path: row.logo_path,
            consent: crate::domain::Consent {
                name: row.consent_name,
                logo: row.consent_logo,
                link: row.consent_link,
                handle: row.consent_handle,
                amount: row.consent_amount,
            },
            anonymous: row.anonymous,
            pinned_tier_id: row.pinned_tier_id,
        }
    }
}

/// A donor's monthly support and the tier it earns.
#[derive(Debug, Clone)]
pub struct Standing {
    pub monthly_support: Total,
    pub tier_id: Option<i64>,
}

/// Builds the wall as of `now`.
pub fn build(conn: &mut DbConn, currency: Currency, now: NaiveDateTime) -> AppResult<Wall> {
    let started = std::time::Instant::now();
    let phase = |name: &str| {
        tracing::debug!(
            phase = name,
            elapsed_us = started.elapsed().as_micros() as u64,
            "wall build"
        )
    };
    let tiers: Vec<Tier> = super::tiers::list(conn, false)?
        .into_iter()
        .filter(|t| t.monthly_minimum.currency() == currency)
        .collect();
    // Only what the wall needs is read: no emails, legal names or dates to parse.
    let donors: Vec<WallDonor> = db::donors::list_for_wall(conn)?
        .into_iter()
        .map(WallDonor::from)
        .collect();
    phase("donors");
    let mut pledges_by_donor: HashMap<i64, Vec<PledgeFacts>> = HashMap::new();
    let mut all_pledges = Vec::new();
    for (donor_id, amount, pledge_currency, interval) in db::pledges::active_amounts(conn)? {
        let facts = PledgeFacts {
            amount: super::stored_money(amount, &pledge_currency)?,
            interval: Interval::parse(&interval)
                .map_err(|e| crate::error::AppError::Internal(format!("stored pledge: {e}")))?,
            status: PledgeStatus::Active,
        };
        pledges_by_donor.entry(donor_id).or_default().push(facts);
        all_pledges.push(facts);
    }
    phase("pledges");
    let gifts_by_donor = recent_gifts(conn, currency, None, now)?;
    phase("gifts");
    // Recurring support is everyone's pledges with no gifts: the same rule as a donor's own.
    let recurring = monthly_support(currency, &all_pledges, &[], now);
    let thresholds = thresholds(&tiers);
    let mut by_tier: HashMap<i64, Vec<(Decimal, Sponsor)>> = HashMap::new();
    let mut anonymous_supporters = 0;
    for donor in &donors {
        let support = monthly_support(
            currency,
            pledges_by_donor
                .get(&donor.id)
                .map_or(&[][..], Vec::as_slice),
            gifts_by_donor.get(&donor.id).map_or(&[][..], Vec::as_slice),
            now,
        );
        // A pin to an archived tier has no tier to show on.
        let pinned = donor
            .pinned_tier_id
            .filter(|id| tiers.iter().any(|t| t.id == *id));
        if support <= Decimal::ZERO && pinned.is_none() {
            continue;
        }
        let tier = resolve_tier(support, &thresholds, pinned)
            .and_then(|id| tiers.iter().find(|t| t.id == id));
        let sponsor = tier.and_then(|tier| present(donor, tier, support, currency));
        match (tier, sponsor) {
            (Some(tier), Some(sponsor)) => {
                by_tier.entry(tier.id).or_default().push((support, sponsor))
            }
            _ => anonymous_supporters += 1,
        }
    }

    let tiers = tiers
        .into_iter()
        .map(|tier| {
            let mut sponsors = by_tier.remove(&tier.id).unwrap_or_default();
            // Larger support first; equal support keeps the order donors joined in.
            sponsors.sort_by_key(|s| std::cmp::Reverse(s.0));
            WallTier {
                tier,
                sponsors: sponsors.into_iter().map(|(_, s)| s).collect(),
            }
        })
        .collect();
    phase("tiers resolved");
    let monthly_goal = match super::settings::monthly_goal(conn, currency)? {
        MonthlyGoal::Fixed(goal) => Some(Total::from_minor(i128::from(goal.minor()), currency)),
        MonthlyGoal::RunningCosts => {
            let costs = db::ledger::running_costs_since(
                conn,
                now - Duration::days(GIFT_WINDOW_DAYS),
                currency.code(),
            )?;
            (costs > 0).then(|| {
                // Round the goal up: a goal a cent short of the costs would be a small lie.
                let goal_minor = (i128::from(costs) + 11) / 12;
                Total::from_minor(goal_minor, currency)
            })
        }
    };
    phase("goal");
    Ok(Wall {
        currency,
        tiers,
        anonymous_supporters,
        monthly_recurring: Total::rounded(recurring, currency),
        monthly_goal,
    })
}

/// One donor's support and tier, for the admin view.
pub fn standing(
    conn: &mut DbConn,
    donor: &Donor,
    pledges: &[Pledge],
    currency: Currency,
    now: NaiveDateTime,
) -> AppResult<Standing> {
    let facts: Vec<PledgeFacts> = pledges.iter().map(pledge_facts).collect();
    let gifts = recent_gifts(conn, currency, Some(donor.id), now)?
        .remove(&donor.id)
        .unwrap_or_default();
    let support = monthly_support(currency, &facts, &gifts, now);
    let tiers: Vec<Tier> = super::tiers::list(conn, false)?
        .into_iter()
        .filter(|t| t.monthly_minimum.currency() == currency)
        .collect();
    let thresholds = thresholds(&tiers);
    Ok(Standing {
        monthly_support: Total::rounded(support, currency),
        tier_id: resolve_tier(support, &thresholds, donor.pinned_tier_id),
    })
}

fn pledge_facts(pledge: &Pledge) -> PledgeFacts {
    PledgeFacts {
        amount: pledge.amount,
        interval: pledge.interval,
        status: pledge.status,
    }
}

fn thresholds(tiers: &[Tier]) -> Vec<TierThreshold<i64>> {
    tiers
        .iter()
        .map(|t| TierThreshold {
            id: t.id,
            monthly_minimum: t.monthly_minimum,
        })
        .collect()
}

/// One-time gifts still inside the window, net of refunds, by donor, in the wall's currency
/// (gifts in other currencies do not count towards a tier), added up from two range scans.
fn recent_gifts(
    conn: &mut DbConn,
    currency: Currency,
    donor_id: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<HashMap<i64, Vec<OneTimeGift>>> {
    let since = now - Duration::days(GIFT_WINDOW_DAYS);
    let totals = db::ledger::gift_totals(conn, currency.code(), since, now, donor_id)?;
    let mut by_donor: HashMap<i64, Vec<OneTimeGift>> = HashMap::with_capacity(totals.len());
    for total in totals {
        by_donor
            .entry(total.donor_id)
            .or_default()
            .push(OneTimeGift {
                // The sum covers the window's gifts only, so it is dated at the window's end: the
                // tier rule counts what is inside the window.
                given_at: now,
                net: Total::from_minor(i128::from(total.net), currency),
            });
    }
    Ok(by_donor)
}

/// The sponsor as their tier and consent allow, or `None` when nothing may be shown.
fn present(
    donor: &WallDonor,
    tier: &Tier,
    support: Decimal,
    currency: Currency,
) -> Option<Sponsor> {
    let shown = shown_fields(tier.perks, &donor.consent, donor.anonymous);
    let sponsor = Sponsor {
        donor_id: donor.id,
        name: shown
            .contains(Perk::Name)
            .then(|| donor.public_name.clone()),
        logo_path: donor
            .logo_path
            .clone()
            .filter(|_| shown.contains(Perk::Logo)),
        link: donor.website.clone().filter(|_| shown.contains(Perk::Link)),
        // Stored handles were validated on the way in; an unreadable one is not shown.
        handle: donor
            .fediverse_handle
            .as_deref()
            .filter(|_| shown.contains(Perk::Handle))
            .and_then(|h| FediverseHandle::parse(h).ok()),
        monthly_amount: (donor.consent.amount && !donor.anonymous)
            .then(|| Total::rounded(support, currency)),
    };
    let shows_anything = sponsor.name.is_some()
        || sponsor.logo_path.is_some()
        || sponsor.link.is_some()
        || sponsor.handle.is_some();
    shows_anything.then_some(sponsor)
}
