//! RFC 9162 Merkle trees: hashing, the incremental frontier, and inclusion and consistency
//! proofs, both their shape (which subtrees a proof names) and their verification. Pure: no
//! database, no I/O.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 ‖ entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(entry)
        .finalize()
        .into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// The root of the empty tree: `SHA-256()`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The root of a tree over the given leaf hashes, computed as RFC 9162 defines it (for tests
/// and for recomputing a whole tree; [`Frontier`] is the incremental way).
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n as u64) as usize;
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// The largest power of two smaller than `n` (n ≥ 2).
pub fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// A complete subtree: `2^level` leaves starting at leaf `index * 2^level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    pub level: u32,
    pub index: u64,
}

/// The roots of the complete subtrees that make up a tree of `size` leaves, largest (leftmost)
/// first: one hash per set bit of `size`. Appending costs O(log n) and yields the complete
/// subtrees the new leaf closes, which a store keeps to answer proofs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    pub size: u64,
    pub hashes: Vec<Hash>,
}

impl Frontier {
    /// Appends a leaf hash; returns the complete subtrees of level ≥ 1 it closed, lowest first.
    pub fn append(&mut self, leaf: Hash) -> Vec<(Node, Hash)> {
        let mut closed = Vec::new();
        let mut carry = leaf;
        let mut index = self.size;
        let mut level = 0;
        while index & 1 == 1 {
            let Some(left) = self.hashes.pop() else { break };
            carry = node_hash(&left, &carry);
            index >>= 1;
            level += 1;
            closed.push((Node { level, index }, carry));
        }
        self.hashes.push(carry);
        self.size += 1;
        closed
    }

    /// The tree's root.
    pub fn root(&self) -> Hash {
        let mut hashes = self.hashes.iter().rev();
        match hashes.next() {
            None => empty_root(),
            Some(last) => hashes.fold(*last, |right, left| node_hash(left, &right)),
        }
    }

    /// The frontier as stored: its hashes one after another.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.hashes.concat()
    }

    /// The frontier of a tree of `size` leaves from its stored bytes.
    pub fn from_bytes(size: u64, bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 32 * size.count_ones() as usize {
            return None;
        }
        let hashes = bytes
            .chunks_exact(32)
            .map(|c| c.try_into().ok())
            .collect::<Option<Vec<Hash>>>()?;
        Some(Self { size, hashes })
    }
}

/// A range of leaves `[start, end)` whose hash a proof carries (RFC 9162's `MTH(D[start:end])`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u64,
    pub end: u64,
}

impl Span {
    /// The complete subtrees whose right fold is this span's hash, left to right.
    pub fn nodes(self) -> Vec<Node> {
        let mut nodes = Vec::new();
        let mut at = self.start;
        while at < self.end {
            let mut level = if at == 0 { 63 } else { at.trailing_zeros() };
            while level > 0 && at + (1u64 << level) > self.end {
                level -= 1;
            }
            nodes.push(Node {
                level,
                index: at >> level,
            });
            at += 1u64 << level;
        }
        nodes
    }
}

/// The hash of a span from the hashes of its [`Span::nodes`], in the same order.
pub fn fold_span(hashes: &[Hash]) -> Option<Hash> {
    let mut iter = hashes.iter().rev();
    let last = *iter.next()?;
    Some(iter.fold(last, |right, left| node_hash(left, &right)))
}

/// The spans of the inclusion proof of leaf `index` in a tree of `size` (RFC 9162 §2.1.3.1),
/// from the leaf upwards.
pub fn inclusion_spans(index: u64, size: u64) -> Vec<Span> {
    fn path(m: u64, start: u64, end: u64, out: &mut Vec<Span>) {
        if end - start <= 1 {
            return;
        }
        let k = split(end - start);
        if m < start + k {
            path(m, start, start + k, out);
            out.push(Span {
                start: start + k,
                end,
            });
        } else {
            path(m, start + k, end, out);
            out.push(Span {
                start,
                end: start + k,
            });
        }
    }
    let mut out = Vec::new();
    if index < size {
        path(index, 0, size, &mut out);
    }
    out
}

/// The spans of the consistency proof from a tree of `old` leaves to one of `new` (RFC 9162
/// §2.1.4.1).
pub fn consistency_spans(old: u64, new: u64) -> Vec<Span> {
    fn subproof(m: u64, start: u64, end: u64, whole: bool, out: &mut Vec<Span>) {
        let n = end - start;
        if m == n {
            if !whole {
                out.push(Span { start, end });
            }
            return;
        }
        let k = split(n);
        if m <= k {
            subproof(m, start, start + k, whole, out);
            out.push(Span {
                start: start + k,
                end,
            });
        } else {
            subproof(m - k, start + k, end, false, out);
            out.push(Span {
                start,
                end: start + k,
            });
        }
    }
    let mut out = Vec::new();
    if 0 < old && old < new {
        subproof(old, 0, new, true, &mut out);
    }
    out
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf {index} is not in a tree of {size} leaves")]
    OutOfRange { index: u64, size: u64 },
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof leads to another root")]
    RootMismatch,
    #[error("a tree of {new} leaves cannot extend one of {old}")]
    Shrinks { old: u64, new: u64 },
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange { index, size });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `new` leaves with root `new_root` extends the tree of `old` leaves
/// with root `old_root` (RFC 9162 §2.1.4.2). An empty old tree is extended by every tree.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::Shrinks { old, new });
    }
    if old == new {
        return match (proof.is_empty(), old_root == new_root) {
            (false, _) => Err(ProofError::WrongLength),
            (true, false) => Err(ProofError::RootMismatch),
            (true, true) => Ok(()),
        };
    }
    if old == 0 {
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(ProofError::WrongLength)
        };
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength);
    };
    let (mut fn_, mut sn) = (old - 1, new - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr != old_root || &sr != new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// A proof's hashes straight from the leaves, for checking the shapes.
    fn span_hash(all: &[Hash], span: Span) -> Hash {
        root_of(&all[span.start as usize..span.end as usize])
    }

    #[test]
    fn the_empty_tree_is_the_hash_of_nothing() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn the_frontier_gives_the_root_of_every_size_and_spans_fold_from_its_nodes() {
        let all = leaves(70);
        let mut frontier = Frontier::default();
        let mut nodes = std::collections::HashMap::new();
        for (i, leaf) in all.iter().enumerate() {
            nodes.insert(
                Node {
                    level: 0,
                    index: i as u64,
                },
                *leaf,
            );
            for (node, hash) in frontier.append(*leaf) {
                nodes.insert(node, hash);
            }
            assert_eq!(frontier.root(), root_of(&all[..=i]), "size {}", i + 1);
            let again = Frontier::from_bytes(frontier.size, &frontier.to_bytes());
            assert_eq!(again.as_ref(), Some(&frontier));
        }
        for size in 1..=70u64 {
            for index in 0..size {
                for span in inclusion_spans(index, size) {
                    let hashes: Vec<Hash> = span.nodes().iter().map(|n| nodes[n]).collect();
                    assert_eq!(fold_span(&hashes), Some(span_hash(&all, span)));
                }
            }
        }
    }

    #[test]
    fn inclusion_and_consistency_proofs_verify_and_fail_when_changed() {
        let all = leaves(40);
        for size in 1..=40u64 {
            let root = root_of(&all[..size as usize]);
            for index in 0..size {
                let proof: Vec<Hash> = inclusion_spans(index, size)
                    .into_iter()
                    .map(|s| span_hash(&all, s))
                    .collect();
                let leaf = all[index as usize];
                assert_eq!(verify_inclusion(index, size, &leaf, &proof, &root), Ok(()));
                assert!(
                    verify_inclusion(index, size, &all[0], &proof, &root).is_err() || index == 0
                );
                if let Some(first) = proof.first() {
                    let mut changed = proof.clone();
                    changed[0] = node_hash(first, first);
                    assert!(verify_inclusion(index, size, &leaf, &changed, &root).is_err());
                }
            }
            for old in 1..=size {
                let old_root = root_of(&all[..old as usize]);
                let proof: Vec<Hash> = consistency_spans(old, size)
                    .into_iter()
                    .map(|s| span_hash(&all, s))
                    .collect();
                assert_eq!(
                    verify_consistency(old, size, &old_root, &root, &proof),
                    Ok(()),
                    "{old} → {size}"
                );
                let forged = leaf_hash(b"forged");
                if old < size {
                    assert!(verify_consistency(old, size, &forged, &root, &proof).is_err());
                    assert!(verify_consistency(old, size, &old_root, &forged, &proof).is_err());
                }
            }
        }
    }
}
