//! Payments bookkeeping: processed external events, donation intents from `/donate`, and what
//! Stripe reported (which payment paid which entry, refunds, subscription states).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    donation_intents, processed_events, stripe_payments, stripe_refunds, stripe_subscriptions,
};
use super::DbConn;
use crate::on_backend;

/// True when this event was already applied.
pub fn is_processed(conn: &mut DbConn, source: &str, event_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        processed_events::table
            .filter(processed_events::source.eq(source))
            .filter(processed_events::event_id.eq(event_id)),
    ))
    .get_result(conn)
}

/// Records an applied event; the primary key refuses a second one.
pub fn mark_processed(
    conn: &mut DbConn,
    source: &str,
    event_id: &str,
    event_type: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(processed_events::table)
        .values((
            processed_events::source.eq(source),
            processed_events::event_id.eq(event_id),
            processed_events::event_type.eq(event_type),
            processed_events::processed_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A donation intent as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = donation_intents)]
pub struct IntentRow {
    pub id: i64,
    pub reference: String,
    pub channel: String,
    pub status: String,
    pub email: String,
    pub public_name: String,
    pub website: Option<String>,
    pub fediverse_handle: Option<String>,
    pub consent_name: bool,
    pub consent_link: bool,
    pub consent_handle: bool,
    pub consent_logo: bool,
    pub anonymous: bool,
    pub locale: Option<String>,
    pub tier_id: Option<i64>,
    pub amount: i64,
    pub currency: String,
    pub frequency: String,
    pub checkout_session_id: Option<String>,
    pub donor_id: Option<i64>,
    pub pledge_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

/// The fields of a new donation intent.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = donation_intents)]
pub struct NewIntent {
    pub reference: String,
    pub channel: String,
    pub status: String,
    pub email: String,
    pub public_name: String,
    pub website: Option<String>,
    pub fediverse_handle: Option<String>,
    pub consent_name: bool,
    pub consent_link: bool,
    pub consent_handle: bool,
    pub consent_logo: bool,
    pub anonymous: bool,
    pub locale: Option<String>,
    pub tier_id: Option<i64>,
    pub amount: i64,
    pub currency: String,
    pub frequency: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_intent(conn: &mut DbConn, new: &NewIntent) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(donation_intents::table)
        .values(new)
        .returning(donation_intents::id)
        .get_result(c))
}

pub fn find_intent(conn: &mut DbConn, id: i64) -> QueryResult<Option<IntentRow>> {
    donation_intents::table
        .find(id)
        .select(IntentRow::as_select())
        .first(conn)
        .optional()
}

/// The intent with this reference, locked until the transaction ends: the events of one
/// checkout (its completion, its first invoice, its subscription) may arrive at once, and only
/// one of them may create the donor and the pledge (PostgreSQL's READ COMMITTED; SQLite's
/// `BEGIN IMMEDIATE` already serialises writers).
pub fn find_intent_for_update(
    conn: &mut DbConn,
    reference: &str,
) -> QueryResult<Option<IntentRow>> {
    match conn {
        DbConn::Sqlite(c) => donation_intents::table
            .filter(donation_intents::reference.eq(reference))
            .select(IntentRow::as_select())
            .first(c)
            .optional(),
        DbConn::Postgres(c) => donation_intents::table
            .filter(donation_intents::reference.eq(reference))
            .select(IntentRow::as_select())
            .for_update()
            .first(c)
            .optional(),
    }
}

/// Intents of one channel and status, newest first.
pub fn list_intents(
    conn: &mut DbConn,
    channel: &str,
    status: &str,
    limit: i64,
) -> QueryResult<Vec<IntentRow>> {
    donation_intents::table
        .filter(donation_intents::channel.eq(channel))
        .filter(donation_intents::status.eq(status))
        .select(IntentRow::as_select())
        .order(donation_intents::id.desc())
        .limit(limit)
        .load(conn)
}

pub fn set_checkout_session(conn: &mut DbConn, id: i64, session_id: &str) -> QueryResult<usize> {
    diesel::update(donation_intents::table.find(id))
        .set(donation_intents::checkout_session_id.eq(session_id))
        .execute(conn)
}

/// Ties an intent to the donor (and pledge) it became, and moves it to `status`.
pub fn complete_intent(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    donor_id: Option<i64>,
    pledge_id: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(donation_intents::table.find(id))
        .set((
            donation_intents::status.eq(status),
            donation_intents::donor_id.eq(donor_id),
            donation_intents::pledge_id.eq(pledge_id),
            donation_intents::completed_at.eq(Some(at)),
        ))
        .execute(conn)
}

pub fn set_intent_status(conn: &mut DbConn, id: i64, status: &str) -> QueryResult<usize> {
    diesel::update(donation_intents::table.find(id))
        .set(donation_intents::status.eq(status))
        .execute(conn)
}

/// The donation entry a Stripe payment intent paid.
pub fn payment_entry(conn: &mut DbConn, payment_intent: &str) -> QueryResult<Option<i64>> {
    stripe_payments::table
        .find(payment_intent)
        .select(stripe_payments::entry_id)
        .first(conn)
        .optional()
}

pub fn insert_payment(conn: &mut DbConn, payment_intent: &str, entry_id: i64) -> QueryResult<()> {
    diesel::insert_into(stripe_payments::table)
        .values((
            stripe_payments::payment_intent.eq(payment_intent),
            stripe_payments::entry_id.eq(entry_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A refund as Stripe reported it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stripe_refunds)]
pub struct RefundRow {
    pub refund_id: String,
    pub payment_intent: String,
    pub amount: i64,
    pub currency: String,
    pub occurred_at: NaiveDateTime,
    pub entry_id: Option<i64>,
    /// When Stripe said the money came back (a failed refund, reinstated dispute funds).
    pub failed_at: Option<NaiveDateTime>,
    /// The entry that reversed the written refund, once it is written.
    pub reversal_entry_id: Option<i64>,
}

pub fn find_refund(conn: &mut DbConn, refund_id: &str) -> QueryResult<Option<RefundRow>> {
    stripe_refunds::table
        .find(refund_id)
        .select(RefundRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_refund(conn: &mut DbConn, row: &RefundRow) -> QueryResult<()> {
    diesel::insert_into(stripe_refunds::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The refunds of a payment not yet (fully) written to the ledger, oldest first: not written,
/// or whose money came back and is not yet given back.
pub fn unrecorded_refunds(conn: &mut DbConn, payment_intent: &str) -> QueryResult<Vec<RefundRow>> {
    stripe_refunds::table
        .filter(stripe_refunds::payment_intent.eq(payment_intent))
        .filter(
            stripe_refunds::entry_id
                .is_null()
                .or(stripe_refunds::failed_at
                    .is_not_null()
                    .and(stripe_refunds::reversal_entry_id.is_null())),
        )
        .select(RefundRow::as_select())
        .order((
            stripe_refunds::occurred_at.asc(),
            stripe_refunds::refund_id.asc(),
        ))
        .load(conn)
}

pub fn set_refund_entry(conn: &mut DbConn, refund_id: &str, entry_id: i64) -> QueryResult<usize> {
    diesel::update(stripe_refunds::table.find(refund_id))
        .set(stripe_refunds::entry_id.eq(Some(entry_id)))
        .execute(conn)
}

/// Stripe gave a refund's money back (the refund failed, or a dispute was won).
pub fn mark_refund_failed(
    conn: &mut DbConn,
    refund_id: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(stripe_refunds::table.find(refund_id))
        .filter(stripe_refunds::failed_at.is_null())
        .set(stripe_refunds::failed_at.eq(Some(at)))
        .execute(conn)
}

pub fn set_refund_reversal(
    conn: &mut DbConn,
    refund_id: &str,
    entry_id: i64,
) -> QueryResult<usize> {
    diesel::update(stripe_refunds::table.find(refund_id))
        .set(stripe_refunds::reversal_entry_id.eq(Some(entry_id)))
        .execute(conn)
}

/// The newest state Stripe reported for a subscription.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = stripe_subscriptions)]
#[diesel(treat_none_as_null = true)]
pub struct SubscriptionRow {
    pub subscription_id: String,
    pub status: String,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub interval: Option<String>,
    pub status_at: i64,
}

pub fn find_subscription(
    conn: &mut DbConn,
    subscription_id: &str,
) -> QueryResult<Option<SubscriptionRow>> {
    stripe_subscriptions::table
        .find(subscription_id)
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()
}

/// Stores the subscription's state, replacing an older one.
pub fn save_subscription(conn: &mut DbConn, row: &SubscriptionRow) -> QueryResult<()> {
    let updated = diesel::update(stripe_subscriptions::table.find(&row.subscription_id))
        .set(row)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(stripe_subscriptions::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}
