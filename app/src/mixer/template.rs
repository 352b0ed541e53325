//! Mail templates: Markdown with merge fields, `{{prenom}}`, and fallbacks for a value a
//! contact lacks, `{{prenom|Madame, Monsieur}}`. A template is checked when it is saved: an
//! unknown field or a brace left open is refused with its line and column, in French.
//!
//! Merged values are the contacts' own words: escaped for Markdown (a company named
//! `[x](http://…)` or `**x**` stays literal text) before the Markdown is rendered.

/// A field a template may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Civility,
    FirstName,
    LastName,
    Company,
    JobTitle,
    City,
    Show,
    Distributor,
    Products,
}

/// Every field: its name in a template and what it is, for the template editor's help.
pub const FIELDS: &[(&str, Field, &str)] = &[
    ("civilite", Field::Civility, "civilité du contact (M., Mme)"),
    ("prenom", Field::FirstName, "prénom du contact"),
    ("nom", Field::LastName, "nom du contact"),
    ("societe", Field::Company, "société du contact"),
    ("fonction", Field::JobTitle, "fonction du contact"),
    ("ville", Field::City, "ville du contact"),
    ("salon", Field::Show, "nom du salon (la campagne)"),
    (
        "distributeur",
        Field::Distributor,
        "distributeur de la campagne",
    ),
    (
        "produits",
        Field::Products,
        "les produits qui l’ont intéressé, avec vos notes",
    ),
];

impl Field {
    pub fn name(self) -> &'static str {
        FIELDS
            .iter()
            .find(|(_, f, _)| *f == self)
            .map_or("", |(name, _, _)| name)
    }

    fn parse(name: &str) -> Option<Field> {
        FIELDS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, f, _)| *f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field {
        field: Field,
        fallback: Option<String>,
    },
}

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// Why a template is refused, and where (1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Ligne {}, colonne {} : {}",
            self.line, self.column, self.message
        )
    }
}

/// Line and column of byte `at` of `source`.
fn position(source: &str, at: usize) -> (usize, usize) {
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn refuse(source: &str, at: usize, message: String) -> TemplateError {
    let (line, column) = position(source, at);
    TemplateError {
        line,
        column,
        message,
    }
}

fn known_fields() -> String {
    FIELDS
        .iter()
        .map(|(name, _, _)| format!("{{{{{name}}}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Template {
    /// Checks `source`: every `{{…}}` names a known field, each `{{` is closed on its line.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = 0;
        while let Some(found) = source[rest..].find("{{") {
            let open = rest + found;
            text.push_str(&source[rest..open]);
            let inner_start = open + 2;
            let line_end = source[inner_start..]
                .find('\n')
                .map_or(source.len(), |i| inner_start + i);
            let Some(close) = source[inner_start..line_end].find("}}") else {
                return Err(refuse(
                    source,
                    open,
                    "« {{ » n’est pas fermé par « }} » sur la même ligne.".into(),
                ));
            };
            let inner = &source[inner_start..inner_start + close];
            if inner.contains("{{") {
                return Err(refuse(
                    source,
                    open,
                    "« {{ » ouvert deux fois : fermez le premier champ par « }} ».".into(),
                ));
            }
            let (name, fallback) = match inner.split_once('|') {
                Some((name, fallback)) => (name, Some(fallback.trim().to_string())),
                None => (inner, None),
            };
            let name = name.trim().to_lowercase();
            let Some(field) = Field::parse(&name) else {
                let shown = if name.is_empty() {
                    "vide".to_string()
                } else {
                    format!("« {name} »")
                };
                return Err(refuse(
                    source,
                    open,
                    format!(
                        "champ {shown} inconnu. Champs possibles : {}.",
                        known_fields()
                    ),
                ));
            };
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(Part::Field { field, fallback });
            rest = inner_start + close + 2;
        }
        text.push_str(&source[rest..]);
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { parts })
    }

    /// The fields the template names, in order, once each.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = Vec::new();
        for part in &self.parts {
            if let Part::Field { field, .. } = part {
                if !fields.contains(field) {
                    fields.push(*field);
                }
            }
        }
        fields
    }

    /// The template with each field's value (`value`; an empty one takes the fallback),
    /// escaped by `escape`; and the fields that had neither (left empty).
    pub fn render(
        &self,
        value: impl Fn(Field) -> Option<String>,
        escape: Escape,
    ) -> (String, Vec<Field>) {
        let mut out = String::new();
        let mut missing = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Field { field, fallback } => {
                    match value(*field).filter(|v| !v.trim().is_empty()) {
                        // The products' block is Markdown Spine wrote: never escaped.
                        Some(v) if *field == Field::Products => out.push_str(&v),
                        Some(v) => out.push_str(&escape.apply(&v)),
                        None => match fallback {
                            // The rep's own words: Markdown as they wrote it.
                            Some(fallback) => out.push_str(fallback),
                            None => {
                                if !missing.contains(field) {
                                    missing.push(*field);
                                }
                            }
                        },
                    }
                }
            }
        }
        (out, missing)
    }
}

/// How a merged value is written into the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// For the body's Markdown: every ASCII punctuation mark backslash-escaped (CommonMark
    /// reads each as itself), line breaks as spaces.
    Markdown,
    /// For the subject, plain text: line breaks as spaces.
    Plain,
}

impl Escape {
    pub fn apply(self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 8);
        for c in value.trim().chars() {
            match c {
                '\r' | '\n' | '\t' => out.push(' '),
                c if self == Escape::Markdown && c.is_ascii_punctuation() => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(field: Field) -> Option<String> {
        match field {
            Field::FirstName => Some("Léa".into()),
            Field::LastName => Some("Mercier".into()),
            Field::Company => Some("[Étoile](http://evil.example) **gras** <b>&".into()),
            Field::Show => Some("Sirha Lyon".into()),
            _ => None,
        }
    }

    #[test]
    fn fields_are_merged_and_fallbacks_fill_what_a_contact_lacks() {
        let template = Template::parse(
            "Bonjour {{prenom}} {{ NOM }},\n\nSuite au salon {{salon}}… {{fonction|cher client}}",
        )
        .unwrap();
        let (text, missing) = template.render(values, Escape::Plain);
        assert_eq!(
            text,
            "Bonjour Léa Mercier,\n\nSuite au salon Sirha Lyon… cher client"
        );
        assert!(missing.is_empty());
        let (text, missing) = Template::parse("Bonjour {{civilite}} {{nom}}")
            .unwrap()
            .render(values, Escape::Plain);
        assert_eq!(text, "Bonjour  Mercier");
        assert_eq!(missing, [Field::Civility]);
        let fallback = Template::parse("{{prenom|Madame, Monsieur}}").unwrap();
        let (text, _) = fallback.render(|_| Some("  ".into()), Escape::Plain);
        assert_eq!(text, "Madame, Monsieur", "a blank value takes the fallback");
    }

    #[test]
    fn a_value_stays_literal_text_in_markdown() {
        let (text, _) = Template::parse("Chez {{societe}}.")
            .unwrap()
            .render(values, Escape::Markdown);
        assert_eq!(
            text,
            r"Chez \[Étoile\]\(http\:\/\/evil\.example\) \*\*gras\*\* \<b\>\&."
        );
        let (text, _) = Template::parse("{{nom}}")
            .unwrap()
            .render(|_| Some("Dupont\n# Titre".into()), Escape::Markdown);
        assert_eq!(text, r"Dupont \# Titre", "no line of its own");
    }

    #[test]
    fn an_unknown_field_or_an_open_brace_is_refused_where_it_is() {
        let err = Template::parse("Bonjour,\nmerci {{prénom}} !").unwrap_err();
        assert_eq!((err.line, err.column), (2, 7));
        assert!(err.message.contains("« prénom » inconnu"), "{err}");
        assert!(
            err.message.contains("{{prenom}}"),
            "the fields are listed: {err}"
        );
        let err = Template::parse("Bonjour {{prenom\n}}").unwrap_err();
        assert_eq!((err.line, err.column), (1, 9));
        assert!(err.message.contains("n’est pas fermé"), "{err}");
        let err = Template::parse("{{ {{prenom}}").unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        let err = Template::parse("x {{}}").unwrap_err();
        assert!(err.message.contains("champ vide"), "{err}");
        assert_eq!(
            err.to_string(),
            format!("Ligne 1, colonne 3 : {}", err.message)
        );
        // Single braces and a lone "}}" are text.
        assert!(Template::parse("{ a } }} b").is_ok());
    }

    #[test]
    fn the_fields_named_are_listed_once() {
        let template = Template::parse("{{prenom}} {{produits}} {{prenom|x}}").unwrap();
        assert_eq!(template.fields(), [Field::FirstName, Field::Products]);
        let (text, _) = template.render(
            |f| (f == Field::Products).then(|| "- **REF1** Four".to_string()),
            Escape::Markdown,
        );
        assert_eq!(
            text, " - **REF1** Four x",
            "the products' block is Spine's Markdown"
        );
    }
}
