//! Annual statements: each donor with receipts in a year gets one message listing them (and the
//! credit notes), with the net total per currency. A statement is queued once per donor and
//! year (the outbox's `dedupe_key`), so running the command twice sends nothing new.

use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::ledger::receipts::Receipt;

use super::render::{self, Instance};

/// What `coffer receipts annual` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnnualRun {
    /// Statements queued now.
    pub queued: usize,
    /// Donors whose statement for the year was already queued before.
    pub already_sent: usize,
    /// Donors with receipts but no email address (or erased).
    pub without_email: usize,
}

/// The key that makes a donor's statement for a year unique in the outbox.
fn dedupe_key(year: i32, donor_id: i64) -> String {
    format!("statement:{year}:donor:{donor_id}")
}

/// Queues the statements of `year`, one transaction per donor.
pub fn queue_annual(conn: &mut DbConn, instance: &Instance, year: i32) -> AppResult<AnnualRun> {
    let instance = &instance.current(conn)?;
    let mut run = AnnualRun::default();
    for donor_id in db::receipts::donors_of_year(conn, year)? {
        let key = dedupe_key(year, donor_id);
        let queued = db::write_transaction(conn, |conn| -> AppResult<Option<bool>> {
            if db::outbox::has_dedupe_key(conn, &key)? {
                return Ok(Some(false));
            }
            let donor = crate::ledger::donors::find(conn, donor_id)?;
            let Some(email) = donor.email.clone().filter(|_| !donor.erased) else {
                return Ok(None);
            };
            let documents = db::receipts::for_donor_and_year(conn, donor_id, year)?
                .into_iter()
                .map(Receipt::try_from)
                .map(|r| r.map(|r| r.snapshot))
                .collect::<AppResult<Vec<_>>>()?;
            let lang = Lang::from_locale(donor.locale.as_deref());
            let name = donor
                .legal_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| donor.public_name.clone());
            let mail = render::statement(instance, lang, year, &name, &documents)?;
            let now = db::now();
            db::outbox::insert(
                conn,
                &db::outbox::NewMessage {
                    kind: "statement",
                    receipt_number: None,
                    dedupe_key: Some(&key),
                    recipient: &email,
                    subject: Some(&mail.subject),
                    body_text: Some(&mail.text),
                    body_html: Some(&mail.html),
                    status: "queued",
                    attempts: 0,
                    next_attempt_at: now,
                    created_at: now,
                },
            )?;
            Ok(Some(true))
        })?;
        match queued {
            Some(true) => run.queued += 1,
            Some(false) => run.already_sent += 1,
            None => run.without_email += 1,
        }
    }
    Ok(run)
}
