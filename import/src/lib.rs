//! Reading the contact files reps bring into checked prospects: Excel's French CSV
//! (Windows-1252, `;`), Excel's "Unicode text" (UTF-16, tab), Outlook, LinkedIn and Google
//! exports. The steps, each in its module:
//!
//! 1. [`decode`]: bytes to text (byte-order mark, UTF-16, UTF-8, else Windows-1252), refusing
//!    what is not a table (PDF, images, binaries);
//! 2. [`table`]: the delimiter, the header row (past any preamble) and each record with the
//!    line where it starts, as a text editor numbers the file;
//! 3. [`mapping`]: which column holds which field of a prospect, from the header names (French,
//!    English, Outlook, LinkedIn, Google) or, failing that, from the content;
//! 4. [`rows`]: each row checked (an email, valid) and counted, duplicates folded.
//!
//! Workbooks ([`workbook`]) skip step 1 and give the same table.
//!
//! Only the server runs this: nothing of it goes to the browser.

pub mod decode;
pub mod email;
pub mod mapping;
pub mod rows;
pub mod stream;
pub mod table;
pub mod workbook;

pub use mapping::{Field, Mapping};
pub use rows::{Checked, Contact, Rejection, Why};
pub use table::{Record, Table};

/// What makes a whole file unusable; nothing of it is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("Le fichier ne contient aucun contact : il est vide ou n’a que la ligne d’en-tête.")]
    EmptyFile,
    #[error("Aucune ligne d’en-tête n’a été trouvée (les noms des colonnes, comme « Nom » ou « E-mail »).")]
    NoHeader,
    #[error("Aucune colonne ne contient d’adresses e-mail : indiquez laquelle les contient.")]
    NoEmailColumn,
    #[error("Le fichier dépasse la taille maximale de {limit_mb} Mo.")]
    TooLarge { limit_mb: u64 },
    #[error("Ce fichier n’est pas un tableau de contacts (PDF, image ou fichier binaire ?). Exportez-le en CSV ou en classeur Excel.")]
    NotATable,
    #[error("Le fichier est illisible{}.", at.map(|l| format!(" à partir de la ligne {l} (un guillemet n’est jamais refermé)")).unwrap_or_default())]
    Unreadable { at: Option<u64> },
}

impl FileError {
    /// The machine code of the error, stable for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::EmptyFile => "empty_file",
            FileError::NoHeader => "no_header",
            FileError::NoEmailColumn => "no_email_column",
            FileError::TooLarge { .. } => "too_large",
            FileError::NotATable => "not_a_table",
            FileError::Unreadable { .. } => "unreadable",
        }
    }
}

/// A contact file opened: its header, the proposed mapping, then its records one by one
/// (from a text file in constant memory; a workbook is read whole).
pub struct Opened<'a> {
    pub header_line: u64,
    pub header: Vec<String>,
    pub mapping: Mapping,
    pub records: Box<dyn Iterator<Item = Result<Record, FileError>> + 'a>,
}

/// Opens the contact file in `source` (CSV or workbook).
pub fn open<'a, S: stream::Source + ?Sized>(source: &'a S) -> Result<Opened<'a>, FileError> {
    let opened = open_any(source)?;
    if opened.mapping.columns_of(Field::Email).next().is_none() {
        return Err(FileError::NoEmailColumn);
    }
    Ok(opened)
}

/// The first `rows` records of the contact file in `source`, with its header and proposed
/// mapping, as the rep checks them before importing. A file whose email column is not found is
/// not refused here: the rep picks the column.
pub fn preview<S: stream::Source + ?Sized>(source: &S, rows: usize) -> Result<Preview, FileError> {
    let opened = open_any(source)?;
    let records = opened.records.take(rows).collect::<Result<_, _>>()?;
    Ok(Preview {
        header_line: opened.header_line,
        header: opened.header,
        mapping: opened.mapping,
        records,
    })
}

/// What [`preview`] reads.
#[derive(Debug, Clone)]
pub struct Preview {
    pub header_line: u64,
    pub header: Vec<String>,
    pub mapping: Mapping,
    pub records: Vec<Record>,
}

/// Like [`open`], without refusing a file whose email column is not found: the caller's
/// mapping says where it is.
pub fn open_any<'a, S: stream::Source + ?Sized>(source: &'a S) -> Result<Opened<'a>, FileError> {
    let mut start = Vec::with_capacity(8);
    let mut reader = source
        .open()
        .map_err(|_| FileError::Unreadable { at: None })?;
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut reader, 8), &mut start)
        .map_err(|_| FileError::Unreadable { at: None })?;
    if workbook::is_workbook(&start) {
        let mut bytes = start;
        std::io::Read::read_to_end(&mut reader, &mut bytes)
            .map_err(|_| FileError::Unreadable { at: None })?;
        let table = workbook::read(&bytes)?;
        if table.records.is_empty() {
            return Err(FileError::EmptyFile);
        }
        let mapping = Mapping::guess(&table.header, &table.records);
        return Ok(Opened {
            header_line: table.header_line,
            header: table.header,
            mapping,
            records: Box::new(table.records.into_iter().map(Ok)),
        });
    }
    drop(reader);
    let head = stream::head(source)?;
    // The email column, when no header names it, is found among the first records.
    let sample: Vec<Record> = stream::records(source, &head)?
        .take(200)
        .collect::<Result<_, _>>()?;
    if sample.is_empty() {
        return Err(FileError::EmptyFile);
    }
    let mapping = Mapping::guess(&head.header, &sample);
    Ok(Opened {
        header_line: head.header_line,
        header: head.header.clone(),
        mapping,
        records: Box::new(stream::records(source, &head)?),
    })
}

/// Whether any cell of the contact file in `source` holds the address `needle` (lowercase),
/// whatever its case, as a whole address (`lea@ex.fr` is not in `xlea@ex.fr`): an erased
/// address must not wait in an uploaded file. A file, or a record, that cannot be read may hold
/// it: it counts as holding it.
pub fn mentions<S: stream::Source + ?Sized>(source: &S, needle: &str) -> bool {
    let Ok(opened) = open_any(source) else {
        return true;
    };
    if opened.header.iter().any(|c| holds_address(c, needle)) {
        return true;
    }
    for record in opened.records {
        match record {
            Ok(r) if r.cells.iter().any(|c| holds_address(c, needle)) => return true,
            Ok(_) => {}
            Err(_) => return true,
        }
    }
    false
}

/// Whether `text` holds the address `needle` (lowercase) whole: not inside a longer address.
pub fn holds_address(text: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let text = text.to_lowercase();
    let local = |c: char| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c);
    let domain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        !before.is_some_and(local) && !after.is_some_and(domain)
    })
}

/// Reads a whole contact file (CSV or workbook) in memory: its table and proposed mapping.
pub fn read(bytes: &[u8]) -> Result<(Table, Mapping), FileError> {
    let opened = open(bytes)?;
    let records = opened.records.collect::<Result<Vec<_>, _>>()?;
    let table = Table {
        delimiter: 0,
        header_line: opened.header_line,
        header: opened.header,
        records,
    };
    Ok((table, opened.mapping))
}
