//! The write of an import, inside the write unit's one transaction: a pass through the file
//! for supporters, pledges and payments, then one for refunds (which may come before the
//! payment they refund: Open Collective lists the newest first).

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::facts::{DonorRow, EntryFact, Facts, LedgerRow, PlatformRow, PledgeFact, Supporter};
use super::report::Report;
use super::table::RowError;
use super::{for_each_row, ImportError, ImportFile, Progress};
use crate::db::{self, DbConn};
use crate::domain::{EntryKind, PledgeStatus, Source};
use crate::error::AppError;
use crate::ledger::entries::Entry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Records,
    Refunds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Touched {
    Created,
    Updated,
    Unchanged,
}

/// What this import did to one pledge, and as of when.
struct PledgeSeen {
    as_of: Option<NaiveDateTime>,
    touched: Touched,
}

/// A failure while writing: a row the ledger refuses, or the database's.
enum Failure {
    Row(RowError),
    App(AppError),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl From<diesel::result::Error> for Failure {
    fn from(e: diesel::result::Error) -> Self {
        Self::App(e.into())
    }
}

struct Writer<'c> {
    conn: &'c mut DbConn,
    source: Source,
    report: Report,
    pledges: HashMap<String, PledgeSeen>,
    restored: bool,
}

/// Records the file; the caller's transaction makes it all or nothing.
pub fn write(
    conn: &mut DbConn,
    file: &ImportFile,
    sha256: &str,
    progress: &dyn Progress,
) -> Result<Report, ImportError> {
    let mut writer = Writer {
        conn,
        source: file.format.source(),
        report: Report::new(&file.name, file.format.as_str(), sha256),
        pledges: HashMap::new(),
        restored: false,
    };
    for (pass, name) in [(Pass::Records, "importing"), (Pass::Refunds, "refunds")] {
        let read = for_each_row(file, progress, name, |line, facts| {
            let facts = facts.map_err(Failure::Row)?;
            writer.row(line, facts, pass)
        })?;
        let (hash, _) = read.map_err(|failure| match failure {
            Failure::Row(e) => ImportError::Refused {
                file: file.name.clone(),
                errors: vec![e],
                more: 0,
            },
            Failure::App(e) => ImportError::App(e),
        })?;
        if hash != sha256 {
            return Err(ImportError::File {
                file: file.name.clone(),
                message: "the file changed while it was imported; nothing was imported".to_owned(),
            });
        }
    }
    if writer.restored {
        db::imports::move_id_sequences_past_restored_rows(writer.conn).map_err(AppError::from)?;
    }
    let mut report = writer.report;
    for seen in writer.pledges.values() {
        match seen.touched {
            Touched::Created => report.created("pledge"),
            Touched::Updated => report.updated("pledge"),
            Touched::Unchanged => report.skipped("pledge"),
        }
    }
    Ok(report)
}

impl Writer<'_> {
    fn row(&mut self, line: u64, facts: Facts, pass: Pass) -> Result<(), Failure> {
        match (facts, pass) {
            (Facts::Platform(row), _) => self.platform(line, row, pass),
            (Facts::Ledger(row), Pass::Records) => self.restore_entry(line, *row),
            (Facts::Donor(row), Pass::Records) => self.restore_donor(line, *row),
            (Facts::Nothing(why), Pass::Records) => {
                self.report.passed_over(why);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn platform(&mut self, line: u64, row: PlatformRow, pass: Pass) -> Result<(), Failure> {
        if pass == Pass::Refunds {
            for entry in row.entries.iter().filter(|e| e.reverses.is_some()) {
                self.refund(line, entry)?;
            }
            return Ok(());
        }
        let mut donor_id = None;
        let mut pledge = None;
        if let Some(fact) = &row.pledge {
            pledge = self.pledge(fact, row.supporter.as_ref(), &mut donor_id)?;
        }
        for entry in row.entries.iter().filter(|e| e.reverses.is_none()) {
            let source = self.source.as_str();
            if db::ledger::find_by_external_ref(self.conn, source, &entry.external_ref)?.is_some() {
                self.report.skipped(entry.kind.as_str());
                continue;
            }
            let (donor, pledge_id) = match (&row.supporter, entry.from_supporter) {
                (Some(supporter), true) => {
                    let donor = self.donor(supporter, &mut donor_id)?;
                    let pledge_id = pledge
                        .filter(|(_, currency)| *currency == entry.amount.currency().code())
                        .map(|(id, _)| id);
                    (Some(donor), pledge_id)
                }
                _ => (None, None),
            };
            self.insert(entry, donor, pledge_id, None)?;
        }
        Ok(())
    }

    /// The supporter's donor: found by the platform's id of them, else by email, else new.
    fn donor(&mut self, supporter: &Supporter, found: &mut Option<i64>) -> Result<i64, Failure> {
        if let Some(id) = *found {
            return Ok(id);
        }
        let source = self.source.as_str();
        let id = match db::imports::identity_donor(self.conn, source, &supporter.key)? {
            Some(id) => id,
            None => {
                let by_email = match &supporter.email {
                    Some(email) => db::donors::find_by_email(self.conn, email.as_str())?,
                    None => None,
                };
                let id = match by_email {
                    Some(row) => {
                        self.report.skipped("donor");
                        row.id
                    }
                    None => {
                        let consent = supporter.visibility.consent();
                        let new = db::donors::NewDonor {
                            public_name: supporter.public_name.clone(),
                            legal_name: None,
                            email: supporter.email.as_ref().map(|e| e.as_str().to_owned()),
                            website: None,
                            fediverse_handle: None,
                            logo_path: None,
                            consent_name: consent.name,
                            consent_logo: consent.logo,
                            consent_link: consent.link,
                            consent_handle: consent.handle,
                            consent_amount: consent.amount,
                            anonymous: supporter.visibility == super::facts::Visibility::Hidden,
                            locale: None,
                            created_at: db::now(),
                        };
                        self.report.created("donor");
                        db::donors::insert(self.conn, &new)?
                    }
                };
                db::imports::remember_identity(self.conn, source, &supporter.key, id)?;
                id
            }
        };
        *found = Some(id);
        Ok(id)
    }

    /// Creates or updates the pledge; its id and currency.
    fn pledge(
        &mut self,
        fact: &PledgeFact,
        supporter: Option<&Supporter>,
        donor_id: &mut Option<i64>,
    ) -> Result<Option<(i64, &'static str)>, Failure> {
        let source = self.source.as_str();
        let existing = db::pledges::find_by_external_ref(self.conn, source, &fact.external_ref)?;
        let Some(existing) = existing else {
            let (Some((amount, interval)), Some(supporter)) = (fact.terms, supporter) else {
                self.seen(fact, Touched::Unchanged);
                return Ok(None);
            };
            if fact.status == PledgeStatus::Cancelled {
                self.seen(fact, Touched::Unchanged);
                return Ok(None);
            }
            let donor = self.donor(supporter, donor_id)?;
            let id = db::pledges::insert(
                self.conn,
                &db::pledges::NewPledge {
                    donor_id: donor,
                    tier_id: None,
                    amount: amount.minor(),
                    currency: amount.currency().code().to_owned(),
                    interval: interval.as_str().to_owned(),
                    status: fact.status.as_str().to_owned(),
                    source: source.to_owned(),
                    external_ref: Some(fact.external_ref.clone()),
                    started_at: fact.started_at.unwrap_or_else(db::now),
                },
            )?;
            self.seen(fact, Touched::Created);
            return Ok(Some((id, amount.currency().code())));
        };
        let currency = crate::domain::Currency::parse(&existing.currency)
            .map_err(|e| AppError::Internal(format!("stored pledge currency: {e}")))?
            .code();
        // Of two rows for one pledge in a file, the later one says how it stands.
        if let Some(seen) = self.pledges.get(&fact.external_ref) {
            if matches!((seen.as_of, fact.as_of), (Some(seen), Some(now)) if now < seen) {
                return Ok(Some((existing.id, currency)));
            }
        }
        let mut changed = false;
        // A cancelled pledge stays cancelled, as everywhere in Coffer.
        if existing.status != fact.status.as_str()
            && existing.status != PledgeStatus::Cancelled.as_str()
        {
            let ended_at = (fact.status == PledgeStatus::Cancelled).then(db::now);
            db::pledges::set_status(self.conn, existing.id, fact.status.as_str(), ended_at)?;
            changed = true;
        }
        if let Some((amount, interval)) = fact.terms {
            let differs =
                amount.minor() != existing.amount || interval.as_str() != existing.interval;
            if differs
                && amount.currency().code() == currency
                && existing.status != PledgeStatus::Cancelled.as_str()
            {
                db::pledges::set_terms(self.conn, existing.id, amount.minor(), interval.as_str())?;
                changed = true;
            }
        }
        let before = self.pledges.get(&fact.external_ref).map(|s| s.touched);
        let touched = match (before, changed) {
            (Some(Touched::Created), _) => Touched::Created,
            (Some(Touched::Updated), _) | (_, true) => Touched::Updated,
            _ => Touched::Unchanged,
        };
        self.seen(fact, touched);
        Ok(Some((existing.id, currency)))
    }

    fn seen(&mut self, fact: &PledgeFact, touched: Touched) {
        let as_of = fact.as_of;
        self.pledges
            .entry(fact.external_ref.clone())
            .and_modify(|seen| {
                seen.touched = touched;
                seen.as_of = seen.as_of.max(as_of);
            })
            .or_insert(PledgeSeen { as_of, touched });
    }

    fn insert(
        &mut self,
        entry: &EntryFact,
        donor_id: Option<i64>,
        pledge_id: Option<i64>,
        reverses: Option<i64>,
    ) -> Result<(), Failure> {
        let signed = match entry.kind {
            EntryKind::Donation | EntryKind::Correction => entry.amount,
            _ => entry.amount.negated(),
        };
        crate::ledger::log::record(
            self.conn,
            &db::ledger::NewEntry {
                kind: entry.kind.as_str().to_owned(),
                amount: signed.minor(),
                currency: signed.currency().code().to_owned(),
                donor_id,
                pledge_id,
                occurred_at: db::truncate_to_micros(entry.occurred_at),
                recorded_at: db::now(),
                source: self.source.as_str().to_owned(),
                external_ref: Some(entry.external_ref.clone()),
                reverses,
                category: entry.category.clone(),
                memo: entry.memo.clone(),
            },
        )?;
        self.report.created(entry.kind.as_str());
        self.report
            .money(signed.currency(), entry.kind.as_str(), signed.minor());
        Ok(())
    }

    /// A refund, checked as the ledger checks every refund: of a donation, in its currency,
    /// not dated before it, never more than what remains of it.
    fn refund(&mut self, line: u64, entry: &EntryFact) -> Result<(), Failure> {
        let source = self.source.as_str();
        if db::ledger::find_by_external_ref(self.conn, source, &entry.external_ref)?.is_some() {
            self.report.skipped(entry.kind.as_str());
            return Ok(());
        }
        let reverses = entry.reverses.as_deref().unwrap_or_default();
        let refuse = |rule: String| Failure::Row(RowError::new(line, None, rule));
        let original: Entry = db::ledger::find_by_external_ref(self.conn, source, reverses)?
            .ok_or_else(|| {
                refuse(format!(
                    "the refunded payment “{reverses}” is neither recorded nor in this file"
                ))
            })?
            .try_into()?;
        if original.kind != EntryKind::Donation {
            return Err(refuse(format!(
                "“{reverses}” is not a donation: only donations are refunded"
            )));
        }
        if original.amount.currency() != entry.amount.currency() {
            return Err(refuse(format!(
                "the refund is in {}, the payment “{reverses}” in {}",
                entry.amount.currency(),
                original.amount.currency()
            )));
        }
        if entry.occurred_at < original.occurred_at {
            return Err(refuse(format!(
                "a refund cannot be dated before the payment “{reverses}” it refunds"
            )));
        }
        let remaining = crate::ledger::entries::standing(self.conn, &original)?.remaining();
        if i128::from(entry.amount.minor()) > remaining {
            return Err(refuse(format!(
                "the refund {} is more than what remains of “{reverses}”",
                entry.amount
            )));
        }
        self.insert(
            entry,
            original.donor_id,
            original.pledge_id,
            Some(original.id),
        )
    }

    fn restore_entry(&mut self, line: u64, row: LedgerRow) -> Result<(), Failure> {
        let refuse =
            |column: &str, rule: String| Failure::Row(RowError::new(line, Some(column), rule));
        if db::ledger::find(self.conn, row.id)?.is_some() {
            self.report.skipped(&row.entry.kind);
            return Ok(());
        }
        if let Some(donor) = row.entry.donor_id {
            if db::donors::find(self.conn, donor)?.is_none() {
                return Err(refuse(
                    "donor_id",
                    format!("there is no donor {donor} (import donors.csv first)"),
                ));
            }
        }
        if let Some(pledge) = row.entry.pledge_id {
            if db::pledges::find(self.conn, pledge)?.is_none() {
                return Err(refuse(
                    "pledge_id",
                    format!("there is no pledge {pledge} (pledges are not in Coffer's exports)"),
                ));
            }
        }
        if let Some(original) = row.entry.reverses {
            if db::ledger::find(self.conn, original)?.is_none() {
                return Err(refuse(
                    "reverses",
                    format!("there is no entry {original} before this one"),
                ));
            }
        }
        if let Some(external_ref) = &row.entry.external_ref {
            if let Some(other) =
                db::ledger::find_by_external_ref(self.conn, &row.entry.source, external_ref)?
            {
                return Err(refuse(
                    "external_ref",
                    format!(
                        "entry {} already has this reference from {}",
                        other.id, row.entry.source
                    ),
                ));
            }
        }
        let currency = crate::domain::Currency::parse(&row.entry.currency)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let kind = row.entry.kind.clone();
        let minor = row.entry.amount;
        let id = row.id;
        db::imports::restore_entry(
            self.conn,
            &db::imports::RestoredEntry {
                id,
                entry: row.entry,
            },
        )?;
        let restored = db::ledger::find(self.conn, id)?
            .ok_or_else(|| AppError::Internal(format!("entry {id} vanished after insert")))?;
        crate::ledger::log::append(self.conn, &restored)?;
        self.restored = true;
        self.report.created(&kind);
        self.report.money(currency, &kind, minor);
        Ok(())
    }

    fn restore_donor(&mut self, line: u64, row: DonorRow) -> Result<(), Failure> {
        if db::donors::find(self.conn, row.id)?.is_some() {
            self.report.skipped("donor");
            return Ok(());
        }
        if let Some(tier) = row.pinned_tier_id {
            if db::tiers::find(self.conn, tier)?.is_none() {
                return Err(Failure::Row(RowError::new(
                    line,
                    Some("pinned_tier_id"),
                    format!("there is no tier {tier} (tiers are not in Coffer's exports)"),
                )));
            }
        }
        let created_at = row.donor.created_at;
        db::imports::restore_donor(
            self.conn,
            &db::imports::RestoredDonor {
                id: row.id,
                donor: row.donor,
            },
        )?;
        if row.pinned_tier_id.is_some() {
            let changes = db::donors::DonorChanges {
                pinned_tier_id: Some(row.pinned_tier_id),
                ..Default::default()
            };
            db::donors::update(self.conn, row.id, &changes)?;
        }
        if row.erased {
            db::donors::erase(self.conn, row.id, created_at)?;
        }
        self.restored = true;
        self.report.created("donor");
        Ok(())
    }
}
