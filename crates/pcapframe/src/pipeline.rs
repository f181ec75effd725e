//! Reading and dissecting on a thread of their own: [`Scanner::for_each_frame`] runs the scanner
//! ahead of the code that uses its frames (column builders), handing the frames over in small
//! batches, in order; [`Scanner::map_batches`] also spreads the work done on each batch (text
//! formatting) over several threads, and hands the results over in order.
//!
//! Only the hand-over differs from a plain loop over [`Scanner::next_frame`]: the consumer sees
//! the same frames, with the same values and the same file index, followed by the same damage
//! (if any), so the results are identical whatever the thread count (a test compares them on
//! every capture). A read of `frame.*` fields alone stays on one thread: such a frame costs less
//! to decode than to hand over; a second thread reads the file ahead of it instead. Frames are
//! dissected straight into the batch that carries them, and batches are recycled rather than
//! reallocated; memory stays bounded, as the queues between threads
//! hold a few batches of [`BATCH_FRAMES`] frames at most, and the reading thread waits when too
//! many batches are ahead of the consumer (a stalled worker cannot make results pile up).

use std::ops::ControlFlow;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender, TrySendError};

use crate::dissect::{DeferredSegment, TcpCompletion};
use crate::error::CaptureError;
use crate::fields::FrameValues;
use crate::scan::Scanner;

/// Frames per batch handed from the reading thread to the others (at least; see
/// [`batch_frames`]). Each hand-over costs channel operations and wake-ups (on two cores they
/// were a tenth of a threaded read's time with 64 frames per batch).
pub const BATCH_FRAMES: usize = 256;

/// Frames per batch [`Scanner::map_batches`] hands over, for frames of `fields` fields:
/// [`BATCH_FRAMES`], or up to four times as many when there are few fields. A frame of few fields
/// costs little to write, so that hand-overs (and the waits between them, which yield the core
/// and switch threads) weigh more: 1,024 frames of the 8 Stevens fields wrote real traffic's text
/// 15% faster than 256. A frame of many fields holds more: 256 frames of the 79 core fields keep
/// the CLI's text under 16 MiB.
fn batch_frames(fields: usize) -> usize {
    (BATCH_FRAMES * 32 / fields.max(1)).clamp(BATCH_FRAMES, 4 * BATCH_FRAMES)
}

/// Frames per batch handed to [`Scanner::for_each_frame`]'s consumer. It does less per frame
/// than a worker writing text (a row of columns), so hand-overs weigh more: with 1,024 frames
/// and 4 batches in flight rather than 256 and 2, the Stevens `read_pcap` of real traffic made a
/// quarter as many wake-ups and took 0.17 s rather than 0.20 s (best of 8).
const CONSUMER_BATCH_FRAMES: usize = 1024;

/// Full batches queued for [`Scanner::for_each_frame`]'s consumer (besides the one it uses and
/// the one being filled).
const BATCHES_IN_FLIGHT: usize = 4;

/// Batches [`Scanner::map_batches`] lets the reading thread run ahead of the consumer, per
/// thread: a worker that stalls (descheduled on a busy machine) holds up the batch the consumer
/// needs next, and the results of those after it wait; this bounds how many, and so the memory.
const AHEAD_PER_THREAD: usize = 4;

/// The number of threads to use when none is given: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}

/// The frames of one batch, as [`Scanner::map_batches`] hands them to its workers.
#[derive(Clone, Copy)]
pub struct Frames<'a> {
    frames: &'a [FrameValues],
    files: &'a [Option<usize>],
}

impl<'a> Frames<'a> {
    /// Each frame's values with the index of the file it came from, in capture order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a FrameValues, Option<usize>)> + 'a {
        self.frames.iter().zip(self.files.iter().copied())
    }

    /// How many frames the batch holds.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether the batch holds no frame.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

/// Frames dissected by the reading thread, with the file each came from.
struct Batch {
    frames: Vec<FrameValues>,
    files: Vec<Option<usize>>,
    /// TCP segments whose tracking waits for the consumer (see
    /// [`crate::dissect::TcpCompletion`]), in order, and per frame, where its own end.
    deferred: Vec<DeferredSegment>,
    deferred_ends: Vec<usize>,
    len: usize,
    /// Frames it holds when full.
    limit: usize,
}

impl Batch {
    fn new(limit: usize) -> Batch {
        Batch {
            frames: Vec::with_capacity(limit),
            files: Vec::with_capacity(limit),
            deferred: Vec::new(),
            deferred_ends: Vec::with_capacity(limit),
            len: 0,
            limit,
        }
    }

    /// A batch that holds nothing yet, without allocating.
    fn placeholder(limit: usize) -> Batch {
        Batch { frames: Vec::new(), files: Vec::new(), deferred: Vec::new(), deferred_ends: Vec::new(), len: 0, limit }
    }

    fn is_full(&self) -> bool {
        self.len >= self.limit
    }

    fn frames(&self) -> Frames<'_> {
        Frames { frames: &self.frames[..self.len], files: &self.files[..self.len] }
    }

    /// Tracks the batch's deferred TCP segments, in order, adding their fields to their frames.
    fn complete_tcp(&mut self, completion: &mut TcpCompletion) {
        let mut start = 0;
        for (frame, &end) in self.frames[..self.len].iter_mut().zip(&self.deferred_ends) {
            for segment in &self.deferred[start..end] {
                completion.complete(segment, frame);
            }
            start = end;
        }
    }
}

/// The reading thread's own worker state, for the batches it maps itself.
struct Helping<'m, S, M> {
    state: S,
    map: &'m M,
}

/// What reaches the thread that consumes batches: a batch (of frames, or a worker's result for
/// the batch numbered `.0`), then, from the reading thread, the number of batches and how the
/// capture ended.
enum Message<B> {
    Batch(u64, B),
    End(u64, Option<CaptureError>),
}

impl Scanner<'_> {
    /// Calls `consume` with each frame's values and the index of the file it came from (see
    /// [`Scanner::current_file`]), in capture order, until the capture ends, `max_frames` frames
    /// have been read, or `consume` breaks. Returns the damage that ended the capture early, if
    /// any (not when `consume` broke first).
    ///
    /// With `threads` of 2 or more, the capture is read and dissected on a second thread while
    /// `consume` runs on this one, and where the fields allow it, the TCP conversations are
    /// tracked on this one too (see [`crate::dissect::TcpCompletion`]): the frames' values are
    /// then in another order, but each field's are the same. With 1, all of it runs here.
    pub fn for_each_frame(
        &mut self,
        threads: usize,
        max_frames: Option<u64>,
        mut consume: impl FnMut(&FrameValues, Option<usize>) -> ControlFlow<()>,
    ) -> Option<CaptureError> {
        if threads < 2 || !self.worth_threads() {
            self.read_ahead_if_idle(threads);
            return self.read_each(max_frames, |frame, file| consume(frame, file));
        }
        let mut completion = self.defer_tcp_tracking();
        let (full_tx, full_rx) = bounded::<Message<Batch>>(BATCHES_IN_FLIGHT);
        let (empty_tx, empty_rx) = unbounded::<Batch>();
        let problem = std::thread::scope(|scope| {
            spawn_named(scope, "pcapframe-read", || {
                self.produce(
                    CONSUMER_BATCH_FRAMES,
                    max_frames,
                    &empty_rx,
                    |number, batch| full_tx.send(Message::Batch(number, batch)).is_ok(),
                    &full_tx,
                )
            });
            let mut each_frame = |mut batch: Batch| {
                if let Some(completion) = completion.as_mut() {
                    batch.complete_tcp(completion);
                }
                for (frame, file) in batch.frames().iter() {
                    if consume(frame, file).is_break() {
                        return ControlFlow::Break(());
                    }
                }
                let _ = empty_tx.send(Batch { len: 0, ..batch });
                ControlFlow::Continue(())
            };
            consume_in_order(full_rx, None, &mut each_frame)
        });
        if let Some(completion) = completion {
            self.resume_tcp_tracking(completion);
        }
        problem
    }

    /// Turns each batch of frames into a `T` with `map`, then calls `consume` with the `T`s in
    /// capture order, until the capture ends, `max_frames` frames have been read, or `consume`
    /// breaks. Each worker has a state of its own, made by `worker` (a text writer, say).
    /// Returns the damage that ended the capture early, as [`Scanner::for_each_frame`] does.
    ///
    /// With `threads` of 2 or more, one thread reads and dissects while `threads` workers map
    /// batches and this thread consumes their results in order; when the workers fall behind,
    /// the reading thread maps batches itself, so that every core is busy whichever side is
    /// heavier. With 1, all of it runs here. The results are the same.
    pub fn map_batches<S, T: Send>(
        &mut self,
        threads: usize,
        max_frames: Option<u64>,
        worker: impl Fn() -> S + Sync,
        map: impl Fn(&mut S, Frames<'_>) -> T + Sync,
        mut consume: impl FnMut(T) -> ControlFlow<()>,
    ) -> Option<CaptureError> {
        if threads < 2 || !self.worth_threads() {
            self.read_ahead_if_idle(threads);
            let mut state = worker();
            let mut batch = Batch::new(BATCH_FRAMES);
            let mut read = 0;
            loop {
                let end = self.fill(&mut batch, &mut read, max_frames);
                if batch.len > 0 && consume(map(&mut state, batch.frames())).is_break() {
                    return None;
                }
                batch.len = 0;
                if let Some(end) = end {
                    return end;
                }
            }
        }
        // One worker per thread asked for, besides the reading thread (which helps them): on
        // two cores that measured fastest, as the reading thread waits for input now and then.
        let workers = threads;
        let frames_per_batch = batch_frames(self.wanted_fields());
        let (batches_tx, batches_rx) = bounded::<(u64, Batch)>(workers);
        let (empty_tx, empty_rx) = unbounded::<Batch>();
        let (mapped_tx, mapped_rx) = bounded::<Message<T>>(2 * threads + 2);
        // One token per batch handed over and not yet consumed.
        let (ahead_tx, ahead_rx) = bounded::<()>(AHEAD_PER_THREAD * threads + 2);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let (batches, empty, mapped) = (batches_rx.clone(), empty_tx.clone(), mapped_tx.clone());
                let (worker, map) = (&worker, &map);
                spawn_named(scope, "pcapframe-work", move || {
                    let mut state = worker();
                    while let Ok((number, batch)) = batches.recv() {
                        let result = map(&mut state, batch.frames());
                        let _ = empty.send(Batch { len: 0, ..batch });
                        if mapped.send(Message::Batch(number, result)).is_err() {
                            return;
                        }
                    }
                });
            }
            let reader_empty = empty_tx.clone();
            drop((batches_rx, empty_tx));
            let (worker, map) = (&worker, &map);
            let reader_mapped = mapped_tx.clone();
            drop(mapped_tx);
            spawn_named(scope, "pcapframe-read", move || {
                let mut own = Helping { state: worker(), map };
                // Hands a full batch to an idle worker, or maps it here when none is idle; first
                // waits while too many batches are ahead of the consumer.
                let hand_over = |number: u64, batch: Batch| {
                    if ahead_tx.send(()).is_err() {
                        return false;
                    }
                    match batches_tx.try_send((number, batch)) {
                        Ok(()) => true,
                        Err(TrySendError::Full((number, batch))) => {
                            let result = (own.map)(&mut own.state, batch.frames());
                            // The batch is reused at once: back to the queue this thread takes from.
                            let _ = reader_empty.send(Batch { len: 0, ..batch });
                            reader_mapped.send(Message::Batch(number, result)).is_ok()
                        }
                        Err(TrySendError::Disconnected(_)) => false,
                    }
                };
                self.produce(frames_per_batch, max_frames, &empty_rx, hand_over, &reader_mapped)
            });
            consume_in_order(mapped_rx, Some(ahead_rx), &mut consume)
        })
    }

    /// A read of `frame.*` fields alone stays on one thread; when more were asked for, one of
    /// them reads the file ahead (the copy from the page cache was a third of such a read).
    fn read_ahead_if_idle(&mut self, threads: usize) {
        if threads >= 2 {
            self.read_ahead();
        }
    }

    /// The reading thread: fills batches of `frames_per_batch` (reusing those that come back on
    /// `empty`), passes each full one to `hand_over` with its number, then sends the count and
    /// how the capture ended on `end`. Stops early when `hand_over` says the consumer has gone.
    fn produce<B>(
        &mut self,
        frames_per_batch: usize,
        max_frames: Option<u64>,
        empty: &Receiver<Batch>,
        mut hand_over: impl FnMut(u64, Batch) -> bool,
        end: &Sender<Message<B>>,
    ) {
        let mut batch = Batch::new(frames_per_batch);
        let mut read = 0;
        let mut sent = 0u64;
        loop {
            let ended = self.fill(&mut batch, &mut read, max_frames);
            if batch.len > 0 {
                let next = empty.try_recv().unwrap_or_else(|_| Batch::placeholder(frames_per_batch));
                if !hand_over(sent, std::mem::replace(&mut batch, next)) {
                    return;
                }
                sent += 1;
            }
            if let Some(problem) = ended {
                let _ = end.send(Message::End(sent, problem));
                return;
            }
        }
    }

    /// Reads frames into `batch` from its start until it is full (`None`) or the capture ends
    /// (`Some` of the damage that ended it, if any); `read` counts frames against `max_frames`.
    fn fill(&mut self, batch: &mut Batch, read: &mut u64, max_frames: Option<u64>) -> Option<Option<CaptureError>> {
        // The TCP segments deferred while filling the batch gather in its own vector.
        batch.deferred.clear();
        let deferring = self.swap_deferred_segments(&mut batch.deferred);
        let end = self.fill_frames(batch, read, max_frames);
        if deferring {
            self.swap_deferred_segments(&mut batch.deferred);
        }
        end
    }

    /// Reads frames into `batch`, for [`Scanner::fill`].
    fn fill_frames(
        &mut self,
        batch: &mut Batch,
        read: &mut u64,
        max_frames: Option<u64>,
    ) -> Option<Option<CaptureError>> {
        batch.len = 0;
        while !batch.is_full() {
            if max_frames.is_some_and(|max| *read >= max) {
                return Some(None);
            }
            *read += 1;
            if batch.len == batch.frames.len() {
                batch.frames.push(self.new_values());
                batch.files.push(None);
                batch.deferred_ends.push(0);
            }
            // The stores a few frames ahead come back from the consumer's core meanwhile.
            if let Some(ahead) = batch.frames.get(batch.len + 4) {
                ahead.prefetch_store();
            }
            if let Some(ahead) = batch.frames.get(batch.len + 2) {
                ahead.prefetch_values();
            }
            match self.next_frame_into(&mut batch.frames[batch.len]) {
                Ok(true) => {}
                Ok(false) => return Some(None),
                Err(e) => return Some(Some(e)),
            }
            batch.deferred_ends[batch.len] = self.deferred_count();
            batch.files[batch.len] = self.current_file();
            batch.len += 1;
        }
        None
    }

    /// The single-threaded loop: read, dissect, consume.
    fn read_each(
        &mut self,
        max_frames: Option<u64>,
        mut consume: impl FnMut(&FrameValues, Option<usize>) -> ControlFlow<()>,
    ) -> Option<CaptureError> {
        let mut read = 0u64;
        loop {
            if max_frames.is_some_and(|max| read >= max) {
                return None;
            }
            read += 1;
            match self.next_frame() {
                Ok(Some(_)) => {}
                Ok(None) => return None,
                Err(e) => return Some(e),
            }
            if consume(self.values(), self.current_file()).is_break() {
                return None;
            }
        }
    }
}

/// Starts a thread of `scope` with a name (shown by `top -H`, `perf`, a debugger).
fn spawn_named<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    name: &str,
    f: impl FnOnce() + Send + 'scope,
) {
    // Naming fails only on a name with a NUL byte; a thread that cannot start is a panic anyway.
    let started = std::thread::Builder::new().name(name.to_string()).spawn_scoped(scope, f);
    started.expect("a thread starts");
}

/// The consumer's side: the batches (or the workers' results) in number order, then how the
/// capture ended. With `ahead`, takes back one token per batch consumed (see
/// [`AHEAD_PER_THREAD`]).
fn consume_in_order<B>(
    incoming: Receiver<Message<B>>,
    ahead: Option<Receiver<()>>,
    consume: &mut impl FnMut(B) -> ControlFlow<()>,
) -> Option<CaptureError> {
    // When this returns, `incoming` and `ahead` are dropped: the workers stop at their next
    // send, and with them gone, the reading thread at its next one.
    let mut waiting = std::collections::BTreeMap::new();
    let mut next = 0u64;
    let mut end: Option<(u64, Option<CaptureError>)> = None;
    loop {
        while let Some(batch) = waiting.remove(&next) {
            next += 1;
            if consume(batch).is_break() {
                return None;
            }
            if let Some(tokens) = &ahead {
                // Its token was sent before the batch was handed over: this never waits.
                let _ = tokens.try_recv();
            }
        }
        if let Some((count, problem)) = &mut end {
            if next == *count {
                return problem.take();
            }
        }
        match incoming.recv() {
            Ok(Message::Batch(number, batch)) => {
                waiting.insert(number, batch);
            }
            Ok(Message::End(count, problem)) => end = Some((count, problem)),
            Err(_) => return None, // a thread panicked; the scope passes the panic on
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::fields::Field;
    use crate::limits::Limits;

    /// A little-endian pcap of `frames` minimal Ethernet + IPv4 frames.
    fn capture(frames: usize) -> Vec<u8> {
        let mut out = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        out.extend(65535u32.to_le_bytes());
        out.extend(1u32.to_le_bytes());
        for n in 0..frames as u32 {
            let mut frame = vec![0u8; 34];
            frame[12..14].copy_from_slice(&[0x08, 0x00]);
            frame[14] = 0x45;
            frame[16..18].copy_from_slice(&20u16.to_be_bytes());
            frame[26..30].copy_from_slice(&n.to_be_bytes());
            out.extend(n.to_le_bytes());
            out.extend(0u32.to_le_bytes());
            out.extend((frame.len() as u32).to_le_bytes());
            out.extend((frame.len() as u32).to_le_bytes());
            out.extend(frame);
        }
        out
    }

    #[test]
    fn a_stalled_worker_holds_the_reading_thread_back() {
        let frames = 40 * BATCH_FRAMES + 7;
        let wanted = [Field::IpSrc].into_iter().collect();
        let mut scanner =
            Scanner::from_reader(std::io::Cursor::new(capture(frames)), wanted, Limits::default()).unwrap();
        let threads = 2;
        let started = AtomicUsize::new(0);
        let (mut consumed, mut most_ahead, mut seen) = (0, 0, 0);
        let problem = scanner.map_batches(
            threads,
            None,
            || (),
            |_, batch| {
                // The first batch taken (by a worker: the queue is empty then) stalls.
                if started.fetch_add(1, Ordering::SeqCst) == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                }
                batch.len()
            },
            |len| {
                consumed += 1;
                seen += len;
                most_ahead = most_ahead.max(started.load(Ordering::SeqCst) - consumed);
                ControlFlow::Continue(())
            },
        );
        assert!(problem.is_none());
        assert_eq!(seen, frames, "every frame, once");
        let window = AHEAD_PER_THREAD * threads + 2;
        assert!(most_ahead <= window, "{most_ahead} batches ahead of the consumer (at most {window})");
    }
}
