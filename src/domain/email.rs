//! Email addresses, checked enough to catch typos (delivery is the real test).

use std::fmt;

use super::{is_domain, DomainError};

/// A plausible email address with a lowercased domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        let invalid = || DomainError::Email(trimmed.to_owned());
        if trimmed.len() > 254 {
            return Err(invalid());
        }
        let (local, domain) = trimmed.split_once('@').ok_or_else(invalid)?;
        let domain = domain.to_ascii_lowercase();
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.chars().any(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(c, '@' | '<' | '>' | '"' | ',' | ';')
            });
        if !local_ok || !is_domain(&domain) {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_addresses() {
        assert_eq!(
            Email::parse(" Ada@Mail.Example ").unwrap().as_str(),
            "Ada@mail.example"
        );
        assert!(Email::parse("a+tag@sub.domain.example").is_ok());
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@mail.example",
            "ada@localhost",
            "a b@mail.example",
            "a@b@c.example",
            "<a>@mail.example",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Email::parse("nope").unwrap_err().to_string(),
            "“nope” is not an email address"
        );
    }
}
