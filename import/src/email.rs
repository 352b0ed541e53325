//! Emails as reps' files hold them: `Nom <a@b.fr>`, Google's `a ::: b`, stray spaces and
//! capitals. Valid means a WHATWG "valid e-mail address" whose domain has a dot and no empty
//! label, and that fits the 320 characters an address can have (and the prospects table
//! keeps).

/// The longest address (64 for the local part, `@`, 255 for the domain).
pub const MAX_LEN: usize = 320;

/// What an email cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Missing,
    Invalid,
    /// Trimmed and lowercased.
    Valid(String),
}

/// Checks the address in `cell`.
pub fn check(cell: &str) -> Check {
    // Google puts several addresses in one cell: the first is the contact's.
    let first = cell.split(":::").next().unwrap_or_default().trim();
    let address = match (first.rfind('<'), first.ends_with('>')) {
        (Some(open), true) => &first[open + 1..first.len() - 1],
        _ => first,
    };
    let address = address.trim();
    let address = address.strip_prefix("mailto:").unwrap_or(address);
    if address.is_empty() {
        return Check::Missing;
    }
    let address = address.to_lowercase();
    if is_valid(&address) {
        Check::Valid(address)
    } else {
        Check::Invalid
    }
}

fn is_valid(address: &str) -> bool {
    if address.len() > MAX_LEN {
        return false;
    }
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    local_ok && labels.len() >= 2 && labels.iter().all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_lowercased_and_taken_out_of_their_wrapping() {
        assert_eq!(
            check("  Lea.Mercier@Wanadoo.FR "),
            Check::Valid("lea.mercier@wanadoo.fr".into())
        );
        assert_eq!(
            check("Léa Mercier <lea@ex.fr>"),
            Check::Valid("lea@ex.fr".into())
        );
        assert_eq!(check("a@ex.fr ::: b@ex.fr"), Check::Valid("a@ex.fr".into()));
        assert_eq!(check("mailto:a@ex.fr"), Check::Valid("a@ex.fr".into()));
        assert_eq!(check("   "), Check::Missing);
        assert_eq!(check(""), Check::Missing);
    }

    #[test]
    fn what_is_not_a_deliverable_looking_address_is_invalid() {
        for bad in [
            "lea.mercier",
            "lea@",
            "@ex.fr",
            "lea@localhost",
            "lea@ex..fr",
            "lea@ex.fr.",
            "lea@-ex.fr",
            "lé@ex.fr",
            "lea mercier@ex.fr",
            "lea@ex_fr.com",
            "a@b@ex.fr",
        ] {
            assert_eq!(check(bad), Check::Invalid, "{bad}");
        }
        // Too long for any mailbox (and for the table): one such row must not fail a file.
        let long = format!(
            "{}@{}.fr",
            "a".repeat(64),
            vec!["b".repeat(60); 5].join(".")
        );
        assert!(long.len() > MAX_LEN);
        assert_eq!(check(&long), Check::Invalid);
        let fits = format!(
            "{}@{}.fr",
            "a".repeat(64),
            vec!["b".repeat(60); 4].join(".")
        );
        assert!(matches!(check(&fits), Check::Valid(_)));
    }
}
