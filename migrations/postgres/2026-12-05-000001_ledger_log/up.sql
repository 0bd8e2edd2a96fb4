-- Verifiable books (docs/verify.md): every ledger entry is a leaf of an RFC 9162 Merkle tree,
-- in the order it was recorded. The leaves and the complete subtrees' hashes are kept so that
-- proofs are read, not recomputed; the frontier (one hash per level) lets an append cost
-- O(log n). Checkpoints are signed tree heads; like the ledger, they are only ever added.
CREATE TABLE ledger_log_leaves (
    leaf_index BIGINT PRIMARY KEY NOT NULL,
    entry_id BIGINT NOT NULL UNIQUE,
    hash BYTEA NOT NULL
);

-- The hash of the complete subtree at (level >= 1, index), as position = level * 2^48 + index.
CREATE TABLE ledger_log_nodes (
    position BIGINT PRIMARY KEY NOT NULL,
    hash BYTEA NOT NULL
);

-- One row (id = 1): the tree's size, its frontier and the key of the donors' pseudonyms.
-- Writers lock it for the length of their transaction, which orders the leaves.
CREATE TABLE ledger_log_state (
    id INTEGER PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL,
    frontier BYTEA NOT NULL,
    log_key BYTEA NOT NULL
);

CREATE TABLE ledger_checkpoints (
    tree_size BIGINT PRIMARY KEY NOT NULL,
    root_hash TEXT NOT NULL,
    totals TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL,
    consistency TEXT NOT NULL
);

-- Like the ledger, the log and its checkpoints are only ever added to.
CREATE TRIGGER ledger_log_leaves_refuse_change BEFORE UPDATE OR DELETE ON ledger_log_leaves
    FOR EACH ROW EXECUTE FUNCTION coffer_refuse_ledger_change();
CREATE TRIGGER ledger_checkpoints_refuse_change BEFORE UPDATE OR DELETE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION coffer_refuse_ledger_change();
