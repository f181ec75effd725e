//! pcapng files: sections, interfaces with time units and offsets, packet blocks (enhanced,
//! simple and the obsolete Packet Block) and custom blocks.

use super::Endian;

/// An Interface Description Block's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interface {
    /// LINKTYPE_* value.
    pub link_type: u16,
    /// Snapshot length (0: none).
    pub snaplen: u32,
    /// Raw `if_tsresol` option (6 = microseconds, the default when absent).
    pub tsresol: Option<u8>,
    /// `if_tsoffset` option, seconds added to every timestamp.
    pub tsoffset: Option<i64>,
}

impl Interface {
    /// An Ethernet interface with default time units.
    pub fn ethernet() -> Self {
        Interface { link_type: 1, snaplen: 0, tsresol: None, tsoffset: None }
    }
}

/// An obsolete Packet Block (type 2, superseded by the Enhanced Packet Block): a 16-bit
/// interface id and a 16-bit drops count, as NTAR and early libpcap-ng wrote them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketBlock<'a> {
    /// Interface id.
    pub interface: u16,
    /// Packets dropped since the previous packet of this interface (0xffff: unknown).
    pub drops: u16,
    /// Timestamp in the interface's time unit.
    pub ts_units: u64,
    /// The packet as on the wire.
    pub wire: &'a [u8],
    /// Bytes of `wire` captured.
    pub captured: usize,
    /// `pack_flags` option (direction, reception type, ...).
    pub flags: Option<u32>,
    /// `opt_comment` option.
    pub comment: Option<&'a str>,
    /// Write the block length without the data's padding, as old NTAR writers did (the data is
    /// still padded to 4 bytes on disk); only for a block without options.
    pub unpadded_length: bool,
}

/// Writes a pcapng file in memory; each section can have its own byte order.
#[derive(Debug, Clone, Default)]
pub struct PcapNgWriter {
    bytes: Vec<u8>,
    endian: Option<Endian>,
}

impl PcapNgWriter {
    /// An empty file (start it with [`PcapNgWriter::section`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a section in the given byte order.
    pub fn section(&mut self, endian: Endian) -> &mut Self {
        self.endian = Some(endian);
        let mut body = Vec::new();
        body.extend_from_slice(&endian.u32(0x1a2b_3c4d));
        body.extend_from_slice(&endian.u16(1));
        body.extend_from_slice(&endian.u16(0));
        body.extend_from_slice(&endian.u64(u64::MAX));
        self.block(0x0a0d_0d0a, &body)
    }

    /// Describes the next interface of the current section.
    pub fn interface(&mut self, iface: Interface) -> &mut Self {
        let e = self.endian();
        let mut body = Vec::new();
        body.extend_from_slice(&e.u16(iface.link_type));
        body.extend_from_slice(&e.u16(0));
        body.extend_from_slice(&e.u32(iface.snaplen));
        let mut options = Vec::new();
        if let Some(r) = iface.tsresol {
            push_option(&mut options, e, 9, &[r]);
        }
        if let Some(off) = iface.tsoffset {
            push_option(&mut options, e, 14, &e.u64(off as u64));
        }
        if !options.is_empty() {
            push_option(&mut options, e, 0, &[]);
        }
        body.extend_from_slice(&options);
        self.block(1, &body)
    }

    /// An Enhanced Packet Block; `ts_units` in the interface's time unit.
    pub fn packet(&mut self, interface: u32, ts_units: u64, wire: &[u8], captured: usize) -> &mut Self {
        let e = self.endian();
        let data = &wire[..captured.min(wire.len())];
        let mut body = Vec::new();
        body.extend_from_slice(&e.u32(interface));
        body.extend_from_slice(&e.u32((ts_units >> 32) as u32));
        body.extend_from_slice(&e.u32(ts_units as u32));
        body.extend_from_slice(&e.u32(data.len() as u32));
        body.extend_from_slice(&e.u32(wire.len() as u32));
        body.extend_from_slice(data);
        pad4(&mut body);
        self.block(6, &body)
    }

    /// An obsolete Packet Block (type 2).
    pub fn packet_block(&mut self, pb: PacketBlock<'_>) -> &mut Self {
        let e = self.endian();
        let data = &pb.wire[..pb.captured.min(pb.wire.len())];
        let mut body = Vec::new();
        body.extend_from_slice(&e.u16(pb.interface));
        body.extend_from_slice(&e.u16(pb.drops));
        body.extend_from_slice(&e.u32((pb.ts_units >> 32) as u32));
        body.extend_from_slice(&e.u32(pb.ts_units as u32));
        body.extend_from_slice(&e.u32(data.len() as u32));
        body.extend_from_slice(&e.u32(pb.wire.len() as u32));
        body.extend_from_slice(data);
        let unpadded = body.len();
        pad4(&mut body);
        let mut options = Vec::new();
        if let Some(flags) = pb.flags {
            push_option(&mut options, e, 2, &e.u32(flags));
        }
        if let Some(comment) = pb.comment {
            push_option(&mut options, e, 1, comment.as_bytes());
        }
        if !options.is_empty() {
            assert!(!pb.unpadded_length, "an unpadded length only fits a block without options");
            push_option(&mut options, e, 0, &[]);
            body.extend_from_slice(&options);
        }
        let length = if pb.unpadded_length { 12 + unpadded } else { 12 + body.len() };
        self.block_with_length(2, &body, length as u32)
    }

    /// A Simple Packet Block (no timestamp, interface 0).
    pub fn simple_packet(&mut self, wire: &[u8]) -> &mut Self {
        let e = self.endian();
        let mut body = e.u32(wire.len() as u32).to_vec();
        body.extend_from_slice(wire);
        pad4(&mut body);
        self.block(3, &body)
    }

    /// A Custom Block (copyable or not) with a Private Enterprise Number.
    pub fn custom(&mut self, copyable: bool, pen: u32, data: &[u8]) -> &mut Self {
        let e = self.endian();
        let mut body = e.u32(pen).to_vec();
        body.extend_from_slice(data);
        pad4(&mut body);
        self.block(if copyable { 0x0000_0bad } else { 0x4000_0bad }, &body)
    }

    /// A block of a type no reader knows; readers must skip it.
    pub fn unknown_block(&mut self, block_type: u32, body: &[u8]) -> &mut Self {
        let mut body = body.to_vec();
        pad4(&mut body);
        self.block(block_type, &body)
    }

    /// The file's bytes.
    pub fn finish(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    fn endian(&self) -> Endian {
        self.endian.expect("start a section first")
    }

    fn block(&mut self, block_type: u32, body: &[u8]) -> &mut Self {
        self.block_with_length(block_type, body, (12 + body.len()) as u32)
    }

    /// A block whose two length fields hold `len` (normally 12 + the padded body's length).
    fn block_with_length(&mut self, block_type: u32, body: &[u8], len: u32) -> &mut Self {
        let e = self.endian();
        self.bytes.extend_from_slice(&e.u32(block_type));
        self.bytes.extend_from_slice(&e.u32(len));
        self.bytes.extend_from_slice(body);
        self.bytes.extend_from_slice(&e.u32(len));
        self
    }
}

fn push_option(out: &mut Vec<u8>, e: Endian, code: u16, value: &[u8]) {
    out.extend_from_slice(&e.u16(code));
    out.extend_from_slice(&e.u16(value.len() as u16));
    out.extend_from_slice(value);
    pad4(out);
}

fn pad4(v: &mut Vec<u8>) {
    while v.len() % 4 != 0 {
        v.push(0);
    }
}
