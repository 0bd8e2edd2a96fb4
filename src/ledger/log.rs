//! Verifiable books (docs/verify.md): every ledger entry is a leaf of an RFC 9162 Merkle log, in
//! the order it was recorded, appended in the transaction that records it for O(log n); signed
//! checkpoints (tree heads) at the end of each month; inclusion proofs for receipts and
//! consistency proofs between checkpoints, read from the stored subtrees.
//!
//! The leaf holds nothing personal: the donor is a keyed pseudonym (HMAC-SHA256 of their id
//! under a random key kept in the log's state row, made once) and the memo is its hash, so
//! erasing a donor changes no leaf.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDateTime, Timelike};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{self, ledger::EntryRow, merkle as store, DbConn};
use crate::error::{AppError, AppResult};
use crate::verify::format::{self, Checkpoint, InclusionProof, LeafEntry};
use crate::verify::merkle::{self, Frontier, Hash, Span};

/// How timestamps are written in a leaf.
const LEAF_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";
/// How a checkpoint's time is written.
const CHECKPOINT_TIME: &str = "%Y-%m-%dT%H:%M:%SZ";
/// Entries read at a time when the log is built from existing rows or recomputed.
const CATCH_UP_BATCH: i64 = 20_000;

/// The entry as the log hashes it.
pub fn leaf_entry(row: &EntryRow, sequence: u64, log_key: &[u8]) -> LeafEntry {
    leaf_entry_with(row, sequence, row.donor_id.map(|id| pseudonym(log_key, id)))
}

/// The entry as the log hashes it, with the donor's pseudonym already made.
fn leaf_entry_with(row: &EntryRow, sequence: u64, donor: Option<String>) -> LeafEntry {
    LeafEntry {
        sequence,
        entry_id: row.id,
        kind: row.kind.clone(),
        amount: row.amount,
        currency: row.currency.clone(),
        occurred_at: row.occurred_at.format(LEAF_TIME).to_string(),
        recorded_at: row.recorded_at.format(LEAF_TIME).to_string(),
        source: row.source.clone(),
        external_ref: row.external_ref.clone(),
        reverses: row.reverses,
        category: row.category.clone(),
        pledge_id: row.pledge_id,
        donor,
        memo_sha256: memo_hash(&row.memo),
    }
}

/// The SHA-256 of an empty memo, the most common one, in hex.
const EMPTY_MEMO_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A memo's SHA-256, hex.
fn memo_hash(memo: &str) -> String {
    if memo.is_empty() {
        EMPTY_MEMO_SHA256.to_owned()
    } else {
        hex::encode(Sha256::digest(memo.as_bytes()))
    }
}

/// Pseudonyms under one log key, each donor's computed once: a catch-up or a recomputation
/// meets the same donors again and again.
struct Pseudonyms<'k> {
    log_key: &'k [u8],
    known: HashMap<i64, String>,
}

impl<'k> Pseudonyms<'k> {
    fn new(log_key: &'k [u8]) -> Self {
        Pseudonyms {
            log_key,
            known: HashMap::new(),
        }
    }

    fn of(&mut self, donor_id: i64) -> String {
        self.known
            .entry(donor_id)
            .or_insert_with(|| pseudonym(self.log_key, donor_id))
            .clone()
    }

    /// [`leaf_entry`], with this cache's pseudonyms.
    fn leaf_entry(&mut self, row: &EntryRow, sequence: u64) -> LeafEntry {
        let donor = row.donor_id.map(|id| self.of(id));
        leaf_entry_with(row, sequence, donor)
    }
}

/// A donor's pseudonym: HMAC-SHA256 of their id in decimal under the log key, hex.
pub fn pseudonym(log_key: &[u8], donor_id: i64) -> String {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(log_key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(donor_id.to_string().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn new_log_key() -> Vec<u8> {
    let mut key = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}

fn frontier_of(state: &store::StateRow) -> AppResult<Frontier> {
    let size = u64::try_from(state.size)
        .map_err(|_| AppError::Internal("the log's size is negative".to_owned()))?;
    Frontier::from_bytes(size, &state.frontier)
        .ok_or_else(|| AppError::Internal("the log's frontier does not match its size".to_owned()))
}

/// What an append writes: the leaf and the subtrees it closes.
#[derive(Default)]
struct Pending {
    leaves: Vec<store::LeafRow>,
    nodes: Vec<store::NodeRow>,
}

impl Pending {
    fn push(&mut self, frontier: &mut Frontier, row: &EntryRow, pseudonyms: &mut Pseudonyms<'_>) {
        let sequence = frontier.size;
        let hash = merkle::leaf_hash(&pseudonyms.leaf_entry(row, sequence).encode());
        for (node, node_hash) in frontier.append(hash) {
            self.nodes.push(store::NodeRow {
                position: store::position(node.level, node.index),
                hash: node_hash.to_vec(),
            });
        }
        self.leaves.push(store::LeafRow {
            leaf_index: sequence as i64,
            entry_id: row.id,
            hash: hash.to_vec(),
        });
    }

    fn write(self, conn: &mut DbConn) -> AppResult<()> {
        if let [leaf] = self.leaves.as_slice() {
            // The everyday append: statements prepared once per connection.
            store::insert_appended(conn, leaf, &self.nodes)?;
        } else {
            store::insert_leaves(conn, &self.leaves)?;
            store::insert_nodes(conn, &self.nodes)?;
        }
        Ok(())
    }
}

/// Appends the entry just inserted to the log, in the caller's transaction; returns its leaf
/// index. The state row's lock orders concurrent writers (PostgreSQL) until they commit.
pub fn append(conn: &mut DbConn, row: &EntryRow) -> AppResult<u64> {
    let state = store::state_for_update(conn, new_log_key)?;
    let mut frontier = frontier_of(&state)?;
    let index = frontier.size;
    let mut pending = Pending::default();
    pending.push(&mut frontier, row, &mut Pseudonyms::new(&state.log_key));
    pending.write(conn)?;
    store::save_state(conn, frontier.size as i64, &frontier.to_bytes())?;
    Ok(index)
}

/// Inserts an entry and appends its leaf: the one way entries are written.
pub fn record(conn: &mut DbConn, new: &db::ledger::NewEntry) -> AppResult<EntryRow> {
    let row = db::ledger::insert_returning(conn, new)?;
    append(conn, &row)?;
    Ok(row)
}

/// Appends every entry that has no leaf yet, in id order: the rows of a database made before
/// the log existed, or of the bulk demo. Returns how many were appended.
pub fn catch_up(conn: &mut DbConn) -> AppResult<u64> {
    db::write_transaction(conn, |conn| {
        let state = store::state_for_update(conn, new_log_key)?;
        let mut frontier = frontier_of(&state)?;
        let mut pseudonyms = Pseudonyms::new(&state.log_key);
        let mut appended = 0u64;
        let mut after = 0i64;
        loop {
            let rows = store::entries_without_leaf(conn, after, CATCH_UP_BATCH)?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let mut pending = Pending::default();
            for row in &rows {
                pending.push(&mut frontier, row, &mut pseudonyms);
            }
            appended += rows.len() as u64;
            pending.write(conn)?;
        }
        if appended > 0 {
            store::save_state(conn, frontier.size as i64, &frontier.to_bytes())?;
        }
        Ok(appended)
    })
}

/// The hashes of these spans, read from the stored leaves and subtrees in two queries.
fn span_hashes(conn: &mut DbConn, spans: &[Span]) -> AppResult<Vec<Hash>> {
    let per_span: Vec<Vec<merkle::Node>> = spans.iter().map(|s| s.nodes()).collect();
    let (mut leaves, mut inner) = (Vec::new(), Vec::new());
    for node in per_span.iter().flatten() {
        match node.level {
            0 => leaves.push(node.index as i64),
            level => inner.push(store::position(level, node.index)),
        }
    }
    let mut found: HashMap<(bool, i64), Vec<u8>> = HashMap::new();
    for (index, hash) in store::leaf_hashes(conn, &leaves)? {
        found.insert((true, index), hash);
    }
    for (position, hash) in store::node_hashes(conn, &inner)? {
        found.insert((false, position), hash);
    }
    per_span
        .iter()
        .map(|nodes| {
            let hashes = nodes
                .iter()
                .map(|n| {
                    let key = match n.level {
                        0 => (true, n.index as i64),
                        level => (false, store::position(level, n.index)),
                    };
                    found
                        .get(&key)
                        .and_then(|h| Hash::try_from(h.as_slice()).ok())
                        .ok_or_else(|| {
                            AppError::Internal(format!(
                                "the log lacks node {}/{}",
                                n.level, n.index
                            ))
                        })
                })
                .collect::<AppResult<Vec<Hash>>>()?;
            merkle::fold_span(&hashes)
                .ok_or_else(|| AppError::Internal("an empty span in a proof".to_owned()))
        })
        .collect()
}

/// The consistency proof between two tree sizes, both within the log.
pub fn consistency(conn: &mut DbConn, from: u64, to: u64) -> AppResult<Vec<Hash>> {
    let size = store::state(conn)?.map_or(0, |s| s.size.max(0) as u64);
    if from > to || to > size {
        return Err(AppError::invalid(
            "to",
            format!("sizes must satisfy from ≤ to ≤ {size}, the log's size"),
        ));
    }
    span_hashes(conn, &merkle::consistency_spans(from, to))
}

/// The instance's signing key, from the file `coffer keygen` wrote.
#[derive(Clone)]
pub struct InstanceKey(SigningKey);

impl InstanceKey {
    /// Reads a key file: the secret seed as 64 hex characters on one line.
    pub fn read(path: &Path) -> AppResult<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            AppError::Internal(format!(
                "cannot read the signing key {}: {e}",
                path.display()
            ))
        })?;
        let seed: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "{} is not a Coffer signing key (64 hex characters)",
                    path.display()
                ))
            })?;
        Ok(Self(SigningKey::from_bytes(&seed)))
    }

    /// Makes a new key file (never over an existing one, readable by its owner only) and
    /// `FILE.pub` beside it; returns the public key.
    pub fn generate(path: &Path) -> AppResult<VerifyingKey> {
        use std::io::Write;
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let key = SigningKey::from_bytes(&seed);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => AppError::Conflict(format!(
                "{} exists: a signing key is never overwritten",
                path.display()
            )),
            _ => AppError::Internal(format!("cannot write {}: {e}", path.display())),
        })?;
        writeln!(file, "{}", hex::encode(seed))
            .and_then(|_| file.sync_all())
            .map_err(|e| AppError::Internal(format!("cannot write {}: {e}", path.display())))?;
        let public = key.verifying_key();
        let mut pub_path = path.as_os_str().to_owned();
        pub_path.push(".pub");
        std::fs::write(&pub_path, format!("{}\n", hex::encode(public.as_bytes())))
            .map_err(|e| AppError::Internal(format!("cannot write the public key: {e}")))?;
        Ok(public)
    }

    /// The Ed25519 signature of `statement`, hex.
    pub fn sign(&self, statement: &str) -> String {
        hex::encode(self.0.sign(statement.as_bytes()).to_bytes())
    }

    /// The public key, hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().as_bytes())
    }
}

impl std::fmt::Debug for InstanceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InstanceKey({})", self.public_hex())
    }
}

/// A checkpoint as published, from its row.
fn published(row: store::CheckpointRow) -> AppResult<Checkpoint> {
    let bad = |what: &str| AppError::Internal(format!("checkpoint {}: {what}", row.tree_size));
    Ok(Checkpoint {
        tree_size: u64::try_from(row.tree_size).map_err(|_| bad("negative size"))?,
        totals: serde_json::from_str(&row.totals).map_err(|_| bad("stored totals"))?,
        consistency: serde_json::from_str(&row.consistency).map_err(|_| bad("stored proof"))?,
        signed_at: row.signed_at.format(CHECKPOINT_TIME).to_string(),
        root_hash: row.root_hash,
        public_key: row.public_key,
        signature: row.signature,
    })
}

/// Every checkpoint, oldest first.
pub fn checkpoints(conn: &mut DbConn) -> AppResult<Vec<Checkpoint>> {
    store::checkpoints(conn)?
        .into_iter()
        .map(published)
        .collect()
}

/// The latest signed tree head, for the transparency page and the feed.
pub fn latest_checkpoint(conn: &mut DbConn) -> AppResult<Option<Checkpoint>> {
    store::latest_checkpoint(conn)?.map(published).transpose()
}

/// The first instant of `at`'s month.
fn month_start(at: NaiveDateTime) -> NaiveDateTime {
    at.date()
        .with_day(1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(at)
}

/// True when a checkpoint is due at `now`: the log has grown since the latest one and none was
/// signed yet in `now`'s month (checkpoints close months).
pub fn checkpoint_due(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<bool> {
    let size = store::state(conn)?.map_or(0, |s| s.size);
    let latest = store::latest_checkpoint(conn)?;
    Ok(match latest {
        None => size > 0,
        Some(cp) => size > cp.tree_size && cp.signed_at < month_start(now),
    })
}

/// Signs the tree as it stands, with its totals and the consistency proof from the previous
/// checkpoint, in the caller's transaction (run it through the write unit). Refused with a
/// conflict when nothing was recorded since the latest checkpoint.
pub fn sign_checkpoint(
    conn: &mut DbConn,
    key: &InstanceKey,
    now: NaiveDateTime,
) -> AppResult<Checkpoint> {
    // The lock holds writers back while the head is taken, so size, root and totals agree.
    let state = store::state_for_update(conn, new_log_key)?;
    let frontier = frontier_of(&state)?;
    let previous = store::latest_checkpoint(conn)?;
    let previous_size = previous.as_ref().map_or(0, |p| p.tree_size);
    if frontier.size == 0 || previous_size >= frontier.size as i64 {
        return Err(AppError::Conflict(
            "nothing was recorded since the latest checkpoint".to_owned(),
        ));
    }
    let consistency: Vec<String> = span_hashes(
        conn,
        &merkle::consistency_spans(previous_size as u64, frontier.size),
    )?
    .iter()
    .map(hex::encode)
    .collect();
    let totals: BTreeMap<String, i64> = store::totals_below(conn, frontier.size as i64)?
        .into_iter()
        .collect();
    let signed_at = now.with_nanosecond(0).unwrap_or(now);
    let root_hash = hex::encode(frontier.root());
    let time = signed_at.format(CHECKPOINT_TIME).to_string();
    let statement = format::statement(frontier.size, &root_hash, &time, &totals);
    let signature = key.sign(&statement);
    let row = store::CheckpointRow {
        tree_size: frontier.size as i64,
        root_hash,
        totals: to_json(&totals)?,
        signed_at,
        public_key: key.public_hex(),
        signature,
        consistency: to_json(&consistency)?,
    };
    store::insert_checkpoint(conn, &row)?;
    published(row)
}

fn to_json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(format!("serialising: {e}")))
}

/// Why a receipt's proof cannot be given.
#[derive(Debug)]
pub enum ProofUnavailable {
    /// The receipt's entry is in the log, but no checkpoint covers it yet.
    NotSignedYet { leaf_index: u64 },
}

/// The inclusion proof of a receipt's entry against the first checkpoint that covers it.
pub fn receipt_proof(
    conn: &mut DbConn,
    number: &str,
) -> AppResult<Result<InclusionProof, ProofUnavailable>> {
    let receipt = db::receipts::find_by_number(conn, number)?
        .ok_or_else(|| AppError::not_found("receipt", number))?;
    let leaf = store::leaf_of_entry(conn, receipt.entry_id)?
        .ok_or_else(|| AppError::not_found("log leaf of receipt", number))?;
    let leaf_index = leaf.leaf_index as u64;
    let Some(checkpoint) = store::checkpoint_covering(conn, leaf.leaf_index)? else {
        return Ok(Err(ProofUnavailable::NotSignedYet { leaf_index }));
    };
    let size = checkpoint.tree_size as u64;
    let log_key = store::state(conn)?
        .map(|s| s.log_key)
        .ok_or_else(|| AppError::Internal("the log has no state".to_owned()))?;
    let row = db::ledger::find(conn, receipt.entry_id)?
        .ok_or_else(|| AppError::not_found("ledger entry", receipt.entry_id))?;
    let decoded = leaf_entry(&row, leaf_index, &log_key);
    let proof = span_hashes(conn, &merkle::inclusion_spans(leaf_index, size))?;
    Ok(Ok(InclusionProof {
        receipt: number.to_owned(),
        leaf_index,
        entry: hex::encode(decoded.encode()),
        decoded,
        proof: proof.iter().map(hex::encode).collect(),
        checkpoint: published(checkpoint)?,
    }))
}

/// The leaf index of an entry, if it is in the log.
pub fn leaf_index_of(conn: &mut DbConn, entry_id: i64) -> AppResult<Option<u64>> {
    Ok(store::leaf_of_entry(conn, entry_id)?.map(|l| l.leaf_index as u64))
}

/// What `coffer verify --database` found: one sentence per problem.
#[derive(Debug, Default)]
pub struct Recomputed {
    pub size: u64,
    pub checkpoints: usize,
    pub problems: Vec<String>,
}

/// Recomputes the whole tree from the ledger's rows and compares every leaf with the hash the
/// log recorded, every checkpoint's root and totals with the tree of its size, every
/// checkpoint's signature with `key` (or with the key it names), and the state's frontier.
pub fn recompute(conn: &mut DbConn, key: Option<&VerifyingKey>) -> AppResult<Recomputed> {
    let mut report = Recomputed::default();
    let Some(state) = store::state(conn)? else {
        let missing = store::count_entries_without_leaf(conn)?;
        if missing > 0 {
            report.problems.push(format!(
                "the log is empty but the ledger has {missing} entries"
            ));
        }
        return Ok(report);
    };
    let checkpoints = checkpoints(conn)?;
    report.checkpoints = checkpoints.len();
    let mut pseudonyms = Pseudonyms::new(&state.log_key);
    let mut due = checkpoints.iter().peekable();
    let mut frontier = Frontier::default();
    // The tree of the hashes the log recorded, which the state's frontier must match.
    let mut recorded = Frontier::default();
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    let mut previous: Option<&Checkpoint> = None;
    let check_head = |frontier: &Frontier,
                      totals: &BTreeMap<String, i64>,
                      cp: &Checkpoint,
                      previous: Option<&Checkpoint>,
                      problems: &mut Vec<String>| {
        let name = format!("checkpoint {}", cp.tree_size);
        if hex::encode(frontier.root()) != cp.root_hash {
            problems.push(format!(
                "{name}: its root does not match the ledger's rows (recomputed {})",
                hex::encode(frontier.root())
            ));
        }
        if totals != &cp.totals {
            problems.push(format!("{name}: its totals do not match the ledger's rows"));
        }
        let signer = match key {
            Some(key) => Ok(*key),
            None => format::parse_public_key(&cp.public_key),
        };
        if let Err(why) = signer.and_then(|k| cp.check_signature(&k)) {
            problems.push(format!("{name}: {why}"));
        }
        if let Some(why) = crate::verify::consistency_problem(previous, cp) {
            problems.push(format!("{name}: {why}"));
        }
    };
    while let Some(cp) = due.next_if(|cp| cp.tree_size == 0) {
        previous = Some(cp);
    }
    let mut from = 0i64;
    loop {
        let batch = store::leaves_with_entries(conn, from, CATCH_UP_BATCH)?;
        if batch.is_empty() {
            break;
        }
        for (leaf, entry) in &batch {
            recorded.append(Hash::try_from(leaf.hash.as_slice()).unwrap_or([0; 32]));
            if leaf.leaf_index != frontier.size as i64 {
                report.problems.push(format!(
                    "leaf {} is missing from the log's leaves",
                    frontier.size
                ));
            }
            let hash = match entry {
                None => {
                    report.problems.push(format!(
                        "ledger entry {} (leaf {}): missing from the ledger (deleted)",
                        leaf.entry_id, leaf.leaf_index
                    ));
                    // Keep the recorded hash so the rest of the tree still compares.
                    Hash::try_from(leaf.hash.as_slice()).unwrap_or([0; 32])
                }
                Some(row) => {
                    let hash = merkle::leaf_hash(
                        &pseudonyms.leaf_entry(row, leaf.leaf_index as u64).encode(),
                    );
                    if hash.as_slice() != leaf.hash.as_slice() {
                        report.problems.push(format!(
                            "ledger entry {} (leaf {}): its row differs from what the log recorded",
                            row.id, leaf.leaf_index
                        ));
                    }
                    let total = totals.entry(row.currency.clone()).or_default();
                    *total = total.saturating_add(row.amount);
                    hash
                }
            };
            frontier.append(hash);
            while let Some(cp) = due.next_if(|cp| cp.tree_size == frontier.size) {
                check_head(&frontier, &totals, cp, previous, &mut report.problems);
                previous = Some(cp);
            }
        }
        from += CATCH_UP_BATCH;
    }
    for cp in due {
        report.problems.push(format!(
            "checkpoint {}: the log has only {} leaves",
            cp.tree_size, frontier.size
        ));
    }
    if recorded.size as i64 != state.size || recorded.to_bytes() != state.frontier {
        report.problems.push(format!(
            "the log's state (size {}) does not match its recorded leaves (size {})",
            state.size, recorded.size
        ));
    }
    let missing = store::count_entries_without_leaf(conn)?;
    if missing > 0 {
        report.problems.push(format!(
            "{missing} ledger entries are not in the log (written around Coffer)"
        ));
    }
    report.size = frontier.size;
    Ok(report)
}

/// Seconds between the checkpoint task's looks at the calendar.
pub const CHECKPOINT_POLL: std::time::Duration = std::time::Duration::from_secs(600);

#[cfg(test)]
mod cache_tests {
    use super::*;

    #[test]
    fn the_empty_memos_hash_is_sha256_of_nothing() {
        assert_eq!(
            memo_hash(""),
            hex::encode(Sha256::digest(b"")),
            "the precomputed constant"
        );
        assert_eq!(memo_hash("abc"), hex::encode(Sha256::digest(b"abc")));
    }

    #[test]
    fn cached_pseudonyms_are_the_keyed_hmac() {
        let key = b"a log key";
        let mut cache = Pseudonyms::new(key);
        assert_eq!(cache.of(7), pseudonym(key, 7));
        assert_eq!(cache.of(7), pseudonym(key, 7), "again, from the cache");
        assert_ne!(cache.of(8), cache.of(7));
    }
}
