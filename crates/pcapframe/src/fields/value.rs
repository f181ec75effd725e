//! Per-frame field values: a reusable store that allocates nothing once warm.

use std::fmt::Write;

use super::{Field, FieldSet, FieldType};

/// One occurrence of a field in a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// Unsigned integers, hex-printed integers and booleans' numeric form.
    UInt(u64),
    /// Signed integers.
    Int(i64),
    /// Flags.
    Bool(bool),
    /// MAC address.
    Mac([u8; 6]),
    /// IPv4 address.
    Ipv4([u8; 4]),
    /// IPv6 address.
    Ipv6([u8; 16]),
    /// Bytes stored in the frame's byte arena (see [`FrameValues::bytes`]).
    Bytes { start: u32, len: u32 },
    /// Nanoseconds (absolute since the epoch, or a difference).
    Nanos(i64),
    /// A single-precision number, as its bits (so that values stay `Eq`); see [`Value::float`].
    Float(u32),
}

impl Value {
    /// A [`Value::Float`].
    pub fn float(x: f32) -> Value {
        Value::Float(x.to_bits())
    }
}

/// An application protocol that a display filter can name, where the protocol's presence in a
/// frame is not the presence of one of its fields: tshark marks a frame with the protocol whose
/// dissector ran on it, which may show no field (continuation data, an SMTP message line, the
/// first segment of a TLS record), and names some messages apart from their fields' prefix
/// (SSDP shows `http.*` fields, mDNS and LLMNR show `dns.*` fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// HTTP over TCP.
    Http,
    /// HTTP messages over UDP port 1900.
    Ssdp,
    /// DNS on port 53 (UDP or TCP).
    Dns,
    /// Multicast DNS (UDP port 5353).
    Mdns,
    /// LLMNR (UDP port 5355).
    Llmnr,
    /// TLS records over TCP, and TLS handshakes in QUIC Initial packets.
    Tls,
    /// SMTP over TCP.
    Smtp,
}

impl Layer {
    fn bit(self) -> u16 {
        1 << self as u16
    }
}

// Each mark needs a bit of `FrameValues::layers` (`Smtp` is the last variant).
const _: () = assert!((Layer::Smtp as u16) < 16);

/// The values decoded from one frame, in dissection order. A field can occur several times
/// (an ICMP error quotes an inner IP header, QinQ carries two VLAN tags).
#[derive(Debug, Clone)]
pub struct FrameValues {
    wanted: FieldSet,
    items: Vec<(Field, Value)>,
    /// The fields that occur in `items`, so that an absent one is known at once.
    present: FieldSet,
    arena: Vec<u8>,
    /// The [`Layer`]s marked in this frame, one bit each; `None` when the values were not
    /// decoded by pcapframe's dissectors (a filter applied to a DataFrame's rows).
    layers: Option<u16>,
}

impl Default for FrameValues {
    /// A store that keeps nothing (no field wanted) but keeps marks.
    fn default() -> Self {
        FrameValues::new(FieldSet::default())
    }
}

impl FrameValues {
    /// A store that keeps only the `wanted` fields.
    pub fn new(wanted: FieldSet) -> Self {
        FrameValues {
            wanted,
            items: Vec::with_capacity(64),
            present: FieldSet::default(),
            arena: Vec::with_capacity(256),
            layers: Some(0),
        }
    }

    /// A store filled from values read elsewhere (a DataFrame's cells), which knows no
    /// [`Layer`] marks: a protocol's presence is then the presence of its fields.
    pub fn without_layers(wanted: FieldSet) -> Self {
        FrameValues { layers: None, ..FrameValues::new(wanted) }
    }

    /// Forgets the previous frame's values (keeping the allocations).
    pub fn clear(&mut self) {
        self.items.clear();
        self.present = FieldSet::default();
        self.arena.clear();
        if let Some(bits) = &mut self.layers {
            *bits = 0;
        }
    }

    /// Marks that a protocol's dissector ran on this frame.
    #[inline]
    pub fn mark(&mut self, layer: Layer) {
        if let Some(bits) = &mut self.layers {
            *bits |= layer.bit();
        }
    }

    /// Whether a protocol's dissector ran on this frame; `None` when marks are not kept.
    pub fn has_layer(&self, layer: Layer) -> Option<bool> {
        self.layers.map(|bits| bits & layer.bit() != 0)
    }

    /// Whether this field is being collected.
    #[inline]
    pub fn wants(&self, f: Field) -> bool {
        self.wanted.contains(f)
    }

    /// The set of collected fields.
    pub fn wanted(&self) -> &FieldSet {
        &self.wanted
    }

    /// Records one occurrence.
    #[inline]
    pub fn push(&mut self, f: Field, v: Value) {
        if self.wanted.contains(f) {
            self.items.push((f, v));
            self.present.insert(f);
        }
    }

    /// Records an unsigned value.
    #[inline]
    pub fn uint(&mut self, f: Field, v: impl Into<u64>) {
        self.push(f, Value::UInt(v.into()));
    }

    /// Records a byte-string value.
    pub fn bytes(&mut self, f: Field, b: &[u8]) {
        if self.wanted.contains(f) {
            let start = self.arena.len() as u32;
            self.arena.extend_from_slice(b);
            self.items.push((f, Value::Bytes { start, len: b.len() as u32 }));
            self.present.insert(f);
        }
    }

    /// Records a text value (FT_STRING). The dissector decodes bytes to UTF-8 first.
    pub fn text(&mut self, f: Field, s: &str) {
        self.bytes(f, s.as_bytes());
    }

    /// Records text decoded from `raw` bytes as tshark does: invalid UTF-8 sequences become U+FFFD.
    pub fn text_lossy(&mut self, f: Field, raw: &[u8]) {
        if self.wanted.contains(f) {
            match std::str::from_utf8(raw) {
                Ok(s) => self.text(f, s),
                Err(_) => self.text(f, &String::from_utf8_lossy(raw)),
            }
        }
    }

    /// Records text from bytes read as ASCII, as tshark reads most protocol text: each byte
    /// past 0x7f becomes U+FFFD.
    pub fn text_ascii(&mut self, f: Field, raw: &[u8]) {
        if self.wanted.contains(f) {
            if raw.is_ascii() {
                return self.bytes(f, raw);
            }
            let start = self.arena.len() as u32;
            for &b in raw {
                if b.is_ascii() {
                    self.arena.push(b);
                } else {
                    self.arena.extend_from_slice("\u{fffd}".as_bytes());
                }
            }
            let len = self.arena.len() as u32 - start;
            self.items.push((f, Value::Bytes { start, len }));
            self.present.insert(f);
        }
    }

    /// All occurrences, in order.
    pub fn items(&self) -> &[(Field, Value)] {
        &self.items
    }

    /// Occurrences of one field, in order.
    pub fn all(&self, f: Field) -> impl Iterator<Item = Value> + '_ {
        self.items.iter().filter(move |(g, _)| *g == f).map(|(_, v)| *v)
    }

    /// Whether the field occurs in this frame.
    #[inline]
    pub fn has(&self, f: Field) -> bool {
        self.present.contains(f)
    }

    /// First occurrence of a field.
    pub fn first(&self, f: Field) -> Option<Value> {
        if !self.has(f) {
            return None;
        }
        self.all(f).next()
    }

    /// Last occurrence of a field.
    pub fn last(&self, f: Field) -> Option<Value> {
        self.items.iter().rev().find(|(g, _)| *g == f).map(|(_, v)| *v)
    }

    /// The bytes behind a [`Value::Bytes`] (empty for other values).
    pub fn bytes_of(&self, v: Value) -> &[u8] {
        match v {
            Value::Bytes { start, len } => &self.arena[start as usize..(start + len) as usize],
            _ => &[],
        }
    }

    /// The text behind a [`Value::Bytes`] of a text field (empty for other values).
    pub fn str_of(&self, v: Value) -> &str {
        std::str::from_utf8(self.bytes_of(v)).unwrap_or("")
    }

    /// Appends the value as tshark 4.0 prints it with `-T fields`.
    pub fn write_text(&self, f: Field, v: Value, out: &mut String) {
        match (f.def().ty, v) {
            (FieldType::Str, Value::Bytes { .. }) => write_escaped(self.str_of(v), out),
            (FieldType::Hex { digits, .. }, Value::UInt(n)) => {
                out.push_str("0x");
                write_hex(n, digits as u32, out);
            }
            (_, Value::UInt(n)) => write_decimal(n, out),
            (_, Value::Int(n)) => {
                if n < 0 {
                    out.push('-');
                }
                write_decimal(n.unsigned_abs(), out);
            }
            (_, Value::Bool(b)) => out.push(if b { '1' } else { '0' }),
            (_, Value::Mac(m)) => {
                for (i, b) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(':');
                    }
                    write_hex_byte(*b, out);
                }
            }
            (_, Value::Ipv4(a)) => {
                for (i, b) in a.iter().enumerate() {
                    if i > 0 {
                        out.push('.');
                    }
                    write_octet(*b, out);
                }
            }
            (_, Value::Ipv6(a)) => {
                let _ = write!(out, "{}", std::net::Ipv6Addr::from(a));
            }
            (_, Value::Bytes { .. }) => {
                let bytes = self.bytes_of(v);
                if bytes.is_empty() {
                    out.push_str("<MISSING>"); // tshark's text for an empty byte field (an SSID)
                }
                out.reserve(bytes.len() * 2);
                for b in bytes {
                    write_hex_byte(*b, out);
                }
            }
            (_, Value::Nanos(ns)) => write_seconds(ns, out),
            (_, Value::Float(bits)) => write_float(f32::from_bits(bits), out),
        }
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// A byte in decimal, without a copy call (an IPv4 address has four of them).
#[inline]
fn write_octet(b: u8, out: &mut String) {
    if b >= 100 {
        out.push(char::from(b'0' + b / 100));
    }
    if b >= 10 {
        out.push(char::from(b'0' + b / 10 % 10));
    }
    out.push(char::from(b'0' + b % 10));
}

/// Two lower-case hex digits.
#[inline]
fn write_hex_byte(b: u8, out: &mut String) {
    out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
    out.push(char::from(HEX_DIGITS[usize::from(b & 0xf)]));
}

/// Lower-case hex digits, zero-padded to at least `min_digits` (`{:0min_digits$x}`).
fn write_hex(n: u64, min_digits: u32, out: &mut String) {
    let significant = (64 - n.leading_zeros()).div_ceil(4).max(1);
    for shift in (0..significant.max(min_digits)).rev() {
        let nibble = if shift < 16 { (n >> (shift * 4)) & 0xf } else { 0 };
        out.push(char::from(HEX_DIGITS[nibble as usize]));
    }
}

/// Writes a number with 6 significant digits and no trailing zeros (C's `%g`), as tshark prints
/// FT_FLOAT fields.
pub fn write_float(x: f32, out: &mut String) {
    let x = f64::from(x);
    if x == 0.0 || !x.is_finite() {
        let _ = write!(
            out,
            "{}",
            if x.is_nan() {
                "nan".into()
            } else if x == 0.0 {
                "0".into()
            } else {
                format!("{}inf", if x < 0.0 { "-" } else { "" })
            }
        );
        return;
    }
    let exponent = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&exponent) {
        let text = format!("{:.5e}", x);
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let exp: i32 = exp.parse().unwrap_or(0);
        let _ = write!(out, "{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return;
    }
    let decimals = (5 - exponent).max(0) as usize;
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    out.push_str(text);
}

/// Writes text as tshark's `-T fields` does: only `\b \f \n \r \t` are escaped (commas are not).
pub fn write_escaped(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
}

/// Writes nanoseconds as seconds with 9 decimals, as tshark prints times.
pub fn write_seconds(ns: i64, out: &mut String) {
    if ns < 0 {
        out.push('-');
    }
    let abs = ns.unsigned_abs();
    write_decimal(abs / 1_000_000_000, out);
    out.push('.');
    write_digits(abs % 1_000_000_000, 9, out);
}

/// Writes a number in decimal. Digits are pushed one by one: for the short numbers of packet
/// fields that is cheaper than copying a formatted buffer.
#[inline]
fn write_decimal(n: u64, out: &mut String) {
    let digits = n.checked_ilog10().unwrap_or(0) + 1;
    write_digits(n, digits, out);
}

/// Writes the last `digits` decimal digits of `n`, zero-padded.
#[inline]
fn write_digits(n: u64, digits: u32, out: &mut String) {
    let mut buf = [b'0'; 20];
    let mut rest = n;
    for d in buf[..digits as usize].iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    for d in &buf[..digits as usize] {
        out.push(char::from(*d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: Field, v: Value) -> String {
        let mut fv = FrameValues::new(FieldSet::all());
        let mut s = String::new();
        fv.push(f, v);
        fv.write_text(f, v, &mut s);
        s
    }

    #[test]
    fn tshark_text_forms() {
        assert_eq!(text(Field::EthType, Value::UInt(0x800)), "0x0800");
        assert_eq!(text(Field::IpFlags, Value::UInt(2)), "0x02");
        assert_eq!(text(Field::Ipv6Flow, Value::UInt(0)), "0x000000");
        assert_eq!(text(Field::EthFcs, Value::UInt(0xdeadbeef)), "0xdeadbeef");
        assert_eq!(text(Field::IpFlagsDf, Value::Bool(true)), "1");
        assert_eq!(text(Field::FrameTimeDelta, Value::Nanos(-1_500)), "-0.000001500");
        assert_eq!(text(Field::FrameTimeEpoch, Value::Nanos(1_270_661_369_782_934_000)), "1270661369.782934000");
        assert_eq!(
            text(Field::Ipv6Src, Value::Ipv6([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
            "fe80::1"
        );
        assert_eq!(text(Field::EthSrc, Value::Mac([0, 0x1d, 0xd9, 0x2e, 0x4f, 0x61])), "00:1d:d9:2e:4f:61");
        assert_eq!(text(Field::GeneveVni, Value::UInt(10)), "0x00000a");
        assert_eq!(text(Field::EthType, Value::UInt(0x1_2345)), "0x12345", "wider than its digits: all of them");
        assert_eq!(text(Field::EthType, Value::UInt(0)), "0x0000");
        assert_eq!(text(Field::FrameNumber, Value::UInt(u64::MAX)), "18446744073709551615");
        assert_eq!(text(Field::RadiotapDbmAntsignal, Value::Int(i64::MIN)), "-9223372036854775808");
        assert_eq!(text(Field::IpSrc, Value::Ipv4([0, 10, 255, 1])), "0.10.255.1");
        assert_eq!(text(Field::FrameTimeDelta, Value::Nanos(0)), "0.000000000");
        assert_eq!(text(Field::FrameTimeDelta, Value::Nanos(i64::MIN)), "-9223372036.854775808");
        assert_eq!(text(Field::RadiotapDbmAntsignal, Value::Int(-70)), "-70");
        for (rate, printed) in [(11.0, "11"), (5.5, "5.5"), (72.2222, "72.2222"), (866.6667, "866.667"), (0.25, "0.25")]
        {
            assert_eq!(text(Field::WlanRadioDataRate, Value::float(rate)), printed);
        }
    }

    #[test]
    fn bytes_live_in_the_arena_and_clear_keeps_nothing() {
        let mut fv = FrameValues::new(FieldSet::all());
        fv.bytes(Field::EthTrailer, &[0xde, 0xad]);
        let v = fv.first(Field::EthTrailer).unwrap();
        assert_eq!(fv.bytes_of(v), &[0xde, 0xad]);
        let mut s = String::new();
        fv.write_text(Field::EthTrailer, v, &mut s);
        assert_eq!(s, "dead");
        fv.clear();
        assert!(fv.first(Field::EthTrailer).is_none());
        fv.bytes(Field::WlanSsid, b"");
        let mut s = String::new();
        fv.write_text(Field::WlanSsid, fv.first(Field::WlanSsid).unwrap(), &mut s);
        assert_eq!(s, "<MISSING>", "an empty SSID, as tshark prints it");
    }

    #[test]
    fn unwanted_fields_are_not_stored() {
        let mut fv = FrameValues::new([Field::TcpStream].into_iter().collect());
        fv.uint(Field::TcpSeq, 5u32);
        fv.uint(Field::TcpStream, 1u32);
        assert_eq!(fv.items().len(), 1);
    }
}
