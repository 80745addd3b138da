//! A small PDF 1.4 writer for text documents: US Letter pages, Helvetica and Helvetica-Bold
//! (the standard fonts every reader has, WinAnsi encoding), headings, wrapped paragraphs and
//! a footer with page numbers. Enough for a summary a member prints; nothing else.

use std::fmt::Write as _;

const WIDTH: f32 = 612.0;
const HEIGHT: f32 = 792.0;
const MARGIN: f32 = 54.0;

/// A line style.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Style {
    Title,
    Heading,
    Body,
    Small,
}

impl Style {
    fn size(self) -> f32 {
        match self {
            Style::Title => 18.0,
            Style::Heading => 13.0,
            Style::Body => 10.5,
            Style::Small => 8.5,
        }
    }
    fn bold(self) -> bool {
        matches!(self, Style::Title | Style::Heading)
    }
    fn space_before(self) -> f32 {
        match self {
            Style::Title => 0.0,
            Style::Heading => 12.0,
            Style::Body | Style::Small => 2.0,
        }
    }
}

/// The text of a document, laid out into pages when written.
#[derive(Default)]
pub(super) struct PdfText {
    blocks: Vec<(Style, String, f32)>,
    title: String,
}

/// One character in WinAnsi, or `?` when it has none.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '–' => 0x96,
        '—' => 0x97,
        '•' => 0x95,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '€' => 0x80,
        '\t' => b' ',
        _ => b'?',
    }
}

/// A PDF string literal's bytes, escaped.
fn literal(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'(');
    for c in text.chars() {
        let b = win_ansi(c);
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// Splits `text` into lines that fit `width` points at `size` (Helvetica averages about half
/// an em per character; bold a little more).
fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let per_char = size * if bold { 0.56 } else { 0.5 };
    let max = ((width / per_char) as usize).max(10);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let words_len = line.chars().count() + 1 + word.chars().count();
        if !line.is_empty() && words_len > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > max {
            let cut: String = line.chars().take(max).collect();
            let rest: String = line.chars().skip(max).collect();
            lines.push(cut);
            line = rest;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

impl PdfText {
    pub(super) fn new(title: &str) -> Self {
        Self {
            blocks: Vec::new(),
            title: title.to_owned(),
        }
    }

    /// Adds a paragraph (indented by `indent` points).
    pub(super) fn push(&mut self, style: Style, text: impl Into<String>, indent: f32) {
        self.blocks.push((style, text.into(), indent));
    }

    /// The PDF file: pages laid out top to bottom, a footer on each.
    pub(super) fn render(&self, footer: &str) -> Vec<u8> {
        // Lay out: (page, x, y, style, text).
        let mut pages: Vec<Vec<(f32, f32, Style, String)>> = vec![Vec::new()];
        let mut y = HEIGHT - MARGIN;
        let bottom = MARGIN + 24.0;
        for (style, text, indent) in &self.blocks {
            let size = style.size();
            let leading = size * 1.3;
            y -= style.space_before();
            let lines = wrap(text, size, style.bold(), WIDTH - 2.0 * MARGIN - indent);
            // Keep a heading with at least two lines after it.
            let need = if *style == Style::Heading {
                leading * 3.0
            } else {
                leading
            };
            if y - need < bottom {
                pages.push(Vec::new());
                y = HEIGHT - MARGIN;
            }
            for (i, line) in lines.into_iter().enumerate() {
                if y - leading < bottom {
                    pages.push(Vec::new());
                    y = HEIGHT - MARGIN;
                }
                y -= leading;
                let x = MARGIN
                    + indent
                    + if i > 0 && *style == Style::Body {
                        10.0
                    } else {
                        0.0
                    };
                if let Some(page) = pages.last_mut() {
                    page.push((x, y, *style, line));
                }
            }
        }
        let count = pages.len();
        let mut objects: Vec<Vec<u8>> = Vec::new();
        // 1 catalog, 2 pages, 3 regular font, 4 bold font, 5 info; then a page and its content each.
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        let kids: String = (0..count).map(|i| format!("{} 0 R ", 6 + 2 * i)).collect();
        objects.push(format!("<< /Type /Pages /Kids [{kids}] /Count {count} >>").into_bytes());
        objects.push(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_vec(),
        );
        objects.push(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
                .to_vec(),
        );
        let mut info = b"<< /Producer (Folio) /Title ".to_vec();
        info.extend(literal(&self.title));
        info.extend_from_slice(b" >>");
        objects.push(info);
        for (n, page) in pages.iter().enumerate() {
            let mut content = Vec::new();
            for (x, y, style, text) in page {
                let font = if style.bold() { "F2" } else { "F1" };
                let _ = write!(
                    StrSink(&mut content),
                    "BT /{font} {:.1} Tf {x:.1} {y:.1} Td ",
                    style.size()
                );
                content.extend(literal(text));
                content.extend_from_slice(b" Tj ET\n");
            }
            let foot = format!("{footer} - page {} of {count}", n + 1);
            let _ = write!(
                StrSink(&mut content),
                "BT /F1 8 Tf {MARGIN:.1} {:.1} Td ",
                MARGIN - 10.0
            );
            content.extend(literal(&foot));
            content.extend_from_slice(b" Tj ET\n");
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] \
                     /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                    7 + 2 * n
                )
                .into_bytes(),
            );
            let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
            stream.extend(content);
            stream.extend_from_slice(b"\nendstream");
            objects.push(stream);
        }
        let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
            out.extend(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").into_bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .into_bytes(),
        );
        out
    }
}

/// `fmt::Write` into a byte vector.
struct StrSink<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for StrSink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_encoded() {
        assert_eq!(literal("a (b) \\ c"), b"(a \\(b\\) \\\\ c)".to_vec());
        assert_eq!(literal("Adán – 5°"), b"(Ad\xe1n \x96 5\xb0)".to_vec());
        assert_eq!(literal("日本"), b"(??)".to_vec());
    }

    #[test]
    fn long_paragraphs_wrap_and_long_words_break() {
        let lines = wrap(&"word ".repeat(60), 10.0, false, 200.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| l.chars().count() <= 40));
        assert_eq!(wrap(&"x".repeat(95), 10.0, false, 200.0).len(), 3);
        assert_eq!(wrap("", 10.0, false, 200.0), vec![String::new()]);
    }

    #[test]
    fn the_cross_reference_table_points_at_each_object() {
        let mut doc = PdfText::new("t");
        for i in 0..200 {
            doc.push(Style::Body, format!("line {i}"), 0.0);
        }
        let pdf = doc.render("footer");
        assert!(pdf.starts_with(b"%PDF-1.4"));
        // Offsets are bytes: search the bytes (the binary comment line is not UTF-8).
        let find = |needle: &[u8]| pdf.windows(needle.len()).rposition(|w| w == needle);
        let at = find(b"startxref\n").expect("startxref") + 10;
        let tail = String::from_utf8_lossy(&pdf[at..]).into_owned();
        assert!(tail.trim_end().ends_with("%%EOF"));
        let start: usize = tail
            .lines()
            .next()
            .and_then(|n| n.parse().ok())
            .expect("offset");
        assert!(pdf[start..].starts_with(b"xref"));
        let table = String::from_utf8_lossy(&pdf[start..]).into_owned();
        let entries: Vec<usize> = table
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .map(|l| l[..10].parse().expect("offset"))
            .collect();
        assert!(entries.len() > 6, "several pages");
        for (i, offset) in entries.iter().enumerate() {
            assert!(pdf[*offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
    }
}
