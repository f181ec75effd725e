//! What a filter can test: registered fields, Wireshark's abstract fields (`ip.addr`), protocols,
//! slices of byte-like fields; and literals typed by the field they are compared with.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::fields::{self, Field, FieldType, Layer};

/// How an operand's values compare, and so how a literal beside it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Integers (also hex-printed fields).
    Int,
    /// Booleans (`1`/`0`, `True`/`False`).
    Bool,
    /// Times, in nanoseconds (literals are seconds: `1.5`).
    Time,
    /// Floating-point numbers, compared in thousandths (see [`float_key`]).
    Float,
    /// MAC addresses.
    Mac,
    /// IPv4 addresses.
    Ipv4,
    /// IPv6 addresses.
    Ipv6,
    /// Byte strings (`eth.trailer`, slices).
    Bytes,
    /// Text (`http.host`): literals are taken as written, quoted or not.
    Str,
}

impl Kind {
    fn of(ty: FieldType) -> Kind {
        match ty {
            FieldType::UInt { .. } | FieldType::Hex { .. } | FieldType::Int32 | FieldType::Int8 => Kind::Int,
            FieldType::Float => Kind::Float,
            FieldType::Bool => Kind::Bool,
            FieldType::Mac => Kind::Mac,
            FieldType::Ipv4 => Kind::Ipv4,
            FieldType::Ipv6 => Kind::Ipv6,
            FieldType::Bytes => Kind::Bytes,
            FieldType::Str => Kind::Str,
            FieldType::AbsTime | FieldType::RelTime => Kind::Time,
        }
    }
}

/// One range of a slice: start (negative counts from the end) and length (`None`: to the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SliceRange {
    pub start: i64,
    pub len: Option<i64>,
}

/// A field (or several, for abstract fields), a protocol, possibly sliced or masked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Operand {
    /// The name as written.
    pub name: String,
    /// The fields whose occurrences are the operand's values (for a protocol: its marker fields).
    pub fields: Vec<Field>,
    /// A protocol name rather than a field.
    pub protocol: bool,
    /// For a protocol whose presence is its dissector's mark rather than one of its fields:
    /// the mark (`fields` then only make the dissector run, and stand in where marks are not
    /// kept).
    pub layer: Option<Layer>,
    /// Kind of each field's values (same for all of an abstract field's parts).
    pub kind: Kind,
    /// `[..]` ranges, concatenated.
    pub slice: Option<Vec<SliceRange>>,
    /// `& mask` on integer fields.
    pub mask: Option<i128>,
}

impl Operand {
    /// The kind of the operand's values once sliced.
    pub fn value_kind(&self) -> Kind {
        if self.slice.is_some() {
            Kind::Bytes
        } else {
            self.kind
        }
    }
}

/// Fields that stand for a protocol's presence (the first field each dissector records).
fn protocol_markers(name: &str) -> Option<Vec<Field>> {
    Some(match name {
        "frame" => vec![Field::FrameNumber],
        "eth" => vec![Field::EthDst],
        "vlan" => vec![Field::VlanPriority],
        "sll" => vec![Field::SllPkttype, Field::SllEtype],
        "null" => vec![Field::NullFamily],
        "arp" => vec![Field::ArpOpcode],
        "ip" => vec![Field::IpHdrLen],
        "ipv6" => vec![Field::Ipv6Flow],
        "tcp" => vec![Field::TcpSrcport],
        "udp" => vec![Field::UdpSrcport],
        "icmp" => vec![Field::IcmpType],
        "icmpv6" => vec![Field::Icmpv6Type],
        "wlan" => vec![Field::WlanFcTypeSubtype],
        "radiotap" => vec![Field::RadiotapLength],
        "llc" => vec![Field::LlcDsap],
        // tshark 4.0 names PPPoE frames pppoed and pppoes; `pppoe` (its fields' prefix) matches none.
        "pppoe" => vec![],
        "ppp" => vec![Field::PppProtocol],
        "gre" => vec![Field::GreProto],
        "vxlan" => vec![Field::VxlanVni],
        "geneve" => vec![Field::GeneveVni],
        "mpls" => vec![Field::MplsLabel],
        "http" | "ssdp" => vec![
            Field::HttpRequestMethod,
            Field::HttpResponseVersion,
            Field::HttpFileData,
            Field::HttpRequest,
            Field::HttpResponse,
        ],
        "dns" | "mdns" | "llmnr" => vec![Field::DnsId],
        "tls" => vec![Field::TlsRecordVersion, Field::TlsHandshakeType],
        "dhcp" => vec![Field::DhcpType],
        "ftp" => vec![Field::FtpRequestCommand, Field::FtpResponseCode],
        "smtp" => vec![Field::SmtpReqCommand, Field::SmtpResponseCode],
        _ => return None,
    })
}

/// Protocols whose presence is marked by their dissector (see [`Layer`]).
fn protocol_layer(name: &str) -> Option<Layer> {
    Some(match name {
        "http" => Layer::Http,
        "ssdp" => Layer::Ssdp,
        "dns" => Layer::Dns,
        "mdns" => Layer::Mdns,
        "llmnr" => Layer::Llmnr,
        "tls" => Layer::Tls,
        "smtp" => Layer::Smtp,
        _ => return None,
    })
}

/// Wireshark's abstract fields: either of two registered fields.
fn abstract_field(name: &str) -> Option<[Field; 2]> {
    Some(match name {
        "ip.addr" => [Field::IpSrc, Field::IpDst],
        "ipv6.addr" => [Field::Ipv6Src, Field::Ipv6Dst],
        "eth.addr" => [Field::EthSrc, Field::EthDst],
        "tcp.port" => [Field::TcpSrcport, Field::TcpDstport],
        "udp.port" => [Field::UdpSrcport, Field::UdpDstport],
        _ => return None,
    })
}

/// Resolves a name to an operand, or to the nearest known names when it is unknown.
pub(crate) fn resolve(name: &str) -> Result<Operand, Vec<&'static str>> {
    let operand = |fields: Vec<Field>, protocol: bool, kind: Kind| Operand {
        name: name.to_string(),
        fields,
        protocol,
        layer: None,
        kind,
        slice: None,
        mask: None,
    };
    if let Some(pair) = abstract_field(name) {
        return Ok(operand(pair.to_vec(), false, Kind::of(pair[0].def().ty)));
    }
    if let Some(markers) = protocol_markers(name) {
        return Ok(Operand { layer: protocol_layer(name), ..operand(markers, true, Kind::Bytes) });
    }
    match fields::lookup(name) {
        Ok(f) => Ok(operand(vec![f], false, Kind::of(f.def().ty))),
        Err(unknown) => Err(unknown.suggestions),
    }
}

/// A literal, read according to the kind of the operand it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    /// An integer, boolean (0/1), time in nanoseconds, or IPv4 address as a number.
    Int(i128),
    /// Bytes: MAC, IPv6 or byte string.
    Bytes(Vec<u8>),
    /// An address with a prefix length: matches the addresses in that network.
    Net { addr: Vec<u8>, prefix: u32 },
}

/// The raw literal as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawLit {
    Word(String),
    Str(Vec<u8>),
    Char(u8),
}

impl RawLit {
    pub fn display(&self) -> String {
        match self {
            RawLit::Word(w) => w.clone(),
            RawLit::Str(s) => String::from_utf8_lossy(s).into_owned(),
            RawLit::Char(c) => format!("'{}'", *c as char),
        }
    }
}

/// Reads a literal for an operand of `kind`; the error message is tshark's.
pub(crate) fn typed(kind: Kind, raw: &RawLit) -> Result<Lit, String> {
    match (kind, raw) {
        (Kind::Int, RawLit::Word(w)) => {
            parse_int(w).map(Lit::Int).ok_or_else(|| format!("\"{w}\" is not a valid number."))
        }
        (Kind::Int | Kind::Bool, RawLit::Char(c)) => Ok(Lit::Int(i128::from(*c))),
        (Kind::Bool, RawLit::Word(w)) => match w.as_str() {
            "True" | "TRUE" | "true" => Ok(Lit::Int(1)),
            "False" | "FALSE" | "false" => Ok(Lit::Int(0)),
            _ => parse_int(w)
                .map(|n| Lit::Int(i128::from(n != 0)))
                .ok_or_else(|| format!("\"{w}\" is not a valid boolean.")),
        },
        (Kind::Time, RawLit::Word(w)) => {
            parse_seconds(w).map(Lit::Int).ok_or_else(|| format!("\"{w}\" is not a valid time."))
        }
        (Kind::Float, RawLit::Word(w)) => w
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(|x| Lit::Int(float_key(x)))
            .ok_or_else(|| format!("\"{w}\" is not a valid number.")),
        (Kind::Mac, RawLit::Word(w)) => match hex_bytes(w) {
            Some(b) if b.len() == 6 => Ok(Lit::Bytes(b)),
            _ => Err(format!("\"{w}\" is not a valid Ethernet address.")),
        },
        (Kind::Ipv4, RawLit::Word(w)) => {
            let (addr, prefix) = split_prefix(w, 32).ok_or_else(|| format!("\"{w}\" is not a valid IPv4 address."))?;
            let a: Ipv4Addr = addr.parse().map_err(|_| format!("\"{w}\" is not a valid IPv4 address."))?;
            Ok(if prefix == 32 {
                Lit::Int(i128::from(u32::from(a)))
            } else {
                Lit::Net { addr: a.octets().to_vec(), prefix }
            })
        }
        (Kind::Ipv6, RawLit::Word(w)) => {
            let (addr, prefix) = split_prefix(w, 128).ok_or_else(|| format!("\"{w}\" is not a valid IPv6 address."))?;
            let a: Ipv6Addr = addr.parse().map_err(|_| format!("\"{w}\" is not a valid IPv6 address."))?;
            Ok(if prefix == 128 {
                Lit::Bytes(a.octets().to_vec())
            } else {
                Lit::Net { addr: a.octets().to_vec(), prefix }
            })
        }
        (Kind::Bytes, RawLit::Word(w)) => {
            match parse_int(w).filter(|n| w.starts_with("0x") && (0..=0xff).contains(n)) {
                Some(n) => Ok(Lit::Bytes(vec![n as u8])),
                None => hex_bytes(w).map(Lit::Bytes).ok_or_else(|| format!("\"{w}\" is not a valid byte string.")),
            }
        }
        (Kind::Bytes | Kind::Str, RawLit::Str(s)) => Ok(Lit::Bytes(s.clone())),
        (Kind::Str, RawLit::Word(w)) => Ok(Lit::Bytes(w.as_bytes().to_vec())),
        (Kind::Str, RawLit::Char(c)) => Ok(Lit::Bytes(vec![*c])),
        (Kind::Bytes, RawLit::Char(c)) => Ok(Lit::Bytes(vec![*c])),
        (Kind::Ipv4, RawLit::Str(s)) => {
            Err(format!("IPv4 address cannot be converted from a string (\"{}\").", String::from_utf8_lossy(s)))
        }
        (Kind::Ipv6, RawLit::Str(s)) => {
            Err(format!("IPv6 address cannot be converted from a string (\"{}\").", String::from_utf8_lossy(s)))
        }
        (Kind::Mac, RawLit::Str(s)) => {
            Err(format!("Ethernet address cannot be converted from a string (\"{}\").", String::from_utf8_lossy(s)))
        }
        (Kind::Int | Kind::Bool | Kind::Time | Kind::Float, RawLit::Str(s)) => {
            Err(format!("\"{}\" is not a valid number.", String::from_utf8_lossy(s)))
        }
        (_, raw) => Err(format!("\"{}\" cannot be compared with this field.", raw.display())),
    }
}

/// How floating-point values and literals compare: rounded to thousandths, so that a field
/// stored in single precision equals the literal it prints as (`wlan_radio.data_rate == 72.2`).
pub(crate) fn float_key(x: f64) -> i128 {
    (x * 1000.0).round() as i128
}

/// Integers as Wireshark writes them: decimal, `0x` hex, `0` octal, `0b` binary, optionally negative.
pub(crate) fn parse_int(w: &str) -> Option<i128> {
    let (neg, digits) = match w.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, w),
    };
    let value = if let Some(h) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(b) = digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")) {
        i128::from_str_radix(b, 2).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i128::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(if neg { -value } else { value })
}

/// Seconds with up to nine decimals, exactly, as nanoseconds.
fn parse_seconds(w: &str) -> Option<i128> {
    let (neg, body) = match w.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, w),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 9
    {
        return None;
    }
    let secs: i128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let nanos: i128 = format!("{frac:0<9}").parse().ok()?;
    let total = secs.checked_mul(1_000_000_000)?.checked_add(nanos)?;
    Some(if neg { -total } else { total })
}

/// Hex bytes separated by `:`, `-` or `.`, or run together (`001dd9`).
pub(crate) fn hex_bytes(w: &str) -> Option<Vec<u8>> {
    let parts: Vec<&str> = w.split([':', '-', '.']).collect();
    if parts.len() > 1 {
        return parts
            .iter()
            .map(|p| if (1..=2).contains(&p.len()) { u8::from_str_radix(p, 16).ok() } else { None })
            .collect();
    }
    if w.is_empty() || w.len() % 2 != 0 {
        return None;
    }
    (0..w.len()).step_by(2).map(|i| u8::from_str_radix(&w[i..i + 2], 16).ok()).collect()
}

fn split_prefix(w: &str, max: u32) -> Option<(&str, u32)> {
    match w.split_once('/') {
        Some((addr, bits)) => {
            let bits: u32 = bits.parse().ok()?;
            (bits <= max).then_some((addr, bits))
        }
        None => Some((w, max)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_forms() {
        assert_eq!(parse_int("0x0a"), Some(10));
        assert_eq!(parse_int("012"), Some(10));
        assert_eq!(parse_int("0b1010"), Some(10));
        assert_eq!(parse_int("-3"), Some(-3));
        assert_eq!(parse_seconds("1.5"), Some(1_500_000_000));
        assert_eq!(parse_seconds("0.000000001"), Some(1));
        assert_eq!(hex_bytes("00:1d:d9"), Some(vec![0, 0x1d, 0xd9]));
        assert_eq!(hex_bytes("001dd9"), Some(vec![0, 0x1d, 0xd9]));
        assert_eq!(hex_bytes("0.1.0.d"), Some(vec![0, 1, 0, 0xd]));
        assert_eq!(
            typed(Kind::Ipv4, &RawLit::Word("10.0.0.0/8".into())),
            Ok(Lit::Net { addr: vec![10, 0, 0, 0], prefix: 8 })
        );
        assert_eq!(typed(Kind::Bool, &RawLit::Word("True".into())), Ok(Lit::Int(1)));
        assert!(typed(Kind::Int, &RawLit::Word("10.0.0.1".into())).unwrap_err().contains("is not a valid number"));
        assert!(typed(Kind::Ipv4, &RawLit::Str(b"abc".to_vec()))
            .unwrap_err()
            .starts_with("IPv4 address cannot be converted from a string"));
    }

    #[test]
    fn names_resolve_to_fields_abstract_fields_and_protocols() {
        assert_eq!(resolve("tcp.port").unwrap().fields, vec![Field::TcpSrcport, Field::TcpDstport]);
        assert!(resolve("tcp").unwrap().protocol);
        assert_eq!(resolve("eth.src").unwrap().kind, Kind::Mac);
        assert_eq!(resolve("tcp.strem").unwrap_err().first(), Some(&"tcp.stream"));
    }
}
