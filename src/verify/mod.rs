//! The verifiers of the books (`coffer verify`, `coffer verify-receipt`): they read only the
//! published formats ([`format`]) and check them with RFC 9162's algorithms ([`merkle`]), so
//! anyone can run them against any Coffer without trusting it. docs/verify.md describes the same
//! steps for verifiers in other languages.

pub mod format;
pub mod merkle;

use std::io::{Read, Write};

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

/// The bytes at a URL (plain `http://`, one GET) or in a file.
pub fn read_source(source: &str) -> Result<Vec<u8>, String> {
    if source.starts_with("http://") {
        http_get(source)
    } else if source.starts_with("https://") {
        Err(format!(
            "{source}: only http:// URLs are fetched; save the document and pass its file"
        ))
    } else {
        std::fs::read(source).map_err(|e| format!("cannot read {source}: {e}"))
    }
}

/// A plain HTTP/1.1 GET of what a receipt or the operator names; 2xx bodies only.
pub fn http_get(url: &str) -> Result<Vec<u8>, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
    let host = parsed.host_str().ok_or_else(|| format!("{url}: no host"))?;
    let port = parsed.port_or_known_default().unwrap_or(80);
    let mut path = parsed.path().to_owned();
    if let Some(query) = parsed.query() {
        path.push('?');
        path.push_str(query);
    }
    let fail = |e: std::io::Error| format!("{url}: {e}");
    let mut stream = std::net::TcpStream::connect((host, port)).map_err(fail)?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .map_err(fail)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
    )
    .map_err(fail)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(fail)?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("{url}: not an HTTP response"))?;
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let body = response[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{url}: not an HTTP response"))?;
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked {
        dechunk(&body).ok_or_else(|| format!("{url}: a broken chunked body"))?
    } else {
        body
    };
    if !(200..300).contains(&status) {
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_default();
        return Err(format!("{url}: HTTP {status} {message}")
            .trim_end()
            .to_owned());
    }
    Ok(body)
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
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
