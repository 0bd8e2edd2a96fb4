//! Settings from the environment (`COFFER_*`), optionally loaded from a `.env` file.
//! Secrets are kept out of `Debug` so they never reach a log.

use std::fmt;

use crate::db::DatabaseUrl;
use crate::domain::{Currency, TrustedProxies, WebUrl};

/// Everything Coffer reads from its environment.
#[derive(Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: String,
    pub public_url: String,
    pub instance_name: String,
    pub currency: Currency,
    pub secret_key: Option<String>,
    pub stripe_secret_key: Option<String>,
    pub stripe_webhook_secret: Option<String>,
    pub stripe_api_base: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    /// A console session unused this long ends (`COFFER_SESSION_IDLE_SECONDS`, default 30 min).
    pub session_idle: std::time::Duration,
    /// A console session this old ends however busy (`COFFER_SESSION_MAX_SECONDS`, default 12 h).
    pub session_lifetime: std::time::Duration,
    /// Proxies whose forwarding headers are believed (`COFFER_TRUSTED_PROXIES`; none by default).
    pub trusted_proxies: TrustedProxies,
    /// The instance's Ed25519 key that signs the ledger's checkpoints (`COFFER_SIGNING_KEY_FILE`,
    /// a file from `coffer keygen`); no checkpoints are signed without it.
    pub signing_key_file: Option<std::path::PathBuf>,
}

/// The shortest `COFFER_SECRET_KEY` the console accepts.
pub const MIN_SECRET_KEY_BYTES: usize = 32;

/// A setting that could not be used, named so the operator can fix it.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

impl Settings {
    /// Reads the process environment, after loading `.env` from the working folder if present.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is worth a warning but not a refusal.
        if let Err(err) = dotenvy::dotenv() {
            if !err.not_found() {
                tracing::warn!("ignoring .env: {err}");
            }
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds settings from any source of variables (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let database_url =
            get("COFFER_DATABASE_URL").unwrap_or_else(|| "sqlite://data/coffer.sqlite3".to_owned());
        let database_url = DatabaseUrl::parse(&database_url).map_err(|e| ConfigError {
            name: "COFFER_DATABASE_URL",
            message: e.to_string(),
        })?;
        let bind = get("COFFER_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        if bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError {
                name: "COFFER_BIND",
                message: format!("“{bind}” is not an address and port like 127.0.0.1:8080"),
            });
        }
        let public_url = match get("COFFER_PUBLIC_URL") {
            Some(url) => WebUrl::parse(&url)
                .map_err(|e| ConfigError {
                    name: "COFFER_PUBLIC_URL",
                    message: e.to_string(),
                })?
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
            None => format!("http://{bind}"),
        };
        let currency = match get("COFFER_CURRENCY") {
            Some(code) => Currency::parse(&code).map_err(|e| ConfigError {
                name: "COFFER_CURRENCY",
                message: e.to_string(),
            })?,
            None => Currency::EUR,
        };
        let seconds = |name: &'static str, default: u64| match get(name) {
            None => Ok(std::time::Duration::from_secs(default)),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=30 * 24 * 3600).contains(s))
                .map(std::time::Duration::from_secs)
                .ok_or_else(|| ConfigError {
                    name,
                    message: format!("“{v}” is not a number of seconds from 1 to 2592000"),
                }),
        };
        let session_idle = seconds("COFFER_SESSION_IDLE_SECONDS", 30 * 60)?;
        let session_lifetime = seconds("COFFER_SESSION_MAX_SECONDS", 12 * 3600)?;
        let trusted_proxies = TrustedProxies::parse(
            &get("COFFER_TRUSTED_PROXIES").unwrap_or_default(),
        )
        .map_err(|e| ConfigError {
            name: "COFFER_TRUSTED_PROXIES",
            message: e.to_string(),
        })?;
        Ok(Self {
            trusted_proxies,
            session_idle,
            session_lifetime,
            database_url,
            bind,
            public_url,
            instance_name: get("COFFER_INSTANCE_NAME").unwrap_or_else(|| "our instance".to_owned()),
            currency,
            secret_key: get("COFFER_SECRET_KEY"),
            stripe_secret_key: get("COFFER_STRIPE_SECRET_KEY"),
            stripe_webhook_secret: get("COFFER_STRIPE_WEBHOOK_SECRET"),
            stripe_api_base: get("COFFER_STRIPE_API_BASE"),
            smtp_url: get("COFFER_SMTP_URL"),
            mail_from: get("COFFER_MAIL_FROM"),
            signing_key_file: get("COFFER_SIGNING_KEY_FILE").map(std::path::PathBuf::from),
        })
    }
}

impl Settings {
    /// The console's secret key, refused when missing or shorter than 32 bytes.
    pub fn console_key(&self) -> Result<&[u8], ConfigError> {
        match &self.secret_key {
            Some(key) if key.len() >= MIN_SECRET_KEY_BYTES => Ok(key.as_bytes()),
            Some(_) => Err(ConfigError {
                name: "COFFER_SECRET_KEY",
                message: format!(
                    "must be at least {MIN_SECRET_KEY_BYTES} bytes for the console (e.g. `openssl rand -hex 32`)"
                ),
            }),
            None => Err(ConfigError {
                name: "COFFER_SECRET_KEY",
                message: format!(
                    "is required once console accounts exist: set {MIN_SECRET_KEY_BYTES} or more random bytes (e.g. `openssl rand -hex 32`)"
                ),
            }),
        }
    }

    /// True when the public address is https: cookies are then `Secure` and `__Host-`.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = |s: &Option<String>| if s.is_some() { "<set>" } else { "<unset>" };
        f.debug_struct("Settings")
            .field("database", &self.database_url.backend_name())
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("instance_name", &self.instance_name)
            .field("currency", &self.currency)
            .field("secret_key", &secret(&self.secret_key))
            .field("stripe_secret_key", &secret(&self.stripe_secret_key))
            .field(
                "stripe_webhook_secret",
                &secret(&self.stripe_webhook_secret),
            )
            .field("smtp_url", &secret(&self.smtp_url))
            .field("trusted_proxies", &self.trusted_proxies.to_string())
            .field("signing_key_file", &self.signing_key_file)
            .finish()
    }
}
