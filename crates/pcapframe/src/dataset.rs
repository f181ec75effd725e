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

use std::fs;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::batch::BatchReader;
use crate::error::{CaptureError, Error, Result};
use crate::fields::{Field, FieldSet};
use crate::filter::DisplayFilter;
use crate::limits::Limits;
use crate::read::resolve_fields;
use crate::scan::Scanner;
use crate::table::Occurrence;

/// Frames per batch (and at most per part file) by default.
pub const DEFAULT_BATCH_ROWS: usize = 256 * 1024;

/// The name of the hour partition of frames without a timestamp (Spark's and hive's default).
pub const NO_HOUR: &str = "__HIVE_DEFAULT_PARTITION__";

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
    /// Where and how the capture is damaged: the frames before the damage were written.
    pub problem: Option<CaptureError>,
}

/// Writes each capture's frames into its own partition of the dataset `dir` (see the module
/// documentation). A capture already exported with the same options and unchanged since is
/// skipped; a damaged one keeps its intact frames and says what the damage was (and is written
/// again on the next run); neither stops the others. Errors are for what makes every capture fail (a bad field, a bad filter, a
/// directory that cannot be written) and for captures that cannot be opened.
pub fn write_dataset<P: AsRef<Path>>(
    captures: &[P],
    dir: impl AsRef<Path>,
    options: &DatasetOptions,
) -> Result<Vec<CaptureExport>> {
    let fields = resolve_fields(&options.fields)?;
    let filter = options.display_filter.as_deref().map(DisplayFilter::parse).transpose()?;
    if options.batch_rows == 0 {
        return Err(Error::Unsupported("a dataset batch must hold at least one frame".into()));
    }
    let dir = dir.as_ref();
    let mut done = Vec::with_capacity(captures.len());
    for capture in captures {
        done.push(write_capture(capture.as_ref(), dir, &fields, filter.as_ref(), options)?);
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
) -> Result<CaptureExport> {
    let name = partition_name(capture);
    let partition = dir.join(format!("capture={name}"));
    let stamp_path = dir.join(format!("_pcapframe_capture={name}"));
    let stamp = stamp(capture, options)?;
    let mut export =
        CaptureExport { capture: capture.to_path_buf(), name, frames: 0, files: 0, skipped: false, problem: None };
    if partition.is_dir() && fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp) {
        export.skipped = true;
        return Ok(export);
    }
    if partition.exists() {
        fs::remove_dir_all(&partition).map_err(|e| io_error(&partition, "removing the old export", e))?;
    }
    let _ = fs::remove_file(&stamp_path);
    // frame.time_epoch is always read: it names the hour partition.
    let mut read_fields = fields.to_vec();
    if !read_fields.contains(&Field::FrameTimeEpoch) {
        read_fields.push(Field::FrameTimeEpoch);
    }
    let mut wanted: FieldSet = read_fields.iter().copied().collect();
    if let Some(f) = filter {
        wanted.extend(f.fields());
    }
    let scanner = Scanner::open(capture, wanted, options.limits)?;
    let mut batches = BatchReader::new(scanner, read_fields, filter.cloned(), Occurrence::First);
    let metadata = field_metadata(fields);
    let mut part = 0u64;
    while let Some(batch) = batches.next_batch(options.batch_rows)? {
        export.frames += batch.height() as u64;
        for (hour, rows) in by_hour(&batch)? {
            let mut rows = spark_safe(rows, fields)?;
            let hour_dir = partition.join(format!("hour={hour}"));
            fs::create_dir_all(&hour_dir).map_err(|e| io_error(&hour_dir, "creating the partition", e))?;
            let path = hour_dir.join(format!("part-{part:05}.parquet"));
            let file = fs::File::create(&path).map_err(|e| io_error(&path, "creating a part file", e))?;
            ParquetWriter::new(file)
                .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(
                    "pcapframe.fields".into(),
                    metadata.clone(),
                )])))
                .finish(&mut rows)?;
            export.files += 1;
        }
        part += 1;
    }
    export.problem = batches.problem().cloned();
    // A damaged capture is exported again (and reported again) next time: no stamp.
    if export.problem.is_none() {
        fs::write(&stamp_path, stamp).map_err(|e| io_error(&stamp_path, "writing the export stamp", e))?;
    }
    Ok(export)
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
