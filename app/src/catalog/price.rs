//! Prices the French way: "1 234,50 €" shown (no-break spaces), and read back from what a rep
//! types ("1234,5", "1 234,50 €", "12.90", "12 €").

/// The narrow no-break space French typography puts between thousands and before "€".
const THIN: char = '\u{202F}';

/// `cents` written as French prices are, with the currency's sign for the euro.
pub fn format_price(cents: i64, currency: &str) -> String {
    let (units, rest) = (cents / 100, (cents % 100).abs());
    let digits = units.abs().to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(THIN);
        }
        grouped.push(d);
    }
    let sign = if cents < 0 { "-" } else { "" };
    let unit = if currency == "EUR" { "€" } else { currency };
    format!("{sign}{grouped},{rest:02}{THIN}{unit}")
}

/// The amount as typed in the price field, `12,50` (no unit), for editing.
pub fn price_field(cents: i64) -> String {
    format!("{},{:02}", cents / 100, (cents % 100).abs())
}

/// The price a rep typed, in cents: digits with spaces between thousands, a comma or a dot
/// before at most two decimals, an optional "€" or "EUR" and "HT". Over zero, under ten million.
pub fn parse_price(typed: &str) -> Result<i64, String> {
    let refused = || {
        format!(
            "Prix illisible : « {} ». Écrivez par exemple 1 234,50.",
            typed.trim()
        )
    };
    let mut text: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != THIN && *c != '\u{A0}')
        .collect::<String>()
        .to_uppercase();
    if text.ends_with("TTC") {
        return Err("Saisissez le prix hors taxe (HT), pas TTC.".to_string());
    }
    for suffix in ["HT", "€", "EUR", "EUROS"] {
        if let Some(rest) = text.strip_suffix(suffix) {
            text = rest.to_string();
        }
    }
    if let Some(rest) = text.strip_suffix('€') {
        text = rest.to_string();
    }
    let (units, decimals) = match text.split_once([',', '.']) {
        Some((units, decimals)) => (units, decimals),
        None => (text.as_str(), ""),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(units) || (!decimals.is_empty() && !digits(decimals)) || decimals.len() > 2 {
        return Err(refused());
    }
    let units: i64 = units.parse().map_err(|_| refused())?;
    let decimals: i64 = match decimals.len() {
        0 => 0,
        1 => decimals.parse::<i64>().map_err(|_| refused())? * 10,
        _ => decimals.parse().map_err(|_| refused())?,
    };
    let cents = units
        .checked_mul(100)
        .and_then(|c| c.checked_add(decimals))
        .ok_or_else(refused)?;
    if cents <= 0 {
        return Err("Le prix doit être supérieur à zéro.".to_string());
    }
    if cents >= 1_000_000_000 {
        return Err("Le prix doit être inférieur à 10 millions d’euros.".to_string());
    }
    Ok(cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_written_the_french_way() {
        assert_eq!(format_price(123_450, "EUR"), "1\u{202F}234,50\u{202F}€");
        assert_eq!(format_price(990, "EUR"), "9,90\u{202F}€");
        assert_eq!(
            format_price(100_000_000, "EUR"),
            "1\u{202F}000\u{202F}000,00\u{202F}€"
        );
        assert_eq!(format_price(5, "USD"), "0,05\u{202F}USD");
        assert_eq!(price_field(123_405), "1234,05");
    }

    #[test]
    fn prices_are_read_as_reps_type_them() {
        for (typed, cents) in [
            ("1 234,50", 123_450),
            ("1234,5", 123_450),
            ("12.90", 1290),
            ("12 €", 1200),
            ("12,00 € HT", 1200),
            ("1\u{202F}234,50\u{202F}€", 123_450),
            ("0,01", 1),
        ] {
            assert_eq!(parse_price(typed), Ok(cents), "{typed}");
        }
        for typed in [
            "",
            "abc",
            "12,345",
            "1,2,3",
            "-5",
            "0",
            "0,00",
            "12 34x",
            "99999999",
            "14,90 TTC",
        ] {
            assert!(parse_price(typed).is_err(), "{typed}");
        }
        assert!(parse_price("douze").unwrap_err().contains("« douze »"));
    }
}
