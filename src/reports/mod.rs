//! What is derived from the ledger for people outside Coffer: exports and the transparency
//! figures.

pub mod export;
pub mod transparency;
