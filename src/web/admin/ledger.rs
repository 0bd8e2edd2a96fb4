//! `/admin/ledger`: the ledger with filters and pages by cursor, and the forms that record
//! donations, refunds, expenses and corrections.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::{Field, Fields, FormState, WriteForm};
use super::session::Console;
use super::{after, attempt, refused_status, render, with_none, Ctx, FormPage};
use crate::db::DbConn;
use crate::domain::{EntryKind, Source};
use crate::error::{AppError, AppResult};
use crate::ledger::entries::{self, *};
use crate::ledger::write::Recorded;
use crate::web::api::created;
use crate::web::error::PageError;
use crate::web::inputs::{CorrectionInput, DonationInput, ExpenseInput, RefundInput};
use crate::web::views::EntryView;
use crate::web::AppState;

/// Entries on one page of the console's ledger.
const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "admin/ledger.html")]
pub struct LedgerPage {
    pub ctx: Ctx,
    pub entries: Vec<Entry>,
    pub kind: String,
    pub donor_id: String,
    pub source: String,
    pub month: String,
    pub kinds: Vec<&'static str>,
    pub sources: Vec<(String, String)>,
    pub next: Option<String>,
}

/// `?kind=&donor_id=&source=&month=YYYY-MM&cursor=`; blank values mean no filter.
#[derive(Debug, Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    donor_id: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    cursor: String,
}

/// `2026-11` as `(2026, 11)`.
fn parse_month(text: &str) -> AppResult<(i32, u32)> {
    let invalid = || AppError::invalid("month", "must be a month like 2026-11");
    let (year, month) = text.trim().split_once('-').ok_or_else(invalid)?;
    let year: i32 = year.parse().map_err(|_| invalid())?;
    let month: u32 = month.parse().map_err(|_| invalid())?;
    if !(2000..=9999).contains(&year) || !(1..=12).contains(&month) {
        return Err(invalid());
    }
    Ok((year, month))
}

const KINDS: [&str; 5] = ["donation", "refund", "fee", "expense", "correction"];

/// `GET /admin/ledger`.
pub async fn list(
    state: web::Data<AppState>,
    console: Console,
    query: web::Query<LedgerQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let fields = Fields(vec![
        ("kind".to_owned(), query.kind.clone()),
        ("donor_id".to_owned(), query.donor_id.clone()),
        ("source".to_owned(), query.source.clone()),
        ("month".to_owned(), query.month.clone()),
        ("cursor".to_owned(), query.cursor.clone()),
    ]);
    let kind = fields
        .get("kind")
        .map(|k| EntryKind::parse(&k).map_err(|e| AppError::invalid("kind", e.to_string())))
        .transpose()?;
    let filter = LedgerFilter {
        kind,
        donor_id: fields.id("donor_id")?,
        source: fields
            .get("source")
            .map(|s| Source::parse(&s).map_err(|e| AppError::invalid("source", e.to_string())))
            .transpose()?,
        month: fields.get("month").map(|m| parse_month(&m)).transpose()?,
    };
    let at = match fields.id("cursor")? {
        Some(cursor) => PageAt::After(cursor),
        None => PageAt::Number(0),
    };
    let page = state
        .run(move |conn| entries::list_filtered(conn, &filter, at, PAGE))
        .await?;
    let next = page.next_cursor.map(|cursor| {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        next.append_pair("kind", query.kind.trim());
        next.append_pair("donor_id", query.donor_id.trim());
        next.append_pair("source", query.source.trim());
        next.append_pair("month", query.month.trim());
        next.append_pair("cursor", &cursor.to_string());
        format!("/admin/ledger?{}", next.finish())
    });
    render(
        StatusCode::OK,
        &LedgerPage {
            ctx: Ctx::new(&console, "ledger"),
            entries: page.entries,
            kind: query.kind.trim().to_owned(),
            donor_id: query.donor_id.trim().to_owned(),
            source: query.source.trim().to_owned(),
            month: query.month.trim().to_owned(),
            kinds: KINDS.to_vec(),
            sources: sources(),
            next,
        },
    )
}

fn sources() -> Vec<(String, String)> {
    [
        "manual",
        "bank",
        "stripe",
        "patreon",
        "liberapay",
        "opencollective",
        "kofi",
        "github",
    ]
    .iter()
    .map(|s| (s.to_string(), s.to_string()))
    .collect()
}

fn donation_fields() -> Vec<Field> {
    vec![
        Field::new("donor_id", "Donor number", "number").hint("Leave empty for an anonymous gift."),
        Field::new("pledge_id", "Pledge number", "number").hint("When the gift pays a pledge."),
        Field::new("amount", "Amount", "text")
            .required()
            .hint("Like 25.00"),
        Field::new("currency", "Currency", "text").hint("Empty for the instance currency."),
        Field::new("occurred_at", "Date", "date").hint("Empty for now."),
        Field::new("source", "Source", "select").options(sources()),
        Field::new("external_ref", "External reference", "text")
            .hint("The payment's id elsewhere; recorded once only."),
        Field::new("memo", "Memo", "textarea"),
    ]
}

fn refund_fields() -> Vec<Field> {
    vec![
        Field::new("entry_id", "Donation entry number", "number").required(),
        Field::new("amount", "Amount", "text").hint("Empty for what remains of the donation."),
        Field::new("occurred_at", "Date", "date").hint("Empty for now."),
        Field::new("source", "Source", "select").options(with_none("the donation's", sources())),
        Field::new("external_ref", "External reference", "text"),
        Field::new("memo", "Memo", "textarea"),
    ]
}

fn expense_fields() -> Vec<Field> {
    vec![
        Field::new("amount", "Amount", "text")
            .required()
            .hint("Like 40.00"),
        Field::new("currency", "Currency", "text").hint("Empty for the instance currency."),
        Field::new("category", "Category", "text")
            .required()
            .hint("e.g. hosting, domain, storage"),
        Field::new("occurred_at", "Date", "date").hint("Empty for now."),
        Field::new("source", "Source", "select").options(sources()),
        Field::new("external_ref", "External reference", "text"),
        Field::new("memo", "Memo", "textarea"),
        Field::new("public_note", "Public note", "text")
            .hint("Shown on the transparency page, e.g. \"Hetzner AX41, media storage\"; leave empty to publish none. Never anything personal."),
    ]
}

fn correction_fields() -> Vec<Field> {
    vec![
        Field::new("entry_id", "Entry number to correct", "number").required(),
        Field::new("amount", "Signed amount", "text")
            .hint("Like -5.00; empty to reverse what remains of the entry."),
        Field::new("memo", "Why", "textarea").required(),
    ]
}

/// One of the console's forms that record an entry: what it says, where it posts, what it asks.
struct EntryForm {
    title: &'static str,
    intro: &'static str,
    action: &'static str,
    fields: fn() -> Vec<Field>,
    /// What the audit log calls the write.
    audit_action: &'static str,
}

const DONATION: EntryForm = EntryForm {
    title: "Record a donation",
    intro: "Money received, from a donor or anonymously.",
    action: "/admin/ledger/donation",
    fields: donation_fields,
    audit_action: "donation.record",
};
const REFUND: EntryForm = EntryForm {
    title: "Refund a donation",
    intro: "Money given back: a new entry that reverses (part of) a donation.",
    action: "/admin/ledger/refund",
    fields: refund_fields,
    audit_action: "refund.record",
};
const EXPENSE: EntryForm = EntryForm {
    title: "Record an expense",
    intro: "A running cost; the wall's monthly goal is the average of the last year's.",
    action: "/admin/ledger/expense",
    fields: expense_fields,
    audit_action: "expense.record",
};
const CORRECTION: EntryForm = EntryForm {
    title: "Correct an entry",
    intro: "Entries are never edited: a correction is a new entry that reverses a mistaken one.",
    action: "/admin/ledger/correction",
    fields: correction_fields,
    audit_action: "correction.record",
};

impl EntryForm {
    fn page(&self, console: &Console, form: FormState) -> FormPage {
        FormPage {
            ctx: Ctx::new(console, "ledger"),
            title: self.title.to_owned(),
            intro: self.intro.to_owned(),
            action: self.action.to_owned(),
            submit: "Record",
            fields: (self.fields)(),
            form,
            back: "/admin/ledger".to_owned(),
        }
    }

    /// Shows the form to a treasurer (viewers get 403: they see no write forms).
    fn show(&self, console: &Console, form: FormState) -> Result<HttpResponse, PageError> {
        console.require_treasurer()?;
        render(StatusCode::OK, &self.page(console, form))
    }

    /// Shows the form with `?entry_id=` filled in: the entry a refund or correction is for.
    fn show_for_entry(
        &self,
        console: &Console,
        query: web::Query<Vec<(String, String)>>,
    ) -> Result<HttpResponse, PageError> {
        let entry = Fields(query.into_inner()).text("entry_id");
        self.show(console, FormState::filled(vec![("entry_id", entry)]))
    }

    /// Records an entry from the posted form, or shows the form again with what was wrong.
    async fn record<D, R>(
        &self,
        state: &AppState,
        form: WriteForm,
        draft: AppResult<D>,
        write: R,
    ) -> Result<HttpResponse, PageError>
    where
        D: Send + 'static,
        R: FnOnce(&mut DbConn, D) -> AppResult<Entry> + Send + 'static,
    {
        let change = draft.map(|draft| move |conn: &mut DbConn| recorded(write(conn, draft)?));
        let outcome = attempt(state, &form.console, self.audit_action, change).await?;
        after(
            outcome,
            |_| "/admin/ledger".to_owned(),
            |err| {
                let again = FormState::refused(form.fields.clone(), err, &(self.fields)());
                render(refused_status(err), &self.page(&form.console, again))
            },
        )
    }
}

/// `GET /admin/ledger/donation`.
pub async fn donation_form(console: Console) -> Result<HttpResponse, PageError> {
    DONATION.show(&console, FormState::default())
}

/// `GET /admin/ledger/refund?entry_id=`.
pub async fn refund_form(
    console: Console,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    REFUND.show_for_entry(&console, query)
}

/// `GET /admin/ledger/expense`.
pub async fn expense_form(console: Console) -> Result<HttpResponse, PageError> {
    EXPENSE.show(&console, FormState::default())
}

/// `GET /admin/ledger/correction?entry_id=`.
pub async fn correction_form(
    console: Console,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    CORRECTION.show_for_entry(&console, query)
}

fn recorded(entry: Entry) -> AppResult<Recorded> {
    created(format!("entry:{}", entry.id), &EntryView::from(&entry))
}

fn donation_input(f: &Fields) -> AppResult<DonationInput> {
    Ok(DonationInput {
        donor_id: f.id("donor_id")?,
        pledge_id: f.id("pledge_id")?,
        amount: f.text("amount").trim().to_owned(),
        currency: f.get("currency"),
        occurred_at: f.date("occurred_at")?,
        source: f.get("source"),
        external_ref: f.get("external_ref"),
        memo: f.text("memo"),
    })
}

fn refund_input(f: &Fields) -> AppResult<RefundInput> {
    Ok(RefundInput {
        entry_id: f.required_id("entry_id")?,
        amount: f.get("amount"),
        occurred_at: f.date("occurred_at")?,
        source: f.get("source"),
        external_ref: f.get("external_ref"),
        memo: f.text("memo"),
    })
}

fn expense_input(f: &Fields) -> AppResult<ExpenseInput> {
    Ok(ExpenseInput {
        amount: f.text("amount").trim().to_owned(),
        currency: f.get("currency"),
        category: f.text("category"),
        occurred_at: f.date("occurred_at")?,
        source: f.get("source"),
        external_ref: f.get("external_ref"),
        memo: f.text("memo"),
        public_note: f.get("public_note"),
    })
}

fn correction_input(f: &Fields) -> AppResult<CorrectionInput> {
    Ok(CorrectionInput {
        entry_id: f.required_id("entry_id")?,
        amount: f.get("amount"),
        memo: f.text("memo"),
    })
}

/// `POST /admin/ledger/donation`.
pub async fn record_donation(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let draft = donation_input(&form.fields)
        .and_then(|input| DonationDraft::try_from((input, state.settings.currency)));
    DONATION
        .record(&state, form, draft, entries::record_donation)
        .await
}

/// `POST /admin/ledger/refund`.
pub async fn record_refund(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let draft = refund_input(&form.fields).and_then(RefundDraft::try_from);
    REFUND
        .record(&state, form, draft, entries::record_refund)
        .await
}

/// `POST /admin/ledger/expense`.
pub async fn record_expense(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let draft = expense_input(&form.fields).and_then(|input| {
        let note = input.public_note.clone();
        ExpenseDraft::try_from((input, state.settings.currency)).map(|d| (d, note))
    });
    EXPENSE
        .record(&state, form, draft, |conn, (draft, note)| {
            entries::record_expense_with_note(conn, draft, note.as_deref())
        })
        .await
}

/// `POST /admin/ledger/correction`.
pub async fn record_correction(
    state: web::Data<AppState>,
    form: WriteForm,
) -> Result<HttpResponse, PageError> {
    let draft = correction_input(&form.fields).and_then(CorrectionDraft::try_from);
    CORRECTION
        .record(&state, form, draft, entries::record_correction)
        .await
}
