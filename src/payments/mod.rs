//! Payment providers. Each reads its own wire format into the ledger's payment facts
//! (`ledger::payments`); only Stripe so far.

pub mod stripe;
