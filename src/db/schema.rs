//! One portable schema for both backends: only Text, BigInt, Integer, Bool and Timestamp.

diesel::table! {
    tiers (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        monthly_minimum -> BigInt,
        currency -> Text,
        perks -> Text,
        link_rel -> Text,
        position -> Integer,
        created_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    donors (id) {
        id -> BigInt,
        public_name -> Text,
        legal_name -> Nullable<Text>,
        email -> Nullable<Text>,
        website -> Nullable<Text>,
        fediverse_handle -> Nullable<Text>,
        logo_path -> Nullable<Text>,
        consent_name -> Bool,
        consent_logo -> Bool,
        consent_link -> Bool,
        consent_handle -> Bool,
        consent_amount -> Bool,
        anonymous -> Bool,
        locale -> Nullable<Text>,
        pinned_tier_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    pledges (id) {
        id -> BigInt,
        donor_id -> BigInt,
        tier_id -> Nullable<BigInt>,
        amount -> BigInt,
        currency -> Text,
        interval -> Text,
        status -> Text,
        source -> Text,
        external_ref -> Nullable<Text>,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> BigInt,
        kind -> Text,
        amount -> BigInt,
        currency -> Text,
        donor_id -> Nullable<BigInt>,
        pledge_id -> Nullable<BigInt>,
        occurred_at -> Timestamp,
        recorded_at -> Timestamp,
        source -> Text,
        external_ref -> Nullable<Text>,
        reverses -> Nullable<BigInt>,
        category -> Nullable<Text>,
        memo -> Text,
    }
}

diesel::table! {
    expense_notes (entry_id) {
        entry_id -> BigInt,
        note -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (token_id, idempotency_key) {
        token_id -> BigInt,
        idempotency_key -> Text,
        request_hash -> Text,
        response_status -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor -> Text,
        action -> Text,
        subject -> Text,
        detail -> Text,
        created_at -> Timestamp,
        address -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limit_attempts (id) {
        id -> BigInt,
        key -> Text,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    admins (id) {
        id -> BigInt,
        email -> Text,
        role -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    admin_sessions (id) {
        id -> Text,
        admin_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        csrf_token -> Text,
    }
}

diesel::joinable!(admin_sessions -> admins (admin_id));
diesel::joinable!(donors -> tiers (pinned_tier_id));
diesel::joinable!(pledges -> donors (donor_id));
diesel::joinable!(ledger_entries -> donors (donor_id));
diesel::joinable!(expense_notes -> ledger_entries (entry_id));
diesel::joinable!(idempotency_keys -> api_tokens (token_id));

diesel::allow_tables_to_appear_in_same_query!(
    tiers,
    donors,
    pledges,
    ledger_entries,
    expense_notes,
    api_tokens,
    idempotency_keys,
    audit_log,
    receipts,
    outbox,
    admins,
    admin_sessions,
);

diesel::table! {
    receipt_counters (year) {
        year -> Integer,
        last_sequence -> BigInt,
    }
}

diesel::table! {
    receipts (id) {
        id -> BigInt,
        number -> Text,
        year -> Integer,
        sequence -> BigInt,
        entry_id -> BigInt,
        kind -> Text,
        corrects_receipt -> Nullable<Text>,
        donor_id -> Nullable<BigInt>,
        locale -> Text,
        snapshot -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        receipt_number -> Nullable<Text>,
        dedupe_key -> Nullable<Text>,
        recipient -> Text,
        subject -> Nullable<Text>,
        body_text -> Nullable<Text>,
        body_html -> Nullable<Text>,
        message_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    logos (hash) {
        hash -> Text,
        content_type -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    processed_events (source, event_id) {
        source -> Text,
        event_id -> Text,
        event_type -> Text,
        processed_at -> Timestamp,
    }
}

diesel::table! {
    donation_intents (id) {
        id -> BigInt,
        reference -> Text,
        channel -> Text,
        status -> Text,
        email -> Text,
        public_name -> Text,
        website -> Nullable<Text>,
        fediverse_handle -> Nullable<Text>,
        consent_name -> Bool,
        consent_link -> Bool,
        consent_handle -> Bool,
        consent_logo -> Bool,
        anonymous -> Bool,
        locale -> Nullable<Text>,
        tier_id -> Nullable<BigInt>,
        amount -> BigInt,
        currency -> Text,
        frequency -> Text,
        checkout_session_id -> Nullable<Text>,
        donor_id -> Nullable<BigInt>,
        pledge_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    stripe_payments (payment_intent) {
        payment_intent -> Text,
        entry_id -> BigInt,
    }
}

diesel::table! {
    stripe_refunds (refund_id) {
        refund_id -> Text,
        payment_intent -> Text,
        amount -> BigInt,
        currency -> Text,
        occurred_at -> Timestamp,
        entry_id -> Nullable<BigInt>,
        failed_at -> Nullable<Timestamp>,
        reversal_entry_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    stripe_subscriptions (subscription_id) {
        subscription_id -> Text,
        status -> Text,
        amount -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        interval -> Nullable<Text>,
        status_at -> BigInt,
    }
}

diesel::table! {
    ledger_log_leaves (leaf_index) {
        leaf_index -> BigInt,
        entry_id -> BigInt,
        hash -> Binary,
    }
}

diesel::table! {
    ledger_log_nodes (position) {
        position -> BigInt,
        hash -> Binary,
    }
}

diesel::table! {
    ledger_log_state (id) {
        id -> Integer,
        size -> BigInt,
        frontier -> Binary,
        log_key -> Binary,
    }
}

diesel::table! {
    ledger_checkpoints (tree_size) {
        tree_size -> BigInt,
        root_hash -> Text,
        totals -> Text,
        signed_at -> Timestamp,
        public_key -> Text,
        signature -> Text,
        consistency -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(ledger_log_leaves, ledger_entries);
