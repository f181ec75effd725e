//! DNS (and mDNS, LLMNR) messages, parsed by hand with tshark 4.0's semantics (learnt from its
//! output on captures and crafted packets).
//!
//! Truncation keeps exactly what tshark keeps. The header's fields appear once 4 bytes are
//! present (each count once its own bytes are). A question appears only when its name, type and
//! class are all present; a resource record only when its name, fixed part and all `rdlength`
//! bytes are present; a record's data fields only when the bytes they read are present (they may
//! read past `rdlength`). The first record cut short, or a malformed name (a label of type 0x80,
//! a pointer past the end), ends the message's dissection, and then `dns.time` and
//! `dns.response_to` (which tshark adds last) are not shown either.
//!
//! Nothing here panics or hangs on crafted input: every read is bounds-checked, a name's walk
//! reads at most as many bytes as the message has (more means a compression pointer loops), and
//! the section loops advance on every record.
//!
//! Rules (verified against tshark 4.0.17):
//! - Names print through tshark's `format_text`: printable ASCII as is (backslash included),
//!   `\a \b \t \n \v \f \r` as those escapes, other control bytes as `\ooo`; UTF-8 is decoded
//!   leniently (overlong forms accepted; a bad sequence, a surrogate or a code point past
//!   U+10FFFF is one U+FFFD); non-printable code points print as `\uXXXX`. A dot inside a label
//!   prints as a dot. The empty name (or a name starting with a pointer to a NUL byte) is `<Root>`; more than 253 characters of labels is
//!   `<Name too long>`; a pointer loop is `<Name contains a pointer that loops>`; an extended
//!   label other than a bit label (0x41) is `<Unknown extended label>` and ends the name there
//!   (even past a pointer), unless it is the name's first byte or lies before the name (which
//!   stops the dissection).
//! - TXT strings stop at a NUL and show bytes from 0x80 as U+FFFD; an empty string is kept.
//! - A record with `rdlength` 0 shows no data fields. OPT (41) shows no TTL, SRV (33) no
//!   `dns.resp.name`. The type bitmaps of
//!   NSEC (47), NSEC3 (50), CSYNC (62) and NXT (30) add one `dns.resp.type` per listed type.
//! - `dns.flags.rcode` only on responses; no `dns.count.*` for UPDATE (opcode 5). On mDNS the
//!   question class loses its top (unicast-response) bit.
//! - Matching, per transport and stream and transaction id: a query starts a transaction unless
//!   the latest one with its id is unanswered and less than 5 s old (a retransmission). A
//!   response answers the latest transaction with its id if it is unanswered (even when the
//!   response turns out malformed); only a well-formed answering response shows `dns.time` (from
//!   the transaction's first query, possibly negative) and `dns.response_to`.

use std::collections::HashMap;

use super::{Ctx, Transport};
use crate::bytes::{be16, be32, u8_at};
use crate::fields::{Field, Layer, Value};

/// DNS's UDP and TCP port.
pub(crate) const PORT: u16 = 53;
/// Multicast DNS.
pub(crate) const MDNS_PORT: u16 = 5353;
/// Link-local multicast name resolution.
pub(crate) const LLMNR_PORT: u16 = 5355;

/// A query repeated within this long of an unanswered one is a retransmission.
const RETRANSMISSION_NS: i64 = 5_000_000_000;
/// Transactions remembered at most; past it the answered ones are forgotten (then all).
const MAX_TRANSACTIONS: usize = 1 << 20;
/// tshark's limit on a name's length (labels and dots).
const MAX_NAME_LEN: usize = 253;

/// Queries awaiting their response (for `dns.time` and `dns.response_to`).
#[derive(Debug, Default)]
pub(crate) struct DnsState {
    transactions: HashMap<TxnKey, Txn>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct TxnKey {
    tcp: bool,
    stream: u32,
    id: u16,
}

#[derive(Debug, Clone, Copy)]
struct Txn {
    query_frame: u64,
    query_ns: i64,
    answered: bool,
}

/// Which dissector tshark picks for a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Dns,
    Mdns,
}

/// The message ended (or was malformed) where tshark's dissection stops.
struct Stop;

type Parse<T> = Result<T, Stop>;

/// Dissects one DNS message (without TCP's length prefix).
pub(crate) fn dissect(ctx: &mut Ctx<'_>, transport: Transport, msg: &[u8]) {
    dissect_as(ctx, transport, Flavor::Dns, Layer::Dns, msg);
}

/// Dissects one DNS, mDNS or LLMNR datagram: tshark picks the dissector of the lower of the
/// ports 53, 5353 and 5355 present (mDNS differs in the question class's top bit).
pub(crate) fn dissect_udp(ctx: &mut Ctx<'_>, stream: u32, sport: u16, dport: u16, msg: &[u8]) {
    let is = |p: u16| sport == p || dport == p;
    // tshark tries the lower port first: 53, then 5353 (mDNS), then 5355 (LLMNR).
    let (flavor, layer) = if is(PORT) {
        (Flavor::Dns, Layer::Dns)
    } else if is(MDNS_PORT) {
        (Flavor::Mdns, Layer::Mdns)
    } else {
        (Flavor::Dns, Layer::Llmnr)
    };
    dissect_as(ctx, Transport::Udp { stream }, flavor, layer, msg);
}

fn dissect_as(ctx: &mut Ctx<'_>, transport: Transport, flavor: Flavor, layer: Layer, msg: &[u8]) {
    let (Some(id), Some(flags)) = (be16(msg, 0), be16(msg, 2)) else { return };
    ctx.out.mark(layer);
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    let out = &mut *ctx.out;
    out.uint(Field::DnsId, id);
    out.push(Field::DnsFlagsResponse, Value::Bool(response));
    out.uint(Field::DnsFlagsOpcode, opcode);
    if response {
        out.uint(Field::DnsFlagsRcode, flags & 0xf);
    }
    if opcode != 5 {
        // UPDATE names its sections zones, prerequisites and updates.
        if let Some(n) = be16(msg, 4) {
            out.uint(Field::DnsCountQueries, n);
        }
        if let Some(n) = be16(msg, 6) {
            out.uint(Field::DnsCountAnswers, n);
        }
    }
    let answers = track(ctx, transport, id, response);
    if body(ctx, flavor, msg).is_ok() {
        if let Some(txn) = answers {
            let out = &mut *ctx.out;
            out.push(Field::DnsTime, Value::Nanos(ctx.meta.time_ns - txn.query_ns));
            out.uint(Field::DnsResponseTo, txn.query_frame);
        }
    }
}

/// Updates the transactions; for a response, returns the transaction it answers.
fn track(ctx: &mut Ctx<'_>, transport: Transport, id: u16, response: bool) -> Option<Txn> {
    let wants = ctx.out.wants(Field::DnsTime) || ctx.out.wants(Field::DnsResponseTo);
    if !wants {
        return None;
    }
    let (tcp, stream) = match transport {
        Transport::Udp { stream } => (false, stream),
        Transport::Tcp { stream } => (true, stream),
    };
    let key = TxnKey { tcp, stream, id };
    let now = ctx.meta.time_ns;
    let txns = &mut ctx.state.app.dns.transactions;
    if response {
        let txn = txns.get_mut(&key).filter(|t| !t.answered)?;
        txn.answered = true;
        return Some(*txn);
    }
    let retransmission =
        txns.get(&key).is_some_and(|t| !t.answered && now.saturating_sub(t.query_ns) < RETRANSMISSION_NS);
    if !retransmission {
        if txns.len() >= MAX_TRANSACTIONS {
            txns.retain(|_, t| !t.answered);
            if txns.len() >= MAX_TRANSACTIONS {
                txns.clear();
            }
        }
        txns.insert(key, Txn { query_frame: ctx.meta.number, query_ns: now, answered: false });
    }
    None
}

/// The questions and resource records.
fn body(ctx: &mut Ctx<'_>, flavor: Flavor, msg: &[u8]) -> Parse<()> {
    let count = |off| be16(msg, off).ok_or(Stop);
    let (qd, an, ns, ar) = (count(4)?, count(6)?, count(8)?, count(10)?);
    let mut off = 12;
    for _ in 0..qd {
        let name = read_name(msg, off)?;
        let at = name.end;
        let ty = be16(msg, at).ok_or(Stop)?;
        let mut class = be16(msg, at + 2).ok_or(Stop)?;
        if flavor == Flavor::Mdns {
            class &= 0x7fff;
        }
        let out = &mut *ctx.out;
        out.text(Field::DnsQryName, &name.text);
        out.uint(Field::DnsQryType, ty);
        out.uint(Field::DnsQryClass, class);
        off = at + 4;
    }
    for _ in 0..u32::from(an) + u32::from(ns) + u32::from(ar) {
        off = record(ctx, msg, off)?;
    }
    Ok(())
}

/// One resource record at `off`; returns the offset of the next.
fn record(ctx: &mut Ctx<'_>, msg: &[u8], off: usize) -> Parse<usize> {
    let name = read_name(msg, off)?;
    let at = name.end;
    let ty = be16(msg, at).ok_or(Stop)?;
    let ttl = be32(msg, at + 4).ok_or(Stop)?;
    let rdlen = be16(msg, at + 8).ok_or(Stop)? as usize;
    let rdata = at + 10;
    let end = rdata + rdlen;
    if end > msg.len() {
        return Err(Stop);
    }
    let out = &mut *ctx.out;
    if ty != 33 {
        // SRV's owner name shows as service, protocol and name instead.
        out.text(Field::DnsRespName, &name.text);
    }
    out.uint(Field::DnsRespType, ty);
    if ty != 41 {
        out.uint(Field::DnsRespTtl, ttl);
    }
    if rdlen > 0 {
        rdata_fields(ctx, msg, ty, rdata, rdlen)?;
    }
    Ok(end)
}

/// The wanted fields of a record's data, `rdlen` bytes at `start` (reads may run past them).
///
/// Lists (TXT strings, type bitmaps) count the bytes left in a wrapping counter, as tshark does:
/// an item running past the data makes the counter wrap, and the list then goes on through the
/// following bytes until the message ends (which stops the dissection).
fn rdata_fields(ctx: &mut Ctx<'_>, msg: &[u8], ty: u16, start: usize, rdlen: usize) -> Parse<()> {
    let out = &mut *ctx.out;
    let left = |used: usize| (rdlen as u32).wrapping_sub(used as u32);
    match ty {
        1 => {
            let a = msg.get(start..start + 4).ok_or(Stop)?;
            out.push(Field::DnsA, Value::Ipv4([a[0], a[1], a[2], a[3]]));
        }
        28 => {
            let a: [u8; 16] = msg.get(start..start + 16).ok_or(Stop)?.try_into().map_err(|_| Stop)?;
            out.push(Field::DnsAaaa, Value::Ipv6(a));
        }
        2 | 5 | 12 => {
            let name = read_name(msg, start)?;
            let f = match ty {
                2 => Field::DnsNs,
                5 => Field::DnsCname,
                _ => Field::DnsPtrDomainName,
            };
            out.text(f, &name.text);
        }
        15 => {
            be16(msg, start).ok_or(Stop)?;
            let name = read_name(msg, start + 2)?;
            out.text(Field::DnsMxMailExchange, &name.text);
        }
        16 => {
            let (mut p, mut left) = (start, left(0));
            while left != 0 {
                let len = u8_at(msg, p).ok_or(Stop)? as usize;
                let s = msg.get(p + 1..p + 1 + len).ok_or(Stop)?;
                if out.wants(Field::DnsTxt) {
                    out.text(Field::DnsTxt, &ascii(s));
                }
                p += 1 + len;
                left = left.wrapping_sub(1 + len as u32);
            }
        }
        // Types whose data holds names with no wanted field: a malformed name still stops
        // the dissection.
        3 | 4 | 7 | 8 | 9 | 39 => {
            read_name(msg, start)?;
        }
        14 | 17 | 6 => {
            let first = read_name(msg, start)?;
            let second = read_name(msg, first.end)?;
            if ty == 6 {
                msg.get(second.end..second.end + 20).ok_or(Stop)?;
            }
        }
        18 | 21 | 36 => {
            be16(msg, start).ok_or(Stop)?;
            read_name(msg, start + 2)?;
        }
        33 => {
            msg.get(start..start + 6).ok_or(Stop)?;
            read_name(msg, start + 6)?;
        }
        47 => {
            let next = read_name(msg, start)?;
            type_windows(ctx, msg, next.end, left(next.len_from(start)))?;
        }
        50 => {
            let salt_len = u8_at(msg, start + 4).ok_or(Stop)? as usize;
            let hash_at = start + 5 + salt_len;
            let hash_len = u8_at(msg, hash_at).ok_or(Stop)? as usize;
            type_windows(ctx, msg, hash_at + 1 + hash_len, left(6 + salt_len + hash_len))?;
        }
        62 => {
            if rdlen < 4 {
                // No room for the serial: tshark stops (not so for the flags).
                return Err(Stop);
            }
            type_windows(ctx, msg, start + 6, left(6))?;
        }
        30 => {
            let next = read_name(msg, start)?;
            let (mut p, mut left) = (next.end, left(next.len_from(start)));
            let mut base = 0u64;
            while left != 0 {
                let byte = u8_at(msg, p).ok_or(Stop)?;
                for bit in 0..8 {
                    if byte & (0x80 >> bit) != 0 {
                        out.uint(Field::DnsRespType, base + bit);
                    }
                }
                p += 1;
                base += 8;
                left = left.wrapping_sub(1);
            }
        }
        _ => {}
    }
    Ok(())
}

/// A windowed type bitmap (NSEC, NSEC3, CSYNC) at `start` with `left` bytes (a wrapping
/// counter): one `dns.resp.type` a listed type.
fn type_windows(ctx: &mut Ctx<'_>, msg: &[u8], start: usize, mut left: u32) -> Parse<()> {
    let mut p = start;
    while left != 0 {
        let window = u8_at(msg, p).ok_or(Stop)? as usize;
        let len = u8_at(msg, p + 1).ok_or(Stop)? as usize;
        for i in 0..len {
            // Byte by byte: the types before a missing byte are shown.
            let byte = u8_at(msg, p + 2 + i).ok_or(Stop)?;
            for bit in 0..8 {
                if byte & (0x80 >> bit) != 0 {
                    ctx.out.uint(Field::DnsRespType, (window * 256 + i * 8 + bit) as u64);
                }
            }
        }
        p += 2 + len;
        left = left.wrapping_sub(2 + len as u32);
    }
    Ok(())
}

/// A name as tshark shows it, and where the data after it starts.
#[derive(Debug, PartialEq, Eq)]
struct Name {
    text: String,
    /// Usually just past the name's bytes at its start; after an unknown extended label, just
    /// past that label's byte, wherever a pointer led.
    end: usize,
}

impl Name {
    /// The name's length as tshark subtracts it from a record's data length.
    fn len_from(&self, start: usize) -> usize {
        self.end.wrapping_sub(start)
    }
}

/// Reads the (possibly compressed) name at `start`.
fn read_name(msg: &[u8], start: usize) -> Parse<Name> {
    // The labels' bytes, with bit labels' text (which tshark writes but does not count).
    let mut buf: Vec<u8> = Vec::new();
    // How many of `buf`'s bytes tshark shows: labels and dots only.
    let mut shown = 0usize;
    let mut pos = start;
    let mut wire_len = None;
    let mut read = 0usize;
    loop {
        let b = u8_at(msg, pos).ok_or(Stop)?;
        read += 1;
        pos += 1;
        match b & 0xc0 {
            0x00 if b == 0 => break,
            0x00 => {
                let label = msg.get(pos..pos + b as usize).ok_or(Stop)?;
                read += label.len();
                if !buf.is_empty() {
                    buf.push(b'.');
                    shown += 1;
                }
                buf.extend_from_slice(label);
                shown += label.len();
                pos += label.len();
            }
            0x40 if b == 0x41 => {
                // A bit label (RFC 2673): `\[x<hex>/<bits>]`, written but not counted.
                let bits = u8_at(msg, pos).ok_or(Stop)? as usize;
                let n = bits.saturating_sub(1) / 8 + 1;
                let bytes = msg.get(pos + 1..pos + 1 + n).ok_or(Stop)?;
                read += 1 + n;
                pos += 1 + n;
                buf.extend_from_slice(b"\\[x");
                for byte in bytes {
                    buf.extend_from_slice(format!("{byte:02x}").as_bytes());
                }
                buf.extend_from_slice(format!("/{bits}]").as_bytes());
            }
            0x40 => {
                // tshark ends the name here, even past a pointer (what follows the name is read
                // after this byte); as the name's very first byte, it stops the dissection.
                if pos <= start + 1 {
                    // Also when a pointer led back before the name: its length goes negative.
                    return Err(Stop);
                }
                return Ok(Name { text: "<Unknown extended label>".into(), end: pos });
            }
            0x80 => return Err(Stop),
            _ => {
                let low = u8_at(msg, pos).ok_or(Stop)?;
                read += 1;
                pos += 1;
                wire_len.get_or_insert_with(|| pos - start);
                let target = usize::from(b & 0x3f) << 8 | usize::from(low);
                if target >= msg.len() {
                    return Err(Stop);
                }
                pos = target;
            }
        }
        if read > msg.len() {
            // Only a loop reads more bytes than the message has.
            let end = start + wire_len.unwrap_or_else(|| pos.saturating_sub(start));
            return Ok(Name { text: "<Name contains a pointer that loops>".into(), end });
        }
    }
    let end = start + wire_len.unwrap_or_else(|| pos.saturating_sub(start));
    // tshark tests a name that starts with a pointer as a C string (a leading NUL makes it the
    // root, bit labels alone an empty name); other names by their shown length (bit labels
    // alone stop the dissection).
    let text = if msg[start] & 0xc0 == 0xc0 {
        match buf.first() {
            None | Some(0) => "<Root>".to_string(),
            Some(_) => shown_text(&buf, shown),
        }
    } else if shown == 0 {
        if !buf.is_empty() {
            return Err(Stop);
        }
        "<Root>".to_string()
    } else {
        shown_text(&buf, shown)
    };
    Ok(Name { text, end })
}

/// The shown part of a name's bytes, as text.
fn shown_text(buf: &[u8], shown: usize) -> String {
    if shown > MAX_NAME_LEN {
        "<Name too long>".to_string()
    } else {
        format_text(&buf[..shown.min(buf.len())])
    }
}

/// A string of ASCII characters as tshark decodes them: up to the first NUL, bytes from 0x80 as
/// U+FFFD.
fn ascii(raw: &[u8]) -> String {
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    raw[..end].iter().map(|&b| if b < 0x80 { b as char } else { '\u{FFFD}' }).collect()
}

/// tshark's `format_text`: escapes for control characters, lenient UTF-8.
fn format_text(raw: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c < 0x80 {
            match c {
                0x20..=0x7e => s.push(c as char),
                0x07 => s.push_str("\\a"),
                0x08 => s.push_str("\\b"),
                0x09 => s.push_str("\\t"),
                0x0a => s.push_str("\\n"),
                0x0b => s.push_str("\\v"),
                0x0c => s.push_str("\\f"),
                0x0d => s.push_str("\\r"),
                _ => {
                    let _ = write!(s, "\\{c:03o}");
                }
            }
            i += 1;
            continue;
        }
        let (len, init) = match c {
            0xc0..=0xdf => (2, u32::from(c & 0x1f)),
            0xe0..=0xef => (3, u32::from(c & 0x0f)),
            0xf0..=0xf7 => (4, u32::from(c & 0x07)),
            0xf8..=0xfb => (5, u32::from(c & 0x03)),
            0xfc..=0xfd => (6, u32::from(c & 0x01)),
            _ => {
                s.push('\u{FFFD}');
                i += 1;
                continue;
            }
        };
        let mut cp = init;
        let mut j = 1;
        while j < len {
            match raw.get(i + j) {
                Some(&b) if b & 0xc0 == 0x80 => cp = (cp << 6) | u32::from(b & 0x3f),
                _ => break,
            }
            j += 1;
        }
        i += j;
        if j < len {
            s.push('\u{FFFD}');
            continue;
        }
        match char::from_u32(cp) {
            None => s.push('\u{FFFD}'),
            Some(ch) if printable(ch) => s.push(ch),
            Some(_) if cp > 0xffff => {
                let _ = write!(s, "\\U{cp:08X}");
            }
            Some(_) => {
                let _ = write!(s, "\\u{cp:04X}");
            }
        }
    }
    s
}

/// GLib's `g_unichar_isprint`: not a control, format, unassigned or surrogate code point.
/// Unassigned code points are approximated by the noncharacters.
fn printable(ch: char) -> bool {
    let c = ch as u32;
    if ch.is_control() || (0xfdd0..=0xfdef).contains(&c) || c & 0xfffe == 0xfffe {
        return false;
    }
    const FORMAT: &[(u32, u32)] = &[
        (0x00ad, 0x00ad),
        (0x0600, 0x0605),
        (0x061c, 0x061c),
        (0x06dd, 0x06dd),
        (0x070f, 0x070f),
        (0x0890, 0x0891),
        (0x08e2, 0x08e2),
        (0x180e, 0x180e),
        (0x200b, 0x200f),
        (0x202a, 0x202e),
        (0x2060, 0x2064),
        (0x2066, 0x206f),
        (0xfeff, 0xfeff),
        (0xfff9, 0xfffb),
        (0x110bd, 0x110bd),
        (0x110cd, 0x110cd),
        (0x13430, 0x1343f),
        (0x1bca0, 0x1bca3),
        (0x1d173, 0x1d17a),
        (0xe0001, 0xe0001),
        (0xe0020, 0xe007f),
    ];
    !FORMAT.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

#[cfg(test)]
mod tests {
    //! Expected values are tshark 4.0.17's output on the same messages.
    use super::*;
    use crate::dissect::State;
    use crate::fields::{FieldSet, FrameValues};
    use crate::track::{FrameMeta, TrackLimits};

    struct Harness {
        state: State,
        out: FrameValues,
    }

    impl Harness {
        fn new() -> Self {
            let all = FieldSet::all();
            Harness { state: State::new(TrackLimits::default(), false, &all), out: FrameValues::new(all) }
        }

        /// Dissects `msg` as frame `number` at `secs`, from UDP port `sport` to `dport`.
        fn udp(&mut self, number: u64, secs: f64, sport: u16, dport: u16, msg: &[u8]) -> &mut Self {
            self.out.clear();
            let mut ctx = Ctx {
                out: &mut self.out,
                state: &mut self.state,
                quoted: false,
                depth: 0,
                frame_end: 0,
                uncaptured: 0,
                meta: FrameMeta { number, time_ns: (secs * 1e9).round() as i64 },
            };
            dissect_udp(&mut ctx, 0, sport, dport, msg);
            self
        }

        fn msg(&mut self, msg: &[u8]) -> &mut Self {
            self.udp(1, 0.0, 1000, 53, msg)
        }

        /// The field as tshark's `-T fields` prints it.
        fn get(&self, f: Field) -> String {
            let mut s = String::new();
            for (i, v) in self.out.all(f).enumerate() {
                if i > 0 {
                    s.push(',');
                }
                self.out.write_text(f, v, &mut s);
            }
            s
        }
    }

    fn name(labels: &[&[u8]]) -> Vec<u8> {
        let mut v = Vec::new();
        for l in labels {
            v.push(l.len() as u8);
            v.extend_from_slice(l);
        }
        v.push(0);
        v
    }

    fn hdr(id: u16, flags: u16, qd: u16, an: u16) -> Vec<u8> {
        [id, flags, qd, an, 0, 0].iter().flat_map(|x| x.to_be_bytes()).collect()
    }

    fn question(name: &[u8], ty: u16, class: u16) -> Vec<u8> {
        [name, &ty.to_be_bytes(), &class.to_be_bytes()].concat()
    }

    fn rr(name: &[u8], ty: u16, ttl: u32, rdata: &[u8]) -> Vec<u8> {
        [name, &ty.to_be_bytes(), &1u16.to_be_bytes(), &ttl.to_be_bytes(), &(rdata.len() as u16).to_be_bytes(), rdata]
            .concat()
    }

    fn www() -> Vec<u8> {
        name(&[b"www", b"example", b"com"])
    }

    fn query(id: u16, qname: &[u8]) -> Vec<u8> {
        [hdr(id, 0x0100, 1, 0), question(qname, 1, 1)].concat()
    }

    #[test]
    fn response_fields_in_tshark_order() {
        let ptr: &[u8] = b"\xc0\x0c";
        let rrs = [
            rr(&www(), 5, 100, &name(&[b"cn", b"example", b"com"])),
            rr(ptr, 1, 0xffff_ffff, &[1, 2, 3, 4]),
            rr(ptr, 28, 5, &(0..16).collect::<Vec<u8>>()),
            rr(ptr, 2, 7, &name(&[b"ns1", b"x"])),
            rr(ptr, 15, 8, &[&[0, 10][..], &name(&[b"mx", b"x"])].concat()),
            rr(ptr, 16, 9, b"\x03abc\x00\x02d,"),
            rr(ptr, 12, 10, &name(&[b"ptr", b"x"])),
        ];
        let msg = [hdr(0x1234, 0x8180, 1, 7), question(&www(), 1, 1), rrs.concat()].concat();
        let mut h = Harness::new();
        h.msg(&msg);
        assert_eq!(h.get(Field::DnsId), "0x1234");
        assert_eq!(h.get(Field::DnsFlagsResponse), "1");
        assert_eq!(h.get(Field::DnsFlagsRcode), "0");
        assert_eq!(h.get(Field::DnsCountAnswers), "7");
        assert_eq!(h.get(Field::DnsRespName), ["www.example.com"; 7].join(","));
        assert_eq!(h.get(Field::DnsRespType), "5,1,28,2,15,16,12");
        assert_eq!(h.get(Field::DnsRespTtl), "100,4294967295,5,7,8,9,10");
        assert_eq!(h.get(Field::DnsA), "1.2.3.4");
        assert_eq!(h.get(Field::DnsAaaa), "1:203:405:607:809:a0b:c0d:e0f");
        assert_eq!(h.get(Field::DnsCname), "cn.example.com");
        assert_eq!(h.get(Field::DnsNs), "ns1.x");
        assert_eq!(h.get(Field::DnsMxMailExchange), "mx.x");
        assert_eq!(h.get(Field::DnsTxt), "abc,,d,");
        assert_eq!(h.get(Field::DnsPtrDomainName), "ptr.x");
        // A query has no reply code.
        h.msg(&query(1, &www()));
        assert_eq!(h.get(Field::DnsFlagsRcode), "");
        assert_eq!(h.get(Field::DnsQryName), "www.example.com");
        assert_eq!(h.get(Field::DnsQryClass), "0x0001");
    }

    #[test]
    fn names_print_like_format_text() {
        let mut h = Harness::new();
        let odd = name(&[b"a.b", b"c d", b"\xc3\xa9x", b"\xff", b"A\x00B", b"tab\tx", b"com"]);
        h.msg(&query(1, &odd));
        assert_eq!(h.get(Field::DnsQryName), "a.b.c d.\u{e9}x.\u{FFFD}.A\\000B.tab\\tx.com");
        let ctl = name(&[
            b"a\x07b\x08c\x0bd\x0ce\x1bf\x7fg\\h",
            b"x\xe2\x82y",
            b"\xed\xa0\x80z",
            b"\xc0\xafq\xf4\x90\x80\x80",
        ]);
        h.msg(&query(1, &ctl));
        assert_eq!(h.get(Field::DnsQryName), "a\\ab\\bc\\vd\\fe\\033f\\177g\\h.x\u{FFFD}y.\u{FFFD}z./q\u{FFFD}");
        let uni = name(&[b"\xc0\x80\xc2\x80\xc2\xa0\xe2\x80\x8b", b"\xf8\x88\x80\x80\x80", b"\xef\xbf\xbf"]);
        h.msg(&query(1, &uni));
        assert_eq!(h.get(Field::DnsQryName), "\\u0000\\u0080\u{a0}\\u200B.\u{FFFD}.\\uFFFF");
        h.msg(&query(1, b"\0"));
        assert_eq!(h.get(Field::DnsQryName), "<Root>");
        let l63 = [b'a'; 63];
        h.msg(&query(1, &name(&[&l63, &l63, &l63, &[b'b'; 61]])));
        assert_eq!(h.get(Field::DnsQryName).len(), 253);
        h.msg(&query(1, &name(&[&l63, &l63, &l63, &[b'b'; 62]])));
        assert_eq!(h.get(Field::DnsQryName), "<Name too long>");
        assert_eq!(h.get(Field::DnsQryType), "1", "the type after a long name");
        // Bit labels are written but not counted; other extended labels end the name.
        h.msg(&query(1, b"\x03abc\x41\x08x\x0ddefghijklmnop\0"));
        assert_eq!(h.get(Field::DnsQryName), "abc\\[x78/8].defgh");
        h.msg(&[hdr(1, 0x100, 1, 0), b"\x03abc\x42\x05xyz\0\0\x01\0\x01".to_vec()].concat());
        assert_eq!(h.get(Field::DnsQryName), "<Unknown extended label>");
        assert_eq!(h.get(Field::DnsQryType), "1400");
    }

    #[test]
    fn compression_pointers_and_loops() {
        let mut h = Harness::new();
        for looping in [&b"\x03abc\xc0\x0c"[..], b"\xc0\x0c", b"\x01a\x01b\xc0\x0e"] {
            let mut msg = query(3, looping);
            msg.extend_from_slice(&[0; 600]);
            h.msg(&msg);
            assert_eq!(h.get(Field::DnsQryName), "<Name contains a pointer that loops>");
            assert_eq!(h.get(Field::DnsQryType), "1");
        }
        // A forward pointer is fine.
        h.msg(&[hdr(5, 0x100, 1, 0), b"\xc0\x12\0\x01\0\x01\x03abc\0".to_vec()].concat());
        assert_eq!(h.get(Field::DnsQryName), "abc");
        // A pointer past the end, or a label of type 0x80, ends the dissection.
        for bad in [&b"\x01a\xc1\x00"[..], b"\x01a\x80"] {
            let msg = [hdr(3, 0x100, 2, 0), question(bad, 1, 1), question(&www(), 1, 1)].concat();
            h.msg(&msg);
            assert_eq!(h.get(Field::DnsQryName), "");
            assert_eq!(h.get(Field::DnsCountQueries), "2");
        }
        // A looping CNAME, then a record that is still read.
        let a = rr(b"\xc0\x0c", 1, 5, &[9; 4]);
        let cname = rr(b"\xc0\x0c", 5, 5, b"\x01a\xc0\x2d\0");
        h.msg(&[hdr(9, 0x8180, 1, 2), question(&www(), 1, 1), cname, a].concat());
        assert_eq!(h.get(Field::DnsCname), "<Name contains a pointer that loops>");
        assert_eq!(h.get(Field::DnsA), "9.9.9.9");
    }

    #[test]
    fn truncated_messages_keep_what_tshark_keeps() {
        let mut h = Harness::new();
        let resp = hdr(12, 0x8183, 1, 0);
        h.msg(&resp[..3]);
        assert_eq!(h.get(Field::DnsId), "");
        h.msg(&resp[..4]);
        assert_eq!((h.get(Field::DnsId), h.get(Field::DnsFlagsRcode)), ("0x000c".into(), "3".into()));
        assert_eq!(h.get(Field::DnsCountQueries), "");
        h.msg(&resp[..7]);
        assert_eq!((h.get(Field::DnsCountQueries), h.get(Field::DnsCountAnswers)), ("1".into(), "".into()));
        // A question needs its name, type and class.
        let q = query(9, &www());
        for cut in 13..q.len() {
            h.msg(&q[..cut]);
            assert_eq!(h.get(Field::DnsQryName), "", "cut at {cut}");
        }
        // A record needs all of its bytes; then its data fields their own.
        let a = rr(b"\xc0\x0c", 1, 5, &[1, 2, 3, 4]);
        let base = [hdr(9, 0x8180, 1, 2), question(&www(), 1, 1), a.clone()].concat();
        for cut in 0..a.len() {
            h.msg(&[&base[..], &a[..cut]].concat());
            assert_eq!(h.get(Field::DnsA), "1.2.3.4", "cut at {cut}");
            assert_eq!(h.get(Field::DnsRespType), "1");
        }
        let short = [hdr(2, 0x8180, 1, 1), question(&www(), 1, 1), rr(b"\xc0\x0c", 1, 5, &[1, 2])].concat();
        h.msg(&short);
        assert_eq!((h.get(Field::DnsRespTtl), h.get(Field::DnsA)), ("5".into(), "".into()));
        // Data read past rdlength when the message goes on.
        let two = [hdr(2, 0x8180, 1, 2), question(&www(), 1, 1), rr(b"\xc0\x0c", 1, 5, &[1, 2]), a.clone()].concat();
        h.msg(&two);
        assert_eq!(h.get(Field::DnsA), "1.2.192.12,1.2.3.4");
        // An empty rdata shows nothing; TXT strings stop at NUL and are ASCII.
        let empty = [hdr(2, 0x8180, 1, 2), question(&www(), 1, 1), rr(b"\xc0\x0c", 5, 5, b""), a.clone()].concat();
        h.msg(&empty);
        assert_eq!((h.get(Field::DnsCname), h.get(Field::DnsA)), ("".into(), "1.2.3.4".into()));
        let txt =
            [hdr(2, 0x8180, 1, 1), question(&www(), 1, 1), rr(b"\xc0\x0c", 16, 5, b"\x03a\0b\0\x02\xff\x7f")].concat();
        h.msg(&txt);
        assert_eq!(h.get(Field::DnsTxt), "a,,\u{FFFD}\u{7f}");
        // More questions announced than present: the records' bytes are read as one.
        let over = [hdr(20, 0x8180, 2, 3), question(&www(), 1, 1), a].concat();
        h.msg(&over);
        assert_eq!(h.get(Field::DnsQryName), "www.example.com,www.example.com");
        assert_eq!(h.get(Field::DnsRespName), "");
    }

    #[test]
    fn lists_run_past_their_data_until_the_message_ends() {
        let mut h = Harness::new();
        let a = rr(b"\xc0\x0c", 1, 5, &[9; 4]);
        // TXT: the counter wraps, strings go on through the next record, then the end stops all.
        let txt = [hdr(6, 0x8180, 1, 2), question(&www(), 1, 1), rr(b"\xc0\x0c", 16, 5, b"\x01a\x05bc"), a.clone()];
        h.msg(&txt.concat());
        assert_eq!(h.get(Field::DnsTxt), "a,bc\u{FFFD}\\f,,,,,");
        assert_eq!(h.get(Field::DnsA), "");
        // NSEC: a window running past the data, byte by byte until the message ends.
        let nsec = rr(b"\xc0\x0c", 47, 5, b"\xc0\x0c\x00\x01\x40\x00\x01");
        h.msg(&[hdr(10, 0x8180, 1, 2), question(&www(), 1, 1), nsec, a.clone()].concat());
        assert_eq!(h.get(Field::DnsRespType), "47,1,0,1,1028,1031,1036,1039,1044,1047");
        // SRV's owner name is not `dns.resp.name`.
        let srv = rr(b"\xc0\x0c", 33, 5, &[&[0, 1, 0, 2, 0, 80][..], &name(&[b"t"])].concat());
        h.msg(&[hdr(11, 0x8180, 1, 2), question(&www(), 1, 1), srv, a].concat());
        assert_eq!((h.get(Field::DnsRespName), h.get(Field::DnsRespType)), ("www.example.com".into(), "33,1".into()));
    }

    #[test]
    fn extended_labels_and_pointers() {
        let mut h = Harness::new();
        // Past a pointer, an unknown extended label ends the name where it lies.
        let two = [hdr(2, 0x8180, 2, 0), question(&www(), 1, 1), b"\xc0\x24\x00\x01\x00\x77\x00\x01\x00\x01".to_vec()];
        h.msg(&two.concat());
        assert_eq!(h.get(Field::DnsQryName), "www.example.com,<Unknown extended label>");
        // As a name's first byte, it stops the dissection.
        h.msg(&[hdr(8, 0x100, 2, 0), question(b"\x77\0", 1, 1), question(&www(), 1, 1)].concat());
        assert_eq!(h.get(Field::DnsQryName), "");
        // A name starting with a pointer to a NUL byte is the root; otherwise NUL prints.
        let nul = [hdr(1, 0x100, 2, 0), question(b"\x01\x00\x00", 1, 1), question(b"\xc0\x0c", 1, 1)];
        h.msg(&nul.concat());
        assert_eq!(h.get(Field::DnsQryName), "\\000,<Root>");
    }

    #[test]
    fn type_bitmaps_and_opt() {
        let n = www();
        let rrs = [
            rr(b"\0", 41, 0x8000, b""),
            rr(&n, 47, 120, b"\xc0\x0c\x00\x06\x40\x00\x00\x08\x00\x03"),
            rr(&n, 50, 120, b"\x01\x00\x00\x0a\x02\xab\xcd\x02\x11\x22\x00\x06\x40\x00\x00\x00\x00\x03"),
            rr(&n, 62, 120, b"\0\0\0\x01\0\0\x00\x01\x40"),
            rr(&n, 30, 120, &[&n[..], b"\x40\0\0\0"].concat()),
        ];
        let msg = [hdr(12, 0x8180, 1, 5), question(&n, 1, 1), rrs.concat()].concat();
        let mut h = Harness::new();
        h.msg(&msg);
        assert_eq!(h.get(Field::DnsRespName), format!("<Root>{}", ",www.example.com".repeat(4)));
        assert_eq!(h.get(Field::DnsRespType), "41,47,1,28,46,47,50,1,46,47,62,1,30,1");
        assert_eq!(h.get(Field::DnsRespTtl), "120,120,120,120");
    }

    #[test]
    fn mdns_llmnr_and_update() {
        let mut h = Harness::new();
        let msg = [hdr(0, 0, 1, 0), question(&www(), 1, 0x8001)].concat();
        for (sport, dport, class) in
            [(5353, 5353, "0x0001"), (40000, 5353, "0x0001"), (53, 5353, "0x8001"), (5355, 5355, "0x8001")]
        {
            h.udp(1, 0.0, sport, dport, &msg);
            assert_eq!(h.get(Field::DnsQryClass), class, "{sport} -> {dport}");
        }
        h.msg(&[hdr(5, 0x2800, 1, 0), question(&www(), 1, 1)].concat());
        assert_eq!((h.get(Field::DnsFlagsOpcode), h.get(Field::DnsCountQueries)), ("5".into(), "".into()));
        assert_eq!(h.get(Field::DnsQryName), "www.example.com");
    }

    #[test]
    fn responses_match_queries_like_tshark() {
        let n = www();
        let q = |id| query(id, &n);
        let r = |id| [hdr(id, 0x8180, 1, 0), question(&n, 1, 1)].concat();
        let mut h = Harness::new();
        let mut frame = 0;
        let mut run = |h: &mut Harness, secs: f64, msg: Vec<u8>| {
            frame += 1;
            h.udp(frame, secs, 1000, 53, &msg);
            (h.get(Field::DnsTime), h.get(Field::DnsResponseTo))
        };
        let none = (String::new(), String::new());
        assert_eq!(run(&mut h, 0.0, q(1)), none);
        assert_eq!(run(&mut h, 4.999999, q(1)), none, "a retransmission");
        assert_eq!(run(&mut h, 6.0, r(1)), ("6.000000000".into(), "1".into()));
        assert_eq!(run(&mut h, 7.0, r(1)), none, "already answered");
        assert_eq!(run(&mut h, 10.0, q(2)), none);
        assert_eq!(run(&mut h, 15.0, q(2)), none, "5 s later: a new transaction");
        assert_eq!(run(&mut h, 16.0, r(2)), ("1.000000000".into(), "6".into()));
        assert_eq!(run(&mut h, 17.0, r(3)), none, "unsolicited");
        assert_eq!(run(&mut h, 20.5, q(4)), none);
        assert_eq!(run(&mut h, 20.25, r(4)), ("-0.250000000".into(), "9".into()));
        // A malformed response answers the query but shows nothing.
        assert_eq!(run(&mut h, 30.0, q(5)), none);
        assert_eq!(run(&mut h, 31.0, r(5)[..6].to_vec()), none);
        assert_eq!(run(&mut h, 32.0, r(5)), none);
        // A truncated query still starts a transaction; another stream does not match.
        assert_eq!(run(&mut h, 40.0, q(6)[..4].to_vec()), none);
        h.udp(99, 40.5, 1000, 53, &q(7));
        let ctx_other = |h: &mut Harness| {
            h.out.clear();
            let mut ctx = Ctx {
                out: &mut h.out,
                state: &mut h.state,
                quoted: false,
                depth: 0,
                frame_end: 0,
                uncaptured: 0,
                meta: FrameMeta { number: 100, time_ns: 41_000_000_000 },
            };
            dissect(&mut ctx, Transport::Tcp { stream: 0 }, &r(7));
        };
        ctx_other(&mut h);
        assert_eq!(h.get(Field::DnsResponseTo), "", "TCP stream 0 is not UDP stream 0");
        assert_eq!(run(&mut h, 41.0, r(6)), ("1.000000000".into(), "14".into()));
    }

    #[test]
    fn never_panics_on_damaged_messages() {
        let n = www();
        let rrs = [
            rr(b"\xc0\x0c", 5, 1, &name(&[b"cn"])),
            rr(b"\xc0\x0c", 16, 1, b"\x02ab\x01c"),
            rr(&n, 47, 1, b"\xc0\x0c\x00\x01\x40"),
        ];
        let base = [hdr(1, 0x8180, 1, 3), question(&n, 1, 1), rrs.concat()].concat();
        let mut h = Harness::new();
        for cut in 0..=base.len() {
            h.msg(&base[..cut]);
        }
        for m in super::super::mutants::mutants(&base, 20_000, 0x2545_f491_4f6c_dd1d) {
            h.msg(&m);
        }
    }
}
