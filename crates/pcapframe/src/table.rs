//! Typed polars columns built directly from frame values, without per-value allocation.

use polars::prelude::*;

use crate::fields::{Field, FieldIndex, FieldSet, FieldType, FrameValues, Value, FIELDS};

/// Which occurrence a typed column keeps when a field occurs several times in a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Occurrence {
    /// The first (outermost) one, as `tshark -E occurrence=f`. For an ICMP error, the outer header.
    #[default]
    First,
    /// The last (innermost) one, as `tshark -E occurrence=l`.
    Last,
}

/// Accumulates one field's column.
pub(crate) enum ColumnBuilder {
    U8(PrimitiveChunkedBuilder<UInt8Type>),
    U16(PrimitiveChunkedBuilder<UInt16Type>),
    U32(PrimitiveChunkedBuilder<UInt32Type>),
    U64(PrimitiveChunkedBuilder<UInt64Type>),
    I32(PrimitiveChunkedBuilder<Int32Type>),
    Bool(BooleanChunkedBuilder),
    Text(StringChunkedBuilder, AddressTexts),
    Str(StringChunkedBuilder),
    Binary(BinaryChunkedBuilder),
    Datetime(PrimitiveChunkedBuilder<Int64Type>),
    Seconds(PrimitiveChunkedBuilder<Float64Type>),
    Float(PrimitiveChunkedBuilder<Float64Type>),
}

impl ColumnBuilder {
    /// The column type that represents `field`.
    pub fn for_field(field: Field, capacity: usize) -> Self {
        let name: PlSmallStr = field.def().name.into();
        match field.def().ty {
            FieldType::UInt { bits: 8 } | FieldType::Hex { bits: 8, .. } => {
                ColumnBuilder::U8(PrimitiveChunkedBuilder::new(name, capacity))
            }
            FieldType::UInt { bits: 16 } | FieldType::Hex { bits: 16, .. } => {
                ColumnBuilder::U16(PrimitiveChunkedBuilder::new(name, capacity))
            }
            FieldType::UInt { bits: 24 | 32 } | FieldType::Hex { bits: 24 | 32, .. } => {
                ColumnBuilder::U32(PrimitiveChunkedBuilder::new(name, capacity))
            }
            FieldType::UInt { .. } | FieldType::Hex { .. } => {
                ColumnBuilder::U64(PrimitiveChunkedBuilder::new(name, capacity))
            }
            FieldType::Int32 | FieldType::Int8 => ColumnBuilder::I32(PrimitiveChunkedBuilder::new(name, capacity)),
            FieldType::Float => ColumnBuilder::Float(PrimitiveChunkedBuilder::new(name, capacity)),
            FieldType::Bool => ColumnBuilder::Bool(BooleanChunkedBuilder::new(name, capacity)),
            FieldType::Mac | FieldType::Ipv4 | FieldType::Ipv6 => {
                ColumnBuilder::Text(StringChunkedBuilder::new(name, capacity), AddressTexts::default())
            }
            FieldType::Str => ColumnBuilder::Str(StringChunkedBuilder::new(name, capacity)),
            FieldType::Bytes => ColumnBuilder::Binary(BinaryChunkedBuilder::new(name, capacity)),
            FieldType::AbsTime => ColumnBuilder::Datetime(PrimitiveChunkedBuilder::new(name, capacity)),
            FieldType::RelTime => ColumnBuilder::Seconds(PrimitiveChunkedBuilder::new(name, capacity)),
        }
    }

    /// Appends `value`, one of `frame`'s values of `field` (null when `None`).
    pub fn append_value(&mut self, field: Field, frame: &FrameValues, value: Option<Value>) {
        let uint = |v: Option<Value>| match v {
            Some(Value::UInt(n)) => Some(n),
            _ => None,
        };
        match self {
            ColumnBuilder::U8(b) => b.append_option(uint(value).map(|n| n as u8)),
            ColumnBuilder::U16(b) => b.append_option(uint(value).map(|n| n as u16)),
            ColumnBuilder::U32(b) => b.append_option(uint(value).map(|n| n as u32)),
            ColumnBuilder::U64(b) => b.append_option(uint(value)),
            ColumnBuilder::I32(b) => b.append_option(match value {
                Some(Value::Int(n)) => Some(n as i32),
                _ => None,
            }),
            ColumnBuilder::Bool(b) => b.append_option(match value {
                Some(Value::Bool(x)) => Some(x),
                _ => None,
            }),
            ColumnBuilder::Text(b, texts) => match value {
                Some(v) => b.append_value(texts.text(field, frame, v)),
                None => b.append_null(),
            },
            ColumnBuilder::Str(b) => match value {
                Some(v) => b.append_value(frame.str_of(v)),
                None => b.append_null(),
            },
            ColumnBuilder::Binary(b) => match value {
                Some(v) => b.append_value(frame.bytes_of(v)),
                None => b.append_null(),
            },
            ColumnBuilder::Datetime(b) => b.append_option(match value {
                Some(Value::Nanos(ns)) => Some(ns),
                _ => None,
            }),
            ColumnBuilder::Seconds(b) => b.append_option(match value {
                Some(Value::Nanos(ns)) => Some(ns as f64 / 1e9),
                _ => None,
            }),
            ColumnBuilder::Float(b) => b.append_option(match value {
                Some(Value::Float(bits)) => Some(f64::from(f32::from_bits(bits))),
                _ => None,
            }),
        }
    }

    /// The finished column.
    pub fn finish(self) -> Column {
        let series = match self {
            ColumnBuilder::U8(b) => b.finish().into_series(),
            ColumnBuilder::U16(b) => b.finish().into_series(),
            ColumnBuilder::U32(b) => b.finish().into_series(),
            ColumnBuilder::U64(b) => b.finish().into_series(),
            ColumnBuilder::I32(b) => b.finish().into_series(),
            ColumnBuilder::Bool(b) => b.finish().into_series(),
            ColumnBuilder::Text(b, _) | ColumnBuilder::Str(b) => b.finish().into_series(),
            ColumnBuilder::Binary(b) => b.finish().into_series(),
            ColumnBuilder::Datetime(b) => b.finish().into_series().into_datetime(TimeUnit::Nanoseconds, None),
            ColumnBuilder::Seconds(b) | ColumnBuilder::Float(b) => b.finish().into_series(),
        };
        series.into_column()
    }
}

/// Slots of [`AddressTexts`] (a power of two).
const ADDRESS_SLOTS: usize = 256;

/// The text of recently seen addresses, so that an address column formats each address once
/// rather than once per row (a capture repeats a few addresses over and over): a direct-mapped
/// cache whose slot the address's bytes pick, and whose hits compare the whole value.
#[derive(Default)]
pub(crate) struct AddressTexts {
    slots: Vec<Option<(Value, String)>>,
    scratch: Vec<u8>,
}

impl AddressTexts {
    /// The text of `value`, one of `frame`'s values of the address field `field`.
    fn text(&mut self, field: Field, frame: &FrameValues, value: Value) -> &str {
        let key = match value {
            Value::Ipv4(a) => u128::from(u32::from_be_bytes(a)),
            Value::Ipv6(a) => u128::from_be_bytes(a),
            Value::Mac(m) => m.iter().fold(0u128, |k, b| k << 8 | u128::from(*b)),
            _ => return self.uncached(field, frame, value),
        };
        if self.slots.is_empty() {
            self.slots.resize(ADDRESS_SLOTS, None);
        }
        // Fibonacci hashing: the top bits of the product pick the slot.
        let folded = (key as u64) ^ ((key >> 64) as u64);
        let slot = (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - ADDRESS_SLOTS.trailing_zeros())) as usize;
        if self.slots[slot].as_ref().is_none_or(|(cached, _)| *cached != value) {
            let text = self.uncached(field, frame, value).to_string();
            self.slots[slot] = Some((value, text));
        }
        self.slots[slot].as_ref().map_or("", |(_, text)| text.as_str())
    }

    /// `value` written out anew.
    fn uncached(&mut self, field: Field, frame: &FrameValues, value: Value) -> &str {
        self.scratch.clear();
        frame.write_text(field, value, &mut self.scratch);
        // Addresses are written in ASCII.
        std::str::from_utf8(&self.scratch).unwrap_or_default()
    }
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
        for (field, value) in frame.items() {
            let column = self.column_of[field.index()];
            if column == NO_COLUMN || self.filled[usize::from(column)] == self.row {
                continue;
            }
            let column = usize::from(column);
            self.filled[column] = self.row;
            self.builders[column].append_value(*field, frame, Some(*value));
        }
        for (column, builder) in self.builders.iter_mut().enumerate() {
            if self.filled[column] != self.row {
                builder.append_value(self.fields[column], frame, None);
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
            builder.append_value(*field, frame, value);
        }
    }

    fn close_chunk(&mut self) {
        for ((builder, chunks), field) in self.builders.iter_mut().zip(&mut self.chunks).zip(&self.fields) {
            let full = std::mem::replace(builder, ColumnBuilder::for_field(*field, CHUNK_ROWS));
            let chunk = full.finish().take_materialized_series();
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

    #[test]
    fn address_texts_are_the_values_written_out() {
        let frames = frames();
        let mut texts = AddressTexts::default();
        let mut written = Vec::new();
        for frame in frames.iter().chain(&frames) {
            for (field, value) in frame.items() {
                if matches!(value, Value::Mac(_) | Value::Ipv4(_) | Value::Ipv6(_)) {
                    written.clear();
                    frame.write_text(*field, *value, &mut written);
                    assert_eq!(texts.text(*field, frame, *value).as_bytes(), written.as_slice());
                }
            }
        }
    }
}
