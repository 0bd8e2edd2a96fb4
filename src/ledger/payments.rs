//! Payments from the donation page: the donor's choices before they pay (donation intents),
//! and the exactly-once application of a payment provider's events to the ledger.
//!
//! Every event is applied in one transaction through the write unit, with its id recorded in
//! `processed_events`: a replay changes nothing. Events may come in any order and the state
//! converges all the same:
//! - the donor and the pledge are made by whichever event of a checkout comes first (its
//!   completion, an invoice, the subscription), from the intent the event names, which is
//!   locked while that happens;
//! - a subscription's newest reported state wins (by the event's own time), and a cancelled
//!   pledge stays cancelled;
//! - a refund that arrives before its donation is kept and written when the donation is.
//!
//! Nothing here knows Stripe's wire format: `payments::stripe` reads its events into these
//! facts.

use chrono::NaiveDateTime;

use crate::db::{self, payments::IntentRow, DbConn};
use crate::domain::{Consent, Currency, Email, FediverseHandle, Interval, Money, PledgeStatus};
use crate::domain::{Source, TypedAmount, WebUrl};
use crate::error::{AppError, AppResult};
use crate::ledger::write::{Actor, Recorded, WriteUnit};

/// The `processed_events` source of Stripe's events.
pub const STRIPE: &str = "stripe";

/// How often a donor gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Once,
    Every(Interval),
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Once => "once",
            Self::Every(interval) => interval.as_str(),
        }
    }

    pub fn parse(value: &str) -> AppResult<Self> {
        match value.trim() {
            "once" => Ok(Self::Once),
            other => Interval::parse(other)
                .map(Self::Every)
                .map_err(|_| AppError::invalid("frequency", "must be once, month or year")),
        }
    }
}

/// What a visitor chose on the donation page, checked.
#[derive(Debug, Clone)]
pub struct IntentDraft {
    /// `stripe` or `bank`.
    pub channel: Source,
    pub email: Email,
    pub public_name: String,
    pub website: Option<WebUrl>,
    pub fediverse_handle: Option<FediverseHandle>,
    pub consent: Consent,
    pub anonymous: bool,
    pub locale: Option<String>,
    pub tier_id: Option<i64>,
    pub amount: Money,
    pub frequency: Frequency,
}

/// A recorded donation intent.
#[derive(Debug, Clone)]
pub struct Intent {
    pub id: i64,
    /// Random, unguessable; what Stripe's metadata and a bank transfer's memo carry.
    pub reference: String,
    pub channel: String,
    pub status: String,
    pub email: String,
    pub public_name: String,
    pub amount: Money,
    pub frequency: Frequency,
    pub tier_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl TryFrom<IntentRow> for Intent {
    type Error = AppError;
    fn try_from(row: IntentRow) -> AppResult<Self> {
        Ok(Self {
            amount: super::stored_money(row.amount, &row.currency)?,
            frequency: Frequency::parse(&row.frequency)
                .map_err(|e| AppError::Internal(format!("stored intent: {e}")))?,
            id: row.id,
            reference: row.reference,
            channel: row.channel,
            status: row.status,
            email: row.email,
            public_name: row.public_name,
            tier_id: row.tier_id,
            created_at: row.created_at,
        })
    }
}

/// Records what a visitor chose, before they pay (or, for a bank transfer, the pending pledge
/// the treasurer confirms once the money is in).
pub fn create_intent(conn: &mut DbConn, draft: IntentDraft) -> AppResult<Intent> {
    if let Some(tier_id) = draft.tier_id {
        super::tiers::find(conn, tier_id).map_err(|e| e.missing_reference("tier"))?;
    }
    let reference = new_reference();
    let id = db::payments::insert_intent(
        conn,
        &db::payments::NewIntent {
            reference,
            channel: draft.channel.as_str().to_owned(),
            status: "open".to_owned(),
            email: draft.email.as_str().to_owned(),
            public_name: draft.public_name,
            website: draft.website.map(|w| w.as_str().to_owned()),
            fediverse_handle: draft.fediverse_handle.map(|h| h.as_str().to_owned()),
            consent_name: draft.consent.name,
            consent_link: draft.consent.link,
            consent_handle: draft.consent.handle,
            consent_logo: draft.consent.logo,
            anonymous: draft.anonymous,
            locale: draft.locale,
            tier_id: draft.tier_id,
            amount: draft.amount.minor(),
            currency: draft.amount.currency().code().to_owned(),
            frequency: draft.frequency.as_str().to_owned(),
            created_at: db::now(),
        },
    )?;
    find_intent(conn, id)
}

pub fn find_intent(conn: &mut DbConn, id: i64) -> AppResult<Intent> {
    db::payments::find_intent(conn, id)?
        .ok_or_else(|| AppError::not_found("donation intent", id))?
        .try_into()
}

/// Remembers which Checkout Session an intent went to.
pub fn set_checkout_session(conn: &mut DbConn, id: i64, session_id: &str) -> AppResult<()> {
    db::payments::set_checkout_session(conn, id, session_id)?;
    Ok(())
}

/// Bank transfers promised on the donation page and not yet confirmed, newest first.
pub fn pending_bank_pledges(conn: &mut DbConn, limit: i64) -> AppResult<Vec<Intent>> {
    db::payments::list_intents(conn, Source::Bank.as_str(), "open", limit)?
        .into_iter()
        .map(Intent::try_from)
        .collect()
}

/// What confirming a bank pledge made.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub donor_id: i64,
    /// The pledge, for a monthly or yearly transfer.
    pub pledge_id: Option<i64>,
    /// The first transfer, recorded as a donation.
    pub entry_id: i64,
}

/// The treasurer saw a promised bank transfer arrive: the donor is made (or matched by email),
/// a recurring promise becomes an active bank pledge, and the transfer is recorded as a
/// donation keyed by the intent's reference (so it is recorded once).
pub fn confirm_bank_pledge(conn: &mut DbConn, id: i64) -> AppResult<Confirmed> {
    let intent = open_bank_intent(conn, id)?;
    let donor_id = ensure_donor(conn, &intent)?;
    let amount = super::stored_money(intent.amount, &intent.currency)?;
    let pledge_id = match Frequency::parse(&intent.frequency)? {
        Frequency::Once => None,
        Frequency::Every(interval) => Some(
            super::pledges::create(
                conn,
                super::pledges::PledgeDraft {
                    donor_id,
                    tier_id: intent.tier_id,
                    amount,
                    interval,
                    source: Source::Bank,
                    external_ref: Some(intent.reference.clone()),
                    started_at: None,
                },
            )?
            .id,
        ),
    };
    let entry = super::entries::record_donation(
        conn,
        super::entries::DonationDraft {
            donor_id: Some(donor_id),
            pledge_id,
            amount,
            occurred_at: None,
            source: Source::Bank,
            external_ref: Some(intent.reference.clone()),
            memo: "bank transfer promised on the donation page".to_owned(),
        },
    )?;
    db::payments::complete_intent(
        conn,
        intent.id,
        "confirmed",
        Some(donor_id),
        pledge_id,
        db::now(),
    )?;
    Ok(Confirmed {
        donor_id,
        pledge_id,
        entry_id: entry.id,
    })
}

/// The treasurer saw no transfer come: the promise is closed, nothing is recorded.
pub fn dismiss_bank_pledge(conn: &mut DbConn, id: i64) -> AppResult<()> {
    let intent = open_bank_intent(conn, id)?;
    db::payments::set_intent_status(conn, intent.id, "dismissed")?;
    Ok(())
}

/// A bank pledge still waiting, locked (two treasurers may click at once).
fn open_bank_intent(conn: &mut DbConn, id: i64) -> AppResult<IntentRow> {
    let reference = db::payments::find_intent(conn, id)?
        .ok_or_else(|| AppError::not_found("pending pledge", id))?
        .reference;
    let intent = db::payments::find_intent_for_update(conn, &reference)?
        .ok_or_else(|| AppError::not_found("pending pledge", id))?;
    if intent.channel != Source::Bank.as_str() {
        return Err(AppError::not_found("pending pledge", id));
    }
    if intent.status != "open" {
        return Err(AppError::Conflict(format!(
            "pending pledge {id} is already {}",
            intent.status
        )));
    }
    Ok(intent)
}

/// A random reference: 128 bits, hex.
fn new_reference() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("di_{}", hex::encode(bytes))
}

/// A payment provider's event, verified and read.
#[derive(Debug, Clone)]
pub struct ExternalEvent {
    /// `stripe`.
    pub source: &'static str,
    pub id: String,
    /// The provider's name for it, e.g. `invoice.paid`.
    pub kind: String,
    /// When the provider says it happened (Unix seconds): newer states win over older ones.
    pub created: i64,
    pub fact: PaymentFact,
}

/// A payment fee, from the provider's balance transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    /// The balance transaction's id, the fee entry's reference.
    pub reference: String,
    /// Positive minor units.
    pub amount: i64,
    pub currency: String,
}

/// How a payment was made: what refunds name, and what it cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentDetails {
    pub payment_intent: String,
    pub fee: Option<Fee>,
}

/// A refund as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundFact {
    pub refund_id: String,
    pub payment_intent: String,
    pub amount: i64,
    pub currency: String,
    /// Unix seconds.
    pub created: i64,
}

/// Who paid, when no donation intent says: the provider's customer. A donor made from it has
/// no display consent (counted, never named) until they give it through their self-service link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    pub email: String,
    pub name: Option<String>,
    pub locale: Option<String>,
}

/// The terms of a subscription no intent made: what its pledge is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionOrigin {
    pub payer: Payer,
    /// Minor units per interval (the monthly or yearly equivalent of the provider's terms).
    pub amount: i64,
    pub currency: String,
    pub interval: Interval,
    /// When the subscription started at the provider (Unix seconds).
    pub started_at: i64,
}

/// Money a dispute took or gave back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeFact {
    /// Kept as a refund whose id is the dispute's.
    pub funds: RefundFact,
    /// The dispute fee, from the withdrawal's balance transaction.
    pub fee: Option<Fee>,
}

/// A refund (or a dispute's withdrawal) whose money came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenBack {
    pub refund: RefundFact,
    /// When it came back (Unix seconds).
    pub at: i64,
}

/// What an event means for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentFact {
    /// A one-time gift was paid.
    GiftPaid {
        /// `None` for a payment Coffer's donation page did not start (a Payment Link, the
        /// Dashboard, an older integration): the payer is the donor then.
        intent: Option<String>,
        payer: Option<Payer>,
        payment: PaymentDetails,
        amount: i64,
        currency: String,
    },
    /// A recurring pledge was set up (its payments come as invoices).
    SubscriptionStarted {
        intent: String,
        subscription: String,
    },
    /// A checkout's payment failed: the intent is closed, nothing is recorded.
    CheckoutFailed { intent: String },
    /// One payment of a recurring pledge.
    InvoicePaid {
        intent: Option<String>,
        subscription: String,
        invoice: String,
        amount: i64,
        currency: String,
        /// Unix seconds.
        paid_at: i64,
        payment: Option<PaymentDetails>,
        /// Without an intent: the subscription, to make its pledge from.
        origin: Option<SubscriptionOrigin>,
    },
    /// Where a subscription stands now: its status and terms.
    SubscriptionState {
        intent: Option<String>,
        subscription: String,
        /// `None` for a state Coffer does not track (e.g. `incomplete`).
        status: Option<PledgeStatus>,
        /// Minor units per interval.
        amount: Option<i64>,
        currency: Option<String>,
        interval: Option<Interval>,
        /// When it started at the provider (Unix seconds).
        started_at: Option<i64>,
        /// Without an intent: what its pledge is made from.
        origin: Option<SubscriptionOrigin>,
    },
    /// Money given back.
    Refunds(Vec<RefundFact>),
    /// A refund that failed: its money came back.
    RefundFailed(GivenBack),
    /// A dispute took the payment's funds (and a fee).
    DisputeWithdrawn(DisputeFact),
    /// A dispute was won: its funds came back.
    DisputeReinstated(GivenBack),
    /// Nothing Coffer records.
    Ignored,
}

/// What became of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    Applied,
    /// Seen before: nothing changed.
    Duplicate,
    /// Not Coffer's business (an unknown type, or an object Coffer did not create).
    Ignored,
}

/// True when the event was already applied; a cheap look before fetching what it lacks.
pub fn is_processed(conn: &mut DbConn, source: &str, event_id: &str) -> AppResult<bool> {
    Ok(db::payments::is_processed(conn, source, event_id)?)
}

const DUPLICATE: &str = "this event was already applied";

/// Applies an event once, in one transaction through the write unit, with its id recorded.
pub fn apply_event(
    conn: &mut DbConn,
    writes: &WriteUnit,
    event: &ExternalEvent,
) -> AppResult<EventOutcome> {
    if event.fact == PaymentFact::Ignored {
        return Ok(EventOutcome::Ignored);
    }
    let action = match &event.fact {
        PaymentFact::GiftPaid { .. } => "payment.gift",
        PaymentFact::SubscriptionStarted { .. } => "payment.subscription",
        PaymentFact::CheckoutFailed { .. } => "payment.failed",
        PaymentFact::InvoicePaid { .. } => "payment.invoice",
        PaymentFact::SubscriptionState { .. } => "payment.subscription_state",
        PaymentFact::Refunds(_) => "payment.refund",
        PaymentFact::RefundFailed(_) => "payment.refund_failed",
        PaymentFact::DisputeWithdrawn(_) => "payment.dispute",
        PaymentFact::DisputeReinstated(_) => "payment.dispute_reinstated",
        PaymentFact::Ignored => "payment.ignored",
    };
    let result = writes.apply(conn, Actor::System("stripe"), action, None, |conn| {
        // Two deliveries of one event queue here; the second finds it recorded.
        db::lock_key(conn, named_lock(event.source, &event.id))?;
        if db::payments::is_processed(conn, event.source, &event.id)? {
            return Err(AppError::Conflict(DUPLICATE.to_owned()));
        }
        let summary = apply_fact(conn, event)?;
        db::payments::mark_processed(conn, event.source, &event.id, &event.kind, db::now())?;
        Ok(Recorded {
            status: 200,
            body: serde_json::json!({"event": event.id, "type": event.kind}),
            subject: format!("{}-event:{}", event.source, event.id),
            detail: Some(format!("{} {}: {summary}", event.kind, event.id)),
        })
    });
    match result {
        Ok(_) => Ok(EventOutcome::Applied),
        Err(AppError::Conflict(message)) if message == DUPLICATE => Ok(EventOutcome::Duplicate),
        Err(err) => Err(err),
    }
}

/// A transaction lock's id for one thing of one kind (an event, a refund, an email address).
fn named_lock(kind: &str, id: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"coffer-payments\0")
        .chain_update(kind.as_bytes())
        .chain_update(b"\0")
        .chain_update(id.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Applies one fact and says what it did, for the audit log.
fn apply_fact(conn: &mut DbConn, event: &ExternalEvent) -> AppResult<String> {
    match &event.fact {
        PaymentFact::GiftPaid {
            intent,
            payer,
            payment,
            amount,
            currency,
        } => {
            let intent = match intent {
                Some(reference) => match db::payments::find_intent_for_update(conn, reference)? {
                    Some(intent) => Some(intent),
                    None => return Ok("no such donation intent; ignored".to_owned()),
                },
                None => None,
            };
            // The payment's own lock: its checkout and its payment intent may report it at once.
            db::lock_key(conn, named_lock("gift", &payment.payment_intent))?;
            if let Some(entry) = db::ledger::find_by_external_ref(
                conn,
                Source::Stripe.as_str(),
                &payment.payment_intent,
            )? {
                return Ok(format!("already recorded as entry {}", entry.id));
            }
            let donor_id = match (&intent, payer) {
                (Some(intent), _) => ensure_donor(conn, intent)?,
                (None, Some(payer)) => ensure_payer(conn, payer)?,
                (None, None) => return Ok("no donor known for this payment; ignored".to_owned()),
            };
            let money = money(*amount, currency)?;
            let entry = super::entries::record_donation(
                conn,
                super::entries::DonationDraft {
                    donor_id: Some(donor_id),
                    pledge_id: None,
                    amount: money,
                    occurred_at: Some(at(event.created)),
                    source: Source::Stripe,
                    external_ref: Some(payment.payment_intent.clone()),
                    memo: if intent.is_some() {
                        "Stripe Checkout".to_owned()
                    } else {
                        "Stripe payment".to_owned()
                    },
                },
            )?;
            if let Some(intent) = intent {
                db::payments::complete_intent(
                    conn,
                    intent.id,
                    "completed",
                    Some(donor_id),
                    None,
                    db::now(),
                )?;
            }
            after_payment(conn, entry.id, payment)?;
            Ok(format!("donation entry {} of {money}", entry.id))
        }
        PaymentFact::SubscriptionStarted {
            intent,
            subscription,
        } => Ok(
            match ensure_pledge(conn, Some(intent), subscription, None)? {
                Some(pledge_id) => format!("pledge {pledge_id}"),
                None => "no such donation intent; ignored".to_owned(),
            },
        ),
        PaymentFact::CheckoutFailed { intent } => {
            if let Some(intent) = db::payments::find_intent_for_update(conn, intent)? {
                if intent.status == "open" {
                    db::payments::set_intent_status(conn, intent.id, "failed")?;
                }
            }
            Ok("payment failed; nothing recorded".to_owned())
        }
        PaymentFact::InvoicePaid {
            intent,
            subscription,
            invoice,
            amount,
            currency,
            paid_at,
            payment,
            origin,
        } => {
            let Some(pledge_id) =
                ensure_pledge(conn, intent.as_deref(), subscription, origin.as_ref())?
            else {
                return Ok("not a Coffer subscription; ignored".to_owned());
            };
            if *amount <= 0 {
                return Ok("nothing paid".to_owned());
            }
            if let Some(entry) =
                db::ledger::find_by_external_ref(conn, Source::Stripe.as_str(), invoice)?
            {
                return Ok(format!("already recorded as entry {}", entry.id));
            }
            let money = money(*amount, currency)?;
            let entry = super::entries::record_donation(
                conn,
                super::entries::DonationDraft {
                    donor_id: None,
                    pledge_id: Some(pledge_id),
                    amount: money,
                    occurred_at: Some(at(*paid_at)),
                    source: Source::Stripe,
                    external_ref: Some(invoice.clone()),
                    memo: format!("Stripe invoice for {subscription}"),
                },
            )?;
            if let Some(payment) = payment {
                after_payment(conn, entry.id, payment)?;
            }
            Ok(format!("donation entry {} of {money}", entry.id))
        }
        PaymentFact::SubscriptionState {
            intent,
            subscription,
            status,
            amount,
            currency,
            interval,
            started_at,
            origin,
        } => {
            let stored = db::payments::find_subscription(conn, subscription)?;
            let newer = match &stored {
                None => true,
                // A cancellation is final; otherwise the newest report wins.
                Some(s) if s.status == PledgeStatus::Cancelled.as_str() => false,
                Some(s) => s.status_at <= event.created || *status == Some(PledgeStatus::Cancelled),
            };
            if newer {
                let status = match (status, &stored) {
                    (Some(status), _) => status.as_str().to_owned(),
                    (None, Some(s)) => s.status.clone(),
                    (None, None) => PledgeStatus::Active.as_str().to_owned(),
                };
                db::payments::save_subscription(
                    conn,
                    &db::payments::SubscriptionRow {
                        subscription_id: subscription.clone(),
                        status,
                        amount: amount.or(stored.as_ref().and_then(|s| s.amount)),
                        currency: currency
                            .clone()
                            .or(stored.as_ref().and_then(|s| s.currency.clone())),
                        interval: interval
                            .map(|i| i.as_str().to_owned())
                            .or(stored.as_ref().and_then(|s| s.interval.clone())),
                        status_at: event.created.max(stored.map_or(i64::MIN, |s| s.status_at)),
                    },
                )?;
            }
            let pledge = ensure_pledge(conn, intent.as_deref(), subscription, origin.as_ref())?;
            if let (Some(pledge_id), Some(started_at)) = (pledge, started_at) {
                // The pledge began when the subscription did, whichever event made it.
                let started_at = at(*started_at);
                if super::pledges::find(conn, pledge_id)?.started_at != started_at {
                    db::pledges::set_started_at(conn, pledge_id, started_at)?;
                }
            }
            Ok(match pledge {
                Some(pledge_id) => format!(
                    "pledge {pledge_id} follows {subscription}{}",
                    if newer { "" } else { " (an older report)" }
                ),
                None => "not a Coffer subscription; ignored".to_owned(),
            })
        }
        PaymentFact::Refunds(refunds) => {
            let mut done = Vec::new();
            for refund in refunds {
                done.push(apply_refund(conn, refund)?);
            }
            Ok(done.join("; "))
        }
        PaymentFact::RefundFailed(back) | PaymentFact::DisputeReinstated(back) => {
            give_back(conn, &back.refund, back.at)
        }
        PaymentFact::DisputeWithdrawn(dispute) => {
            let mut done = apply_refund(conn, &dispute.funds)?;
            if let Some(fee) = &dispute.fee {
                if fee.amount > 0
                    && db::ledger::find_by_external_ref(
                        conn,
                        Source::Stripe.as_str(),
                        &fee.reference,
                    )?
                    .is_none()
                {
                    let entry = super::entries::record_fee(
                        conn,
                        super::entries::FeeDraft {
                            amount: money(fee.amount, &fee.currency)?,
                            occurred_at: Some(at(dispute.funds.created)),
                            source: Source::Stripe,
                            external_ref: Some(fee.reference.clone()),
                            memo: format!("Stripe dispute fee for {}", dispute.funds.refund_id),
                        },
                    )?;
                    done.push_str(&format!("; dispute fee entry {}", entry.id));
                }
            }
            Ok(done)
        }
        PaymentFact::Ignored => Ok("ignored".to_owned()),
    }
}

/// What follows a recorded payment: the link from its payment intent (which refunds name), its
/// fee, and the refunds that arrived before it.
fn after_payment(conn: &mut DbConn, entry_id: i64, payment: &PaymentDetails) -> AppResult<()> {
    // See `apply_refund`: a refund kept at this moment is either seen here or sees this.
    db::lock_key(conn, named_lock("payment", &payment.payment_intent))?;
    if db::payments::payment_entry(conn, &payment.payment_intent)?.is_none() {
        db::payments::insert_payment(conn, &payment.payment_intent, entry_id)?;
    }
    if let Some(fee) = &payment.fee {
        if fee.amount > 0
            && db::ledger::find_by_external_ref(conn, Source::Stripe.as_str(), &fee.reference)?
                .is_none()
        {
            let donation = super::entries::find(conn, entry_id)?;
            super::entries::record_fee(
                conn,
                super::entries::FeeDraft {
                    amount: money(fee.amount, &fee.currency)?,
                    occurred_at: Some(donation.occurred_at),
                    source: Source::Stripe,
                    external_ref: Some(fee.reference.clone()),
                    memo: format!("Stripe fee for entry {entry_id}"),
                },
            )?;
        }
    }
    for refund in db::payments::unrecorded_refunds(conn, &payment.payment_intent)? {
        settle_refund(conn, entry_id, refund)?;
    }
    Ok(())
}

/// Keeps a refund and writes it to the ledger once its donation is there.
fn apply_refund(conn: &mut DbConn, refund: &RefundFact) -> AppResult<String> {
    keep_refund(conn, refund, None)
}

/// Money that came back to the account (a refund that failed, a dispute won), `at` when
/// (Unix seconds). Both movements are in the books whatever order they are reported in: the
/// refund is written once its donation is, then reversed.
fn give_back(conn: &mut DbConn, refund: &RefundFact, at_time: i64) -> AppResult<String> {
    keep_refund(conn, refund, Some(at(at_time)))
}

/// Keeps what Stripe reported of a refund (and whether its money came back), then writes what
/// the ledger lacks of it when its donation is there.
fn keep_refund(
    conn: &mut DbConn,
    refund: &RefundFact,
    came_back: Option<NaiveDateTime>,
) -> AppResult<String> {
    // `charge.refunded` and `refund.created` report one refund, often at the same moment.
    db::lock_key(conn, named_lock("refund", &refund.refund_id))?;
    // And its payment, recorded at the same moment by another event, must see this refund, or
    // this refund must see the payment: never neither (PostgreSQL's READ COMMITTED).
    db::lock_key(conn, named_lock("payment", &refund.payment_intent))?;
    let row = match db::payments::find_refund(conn, &refund.refund_id)? {
        Some(row) => {
            if let (Some(when), None) = (came_back, row.failed_at) {
                db::payments::mark_refund_failed(conn, &row.refund_id, when)?;
                db::payments::RefundRow {
                    failed_at: Some(when),
                    ..row
                }
            } else {
                row
            }
        }
        None => {
            let row = db::payments::RefundRow {
                refund_id: refund.refund_id.clone(),
                payment_intent: refund.payment_intent.clone(),
                amount: refund.amount,
                currency: refund.currency.to_uppercase(),
                occurred_at: at(refund.created),
                entry_id: None,
                failed_at: came_back,
                reversal_entry_id: None,
            };
            db::payments::insert_refund(conn, &row)?;
            row
        }
    };
    if row.entry_id.is_some() && (row.failed_at.is_none() || row.reversal_entry_id.is_some()) {
        return Ok(format!("refund {} already recorded", refund.refund_id));
    }
    let donation = match db::payments::payment_entry(conn, &refund.payment_intent)? {
        Some(id) => Some(id),
        None => {
            db::ledger::find_by_external_ref(conn, Source::Stripe.as_str(), &refund.payment_intent)?
                .map(|e| e.id)
        }
    };
    match donation {
        Some(entry_id) => settle_refund(conn, entry_id, row),
        None => Ok(format!(
            "refund {} kept until its payment is recorded",
            refund.refund_id
        )),
    }
}

/// A dispute is kept as a refund whose id is the dispute's (`du_…`, `dp_…`).
fn is_dispute(id: &str) -> bool {
    id.starts_with("du_") || id.starts_with("dp_")
}

/// Writes what the ledger lacks of a kept refund: the refund against its donation (which
/// `record_refund` locks first), and its reversal when the money came back.
fn settle_refund(
    conn: &mut DbConn,
    donation_id: i64,
    mut row: db::payments::RefundRow,
) -> AppResult<String> {
    let mut done = Vec::new();
    if row.entry_id.is_none() {
        let donation = super::entries::find(conn, donation_id)?;
        let amount = money(row.amount, &row.currency)?;
        let entry = super::entries::record_refund(
            conn,
            super::entries::RefundDraft {
                entry_id: donation_id,
                amount: Some(TypedAmount::parse(&amount.amount_string())?),
                // Stripe's clock and ours may differ by a little: never before the donation.
                occurred_at: Some(row.occurred_at.max(donation.occurred_at)),
                source: Some(Source::Stripe),
                external_ref: Some(row.refund_id.clone()),
                memo: if is_dispute(&row.refund_id) {
                    "Stripe dispute: funds withdrawn".to_owned()
                } else {
                    "Stripe refund".to_owned()
                },
            },
        )?;
        db::payments::set_refund_entry(conn, &row.refund_id, entry.id)?;
        row.entry_id = Some(entry.id);
        done.push(format!("refund entry {} of {amount}", entry.id));
    }
    if let (Some(entry_id), Some(when), None) = (row.entry_id, row.failed_at, row.reversal_entry_id)
    {
        let reversal = super::entries::reverse_refund(
            conn,
            entry_id,
            when,
            Source::Stripe,
            format!("{}:reversed", row.refund_id),
            if is_dispute(&row.refund_id) {
                "Stripe dispute won: funds reinstated".to_owned()
            } else {
                "Stripe refund failed: the money came back".to_owned()
            },
        )?;
        db::payments::set_refund_reversal(conn, &row.refund_id, reversal.id)?;
        done.push(format!("given back by entry {}", reversal.id));
    }
    Ok(done.join(", "))
}

/// The pledge of a subscription: found, or made from the intent the event names (with its
/// donor), and brought to the newest state Stripe reported. `None` when neither exists: a
/// subscription Coffer did not create.
fn ensure_pledge(
    conn: &mut DbConn,
    intent: Option<&str>,
    subscription: &str,
    origin: Option<&SubscriptionOrigin>,
) -> AppResult<Option<i64>> {
    let intent = match intent {
        Some(reference) => db::payments::find_intent_for_update(conn, reference)?,
        None => None,
    };
    // Two events of one subscription no intent made may make its pledge at once.
    db::lock_key(conn, named_lock("subscription", subscription))?;
    let existing = db::pledges::find_by_external_ref(conn, Source::Stripe.as_str(), subscription)?;
    let pledge_id = match (existing, intent) {
        (Some(pledge), _) => pledge.id,
        (None, None) => {
            let Some(origin) = origin else {
                return Ok(None);
            };
            let donor_id = ensure_payer(conn, &origin.payer)?;
            super::pledges::create(
                conn,
                super::pledges::PledgeDraft {
                    donor_id,
                    tier_id: None,
                    amount: money(origin.amount, &origin.currency)?,
                    interval: origin.interval,
                    source: Source::Stripe,
                    external_ref: Some(subscription.to_owned()),
                    started_at: Some(at(origin.started_at)),
                },
            )?
            .id
        }
        (None, Some(intent)) => {
            let donor_id = ensure_donor(conn, &intent)?;
            let interval = match Frequency::parse(&intent.frequency)? {
                Frequency::Every(interval) => interval,
                Frequency::Once => Interval::Month,
            };
            let pledge = super::pledges::create(
                conn,
                super::pledges::PledgeDraft {
                    donor_id,
                    tier_id: intent.tier_id,
                    amount: super::stored_money(intent.amount, &intent.currency)?,
                    interval,
                    source: Source::Stripe,
                    external_ref: Some(subscription.to_owned()),
                    started_at: Some(intent.created_at),
                },
            )?;
            db::payments::complete_intent(
                conn,
                intent.id,
                "completed",
                Some(donor_id),
                Some(pledge.id),
                db::now(),
            )?;
            pledge.id
        }
    };
    if let Some(state) = db::payments::find_subscription(conn, subscription)? {
        follow_subscription(conn, pledge_id, &state)?;
    }
    Ok(Some(pledge_id))
}

/// Brings a pledge to the state Stripe reported: status, amount and interval.
fn follow_subscription(
    conn: &mut DbConn,
    pledge_id: i64,
    state: &db::payments::SubscriptionRow,
) -> AppResult<()> {
    let pledge = super::pledges::find(conn, pledge_id)?;
    if pledge.status == PledgeStatus::Cancelled {
        return Ok(());
    }
    let status = PledgeStatus::parse(&state.status)
        .map_err(|e| AppError::Internal(format!("stored subscription: {e}")))?;
    if let (Some(amount), Some(interval)) = (state.amount, state.interval.as_deref()) {
        let same_currency = state
            .currency
            .as_deref()
            .is_none_or(|c| c.eq_ignore_ascii_case(pledge.amount.currency().code()));
        if amount > 0
            && same_currency
            && (amount != pledge.amount.minor() || interval != pledge.interval.as_str())
        {
            Interval::parse(interval)
                .map_err(|e| AppError::Internal(format!("stored subscription: {e}")))?;
            db::pledges::set_terms(conn, pledge_id, amount, interval)?;
        }
    }
    if status != pledge.status {
        super::pledges::change_status(conn, pledge_id, status)?;
    }
    Ok(())
}

/// The donor a payer is: matched by email, or made from the customer with no display consent.
/// Nothing a provider says changes an existing donor.
fn ensure_payer(conn: &mut DbConn, payer: &Payer) -> AppResult<i64> {
    let email = Email::parse(&payer.email)?;
    db::lock_key(
        conn,
        named_lock("donor-email", &email.as_str().to_lowercase()),
    )?;
    if let Some(donor) = db::donors::find_by_email(conn, email.as_str())? {
        return Ok(donor.id);
    }
    let public_name = payer
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(120).collect::<String>())
        .unwrap_or_else(|| "Stripe donor".to_owned());
    let donor = super::donors::create(
        conn,
        super::donors::DonorDraft {
            public_name,
            legal_name: None,
            email: Some(email),
            website: None,
            fediverse_handle: None,
            logo_path: None,
            anonymous: false,
            consent: Consent {
                name: false,
                logo: false,
                link: false,
                handle: false,
                amount: false,
            },
            locale: payer.locale.clone(),
        },
    )?;
    Ok(donor.id)
}

/// The donor an intent became: already linked, matched by email, or new. A matched donor keeps
/// the consent they gave before: anyone can type an email address into the donation page, so
/// only the self-service link changes an existing donor's visibility.
fn ensure_donor(conn: &mut DbConn, intent: &IntentRow) -> AppResult<i64> {
    if let Some(donor_id) = intent.donor_id {
        return Ok(donor_id);
    }
    // Two checkouts with one email, completing at once, make one donor.
    db::lock_key(
        conn,
        named_lock("donor-email", &intent.email.to_lowercase()),
    )?;
    if let Some(donor) = db::donors::find_by_email(conn, &intent.email)? {
        return Ok(donor.id);
    }
    let donor = super::donors::create(
        conn,
        super::donors::DonorDraft {
            public_name: intent.public_name.clone(),
            legal_name: None,
            email: Some(Email::parse(&intent.email)?),
            website: intent.website.as_deref().map(WebUrl::parse).transpose()?,
            fediverse_handle: intent
                .fediverse_handle
                .as_deref()
                .map(FediverseHandle::parse)
                .transpose()?,
            logo_path: None,
            anonymous: intent.anonymous,
            consent: Consent {
                name: intent.consent_name,
                logo: intent.consent_logo,
                link: intent.consent_link,
                handle: intent.consent_handle,
                amount: false,
            },
            locale: intent.locale.clone(),
        },
    )?;
    Ok(donor.id)
}

fn money(minor: i64, currency: &str) -> AppResult<Money> {
    let currency = Currency::parse(currency)?;
    Ok(Money::from_minor(minor, currency)?)
}

/// A provider's Unix time as Coffer stores times.
fn at(unix: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.naive_utc())
        .unwrap_or_else(db::now)
}
