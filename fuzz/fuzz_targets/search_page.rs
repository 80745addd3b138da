//! Bundle / paging: a search-result page body from a plan, read into entries and a `next` link
//! (which must stay on the plan's origin: the bearer token follows it), then each entry indexed
//! as sync does before saving the page.

#![no_main]

use folio_smart::{FhirError, Page, Url};
use libfuzzer_sys::fuzz_target;

/// Plan bases of both kinds Folio talks to: a real plan, and the loopback demo plan.
const BASES: &[&str] = &[
    "https://plan.example/fhir/R4/",
    "http://127.0.0.1:8080/fhir",
];

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fuzz_target!(|data: &[u8]| {
    for base in BASES {
        let Ok(base) = Url::parse(base) else {
            panic!("bad base {base}")
        };
        match Page::parse(&base, data) {
            Ok(page) => {
                assert_eq!(page.bytes, data.len());
                if let Some(next) = &page.next {
                    assert!(same_origin(next, &base), "next link {next} leaves {base}");
                    assert!(
                        next.origin() == base.origin(),
                        "next link {next} leaves {base}"
                    );
                }
                for w in &page.warnings {
                    // 200 characters per issue, joined.
                    assert!(w.chars().filter(|c| c.is_control()).count() == 0);
                }
                for entry in &page.entries {
                    if let Ok(fields) = folio_fhir::IndexFields::from_json_str(entry.resource.get())
                    {
                        let _ = fields.is_sensitive();
                    }
                }
            }
            Err(FhirError::Malformed(_) | FhirError::ForeignOrigin(_)) => {}
            Err(other) => panic!("a page body failed as no body can: {other}"),
        }
    }
});
