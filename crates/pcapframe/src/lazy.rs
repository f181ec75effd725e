//! [`scan_pcap`]: a capture as a polars `LazyFrame` whose projection, predicate and row limit
//! reach the decoder (feature `lazy`).
//!
//! polars 0.55's one extension point for a custom lazy source is `AnonymousScan`; what the
//! optimiser hands it is pinned by this module's tests, because that API changes between polars
//! versions:
//! - **projection**: `with_columns` names the columns the query uses; only those fields (and
//!   the options' display filter's) are decoded, so a query on `frame.len` runs no TCP tracking;
//! - **predicate**: a filter on the scanned columns arrives as an `Expr`, and polars then does not
//!   filter again: the scan applies it to each batch of frames as they are read, so the rows it
//!   drops are never gathered into the result;
//! - **limit**: `n_rows` stops the read after that many frames (those that pass the options'
//!   display filter); polars passes it only for a limit that comes before any filter in the
//!   query, so a pushed-down predicate then applies to those frames only.
//!
//! An `AnonymousScan` runs on polars' in-memory engine only: `collect()` works; polars' streaming
//! engine and its `sink_*` calls do not support it (they panic inside polars), so write results
//! with `collect()` and then a writer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use crate::batch::BatchReader;
use crate::capture::MergeOrder;
use crate::column::ColumnBuilder;
use crate::error::{Error, Result};
use crate::fields::{Field, FieldSet};
use crate::filter::DisplayFilter;
use crate::limits::Limits;
use crate::read::resolve_fields;
use crate::scan::Scanner;
use crate::table::Occurrence;

/// Frames decoded between two applications of a pushed-down predicate.
const BATCH_ROWS: usize = 64 * 1024;

/// What [`scan_pcap`] offers: the columns a query may select, and filters that always apply.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Wireshark field names: the LazyFrame's schema, one column each. Only the ones a query
    /// uses are decoded.
    pub fields: Vec<String>,
    /// A display filter every row passes (applied while reading, like `ReadOptions`').
    pub display_filter: Option<String>,
    /// Which occurrence a column keeps when a field occurs several times in a frame.
    pub occurrence: Occurrence,
    /// Caps on what the capture may make pcapframe allocate.
    pub limits: Limits,
}

impl ScanOptions {
    /// Options whose schema is these fields.
    pub fn fields<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ScanOptions { fields: names.into_iter().map(Into::into).collect(), ..Default::default() }
    }

    /// Sets a display filter.
    pub fn display_filter(mut self, filter: impl Into<String>) -> Self {
        self.display_filter = Some(filter.into());
        self
    }
}

/// A capture as a `LazyFrame` with one column per field of `options.fields`; see the module
/// documentation for what reaches the decoder. `source` is a capture file, or a glob pattern
/// (`ring/*.pcap`) whose matches are read as one, as [`scan_pcaps`] reads them in
/// chronological order. Unknown fields, bad display filters and patterns that match no file are
/// errors here, before any query runs.
pub fn scan_pcap(source: impl AsRef<Path>, options: &ScanOptions) -> Result<LazyFrame> {
    scan(PcapScan::new(&expand(source.as_ref())?, MergeOrder::Chronological, options)?)
}

/// The files `source` names: itself when it exists or is no pattern; else the files its glob
/// pattern matches, in path order.
fn expand(source: &Path) -> Result<Vec<PathBuf>> {
    let text = source.to_string_lossy();
    if source.exists() || !text.contains(['*', '?', '[']) {
        return Ok(vec![source.to_path_buf()]);
    }
    let no_match = |why: String| Error::Open {
        path: source.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, why),
    };
    let matches = glob::glob(&text).map_err(|e| no_match(format!("not a valid glob pattern: {e}")))?;
    let mut paths = Vec::new();
    for entry in matches {
        let path = entry.map_err(|e| Error::Open { path: e.path().to_path_buf(), source: e.into() })?;
        if path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(no_match("no file matches this pattern".into()));
    }
    paths.sort();
    Ok(paths)
}

/// Several captures as one `LazyFrame`, read as [`crate::read_pcaps`] reads them (tshark's
/// reading of their `mergecap` output), with the same pushdown as [`scan_pcap`].
pub fn scan_pcaps<P: AsRef<Path>>(paths: &[P], order: MergeOrder, options: &ScanOptions) -> Result<LazyFrame> {
    let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_path_buf()).collect();
    scan(PcapScan::new(&paths, order, options)?)
}

fn scan(scan: PcapScan) -> Result<LazyFrame> {
    let args = ScanArgsAnonymous { schema: Some(scan.schema.clone()), name: "scan_pcap", ..Default::default() };
    Ok(LazyFrame::anonymous_scan(Arc::new(scan), args)?)
}

/// What one execution of the scan was asked for and decoded (kept for the tests).
#[derive(Debug, Clone, Default, PartialEq)]
struct ScanRecord {
    with_columns: Option<Vec<String>>,
    predicate: bool,
    n_rows: Option<usize>,
    decoded: Vec<&'static str>,
}

/// The `AnonymousScan` behind [`scan_pcap`].
struct PcapScan {
    paths: Vec<PathBuf>,
    order: MergeOrder,
    fields: Vec<Field>,
    display_filter: Option<DisplayFilter>,
    occurrence: Occurrence,
    limits: Limits,
    schema: SchemaRef,
    record: Mutex<Option<ScanRecord>>,
}

impl PcapScan {
    fn new(paths: &[PathBuf], order: MergeOrder, options: &ScanOptions) -> Result<Self> {
        let fields = resolve_fields(&options.fields)?;
        let display_filter = options.display_filter.as_deref().map(DisplayFilter::parse).transpose()?;
        // A builder's empty column carries the dtype `read_pcap` gives the field.
        let schema: Schema = fields
            .iter()
            .map(|f| {
                let column = ColumnBuilder::for_field(*f, 0).finish(*f);
                (column.name().clone(), column.dtype().clone())
            })
            .collect();
        Ok(PcapScan {
            paths: paths.to_vec(),
            order,
            fields,
            display_filter,
            occurrence: options.occurrence,
            limits: options.limits,
            schema: Arc::new(schema),
            record: Mutex::new(None),
        })
    }

    /// The fields a scan decodes: the projected columns, the predicate's, the display filter's.
    fn decoded(&self, with_columns: &Option<Arc<[PlSmallStr]>>, predicate: &Option<Expr>) -> Vec<Field> {
        let mut names: Vec<PlSmallStr> = match with_columns {
            Some(columns) => columns.to_vec(),
            None => self.schema.iter_names().cloned().collect(),
        };
        if let Some(p) = predicate {
            for e in p {
                if let Expr::Column(name) = e {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
            }
        }
        self.fields.iter().copied().filter(|f| names.iter().any(|n| n.as_str() == f.def().name)).collect()
    }

    fn run(&self, args: &AnonymousScanArgs) -> Result<DataFrame> {
        let decoded = self.decoded(&args.with_columns, &args.predicate);
        *self.record.lock().unwrap_or_else(|e| e.into_inner()) = Some(ScanRecord {
            with_columns: args.with_columns.as_ref().map(|c| c.iter().map(|n| n.to_string()).collect()),
            predicate: args.predicate.is_some(),
            n_rows: args.n_rows,
            decoded: decoded.iter().map(|f| f.def().name).collect(),
        });
        let mut wanted: FieldSet = decoded.iter().copied().collect();
        if let Some(f) = &self.display_filter {
            wanted.extend(f.fields());
        }
        let scanner = match self.paths.as_slice() {
            [one] => Scanner::open(one, wanted, self.limits)?,
            many => Scanner::open_many(many, self.order, wanted, self.limits)?,
        };
        let mut batches = BatchReader::new(scanner, decoded.clone(), self.display_filter.clone(), self.occurrence);
        // polars hands the scan a row limit only when the limit comes before any filter in the
        // query (`limit(n).filter(p)`): it counts the frames read, before the predicate.
        let limit = args.n_rows;
        let empty = || {
            DataFrame::empty_with_schema(
                &self.schema.try_project(decoded.iter().map(|f| f.def().name)).unwrap_or_default(),
            )
        };
        let mut frame = empty();
        let mut read = 0usize;
        loop {
            let rows = limit.map_or(BATCH_ROWS, |n| n.saturating_sub(read).min(BATCH_ROWS));
            if rows == 0 {
                break;
            }
            let Some(batch) = batches.next_batch(rows)? else { break };
            read += batch.height();
            let batch = match &args.predicate {
                Some(p) => batch.lazy().filter(p.clone()).collect()?,
                None => batch,
            };
            frame.vstack_mut(&batch)?;
        }
        if let Some(problem) = batches.problem() {
            return Err(Error::Capture(problem.clone()));
        }
        frame.rechunk_mut();
        let columns: Vec<PlSmallStr> = match &args.with_columns {
            Some(c) => c.to_vec(),
            None => self.schema.iter_names().cloned().collect(),
        };
        Ok(frame.select(columns)?)
    }
}

impl AnonymousScan for PcapScan {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn scan(&self, args: AnonymousScanArgs) -> PolarsResult<DataFrame> {
        self.run(&args).map_err(|e| match e {
            Error::Polars(p) => p,
            other => PolarsError::ComputeError(other.to_string().into()),
        })
    }

    fn schema(&self, _infer_schema_length: Option<usize>) -> PolarsResult<SchemaRef> {
        Ok(self.schema.clone())
    }

    fn allows_predicate_pushdown(&self) -> bool {
        true
    }

    fn allows_projection_pushdown(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests;
