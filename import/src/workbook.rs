//! Workbooks (`.xlsx`, `.xls`, `.ods`), read with calamine into the same table as a CSV. The
//! reader ignores number formats, so numbers that are codes get their text back by rule: no
//! trailing `.0`, a French postal code padded to five digits, a phone's leading zero; dates
//! become ISO dates. A record's line is the row number Excel shows.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, DataType, Reader};

use crate::{table, Field, FileError, Record, Table};

/// Whether `bytes` look like a workbook: a ZIP (`.xlsx`, `.ods`) or an OLE file (`.xls`).
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
}

/// The first sheet of the workbook that has a header row.
pub fn read(bytes: &[u8]) -> Result<Table, FileError> {
    let mut book =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| FileError::NotATable)?;
    let mut any_cell = false;
    for index in 0..book.sheet_names().len() {
        let Some(Ok(range)) = book.worksheet_range_at(index) else {
            continue;
        };
        let Some((first_row, first_column)) = range.start() else {
            continue;
        };
        any_cell = true;
        let rows: Vec<(u64, &[Data])> = range
            .rows()
            .enumerate()
            .map(|(i, cells)| (u64::from(first_row) + i as u64 + 1, cells))
            .collect();
        let records: Vec<Record> = rows
            .iter()
            .map(|(line, cells)| Record {
                line: *line,
                cells: std::iter::repeat_n(String::new(), first_column as usize)
                    .chain(cells.iter().map(|c| text(c, None)))
                    .collect(),
            })
            .collect();
        let Some(at) = table::header_index(&records) else {
            continue;
        };
        let header: Vec<String> = records[at]
            .cells
            .iter()
            .map(|c| c.trim().to_string())
            .collect();
        let fields: Vec<Option<Field>> = header.iter().map(|h| Field::from_header(h)).collect();
        let records = rows[at + 1..]
            .iter()
            .map(|(line, cells)| Record {
                line: *line,
                cells: std::iter::repeat_n(String::new(), first_column as usize)
                    .chain(cells.iter().enumerate().map(|(i, c)| {
                        text(c, fields.get(i + first_column as usize).copied().flatten())
                    }))
                    .collect(),
            })
            .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
            .collect();
        return Ok(Table {
            delimiter: b'\t',
            header_line: records_line(&rows, at),
            header,
            records,
        });
    }
    Err(if any_cell {
        FileError::NoHeader
    } else {
        FileError::EmptyFile
    })
}

fn records_line(rows: &[(u64, &[Data])], at: usize) -> u64 {
    rows[at].0
}

/// The text of a cell, by the rules of the column's field.
fn text(cell: &Data, field: Option<Field>) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Bool(b) => if *b { "VRAI" } else { "FAUX" }.into(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(_) => match (cell.as_datetime(), cell.as_date()) {
            (Some(at), _) if at.time() != chrono::NaiveTime::MIN => {
                at.format("%Y-%m-%d %H:%M").to_string()
            }
            (_, Some(day)) => day.to_string(),
            _ => String::new(),
        },
        Data::Int(n) => number(*n as f64, field),
        Data::Float(f) => number(*f, field),
    }
}

/// A number as the text it was typed as: `69003`, not `69003.0`; codes and phones by rule.
fn number(value: f64, field: Option<Field>) -> String {
    if value.fract() != 0.0 || value.abs() >= 1e15 {
        return value.to_string();
    }
    let digits = format!("{}", value as i64);
    match field {
        // French postal codes of the Ain, Aisne… lose their leading zero as numbers.
        Some(Field::PostalCode) if digits.len() == 4 => format!("0{digits}"),
        // A French number without its leading zero: 612345678 is 06 12 34 56 78.
        Some(Field::Phone | Field::Mobile) if digits.len() == 9 => {
            let full = format!("0{digits}");
            full.as_bytes()
                .chunks(2)
                .map(|pair| std::str::from_utf8(pair).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => digits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_are_codes_get_their_text_back() {
        assert_eq!(number(69003.0, Some(Field::PostalCode)), "69003");
        assert_eq!(number(1000.0, Some(Field::PostalCode)), "01000");
        assert_eq!(number(612345678.0, Some(Field::Mobile)), "06 12 34 56 78");
        assert_eq!(number(130245770.0, Some(Field::Phone)), "01 30 24 57 70");
        assert_eq!(number(42.0, None), "42");
        assert_eq!(number(2.5, None), "2.5");
    }
}
