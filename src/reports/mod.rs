//! What is derived from the ledger for people outside Coffer: exports.

pub mod export;
