//! Which column holds which field of a prospect: proposed from the header names exports use
//! (French, English, Outlook, LinkedIn, Google), else from the content, and correctable by the
//! rep (`--map field=Header`).

use serde::{Deserialize, Serialize};

use crate::{email, FileError, Table};

/// A field of a prospect. Every other column is kept with the contact as extra data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Civility,
    FirstName,
    LastName,
    Email,
    Company,
    JobTitle,
    Phone,
    Mobile,
    PostalCode,
    City,
    Country,
    Notes,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Civility,
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Company,
        Field::JobTitle,
        Field::Phone,
        Field::Mobile,
        Field::PostalCode,
        Field::City,
        Field::Country,
        Field::Notes,
    ];

    /// The field's key, as in `--map field=Header`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Civility => "civility",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Email => "email",
            Field::Company => "company",
            Field::JobTitle => "job_title",
            Field::Phone => "phone",
            Field::Mobile => "mobile",
            Field::PostalCode => "postal_code",
            Field::City => "city",
            Field::Country => "country",
            Field::Notes => "notes",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The field a column header names, in the words of French and English exports. Numbers
    /// are ignored, so Outlook's "E-mail 2 Address" and Google's "E-mail 1 - Value" are emails.
    pub fn from_header(header: &str) -> Option<Field> {
        let name = fold(header);
        let field = match name.as_str() {
            // Outlook's "Title" is M., Mme…; a job is "Job Title".
            "civilite" | "civ" | "title" | "titre" | "salutation" | "courtesytitle" => {
                Field::Civility
            }
            "prenom" | "firstname" | "givenname" | "first" => Field::FirstName,
            "nom" | "lastname" | "familyname" | "surname" | "nomdefamille" | "last" => {
                Field::LastName
            }
            "email"
            | "mail"
            | "courriel"
            | "adresseemail"
            | "adressemail"
            | "adressecourriel"
            | "emailaddress"
            | "emailvalue"
            | "adresseelectronique"
            | "emailadresse" => Field::Email,
            "societe" | "entreprise" | "raisonsociale" | "company" | "companyname"
            | "organization" | "organisation" | "organizationname" | "etablissement"
            | "compagnie" | "employeur" => Field::Company,
            "fonction" | "poste" | "jobtitle" | "position" | "organizationtitle" | "metier"
            | "intitule" | "intituledeposte" => Field::JobTitle,
            "telephone"
            | "tel"
            | "phone"
            | "businessphone"
            | "telephonefixe"
            | "telephonebureau"
            | "telephoneprofessionnel"
            | "phonevalue"
            | "primaryphone"
            | "workphone"
            | "companymaintelephone" => Field::Phone,
            "portable" | "mobile" | "mobilephone" | "telephoneportable" | "telephonemobile"
            | "cellphone" | "gsm" => Field::Mobile,
            "codepostal" | "cp" | "postalcode" | "zip" | "zipcode" | "businesspostalcode"
            | "addresspostalcode" => Field::PostalCode,
            "ville" | "city" | "businesscity" | "localite" | "commune" | "addresscity" => {
                Field::City
            }
            "pays" | "country" | "businesscountryregion" | "countryregion" | "addresscountry" => {
                Field::Country
            }
            "notes" | "note" | "commentaire" | "commentaires" | "remarques" | "comments"
            | "comment" => Field::Notes,
            _ => return None,
        };
        Some(field)
    }
}

/// Lowercase ASCII letters only: accents dropped, digits, spaces and punctuation removed.
fn fold(header: &str) -> String {
    header
        .chars()
        .filter_map(|c| {
            let c = c.to_lowercase().next().unwrap_or(c);
            let base = match c {
                'à' | 'â' | 'ä' | 'á' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'î' | 'ï' | 'í' => 'i',
                'ô' | 'ö' | 'ó' => 'o',
                'ù' | 'û' | 'ü' | 'ú' => 'u',
                'ç' => 'c',
                'ÿ' => 'y',
                c => c,
            };
            base.is_ascii_lowercase().then_some(base)
        })
        .collect()
}

/// The field of each column of a table (`None`: kept as extra data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub columns: Vec<Option<Field>>,
}

impl Mapping {
    /// The mapping read from the header; the email column found from the content when no
    /// header names one. Each field but the email takes its first column; every email column
    /// counts, in the file's order (Outlook's E-mail, E-mail 2, E-mail 3).
    pub fn propose(table: &Table) -> Result<Mapping, FileError> {
        Mapping::from_header(&table.header, &table.records)
    }

    /// The mapping of `header`, with `sample` (the first records) to find the email column
    /// when no header names one.
    pub fn from_header(header: &[String], sample: &[crate::Record]) -> Result<Mapping, FileError> {
        let mapping = Mapping::guess(header, sample);
        if mapping.columns_of(Field::Email).next().is_none() {
            return Err(FileError::NoEmailColumn);
        }
        Ok(mapping)
    }

    /// Like [`Mapping::from_header`], without an email column when none is found (the rep
    /// then picks it).
    pub fn guess(header: &[String], sample: &[crate::Record]) -> Mapping {
        let mut taken = Vec::new();
        let mut columns: Vec<Option<Field>> = header
            .iter()
            .map(|h| {
                let field = Field::from_header(h)?;
                if field != Field::Email && taken.contains(&field) {
                    return None;
                }
                taken.push(field);
                Some(field)
            })
            .collect();
        if !columns.contains(&Some(Field::Email)) {
            if let Some(column) = email_column(header.len(), sample) {
                columns[column] = Some(Field::Email);
            }
        }
        Mapping { columns }
    }

    /// This mapping with `field` in the column headed `header` (a rep's correction); the
    /// column that held `field` before is kept as extra data.
    pub fn with(mut self, header_row: &[String], field: Field, header: &str) -> Option<Mapping> {
        let index = header_row.iter().position(|h| h == header)?;
        for column in &mut self.columns {
            if *column == Some(field) {
                *column = None;
            }
        }
        self.columns[index] = Some(field);
        Some(self)
    }

    /// The columns of `field`, in the file's order.
    pub fn columns_of(&self, field: Field) -> impl Iterator<Item = usize> + '_ {
        self.columns
            .iter()
            .enumerate()
            .filter(move |(_, f)| **f == Some(field))
            .map(|(i, _)| i)
    }
}

/// The column whose filled cells are mostly emails, among the first records.
fn email_column(width: usize, sample: &[crate::Record]) -> Option<usize> {
    let sample = &sample[..sample.len().min(200)];
    (0..width)
        .map(|column| {
            let filled: Vec<&str> = sample
                .iter()
                .map(|r| r.cell(column).trim())
                .filter(|c| !c.is_empty())
                .collect();
            let emails = filled
                .iter()
                .filter(|c| matches!(email::check(c), email::Check::Valid(_)))
                .count();
            (column, emails, filled.len())
        })
        .filter(|&(_, emails, filled)| emails > 0 && emails * 2 > filled)
        .max_by_key(|&(_, emails, _)| emails)
        .map(|(column, _, _)| column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::parse;

    #[test]
    fn headers_of_every_export_name_their_field() {
        for (header, field) in [
            ("Prénom", Field::FirstName),
            ("Given Name", Field::FirstName),
            ("Family Name", Field::LastName),
            ("Adresse e-mail", Field::Email),
            ("Courriel", Field::Email),
            ("E-mail 1 - Value", Field::Email),
            ("E-mail 3 Address", Field::Email),
            ("Raison sociale", Field::Company),
            ("Organization Name", Field::Company),
            ("Organization Title", Field::JobTitle),
            ("Position", Field::JobTitle),
            ("Title", Field::Civility),
            ("Business Postal Code", Field::PostalCode),
            ("Business City", Field::City),
            ("Mobile Phone", Field::Mobile),
            ("Phone 1 - Value", Field::Phone),
        ] {
            assert_eq!(Field::from_header(header), Some(field), "{header}");
        }
        assert_eq!(Field::from_header("E-mail Display Name"), None);
        assert_eq!(Field::from_header("E-mail 1 - Type"), None);
    }

    #[test]
    fn several_email_columns_all_count_in_order_and_a_second_name_column_is_extra() {
        let table = parse("Nom;E-mail;Nom;E-mail 2\nA;a@ex.fr;B;b@ex.fr\n").unwrap();
        let mapping = Mapping::propose(&table).unwrap();
        assert_eq!(
            mapping.columns,
            [
                Some(Field::LastName),
                Some(Field::Email),
                None,
                Some(Field::Email)
            ]
        );
    }

    #[test]
    fn without_an_email_header_the_column_of_emails_is_found_from_its_content() {
        let table = parse("Nom;Contact;Ville\nA;a@ex.fr;Lyon\nB;;Paris\nC;c@ex.fr;Nice\n").unwrap();
        let mapping = Mapping::propose(&table).unwrap();
        assert_eq!(mapping.columns[1], Some(Field::Email));
        let none = parse("Nom;Ville\nA;Lyon\n").unwrap();
        assert_eq!(Mapping::propose(&none), Err(FileError::NoEmailColumn));
    }

    #[test]
    fn a_correction_moves_a_field_to_another_column() {
        let table = parse("Nom;E-mail;Courriel perso\nA;a@ex.fr;a@perso.fr\n").unwrap();
        let mapping = Mapping::propose(&table).unwrap();
        let moved = mapping
            .with(&table.header, Field::Email, "Courriel perso")
            .unwrap();
        assert_eq!(
            moved.columns,
            [Some(Field::LastName), None, Some(Field::Email)]
        );
    }
}
