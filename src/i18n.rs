//! Languages: the messages of receipts and statements in English and Norwegian Bokmål, and
//! amounts and dates written the way each language writes them.
//!
//! Messages live in Fluent files (`locales/en/*.ftl`, `locales/nb/*.ftl`), compiled into the
//! binary; nothing here holds a sentence. Pick a [`Lang`] from a stored locale with
//! [`Lang::from_locale`], then `lang.t("key")` or `lang.t_args("key", &[("name", value)])`.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

use crate::domain::Money;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps arguments in invisible isolation marks by default; mail clients and plain
        // text show them as garbage, and our arguments are never right-to-left.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language Coffer writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Nb,
}

impl Lang {
    /// Every language, for checks that a message exists in all of them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Nb];

    /// The language for a donor's saved locale (`nb`, `nb-NO`, `no`, `nn` → Bokmål; anything
    /// else, or nothing, → English).
    pub fn from_locale(locale: Option<&str>) -> Self {
        let primary = locale
            .unwrap_or("")
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "nb" | "no" | "nn" => Self::Nb,
            _ => Self::En,
        }
    }

    /// The BCP 47 tag stored with a receipt and used in `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Nb => "nb",
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Self::En => fluent_templates::langid!("en"),
            Self::Nb => fluent_templates::langid!("nb"),
        }
    }

    /// The message `key`.
    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(&self.id(), key)
    }

    /// The message `key` with its arguments filled in.
    pub fn t_args(self, key: &str, args: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
            .collect();
        LOCALES.lookup_with_args(&self.id(), key, &args)
    }

    /// The message `key` with a number, which also picks its plural form.
    pub fn t_count(self, key: &str, name: &'static str, count: i64) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> =
            HashMap::from([(Cow::Borrowed(name), FluentValue::from(count))]);
        LOCALES.lookup_with_args(&self.id(), key, &args)
    }

    /// The language a browser asks for in `Accept-Language`, by its q-values; English when it
    /// asks for neither.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Self::En;
        };
        let mut ranges: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let range = parts.next()?.trim();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0).then_some((q, range))
            })
            .collect();
        // Stable: equal weights keep the browser's order.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges
            .iter()
            .find_map(|(_, range)| {
                let primary = range.split('-').next().unwrap_or("").to_ascii_lowercase();
                match primary.as_str() {
                    "nb" | "no" | "nn" => Some(Self::Nb),
                    "en" => Some(Self::En),
                    _ => None,
                }
            })
            .unwrap_or(Self::En)
    }

    /// The language's own name, for the switch on the page.
    pub fn own_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Nb => "Norsk bokmål",
        }
    }

    /// An amount as this language writes it: `€1,234.50` in English, `1 234,50 kr` in Bokmål.
    pub fn money(self, money: Money) -> String {
        self.amount(i128::from(money.minor()), money.currency())
    }

    /// A derived figure (a total, a goal) as this language writes amounts.
    pub fn total(self, total: crate::domain::Total) -> String {
        self.amount(total.minor_units(), total.currency())
    }

    fn amount(self, minor: i128, currency: crate::domain::Currency) -> String {
        let code = currency.code();
        let (group, decimal) = match self {
            Self::En => (',', '.'),
            Self::Nb => (' ', ','),
        };
        let sign = if minor < 0 { "−" } else { "" };
        let digits = group_digits(minor, currency.exponent(), group, decimal);
        match self {
            Self::En => match symbol_en(code) {
                Some(symbol) => format!("{sign}{symbol}{digits}"),
                None => format!("{sign}{code} {digits}"),
            },
            Self::Nb => format!("{sign}{digits} {}", symbol_nb(code)),
        }
    }

    /// A date as this language writes it: `23 November 2026`, `23. november 2026`.
    pub fn date(self, date: NaiveDate) -> String {
        let month = self.t(&format!("month-{}", date.month()));
        match self {
            Self::En => format!("{} {month} {}", date.day(), date.year()),
            Self::Nb => format!("{}. {month} {}", date.day(), date.year()),
        }
    }
}

fn symbol_en(code: &str) -> Option<&'static str> {
    match code {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

fn symbol_nb(code: &str) -> &str {
    match code {
        "NOK" | "SEK" | "DKK" => "kr",
        "EUR" => "€",
        "USD" => "USD",
        _ => code,
    }
}

/// `123456` with exponent 2 → `1,234.56` (English separators); the sign is the caller's.
fn group_digits(minor: i128, exponent: u32, group: char, decimal: char) -> String {
    let abs = minor.unsigned_abs();
    let scale = 10_u128.pow(exponent);
    let whole = (abs / scale).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(group);
        }
        grouped.push(c);
    }
    if exponent > 0 {
        let fraction = abs % scale;
        format!(
            "{grouped}{decimal}{fraction:0width$}",
            width = exponent as usize
        )
    } else {
        grouped
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::Currency;

    /// The message ids of a Fluent file: lines that start a message (`key = …`).
    fn keys(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
            .collect()
    }

    #[test]
    fn every_message_exists_in_every_language() {
        let en = keys(include_str!("../locales/en/coffer.ftl"));
        let nb = keys(include_str!("../locales/nb/coffer.ftl"));
        assert!(en.len() > 20, "{en:?}");
        let only_en: Vec<_> = en.difference(&nb).collect();
        let only_nb: Vec<_> = nb.difference(&en).collect();
        assert!(
            only_en.is_empty() && only_nb.is_empty(),
            "only in en: {only_en:?}; only in nb: {only_nb:?}"
        );
    }

    #[test]
    fn the_english_independence_statement_is_the_domain_one() {
        assert_eq!(
            Lang::En.t("independence-statement"),
            crate::domain::INDEPENDENCE_STATEMENT
        );
        assert_ne!(
            Lang::Nb.t("independence-statement"),
            crate::domain::INDEPENDENCE_STATEMENT
        );
    }

    #[test]
    fn amounts_and_dates_are_written_the_local_way() {
        let nok = Currency::parse("NOK").unwrap();
        let eur = Currency::EUR;
        assert_eq!(
            Lang::Nb.money(Money::from_minor(123_450, nok).unwrap()),
            "1 234,50 kr"
        );
        assert_eq!(
            Lang::En.money(Money::from_minor(123_450, eur).unwrap()),
            "€1,234.50"
        );
        assert_eq!(Lang::En.money(Money::from_minor(5, eur).unwrap()), "€0.05");
        assert_eq!(
            Lang::En.money(Money::from_minor(1_000_000_000, nok).unwrap()),
            "NOK 10,000,000.00"
        );
        assert_eq!(
            Lang::En.money(Money::from_minor(-123_450, eur).unwrap()),
            "−€1,234.50"
        );
        assert_eq!(
            Lang::Nb.money(Money::from_minor(-123_450, nok).unwrap()),
            "−1 234,50 kr"
        );
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(Lang::Nb.date(date), "23. november 2026");
        assert_eq!(Lang::En.date(date), "23 November 2026");
    }

    #[test]
    fn locales_map_to_the_languages_we_write() {
        assert_eq!(Lang::from_locale(Some("nb-NO")), Lang::Nb);
        assert_eq!(Lang::from_locale(Some("no")), Lang::Nb);
        assert_eq!(Lang::from_locale(Some("de-CH")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }
}
