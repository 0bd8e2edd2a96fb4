//! `/transparency` and `GET /api/v1/transparency`: where the money goes, rendered by the
//! publisher from [`crate::reports::transparency`] once per change and served from memory.
//! The chart is SVG drawn here on the server, from exact integers (no script, no floats near
//! money), with the same numbers in a table beside it.

use std::fmt::Write as _;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Total;
use crate::i18n::Lang;
use crate::ledger::wall::Wall;
use crate::reports::transparency::{CurrencyBooks, MonthFigures, Transparency, YearMonth};
use crate::verify::format::{Checkpoint, CHECKPOINTS_PATH, LEDGER_KEY_PATH};
use crate::web::api::responses::ServerErrors;
use crate::web::error::{ApiResult, PageError};
use crate::web::middleware::serve;
use crate::web::pages::{visitor_lang, LangQuery, Localized};
use crate::web::views::MoneyView;
use crate::web::AppState;

/// Recurring support against the recent running costs, in the instance currency.
#[derive(Debug, Clone, Copy)]
pub struct Coverage {
    pub recurring: Total,
    /// The last three complete months' average cost.
    pub costs: Option<Total>,
    /// `recurring / costs` in whole percent, rounded down (not capped).
    pub percent: Option<i128>,
}

impl Coverage {
    pub fn new(wall: &Wall, transparency: &Transparency) -> Self {
        let costs = transparency
            .main()
            .and_then(|b| b.average_cost.map(|c| b.total(c)));
        let percent = costs.and_then(|c| {
            let cost = c.minor_units();
            (cost > 0).then(|| wall.monthly_recurring.minor_units() * 100 / cost)
        });
        Self {
            recurring: wall.monthly_recurring,
            costs,
            percent,
        }
    }
}

/// The page at `/transparency`.
#[derive(Template)]
#[template(path = "public/transparency.html")]
pub struct TransparencyPage<'a> {
    pub instance_name: &'a str,
    pub transparency: &'a Transparency,
    pub coverage: Coverage,
    pub public_url: &'a str,
    /// The latest signed tree head of the ledger's log, if one was signed.
    pub checkpoint: Option<&'a Checkpoint>,
    pub lang: Lang,
}

impl Localized for TransparencyPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl TransparencyPage<'_> {
    fn title(&self) -> String {
        self.t1("transparency-title", "instance", self.instance_name)
    }

    fn description(&self) -> String {
        self.t1("transparency-description", "instance", self.instance_name)
    }

    fn lede(&self) -> String {
        self.t1("transparency-lede", "instance", self.instance_name)
    }

    fn canonical(&self) -> String {
        format!("{}/transparency", self.public_url.trim_end_matches('/'))
    }

    /// A figure of `books` as the language writes it.
    fn amount(&self, books: &CurrencyBooks, minor: &i128) -> String {
        self.lang.total(books.total(*minor))
    }

    fn note_date(&self, note: &crate::reports::transparency::PublicNote) -> String {
        self.lang.date(note.date)
    }

    fn month_name(&self, month: &YearMonth) -> String {
        month_name(self.lang, *month)
    }

    fn books_heading(&self, books: &CurrencyBooks) -> String {
        self.t1("transparency-books", "currency", books.currency.code())
    }

    fn funded_line(&self, books: &CurrencyBooks) -> String {
        match (books.funded_months, books.funded_until) {
            (Some(0), _) => self.t("transparency-funded-out"),
            (Some(months), Some(until)) => self.lang.t_args(
                "transparency-funded-line",
                &[
                    ("months", months.to_string()),
                    ("month", month_name(self.lang, until)),
                ],
            ),
            _ => self.t("transparency-funded-unknown"),
        }
    }

    fn coverage_line(&self) -> String {
        match (self.coverage.costs, self.coverage.percent) {
            (Some(costs), Some(percent)) => self.lang.t_args(
                "transparency-recurring-line",
                &[
                    ("recurring", self.lang.total(self.coverage.recurring)),
                    ("costs", self.lang.total(costs)),
                    ("percent", percent.to_string()),
                ],
            ),
            _ => self.t1(
                "transparency-recurring-no-costs",
                "recurring",
                self.lang.total(self.coverage.recurring),
            ),
        }
    }

    fn income_detail(&self, books: &CurrencyBooks, month: &MonthFigures) -> String {
        self.lang.t_args(
            "transparency-income-detail",
            &[
                ("donations", self.amount(books, &month.donations)),
                ("refunds", self.amount(books, &month.refunds)),
            ],
        )
    }

    /// The months newest first, as the table lists them.
    fn months_newest_first<'b>(&self, books: &'b CurrencyBooks) -> Vec<&'b MonthFigures> {
        books.months.iter().rev().collect()
    }

    fn chart(&self, books: &CurrencyBooks) -> String {
        chart(self.lang, books)
    }

    fn chart_title(&self, books: &CurrencyBooks) -> String {
        self.t1(
            "transparency-chart-title",
            "currency",
            books.currency.code(),
        )
    }

    fn table_caption(&self, books: &CurrencyBooks) -> String {
        self.t1(
            "transparency-table-caption",
            "currency",
            books.currency.code(),
        )
    }

    fn embeds(&self) -> String {
        // The arguments are fixed paths, safe as markup; the sentence comes from the locales.
        self.lang.t_args(
            "transparency-embeds",
            &[
                ("sponsors", path_link("/sponsors.svg")),
                ("badge", path_link("/badge.svg")),
                ("feed", path_link("/feed.atom")),
                ("json", path_link("/api/v1/transparency")),
            ],
        )
    }

    /// What the latest checkpoint covers and when it was signed.
    fn checkpoint_line(&self, checkpoint: &Checkpoint) -> String {
        self.lang.t_args(
            "transparency-log-latest",
            &[
                ("size", checkpoint.tree_size.to_string()),
                ("date", checkpoint_date(self.lang, checkpoint)),
            ],
        )
    }

    fn checkpoint_links(&self) -> String {
        // Fixed paths, safe as markup; the sentence comes from the locales.
        self.lang.t_args(
            "transparency-log-links",
            &[
                ("checkpoints", path_link(CHECKPOINTS_PATH)),
                ("key", path_link(LEDGER_KEY_PATH)),
            ],
        )
    }

    /// The command that checks every published checkpoint, as a reader would type it.
    fn verify_command(&self, checkpoint: &Checkpoint) -> String {
        format!(
            "coffer verify --checkpoints {}{CHECKPOINTS_PATH} --key {}",
            self.public_url.trim_end_matches('/'),
            checkpoint.public_key
        )
    }

    fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        Lang::ALL
            .iter()
            .map(|l| (l.tag(), l.own_name(), *l == self.lang))
            .collect()
    }
}

/// A link to one of Coffer's own fixed paths, showing the path.
fn path_link(path: &str) -> String {
    format!("<a href=\"{path}\">{path}</a>")
}

/// The day a checkpoint was signed, in the language (its time is RFC 3339, UTC).
pub fn checkpoint_date(lang: Lang, checkpoint: &Checkpoint) -> String {
    checkpoint
        .signed_at_time()
        .map_or_else(|| checkpoint.signed_at.clone(), |at| lang.date(at.date()))
}

/// `November 2026` in the language.
pub fn month_name(lang: Lang, month: YearMonth) -> String {
    format!(
        "{} {}",
        lang.t(&format!("month-{}", month.month)),
        month.year
    )
}

/// Escapes text for XML (SVG, Atom).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CHART_WIDTH: i128 = 720;
const CHART_HEIGHT: i128 = 316;
const PLOT_LEFT: i128 = 96;
const PLOT_RIGHT: i128 = 712;
const PLOT_TOP: i128 = 16;
const PLOT_BOTTOM: i128 = 262;

/// The chart of one currency's books: income and costs as bars, the balance as a line. Every
/// coordinate is an integer computed from the exact minor units.
pub fn chart(lang: Lang, books: &CurrencyBooks) -> String {
    let months = &books.months;
    let count = i128::try_from(months.len().max(1)).unwrap_or(1);
    let values = months
        .iter()
        .flat_map(|m| [m.income, m.cost(), m.balance])
        .chain([0]);
    let (low, high) = values.fold((0_i128, 0_i128), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = (high - low).max(1);
    let y = |v: i128| PLOT_TOP + (high - v) * (PLOT_BOTTOM - PLOT_TOP) / span;
    let group = (PLOT_RIGHT - PLOT_LEFT) / count;
    let bar = (group / 3).max(1);
    let code = books.currency.code();
    let title = lang.t_args("transparency-chart-title", &[("currency", code.to_owned())]);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" \
         role=\"img\" aria-labelledby=\"chart-title-{code} chart-desc-{code}\">\
         <title id=\"chart-title-{code}\">{}</title><desc id=\"chart-desc-{code}\">{}</desc>",
        xml_escape(&title),
        xml_escape(&lang.t("transparency-chart-desc")),
    );
    // The axis: the highest and lowest figure, and zero.
    let mut marks = vec![high, 0];
    if low < 0 {
        marks.push(low);
    }
    for mark in marks {
        let at = y(mark);
        let _ = write!(
            svg,
            "<line class=\"chart-grid\" x1=\"{PLOT_LEFT}\" x2=\"{PLOT_RIGHT}\" y1=\"{at}\" y2=\"{at}\"/>\
             <text class=\"chart-axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            PLOT_LEFT - 6,
            at + 4,
            xml_escape(&lang.total(books.total(mark))),
        );
    }
    let zero = y(0);
    let mut line = Vec::with_capacity(months.len());
    for (i, month) in months.iter().enumerate() {
        let i = i128::try_from(i).unwrap_or(0);
        let left = PLOT_LEFT + i * group;
        for (offset, value, class) in [
            (group / 6, month.income, "chart-income"),
            (group / 2, month.cost(), "chart-costs"),
        ] {
            let top = y(value).min(zero);
            let height = (y(value) - zero).abs().max(i128::from(value != 0));
            let _ = write!(
                svg,
                "<rect class=\"{class}\" x=\"{}\" y=\"{top}\" width=\"{bar}\" height=\"{height}\"/>",
                left + offset,
            );
        }
        line.push(format!("{},{}", left + group / 2, y(month.balance)));
        if i % 6 == 0 || i + 1 == count {
            let _ = write!(
                svg,
                "<text class=\"chart-axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                left + group / 2,
                PLOT_BOTTOM + 26,
                month.month,
            );
        }
    }
    let _ = write!(
        svg,
        "<polyline class=\"chart-balance\" fill=\"none\" points=\"{}\"/>",
        line.join(" ")
    );
    // The legend, under the month labels.
    let legend_y = PLOT_BOTTOM + 48;
    for (i, (class, key)) in [
        ("chart-income", "transparency-legend-income"),
        ("chart-costs", "transparency-legend-costs"),
        ("chart-balance-key", "transparency-legend-balance"),
    ]
    .iter()
    .enumerate()
    {
        let x = PLOT_LEFT + i128::try_from(i).unwrap_or(0) * 200;
        let _ = write!(
            svg,
            "<rect class=\"{class}\" x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\"/>\
             <text class=\"chart-legend\" x=\"{}\" y=\"{legend_y}\">{}</text>",
            legend_y - 10,
            x + 18,
            xml_escape(&lang.t(key)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// `GET /transparency`: served from the published set, in the visitor's language.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, PageError> {
    let published = state.publications.latest().await?;
    let lang = visitor_lang(&req, query.lang());
    let mut response = serve(&req, published.transparency_page(lang));
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        header::HeaderValue::from_static(lang.tag()),
    );
    response.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("Accept-Encoding, Accept-Language"),
    );
    Ok(response)
}

/// One month in one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransparencyMonthView {
    /// `2026-11`.
    pub month: String,
    pub donations: MoneyView,
    /// Refunds and corrections of donations, as a positive amount.
    pub refunds: MoneyView,
    /// Donations less refunds.
    pub income: MoneyView,
    /// What payment providers kept, as a positive amount.
    pub fees: MoneyView,
    /// By category, largest first, as positive amounts.
    pub expenses: Vec<ExpenseCategoryView>,
    pub expenses_total: MoneyView,
    /// Income less fees and expenses.
    pub net: MoneyView,
    /// The money in hand at the month's end (now, for the current month).
    pub balance: MoneyView,
}

/// Expenses of one category in one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpenseCategoryView {
    pub category: String,
    pub amount: MoneyView,
}

/// One currency's books; currencies are never converted or added together.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransparencyBooksView {
    #[schema(schema_with = crate::web::inputs::rules::currency)]
    pub currency: &'static str,
    /// The money the instance had before Coffer.
    pub opening_balance: MoneyView,
    /// The money in hand now.
    pub balance: MoneyView,
    /// The last three complete months' average cost (expenses and fees).
    pub average_monthly_cost: Option<MoneyView>,
    /// Whole months the money in hand lasts at that cost.
    pub funded_months: Option<i64>,
    /// The month it runs out in, `2027-06`.
    pub funded_until: Option<String>,
    /// The last 24 months, oldest first.
    pub months: Vec<TransparencyMonthView>,
}

/// Recurring support against the running costs, in the instance currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageView {
    pub monthly_recurring: MoneyView,
    pub monthly_costs: Option<MoneyView>,
    /// Whole percent, rounded down; more than 100 when support exceeds the costs.
    #[schema(value_type = Option<i64>)]
    pub percent: Option<i128>,
}

/// A note the treasurer published on an expense.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpenseNoteView {
    /// `2026-11-03`.
    pub date: String,
    pub category: String,
    pub amount: MoneyView,
    pub note: String,
}

/// Where the money goes.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransparencyView {
    /// The current month, the last of those shown.
    pub current_month: String,
    /// The instance currency first.
    pub currencies: Vec<TransparencyBooksView>,
    pub recurring: CoverageView,
    pub notes: Vec<ExpenseNoteView>,
}

impl TransparencyView {
    pub fn new(transparency: &Transparency, coverage: &Coverage) -> Self {
        let currencies = transparency
            .books
            .iter()
            .map(|b| {
                let m = |minor: i128| MoneyView::from(b.total(minor));
                TransparencyBooksView {
                    currency: b.currency.code(),
                    opening_balance: m(b.opening),
                    balance: m(b.balance),
                    average_monthly_cost: b.average_cost.map(m),
                    funded_months: b.funded_months,
                    funded_until: b.funded_until.map(|u| u.to_string()),
                    months: b
                        .months
                        .iter()
                        .map(|f| TransparencyMonthView {
                            month: f.month.to_string(),
                            donations: m(f.donations),
                            refunds: m(f.refunds),
                            income: m(f.income),
                            fees: m(f.fees),
                            expenses: f
                                .expenses
                                .iter()
                                .map(|(category, amount)| ExpenseCategoryView {
                                    category: category.clone(),
                                    amount: m(*amount),
                                })
                                .collect(),
                            expenses_total: m(f.expenses_total),
                            net: m(f.net),
                            balance: m(f.balance),
                        })
                        .collect(),
                }
            })
            .collect();
        Self {
            current_month: transparency.current.to_string(),
            currencies,
            recurring: CoverageView {
                monthly_recurring: coverage.recurring.into(),
                monthly_costs: coverage.costs.map(MoneyView::from),
                percent: coverage.percent,
            },
            notes: transparency
                .notes
                .iter()
                .map(|n| ExpenseNoteView {
                    date: n.date.to_string(),
                    category: n.category.clone(),
                    amount: n.amount.into(),
                    note: n.note.clone(),
                })
                .collect(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/transparency",
    operation_id = "transparency",
    tag = "public",
    summary = "Where the money goes: the last 24 months per currency",
    responses(
        (status = 200, description = "Income, fees, expenses by category, net and balance per month; how long the money in hand lasts; recurring support against the costs; published expense notes", body = TransparencyView),
        ServerErrors,
    )
)]
/// `GET /api/v1/transparency`: served from the published set.
pub async fn json(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let published = state.publications.latest().await?;
    Ok(serve(&req, &published.transparency_json))
}
