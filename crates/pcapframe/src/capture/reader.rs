//! [`CaptureReader`]: pcap-parser's streaming reader (pcapng) or its frame parser (legacy pcap,
//! see [`super::legacy`]) plus the bookkeeping they leave to callers (interfaces and their time
//! units, byte offsets, bounded buffer growth, typed errors).

use std::io::Read;

use pcap_parser::pcapng::Block;
use pcap_parser::traits::{PcapNGPacketBlock, PcapReaderIterator};
use pcap_parser::{parse_pcap_header, PcapBlockOwned, PcapError, PcapNGReader};

use super::coverage::Coverage;
use super::legacy::{Input, LegacyProblem, LegacyRecords};
use super::padded::PaddedBlockLengths;
use super::read_ahead::read_up_to;
use super::timestamp::TsResolution;
use crate::bytes::{be16, be32, le16, le32};
use crate::error::{CaptureError, Position};

/// The container format, detected from the magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    /// Legacy libpcap format (either byte order, micro- or nanosecond timestamps).
    Pcap,
    /// pcapng.
    PcapNg,
}

/// Caps on what untrusted headers may make the reader allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderLimits {
    /// Largest captured length accepted for one packet (tshark's limit is 262144).
    pub max_packet: u32,
    /// Largest pcapng block accepted (interface descriptions can carry long options).
    pub max_block: u32,
}

impl Default for ReaderLimits {
    fn default() -> Self {
        ReaderLimits { max_packet: 262_144, max_block: 16 * 1024 * 1024 }
    }
}

/// What kind of block a [`Record`] came from; tshark numbers all of them as frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A legacy pcap record, a pcapng Enhanced Packet Block, or an obsolete pcapng Packet Block
    /// (block type 2, read like an Enhanced Packet Block as tshark does).
    Packet,
    /// A pcapng Simple Packet Block: no timestamp (tshark counts it as time 0).
    SimplePacket,
    /// A pcapng Custom Block: a frame of its data, with no time, interface or link layer.
    Custom,
}

/// One captured packet, borrowed from the reader's buffer until the next call.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// 1-based frame number.
    pub number: u64,
    /// The block it came from.
    pub kind: RecordKind,
    /// Arrival time in nanoseconds since the Unix epoch; `None` for pcapng Simple Packet Blocks.
    pub timestamp_ns: Option<i64>,
    /// Length of the packet on the wire (`frame.len`).
    pub wire_len: u32,
    /// The captured bytes (`frame.cap_len` of them).
    pub data: &'a [u8],
    /// pcapng interface id; `None` for legacy pcap.
    pub interface_id: Option<u32>,
    /// LINKTYPE_* value of the packet's interface.
    pub link_type: u32,
    /// Byte offset of the record in the file.
    pub offset: u64,
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    link_type: u32,
    snaplen: u32,
    resolution: TsResolution,
    offset_secs: i64,
}

/// Metadata of a packet block, copied out so that the block's borrow can end.
struct PacketMeta {
    kind: RecordKind,
    number: u64,
    offset: u64,
    timestamp_ns: Option<i64>,
    wire_len: u32,
    interface_id: Option<u32>,
    link_type: u32,
    data_addr: usize,
    data_len: usize,
}

enum Step {
    Packet(PacketMeta),
    Skip,
}

impl Interface {
    /// A timestamp in this interface's units, in nanoseconds since the epoch.
    fn timestamp_ns(&self, units: u64) -> i64 {
        self.resolution.to_nanos(units).saturating_add(self.offset_secs.saturating_mul(1_000_000_000))
    }
}

/// The buffer records are read into (it grows for a longer block, within the limits). Large
/// enough that refills are rare; the input needs no buffering of its own.
const INITIAL_BUFFER: usize = 1 << 18;

/// Block type of the obsolete pcapng Packet Block.
const PACKET_BLOCK: u32 = 2;

/// Link type given to records that have no link layer (pcapng Custom Blocks).
pub const NO_LINK: u32 = u32::MAX;

/// What the headers seen so far say about the packets that follow.
struct Layout {
    format: CaptureFormat,
    limits: ReaderLimits,
    /// Legacy pcap: link type and nanosecond flag (from the file header).
    legacy: Option<(u32, bool)>,
    /// pcapng: interfaces of the current section, and its byte order.
    interfaces: Vec<Interface>,
    big_endian: bool,
    /// Blocks passed over that could have held packets.
    coverage: Coverage,
}

/// Streams the packets of a pcap or pcapng file.
pub struct CaptureReader<'r> {
    source: Source<'r>,
    layout: Layout,
    next_number: u64,
    failed: Option<CaptureError>,
}

/// Where records come from: a legacy pcap file's records, or a pcapng file's blocks.
enum Source<'r> {
    Legacy(LegacyRecords<'r>),
    PcapNg(NgBlocks<'r>),
}

/// pcap-parser's streaming pcapng reader, and what it leaves to its caller: consuming a block
/// once it has been used, refilling, growing the buffer for a longer block within the limits.
struct NgBlocks<'r> {
    inner: Box<dyn PcapReaderIterator + Send + 'r>,
    capacity: usize,
    pending_consume: usize,
}

impl<'r> CaptureReader<'r> {
    /// Opens a capture from any byte stream; the format comes from the magic number.
    pub fn new<R: Read + Send + 'r>(input: R, limits: ReaderLimits) -> Result<Self, CaptureError> {
        Self::open(input, limits, |rest| Ok(Input::Direct(Box::new(rest))))
    }

    /// Opens a capture like [`CaptureReader::new`], from an input that can move to a thread of
    /// its own: see [`CaptureReader::read_ahead`].
    pub fn owning<R: Read + Send + 'static>(input: R, limits: ReaderLimits) -> Result<Self, CaptureError> {
        Self::open(input, limits, |rest| Ok(Input::Owned(Box::new(rest))))
    }

    /// From now on, reads a legacy pcap file opened by [`CaptureReader::owning`] on a thread of
    /// its own, ahead of the parsing (see [`super::read_ahead`]): worth it when a core would
    /// otherwise be idle. Anything else goes on being read as before.
    pub fn read_ahead(&mut self) {
        if let Source::Legacy(records) = &mut self.source {
            records.read_ahead();
        }
    }

    /// Opens a capture; `rest` says how a legacy pcap file's bytes past the first read are read.
    fn open<R: Read + Send + 'r>(
        mut input: R,
        limits: ReaderLimits,
        rest: impl FnOnce(R) -> Result<Input<'r>, CaptureError>,
    ) -> Result<Self, CaptureError> {
        let start = Position { frame: 1, offset: 0 };
        // pcap-parser validates the file header from its first read(), so hand it a full chunk.
        let mut head = vec![0u8; INITIAL_BUFFER];
        let (got, failed) = read_up_to(&mut input, &mut head);
        if let Some(e) = failed {
            return Err(io_error(e, start));
        }
        head.truncate(got);
        let magic: [u8; 4] = head.get(..4).and_then(|m| m.try_into().ok()).unwrap_or_default();
        let format = match (got.min(4), magic) {
            (4, [0x0a, 0x0d, 0x0d, 0x0a]) => CaptureFormat::PcapNg,
            (
                4,
                [0xd4, 0xc3, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0xc3, 0xd4]
                | [0x4d, 0x3c, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0x3c, 0x4d],
            ) => CaptureFormat::Pcap,
            _ => return Err(CaptureError::UnknownFormat { magic: magic[..got.min(4)].to_vec() }),
        };
        let mut layout = Layout {
            format,
            limits,
            legacy: None,
            interfaces: Vec::new(),
            big_endian: false,
            coverage: Coverage::default(),
        };
        let source = match format {
            CaptureFormat::PcapNg => {
                let chained = std::io::Cursor::new(head).chain(input);
                let inner = PcapNGReader::new(INITIAL_BUFFER, PaddedBlockLengths::new(chained))
                    .map_err(|e| open_error(e, "section header block"))?;
                Source::PcapNg(NgBlocks { inner: Box::new(inner), capacity: INITIAL_BUFFER, pending_consume: 0 })
            }
            CaptureFormat::Pcap => {
                if head.len() < LEGACY_HEADER {
                    return Err(CaptureError::CutShort { at: start, needed: (LEGACY_HEADER - head.len()) as u64 });
                }
                let Ok((_, header)) = parse_pcap_header(&head) else {
                    return Err(CaptureError::Corrupt { what: "pcap file header".into(), at: start });
                };
                let big = header.is_bigendian();
                layout.legacy = Some((header.network.0 as u32, header.is_nanosecond_precision()));
                Source::Legacy(LegacyRecords::new(head, LEGACY_HEADER, rest(input)?, big, INITIAL_BUFFER))
            }
        };
        Ok(CaptureReader { source, layout, next_number: 1, failed: None })
    }

    /// The detected container format.
    pub fn format(&self) -> CaptureFormat {
        self.layout.format
    }

    /// pcapng blocks skipped so far that could have held packets.
    pub fn coverage(&self) -> &Coverage {
        &self.layout.coverage
    }

    /// Position of the next record: where an error at this point is reported.
    pub fn position(&self) -> Position {
        let offset = match &self.source {
            Source::Legacy(records) => records.offset(),
            Source::PcapNg(blocks) => blocks.offset(),
        };
        Position { frame: self.next_number, offset }
    }

    /// The next packet record, or `None` at the end of the capture. After an error, every call
    /// returns that error again.
    #[inline]
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CaptureError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let at = self.position();
        let next = match &mut self.source {
            Source::Legacy(records) => legacy_packet(records, &self.layout, at),
            Source::PcapNg(blocks) => blocks.advance(&mut self.layout, self.next_number),
        };
        match next {
            Ok(Some(mut meta)) => {
                meta.number = self.next_number;
                self.next_number += 1;
                let data = match &self.source {
                    Source::Legacy(records) => records.bytes_at(meta.data_addr, meta.data_len),
                    Source::PcapNg(blocks) => blocks.bytes_at(meta.data_addr, meta.data_len),
                };
                Ok(Some(Record {
                    kind: meta.kind,
                    number: meta.number,
                    timestamp_ns: meta.timestamp_ns,
                    wire_len: meta.wire_len,
                    data,
                    interface_id: meta.interface_id,
                    link_type: meta.link_type,
                    offset: meta.offset,
                }))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }
}

/// Size of a legacy pcap file header.
const LEGACY_HEADER: usize = 24;

/// The next legacy pcap record, with the file header's link type and time units.
#[inline]
fn legacy_packet(
    records: &mut LegacyRecords<'_>,
    layout: &Layout,
    at: Position,
) -> Result<Option<PacketMeta>, CaptureError> {
    let max = layout.limits.max_packet;
    let record = match records.advance(max) {
        Ok(Some(record)) => record,
        Ok(None) => return Ok(None),
        Err(LegacyProblem::TooLong { caplen }) => {
            return Err(CaptureError::TooLong {
                what: "captured packet length",
                length: caplen.into(),
                max: max.into(),
                at,
            })
        }
        Err(LegacyProblem::CutShort { needed }) => return Err(CaptureError::CutShort { at, needed }),
        Err(LegacyProblem::Io(e)) => return Err(io_error(e, at)),
    };
    let (link_type, nanos) =
        layout.legacy.ok_or_else(|| CaptureError::Corrupt { what: "record before the file header".into(), at })?;
    let frac = i64::from(record.ts_frac) * if nanos { 1 } else { 1000 };
    Ok(Some(PacketMeta {
        kind: RecordKind::Packet,
        number: 0,
        offset: record.offset,
        timestamp_ns: Some(i64::from(record.ts_sec) * 1_000_000_000 + frac),
        wire_len: record.wire_len,
        interface_id: None,
        link_type,
        data_addr: record.data_addr,
        data_len: record.data_len,
    }))
}

impl NgBlocks<'_> {
    /// Byte offset of the next block.
    fn offset(&self) -> u64 {
        (self.inner.consumed() + self.pending_consume) as u64
    }

    /// The `len` bytes at address `addr` of the unread part of the buffer.
    fn bytes_at(&self, addr: usize, len: usize) -> &[u8] {
        let buffer = self.inner.data();
        let start = addr - buffer.as_ptr() as usize;
        &buffer[start..start + len]
    }

    /// Moves to the next packet block and returns its metadata, interpreting the blocks before
    /// it.
    fn advance(&mut self, layout: &mut Layout, number: u64) -> Result<Option<PacketMeta>, CaptureError> {
        if self.pending_consume > 0 {
            // Without a shift: `consume` moves what is unread to the buffer's front whenever more
            // than half of it has been consumed, copying the capture once more; `refill` shifts
            // anyway, when only the start of one record is left to move.
            self.inner.consume_noshift(self.pending_consume);
            self.pending_consume = 0;
        }
        loop {
            let at = Position { frame: number, offset: self.offset() };
            self.check_block_length(layout, at)?;
            let step = match self.inner.next() {
                Ok((len, block)) => {
                    let step = layout.interpret(block, at)?;
                    self.pending_consume = len;
                    step
                }
                Err(PcapError::Eof) => return Ok(None),
                Err(PcapError::Incomplete(_)) => {
                    self.refill(at)?;
                    continue;
                }
                Err(PcapError::BufferTooSmall) => {
                    self.grow_for_next(layout, at)?;
                    continue;
                }
                Err(PcapError::UnexpectedEof) => return Err(self.cut_short(layout, at)),
                Err(PcapError::ReadError) => return Err(CaptureError::Io { message: "read failed".into(), at }),
                Err(_) => return Err(self.corrupt(layout, at)),
            };
            match step {
                Step::Skip => {
                    self.inner.consume_noshift(self.pending_consume);
                    self.pending_consume = 0;
                }
                Step::Packet(mut meta) => {
                    meta.offset = at.offset;
                    return Ok(Some(meta));
                }
            }
        }
    }

    fn refill(&mut self, at: Position) -> Result<(), CaptureError> {
        self.inner.refill().map_err(|_| CaptureError::Io { message: "read failed".into(), at })
    }

    /// The length the next block claims, read from its header.
    fn claimed_len(&self, layout: &Layout) -> Option<u64> {
        let data = self.inner.data();
        // A section header may switch byte order: read its byte-order magic first.
        let big = if data.get(..4) == Some(&[0x0a, 0x0d, 0x0d, 0x0a]) {
            data.get(8..12) == Some(&[0x1a, 0x2b, 0x3c, 0x4d])
        } else {
            layout.big_endian
        };
        let b: [u8; 4] = data.get(4..8)?.try_into().ok()?;
        Some(u64::from(if big { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) }))
    }

    /// pcapng block lengths must be at least 12 and a multiple of 4; pcap-parser assumes so
    /// (a shorter length underflows in it), so the reader checks before handing the block over.
    /// ([`PaddedBlockLengths`] has already rounded up lengths that leave out their padding.)
    fn check_block_length(&self, layout: &Layout, at: Position) -> Result<(), CaptureError> {
        match self.claimed_len(layout) {
            Some(len) if len < 12 || len % 4 != 0 => Err(CaptureError::Corrupt {
                what: format!("{} with length {len} (at least 12, a multiple of 4)", self.block_kind(layout)),
                at,
            }),
            _ => Ok(()),
        }
    }

    fn grow_for_next(&mut self, layout: &Layout, at: Position) -> Result<(), CaptureError> {
        let what = "pcapng block length";
        let claimed = self.claimed_len(layout).unwrap_or(u64::MAX);
        let max = u64::from(layout.limits.max_block);
        if claimed > max {
            return Err(CaptureError::TooLong { what, length: claimed, max, at });
        }
        let wanted = (claimed as usize + 64).max(self.capacity * 2);
        if !self.inner.grow(wanted) {
            return Err(CaptureError::TooLong { what, length: claimed, max: self.capacity as u64, at });
        }
        self.capacity = wanted;
        self.refill(at)
    }

    fn cut_short(&self, layout: &Layout, at: Position) -> CaptureError {
        let available = self.inner.data().len() as u64;
        let needed = self.claimed_len(layout).map(|c| c.saturating_sub(available)).filter(|n| *n > 0).unwrap_or(1);
        CaptureError::CutShort { at, needed }
    }

    fn corrupt(&self, layout: &Layout, at: Position) -> CaptureError {
        CaptureError::Corrupt { what: self.block_kind(layout), at }
    }

    /// "pcapng block of type 0x…" for the block about to be read.
    fn block_kind(&self, layout: &Layout) -> String {
        let data = self.inner.data();
        let kind = data.get(..4).map(|b| {
            let v = if layout.big_endian {
                u32::from_be_bytes(b.try_into().unwrap_or_default())
            } else {
                u32::from_le_bytes(b.try_into().unwrap_or_default())
            };
            format!("pcapng block of type 0x{v:08x}")
        });
        kind.unwrap_or_else(|| "pcapng block".into())
    }
}

impl Layout {
    fn interpret(&mut self, block: PcapBlockOwned<'_>, at: Position) -> Result<Step, CaptureError> {
        match block {
            // Legacy pcap records are read by `LegacyRecords`, never by the pcapng reader.
            PcapBlockOwned::LegacyHeader(_) | PcapBlockOwned::Legacy(_) => {
                Err(CaptureError::Corrupt { what: "legacy pcap block in a pcapng file".into(), at })
            }
            PcapBlockOwned::NG(Block::SectionHeader(shb)) => {
                self.big_endian = shb.big_endian();
                self.interfaces.clear();
                Ok(Step::Skip)
            }
            PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                self.interfaces.push(Interface {
                    link_type: idb.linktype.0 as u32,
                    snaplen: idb.snaplen,
                    resolution: TsResolution::from_option(idb.if_tsresol),
                    offset_secs: idb.if_tsoffset,
                });
                Ok(Step::Skip)
            }
            PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                let interface = self.interface(epb.if_id, at)?;
                self.check_packet_len(epb.caplen, at)?;
                let units = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                let ts = interface.timestamp_ns(units);
                let data = epb.packet_data();
                Ok(Step::Packet(PacketMeta {
                    kind: RecordKind::Packet,
                    number: 0,
                    offset: 0,
                    timestamp_ns: Some(ts),
                    wire_len: epb.origlen,
                    interface_id: Some(epb.if_id),
                    link_type: interface.link_type,
                    data_addr: data.as_ptr() as usize,
                    data_len: data.len(),
                }))
            }
            PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                let interface = self.interface(0, at)?;
                let mut data = spb.packet_data();
                if interface.snaplen > 0 && data.len() > interface.snaplen as usize {
                    data = &data[..interface.snaplen as usize];
                }
                Ok(Step::Packet(PacketMeta {
                    kind: RecordKind::SimplePacket,
                    number: 0,
                    offset: 0,
                    timestamp_ns: None,
                    wire_len: spb.origlen,
                    interface_id: Some(0),
                    link_type: interface.link_type,
                    data_addr: data.as_ptr() as usize,
                    data_len: data.len(),
                }))
            }
            PcapBlockOwned::NG(Block::Custom(custom)) => Ok(Step::Packet(PacketMeta {
                kind: RecordKind::Custom,
                number: 0,
                offset: 0,
                timestamp_ns: None,
                wire_len: custom.data.len() as u32,
                interface_id: None,
                link_type: NO_LINK,
                data_addr: custom.data.as_ptr() as usize,
                data_len: custom.data.len(),
            })),
            PcapBlockOwned::NG(Block::Unknown(block)) if self.native(block.block_type) == PACKET_BLOCK => {
                self.packet_block(block.data, at)
            }
            // Name resolution, statistics, secrets, ...: counted when the type could hold packets.
            PcapBlockOwned::NG(block) => {
                let block_type = match &block {
                    Block::Unknown(unknown) => self.native(unknown.block_type),
                    known => known.magic(),
                };
                self.coverage.skipped_block(block_type);
                Ok(Step::Skip)
            }
        }
    }

    /// A block type as the section's byte order reads it (pcap-parser reads unknown types as
    /// little-endian).
    fn native(&self, block_type: u32) -> u32 {
        if self.big_endian {
            block_type.swap_bytes()
        } else {
            block_type
        }
    }

    /// The obsolete Packet Block: interface (16 bits), drop count (16 bits), timestamp, captured
    /// and wire lengths, data; read like an Enhanced Packet Block.
    fn packet_block(&self, body: &[u8], at: Position) -> Result<Step, CaptureError> {
        let corrupt = || CaptureError::Corrupt { what: "pcapng Packet Block (type 2)".into(), at };
        let big = self.big_endian;
        let u16_at = |off| if big { be16(body, off) } else { le16(body, off) };
        let u32_at = |off| if big { be32(body, off) } else { le32(body, off) };
        let (Some(if_id), Some(ts_high), Some(ts_low), Some(caplen), Some(origlen)) =
            (u16_at(0), u32_at(4), u32_at(8), u32_at(12), u32_at(16))
        else {
            return Err(corrupt());
        };
        let interface = self.interface(u32::from(if_id), at)?;
        self.check_packet_len(caplen, at)?;
        let data = body.get(20..20 + caplen as usize).ok_or_else(corrupt)?;
        let units = (u64::from(ts_high) << 32) | u64::from(ts_low);
        Ok(Step::Packet(PacketMeta {
            kind: RecordKind::Packet,
            number: 0,
            offset: 0,
            timestamp_ns: Some(interface.timestamp_ns(units)),
            wire_len: origlen,
            interface_id: Some(u32::from(if_id)),
            link_type: interface.link_type,
            data_addr: data.as_ptr() as usize,
            data_len: data.len(),
        }))
    }

    fn interface(&self, id: u32, at: Position) -> Result<Interface, CaptureError> {
        self.interfaces.get(id as usize).copied().ok_or(CaptureError::UnknownInterface {
            interface: id,
            described: self.interfaces.len(),
            at,
        })
    }

    fn check_packet_len(&self, caplen: u32, at: Position) -> Result<(), CaptureError> {
        if caplen > self.limits.max_packet {
            return Err(CaptureError::TooLong {
                what: "captured packet length",
                length: caplen.into(),
                max: self.limits.max_packet.into(),
                at,
            });
        }
        Ok(())
    }
}

fn io_error(e: std::io::Error, at: Position) -> CaptureError {
    CaptureError::Io { message: e.to_string(), at }
}

fn open_error(e: PcapError<&'static [u8]>, what: &str) -> CaptureError {
    let at = Position { frame: 1, offset: 0 };
    match e {
        PcapError::Incomplete(n) => CaptureError::CutShort { at, needed: n.max(1) as u64 },
        PcapError::Eof | PcapError::UnexpectedEof => CaptureError::CutShort { at, needed: 1 },
        _ => CaptureError::Corrupt { what: what.to_string(), at },
    }
}
