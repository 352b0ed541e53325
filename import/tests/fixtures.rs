//! The shared example files (copied from `shared/fixtures/prospects/`), each with the figures
//! its `.expected.json` gives; then a small file for each rule and each file-level error.

use import::{rows, FileError};
use serde_json::{json, Value};

fn checked(file: &str) -> Result<rows::Checked, FileError> {
    let bytes = std::fs::read(format!("tests/files/{file}")).unwrap();
    let (table, mapping) = import::read(&bytes)?;
    Ok(rows::check(&table, &mapping))
}

fn summary(file: &str) -> Result<Value, FileError> {
    let checked = checked(file)?;
    Ok(json!({
        "rows": checked.rows,
        "valid": checked.valid,
        "duplicates_in_file": checked.duplicates_in_file,
        // A rep with no contacts yet: every address of the file is new.
        "new_prospects": checked.contacts.len(),
        "invalid": checked.invalid.iter().map(|r| json!({"line": r.line, "why": r.why.code()})).collect::<Vec<_>>(),
    }))
}

fn expected(file: &str) -> Value {
    let text = std::fs::read_to_string(format!("tests/files/{file}.expected.json")).unwrap();
    let mut expected: Value = serde_json::from_str(&text).unwrap();
    expected.as_object_mut().unwrap().remove("format");
    expected
}

#[test]
fn french_excel_csv_in_windows_1252_with_semicolons() {
    assert_eq!(summary("excel-fr.csv").unwrap(), expected("excel-fr.csv"));
}

#[test]
fn excel_unicode_text_in_utf16_with_tabs() {
    assert_eq!(
        summary("excel-unicode.txt").unwrap(),
        expected("excel-unicode.txt")
    );
}

#[test]
fn linkedin_connections_with_a_preamble_and_rows_without_email() {
    assert_eq!(
        summary("linkedin-connections.csv").unwrap(),
        expected("linkedin-connections.csv")
    );
}

#[test]
fn outlook_contacts_with_a_byte_order_mark_and_multi_line_notes() {
    assert_eq!(
        summary("outlook-contacts.csv").unwrap(),
        expected("outlook-contacts.csv")
    );
}

#[test]
fn the_same_file_saved_as_an_excel_workbook() {
    assert_eq!(summary("excel-fr.xlsx").unwrap(), expected("excel-fr.xlsx"));
}

#[test]
fn a_workbook_s_title_row_is_skipped_and_its_numbers_read_as_typed() {
    let c = checked("title-row-and-numbers.xlsx").unwrap();
    // The first sheet is blank; the header is on row 3 of the second, under a title.
    assert_eq!((c.rows, c.valid), (3, 2));
    assert_eq!(
        c.invalid,
        [import::Rejection {
            line: 6,
            why: import::Why::MissingEmail
        }]
    );
    let lea = &c.contacts[0];
    assert_eq!(lea.line, 4);
    assert_eq!(lea.postal_code, "01000");
    assert_eq!(lea.mobile, "06 12 34 56 78");
    let extra: Vec<(&str, &str)> = lea
        .extra
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(extra, [("Rencontré le", "2027-01-22"), ("Badge", "1234")]);
    assert_eq!(c.contacts[1].postal_code, "69003");
    assert_eq!(c.contacts[1].extra[1].1, "77.5");
}

#[test]
fn an_opendocument_spreadsheet_reads_like_a_workbook() {
    let c = checked("libreoffice.ods").unwrap();
    assert_eq!((c.rows, c.valid), (2, 1));
    assert_eq!(c.contacts[0].email, "lea@ex.fr");
    assert_eq!(c.contacts[0].postal_code, "01000");
    assert_eq!(
        c.invalid,
        [import::Rejection {
            line: 3,
            why: import::Why::InvalidEmail
        }]
    );
}

#[test]
fn each_file_level_problem_has_its_code_and_a_french_message() {
    for (file, code) in [
        ("empty.csv", "empty_file"),
        ("header-only.csv", "empty_file"),
        ("no-email-column.csv", "no_email_column"),
        ("scanned.pdf", "not_a_table"),
        ("unclosed-quote.csv", "unreadable"),
    ] {
        let error = checked(file).unwrap_err();
        assert_eq!(error.code(), code, "{file}");
        assert!(
            error.to_string().starts_with("Le fichier")
                || error.to_string().starts_with("Aucune")
                || error.to_string().starts_with("Ce fichier"),
            "{file}: {error}"
        );
    }
    assert_eq!(
        checked("unclosed-quote.csv").unwrap_err().to_string(),
        "Le fichier est illisible à partir de la ligne 2 (un guillemet n’est jamais refermé)."
    );
}

#[test]
fn an_address_is_found_in_a_file_whatever_its_encoding_or_case() {
    for file in ["excel-unicode.txt", "excel-fr.csv", "excel-fr.xlsx"] {
        let bytes = std::fs::read(format!("tests/files/{file}")).unwrap();
        let address = checked(file).unwrap().contacts[0].email.clone();
        assert!(import::mentions(bytes.as_slice(), &address), "{file}");
        assert!(
            !import::mentions(bytes.as_slice(), "nobody@nowhere.example"),
            "{file}"
        );
    }
    // A file that cannot be read may hold it.
    assert!(import::mentions(b"%PDF-1.4 binary".as_slice(), "a@ex.fr"));
}

#[test]
fn an_address_is_found_whole_not_inside_a_longer_one() {
    use import::holds_address;
    assert!(holds_address("Lea@Ex.fr", "lea@ex.fr"));
    assert!(holds_address("Léa <lea@ex.fr>", "lea@ex.fr"));
    assert!(holds_address("a@b.fr ::: lea@ex.fr", "lea@ex.fr"));
    assert!(!holds_address("xlea@ex.fr", "lea@ex.fr"));
    assert!(!holds_address("a.lea@ex.fr", "lea@ex.fr"));
    assert!(!holds_address("lea@ex.fr.example", "lea@ex.fr"));
    assert!(!holds_address("lea@ex.france", "lea@ex.fr"));
}
