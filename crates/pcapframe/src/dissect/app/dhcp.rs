//! DHCP (BOOTP) messages, parsed by hand with tshark 4.0's semantics (learnt from its output).
//!
//! Truncation keeps exactly what tshark keeps: the fixed header's fields appear only when the
//! header up to the end of the client hardware address (`28 + hlen` bytes) was captured, and each
//! option appears only when all of its bytes were captured (parsing stops at the first option
//! cut short). Nothing here panics or loops on crafted input: every read is bounds-checked and
//! every loop advances.
//!
//! Rules (verified against tshark 4.0.17):
//! - `dhcp.hw.mac_addr` only for hardware type 1 (Ethernet) or 6 (IEEE 802) with length 6.
//! - Options are read only after the magic cookie `63 82 53 63`; Pad (0) is skipped and End
//!   (255) stops a region.
//! - The first Option Overload (52) with a value byte parses, at that point, the `sname` field
//!   (value 2 or 3) and then the `file` field (value 1 or 3) before the remaining options; later
//!   overload options (and any inside those fields) are ignored. An option's value may run past
//!   the end of its field.
//! - Strings stop at the first NUL; bytes from 0x80 become U+FFFD (ASCII decoding). Empty values
//!   are kept.
//! - A client identifier (61) of 7 bytes whose type is 1 or 6 adds a second `dhcp.hw.mac_addr`.
//! - Addresses (50, 54) need a length of exactly 4, the message type (53) exactly 1.

use super::Ctx;
use crate::bytes::{array, u8_at};
use crate::fields::{Field, Value};

const MAGIC_COOKIE: [u8; 4] = [0x63, 0x82, 0x53, 0x63];
const SNAME: (usize, usize) = (44, 108);
const FILE: (usize, usize) = (108, 236);
const OPTIONS_START: usize = 240;

/// Dissects one DHCP message.
pub(crate) fn dissect(ctx: &mut Ctx<'_>, msg: &[u8]) {
    let (Some(op), Some(htype), Some(hlen)) = (u8_at(msg, 0), u8_at(msg, 1), u8_at(msg, 2)) else {
        return;
    };
    if msg.len() < 28 + hlen as usize {
        return;
    }
    let out = &mut *ctx.out;
    out.uint(Field::DhcpType, op);
    if let (Some(ci), Some(yi)) = (array::<4>(msg, 12), array::<4>(msg, 16)) {
        out.push(Field::DhcpIpClient, Value::Ipv4(ci));
        out.push(Field::DhcpIpYour, Value::Ipv4(yi));
    }
    if (htype == 1 || htype == 6) && hlen == 6 {
        if let Some(mac) = array::<6>(msg, 28) {
            out.push(Field::DhcpHwMacAddr, Value::Mac(mac));
        }
    }
    if array::<4>(msg, 236) != Some(MAGIC_COOKIE) {
        return;
    }
    let mut overload_seen = false;
    options(ctx, msg, OPTIONS_START, msg.len(), &mut overload_seen);
}

/// Parses the options in `msg[start..end]` (values may run past `end`, not past the message).
/// Returns false when an option was cut short (which ends the dissection).
fn options(ctx: &mut Ctx<'_>, msg: &[u8], start: usize, end: usize, overload_seen: &mut bool) -> bool {
    let mut off = start;
    while off < end {
        let Some(code) = u8_at(msg, off) else { return false };
        match code {
            0 => {
                off += 1;
                continue;
            }
            255 => return true,
            _ => {}
        }
        let Some(len) = u8_at(msg, off + 1) else { return false };
        let Some(value) = msg.get(off + 2..off + 2 + len as usize) else { return false };
        off += 2 + len as usize;
        match code {
            52 if !*overload_seen && !value.is_empty() => {
                *overload_seen = true;
                let which = value[0];
                if (which == 2 || which == 3) && !options(ctx, msg, SNAME.0, SNAME.1, overload_seen) {
                    return false;
                }
                if (which == 1 || which == 3) && !options(ctx, msg, FILE.0, FILE.1, overload_seen) {
                    return false;
                }
            }
            _ => option(ctx, code, value),
        }
    }
    true
}

/// Records one option's value, for the options that have wanted fields.
fn option(ctx: &mut Ctx<'_>, code: u8, value: &[u8]) {
    let out = &mut *ctx.out;
    match code {
        53 if value.len() == 1 => out.uint(Field::DhcpOptionDhcp, value[0]),
        // Client identifier: an Ethernet or IEEE 802 address shows as `dhcp.hw.mac_addr`.
        61 if value.len() == 7 && (value[0] == 1 || value[0] == 6) => {
            out.push(Field::DhcpHwMacAddr, Value::Mac([value[1], value[2], value[3], value[4], value[5], value[6]]));
        }
        50 | 54 if value.len() == 4 => {
            let f = if code == 50 { Field::DhcpOptionRequestedIpAddress } else { Field::DhcpOptionDhcpServerId };
            out.push(f, Value::Ipv4([value[0], value[1], value[2], value[3]]));
        }
        12 | 15 | 60 => {
            let f = match code {
                12 => Field::DhcpOptionHostname,
                15 => Field::DhcpOptionDomainName,
                _ => Field::DhcpOptionVendorClassId,
            };
            if out.wants(f) {
                out.text(f, &ascii(value));
            }
        }
        _ => {}
    }
}

/// A string option as tshark shows it: up to the first NUL, bytes from 0x80 as U+FFFD.
fn ascii(value: &[u8]) -> String {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    value[..end].iter().map(|&b| if b < 0x80 { b as char } else { '\u{FFFD}' }).collect()
}

#[cfg(test)]
mod tests {
    //! Expected values are tshark 4.0.17's output on the same messages.
    use super::*;
    use crate::dissect::State;
    use crate::fields::{FieldSet, FrameValues};
    use crate::track::{FrameMeta, TrackLimits};

    /// The wanted DHCP fields of `msg`, each as tshark's `-T fields` prints it.
    fn fields(msg: &[u8]) -> impl Fn(Field) -> String {
        let all = FieldSet::all();
        let mut state = State::new(TrackLimits::default(), false, &all);
        let mut out = FrameValues::new(all);
        let mut ctx = Ctx {
            out: &mut out,
            state: &mut state,
            quoted: false,
            depth: 0,
            frame_end: 0,
            uncaptured: 0,
            meta: FrameMeta { number: 1, time_ns: 0 },
        };
        dissect(&mut ctx, msg);
        move |f| {
            let mut s = String::new();
            for (i, v) in out.all(f).enumerate() {
                if i > 0 {
                    s.push(',');
                }
                out.write_text(f, v, &mut s);
            }
            s
        }
    }

    const MAC: [u8; 6] = [0, 0x17, 0xf2, 0x4b, 0x2a, 0x19];

    fn boot(htype: u8, hlen: u8, sname: &[u8], file: &[u8], opts: &[u8]) -> Vec<u8> {
        let mut m = vec![1, htype, hlen, 0, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        m.extend_from_slice(&[0; 8]);
        m.extend_from_slice(&MAC);
        m.extend_from_slice(&[0; 10]);
        let field = |m: &mut Vec<u8>, v: &[u8], n: usize| {
            m.extend_from_slice(v);
            m.resize(m.len() + n - v.len(), 0);
        };
        field(&mut m, sname, 64);
        field(&mut m, file, 128);
        m.extend_from_slice(&MAGIC_COOKIE);
        m.extend_from_slice(opts);
        m
    }

    fn opts(o: &[u8]) -> Vec<u8> {
        boot(1, 6, b"", b"", o)
    }

    #[test]
    fn header_and_options() {
        let full = opts(
            b"\x35\x01\x03\x0c\x04host\x32\x04\x0a\x00\x00\x05\x3c\x08MSFT 5.0\x0f\x03lan\x36\x04\xc0\xa8\x01\x01\xff",
        );
        let f = fields(&full);
        assert_eq!(f(Field::DhcpType), "1");
        assert_eq!(f(Field::DhcpHwMacAddr), "00:17:f2:4b:2a:19");
        assert_eq!((f(Field::DhcpIpClient), f(Field::DhcpIpYour)), ("1.2.3.4".into(), "5.6.7.8".into()));
        assert_eq!(f(Field::DhcpOptionDhcp), "3");
        assert_eq!(f(Field::DhcpOptionHostname), "host");
        assert_eq!(f(Field::DhcpOptionRequestedIpAddress), "10.0.0.5");
        assert_eq!(f(Field::DhcpOptionVendorClassId), "MSFT 5.0");
        assert_eq!(f(Field::DhcpOptionDomainName), "lan");
        assert_eq!(f(Field::DhcpOptionDhcpServerId), "192.168.1.1");
        // No magic cookie, no options.
        let mut plain = full.clone();
        plain[236] = 0;
        assert_eq!(fields(&plain)(Field::DhcpOptionDhcp), "");
        // The MAC only for Ethernet or IEEE 802 with a length of 6.
        for (htype, hlen, mac) in [(6, 6, true), (0, 6, false), (7, 6, false), (1, 8, false), (1, 0, false)] {
            let f = fields(&boot(htype, hlen, b"", b"", b"\x35\x01\x01\xff"));
            assert_eq!(f(Field::DhcpHwMacAddr).is_empty(), !mac, "htype {htype} hlen {hlen}");
        }
    }

    #[test]
    fn truncation_keeps_whole_header_and_whole_options() {
        let full = opts(b"\x35\x01\x03\x0c\x04host\x32\x04\x0a\x00\x00\x05\x3c\x08MSFT 5.0\xff");
        for (cut, ty, dhcp, host, req) in [
            (33, "", "", "", ""),
            (34, "1", "", "", ""),
            (242, "1", "", "", ""),
            (243, "1", "3", "", ""),
            (245, "1", "3", "", ""),
            (250, "1", "3", "host", ""),
            (255, "1", "3", "host", "10.0.0.5"),
            (262, "1", "3", "host", "10.0.0.5"),
        ] {
            let f = fields(&full[..cut]);
            assert_eq!(f(Field::DhcpType), ty, "cut at {cut}");
            assert_eq!(f(Field::DhcpOptionDhcp), dhcp, "cut at {cut}");
            assert_eq!(f(Field::DhcpOptionHostname), host, "cut at {cut}");
            assert_eq!(f(Field::DhcpOptionRequestedIpAddress), req, "cut at {cut}");
            assert_eq!(f(Field::DhcpOptionVendorClassId), "", "cut at {cut}");
        }
        // The header needs 28 + hlen bytes.
        assert_eq!(fields(&boot(1, 17, b"", b"", b"")[..44])(Field::DhcpType), "");
        assert_eq!(fields(&boot(1, 17, b"", b"", b"")[..45])(Field::DhcpType), "1");
    }

    #[test]
    fn strings_lengths_and_repeats() {
        let f = fields(&opts(b"\x0c\x05ho\x00st\x0f\x04l\xc3\xa9n\x3c\x03a\x01b\xff"));
        assert_eq!(f(Field::DhcpOptionHostname), "ho");
        assert_eq!(f(Field::DhcpOptionDomainName), "l\u{FFFD}\u{FFFD}n");
        assert_eq!(f(Field::DhcpOptionVendorClassId), "a\u{1}b");
        let f = fields(&opts(b"\x32\x03\x0a\x00\x00\x36\x05\x01\x02\x03\x04\x05\x35\x00\x35\x02\x05\x06\xff"));
        assert_eq!(
            (f(Field::DhcpOptionRequestedIpAddress), f(Field::DhcpOptionDhcpServerId), f(Field::DhcpOptionDhcp)),
            ("".into(), "".into(), "".into())
        );
        let f = fields(&opts(b"\x00\x00\x35\x01\x05\x0c\x00\x0c\x01a\x0c\x00\x35\x01\x06\xff\x0c\x01c"));
        assert_eq!((f(Field::DhcpOptionHostname), f(Field::DhcpOptionDhcp)), (",a,".into(), "5,6".into()));
        let f =
            fields(&opts(b"\x35\x01\x01\x3d\x07\x01\x01\x02\x03\x04\x05\x06\x3d\x07\x00\x01\x02\x03\x04\x05\x06\xff"));
        assert_eq!(f(Field::DhcpHwMacAddr), "00:17:f2:4b:2a:19,01:02:03:04:05:06");
    }

    #[test]
    fn option_overload() {
        let (sname, file) = (b"\x0c\x02sn\xff", b"\x0c\x02fi\xff");
        let host = |o: &[u8]| fields(&boot(1, 6, sname, file, o))(Field::DhcpOptionHostname);
        assert_eq!(host(b"\x0c\x02op\x35\x01\x05\x34\x01\x03\x0c\x02o2\xff"), "op,sn,fi,o2");
        assert_eq!(host(b"\x34\x01\x01\xff"), "fi");
        assert_eq!(host(b"\x34\x01\x02\x34\x01\x01\xff"), "sn", "only the first overload counts");
        assert_eq!(host(b"\x34\x01\x00\x34\x01\x03\xff"), "");
        assert_eq!(host(b"\x34\x00\x34\x01\x03\xff"), "sn,fi", "an empty overload does not count");
        assert_eq!(host(b"\x34\x01\x07\xff"), "");
        // An option in `file` may run past the field's end.
        let long = fields(&boot(1, 6, sname, b"\x0c\x02fi\x0c\x7fxxxx\xff", b"\x35\x01\x05\x34\x01\x03\xff"));
        assert_eq!(long(Field::DhcpOptionHostname), "sn,fi,xxxx\u{FFFD}");
    }

    #[test]
    fn never_panics_on_damaged_messages() {
        let base = boot(
            1,
            6,
            b"\x0c\x02sn\xff",
            b"\x0c\x02fi",
            b"\x35\x01\x05\x34\x01\x03\x0c\x03abc\x3d\x07\x01\x01\x02\x03\x04\x05\x06\xff",
        );
        for m in super::super::mutants::mutants(&base, 5_000, 0x9e37_79b9_7f4a_7c15) {
            let _ = fields(&m)(Field::DhcpOptionHostname);
        }
    }
}
