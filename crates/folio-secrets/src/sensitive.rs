//! A wrapper for values that must never be printed or serialized.

use std::fmt;

/// A secret value. `Debug` and `Display` print `<redacted>`; there is no `Serialize`; the value
/// is reached only through [`Sensitive::expose`], which makes every use visible in review.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. Call only where it is sent to the keychain or to its own server.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let token = Sensitive::new(String::from("eyJhbGciOi.secret-access-token"));
        assert_eq!(format!("{token:?}"), "Sensitive(<redacted>)");
        assert_eq!(format!("{token}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&token)), "Some(Sensitive(<redacted>))");
        assert_eq!(token.expose(), "eyJhbGciOi.secret-access-token");
    }
}
