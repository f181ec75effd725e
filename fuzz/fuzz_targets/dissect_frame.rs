//! One frame of any link type (the first two bytes choose it) through every dissector, twice so
//! that the conversation trackers see state.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pcapframe::capture::{Record, RecordKind};
use pcapframe::dissect::Dissector;
use pcapframe::fields::{FieldSet, FrameValues};

const LINK_TYPES: [u32; 14] = [0, 1, 101, 108, 113, 228, 229, 276, 147, 9, 50, 105, 127, 192];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, frame)) = data.split_first() else { return };
    let link_type = LINK_TYPES[usize::from(pick) % LINK_TYPES.len()];
    let mut dissector = Dissector::new(&FieldSet::all());
    let mut values = FrameValues::new(FieldSet::all());
    for number in 1..=2 {
        let record = Record {
            number,
            kind: RecordKind::Packet,
            timestamp_ns: Some(1),
            wire_len: frame.len() as u32,
            data: frame,
            interface_id: None,
            link_type,
            offset: 0,
        };
        dissector.dissect(&record, &mut values);
    }
});
