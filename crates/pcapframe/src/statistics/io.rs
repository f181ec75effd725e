//! I/O statistics (`tshark -z io,stat,INTERVAL[,FILTER,...]`): frames and bytes per interval of
//! capture time, for every frame or for the frames that pass each display filter.
//!
//! What tshark 4.0 does, learnt from its output:
//! - Intervals start at the first frame (`frame.time_relative` 0) and cover the capture's
//!   duration (its latest relative time), empty ones included: there are duration / interval of
//!   them, rounded up, so a frame exactly at the end of the last one is left out, and a capture
//!   whose frames all share one time has none.
//! - A frame whose relative time is negative counts in the first interval; a frame without a
//!   timestamp (a pcapng Simple Packet Block) takes the time of the frame before it.

use std::path::Path;

use polars::prelude::*;

use crate::error::Result;
use crate::fields::{Field, FieldSet, Value};
use crate::filter::DisplayFilter;
use crate::limits::Limits;
use crate::scan::Scanner;

/// One column pair's tallies per interval.
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

/// `tshark -z io,stat,INTERVAL` with one column pair per filter (none: every frame), as a
/// DataFrame: `start` (seconds since the first frame), then `frames` and `bytes` for every
/// frame when `filters` is empty, else `frames_1`, `bytes_1`, ... in the order of `filters`.
///
/// `interval` is in seconds and must be positive.
pub fn io_stat(capture: impl AsRef<Path>, interval: f64, filters: &[&str]) -> Result<DataFrame> {
    let parsed: Vec<DisplayFilter> =
        filters.iter().map(|f| DisplayFilter::parse(f)).collect::<std::result::Result<_, _>>()?;
    let mut wanted = FieldSet::default();
    wanted.insert(Field::FrameLen);
    wanted.insert(Field::FrameTimeRelative);
    for filter in &parsed {
        wanted.extend(filter.fields());
    }
    let interval_ns = (interval * 1e9).round() as i64;
    if interval_ns <= 0 {
        return Err(crate::error::Error::Unsupported(format!("an I/O interval must be positive, not {interval}")));
    }
    let mut scanner = Scanner::open(capture.as_ref(), wanted, Limits::default())?;
    let mut tallies = vec![Tally::default(); parsed.len().max(1)];
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
        let index = usize::try_from(time.max(0) / interval_ns).unwrap_or(usize::MAX);
        if parsed.is_empty() {
            tallies[0].add(index, len);
        }
        for (tally, filter) in tallies.iter_mut().zip(&parsed) {
            if filter.matches(frame) {
                tally.add(index, len);
            }
        }
    }
    let rows = usize::try_from(latest.saturating_add(interval_ns - 1) / interval_ns).unwrap_or(0);
    let start: Vec<f64> = (0..rows).map(|i| i as f64 * interval).collect();
    let mut columns = vec![Column::new("start".into(), start)];
    for (i, tally) in tallies.iter_mut().enumerate() {
        tally.frames.resize(rows, 0);
        tally.bytes.resize(rows, 0);
        let suffix = if parsed.is_empty() { String::new() } else { format!("_{}", i + 1) };
        columns.push(Column::new(format!("frames{suffix}").into(), std::mem::take(&mut tally.frames)));
        columns.push(Column::new(format!("bytes{suffix}").into(), std::mem::take(&mut tally.bytes)));
    }
    Ok(DataFrame::new(rows, columns)?)
}
