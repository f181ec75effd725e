//! Building valid packets (checksums included) with etherparse's headers.

use etherparse::{
    IpFragOffset, IpNumber, Ipv4Header, Ipv6FlowLabel, Ipv6Header, TcpHeader, TcpOptionElement, UdpHeader,
};

/// A MAC address.
pub type Mac = [u8; 6];

/// An IP address of either family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ip {
    /// IPv4.
    V4([u8; 4]),
    /// IPv6.
    V6([u8; 16]),
}

/// Per-datagram IP header settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpOpts {
    /// IPv4 identification.
    pub id: u16,
    /// TTL or hop limit.
    pub ttl: u8,
    /// IPv4 don't-fragment flag.
    pub df: bool,
}

impl Default for IpOpts {
    fn default() -> Self {
        IpOpts { id: 0, ttl: 64, df: true }
    }
}

/// A TCP segment's header settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tcp {
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Raw sequence number.
    pub seq: u32,
    /// Raw acknowledgment number; `Some` sets the ACK flag.
    pub ack: Option<u32>,
    /// SYN flag.
    pub syn: bool,
    /// FIN flag.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// PSH flag.
    pub psh: bool,
    /// Raw window field.
    pub window: u16,
    /// Options, in order.
    pub options: Vec<TcpOptionElement>,
}

/// IP protocol numbers used here.
pub mod proto {
    /// ICMP.
    pub const ICMP: u8 = 1;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
    /// ICMPv6.
    pub const ICMPV6: u8 = 58;
}

/// A TCP segment (header with checksum, then payload).
pub fn tcp(src: Ip, dst: Ip, seg: &Tcp, payload: &[u8]) -> Vec<u8> {
    let mut h = TcpHeader::new(seg.sport, seg.dport, seg.seq, seg.window);
    if let Some(ack) = seg.ack {
        h.ack = true;
        h.acknowledgment_number = ack;
    }
    h.syn = seg.syn;
    h.fin = seg.fin;
    h.rst = seg.rst;
    h.psh = seg.psh;
    h.set_options(&seg.options).expect("TCP options fit in 40 bytes");
    h.checksum = match (src, dst) {
        (Ip::V4(s), Ip::V4(d)) => h.calc_checksum_ipv4_raw(s, d, payload),
        (Ip::V6(s), Ip::V6(d)) => h.calc_checksum_ipv6_raw(s, d, payload),
        _ => panic!("mixed address families"),
    }
    .expect("segment fits");
    let mut out = h.to_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

/// A UDP datagram (header with checksum, then payload).
pub fn udp(src: Ip, dst: Ip, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut h =
        UdpHeader { source_port: sport, destination_port: dport, length: (8 + payload.len()) as u16, checksum: 0 };
    h.checksum = match (src, dst) {
        (Ip::V4(s), Ip::V4(d)) => h.calc_checksum_ipv4_raw(s, d, payload),
        (Ip::V6(s), Ip::V6(d)) => h.calc_checksum_ipv6_raw(s, d, payload),
        _ => panic!("mixed address families"),
    }
    .expect("datagram fits");
    let mut out = h.to_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

/// An ICMP (or ICMPv6, with `pseudo` set to the IPv6 addresses) message with its checksum.
pub fn icmp(
    kind: u8,
    code: u8,
    rest_of_header: [u8; 4],
    payload: &[u8],
    pseudo: Option<([u8; 16], [u8; 16])>,
) -> Vec<u8> {
    let mut out = vec![kind, code, 0, 0];
    out.extend_from_slice(&rest_of_header);
    out.extend_from_slice(payload);
    let mut sum = 0u32;
    if let Some((s, d)) = pseudo {
        let mut ph = Vec::with_capacity(40);
        ph.extend_from_slice(&s);
        ph.extend_from_slice(&d);
        ph.extend_from_slice(&(out.len() as u32).to_be_bytes());
        ph.extend_from_slice(&[0, 0, 0, proto::ICMPV6]);
        sum = ones_complement_sum(&ph, sum);
    }
    let c = !fold(ones_complement_sum(&out, sum));
    out[2..4].copy_from_slice(&c.to_be_bytes());
    out
}

/// The Internet checksum (RFC 1071) of `data`, as GRE's optional checksum field holds it.
pub fn internet_checksum(data: &[u8]) -> u16 {
    !fold(ones_complement_sum(data, 0))
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0x04c11db7): the Ethernet and 802.11 FCS, which
/// follows the frame least significant byte first.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn ones_complement_sum(data: &[u8], mut sum: u32) -> u32 {
    for chunk in data.chunks(2) {
        let word = u16::from_be_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]);
        sum += u32::from(word);
    }
    sum
}

fn fold(mut sum: u32) -> u16 {
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// An IPv4 packet around `payload`, header checksum included.
pub fn ipv4(src: [u8; 4], dst: [u8; 4], protocol: u8, opts: IpOpts, payload: &[u8]) -> Vec<u8> {
    let mut h = Ipv4Header::new(payload.len() as u16, opts.ttl, IpNumber(protocol), src, dst).expect("fits");
    h.identification = opts.id;
    h.dont_fragment = opts.df;
    h.header_checksum = h.calc_header_checksum();
    let mut out = h.to_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

/// An IPv6 packet; `ext` is raw extension-header bytes placed before `payload`.
pub fn ipv6(src: [u8; 16], dst: [u8; 16], next_header: u8, hop_limit: u8, ext: &[u8], payload: &[u8]) -> Vec<u8> {
    let h = Ipv6Header {
        traffic_class: 0,
        flow_label: Ipv6FlowLabel::try_new(0).unwrap(),
        payload_length: (ext.len() + payload.len()) as u16,
        next_header: IpNumber(next_header),
        hop_limit,
        source: src,
        destination: dst,
    };
    let mut out = h.to_bytes().to_vec();
    out.extend_from_slice(ext);
    out.extend_from_slice(payload);
    out
}

/// An IP packet of the addresses' family around a transport payload.
pub fn ip(src: Ip, dst: Ip, protocol: u8, opts: IpOpts, payload: &[u8]) -> Vec<u8> {
    match (src, dst) {
        (Ip::V4(s), Ip::V4(d)) => ipv4(s, d, protocol, opts, payload),
        (Ip::V6(s), Ip::V6(d)) => ipv6(s, d, protocol, opts.ttl, &[], payload),
        _ => panic!("mixed address families"),
    }
}

/// Splits an IPv4 packet into fragments carrying at most `max_payload` bytes (a multiple of 8).
pub fn fragment_ipv4(packet: &[u8], max_payload: usize) -> Vec<Vec<u8>> {
    let (header, _) = Ipv4Header::from_slice(packet).expect("valid IPv4 packet");
    let payload = &packet[header.header_len()..usize::from(header.total_len)];
    let mut out = Vec::new();
    for (i, chunk) in payload.chunks(max_payload).enumerate() {
        let mut h = header.clone();
        h.dont_fragment = false;
        h.more_fragments = (i + 1) * max_payload < payload.len();
        h.fragment_offset = IpFragOffset::try_new(((i * max_payload) / 8) as u16).unwrap();
        h.set_payload_len(chunk.len()).unwrap();
        h.header_checksum = h.calc_header_checksum();
        let mut frag = h.to_bytes().to_vec();
        frag.extend_from_slice(chunk);
        out.push(frag);
    }
    out
}

/// What fills a short Ethernet frame up to the 60-byte minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill<'a> {
    /// Nothing: the frame stays short (as captured on the sending host).
    Nothing,
    /// Zero bytes, as a well-behaved NIC pads.
    Zeros,
    /// These bytes, repeated: a NIC leaking memory into the padding.
    Leak(&'a [u8]),
}

/// An Ethernet II frame, padded to 60 bytes as `fill` says.
pub fn ethernet(src: Mac, dst: Mac, ethertype: u16, payload: &[u8], fill: Fill<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(14 + payload.len().max(46));
    out.extend_from_slice(&dst);
    out.extend_from_slice(&src);
    out.extend_from_slice(&ethertype.to_be_bytes());
    out.extend_from_slice(payload);
    let missing = 60usize.saturating_sub(out.len());
    match fill {
        Fill::Nothing => {}
        Fill::Zeros => out.resize(out.len() + missing, 0),
        Fill::Leak(bytes) if !bytes.is_empty() => out.extend(bytes.iter().cycle().take(missing)),
        Fill::Leak(_) => out.resize(out.len() + missing, 0),
    }
    out
}

/// Standard TCP SYN options: MSS, SACK permitted, timestamps, NOP, window scale.
pub fn syn_options(mss: u16, wscale: Option<u8>, tsval: u32, tsecr: u32) -> Vec<TcpOptionElement> {
    let mut o = vec![TcpOptionElement::MaximumSegmentSize(mss), TcpOptionElement::SelectiveAcknowledgementPermitted];
    o.push(TcpOptionElement::Timestamp(tsval, tsecr));
    if let Some(w) = wscale {
        o.push(TcpOptionElement::Noop);
        o.push(TcpOptionElement::WindowScale(w));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icmp_checksum_verifies() {
        let msg = icmp(8, 0, [0, 1, 0, 2], b"abcdefgh", None);
        assert_eq!(fold(ones_complement_sum(&msg, 0)), 0xffff);
    }

    #[test]
    fn crc32_matches_the_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn internet_checksum_verifies() {
        let mut data = vec![0x45, 0, 0, 0x1c, 1, 2, 0, 0];
        let c = internet_checksum(&data);
        data[6..8].copy_from_slice(&c.to_be_bytes());
        assert_eq!(internet_checksum(&data), 0);
    }

    #[test]
    fn fragments_reassemble_to_the_original_payload() {
        let packet = ipv4([10, 0, 0, 1], [10, 0, 0, 2], proto::UDP, IpOpts::default(), &[7u8; 100]);
        let frags = fragment_ipv4(&packet, 48);
        assert_eq!(frags.len(), 3);
        let joined: Vec<u8> = frags.iter().flat_map(|f| f[20..].to_vec()).collect();
        assert_eq!(joined, vec![7u8; 100]);
    }

    #[test]
    fn ethernet_padding_reaches_sixty_bytes() {
        assert_eq!(ethernet([0; 6], [1; 6], 0x0800, &[0; 20], Fill::Zeros).len(), 60);
        let leaky = ethernet([0; 6], [1; 6], 0x0800, &[0; 40], Fill::Leak(b"ab"));
        assert_eq!(&leaky[54..], b"ababab");
    }
}
