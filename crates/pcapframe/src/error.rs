//! Typed errors: every one says what went wrong and where.

use std::path::PathBuf;

/// Where in a capture file a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based number of the frame being read (the frame that would come next).
    pub frame: u64,
    /// Byte offset of the record or block in the file.
    pub offset: u64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "frame {} at byte offset {}", self.frame, self.offset)
    }
}

/// A problem with the capture file itself (not with a packet inside it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// The file does not start with a pcap or pcapng magic number.
    #[error("not a pcap or pcapng file (magic number {magic:02x?} at byte offset 0)")]
    UnknownFormat { magic: Vec<u8> },
    /// The file ends inside a record or block.
    #[error(
        "the capture appears to have been cut short in the middle of a packet ({at}: {needed} more bytes expected)"
    )]
    CutShort { at: Position, needed: u64 },
    /// A record claims a length larger than we accept.
    #[error("{what} of {length} bytes exceeds the maximum of {max} bytes ({at})")]
    TooLong { what: &'static str, length: u64, max: u64, at: Position },
    /// A block or record that cannot be parsed.
    #[error("corrupt {what} ({at})")]
    Corrupt { what: String, at: Position },
    /// A packet refers to a pcapng interface that was never described.
    #[error("packet refers to interface {interface} but the section describes only {described} ({at})")]
    UnknownInterface { interface: u32, described: usize, at: Position },
    /// Reading the underlying file failed.
    #[error("read error ({at}): {message}")]
    Io { message: String, at: Position },
    /// A problem in one of several files read as one (`read_pcaps`): its position is the file's own.
    #[error("{}: {source}", file.display())]
    InFile { file: PathBuf, source: Box<CaptureError> },
}

/// Everything that can fail in pcapframe.
///
/// `Debug` prints the same one-line message as `Display` (as `anyhow` does), so that a `?` in a
/// notebook cell or `main` shows what and where, not a nest of struct fields.
#[derive(thiserror::Error)]
pub enum Error {
    /// Opening the file failed.
    #[error("cannot open {path}: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    /// The capture is damaged or not a capture.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// A field name that pcapframe does not know.
    #[error("{0}")]
    UnknownField(#[from] crate::fields::UnknownField),
    /// A display filter that cannot be used.
    #[error("{0}")]
    Filter(#[from] crate::filter::FilterError),
    /// An option that is not supported (yet).
    #[error("{0}")]
    Unsupported(String),
    /// Drawing a figure failed.
    #[error("plot: {0}")]
    Plot(String),
    /// Building the DataFrame failed.
    #[error("polars: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Result with pcapframe's error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_the_one_line_message() {
        let e = Error::Capture(CaptureError::CutShort { at: Position { frame: 12, offset: 3456 }, needed: 40 });
        let expected = "the capture appears to have been cut short in the middle of a packet \
                        (frame 12 at byte offset 3456: 40 more bytes expected)";
        assert_eq!(format!("{e:?}"), expected);
        assert_eq!(e.to_string(), expected);
    }
}
