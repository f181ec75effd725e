//! Streaming access to pcap and pcapng files: one [`Record`] at a time, in constant memory.
//!
//! The format is detected from the magic number, never from the file name.

mod coverage;
mod legacy;
mod merge;
mod padded;
mod read_ahead;
mod reader;
mod timestamp;

pub use coverage::{link_type_name, Coverage};
pub use merge::{MergeOrder, MergedReader};
pub use reader::{CaptureFormat, CaptureReader, ReaderLimits, Record, RecordKind, NO_LINK};
pub use timestamp::TsResolution;
