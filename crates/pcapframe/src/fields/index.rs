//! [`FieldIndex`]: where each wanted field occurs in one frame's values, found in one pass.
//!
//! [`FrameValues::first`] scans a frame's values; asking it for each of 79 columns scans them 79
//! times. A writer of many columns indexes the frame once instead, then finds every field's
//! occurrences directly. The index allocates only when built; after that, indexing a frame
//! allocates nothing.

use super::{Field, FieldSet, FrameValues, Value, FIELDS};

/// No occurrence (positions are stored plus one).
const NONE: u32 = 0;

/// The positions of the watched fields' occurrences in the last frame indexed.
#[derive(Debug, Clone)]
pub struct FieldIndex {
    watched: FieldSet,
    /// Per registry index: the first and last occurrence's position + 1, or [`NONE`].
    head: Vec<u32>,
    tail: Vec<u32>,
    /// Per position in the frame's values: the next occurrence of the same field + 1, or [`NONE`].
    next: Vec<u32>,
    /// The fields whose `head` and `tail` are set, to reset them for the next frame.
    touched: Vec<Field>,
}

impl FieldIndex {
    /// An index of the `watched` fields' occurrences (others are not looked up through it).
    pub fn new(watched: FieldSet) -> Self {
        FieldIndex {
            watched,
            head: vec![NONE; FIELDS.len()],
            tail: vec![NONE; FIELDS.len()],
            next: Vec::with_capacity(64),
            touched: Vec::with_capacity(64),
        }
    }

    /// Indexes one frame's values, forgetting the previous frame's.
    pub fn index(&mut self, frame: &FrameValues) {
        for f in self.touched.drain(..) {
            self.head[f.index()] = NONE;
            self.tail[f.index()] = NONE;
        }
        let items = frame.items();
        self.next.clear();
        self.next.resize(items.len(), NONE);
        for (position, (field, _)) in items.iter().enumerate() {
            if !self.watched.contains(*field) {
                continue;
            }
            let id = field.index();
            let here = position as u32 + 1;
            match self.tail[id] {
                NONE => {
                    self.head[id] = here;
                    self.touched.push(*field);
                }
                last => self.next[last as usize - 1] = here,
            }
            self.tail[id] = here;
        }
    }

    /// The first occurrence of a watched field in the indexed `frame`.
    #[inline]
    pub fn first(&self, frame: &FrameValues, field: Field) -> Option<Value> {
        value_at(frame, self.head[field.index()])
    }

    /// The last occurrence of a watched field in the indexed `frame`.
    #[inline]
    pub fn last(&self, frame: &FrameValues, field: Field) -> Option<Value> {
        value_at(frame, self.tail[field.index()])
    }

    /// Every occurrence of a watched field in the indexed `frame`, in order.
    pub fn all<'a>(&'a self, frame: &'a FrameValues, field: Field) -> impl Iterator<Item = Value> + 'a {
        let mut at = self.head[field.index()];
        std::iter::from_fn(move || {
            let value = value_at(frame, at)?;
            at = self.next.get(at as usize - 1).copied().unwrap_or(NONE);
            Some(value)
        })
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
