//! Typed polars columns built directly from frame values, without per-value allocation.

use polars::prelude::*;

use crate::fields::{Field, FieldIndex, FieldType, FrameValues, Value};

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
    Text(StringChunkedBuilder, Vec<u8>),
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
                ColumnBuilder::Text(StringChunkedBuilder::new(name, capacity), Vec::new())
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
            ColumnBuilder::Text(b, scratch) => match value {
                Some(v) => {
                    scratch.clear();
                    frame.write_text(field, v, scratch);
                    // Addresses are written in ASCII.
                    b.append_value(std::str::from_utf8(scratch).unwrap_or_default());
                }
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

/// Rows in one chunk of the columns [`crate::read_pcap`] returns (the last chunk may hold
/// fewer). Writers that cut row groups should cut them at this size, so that they need not copy
/// the chunks into larger ones.
pub const CHUNK_ROWS: usize = 1 << 16;

/// Columns of several fields built row by row, each frame's values found in one pass
/// ([`FieldIndex`]), in chunks of [`CHUNK_ROWS`] rows: each builder is made with a chunk's
/// capacity and never grows (pages it does not fill are never touched), and the finished chunks
/// are linked into the columns, not copied.
pub(crate) struct TableBuilder {
    fields: Vec<Field>,
    occurrence: Occurrence,
    index: FieldIndex,
    builders: Vec<ColumnBuilder>,
    chunks: Vec<Option<Series>>,
    rows_in_chunk: usize,
}

impl TableBuilder {
    /// Columns of `fields`, keeping `occurrence` of a repeated field.
    pub fn new(fields: &[Field], occurrence: Occurrence) -> Self {
        TableBuilder {
            fields: fields.to_vec(),
            occurrence,
            index: FieldIndex::new(fields.iter().copied().collect()),
            builders: fields.iter().map(|f| ColumnBuilder::for_field(*f, CHUNK_ROWS)).collect(),
            chunks: vec![None; fields.len()],
            rows_in_chunk: 0,
        }
    }

    /// Appends one frame's row.
    pub fn append(&mut self, frame: &FrameValues) {
        self.index.index(frame);
        for (builder, field) in self.builders.iter_mut().zip(&self.fields) {
            let value = match self.occurrence {
                Occurrence::First => self.index.first(frame, *field),
                Occurrence::Last => self.index.last(frame, *field),
            };
            builder.append_value(*field, frame, value);
        }
        self.rows_in_chunk += 1;
        if self.rows_in_chunk == CHUNK_ROWS {
            self.close_chunk();
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
