//! Helpers for Rust notebooks (evcxr_jupyter): rich display of DataFrames as HTML tables,
//! SVG figures drawn with plotters, and the pandas conveniences the walkthrough uses
//! (`describe`, `value_counts`, `resample`, group sums, `idxmax`, hex and printable helpers).
//! Enabled by the `notebook` feature.

mod bars;
mod chart;
mod display;
mod expert;
mod file;
mod padding;
mod stats;
mod table;
mod tcp_graphs;

pub use bars::BarChart;
pub use chart::{Chart, Figure, Mark};
pub use display::{EvcxrDisplay, Html};
pub use expert::{expert_info, expert_info_capture, EXPERT_FLAGS};
pub use file::FileInfo;
pub use padding::{printable, printable_expr, ratio_printable, ratio_printable_expr, unhex};
pub use stats::{column_f64, describe, group_sum, idxmax, resample_sum, value_counts};
pub use table::html_table;
pub use tcp_graphs::{Endpoint, TcpGraph};

#[cfg(test)]
mod tests {
    /// The walkthrough reaches everything through `pcapframe::prelude::*`, next to polars'
    /// prelude: none of these names may be ambiguous.
    #[test]
    fn prelude_names_resolve() {
        use crate::prelude::*;
        let df = df!("tcp.stream" => [1u32, 1, 2], "tcp.len" => [10u32, 20, 5], "ip.src" => ["a", "b", "a"]).unwrap();
        let _ = describe(&df, "tcp.len").unwrap();
        let _ = value_counts(&df, "ip.src").unwrap();
        let _ = group_sum(&df, "tcp.stream", "tcp.len").unwrap();
        let _ = idxmax(&df, "tcp.stream", "tcp.len").unwrap();
        let typed = df
            .clone()
            .lazy()
            .with_column(when(col("ip.src").eq(lit("a"))).then(lit("client")).otherwise(lit("server")).alias("type"))
            .collect()
            .unwrap();
        assert_eq!(typed.column("type").unwrap().str().unwrap().get(1), Some("server"));
        let heads = df.clone().lazy().group_by_stable([col("tcp.stream")]).head(Some(1)).collect().unwrap();
        assert_eq!(heads.height(), 2);
        let indexed = df.with_row_index("packet".into(), None).unwrap();
        let _ = Chart::new("t")
            .series(&indexed, "packet", "tcp.len", Mark::LineWithCircles, "red")
            .unwrap()
            .draw()
            .unwrap();
        let _: Option<FileInfo> = None;
        let _ =
            (unhex("00"), printable(b"a"), ratio_printable(b"a"), mac_vendor("00:1d:d9:00:00:00"), Html(String::new()));
        let _ = (printable_expr(col("x")), ratio_printable_expr(col("x")), ReadOptions::default());
    }
}
