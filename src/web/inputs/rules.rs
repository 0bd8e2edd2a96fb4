//! The rules the JSON API enforces on its inputs, each stated once: the OpenAPI document is
//! built from these patterns and bounds, and the conversions beside it check the same ones, so the
//! document and the server cannot disagree. Rules no schema can state (a date not in the future,
//! no more decimal places than the currency has, a refund within what remains) answer 422.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type};

use crate::domain::Currency;
use crate::error::{AppError, AppResult};

/// Control characters (but `\n`) and invisible or text-direction characters. (Unicode tag
/// characters, U+E0000 to U+E007F, are refused too, but cannot be written portably here.)
macro_rules! refused {
    () => {
        r"\x00-\x09\x0B-\x1F\x7F-\x9F\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB"
    };
}

/// Free text: no control (but newline) or invisible characters.
pub const TEXT: &str = concat!("^[^", refused!(), "]*$");
/// Free text that is not only whitespace.
pub const REQUIRED_TEXT: &str = concat!(
    "^[^",
    refused!(),
    "]*[^",
    refused!(),
    r"\s][^",
    refused!(),
    "]*$"
);
pub const SLUG: &str = "^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$";
/// A plain decimal: no sign, no grouping, no leading zeros, at most 3 decimal places.
pub const AMOUNT: &str = r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,3})?$";
/// A plain decimal with an optional sign.
pub const SIGNED_AMOUNT: &str = r"^[-+]?(0|[1-9][0-9]{0,8})(\.[0-9]{1,3})?$";
/// Known `rel` tokens separated by single spaces, `sponsored` among them.
pub const LINK_REL: &str = "^((sponsored|noopener|noreferrer|nofollow|ugc) )*sponsored( (sponsored|noopener|noreferrer|nofollow|ugc))*$";
pub const EMAIL: &str = concat!(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@",
    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
);
pub const WEBSITE: &str = r"^https?://[^\s]+$";
pub const HANDLE: &str = concat!(
    r"^@?[A-Za-z0-9_]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?@",
    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
);
pub const LOCALE: &str = "^[A-Za-z0-9-]{1,35}$";

/// The highest page number a list accepts (the OpenAPI document states the same bound).
pub const MAX_PAGE: i64 = 1_000_000;

/// The bounds of a tier's position.
pub const POSITION: std::ops::RangeInclusive<i32> = -10_000..=10_000;

/// A string rule: a length in characters (Unicode code points) and a pattern.
pub struct Rule {
    pub pattern: &'static str,
    pub min_chars: usize,
    pub max_chars: usize,
    pub message: &'static str,
    regex: OnceLock<Regex>,
}

impl Rule {
    pub const fn new(
        pattern: &'static str,
        min_chars: usize,
        max_chars: usize,
        message: &'static str,
    ) -> Self {
        Self {
            pattern,
            min_chars,
            max_chars,
            message,
            regex: OnceLock::new(),
        }
    }

    pub fn check(&self, field: &str, value: &str) -> AppResult<()> {
        let chars = value.chars().count();
        if chars < self.min_chars || chars > self.max_chars {
            return Err(AppError::invalid(
                field,
                format!(
                    "must be {} to {} characters long",
                    self.min_chars, self.max_chars
                ),
            ));
        }
        let regex = self
            .regex
            .get_or_init(|| Regex::new(self.pattern).expect("a valid input pattern"));
        if !regex.is_match(value) {
            return Err(AppError::invalid(field, self.message));
        }
        Ok(())
    }

    fn schema(&self, nullable: bool) -> Object {
        ObjectBuilder::new()
            .schema_type(string_type(nullable))
            .min_length(Some(self.min_chars))
            .max_length(Some(self.max_chars))
            .pattern(Some(self.pattern))
            .build()
    }
}

const TEXT_MESSAGE: &str = "must not contain control or invisible characters";
const REQUIRED_MESSAGE: &str = "must not be empty, nor contain control or invisible characters";

pub static NAME: Rule = Rule::new(REQUIRED_TEXT, 1, 60, REQUIRED_MESSAGE);
pub static PUBLIC_NAME: Rule = Rule::new(REQUIRED_TEXT, 1, 100, REQUIRED_MESSAGE);
pub static LEGAL_NAME: Rule = Rule::new(TEXT, 0, 200, TEXT_MESSAGE);
pub static DESCRIPTION: Rule = Rule::new(TEXT, 0, 1000, TEXT_MESSAGE);
pub static MEMO: Rule = Rule::new(TEXT, 0, 1000, TEXT_MESSAGE);
pub static REQUIRED_MEMO: Rule = Rule::new(REQUIRED_TEXT, 1, 1000, REQUIRED_MESSAGE);
pub static REASON: Rule = Rule::new(REQUIRED_TEXT, 1, 500, REQUIRED_MESSAGE);
pub static CATEGORY: Rule = Rule::new(REQUIRED_TEXT, 1, 60, REQUIRED_MESSAGE);
pub static EXTERNAL_REF: Rule = Rule::new(REQUIRED_TEXT, 1, 255, REQUIRED_MESSAGE);
pub static SLUG_RULE: Rule = Rule::new(
    SLUG,
    1,
    40,
    "use 1 to 40 lowercase letters, digits and inner dashes, like “gold”",
);
const AMOUNT_MESSAGE: &str =
    "must be a plain decimal like 12.50: digits, at most one “.” and 3 decimals, no grouping";
pub static AMOUNT_RULE: Rule = Rule::new(AMOUNT, 1, 13, AMOUNT_MESSAGE);
pub static SIGNED_AMOUNT_RULE: Rule = Rule::new(SIGNED_AMOUNT, 1, 14, AMOUNT_MESSAGE);
pub static LINK_REL_RULE: Rule = Rule::new(
    LINK_REL,
    9,
    100,
    "must be sponsored, noopener, noreferrer, nofollow or ugc, separated by single spaces, sponsored among them",
);
pub static EMAIL_RULE: Rule = Rule::new(EMAIL, 3, 254, "is not an email address");
pub static WEBSITE_RULE: Rule = Rule::new(
    WEBSITE,
    8,
    2048,
    "is not a web address starting with http:// or https://",
);
pub static HANDLE_RULE: Rule = Rule::new(
    HANDLE,
    3,
    320,
    "is not a fediverse handle like @alice@example.social",
);
pub static LOCALE_RULE: Rule =
    Rule::new(LOCALE, 1, 35, "must be a language tag like “en” or “de-CH”");

/// Checks a currency code: exactly one of the uppercase codes Coffer knows.
pub fn check_currency(code: &str) -> AppResult<()> {
    if Currency::codes().any(|c| c == code) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "currency",
            format!(
                "“{code}” is not a currency Coffer knows (use an uppercase ISO 4217 code like EUR)"
            ),
        ))
    }
}

/// Checks an id: from 1.
pub fn check_id(field: &str, id: i64) -> AppResult<i64> {
    if id >= 1 {
        Ok(id)
    } else {
        Err(AppError::invalid(field, "must be an id from 1"))
    }
}

fn string_type(nullable: bool) -> SchemaType {
    if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    }
}

pub fn slug() -> Object {
    SLUG_RULE.schema(false)
}
pub fn slug_or_null() -> Object {
    SLUG_RULE.schema(true)
}
pub fn name() -> Object {
    NAME.schema(false)
}
pub fn name_or_null() -> Object {
    NAME.schema(true)
}
pub fn public_name() -> Object {
    PUBLIC_NAME.schema(false)
}
pub fn public_name_or_null() -> Object {
    PUBLIC_NAME.schema(true)
}
pub fn legal_name_or_null() -> Object {
    LEGAL_NAME.schema(true)
}
pub fn description() -> Object {
    DESCRIPTION.schema(false)
}
pub fn description_or_null() -> Object {
    DESCRIPTION.schema(true)
}
pub fn memo() -> Object {
    MEMO.schema(false)
}
pub fn required_memo() -> Object {
    REQUIRED_MEMO.schema(false)
}
pub fn reason() -> Object {
    REASON.schema(false)
}
pub fn category() -> Object {
    CATEGORY.schema(false)
}
pub fn external_ref_or_null() -> Object {
    EXTERNAL_REF.schema(true)
}
pub fn link_rel_or_null() -> Object {
    let mut schema = LINK_REL_RULE.schema(true);
    schema.default = Some(Value::from("sponsored noopener"));
    schema
}
pub fn email_or_null() -> Object {
    EMAIL_RULE.schema(true)
}
pub fn website_or_null() -> Object {
    WEBSITE_RULE.schema(true)
}
pub fn handle_or_null() -> Object {
    HANDLE_RULE.schema(true)
}
pub fn locale_or_null() -> Object {
    LOCALE_RULE.schema(true)
}

fn amount(rule: &Rule, nullable: bool, description: &str, example: &str) -> Object {
    let mut schema = rule.schema(nullable);
    schema.description = Some(description.to_owned());
    schema.examples = vec![Value::from(example)];
    schema
}
pub fn minimum_amount() -> Object {
    amount(
        &AMOUNT_RULE,
        false,
        "Zero or more, with at most the currency's decimal places",
        "50.00",
    )
}
pub fn minimum_amount_or_null() -> Object {
    amount(
        &AMOUNT_RULE,
        true,
        "Zero or more, with at most the currency's decimal places",
        "50.00",
    )
}
pub fn positive_amount() -> Object {
    amount(
        &AMOUNT_RULE,
        false,
        "More than zero, with at most the currency's decimal places",
        "20.00",
    )
}
pub fn positive_amount_or_null() -> Object {
    amount(
        &AMOUNT_RULE,
        true,
        "More than zero, with at most the currency's decimal places; defaults to what remains",
        "5.00",
    )
}
pub fn signed_amount_or_null() -> Object {
    amount(
        &SIGNED_AMOUNT_RULE,
        true,
        "A signed change, not zero; defaults to reversing what remains",
        "-5.00",
    )
}

/// An uppercase ISO 4217 code Coffer knows.
pub fn currency() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .enum_values(Some(Currency::codes()))
        .examples([Value::from("EUR")])
        .build()
}
/// A currency code, or `null` for the instance currency.
pub fn currency_or_null() -> Object {
    let codes: Vec<Value> = Currency::codes()
        .map(Value::from)
        .chain([Value::Null])
        .collect();
    ObjectBuilder::new()
        .schema_type(string_type(true))
        .enum_values(Some(codes))
        .description(Some("Defaults to the instance currency"))
        .build()
}

fn integer(nullable: bool) -> ObjectBuilder {
    let ty = if nullable {
        SchemaType::from_iter([Type::Integer, Type::Null])
    } else {
        SchemaType::new(Type::Integer)
    };
    ObjectBuilder::new()
        .schema_type(ty)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
}
/// A record's id: from 1.
pub fn id() -> Object {
    integer(false)
        .minimum(Some(1))
        .maximum(Some(i64::MAX))
        .build()
}
pub fn id_or_null() -> Object {
    integer(true)
        .minimum(Some(1))
        .maximum(Some(i64::MAX))
        .build()
}
/// A page number.
pub fn page() -> Object {
    integer(false)
        .minimum(Some(0))
        .maximum(Some(MAX_PAGE))
        .default(Some(Value::from(0)))
        .build()
}
pub fn date_time_or_null() -> Object {
    ObjectBuilder::new()
        .schema_type(string_type(true))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .description(Some(
            "RFC 3339; from 2000-01-01 and not in the future; defaults to now",
        ))
        .build()
}
