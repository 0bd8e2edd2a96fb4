//! What the Merkle log adds to recording an entry: N donations through the write unit, each in
//! its own transaction, with the core of the write path alone (insert, read back, receipt) and
//! with the leaf appended too, on a fresh SQLite file; prints both and their ratio.
//! Run: `cargo bench --bench log_cost` (release) or `cargo test --bench log_cost` (debug).

use std::time::Instant;

use coffer::db::{self, DbConn};
use coffer::ledger::write::{Actor, Recorded, WriteUnit};

fn donation() -> db::ledger::NewEntry {
    db::ledger::NewEntry {
        kind: "donation".to_owned(),
        amount: 5000,
        currency: "EUR".to_owned(),
        donor_id: None,
        pledge_id: None,
        occurred_at: db::now(),
        recorded_at: db::now(),
        source: "bank".to_owned(),
        external_ref: None,
        reverses: None,
        category: None,
        memo: String::new(),
    }
}

fn run(conn: &mut DbConn, n: usize, with_leaf: bool) -> f64 {
    let writes = WriteUnit::default();
    let started = Instant::now();
    for _ in 0..n {
        writes
            .apply(
                conn,
                Actor::System("bench"),
                "bench.donation",
                None,
                |conn| {
                    // Today's write path before the log (insert, read back), against the
                    // one way entries are written now (insert returning the row, and the leaf).
                    let row = if with_leaf {
                        coffer::ledger::log::record(conn, &donation())?
                    } else {
                        let id = db::ledger::insert(conn, &donation())?;
                        db::ledger::find(conn, id)?.expect("the row")
                    };
                    let id = row.id;
                    let entry: coffer::ledger::Entry = row.try_into()?;
                    coffer::ledger::receipts::issue(conn, &entry)?;
                    Ok(Recorded {
                        status: 201,
                        body: serde_json::json!({"id": id}),
                        subject: format!("entry:{id}"),
                        detail: None,
                    })
                },
            )
            .expect("write");
    }
    started.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let dir = std::env::temp_dir().join(format!("coffer-log-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url =
        db::DatabaseUrl::parse(&format!("sqlite://{}/bench.sqlite3", dir.display())).expect("url");
    let mut conn = db::connect(&url).expect("connect");
    db::run_migrations(&mut conn).expect("migrate");
    // Warm up, then alternate rounds so that a busy machine skews both alike.
    run(&mut conn, n / 10, true);
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        without.push(run(&mut conn, n, false));
        with.push(run(&mut conn, n, true));
    }
    without.sort_by(f64::total_cmp);
    with.sort_by(f64::total_cmp);
    let (a, b) = (without[1], with[1]);
    println!("{n} donations a round, median of 3: {a:.0} µs each without the leaf, {b:.0} µs with it: ratio {:.2}", b / a);
    let _ = std::fs::remove_dir_all(&dir);
}
