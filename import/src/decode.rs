//! Which encoding a file's bytes are in (read by [`crate::stream`]). Excel on a French Windows writes Windows-1252, its "Unicode text" UTF-16 LE
//! with a byte-order mark, Outlook UTF-8 with one, LinkedIn and Google plain UTF-8.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use crate::FileError;

/// File signatures of what reps upload by mistake: PDF, images, archives, executables.
const NOT_TABLES: [&[u8]; 7] = [
    b"%PDF",
    b"\x89PNG",
    b"\xFF\xD8\xFF",
    b"GIF8",
    b"PK\x03\x04",
    b"\xD0\xCF\x11\xE0",
    b"\x7FELF",
];

/// The encoding of a file without byte-order mark.
pub(crate) fn sniff(bytes: &[u8]) -> Result<&'static Encoding, FileError> {
    if NOT_TABLES.iter().any(|magic| bytes.starts_with(magic)) {
        return Err(FileError::NotATable);
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let zeros = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let half = sample.len() / 2;
    // Mostly Latin text in UTF-16: one byte of each pair is zero.
    if half > 0 && zeros(1) * 10 >= half * 9 && zeros(0) * 10 < half {
        return Ok(UTF_16LE);
    }
    if half > 0 && zeros(0) * 10 >= half * 9 && zeros(1) * 10 < half {
        return Ok(UTF_16BE);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(UTF_8);
    }
    Ok(WINDOWS_1252)
}

#[cfg(test)]
mod tests {
    use encoding_rs::WINDOWS_1252;

    use crate::FileError;

    fn first_name(bytes: &[u8]) -> String {
        let (table, _) = crate::read(bytes).unwrap();
        table.records[0].cells[0].clone()
    }

    #[test]
    fn windows_1252_utf8_and_utf16_with_or_without_a_mark_read_the_same() {
        let text = "Prénom;Nom;E-mail\nLéa;Noël;lea@ex.fr\n";
        let (cp1252, _, _) = WINDOWS_1252.encode(text);
        assert_eq!(first_name(&cp1252), "Léa");
        assert_eq!(first_name(text.as_bytes()), "Léa");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(first_name(&bom), "Léa");
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(first_name(&utf16), "Léa");
        let mut marked = vec![0xFF, 0xFE];
        marked.extend_from_slice(&utf16);
        assert_eq!(first_name(&marked), "Léa");
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(first_name(&be), "Léa");
    }

    #[test]
    fn empty_files_and_files_that_are_not_tables_are_named_as_such() {
        let error = |bytes: &[u8]| crate::read(bytes).unwrap_err();
        assert_eq!(error(b""), FileError::EmptyFile);
        assert_eq!(error(b" \r\n\t\n"), FileError::EmptyFile);
        assert_eq!(error(b"\xEF\xBB\xBF\r\n"), FileError::EmptyFile);
        assert_eq!(error(b"%PDF-1.7\n..."), FileError::NotATable);
        assert_eq!(error(b"\x89PNG\r\n\x1a\n"), FileError::NotATable);
        assert_eq!(
            error(b"Nom;E-mail\nA;a@b.fr\x00\x01\x02"),
            FileError::NotATable
        );
    }
}
