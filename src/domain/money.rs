//! Money: integer minor units tagged with an ISO 4217 currency. Never a float.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Amounts above this many major units are refused as typos rather than recorded.
const ABSURD_MAJOR_UNITS: i64 = 1_000_000_000;

/// ISO 4217 codes Coffer knows, with their minor-unit exponents.
const CURRENCIES: &[(&str, u32)] = &[
    ("EUR", 2),
    ("USD", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("NOK", 2),
    ("SEK", 2),
    ("DKK", 2),
    ("ISK", 0),
    ("PLN", 2),
    ("CZK", 2),
    ("HUF", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("NZD", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("BRL", 2),
    ("MXN", 2),
    ("INR", 2),
    ("CNY", 2),
    ("ZAR", 2),
    ("BHD", 3),
    ("KWD", 3),
    ("JOD", 3),
    ("OMR", 3),
    ("TND", 3),
];

/// A currency Coffer can hold amounts in: its ISO 4217 code and minor-unit exponent.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

/// Why an amount or currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("the amount is empty")]
    Empty,
    #[error("“{0}” is not an amount like 12.50")]
    Malformed(String),
    #[error("the amount must not be negative")]
    Negative,
    #[error("the amount must be more than zero")]
    NotPositive,
    #[error("“{input}” has more decimal places than {currency} allows ({exponent})")]
    TooPrecise {
        input: String,
        currency: Currency,
        exponent: u32,
    },
    #[error("the amount is too large (more than {ABSURD_MAJOR_UNITS} units)")]
    TooLarge,
    #[error("“{0}” is not a currency Coffer knows (use an ISO 4217 code like EUR)")]
    UnknownCurrency(String),
    #[error("cannot combine {left} and {right}: amounts in different currencies never mix")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("the amount is out of range")]
    Overflow,
}

impl Currency {
    /// The euro, Coffer's default currency.
    pub const EUR: Currency = Currency {
        code: "EUR",
        exponent: 2,
    };

    /// Parses an ISO 4217 code, in any case.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|&(code, exponent)| Currency { code, exponent })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.trim().to_owned()))
    }

    /// Every code Coffer knows, uppercase, as [`Currency::parse`] accepts them.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        CURRENCIES.iter().map(|(code, _)| *code)
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Decimal places of the minor unit (EUR 2, JPY 0, BHD 3).
    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    fn minor_per_major(&self) -> i64 {
        10_i64.pow(self.exponent)
    }

    fn absurd_limit(&self) -> i64 {
        ABSURD_MAJOR_UNITS * self.minor_per_major()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An exact amount of one currency, in signed minor units.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount from minor units (cents for EUR); absurd amounts are refused.
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        if minor.unsigned_abs() > currency.absurd_limit().unsigned_abs() {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self { minor, currency })
    }

    pub fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount in major units with exactly the currency's decimal places (12.50).
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.currency.exponent)
    }

    /// An exact decimal in major units; more decimal places than the currency has are refused.
    pub fn from_decimal(value: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        let scaled = value
            .checked_mul(Decimal::from(currency.minor_per_major()))
            .ok_or(MoneyError::Overflow)?;
        if scaled.fract() != Decimal::ZERO {
            return Err(MoneyError::TooPrecise {
                input: value.to_string(),
                currency,
                exponent: currency.exponent,
            });
        }
        let minor: i64 = scaled
            .trunc()
            .try_into()
            .map_err(|_| MoneyError::Overflow)?;
        Self::from_minor(minor, currency)
    }

    /// The amount as a plain decimal string: "12.50", "-3.00", "1000" (JPY), "1.250" (BHD).
    pub fn amount_string(&self) -> String {
        self.to_decimal().to_string()
    }

    pub fn is_positive(&self) -> bool {
        self.minor > 0
    }

    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }

    /// The same amount with the opposite sign (money in becomes money out).
    pub fn negated(self) -> Self {
        Self {
            minor: -self.minor,
            currency: self.currency,
        }
    }

    /// Adds two amounts of the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Money::from_minor(minor, self.currency).map_err(|_| MoneyError::Overflow)
    }

    /// Subtracts an amount of the same currency.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.checked_add(other.negated())
    }

    /// Sums amounts that must all be in `currency`.
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        amounts: I,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), |total, m| total.checked_add(m))
    }

    fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// Like [`Money::parse_positive`], but zero is allowed (a tier open to every supporter).
    pub fn parse_non_negative(input: &str, currency: Currency) -> Result<Money, MoneyError> {
        match Self::parse_positive(input, currency) {
            Err(MoneyError::NotPositive) => Ok(Money::zero(currency)),
            other => other,
        }
    }

    /// Parses a positive amount as people type it; see [`TypedAmount::parse`].
    pub fn parse_positive(input: &str, currency: Currency) -> Result<Money, MoneyError> {
        TypedAmount::parse(input)?.in_currency(currency)
    }
}

/// A non-zero amount as a person typed it, before its currency is known (a refund is in the
/// donation's currency, which only the ledger knows).
///
/// It keeps the decimal places as typed: "1.000" is refused in euros rather than read as 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypedAmount(Decimal);

impl TypedAmount {
    /// A positive amount: "12.50", "12,50", "1 000", "1.000,50", "1'000".
    ///
    /// With both '.' and ',' the last one is the decimal separator; a lone one is decimal;
    /// repeated ones, spaces and apostrophes group thousands.
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        if trimmed.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let malformed = || MoneyError::Malformed(trimmed.to_owned());
        let compact: String = trimmed
            .chars()
            .map(|c| {
                if matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '’') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        if !compact
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '_'))
        {
            return Err(malformed());
        }
        let last_dot = compact.rfind('.');
        let last_comma = compact.rfind(',');
        let decimal_at = match (last_dot, last_comma) {
            (Some(d), Some(c)) => Some(d.max(c)),
            // A lone separator is always decimal: "1.000" would be 1 to some and 1000 to others,
            // and refusing it as too precise is safer than guessing. Repeated ones group.
            (Some(p), None) | (None, Some(p)) => {
                let sep = compact.as_bytes()[p] as char;
                (compact.matches(sep).count() == 1).then_some(p)
            }
            (None, None) => None,
        };
        let (whole, fraction) = match decimal_at {
            Some(p) => (&compact[..p], &compact[p + 1..]),
            None => (compact.as_str(), ""),
        };
        if !fraction.chars().all(|c| c.is_ascii_digit())
            || (decimal_at.is_some() && fraction.is_empty())
            || fraction.len() > 12
        {
            return Err(malformed());
        }
        let whole_digits = ungroup(whole).ok_or_else(malformed)?;
        if whole_digits.len() > 12 {
            return Err(MoneyError::TooLarge);
        }
        let text = if fraction.is_empty() {
            whole_digits
        } else {
            format!("{whole_digits}.{fraction}")
        };
        let value: Decimal = text.parse().map_err(|_| malformed())?;
        if value.is_zero() {
            return Err(MoneyError::NotPositive);
        }
        Ok(Self(value))
    }

    /// A signed amount: "-5.00" lowers, "5.00" or "+5.00" raises.
    pub fn parse_signed(input: &str) -> Result<Self, MoneyError> {
        let trimmed = input.trim();
        match trimmed.strip_prefix('-') {
            Some(rest) => Ok(Self(-Self::parse(rest)?.0)),
            None => Self::parse(trimmed.strip_prefix('+').unwrap_or(trimmed)),
        }
    }

    /// The amount in a currency; more decimal places than it has are refused.
    pub fn in_currency(self, currency: Currency) -> Result<Money, MoneyError> {
        if self.0.scale() > currency.exponent {
            return Err(MoneyError::TooPrecise {
                input: self.0.abs().to_string(),
                currency,
                exponent: currency.exponent,
            });
        }
        Money::from_decimal(self.0, currency)
    }
}

/// Removes grouping separators from the whole part, checking groups of three digits.
fn ungroup(whole: &str) -> Option<String> {
    if whole.is_empty() {
        return None;
    }
    let groups: Vec<&str> = whole.split(['.', ',', '_']).collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return None;
        }
    }
    let digits: String = groups.concat();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

/// A figure derived from many amounts (a monthly total, a goal, a donor's support), rounded to
/// the currency's minor unit. Unlike [`Money`] it has no upper bound: every sum of accepted
/// amounts can be shown, however large.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Total {
    amount: Decimal,
    currency: Currency,
}

impl Total {
    /// Rounds an exact figure to the currency's minor unit, half away from zero.
    pub fn rounded(amount: Decimal, currency: Currency) -> Self {
        Self {
            amount: amount.round_dp_with_strategy(
                currency.exponent(),
                rust_decimal::RoundingStrategy::MidpointAwayFromZero,
            ),
            currency,
        }
    }

    /// A sum of minor units, as wide as any sum of `i64` rows.
    pub fn from_minor(minor: i128, currency: Currency) -> Self {
        let amount =
            Decimal::try_from_i128_with_scale(minor, currency.exponent()).unwrap_or(if minor < 0 {
                Decimal::MIN
            } else {
                Decimal::MAX
            });
        Self { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::rounded(Decimal::ZERO, currency)
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The exact figure in major units.
    pub fn to_decimal(&self) -> Decimal {
        self.amount
    }

    /// The figure in minor units (it is rounded to them).
    pub fn minor_units(&self) -> i128 {
        let mut scaled =
            (self.amount * Decimal::from(10_i64.pow(self.currency.exponent()))).trunc();
        scaled.rescale(0);
        scaled.mantissa()
    }

    /// The figure as a plain decimal string with the currency's decimal places ("12.50").
    pub fn amount_string(&self) -> String {
        let mut amount = self.amount;
        amount.rescale(self.currency.exponent());
        amount.to_string()
    }
}

impl From<Money> for Total {
    fn from(money: Money) -> Self {
        Self {
            amount: money.to_decimal(),
            currency: money.currency(),
        }
    }
}

impl fmt::Display for Total {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn totals_show_sums_beyond_any_single_amount() {
        let huge = Money::from_minor(99_999_999_999, Currency::EUR).unwrap();
        let sum = Total::rounded(huge.to_decimal() * Decimal::from(3), Currency::EUR);
        assert_eq!(sum.to_string(), "2999999999.97 EUR");
        assert_eq!(
            Total::from_minor(-150, Currency::EUR).amount_string(),
            "-1.50"
        );
        assert_eq!(Total::zero(Currency::EUR).amount_string(), "0.00");
    }

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn parse(input: &str, code: &str) -> Result<i64, MoneyError> {
        Money::parse_positive(input, cur(code)).map(|m| m.minor())
    }

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(cur("eur").exponent(), 2);
        assert_eq!(cur("NOK").exponent(), 2);
        assert_eq!(cur("JPY").exponent(), 0);
        assert_eq!(cur("BHD").exponent(), 3);
        assert!(matches!(
            Currency::parse("XXX"),
            Err(MoneyError::UnknownCurrency(_))
        ));
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(parse("12.50", "EUR"), Ok(1250));
        assert_eq!(parse("12,50", "EUR"), Ok(1250));
        assert_eq!(parse(" 12 ", "EUR"), Ok(1200));
        assert_eq!(parse("1 000", "EUR"), Ok(100_000));
        assert_eq!(parse("1\u{a0}000,50", "EUR"), Ok(100_050));
        assert_eq!(parse("1.000,50", "EUR"), Ok(100_050));
        assert_eq!(parse("1,000.50", "EUR"), Ok(100_050));
        assert_eq!(parse("1'000", "CHF"), Ok(100_000));
        assert_eq!(parse("1.000.000", "EUR"), Ok(100_000_000));
        assert!(matches!(
            parse("1.000", "EUR"),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert_eq!(parse("1.000", "BHD"), Ok(1000));
        assert_eq!(parse("1.5", "EUR"), Ok(150));
        assert_eq!(parse("500", "JPY"), Ok(500));
        assert_eq!(parse("0.05", "EUR"), Ok(5));
    }

    #[test]
    fn refuses_what_is_not_a_positive_amount() {
        assert_eq!(parse("", "EUR"), Err(MoneyError::Empty));
        assert_eq!(parse("-5", "EUR"), Err(MoneyError::Negative));
        assert_eq!(parse("0", "EUR"), Err(MoneyError::NotPositive));
        assert_eq!(parse("0,00", "EUR"), Err(MoneyError::NotPositive));
        assert_eq!(
            Money::parse_non_negative("0,00", Currency::EUR),
            Ok(Money::zero(Currency::EUR))
        );
        assert_eq!(
            Money::parse_non_negative("-1", Currency::EUR),
            Err(MoneyError::Negative)
        );
        assert!(matches!(
            parse("12.345", "EUR"),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert!(matches!(
            parse("12.5", "JPY"),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert!(matches!(
            parse("12abc", "EUR"),
            Err(MoneyError::Malformed(_))
        ));
        assert!(matches!(
            parse("1 00 0", "EUR"),
            Err(MoneyError::Malformed(_))
        ));
        assert!(matches!(parse("+5", "EUR"), Err(MoneyError::Malformed(_))));
        assert!(matches!(parse("5.", "EUR"), Err(MoneyError::Malformed(_))));
        assert_eq!(parse("2000000000", "EUR"), Err(MoneyError::TooLarge));
        assert_eq!(
            parse("99999999999999999999", "EUR"),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn a_typed_amount_takes_its_currency_later_and_keeps_its_sign() {
        let refund = TypedAmount::parse("12,50").unwrap();
        assert_eq!(refund.in_currency(Currency::EUR).unwrap().minor(), 1250);
        assert!(matches!(
            refund.in_currency(cur("JPY")),
            Err(MoneyError::TooPrecise { .. })
        ));
        let lower = TypedAmount::parse_signed("-5.00").unwrap();
        assert_eq!(lower.in_currency(Currency::EUR).unwrap().minor(), -500);
        assert_eq!(
            TypedAmount::parse_signed("+5")
                .unwrap()
                .in_currency(Currency::EUR)
                .unwrap()
                .minor(),
            500
        );
        assert_eq!(TypedAmount::parse("-5"), Err(MoneyError::Negative));
        assert_eq!(
            TypedAmount::parse_signed("-0"),
            Err(MoneyError::NotPositive)
        );
    }

    #[test]
    fn error_messages_name_the_problem() {
        let err = Money::parse_positive("12.345", Currency::EUR).unwrap_err();
        assert_eq!(
            err.to_string(),
            "“12.345” has more decimal places than EUR allows (2)"
        );
    }

    #[test]
    fn sums_never_mix_currencies() {
        let eur = Money::from_minor(100, Currency::EUR).unwrap();
        let usd = Money::from_minor(100, cur("USD")).unwrap();
        assert!(matches!(
            eur.checked_add(usd),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
        assert!(Money::sum(Currency::EUR, [eur, usd]).is_err());
        assert_eq!(Money::sum(Currency::EUR, [eur, eur]).unwrap().minor(), 200);
    }

    #[test]
    fn formats_with_the_currency_exponent() {
        assert_eq!(
            Money::from_minor(1250, Currency::EUR)
                .unwrap()
                .amount_string(),
            "12.50"
        );
        assert_eq!(
            Money::from_minor(-300, Currency::EUR)
                .unwrap()
                .amount_string(),
            "-3.00"
        );
        assert_eq!(
            Money::from_minor(1000, cur("JPY")).unwrap().amount_string(),
            "1000"
        );
        assert_eq!(
            Money::from_minor(1250, cur("BHD")).unwrap().amount_string(),
            "1.250"
        );
        assert_eq!(
            Money::from_minor(5, Currency::EUR).unwrap().to_string(),
            "0.05 EUR"
        );
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_same_amount(minor in 1i64..100_000_000_000, code in prop::sample::select(vec!["EUR", "JPY", "BHD"])) {
            let currency = cur(code);
            prop_assume!(minor <= currency.absurd_limit());
            let money = Money::from_minor(minor, currency).unwrap();
            prop_assert_eq!(Money::parse_positive(&money.amount_string(), currency), Ok(money));
            prop_assert_eq!(Money::from_decimal(money.to_decimal(), currency), Ok(money));
        }

        #[test]
        fn a_sum_of_one_currency_is_the_sum_of_minor_units(minors in prop::collection::vec(-1_000_000i64..1_000_000, 0..50)) {
            let amounts: Vec<Money> = minors.iter().map(|&m| Money::from_minor(m, Currency::EUR).unwrap()).collect();
            prop_assert_eq!(Money::sum(Currency::EUR, amounts).unwrap().minor(), minors.iter().sum::<i64>());
        }

        #[test]
        fn parsing_never_panics(input in "\\PC{0,20}") {
            let _ = Money::parse_positive(&input, Currency::EUR);
        }
    }
}
