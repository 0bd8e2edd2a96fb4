DROP TABLE stripe_subscriptions;
DROP TABLE stripe_refunds;
DROP TABLE stripe_payments;
DROP TABLE donation_intents;
DROP TABLE processed_events;
