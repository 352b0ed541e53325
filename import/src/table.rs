//! The table in a file's text: its delimiter, its header row (past a preamble such as
//! LinkedIn's "Notes:") and its records, each with the line where it starts.

use crate::{mapping, FileError};

/// Delimiters tried, in the order that wins a tie (French Excel first).
const DELIMITERS: [u8; 4] = [b';', b'\t', b',', b'|'];

/// Records read to choose the delimiter and find the header.
const SAMPLE: usize = 50;

/// One record of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The line where the record starts, counted as a text editor does (1 is the first line;
    /// a preamble and the header count; a quoted multi-line cell makes later records start
    /// further down).
    pub line: u64,
    pub cells: Vec<String>,
}

impl Record {
    /// The cell of column `index`, empty when the record is shorter.
    pub fn cell(&self, index: usize) -> &str {
        self.cells
            .get(index)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Blank lines and lines holding only delimiters are not records of the file.
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// A file's table: the header and the records after it, blank ones left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub delimiter: u8,
    pub header_line: u64,
    pub header: Vec<String>,
    pub records: Vec<Record>,
}

/// Reads `text` as a delimited table.
pub fn parse(text: &str) -> Result<Table, FileError> {
    let delimiter = sniff_delimiter(text);
    let records = read_records(text, delimiter)?;
    let Some(at) = header_index(&records) else {
        return Err(FileError::NoHeader);
    };
    let mut records = records.into_iter().skip(at);
    let header = records.next().ok_or(FileError::NoHeader)?;
    Ok(Table {
        delimiter,
        header_line: header.line,
        header: header.cells.iter().map(|c| c.trim().to_string()).collect(),
        records: records.filter(|r| !r.is_blank()).collect(),
    })
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The delimiter that splits most of the first records into the same number (two or more) of
/// cells.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (0, DELIMITERS[0]);
    for delimiter in DELIMITERS {
        let mut widths = std::collections::HashMap::<usize, usize>::new();
        for record in reader(text, delimiter).records().take(SAMPLE).flatten() {
            if record.len() > 1 {
                *widths.entry(record.len()).or_default() += 1;
            }
        }
        let agreeing = widths.values().copied().max().unwrap_or(0);
        if agreeing > best.0 {
            best = (agreeing, delimiter);
        }
    }
    best.1
}

/// The records read until the end or the first error, the byte where the last one starts, and
/// whether an error stopped the reading. The csv reader's own line numbers drift after blank
/// lines and with CRLF: lines are counted here, from where each record starts.
fn read_until_error(text: &str, delimiter: u8) -> (Vec<Record>, usize, bool) {
    let mut reader = reader(text, delimiter);
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    let bytes = text.as_bytes();
    let (mut counted_to, mut line) = (0, 1);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let position = record.position().expect("a read record has a position");
                let mut start = position.byte() as usize;
                while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                line += bytes[counted_to..start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                counted_to = start;
                records.push(Record {
                    line,
                    cells: record.iter().map(str::to_string).collect(),
                });
            }
            Ok(false) => return (records, counted_to, false),
            Err(_) => return (records, counted_to, true),
        }
    }
}

/// The records of a file's head, for finding its header: a quote left open by the cut ends
/// the list, it is not an error here.
pub(crate) fn read_records_lenient(text: &str, delimiter: u8) -> Vec<Record> {
    read_until_error(text, delimiter).0
}

/// Every record with its starting line; blank ones are kept until the header is found.
fn read_records(text: &str, delimiter: u8) -> Result<Vec<Record>, FileError> {
    let (records, last_start, failed) = read_until_error(text, delimiter);
    if failed {
        return Err(FileError::Unreadable { at: None });
    }
    // A quote that never closes swallows the rest of the file into the last record: its
    // quotes do not pair up.
    let last = &text[last_start..];
    if last.trim_end().contains('\n') && last.matches('"').count() % 2 == 1 {
        return Err(FileError::Unreadable {
            at: records.last().map(|r| r.line),
        });
    }
    Ok(records)
}

/// The header: the first of the first records with two cells or more, one naming a known
/// field (LinkedIn's preamble "Notes:" is one cell); else a lone "E-mail" column; else the
/// first with two cells or more and no email in them.
pub(crate) fn header_index(records: &[Record]) -> Option<usize> {
    let sample = &records[..records.len().min(SAMPLE)];
    let filled = |r: &Record| r.cells.iter().filter(|c| !c.trim().is_empty()).count();
    let names = |r: &Record| {
        r.cells
            .iter()
            .filter_map(|c| mapping::Field::from_header(c))
            .collect::<Vec<_>>()
    };
    sample
        .iter()
        .position(|r| filled(r) >= 2 && !names(r).is_empty())
        .or_else(|| {
            sample
                .iter()
                .position(|r| filled(r) == 1 && names(r) == [mapping::Field::Email])
        })
        .or_else(|| {
            sample
                .iter()
                .position(|r| filled(r) >= 2 && !r.cells.iter().any(|c| c.contains('@')))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preamble_is_skipped_and_lines_count_as_in_an_editor() {
        let text = "Notes:\n\"Exported, with care\"\n\nFirst Name,Last Name,Email Address\n\
                    Ana,Lopez,ana@ex.fr\n,,\n\nBo,\"Multi\nline\",bo@ex.fr\nCy,Dee,cy@ex.fr\n";
        let table = parse(text).unwrap();
        assert_eq!(table.delimiter, b',');
        assert_eq!(table.header_line, 4);
        assert_eq!(table.header, ["First Name", "Last Name", "Email Address"]);
        let lines: Vec<u64> = table.records.iter().map(|r| r.line).collect();
        assert_eq!(lines, [5, 8, 10]);
        assert_eq!(table.records[1].cell(1), "Multi\nline");
    }

    #[test]
    fn the_delimiter_is_the_one_that_splits_rows_alike() {
        let semicolon = "Nom;Prénom;E-mail\nDupont, fils;Jean;j@ex.fr\nMartin;Léa;l@ex.fr\n";
        assert_eq!(parse(semicolon).unwrap().delimiter, b';');
        let tab = "Prénom\tNom\tAdresse e-mail\nA\tB\ta@ex.fr\n";
        assert_eq!(parse(tab).unwrap().delimiter, b'\t');
    }

    #[test]
    fn a_quote_that_never_closes_is_unreadable_from_its_line() {
        let text = "Nom;E-mail\nA;a@ex.fr\n\"B;b@ex.fr\nC;c@ex.fr\n";
        assert_eq!(parse(text), Err(FileError::Unreadable { at: Some(3) }));
    }

    #[test]
    fn a_file_without_a_header_says_so() {
        assert_eq!(
            parse("a@ex.fr;b@ex.fr\nc@ex.fr;d@ex.fr\n"),
            Err(FileError::NoHeader)
        );
    }
}
