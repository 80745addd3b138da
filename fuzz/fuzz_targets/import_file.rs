//! Importing a file the member chose: a FHIR Bundle (or single resource) file, its `urn:uuid`
//! references resolved and missing ids filled in, or an NDJSON file read line by line; then
//! each resource indexed as the store does before saving it.

#![no_main]

use std::io::BufRead;

use folio_fhir::IndexFields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A .json file is read whole as UTF-8 text.
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(resources) = folio_core::fuzzing::import_file(text) {
            for (json, _full_url) in &resources {
                let _ = IndexFields::from_json_str(json);
            }
        }
    }
    // A .ndjson file: one resource per line, blank lines skipped; a line that is not UTF-8
    // ends the import with an error.
    for line in data.lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let _ = IndexFields::from_json_str(&line);
    }
});
