//! SMART resource scopes read exactly: v1 (`patient/Observation.read`, `.write`, `.*`) and v2
//! (`patient/Observation.rs`, any in-order subset of `c r u d s`, optionally with a `?query`).
//! A scope in neither grammar grants nothing.

/// Whose data a scope is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeContext {
    /// `patient/`: the patient in context.
    Patient,
    /// `user/`: what the signed-in user may see.
    User,
    /// `system/`: backend services (never granted to a member's app, parsed to be refused).
    System,
}

/// One resource scope, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceScope {
    /// `patient/`, `user/` or `system/`.
    pub context: ScopeContext,
    /// The resource type, or `*`.
    pub resource_type: String,
    /// Reading a resource by id (v1 `read`/`*`, v2 `r`).
    pub read: bool,
    /// Searching (v1 `read`/`*`, v2 `s`).
    pub search: bool,
    /// Any write permission (v1 `write`/`*`, v2 `c`, `u` or `d`).
    pub write: bool,
}

impl ResourceScope {
    /// Parses one scope; `None` when it is not a resource scope in SMART v1 or v2 grammar.
    pub fn parse(scope: &str) -> Option<Self> {
        let (context, rest) = if let Some(r) = scope.strip_prefix("patient/") {
            (ScopeContext::Patient, r)
        } else if let Some(r) = scope.strip_prefix("user/") {
            (ScopeContext::User, r)
        } else if let Some(r) = scope.strip_prefix("system/") {
            (ScopeContext::System, r)
        } else {
            return None;
        };
        let (resource_type, suffix) = rest.split_once('.')?;
        if !valid_type(resource_type) {
            return None;
        }
        let (read, search, write) = match suffix {
            "read" => (true, true, false),
            "write" => (false, false, true),
            "*" => (true, true, true),
            v2 => {
                // v2 may narrow with a query (`patient/Observation.rs?category=laboratory`).
                let (letters, query) = match v2.split_once('?') {
                    Some((l, q)) => (l, Some(q)),
                    None => (v2, None),
                };
                if query.is_some_and(str::is_empty) || !valid_v2(letters) {
                    return None;
                }
                (
                    letters.contains('r'),
                    letters.contains('s'),
                    letters.contains(['c', 'u', 'd']),
                )
            }
        };
        Some(Self {
            context,
            resource_type: resource_type.to_owned(),
            read,
            search,
            write,
        })
    }

    /// Whether this scope lets a member's app read `resource_type` (patient or user context,
    /// the type or `*`, read or search).
    pub fn reads(&self, resource_type: &str) -> bool {
        self.context != ScopeContext::System
            && (self.resource_type == "*" || self.resource_type == resource_type)
            && (self.read || self.search)
    }
}

/// `*` or a FHIR resource type name (`[A-Z][A-Za-z]*`).
fn valid_type(t: &str) -> bool {
    t == "*"
        || (t.starts_with(|c: char| c.is_ascii_uppercase())
            && t.chars().all(|c| c.is_ascii_alphabetic()))
}

/// A non-empty subsequence of `cruds`, in that order, each letter at most once.
fn valid_v2(letters: &str) -> bool {
    let mut order = "cruds".chars();
    !letters.is_empty() && letters.chars().all(|l| order.any(|o| o == l))
}

/// Whether any granted scope lets Folio read `resource_type`.
pub fn grants_reading(scopes: &[String], resource_type: &str) -> bool {
    scopes
        .iter()
        .filter_map(|s| ResourceScope::parse(s))
        .any(|s| s.reads(resource_type))
}

/// Whether any granted scope lets Folio read some kind of record at all.
pub fn grants_any_reading(scopes: &[String]) -> bool {
    scopes
        .iter()
        .filter_map(|s| ResourceScope::parse(s))
        .any(|s| s.context != ScopeContext::System && (s.read || s.search))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn write_scopes_do_not_read() {
        for write_only in [
            "patient/Observation.write",
            "patient/*.write",
            "user/Observation.write",
            "patient/Observation.c",
            "patient/Observation.cud",
            "patient/Observation.u",
            "patient/Observation.d",
        ] {
            assert!(
                !grants_reading(&s(&[write_only]), "Observation"),
                "{write_only} grants no reading"
            );
            assert!(!grants_any_reading(&s(&[write_only])), "{write_only}");
        }
    }

    #[test]
    fn v1_and_v2_reading_scopes_read() {
        for read in [
            "patient/Observation.read",
            "patient/*.read",
            "patient/Observation.*",
            "patient/*.*",
            "user/Observation.read",
            "patient/Observation.rs",
            "patient/Observation.r",
            "patient/Observation.s",
            "patient/*.cruds",
            "patient/Observation.rs?category=laboratory",
        ] {
            assert!(grants_reading(&s(&[read]), "Observation"), "{read}");
            assert!(grants_any_reading(&s(&[read])), "{read}");
        }
        assert!(!grants_reading(
            &s(&["patient/Condition.read"]),
            "Observation"
        ));
    }

    #[test]
    fn scopes_outside_both_grammars_grant_nothing() {
        for odd in [
            "patient/Observation.rread",
            "patient/Observation.sr",
            "patient/Observation.rr",
            "patient/Observation.readwrite",
            "patient/Observation.",
            "patient/Observation",
            "patient/observation.read",
            "patient/Obs-ervation.read",
            "patient/Observation.rs?",
            "system/Observation.read",
            "system/*.rs",
            "launch/patient",
            "openid",
            "offline_access",
            "Observation.read",
        ] {
            assert!(
                !grants_reading(&s(&[odd]), "Observation"),
                "{odd} grants nothing"
            );
            assert!(!grants_any_reading(&s(&[odd])), "{odd}");
        }
    }

    #[test]
    fn parsing_gives_every_permission() {
        let p = ResourceScope::parse("user/Encounter.cruds").unwrap();
        assert_eq!(p.context, ScopeContext::User);
        assert_eq!(p.resource_type, "Encounter");
        assert!(p.read && p.search && p.write);
        let v1 = ResourceScope::parse("patient/*.read").unwrap();
        assert!(v1.read && v1.search && !v1.write);
    }
}
