//! [`Coverage`]: what a read passed over, so that nothing is skipped in silence.

use std::collections::BTreeMap;
use std::fmt;

/// pcapng block types that carry no packet: skipping them loses nothing.
const BLOCKS_WITHOUT_PACKETS: [u32; 6] = [
    0x0A0D_0D0A, // section header
    0x0000_0001, // interface description
    0x0000_0004, // name resolution
    0x0000_0005, // interface statistics
    0x0000_000A, // decryption secrets
    0x8000_0001, // process information
];

/// What pcapframe read only in part: pcapng blocks it skipped and frames whose link layer it
/// does not decode. Empty when everything in the capture was read and decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// pcapng blocks that may hold packets but were skipped (their type is not read), by type.
    pub skipped_blocks: BTreeMap<u32, u64>,
    /// Frames given only their `frame.*` fields because their link type is not decoded, by
    /// LINKTYPE_* value.
    pub undecoded_link_types: BTreeMap<u32, u64>,
}

impl Coverage {
    /// Whether every block was read and every frame's link layer decoded.
    pub fn is_complete(&self) -> bool {
        self.skipped_blocks.is_empty() && self.undecoded_link_types.is_empty()
    }

    /// Counts a skipped pcapng block, unless its type cannot hold packets.
    pub(crate) fn skipped_block(&mut self, block_type: u32) {
        if !BLOCKS_WITHOUT_PACKETS.contains(&block_type) {
            *self.skipped_blocks.entry(block_type).or_default() += 1;
        }
    }

    /// Counts a frame whose link type is not decoded.
    pub(crate) fn undecoded_frame(&mut self, link_type: u32) {
        *self.undecoded_link_types.entry(link_type).or_default() += 1;
    }

    /// Adds another read's counts (several captures read as one).
    pub fn merge(&mut self, other: &Coverage) {
        for (k, n) in &other.skipped_blocks {
            *self.skipped_blocks.entry(*k).or_default() += n;
        }
        for (k, n) in &other.undecoded_link_types {
            *self.undecoded_link_types.entry(*k).or_default() += n;
        }
    }
}

/// One line: `skipped 3 pcapng blocks of type 0x00000123; 12 frames of link type 10 (FDDI) not
/// decoded (only frame.* fields)`.
impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (block_type, n) in &self.skipped_blocks {
            parts.push(format!("skipped {n} pcapng {} of type 0x{block_type:08x}", plural(*n, "block")));
        }
        for (link_type, n) in &self.undecoded_link_types {
            parts.push(format!(
                "{n} {} of {} not decoded (only frame.* fields)",
                plural(*n, "frame"),
                link_type_name(*link_type)
            ));
        }
        if parts.is_empty() {
            return write!(f, "every block read, every frame decoded");
        }
        write!(f, "{}", parts.join("; "))
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// `link type 10 (FDDI)`, or `link type 147` when pcap-parser has no name for the type.
pub fn link_type_name(link_type: u32) -> String {
    let name = pcap_parser::Linktype(link_type as i32).to_string();
    if name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') && !name.is_empty() {
        format!("link type {link_type} ({name})")
    } else {
        format!("link type {link_type}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_says_what_was_passed_over() {
        let mut c = Coverage::default();
        assert!(c.is_complete());
        c.skipped_block(0x0000_0001); // an interface description holds no packet
        assert!(c.is_complete());
        c.skipped_block(0x0000_0bbb);
        c.skipped_block(0x0000_0bbb);
        c.undecoded_frame(10);
        assert!(!c.is_complete());
        assert_eq!(
            c.to_string(),
            "skipped 2 pcapng blocks of type 0x00000bbb; 1 frame of link type 10 (FDDI) not decoded \
             (only frame.* fields)"
        );
        assert_eq!(link_type_name(4000), "link type 4000");
    }
}
