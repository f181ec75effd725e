//! The conversation, endpoint and I/O tables of a DataFrame (for instance one filtered after
//! reading), as [`super::conversations`], [`super::endpoints`] and [`super::io_stat`] compute
//! them from a capture, with the same columns.
//!
//! A DataFrame holds one value per field and frame (the outermost occurrence unless it was read
//! with `Occurrence::Last`), so a frame counts in at most one conversation of each type: a
//! tunnelled frame for the addresses its columns hold, an ICMP error for its outer header (and in
//! no TCP or UDP conversation, with `icmp.type`/`icmpv6.type` read, as `ty.fields()` does), and an
//! IPv6 fragment on every frame. (From a capture, every layer counts, the packet an ICMP error
//! quotes does not, and an IPv6 packet counts on the frame that completes it.) Relative times come
//! back from `frame.time_relative`'s seconds, exact to the nanosecond for captures shorter than
//! about a month. On captures without tunnels, ICMP errors and IPv6 fragments the tables are the
//! capture functions' tables (a test checks it).

use polars::prelude::*;

use super::conversations::{conversation_table, endpoint_table, quotes_a_packet, ConversationType, End, Hop, Tallies};
use super::io_spec::{parse as parse_spec, Measure};
use crate::error::{Error, Result};
use crate::fields::{Field, Value};
use crate::filter::filter_frame;

/// `df`'s column `name` cast to `dtype`, or an error that says how to read it.
fn required(df: &DataFrame, name: &str, dtype: &DataType, hint: &str) -> Result<Column> {
    let column = df.column(name).map_err(|_| {
        Error::Unsupported(format!(
            "this statistic reads the column {name}, which the DataFrame does not have (read it with {hint})"
        ))
    })?;
    Ok(column.cast(dtype)?)
}

/// `df`'s column `name` cast to `dtype`, or nulls when `df` has no such column.
fn optional(df: &DataFrame, name: &str, dtype: &DataType) -> Result<Column> {
    match df.column(name) {
        Ok(column) => Ok(column.cast(dtype)?),
        Err(_) => Ok(Column::full_null(name.into(), df.height(), dtype)),
    }
}

/// Seconds since the first frame, as nanoseconds (null: 0, as a capture's untimed frame).
fn relative_ns(df: &DataFrame, hint: &str) -> Result<Vec<i64>> {
    let seconds = required(df, "frame.time_relative", &DataType::Float64, hint)?;
    let seconds = seconds.f64()?;
    Ok((0..seconds.len()).map(|i| seconds.get(i).map_or(0, |s| (s * 1e9).round() as i64)).collect())
}

/// Frame lengths (null: 0).
fn lengths(df: &DataFrame, hint: &str) -> Result<Vec<u64>> {
    let len = required(df, "frame.len", &DataType::UInt64, hint)?;
    let len = len.u64()?;
    Ok((0..len.len()).map(|i| len.get(i).unwrap_or(0)).collect())
}

/// The one hop of each row for `ty`, or `None` when the row has no such layer.
fn row_hops(df: &DataFrame, ty: ConversationType, hint: &str) -> Result<Vec<Option<Hop>>> {
    let text = |name: &str| optional(df, name, &DataType::String);
    let (src, dst, src_port, dst_port, stream) = match ty {
        ConversationType::Eth => (vec![text("eth.src")?], vec![text("eth.dst")?], None, None, None),
        ConversationType::Ip => (vec![text("ip.src")?], vec![text("ip.dst")?], None, None, None),
        ConversationType::Ipv6 => (vec![text("ipv6.src")?], vec![text("ipv6.dst")?], None, None, None),
        ConversationType::Tcp | ConversationType::Udp => {
            let proto = ty.name();
            (
                vec![text("ip.src")?, text("ipv6.src")?],
                vec![text("ip.dst")?, text("ipv6.dst")?],
                Some(required(df, &format!("{proto}.srcport"), &DataType::UInt64, hint)?),
                Some(required(df, &format!("{proto}.dstport"), &DataType::UInt64, hint)?),
                Some(required(df, &format!("{proto}.stream"), &DataType::UInt64, hint)?),
            )
        }
    };
    let src_names: Vec<&str> = src.iter().map(|c| c.name().as_str()).collect();
    if !src_names.iter().any(|name| df.column(name).is_ok()) {
        return Err(Error::Unsupported(format!(
            "this statistic reads the column {}, which the DataFrame does not have (read it with {hint})",
            src_names.join(" or ")
        )));
    }
    let first = |columns: &[Column], row: usize| -> Result<Option<String>> {
        for column in columns {
            if let Some(s) = column.str()?.get(row) {
                return Ok(Some(s.to_string()));
            }
        }
        Ok(None)
    };
    let at = |column: &Option<Column>, row: usize| -> Result<Option<u64>> {
        Ok(match column {
            Some(c) => c.u64()?.get(row),
            None => None,
        })
    };
    // An ICMP error's ports and stream are those of the packet it quotes, which does not count.
    let icmp = optional(df, "icmp.type", &DataType::UInt64)?;
    let icmpv6 = optional(df, "icmpv6.type", &DataType::UInt64)?;
    let quotes = |row: usize| -> Result<bool> {
        let quoting = |field, column: &Column| -> Result<bool> {
            Ok(column.u64()?.get(row).is_some_and(|t| quotes_a_packet(field, Value::UInt(t))))
        };
        Ok(quoting(Field::IcmpType, &icmp)? || quoting(Field::Icmpv6Type, &icmpv6)?)
    };
    let mut hops = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        if ty.has_ports() && quotes(row)? {
            hops.push(None);
            continue;
        }
        let (Some(s), Some(d)) = (first(&src, row)?, first(&dst, row)?) else {
            hops.push(None);
            continue;
        };
        let port = |p: Option<u64>| p.and_then(|p| u16::try_from(p).ok());
        let hop = if ty.has_ports() {
            match (at(&src_port, row)?, at(&dst_port, row)?, at(&stream, row)?) {
                (Some(sp), Some(dp), Some(n)) => Some(Hop {
                    src: End { address: s, port: port(Some(sp)) },
                    dst: End { address: d, port: port(Some(dp)) },
                    stream: Some(n),
                }),
                _ => None,
            }
        } else {
            Some(Hop { src: End { address: s, port: None }, dst: End { address: d, port: None }, stream: None })
        };
        hops.push(hop);
    }
    Ok(hops)
}

/// Tallies the rows of `df` by conversation of type `ty`.
fn tally_rows(df: &DataFrame, ty: ConversationType) -> Result<Vec<super::conversations::Conversation>> {
    let hint = format!("ReadOptions::fields(ConversationType::{ty:?}.fields())");
    let (times, lens, hops) = (relative_ns(df, &hint)?, lengths(df, &hint)?, row_hops(df, ty, &hint)?);
    let mut tallies = Tallies::default();
    for ((time, len), hop) in times.into_iter().zip(lens).zip(hops) {
        if let Some(hop) = hop {
            tallies.add(std::slice::from_ref(&hop), len, time);
        }
    }
    Ok(tallies.finish())
}

/// [`super::conversations`] of the frames in `df`, which must hold the columns
/// `ty.fields()` names (`read_pcap(path, &ReadOptions::fields(ConversationType::Tcp.fields()))`).
/// See the module documentation for how a DataFrame's table can differ from a capture's.
pub fn conversations_of(df: &DataFrame, ty: ConversationType) -> Result<DataFrame> {
    conversation_table(&tally_rows(df, ty)?, ty)
}

/// [`super::endpoints`] of the frames in `df` (the columns of `ty.fields()`).
pub fn endpoints_of(df: &DataFrame, ty: ConversationType) -> Result<DataFrame> {
    endpoint_table(&tally_rows(df, ty)?, ty)
}

/// [`super::io_stat`] of the frames in `df`, for display filters (the aggregate columns, such as
/// `SUM(tcp.len)`, need every occurrence of a field: use `io_stat` on the capture). `df` needs
/// `frame.len`, `frame.time_relative` and the fields the filters read. Intervals run from
/// relative time 0 to the latest frame in `df`.
pub fn io_stat_of(df: &DataFrame, interval: f64, filters: &[&str]) -> Result<DataFrame> {
    for spec in filters {
        if parse_spec(spec)?.measure != (Measure::Frames { frames: true, bytes: true }) {
            return Err(Error::Unsupported(format!(
                "io_stat_of takes display filters; {spec} needs every occurrence of a field: use io_stat on the capture"
            )));
        }
    }
    let interval_ns = (interval * 1e9).round() as i64;
    if !interval.is_finite() || interval_ns <= 0 {
        return Err(Error::Unsupported(format!("an I/O interval must be positive, not {interval}")));
    }
    let hint = "ReadOptions::fields([\"frame.len\", \"frame.time_relative\", ...])";
    let (times, lens) = (relative_ns(df, hint)?, lengths(df, hint)?);
    let latest = times.iter().copied().max().unwrap_or(0).max(0);
    let rows = usize::try_from(latest.saturating_add(interval_ns - 1) / interval_ns).unwrap_or(0);
    if rows > super::io::MAX_INTERVALS {
        return Err(Error::Unsupported(format!("{rows} intervals of {interval} s are too many for one table")));
    }
    let mut columns = vec![Column::new("start".into(), (0..rows).map(|i| i as f64 * interval).collect::<Vec<_>>())];
    let selections: Vec<Option<&str>> =
        if filters.is_empty() { vec![None] } else { filters.iter().map(|f| Some(*f)).collect() };
    for (i, filter) in selections.iter().enumerate() {
        let rows_in = match filter {
            None => (0..df.height() as u32).collect::<Vec<_>>(),
            Some(f) => {
                let indexed = df.clone().with_row_index("__row".into(), None)?;
                let kept = filter_frame(&indexed, f)?;
                let kept = kept.column("__row")?.idx()?.clone();
                (0..kept.len()).filter_map(|r| kept.get(r)).collect()
            }
        };
        let (mut frames, mut bytes) = (vec![0u64; rows], vec![0u64; rows]);
        for row in rows_in {
            let row = row as usize;
            let bucket = usize::try_from(times[row].max(0) / interval_ns).unwrap_or(usize::MAX);
            if bucket < rows {
                frames[bucket] += 1;
                bytes[bucket] += lens[row];
            }
        }
        let suffix = if filter.is_some() { format!("_{}", i + 1) } else { String::new() };
        columns.push(Column::new(format!("frames{suffix}").into(), frames));
        columns.push(Column::new(format!("bytes{suffix}").into(), bytes));
    }
    Ok(DataFrame::new(rows, columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames() -> DataFrame {
        df!(
            "frame.len" => [60u32, 1514, 60, 100],
            "frame.time_relative" => [0.0f64, 0.5, 1.25, 2.5],
            "ip.src" => [Some("10.0.0.1"), Some("10.0.0.2"), Some("10.0.0.1"), None],
            "ip.dst" => [Some("10.0.0.2"), Some("10.0.0.1"), Some("10.0.0.3"), None],
        )
        .unwrap()
    }

    #[test]
    fn conversations_of_a_dataframe_count_each_way() {
        let table = conversations_of(&frames(), ConversationType::Ip).unwrap();
        assert_eq!(table.height(), 2);
        let first = |name: &str| table.column(name).unwrap().u64().unwrap().get(0).unwrap();
        assert_eq!((first("frames_a_to_b"), first("bytes_a_to_b")), (1, 60));
        assert_eq!((first("frames_b_to_a"), first("bytes_b_to_a")), (1, 1514));
        let duration = table.column("duration").unwrap().f64().unwrap().get(0).unwrap();
        assert_eq!(duration, 0.5);
    }

    #[test]
    fn endpoints_of_a_dataframe() {
        let table = endpoints_of(&frames(), ConversationType::Ip).unwrap();
        let addresses: Vec<_> = table.column("address").unwrap().str().unwrap().iter().flatten().collect();
        assert_eq!(addresses, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    }

    #[test]
    fn io_of_a_dataframe_keeps_empty_intervals() {
        let table = io_stat_of(&frames(), 1.0, &["ip.src == 10.0.0.1"]).unwrap();
        let frames_1: Vec<_> = table.column("frames_1").unwrap().u64().unwrap().iter().flatten().collect();
        assert_eq!(frames_1, [1, 1, 0]);
        let all = io_stat_of(&frames(), 1.0, &[]).unwrap();
        let bytes: Vec<_> = all.column("bytes").unwrap().u64().unwrap().iter().flatten().collect();
        assert_eq!(bytes, [1574, 60, 100]);
    }

    #[test]
    fn missing_columns_and_aggregates_are_errors_that_say_what_to_do() {
        let df = df!("frame.len" => [60u32]).unwrap();
        let e = conversations_of(&df, ConversationType::Tcp).unwrap_err().to_string();
        assert!(e.contains("frame.time_relative") && e.contains("ConversationType::Tcp.fields()"), "{e}");
        let e = io_stat_of(&frames(), 1.0, &["SUM(frame.len)"]).unwrap_err().to_string();
        assert!(e.contains("use io_stat on the capture"), "{e}");
        assert!(io_stat_of(&frames(), 0.0, &[]).is_err());
        let e = conversations_of(&frames(), ConversationType::Tcp).unwrap_err().to_string();
        assert!(e.contains("tcp.srcport"), "{e}");
    }
}
