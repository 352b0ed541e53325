//! A delimited file read record by record, in constant memory: the file is read three times
//! from its source (is it UTF-8? its head for the delimiter and the header; then every
//! record), never held whole. Workbooks are read whole by calamine ([`crate::workbook`]).

use std::{
    collections::VecDeque,
    io::{self, Read},
};

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::{decode, table, FileError, Record};

/// How much of the file's start decides the delimiter and the header.
const HEAD_BYTES: u64 = 64 * 1024;

/// Where a file's bytes come from; opened once per pass.
pub trait Source {
    fn open(&self) -> io::Result<Box<dyn Read + '_>>;
}

impl Source for std::path::Path {
    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(io::BufReader::new(std::fs::File::open(self)?)))
    }
}

impl Source for [u8] {
    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self))
    }
}

/// What the head of a file says: its encoding, delimiter and header.
#[derive(Debug, Clone)]
pub struct Head {
    encoding: &'static Encoding,
    delimiter: u8,
    /// Records before the header (a preamble), blank ones included.
    skip: usize,
    pub header_line: u64,
    pub header: Vec<String>,
}

/// Reads the head of the text file in `source`.
pub fn head(source: &(impl Source + ?Sized)) -> Result<Head, FileError> {
    let mut start = Vec::with_capacity(4096);
    read_up_to(&mut *source.open().map_err(unreadable)?, 4096, &mut start)?;
    let encoding = match Encoding::for_bom(&start) {
        Some((encoding, _)) => encoding,
        // The start says whether it is UTF-16; only the whole file says whether it is UTF-8.
        None => match decode::sniff(&start)? {
            e if e == UTF_16LE || e == UTF_16BE => e,
            _ if is_utf8(source)? => UTF_8,
            _ => WINDOWS_1252,
        },
    };
    let mut text = Vec::new();
    read_up_to(&mut decoded(source, encoding)?, HEAD_BYTES, &mut text)?;
    let mut text = String::from_utf8_lossy(&text).into_owned();
    if text.trim().is_empty() {
        return Err(FileError::EmptyFile);
    }
    if text.contains('\0') {
        return Err(FileError::NotATable);
    }
    // A record cut at the end of the head must not decide anything.
    if text.len() as u64 >= HEAD_BYTES {
        if let Some(end) = text.rfind('\n') {
            text.truncate(end + 1);
        }
    }
    let delimiter = table::sniff_delimiter(&text);
    let records = table::read_records_lenient(&text, delimiter);
    let skip = table::header_index(&records).ok_or(FileError::NoHeader)?;
    let header = &records[skip];
    Ok(Head {
        encoding,
        delimiter,
        skip,
        header_line: header.line,
        header: header.cells.iter().map(|c| c.trim().to_string()).collect(),
    })
}

/// The records after the header, blank ones left out, each with its line.
pub fn records<'a>(
    source: &'a (impl Source + ?Sized),
    head: &Head,
) -> Result<impl Iterator<Item = Result<Record, FileError>> + 'a, FileError> {
    let counting = Counting::new(decoded(source, head.encoding)?);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(head.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(counting);
    let mut record = csv::StringRecord::new();
    let mut index = 0;
    let skip = head.skip;
    let mut last: Option<Record> = None;
    let mut done = false;
    Ok(std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        match reader.read_record(&mut record) {
            Ok(true) => {
                let start = record
                    .position()
                    .expect("a read record has a position")
                    .byte();
                let line = reader.get_mut().line_at(start);
                index += 1;
                if index <= skip + 1 {
                    continue;
                }
                let current = Record {
                    line,
                    cells: record.iter().map(str::to_string).collect(),
                };
                if current.cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                if let Some(previous) = last.replace(current) {
                    return Some(Ok(previous));
                }
            }
            Ok(false) => {
                done = true;
                let counting = reader.get_ref();
                if counting.nul {
                    return Some(Err(FileError::NotATable));
                }
                let last = last.take()?;
                // A quote that never closes swallows the rest of the file into the last cell.
                let swallowed = last.cells.last().is_some_and(|c| c.contains('\n'))
                    && counting.last_non_space != Some(b'"');
                if swallowed {
                    return Some(Err(FileError::Unreadable {
                        at: Some(last.line),
                    }));
                }
                return Some(Ok(last));
            }
            Err(e) => {
                done = true;
                return Some(Err(unreadable(e)));
            }
        }
    }))
}

fn unreadable(_: impl std::fmt::Display) -> FileError {
    FileError::Unreadable { at: None }
}

fn decoded<'a>(
    source: &'a (impl Source + ?Sized),
    encoding: &'static Encoding,
) -> Result<impl Read + 'a, FileError> {
    Ok(DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .strip_bom(true)
        .build(source.open().map_err(unreadable)?))
}

fn read_up_to(reader: &mut dyn Read, limit: u64, out: &mut Vec<u8>) -> Result<(), FileError> {
    reader
        .take(limit)
        .read_to_end(out)
        .map(|_| ())
        .map_err(unreadable)
}

/// Whether the whole file is valid UTF-8, read in chunks.
fn is_utf8(source: &(impl Source + ?Sized)) -> Result<bool, FileError> {
    let mut reader = source.open().map_err(unreadable)?;
    let mut buffer = vec![0; 64 * 1024];
    let mut carried = 0;
    loop {
        let read = reader.read(&mut buffer[carried..]).map_err(unreadable)?;
        let filled = carried + read;
        if read == 0 {
            return Ok(carried == 0);
        }
        match std::str::from_utf8(&buffer[..filled]) {
            Ok(_) => carried = 0,
            // A character cut by the chunk's end: keep its first bytes for the next read.
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buffer.copy_within(valid..filled, 0);
                carried = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// Counts lines in the decoded text as the csv reader takes it, keeping only the bytes not
/// yet passed by a record start; notes a NUL (a binary file) and the last visible byte.
struct Counting<R> {
    inner: R,
    window: VecDeque<u8>,
    window_start: u64,
    line: u64,
    nul: bool,
    last_non_space: Option<u8>,
}

impl<R: Read> Counting<R> {
    fn new(inner: R) -> Self {
        Counting {
            inner,
            window: VecDeque::new(),
            window_start: 0,
            line: 1,
            nul: false,
            last_non_space: None,
        }
    }

    /// The line of a record the csv reader says starts at `byte`: it may point at the line
    /// breaks before it (blank lines, CRLF), which are passed over.
    fn line_at(&mut self, byte: u64) -> u64 {
        while self.window_start < byte {
            if self.window.pop_front() == Some(b'\n') {
                self.line += 1;
            }
            self.window_start += 1;
        }
        while let Some(&b) = self.window.front() {
            if b != b'\r' && b != b'\n' {
                break;
            }
            if b == b'\n' {
                self.line += 1;
            }
            self.window.pop_front();
            self.window_start += 1;
        }
        self.line
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        for &b in &buf[..read] {
            self.nul |= b == 0;
            if !b.is_ascii_whitespace() {
                self.last_non_space = Some(b);
            }
        }
        self.window.extend(&buf[..read]);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Vec<Record>, FileError> {
        let head = head(bytes)?;
        records(bytes, &head)?.collect()
    }

    /// `rows` rows of about 60 bytes: a file far longer than the head.
    fn long_file(rows: usize) -> String {
        let mut text = String::from("Nom;Ville;E-mail\r\n");
        for i in 0..rows {
            text.push_str(&format!("Dupont {i};Lyon;dupont.{i}@ex.fr\r\n"));
            if i % 100 == 0 {
                text.push_str(";;\r\n\r\n");
            }
        }
        text
    }

    #[test]
    fn a_windows_1252_byte_far_past_the_head_still_makes_the_file_windows_1252() {
        let mut text = long_file(6_000);
        text.push_str("Noël;Brest;noel@ex.fr\r\n");
        let (bytes, _, _) = WINDOWS_1252.encode(&text);
        assert!(bytes.len() as u64 > 2 * HEAD_BYTES);
        let records = read(&bytes).unwrap();
        assert_eq!(records.last().unwrap().cells[0], "Noël");
    }

    #[test]
    fn lines_are_counted_through_crlf_and_blank_lines_as_an_editor_does() {
        let text = long_file(3_000);
        let records = read(text.as_bytes()).unwrap();
        assert_eq!(records.len(), 3_000);
        for record in [&records[0], &records[1], &records[1_234], &records[2_999]] {
            let line = text.split("\r\n").nth(record.line as usize - 1).unwrap();
            assert!(line.starts_with(&record.cells[0]), "{record:?} on {line:?}");
        }
    }

    #[test]
    fn a_character_cut_by_a_chunk_s_end_is_still_utf8() {
        // "é" is two bytes; put one across each 64 KB boundary of the UTF-8 check.
        let mut text = String::from("Nom;E-mail\n");
        while text.len() < 200_000 {
            text.push_str("Hélène;h@ex.fr\n");
        }
        assert!(is_utf8(text.as_bytes()).unwrap());
        let records = read(text.as_bytes()).unwrap();
        assert!(records.iter().all(|r| r.cells[0] == "Hélène"));
    }
}
