//! Tier resolution. A donor's monthly support is the monthly equivalent of their active pledges
//! plus one twelfth of their net one-time giving over the last 365 days, in the instance
//! currency; their tier is the highest whose minimum they reach, unless an admin pinned one.

use chrono::{Duration, NaiveDateTime};
use rust_decimal::Decimal;

use super::{Currency, Interval, Money, PledgeStatus};

/// What tier resolution needs to know of a pledge.
#[derive(Debug, Clone, Copy)]
pub struct PledgeFacts {
    pub amount: Money,
    pub interval: Interval,
    pub status: PledgeStatus,
}

/// A one-time gift and what is left of it after refunds and corrections.
#[derive(Debug, Clone, Copy)]
pub struct OneTimeGift {
    pub given_at: NaiveDateTime,
    /// What is left of the gift (or of a donor's gifts) after refunds and corrections.
    pub net: super::Total,
}

/// A tier's id and the monthly support it takes.
#[derive(Debug, Clone, Copy)]
pub struct TierThreshold<Id> {
    pub id: Id,
    pub monthly_minimum: Money,
}

/// Monthly support in major units, exact (a yearly 100.00 is 8.333…, not rounded).
///
/// Pledges and gifts in another currency are left out: Coffer keeps no exchange rates, and a
/// silent conversion would put invented money on the wall.
pub fn monthly_support(
    currency: Currency,
    pledges: &[PledgeFacts],
    gifts: &[OneTimeGift],
    now: NaiveDateTime,
) -> Decimal {
    let twelve = Decimal::from(12);
    let recurring: Decimal = pledges
        .iter()
        .filter(|p| p.status == PledgeStatus::Active && p.amount.currency() == currency)
        .map(|p| match p.interval {
            Interval::Month => p.amount.to_decimal(),
            Interval::Year => p.amount.to_decimal() / twelve,
        })
        .sum();
    let window_start = now - Duration::days(365);
    let one_time: Decimal = gifts
        .iter()
        .filter(|g| g.net.currency() == currency && g.given_at > window_start && g.given_at <= now)
        .map(|g| g.net.to_decimal())
        .sum();
    // Refunds beyond the gifts still in the window must not cancel out pledged support.
    recurring + one_time.max(Decimal::ZERO) / twelve
}

/// The tier a donor is in: the pin if any, otherwise the highest minimum their support reaches.
pub fn resolve_tier<Id: Copy>(
    support: Decimal,
    tiers: &[TierThreshold<Id>],
    pinned: Option<Id>,
) -> Option<Id> {
    if pinned.is_some() {
        return pinned;
    }
    tiers
        .iter()
        .filter(|t| support >= t.monthly_minimum.to_decimal())
        .max_by_key(|t| t.monthly_minimum.minor())
        .map(|t| t.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR).unwrap()
    }

    fn now() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    fn pledge(minor: i64, interval: Interval, status: PledgeStatus) -> PledgeFacts {
        PledgeFacts {
            amount: eur(minor),
            interval,
            status,
        }
    }

    fn gift(days_ago: i64, minor: i64) -> OneTimeGift {
        OneTimeGift {
            given_at: now() - Duration::days(days_ago),
            net: eur(minor).into(),
        }
    }

    fn tiers() -> Vec<TierThreshold<&'static str>> {
        vec![
            TierThreshold {
                id: "platinum",
                monthly_minimum: eur(10_000),
            },
            TierThreshold {
                id: "rosegold",
                monthly_minimum: eur(500),
            },
            TierThreshold {
                id: "gold",
                monthly_minimum: eur(2500),
            },
        ]
    }

    fn support(pledges: &[PledgeFacts], gifts: &[OneTimeGift]) -> Decimal {
        monthly_support(Currency::EUR, pledges, gifts, now())
    }

    #[test]
    fn a_yearly_pledge_counts_one_twelfth_exactly() {
        let s = support(&[pledge(30_000, Interval::Year, PledgeStatus::Active)], &[]);
        assert_eq!(s, Decimal::from(25));
        assert_eq!(resolve_tier(s, &tiers(), None), Some("gold"));
        let s = support(&[pledge(10_000, Interval::Year, PledgeStatus::Active)], &[]);
        assert!(s > Decimal::new(833, 2) && s < Decimal::new(834, 2));
    }

    #[test]
    fn only_active_pledges_count() {
        for status in [
            PledgeStatus::Paused,
            PledgeStatus::Cancelled,
            PledgeStatus::PastDue,
        ] {
            assert_eq!(
                support(&[pledge(5000, Interval::Month, status)], &[]),
                Decimal::ZERO
            );
        }
    }

    #[test]
    fn one_time_gifts_age_out_after_365_days() {
        assert_eq!(support(&[], &[gift(364, 12_000)]), Decimal::from(10));
        assert_eq!(support(&[], &[gift(365, 12_000)]), Decimal::ZERO);
        assert_eq!(
            resolve_tier(support(&[], &[gift(364, 6000)]), &tiers(), None),
            Some("rosegold")
        );
        assert_eq!(
            resolve_tier(support(&[], &[gift(366, 6000)]), &tiers(), None),
            None
        );
    }

    #[test]
    fn refunds_reduce_the_net_gift_but_never_below_zero() {
        assert_eq!(support(&[], &[gift(10, 3000)]), Decimal::new(25, 1));
        let refunded = gift(10, 0);
        assert_eq!(
            support(
                &[pledge(500, Interval::Month, PledgeStatus::Active)],
                &[refunded]
            ),
            Decimal::from(5)
        );
        let over_corrected = OneTimeGift {
            net: eur(-6000).into(),
            ..gift(10, 0)
        };
        assert_eq!(
            support(
                &[pledge(500, Interval::Month, PledgeStatus::Active)],
                &[over_corrected]
            ),
            Decimal::from(5)
        );
    }

    #[test]
    fn other_currencies_are_left_out() {
        let usd = Currency::parse("USD").unwrap();
        let p = PledgeFacts {
            amount: Money::from_minor(50_000, usd).unwrap(),
            interval: Interval::Month,
            status: PledgeStatus::Active,
        };
        assert_eq!(support(&[p], &[]), Decimal::ZERO);
    }

    #[test]
    fn a_pin_wins_over_support() {
        assert_eq!(
            resolve_tier(Decimal::ZERO, &tiers(), Some("platinum")),
            Some("platinum")
        );
        assert_eq!(
            resolve_tier(Decimal::from(1000), &tiers(), Some("rosegold")),
            Some("rosegold")
        );
        assert_eq!(resolve_tier(Decimal::from(4), &tiers(), None), None);
        assert_eq!(
            resolve_tier(Decimal::from(5), &tiers(), None),
            Some("rosegold"),
            "the minimum itself is enough"
        );
    }

    fn arb_pledge() -> impl Strategy<Value = PledgeFacts> {
        (1i64..1_000_000, prop::bool::ANY, 0usize..4).prop_map(|(minor, yearly, status)| {
            PledgeFacts {
                amount: eur(minor),
                interval: if yearly {
                    Interval::Year
                } else {
                    Interval::Month
                },
                status: [
                    PledgeStatus::Active,
                    PledgeStatus::PastDue,
                    PledgeStatus::Paused,
                    PledgeStatus::Cancelled,
                ][status],
            }
        })
    }

    fn arb_gift() -> impl Strategy<Value = OneTimeGift> {
        (0i64..800, 0i64..1_000_000).prop_map(|(days, minor)| gift(days, minor))
    }

    proptest! {
        #[test]
        fn an_active_pledge_never_lowers_support(pledges in prop::collection::vec(arb_pledge(), 0..8), gifts in prop::collection::vec(arb_gift(), 0..8), extra in 1i64..1_000_000) {
            let before = support(&pledges, &gifts);
            let mut more = pledges.clone();
            more.push(pledge(extra, Interval::Month, PledgeStatus::Active));
            prop_assert!(support(&more, &gifts) > before);
        }

        #[test]
        fn the_resolved_tier_is_reached_and_is_the_highest_reached(pledges in prop::collection::vec(arb_pledge(), 0..8), gifts in prop::collection::vec(arb_gift(), 0..8)) {
            let s = support(&pledges, &gifts);
            let tiers = tiers();
            match resolve_tier(s, &tiers, None) {
                Some(id) => {
                    let tier = tiers.iter().find(|t| t.id == id).unwrap();
                    prop_assert!(s >= tier.monthly_minimum.to_decimal());
                    prop_assert!(tiers.iter().all(|t| s < t.monthly_minimum.to_decimal() || t.monthly_minimum.minor() <= tier.monthly_minimum.minor()));
                }
                None => prop_assert!(tiers.iter().all(|t| s < t.monthly_minimum.to_decimal())),
            }
        }

        #[test]
        fn a_gift_never_lowers_the_tier(pledges in prop::collection::vec(arb_pledge(), 0..8), gifts in prop::collection::vec(arb_gift(), 0..8), extra in arb_gift()) {
            let rank = |id: Option<&str>| match id { None => 0, Some("rosegold") => 1, Some("gold") => 2, _ => 3 };
            let before = resolve_tier(support(&pledges, &gifts), &tiers(), None);
            let mut more = gifts.clone();
            more.push(extra);
            let after = resolve_tier(support(&pledges, &more), &tiers(), None);
            prop_assert!(rank(after) >= rank(before));
        }
    }
}
