//! The walkthrough's helpers for Ethernet trailers: hex to bytes, printable characters, and the
//! share of letters and digits; as plain functions and as polars expressions over binary columns.

use polars::prelude::*;

/// Bytes from hex text, with or without separators (`"3b:02:a7"`, `"3b02a7"`); `None` if not hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !matches!(b, b':' | b'-' | b' ')).collect();
    if digits.len() % 2 != 0 {
        return None;
    }
    digits.chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()).collect()
}

/// Letters and digits as they are, everything else as `.` (the walkthrough's `printable`).
pub fn printable(bytes: &[u8]) -> String {
    bytes.iter().map(|b| if b.is_ascii_alphanumeric() { *b as char } else { '.' }).collect()
}

/// The share of bytes that are ASCII letters or digits (0 for no bytes).
pub fn ratio_printable(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    bytes.iter().filter(|b| b.is_ascii_alphanumeric()).count() as f64 / bytes.len() as f64
}

fn binary_column(c: &Column) -> PolarsResult<BinaryChunked> {
    Ok(c.as_materialized_series().binary()?.clone())
}

/// `printable` over a binary column (such as `eth.trailer`), as a polars expression.
pub fn printable_expr(e: Expr) -> Expr {
    e.map(
        |c: Column| {
            let ca = binary_column(&c)?;
            let out: StringChunked = (0..ca.len()).map(|i| ca.get(i).map(printable)).collect();
            Ok(out.with_name(c.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
    )
}

/// `ratio_printable` over a binary column, as a polars expression.
pub fn ratio_printable_expr(e: Expr) -> Expr {
    e.map(
        |c: Column| {
            let ca = binary_column(&c)?;
            let out: Float64Chunked = (0..ca.len()).map(|i| ca.get(i).map(ratio_printable)).collect();
            Ok(out.with_name(c.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Float64)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_as_in_the_walkthrough() {
        let s = unhex("3b:02:a7:19:aa:aa:03:00:80:c2:00:07:00:00:00:02:3b:02").unwrap();
        assert_eq!(s.len(), 18);
        assert_eq!(unhex("zz"), None);
        assert_eq!(printable(b"\x95asd\x33"), ".asd3");
        assert!((ratio_printable(b"a\x93sdfs") - 5.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn expressions_over_a_binary_column() {
        let df = df!("t" => [Some(b"ab\x00\x01".as_slice()), None, Some(b"pass12".as_slice())]).unwrap();
        let out = df
            .lazy()
            .select([printable_expr(col("t")).alias("p"), ratio_printable_expr(col("t")).alias("r")])
            .collect()
            .unwrap();
        assert_eq!(out.column("p").unwrap().str().unwrap().get(0), Some("ab.."));
        assert_eq!(out.column("p").unwrap().str().unwrap().get(1), None);
        assert_eq!(out.column("r").unwrap().f64().unwrap().get(2), Some(1.0));
    }
}
