//! Forms: the fields a post carries, the CSRF check every post passes first, and the state a
//! refused form is shown again with (the values kept, each message beside its field).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::session::Console;
use crate::error::{AppError, AppResult};
use crate::web::api::extract::RawBody;
use crate::web::error::ApiError;

/// The hidden field every console form carries.
pub const CSRF_FIELD: &str = "csrf";

/// A form's fields, as posted (a name may repeat, e.g. checkboxes).
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of a field, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A field's value as typed, or an empty string.
    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A checkbox: ticked when present.
    pub fn flag(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// An optional id.
    pub fn id(&self, name: &str) -> AppResult<Option<i64>> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| AppError::invalid(name, "must be a record number like 42"))
            })
            .transpose()
    }

    /// A required id.
    pub fn required_id(&self, name: &str) -> AppResult<i64> {
        self.id(name)?
            .ok_or_else(|| AppError::invalid(name, "must not be empty"))
    }

    /// An optional date (`2026-11-25`), as the start of that day in UTC.
    pub fn date(&self, name: &str) -> AppResult<Option<DateTime<Utc>>> {
        self.get(name)
            .map(|v| {
                NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|d| d.and_utc())
                    .ok_or_else(|| AppError::invalid(name, "must be a date like 2026-11-25"))
            })
            .transpose()
    }
}

/// True when two tokens are equal, compared in constant time (by their hashes).
pub fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// A form post from a signed-in account whose CSRF token matched its session's. Anything else
/// is refused before a handler runs: no session → sign in; a missing or stale token → 403.
pub struct PostedForm {
    pub console: Console,
    pub fields: Fields,
}

/// A [`PostedForm`] from a treasurer: viewers get 403 and nothing is written.
pub struct WriteForm {
    pub console: Console,
    pub fields: Fields,
}

async fn read_form(req: HttpRequest, mut payload: Payload) -> Result<PostedForm, ApiError> {
    let console = Console::from_request(&req, &mut Payload::None).await?;
    let body = RawBody::from_request(&req, &mut payload).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body.0)
        .map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?;
    let fields = Fields(pairs);
    let sent = fields.text(CSRF_FIELD);
    if sent.is_empty() || !same_token(&sent, &console.session.csrf_token) {
        return Err(ApiError::Forbidden(
            "this form has expired or did not come from Coffer; go back, reload and try again"
                .to_owned(),
        ));
    }
    Ok(PostedForm { console, fields })
}

impl FromRequest for PostedForm {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        Box::pin(read_form(req.clone(), payload.take()))
    }
}

impl FromRequest for WriteForm {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let form = read_form(req, payload).await?;
            form.console.require_treasurer()?;
            Ok(WriteForm {
                console: form.console,
                fields: form.fields,
            })
        })
    }
}

/// One input of a form, as [`FormPage`](super::FormPage) renders it.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `email`, `url`, `date`, `number`, `password`, `textarea`, `select`, `checkbox`
    /// or `checkboxes` (several values of one name, from `options`).
    pub kind: &'static str,
    pub required: bool,
    pub hint: &'static str,
    /// `(value, label)` pairs for selects and checkbox groups.
    pub options: Vec<(String, String)>,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, kind: &'static str) -> Self {
        Self {
            name,
            label,
            kind,
            required: false,
            hint: "",
            options: Vec::new(),
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }
}

/// A form's values and messages: empty, prefilled, or as posted with what was wrong.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    values: Fields,
    errors: HashMap<String, String>,
    /// A message about the whole form (a conflict, or a field the form does not show).
    pub message: Option<String>,
}

impl FormState {
    /// A form filled with these values.
    pub fn filled(values: Vec<(&str, String)>) -> Self {
        Self {
            values: Fields(values.into_iter().map(|(n, v)| (n.to_owned(), v)).collect()),
            ..Self::default()
        }
    }

    /// The posted values, with the error beside its field when the form shows that field.
    pub fn refused(fields: Fields, err: &AppError, shown: &[Field]) -> Self {
        let mut state = Self {
            values: fields,
            ..Self::default()
        };
        match err {
            AppError::Invalid {
                field: Some(field),
                message,
            } if shown.iter().any(|f| f.name == field) => {
                state.errors.insert(field.clone(), message.clone());
            }
            other => state.message = Some(other.to_string()),
        }
        state
    }

    pub fn value(&self, name: &str) -> String {
        self.values.text(name)
    }

    pub fn is_checked(&self, name: &str, value: &str) -> bool {
        self.values.0.iter().any(|(n, v)| n == name && v == value)
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    pub fn has_error(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }
}

/// True for the errors a person can fix by changing the form: shown again beside the form.
pub fn is_fixable(err: &AppError) -> bool {
    matches!(
        err,
        AppError::Invalid { .. } | AppError::Conflict(_) | AppError::NotFound { .. }
    )
}
