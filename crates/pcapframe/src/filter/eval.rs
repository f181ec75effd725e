//! Evaluating a parsed filter against one frame's values.

use std::cmp::Ordering;

use super::operand::{Lit, Operand, SliceRange};
use super::parser::{Node, Op, Rhs};
use crate::fields::{FrameValues, Value};

/// One occurrence's value, ready to compare.
enum Scalar<'a> {
    Int(i128),
    Bytes(&'a [u8]),
    Inline([u8; 16], usize),
}

impl Scalar<'_> {
    fn bytes(&self) -> Option<&[u8]> {
        match self {
            Scalar::Int(_) => None,
            Scalar::Bytes(b) => Some(b),
            Scalar::Inline(buf, n) => Some(&buf[..*n]),
        }
    }
}

fn inline(src: &[u8]) -> Scalar<'static> {
    let mut buf = [0u8; 16];
    buf[..src.len()].copy_from_slice(src);
    Scalar::Inline(buf, src.len())
}

fn scalar<'a>(v: Value, frame: &'a FrameValues) -> Scalar<'a> {
    match v {
        Value::UInt(n) => Scalar::Int(i128::from(n)),
        Value::Int(n) => Scalar::Int(i128::from(n)),
        Value::Bool(b) => Scalar::Int(i128::from(b)),
        Value::Nanos(ns) => Scalar::Int(i128::from(ns)),
        Value::Float(bits) => Scalar::Int(crate::filter::operand::float_key(f64::from(f32::from_bits(bits)))),
        Value::Ipv4(a) => Scalar::Int(i128::from(u32::from_be_bytes(a))),
        Value::Mac(m) => inline(&m),
        Value::Ipv6(a) => inline(&a),
        Value::Bytes { .. } => Scalar::Bytes(frame.bytes_of(v)),
    }
}

/// The raw bytes of a byte-like value (for slices, `contains`, `matches`).
fn raw_bytes<'a>(v: Value, frame: &'a FrameValues) -> Scalar<'a> {
    match v {
        Value::Ipv4(a) => inline(&a),
        other => scalar(other, frame),
    }
}

fn slice_of(bytes: &[u8], ranges: &[SliceRange]) -> Option<Vec<u8>> {
    let n = bytes.len() as i64;
    let mut out = Vec::new();
    for r in ranges {
        let start = if r.start < 0 { n + r.start } else { r.start };
        let end = match r.len {
            Some(len) if len < 0 => n + len,
            Some(len) => start + len,
            None => n,
        };
        if start < 0 || end > n || start > end || (start == end && r.len.is_some()) {
            return None;
        }
        out.extend_from_slice(&bytes[start as usize..end as usize]);
    }
    Some(out)
}

/// Calls `f` on each value of the operand (sliced, masked); stops early when it returns `Some`.
fn each<T>(o: &Operand, frame: &FrameValues, mut f: impl FnMut(&Scalar<'_>) -> Option<T>) -> Option<T> {
    if !o.fields.iter().any(|f| frame.has(*f)) {
        return None;
    }
    for (field, v) in frame.items() {
        if !o.fields.contains(field) {
            continue;
        }
        let result = match (&o.slice, o.mask) {
            (Some(ranges), _) => {
                let raw = raw_bytes(*v, frame);
                match raw.bytes().and_then(|b| slice_of(b, ranges)) {
                    Some(sliced) => f(&Scalar::Bytes(&sliced)),
                    None => None,
                }
            }
            (None, Some(mask)) => match scalar(*v, frame) {
                Scalar::Int(n) => f(&Scalar::Int(n & mask)),
                other => f(&other),
            },
            (None, None) => f(&scalar(*v, frame)),
        };
        if result.is_some() {
            return result;
        }
    }
    None
}

fn count(o: &Operand, frame: &FrameValues) -> usize {
    let mut n = 0;
    each::<()>(o, frame, |_| {
        n += 1;
        None
    });
    n
}

fn compare_lit(s: &Scalar<'_>, op: Op, lit: &Lit) -> bool {
    let ordering = match (s, lit) {
        (Scalar::Int(a), Lit::Int(b)) => a.cmp(b),
        (Scalar::Int(a), Lit::Net { addr, prefix }) if addr.len() == 4 => {
            let mask = if *prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
            let net = u32::from_be_bytes([addr[0], addr[1], addr[2], addr[3]]);
            let masked = (*a as u32) & mask;
            match op {
                Op::Eq => return masked == net & mask,
                Op::Ne => return masked != net & mask,
                _ => (*a as u32).cmp(&net),
            }
        }
        (s, Lit::Net { addr, prefix }) => {
            let Some(b) = s.bytes() else { return false };
            let inside = b.len() == addr.len() && prefix_eq(b, addr, *prefix);
            match op {
                Op::Eq => return inside,
                Op::Ne => return !inside,
                _ => b.cmp(addr.as_slice()),
            }
        }
        (s, Lit::Bytes(b)) => match s.bytes() {
            Some(a) => a.cmp(b.as_slice()),
            None => return false,
        },
        (Scalar::Bytes(_) | Scalar::Inline(..), Lit::Int(_)) => return false,
    };
    apply(op, ordering)
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u32) -> bool {
    let full = (prefix / 8) as usize;
    if a[..full] != b[..full] {
        return false;
    }
    let rest = prefix % 8;
    rest == 0 || (a[full] ^ b[full]) & (0xffu8 << (8 - rest)) == 0
}

fn apply(op: Op, ordering: Ordering) -> bool {
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Lt => ordering == Ordering::Less,
        Op::Ge => ordering != Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
    }
}

fn compare_scalars(a: &Scalar<'_>, op: Op, b: &Scalar<'_>) -> bool {
    let ordering = match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => x.cmp(y),
        _ => match (a.bytes(), b.bytes()) {
            (Some(x), Some(y)) => x.cmp(y),
            _ => return false,
        },
    };
    apply(op, ordering)
}

/// Whether the frame passes the node.
pub(crate) fn node(n: &Node, frame: &FrameValues) -> bool {
    match n {
        Node::Or(terms) => terms.iter().any(|t| node(t, frame)),
        Node::And(terms) => terms.iter().all(|t| node(t, frame)),
        Node::Not(a) => !node(a, frame),
        Node::Exists(o) => match (o.layer.and_then(|l| frame.has_layer(l)), o.mask) {
            (Some(marked), _) => marked,
            (None, Some(_)) => each(o, frame, |s| matches!(s, Scalar::Int(v) if *v != 0).then_some(())).is_some(),
            (None, None) if o.slice.is_none() => o.fields.iter().any(|f| frame.has(*f)),
            (None, None) => each(o, frame, |_| Some(())).is_some(),
        },
        Node::Compare { all, lhs, op, rhs } => {
            let test = |s: &Scalar<'_>| match rhs {
                Rhs::Lit(lit) => compare_lit(s, *op, lit),
                Rhs::Operand(other) => each(other, frame, |t| compare_scalars(s, *op, t).then_some(())).is_some(),
            };
            if *all {
                count(lhs, frame) > 0 && each(lhs, frame, |s| (!test(s)).then_some(())).is_none()
            } else {
                each(lhs, frame, |s| test(s).then_some(())).is_some()
            }
        }
        Node::In { lhs, items } => each(lhs, frame, |s| {
            items
                .iter()
                .any(|(lo, hi)| match hi {
                    None => compare_lit(s, Op::Eq, lo),
                    Some(hi) => compare_lit(s, Op::Ge, lo) && compare_lit(s, Op::Le, hi),
                })
                .then_some(())
        })
        .is_some(),
        Node::Contains { lhs, needle } => each(lhs, frame, |s| {
            let hay = s.bytes()?;
            (needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle.as_slice())).then_some(())
        })
        .is_some(),
        Node::Matches { lhs, regex } => each(lhs, frame, |s| {
            let text = String::from_utf8_lossy(s.bytes()?);
            regex.is_match(&text).then_some(())
        })
        .is_some(),
    }
}

#[cfg(test)]
mod tests {
    use crate::fields::{Field, FieldSet, FrameValues, Value};
    use crate::filter::DisplayFilter;

    fn icmp_error_frame() -> FrameValues {
        let mut fv = FrameValues::new(FieldSet::all());
        fv.uint(Field::FrameNumber, 2u32);
        fv.push(Field::FrameTimeRelative, Value::Nanos(1_600_000_000));
        fv.push(Field::EthSrc, Value::Mac([0, 0x1d, 0xd9, 1, 2, 3]));
        fv.uint(Field::IpHdrLen, 20u8);
        fv.push(Field::IpSrc, Value::Ipv4([192, 168, 1, 1]));
        fv.push(Field::IpDst, Value::Ipv4([10, 0, 0, 1]));
        fv.uint(Field::IcmpType, 3u8);
        fv.uint(Field::IpHdrLen, 20u8);
        fv.push(Field::IpSrc, Value::Ipv4([10, 0, 0, 1]));
        fv.push(Field::IpDst, Value::Ipv4([8, 8, 8, 8]));
        fv.uint(Field::UdpSrcport, 33434u16);
        fv.uint(Field::UdpDstport, 53u16);
        fv.bytes(Field::EthTrailer, b"PASSword");
        fv.uint(Field::TcpFlags, 0x012u16);
        fv
    }

    fn check(filter: &str) -> bool {
        DisplayFilter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}")).matches(&icmp_error_frame())
    }

    #[test]
    fn presence_filters_answered_from_the_present_set_agree_with_the_tree() {
        let mut partial = FrameValues::new(FieldSet::all());
        partial.uint(Field::FrameNumber, 1u32);
        partial.push(Field::IpSrc, Value::Ipv4([10, 0, 0, 1]));
        let frames = [icmp_error_frame(), partial, FrameValues::new(FieldSet::all())];
        let shortcut = [
            "ip.src",
            "ip.src and udp.srcport",
            "ip.src && ip.dst && frame.number and (udp.dstport and ip.hdr_len)",
            "ip.src and tcp.stream",
            "tcp.stream",
        ];
        let tree_only = ["ip.src or tcp.stream", "not tcp.stream", "ip.addr and ip.src", "ip.src and udp.srcport == 1"];
        for text in shortcut.iter().chain(&tree_only) {
            let filter = DisplayFilter::parse(text).unwrap();
            assert_eq!(filter.required.is_some(), shortcut.contains(text), "{text}");
            for frame in &frames {
                assert_eq!(filter.matches(frame), super::node(&filter.root, frame), "{text}");
            }
        }
        assert!(DisplayFilter::parse(shortcut[2]).unwrap().matches(&frames[0]));
        assert!(!DisplayFilter::parse(shortcut[1]).unwrap().matches(&frames[1]));
    }

    #[test]
    fn any_and_all_semantics_of_repeated_fields() {
        assert!(check("ip.src == 10.0.0.1"));
        assert!(!check("ip.src != 10.0.0.1"), "!= means all occurrences differ");
        assert!(check("ip.src ~= 10.0.0.1") && check("ip.src !== 10.0.0.1"));
        assert!(!check("ip.src === 10.0.0.1"));
        assert!(check("all ip.src in {10.0.0.0/8, 192.168.0.0/16}") || check("ip.addr == 8.8.8.8"));
        assert!(
            check("ip.addr == 8.8.8.8") && check("ip.addr == 192.168.0.0/16") && !check("ip.addr == 172.16.0.0/12")
        );
    }

    #[test]
    fn operators_and_precedence() {
        assert!(check("udp && !tcp"));
        assert!(check("not tcp and udp or tcp"));
        assert!(!check("not (udp or tcp)"));
        assert!(check("udp.port in {53, 1000..2000}") && !check("udp.port in {1..52}"));
        assert!(check("frame.time_relative > 1.5") && !check("frame.time_relative >= 1.7"));
        assert!(check("eth.src[0:3] == 00:1d:d9") && check("eth.src[0:3] == 001dd9") && check("eth.src[-1] == 03"));
        assert!(
            check("eth.trailer contains \"word\"")
                && check("eth.trailer matches \"^pass\"")
                && !check("eth.trailer matches \"(?-i)^pass\"")
        );
        assert!(check("tcp.flags & 0x02") && check("tcp.flags & 0x12 == 0x12") && !check("tcp.flags & 0x01"));
        assert!(check("udp.srcport > udp.dstport") && check("icmp.type eq 3") && check("ip.hdr_len == 024"));
        assert!(!check("ipv6") && check("ip") && check("frame"));
    }
}
