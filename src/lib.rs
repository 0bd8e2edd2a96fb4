//! Coffer: a funding ledger and public sponsor wall for a fediverse instance.
//!
//! Sponsorship never buys moderation power: perks are a closed set of display perks, and nothing
//! here talks to the instance's moderation.
#![recursion_limit = "512"]

pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod import;
pub mod ledger;
pub mod mail;
pub mod memory;
pub mod ops;
pub mod payments;
pub mod reports;
pub mod startup;
pub mod verify;
pub mod web;
