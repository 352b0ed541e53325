//! What every repository shares.

/// What a guarded change came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    Done(T),
    NotFound,
    /// The row changed since the rep loaded it (version mismatch).
    Stale,
}

impl<T> Outcome<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Done(value) => Outcome::Done(f(value)),
            Outcome::NotFound => Outcome::NotFound,
            Outcome::Stale => Outcome::Stale,
        }
    }
}
