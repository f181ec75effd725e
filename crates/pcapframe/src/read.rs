//! [`read_pcap`]: a capture file into a typed polars DataFrame, with the options of the
//! classic pandas helper (`fields`, `display_filter`, `timeseries`, `strict`).

use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

use polars::prelude::*;

use crate::capture::{Coverage, MergeOrder};
use crate::error::{CaptureError, Error, Result};
use crate::fields::{self, Field, FieldSet};
use crate::filter::DisplayFilter;
use crate::limits::Limits;
use crate::pipeline::default_threads;
use crate::scan::Scanner;
use crate::table::{Occurrence, TableBuilder};

/// Name of the time column added by [`ReadOptions::timeseries`].
pub const TIME_COLUMN: &str = "time";

/// What to read and how.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Wireshark field names, one column each, in this order.
    pub fields: Vec<String>,
    /// A Wireshark display filter: only frames that pass it become rows (see [`crate::filter`]).
    pub display_filter: Option<String>,
    /// Add a `time` column (`Datetime[ns]`) first and sort by it.
    pub timeseries: bool,
    /// Keep only frames that carry every requested field.
    pub strict: bool,
    /// Which occurrence a column keeps when a field occurs several times in a frame.
    pub occurrence: Occurrence,
    /// Stop after reading this many frames, whether or not they pass the filter (tshark's `-c`).
    pub max_frames: Option<u64>,
    /// Caps on what a capture may make pcapframe allocate (packet and block sizes,
    /// conversations, reassembly buffers).
    pub limits: Limits,
    /// Add a `file` column (after `time`) naming each frame's capture file (`-` for a stream);
    /// useful with [`read_pcaps`].
    pub file_column: bool,
    /// Threads to use: with 2 or more, the capture is read and dissected on one while the
    /// columns are built on another (see [`crate::pipeline`]); `None`: one per core. The
    /// result is the same for every count.
    pub threads: Option<usize>,
}

impl ReadOptions {
    /// Options that read these fields.
    pub fn fields<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ReadOptions { fields: names.into_iter().map(Into::into).collect(), ..Default::default() }
    }

    /// Adds the time column and sorts by it.
    pub fn timeseries(mut self, on: bool) -> Self {
        self.timeseries = on;
        self
    }

    /// Keeps only frames that carry every requested field.
    pub fn strict(mut self, on: bool) -> Self {
        self.strict = on;
        self
    }

    /// Sets a display filter.
    pub fn display_filter(mut self, filter: impl Into<String>) -> Self {
        self.display_filter = Some(filter.into());
        self
    }
}

/// The frames read before a damaged part of the capture, and what the damage was.
#[derive(Debug)]
pub struct PartialRead {
    /// Every frame before the fault.
    pub frame: DataFrame,
    /// Where and how the capture is damaged; `None` when it was read to the end.
    pub problem: Option<CaptureError>,
    /// Conversations retired to stay within [`crate::limits::TrackLimits`]; when non-zero, stream
    /// numbers after the first returning conversation may differ from tshark's.
    pub retired_conversations: u64,
    /// TCP connections whose data held for an application dissector was dropped to stay within
    /// [`crate::limits::TrackLimits`]: the message each waited for has no fields.
    pub dropped_app_connections: u64,
    /// pcapng blocks skipped and frames whose link layer was not decoded: empty when nothing
    /// was passed over (see [`Coverage`]).
    pub coverage: Coverage,
}

/// Reads a capture into a DataFrame; fails on a damaged capture (see [`read_pcap_partial`]).
///
/// When the read passes over something (pcapng blocks of a type pcapframe does not read, frames
/// of a link type it does not decode), it says so in one line on standard error, so that nothing
/// is skipped in silence; [`read_pcap_partial`] returns the same facts as [`PartialRead::coverage`]
/// instead.
///
/// Each column holds one field, typed: integers as unsigned integers (hex-printed fields too),
/// flags as booleans, addresses as strings, `eth.padding`/`eth.trailer` as binary,
/// `frame.time_epoch` as `Datetime[ns]`, relative times as `f64` seconds. A field that occurs
/// several times in a frame (ICMP errors quote an inner IP header) keeps its first occurrence
/// unless [`ReadOptions::occurrence`] says otherwise.
pub fn read_pcap(path: impl AsRef<Path>, options: &ReadOptions) -> Result<DataFrame> {
    let partial = read_pcap_partial(path, options)?;
    if !partial.coverage.is_complete() {
        eprintln!("pcapframe: warning: {}", partial.coverage);
    }
    match partial.problem {
        None => Ok(partial.frame),
        Some(problem) => Err(Error::Capture(problem)),
    }
}

/// Reads a capture, returning every frame before a fault together with the fault.
pub fn read_pcap_partial(path: impl AsRef<Path>, options: &ReadOptions) -> Result<PartialRead> {
    let plan = Plan::new(options)?;
    let name = path.as_ref().display().to_string();
    let scanner = Scanner::open(path, plan.wanted, options.limits)?;
    plan.read_named(scanner, options, &[name])
}

/// Reads several captures as one, as tshark reads their `mergecap` output (`order`
/// `Chronological`, mergecap's default) or `mergecap -a` output (`Concatenated`): frames and
/// TCP/UDP streams are numbered across files and relative times count from the first frame of
/// all. With [`ReadOptions::file_column`], a `file` column names each frame's file.
/// Fails on a damaged capture, like [`read_pcap`] ([`read_pcaps_partial`] keeps what was read).
pub fn read_pcaps<P: AsRef<Path>>(paths: &[P], order: MergeOrder, options: &ReadOptions) -> Result<DataFrame> {
    let partial = read_pcaps_partial(paths, order, options)?;
    if !partial.coverage.is_complete() {
        eprintln!("pcapframe: warning: {}", partial.coverage);
    }
    match partial.problem {
        None => Ok(partial.frame),
        Some(problem) => Err(Error::Capture(problem)),
    }
}

/// [`read_pcaps`], returning every frame before a fault together with the fault.
pub fn read_pcaps_partial<P: AsRef<Path>>(
    paths: &[P],
    order: MergeOrder,
    options: &ReadOptions,
) -> Result<PartialRead> {
    let plan = Plan::new(options)?;
    let scanner = Scanner::open_many(paths, order, plan.wanted, options.limits)?;
    let names: Vec<String> = paths.iter().map(|p| p.as_ref().display().to_string()).collect();
    plan.read_named(scanner, options, &names)
}

/// Reads a capture from any byte stream (standard input, a pipe, memory), like
/// [`read_pcap_partial`]: every frame before a fault, together with the fault.
pub fn read_pcap_reader(input: impl Read + Send + 'static, options: &ReadOptions) -> Result<PartialRead> {
    let plan = Plan::new(options)?;
    let scanner = Scanner::from_reader(input, plan.wanted, options.limits)?;
    plan.read_named(scanner, options, &["-".to_string()])
}

/// What a read needs to decode: the requested fields, the filter and the fields it reads.
struct Plan {
    requested: Vec<Field>,
    filter: Option<DisplayFilter>,
    wanted: FieldSet,
}

impl Plan {
    fn new(options: &ReadOptions) -> Result<Plan> {
        let filter = options.display_filter.as_deref().map(DisplayFilter::parse).transpose()?;
        let requested = resolve_fields(&options.fields)?;
        let mut wanted: FieldSet = requested.iter().copied().collect();
        if let Some(f) = &filter {
            wanted.extend(f.fields());
        }
        if options.timeseries {
            wanted.insert(Field::FrameTimeEpoch);
        }
        Ok(Plan { requested, filter, wanted })
    }

    /// Reads every frame; `files` names the scanner's files for the `file` column.
    fn read_named(self, mut scanner: Scanner<'_>, options: &ReadOptions, files: &[String]) -> Result<PartialRead> {
        let Plan { requested, filter, .. } = self;
        let mut file = options.file_column.then(|| StringChunkedBuilder::new("file".into(), 1024));
        let mut columns = TableBuilder::new(&requested, options.occurrence);
        let mut time = options.timeseries.then(|| TableBuilder::new(&[Field::FrameTimeEpoch], Occurrence::First));
        let mut rows = 0usize;
        let all_requested: FieldSet = requested.iter().copied().collect();
        let threads = options.threads.unwrap_or_else(default_threads);
        let problem = scanner.for_each_frame(threads, options.max_frames, |frame, file_index| {
            if options.strict && !frame.has_all(&all_requested) || filter.as_ref().is_some_and(|f| !f.matches(frame)) {
                return ControlFlow::Continue(());
            }
            if let Some(t) = time.as_mut() {
                t.append(frame);
            }
            columns.append(frame);
            if let Some(f) = file.as_mut() {
                f.append_option(file_index.and_then(|i| files.get(i)).map(String::as_str));
            }
            rows += 1;
            ControlFlow::Continue(())
        });
        let mut cols: Vec<Column> = Vec::with_capacity(requested.len() + 2);
        if let Some(t) = time {
            cols.extend(t.finish().into_iter().map(|c| c.with_name(TIME_COLUMN.into())));
        }
        if let Some(f) = file {
            cols.push(f.finish().into_column());
        }
        cols.extend(columns.finish());
        let mut frame = DataFrame::new(rows, cols)?;
        if options.timeseries {
            frame = frame.sort([TIME_COLUMN], SortMultipleOptions::default().with_maintain_order(true))?;
        }
        Ok(PartialRead {
            frame,
            problem,
            retired_conversations: scanner.retired_conversations(),
            dropped_app_connections: scanner.dropped_app_connections(),
            coverage: scanner.coverage(),
        })
    }
}

/// Resolves field names, failing on the first unknown one with the nearest valid names.
pub fn resolve_fields(names: &[String]) -> Result<Vec<Field>> {
    names.iter().map(|n| fields::lookup(n).map_err(Error::from)).collect()
}
