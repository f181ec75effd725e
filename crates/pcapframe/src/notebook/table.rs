//! DataFrames as HTML tables: shape, dtypes, head and tail with an ellipsis row between.

use polars::prelude::*;

use super::display::escape;

/// Rows shown in full; longer frames show the first and last `EDGE` rows.
const FULL_ROWS: usize = 20;
const EDGE: usize = 8;

/// Renders a DataFrame as an HTML table in the style of pandas' notebook output.
pub fn html_table(df: &DataFrame) -> String {
    let (rows, cols) = df.shape();
    let mut h = String::from("<div class=\"pcapframe-table\"><style>.pcapframe-table table{border-collapse:collapse;font-size:12px}.pcapframe-table th,.pcapframe-table td{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd;font-family:monospace}.pcapframe-table .dtype{color:#888;font-weight:normal}.pcapframe-table .null{color:#aaa}</style>");
    h.push_str(&format!(
        "<table><caption style=\"text-align:left\">shape: ({rows}, {cols})</caption><thead><tr><th></th>"
    ));
    for c in df.columns() {
        h.push_str(&format!("<th>{}</th>", escape(c.name())));
    }
    h.push_str("</tr><tr><th></th>");
    for c in df.columns() {
        h.push_str(&format!("<th class=\"dtype\">{}</th>", escape(&c.dtype().to_string())));
    }
    h.push_str("</tr></thead><tbody>");
    let shown: Vec<Option<usize>> = if rows <= FULL_ROWS {
        (0..rows).map(Some).collect()
    } else {
        (0..EDGE).map(Some).chain(std::iter::once(None)).chain((rows - EDGE..rows).map(Some)).collect()
    };
    for row in shown {
        h.push_str("<tr>");
        match row {
            Some(r) => {
                h.push_str(&format!("<th>{r}</th>"));
                for c in df.columns() {
                    h.push_str(&cell(c.get(r).unwrap_or(AnyValue::Null)));
                }
            }
            None => {
                h.push_str("<th>…</th>");
                for _ in 0..cols {
                    h.push_str("<td>…</td>");
                }
            }
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></div>");
    h
}

fn cell(v: AnyValue<'_>) -> String {
    let text = match v {
        AnyValue::Null => return "<td class=\"null\">null</td>".into(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(ref s) => s.to_string(),
        AnyValue::Binary(b) => hex(b),
        AnyValue::BinaryOwned(ref b) => hex(b),
        AnyValue::Float64(x) => format!("{x:.6}").trim_end_matches('0').trim_end_matches('.').to_string(),
        other => other.to_string(),
    };
    format!("<td>{}</td>", escape(&text))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_frames_show_head_tail_and_an_ellipsis() {
        let df =
            df!("n" => (0..100u32).collect::<Vec<_>>(), "s" => (0..100).map(|i| format!("<{i}>")).collect::<Vec<_>>())
                .unwrap();
        let h = html_table(&df);
        assert!(h.contains("shape: (100, 2)") && h.contains("<th class=\"dtype\">u32</th>"));
        assert!(h.contains("<td>&lt;7&gt;</td>") && !h.contains("&lt;50&gt;") && h.contains("&lt;99&gt;"));
        assert_eq!(h.matches("<td>…</td>").count(), 2);
    }
}
