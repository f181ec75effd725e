//! Damaged captures, made from every fixture: truncated at many offsets, bytes flipped, lengths set
//! to 0, 1 and 0xFFFFFFFF, two captures spliced, link types changed. For each: no panic, the frames
//! before the fault are exactly the intact records, a damaged file ends in a typed error, and peak
//! memory stays under a fixed cap (measured by a counting allocator).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use pcapframe::capture::{CaptureReader, ReaderLimits};
use pcapframe::fields::FieldSet;
use pcapframe::Scanner;

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Memory a read of a damaged fixture may use above what was live before it.
const MEMORY_CAP: usize = 48 * 1024 * 1024;

/// Reads everything; returns frames read and whether it ended in an error.
fn read_all(bytes: &[u8]) -> (u64, bool) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let result = (|| {
        let reader = match CaptureReader::new(bytes, ReaderLimits::default()) {
            Ok(r) => r,
            Err(_) => return (0, true),
        };
        let mut scanner = Scanner::new(reader, FieldSet::all());
        let mut frames = 0;
        loop {
            match scanner.next_frame() {
                Ok(Some(_)) => frames += 1,
                Ok(None) => return (frames, false),
                Err(_) => return (frames, true),
            }
        }
    })();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    assert!(peak < MEMORY_CAP, "peak memory {peak} bytes");
    result
}

/// The end offsets of the complete packet records or packet-carrying blocks, walked independently.
fn record_ends(bytes: &[u8]) -> Vec<usize> {
    boundaries(bytes).into_iter().filter(|(_, packet)| *packet).map(|(end, _)| end).collect()
}

/// The end offset of every complete record or block, and whether it carries a frame.
fn boundaries(bytes: &[u8]) -> Vec<(usize, bool)> {
    let mut ends = Vec::new();
    if bytes.len() >= 24 && bytes[..4] != [0x0a, 0x0d, 0x0d, 0x0a] {
        let big = bytes[..4] == [0xa1, 0xb2, 0xc3, 0xd4] || bytes[..4] == [0xa1, 0xb2, 0x3c, 0x4d];
        let word = |o: usize| {
            let b: [u8; 4] = bytes[o..o + 4].try_into().unwrap();
            if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        let mut at = 24;
        while at + 16 <= bytes.len() {
            let end = at + 16 + word(at + 8) as usize;
            if end > bytes.len() {
                break;
            }
            ends.push((end, true));
            at = end;
        }
    } else {
        let mut at = 0;
        let mut big = false;
        while at + 12 <= bytes.len() {
            if bytes[at..at + 4] == [0x0a, 0x0d, 0x0d, 0x0a] {
                big = bytes[at + 8..at + 12] == [0x1a, 0x2b, 0x3c, 0x4d];
            }
            let word = |o: usize| {
                let b: [u8; 4] = bytes[o..o + 4].try_into().unwrap();
                if big {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                }
            };
            let (kind, len) = (word(at), word(at + 4) as usize);
            if len < 12 || at + len > bytes.len() {
                break;
            }
            ends.push((at + len, matches!(kind, 3 | 6 | 0x0bad | 0x4000_0bad)));
            at += len;
        }
    }
    ends
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("edge-"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn truncation_keeps_every_intact_record() {
    for (name, bytes) in fixtures() {
        let ends = record_ends(&bytes);
        let all_ends: Vec<usize> = boundaries(&bytes).into_iter().map(|(end, _)| end).collect();
        let step = (bytes.len() / 97).max(1);
        for cut in (0..bytes.len()).step_by(step).chain([1, 4, 23, 24, 25, bytes.len() - 1]) {
            let cut = cut.min(bytes.len());
            let intact = ends.iter().filter(|e| **e <= cut).count() as u64;
            let (frames, failed) = read_all(&bytes[..cut]);
            let at_boundary = all_ends.contains(&cut) || cut == 24 && !name.ends_with(".pcapng");
            assert_eq!(frames, intact, "{name} cut at {cut}: {frames} frames, {intact} intact records");
            assert!(failed || at_boundary, "{name} cut at {cut} inside a record but no error");
        }
    }
}

#[test]
fn flipped_bytes_and_absurd_lengths_never_panic() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (name, bytes) in fixtures() {
        for _ in 0..200 {
            let mut m = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() as usize) % m.len();
                m[i] ^= 1 << (next() % 8);
            }
            let _ = read_all(&m);
        }
        // Every 4-byte word set to 0, 1 and 0xFFFFFFFF in turn (lengths, link types, offsets...).
        for at in (0..bytes.len().saturating_sub(4)).step_by(4).take(120) {
            for value in [0u32, 1, u32::MAX] {
                let mut m = bytes.clone();
                m[at..at + 4].copy_from_slice(&value.to_le_bytes());
                let _ = read_all(&m);
                m[at..at + 4].copy_from_slice(&value.to_be_bytes());
                let _ = read_all(&m);
            }
        }
        let _ = name;
    }
}

#[test]
fn spliced_captures_and_every_link_type() {
    let all = fixtures();
    for (a, b) in all.iter().zip(all.iter().skip(1)) {
        let mut spliced = a.1[..a.1.len() / 2].to_vec();
        spliced.extend_from_slice(&b.1[b.1.len() / 3..]);
        let _ = read_all(&spliced);
    }
    for (name, bytes) in all.iter().filter(|(n, _)| n.ends_with(".pcap")) {
        let expected = record_ends(bytes).len() as u64;
        let big = bytes[..4] == [0xa1, 0xb2, 0xc3, 0xd4];
        for link in (0u32..300).chain([0xffff, 0x0fff_ffff, u32::MAX]) {
            let mut m = bytes.clone();
            m[20..24].copy_from_slice(&if big { link.to_be_bytes() } else { link.to_le_bytes() });
            let (frames, failed) = read_all(&m);
            assert_eq!((frames, failed), (expected, false), "{name} as link type {link}");
        }
    }
}
