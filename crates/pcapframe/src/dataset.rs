//! Partitioned Parquet datasets for captures larger than memory (feature `parquet`):
//! [`write_dataset`] writes `DIR/capture=NAME/hour=YYYY-MM-DDTHH/part-NNNNN.parquet`, one part
//! per batch of frames and hour, so memory stays bounded by one batch whatever the capture's size.
//! polars (`scan_parquet` with hive partitioning), DuckDB (`read_parquet('DIR/**/*.parquet',
//! hive_partitioning = true)`) and Spark (`spark.read.parquet(DIR)`) read the result.
//!
//! Every engine reads the columns with its default settings: `Datetime[ns]` columns
//! (`frame.time_epoch`) are written as microsecond timestamps (Spark refuses nanosecond ones),
//! with the exact nanoseconds since the epoch beside them as an integer column named
//! `frame.time_epoch_ns`. Each file's key-value metadata `pcapframe.fields` lists every column's
//! Wireshark field name and type.
//!
//! The dataset holds nothing but its Parquet parts, so that every engine reads `DIR` itself (polars
//! refuses a folder holding files of two extensions, and Spark reads a file beginning with `_` as
//! data when its name holds a `=`). What identifies a capture's export, to skip it when the
//! capture is unchanged, is the key-value metadata `pcapframe.export` of its last part, written
//! only when the capture was read to its end: an export cut short, or of a damaged capture, has
//! none and is written again.

use std::fs;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::batch::BatchReader;
use crate::error::{Error, Result};
use crate::fields::{Field, FieldSet};
use crate::filter::DisplayFilter;
use crate::limits::Limits;
use crate::read::resolve_fields;
use crate::scan::Scanner;
use crate::table::Occurrence;

/// Frames per batch (and at most per part file) by default: exporting the 79 core fields peaks
/// near 90 MiB with it, whatever the capture's size (`make bench`).
pub const DEFAULT_BATCH_ROWS: usize = 64 * 1024;

/// The name of the hour partition of frames without a timestamp (Spark's and hive's default).
pub const NO_HOUR: &str = "__HIVE_DEFAULT_PARTITION__";

/// The key-value metadata key of each part's column list.
const FIELDS_KEY: &str = "pcapframe.fields";

/// The key-value metadata key, in a capture's last part, of what identifies its export.
const EXPORT_KEY: &str = "pcapframe.export";

/// What to write.
#[derive(Debug, Clone)]
pub struct DatasetOptions {
    /// Wireshark field names, one column each.
    pub fields: Vec<String>,
    /// A display filter: only frames that pass it are written.
    pub display_filter: Option<String>,
    /// Frames per batch: the bound on memory.
    pub batch_rows: usize,
    /// Caps on what a capture may make pcapframe allocate.
    pub limits: Limits,
}

impl DatasetOptions {
    /// Options that write these fields.
    pub fn fields<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        DatasetOptions {
            fields: names.into_iter().map(Into::into).collect(),
            display_filter: None,
            batch_rows: DEFAULT_BATCH_ROWS,
            limits: Limits::default(),
        }
    }
}

/// What happened to one capture.
#[derive(Debug)]
pub struct CaptureExport {
    /// The capture file.
    pub capture: PathBuf,
    /// Its partition's name (`capture=NAME`).
    pub name: String,
    /// Frames written (0 when skipped).
    pub frames: u64,
    /// Parquet files written.
    pub files: u64,
    /// Whether it was already exported, unchanged, with the same options.
    pub skipped: bool,
    /// Why the capture could not be read to its end: it could not be opened, is not a capture, or
    /// is damaged (the frames before the damage were written).
    pub problem: Option<Error>,
}

/// How far [`write_dataset_with_progress`] has got: reported after each batch of frames.
#[derive(Debug, Clone, Copy)]
pub struct ExportProgress<'a> {
    /// The capture being written.
    pub capture: &'a Path,
    /// Its index in the captures given.
    pub index: usize,
    /// Frames of it written so far.
    pub frames: u64,
    /// Bytes of it read so far.
    pub bytes: u64,
}

/// Writes each capture's frames into its own partition of the dataset `dir` (see the module
/// documentation). A capture already exported with the same options and unchanged since is
/// skipped; a damaged one keeps its intact frames and says what the damage was (and is written
/// again on the next run); one that cannot be opened or is no capture at all says why. None of
/// them stops the others. Errors are for what makes every capture fail: a bad field, a bad
/// filter, a dataset directory that cannot be written.
pub fn write_dataset<P: AsRef<Path>>(
    captures: &[P],
    dir: impl AsRef<Path>,
    options: &DatasetOptions,
) -> Result<Vec<CaptureExport>> {
    write_dataset_with_progress(captures, dir, options, &mut |_| {})
}

/// [`write_dataset`], calling `progress` after each batch of frames (a progress bar's hook).
pub fn write_dataset_with_progress<P: AsRef<Path>>(
    captures: &[P],
    dir: impl AsRef<Path>,
    options: &DatasetOptions,
    progress: &mut dyn FnMut(ExportProgress<'_>),
) -> Result<Vec<CaptureExport>> {
    let fields = resolve_fields(&options.fields)?;
    let filter = options.display_filter.as_deref().map(DisplayFilter::parse).transpose()?;
    if options.batch_rows == 0 {
        return Err(Error::Unsupported("a dataset batch must hold at least one frame".into()));
    }
    let dir = dir.as_ref();
    let mut done = Vec::with_capacity(captures.len());
    for (index, capture) in captures.iter().enumerate() {
        let capture = capture.as_ref();
        let mut report = |frames, bytes| progress(ExportProgress { capture, index, frames, bytes });
        done.push(write_capture(capture, dir, &fields, filter.as_ref(), options, &mut report)?);
    }
    Ok(done)
}

/// A partition name for a capture file: its file name, with `/`, `\` and `=` replaced.
fn partition_name(capture: &Path) -> String {
    let name = capture.file_name().map_or_else(|| "capture".into(), |n| n.to_string_lossy().into_owned());
    name.chars().map(|c| if matches!(c, '/' | '\\' | '=') || c.is_control() { '_' } else { c }).collect()
}

/// What identifies an export: the capture's size and modification time, and the options.
fn stamp(capture: &Path, options: &DatasetOptions) -> Result<String> {
    let meta = fs::metadata(capture).map_err(|source| Error::Open { path: capture.to_path_buf(), source })?;
    let modified =
        meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    Ok(format!(
        "size {}\nmodified {modified}\nfields {}\nfilter {}\nbatch {}\n",
        meta.len(),
        options.fields.join(","),
        options.display_filter.as_deref().unwrap_or(""),
        options.batch_rows
    ))
}

fn io_error(path: &Path, doing: &str, e: std::io::Error) -> Error {
    Error::Open { path: path.to_path_buf(), source: std::io::Error::new(e.kind(), format!("{doing}: {e}")) }
}

fn write_capture(
    capture: &Path,
    dir: &Path,
    fields: &[Field],
    filter: Option<&DisplayFilter>,
    options: &DatasetOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<CaptureExport> {
    let name = partition_name(capture);
    let partition = dir.join(format!("capture={name}"));
    let mut export =
        CaptureExport { capture: capture.to_path_buf(), name, frames: 0, files: 0, skipped: false, problem: None };
    let stamp = match stamp(capture, options) {
        Ok(stamp) => stamp,
        Err(e) => {
            export.problem = Some(e);
            return Ok(export);
        }
    };
    if already_exported(&partition, &stamp) {
        export.skipped = true;
        return Ok(export);
    }
    if partition.exists() {
        fs::remove_dir_all(&partition).map_err(|e| io_error(&partition, "removing the old export", e))?;
    }
    // frame.time_epoch is always read: it names the hour partition.
    let mut read_fields = fields.to_vec();
    if !read_fields.contains(&Field::FrameTimeEpoch) {
        read_fields.push(Field::FrameTimeEpoch);
    }
    let mut wanted: FieldSet = read_fields.iter().copied().collect();
    if let Some(f) = filter {
        wanted.extend(f.fields());
    }
    let scanner = match Scanner::open(capture, wanted, options.limits) {
        Ok(scanner) => scanner,
        Err(e) => {
            export.problem = Some(e);
            return Ok(export);
        }
    };
    let mut batches = BatchReader::new(scanner, read_fields, filter.cloned(), Occurrence::First);
    let metadata = field_metadata(fields);
    let mut part = 0u64;
    let mut last_part = None;
    let mut stamped = false;
    while let Some(batch) = batches.next_batch(options.batch_rows)? {
        export.frames += batch.height() as u64;
        // The last batch of a capture read to its end: its last part carries the stamp.
        let last_batch = batches.ended_cleanly();
        let hours = by_hour(&batch)?;
        let count = hours.len();
        for (i, (hour, rows)) in hours.into_iter().enumerate() {
            let mut rows = spark_safe(rows, fields)?;
            let hour_dir = partition.join(format!("hour={hour}"));
            fs::create_dir_all(&hour_dir).map_err(|e| io_error(&hour_dir, "creating the partition", e))?;
            let path = hour_dir.join(format!("part-{part:05}.parquet"));
            let stamp_here = (last_batch && i + 1 == count).then_some(stamp.as_str());
            write_part(&path, &mut rows, &metadata, stamp_here)?;
            stamped |= stamp_here.is_some();
            export.files += 1;
            last_part = Some(path);
        }
        part += 1;
        progress(export.frames, batches.bytes_read());
    }
    export.problem = batches.problem().cloned().map(Error::Capture);
    // A capture that ends exactly where a batch is full is known to be read to its end only after
    // that batch was written: its last part is written again, with the stamp. A damaged capture
    // gets no stamp: it is exported (and reported) again next time.
    if let (None, false, Some(path)) = (&export.problem, stamped, last_part) {
        let file = fs::File::open(&path).map_err(|e| io_error(&path, "reading the last part", e))?;
        let mut rows = ParquetReader::new(file).finish()?;
        write_part(&path, &mut rows, &metadata, Some(&stamp))?;
    }
    Ok(export)
}

/// Writes one part file with its column list and, for a capture's last part, its export stamp.
fn write_part(path: &Path, rows: &mut DataFrame, fields: &str, stamp: Option<&str>) -> Result<()> {
    let mut metadata = vec![(FIELDS_KEY.to_string(), fields.to_string())];
    if let Some(stamp) = stamp {
        metadata.push((EXPORT_KEY.to_string(), stamp.to_string()));
    }
    let file = fs::File::create(path).map_err(|e| io_error(path, "creating a part file", e))?;
    ParquetWriter::new(file).with_key_value_metadata(Some(KeyValueMetadata::from_static(metadata))).finish(rows)?;
    Ok(())
}

/// Whether a part of the partition carries this export stamp (false when there is no partition).
fn already_exported(partition: &Path, stamp: &str) -> bool {
    let hours = fs::read_dir(partition).into_iter().flatten().flatten().map(|e| e.path());
    let mut parts = hours.flat_map(|hour| fs::read_dir(hour).into_iter().flatten().flatten().map(|e| e.path()));
    parts.any(|part| {
        let Ok(file) = fs::File::open(part) else { return false };
        let mut reader = ParquetReader::new(file);
        let Ok(metadata) = reader.get_metadata() else { return false };
        let pairs = metadata.key_value_metadata().as_deref().unwrap_or_default();
        pairs.iter().any(|kv| kv.key == EXPORT_KEY && kv.value.as_deref() == Some(stamp))
    })
}

/// `[{"name": ..., "type": ...}, ...]`: each column's Wireshark field and type.
fn field_metadata(fields: &[Field]) -> String {
    let items: Vec<String> =
        fields.iter().map(|f| format!("{{\"name\":\"{}\",\"type\":\"{:?}\"}}", f.def().name, f.def().ty)).collect();
    format!("[{}]", items.join(","))
}

/// The batch's rows grouped by the UTC hour of `frame.time_epoch` (in order of first row),
/// without that column unless it was asked for.
fn by_hour(batch: &DataFrame) -> Result<Vec<(String, DataFrame)>> {
    let epoch = batch.column(Field::FrameTimeEpoch.def().name)?.cast(&DataType::Int64)?;
    let epoch = epoch.i64()?;
    let hours: Vec<Option<i64>> =
        (0..epoch.len()).map(|i| epoch.get(i).map(|ns| ns.div_euclid(3_600_000_000_000))).collect();
    let mut distinct: Vec<Option<i64>> = Vec::new();
    for h in &hours {
        if !distinct.contains(h) {
            distinct.push(*h);
        }
    }
    distinct
        .into_iter()
        .map(|hour| {
            let mask = BooleanChunked::from_iter_values("hour".into(), hours.iter().map(|h| *h == hour));
            let name = hour.map_or_else(|| NO_HOUR.to_string(), hour_name);
            Ok((name, batch.filter(&mask)?))
        })
        .collect()
}

/// `YYYY-MM-DDTHH` (UTC) of an hour counted from the Unix epoch.
fn hour_name(hours: i64) -> String {
    let (days, hour) = (hours.div_euclid(24), hours.rem_euclid(24));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{hour:02}")
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The requested columns, with each `Datetime[ns]` one as microseconds and its exact
/// nanoseconds beside it (`NAME_ns`, Int64).
fn spark_safe(rows: DataFrame, fields: &[Field]) -> Result<DataFrame> {
    let mut columns = Vec::with_capacity(fields.len() + 1);
    for field in fields {
        let column = rows.column(field.def().name)?;
        if let DataType::Datetime(TimeUnit::Nanoseconds, zone) = column.dtype() {
            let zone = zone.clone();
            columns.push(column.cast(&DataType::Datetime(TimeUnit::Microseconds, zone))?);
            columns.push(column.cast(&DataType::Int64)?.with_name(format!("{}_ns", field.def().name).into()));
        } else {
            columns.push(column.clone());
        }
    }
    Ok(DataFrame::new(rows.height(), columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_frames_and_bytes_up_to_the_whole_capture() {
        let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/dorm-room.pcap");
        let dir = std::env::temp_dir().join(format!("pcapframe-progress-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let options = DatasetOptions { batch_rows: 1000, ..DatasetOptions::fields(["frame.len"]) };
        let mut seen: Vec<(usize, u64, u64)> = Vec::new();
        let done = write_dataset_with_progress(&[&capture], &dir, &options, &mut |p| {
            assert_eq!(p.capture, capture.as_path());
            seen.push((p.index, p.frames, p.bytes));
        })
        .unwrap();
        let frames = done[0].frames;
        assert!(seen.len() as u64 == frames.div_ceil(1000) && seen.len() > 2, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0].1 < w[1].1 && w[0].2 < w[1].2), "{seen:?}");
        assert_eq!(seen.last().map(|s| (s.1, s.2)), Some((frames, fs::metadata(&capture).unwrap().len())));
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The stamp goes on the last part of a capture read to its end, also when the capture ends
    /// exactly where a batch is full (then that part is written again): unchanged, it is skipped.
    #[test]
    fn an_unchanged_capture_is_skipped_wherever_its_last_batch_ends() {
        let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/edge-tcp-analysis.pcap");
        let dir = std::env::temp_dir().join(format!("pcapframe-skip-{}", std::process::id()));
        let frames = crate::read_pcap(&capture, &crate::ReadOptions::fields(["frame.len"])).unwrap().height();
        assert_ne!(frames % 7, 0, "batches of 7 must leave a short last batch");
        for batch_rows in [7, frames] {
            let _ = fs::remove_dir_all(&dir);
            let options = DatasetOptions { batch_rows, ..DatasetOptions::fields(["frame.len"]) };
            let first = write_dataset(&[&capture], &dir, &options).unwrap();
            assert!(!first[0].skipped && first[0].frames == frames as u64, "{first:?}");
            let second = write_dataset(&[&capture], &dir, &options).unwrap();
            assert!(second[0].skipped, "batches of {batch_rows}: {second:?}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hours_are_named_in_utc() {
        assert_eq!(hour_name(0), "1970-01-01T00");
        // 2025-03-14 14:02 UTC (the dorm-room capture) is hour 485_798 since the epoch.
        assert_eq!(hour_name(1_741_960_920 / 3600), "2025-03-14T14");
        assert_eq!(hour_name(-1), "1969-12-31T23");
        assert_eq!(hour_name(24 * 11_016), "2000-02-29T00");
    }

    #[test]
    fn partition_names_cannot_leave_the_dataset() {
        assert_eq!(partition_name(Path::new("/a/b/ring=1.pcap")), "ring_1.pcap");
        assert_eq!(partition_name(Path::new("..")), "capture");
    }

    #[test]
    fn datetimes_become_microseconds_and_nanoseconds() {
        let ns = 1_741_960_920_123_456_789i64;
        let time = Column::new("frame.time_epoch".into(), [ns])
            .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
            .unwrap();
        let df = DataFrame::new(1, vec![time]).unwrap();
        let safe = spark_safe(df, &[Field::FrameTimeEpoch]).unwrap();
        assert_eq!(safe.column("frame.time_epoch").unwrap().dtype(), &DataType::Datetime(TimeUnit::Microseconds, None));
        assert_eq!(safe.column("frame.time_epoch_ns").unwrap().i64().unwrap().get(0), Some(ns));
    }
}
