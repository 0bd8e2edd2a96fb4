-- Payments from the donation page. An external event is applied once: its id is recorded in
-- processed_events in the same transaction as what it changed.
CREATE TABLE processed_events (
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    processed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, event_id)
);

-- What a visitor chose on /donate before any money moved: the donor they want to be, the tier
-- or amount, how often. Stripe's metadata carries only its reference, so nothing a payload says
-- about the donor is trusted. A bank transfer's intent is the pending pledge the treasurer
-- confirms.
CREATE TABLE donation_intents (
    id INTEGER PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('stripe', 'bank')),
    status TEXT NOT NULL CHECK (status IN ('open', 'completed', 'failed', 'confirmed', 'dismissed')),
    email TEXT NOT NULL,
    public_name TEXT NOT NULL,
    website TEXT,
    fediverse_handle TEXT,
    consent_name BOOLEAN NOT NULL DEFAULT 0,
    consent_link BOOLEAN NOT NULL DEFAULT 0,
    consent_handle BOOLEAN NOT NULL DEFAULT 0,
    consent_logo BOOLEAN NOT NULL DEFAULT 0,
    anonymous BOOLEAN NOT NULL DEFAULT 0,
    locale TEXT,
    tier_id BIGINT REFERENCES tiers (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    frequency TEXT NOT NULL CHECK (frequency IN ('once', 'month', 'year')),
    checkout_session_id TEXT UNIQUE,
    donor_id BIGINT REFERENCES donors (id),
    pledge_id BIGINT REFERENCES pledges (id),
    created_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP
);
CREATE INDEX donation_intents_open ON donation_intents (channel, status);

-- Which Stripe payment intent paid which donation: a refund names the payment intent only.
CREATE TABLE stripe_payments (
    payment_intent TEXT PRIMARY KEY NOT NULL,
    entry_id BIGINT NOT NULL UNIQUE REFERENCES ledger_entries (id)
);

-- Refunds as Stripe reported them, kept until their donation is recorded (events come in any
-- order); entry_id is the refund entry once written.
CREATE TABLE stripe_refunds (
    refund_id TEXT PRIMARY KEY NOT NULL,
    payment_intent TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    entry_id BIGINT REFERENCES ledger_entries (id)
);
CREATE INDEX stripe_refunds_payment_intent ON stripe_refunds (payment_intent);

-- The newest state Stripe reported for a subscription, and when (the event's own time), so an
-- older event that arrives late does not undo a newer one.
CREATE TABLE stripe_subscriptions (
    subscription_id TEXT PRIMARY KEY NOT NULL,
    status TEXT NOT NULL,
    amount BIGINT,
    currency TEXT,
    interval TEXT,
    status_at BIGINT NOT NULL
);
