//! Helpers for Rust notebooks (evcxr_jupyter): rich display of DataFrames as HTML tables,
//! SVG figures drawn with plotters, and the pandas conveniences the walkthrough uses
//! (`describe`, `value_counts`, `resample`, group sums, `idxmax`, hex and printable helpers).
//! Enabled by the `notebook` feature.

mod chart;
mod display;
mod file;
mod padding;
mod stats;
mod table;

pub use chart::{Chart, Figure, Mark};
pub use display::{EvcxrDisplay, Html};
pub use file::FileInfo;
pub use padding::{printable, printable_expr, ratio_printable, ratio_printable_expr, unhex};
pub use stats::{column_f64, describe, group_sum, idxmax, resample_sum, value_counts};
pub use table::html_table;
