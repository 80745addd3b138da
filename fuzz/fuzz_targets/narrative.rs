//! The narrative sanitizer: untrusted XHTML from a plan (`text.div`, or an HTML attachment)
//! reduced to safe formatting before the webview sees it. Checks what it promises of its
//! output (see `folio_fuzz::assert_safe_html`) and that it stays proportionate to its input.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Narratives arrive as JSON strings; HTML attachments as bytes read lossily.
    let html = String::from_utf8_lossy(data);
    let clean = folio_fhir::sanitize_narrative(&html);
    folio_fuzz::assert_safe_html(&clean);
});
