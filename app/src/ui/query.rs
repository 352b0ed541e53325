//! Query strings of links: values percent-encoded, blank values left out.

/// Percent-encodes a value for a query string (a local path keeps its `/`).
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Builds `path?name=value&…` from the parameters that have a value.
#[derive(Debug, Clone, Default)]
pub struct Query {
    params: Vec<(&'static str, String)>,
}

impl Query {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name=value` unless `value` is blank.
    pub fn set(mut self, name: &'static str, value: impl ToString) -> Self {
        let value = value.to_string();
        if !value.trim().is_empty() {
            self.params.push((name, value));
        }
        self
    }

    /// Adds `name=value` when there is a value.
    pub fn set_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.set(name, value),
            None => self,
        }
    }

    /// `path` followed by the query string, if any.
    pub fn href(&self, path: &str) -> String {
        if self.params.is_empty() {
            return path.to_string();
        }
        let query: Vec<String> = self
            .params
            .iter()
            .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
            .collect();
        format!("{path}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_next_path_is_encoded_for_the_login_link() {
        assert_eq!(
            encode_query_value("/compte?onglet=1&x=é"),
            "/compte%3Fonglet%3D1%26x%3D%C3%A9"
        );
    }

    #[test]
    fn blank_and_missing_values_are_left_out() {
        let href = Query::new()
            .set("statut", "a-venir")
            .set("q", "  ")
            .set_opt("distributeur", None::<String>)
            .set_opt("apres", Some("2027-01-21_ab"))
            .set("q2", "Equip’Hôtel & co")
            .href("/campagnes");
        assert_eq!(
            href,
            "/campagnes?statut=a-venir&apres=2027-01-21_ab&q2=Equip%E2%80%99H%C3%B4tel%20%26%20co"
        );
        assert_eq!(Query::new().href("/campagnes"), "/campagnes");
    }
}
