//! What a row of an import says, checked and ready to record: the drafts every reader makes.

use chrono::NaiveDateTime;

use crate::db::{donors::NewDonor, ledger::NewEntry};
use crate::domain::{Consent, Email, EntryKind, Interval, Money, PledgeStatus};

/// What a platform lets Coffer show of a supporter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The supporter chose to be shown (a public Liberapay patron, a public GitHub sponsor):
    /// their name, and nothing else.
    Public,
    /// The supporter chose not to be shown: anonymous.
    Hidden,
    /// The platform says nothing: no consent, so nothing is shown until the donor gives it.
    Unstated,
}

impl Visibility {
    pub fn consent(self) -> Consent {
        Consent {
            name: self == Self::Public,
            logo: false,
            link: false,
            handle: false,
            amount: false,
        }
    }
}

/// A supporter as a platform names them.
#[derive(Debug, Clone)]
pub struct Supporter {
    /// The platform's id of them (a user id, a handle, a slug); found again by it next time.
    pub key: String,
    pub email: Option<Email>,
    pub public_name: String,
    pub visibility: Visibility,
}

/// A recurring pledge as a platform states it now.
#[derive(Debug, Clone)]
pub struct PledgeFact {
    pub external_ref: String,
    /// `None` when the row only ends a pledge (a former patron) and names no amount.
    pub terms: Option<(Money, Interval)>,
    pub status: PledgeStatus,
    pub started_at: Option<NaiveDateTime>,
    /// When the platform last saw it so: of two rows for one pledge, the later one wins.
    pub as_of: Option<NaiveDateTime>,
}

/// A money movement as a platform records it.
#[derive(Debug, Clone)]
pub struct EntryFact {
    pub kind: EntryKind,
    /// Always positive: the kind says which way the money went.
    pub amount: Money,
    pub occurred_at: NaiveDateTime,
    pub external_ref: String,
    /// For a refund, the external reference of the donation it gives back.
    pub reverses: Option<String>,
    pub category: Option<String>,
    pub memo: String,
    /// Whether the supporter is named on the entry (fees and expenses name nobody).
    pub from_supporter: bool,
}

/// Everything one row of a platform's export says.
#[derive(Debug, Clone, Default)]
pub struct PlatformRow {
    pub supporter: Option<Supporter>,
    pub pledge: Option<PledgeFact>,
    pub entries: Vec<EntryFact>,
}

/// A row of Coffer's own `ledger.csv`, with the ids it had.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub id: i64,
    pub entry: NewEntry,
}

/// A row of Coffer's own `donors.csv`, with the id it had.
#[derive(Debug, Clone)]
pub struct DonorRow {
    pub id: i64,
    pub donor: NewDonor,
    pub pinned_tier_id: Option<i64>,
    pub erased: bool,
}

/// What a row becomes.
#[derive(Debug, Clone)]
pub enum Facts {
    Platform(PlatformRow),
    Ledger(Box<LedgerRow>),
    Donor(Box<DonorRow>),
    /// The row records nothing in Coffer (a shop order, a free member); the reason is counted.
    Nothing(&'static str),
}
