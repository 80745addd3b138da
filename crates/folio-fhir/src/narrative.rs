//! Narratives (`text.div`) are untrusted XHTML from the plan (standards.md §6.3). Before the
//! webview sees one it goes through an allowlist: basic formatting and tables stay; scripts,
//! styles, event handlers, forms, frames, objects, images (remote loads, tracking) and every
//! link but in-document anchors go.

use std::collections::HashSet;

use serde_json::Value;

/// The resource's narrative `div`, if it has one with content.
pub fn narrative_div(resource: &Value) -> Option<&str> {
    let text = resource.get("text")?;
    if text.get("status").and_then(Value::as_str) == Some("empty") {
        return None;
    }
    text.get("div")
        .and_then(Value::as_str)
        .filter(|d| !d.trim().is_empty())
}

/// Keeps `#anchor` links (within the narrative); drops every other relative URL.
fn in_document_only(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    url.starts_with('#')
        .then_some(std::borrow::Cow::Borrowed(url))
}

/// The narrative reduced to safe formatting.
pub fn sanitize_narrative(div: &str) -> String {
    let tags: HashSet<&str> = [
        "div",
        "p",
        "span",
        "br",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "sub",
        "sup",
        "small",
        "big",
        "tt",
        "code",
        "pre",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "colgroup",
        "col",
        "hr",
        "a",
    ]
    .into_iter()
    .collect();
    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        .clean_content_tags(["script", "style"].into_iter().collect())
        .generic_attributes(HashSet::new())
        .tag_attributes(
            [
                ("a", ["href"].into_iter().collect()),
                ("td", ["colspan", "rowspan"].into_iter().collect()),
                ("th", ["colspan", "rowspan"].into_iter().collect()),
            ]
            .into_iter()
            .collect(),
        )
        // Only links within the narrative itself: nothing leaves the app from a record.
        .url_schemes(HashSet::new())
        .url_relative(ammonia::UrlRelative::Custom(Box::new(in_document_only)))
        .link_rel(None)
        .strip_comments(true);
    builder.clean(div).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hostile_markup_is_removed_and_formatting_kept() {
        let div = r##"<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="steal()"><b>Glucose</b> 95 mg/dL</p>
            <script>alert(1)</script><style>body{display:none}</style>
            <img src="https://tracker.invalid/p.gif" onerror="alert(2)"/>
            <a href="javascript:alert(3)">click</a> <a href="https://evil.invalid/x">out</a> <a href="#note">note</a>
            <iframe src="https://evil.invalid"></iframe><form action="https://evil.invalid"><input name="x"/></form>
            <object data="x.swf"></object><table><tr><td colspan="2" style="color:red">cell</td></tr></table></div>"##;
        let clean = sanitize_narrative(div);
        for bad in [
            "<script",
            "alert(1)",
            "<style",
            "display:none",
            "<img",
            "onerror",
            "onclick",
            "javascript:",
            "evil.invalid",
            "tracker.invalid",
            "<iframe",
            "<form",
            "<input",
            "<object",
            "style=",
        ] {
            assert!(!clean.contains(bad), "{bad} survived: {clean}");
        }
        for good in [
            "<b>Glucose</b>",
            "95 mg/dL",
            "<table>",
            "<td colspan=\"2\">cell</td>",
            "href=\"#note\"",
            ">click</a>",
        ] {
            assert!(clean.contains(good), "{good} was lost: {clean}");
        }
    }

    #[test]
    fn only_real_narratives_are_read() {
        assert_eq!(
            narrative_div(&json!({"text": {"status": "generated", "div": "<div>x</div>"}})),
            Some("<div>x</div>")
        );
        assert_eq!(
            narrative_div(&json!({"text": {"status": "empty", "div": "<div>x</div>"}})),
            None
        );
        assert_eq!(narrative_div(&json!({"text": {"div": "  "}})), None);
        assert_eq!(narrative_div(&json!({"id": "x"})), None);
    }
}
