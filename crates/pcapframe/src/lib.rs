//! # pcapframe
//!
//! Packet captures (pcap, pcapng) as polars DataFrames whose columns are named exactly like
//! Wireshark fields (`frame.len`, `tcp.stream`, `eth.trailer`, ...) and hold the values
//! tshark 4.0 prints with its default preferences. No tshark is needed at run time.
//!
//! ```no_run
//! use pcapframe::{read_pcap, ReadOptions};
//! let df = read_pcap("capture.pcap", &ReadOptions::fields(["frame.len", "tcp.stream"]))?;
//! # Ok::<(), pcapframe::Error>(())
//! ```
//!
//! Layout: [`capture`] reads files, [`dissect`] decodes frames into [`fields`] values using the
//! conversation state in [`track`]; [`read_pcap`] builds typed columns and [`text`] prints
//! tshark's `-T fields` text; [`statistics`] gives Wireshark's conversation and endpoint tables,
//! [`follow`] one TCP connection's data in order.

#[cfg(any(feature = "lazy", feature = "parquet"))]
mod batch;
pub mod bytes;
pub mod capture;
mod column;
#[cfg(feature = "parquet")]
pub mod dataset;
pub mod dissect;
pub mod error;
pub mod export;
pub mod fields;
pub mod filter;
pub mod follow;
#[cfg(feature = "lazy")]
pub mod lazy;
pub mod limits;
#[cfg(feature = "notebook")]
pub mod notebook;
pub mod pipeline;
mod read;
mod scan;
pub mod statistics;
mod table;
pub mod text;
pub mod track;
#[cfg(feature = "vendors")]
pub mod vendor;

pub use capture::Coverage;
pub use capture::MergeOrder;
pub use error::{CaptureError, Error, Position, Result};
pub use fields::{Field, FieldType, FIELDS};
pub use filter::{filter_frame, DisplayFilter};
pub use follow::follow_tcp_stream;
pub use limits::Limits;
pub use read::{
    read_pcap, read_pcap_partial, read_pcap_reader, read_pcaps, read_pcaps_partial, resolve_fields, PartialRead,
    ReadOptions, TIME_COLUMN,
};
pub use scan::Scanner;
pub use table::{Occurrence, CHUNK_ROWS};

pub use polars;

/// Everything a notebook needs, in one `use`.
pub mod prelude {
    pub use crate::follow::{follow_tcp_stream, follow_tcp_text};
    #[cfg(feature = "lazy")]
    pub use crate::lazy::{scan_pcap, scan_pcaps, ScanOptions};
    #[cfg(feature = "notebook")]
    pub use crate::notebook::*;
    pub use crate::statistics::*;
    #[cfg(feature = "vendors")]
    pub use crate::vendor::mac_vendor;
    pub use crate::{
        filter_frame, read_pcap, read_pcap_partial, read_pcap_reader, read_pcaps, MergeOrder, Occurrence, ReadOptions,
    };
    pub use polars::prelude::*;
}
