//! The shared example files (copied from `shared/fixtures/prospects/`), each with the figures
//! its `.expected.json` gives.

use import::{rows, FileError};
use serde_json::{json, Value};

fn summary(file: &str) -> Result<Value, FileError> {
    let bytes = std::fs::read(format!("tests/files/{file}")).unwrap();
    let (table, mapping) = import::read(&bytes)?;
    let checked = rows::check(&table, &mapping);
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
