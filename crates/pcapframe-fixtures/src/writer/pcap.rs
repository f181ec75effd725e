//! Legacy pcap ("libpcap") files.

use super::Endian;

/// Writes a legacy pcap file in memory.
#[derive(Debug, Clone)]
pub struct PcapWriter {
    bytes: Vec<u8>,
    endian: Endian,
    nanos: bool,
    snaplen: u32,
}

impl PcapWriter {
    /// A file with this link type; `nanos` selects the nanosecond magic number.
    pub fn new(link_type: u32, snaplen: u32, endian: Endian, nanos: bool) -> Self {
        let mut bytes = Vec::new();
        let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        bytes.extend_from_slice(&endian.u32(magic));
        bytes.extend_from_slice(&endian.u16(2));
        bytes.extend_from_slice(&endian.u16(4));
        bytes.extend_from_slice(&[0; 8]);
        bytes.extend_from_slice(&endian.u32(snaplen));
        bytes.extend_from_slice(&endian.u32(link_type));
        PcapWriter { bytes, endian, nanos, snaplen }
    }

    /// Appends a packet seen at `ts_ns`, cut to the snaplen.
    pub fn packet(&mut self, ts_ns: u64, wire: &[u8]) {
        let secs = (ts_ns / 1_000_000_000) as u32;
        let frac = (ts_ns % 1_000_000_000) as u32;
        let frac = if self.nanos { frac } else { frac / 1000 };
        let captured = &wire[..wire.len().min(self.snaplen as usize)];
        let e = self.endian;
        self.bytes.extend_from_slice(&e.u32(secs));
        self.bytes.extend_from_slice(&e.u32(frac));
        self.bytes.extend_from_slice(&e.u32(captured.len() as u32));
        self.bytes.extend_from_slice(&e.u32(wire.len() as u32));
        self.bytes.extend_from_slice(captured);
    }

    /// The file's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}
