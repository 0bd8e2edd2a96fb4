//! `coffer check`: is this database sound? One line per problem found.
//!
//! It asks the database for its own verdict (SQLite's `integrity_check`), looks for the
//! triggers that keep the ledger append-only, holds every reversed entry to the ledger's own
//! bound ([`crate::ledger::entries::Standing::violation`]), walks each year's receipt numbers
//! for gaps, and compares the wall that the running server publishes with one built now.

use std::net::SocketAddr;
use std::time::Duration;

use crate::config::Settings;
use crate::db::{self, maintenance, DbConn};
use crate::error::AppResult;
use crate::ledger::entries::Standing;

/// What `coffer check` found.
#[derive(Debug, Default)]
pub struct Report {
    /// One sentence per problem; none when the database is sound.
    pub problems: Vec<String>,
    /// What was looked at, for the closing line.
    pub notes: Vec<String>,
}

/// Runs every check on `conn` (a migrated database) and, when a server answers at
/// `settings.bind`, on what it publishes.
pub fn run(conn: &mut DbConn, settings: &Settings) -> AppResult<Report> {
    let mut report = Report::default();
    for line in maintenance::integrity_check(conn)? {
        if line != "ok" {
            report.problems.push(format!("integrity: {line}"));
        }
    }
    let present = maintenance::triggers(conn)?;
    for required in maintenance::required_triggers(conn) {
        if !present.iter().any(|p| p == required) {
            report.problems.push(format!(
                "append-only trigger {required} is missing: the ledger can be rewritten"
            ));
        }
    }
    let reversed = maintenance::reversed_entries(conn)?;
    for (id, amount, refunded, corrected) in &reversed {
        let standing = Standing {
            original: i128::from(*amount),
            refunded: i128::from(*refunded),
            corrected: i128::from(*corrected),
        };
        if let Some(why) = standing.violation() {
            report.problems.push(format!(
                "ledger entry {id}: {why} (amount {amount}, refunded {refunded}, corrected {corrected}, in minor units)"
            ));
        }
    }
    let years = maintenance::receipt_years(conn)?;
    for year in &years {
        let sequences = db::receipts::sequences_of_year(conn, *year)?;
        let mut expected = 1;
        for sequence in sequences {
            if sequence > expected {
                let missing = if sequence == expected + 1 {
                    format!("{year}-{expected:06} is missing")
                } else {
                    format!(
                        "{year}-{expected:06} to {year}-{:06} are missing",
                        sequence - 1
                    )
                };
                report.problems.push(format!(
                    "receipts of {year}: {missing}, the series has a gap"
                ));
            } else if sequence < expected {
                report.problems.push(format!(
                    "receipts of {year}: {year}-{sequence:06} is issued twice"
                ));
            }
            expected = sequence + 1;
        }
    }
    let contents = maintenance::contents(conn)?;
    report.notes.push(format!(
        "{} ledger entries ({} reversed), {} receipts over {} year(s)",
        contents.ledger_entries,
        reversed.len(),
        contents.receipts,
        years.len()
    ));
    match compare_wall(conn, settings)? {
        WallCheck::Same => report
            .notes
            .push("the published wall matches a fresh build".to_owned()),
        WallCheck::NoServer(address) => report.notes.push(format!(
            "the published wall was not compared: no server answers at {address}"
        )),
        WallCheck::Differs(what) => report.problems.push(format!(
            "the published {what} differs from a fresh build of the ledger"
        )),
    }
    Ok(report)
}

enum WallCheck {
    Same,
    NoServer(SocketAddr),
    Differs(&'static str),
}

/// Fetches the server's sponsors and summary and compares them with a build made now. A write
/// that lands between the two is folded into the server's next build within a second, so a
/// difference is read again a few times before it counts.
fn compare_wall(conn: &mut DbConn, settings: &Settings) -> AppResult<WallCheck> {
    use crate::web::views::{SponsorsView, SummaryView};
    let mut address: SocketAddr = match settings.bind.parse() {
        Ok(address) => address,
        Err(_) => {
            return Ok(WallCheck::Differs(
                "address (COFFER_BIND is not an address)",
            ))
        }
    };
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let mut last = WallCheck::Same;
    for attempt in 0..4 {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(700));
        }
        let Some(published_sponsors) = get_json(address, "/api/v1/sponsors") else {
            return Ok(WallCheck::NoServer(address));
        };
        let Some(published_summary) = get_json(address, "/api/v1/summary") else {
            return Ok(WallCheck::NoServer(address));
        };
        let wall = crate::ledger::wall::build(conn, settings.currency, db::now())?;
        let fresh_sponsors = serde_json::to_value(SponsorsView::new(&wall, &settings.public_url))
            .unwrap_or_default();
        let fresh_summary = serde_json::to_value(SummaryView::from(&wall)).unwrap_or_default();
        last = if fresh_sponsors != published_sponsors {
            WallCheck::Differs("sponsors (/api/v1/sponsors)")
        } else if fresh_summary != published_summary {
            WallCheck::Differs("summary (/api/v1/summary)")
        } else {
            return Ok(WallCheck::Same);
        };
    }
    Ok(last)
}

/// The server's own public JSON, read with the verifiers' plain HTTP GET.
fn get_json(address: SocketAddr, path: &str) -> Option<serde_json::Value> {
    let body = crate::verify::http_get(&format!("http://{address}{path}")).ok()?;
    serde_json::from_slice(&body).ok()
}
