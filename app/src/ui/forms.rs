//! Parsing what reps type, the French way, with errors that name the field.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

/// Field name -> French message, shown next to the field.
pub type FieldErrors = BTreeMap<String, String>;

/// Years a show can be in: a typo such as 0202 or 9999 is refused, not stored.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2100;

/// Parses `jj/mm/aaaa` (also `j/m/aaaa`; `.`, `-` or a space as separators; or the eight
/// digits `jjmmaaaa` a numeric keypad types).
pub fn parse_french_date(input: &str) -> Result<NaiveDate, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("Date obligatoire (jj/mm/aaaa).".into());
    }
    let parts: Vec<&str> = if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        vec![&text[0..2], &text[2..4], &text[4..8]]
    } else {
        text.split(['/', '.', '-', ' ']).collect()
    };
    let invalid =
        || format!("« {text} » n’est pas une date au format jj/mm/aaaa (ex. 14/03/2027).");
    if parts.len() != 3
        || parts[2].len() != 4
        || parts[0].is_empty()
        || parts[0].len() > 2
        || parts[1].is_empty()
        || parts[1].len() > 2
    {
        return Err(invalid());
    }
    let number = |s: &str| s.parse::<u32>().map_err(|_| invalid());
    let (day, month, year) = (number(parts[0])?, number(parts[1])?, number(parts[2])?);
    let year = year as i32;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(format!(
            "L’année {year} est hors des dates possibles ({FIRST_YEAR} à {LAST_YEAR})."
        ));
    }
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("Le {text} n’existe pas dans le calendrier."))
}

/// `14/03/2027`. Written by hand: chrono's strftime machinery weighs on the WASM.
pub fn format_french_date(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", date.day(), date.month(), date.year())
}

/// Parses `2027-03-14` (ISO, as dates travel in JSON and URLs).
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Dates in JSON as `2027-03-14`, like chrono's own serde, without chrono's parser and
/// formatter, which weigh on the WASM.
pub mod iso_date {
    use chrono::{Datelike, NaiveDate};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!(
            "{:04}-{:02}-{:02}",
            date.year(),
            date.month(),
            date.day()
        ))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_iso_date(&text)
            .ok_or_else(|| D::Error::custom(format!("not a date (aaaa-mm-jj): {text}")))
    }
}

/// `du 14/03/2027 au 17/03/2027`, or `le 14/03/2027` for one day.
pub fn format_date_range(starts_on: NaiveDate, ends_on: NaiveDate) -> String {
    if starts_on == ends_on {
        format!("le {}", format_french_date(starts_on))
    } else {
        format!(
            "du {} au {}",
            format_french_date(starts_on),
            format_french_date(ends_on)
        )
    }
}

/// Characters that reorder how text is shown (bidirectional embeddings, overrides, isolates):
/// in a name they can make `moc.elpmaxe` read as `example.com`.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Refuses invisible characters a person does not type: control characters (a NUL cannot even
/// be stored) and bidirectional controls. `multi_line` allows line breaks and tabs.
fn check_characters(text: &str, label: &str, multi_line: bool) -> Result<(), String> {
    let allowed = |c: char| multi_line && matches!(c, '\n' | '\r' | '\t');
    match text
        .chars()
        .position(|c| (c.is_control() && !allowed(c)) || is_bidi_control(c))
    {
        Some(at) => Err(format!(
            "{label} contient un caractère invisible interdit (position {}) : retapez-le.",
            at + 1
        )),
        None => Ok(()),
    }
}

/// A checked, trimmed text of at most `max` characters; blank becomes `None`.
fn text(input: &str, max: usize, label: &str, multi_line: bool) -> Result<Option<String>, String> {
    let text = input.trim();
    check_characters(text, label, multi_line)?;
    if text.chars().count() > max {
        return Err(format!("{label} : {max} caractères au plus."));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// A required single-line text of at most `max` characters, trimmed.
pub fn required_text(input: &str, max: usize, label: &str) -> Result<String, String> {
    text(input, max, label, false)?.ok_or_else(|| format!("{label} est obligatoire."))
}

/// An optional single-line text of at most `max` characters; blank becomes `None`.
pub fn optional_text(input: &str, max: usize, label: &str) -> Result<Option<String>, String> {
    text(input, max, label, false)
}

/// An optional text of several lines (notes) of at most `max` characters.
pub fn optional_lines(input: &str, max: usize, label: &str) -> Result<Option<String>, String> {
    text(input, max, label, true)
}

/// Keeps `result`'s value, or records its message under `field`.
pub fn keep<T>(errors: &mut FieldErrors, field: &str, result: Result<T, String>) -> Option<T> {
    result.map_err(|e| errors.insert(field.into(), e)).ok()
}

/// The field's message from the last answer of a form's server action, if any.
pub fn field_error<T, S>(
    value: S,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static
where
    S: leptos::prelude::Get<Value = Option<Result<T, crate::error::AppError>>>
        + Copy
        + Send
        + Sync
        + 'static,
{
    move || match value.get() {
        Some(Err(e)) => e.field(field),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_dates_parse_with_or_without_leading_zeros() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 4).unwrap();
        assert_eq!(parse_french_date("04/03/2027"), Ok(d));
        assert_eq!(parse_french_date(" 4/3/2027 "), Ok(d));
        assert_eq!(parse_french_date("04.03.2027"), Ok(d));
        assert_eq!(format_french_date(d), "04/03/2027");
    }

    #[test]
    fn a_numeric_keypad_can_type_a_date() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 4).unwrap();
        assert_eq!(parse_french_date("04032027"), Ok(d));
        assert_eq!(parse_french_date("04 03 2027"), Ok(d));
        assert!(parse_french_date("4032027").is_err());
    }

    #[test]
    fn years_out_of_a_show_s_range_are_refused() {
        for typo in ["01/01/0001", "31/12/9999", "14/03/1999", "14/03/2101"] {
            let err = parse_french_date(typo).unwrap_err();
            assert!(err.contains("2000 à 2100"), "{typo}: {err}");
        }
        assert!(parse_french_date("01/01/2000").is_ok());
        assert!(parse_french_date("31/12/2100").is_ok());
    }

    #[test]
    fn impossible_or_american_dates_are_refused_with_a_french_message() {
        assert!(parse_french_date("31/02/2027")
            .unwrap_err()
            .contains("n’existe pas"));
        assert!(parse_french_date("2027-03-04")
            .unwrap_err()
            .contains("jj/mm/aaaa"));
        assert!(parse_french_date("03/04/27")
            .unwrap_err()
            .contains("jj/mm/aaaa"));
        assert!(parse_french_date("").unwrap_err().contains("obligatoire"));
    }

    #[test]
    fn dates_travel_as_iso_text_both_ways() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Day(#[serde(with = "iso_date")] NaiveDate);
        let day = Day(NaiveDate::from_ymd_opt(2027, 3, 4).unwrap());
        let json = serde_json::to_string(&day).unwrap();
        assert_eq!(json, r#""2027-03-04""#);
        assert_eq!(serde_json::from_str::<Day>(&json).unwrap(), day);
        assert!(serde_json::from_str::<Day>(r#""04/03/2027""#).is_err());
    }

    #[test]
    fn invisible_characters_are_refused_with_their_position() {
        for bad in [
            "Sir\0ha",
            "Sir\u{202E}ah",
            "Sirha\u{2066}",
            "Si\nrha",
            "Si\u{7}rha",
        ] {
            let err = required_text(bad, 100, "Le nom").unwrap_err();
            assert!(
                err.contains("caractère invisible interdit"),
                "{bad:?}: {err}"
            );
        }
        assert!(required_text("Sir\0ha", 100, "Le nom")
            .unwrap_err()
            .contains("position 4"));
        // Notes may have several lines, never a NUL.
        assert_eq!(
            optional_lines("Stand B12\nAllée 3", 100, "Les notes"),
            Ok(Some("Stand B12\nAllée 3".into()))
        );
        assert!(optional_lines("a\0b", 100, "Les notes").is_err());
        // Accents, apostrophes and non-Latin scripts are text, not controls.
        assert!(required_text("Équip’Hôtel — 東京", 100, "Le nom").is_ok());
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(required_text("  Sirha  ", 10, "Le nom"), Ok("Sirha".into()));
        assert!(required_text("   ", 10, "Le nom")
            .unwrap_err()
            .contains("obligatoire"));
        assert!(required_text(&"é".repeat(11), 10, "Le nom").is_err());
        assert_eq!(optional_text(" ", 10, "La ville"), Ok(None));
    }
}
