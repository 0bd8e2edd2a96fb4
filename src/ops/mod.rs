//! The operator's commands: `backup`, `restore`, `check` and `config check`. They sit beside
//! the command line, above the ledger and the web layer, and reuse their rules.

pub mod backup;
pub mod check;

use std::net::SocketAddr;

use crate::config::Settings;
use crate::db::DatabaseUrl;

/// A database URL with its password replaced, fit for a terminal or a log.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("<redacted>"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "<unreadable URL>".to_owned(),
    }
}

/// The effective configuration, one `NAME = value` per line, secrets shown only as set or not.
pub fn effective_configuration(settings: &Settings) -> Vec<(&'static str, String)> {
    let secret = |s: &Option<String>| match s {
        Some(_) => "<set>".to_owned(),
        None => "<unset>".to_owned(),
    };
    let database = match &settings.database_url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => redact_url(url),
    };
    let proxies = if settings.trusted_proxies.is_empty() {
        "<none: forwarding headers are ignored>".to_owned()
    } else {
        settings.trusted_proxies.to_string()
    };
    vec![
        ("COFFER_DATABASE_URL", database),
        ("COFFER_BIND", settings.bind.clone()),
        ("COFFER_PUBLIC_URL", settings.public_url.clone()),
        ("COFFER_TRUSTED_PROXIES", proxies),
        ("COFFER_INSTANCE_NAME", settings.instance_name.clone()),
        ("COFFER_CURRENCY", settings.currency.code().to_owned()),
        ("COFFER_SECRET_KEY", secret(&settings.secret_key)),
        (
            "COFFER_STRIPE_SECRET_KEY",
            secret(&settings.stripe_secret_key),
        ),
        (
            "COFFER_STRIPE_WEBHOOK_SECRET",
            secret(&settings.stripe_webhook_secret),
        ),
        (
            "COFFER_STRIPE_API_BASE",
            settings
                .stripe_api_base
                .clone()
                .unwrap_or_else(|| "<Stripe's own>".to_owned()),
        ),
        (
            "COFFER_SMTP_URL",
            match &settings.smtp_url {
                Some(url) => redact_url(url),
                None => "<unset: mail is written as .eml files under data/outbox/>".to_owned(),
            },
        ),
        (
            "COFFER_MAIL_FROM",
            settings
                .mail_from
                .clone()
                .unwrap_or_else(|| "<unset>".to_owned()),
        ),
        (
            "COFFER_SESSION_IDLE_SECONDS",
            settings.session_idle.as_secs().to_string(),
        ),
        (
            "COFFER_SESSION_MAX_SECONDS",
            settings.session_lifetime.as_secs().to_string(),
        ),
    ]
}

/// What does not fit together in `settings`; `admins` is how many console accounts exist.
pub fn inconsistencies(settings: &Settings, admins: i64) -> Vec<String> {
    let mut found = Vec::new();
    let bind: Option<SocketAddr> = settings.bind.parse().ok();
    let loopback_only = bind.is_some_and(|b| b.ip().is_loopback());
    if !settings.is_https() && !loopback_only {
        found.push(format!(
            "COFFER_PUBLIC_URL is {} (http) while COFFER_BIND {} is reachable from other machines: \
             sign-ins and donors' details would cross the network unencrypted; end TLS in a proxy \
             and set an https:// public URL",
            settings.public_url, settings.bind
        ));
    }
    if admins > 0 {
        if let Err(err) = settings.console_key() {
            found.push(format!("{admins} console account(s) exist but {err}"));
        }
    }
    if settings.trusted_proxies.trusts_everything() {
        found.push(format!(
            "COFFER_TRUSTED_PROXIES ({}) trusts every address: any client can claim any address \
             and escape the rate limits; name only your proxies",
            settings.trusted_proxies
        ));
    }
    if settings.stripe_secret_key.is_some() && settings.stripe_webhook_secret.is_none() {
        found.push(
            "COFFER_STRIPE_SECRET_KEY is set without COFFER_STRIPE_WEBHOOK_SECRET: paid \
             donations would never reach the ledger"
                .to_owned(),
        );
    }
    if settings.is_https() && settings.trusted_proxies.is_empty() {
        found.push(
            "COFFER_PUBLIC_URL is https, so TLS ends in a proxy, but COFFER_TRUSTED_PROXIES is \
             empty: every visitor would share the proxy's address and its rate limits; name the \
             proxy (e.g. 127.0.0.1)"
                .to_owned(),
        );
    }
    found
}
