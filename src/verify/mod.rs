//! The verifiers of the books (`coffer verify`, `coffer verify-receipt`): they read only the
//! published formats ([`format`]) and check them with RFC 9162's algorithms ([`merkle`]), so
//! anyone can run them against any Coffer without trusting it. docs/verify.md describes the same
//! steps for verifiers in other languages.

pub mod format;
pub mod merkle;

use ed25519_dalek::VerifyingKey;

use format::{Checkpoint, CheckpointList, InclusionProof, LeafEntry};

/// Why `checkpoint` does not extend `previous` (or the empty tree, when there is none).
pub fn consistency_problem(
    previous: Option<&Checkpoint>,
    checkpoint: &Checkpoint,
) -> Option<String> {
    let (old, old_root) = match previous {
        Some(p) => match p.root() {
            Ok(root) => (p.tree_size, root),
            Err(why) => return Some(why),
        },
        None => (0, merkle::empty_root()),
    };
    let check = || -> Result<(), String> {
        let proof = format::parse_hashes(&checkpoint.consistency)?;
        merkle::verify_consistency(
            old,
            checkpoint.tree_size,
            &old_root,
            &checkpoint.root()?,
            &proof,
        )
        .map_err(|e| e.to_string())
    };
    check()
        .err()
        .map(|why| format!("its consistency proof from checkpoint {old} fails: {why}"))
}

/// Every signature and every consistency proof between consecutive checkpoints; one sentence
/// per failure, each naming the checkpoint.
pub fn check_checkpoints(list: &CheckpointList, key: &VerifyingKey) -> Vec<String> {
    let mut problems = Vec::new();
    let mut previous: Option<&Checkpoint> = None;
    for checkpoint in &list.checkpoints {
        let name = format!("checkpoint {}", checkpoint.tree_size);
        if let Err(why) = checkpoint.check_signature(key) {
            problems.push(format!("{name}: {why}"));
        }
        if previous.is_some_and(|p| p.tree_size >= checkpoint.tree_size) {
            problems.push(format!("{name}: it does not grow the log"));
        } else if let Some(why) = consistency_problem(previous, checkpoint) {
            problems.push(format!("{name}: {why}"));
        }
        previous = Some(checkpoint);
    }
    problems
}

/// Checks a receipt's proof: the entry's leaf is in the signed checkpoint. Returns the entry.
pub fn check_inclusion(
    proof: &InclusionProof,
    key: &VerifyingKey,
) -> Result<LeafEntry, Vec<String>> {
    let mut problems = Vec::new();
    let checkpoint = &proof.checkpoint;
    if let Err(why) = checkpoint.check_signature(key) {
        problems.push(format!("checkpoint {}: {why}", checkpoint.tree_size));
    }
    let entry = hex::decode(&proof.entry).ok();
    let decoded = entry.as_deref().and_then(LeafEntry::decode);
    match (&entry, &decoded) {
        (Some(_), Some(decoded)) if decoded.sequence == proof.leaf_index => {}
        (Some(_), Some(_)) => {
            problems.push("the entry's sequence is not its leaf index".to_owned())
        }
        _ => problems.push("the proof's entry is not a Coffer ledger entry".to_owned()),
    }
    if let (Some(bytes), Ok(root), Ok(path)) = (
        &entry,
        checkpoint.root(),
        format::parse_hashes(&proof.proof),
    ) {
        if let Err(why) = merkle::verify_inclusion(
            proof.leaf_index,
            checkpoint.tree_size,
            &merkle::leaf_hash(bytes),
            &path,
            &root,
        ) {
            problems.push(format!(
                "leaf {} is not in checkpoint {}: {why}",
                proof.leaf_index, checkpoint.tree_size
            ));
        }
    } else {
        problems.push("the proof's hashes are not hex SHA-256 hashes".to_owned());
    }
    match (decoded, problems.is_empty()) {
        (Some(decoded), true) => Ok(decoded),
        _ => Err(problems),
    }
}

/// A public key given as 64 hex characters, or as a file holding them.
pub fn read_public_key(key: &str) -> Result<VerifyingKey, String> {
    if let Ok(key) = format::parse_public_key(key) {
        return Ok(key);
    }
    let text =
        std::fs::read_to_string(key).map_err(|e| format!("cannot read the key {key}: {e}"))?;
    format::parse_public_key(&text).map_err(|why| format!("{key}: {why}"))
}

/// The bytes at a URL (`http://` or `https://`, one GET) or in a file.
pub fn read_source(source: &str) -> Result<Vec<u8>, String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        http_get(source)
    } else {
        std::fs::read(source).map_err(|e| format!("cannot read {source}: {e}"))
    }
}

/// How long a verifier waits for a server, for the answer and for its body each.
const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// One GET of what a receipt or the operator names, over `http://` or `https://` (rustls with
/// the Mozilla roots, as the Stripe client uses); 2xx bodies only, else the server's JSON error
/// message in the one line. Runs on a thread of its own with its own small runtime, so that it
/// can be called from synchronous code inside or outside a runtime.
pub fn http_get(url: &str) -> Result<Vec<u8>, String> {
    let owned = url.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("{owned}: {e}"))?;
        runtime.block_on(fetch(&owned))
    })
    .join()
    .map_err(|_| format!("{url}: the request failed"))?
}

async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;

    let uri: hyper::Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, Empty<Bytes>>(connector);
    let request = hyper::Request::get(uri)
        .header(hyper::header::ACCEPT, "application/json")
        .header(
            hyper::header::USER_AGENT,
            concat!("coffer-verify/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::new())
        .map_err(|e| format!("{url}: {e}"))?;
    let timed_out = || format!("{url}: no answer within {} s", FETCH_TIMEOUT.as_secs());
    let response = tokio::time::timeout(FETCH_TIMEOUT, client.request(request))
        .await
        .map_err(|_| timed_out())?
        .map_err(|e| format!("{url}: {}", with_causes(&e)))?;
    let status = response.status();
    let body = tokio::time::timeout(FETCH_TIMEOUT, response.into_body().collect())
        .await
        .map_err(|_| timed_out())?
        .map_err(|e| format!("{url}: {}", with_causes(&e)))?
        .to_bytes();
    if !status.is_success() {
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_default();
        return Err(format!("{url}: HTTP {} {message}", status.as_u16())
            .trim_end()
            .to_owned());
    }
    Ok(body.to_vec())
}

/// An error with its causes, `a: b: c`: hyper's own message ("client error (Connect)") says
/// little without them.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The header a receipt's mail carries with the link to its proof.
pub const PROOF_HEADER: &str = "X-Coffer-Ledger-Proof";

/// The proof link a receipt's `.eml` names in its [`PROOF_HEADER`].
pub fn proof_link_in_mail(eml: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(eml);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let head = head.split("\n\n").next().unwrap_or_default();
    let wanted = format!("{}:", PROOF_HEADER.to_ascii_lowercase());
    head.lines()
        .find(|line| line.to_ascii_lowercase().starts_with(&wanted))
        .map(|line| line[wanted.len()..].trim().to_owned())
        .ok_or_else(|| format!("the mail has no {PROOF_HEADER} header: it is not a receipt Coffer sent with a proof link"))
}

#[cfg(test)]
mod vector {
    //! The published test vector (`tests/fixtures/verify/vector.json`, described in
    //! docs/verify.md): entries, their bytes and leaf hashes, the roots of every prefix, an
    //! inclusion proof and a consistency proof. `COFFER_UPDATE_SNAPSHOTS=1` rewrites it.
    use serde_json::{json, Value};

    use super::format::LeafEntry;
    use super::merkle::{self, Hash};

    const PATH: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/verify/vector.json"
    );

    fn entries() -> Vec<LeafEntry> {
        let memo = |m: &str| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(m.as_bytes()));
        let kinds = [
            "donation",
            "donation",
            "fee",
            "expense",
            "refund",
            "donation",
            "correction",
        ];
        kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| LeafEntry {
                sequence: i as u64,
                entry_id: i as i64 + 1,
                kind: (*kind).to_owned(),
                amount: match *kind {
                    "donation" => 5000 + i as i64 * 100,
                    "correction" => 250,
                    _ => -(120 + i as i64),
                },
                currency: if i == 5 { "JPY" } else { "EUR" }.to_owned(),
                occurred_at: format!("2026-11-{:02}T10:00:00.000000Z", i + 1),
                recorded_at: format!("2026-11-{:02}T10:00:00.250000Z", i + 1),
                source: if *kind == "fee" { "stripe" } else { "bank" }.to_owned(),
                external_ref: (i % 2 == 0).then(|| format!("ref-{i}")),
                reverses: (*kind == "refund").then_some(1),
                category: (*kind == "expense").then(|| "hosting".to_owned()),
                pledge_id: (i == 1).then_some(3),
                donor: matches!(*kind, "donation" | "refund")
                    .then(|| crate::ledger::log::pseudonym(b"test-vector-log-key", 42)),
                memo_sha256: memo(if i == 0 { "Thanks!" } else { "" }),
            })
            .collect()
    }

    fn build() -> Value {
        let entries = entries();
        let leaves: Vec<Hash> = entries
            .iter()
            .map(|e| merkle::leaf_hash(&e.encode()))
            .collect();
        let roots: Vec<String> = (0..=leaves.len())
            .map(|n| hex::encode(merkle::root_of(&leaves[..n])))
            .collect();
        let span_hash = |s: merkle::Span| {
            hex::encode(merkle::root_of(&leaves[s.start as usize..s.end as usize]))
        };
        json!({
            "description": "Coffer's verifiable books test vector: see docs/verify.md",
            "log_key_hex": hex::encode(b"test-vector-log-key"),
            "entries": entries.iter().map(|e| json!({
                "fields": e,
                "encoded": hex::encode(e.encode()),
                "leaf_hash": hex::encode(merkle::leaf_hash(&e.encode())),
            })).collect::<Vec<_>>(),
            "roots_by_size": roots,
            "inclusion": {"leaf_index": 2, "tree_size": 7,
                "proof": merkle::inclusion_spans(2, 7).into_iter().map(span_hash).collect::<Vec<_>>()},
            "consistency": {"from": 3, "to": 7,
                "proof": merkle::consistency_spans(3, 7).into_iter().map(span_hash).collect::<Vec<_>>()},
        })
    }

    #[test]
    fn coffer_matches_the_published_test_vector() {
        let built = build();
        if std::env::var_os("COFFER_UPDATE_SNAPSHOTS").is_some() {
            let text = serde_json::to_string_pretty(&built).expect("json");
            std::fs::write(PATH, text + "\n").expect("write the vector");
        }
        let published: Value =
            serde_json::from_str(&std::fs::read_to_string(PATH).expect("the vector"))
                .expect("json");
        assert_eq!(published, built);
        // And the vector's proofs verify as a verifier in another language would check them.
        let hash = |v: &Value| super::format::parse_hash(v.as_str().expect("hex")).expect("hash");
        let roots = published["roots_by_size"].as_array().expect("roots");
        let leaf = hash(&published["entries"][2]["leaf_hash"]);
        let proof: Vec<Hash> = published["inclusion"]["proof"]
            .as_array()
            .expect("proof")
            .iter()
            .map(hash)
            .collect();
        assert_eq!(
            merkle::verify_inclusion(2, 7, &leaf, &proof, &hash(&roots[7])),
            Ok(())
        );
        let proof: Vec<Hash> = published["consistency"]["proof"]
            .as_array()
            .expect("proof")
            .iter()
            .map(hash)
            .collect();
        assert_eq!(
            merkle::verify_consistency(3, 7, &hash(&roots[3]), &hash(&roots[7]), &proof),
            Ok(())
        );
    }
}
