//! Coffer's integration tests: one binary, the real server over HTTP, on SQLite and PostgreSQL.

mod helpers;

mod accessibility;
mod admin_api;
mod browser;
mod cli;
mod concurrency;
mod console;
mod donate;
mod embeds;
mod http;
mod idempotency;
mod import;
mod layout;
mod ledger_properties;
mod ledger_rules;
mod mailbox;
mod openapi;
mod operations;
mod process;
mod proxy;
mod public_wall;
mod receipts;
mod scale;
mod schema;
mod stripe;
mod stripe_everything;
mod stripe_sync;
mod transparency;
mod upgrade;
mod verify;
mod write_path;
