//! Any bytes as a capture file: reading and decoding every field must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pcapframe::capture::{CaptureReader, ReaderLimits};
use pcapframe::fields::FieldSet;
use pcapframe::Scanner;

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = CaptureReader::new(data, ReaderLimits::default()) else { return };
    let mut scanner = Scanner::new(reader, FieldSet::all());
    while let Ok(Some(_)) = scanner.next_frame() {}
});
