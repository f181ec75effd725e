//! Running a request: field text to stdout, or typed columns to a file.

use std::fs::File;
use std::io::Write;
use std::process::ExitCode;

use pcapframe::fields::FieldSet;
use pcapframe::fields::FieldType;
use pcapframe::filter::DisplayFilter;
use pcapframe::pipeline::default_threads;
use pcapframe::polars::prelude::*;
use pcapframe::{
    read_pcap_partial, read_pcap_reader, read_pcaps_partial, resolve_fields, CaptureError, Coverage, Limits,
    MergeOrder, PartialRead, ReadOptions, Scanner, CHUNK_ROWS, FIELDS,
};
use std::ops::ControlFlow;

use pcapframe::dataset::DatasetOptions;

use crate::args::{ExportRequest, FieldsRequest, FollowFormat, FollowRequest};
use crate::progress::ExportBar;

/// Exit status when the capture is damaged after some frames were printed (as tshark: 2).
const EXIT_DAMAGED: u8 = 2;

/// `-G fields`: one line per field, laid out like tshark's report.
pub fn list_fields() -> ExitCode {
    let mut out = String::new();
    for f in FIELDS {
        let base = match f.ty {
            FieldType::Hex { .. } => "BASE_HEX",
            FieldType::UInt { .. } | FieldType::Int32 | FieldType::Int8 => "BASE_DEC",
            _ => "",
        };
        out.push_str(&format!(
            "F\t{}\t{}\t{}\t{}\t{}\t0x0\t\n",
            f.description,
            f.name,
            f.ty.wireshark_name(),
            f.protocol,
            base
        ));
    }
    print!("{out}");
    ExitCode::SUCCESS
}

/// Whether `--out PATH` names a dataset directory (a trailing `/` or an existing directory).
fn is_dataset(path: &str) -> bool {
    path.ends_with('/') || std::path::Path::new(path).is_dir()
}

/// `--out DIR/`: each `-r` capture into its partition of a Parquet dataset, then a summary table
/// on standard error; exit status 2 when a capture was damaged or could not be read (the others
/// are written all the same).
fn write_dataset(req: &FieldsRequest, dir: &str) -> ExitCode {
    let options = DatasetOptions {
        display_filter: req.display_filter.clone(),
        limits: limits(req),
        ..DatasetOptions::fields(req.fields.iter().cloned())
    };
    let captures = files(req);
    let bar = ExportBar::new(&captures);
    let written = pcapframe::dataset::write_dataset_with_progress(&captures, dir, &options, &mut |p| bar.update(p));
    bar.finish();
    match written {
        Ok(exports) => {
            eprintln!("{:<40} {:>10} {:>6}  result", "capture", "frames", "files");
            let mut damaged = false;
            for e in &exports {
                let result = match (&e.problem, e.skipped) {
                    (_, true) => "unchanged since the last export: skipped".to_string(),
                    (Some(problem), _) => {
                        damaged = true;
                        if e.frames == 0 {
                            format!("not read: {problem}")
                        } else {
                            format!("damaged, the frames before the damage written: {problem}")
                        }
                    }
                    (None, false) => "written".to_string(),
                };
                eprintln!("{:<40} {:>10} {:>6}  {result}", e.name, e.frames, e.files);
            }
            if damaged {
                ExitCode::from(EXIT_DAMAGED)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("pcapframe: {e}");
            ExitCode::from(1)
        }
    }
}

/// `-r FILE -T fields ...` or `--out PATH`.
pub fn run(req: &FieldsRequest) -> ExitCode {
    if let Some(dir) = req.out.as_deref().filter(|p| is_dataset(p)) {
        return write_dataset(req, dir);
    }
    let result = match &req.out {
        Some(path) => write_table(req, path),
        None => print_text(req),
    };
    let result = result.map(|outcome| {
        if outcome.retired > 0 {
            eprintln!(
                "pcapframe: {} idle conversations were retired to stay within {} per protocol \
                 (--max-conversations); one that returns after that gets a new stream number, unlike in tshark",
                outcome.retired,
                limits(req).tracking.max_conversations
            );
        }
        if outcome.dropped_app > 0 {
            eprintln!(
                "pcapframe: the pending application data of {} TCP connections was dropped to stay within \
                 {} bytes per connection and {} in all; the messages they waited for have no fields",
                outcome.dropped_app,
                limits(req).tracking.max_app_connection_bytes,
                limits(req).tracking.max_app_total_bytes
            );
        }
        if !outcome.coverage.is_complete() {
            eprintln!("pcapframe: warning: {}", outcome.coverage);
        }
        outcome.problem
    });
    match result {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(problem)) => {
            eprintln!("pcapframe: The file \"{}\" is damaged: {problem}", req.file);
            ExitCode::from(EXIT_DAMAGED)
        }
        Err(message) => {
            eprintln!("pcapframe: {message}");
            ExitCode::from(1)
        }
    }
}

/// How a run ended: the damage that stopped it, if any, how many conversations were retired,
/// and what was passed over.
struct Outcome {
    problem: Option<CaptureError>,
    retired: u64,
    dropped_app: u64,
    coverage: Coverage,
}

/// `-r -` reads standard input, as tshark does.
const STDIN: &str = "-";

fn open_scanner(req: &FieldsRequest, wanted: FieldSet) -> Result<Scanner<'static>, String> {
    let scanner = if !req.more_files.is_empty() {
        Scanner::open_many(&files(req), merge_order(req), wanted, limits(req))
    } else if req.file == STDIN {
        Scanner::from_reader(std::io::stdin(), wanted, limits(req))
    } else {
        Scanner::open(&req.file, wanted, limits(req))
    };
    scanner.map_err(|e| e.to_string())
}

/// Every `-r` file, in the order given.
fn files(req: &FieldsRequest) -> Vec<String> {
    std::iter::once(req.file.clone()).chain(req.more_files.iter().cloned()).collect()
}

fn merge_order(req: &FieldsRequest) -> MergeOrder {
    if req.concatenate {
        MergeOrder::Concatenated
    } else {
        MergeOrder::Chronological
    }
}

fn limits(req: &FieldsRequest) -> Limits {
    let mut limits = Limits::default();
    if let Some(max) = req.max_conversations {
        limits.tracking.max_conversations = max;
    }
    limits
}

fn print_text(req: &FieldsRequest) -> Result<Outcome, String> {
    let fields = resolve_fields(&req.fields).map_err(|e| e.to_string())?;
    let filter = req.display_filter.as_deref().map(DisplayFilter::parse).transpose().map_err(|e| e.to_string())?;
    let mut wanted: FieldSet = fields.iter().copied().collect();
    if let Some(f) = &filter {
        wanted.extend(f.fields());
    }
    let mut scanner = open_scanner(req, wanted)?;
    // `line` is the buffer: written out whole once past 64 KiB.
    let mut sink = std::io::stdout().lock();
    let mut line = Vec::with_capacity(1 << 17);
    if req.format.header {
        let mut header = String::new();
        req.format.write_header(&fields, &mut header);
        line.extend_from_slice(header.as_bytes());
    }
    let mut failed_write = None;
    let threads = req.threads.unwrap_or_else(default_threads);
    let problem = scanner.map_batches(
        threads,
        req.max_frames,
        || req.format.rows(&fields),
        |rows, frames| {
            let mut text = Vec::with_capacity(frames.len() * 64);
            for (frame, _) in frames.iter() {
                if filter.as_ref().is_none_or(|f| f.matches(frame)) {
                    rows.write(frame, &mut text);
                }
            }
            text
        },
        |text| {
            line.extend_from_slice(&text);
            if line.len() > 1 << 16 {
                if let Err(e) = write_out(&mut sink, &mut line) {
                    failed_write = Some(e);
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        },
    );
    if let Some(e) = failed_write {
        return Err(e);
    }
    write_out(&mut sink, &mut line)?;
    sink.flush().map_err(|e| format!("writing output: {e}"))?;
    Ok(Outcome {
        problem,
        retired: scanner.retired_conversations(),
        dropped_app: scanner.dropped_app_connections(),
        coverage: scanner.coverage(),
    })
}

/// CSV has no bytes type: binary columns (`eth.padding`, `eth.trailer`) become hex text, as tshark
/// prints them.
fn hex_bytes_columns(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let columns = frame
        .columns()
        .iter()
        .map(|c| match c.dtype() {
            DataType::Binary => {
                let bytes = c.binary()?;
                let hex: StringChunked = (0..bytes.len())
                    .map(|i| bytes.get(i).map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<String>()))
                    .collect();
                Ok(hex.with_name(c.name().clone()).into_column())
            }
            _ => Ok(c.clone()),
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(frame.height(), columns)
}

fn write_out(sink: &mut impl Write, line: &mut Vec<u8>) -> Result<(), String> {
    sink.write_all(line).map_err(|e| format!("writing output: {e}"))?;
    line.clear();
    Ok(())
}

fn write_table(req: &FieldsRequest, path: &str) -> Result<Outcome, String> {
    let options = ReadOptions {
        max_frames: req.max_frames,
        limits: limits(req),
        display_filter: req.display_filter.clone(),
        threads: req.threads,
        ..ReadOptions::fields(req.fields.iter().cloned())
    };
    let partial: Result<PartialRead, _> = if !req.more_files.is_empty() {
        read_pcaps_partial(&files(req), merge_order(req), &options)
    } else if req.file == STDIN {
        read_pcap_reader(std::io::stdin(), &options)
    } else {
        read_pcap_partial(&req.file, &options)
    };
    let mut partial = partial.map_err(|e| e.to_string())?;
    let file = File::create(path).map_err(|e| format!("cannot create {path}: {e}"))?;
    let extension = path.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    let written = match extension.as_str() {
        // Row groups of the frame's chunks: larger ones would copy the whole frame first.
        "parquet" => {
            ParquetWriter::new(file).with_row_group_size(Some(CHUNK_ROWS)).finish(&mut partial.frame).map(|_| ())
        }
        "csv" => CsvWriter::new(file)
            .finish(&mut hex_bytes_columns(&partial.frame).map_err(|e| format!("writing {path}: {e}"))?),
        "arrow" | "ipc" | "feather" => IpcWriter::new(file).finish(&mut partial.frame),
        other => return Err(format!("unknown output extension '.{other}' (parquet, csv or arrow)")),
    };
    written.map_err(|e| format!("writing {path}: {e}"))?;
    Ok(Outcome {
        problem: partial.problem,
        retired: partial.retired_conversations,
        dropped_app: partial.dropped_app_connections,
        coverage: partial.coverage,
    })
}

/// Prints one TCP stream as `tshark -q -z follow,tcp,...` does.
pub fn follow(req: &FollowRequest) -> ExitCode {
    let text = match req.format {
        FollowFormat::Ascii => pcapframe::follow::follow_tcp_text(&req.file, req.stream),
        FollowFormat::Yaml => pcapframe::follow::follow_tcp_yaml(&req.file, req.stream),
    };
    match text {
        Ok(bytes) => {
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(&bytes).and_then(|()| stdout.flush()).is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(pcapframe::Error::Capture(problem)) => {
            eprintln!("pcapframe: The file \"{}\" is damaged: {problem}", req.file);
            ExitCode::from(EXIT_DAMAGED)
        }
        Err(e) => {
            eprintln!("pcapframe: {e}");
            ExitCode::from(1)
        }
    }
}

/// Writes every HTTP object as `tshark -q --export-objects http,DIR` does (printing nothing).
pub fn export_objects(req: &ExportRequest) -> ExitCode {
    match pcapframe::export::export_http_objects(&req.file, &req.dir) {
        Ok(summary) => match summary.problem {
            None => ExitCode::SUCCESS,
            Some(problem) => {
                eprintln!("pcapframe: The file \"{}\" is damaged: {problem}", req.file);
                ExitCode::from(EXIT_DAMAGED)
            }
        },
        Err(e) => {
            eprintln!("pcapframe: {e}");
            ExitCode::from(1)
        }
    }
}
