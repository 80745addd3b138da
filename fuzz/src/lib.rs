//! Checks shared by the fuzz targets: what must hold of Folio's output for any input.

/// Tags the narrative sanitizer keeps.
use folio_fhir::NARRATIVE_TAGS as TAGS;

fn allowed_attribute(tag: &str, name: &str) -> bool {
    matches!(
        (tag, name),
        ("a", "href") | ("td" | "th", "colspan" | "rowspan")
    )
}

/// Panics unless `html` (the sanitizer's output) holds only what the sanitizer promises: tags
/// from its allowlist; no attribute but `href` on `a` (an in-document `#anchor` only) and
/// `colspan`/`rowspan` on cells, so no `on…=` handler, `style`, `src` or `javascript:` URL; no
/// comment, doctype or processing instruction; every `<` in text escaped. Returns the number of
/// tags seen.
pub fn assert_safe_html(html: &str) -> usize {
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut tags = 0;
    let fail = |at: usize, why: &str| -> ! {
        let from = html.floor_char_boundary(at.saturating_sub(60));
        let to = html.ceil_char_boundary((at + 60).min(html.len()));
        panic!(
            "sanitized narrative: {why} at byte {at}: …{}…",
            &html[from..to]
        )
    };
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let mut j = start + 1;
        let closing = bytes.get(j) == Some(&b'/');
        if closing {
            j += 1;
        }
        let name_start = j;
        while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
            j += 1;
        }
        let name = &html[name_start..j];
        if name.is_empty() {
            fail(
                start,
                "a `<` that starts no allowed tag (comment, doctype or unescaped text)",
            );
        }
        if !TAGS.contains(&name) {
            fail(start, &format!("tag `{name}` is not on the allowlist"));
        }
        loop {
            match bytes.get(j) {
                Some(b'>') => {
                    j += 1;
                    break;
                }
                Some(b' ') if !closing => {
                    j += 1;
                    let attr_start = j;
                    while j < bytes.len() && !matches!(bytes[j], b'=' | b' ' | b'>') {
                        j += 1;
                    }
                    let attr = &html[attr_start..j];
                    if !allowed_attribute(name, attr) {
                        fail(attr_start, &format!("attribute `{attr}` on `{name}`"));
                    }
                    if bytes.get(j) != Some(&b'=') || bytes.get(j + 1) != Some(&b'"') {
                        fail(j, "an attribute without a quoted value");
                    }
                    j += 2;
                    let Some(len) = html[j..].find('"') else {
                        fail(j, "an unterminated attribute value")
                    };
                    let value = &html[j..j + len];
                    if attr == "href" && !value.starts_with('#') {
                        fail(j, "a link that leaves the narrative");
                    }
                    j += len + 1;
                }
                _ => fail(j, "a malformed tag"),
            }
        }
        tags += 1;
        i = j;
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_accepts_safe_output_and_rejects_the_rest() {
        assert_eq!(
            assert_safe_html(
                r##"<div><p>a &lt;b&gt; <a href="#n">x</a></p><table><tbody><tr><td colspan="2">c</td></tr></tbody></table></div>"##
            ),
            14
        );
        for bad in [
            "<script>alert(1)</script>",
            r#"<p onclick="x">a</p>"#,
            r#"<a href="javascript:alert(1)">x</a>"#,
            r#"<a href="https://evil.invalid/">x</a>"#,
            "<!-- c -->",
            "a < b",
            r#"<td style="x">c</td>"#,
        ] {
            assert!(
                std::panic::catch_unwind(|| assert_safe_html(bad)).is_err(),
                "{bad} passed"
            );
        }
    }
}
