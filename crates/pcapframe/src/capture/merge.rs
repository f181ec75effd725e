//! Several captures read as one, as tshark reads their `mergecap` output: in timestamp order
//! (`mergecap`'s default; on equal times the file given later first, as mergecap 4.0 orders
//! them) or one after the other
//! (`mergecap -a`), with frames numbered across files.

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
    /// The time it sorts by: its own, or (without one) the previous record's of its file.
    sort_ns: i64,
    wire_len: u32,
    data: Vec<u8>,
    interface_id: Option<u32>,
    link_type: u32,
    offset: u64,
}

/// Streams the packets of several captures as one.
pub struct MergedReader<'r> {
    readers: Vec<CaptureReader<'r>>,
    heads: Vec<Option<Held>>,
    /// The last sort time seen per file (for records without a timestamp).
    last_ns: Vec<i64>,
    order: MergeOrder,
    number: u64,
    current: Option<(usize, Held)>,
    coverage: Coverage,
    started: bool,
}

impl<'r> MergedReader<'r> {
    /// Merges `readers`; their order sets the concatenation order and breaks ties of time.
    pub fn new(readers: Vec<CaptureReader<'r>>, order: MergeOrder) -> Self {
        let n = readers.len();
        MergedReader {
            readers,
            heads: vec![None; n],
            last_ns: vec![i64::MIN; n],
            order,
            number: 0,
            current: None,
            coverage: Coverage::default(),
            started: false,
        }
    }

    /// Which file the last record returned came from (an index into the readers given).
    pub fn current_file(&self) -> Option<usize> {
        self.current.as_ref().map(|(file, _)| *file)
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
        self.heads[i] = match self.readers[i].next_record()? {
            Some(rec) => {
                let sort_ns = rec.timestamp_ns.unwrap_or(self.last_ns[i]);
                self.last_ns[i] = sort_ns;
                Some(Held {
                    kind: rec.kind,
                    timestamp_ns: rec.timestamp_ns,
                    sort_ns,
                    wire_len: rec.wire_len,
                    data: rec.data.to_vec(),
                    interface_id: rec.interface_id,
                    link_type: rec.link_type,
                    offset: rec.offset,
                })
            }
            None => None,
        };
        Ok(())
    }

    /// The next record of the merged stream; `Ok(None)` when every file is done.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CaptureError> {
        if !self.started {
            self.started = true;
            for i in 0..self.readers.len() {
                self.refill(i)?;
            }
        } else if let Some((file, _)) = self.current {
            self.refill(file)?;
        }
        let next = match self.order {
            MergeOrder::Concatenated => self.heads.iter().position(Option::is_some),
            MergeOrder::Chronological => self
                .heads
                .iter()
                .enumerate()
                .filter_map(|(i, h)| h.as_ref().map(|h| (h.sort_ns, std::cmp::Reverse(i))))
                .min()
                .map(|(_, std::cmp::Reverse(i))| i),
        };
        let Some(file) = next else {
            self.current = None;
            return Ok(None);
        };
        let held = self.heads[file].take().expect("the chosen head holds a record");
        self.number += 1;
        self.current = Some((file, held));
        let (_, held) = self.current.as_ref().expect("just set");
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
