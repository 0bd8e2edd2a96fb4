//! The published formats of the verifiable books (docs/verify.md): the bytes of a ledger entry
//! as the Merkle log hashes it, the signed statement of a checkpoint, and the JSON documents
//! Coffer serves. Nothing here knows Coffer's database.

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::merkle::Hash;

/// The first field of every encoded entry; a new encoding would get a new one.
pub const ENTRY_MAGIC: &str = "coffer-ledger-entry/1";
/// The first line of every signed checkpoint.
pub const CHECKPOINT_MAGIC: &str = "coffer-checkpoint/1";
/// How an absent field is encoded in place of its length.
const ABSENT: u32 = u32::MAX;

/// A ledger entry as the log hashes it: nothing personal, only what the books need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafEntry {
    /// The entry's position in the log (its leaf index).
    pub sequence: u64,
    /// The ledger entry's id.
    pub entry_id: i64,
    pub kind: String,
    /// Signed minor units.
    pub amount: i64,
    pub currency: String,
    /// RFC 3339, UTC, six decimals: `2026-11-25T10:00:00.000000Z`.
    pub occurred_at: String,
    pub recorded_at: String,
    pub source: String,
    pub external_ref: Option<String>,
    pub reverses: Option<i64>,
    pub category: Option<String>,
    pub pledge_id: Option<i64>,
    /// HMAC-SHA256 of the donor's id (decimal) under the instance's log key, in hex.
    pub donor: Option<String>,
    /// SHA-256 of the memo's UTF-8 bytes, in hex.
    pub memo_sha256: String,
}

impl LeafEntry {
    /// The entry's bytes: fifteen fields in a fixed order, each a 4-byte big-endian length and
    /// that many bytes of UTF-8 (numbers in decimal), an absent field as the length 0xFFFFFFFF.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        let mut put = |field: Option<&str>| match field {
            Some(text) => {
                out.extend_from_slice(&(text.len() as u32).to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
            None => out.extend_from_slice(&ABSENT.to_be_bytes()),
        };
        put(Some(ENTRY_MAGIC));
        put(Some(&self.sequence.to_string()));
        put(Some(&self.entry_id.to_string()));
        put(Some(&self.kind));
        put(Some(&self.amount.to_string()));
        put(Some(&self.currency));
        put(Some(&self.occurred_at));
        put(Some(&self.recorded_at));
        put(Some(&self.source));
        put(self.external_ref.as_deref());
        put(self.reverses.map(|r| r.to_string()).as_deref());
        put(self.category.as_deref());
        put(self.pledge_id.map(|p| p.to_string()).as_deref());
        put(self.donor.as_deref());
        put(Some(&self.memo_sha256));
        out
    }

    /// Reads the bytes [`LeafEntry::encode`] writes; `None` when they are not such bytes.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut at = 0usize;
        let mut fields: Vec<Option<String>> = Vec::with_capacity(15);
        while at < bytes.len() {
            let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?);
            at += 4;
            if len == ABSENT {
                fields.push(None);
                continue;
            }
            let end = at.checked_add(len as usize)?;
            fields.push(Some(String::from_utf8(bytes.get(at..end)?.to_vec()).ok()?));
            at = end;
        }
        if fields.len() != 15 || fields[0].as_deref() != Some(ENTRY_MAGIC) {
            return None;
        }
        let mut fields = fields.into_iter().skip(1);
        let mut next = || fields.next().flatten();
        let entry = Self {
            sequence: next()?.parse().ok()?,
            entry_id: next()?.parse().ok()?,
            kind: next()?,
            amount: next()?.parse().ok()?,
            currency: next()?,
            occurred_at: next()?,
            recorded_at: next()?,
            source: next()?,
            external_ref: next(),
            reverses: next().map(|r| r.parse()).transpose().ok()?,
            category: next(),
            pledge_id: next().map(|p| p.parse()).transpose().ok()?,
            donor: next(),
            memo_sha256: next()?,
        };
        // Decoding is exact: the same entry encodes to the same bytes.
        (entry.encode() == bytes).then_some(entry)
    }
}

/// A signed tree head: the log's size and root at a time, with the totals per currency of the
/// entries it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub tree_size: u64,
    /// Hex.
    pub root_hash: String,
    /// The sum of the covered entries' amounts per currency, in minor units.
    pub totals: BTreeMap<String, i64>,
    /// RFC 3339, UTC, whole seconds: `2026-12-01T00:00:00Z`.
    pub signed_at: String,
    /// The Ed25519 public key that signed it, hex.
    pub public_key: String,
    /// The Ed25519 signature of [`Checkpoint::statement`], hex.
    pub signature: String,
    /// The consistency proof from the checkpoint before this one (hex hashes; empty for the
    /// first).
    pub consistency: Vec<String>,
}

impl Checkpoint {
    /// When it was signed, read from [`Checkpoint::signed_at`]; `None` if that is malformed.
    pub fn signed_at_time(&self) -> Option<chrono::NaiveDateTime> {
        chrono::NaiveDateTime::parse_from_str(&self.signed_at, "%Y-%m-%dT%H:%M:%SZ").ok()
    }
}

impl Checkpoint {
    /// The bytes that are signed: lines of UTF-8, each ending in a newline.
    ///
    /// ```text
    /// coffer-checkpoint/1
    /// size 42
    /// root 5f…
    /// time 2026-12-01T00:00:00Z
    /// total EUR 123450
    /// ```
    /// with one `total` line per currency, in the order of their codes.
    pub fn statement(&self) -> String {
        statement(
            self.tree_size,
            &self.root_hash,
            &self.signed_at,
            &self.totals,
        )
    }

    /// The root as bytes.
    pub fn root(&self) -> Result<Hash, String> {
        parse_hash(&self.root_hash)
    }

    /// Checks the signature with `key`; the failure as a sentence.
    pub fn check_signature(&self, key: &VerifyingKey) -> Result<(), String> {
        let bytes = hex::decode(&self.signature).map_err(|_| "its signature is not hex")?;
        let bytes: [u8; 64] = bytes
            .try_into()
            .map_err(|_| "its signature is not 64 bytes")?;
        key.verify(self.statement().as_bytes(), &Signature::from_bytes(&bytes))
            .map_err(|_| "its signature does not verify with the key".to_owned())
    }
}

/// The statement of a checkpoint from its parts (see [`Checkpoint::statement`]).
pub fn statement(
    tree_size: u64,
    root_hash: &str,
    signed_at: &str,
    totals: &BTreeMap<String, i64>,
) -> String {
    let mut text =
        format!("{CHECKPOINT_MAGIC}\nsize {tree_size}\nroot {root_hash}\ntime {signed_at}\n");
    for (currency, minor) in totals {
        text.push_str(&format!("total {currency} {minor}\n"));
    }
    text
}

/// Where an instance publishes its checkpoints.
pub const CHECKPOINTS_PATH: &str = "/.well-known/coffer/checkpoints.json";
/// Where an instance publishes the public key that signs them (hex).
pub const LEDGER_KEY_PATH: &str = "/.well-known/coffer/ledger-key";

/// `/.well-known/coffer/checkpoints.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointList {
    /// Oldest first.
    pub checkpoints: Vec<Checkpoint>,
}

/// `/api/v1/ledger/consistency?from=&to=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    pub proof: Vec<String>,
}

/// `/api/v1/ledger/proof/{receipt}`: a receipt's entry, its inclusion proof and the checkpoint
/// it leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    pub receipt: String,
    pub leaf_index: u64,
    /// The encoded entry, hex; its leaf hash is `SHA-256(0x00 ‖ entry)`.
    pub entry: String,
    /// The entry decoded, for reading.
    pub decoded: LeafEntry,
    pub proof: Vec<String>,
    pub checkpoint: Checkpoint,
}

/// A hex SHA-256 hash.
pub fn parse_hash(text: &str) -> Result<Hash, String> {
    hex::decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("“{text}” is not a hex SHA-256 hash"))
}

/// Hex hashes.
pub fn parse_hashes(texts: &[String]) -> Result<Vec<Hash>, String> {
    texts.iter().map(|t| parse_hash(t)).collect()
}

/// An Ed25519 public key in hex (64 characters).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("the key is not 64 hex characters")?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "the key is not an Ed25519 public key".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_decodes_to_itself_and_absent_differs_from_empty() {
        let entry = LeafEntry {
            sequence: 3,
            entry_id: 7,
            kind: "donation".into(),
            amount: 5000,
            currency: "EUR".into(),
            occurred_at: "2026-11-25T10:00:00.000000Z".into(),
            recorded_at: "2026-11-25T10:00:01.250000Z".into(),
            source: "manual".into(),
            external_ref: None,
            reverses: None,
            category: None,
            pledge_id: Some(2),
            donor: Some("ab".into()),
            memo_sha256: "00".into(),
        };
        assert_eq!(LeafEntry::decode(&entry.encode()), Some(entry.clone()));
        let empty = LeafEntry {
            external_ref: Some(String::new()),
            ..entry.clone()
        };
        assert_ne!(empty.encode(), entry.encode());
        assert_eq!(LeafEntry::decode(b"nonsense"), None);
    }
}
