//! Reading a capture ahead of its parser, on a thread of its own: the copy from the page cache
//! (or the wait for the disk) overlaps the parsing, on another core.
//!
//! Chunks go from the reading thread to the parser over a bounded channel, and come back to be
//! reused. Each chunk leaves [`HEADROOM`] bytes free at its front: the parser moves the unread
//! end of the previous chunk (a record begun but not finished) there, so that the record reads
//! whole without copying the new chunk.

use std::io::Read;
use std::sync::{Arc, Mutex};

use crossbeam_channel::{bounded, Receiver, Sender};

/// An input that can move to a thread of its own.
pub(super) type OwnedInput = Box<dyn Read + Send + 'static>;

/// Bytes free at the front of each chunk: room for the start of the longest record tshark
/// reads (a 16-byte header and 262,144 bytes of data).
pub(super) const HEADROOM: usize = (1 << 18) + 64;

/// Bytes read into each chunk: large enough that hand-overs are rare (one per quarter mebibyte),
/// small enough that the chunks in flight hold little memory (with 512 KiB chunks, the CLI's
/// 79-field read of real traffic peaked at 16 MiB rather than 15).
const CHUNK: usize = 1 << 18;

/// Filled chunks queued for the parser (besides the one it reads and the one being filled).
const IN_FLIGHT: usize = 2;

/// The reading thread's stack: it only calls `read`.
const STACK: usize = 64 << 10;

/// A chunk of the input: its bytes are `bytes[HEADROOM..HEADROOM + filled]`.
pub(super) struct Chunk {
    pub bytes: Vec<u8>,
    pub filled: usize,
}

/// The parser's end of a reading thread.
pub(super) struct ReadAhead {
    chunks: Receiver<std::io::Result<Chunk>>,
    spare: Sender<Vec<u8>>,
}

impl ReadAhead {
    /// Starts a thread that reads `input` to its end (or until this is dropped); gives `input`
    /// back when no thread can be started.
    pub fn spawn(input: OwnedInput) -> Result<ReadAhead, OwnedInput> {
        let (chunks_tx, chunks) = bounded(IN_FLIGHT);
        let (spare, spare_rx) = bounded::<Vec<u8>>(IN_FLIGHT + 2);
        // The thread takes the input from here once it runs; if it cannot start, it is taken back.
        let handed = Arc::new(Mutex::new(Some(input)));
        let taken = Arc::clone(&handed);
        let reading = move || {
            let Some(mut input) = taken.lock().ok().and_then(|mut slot| slot.take()) else {
                return;
            };
            loop {
                // A new chunk's pages are untouched until written (the headroom's, mostly
                // never); a reused one is written over.
                let mut bytes = spare_rx.try_recv().unwrap_or_else(|_| vec![0; HEADROOM + CHUNK]);
                let (filled, failed) = read_up_to(&mut input, &mut bytes[HEADROOM..]);
                let last = filled < CHUNK || failed.is_some();
                // What was read before a failure is handed over before the failure is. The
                // parser has gone when a send fails: stop reading.
                if chunks_tx.send(Ok(Chunk { bytes, filled })).is_err() {
                    return;
                }
                if let Some(e) = failed {
                    let _ = chunks_tx.send(Err(e));
                }
                if last {
                    return;
                }
            }
        };
        match std::thread::Builder::new().name("pcapframe-io".into()).stack_size(STACK).spawn(reading) {
            Ok(_) => Ok(ReadAhead { chunks, spare }),
            Err(_) => match handed.lock().ok().and_then(|mut slot| slot.take()) {
                Some(input) => Err(input),
                // Unreachable: the thread that would have taken it never ran. An input that
                // is gone reads as empty, which reports the capture as cut short.
                None => Err(Box::new(std::io::empty())),
            },
        }
    }

    /// The next chunk; `None` after the last (the end of the input).
    pub fn next_chunk(&self) -> Option<std::io::Result<Chunk>> {
        self.chunks.recv().ok()
    }

    /// Gives a chunk's buffer back to be read into again.
    pub fn recycle(&self, bytes: Vec<u8>) {
        if bytes.len() == HEADROOM + CHUNK {
            let _ = self.spare.try_send(bytes);
        }
    }
}

/// Reads until `buf` is full, the input ends or fails: the bytes read, and the failure.
pub(super) fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (got, Some(e)),
        }
    }
    (got, None)
}
