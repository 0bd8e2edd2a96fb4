//! Demo data: three Mastodon-style tiers, donors with a mix of visibility choices, monthly and
//! yearly pledges, one-time gifts, a refund and a year of running costs. Deterministic, so every
//! demo wall looks the same.

use std::fmt;

use chrono::{Duration, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::{self, DbConn};
use crate::domain::{
    Consent, Currency, FediverseHandle, Interval, Money, Perk, PerkSet, Source, WebUrl,
};
use crate::error::{AppError, AppResult};
use crate::ledger::{donors, entries, pledges, tiers};

mod bulk;

/// What the demo seeding created.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub tiers: usize,
    pub donors: usize,
    pub pledges: usize,
    pub entries: usize,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo data added: {} tiers, {} donors, {} pledges, {} ledger entries",
            self.tiers, self.donors, self.pledges, self.entries
        )
    }
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Bram", "Chidi", "Dana", "Emeka", "Fatou", "Gwen", "Hiro", "Ines", "Jonas", "Kaia",
    "Lior", "Mina", "Noor", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tova", "Uma", "Vik",
    "Wren", "Xiu", "Yusuf", "Zora",
];
const LAST_NAMES: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Silva",
    "Novak",
    "Haddad",
    "Kowalski",
    "Byrne",
    "Mensah",
    "Rossi",
    "Andersen",
    "Nakamura",
    "Ortega",
];
const COMPANIES: &[&str] = &[
    "Fernwood Hosting",
    "Kestrel Labs",
    "Open Loom Co-op",
    "Bluewater Bikes",
    "Tiny Press",
    "Quietpixel Studio",
    "Harbour Bakery",
    "Lantern Software",
];
const MONTHLY: &[i64] = &[
    300, 500, 500, 500, 1000, 1000, 1500, 2500, 3000, 5000, 10_000,
];
const YEARLY: &[i64] = &[5000, 6000, 12_000, 30_000, 120_000];

/// Seeds demo data when the database has no tiers and no donors; `None` when it has some.
pub fn seed_if_empty(
    conn: &mut DbConn,
    currency: Currency,
    donor_count: usize,
    now: NaiveDateTime,
) -> AppResult<Option<DemoSummary>> {
    if !is_empty(conn)? {
        return Ok(None);
    }
    seed(conn, currency, donor_count, now).map(Some)
}

/// Seeds `donor_count` donors and about `entry_count` ledger entries of history, at the scale
/// of a large instance; `None` when the database is not empty.
pub fn seed_at_scale_if_empty(
    conn: &mut DbConn,
    currency: Currency,
    donor_count: usize,
    entry_count: usize,
    now: NaiveDateTime,
) -> AppResult<Option<DemoSummary>> {
    if !is_empty(conn)? {
        return Ok(None);
    }
    let mut summary = DemoSummary::default();
    seed_tiers(conn, currency, &mut summary)?;
    bulk::seed(conn, currency, donor_count, entry_count, now, &mut summary)?;
    Ok(Some(summary))
}

/// [`seed_at_scale_if_empty`] in one write transaction, then the database readied for reading:
/// PostgreSQL's index-only scans (which the wall relies on) need the visibility map that only
/// VACUUM writes, and autovacuum would get to a fresh million rows only later.
pub fn seed_at_scale(
    conn: &mut DbConn,
    currency: Currency,
    donor_count: usize,
    entry_count: usize,
    now: NaiveDateTime,
) -> AppResult<Option<DemoSummary>> {
    let seeded = db::write_transaction(conn, |conn| {
        db::prepare_bulk_load(conn)?;
        seed_at_scale_if_empty(conn, currency, donor_count, entry_count, now)
    })?;
    if seeded.is_some() {
        db::after_bulk_load(conn)?;
    }
    Ok(seeded)
}

fn is_empty(conn: &mut DbConn) -> AppResult<bool> {
    Ok(tiers::list(conn, true)?.is_empty() && db::donors::count(conn)? == 0)
}

fn money(minor: i64, currency: Currency) -> AppResult<Money> {
    // Demo amounts are written for two decimals; scale them for other currencies.
    let scaled = match currency.exponent() {
        0 => minor / 100,
        3 => minor * 10,
        _ => minor,
    };
    Ok(Money::from_minor(scaled.max(1), currency)?)
}

fn seed(
    conn: &mut DbConn,
    currency: Currency,
    donor_count: usize,
    now: NaiveDateTime,
) -> AppResult<DemoSummary> {
    let mut rng = StdRng::seed_from_u64(0x00c0_ffee);
    let mut summary = DemoSummary::default();
    seed_tiers(conn, currency, &mut summary)?;
    let mut refundable_gift = None;
    for i in 0..donor_count {
        let is_company = i % 7 == 3;
        let donor = donors::create(conn, demo_donor(i, &mut rng)?)?;
        summary.donors += 1;

        let months_ago: i64 = rng.gen_range(1..=14);
        let started_at = now - Duration::days(30 * months_ago);
        let kind = if is_company { 0 } else { rng.gen_range(0..100) };
        if kind < 55 {
            let minor = if is_company {
                [5000, 10_000, 15_000][i % 3]
            } else {
                MONTHLY[rng.gen_range(0..MONTHLY.len())]
            };
            let amount = money(minor, currency)?;
            let pledge = record_pledge(conn, donor.id, amount, Interval::Month, started_at, i)?;
            summary.pledges += 1;
            for month in 0..months_ago.min(12) {
                record_gift(
                    conn,
                    donor.id,
                    Some(pledge.id),
                    amount,
                    now - Duration::days(30 * month + 2),
                    &format!("demo-ch-{i}-{month}"),
                )?;
                summary.entries += 1;
            }
            if i % 13 == 5 {
                pledges::change_status(conn, pledge.id, crate::domain::PledgeStatus::Paused)?;
            } else if i % 17 == 8 {
                pledges::change_status(conn, pledge.id, crate::domain::PledgeStatus::Cancelled)?;
            }
        } else if kind < 70 {
            let amount = money(YEARLY[rng.gen_range(0..YEARLY.len())], currency)?;
            let pledge = record_pledge(conn, donor.id, amount, Interval::Year, started_at, i)?;
            summary.pledges += 1;
            record_gift(
                conn,
                donor.id,
                Some(pledge.id),
                amount,
                started_at,
                &format!("demo-yr-{i}"),
            )?;
            summary.entries += 1;
        } else {
            let amount = money(
                [2000, 5000, 10_000, 25_000, 60_000][rng.gen_range(0..5)],
                currency,
            )?;
            let given_at = now - Duration::days(rng.gen_range(3..330));
            let gift = record_gift(
                conn,
                donor.id,
                None,
                amount,
                given_at,
                &format!("demo-gift-{i}"),
            )?;
            summary.entries += 1;
            refundable_gift.get_or_insert(gift.id);
        }
    }

    if let Some(entry_id) = refundable_gift {
        entries::record_refund(
            conn,
            entries::RefundDraft {
                entry_id,
                amount: None,
                occurred_at: Some(now - Duration::days(1)),
                source: None,
                external_ref: Some("demo-refund-1".to_owned()),
                memo: "Donor asked for a refund: paid twice by mistake".to_owned(),
            },
        )?;
        summary.entries += 1;
    }

    let costs = [
        ("hosting", 80_000, "Dedicated server and backups"),
        ("storage", 15_000, "Object storage for media"),
        ("email", 2000, "Transactional email"),
    ];
    for month in 0..12 {
        for (category, minor, memo) in costs {
            // The latest month's costs carry a public note for the transparency page.
            entries::record_expense_with_note(
                conn,
                entries::ExpenseDraft {
                    amount: money(minor, currency)?,
                    category: category.to_owned(),
                    occurred_at: Some(now - Duration::days(30 * month + 1)),
                    source: Source::Bank,
                    external_ref: Some(format!("demo-cost-{category}-{month}")),
                    memo: memo.to_owned(),
                },
                (month == 0).then_some(memo),
            )?;
            summary.entries += 1;
        }
    }
    entries::record_expense_with_note(
        conn,
        entries::ExpenseDraft {
            amount: money(1500, currency)?,
            category: "domain".to_owned(),
            occurred_at: Some(now - Duration::days(200)),
            source: Source::Manual,
            external_ref: None,
            memo: "Domain renewal".to_owned(),
        },
        Some("Domain renewal, two years"),
    )?;
    summary.entries += 1;
    // What the instance had before it used Coffer.
    let opening = crate::ledger::public_pages::PublicPageDraft::parse(
        &format!(
            "{} {}",
            money(600_000, currency)?.amount_string(),
            currency.code()
        ),
        true,
        &[],
        currency,
    )?;
    crate::ledger::public_pages::save(conn, &opening)?;
    Ok(summary)
}

fn record_pledge(
    conn: &mut DbConn,
    donor_id: i64,
    amount: Money,
    interval: Interval,
    started_at: NaiveDateTime,
    i: usize,
) -> AppResult<pledges::Pledge> {
    pledges::create(
        conn,
        pledges::PledgeDraft {
            donor_id,
            tier_id: None,
            amount,
            interval,
            source: if i.is_multiple_of(3) {
                Source::Patreon
            } else {
                Source::Stripe
            },
            external_ref: Some(format!("demo-sub-{i}")),
            started_at: Some(started_at),
        },
    )
}

fn record_gift(
    conn: &mut DbConn,
    donor_id: i64,
    pledge_id: Option<i64>,
    amount: Money,
    at: NaiveDateTime,
    external_ref: &str,
) -> AppResult<entries::Entry> {
    entries::record_donation(
        conn,
        entries::DonationDraft {
            donor_id: Some(donor_id),
            pledge_id,
            amount,
            occurred_at: Some(at),
            source: Source::Stripe,
            external_ref: Some(external_ref.to_owned()),
            memo: String::new(),
        },
    )
    .map_err(|e| match e {
        AppError::Conflict(m) => AppError::Internal(format!("demo data collided: {m}")),
        other => other,
    })
}

/// Creates the three Mastodon-style tiers.
fn seed_tiers(conn: &mut DbConn, currency: Currency, summary: &mut DemoSummary) -> AppResult<()> {
    let tier_specs = [
        (
            "platinum",
            "Platinum",
            "Logo, name, link and handle at the top of the wall.",
            10_000,
            &[Perk::Name, Perk::Logo, Perk::Link, Perk::Handle][..],
        ),
        (
            "gold",
            "Gold",
            "Name, link and handle.",
            2500,
            &[Perk::Name, Perk::Link, Perk::Handle][..],
        ),
        (
            "rosegold",
            "Rosegold",
            "Your name on the wall.",
            500,
            &[Perk::Name, Perk::Handle][..],
        ),
    ];
    for (position, (slug, name, description, minimum, perks)) in tier_specs.into_iter().enumerate()
    {
        tiers::create(
            conn,
            tiers::TierDraft {
                slug: slug.to_owned(),
                name: name.to_owned(),
                description: description.to_owned(),
                monthly_minimum: money(minimum, currency)?,
                perks: PerkSet::from_perks(perks.iter().copied()),
                link_rel: "sponsored noopener".to_owned(),
                position: position as i32,
            },
        )?;
        summary.tiers += 1;
    }
    Ok(())
}

/// The `i`-th demo donor: a person or (every seventh) a company, with a mix of visibility
/// choices.
fn demo_donor(i: usize, rng: &mut StdRng) -> AppResult<donors::DonorDraft> {
    let is_company = i % 7 == 3;
    let name = if is_company {
        COMPANIES[(i / 7) % COMPANIES.len()].to_owned()
    } else {
        format!(
            "{} {}",
            FIRST_NAMES[i % FIRST_NAMES.len()],
            LAST_NAMES[(i * 5 + i / FIRST_NAMES.len()) % LAST_NAMES.len()]
        )
    };
    let slug: String = name
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let visibility = rng.gen_range(0..100);
    let anonymous = visibility < 15;
    let consent = match visibility {
        0..=14 => Consent::default(),
        15..=29 => Consent {
            name: true,
            ..Consent::default()
        },
        _ => Consent {
            name: true,
            logo: true,
            link: true,
            handle: true,
            amount: visibility > 85,
        },
    };
    Ok(donors::DonorDraft {
        public_name: name.clone(),
        legal_name: Some(name),
        email: Some(crate::domain::Email::parse(&format!(
            "{slug}{i}@mail.example"
        ))?),
        website: Some(WebUrl::parse(&format!("https://{slug}.example/"))?),
        fediverse_handle: Some(FediverseHandle::parse(&format!(
            "@{slug}{i}@social.example"
        ))?),
        logo_path: is_company.then(|| format!("/static/demo/logo-{}.svg", i % 4 + 1)),
        anonymous,
        consent,
        locale: Some("en".to_owned()),
    })
}
