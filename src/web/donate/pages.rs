//! The donation pages as askama renders them: the form with its preview, the thanks, and how to
//! pay a bank pledge.

use std::collections::HashMap;

use askama::Template;

use crate::domain::{Currency, Money, PerkSet};
use crate::i18n::Lang;
use crate::web::admin::forms::Fields;
use crate::web::pages::Localized;

/// A tier as the donation page offers it.
#[derive(Debug, Clone)]
pub struct TierChoice {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub monthly_minimum: Money,
    pub perks: PerkSet,
}

/// What the visitor typed, kept as typed so a refused form comes back as it was.
#[derive(Debug, Clone, Default)]
pub struct DonateValues {
    pub tier: String,
    pub amount: String,
    pub frequency: String,
    pub email: String,
    pub public_name: String,
    pub website: String,
    pub fediverse_handle: String,
    pub show_name: bool,
    pub show_link: bool,
    pub show_handle: bool,
    pub show_logo: bool,
    pub anonymous: bool,
}

impl DonateValues {
    pub(super) fn from_fields(fields: &Fields) -> Self {
        Self {
            tier: fields.get("tier").unwrap_or_default(),
            amount: fields.get("amount").unwrap_or_default(),
            frequency: fields
                .get("frequency")
                .unwrap_or_else(|| "month".to_owned()),
            email: fields.get("email").unwrap_or_default(),
            public_name: fields.get("public_name").unwrap_or_default(),
            website: fields.get("website").unwrap_or_default(),
            fediverse_handle: fields.get("fediverse_handle").unwrap_or_default(),
            show_name: fields.flag("show_name"),
            show_link: fields.flag("show_link"),
            show_handle: fields.flag("show_handle"),
            show_logo: fields.flag("show_logo"),
            anonymous: fields.flag("anonymous"),
        }
    }
}

/// How the donor will appear on the wall, as far as the form tells.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub tier: Option<String>,
    pub name: Option<String>,
    pub link: Option<String>,
    pub handle: Option<String>,
    pub logo: bool,
}

impl Preview {
    pub fn is_anonymous(&self) -> bool {
        self.name.is_none() && self.link.is_none() && self.handle.is_none() && !self.logo
    }
}

/// The donation page.
#[derive(Template)]
#[template(path = "donate/form.html")]
pub struct DonatePage {
    pub lang: Lang,
    pub instance_name: String,
    pub tiers: Vec<TierChoice>,
    pub values: DonateValues,
    pub errors: HashMap<&'static str, String>,
    pub message: Option<String>,
    pub preview: Preview,
    pub stripe: bool,
    pub bank_instructions: Option<String>,
    pub csrf: String,
    pub currency: Currency,
}

impl Localized for DonatePage {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl DonatePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    /// `aria-describedby` ids for a field: its hint and its error, when present.
    fn described_by(&self, field: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{field}-hint"));
        }
        if self.has_error(field) {
            ids.push(format!("{field}-error"));
        }
        ids.join(" ")
    }

    fn is_tier(&self, slug: &str) -> bool {
        self.values.tier == slug
    }

    fn is_frequency(&self, frequency: &str) -> bool {
        self.values.frequency == frequency
    }

    /// What a tier asks for each month, and once or yearly (twelve months' worth).
    fn tier_floor(&self, tier: &TierChoice) -> String {
        let yearly = Money::from_minor(
            tier.monthly_minimum.minor().saturating_mul(12),
            tier.monthly_minimum.currency(),
        )
        .unwrap_or(tier.monthly_minimum);
        self.lang.t_args(
            "donate-tier-floor",
            &[
                ("monthly", self.lang.money(tier.monthly_minimum)),
                ("yearly", self.lang.money(yearly)),
            ],
        )
    }

    fn tier_perks(&self, tier: &TierChoice) -> String {
        let names: Vec<String> = tier
            .perks
            .iter()
            .map(|p| self.lang.t(&format!("donate-perk-{}", p.as_str())))
            .collect();
        if names.is_empty() {
            self.lang.t("donate-perks-none")
        } else {
            self.lang
                .t_args("donate-perks", &[("perks", names.join(", "))])
        }
    }

    fn heading(&self) -> String {
        self.lang
            .t_args("donate-title", &[("instance", self.instance_name.clone())])
    }
}

/// Thanks, after Stripe's checkout.
#[derive(Template)]
#[template(path = "donate/thanks.html")]
pub struct ThanksPage {
    pub lang: Lang,
    pub instance_name: String,
}

impl Localized for ThanksPage {
    fn lang(&self) -> Lang {
        self.lang
    }
}

/// A bank pledge, recorded: how to pay.
#[derive(Template)]
#[template(path = "donate/bank.html")]
pub struct BankPage {
    pub lang: Lang,
    pub instance_name: String,
    pub reference: String,
    pub amount: String,
    pub bank_instructions: Option<String>,
}

impl Localized for BankPage {
    fn lang(&self) -> Lang {
        self.lang
    }
}
