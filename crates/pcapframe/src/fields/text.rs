//! tshark's `-T fields` text of each value: decimal and hex numbers, addresses, times, escaped
//! text. The text goes to any [`TextOut`]: a `Vec<u8>` for the CLI's lines (no UTF-8 check per
//! value), a `String` elsewhere.
//!
//! Short values (numbers, IPv4 and MAC addresses, times, hex, byte strings 24 bytes at a time) are
//! written in place into room made for them (see [`Short`]).

use std::io::Write as _;

use super::{Field, FieldType, FrameValues, Value};

/// Where value text goes.
pub trait TextOut {
    /// Appends ASCII bytes.
    fn ascii(&mut self, bytes: &[u8]);
    /// Appends text.
    fn text(&mut self, text: &str);
    /// Appends one ASCII byte.
    fn byte(&mut self, b: u8);
    /// Appends the ASCII text that `build` writes into a [`Short`].
    fn short<F: FnOnce(&mut Short<'_>)>(&mut self, build: F);
}

impl TextOut for Vec<u8> {
    #[inline]
    fn ascii(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline]
    fn text(&mut self, text: &str) {
        self.extend_from_slice(text.as_bytes());
    }

    #[inline]
    fn byte(&mut self, b: u8) {
        self.push(b);
    }

    /// Written in place: room for the longest text is added (a copy of a known size, a few
    /// moves), filled, then cut to what was written.
    #[inline]
    fn short<F: FnOnce(&mut Short<'_>)>(&mut self, build: F) {
        let start = self.len();
        self.extend_from_slice(&[0; SHORT_MAX]);
        let written = match <&mut [u8; SHORT_MAX]>::try_from(&mut self[start..]) {
            Ok(room) => {
                let mut short = Short { bytes: room, len: 0 };
                build(&mut short);
                short.len
            }
            Err(_) => 0, // the room is SHORT_MAX bytes long
        };
        self.truncate(start + written);
    }
}

impl TextOut for String {
    #[inline]
    fn ascii(&mut self, bytes: &[u8]) {
        // Every caller passes ASCII, for which each byte is its own character.
        self.extend(bytes.iter().map(|&b| char::from(b)));
    }

    #[inline]
    fn text(&mut self, text: &str) {
        self.push_str(text);
    }

    #[inline]
    fn byte(&mut self, b: u8) {
        self.push(char::from(b));
    }

    fn short<F: FnOnce(&mut Short<'_>)>(&mut self, build: F) {
        let mut room = [0; SHORT_MAX];
        let mut short = Short { bytes: &mut room, len: 0 };
        build(&mut short);
        let len = short.len;
        self.ascii(&room[..len]);
    }
}

/// The longest [`Short`] text.
const SHORT_MAX: usize = 48;

/// Room for a short ASCII text (a number, an IPv4 or MAC address, a time, hex digits, or 24 bytes
/// of a byte string as hex: the longest), filled in order.
/// Pushing the characters of such a text one by one onto a growing buffer cost a capacity check
/// each, and was a third of the time of a text read.
pub struct Short<'a> {
    bytes: &'a mut [u8; SHORT_MAX],
    len: usize,
}

impl Short<'_> {
    #[inline]
    fn push(&mut self, b: u8) {
        self.bytes[self.len] = b;
        self.len += 1;
    }

    /// The last `digits` decimal digits of `n`, zero-padded (`digits` at most 20), two at a
    /// time from the right.
    #[inline]
    fn digits(&mut self, mut n: u64, digits: usize) {
        let end = self.len + digits;
        let mut at = end;
        while at >= self.len + 2 {
            let pair = (n % 100) as usize * 2;
            n /= 100;
            at -= 2;
            self.bytes[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        }
        if at > self.len {
            self.bytes[at - 1] = b'0' + (n % 10) as u8;
        }
        self.len = end;
    }

    #[inline]
    fn decimal(&mut self, n: u64) {
        self.digits(n, n.checked_ilog10().unwrap_or(0) as usize + 1);
    }

    /// A byte in decimal (an IPv4 octet).
    #[inline]
    fn octet(&mut self, b: u8) {
        if b >= 100 {
            self.push(b'0' + b / 100);
        }
        if b >= 10 {
            self.push(b'0' + b / 10 % 10);
        }
        self.push(b'0' + b % 10);
    }

    #[inline]
    fn hex_byte(&mut self, b: u8) {
        self.push(HEX_DIGITS[usize::from(b >> 4)]);
        self.push(HEX_DIGITS[usize::from(b & 0xf)]);
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// "00", "01", ... "99", end to end.
const DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

impl FrameValues {
    /// Appends the value as tshark 4.0 prints it with `-T fields`.
    pub fn write_text(&self, f: Field, v: Value, out: &mut impl TextOut) {
        match (f.def().ty, v) {
            (FieldType::Str, Value::Bytes { .. }) => write_escaped(self.str_of(v), out),
            (FieldType::Hex { digits, .. }, Value::UInt(n)) => {
                out.ascii(b"0x");
                write_hex(n, usize::from(digits), out);
            }
            (_, Value::UInt(n)) => out.short(|s| s.decimal(n)),
            (_, Value::Int(n)) => out.short(|s| {
                if n < 0 {
                    s.push(b'-');
                }
                s.decimal(n.unsigned_abs());
            }),
            (_, Value::Bool(b)) => out.byte(if b { b'1' } else { b'0' }),
            (_, Value::Mac(m)) => out.short(|s| {
                for (i, b) in m.iter().enumerate() {
                    if i > 0 {
                        s.push(b':');
                    }
                    s.hex_byte(*b);
                }
            }),
            (_, Value::Ipv4(a)) => out.short(|s| {
                for (i, b) in a.iter().enumerate() {
                    if i > 0 {
                        s.push(b'.');
                    }
                    s.octet(*b);
                }
            }),
            (_, Value::Ipv6(a)) => {
                // Formatted on the stack (no allocation per value): at most 45 characters.
                let mut room = [0u8; 64];
                let mut rest = &mut room[..];
                let _ = write!(rest, "{}", std::net::Ipv6Addr::from(a));
                let len = 64 - rest.len();
                out.ascii(&room[..len]);
            }
            (_, Value::Bytes { .. }) => {
                let bytes = self.bytes_of(v);
                if bytes.is_empty() {
                    out.ascii(b"<MISSING>"); // tshark's text for an empty byte field (an SSID)
                }
                for chunk in bytes.chunks(SHORT_MAX / 2) {
                    out.short(|s| chunk.iter().for_each(|b| s.hex_byte(*b)));
                }
            }
            (_, Value::Nanos(ns)) => out.short(|s| seconds(ns, s)),
            (_, Value::Float(bits)) => write_float(f32::from_bits(bits), out),
        }
    }
}

/// Slots of the address cache of [`ValueTexts`] (a power of two).
const ADDRESS_SLOTS: usize = 64;

/// The longest address text (IPv6).
const ADDRESS_TEXT_MAX: usize = 46;

/// The text of values that repeat from frame to frame, kept for the next time: a
/// direct-mapped cache of recent addresses' text, and the whole seconds of the last time. A
/// writer of many rows writes values through it ([`ValueTexts::write`]) as
/// [`FrameValues::write_text`] writes them, in less time: on real traffic, two addresses and a
/// time a row were a sixth of the text of the 8 Stevens fields.
#[derive(Debug, Default)]
pub struct ValueTexts {
    addresses: Vec<Option<(Value, u8, [u8; ADDRESS_TEXT_MAX])>>,
    /// The whole seconds of the last time written, and their text up to the point.
    seconds: Option<(u64, u8, [u8; 24])>,
}

impl ValueTexts {
    /// Appends `value`, one of `frame`'s values of `field`, as tshark prints it.
    pub fn write(&mut self, field: Field, frame: &FrameValues, value: Value, out: &mut Vec<u8>) {
        match value {
            Value::Nanos(ns) if ns >= 0 => self.time(ns.unsigned_abs(), out),
            _ => match value.address_slot(ADDRESS_SLOTS.trailing_zeros()) {
                Some(slot) => self.address(slot, field, frame, value, out),
                None => frame.write_text(field, value, out),
            },
        }
    }

    fn address(&mut self, slot: usize, field: Field, frame: &FrameValues, value: Value, out: &mut Vec<u8>) {
        if self.addresses.is_empty() {
            self.addresses.resize(ADDRESS_SLOTS, None);
        }
        if let Some((cached, len, text)) = &self.addresses[slot] {
            if *cached == value {
                return out.extend_from_slice(&text[..usize::from(*len)]);
            }
        }
        let start = out.len();
        frame.write_text(field, value, out);
        let written = &out[start..];
        let mut text = [0; ADDRESS_TEXT_MAX];
        if let Some(room) = text.get_mut(..written.len()) {
            room.copy_from_slice(written);
            self.addresses[slot] = Some((value, written.len() as u8, text));
        }
    }

    /// A time of `ns` nanoseconds, as `seconds` writes it.
    fn time(&mut self, ns: u64, out: &mut Vec<u8>) {
        let whole = ns / 1_000_000_000;
        match &self.seconds {
            Some((cached, len, text)) if *cached == whole => out.extend_from_slice(&text[..usize::from(*len)]),
            _ => {
                let start = out.len();
                out.short(|s| {
                    s.decimal(whole);
                    s.push(b'.');
                });
                let mut text = [0; 24];
                let written = &out[start..];
                text[..written.len()].copy_from_slice(written);
                self.seconds = Some((whole, written.len() as u8, text));
            }
        }
        out.short(|s| s.digits(ns % 1_000_000_000, 9));
    }
}

/// Lower-case hex digits, zero-padded to at least `min_digits` (`{:0min_digits$x}`).
fn write_hex(n: u64, min_digits: usize, out: &mut impl TextOut) {
    let significant = (64 - n.leading_zeros() as usize).div_ceil(4).max(1);
    for _ in significant..min_digits {
        out.byte(b'0');
    }
    out.short(|s| {
        for shift in (0..significant).rev() {
            s.push(HEX_DIGITS[((n >> (shift * 4)) & 0xf) as usize]);
        }
    });
}

/// Writes a number with 6 significant digits and no trailing zeros (C's `%g`), as tshark prints
/// FT_FLOAT fields.
pub fn write_float(x: f32, out: &mut impl TextOut) {
    let x = f64::from(x);
    if x == 0.0 || !x.is_finite() {
        let text = if x.is_nan() {
            "nan"
        } else if x == 0.0 {
            "0"
        } else if x < 0.0 {
            "-inf"
        } else {
            "inf"
        };
        return out.text(text);
    }
    let exponent = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&exponent) {
        let text = format!("{:.5e}", x);
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let exp: i32 = exp.parse().unwrap_or(0);
        return out.text(&format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs()));
    }
    let decimals = (5 - exponent).max(0) as usize;
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    out.text(text);
}

/// Writes text as tshark's `-T fields` does: only `\b \f \n \r \t` are escaped (commas are not).
pub fn write_escaped(s: &str, out: &mut impl TextOut) {
    let mut rest = s;
    while let Some(at) = rest.find(['\u{8}', '\u{c}', '\n', '\r', '\t']) {
        out.text(&rest[..at]);
        out.ascii(match rest.as_bytes()[at] {
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            _ => b"\\t",
        });
        rest = &rest[at + 1..];
    }
    out.text(rest);
}

/// Writes nanoseconds as seconds with 9 decimals, as tshark prints times.
pub fn write_seconds(ns: i64, out: &mut impl TextOut) {
    out.short(|s| seconds(ns, s));
}

#[inline]
fn seconds(ns: i64, short: &mut Short<'_>) {
    if ns < 0 {
        short.push(b'-');
    }
    let abs = ns.unsigned_abs();
    short.decimal(abs / 1_000_000_000);
    short.push(b'.');
    short.digits(abs % 1_000_000_000, 9);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::FieldSet;

    /// The text of one value, written to a `String` and to bytes (which must agree).
    fn text(f: Field, v: Value) -> String {
        let mut fv = FrameValues::new(FieldSet::all());
        fv.push(f, v);
        let mut s = String::new();
        fv.write_text(f, v, &mut s);
        let mut bytes = Vec::new();
        fv.write_text(f, v, &mut bytes);
        assert_eq!(s.as_bytes(), bytes, "{f:?}: String and bytes differ");
        s
    }

    #[test]
    fn kept_texts_are_the_values_written_out() {
        let frame = FrameValues::new(FieldSet::all());
        let mut kept = ValueTexts::default();
        // More distinct addresses than slots (so that slots are reused), repeated; times that
        // share whole seconds, cross them, and run before the epoch; values of other kinds.
        let values = (0u32..300).flat_map(|n| {
            let [a, b, c, d] = (n * 7919 % 97).to_be_bytes();
            [
                (Field::IpSrc, Value::Ipv4([10, b, c, d])),
                (Field::EthSrc, Value::Mac([0, 0x1d, a, b, c, d])),
                (Field::Ipv6Dst, Value::Ipv6([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, a, b, c, d])),
                (Field::FrameTimeEpoch, Value::Nanos(1_600_000_000_999_999_000 + i64::from(n) * 333_333)),
                (Field::FrameTimeRelative, Value::Nanos(-1_500_000_000 + i64::from(n) * 10_000_000)),
                (Field::TcpStream, Value::UInt(u64::from(n))),
            ]
        });
        for (field, value) in values {
            let (mut kept_text, mut written) = (Vec::new(), Vec::new());
            kept.write(field, &frame, value, &mut kept_text);
            frame.write_text(field, value, &mut written);
            assert_eq!(String::from_utf8(kept_text).unwrap(), String::from_utf8(written).unwrap(), "{field:?}");
        }
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
        assert_eq!(text(Field::Ipv6Src, Value::Ipv6([0xff; 16])), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        let mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 255, 255, 255, 255];
        assert_eq!(text(Field::Ipv6Src, Value::Ipv6(mapped)), "::ffff:255.255.255.255");
        assert_eq!(text(Field::EthSrc, Value::Mac([0, 0x1d, 0xd9, 0x2e, 0x4f, 0x61])), "00:1d:d9:2e:4f:61");
        assert_eq!(text(Field::GeneveVni, Value::UInt(10)), "0x00000a");
        assert_eq!(text(Field::EthType, Value::UInt(0x1_2345)), "0x12345", "wider than its digits: all of them");
        assert_eq!(text(Field::EthType, Value::UInt(0)), "0x0000");
        assert_eq!(text(Field::EthFcs, Value::UInt(u64::MAX)), "0xffffffffffffffff");
        assert_eq!(text(Field::FrameNumber, Value::UInt(u64::MAX)), "18446744073709551615");
        assert_eq!(text(Field::FrameNumber, Value::UInt(0)), "0");
        assert_eq!(text(Field::FrameNumber, Value::UInt(10)), "10");
        assert_eq!(text(Field::RadiotapDbmAntsignal, Value::Int(i64::MIN)), "-9223372036854775808");
        assert_eq!(text(Field::IpSrc, Value::Ipv4([0, 10, 255, 1])), "0.10.255.1");
        assert_eq!(text(Field::IpSrc, Value::Ipv4([255, 255, 255, 255])), "255.255.255.255");
        assert_eq!(text(Field::FrameTimeDelta, Value::Nanos(0)), "0.000000000");
        assert_eq!(text(Field::FrameTimeDelta, Value::Nanos(i64::MIN)), "-9223372036.854775808");
        assert_eq!(text(Field::FrameTimeDelta, Value::Nanos(i64::MAX)), "9223372036.854775807");
        assert_eq!(text(Field::RadiotapDbmAntsignal, Value::Int(-70)), "-70");
        for (rate, printed) in [(11.0, "11"), (5.5, "5.5"), (72.2222, "72.2222"), (866.6667, "866.667"), (0.25, "0.25")]
        {
            assert_eq!(text(Field::WlanRadioDataRate, Value::float(rate)), printed);
        }
    }

    #[test]
    fn decimals_and_times_match_rusts_own_formatting() {
        let mut n: u64 = 1;
        for _ in 0..200 {
            for m in [n, n - 1, n + 1, n.wrapping_mul(7) / 3] {
                assert_eq!(text(Field::FrameNumber, Value::UInt(m)), m.to_string());
                let ns = (m % (i64::MAX as u64)) as i64;
                let expected = format!("{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000);
                assert_eq!(text(Field::FrameTimeEpoch, Value::Nanos(ns)), expected);
            }
            n = n.wrapping_mul(3).max(1);
        }
    }

    #[test]
    fn bytes_print_as_hex_however_long() {
        let mut fv = FrameValues::new(FieldSet::all());
        let long: Vec<u8> = (0..=255).collect();
        fv.bytes(Field::EthTrailer, &long);
        let v = fv.first(Field::EthTrailer).unwrap();
        let mut s = String::new();
        fv.write_text(Field::EthTrailer, v, &mut s);
        let expected: String = long.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(s, expected);
    }

    #[test]
    fn only_control_characters_are_escaped() {
        let mut s = String::new();
        write_escaped("a\tb\nc\r\u{8}\u{c}, é\u{1}", &mut s);
        assert_eq!(s, "a\\tb\\nc\\r\\b\\f, é\u{1}");
        let mut bytes = Vec::new();
        write_escaped("\tétoile\n", &mut bytes);
        assert_eq!(bytes, "\\tétoile\\n".as_bytes());
    }
}
