//! [`Scanner`]: reader + dissector, yielding each frame's field values in turn.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::capture::{CaptureReader, ReaderLimits};
use crate::dissect::Dissector;
use crate::error::{CaptureError, Error, Result};
use crate::fields::{FieldSet, FrameValues};

/// Streams a capture frame by frame, decoding only the wanted fields.
pub struct Scanner<'r> {
    reader: CaptureReader<'r>,
    dissector: Dissector,
    values: FrameValues,
}

impl Scanner<'static> {
    /// Opens a capture file.
    pub fn open(path: impl AsRef<Path>, wanted: FieldSet, limits: ReaderLimits) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| Error::Open { path: path.to_path_buf(), source })?;
        Ok(Scanner::new(CaptureReader::new(BufReader::with_capacity(1 << 16, file), limits)?, wanted))
    }
}

impl<'r> Scanner<'r> {
    /// Scans from an already opened reader.
    pub fn new(reader: CaptureReader<'r>, wanted: FieldSet) -> Self {
        Scanner { reader, dissector: Dissector::new(&wanted), values: FrameValues::new(wanted) }
    }

    /// The next frame's values; `Ok(None)` at the end of the capture.
    pub fn next_frame(&mut self) -> Result<Option<&FrameValues>, CaptureError> {
        match self.reader.next_record()? {
            Some(rec) => {
                self.dissector.dissect(&rec, &mut self.values);
                Ok(Some(&self.values))
            }
            None => Ok(None),
        }
    }
}
