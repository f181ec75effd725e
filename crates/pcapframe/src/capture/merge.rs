//! Several captures read as one, as tshark reads their `mergecap` output: in timestamp order
//! (`mergecap`'s default; on equal times the file given later first, as mergecap 4.0 orders
//! them) or one after the other
//! (`mergecap -a`), with frames numbered across files.

use std::path::PathBuf;

use super::coverage::Coverage;
use super::reader::{CaptureReader, Record, RecordKind};
use crate::error::CaptureError;

/// How the frames of several captures are interleaved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MergeOrder {
    /// By timestamp, as `mergecap` (the default).
    #[default]
    Chronological,
    /// Each file's frames after the previous file's, as `mergecap -a`.
    Concatenated,
}

/// A record copied out of its reader, so that several files' next records can be compared.
#[derive(Debug, Clone)]
struct Held {
    kind: RecordKind,
    timestamp_ns: Option<i64>,
    wire_len: u32,
    data: Vec<u8>,
    interface_id: Option<u32>,
    link_type: u32,
    offset: u64,
}

/// Streams the packets of several captures as one.
pub struct MergedReader<'r> {
    readers: Vec<CaptureReader<'r>>,
    /// The files' names, for errors.
    names: Vec<PathBuf>,
    heads: Vec<Option<Held>>,
    /// Files whose next record must be read before the next choice.
    stale: Vec<bool>,
    /// The first error: every later call returns it again.
    failed: Option<CaptureError>,
    order: MergeOrder,
    number: u64,
    current: Option<(usize, Held)>,
    coverage: Coverage,
}

impl<'r> MergedReader<'r> {
    /// Merges `readers` (read from the files `names`, named in errors); their order sets the
    /// concatenation order and breaks ties of time.
    pub fn new(readers: Vec<CaptureReader<'r>>, names: Vec<PathBuf>, order: MergeOrder) -> Self {
        let n = readers.len();
        MergedReader {
            readers,
            names,
            heads: vec![None; n],
            stale: vec![true; n],
            failed: None,
            order,
            number: 0,
            current: None,
            coverage: Coverage::default(),
        }
    }

    /// Which file the last record returned came from (an index into the readers given).
    pub fn current_file(&self) -> Option<usize> {
        self.current.as_ref().map(|(file, _)| *file)
    }

    /// Bytes read so far, from all the files.
    pub fn bytes_read(&self) -> u64 {
        self.readers.iter().map(|r| r.position().offset).sum()
    }

    /// What every reader passed over so far.
    pub fn coverage(&self) -> Coverage {
        let mut coverage = self.coverage.clone();
        for reader in &self.readers {
            coverage.merge(reader.coverage());
        }
        coverage
    }

    /// Reads file `i`'s next record into its head slot.
    fn refill(&mut self, i: usize) -> Result<(), CaptureError> {
        let record = self.readers[i].next_record().map_err(|e| CaptureError::InFile {
            file: self.names.get(i).cloned().unwrap_or_default(),
            source: Box::new(e),
        })?;
        self.heads[i] = record.map(|rec| Held {
            kind: rec.kind,
            timestamp_ns: rec.timestamp_ns,
            wire_len: rec.wire_len,
            data: rec.data.to_vec(),
            interface_id: rec.interface_id,
            link_type: rec.link_type,
            offset: rec.offset,
        });
        self.stale[i] = false;
        Ok(())
    }

    /// Which file's head comes next: as mergecap 4.0, a record without a timestamp first (the
    /// earliest such file), else the earliest time, on equal times the file given later.
    fn choose(&self) -> Option<usize> {
        match self.order {
            MergeOrder::Concatenated => self.heads.iter().position(Option::is_some),
            MergeOrder::Chronological => {
                let untimed = self.heads.iter().position(|h| h.as_ref().is_some_and(|h| h.timestamp_ns.is_none()));
                untimed.or_else(|| {
                    self.heads
                        .iter()
                        .enumerate()
                        .filter_map(|(i, h)| h.as_ref().and_then(|h| h.timestamp_ns).map(|t| (t, std::cmp::Reverse(i))))
                        .min()
                        .map(|(_, std::cmp::Reverse(i))| i)
                })
            }
        }
    }

    /// The next record of the merged stream; `Ok(None)` when every file is done.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CaptureError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if let Some((file, _)) = self.current.take() {
            self.stale[file] = true;
        }
        for i in 0..self.readers.len() {
            if self.stale[i] {
                if let Err(e) = self.refill(i) {
                    self.failed = Some(e.clone());
                    return Err(e);
                }
            }
        }
        let Some(file) = self.choose() else {
            return Ok(None);
        };
        let Some(held) = self.heads[file].take() else {
            return Ok(None);
        };
        self.number += 1;
        let (_, held) = self.current.insert((file, held));
        Ok(Some(Record {
            number: self.number,
            kind: held.kind,
            timestamp_ns: held.timestamp_ns,
            wire_len: held.wire_len,
            data: &held.data,
            interface_id: held.interface_id,
            link_type: held.link_type,
            offset: held.offset,
        }))
    }
}
