//! Donors' self-service links: `/donate/manage/<donor>.<expires>.<hmac>`, signed with
//! `COFFER_SECRET_KEY` and valid for [`LINK_LIFETIME`]. Whoever holds one may change that donor's
//! visibility and cancel their recurring pledge, nothing else; so the link is sent only to the
//! donor's own address (with receipts, or on request from `/donate/manage`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::i18n::Lang;

/// How long a link works.
pub const LINK_LIFETIME: chrono::Duration = chrono::Duration::days(7);

/// A self-service token for a donor, valid until `expires` (Unix seconds).
pub fn sign(key: &[u8], donor_id: i64, expires: i64) -> String {
    format!("{donor_id}.{expires}.{}", signature(key, donor_id, expires))
}

fn signature(key: &[u8], donor_id: i64, expires: i64) -> String {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(format!("manage:{donor_id}.{expires}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The donor a token names, when its signature holds and it has not expired.
pub fn verify(key: &[u8], token: &str, now: i64) -> Option<i64> {
    let mut parts = token.splitn(3, '.');
    let donor_id: i64 = parts.next()?.parse().ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    let given = hex::decode(parts.next()?).ok()?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    mac.update(format!("manage:{donor_id}.{expires}").as_bytes());
    // Constant-time comparison.
    mac.verify_slice(&given).ok()?;
    (now <= expires).then_some(donor_id)
}

/// The full link for a donor, working for [`LINK_LIFETIME`] from `now`.
pub fn link(
    public_url: &str,
    key: &[u8],
    donor_id: i64,
    lang: Lang,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let expires = (now + LINK_LIFETIME).timestamp();
    format!(
        "{}/donate/manage/{}?lang={}",
        public_url.trim_end_matches('/'),
        sign(key, donor_id, expires),
        lang.tag()
    )
}
