//! Reading a platform's CSV as spreadsheets write it: a UTF-8 byte order mark, CRLF or LF,
//! quoted fields holding commas and line breaks, rows a cell short, blank lines. Columns are
//! found by their header's name, never by position, so added or moved columns change nothing.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use crate::domain::{Currency, Money};

/// Why one cell (or the file itself) is refused: where, and by which rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file's line where the row starts (1 is the header).
    pub line: u64,
    /// The column's header, when one cell is at fault.
    pub column: Option<String>,
    pub rule: String,
}

impl RowError {
    pub fn new(line: u64, column: Option<&str>, rule: impl Into<String>) -> Self {
        Self {
            line,
            column: column.map(str::to_owned),
            rule: rule.into(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column “{column}”: {}", self.line, self.rule),
            None => write!(f, "line {}: {}", self.line, self.rule),
        }
    }
}

/// Where each named column is; names compare trimmed and without case.
#[derive(Debug, Clone)]
pub struct Columns {
    by_name: HashMap<String, usize>,
}

impl Columns {
    fn new(header: &csv::StringRecord) -> Self {
        let mut by_name = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            // The first of two same-named columns wins; the platforms write none.
            by_name.entry(normalise(name)).or_insert(i);
        }
        Self { by_name }
    }

    pub fn has(&self, name: &str) -> bool {
        self.by_name.contains_key(&normalise(name))
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.by_name.get(&normalise(name)).copied()
    }

    /// Refuses a header that lacks one of `required`, naming the first missing column.
    pub fn require(&self, required: &[&str], what: &str) -> Result<(), RowError> {
        match required.iter().find(|name| !self.has(name)) {
            Some(missing) => Err(RowError::new(
                1,
                Some(missing),
                format!("the header has no such column; {what} always has it"),
            )),
            None => Ok(()),
        }
    }
}

fn normalise(name: &str) -> String {
    name.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// One data row with its line, read by column name.
pub struct Row<'a> {
    pub line: u64,
    record: &'a csv::StringRecord,
    columns: &'a Columns,
}

impl<'a> Row<'a> {
    /// The cell's text, trimmed; empty when the column is absent or the row is short.
    pub fn text(&self, column: &str) -> &'a str {
        self.columns
            .index(column)
            .and_then(|i| self.record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    /// The cell, which must not be empty.
    pub fn required(&self, column: &str) -> Result<&'a str, RowError> {
        let value = self.text(column);
        if value.is_empty() {
            return Err(self.error(column, "must not be empty"));
        }
        Ok(value)
    }

    pub fn error(&self, column: &str, rule: impl Into<String>) -> RowError {
        RowError::new(self.line, Some(column), rule)
    }

    /// An amount written with a decimal point, as every platform here writes them: `1234.50`,
    /// `-0.59`, `$5.00`; `1,234.50` groups thousands. `1.234,50` is refused, never guessed.
    pub fn point_amount(&self, column: &str, currency: Currency) -> Result<Money, RowError> {
        point_amount(self.required(column)?, currency).map_err(|rule| self.error(column, rule))
    }

    /// A moment, as the platforms write them (RFC 3339, `2026-11-24 13:05:00`, `2026-11-24`),
    /// in UTC, from 2000 to a day ahead of now.
    pub fn time(&self, column: &str) -> Result<NaiveDateTime, RowError> {
        parse_time(self.required(column)?).map_err(|rule| self.error(column, rule))
    }

    pub fn optional_time(&self, column: &str) -> Result<Option<NaiveDateTime>, RowError> {
        if self.text(column).is_empty() {
            return Ok(None);
        }
        self.time(column).map(Some)
    }

    /// `true`/`false` (any case), `yes`/`no`, `1`/`0`; empty is `false`.
    pub fn flag(&self, column: &str) -> Result<bool, RowError> {
        match self.text(column).to_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" | "" => Ok(false),
            other => Err(self.error(column, format!("“{other}” is not true or false"))),
        }
    }

    pub fn currency(&self, column: &str) -> Result<Currency, RowError> {
        Currency::parse(self.required(column)?).map_err(|e| self.error(column, e.to_string()))
    }
}

/// See [`Row::point_amount`]; the sign is kept.
pub fn point_amount(input: &str, currency: Currency) -> Result<Money, String> {
    let malformed =
        || format!("“{input}” is not an amount like 1234.50 (a decimal point, no other separator)");
    let trimmed = input.trim();
    let (negative, rest) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let rest = rest.trim_start_matches(['$', '€', '£']);
    let (whole, fraction) = match rest.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (rest, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let whole_digits: String = if whole.contains(',') {
        let groups: Vec<&str> = whole.split(',').collect();
        let grouped = (1..=3).contains(&groups[0].len())
            && groups.iter().all(|g| digits(g))
            && groups[1..].iter().all(|g| g.len() == 3);
        if !grouped {
            return Err(malformed());
        }
        groups.concat()
    } else if digits(whole) {
        whole.to_owned()
    } else {
        return Err(malformed());
    };
    if whole_digits.len() > 12 {
        return Err("the amount is too large".to_owned());
    }
    let text = match fraction {
        Some(f) if digits(f) => format!("{whole_digits}.{f}"),
        Some(_) => return Err(malformed()),
        None => whole_digits,
    };
    let value = Decimal::from_str(&text).map_err(|_| malformed())?;
    let money = Money::from_decimal(value, currency).map_err(|e| e.to_string())?;
    Ok(if negative { money.negated() } else { money })
}

/// See [`Row::time`].
pub fn parse_time(input: &str) -> Result<NaiveDateTime, String> {
    let value = input.trim();
    let value = value.strip_suffix(" UTC").unwrap_or(value);
    let parsed = DateTime::parse_from_rfc3339(value)
        .map(|t| t.naive_utc())
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or_else(|| {
            format!("“{input}” is not a date like 2026-11-24 or 2026-11-24 13:05:00 (UTC)")
        })?;
    crate::ledger::entries::check_date("date", parsed).map_err(|e| match e {
        crate::error::AppError::Invalid { message, .. } => format!("“{input}” {message}"),
        other => other.to_string(),
    })
}

/// Remembers where the line breaks that passed through it are, until they are counted: the
/// csv reader's own line numbers do not count blank lines, and a row's line must be the one a
/// spreadsheet shows.
struct Lines<R> {
    inner: R,
    offset: u64,
    breaks: Rc<RefCell<VecDeque<u64>>>,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' {
                breaks.push_back(self.offset + i as u64);
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// A CSV file opened for reading row by row, its header read.
pub struct Table<R: Read> {
    reader: csv::Reader<BufReader<Lines<R>>>,
    pub columns: Columns,
    record: csv::StringRecord,
    breaks: Rc<RefCell<VecDeque<u64>>>,
    /// Line breaks before the last row read.
    counted: u64,
    /// Bytes before what the csv reader sees (a byte order mark).
    skipped: u64,
}

impl<R: Read> Table<R> {
    /// Opens the CSV in `input`, skipping a UTF-8 byte order mark, and reads its header.
    pub fn open(input: R) -> Result<Self, RowError> {
        let breaks = Rc::new(RefCell::new(VecDeque::new()));
        let input = Lines {
            inner: input,
            offset: 0,
            breaks: breaks.clone(),
        };
        let mut buffered = BufReader::with_capacity(64 * 1024, input);
        let start = buffered
            .fill_buf()
            .map_err(|e| RowError::new(1, None, format!("the file could not be read: {e}")))?;
        let skipped = if start.starts_with(b"\xEF\xBB\xBF") {
            buffered.consume(3);
            3
        } else {
            0
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(buffered);
        let header = reader.headers().map_err(|e| csv_error(&e, 1))?.clone();
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(RowError::new(
                1,
                None,
                "the file is empty: it has no header",
            ));
        }
        Ok(Self {
            reader,
            columns: Columns::new(&header),
            record: csv::StringRecord::new(),
            breaks,
            counted: 0,
            skipped,
        })
    }

    /// The input, once every row has been read.
    pub fn into_inner(self) -> R {
        self.reader.into_inner().into_inner().inner
    }

    /// Bytes read so far, for a progress line.
    pub fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The line (from 1) holding byte `at` of the file, counting the breaks before it.
    fn line_at(&mut self, at: u64) -> u64 {
        let mut breaks = self.breaks.borrow_mut();
        while breaks.front().is_some_and(|b| *b < at) {
            breaks.pop_front();
            self.counted += 1;
        }
        self.counted + 1
    }

    /// The next row that holds anything; blank rows (`,,,`) are passed over.
    pub fn next_row(&mut self) -> Option<Result<Row<'_>, RowError>> {
        loop {
            let read = self.reader.read_record(&mut self.record);
            // The reader stops at its row's terminator (LF) or just before its LF (CRLF):
            // the breaks before the byte ahead of that are the lines before the row's last.
            let end = (self.reader.position().byte() + self.skipped).saturating_sub(1);
            let last_line = self.line_at(end);
            match read {
                Ok(false) => return None,
                Ok(true) => {
                    if self.record.iter().all(|cell| cell.trim().is_empty()) {
                        continue;
                    }
                    let inside: usize = self.record.iter().map(|c| c.matches('\n').count()).sum();
                    return Some(Ok(Row {
                        line: last_line.saturating_sub(inside as u64),
                        record: &self.record,
                        columns: &self.columns,
                    }));
                }
                Err(e) => return Some(Err(csv_error(&e, last_line))),
            }
        }
    }
}

fn csv_error(err: &csv::Error, line: u64) -> RowError {
    match err.kind() {
        csv::ErrorKind::Utf8 { .. } => RowError::new(
            line,
            None,
            "the file is not UTF-8 text (save it as “CSV UTF-8”)",
        ),
        csv::ErrorKind::Io(e) => {
            RowError::new(line, None, format!("the file could not be read: {e}"))
        }
        _ => RowError::new(line, None, format!("the CSV is malformed: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(s: &str) -> Result<String, String> {
        point_amount(s, Currency::EUR).map(|m| m.amount_string())
    }

    #[test]
    fn amounts_with_a_decimal_point_are_exact_and_others_refused() {
        assert_eq!(eur("1234.50").unwrap(), "1234.50");
        assert_eq!(eur("1,234.50").unwrap(), "1234.50");
        assert_eq!(eur("-0.59").unwrap(), "-0.59");
        assert_eq!(eur("$5").unwrap(), "5.00");
        assert_eq!(eur("0.10").unwrap(), "0.10");
        for bad in [
            "1.234,50", "12,5", "1,23.00", "1.2.3", "abc", "", "1.005", "1e3", "0.1 ",
        ] {
            if bad == "0.1 " {
                assert_eq!(eur(bad).unwrap(), "0.10");
                continue;
            }
            assert!(eur(bad).is_err(), "{bad}");
        }
        let jpy = Currency::parse("JPY").unwrap();
        assert!(point_amount("100.5", jpy).is_err());
    }

    #[test]
    fn times_are_read_in_utc_and_checked() {
        assert_eq!(
            parse_time("2024-03-05T10:00:00+02:00").unwrap().to_string(),
            "2024-03-05 08:00:00"
        );
        assert_eq!(
            parse_time("2024-03-05 10:11:12").unwrap().to_string(),
            "2024-03-05 10:11:12"
        );
        assert_eq!(
            parse_time("2024-03-05").unwrap().to_string(),
            "2024-03-05 00:00:00"
        );
        assert!(parse_time("05/03/2024").is_err());
        assert!(parse_time("1999-12-31").unwrap_err().contains("2000"));
    }

    #[test]
    fn a_spreadsheet_file_is_read_by_header_name() {
        let file = "\u{feff}B,A\r\n\"Zoë, the \"\"first\"\"\",\"x\ny\"\r\n,\r\n\r\n2\r\n";
        let mut table = Table::open(file.as_bytes()).unwrap();
        assert!(table.columns.has("a") && table.columns.has(" B "));
        let row = table.next_row().unwrap().unwrap();
        assert_eq!(
            (row.line, row.text("B"), row.text("A")),
            (2, "Zoë, the \"first\"", "x\ny")
        );
        let row = table.next_row().unwrap().unwrap();
        assert_eq!((row.line, row.text("B"), row.text("A")), (6, "2", ""));
        assert!(table.next_row().is_none());
    }
}
