//! A summary of tshark's TCP analysis per stream, like Wireshark's Expert Information dialog
//! (Analyze › Expert Information) in one table.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::{read_pcap, ReadOptions};

/// The TCP analysis flags [`expert_info`] counts, in the order of its columns.
pub const EXPERT_FLAGS: [&str; 15] = [
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window",
    "tcp.analysis.zero_window_probe",
    "tcp.analysis.zero_window_probe_ack",
    "tcp.analysis.window_full",
    "tcp.analysis.window_update",
    "tcp.analysis.keep_alive",
    "tcp.analysis.keep_alive_ack",
    "tcp.analysis.reused_ports",
];

/// Per `tcp.stream`, how many frames carry each TCP analysis flag: a column `tcp.stream`, one
/// `UInt32` column per flag that occurs at all, named by the flag's short name
/// (`retransmission`, `duplicate_ack`, ...; [`EXPERT_FLAGS`] order), and `total`, their sum (a
/// fast retransmission counts as `retransmission` and `fast_retransmission`, as Wireshark shows
/// both). Streams without flags are left out; the rest are sorted by `total`, largest first,
/// then by stream. Flags whose column the DataFrame lacks are not counted.
pub fn expert_info(df: &DataFrame) -> Result<DataFrame> {
    let streams = df
        .column("tcp.stream")
        .map_err(|_| Error::Unsupported("expert_info needs the column 'tcp.stream'".into()))?
        .cast(&DataType::UInt32)?;
    let streams = streams.u32()?;
    let mut present = Vec::new();
    for name in EXPERT_FLAGS {
        if let Ok(column) = df.column(name) {
            present.push((name, column.cast(&DataType::Boolean)?));
        }
    }
    if present.is_empty() {
        return Err(Error::Unsupported(format!(
            "expert_info needs tcp.analysis columns (expert_info_capture reads them: {})",
            EXPERT_FLAGS.join(", ")
        )));
    }
    let mut counts: HashMap<u32, Vec<u32>> = HashMap::new();
    for (f, (_, column)) in present.iter().enumerate() {
        let column = column.bool()?;
        for i in 0..df.height() {
            if let (Some(true), Some(stream)) = (column.get(i), streams.get(i)) {
                counts.entry(stream).or_insert_with(|| vec![0; present.len()])[f] += 1;
            }
        }
    }
    let mut rows: Vec<(u32, Vec<u32>, u32)> = counts
        .into_iter()
        .map(|(stream, c)| {
            let total = c.iter().sum();
            (stream, c, total)
        })
        .filter(|r| r.2 > 0)
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut columns = vec![Column::new("tcp.stream".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>())];
    for (f, (name, _)) in present.iter().enumerate() {
        let values: Vec<u32> = rows.iter().map(|r| r.1[f]).collect();
        if values.iter().any(|v| *v > 0) {
            columns.push(Column::new(short_name(name).into(), values));
        }
    }
    columns.push(Column::new("total".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()));
    Ok(DataFrame::new(rows.len(), columns)?)
}

/// [`expert_info`] of a capture file: reads `tcp.stream` and [`EXPERT_FLAGS`] only.
pub fn expert_info_capture(path: impl AsRef<Path>) -> Result<DataFrame> {
    let fields = std::iter::once("tcp.stream").chain(EXPERT_FLAGS);
    let options = ReadOptions::fields(fields).display_filter("tcp.analysis.flags");
    expert_info(&read_pcap(path, &options)?)
}

/// `tcp.analysis.duplicate_ack` → `duplicate_ack`.
fn short_name(field: &str) -> &str {
    field.strip_prefix("tcp.analysis.").unwrap_or(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32s(df: &DataFrame, name: &str) -> Vec<u32> {
        df.column(name).unwrap().u32().unwrap().into_no_null_iter().collect()
    }

    #[test]
    fn counts_per_stream_sorted_by_total() {
        let t = Some(true);
        let df = df!(
            "tcp.stream" => [Some(0u32), Some(0), Some(1), Some(1), Some(1), Some(2), Some(3), None],
            "tcp.analysis.retransmission" => [t, None, t, t, None, None, None, t],
            "tcp.analysis.fast_retransmission" => [None, None, t, None, None, None, None, None],
            "tcp.analysis.duplicate_ack" => [None, t, None, None, t, None, t, None],
            "tcp.analysis.zero_window" => [None::<bool>, None, None, None, None, None, None, None],
        )
        .unwrap();
        let e = expert_info(&df).unwrap();
        // zero_window never occurs: no column; stream 2 has no flag: no row; the frame without
        // a stream is not counted.
        let names: Vec<String> = e.get_column_names().iter().map(|c| c.to_string()).collect();
        assert_eq!(names, ["tcp.stream", "retransmission", "fast_retransmission", "duplicate_ack", "total"]);
        assert_eq!(u32s(&e, "tcp.stream"), [1, 0, 3]);
        assert_eq!(u32s(&e, "retransmission"), [2, 1, 0]);
        assert_eq!(u32s(&e, "fast_retransmission"), [1, 0, 0]);
        assert_eq!(u32s(&e, "duplicate_ack"), [1, 1, 1]);
        assert_eq!(u32s(&e, "total"), [4, 2, 1]);
    }

    #[test]
    fn needs_the_stream_and_some_flag() {
        let df = df!("tcp.stream" => [0u32]).unwrap();
        assert!(expert_info(&df).unwrap_err().to_string().contains("tcp.analysis"));
        let df = df!("tcp.analysis.retransmission" => [true]).unwrap();
        assert!(expert_info(&df).unwrap_err().to_string().contains("tcp.stream"));
        let df = df!("tcp.stream" => [0u32], "tcp.analysis.retransmission" => [None::<bool>]).unwrap();
        let e = expert_info(&df).unwrap();
        assert_eq!((e.height(), e.width()), (0, 2), "{e}");
    }

    #[test]
    fn fixture_stream_0_has_retransmissions() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/edge-tcp-analysis.pcap");
        let e = expert_info_capture(path).unwrap();
        let streams = u32s(&e, "tcp.stream");
        let row = streams.iter().position(|s| *s == 0).expect("stream 0 has analysis flags");
        assert!(u32s(&e, "retransmission")[row] >= 1, "{e}");
        let totals = u32s(&e, "total");
        assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{e}");
    }
}
