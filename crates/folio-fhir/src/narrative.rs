//! Narratives (`text.div`) are untrusted XHTML from the plan (standards.md §6.3). Before the
//! webview sees one it goes through an allowlist: basic formatting and tables stay; scripts,
//! styles, event handlers, forms, frames, objects, images (remote loads, tracking) and every
//! link but in-document anchors go.

use std::borrow::Cow;
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
fn in_document_only(url: &str) -> Option<Cow<'_, str>> {
    url.starts_with('#').then_some(Cow::Borrowed(url))
}

/// The HTML formatting elements but `a` (of which the parser keeps one open at a time).
///
/// While one is open, the HTML parser copies it into each new paragraph or cell; it keeps at
/// most three alike, but copies that differ in their attributes are all kept, so a few
/// kilobytes of `<b title=1><b title=2>…` followed by paragraphs build a tree quadratic in the
/// input (a 80 KB narrative took over two minutes and 4 GB). None of their attributes survive
/// sanitizing, so they are dropped before parsing, which keeps the parse linear.
const FORMATTING: &[&str] = &[
    "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// The end of a start tag whose name ends at `at`: just past its `>`; `None` when the text
/// ends first. Quoted attribute values may hold `>`.
fn start_tag_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
    loop {
        while at < bytes.len() && (space(bytes[at]) || bytes[at] == b'/') {
            at += 1;
        }
        match bytes.get(at) {
            None => return None,
            Some(b'>') => return Some(at + 1),
            Some(_) => at += 1,
        }
        // An attribute name, then maybe `=` and a value.
        while at < bytes.len() && !space(bytes[at]) && !matches!(bytes[at], b'/' | b'>' | b'=') {
            at += 1;
        }
        while at < bytes.len() && space(bytes[at]) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            continue;
        }
        at += 1;
        while at < bytes.len() && space(bytes[at]) {
            at += 1;
        }
        match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'')) => {
                match bytes[at + 1..].iter().position(|&b| b == quote) {
                    Some(len) => at += len + 2,
                    None => return None,
                }
            }
            _ => {
                while at < bytes.len() && !space(bytes[at]) && bytes[at] != b'>' {
                    at += 1;
                }
            }
        }
    }
}

/// `html` with the attributes of every formatting start tag removed (`<b class="x">` becomes
/// `<b>`; an unfinished one at the end goes, as the parser would drop it).
fn without_formatting_attributes(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let (mut copied, mut at) = (0, 0);
    while let Some(found) = html[at..].find('<') {
        let lt = at + found;
        let name_end = lt
            + 1
            + bytes[lt + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
        let name = &html[lt + 1..name_end];
        let has_attributes = matches!(
            bytes.get(name_end),
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/')
        );
        if !has_attributes || !FORMATTING.iter().any(|f| f.eq_ignore_ascii_case(name)) {
            at = lt + 1;
            continue;
        }
        let end = start_tag_end(bytes, name_end);
        let text = out.get_or_insert_with(|| String::with_capacity(html.len()));
        text.push_str(&html[copied..lt]);
        let Some(end) = end else {
            copied = html.len();
            break;
        };
        text.push('<');
        text.push_str(name);
        text.push('>');
        (copied, at) = (end, end);
    }
    match out {
        Some(mut text) => {
            text.push_str(&html[copied..]);
            Cow::Owned(text)
        }
        None => Cow::Borrowed(html),
    }
}

/// How deep elements may nest before the sanitizer's parser sees them.
///
/// The HTML parser looks through every open element at each new tag, so a narrative of nothing
/// but nested `<div>`s costs time quadratic in its size (100 KB took 2.5 s, 1 MB would take
/// minutes). Real narratives nest a dozen deep; start tags deeper than this (and the end tags
/// that would close them) are dropped before parsing, keeping their text.
const MAX_DEPTH: usize = 128;

/// Elements that never hold content, so never nest.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose start tag closes an open one of the same name (`<p>a<p>b`, `<li>a<li>b`).
const SELF_CLOSING_SIBLINGS: &[&str] = &["dd", "dt", "li", "option", "p", "td", "th", "tr"];

/// `html` with start tags nested deeper than [`MAX_DEPTH`] removed, and for each one the end
/// tag that would have closed it. Nesting is followed as the parser would, roughly: an end tag
/// closes the innermost open element of its name, and a `<p>` (`<li>`, `<td>`…) closes an open
/// one right above it. The result is only a cheaper input for the sanitizer, which still
/// decides what is safe.
fn limit_nesting(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let (mut copied, mut at) = (0, 0);
    let mut open: Vec<&str> = Vec::with_capacity(MAX_DEPTH);
    let mut dropped: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    while let Some(found) = html[at..].find('<') {
        let lt = at + found;
        let closing = bytes.get(lt + 1) == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            at = lt + 1;
            continue;
        }
        let name = &html[name_start..name_start + name_len];
        let Some(end) = start_tag_end(bytes, name_start + name_len) else {
            break;
        };
        let same = |other: &&str| other.eq_ignore_ascii_case(name);
        let drop = if closing {
            let key = name.to_ascii_lowercase();
            match dropped.get_mut(&key) {
                // The dropped ones are the innermost.
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => {
                    if let Some(i) = open.iter().rposition(same) {
                        open.truncate(i);
                    }
                    false
                }
            }
        } else if bytes[..end].ends_with(b"/>") || VOID.iter().any(same) {
            false
        } else {
            if SELF_CLOSING_SIBLINGS.iter().any(same) && open.last().is_some_and(same) {
                open.pop();
            }
            if open.len() >= MAX_DEPTH {
                *dropped.entry(name.to_ascii_lowercase()).or_insert(0) += 1;
                true
            } else {
                open.push(name);
                false
            }
        };
        if drop {
            let text = out.get_or_insert_with(|| String::with_capacity(html.len()));
            text.push_str(&html[copied..lt]);
            copied = end;
        }
        at = end;
    }
    match out {
        Some(mut text) => {
            text.push_str(&html[copied..]);
            Cow::Owned(text)
        }
        None => Cow::Borrowed(html),
    }
}

/// The elements a sanitized narrative may hold: text formatting, headings, lists, tables, and
/// `a` (with an in-document `#anchor` only). Everything else goes, with the content of
/// `script` and `style`.
pub const NARRATIVE_TAGS: &[&str] = &[
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
];

/// The narrative reduced to safe formatting.
pub fn sanitize_narrative(div: &str) -> String {
    let tags: HashSet<&str> = NARRATIVE_TAGS.iter().copied().collect();
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
    builder
        .clean(&limit_nesting(&without_formatting_attributes(div)))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The deepest element nesting in `html` (well-formed output of the sanitizer).
    fn max_depth(html: &str) -> usize {
        let (mut depth, mut max) = (0usize, 0usize);
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            rest = &rest[lt + 1..];
            if rest.starts_with('/') {
                depth = depth.saturating_sub(1);
            } else if !rest.starts_with("br") && !rest.starts_with("hr") {
                depth += 1;
                max = max.max(depth);
            }
        }
        max
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_flattened_and_its_text_kept() {
        let n = 20_000;
        let hostile = format!(
            "{}<p>bottom text</p>{}",
            "<div><span class=\"x\">".repeat(n),
            "</span></div>".repeat(n)
        );
        let clean = sanitize_narrative(&hostile);
        assert!(clean.contains("bottom text"), "the text survives");
        assert!(
            max_depth(&clean) <= MAX_DEPTH + 1,
            "depth {}",
            max_depth(&clean)
        );
        // Ordinary nesting is left alone.
        let table =
            "<div><table><tbody><tr><td><ul><li><b>x</b></li></ul></td></tr></tbody></table></div>";
        assert_eq!(sanitize_narrative(table), table);
        // Void and self-closing tags, and paragraphs or items left open, do not pile up.
        let flat = format!("<div>{}</div>", "a<br/>b<br>".repeat(200));
        assert_eq!(sanitize_narrative(&flat).matches("<br>").count(), 400);
        let sloppy = format!(
            "<div><ul>{}</ul>{}</div>",
            "<li>item".repeat(300),
            "<p>para".repeat(300)
        );
        let clean = sanitize_narrative(&sloppy);
        assert_eq!(clean.matches("<li>").count(), 300, "every item kept");
        assert_eq!(clean.matches("<p>").count(), 300, "every paragraph kept");
    }

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
    fn misnested_formatting_with_attributes_stays_linear() {
        // Open `<b>`s that differ in attributes are copied into every later paragraph: without
        // dropping their attributes first this builds n² elements (here 360,000, 2.5 MB).
        let n = 600;
        let mut div = String::from("<div><p>");
        for i in 0..n {
            div.push_str(&format!("<b title=\"{i}\">"));
        }
        div.push_str("</p>");
        for _ in 0..n {
            div.push_str("<p>x</p>");
        }
        let clean = sanitize_narrative(&div);
        assert!(
            clean.len() < 20 * div.len(),
            "{} bytes out of {}",
            clean.len(),
            div.len()
        );
        assert!(
            clean.contains("<p><b><b><b>x</b></b></b></p>"),
            "{}",
            clean.get(..200).unwrap_or(&clean)
        );
    }

    #[test]
    fn formatting_attributes_are_dropped_before_parsing_and_nothing_else() {
        for (html, expected) in [
            ("<b>x</b>", "<b>x</b>"),
            (r#"<B Class="a" title='x>y'>x</b>"#, "<B>x</b>"),
            ("<strong\n\tid=1>x", "<strong>x"),
            ("<i/>x<u/ a=1>y", "<i>x<u>y"),
            (r#"<span title="<b a=1>">x"#, r#"<span title="<b>">x"#),
            (
                "<b1 x=1><bdi x=1><big x=1><a href=\"#n\">",
                "<b1 x=1><bdi x=1><big><a href=\"#n\">",
            ),
            ("a < b <b", "a < b <b"),
            ("x<b title=\"unfinished", "x"),
            ("x<em a=b", "x"),
            ("x<b title=\"y>", "x"),
            ("é<s é=é>ü", "é<s>ü"),
        ] {
            assert_eq!(without_formatting_attributes(html), expected, "{html}");
        }
        assert!(matches!(
            without_formatting_attributes("<p class=x>plain</p>"),
            Cow::Borrowed(_)
        ));
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
