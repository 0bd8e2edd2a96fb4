//! The outbox: mail written in the same transaction as the fact that causes it, then claimed,
//! sent and marked by the mail worker. Rows are never deleted.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::schema::outbox;
use super::DbConn;

/// A message waiting, sent or failing.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub receipt_number: Option<String>,
    pub dedupe_key: Option<String>,
    pub recipient: String,
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    pub message_id: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub lease_owner: Option<String>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A message to queue. Receipts leave the subject and bodies empty: the worker renders them
/// from the receipt's snapshot.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewMessage<'a> {
    pub kind: &'a str,
    pub receipt_number: Option<&'a str>,
    pub dedupe_key: Option<&'a str>,
    pub recipient: &'a str,
    pub subject: Option<&'a str>,
    pub body_text: Option<&'a str>,
    pub body_html: Option<&'a str>,
    pub status: &'a str,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewMessage<'_>) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// True when a message with this key was ever queued (annual statements are sent once).
pub fn has_dedupe_key(conn: &mut DbConn, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        outbox::table.filter(outbox::dedupe_key.eq(key)),
    ))
    .get_result(conn)
}

/// Claims the oldest due message for `owner` until `lease_until`, or nothing. Queued and failed
/// messages are both due when their time comes: a failing message is flagged, never dropped. A
/// message whose lease ran out (its sender died mid-send) is due again.
///
/// PostgreSQL: `FOR UPDATE SKIP LOCKED` lets several processes claim side by side without waiting
/// for or taking each other's rows. SQLite: one UPDATE in `BEGIN IMMEDIATE` (the caller's write
/// transaction) is already exclusive.
pub fn claim(
    conn: &mut DbConn,
    owner: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Option<OutboxRow>> {
    let lock = match conn {
        DbConn::Sqlite(_) => "",
        DbConn::Postgres(_) => "FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM outbox \
             WHERE status <> 'sent' AND next_attempt_at <= $3 \
             AND (lease_until IS NULL OR lease_until <= $3) \
             ORDER BY next_attempt_at, id LIMIT 1 {lock}) \
         RETURNING *"
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .get_result::<OutboxRow>(conn)
        .optional()
}

/// Gives back the leases `owner` holds on unsent messages, so that a stopping worker's
/// messages are due again at once (for the next process) rather than when the lease runs out.
pub fn release_leases(conn: &mut DbConn, owner: &str) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::lease_owner.eq(owner))
            .filter(outbox::status.ne("sent")),
    )
    .set((
        outbox::lease_owner.eq(None::<String>),
        outbox::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// What was sent, recorded when it went out.
#[derive(Debug, Clone)]
pub struct Sent<'a> {
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub message_id: &'a str,
    pub sent_at: NaiveDateTime,
}

/// Marks a message sent; only its lease holder may. Returns false when the lease was lost.
pub fn mark_sent(conn: &mut DbConn, id: i64, owner: &str, sent: &Sent<'_>) -> QueryResult<bool> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::lease_owner.eq(owner)),
    )
    .set((
        outbox::status.eq("sent"),
        outbox::subject.eq(sent.subject),
        outbox::body_text.eq(sent.body_text),
        outbox::body_html.eq(sent.body_html),
        outbox::message_id.eq(sent.message_id),
        outbox::sent_at.eq(sent.sent_at),
        outbox::lease_until.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Records a failed attempt: try again at `next_attempt_at`. With `flag`, the message is marked
/// `failed` (it is still retried); a flagged message stays flagged until it is sent.
pub fn mark_failed(
    conn: &mut DbConn,
    id: i64,
    owner: &str,
    error: &str,
    next_attempt_at: NaiveDateTime,
    flag: bool,
) -> QueryResult<bool> {
    let target = outbox::table
        .filter(outbox::id.eq(id))
        .filter(outbox::lease_owner.eq(owner));
    let changes = (
        outbox::last_error.eq(error),
        outbox::next_attempt_at.eq(next_attempt_at),
        outbox::lease_until.eq(None::<NaiveDateTime>),
    );
    let updated = if flag {
        diesel::update(target)
            .set((outbox::status.eq("failed"), changes))
            .execute(conn)?
    } else {
        diesel::update(target).set(changes).execute(conn)?
    };
    Ok(updated == 1)
}

/// How many messages are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub queued: i64,
    pub failed: i64,
    pub sent: i64,
}

pub fn counts(conn: &mut DbConn) -> QueryResult<Counts> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM outbox GROUP BY status",
    )
    .load(conn)?;
    let mut counts = Counts::default();
    for row in rows {
        match row.status.as_str() {
            "queued" => counts.queued = row.n,
            "failed" => counts.failed = row.n,
            "sent" => counts.sent = row.n,
            _ => {}
        }
    }
    Ok(counts)
}

/// Queued and failed messages, read through the `(status, next_attempt_at)` index.
pub fn depth(conn: &mut DbConn) -> QueryResult<(i64, i64)> {
    let count = |conn: &mut DbConn, status: &str| -> QueryResult<i64> {
        outbox::table
            .filter(outbox::status.eq(status))
            .count()
            .get_result(conn)
    };
    Ok((count(conn, "queued")?, count(conn, "failed")?))
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<OutboxRow>> {
    outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()
}

/// The messages of a receipt, oldest first.
pub fn for_receipt(conn: &mut DbConn, number: &str) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::receipt_number.eq(number))
        .order(outbox::id)
        .select(OutboxRow::as_select())
        .load(conn)
}
