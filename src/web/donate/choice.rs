//! What the visitor chose, checked: every problem at once, each by its field, and what the wall
//! would show of them.

use std::collections::HashMap;

use crate::domain::{
    Consent, Currency, Email, FediverseHandle, Interval, Money, Perk, PerkSet, Source, WebUrl,
};
use crate::i18n::Lang;
use crate::ledger::payments::{Frequency, IntentDraft};

use super::pages::{DonateValues, Preview, TierChoice};

/// The largest gift the form takes, in minor units (Stripe's own limit for most currencies).
const MAX_MINOR: i64 = 99_999_999;

/// What the wall would show: the fields the tier grants and the donor consents to.
pub(super) fn preview(values: &DonateValues, tiers: &[TierChoice]) -> Preview {
    let tier = tiers.iter().find(|t| t.slug == values.tier);
    // Without a tier the amount decides it later; show what the donor consents to.
    let perks = tier.map_or_else(
        || PerkSet::from_perks([Perk::Name, Perk::Logo, Perk::Link, Perk::Handle]),
        |t| t.perks,
    );
    let consent = consent_of(values);
    let shown = crate::domain::shown_fields(perks, &consent, values.anonymous);
    let filled = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Preview {
        tier: tier.map(|t| t.name.clone()),
        name: filled(&values.public_name).filter(|_| shown.contains(Perk::Name)),
        link: filled(&values.website).filter(|_| shown.contains(Perk::Link)),
        handle: filled(&values.fediverse_handle).filter(|_| shown.contains(Perk::Handle)),
        logo: shown.contains(Perk::Logo),
    }
}

fn consent_of(values: &DonateValues) -> Consent {
    Consent {
        name: values.show_name && !values.anonymous,
        logo: values.show_logo && !values.anonymous,
        link: values.show_link && !values.anonymous,
        handle: values.show_handle && !values.anonymous,
        amount: false,
    }
}

/// Checks the form: every problem at once, each by its field, in the visitor's language.
pub(super) fn validate(
    values: &DonateValues,
    tiers: &[TierChoice],
    currency: Currency,
    lang: Lang,
    channel: Source,
    locale: &str,
) -> Result<IntentDraft, HashMap<&'static str, String>> {
    let mut errors: HashMap<&'static str, String> = HashMap::new();
    let tier = if values.tier.is_empty() {
        None
    } else {
        match tiers.iter().find(|t| t.slug == values.tier) {
            Some(tier) => Some(tier),
            None => {
                errors.insert("tier", lang.t("donate-error-tier"));
                None
            }
        }
    };
    let frequency = match Frequency::parse(&values.frequency) {
        Ok(frequency) => Some(frequency),
        Err(_) => {
            errors.insert("frequency", lang.t("donate-error-frequency"));
            None
        }
    };
    let amount = match Money::parse_positive(&values.amount, currency) {
        Ok(amount) if amount.minor() > MAX_MINOR => {
            errors.insert("amount", lang.t("donate-error-amount-large"));
            None
        }
        Ok(amount) => Some(amount),
        Err(_) => {
            errors.insert(
                "amount",
                lang.t_args(
                    "donate-error-amount",
                    &[("currency", currency.code().to_owned())],
                ),
            );
            None
        }
    };
    if let (Some(tier), Some(amount), Some(frequency)) = (tier, amount, frequency) {
        let months = match frequency {
            Frequency::Every(Interval::Month) => 1,
            _ => 12,
        };
        let floor = tier.monthly_minimum.minor().saturating_mul(months);
        if amount.minor() < floor {
            let floor = Money::from_minor(floor, currency).unwrap_or(amount);
            errors.insert(
                "amount",
                lang.t_args(
                    "donate-error-below-tier",
                    &[("tier", tier.name.clone()), ("floor", lang.money(floor))],
                ),
            );
        }
    }
    let email = match Email::parse(&values.email) {
        Ok(email) => Some(email),
        Err(_) => {
            errors.insert("email", lang.t("donate-error-email"));
            None
        }
    };
    let public_name = match crate::ledger::clean_text("public_name", &values.public_name, 100) {
        Ok(name) if name.is_empty() && values.show_name && !values.anonymous => {
            errors.insert("public_name", lang.t("donate-error-name-missing"));
            None
        }
        Ok(name) => Some(name),
        Err(_) => {
            errors.insert("public_name", lang.t("donate-error-name"));
            None
        }
    };
    let website = match values.website.trim() {
        "" => Some(None),
        url => match WebUrl::parse(url) {
            Ok(url) => Some(Some(url)),
            Err(_) => {
                errors.insert("website", lang.t("donate-error-website"));
                None
            }
        },
    };
    let handle = match values.fediverse_handle.trim() {
        "" => Some(None),
        handle => match FediverseHandle::parse(handle) {
            Ok(handle) => Some(Some(handle)),
            Err(_) => {
                errors.insert("fediverse_handle", lang.t("donate-error-handle"));
                None
            }
        },
    };
    match (
        errors.is_empty(),
        email,
        public_name,
        website,
        handle,
        amount,
        frequency,
    ) {
        (
            true,
            Some(email),
            Some(public_name),
            Some(website),
            Some(handle),
            Some(amount),
            Some(frequency),
        ) => {
            let public_name = if public_name.is_empty() {
                lang.t("donate-anonymous-name")
            } else {
                public_name
            };
            Ok(IntentDraft {
                channel,
                email,
                public_name,
                website,
                fediverse_handle: handle,
                consent: consent_of(values),
                anonymous: values.anonymous,
                locale: Some(locale.to_owned()),
                tier_id: tier.map(|t| t.id),
                amount,
                frequency,
            })
        }
        _ => Err(errors),
    }
}

/// Fills the form from what Mastodon's donation modal passes on (`amount` in minor units of
/// the instance currency, `frequency` as `one_time`, `monthly` or `yearly`). Anything else
/// is ignored: the visitor still sees and confirms the form.
pub fn prefill_from_campaign(
    values: &mut super::pages::DonateValues,
    instance_currency: crate::domain::Currency,
    amount: Option<&str>,
    currency: Option<&str>,
    frequency: Option<&str>,
) {
    let same_currency = currency.is_none_or(|c| c.eq_ignore_ascii_case(instance_currency.code()));
    if let (Some(amount), true) = (amount, same_currency) {
        let minor = amount
            .parse::<i64>()
            .ok()
            .filter(|m| *m > 0)
            .and_then(|m| crate::domain::Money::from_minor(m, instance_currency).ok());
        if let Some(money) = minor {
            values.tier = String::new();
            values.amount = money.amount_string();
        }
    }
    match frequency {
        Some("one_time" | "once") => values.frequency = "once".to_owned(),
        Some("monthly" | "month") => values.frequency = "month".to_owned(),
        Some("yearly" | "year") => values.frequency = "year".to_owned(),
        _ => {}
    }
}
