//! [`FieldIndex`]: where each wanted field occurs in one frame's values, found in one pass.
//!
//! [`FrameValues::first`] scans a frame's values; asking it for each of 79 columns scans them 79
//! times. A writer of many columns indexes the frame once instead, then finds every field's
//! occurrences directly. The index allocates only when built; after that, indexing a frame
//! allocates nothing.

use super::{Field, FieldSet, FrameValues, Value, FIELDS};

/// No occurrence (positions are stored plus one).
const NONE: u32 = 0;

/// No slot: the field is not watched.
const NO_SLOT: u16 = u16::MAX;

/// The positions of the watched fields' occurrences in the last frame indexed.
#[derive(Debug, Clone)]
pub struct FieldIndex {
    /// Per registry index: the watched field's slot in `head` and `tail`, or [`NO_SLOT`].
    slot_of: Vec<u16>,
    /// Per slot: the first and last occurrence's position + 1, or [`NONE`].
    head: Vec<u32>,
    tail: Vec<u32>,
}

impl FieldIndex {
    /// An index of the `watched` fields' occurrences (others are not looked up through it).
    pub fn new(watched: FieldSet) -> Self {
        let mut slot_of = vec![NO_SLOT; FIELDS.len()];
        let mut slots = 0u16;
        for (i, slot) in slot_of.iter_mut().enumerate() {
            // The registry has fewer fields than `NO_SLOT`.
            if watched.contains(Field::from_index(i)) {
                *slot = slots;
                slots += 1;
            }
        }
        let slots = usize::from(slots);
        FieldIndex { slot_of, head: vec![NONE; slots], tail: vec![NONE; slots] }
    }

    /// Indexes one frame's values, forgetting the previous frame's.
    pub fn index(&mut self, frame: &FrameValues) {
        self.head.fill(NONE);
        self.tail.fill(NONE);
        for (position, (field, _)) in frame.items().iter().enumerate() {
            let slot = usize::from(self.slot_of[field.index()]);
            // An unwatched field's slot, `NO_SLOT`, is past every slot: `get_mut` misses.
            if let Some(tail) = self.tail.get_mut(slot) {
                let here = position as u32 + 1;
                if *tail == NONE {
                    self.head[slot] = here;
                }
                *tail = here;
            }
        }
    }

    /// The positions + 1 of a field's first and last occurrences (`NONE` when it has none).
    #[inline]
    fn ends(&self, field: Field) -> (u32, u32) {
        let slot = usize::from(self.slot_of[field.index()]);
        (self.head.get(slot).copied().unwrap_or(NONE), self.tail.get(slot).copied().unwrap_or(NONE))
    }

    /// The positions in the indexed frame's values of a watched field's first and last
    /// occurrences (the same when it occurs once); `None` when it does not occur.
    #[inline]
    pub fn span(&self, field: Field) -> Option<(usize, usize)> {
        match self.ends(field) {
            (NONE, _) => None,
            (head, tail) => Some((head as usize - 1, tail as usize - 1)),
        }
    }

    /// The first occurrence of a watched field in the indexed `frame`.
    #[inline]
    pub fn first(&self, frame: &FrameValues, field: Field) -> Option<Value> {
        value_at(frame, self.ends(field).0)
    }

    /// The last occurrence of a watched field in the indexed `frame`.
    #[inline]
    pub fn last(&self, frame: &FrameValues, field: Field) -> Option<Value> {
        value_at(frame, self.ends(field).1)
    }

    /// Every occurrence of a watched field in the indexed `frame`, in order: those between its
    /// first and last (most fields occur once, and then nothing is scanned).
    pub fn all<'a>(&'a self, frame: &'a FrameValues, field: Field) -> impl Iterator<Item = Value> + 'a {
        let (head, tail) = self.ends(field);
        let between = match head {
            NONE => &[][..],
            _ => frame.items().get(head as usize - 1..tail as usize).unwrap_or(&[]),
        };
        between.iter().filter(move |(f, _)| *f == field).map(|(_, v)| *v)
    }
}

fn value_at(frame: &FrameValues, position: u32) -> Option<Value> {
    match position {
        NONE => None,
        p => frame.items().get(p as usize - 1).map(|(_, v)| *v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_scan_finds_frame_after_frame() {
        let watched: FieldSet = [Field::IpSrc, Field::TcpStream, Field::FrameNumber].into_iter().collect();
        let mut index = FieldIndex::new(watched);
        let mut frame = FrameValues::new(FieldSet::all());
        frame.uint(Field::FrameNumber, 1u32);
        frame.push(Field::IpSrc, Value::Ipv4([10, 0, 0, 1]));
        frame.uint(Field::TcpSrcport, 80u16);
        frame.push(Field::IpSrc, Value::Ipv4([10, 0, 0, 2]));
        frame.push(Field::IpSrc, Value::Ipv4([10, 0, 0, 3]));
        index.index(&frame);
        for f in [Field::IpSrc, Field::TcpStream, Field::FrameNumber] {
            assert_eq!(index.first(&frame, f), frame.first(f));
            assert_eq!(index.last(&frame, f), frame.last(f));
            assert_eq!(index.all(&frame, f).collect::<Vec<_>>(), frame.all(f).collect::<Vec<_>>());
        }
        assert_eq!(index.first(&frame, Field::TcpSrcport), None, "not watched");

        frame.clear();
        frame.uint(Field::TcpStream, 7u32);
        index.index(&frame);
        assert_eq!(index.first(&frame, Field::IpSrc), None, "the previous frame's values are forgotten");
        assert_eq!(index.all(&frame, Field::TcpStream).collect::<Vec<_>>(), [Value::UInt(7)]);
    }
}
