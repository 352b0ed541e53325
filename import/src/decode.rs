//! Bytes to text. Excel on a French Windows writes Windows-1252, its "Unicode text" UTF-16 LE
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

/// The text of `bytes`, decoded by their byte-order mark, else as UTF-16 when every other byte
/// is zero, else as UTF-8 when valid, else as Windows-1252.
pub fn decode(bytes: &[u8]) -> Result<String, FileError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::EmptyFile);
    }
    let (encoding, bom) = match Encoding::for_bom(bytes) {
        Some((encoding, bom)) => (encoding, bom),
        None => (sniff(bytes)?, 0),
    };
    let body = &bytes[bom..];
    let (text, malformed) = encoding.decode_without_bom_handling(body);
    if malformed && encoding != WINDOWS_1252 {
        return Err(FileError::Unreadable { at: None });
    }
    // A NUL in text is a binary file, whatever its first bytes said.
    if text.contains('\0') {
        return Err(FileError::NotATable);
    }
    if text.trim().is_empty() {
        return Err(FileError::EmptyFile);
    }
    Ok(text.into_owned())
}

/// The encoding of a file without byte-order mark.
fn sniff(bytes: &[u8]) -> Result<&'static Encoding, FileError> {
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
    use super::*;

    #[test]
    fn windows_1252_utf8_and_utf16_with_or_without_a_mark_read_the_same() {
        let expected = "Prénom;Nom\nLéa;Noël\n";
        let (cp1252, _, _) = WINDOWS_1252.encode(expected);
        assert_eq!(decode(&cp1252).unwrap(), expected);
        assert_eq!(decode(expected.as_bytes()).unwrap(), expected);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(expected.as_bytes());
        assert_eq!(decode(&bom).unwrap(), expected);
        let utf16: Vec<u8> = expected.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&utf16).unwrap(), expected);
        let mut marked = vec![0xFF, 0xFE];
        marked.extend_from_slice(&utf16);
        assert_eq!(decode(&marked).unwrap(), expected);
        let be: Vec<u8> = expected.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be).unwrap(), expected);
    }

    #[test]
    fn empty_files_and_files_that_are_not_tables_are_named_as_such() {
        assert_eq!(decode(b""), Err(FileError::EmptyFile));
        assert_eq!(decode(b" \r\n\t\n"), Err(FileError::EmptyFile));
        assert_eq!(decode(b"\xEF\xBB\xBF\r\n"), Err(FileError::EmptyFile));
        assert_eq!(decode(b"%PDF-1.7\n..."), Err(FileError::NotATable));
        assert_eq!(decode(b"\x89PNG\r\n\x1a\n"), Err(FileError::NotATable));
        assert_eq!(
            decode(b"Nom;E-mail\nA;a@b.fr\x00\x01\x02"),
            Err(FileError::NotATable)
        );
    }

    #[test]
    fn utf16_that_does_not_decode_is_unreadable() {
        // A mark announcing UTF-16 followed by a lone surrogate.
        assert_eq!(
            decode(b"\xFF\xFEA\x00\x00\xD8"),
            Err(FileError::Unreadable { at: None })
        );
    }
}
