//! Properties of the ledger services against a real database: whatever sequence of refunds and
//! corrections a treasurer tries, a donation never goes below zero or above what was given, a
//! refused attempt writes nothing, and the wall's view of the gift agrees with the ledger.

use coffer::db::{self, DbConn};
use coffer::domain::{Currency, Money, Source, TypedAmount};
use coffer::ledger::{donors, entries};
use proptest::prelude::*;

use crate::helpers::{test_settings, Backend, TestDb};

#[derive(Debug, Clone)]
enum Attempt {
    /// Refund this many cents, or everything that remains.
    Refund(Option<i64>),
    /// Correct the donation by this many cents (signed), or reverse what remains.
    Correct(Option<i64>),
}

fn attempt() -> impl Strategy<Value = Attempt> {
    prop_oneof![
        prop::option::of(1i64..15_000).prop_map(Attempt::Refund),
        prop::option::of(-15_000i64..15_000)
            .prop_filter("a correction changes something", |c| *c != Some(0))
            .prop_map(Attempt::Correct),
    ]
}

fn typed(cents: i64) -> TypedAmount {
    let text = format!(
        "{}{}.{:02}",
        if cents < 0 { "-" } else { "" },
        cents.abs() / 100,
        cents.abs() % 100
    );
    TypedAmount::parse_signed(&text).expect("typed amount")
}

fn check(conn: &mut DbConn, donated: i64, attempts: &[Attempt]) -> Result<(), TestCaseError> {
    let donor = donors::create(
        conn,
        donors::DonorDraft {
            public_name: "Prop".into(),
            legal_name: None,
            email: None,
            website: None,
            fediverse_handle: None,
            logo_path: None,
            anonymous: false,
            consent: Default::default(),
            locale: None,
        },
    )
    .expect("donor");
    let donation = entries::record_donation(
        conn,
        entries::DonationDraft {
            donor_id: Some(donor.id),
            pledge_id: None,
            amount: Money::from_minor(donated, Currency::EUR).expect("money"),
            occurred_at: None,
            source: Source::Manual,
            external_ref: None,
            memo: String::new(),
        },
    )
    .expect("donation");
    let mut expected = donated;
    // What corrections took (≤ 0): a correction may only give back what corrections took, so
    // it can never reopen a refunded amount.
    let mut corrected = 0i64;
    let mut refunded = 0i64;
    for attempt in attempts {
        let rows_before = db::ledger::count(conn).expect("count");
        let result = db::write_transaction(conn, |conn| match attempt {
            Attempt::Refund(cents) => entries::record_refund(
                conn,
                entries::RefundDraft {
                    entry_id: donation.id,
                    amount: cents.map(typed),
                    occurred_at: None,
                    source: None,
                    external_ref: None,
                    memo: String::new(),
                },
            ),
            Attempt::Correct(cents) => entries::record_correction(
                conn,
                entries::CorrectionDraft {
                    entry_id: donation.id,
                    amount: cents.map(typed),
                    memo: "fix".into(),
                },
            ),
        });
        let change = match attempt {
            Attempt::Refund(Some(c)) => -c,
            Attempt::Refund(None) => -expected,
            Attempt::Correct(Some(c)) => *c,
            Attempt::Correct(None) => -expected,
        };
        let is_correction = matches!(attempt, Attempt::Correct(_));
        let allowed = change != 0
            && expected + change >= 0
            && expected + change <= donated
            && (!is_correction || corrected + change <= 0);
        let rows_after = db::ledger::count(conn).expect("count");
        match result {
            Ok(entry) => {
                prop_assert!(
                    allowed,
                    "{attempt:?} was accepted with {expected} remaining"
                );
                prop_assert_eq!(entry.amount.minor(), change);
                prop_assert_eq!(rows_after, rows_before + 1);
                expected += change;
                if is_correction {
                    corrected += change;
                } else {
                    refunded -= change;
                }
                prop_assert!(refunded <= donated, "refunded {refunded} of {donated}");
            }
            Err(_) => {
                prop_assert!(
                    !allowed,
                    "{attempt:?} was refused with {expected} remaining"
                );
                prop_assert_eq!(rows_after, rows_before, "a refused attempt wrote a row");
            }
        }
        let remaining = entries::remaining(conn, &donation).expect("remaining");
        prop_assert_eq!(remaining.minor(), expected);
    }
    let gifts = db::ledger::gift_totals(
        conn,
        donation.amount.currency().code(),
        db::now() - chrono::Duration::days(1),
        db::now() + chrono::Duration::days(1),
        Some(donor.id),
    )
    .expect("gifts");
    prop_assert_eq!(gifts.len(), 1);
    prop_assert_eq!(gifts[0].net, expected);
    Ok(())
}

fn refunds_and_corrections_keep_a_donation_within_bounds(backend: Backend, cases: u32) {
    let Some((_db, url)) = TestDb::create(backend) else {
        return;
    };
    let pool = coffer::startup::prepare_database(&test_settings(&url)).expect("database");
    // The runner takes an `Fn`; the one connection is lent to each case in turn.
    let conn = std::cell::RefCell::new(pool.get().expect("connection"));
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let cases = (1i64..20_000, prop::collection::vec(attempt(), 1..8));
    let outcome = runner.run(&cases, |(donated, attempts)| {
        check(&mut conn.borrow_mut(), donated, &attempts)
    });
    if let Err(err) = outcome {
        panic!("{err}");
    }
}

#[test]
fn refunds_and_corrections_keep_a_donation_within_bounds_on_sqlite() {
    refunds_and_corrections_keep_a_donation_within_bounds(Backend::Sqlite, 64);
}

#[test]
fn refunds_and_corrections_keep_a_donation_within_bounds_on_postgres() {
    refunds_and_corrections_keep_a_donation_within_bounds(Backend::Postgres, 32);
}
