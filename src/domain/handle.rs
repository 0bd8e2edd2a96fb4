//! Fediverse handles: `@user@host`, normalised, linking to the profile.

use std::fmt;

use super::{is_domain, DomainError};

/// A handle like `@alice@example.social`; the host is lowercased, the user kept as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FediverseHandle {
    user: String,
    host: String,
    full: String,
}

impl FediverseHandle {
    /// Accepts `@user@host` or `user@host`.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        let invalid = || DomainError::Handle(trimmed.to_owned());
        let rest = trimmed.strip_prefix('@').unwrap_or(trimmed);
        let (user, host) = rest.split_once('@').ok_or_else(invalid)?;
        let host = host.to_ascii_lowercase();
        let user_ok = !user.is_empty()
            && user.len() <= 64
            && user
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            && !user.starts_with(['.', '-'])
            && !user.ends_with(['.', '-']);
        if !user_ok || !is_domain(&host) {
            return Err(invalid());
        }
        Ok(Self {
            full: format!("@{user}@{host}"),
            user: user.to_owned(),
            host,
        })
    }

    /// The handle as shown: `@user@host`.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The profile page on the user's own server (Mastodon's `/@user` form).
    pub fn profile_url(&self) -> String {
        format!("https://{}/@{}", self.host, self.user)
    }
}

impl fmt::Display for FediverseHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_links_to_the_profile() {
        let handle = FediverseHandle::parse(" Alice_B@Social.Example ").unwrap();
        assert_eq!(handle.as_str(), "@Alice_B@social.example");
        assert_eq!(handle.profile_url(), "https://social.example/@Alice_B");
        assert_eq!(
            FediverseHandle::parse("@alice@social.example").unwrap(),
            FediverseHandle::parse("alice@SOCIAL.example").unwrap()
        );
    }

    #[test]
    fn refuses_what_is_not_a_handle() {
        for bad in [
            "",
            "alice",
            "@alice",
            "@@social.example",
            "@alice@",
            "@alice@localhost",
            "@al ice@social.example",
            "@alice@social.example:8080",
            "@alice@evil.example/path",
            "@.alice@social.example",
        ] {
            assert!(FediverseHandle::parse(bad).is_err(), "{bad}");
        }
    }
}
