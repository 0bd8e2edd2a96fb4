//! What an import did, or would do: counts per kind of record, and the money per currency.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::{Currency, Total};

/// Created, updated and passed over, for one kind of record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    /// Already recorded (or, for pledges, recorded and unchanged).
    pub skipped: u64,
}

/// The report of one import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub file: String,
    pub format: String,
    pub sha256: String,
    /// Rows holding anything, the header not counted.
    pub rows: u64,
    pub dry_run: bool,
    /// By kind: `donor`, `pledge`, `donation`, `fee`, `refund`, `expense`, `correction`.
    pub counts: BTreeMap<String, Counts>,
    /// Rows that record nothing in Coffer, by why.
    pub passed_over: BTreeMap<String, u64>,
    /// The money of the entries created, by currency and kind, in minor units (signed as the
    /// ledger holds them).
    #[serde(skip)]
    money: BTreeMap<(&'static str, String), i128>,
    /// The same, as decimal strings: `{"EUR": {"donation": "1234.50"}}`.
    pub money_created: BTreeMap<String, BTreeMap<String, String>>,
}

impl Report {
    pub fn new(file: &str, format: &str, sha256: &str) -> Self {
        Self {
            file: file.to_owned(),
            format: format.to_owned(),
            sha256: sha256.to_owned(),
            ..Self::default()
        }
    }

    fn of(&mut self, kind: &str) -> &mut Counts {
        self.counts.entry(kind.to_owned()).or_default()
    }

    pub fn created(&mut self, kind: &str) {
        self.of(kind).created += 1;
    }

    pub fn updated(&mut self, kind: &str) {
        self.of(kind).updated += 1;
    }

    pub fn skipped(&mut self, kind: &str) {
        self.of(kind).skipped += 1;
    }

    pub fn passed_over(&mut self, why: &str) {
        *self.passed_over.entry(why.to_owned()).or_default() += 1;
    }

    pub fn money(&mut self, currency: Currency, kind: &str, minor: i64) {
        *self
            .money
            .entry((currency.code(), kind.to_owned()))
            .or_default() += i128::from(minor);
        let total = Total::from_minor(self.money[&(currency.code(), kind.to_owned())], currency);
        self.money_created
            .entry(currency.code().to_owned())
            .or_default()
            .insert(kind.to_owned(), total.to_decimal().to_string());
    }

    /// Whether the import creates or updates anything at all.
    pub fn changes_anything(&self) -> bool {
        self.counts.values().any(|c| c.created > 0 || c.updated > 0)
    }

    /// The counts of one kind (zero when none).
    pub fn count(&self, kind: &str) -> Counts {
        self.counts.get(kind).copied().unwrap_or_default()
    }

    /// One line per kind: `donations: 3 created, 0 updated, 1 already recorded`.
    pub fn count_lines(&self) -> Vec<String> {
        self.counts
            .iter()
            .map(|(kind, c)| {
                format!(
                    "{kind}s: {} created, {} updated, {} already recorded",
                    c.created, c.updated, c.skipped
                )
            })
            .collect()
    }

    /// One line per currency: `EUR: donation 1234.50, fee -12.30`.
    pub fn money_lines(&self) -> Vec<String> {
        self.money_created
            .iter()
            .map(|(currency, kinds)| {
                let parts: Vec<String> = kinds
                    .iter()
                    .map(|(kind, amount)| format!("{kind} {amount}"))
                    .collect();
                format!("{currency}: {}", parts.join(", "))
            })
            .collect()
    }

    /// One line per reason: `shop orders and commissions: 2 rows`.
    pub fn passed_over_lines(&self) -> Vec<String> {
        self.passed_over
            .iter()
            .map(|(why, n)| format!("{why}: {n} row(s) record nothing"))
            .collect()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.dry_run {
            "dry run, nothing was written"
        } else {
            "imported"
        };
        writeln!(
            f,
            "{} ({}, sha256 {}): {} rows, {verdict}",
            self.file, self.format, self.sha256, self.rows
        )?;
        for line in self.count_lines() {
            writeln!(f, "  {line}")?;
        }
        for line in self.passed_over_lines() {
            writeln!(f, "  {line}")?;
        }
        if !self.money_created.is_empty() {
            writeln!(
                f,
                "money {}:",
                if self.dry_run {
                    "it would record"
                } else {
                    "recorded"
                }
            )?;
            for line in self.money_lines() {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}
