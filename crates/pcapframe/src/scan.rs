//! [`Scanner`]: reader + dissector, yielding each frame's field values in turn.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::capture::{CaptureReader, Coverage, MergeOrder, MergedReader, Record};
use crate::dissect::{DeferredSegment, Dissector, TcpCompletion};
use crate::error::{CaptureError, Error, Result};
use crate::fields::{FieldSet, FrameValues};
use crate::limits::Limits;
use crate::track::TrackLimits;

/// Where a scanner's records come from: one capture, or several read as one.
enum Source<'r> {
    One(CaptureReader<'r>),
    Many(MergedReader<'r>),
}

impl Source<'_> {
    #[inline]
    fn next_record(&mut self) -> Result<Option<Record<'_>>, CaptureError> {
        match self {
            Source::One(r) => r.next_record(),
            Source::Many(r) => r.next_record(),
        }
    }

    fn coverage(&self) -> Coverage {
        match self {
            Source::One(r) => r.coverage().clone(),
            Source::Many(r) => r.coverage(),
        }
    }
}

/// Streams a capture frame by frame, decoding only the wanted fields.
pub struct Scanner<'r> {
    reader: Source<'r>,
    dissector: Dissector,
    values: FrameValues,
}

impl Scanner<'static> {
    /// Opens a capture file.
    pub fn open(path: impl AsRef<Path>, wanted: FieldSet, limits: Limits) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| Error::Open { path: path.to_path_buf(), source })?;
        Scanner::from_reader(file, wanted, limits)
    }

    /// Opens several capture files and reads them as one, as tshark reads their `mergecap`
    /// output (`MergeOrder::Chronological`) or `mergecap -a` output (`Concatenated`): frames
    /// numbered across files, TCP and UDP streams numbered across files.
    pub fn open_many<P: AsRef<Path>>(paths: &[P], order: MergeOrder, wanted: FieldSet, limits: Limits) -> Result<Self> {
        if paths.is_empty() {
            return Err(Error::Unsupported("no capture file to read".into()));
        }
        let mut readers = Vec::with_capacity(paths.len());
        for path in paths {
            let path = path.as_ref();
            let file = File::open(path).map_err(|source| Error::Open { path: path.to_path_buf(), source })?;
            let reader = CaptureReader::new(file, limits.reader)
                .map_err(|e| Error::Open { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) })?;
            readers.push(reader);
        }
        let names = paths.iter().map(|p| p.as_ref().to_path_buf()).collect();
        let merged = MergedReader::new(readers, names, order);
        Ok(Scanner {
            reader: Source::Many(merged),
            dissector: Dissector::with_limits(&wanted, limits.tracking),
            values: FrameValues::new(wanted),
        })
    }

    /// Reads a capture from any byte stream (standard input, a pipe, a socket, memory).
    pub fn from_reader(input: impl Read + Send + 'static, wanted: FieldSet, limits: Limits) -> Result<Self> {
        let reader = CaptureReader::owning(input, limits.reader)?;
        Ok(Scanner::with_limits(reader, wanted, limits.tracking))
    }
}

impl<'r> Scanner<'r> {
    /// For a scanner of several files: which one (an index into the paths given) the last
    /// frame came from.
    pub fn current_file(&self) -> Option<usize> {
        match &self.reader {
            Source::One(_) => Some(0),
            Source::Many(r) => r.current_file(),
        }
    }

    /// Bytes of the capture read so far (for a scanner of several files: of all of them).
    pub fn bytes_read(&self) -> u64 {
        match &self.reader {
            Source::One(r) => r.position().offset,
            Source::Many(r) => r.bytes_read(),
        }
    }

    /// Scans from an already opened reader.
    pub fn new(reader: CaptureReader<'r>, wanted: FieldSet) -> Self {
        Scanner::with_limits(reader, wanted, TrackLimits::default())
    }

    /// Scans from an already opened reader, keeping conversation state within `limits`.
    pub fn with_limits(reader: CaptureReader<'r>, wanted: FieldSet, limits: TrackLimits) -> Self {
        Scanner {
            reader: Source::One(reader),
            dissector: Dissector::with_limits(&wanted, limits),
            values: FrameValues::new(wanted),
        }
    }

    /// Conversations retired so far to stay within the caps (see [`TrackLimits`]).
    pub fn retired_conversations(&self) -> u64 {
        self.dissector.retired_conversations()
    }

    /// TCP segments awaiting an ACK that were forgotten to stay within
    /// [`TrackLimits::max_unacked_segments`] (their ACKs get no `tcp.analysis.acks_frame`).
    pub fn dropped_unacked_segments(&self) -> u64 {
        self.dissector.dropped_unacked_segments()
    }

    /// TCP connections whose pending application data was dropped to stay within the caps
    /// (see [`crate::Dissector::dropped_app_connections`]).
    pub fn dropped_app_connections(&self) -> u64 {
        self.dissector.dropped_app_connections()
    }

    /// Starts keeping HTTP message bodies for export (see [`crate::export`]).
    pub(crate) fn collect_http_objects(&mut self) {
        self.dissector.collect_http_objects();
    }

    /// The HTTP message bodies completed since the last call, in order.
    pub(crate) fn take_http_objects(&mut self) -> Vec<crate::dissect::BodyObject> {
        self.dissector.take_http_objects()
    }

    /// What was passed over so far: skipped pcapng blocks and frames of undecoded link types.
    pub fn coverage(&self) -> Coverage {
        let mut coverage = self.reader.coverage();
        coverage.merge(self.dissector.coverage());
        coverage
    }

    /// Reads and dissects the next frame into `values` (made by [`Scanner::new_values`]) rather
    /// than into the scanner's own store; `Ok(false)` at the end of the capture.
    pub(crate) fn next_frame_into(&mut self, values: &mut FrameValues) -> Result<bool, CaptureError> {
        // The record is dissected where the reader returned it: moved out first, it was copied
        // with wider loads than the stores that wrote it, which stalled the CPU.
        match self.reader.next_record() {
            Ok(Some(ref rec)) => {
                self.dissector.dissect(rec, values);
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// An empty store for the fields this scanner decodes.
    pub(crate) fn new_values(&self) -> FrameValues {
        FrameValues::new(*self.values.wanted())
    }

    /// From now on, reads the capture ahead of its parsing on a thread of its own, where it can
    /// (one legacy pcap file or stream opened by this scanner; see [`CaptureReader::read_ahead`]).
    pub(crate) fn read_ahead(&mut self) {
        if let Source::One(reader) = &mut self.reader {
            reader.read_ahead();
        }
    }

    /// Hands the TCP tracker over to the caller (see [`crate::Dissector`]'s
    /// `defer_tcp_tracking`), when the fields read allow it.
    pub(crate) fn defer_tcp_tracking(&mut self) -> Option<TcpCompletion> {
        self.dissector.defer_tcp_tracking()
    }

    /// Takes the TCP tracker back.
    pub(crate) fn resume_tcp_tracking(&mut self, completion: TcpCompletion) {
        self.dissector.resume_tcp_tracking(completion);
    }

    /// Swaps the TCP segments that wait to be tracked with `segments` (see
    /// [`crate::Dissector`]'s `swap_deferred_segments`); `false` when none are deferred.
    pub(crate) fn swap_deferred_segments(&mut self, segments: &mut Vec<DeferredSegment>) -> bool {
        self.dissector.swap_deferred_segments(segments)
    }

    /// How many TCP segments wait to be tracked.
    pub(crate) fn deferred_count(&self) -> usize {
        self.dissector.deferred_count()
    }

    /// How many fields the scanner decodes.
    pub(crate) fn wanted_fields(&self) -> usize {
        self.values.wanted().len()
    }

    /// Whether frames cost enough to decode to be worth spreading over threads: false when only
    /// `frame.*` fields are wanted (see [`crate::pipeline`]).
    pub(crate) fn worth_threads(&self) -> bool {
        self.dissector.decodes_layers()
    }

    /// The values of the frame [`Scanner::next_frame`] returned last.
    pub(crate) fn values(&self) -> &FrameValues {
        &self.values
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
