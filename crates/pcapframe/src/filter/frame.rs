//! Applying a display filter to a DataFrame that was already read: each column named like a
//! field supplies that field's value for its row.

use std::net::{Ipv4Addr, Ipv6Addr};

use polars::prelude::*;

use super::operand::hex_bytes;
use super::DisplayFilter;
use crate::error::{Error, Result};
use crate::fields::{Field, FieldType, FrameValues, Value, FIELDS};

/// Keeps the rows of `df` that pass `filter`. Every field the filter reads must be a column;
/// a column holds one occurrence per row (the first, unless read otherwise), so a filter on a
/// field that repeats in a frame can select other rows than `read_pcap` with the same filter.
pub fn filter_frame(df: &DataFrame, filter: &str) -> Result<DataFrame> {
    let parsed = DisplayFilter::parse(filter)?;
    let needed = parsed.fields();
    let mut columns: Vec<(Field, &Column)> = Vec::new();
    for (i, def) in FIELDS.iter().enumerate() {
        let field = Field::from_index(i);
        if !needed.contains(field) {
            continue;
        }
        match df.column(def.name) {
            Ok(column) => columns.push((field, column)),
            Err(_) => {
                return Err(Error::Unsupported(format!(
                    "the filter reads {}, which is not a column of this DataFrame",
                    def.name
                )))
            }
        }
    }
    let mut values = FrameValues::without_layers(needed);
    let mut keep = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        values.clear();
        for (field, column) in &columns {
            push(&mut values, *field, column.get(row)?);
        }
        keep.push(parsed.matches(&values));
    }
    Ok(df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?)
}

fn push(values: &mut FrameValues, field: Field, cell: AnyValue<'_>) {
    let value = match (field.def().ty, cell) {
        (_, AnyValue::Null) => return,
        (_, AnyValue::UInt8(n)) => Value::UInt(n.into()),
        (_, AnyValue::UInt16(n)) => Value::UInt(n.into()),
        (_, AnyValue::UInt32(n)) => Value::UInt(n.into()),
        (_, AnyValue::UInt64(n)) => Value::UInt(n),
        (_, AnyValue::Int32(n)) => Value::Int(n.into()),
        (_, AnyValue::Int64(n)) => Value::Int(n),
        (_, AnyValue::Boolean(b)) => Value::Bool(b),
        (_, AnyValue::Datetime(ns, _, _) | AnyValue::DatetimeOwned(ns, _, _)) => Value::Nanos(ns),
        (FieldType::Float, AnyValue::Float64(x)) => Value::float(x as f32),
        (_, AnyValue::Float64(secs)) => Value::Nanos((secs * 1e9).round() as i64),
        (_, AnyValue::Binary(b)) => return values.bytes(field, b),
        (_, AnyValue::BinaryOwned(ref b)) => return values.bytes(field, b),
        (FieldType::Str, AnyValue::String(s)) => return values.text(field, s),
        (FieldType::Str, AnyValue::StringOwned(ref s)) => return values.text(field, s),
        (ty, AnyValue::String(s)) => match text_value(ty, s) {
            Some(v) => v,
            None => return,
        },
        (ty, AnyValue::StringOwned(ref s)) => match text_value(ty, s) {
            Some(v) => v,
            None => return,
        },
        _ => return,
    };
    values.push(field, value);
}

fn text_value(ty: FieldType, s: &str) -> Option<Value> {
    match ty {
        FieldType::Mac => hex_bytes(s).and_then(|b| <[u8; 6]>::try_from(b).ok()).map(Value::Mac),
        FieldType::Ipv4 => s.parse::<Ipv4Addr>().ok().map(|a| Value::Ipv4(a.octets())),
        FieldType::Ipv6 => s.parse::<Ipv6Addr>().ok().map(|a| Value::Ipv6(a.octets())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_rows_by_their_columns() {
        let df = df!(
            "ip.src" => ["10.0.0.1", "192.168.1.5", "10.0.0.9"],
            "tcp.len" => [0u32, 1448, 12],
            "eth.trailer" => [None, Some(b"pass".as_slice()), None]
        )
        .unwrap();
        assert_eq!(filter_frame(&df, "ip.src == 10.0.0.0/8 && tcp.len > 0").unwrap().height(), 1);
        assert_eq!(filter_frame(&df, "eth.trailer contains \"as\"").unwrap().height(), 1);
        assert!(filter_frame(&df, "udp.port == 53")
            .unwrap_err()
            .to_string()
            .contains("udp.srcport, which is not a column"));
        assert!(filter_frame(&df, "tcp.len >").is_err());
    }
}
