//! Pure domain types and rules: no diesel, no actix. Values here cannot be invalid once built.

mod email;
mod handle;
mod money;
mod pledge;
mod proxies;
mod tier;
mod visibility;
mod web_url;

pub use email::Email;
pub use handle::FediverseHandle;
pub use money::{Currency, Money, MoneyError, Total, TypedAmount};
pub use pledge::{EntryKind, Interval, PledgeStatus, Role, Source};
pub use proxies::{canonical as canonical_ip, ProxyListError, TrustedProxies};
pub use tier::{monthly_support, resolve_tier, OneTimeGift, PledgeFacts, TierThreshold};
pub use visibility::{shown_fields, Consent, Perk, PerkSet};
pub use web_url::WebUrl;

/// The independence statement, shown on the wall, the donation page and every receipt.
pub const INDEPENDENCE_STATEMENT: &str = "Sponsorship does not buy influence: sponsors get no say in moderation, rules or who may post here. Perks are display only: a listed name, a logo, a link and a fediverse handle.";

/// Why a value typed by a person is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("“{0}” is not an email address")]
    Email(String),
    #[error("“{0}” is not a fediverse handle like @alice@example.social")]
    Handle(String),
    #[error("“{0}” is not a web address starting with http:// or https://")]
    Url(String),
    #[error("“{value}” is not one of: {allowed}")]
    NotOneOf {
        value: String,
        allowed: &'static str,
    },
}

/// The OpenAPI schema of a closed vocabulary: a string that is exactly one of `values`.
pub(crate) fn string_enum(
    values: &[&str],
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.iter().copied()))
        .into()
}

/// Lowercase DNS name with at least one dot, labels of letters, digits and inner dashes.
pub(crate) fn is_domain(host: &str) -> bool {
    host.len() <= 253
        && host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}
