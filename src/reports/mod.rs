//! What is derived from the ledger for people outside Coffer: exports, the transparency
//! figures and what the embeds read.

pub mod embeds;
pub mod export;
pub mod transparency;
