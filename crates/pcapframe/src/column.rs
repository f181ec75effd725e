//! One field's typed column under construction: [`ColumnBuilder`] takes a frame's value (or a
//! null) per row and never allocates per value. Integers, times and numbers go into a plain
//! vector with a validity bitmap made at the first null; addresses go into string views whose
//! text each distinct address writes once per chunk.

use polars::prelude::*;
use polars_arrow::array::{Utf8ViewArray, View};
use polars_arrow::bitmap::MutableBitmap;
use polars_arrow::datatypes::ArrowDataType;

use crate::fields::{Field, FieldType, FrameValues, Value};

/// Accumulates one field's column.
// An explicit tag: without it the variant was encoded in a vector's capacity, and decoding it
// took half of each value's dispatch.
#[repr(u8)]
pub(crate) enum ColumnBuilder {
    U8(Fixed<u8>),
    U16(Fixed<u16>),
    U32(Fixed<u32>),
    U64(Fixed<u64>),
    I32(Fixed<i32>),
    Bool(BooleanChunkedBuilder),
    Address(Addresses),
    Str(StringChunkedBuilder),
    Binary(BinaryChunkedBuilder),
    Datetime(Fixed<i64>),
    Seconds(Fixed<f64>),
    Float(Fixed<f64>),
}

impl ColumnBuilder {
    /// The column type that represents `field`, with room for `capacity` rows.
    pub fn for_field(field: Field, capacity: usize) -> Self {
        let name: PlSmallStr = field.def().name.into();
        match field.def().ty {
            FieldType::UInt { bits: 8 } | FieldType::Hex { bits: 8, .. } => ColumnBuilder::U8(Fixed::new(capacity)),
            FieldType::UInt { bits: 16 } | FieldType::Hex { bits: 16, .. } => ColumnBuilder::U16(Fixed::new(capacity)),
            FieldType::UInt { bits: 24 | 32 } | FieldType::Hex { bits: 24 | 32, .. } => {
                ColumnBuilder::U32(Fixed::new(capacity))
            }
            FieldType::UInt { .. } | FieldType::Hex { .. } => ColumnBuilder::U64(Fixed::new(capacity)),
            FieldType::Int32 | FieldType::Int8 => ColumnBuilder::I32(Fixed::new(capacity)),
            FieldType::Float => ColumnBuilder::Float(Fixed::new(capacity)),
            FieldType::Bool => ColumnBuilder::Bool(BooleanChunkedBuilder::new(name, capacity)),
            FieldType::Mac | FieldType::Ipv4 | FieldType::Ipv6 => ColumnBuilder::Address(Addresses::new(capacity)),
            FieldType::Str => ColumnBuilder::Str(StringChunkedBuilder::new(name, capacity)),
            FieldType::Bytes => ColumnBuilder::Binary(BinaryChunkedBuilder::new(name, capacity)),
            FieldType::AbsTime => ColumnBuilder::Datetime(Fixed::new(capacity)),
            FieldType::RelTime => ColumnBuilder::Seconds(Fixed::new(capacity)),
        }
    }

    /// Appends `value`, one of `frame`'s values of `field`; a value of another type than the
    /// column's is a null.
    #[inline(always)]
    pub fn push(&mut self, field: Field, frame: &FrameValues, value: Value) {
        match (self, value) {
            (ColumnBuilder::U8(b), Value::UInt(n)) => b.push(n as u8),
            (ColumnBuilder::U16(b), Value::UInt(n)) => b.push(n as u16),
            (ColumnBuilder::U32(b), Value::UInt(n)) => b.push(n as u32),
            (ColumnBuilder::U64(b), Value::UInt(n)) => b.push(n),
            (ColumnBuilder::I32(b), Value::Int(n)) => b.push(n as i32),
            (ColumnBuilder::Bool(b), Value::Bool(x)) => b.append_value(x),
            (ColumnBuilder::Address(b), v) => b.push(field, frame, v),
            (ColumnBuilder::Str(b), v) => b.append_value(frame.str_of(v)),
            (ColumnBuilder::Binary(b), v) => b.append_value(frame.bytes_of(v)),
            (ColumnBuilder::Datetime(b), Value::Nanos(ns)) => b.push(ns),
            (ColumnBuilder::Seconds(b), Value::Nanos(ns)) => b.push(ns as f64 / 1e9),
            (ColumnBuilder::Float(b), Value::Float(bits)) => b.push(f64::from(f32::from_bits(bits))),
            (builder, _) => builder.push_null(),
        }
    }

    /// Appends a null.
    pub fn push_null(&mut self) {
        match self {
            ColumnBuilder::U8(b) => b.push_null(),
            ColumnBuilder::U16(b) => b.push_null(),
            ColumnBuilder::U32(b) => b.push_null(),
            ColumnBuilder::U64(b) => b.push_null(),
            ColumnBuilder::I32(b) => b.push_null(),
            ColumnBuilder::Bool(b) => b.append_null(),
            ColumnBuilder::Address(b) => b.push_null(),
            ColumnBuilder::Str(b) => b.append_null(),
            ColumnBuilder::Binary(b) => b.append_null(),
            ColumnBuilder::Datetime(b) => b.push_null(),
            ColumnBuilder::Seconds(b) | ColumnBuilder::Float(b) => b.push_null(),
        }
    }

    /// The finished column of `field`.
    pub fn finish(self, field: Field) -> Column {
        let name: PlSmallStr = field.def().name.into();
        let series = match self {
            ColumnBuilder::U8(b) => b.finish::<UInt8Type>(name).into_series(),
            ColumnBuilder::U16(b) => b.finish::<UInt16Type>(name).into_series(),
            ColumnBuilder::U32(b) => b.finish::<UInt32Type>(name).into_series(),
            ColumnBuilder::U64(b) => b.finish::<UInt64Type>(name).into_series(),
            ColumnBuilder::I32(b) => b.finish::<Int32Type>(name).into_series(),
            ColumnBuilder::Bool(b) => b.finish().into_series(),
            ColumnBuilder::Address(b) => b.finish(name).into_series(),
            ColumnBuilder::Str(b) => b.finish().into_series(),
            ColumnBuilder::Binary(b) => b.finish().into_series(),
            ColumnBuilder::Datetime(b) => {
                b.finish::<Int64Type>(name).into_series().into_datetime(TimeUnit::Nanoseconds, None)
            }
            ColumnBuilder::Seconds(b) | ColumnBuilder::Float(b) => b.finish::<Float64Type>(name).into_series(),
        };
        series.into_column()
    }
}

/// Fixed-width values and, from the first null on, a bitmap of which rows hold one.
pub(crate) struct Fixed<T> {
    values: Vec<T>,
    validity: Option<MutableBitmap>,
}

impl<T: Copy + Default> Fixed<T> {
    fn new(capacity: usize) -> Self {
        Fixed { values: Vec::with_capacity(capacity), validity: None }
    }

    #[inline]
    fn push(&mut self, value: T) {
        self.values.push(value);
        if let Some(validity) = &mut self.validity {
            validity.push(true);
        }
    }

    fn push_null(&mut self) {
        let (values, validity) = (&mut self.values, &mut self.validity);
        validity
            .get_or_insert_with(|| {
                let mut bits = MutableBitmap::with_capacity(values.capacity());
                bits.extend_constant(values.len(), true);
                bits
            })
            .push(false);
        values.push(T::default());
    }

    fn finish<P: PolarsNumericType<Native = T>>(self, name: PlSmallStr) -> ChunkedArray<P> {
        ChunkedArray::from_vec_validity(name, self.values, self.validity.map(Into::into))
    }
}

impl<T> Fixed<T> {
    /// Values, and the validity bitmap when some row is null.
    fn into_parts(self) -> (Vec<T>, Option<MutableBitmap>) {
        (self.values, self.validity)
    }
}

/// Slots of the cache of [`Addresses`] (a power of two).
const ADDRESS_SLOTS: usize = 256;

/// An address column (MAC, IPv4, IPv6 as text). A capture repeats a few addresses over and
/// over: a direct-mapped cache, whose slot the address's bytes pick and whose hits compare the
/// whole value, keeps the view of each recent address, so that an address is written out once
/// per chunk rather than once per row, and its text is stored once.
pub(crate) struct Addresses {
    views: Fixed<View>,
    /// The texts too long to lie inline in their views.
    texts: Vec<u8>,
    slots: Vec<Option<(Value, View)>>,
    scratch: Vec<u8>,
}

impl Addresses {
    fn new(capacity: usize) -> Self {
        Addresses { views: Fixed::new(capacity), texts: Vec::new(), slots: Vec::new(), scratch: Vec::new() }
    }

    fn push(&mut self, field: Field, frame: &FrameValues, value: Value) {
        let view = match value.address_slot(ADDRESS_SLOTS.trailing_zeros()) {
            Some(slot) => {
                if self.slots.is_empty() {
                    self.slots.resize(ADDRESS_SLOTS, None);
                }
                match self.slots[slot] {
                    Some((cached, view)) if cached == value => view,
                    _ => {
                        let view = self.written(field, frame, value);
                        self.slots[slot] = Some((value, view));
                        view
                    }
                }
            }
            None => self.written(field, frame, value),
        };
        self.views.push(view);
    }

    fn push_null(&mut self) {
        self.views.push_null();
    }

    /// The view of `value` written out anew (its text kept in `texts` when it is not inline).
    fn written(&mut self, field: Field, frame: &FrameValues, value: Value) -> View {
        self.scratch.clear();
        frame.write_text(field, value, &mut self.scratch);
        if !self.scratch.is_ascii() {
            // Addresses are written in ASCII; anything else is made valid UTF-8 (see `finish`).
            self.scratch = String::from_utf8_lossy(&self.scratch).into_owned().into_bytes();
        }
        let offset = self.texts.len() as u32;
        let view = View::new_from_bytes(&self.scratch, 0, offset);
        if self.scratch.len() > View::MAX_INLINE_SIZE as usize {
            self.texts.extend_from_slice(&self.scratch);
        }
        view
    }

    fn finish(self, name: PlSmallStr) -> StringChunked {
        let buffers = if self.texts.is_empty() { Vec::new() } else { vec![self.texts.into()] };
        let (views, validity) = self.views.into_parts();
        let (views, buffers, validity) = (views.into(), buffers.into(), validity.map(Into::into));
        debug_assert!(Utf8ViewArray::try_new(
            ArrowDataType::Utf8View,
            Clone::clone(&views),
            Clone::clone(&buffers),
            None
        )
        .is_ok());
        // SAFETY: every view was made by `View::new_from_bytes` from text that is valid UTF-8
        // (`written` sees to it): inline, or, at buffer 0, the offset at which that text was
        // appended to `texts`, which is that buffer; the validity has one bit per view. Checking
        // the views again (`try_new`) took as long as building the whole column.
        let array =
            unsafe { Utf8ViewArray::new_unchecked_unknown_md(ArrowDataType::Utf8View, views, buffers, validity, None) };
        StringChunked::with_chunk(name, array)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::FieldSet;

    /// Values of every address kind, more distinct ones than the cache has slots, with nulls.
    fn addresses() -> Vec<(Field, Option<Value>)> {
        (0u32..1500)
            .flat_map(|n| {
                let [a, b, c, d] = (n * 7919).to_be_bytes();
                [
                    (Field::EthSrc, (n % 5 != 0).then_some(Value::Mac([0, 0x1d, a, b, c, d]))),
                    (Field::IpSrc, Some(Value::Ipv4([10, b % 4, c, d % 8]))),
                    (
                        Field::Ipv6Dst,
                        (n % 7 != 0).then_some(Value::Ipv6([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, a, b, c, d])),
                    ),
                    (Field::IpDst, Some(Value::Ipv4([1, 2, 3, (n % 3) as u8]))),
                ]
            })
            .collect()
    }

    #[test]
    fn an_address_column_holds_each_value_written_out() {
        let frame = FrameValues::new(FieldSet::all());
        for field in [Field::EthSrc, Field::IpSrc, Field::Ipv6Dst, Field::IpDst] {
            let values: Vec<Option<Value>> =
                addresses().into_iter().filter(|(f, _)| *f == field).map(|(_, v)| v).collect();
            let mut builder = ColumnBuilder::for_field(field, values.len());
            let mut expected = Vec::new();
            for value in &values {
                match value {
                    Some(v) => {
                        builder.push(field, &frame, *v);
                        let mut text = String::new();
                        frame.write_text(field, *v, &mut text);
                        expected.push(Some(text));
                    }
                    None => {
                        builder.push_null();
                        expected.push(None);
                    }
                }
            }
            let column = builder.finish(field);
            assert_eq!(column.name().as_str(), field.def().name);
            let got: Vec<Option<String>> = column.str().unwrap().iter().map(|s| s.map(str::to_string)).collect();
            assert_eq!(got, expected, "{}", field.def().name);
            // The views and buffers built without checking pass polars' checks.
            for array in column.str().unwrap().downcast_iter() {
                let (views, buffers) = (array.views().clone(), array.data_buffers().clone());
                assert!(Utf8ViewArray::try_new(ArrowDataType::Utf8View, views, buffers, None).is_ok());
            }
        }
    }

    #[test]
    fn nulls_before_and_after_values_and_values_of_another_type() {
        let frame = FrameValues::new(FieldSet::all());
        let mut builder = ColumnBuilder::for_field(Field::TcpSeq, 4);
        builder.push(Field::TcpSeq, &frame, Value::UInt(7));
        builder.push_null();
        builder.push(Field::TcpSeq, &frame, Value::Bool(true));
        builder.push(Field::TcpSeq, &frame, Value::UInt(9));
        let column = builder.finish(Field::TcpSeq);
        let got: Vec<Option<u32>> = column.u32().unwrap().iter().collect();
        assert_eq!(got, [Some(7), None, None, Some(9)]);
        let mut times = ColumnBuilder::for_field(Field::FrameTimeEpoch, 2);
        times.push(Field::FrameTimeEpoch, &frame, Value::Nanos(1_500_000_000_123_456_789));
        times.push_null();
        let times = times.finish(Field::FrameTimeEpoch);
        assert_eq!(times.dtype(), &DataType::Datetime(TimeUnit::Nanoseconds, None));
        assert_eq!(times.null_count(), 1);
    }
}
