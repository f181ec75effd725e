//! I/O statistics (`tshark -z io,stat,INTERVAL[,SPEC,...]`): per interval of capture time,
//! frames and bytes for every frame or for the frames that pass each display filter, and
//! tshark's aggregates `COUNT|SUM|MIN|MAX|AVG(field)FILTER` (spec syntax in `io_spec`).
//!
//! What tshark 4.0 does, learnt from its output:
//! - Intervals start at the first frame (`frame.time_relative` 0) and cover the capture's
//!   duration (its latest relative time), empty ones included: there are duration / interval of
//!   them, rounded up, so a frame exactly at the end of the last one is left out, and a capture
//!   whose frames all share one time has none.
//! - A frame whose relative time is negative counts in the first interval; a frame without a
//!   timestamp (a pcapng Simple Packet Block) takes the time of the frame before it.
//! - An aggregate reads every occurrence of its field in each frame that passes its filter (an
//!   ICMP error's quoted IP header adds a second `ip.len`); a frame without the field adds
//!   nothing. `COUNT` counts occurrences whatever their value; `AVG` is the sum of the
//!   occurrences over their number, an integer division for integer fields (58.5 prints 58).
//! - `SUM`, `MIN`, `MAX` and `AVG` take integer (hex-printed too), float and time fields
//!   (relative and absolute); tshark refuses flags, addresses, bytes, text and protocols ("ip.src
//!   doesn't have integral values, so SUM(*) calculations are not supported on it"). `COUNT`
//!   takes any field. Times print as seconds rounded to the microsecond.
//! - An interval without occurrences prints 0 for every function. Here `COUNT` and `SUM` are 0
//!   and `MIN`, `MAX` and `AVG` are null.
//! - tshark's `MIN` is 0 when the first frame of the interval that passes the filter lacks the
//!   field (write the field into the filter to avoid it), and its `MAX` is never below 0 (all
//!   negative values print 0). Here both are the least and greatest occurrence.
//! - tshark decodes a field only when some display filter of the run names it: an aggregate
//!   whose field no spec's filter names prints 0 everywhere (hence the man page's advice to
//!   write `SUM(frame.len)frame.len`). Here the field is always read: `SUM(tcp.len)` sums
//!   `tcp.len` over every frame that has it.
//! - tshark 4.0 prints nonsense for `SUM` and `AVG` of float fields (`wlan_radio.data_rate`),
//!   for `AVG` of negative signed integers (an unsigned division), for negative times (a
//!   `frame.time_delta` in a capture out of time order) and for time sums past about 2^63
//!   nanoseconds; here they are plain sums and means (signed means round toward zero).
//! - `LOAD(field)` (requests in flight, from a response time) is refused: tshark truncates the
//!   times to microseconds, divides the last interval by an irregular length and leaves some
//!   spans out, rules not learnt.

use std::path::Path;

use polars::prelude::*;

use super::io_spec::{self, Function, Kind, Measure, Spec};
use crate::error::{Error, Result};
use crate::fields::{Field, FieldSet, FrameValues, Value};
use crate::limits::Limits;
use crate::scan::Scanner;

/// Frames and bytes per interval.
#[derive(Debug, Default, Clone)]
struct Tally {
    frames: Vec<u64>,
    bytes: Vec<u64>,
}

impl Tally {
    fn add(&mut self, interval: usize, len: u64) {
        if self.frames.len() <= interval {
            self.frames.resize(interval + 1, 0);
            self.bytes.resize(interval + 1, 0);
        }
        self.frames[interval] += 1;
        self.bytes[interval] += len;
    }
}

/// One interval's occurrences of an aggregated field: integers and nanoseconds in `sum`, `min`
/// and `max`, floats in `fsum`, `fmin` and `fmax`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    count: u64,
    sum: i128,
    min: i128,
    max: i128,
    fsum: f64,
    fmin: f64,
    fmax: f64,
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket {
            count: 0,
            sum: 0,
            min: i128::MAX,
            max: i128::MIN,
            fsum: 0.0,
            fmin: f64::INFINITY,
            fmax: f64::NEG_INFINITY,
        }
    }
}

impl Bucket {
    fn add(&mut self, value: Value) {
        self.count += 1;
        if let Value::Float(bits) = value {
            let x = f64::from(f32::from_bits(bits));
            self.fsum += x;
            self.fmin = self.fmin.min(x);
            self.fmax = self.fmax.max(x);
        } else if let Some(n) = integer(value) {
            self.sum = self.sum.saturating_add(n);
            self.min = self.min.min(n);
            self.max = self.max.max(n);
        }
    }
}

/// A value as an integer (nanoseconds for times); `None` for floats and non-numbers.
fn integer(value: Value) -> Option<i128> {
    match value {
        Value::UInt(n) => Some(n.into()),
        Value::Int(n) | Value::Nanos(n) => Some(n.into()),
        Value::Bool(b) => Some(b.into()),
        _ => None,
    }
}

/// The most intervals a table may have (a frame far from the first, with a short interval,
/// would otherwise ask for more memory than there is).
pub(super) const MAX_INTERVALS: usize = 2_000_000;

/// The interval a relative time falls in.
fn index(time: i64, interval_ns: i64) -> usize {
    usize::try_from(time.max(0) / interval_ns).unwrap_or(usize::MAX)
}

/// Where a frame falls, and its length.
#[derive(Debug, Clone, Copy)]
struct At {
    interval: usize,
    len: u64,
}

/// A column spec and its running tallies.
struct IoColumn {
    spec: Spec,
    tally: Tally,
    buckets: Vec<Bucket>,
}

impl IoColumn {
    fn new(spec: Spec) -> Self {
        IoColumn { spec, tally: Tally::default(), buckets: Vec::new() }
    }

    fn every_frame() -> Self {
        IoColumn::new(Spec { measure: Measure::Frames { frames: true, bytes: true }, filter: None })
    }

    fn fields(&self) -> FieldSet {
        let mut set = self.spec.filter.as_ref().map(|f| f.fields()).unwrap_or_default();
        if let Measure::Aggregate { field, .. } = self.spec.measure {
            set.insert(field);
        }
        set
    }

    fn add(&mut self, frame: &FrameValues, at: At) {
        if !self.spec.filter.as_ref().is_none_or(|f| f.matches(frame)) {
            return;
        }
        match self.spec.measure {
            Measure::Frames { .. } => self.tally.add(at.interval, at.len),
            Measure::Aggregate { field, .. } => {
                if self.buckets.len() <= at.interval {
                    self.buckets.resize(at.interval + 1, Bucket::default());
                }
                let bucket = &mut self.buckets[at.interval];
                frame.all(field).for_each(|v| bucket.add(v));
            }
        }
    }

    /// The output columns, named with `suffix` (`_1`, or empty for the every-frame pair).
    fn columns(&mut self, suffix: &str, rows: usize) -> Vec<Column> {
        match self.spec.measure {
            Measure::Frames { frames, bytes } => {
                self.tally.frames.resize(rows, 0);
                self.tally.bytes.resize(rows, 0);
                let mut out = Vec::new();
                if frames {
                    out.push(Column::new(format!("frames{suffix}").into(), std::mem::take(&mut self.tally.frames)));
                }
                if bytes {
                    out.push(Column::new(format!("bytes{suffix}").into(), std::mem::take(&mut self.tally.bytes)));
                }
                out
            }
            Measure::Aggregate { function, kind, .. } => {
                let name = format!("{}{suffix}", function.column());
                self.buckets.resize(rows, Bucket::default());
                vec![aggregate_column(name, function, kind, &self.buckets)]
            }
        }
    }
}

/// An aggregate's column: `UInt64` counts; sums, minima, maxima and means typed by the field
/// (`UInt64` unsigned, `Int64` signed, `Float64` floats and seconds); null where no occurrence.
fn aggregate_column(name: String, function: Function, kind: Kind, buckets: &[Bucket]) -> Column {
    let name = PlSmallStr::from(name);
    match (function, kind) {
        (Function::Count, _) => Column::new(name, buckets.iter().map(|b| b.count).collect::<Vec<_>>()),
        (_, Kind::Float) => Column::new(name, buckets.iter().map(|b| float_result(function, b)).collect::<Vec<_>>()),
        (_, Kind::Time) => Column::new(name, buckets.iter().map(|b| seconds_result(function, b)).collect::<Vec<_>>()),
        (_, Kind::Signed) => {
            Column::new(name, buckets.iter().map(|b| int_result(function, b).map(clamp_i64)).collect::<Vec<_>>())
        }
        (_, Kind::Unsigned | Kind::Other) => {
            Column::new(name, buckets.iter().map(|b| int_result(function, b).map(clamp_u64)).collect::<Vec<_>>())
        }
    }
}

/// `SUM`, `MIN`, `MAX` or `AVG` (truncated) of integers; `SUM` of nothing is 0, the others null.
fn int_result(function: Function, b: &Bucket) -> Option<i128> {
    if function == Function::Sum {
        return Some(b.sum);
    }
    (b.count > 0).then(|| match function {
        Function::Min => b.min,
        Function::Max => b.max,
        _ => b.sum / i128::from(b.count),
    })
}

fn float_result(function: Function, b: &Bucket) -> Option<f64> {
    if function == Function::Sum {
        return Some(b.fsum);
    }
    (b.count > 0).then(|| match function {
        Function::Min => b.fmin,
        Function::Max => b.fmax,
        _ => b.fsum / b.count as f64,
    })
}

/// A time result in seconds (`AVG` not truncated to whole nanoseconds).
fn seconds_result(function: Function, b: &Bucket) -> Option<f64> {
    if function == Function::Avg {
        return (b.count > 0).then(|| b.sum as f64 / b.count as f64 / 1e9);
    }
    int_result(function, b).map(|ns| ns as f64 / 1e9)
}

fn clamp_i64(n: i128) -> i64 {
    i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

fn clamp_u64(n: i128) -> u64 {
    u64::try_from(n).unwrap_or(if n < 0 { 0 } else { u64::MAX })
}

/// `tshark -z io,stat,INTERVAL,SPEC...` as a DataFrame, one row per interval: `start` (seconds
/// since the first frame, `Float64`), then the columns of each spec in order, suffixed with the
/// spec's 1-based position:
///
/// - a display filter (or an empty spec, every frame): `frames_i` and `bytes_i` (`UInt64`);
/// - `FRAMES` or `FRAMES()FILTER`: `frames_i` only; `BYTES` or `BYTES()FILTER`: `bytes_i` only;
/// - `COUNT(field)FILTER`: `count_i` (`UInt64`), the field's occurrences in passing frames;
/// - `SUM(field)FILTER`, `MIN(...)`, `MAX(...)`, `AVG(...)`: `sum_i`, `min_i`, `max_i`, `avg_i`
///   over every occurrence, typed by the field: `UInt64` for unsigned integers (hex-printed ones
///   too), `Int64` for signed ones (`AVG` is the integer mean, as tshark), `Float64` for floats
///   and for times (in seconds); `MIN`, `MAX` and `AVG` are null where nothing occurred (the
///   field's type decides the column's type, so a column keeps it in every capture).
///
/// The FILTER of an aggregate is optional (tshark needs the field named in some filter; here
/// it is always read). With no spec at all the columns are `frames` and `bytes` for every frame.
/// The module documentation lists where tshark 4.0 prints something else.
///
/// `interval` is in seconds and must be positive, and the table may have at most 2,000,000
/// intervals (else [`Error::Unsupported`]). A spec that cannot be used (unknown function
/// or field, bad filter, a function the field's type does not allow) is an
/// [`Error::Filter`] whose text is the whole spec, with a caret under the culprit; `LOAD(...)`
/// is an [`Error::Unsupported`] naming the spec.
pub fn io_stat(capture: impl AsRef<Path>, interval: f64, specs: &[&str]) -> Result<DataFrame> {
    let mut columns: Vec<IoColumn> = if specs.is_empty() {
        vec![IoColumn::every_frame()]
    } else {
        specs.iter().map(|s| io_spec::parse(s).map(IoColumn::new)).collect::<Result<_>>()?
    };
    let interval_ns = (interval * 1e9).round() as i64;
    if interval_ns <= 0 {
        return Err(Error::Unsupported(format!("an I/O interval must be positive, not {interval}")));
    }
    let mut wanted = FieldSet::default();
    wanted.insert(Field::FrameLen);
    wanted.insert(Field::FrameTimeRelative);
    columns.iter().for_each(|c| wanted.extend(c.fields()));
    let mut scanner = Scanner::open(capture.as_ref(), wanted, Limits::default())?;
    let latest = scan(&mut scanner, &mut columns, interval_ns)?;
    let rows = usize::try_from(latest.saturating_add(interval_ns - 1) / interval_ns).unwrap_or(0);
    let start: Vec<f64> = (0..rows).map(|i| i as f64 * interval).collect();
    let mut out = vec![Column::new("start".into(), start)];
    for (i, column) in columns.iter_mut().enumerate() {
        let suffix = if specs.is_empty() { String::new() } else { format!("_{}", i + 1) };
        out.extend(column.columns(&suffix, rows));
    }
    Ok(DataFrame::new(rows, out)?)
}

/// Feeds every frame to the columns; returns the latest relative time.
fn scan(scanner: &mut Scanner, columns: &mut [IoColumn], interval_ns: i64) -> Result<i64> {
    let (mut latest, mut previous) = (0i64, 0i64);
    while let Some(frame) = scanner.next_frame()? {
        let time = match frame.first(Field::FrameTimeRelative) {
            Some(Value::Nanos(ns)) => ns,
            _ => previous,
        };
        previous = time;
        latest = latest.max(time);
        let len = match frame.first(Field::FrameLen) {
            Some(Value::UInt(n)) => n,
            _ => 0,
        };
        let at = At { interval: index(time, interval_ns), len };
        if at.interval >= MAX_INTERVALS {
            let seconds = time as f64 / 1e9;
            return Err(Error::Unsupported(format!(
                "io,stat: a frame at {seconds} s would need more than {MAX_INTERVALS} intervals of {} s",
                interval_ns as f64 / 1e9
            )));
        }
        for column in columns.iter_mut() {
            column.add(frame, at);
        }
    }
    Ok(latest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_sum_count_and_bound_every_occurrence() {
        let mut b = Bucket::default();
        for n in [56, 52, 40] {
            b.add(Value::UInt(n));
        }
        assert_eq!((b.count, b.sum, b.min, b.max), (3, 148, 40, 56));
        assert_eq!(int_result(Function::Avg, &b), Some(49), "148 / 3 truncated");
        assert_eq!(int_result(Function::Min, &Bucket::default()), None);
        assert_eq!(int_result(Function::Sum, &Bucket::default()), Some(0));
    }

    #[test]
    fn signed_means_round_toward_zero() {
        let mut b = Bucket::default();
        b.add(Value::Int(-1));
        b.add(Value::Int(-2));
        assert_eq!(int_result(Function::Avg, &b).map(clamp_i64), Some(-1));
        assert_eq!(int_result(Function::Min, &b).map(clamp_i64), Some(-2));
    }

    #[test]
    fn times_are_seconds() {
        let mut b = Bucket::default();
        b.add(Value::Nanos(123_456_789));
        b.add(Value::Nanos(0));
        assert_eq!(seconds_result(Function::Max, &b), Some(0.123456789));
        assert_eq!(seconds_result(Function::Avg, &b), Some(0.0617283945));
        assert_eq!(seconds_result(Function::Avg, &Bucket::default()), None);
    }

    #[test]
    fn floats_keep_their_fraction() {
        let mut b = Bucket::default();
        b.add(Value::float(1.5));
        b.add(Value::float(24.0));
        assert_eq!(float_result(Function::Sum, &b), Some(25.5));
        assert_eq!(float_result(Function::Avg, &b), Some(12.75));
        assert_eq!(float_result(Function::Min, &b), Some(1.5));
    }

    #[test]
    fn bad_specs_and_intervals_are_errors() {
        let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/edge-icmp-errors.pcap");
        assert!(matches!(io_stat(capture, 1.0, &["tcp", "SUM(ip.src)"]), Err(Error::Filter(_))));
        assert!(matches!(io_stat(capture, 1.0, &["MEDIAN(ip.len)"]), Err(Error::Filter(_))));
        assert!(matches!(io_stat(capture, 0.0, &["SUM(ip.len)"]), Err(Error::Unsupported(_))));
        assert!(matches!(io_stat(capture, 1.0, &["LOAD(tcp.analysis.ack_rtt)"]), Err(Error::Unsupported(_))));
        // 7 µs of capture in 1 ns intervals: 7000 rows; 2 s in 0.1 µs ones: too many.
        assert_eq!(io_stat(capture, 1e-9, &["COUNT(ip.len)"]).unwrap().height(), 7000);
        let sections = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/edge-pcapng-sections.pcapng");
        assert!(matches!(io_stat(sections, 1e-7, &[]), Err(Error::Unsupported(_))));
    }

    #[test]
    fn icmp_errors_add_their_quoted_headers() {
        let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/edge-icmp-errors.pcap");
        let specs = ["SUM(ip.len)ip.len", "COUNT(ip.len)", "AVG(ip.len)", "MIN(ip.len)", "MAX(ip.len)", "FRAMES()ip"];
        let df = io_stat(capture, 1.0, &specs).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["start", "sum_1", "count_2", "avg_3", "min_4", "max_5", "frames_6"]);
        let first = |c: &str| df.column(c).unwrap().u64().unwrap().get(0);
        assert_eq!(df.height(), 1);
        assert_eq!(
            [first("sum_1"), first("count_2"), first("avg_3"), first("min_4"), first("max_5"), first("frames_6")],
            [Some(936), Some(16), Some(58), Some(36), Some(96), Some(10)]
        );
    }
}
