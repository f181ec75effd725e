//! evcxr's display protocol: a cell's last expression is shown by its `evcxr_display` method,
//! which prints `EVCXR_BEGIN_CONTENT <mime>` / payload / `EVCXR_END_CONTENT`.

use polars::prelude::DataFrame;

/// Rich display in evcxr_jupyter; in scope through the prelude, so it works on DataFrames too.
pub trait EvcxrDisplay {
    /// Prints the value's display bundle.
    fn evcxr_display(&self);
}

/// Prints one display bundle with the given (mime type, payload) parts.
pub(crate) fn emit(parts: &[(&str, &str)]) {
    let mut out = String::new();
    for (mime, payload) in parts {
        out.push_str("EVCXR_BEGIN_CONTENT ");
        out.push_str(mime);
        out.push('\n');
        out.push_str(payload);
        out.push_str("\nEVCXR_END_CONTENT\n");
    }
    print!("{out}");
}

impl EvcxrDisplay for DataFrame {
    fn evcxr_display(&self) {
        emit(&[("text/plain", &format!("{self}")), ("text/html", &super::html_table(self))]);
    }
}

/// The frames read, then what stopped the read and what it passed over, if anything, in a
/// highlighted line under the table.
impl EvcxrDisplay for crate::PartialRead {
    fn evcxr_display(&self) {
        let (text, html) = partial_read_bundle(self);
        emit(&[("text/plain", &text), ("text/html", &html)]);
    }
}

/// The text and HTML forms of a [`crate::PartialRead`]'s display.
fn partial_read_bundle(read: &crate::PartialRead) -> (String, String) {
    let mut notes = Vec::new();
    if let Some(problem) = &read.problem {
        notes.push(format!("stopped: {problem}"));
    }
    if !read.coverage.is_complete() {
        notes.push(format!("warning: {}", read.coverage));
    }
    let mut text = format!("{}", read.frame);
    let mut html = super::html_table(&read.frame);
    for note in notes {
        text.push_str(&format!("\n{note}"));
        html.push_str(&format!(
            "<p style=\"background:#fff3cd;padding:4px 8px;font-family:monospace\">{}</p>",
            escape(&note)
        ));
    }
    (text, html)
}

/// A piece of HTML to show in a notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html(pub String);

impl Html {
    /// Shows the HTML.
    pub fn evcxr_display(&self) {
        emit(&[("text/html", &self.0)]);
    }
}

/// Escapes text for HTML.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Coverage, PartialRead};

    #[test]
    fn a_partial_read_shows_what_it_passed_over() {
        let frame = polars::df!("frame.number" => [1u64, 2]).unwrap();
        let mut coverage = Coverage::default();
        let complete = PartialRead {
            frame,
            problem: None,
            retired_conversations: 0,
            dropped_app_connections: 0,
            coverage: coverage.clone(),
        };
        let (text, html) = partial_read_bundle(&complete);
        assert!(!text.contains("warning") && !html.contains("warning"));
        coverage.skipped_blocks.insert(0x123, 2);
        let skipped = PartialRead { coverage, ..complete };
        let (text, html) = partial_read_bundle(&skipped);
        assert!(text.ends_with("\nwarning: skipped 2 pcapng blocks of type 0x00000123"), "{text}");
        assert!(html.contains("warning: skipped 2 pcapng blocks of type 0x00000123</p>"), "{html}");
    }
}
