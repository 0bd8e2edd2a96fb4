//! What the treasurer decides about the public pages: the opening balance (the money the
//! instance had before Coffer), whether Mastodon's donation banner may ask for support and in
//! what words, and which expenses carry a public note. Stored as settings (and notes in a table
//! of their own), replaced in place; every change goes through the write unit, so the audit log
//! keeps the values before and after.

use std::collections::{BTreeMap, HashMap};

use crate::db::{self, DbConn};
use crate::domain::{Currency, EntryKind, Money};
use crate::error::{AppError, AppResult};

const OPENING_BALANCE: &str = "opening_balance";
const CAMPAIGN_ENABLED: &str = "mastodon_campaign";
const CAMPAIGN_PREFIX: &str = "mastodon_campaign.";

/// The longest public note on an expense, in characters.
pub const MAX_NOTE_CHARS: usize = 200;
/// The longest campaign message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 500;
/// The language tags campaign messages may be given in.
pub const MESSAGE_LANGS: [&str; 2] = ["en", "nb"];

/// The messages of Mastodon's donation banner and modal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CampaignMessage {
    BannerMessage,
    BannerButtonText,
    DonationMessage,
    DonationButtonText,
    DonationSuccessPost,
}

impl CampaignMessage {
    pub const ALL: [CampaignMessage; 5] = [
        Self::BannerMessage,
        Self::BannerButtonText,
        Self::DonationMessage,
        Self::DonationButtonText,
        Self::DonationSuccessPost,
    ];

    /// The name Mastodon gives the field (and the settings' key).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BannerMessage => "banner_message",
            Self::BannerButtonText => "banner_button_text",
            Self::DonationMessage => "donation_message",
            Self::DonationButtonText => "donation_button_text",
            Self::DonationSuccessPost => "donation_success_post",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// The public pages' settings in force.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublicPageSettings {
    /// At most one amount per currency, by currency code.
    pub opening_balances: Vec<Money>,
    /// Off only when the treasurer switched it off.
    pub campaign_enabled: bool,
    /// The treasurer's own words, by (language tag, message); a missing one takes the
    /// translation's default.
    pub campaign_messages: BTreeMap<(String, CampaignMessage), String>,
}

impl PublicPageSettings {
    /// The opening balance in `currency`, zero when none was given.
    pub fn opening_balance(&self, currency: Currency) -> Money {
        self.opening_balances
            .iter()
            .copied()
            .find(|m| m.currency() == currency)
            .unwrap_or_else(|| Money::zero(currency))
    }

    /// The treasurer's wording of `message` in `lang`, if they gave one.
    pub fn message(&self, lang: &str, message: CampaignMessage) -> Option<&str> {
        self.campaign_messages
            .get(&(lang.to_owned(), message))
            .map(String::as_str)
    }

    /// The opening balances as the form and the audit log write them: `1200.00 EUR, 40.00 USD`.
    pub fn opening_balance_text(&self) -> String {
        self.opening_balances
            .iter()
            .map(|m| format!("{} {}", m.amount_string(), m.currency().code()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What the audit log keeps of these settings.
    pub fn audit_value(&self) -> serde_json::Value {
        let messages: BTreeMap<String, &String> = self
            .campaign_messages
            .iter()
            .map(|((lang, m), text)| (format!("{}.{lang}", m.as_str()), text))
            .collect();
        serde_json::json!({
            "opening_balance": self.opening_balance_text(),
            "mastodon_campaign": self.campaign_enabled,
            "messages": messages,
        })
    }
}

/// Submitted settings, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicPageDraft(PublicPageSettings);

impl PublicPageDraft {
    /// Checks submitted settings. `opening_balance` is empty (none) or amounts with their
    /// currency separated by commas (`1200.00 EUR, 40 USD`); a bare amount is in the instance
    /// currency. Messages are keyed `(language tag, Mastodon's field name)`; empty ones fall
    /// back to the default.
    pub fn parse(
        opening_balance: &str,
        campaign_enabled: bool,
        messages: &[(String, String, String)],
        instance_currency: Currency,
    ) -> AppResult<Self> {
        let mut balances: Vec<Money> = Vec::new();
        for part in opening_balance
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (amount, currency) = match part.rsplit_once(' ') {
                Some((amount, code)) => (
                    amount.trim(),
                    Currency::parse(code.trim()).map_err(|e| {
                        AppError::invalid("opening_balance", format!("{part:?}: {e}"))
                    })?,
                ),
                None => (part, instance_currency),
            };
            let money = Money::parse_non_negative(amount, currency).map_err(|e| {
                AppError::invalid(
                    "opening_balance",
                    format!("{part:?}: {e}; write amounts like 1200.00 EUR"),
                )
            })?;
            if balances.iter().any(|m| m.currency() == currency) {
                return Err(AppError::invalid(
                    "opening_balance",
                    format!("{} is given twice", currency.code()),
                ));
            }
            balances.push(money);
        }
        balances.sort_by_key(|m| m.currency().code());
        let mut campaign_messages = BTreeMap::new();
        for (lang, name, text) in messages {
            if !MESSAGE_LANGS.contains(&lang.as_str()) {
                return Err(AppError::invalid(
                    "messages",
                    format!("no language {lang:?}; Coffer writes {MESSAGE_LANGS:?}"),
                ));
            }
            let message = CampaignMessage::parse(name).ok_or_else(|| {
                AppError::invalid("messages", format!("no campaign message {name:?}"))
            })?;
            let field = format!("{}_{lang}", message.as_str());
            let text = super::clean_text(&field, &text.replace("\r\n", "\n"), MAX_MESSAGE_CHARS)?;
            if !text.is_empty() {
                campaign_messages.insert((lang.clone(), message), text);
            }
        }
        Ok(Self(PublicPageSettings {
            opening_balances: balances,
            campaign_enabled,
            campaign_messages,
        }))
    }
}

/// The settings in force.
pub fn load(conn: &mut DbConn) -> AppResult<PublicPageSettings> {
    let stored: HashMap<String, String> = db::settings::all(conn)?.into_iter().collect();
    let opening_balances = stored
        .get(OPENING_BALANCE)
        .map(|text| {
            text.split(", ")
                .filter_map(|part| {
                    let (amount, code) = part.split_once(' ')?;
                    let currency = Currency::parse(code).ok()?;
                    Money::parse_non_negative(amount, currency).ok()
                })
                .collect()
        })
        .unwrap_or_default();
    let campaign_messages = stored
        .iter()
        .filter_map(|(name, value)| {
            let rest = name.strip_prefix(CAMPAIGN_PREFIX)?;
            let (message, lang) = rest.rsplit_once('.')?;
            Some((
                (lang.to_owned(), CampaignMessage::parse(message)?),
                value.clone(),
            ))
        })
        .collect();
    Ok(PublicPageSettings {
        opening_balances,
        campaign_enabled: stored.get(CAMPAIGN_ENABLED).map(String::as_str) != Some("off"),
        campaign_messages,
    })
}

/// Stores a complete set of settings; returns what was in force before and after.
pub fn save(
    conn: &mut DbConn,
    draft: &PublicPageDraft,
) -> AppResult<(PublicPageSettings, PublicPageSettings)> {
    let before = load(conn)?;
    let now = db::now();
    let settings = &draft.0;
    if settings.opening_balances.is_empty() {
        db::settings::remove(conn, OPENING_BALANCE)?;
    } else {
        db::settings::put(conn, OPENING_BALANCE, &settings.opening_balance_text(), now)?;
    }
    if settings.campaign_enabled {
        db::settings::remove(conn, CAMPAIGN_ENABLED)?;
    } else {
        db::settings::put(conn, CAMPAIGN_ENABLED, "off", now)?;
    }
    for lang in MESSAGE_LANGS {
        for message in CampaignMessage::ALL {
            let key = format!("{CAMPAIGN_PREFIX}{}.{lang}", message.as_str());
            match settings.message(lang, message) {
                Some(text) => db::settings::put(conn, &key, text, now)?,
                None => db::settings::remove(conn, &key)?,
            }
        }
    }
    let after = load(conn)?;
    Ok((before, after))
}

/// Checks a public note: one line, short, and nothing hidden in it.
pub fn check_note(note: &str) -> AppResult<String> {
    let note = super::clean_text("public_note", note, MAX_NOTE_CHARS)?;
    if note.contains('\n') {
        return Err(AppError::invalid("public_note", "must be one line"));
    }
    Ok(note)
}

/// Publishes (an empty note withdraws) the note of an expense; returns the note before.
/// Only expenses carry notes: the page never describes a donation, so it names no donor.
pub fn publish_note(conn: &mut DbConn, entry_id: i64, note: &str) -> AppResult<Option<String>> {
    let note = check_note(note)?;
    let entry =
        super::entries::find(conn, entry_id).map_err(|e| e.missing_reference("entry_id"))?;
    if entry.kind != EntryKind::Expense {
        return Err(AppError::invalid(
            "entry_id",
            format!(
                "only expenses carry a public note; entry {entry_id} is a {}",
                entry.kind.as_str()
            ),
        ));
    }
    let before = db::transparency::note(conn, entry_id)?;
    if note.is_empty() {
        db::transparency::remove_note(conn, entry_id)?;
    } else {
        db::transparency::put_note(conn, entry_id, &note, db::now())?;
    }
    Ok(before)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn opening_balances_are_amounts_with_their_currency_one_each() {
        let draft = PublicPageDraft::parse("1200.00 EUR, 40 USD", true, &[], eur()).unwrap();
        assert_eq!(draft.0.opening_balance_text(), "1200.00 EUR, 40.00 USD");
        let bare = PublicPageDraft::parse("250", true, &[], eur()).unwrap();
        assert_eq!(bare.0.opening_balance_text(), "250.00 EUR");
        for bad in ["12 EUR, 3 EUR", "-5 EUR", "1.000 EUR", "5 XYZ", "1.001"] {
            match PublicPageDraft::parse(bad, true, &[], eur()) {
                Err(AppError::Invalid { field, .. }) => {
                    assert_eq!(field.as_deref(), Some("opening_balance"), "{bad}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn campaign_messages_are_checked_and_empty_ones_fall_back() {
        let messages = vec![
            (
                "nb".to_owned(),
                "banner_message".to_owned(),
                "Støtt oss".to_owned(),
            ),
            (
                "en".to_owned(),
                "banner_button_text".to_owned(),
                " ".to_owned(),
            ),
        ];
        let draft = PublicPageDraft::parse("", false, &messages, eur()).unwrap();
        assert_eq!(
            draft.0.message("nb", CampaignMessage::BannerMessage),
            Some("Støtt oss")
        );
        assert_eq!(
            draft.0.message("en", CampaignMessage::BannerButtonText),
            None
        );
        assert!(!draft.0.campaign_enabled);
        let bad = vec![("de".to_owned(), "banner_message".to_owned(), "x".to_owned())];
        assert!(PublicPageDraft::parse("", true, &bad, eur()).is_err());
        assert!(check_note("two\nlines").is_err());
        assert!(check_note(&"x".repeat(201)).is_err());
    }
}
