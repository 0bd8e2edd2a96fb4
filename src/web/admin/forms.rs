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

/// A post must carry its session's CSRF token; anything else is refused before it is read on.
fn check_csrf(console: &Console, fields: &Fields) -> Result<(), ApiError> {
    let sent = fields.text(CSRF_FIELD);
    if sent.is_empty() || !same_token(&sent, &console.session.csrf_token) {
        return Err(ApiError::Forbidden(
            "this form has expired or did not come from Coffer; go back, reload and try again"
                .to_owned(),
        ));
    }
    Ok(())
}

async fn read_form(req: HttpRequest, mut payload: Payload) -> Result<PostedForm, ApiError> {
    let console = Console::from_request(&req, &mut Payload::None).await?;
    let body = RawBody::from_request(&req, &mut payload).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body.0)
        .map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?;
    let fields = Fields(pairs);
    check_csrf(&console, &fields)?;
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

/// A file posted with a form, as far as it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    /// No file was chosen.
    Missing,
    /// The file's bytes, at most the limit the form was read with.
    File(Vec<u8>),
    /// The file was larger than the limit: this many bytes or more.
    TooLarge(usize),
}

/// A `multipart/form-data` post from a treasurer (a file upload), with the same checks as
/// [`WriteForm`]: viewers get 403, and a post without the session's CSRF token writes nothing.
pub struct UploadForm {
    pub console: Console,
    pub fields: Fields,
    pub file: Upload,
}

/// Text fields of an upload form are short; more than this is not a form of ours.
const UPLOAD_TEXT_LIMIT: usize = 64 * 1024;
/// A file over the limit is read on (and dropped) up to this much, so that the browser gets the
/// form back with its message rather than a reset connection; beyond it, 413.
const UPLOAD_DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// Reads a multipart form whose file field is `file_field`, keeping at most `max_file` bytes.
pub async fn read_upload(
    req: &HttpRequest,
    payload: Payload,
    file_field: &str,
    max_file: usize,
) -> Result<(Fields, Upload), ApiError> {
    use futures_util::StreamExt;

    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Err(ApiError::BadRequest(
            "this form sends a file: it must be posted as multipart/form-data".to_owned(),
        ));
    }
    let mut multipart = actix_multipart::Multipart::new(req.headers(), payload);
    let mut fields = Vec::new();
    let mut file = Upload::Missing;
    let mut total = 0usize;
    let unreadable = |e: actix_multipart::MultipartError| {
        ApiError::BadRequest(format!("the form could not be read: {e}"))
    };
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(unreadable)?;
        let name = part.name().unwrap_or_default().to_owned();
        let is_file = name == file_field;
        let mut bytes = Vec::new();
        let mut seen = 0usize;
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(unreadable)?;
            seen += chunk.len();
            total += chunk.len();
            if total > UPLOAD_DRAIN_LIMIT {
                return Err(ApiError::PayloadTooLarge {
                    limit: UPLOAD_DRAIN_LIMIT,
                });
            }
            let limit = if is_file { max_file } else { UPLOAD_TEXT_LIMIT };
            if seen <= limit {
                bytes.extend_from_slice(&chunk);
            } else if !is_file {
                return Err(ApiError::PayloadTooLarge { limit });
            }
        }
        if is_file {
            // A file input left empty still sends a part, with no bytes and no file name.
            file = if seen > max_file {
                Upload::TooLarge(seen)
            } else if seen == 0 {
                Upload::Missing
            } else {
                Upload::File(bytes)
            };
        } else {
            let value = String::from_utf8(bytes)
                .map_err(|_| ApiError::BadRequest(format!("the field {name} is not UTF-8")))?;
            fields.push((name, value));
        }
    }
    Ok((Fields(fields), file))
}

impl FromRequest for UploadForm {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let console = Console::from_request(&req, &mut Payload::None).await?;
            console.require_treasurer()?;
            let (fields, file) = read_upload(
                &req,
                payload,
                UPLOAD_FILE_FIELD,
                crate::ledger::logos::MAX_UPLOAD_BYTES,
            )
            .await?;
            check_csrf(&console, &fields)?;
            Ok(UploadForm {
                console,
                fields,
                file,
            })
        })
    }
}

/// The name of an upload form's file input.
pub const UPLOAD_FILE_FIELD: &str = "file";
