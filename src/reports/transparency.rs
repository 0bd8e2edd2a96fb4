//! Where the money goes: the figures of `/transparency`, derived from the ledger's sums per
//! month (never from its entries one by one) and the opening balance.
//!
//! For each currency the instance holds money in (never converted, never mixed), and each of
//! the last [`MONTHS`] calendar months: income (donations less refunds and their corrections),
//! the payment providers' fees apart, expenses by category, the net, and the balance at the
//! month's end; then how long the balance lasts at the last three complete months' average
//! cost. Nothing here names a donor: the sums are by kind and category only, and the notes are
//! those the treasurer wrote for expenses.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use crate::db::{self, transparency::MonthSum, transparency::PublishedNote, DbConn};
use crate::domain::{Currency, Total};
use crate::error::{AppError, AppResult};
use crate::ledger::public_pages::PublicPageSettings;

/// How many calendar months the page shows, the current one included.
pub const MONTHS: u32 = 24;
/// How many complete months the average cost is taken over.
pub const COST_MONTHS: usize = 3;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl YearMonth {
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    fn from_index(index: i64) -> Self {
        Self {
            year: i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX),
            month: u32::try_from(index.rem_euclid(12) + 1).unwrap_or(1),
        }
    }

    /// The month `months` later (earlier when negative).
    pub fn plus(self, months: i64) -> Self {
        Self::from_index(self.index().saturating_add(months))
    }

    /// Midnight on the month's first day.
    pub fn start(self) -> AppResult<NaiveDateTime> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(|| AppError::Internal(format!("no month {self}")))
    }

    /// The month's first day.
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The figures of one month in one currency, in minor units; money out is positive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    pub month: YearMonth,
    /// Donations received.
    pub donations: i128,
    /// Refunds given back and corrections of donations (positive: what was taken away).
    pub refunds: i128,
    /// Donations less refunds.
    pub income: i128,
    /// What payment providers kept.
    pub fees: i128,
    /// Expenses (net of their corrections) by category, largest first.
    pub expenses: Vec<(String, i128)>,
    pub expenses_total: i128,
    /// Income less fees and expenses: what the balance moved by.
    pub net: i128,
    /// The balance at the month's end (or now, for the current month).
    pub balance: i128,
}

impl MonthFigures {
    /// What the month cost: expenses and fees.
    pub fn cost(&self) -> i128 {
        self.expenses_total + self.fees
    }
}

/// One currency's books over the months shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyBooks {
    pub currency: Currency,
    /// The money the instance had before Coffer, as the treasurer stated it.
    pub opening: i128,
    /// The balance when the first month shown began.
    pub balance_before: i128,
    /// Oldest first; the last is the current month.
    pub months: Vec<MonthFigures>,
    /// The balance now.
    pub balance: i128,
    /// The last three complete months' average cost, when they cost anything.
    pub average_cost: Option<i128>,
    /// Whole months the balance covers at that cost.
    pub funded_months: Option<i64>,
    /// The month the money runs out in, at that cost.
    pub funded_until: Option<YearMonth>,
}

impl CurrencyBooks {
    /// A figure of these books as a [`Total`].
    pub fn total(&self, minor: i128) -> Total {
        Total::from_minor(minor, self.currency)
    }
}

/// An expense note the treasurer published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicNote {
    pub date: NaiveDate,
    pub category: String,
    /// What it cost (positive).
    pub amount: Total,
    pub note: String,
}

/// Everything `/transparency` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transparency {
    /// The instance currency's books first, then the others by code.
    pub books: Vec<CurrencyBooks>,
    pub notes: Vec<PublicNote>,
    /// The current month (the last shown).
    pub current: YearMonth,
}

impl Transparency {
    /// The books in the instance currency.
    pub fn main(&self) -> Option<&CurrencyBooks> {
        self.books.first()
    }
}

/// Entries that may commit out of id order (PostgreSQL hands out ids before commit): the
/// entries this far below the highest id counted are read again, and those not yet counted
/// are added.
const TRAILING_IDS: i64 = 1000;
/// How often the sums are counted again from scratch, to check themselves.
const RECOUNT_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

type SumKey = (String, String, String, Option<String>);

/// The ledger's sums per month, currency, kind and category, kept by the publisher between
/// builds. The ledger is append-only, so a sum only ever grows by new entries: after one full
/// count, each build reads only the entries added since (by the primary key), and its cost
/// follows the months and categories shown, not the ledger's history.
#[derive(Debug, Default)]
pub struct LedgerSums {
    sums: BTreeMap<SumKey, i64>,
    /// The highest entry id counted.
    high: i64,
    /// The ids counted within [`TRAILING_IDS`] of `high`.
    recent: BTreeSet<i64>,
    counted_at: Option<std::time::Instant>,
}

impl LedgerSums {
    fn add(&mut self, entry: db::transparency::CountedEntry) {
        if entry.id <= self.high - TRAILING_IDS || !self.recent.insert(entry.id) {
            return;
        }
        let key = (entry.month, entry.currency, entry.kind, entry.category);
        let sum = self.sums.entry(key).or_default();
        *sum = sum.saturating_add(entry.amount);
        self.high = self.high.max(entry.id);
    }

    /// Brings the sums up to date with the ledger.
    pub fn refresh(&mut self, conn: &mut DbConn) -> AppResult<()> {
        let max_id = db::transparency::max_entry_id(conn)?;
        let stale = self
            .counted_at
            .is_none_or(|at| at.elapsed() > RECOUNT_EVERY);
        // Fewer entries than counted (a restore): count again.
        if stale || max_id < self.high {
            let mut fresh = Self {
                counted_at: Some(std::time::Instant::now()),
                ..Self::default()
            };
            let settled = max_id - TRAILING_IDS;
            for sum in db::transparency::sums_up_to(conn, settled)? {
                fresh.sums.insert(
                    (sum.month, sum.currency, sum.kind, sum.category),
                    sum.amount,
                );
            }
            fresh.high = settled;
            for entry in db::transparency::entries_after(conn, settled)? {
                fresh.add(entry);
            }
            *self = fresh;
            return Ok(());
        }
        for entry in db::transparency::entries_after(conn, self.high - TRAILING_IDS)? {
            self.add(entry);
        }
        let floor = self.high - TRAILING_IDS;
        self.recent = self.recent.split_off(&(floor + 1));
        Ok(())
    }

    /// The sums of the months from `first` on, and the balance per currency of those before.
    fn window(&self, first: YearMonth) -> (Vec<MonthSum>, Vec<(String, i64)>) {
        let first = first.to_string();
        let mut before: BTreeMap<String, i64> = BTreeMap::new();
        let mut sums = Vec::new();
        for ((month, currency, kind, category), amount) in &self.sums {
            if *month < first {
                let b = before.entry(currency.clone()).or_default();
                *b = b.saturating_add(*amount);
            } else {
                sums.push(MonthSum {
                    month: month.clone(),
                    currency: currency.clone(),
                    kind: kind.clone(),
                    category: category.clone(),
                    amount: *amount,
                });
            }
        }
        (sums, before.into_iter().collect())
    }
}

/// The figures as of `now`, from `sums` brought up to date first.
pub fn build(
    conn: &mut DbConn,
    sums: &mut LedgerSums,
    currency: Currency,
    settings: &PublicPageSettings,
    now: NaiveDateTime,
) -> AppResult<Transparency> {
    let current = YearMonth::of(now.date());
    let first = current.plus(-(i64::from(MONTHS) - 1));
    let from = first.start()?;
    let until = current.plus(1).start()?;
    sums.refresh(conn)?;
    let (window, before) = sums.window(first);
    // Months after the current one (entries dated ahead) are not shown and not counted.
    let last = current.to_string();
    let window: Vec<MonthSum> = window.into_iter().filter(|s| s.month <= last).collect();
    let notes = db::transparency::notes_between(conn, from, until)?;
    figures(currency, current, &window, &before, settings, &notes)
}

/// The figures from the ledger's sums: `sums` per month from the first month shown,
/// `before` the balance per currency of everything older.
pub fn figures(
    instance_currency: Currency,
    current: YearMonth,
    sums: &[MonthSum],
    before: &[(String, i64)],
    settings: &PublicPageSettings,
    notes: &[PublishedNote],
) -> AppResult<Transparency> {
    let stored_currency = |code: &str| {
        Currency::parse(code).map_err(|e| AppError::Internal(format!("stored currency: {e}")))
    };
    let mut currencies: BTreeSet<&'static str> = BTreeSet::new();
    for sum in sums {
        currencies.insert(stored_currency(&sum.currency)?.code());
    }
    for (code, _) in before {
        currencies.insert(stored_currency(code)?.code());
    }
    for money in &settings.opening_balances {
        currencies.insert(money.currency().code());
    }
    currencies.remove(instance_currency.code());
    let mut order = vec![instance_currency];
    for code in currencies {
        order.push(stored_currency(code)?);
    }
    let months: Vec<YearMonth> = (0..i64::from(MONTHS))
        .map(|i| current.plus(i - (i64::from(MONTHS) - 1)))
        .collect();
    let books = order
        .into_iter()
        .map(|currency| {
            let code = currency.code();
            let opening = i128::from(settings.opening_balance(currency).minor());
            let older: i128 = before
                .iter()
                .filter(|(c, _)| c == code)
                .map(|(_, sum)| i128::from(*sum))
                .sum();
            books_of(currency, opening, opening + older, &months, sums)
        })
        .collect();
    let notes = notes
        .iter()
        .map(|n| {
            Ok(PublicNote {
                date: n.occurred_at.date(),
                category: n.category.clone().unwrap_or_default(),
                amount: Total::from_minor(-i128::from(n.amount), stored_currency(&n.currency)?),
                note: n.note.clone(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Transparency {
        books,
        notes,
        current,
    })
}

fn books_of(
    currency: Currency,
    opening: i128,
    balance_before: i128,
    months: &[YearMonth],
    sums: &[MonthSum],
) -> CurrencyBooks {
    let mut balance = balance_before;
    let mut figures = Vec::with_capacity(months.len());
    for month in months {
        let label = month.to_string();
        let mut f = MonthFigures {
            month: *month,
            donations: 0,
            refunds: 0,
            income: 0,
            fees: 0,
            expenses: Vec::new(),
            expenses_total: 0,
            net: 0,
            balance: 0,
        };
        let mut by_category: BTreeMap<String, i128> = BTreeMap::new();
        for sum in sums
            .iter()
            .filter(|s| s.month == label && s.currency == currency.code())
        {
            let amount = i128::from(sum.amount);
            match (sum.kind.as_str(), &sum.category) {
                ("donation", _) => f.donations += amount,
                ("fee", _) => f.fees -= amount,
                // Expenses, and the corrections of expenses (they carry the category).
                (_, Some(category)) => *by_category.entry(category.clone()).or_default() -= amount,
                // Refunds, and corrections of anything without a category (donations).
                _ => f.refunds -= amount,
            }
            f.net += amount;
        }
        f.income = f.donations - f.refunds;
        f.expenses = by_category.into_iter().filter(|(_, a)| *a != 0).collect();
        f.expenses
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        f.expenses_total = f.expenses.iter().map(|(_, a)| a).sum();
        balance += f.net;
        f.balance = balance;
        figures.push(f);
    }
    // The complete months before the current one.
    let complete = &figures[..figures.len().saturating_sub(1)];
    let recent = &complete[complete.len().saturating_sub(COST_MONTHS)..];
    let recent_cost: i128 = recent.iter().map(MonthFigures::cost).sum();
    let (average_cost, funded_months, funded_until) =
        if recent.len() == COST_MONTHS && recent_cost > 0 {
            let count = i128::try_from(recent.len()).unwrap_or(1);
            // Whole months, rounded down: "funded until" never promises a month too many.
            let funded = if balance > 0 {
                i64::try_from(balance * count / recent_cost).unwrap_or(i64::MAX)
            } else {
                0
            };
            let current = months.last().copied();
            (
                Some((recent_cost + count - 1) / count),
                Some(funded),
                current.map(|m| m.plus(funded)),
            )
        } else {
            (None, None, None)
        };
    CurrencyBooks {
        currency,
        opening,
        balance_before,
        months: figures,
        balance,
        average_cost,
        funded_months,
        funded_until,
    }
}

#[cfg(test)]
// Minor units written as major_minor (`100_00` is 100.00) read like the amounts they are.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::domain::Money;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn sum(
        month: &str,
        currency: &str,
        kind: &str,
        category: Option<&str>,
        amount: i64,
    ) -> MonthSum {
        MonthSum {
            month: month.to_owned(),
            currency: currency.to_owned(),
            kind: kind.to_owned(),
            category: category.map(str::to_owned),
            amount,
        }
    }

    #[test]
    fn new_entries_are_counted_once_even_when_they_commit_out_of_order() {
        let entry = |id: i64, amount: i64| db::transparency::CountedEntry {
            id,
            month: "2026-11".to_owned(),
            currency: "EUR".to_owned(),
            kind: "donation".to_owned(),
            category: None,
            amount,
        };
        let mut sums = LedgerSums::default();
        sums.add(entry(1, 100));
        sums.add(entry(3, 300));
        // Entry 2 commits after 3 was counted; 3 is read again by the next refresh.
        sums.add(entry(2, 200));
        sums.add(entry(3, 300));
        let (window, before) = sums.window(YearMonth {
            year: 2026,
            month: 1,
        });
        assert_eq!(window.len(), 1);
        assert_eq!(window[0].amount, 600);
        assert!(before.is_empty());
        let (_, before) = sums.window(YearMonth {
            year: 2027,
            month: 1,
        });
        assert_eq!(before, vec![("EUR".to_owned(), 600)]);
    }

    #[test]
    fn months_carry_the_balance_and_the_balance_lasts_at_the_recent_cost() {
        let current = YearMonth {
            year: 2026,
            month: 12,
        };
        let sums = vec![
            sum("2026-09", "EUR", "donation", None, 100_00),
            sum("2026-09", "EUR", "expense", Some("hosting"), -40_00),
            sum("2026-10", "EUR", "donation", None, 50_00),
            sum("2026-10", "EUR", "refund", None, -10_00),
            sum("2026-10", "EUR", "fee", None, -2_00),
            sum("2026-10", "EUR", "expense", Some("hosting"), -40_00),
            sum("2026-11", "EUR", "expense", Some("hosting"), -40_00),
            sum("2026-11", "EUR", "expense", Some("domain"), -12_00),
            sum("2026-11", "EUR", "correction", Some("domain"), 2_00),
            sum("2026-11", "USD", "donation", None, 30_00),
        ];
        let settings = PublicPageSettings {
            opening_balances: vec![Money::from_minor(500_00, eur()).unwrap()],
            ..PublicPageSettings::default()
        };
        let t = figures(
            eur(),
            current,
            &sums,
            &[("EUR".into(), 20_00)],
            &settings,
            &[],
        )
        .unwrap();
        assert_eq!(t.books.len(), 2, "EUR and USD, never mixed");
        let books = &t.books[0];
        assert_eq!(books.months.len(), 24);
        assert_eq!(books.balance_before, 520_00);
        let oct = &books.months[21];
        assert_eq!(oct.month.to_string(), "2026-10");
        assert_eq!(
            (oct.donations, oct.refunds, oct.income),
            (50_00, 10_00, 40_00)
        );
        assert_eq!(
            (oct.fees, oct.expenses_total, oct.net),
            (2_00, 40_00, -2_00)
        );
        let nov = &books.months[22];
        assert_eq!(
            nov.expenses,
            vec![("hosting".to_owned(), 40_00), ("domain".to_owned(), 10_00)]
        );
        assert_eq!(nov.balance, 520_00 + 60_00 - 2_00 - 50_00);
        assert_eq!(books.balance, 528_00);
        // (40 + 42 + 50) / 3 = 44 a month; 528 / 44 = 12 months.
        assert_eq!(books.average_cost, Some(44_00));
        assert_eq!(books.funded_months, Some(12));
        assert_eq!(
            books.funded_until.map(|m| m.to_string()).as_deref(),
            Some("2027-12")
        );
        let usd = &t.books[1];
        assert_eq!(usd.currency.code(), "USD");
        assert_eq!(usd.balance, 30_00);
        assert_eq!(usd.funded_months, None, "no costs in USD");
    }
}
