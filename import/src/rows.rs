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

use std::{collections::HashMap, hash::BuildHasher};

use serde::Serialize;

use crate::{email, Field, Mapping, Record, Table};

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

    /// The value of `field`.
    pub fn field(&self, field: Field) -> &str {
        match field {
            Field::Civility => &self.civility,
            Field::FirstName => &self.first_name,
            Field::LastName => &self.last_name,
            Field::Email => &self.email,
            Field::Company => &self.company,
            Field::JobTitle => &self.job_title,
            Field::Phone => &self.phone,
            Field::Mobile => &self.mobile,
            Field::PostalCode => &self.postal_code,
            Field::City => &self.city,
            Field::Country => &self.country,
            Field::Notes => &self.notes,
        }
    }

    /// Fills what this contact left empty from a later row with the same address.
    fn fill_from(&mut self, later: Contact) {
        for field in Field::ALL {
            let mine = self.field_mut(field);
            if mine.is_empty() {
                *mine = later.field(field).to_string();
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
    /// On the rep's suppression list: erased, or asked not to be contacted.
    #[serde(rename = "suppressed")]
    Suppressed,
}

impl Why {
    pub fn code(self) -> &'static str {
        match self {
            Why::MissingEmail => "missing email",
            Why::InvalidEmail => "invalid email",
            Why::Suppressed => "suppressed",
        }
    }

    /// What the rep reads.
    pub fn message(self) -> &'static str {
        match self {
            Why::MissingEmail => "Aucune adresse e-mail sur cette ligne.",
            Why::InvalidEmail => "L’adresse e-mail n’est pas valide.",
            Why::Suppressed => {
                "Adresse effacée ou qui ne veut plus être contactée : elle n’est pas réimportée."
            }
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

/// A valid row: its contact, and the earlier row with the same address when it is a
/// duplicate (`ord` counts valid rows from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub ord: usize,
    pub contact: Contact,
    pub duplicate_of: Option<usize>,
}

/// Says of a valid address whether it must be rejected anyway.
type Refusal<'a> = Box<dyn Fn(&str) -> bool + Send + 'a>;

/// Checks records one by one, counting as it goes; memory grows with the distinct addresses
/// only (to tell duplicates), not with the rows.
pub struct Checker<'a> {
    header: &'a [String],
    mapping: &'a Mapping,
    emails: Vec<usize>,
    /// Each address seen, as two independent 64-bit hashes (a 100,000-row file keeps 3 MB of
    /// them instead of 10 MB of strings; a collision is a chance in 10^29), and its first row.
    seen: HashMap<[u64; 2], usize>,
    hashers: [std::collections::hash_map::RandomState; 2],
    /// Addresses never to import (the rep's suppression list).
    refused: Option<Refusal<'a>>,
    pub rows: usize,
    pub valid: usize,
    pub duplicates_in_file: usize,
    /// In the order of the file, which is the order of lines.
    pub invalid: Vec<Rejection>,
}

impl<'a> Checker<'a> {
    pub fn new(header: &'a [String], mapping: &'a Mapping) -> Self {
        Checker {
            header,
            mapping,
            emails: mapping.columns_of(Field::Email).collect(),
            seen: HashMap::new(),
            hashers: Default::default(),
            refused: None,
            rows: 0,
            valid: 0,
            duplicates_in_file: 0,
            invalid: Vec::new(),
        }
    }

    /// Rejects, as `suppressed`, the valid addresses `refused` says so of.
    pub fn refusing(mut self, refused: impl Fn(&str) -> bool + Send + 'a) -> Self {
        self.refused = Some(Box::new(refused));
        self
    }

    /// The row of `record` when valid; a rejection is counted and kept.
    pub fn check(&mut self, record: &Record) -> Option<Row> {
        self.rows += 1;
        let first_filled = self
            .emails
            .iter()
            .map(|&c| email::check(record.cell(c)))
            .find(|c| *c != email::Check::Missing);
        let address = match first_filled {
            Some(email::Check::Valid(address)) => address,
            other => {
                self.invalid.push(Rejection {
                    line: record.line,
                    why: if other.is_some() {
                        Why::InvalidEmail
                    } else {
                        Why::MissingEmail
                    },
                });
                return None;
            }
        };
        if self
            .refused
            .as_ref()
            .is_some_and(|refused| refused(&address))
        {
            self.invalid.push(Rejection {
                line: record.line,
                why: Why::Suppressed,
            });
            return None;
        }
        let mut contact = Contact {
            line: record.line,
            ..Contact::default()
        };
        for (index, column) in self.mapping.columns.iter().enumerate() {
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
                    let name = match self.header.get(index).map(String::as_str) {
                        Some(name) if !name.is_empty() => name.to_string(),
                        _ => format!("Colonne {}", index + 1),
                    };
                    contact.extra.push((name, value.to_string()));
                }
            }
        }
        let ord = self.valid;
        self.valid += 1;
        let key = self.hashers.each_ref().map(|h| h.hash_one(&address));
        let duplicate_of = match self.seen.get(&key) {
            Some(&first) => {
                self.duplicates_in_file += 1;
                Some(first)
            }
            None => {
                self.seen.insert(key, ord);
                None
            }
        };
        contact.email = address;
        Some(Row {
            ord,
            contact,
            duplicate_of,
        })
    }
}

/// Checks every record of `table` read with `mapping`, duplicates folded into their first row.
pub fn check(table: &Table, mapping: &Mapping) -> Checked {
    let mut checker = Checker::new(&table.header, mapping);
    let mut contacts: Vec<Contact> = Vec::new();
    let mut index_of_ord: HashMap<usize, usize> = HashMap::new();
    for record in &table.records {
        let Some(row) = checker.check(record) else {
            continue;
        };
        match row.duplicate_of {
            Some(first) => contacts[index_of_ord[&first]].fill_from(row.contact),
            None => {
                index_of_ord.insert(row.ord, contacts.len());
                contacts.push(row.contact);
            }
        }
    }
    Checked {
        rows: checker.rows,
        valid: checker.valid,
        duplicates_in_file: checker.duplicates_in_file,
        invalid: checker.invalid,
        contacts,
    }
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
    fn a_refused_address_is_rejected_as_suppressed_before_duplicates_are_counted() {
        let table = parse("E-mail;Nom\nstop@ex.fr;A\nok@ex.fr;B\nSTOP@ex.fr ;C\n").unwrap();
        let mapping = Mapping::propose(&table).unwrap();
        let mut checker = Checker::new(&table.header, &mapping).refusing(|a| a == "stop@ex.fr");
        let valid: Vec<Row> = table
            .records
            .iter()
            .filter_map(|r| checker.check(r))
            .collect();
        assert_eq!(valid.len(), 1);
        assert_eq!(
            (checker.rows, checker.valid, checker.duplicates_in_file),
            (3, 1, 0)
        );
        let lines: Vec<(u64, &str)> = checker
            .invalid
            .iter()
            .map(|r| (r.line, r.why.code()))
            .collect();
        assert_eq!(lines, [(2, "suppressed"), (4, "suppressed")]);
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
