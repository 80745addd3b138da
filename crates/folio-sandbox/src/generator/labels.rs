//! Security labels for sensitive records, and the XHTML narratives (ordinary and hostile).

use serde_json::Value;

use super::plan::Sensitive;

pub(super) const CONFIDENTIALITY: &str = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
pub(super) const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

/// v3-ActCode sensitivity and privacy-law codes that make a record sensitive.
pub(super) const SENSITIVE_ACT_CODES: [&str; 9] = [
    "PSY",
    "ETH",
    "SUD",
    "HIV",
    "42CFRPart2",
    "BH",
    "STD",
    "SDV",
    "SEX",
];

/// Lower-case fragments that only hostile narratives contain.
const HOSTILE_MARKERS: [&str; 7] = [
    "<script",
    "javascript:",
    "onerror=",
    "onload=",
    "<iframe",
    "<style",
    "<form",
];

const XHTML_OPEN: &str = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";

/// `meta.security` for a sensitive record of the given kind.
pub(super) fn security(kind: Sensitive) -> Value {
    let restricted = obj!(
        ("system", CONFIDENTIALITY),
        ("code", "R"),
        ("display", "restricted")
    );
    let act = |code: &str, display: &str| {
        obj!(("system", ACT_CODE), ("code", code), ("display", display))
    };
    match kind {
        Sensitive::Psy => Value::from(vec![
            restricted,
            act("PSY", "psychiatry information sensitivity"),
        ]),
        Sensitive::Sud => Value::from(vec![
            restricted,
            act("ETH", "substance abuse information sensitivity"),
            act("SUD", "substance use disorder information sensitivity"),
            act("42CFRPart2", "42 CFR Part2"),
        ]),
        Sensitive::Hiv => Value::from(vec![
            restricted,
            act("HIV", "HIV/AIDS information sensitivity"),
        ]),
    }
}

pub(super) fn is_sensitive(resource: &Value) -> bool {
    let Some(labels) = resource.pointer("/meta/security").and_then(Value::as_array) else {
        return false;
    };
    labels.iter().any(|label| {
        let system = label
            .get("system")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let code = label
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default();
        (system == CONFIDENTIALITY && matches!(code, "R" | "V"))
            || (system == ACT_CODE && SENSITIVE_ACT_CODES.contains(&code))
    })
}

pub(super) fn has_hostile_narrative(resource: &Value) -> bool {
    resource
        .pointer("/text/div")
        .and_then(Value::as_str)
        .is_some_and(|div| {
            let lower = div.to_ascii_lowercase();
            HOSTILE_MARKERS.iter().any(|marker| lower.contains(marker))
        })
}

/// Escapes text for XHTML content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// An ordinary narrative around already-escaped text.
pub(super) fn div(escaped: &str) -> String {
    format!("{XHTML_OPEN}<p>{escaped}</p></div>")
}

/// A narrative that carries what a sanitizer must strip (script, event handler, `javascript:`
/// link, iframe, style, form) mixed with formatting that must survive (`<b>`, `<table>`).
pub(super) fn hostile_div(escaped: &str) -> String {
    format!(
        "{XHTML_OPEN}<p><b>{escaped}</b></p><script>alert(1)</script>\
         <table><tr><th>Item</th><th>Detail</th></tr><tr><td>Summary</td><td>{escaped}</td></tr>\
         </table><img src=\"https://tracker.invalid/p.gif\" onerror=\"alert(2)\"/>\
         <p><a href=\"javascript:alert(3)\">View details</a></p>\
         <iframe src=\"https://evil.invalid\"></iframe><style>body{{display:none}}</style>\
         <form action=\"https://evil.invalid\"><input/></form></div>"
    )
}
