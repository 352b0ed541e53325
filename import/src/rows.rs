//! Each row checked and counted (the rules reps and the fixtures share):
//!
//! - `rows`: records after the header, blank lines and lines of delimiters left out;
//! - a row is rejected when its email is missing (in every email column) or invalid: the
//!   first non-empty email column, in the file's order, is the contact's;
//! - `valid` = rows − rejected, duplicates included;
//! - a valid row whose address appeared earlier in the file is a duplicate: the first row is
//!   the contact, a later one only fills what the first left empty.
//!
//! Cells are kept as text as they are (trimmed): `=1+1` or `+33 6…` is never evaluated.

use std::collections::HashMap;

use serde::Serialize;

use crate::{email, Field, Mapping, Table};

/// A contact read from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// The line where the contact's first row starts.
    pub line: u64,
    pub email: String,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub job_title: String,
    pub phone: String,
    pub mobile: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub notes: String,
    /// The file's other columns (header, value), non-empty ones only: nothing is lost.
    pub extra: Vec<(String, String)>,
}

impl Contact {
    fn field_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::Civility => &mut self.civility,
            Field::FirstName => &mut self.first_name,
            Field::LastName => &mut self.last_name,
            Field::Email => &mut self.email,
            Field::Company => &mut self.company,
            Field::JobTitle => &mut self.job_title,
            Field::Phone => &mut self.phone,
            Field::Mobile => &mut self.mobile,
            Field::PostalCode => &mut self.postal_code,
            Field::City => &mut self.city,
            Field::Country => &mut self.country,
            Field::Notes => &mut self.notes,
        }
    }

    /// Fills what this contact left empty from a later row with the same address.
    fn fill_from(&mut self, later: Contact) {
        for field in Field::ALL {
            let mine = self.field_mut(field);
            if mine.is_empty() {
                *mine = later.clone().field_mut(field).clone();
            }
        }
        for (name, value) in later.extra {
            if !self.extra.iter().any(|(n, _)| *n == name) {
                self.extra.push((name, value));
            }
        }
    }
}

/// Why a row was not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Why {
    #[serde(rename = "missing email")]
    MissingEmail,
    #[serde(rename = "invalid email")]
    InvalidEmail,
}

impl Why {
    pub fn code(self) -> &'static str {
        match self {
            Why::MissingEmail => "missing email",
            Why::InvalidEmail => "invalid email",
        }
    }

    /// What the rep reads.
    pub fn message(self) -> &'static str {
        match self {
            Why::MissingEmail => "Aucune adresse e-mail sur cette ligne.",
            Why::InvalidEmail => "L’adresse e-mail n’est pas valide.",
        }
    }
}

/// A row not imported, with the line where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub line: u64,
    pub why: Why,
}

/// The rows of a file, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    pub rows: usize,
    pub valid: usize,
    pub duplicates_in_file: usize,
    /// Sorted by line.
    pub invalid: Vec<Rejection>,
    /// One per address, in the order of their first row.
    pub contacts: Vec<Contact>,
}

/// Checks every record of `table` read with `mapping`.
pub fn check(table: &Table, mapping: &Mapping) -> Checked {
    let emails: Vec<usize> = mapping.columns_of(Field::Email).collect();
    let mut checked = Checked {
        rows: table.records.len(),
        ..Checked::default()
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in &table.records {
        let first_filled = emails
            .iter()
            .map(|&c| email::check(record.cell(c)))
            .find(|c| *c != email::Check::Missing);
        let address = match first_filled {
            Some(email::Check::Valid(address)) => address,
            Some(_) => {
                checked.invalid.push(Rejection {
                    line: record.line,
                    why: Why::InvalidEmail,
                });
                continue;
            }
            None => {
                checked.invalid.push(Rejection {
                    line: record.line,
                    why: Why::MissingEmail,
                });
                continue;
            }
        };
        checked.valid += 1;
        let mut contact = Contact {
            line: record.line,
            ..Contact::default()
        };
        for (index, column) in mapping.columns.iter().enumerate() {
            let value = record.cell(index).trim();
            if value.is_empty() {
                continue;
            }
            match column {
                Some(Field::Email) => {}
                Some(field) => {
                    let slot = contact.field_mut(*field);
                    if slot.is_empty() {
                        *slot = value.to_string();
                    }
                }
                None => {
                    let name = table.header.get(index).cloned().unwrap_or_default();
                    let name = if name.is_empty() {
                        format!("Colonne {}", index + 1)
                    } else {
                        name
                    };
                    contact.extra.push((name, value.to_string()));
                }
            }
        }
        contact.email = address.clone();
        match seen.get(&address) {
            Some(&first) => {
                checked.duplicates_in_file += 1;
                checked.contacts[first].fill_from(contact);
            }
            None => {
                seen.insert(address, checked.contacts.len());
                checked.contacts.push(contact);
            }
        }
    }
    checked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::parse;

    fn checked(text: &str) -> Checked {
        let table = parse(text).unwrap();
        let mapping = Mapping::propose(&table).unwrap();
        check(&table, &mapping)
    }

    #[test]
    fn the_first_filled_email_column_is_the_contact_s() {
        let c = checked(
            "Nom,E-mail Address,E-mail 2 Address\nA,,a2@ex.fr\nB,b@ex.fr,b2@ex.fr\nC,nope,c@ex.fr\nD,,\n",
        );
        assert_eq!(c.rows, 4);
        assert_eq!(c.valid, 2);
        let emails: Vec<&str> = c.contacts.iter().map(|c| c.email.as_str()).collect();
        assert_eq!(emails, ["a2@ex.fr", "b@ex.fr"]);
        assert_eq!(
            c.invalid,
            [
                Rejection {
                    line: 4,
                    why: Why::InvalidEmail
                },
                Rejection {
                    line: 5,
                    why: Why::MissingEmail
                }
            ]
        );
    }

    #[test]
    fn a_duplicate_counts_and_only_fills_what_the_first_row_left_empty() {
        let c = checked(
            "Prénom;Nom;E-mail;Ville;Badge\nLéa;Mercier;LEA@ex.fr;;\nLéo;;lea@ex.fr ;Lyon;B12\n",
        );
        assert_eq!((c.rows, c.valid, c.duplicates_in_file), (2, 2, 1));
        assert_eq!(c.contacts.len(), 1);
        let lea = &c.contacts[0];
        assert_eq!(
            (lea.first_name.as_str(), lea.city.as_str()),
            ("Léa", "Lyon")
        );
        assert_eq!(lea.extra, [("Badge".to_string(), "B12".to_string())]);
    }

    #[test]
    fn cells_that_look_like_formulas_are_kept_as_text() {
        let c = checked("Nom;E-mail;Téléphone;Notes\n=1+1;a@ex.fr;+33 6 12 34 56 78;@home\n");
        let a = &c.contacts[0];
        assert_eq!(
            (a.last_name.as_str(), a.phone.as_str(), a.notes.as_str()),
            ("=1+1", "+33 6 12 34 56 78", "@home")
        );
    }

    #[test]
    fn outlook_s_title_is_the_civility_and_its_job_title_the_job() {
        let c =
            checked("Title,First Name,Job Title,E-mail Address\nMme,Léa,Chef de cuisine,a@ex.fr\n");
        assert_eq!(c.contacts[0].civility, "Mme");
        assert_eq!(c.contacts[0].job_title, "Chef de cuisine");
    }
}
