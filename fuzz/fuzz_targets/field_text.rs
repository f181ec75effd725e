//! The CLI's path from bytes to field text: every field (core, TCP analysis, application layer)
//! of every frame, as tshark's text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pcapframe::capture::{CaptureReader, ReaderLimits};
use pcapframe::fields::FieldSet;
use pcapframe::text::TextFormat;
use pcapframe::{Field, Scanner, FIELDS};

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = CaptureReader::new(data, ReaderLimits::default()) else { return };
    let fields: Vec<Field> = (0..FIELDS.len()).filter_map(|i| pcapframe::fields::lookup(FIELDS[i].name).ok()).collect();
    let mut scanner = Scanner::new(reader, FieldSet::all());
    let format = TextFormat::default();
    let mut line = String::new();
    while let Ok(Some(frame)) = scanner.next_frame() {
        line.clear();
        format.write_row(&fields, frame, &mut line);
    }
});
