//! Rendering: a receipt snapshot or an annual statement becomes a subject and a text and an HTML
//! body (askama templates under `templates/email/`, words from `locales/`).

use askama::Template;

use crate::domain::{Currency, Interval, Money, Source};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::ledger::receipts::{ReceiptKind, ReceiptSnapshot};

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link to the proof that a receipt's entry is in the signed books, sent as the
    /// `X-Coffer-Ledger-Proof` header too (docs/verify.md).
    pub proof_link: Option<String>,
}

/// What the words of a receipt need to know of the instance.
#[derive(Debug, Clone)]
pub struct Instance {
    pub name: String,
}

impl Instance {
    /// The instance as the settings have it now: a name the treasurer set in the console wins
    /// over this one, the environment's.
    pub fn current(&self, conn: &mut crate::db::DbConn) -> AppResult<Self> {
        Ok(Self {
            name: crate::ledger::settings::instance_name(conn, &self.name)?,
        })
    }
}

/// The receipt's words, already translated and formatted.
struct ReceiptView {
    lang: &'static str,
    number: String,
    title: String,
    greeting: String,
    intro: String,
    rows: Vec<(String, String)>,
    pledge_manage: Option<String>,
    /// The donor's self-service link and what it is for.
    self_service: Option<(String, String)>,
    /// The entry's place in the ledger's log and the link to its proof.
    ledger_proof: Option<(String, String)>,
    independence: String,
    automatic_note: String,
}

#[derive(Template)]
#[template(path = "email/receipt.txt")]
struct ReceiptText<'a> {
    m: &'a ReceiptView,
}

#[derive(Template)]
#[template(path = "email/receipt.html")]
struct ReceiptHtml<'a> {
    m: &'a ReceiptView,
}

fn render_error(e: askama::Error) -> AppError {
    AppError::Internal(format!("rendering a message: {e}"))
}

fn source_name(lang: Lang, source: &str) -> String {
    match Source::parse(source) {
        Ok(source) => lang.t(&format!("source-{}", source.as_str())),
        Err(_) => source.to_owned(),
    }
}

fn money(minor: i64, currency: &str) -> AppResult<Money> {
    let currency = Currency::parse(currency)
        .map_err(|e| AppError::Internal(format!("stored currency: {e}")))?;
    Money::from_minor(minor, currency)
        .map_err(|e| AppError::Internal(format!("stored amount: {e}")))
}

/// Renders a receipt or a credit note from its snapshot.
/// A receipt or credit note as mailed; `self_service` is the donor's signed link to change how
/// they are shown or cancel their pledge, when Coffer can sign one.
pub fn receipt(
    instance: &Instance,
    snapshot: &ReceiptSnapshot,
    self_service: Option<&str>,
) -> AppResult<RenderedMail> {
    receipt_with_proof(instance, snapshot, self_service, None)
}

/// Like [`receipt`], with the public address the proof link starts from.
pub fn receipt_with_proof(
    instance: &Instance,
    snapshot: &ReceiptSnapshot,
    self_service: Option<&str>,
    public_url: Option<&str>,
) -> AppResult<RenderedMail> {
    let lang = snapshot.lang;
    let name = instance.name.clone();
    let amount = lang.money(money(snapshot.amount_minor, &snapshot.currency)?);
    let (title, subject_key, number_label, intro) = match snapshot.kind {
        ReceiptKind::Receipt => (
            lang.t("receipt-title"),
            "receipt-subject",
            lang.t("label-receipt-number"),
            lang.t_args("receipt-intro", &[("instance", name.clone())]),
        ),
        ReceiptKind::CreditNote => (
            lang.t("credit-note-title"),
            "credit-note-subject",
            lang.t("label-credit-note-number"),
            match &snapshot.corrects {
                Some(corrects) => lang.t_args(
                    "credit-note-intro",
                    &[("instance", name.clone()), ("corrects", corrects.clone())],
                ),
                None => lang.t_args(
                    "credit-note-intro-unnumbered",
                    &[("instance", name.clone())],
                ),
            },
        ),
    };
    let mut rows = vec![(number_label, snapshot.number.clone())];
    if let Some(corrects) = &snapshot.corrects {
        rows.push((lang.t("label-corrects"), corrects.clone()));
    }
    if let Some(donor) = &snapshot.donor_name {
        rows.push((lang.t("label-donor"), donor.clone()));
    }
    let amount_label = match snapshot.kind {
        ReceiptKind::Receipt => lang.t("label-amount"),
        ReceiptKind::CreditNote => lang.t("label-refunded"),
    };
    rows.push((amount_label, amount));
    rows.push((lang.t("label-date"), lang.date(snapshot.date)));
    rows.push((lang.t("label-source"), source_name(lang, &snapshot.source)));
    let mut pledge_manage = None;
    if let Some(pledge) = &snapshot.pledge {
        let interval = match Interval::parse(&pledge.interval) {
            Ok(interval) => lang.t(&format!("interval-{}", interval.as_str())),
            Err(_) => pledge.interval.clone(),
        };
        rows.push((
            lang.t("label-pledge"),
            lang.t_args(
                "pledge-line",
                &[
                    (
                        "amount",
                        lang.money(money(pledge.amount_minor, &pledge.currency)?),
                    ),
                    ("interval", interval),
                ],
            ),
        ));
        pledge_manage = Some(lang.t_args("pledge-manage", &[("instance", name.clone())]));
    }
    let proof_link = match (public_url, snapshot.ledger_leaf) {
        (Some(base), Some(_)) => Some(format!("{base}/api/v1/ledger/proof/{}", snapshot.number)),
        _ => None,
    };
    let ledger_proof = match (&proof_link, snapshot.ledger_leaf) {
        (Some(link), Some(leaf)) => Some((
            lang.t_args("receipt-ledger-proof", &[("leaf", leaf.to_string())]),
            link.clone(),
        )),
        _ => None,
    };
    let greeting_name = snapshot.donor_name.clone().unwrap_or_default();
    let view = ReceiptView {
        lang: lang.tag(),
        number: snapshot.number.clone(),
        title,
        greeting: lang.t_args("greeting", &[("name", greeting_name)]),
        intro,
        rows,
        pledge_manage,
        self_service: self_service.map(|link| (lang.t("receipt-self-service"), link.to_owned())),
        ledger_proof,
        independence: lang.t("independence-statement"),
        automatic_note: lang.t_args("automatic-note", &[("instance", name.clone())]),
    };
    Ok(RenderedMail {
        subject: lang.t_args(
            subject_key,
            &[("number", snapshot.number.clone()), ("instance", name)],
        ),
        text: ReceiptText { m: &view }.render().map_err(render_error)?,
        html: ReceiptHtml { m: &view }.render().map_err(render_error)?,
        proof_link,
    })
}

/// One line of an annual statement.
#[derive(Debug, Clone)]
pub struct StatementLine {
    pub number: String,
    pub date: String,
    pub kind: String,
    pub amount: String,
}

struct StatementView {
    lang: &'static str,
    title: String,
    greeting: String,
    intro: String,
    headings: Vec<String>,
    lines: Vec<StatementLine>,
    total_label: String,
    totals: Vec<String>,
    independence: String,
    automatic_note: String,
}

#[derive(Template)]
#[template(path = "email/statement.txt")]
struct StatementText<'a> {
    m: &'a StatementView,
}

#[derive(Template)]
#[template(path = "email/statement.html")]
struct StatementHtml<'a> {
    m: &'a StatementView,
}

/// Renders a donor's annual statement from the snapshots of the year's receipts and credit
/// notes: each line with its number, and the net total per currency.
pub fn statement(
    instance: &Instance,
    lang: Lang,
    year: i32,
    donor_name: &str,
    documents: &[ReceiptSnapshot],
) -> AppResult<RenderedMail> {
    let name = instance.name.clone();
    let mut lines = Vec::new();
    let mut totals: Vec<(String, i128)> = Vec::new();
    for doc in documents {
        let signed = match doc.kind {
            ReceiptKind::Receipt => doc.amount_minor,
            ReceiptKind::CreditNote => -doc.amount_minor,
        };
        lines.push(StatementLine {
            number: doc.number.clone(),
            date: lang.date(doc.date),
            kind: match doc.kind {
                ReceiptKind::Receipt => lang.t("kind-receipt"),
                ReceiptKind::CreditNote => lang.t("kind-credit-note"),
            },
            amount: lang.money(money(signed, &doc.currency)?),
        });
        match totals.iter_mut().find(|(c, _)| *c == doc.currency) {
            Some((_, sum)) => *sum += i128::from(signed),
            None => totals.push((doc.currency.clone(), i128::from(signed))),
        }
    }
    let totals = totals
        .into_iter()
        .map(|(currency, sum)| {
            let sum = i64::try_from(sum)
                .map_err(|_| AppError::Internal("statement total out of range".to_owned()))?;
            Ok(lang.money(money(sum, &currency)?))
        })
        .collect::<AppResult<Vec<_>>>()?;
    let year_text = year.to_string();
    let view = StatementView {
        lang: lang.tag(),
        title: lang.t_args("statement-title", &[("year", year_text.clone())]),
        greeting: lang.t_args("greeting", &[("name", donor_name.to_owned())]),
        intro: lang.t_args(
            "statement-intro",
            &[("instance", name.clone()), ("year", year_text.clone())],
        ),
        headings: vec![
            lang.t("label-receipt-number"),
            lang.t("label-date"),
            lang.t("label-kind"),
            lang.t("label-amount"),
        ],
        lines,
        total_label: lang.t("label-net-total"),
        totals,
        independence: lang.t("independence-statement"),
        automatic_note: lang.t_args("automatic-note", &[("instance", name.clone())]),
    };
    Ok(RenderedMail {
        subject: lang.t_args(
            "statement-subject",
            &[("year", year_text), ("instance", name)],
        ),
        text: StatementText { m: &view }.render().map_err(render_error)?,
        html: StatementHtml { m: &view }.render().map_err(render_error)?,
        proof_link: None,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::ledger::receipts::PledgeSnapshot;

    fn snapshot(lang: Lang, kind: ReceiptKind) -> ReceiptSnapshot {
        ReceiptSnapshot {
            number: match kind {
                ReceiptKind::Receipt => "2026-000042".to_owned(),
                ReceiptKind::CreditNote => "2026-000043".to_owned(),
            },
            kind,
            corrects: (kind == ReceiptKind::CreditNote).then(|| "2026-000042".to_owned()),
            lang,
            donor_name: Some("Ada Lovelace".to_owned()),
            amount_minor: 123_450,
            currency: match lang {
                Lang::En => "EUR".to_owned(),
                Lang::Nb => "NOK".to_owned(),
            },
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            source: "bank".to_owned(),
            pledge: (kind == ReceiptKind::Receipt).then(|| PledgeSnapshot {
                amount_minor: 2_500,
                currency: "EUR".to_owned(),
                interval: "month".to_owned(),
            }),
            entry_id: 7,
            issued_at: NaiveDate::from_ymd_opt(2026, 11, 23)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap(),
            ledger_leaf: None,
        }
    }

    fn instance() -> Instance {
        Instance {
            name: "Example Social".to_owned(),
        }
    }

    fn all_parts(mail: &RenderedMail) -> String {
        format!(
            "Subject: {}\n\n----- text -----\n{}\n----- html -----\n{}",
            mail.subject, mail.text, mail.html
        )
    }

    #[test]
    fn receipt_in_english() {
        let mail = receipt(
            &instance(),
            &snapshot(Lang::En, ReceiptKind::Receipt),
            Some("https://example.social/donate/manage/7.1767225600.abc?lang=en"),
        )
        .unwrap();
        assert!(mail.text.contains("€1,234.50"), "{}", mail.text);
        assert!(mail.text.contains("23 November 2026"));
        assert!(mail.text.contains(crate::domain::INDEPENDENCE_STATEMENT));
        let link = "https://example.social/donate/manage/7.1767225600.abc?lang=en";
        assert!(mail.text.contains(link) && mail.html.contains(&format!("href=\"{link}\"")));
        insta::assert_snapshot!(all_parts(&mail));
    }

    #[test]
    fn receipt_in_bokmal() {
        let mail = receipt(&instance(), &snapshot(Lang::Nb, ReceiptKind::Receipt), None).unwrap();
        assert!(mail.text.contains("1 234,50 kr"), "{}", mail.text);
        assert!(mail.text.contains("23. november 2026"));
        insta::assert_snapshot!(all_parts(&mail));
    }

    #[test]
    fn credit_note_in_english() {
        let mail = receipt(
            &instance(),
            &snapshot(Lang::En, ReceiptKind::CreditNote),
            None,
        )
        .unwrap();
        assert!(mail.text.contains("2026-000042"));
        insta::assert_snapshot!(all_parts(&mail));
    }

    #[test]
    fn credit_note_in_bokmal() {
        let mail = receipt(
            &instance(),
            &snapshot(Lang::Nb, ReceiptKind::CreditNote),
            None,
        )
        .unwrap();
        insta::assert_snapshot!(all_parts(&mail));
    }

    #[test]
    fn statements_in_both_languages() {
        for lang in Lang::ALL {
            let docs = [
                snapshot(lang, ReceiptKind::Receipt),
                snapshot(lang, ReceiptKind::CreditNote),
            ];
            let mut second = snapshot(lang, ReceiptKind::Receipt);
            second.number = "2026-000050".to_owned();
            second.amount_minor = 1_000;
            let docs = [docs[0].clone(), docs[1].clone(), second];
            let mail = statement(&instance(), lang, 2026, "Ada Lovelace", &docs).unwrap();
            insta::assert_snapshot!(format!("statement_{}", lang.tag()), all_parts(&mail));
        }
    }

    #[test]
    fn html_is_escaped() {
        let mut snap = snapshot(Lang::En, ReceiptKind::Receipt);
        snap.donor_name = Some("<script>alert(1)</script>".to_owned());
        let mail = receipt(&instance(), &snap, None).unwrap();
        assert!(!mail.html.contains("<script>"));
        assert!(
            mail.text.contains("<script>"),
            "plain text is not HTML-escaped"
        );
    }
}
