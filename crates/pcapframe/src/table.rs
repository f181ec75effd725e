//! Typed polars columns built directly from frame values, without per-value allocation.

use polars::prelude::*;

use crate::fields::{Field, FieldType, FrameValues, Value};

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
    Text(StringChunkedBuilder, String),
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
                ColumnBuilder::Text(StringChunkedBuilder::new(name, capacity), String::new())
            }
            FieldType::Str => ColumnBuilder::Str(StringChunkedBuilder::new(name, capacity)),
            FieldType::Bytes => ColumnBuilder::Binary(BinaryChunkedBuilder::new(name, capacity)),
            FieldType::AbsTime => ColumnBuilder::Datetime(PrimitiveChunkedBuilder::new(name, capacity)),
            FieldType::RelTime => ColumnBuilder::Seconds(PrimitiveChunkedBuilder::new(name, capacity)),
        }
    }

    /// Appends this frame's value of `field` (null when absent).
    pub fn append(&mut self, field: Field, frame: &FrameValues, occurrence: Occurrence) {
        let value = match occurrence {
            Occurrence::First => frame.first(field),
            Occurrence::Last => frame.last(field),
        };
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
                    b.append_value(scratch.as_str());
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
