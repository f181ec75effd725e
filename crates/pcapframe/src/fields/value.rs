//! Per-frame field values: a reusable store that allocates nothing once warm.

use super::{Field, FieldSet};

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

    /// For an address (MAC, IPv4, IPv6): its slot among `2^bits` slots of a direct-mapped cache
    /// (the address's bytes pick it); `None` for any other value.
    pub(crate) fn address_slot(self, bits: u32) -> Option<usize> {
        let key = match self {
            Value::Ipv4(a) => u128::from(u32::from_be_bytes(a)),
            Value::Ipv6(a) => u128::from_be_bytes(a),
            Value::Mac(m) => m.iter().fold(0u128, |k, b| k << 8 | u128::from(*b)),
            _ => return None,
        };
        // Fibonacci hashing: the top bits of the product pick the slot.
        let folded = (key as u64) ^ ((key >> 64) as u64);
        Some((folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize)
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
            // Room for one occurrence of each wanted field (at most 64), and no bytes until some
            // are kept:
            // the stores of a batch then lie close together, which helps the thread that reads
            // them after the one that wrote them.
            items: Vec::with_capacity(wanted.len().clamp(4, 64)),
            present: FieldSet::default(),
            arena: Vec::new(),
            layers: Some(0),
        }
    }

    /// A store filled from values read elsewhere (a DataFrame's cells), which knows no
    /// [`Layer`] marks: a protocol's presence is then the presence of its fields.
    pub fn without_layers(wanted: FieldSet) -> Self {
        FrameValues { layers: None, ..FrameValues::new(wanted) }
    }

    /// Asks the cache for this store's own bytes, to be written soon: a batch's stores pass
    /// from the thread that fills them to the one that reads them and back, so each frame's
    /// first write waited for its lines to come back from the other core.
    #[inline]
    pub(crate) fn prefetch_store(&self) {
        prefetch_for_write((self as *const FrameValues).cast(), std::mem::size_of::<FrameValues>());
    }

    /// Asks the cache for the bytes the values are written to (their first four lines), to be
    /// written soon (see [`FrameValues::prefetch_store`]): reads the store itself, so it should
    /// be fetched first.
    #[inline]
    pub(crate) fn prefetch_values(&self) {
        let bytes = self.items.capacity() * std::mem::size_of::<(Field, Value)>();
        prefetch_for_write(self.items.as_ptr().cast(), bytes.min(256));
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

    /// Whether some field of `group` is being collected: a dissector skips reading and pushing
    /// what nobody asked for.
    #[inline]
    pub fn wants_any(&self, group: &FieldSet) -> bool {
        self.wanted.intersects(group)
    }

    /// The set of collected fields.
    pub fn wanted(&self) -> &FieldSet {
        &self.wanted
    }

    /// Records one occurrence.
    #[inline(always)]
    pub fn push(&mut self, f: Field, v: Value) {
        if self.wanted.contains(f) {
            self.items.push((f, v));
            self.present.insert(f);
        }
    }

    /// Records an unsigned value.
    #[inline(always)]
    pub fn uint(&mut self, f: Field, v: impl Into<u64>) {
        self.push(f, Value::UInt(v.into()));
    }

    /// Records a byte-string value.
    #[inline]
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

    /// Whether the frame holds at least one occurrence of every field of `fields`.
    #[inline]
    pub fn has_all(&self, fields: &FieldSet) -> bool {
        self.present.contains_all(fields)
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
}

/// Asks the cache for the lines of `len` bytes at `start`, to be written soon; a hint that
/// reads nothing (the lines need not be valid memory), so it cannot fail.
#[inline]
fn prefetch_for_write(start: *const u8, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_ET0};
        let mut offset = 0;
        while offset < len {
            // SAFETY: a prefetch is a hint: it neither reads nor faults, whatever the address.
            unsafe { _mm_prefetch::<_MM_HINT_ET0>(start.wrapping_add(offset).cast()) };
            offset += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (start, len);
}

#[cfg(test)]
mod tests {
    use super::*;

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
