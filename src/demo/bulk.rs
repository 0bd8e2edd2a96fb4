//! Demo data at the size of a large instance (`coffer demo --donors 10000 --entries 1000000`):
//! written straight to the tables in large batches inside one transaction, because the ledger
//! services check one entry at a time and a million checks take minutes. The rows are the same
//! as the services would write (an empty database is required, as for the small demo), and the
//! history is realistic: monthly and yearly pledge charges from each pledge's start, one-time
//! gifts, refunds of earlier donations, and monthly running costs.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::DemoSummary;
use crate::db::{self, DbConn};
use crate::domain::{Currency, Interval, PledgeStatus};
use crate::error::AppResult;
use crate::on_backend;

/// Rows per INSERT: well under SQLite's 32,766 bound parameters with 12 columns a row.
const BATCH: usize = 2000;

/// What share of the entries each kind of history takes.
const CHARGE_SHARE: f64 = 0.76;
const GIFT_SHARE: f64 = 0.20;
const REFUND_SHARE: f64 = 0.01;

/// Seeds `donor_count` donors and about `entry_count` ledger entries after the tiers that
/// [`super::seed_tiers`] made. Deterministic.
pub fn seed(
    conn: &mut DbConn,
    currency: Currency,
    donor_count: usize,
    entry_count: usize,
    now: NaiveDateTime,
    summary: &mut DemoSummary,
) -> AppResult<()> {
    let mut rng = StdRng::seed_from_u64(0x00c0_ffee_0010);
    let started = std::time::Instant::now();
    let phase = |name: &str| {
        tracing::debug!(
            phase = name,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "bulk demo"
        )
    };
    let code = currency.code();
    // Demo amounts are written in cents; `amount` scales them to the currency's minor unit.
    let amount = |cents: i64| super::money(cents, currency).map(|m| m.minor());

    // Donors.
    let donors: Vec<db::donors::NewDonor> = (0..donor_count)
        .map(|i| super::demo_donor(i, &mut rng).map(|d| d.into_row(now)))
        .collect::<AppResult<_>>()?;
    for chunk in donors.chunks(BATCH) {
        on_backend!(conn, |c| diesel::insert_into(db::schema::donors::table)
            .values(chunk)
            .execute(c))?;
    }
    summary.donors += donor_count;
    let donor_ids: Vec<i64> = db::schema::donors::table
        .select(db::schema::donors::id)
        .order(db::schema::donors::id)
        .load(conn)?;

    // Pledges: 60 % monthly, 10 % yearly; a tenth of them ended (cancelled) or paused.
    let monthly_count = donor_ids.len() * 6 / 10;
    let charge_budget = (entry_count as f64 * CHARGE_SHARE) as usize;
    // The history is as long as the charges need, at least two years.
    let months = (charge_budget / monthly_count.max(1)).clamp(24, 360) as i64;
    let mut pledges = Vec::new();
    for (n, &donor_id) in donor_ids.iter().enumerate() {
        let interval = match n % 10 {
            0..=5 => Interval::Month,
            6 => Interval::Year,
            _ => continue,
        };
        let started_months_ago = rng.gen_range(1..=months);
        let minor = amount(match interval {
            Interval::Month => super::MONTHLY[rng.gen_range(0..super::MONTHLY.len())],
            Interval::Year => super::YEARLY[rng.gen_range(0..super::YEARLY.len())],
        })?;
        let status = match n % 23 {
            3 => PledgeStatus::Cancelled,
            7 => PledgeStatus::Paused,
            _ => PledgeStatus::Active,
        };
        let started_at = now - Duration::days(30 * started_months_ago);
        pledges.push((
            db::pledges::NewPledge {
                donor_id,
                tier_id: None,
                amount: minor,
                currency: code.to_owned(),
                interval: interval.as_str().to_owned(),
                status: status.as_str().to_owned(),
                source: if n % 3 == 0 { "patreon" } else { "stripe" }.to_owned(),
                external_ref: Some(format!("demo-sub-{n}")),
                started_at,
            },
            started_months_ago,
        ));
    }
    let rows: Vec<db::pledges::NewPledge> = pledges.iter().map(|(p, _)| p.clone()).collect();
    for chunk in rows.chunks(BATCH) {
        on_backend!(conn, |c| diesel::insert_into(db::schema::pledges::table)
            .values(chunk)
            .execute(c))?;
    }
    summary.pledges += rows.len();
    let pledge_ids: Vec<i64> = db::schema::pledges::table
        .select(db::schema::pledges::id)
        .order(db::schema::pledges::id)
        .load(conn)?;

    phase("donors and pledges");
    // The ledger is empty: load it without its secondary indexes and build them once at the end.
    let suspended = db::suspend_indexes(conn, "ledger_entries")?;
    let mut writer = EntryWriter::default();
    // Pledge charges, oldest month first, until the budget is spent.
    'charges: for month_back in (0..months).rev() {
        for ((pledge, started_months_ago), &pledge_id) in pledges.iter().zip(&pledge_ids) {
            if writer.written >= charge_budget {
                break 'charges;
            }
            let yearly = pledge.interval == "year";
            let due = month_back < *started_months_ago
                && (!yearly || (started_months_ago - month_back) % 12 == 0);
            if !due {
                continue;
            }
            let at =
                now - Duration::days(30 * month_back + 2) + Duration::minutes(pledge_id % 1440);
            writer.push(
                conn,
                BulkEntry {
                    kind: "donation",
                    amount: pledge.amount,
                    currency: code,
                    donor_id: Some(pledge.donor_id),
                    pledge_id: Some(pledge_id),
                    occurred_at: at,
                    recorded_at: at,
                    source: static_source(&pledge.source),
                    external_ref: Some(format!("demo-ch-{pledge_id}-{month_back}")),
                    reverses: None,
                    category: None,
                    memo: "",
                },
            )?;
        }
    }
    phase("charges");
    // One-time gifts spread over the history.
    let gift_budget = writer.written + (entry_count as f64 * GIFT_SHARE) as usize;
    let mut gift_number = 0usize;
    while writer.written < gift_budget {
        let donor_id = donor_ids[rng.gen_range(0..donor_ids.len())];
        let at = now - Duration::minutes(rng.gen_range(60..months * 30 * 24 * 60));
        writer.push(
            conn,
            BulkEntry {
                kind: "donation",
                amount: amount([2000, 5000, 10_000, 25_000][rng.gen_range(0..4)])?,
                currency: code,
                donor_id: Some(donor_id),
                pledge_id: None,
                occurred_at: at,
                recorded_at: at,
                source: if gift_number.is_multiple_of(4) {
                    "bank"
                } else {
                    "stripe"
                },
                external_ref: Some(format!("demo-gift-{gift_number}")),
                reverses: None,
                category: None,
                memo: "",
            },
        )?;
        gift_number += 1;
    }
    writer.flush(conn)?;
    phase("gifts");
    // Refunds of earlier donations: a full refund of every n-th one (found by the primary key,
    // which stays indexed).
    let refund_target = (entry_count as f64 * REFUND_SHARE) as i64;
    let donations: i64 = writer.written as i64;
    let every = (donations / refund_target.max(1)).max(2);
    let refundable: Vec<db::ledger::EntryRow> = db::schema::ledger_entries::table
        .filter(db::schema::ledger_entries::kind.eq("donation"))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "id % {every} = 0"
        )))
        .select(db::ledger::EntryRow::as_select())
        .load(conn)?;
    for db::ledger::EntryRow {
        id,
        donor_id,
        pledge_id,
        amount,
        occurred_at,
        source,
        ..
    } in refundable
    {
        let at = (occurred_at + Duration::days(3)).min(now);
        writer.push(
            conn,
            BulkEntry {
                kind: "refund",
                amount: -amount,
                currency: code,
                donor_id,
                pledge_id,
                occurred_at: at,
                recorded_at: at,
                source: static_source(&source),
                external_ref: Some(format!("demo-re-{id}")),
                reverses: Some(id),
                category: None,
                memo: "Refunded at the donor's request",
            },
        )?;
    }
    phase("refunds");
    // Running costs: hosting, storage and email every month of the history, then smaller
    // bills (moderation tools, domains) until the count is reached.
    let mut cost_number = 0usize;
    for month_back in 0..months {
        for (category, minor) in [("hosting", 80_000), ("storage", 15_000), ("email", 2000)] {
            writer.push(
                conn,
                expense(code, category, amount(minor)?, now, month_back, cost_number),
            )?;
            cost_number += 1;
        }
    }
    while writer.written < entry_count {
        let month_back = rng.gen_range(0..months);
        let category = ["tools", "domain", "translation", "legal"][cost_number % 4];
        writer.push(
            conn,
            expense(
                code,
                category,
                amount(rng.gen_range(100..5000))?,
                now,
                month_back,
                cost_number,
            ),
        )?;
        cost_number += 1;
    }
    writer.flush(conn)?;
    summary.entries += writer.written;
    phase("expenses");
    // Every entry a leaf of the Merkle log, appended in one pass in id order.
    crate::ledger::log::catch_up(conn)?;
    phase("log");
    db::restore_indexes(conn, suspended)?;
    phase("indexes");
    db::analyze(conn)?;
    phase("analyze");
    Ok(())
}

fn expense(
    code: &'static str,
    category: &'static str,
    minor: i64,
    now: NaiveDateTime,
    month_back: i64,
    n: usize,
) -> BulkEntry {
    let at = now - Duration::days(30 * month_back + 1) - Duration::minutes(n as i64 % 1440);
    BulkEntry {
        kind: "expense",
        amount: -minor,
        currency: code,
        donor_id: None,
        pledge_id: None,
        occurred_at: at,
        recorded_at: at,
        source: "bank",
        external_ref: Some(format!("demo-cost-{n}")),
        reverses: None,
        category: Some(category),
        memo: "",
    }
}

/// The sources the demo writes, as the static strings the rows borrow.
fn static_source(source: &str) -> &'static str {
    match source {
        "patreon" => "patreon",
        "bank" => "bank",
        _ => "stripe",
    }
}

/// A ledger row as the bulk load writes it. Unlike [`db::ledger::NewEntry`], an absent value
/// is bound as NULL rather than left to the column's default (the same thing for these
/// columns): with defaults diesel must send SQLite one INSERT per row, with NULLs one
/// statement per batch.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = db::schema::ledger_entries, treat_none_as_default_value = false)]
struct BulkEntry {
    kind: &'static str,
    amount: i64,
    currency: &'static str,
    donor_id: Option<i64>,
    pledge_id: Option<i64>,
    occurred_at: NaiveDateTime,
    recorded_at: NaiveDateTime,
    source: &'static str,
    external_ref: Option<String>,
    reverses: Option<i64>,
    category: Option<&'static str>,
    memo: &'static str,
}

/// Buffers entries and writes them a batch at a time.
#[derive(Default)]
struct EntryWriter {
    buffer: Vec<BulkEntry>,
    written: usize,
}

impl EntryWriter {
    fn push(&mut self, conn: &mut DbConn, mut entry: BulkEntry) -> AppResult<()> {
        // References in the order they are written: the unique index on them then grows at
        // its end instead of splitting pages all over.
        if let Some(reference) = entry.external_ref.as_mut() {
            *reference = format!("demo-{:09}-{reference}", self.written);
        }
        self.buffer.push(entry);
        self.written += 1;
        if self.buffer.len() >= BATCH {
            self.flush(conn)?;
        }
        Ok(())
    }

    fn flush(&mut self, conn: &mut DbConn) -> AppResult<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.buffer);
        let table = db::schema::ledger_entries::table;
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(table).values(&rows).execute(c)?,
            // COPY: PostgreSQL's bulk path, several times faster than a multi-row INSERT.
            DbConn::Postgres(c) => diesel::copy_from(table).from_insertable(&rows).execute(c)?,
        };
        self.buffer = rows;
        self.buffer.clear();
        Ok(())
    }
}
