//! Typed polars columns built directly from frame values, without per-value allocation.

use polars::prelude::*;

use crate::column::ColumnBuilder;
use crate::fields::{Field, FieldIndex, FieldSet, FrameValues, FIELDS};

/// Which occurrence a typed column keeps when a field occurs several times in a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Occurrence {
    /// The first (outermost) one, as `tshark -E occurrence=f`. For an ICMP error, the outer header.
    #[default]
    First,
    /// The last (innermost) one, as `tshark -E occurrence=l`.
    Last,
}

/// Rows in one chunk of the columns [`crate::read_pcap`] returns (the last chunk may hold
/// fewer). Writers that cut row groups should cut them at this size, so that they need not copy
/// the chunks into larger ones.
pub const CHUNK_ROWS: usize = 1 << 16;

/// No column for a field (in [`TableBuilder::column_of`]).
const NO_COLUMN: u16 = u16::MAX;

/// Columns of several fields built row by row, in chunks of [`CHUNK_ROWS`] rows: each builder is
/// made with a chunk's capacity and never grows (pages it does not fill are never touched), and
/// the finished chunks are linked into the columns, not copied.
///
/// A row of first occurrences is built in one walk over the frame's values, each value going
/// straight to its column's builder; last occurrences (and a field asked for twice) go through a
/// [`FieldIndex`] of the frame.
pub(crate) struct TableBuilder {
    fields: Vec<Field>,
    occurrence: Occurrence,
    index: FieldIndex,
    /// Per registry index: the field's column, or [`NO_COLUMN`]; empty when rows go through
    /// `index`.
    column_of: Vec<u16>,
    /// Per column: the number of the last row it received a value in.
    filled: Vec<u64>,
    /// Rows appended so far, plus one: the number of the row being built.
    row: u64,
    builders: Vec<ColumnBuilder>,
    chunks: Vec<Option<Series>>,
    rows_in_chunk: usize,
}

impl TableBuilder {
    /// Columns of `fields`, keeping `occurrence` of a repeated field.
    pub fn new(fields: &[Field], occurrence: Occurrence) -> Self {
        let set: FieldSet = fields.iter().copied().collect();
        let one_pass = occurrence == Occurrence::First && set.len() == fields.len() && fields.len() < NO_COLUMN.into();
        let mut column_of = Vec::new();
        if one_pass {
            column_of = vec![NO_COLUMN; FIELDS.len()];
            for (column, field) in fields.iter().enumerate() {
                column_of[field.index()] = column as u16;
            }
        }
        TableBuilder {
            fields: fields.to_vec(),
            occurrence,
            index: FieldIndex::new(set),
            column_of,
            filled: vec![0; fields.len()],
            row: 1,
            builders: fields.iter().map(|f| ColumnBuilder::for_field(*f, CHUNK_ROWS)).collect(),
            chunks: vec![None; fields.len()],
            rows_in_chunk: 0,
        }
    }

    /// Appends one frame's row.
    pub fn append(&mut self, frame: &FrameValues) {
        if self.column_of.is_empty() {
            self.append_indexed(frame);
        } else {
            self.append_in_one_pass(frame);
        }
        self.row += 1;
        self.rows_in_chunk += 1;
        if self.rows_in_chunk == CHUNK_ROWS {
            self.close_chunk();
        }
    }

    /// The first occurrence of each field, taken as the frame's values are walked; then nulls.
    fn append_in_one_pass(&mut self, frame: &FrameValues) {
        let row = self.row;
        let (filled, builders) = (&mut self.filled[..], &mut self.builders[..]);
        let mut values = 0;
        for (field, value) in frame.items() {
            // A field without a column maps to `NO_COLUMN`, past every column: `get_mut` misses.
            let column = usize::from(self.column_of[field.index()]);
            if let Some(last_row) = filled.get_mut(column).filter(|last_row| **last_row != row) {
                *last_row = row;
                builders[column].push(*field, frame, *value);
                values += 1;
            }
        }
        if values < builders.len() {
            for (builder, last_row) in builders.iter_mut().zip(filled.iter()) {
                if *last_row != row {
                    builder.push_null();
                }
            }
        }
    }

    /// Each column's occurrence found through an index of the frame.
    fn append_indexed(&mut self, frame: &FrameValues) {
        self.index.index(frame);
        for (builder, field) in self.builders.iter_mut().zip(&self.fields) {
            let value = match self.occurrence {
                Occurrence::First => self.index.first(frame, *field),
                Occurrence::Last => self.index.last(frame, *field),
            };
            match value {
                Some(value) => builder.push(*field, frame, value),
                None => builder.push_null(),
            }
        }
    }

    fn close_chunk(&mut self) {
        for ((builder, chunks), field) in self.builders.iter_mut().zip(&mut self.chunks).zip(&self.fields) {
            let full = std::mem::replace(builder, ColumnBuilder::for_field(*field, CHUNK_ROWS));
            let chunk = full.finish(*field).take_materialized_series();
            match chunks {
                Some(series) => {
                    // Same name and type: linking the chunk cannot fail.
                    let _ = series.append_owned(chunk);
                }
                None => *chunks = Some(chunk),
            }
        }
        self.rows_in_chunk = 0;
    }

    /// The finished columns, in the order of the fields.
    pub fn finish(mut self) -> Vec<Column> {
        if self.rows_in_chunk > 0 || self.chunks.iter().all(Option::is_none) {
            self.close_chunk();
        }
        self.chunks.into_iter().flatten().map(Series::into_column).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::Value;

    /// Frames with repeated, missing and many distinct addresses (more than the text cache's
    /// slots, so that slots are evicted and reused).
    fn frames() -> Vec<FrameValues> {
        (0u32..1500)
            .map(|n| {
                let mut frame = FrameValues::new(FieldSet::all());
                let [a, b, c, d] = (n * 7919).to_be_bytes();
                frame.uint(Field::FrameNumber, n + 1);
                if n % 5 != 0 {
                    frame.push(Field::EthSrc, Value::Mac([0, 0x1d, a, b, c, d]));
                }
                frame.push(Field::IpSrc, Value::Ipv4([10, b, c, d]));
                if n % 3 == 0 {
                    frame.push(Field::IpSrc, Value::Ipv4([192, 168, c, d])); // an ICMP error's inner header
                }
                if n % 7 != 0 {
                    frame.push(Field::Ipv6Dst, Value::Ipv6([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, a, b, c, d]));
                    frame.uint(Field::TcpStream, n / 4);
                }
                frame
            })
            .collect()
    }

    fn table(fields: &[Field], occurrence: Occurrence) -> Vec<Column> {
        let mut builder = TableBuilder::new(fields, occurrence);
        for frame in &frames() {
            builder.append(frame);
        }
        builder.finish()
    }

    fn text_at(columns: &[Column], field: &str, row: usize) -> Option<String> {
        let column = columns.iter().find(|c| c.name() == field)?;
        column.str().ok()?.get(row).map(str::to_string)
    }

    #[test]
    fn rows_built_in_one_pass_equal_rows_built_through_the_index() {
        let fields = [Field::IpSrc, Field::TcpStream, Field::EthSrc, Field::Ipv6Dst, Field::FrameNumber];
        let one_pass = table(&fields, Occurrence::First);
        // A field asked for twice makes the builder index each frame instead.
        let mut twice = fields.to_vec();
        twice.push(Field::IpSrc);
        let indexed = table(&twice, Occurrence::First);
        assert!(TableBuilder::new(&fields, Occurrence::First).column_of.len() == FIELDS.len());
        assert!(TableBuilder::new(&twice, Occurrence::First).column_of.is_empty());
        assert_eq!(one_pass.len(), fields.len());
        for (a, b) in one_pass.iter().zip(&indexed) {
            assert_eq!(a.len(), 1500);
            assert!(a.as_materialized_series().equals_missing(b.as_materialized_series()), "{}", a.name());
        }
        assert_eq!(text_at(&one_pass, "ip.src", 3).as_deref(), Some("10.0.92.205"));
        assert_eq!(text_at(&one_pass, "eth.src", 5), None);
        let last = table(&fields, Occurrence::Last);
        assert_eq!(text_at(&last, "ip.src", 3).as_deref(), Some("192.168.92.205"));
    }
}
