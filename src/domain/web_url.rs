//! Web addresses donors link to: http or https only, never `javascript:` or credentials.

use std::fmt;

use super::DomainError;

/// An absolute http(s) URL with a host and no user info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(url::Url);

impl WebUrl {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        let invalid = || DomainError::Url(trimmed.to_owned());
        if trimmed.len() > 2048 {
            return Err(invalid());
        }
        let url = url::Url::parse(trimmed).map_err(|_| invalid())?;
        let ok = matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some_and(|h| !h.is_empty())
            && url.username().is_empty()
            && url.password().is_none();
        if ok {
            Ok(Self(url))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_web_addresses() {
        assert_eq!(
            WebUrl::parse("https://ada.example").unwrap().as_str(),
            "https://ada.example/"
        );
        assert!(WebUrl::parse("http://ada.example/shop?x=1").is_ok());
    }

    #[test]
    fn refuses_other_schemes_and_credentials() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,hi",
            "ftp://ada.example",
            "https://user:pw@ada.example",
            "ada.example",
            "",
            "https://",
        ] {
            assert!(WebUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
