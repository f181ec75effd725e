//! Edge captures for link layers beyond Ethernet and raw IP: obsolete pcapng Packet Blocks,
//! PPP (with and without HDLC-like framing, Cisco HDLC) and PPPoE.

use crate::edge::{
    eth_ip, tcp_conversation, udp_exchange, v4, write_pcap, Fixture, MAC_A, MAC_B, T0, V4_A, V4_B, V6_A, V6_B,
};
use crate::packet::{ethernet, Fill, Ip};
use crate::writer::{Endian, Interface, PacketBlock, PcapNgWriter};

/// The link-layer edge fixtures.
pub fn all() -> Vec<Fixture> {
    vec![
        ("edge-packet-blocks.pcapng", packet_blocks()),
        ("edge-ppp.pcap", ppp()),
        ("edge-ppp-hdlc.pcap", ppp_hdlc()),
        ("edge-pppoe.pcap", pppoe()),
    ]
}

/// PPP protocol numbers used here.
mod ppp_proto {
    pub const IPV4: u16 = 0x0021;
    pub const IPV6: u16 = 0x0057;
    pub const LCP: u16 = 0xc021;
    pub const IPCP: u16 = 0x8021;
}

/// 12 frames in one little-endian section with an Ethernet interface (0) and a raw IPv4
/// interface (link type 228, 1): an HTTP connection and a DNS lookup on interface 0 and a DNS
/// lookup on interface 1, nine in obsolete Packet Blocks (type 2) and three in Enhanced Packet
/// Blocks (frames 3, 6 and 12, the last on interface 1). Four Packet Blocks (frames 1, 9, 10 and
/// 11, the last on interface 1) give a block length that is not a multiple of 4: the data is
/// padded on disk but both length fields leave the padding out, as NTAR wrote them (tshark rounds
/// the lengths up and reads on). Frame 2's block has a drops count of 2 (tshark: Drop Count 2),
/// frame 10's 0xffff (unknown: no Drop Count), frame 4's carries `pack_flags` (inbound) and a
/// comment, and frame 5 is cut to 64 of its 97 bytes.
fn packet_blocks() -> Vec<u8> {
    let mut w = PcapNgWriter::new();
    w.section(Endian::Little).interface(Interface::ethernet()).interface(Interface {
        link_type: 228,
        snaplen: 0,
        tsresol: None,
        tsoffset: None,
    });
    let mut frames: Vec<(u16, Vec<u8>)> = Vec::new();
    for (from_a, p) in tcp_conversation(v4(V4_A), v4(V4_B), (3_000, 8_000), (Some(7), Some(7)), 40100) {
        frames.push((0, eth_ip(from_a, &p)));
    }
    for (from_a, p) in udp_exchange(v4(V4_A), v4(V4_B), 50100, 0x0b01) {
        frames.push((0, eth_ip(from_a, &p)));
    }
    for (_, p) in udp_exchange(v4(V4_A), v4(V4_B), 50101, 0x0b02) {
        frames.push((1, p));
    }
    let base = T0 / 1000;
    for (i, (interface, wire)) in frames.iter().enumerate() {
        let ts_units = base + i as u64 * 1_000;
        let pb = PacketBlock {
            interface: *interface,
            drops: 0,
            ts_units,
            wire,
            captured: wire.len(),
            flags: None,
            comment: None,
            unpadded_length: false,
        };
        match i {
            0 | 8 | 10 => w.packet_block(PacketBlock { unpadded_length: true, ..pb }),
            1 => w.packet_block(PacketBlock { drops: 2, ..pb }),
            3 => w.packet_block(PacketBlock { flags: Some(1), comment: Some("request"), ..pb }),
            4 => w.packet_block(PacketBlock { captured: 64, ..pb }),
            9 => w.packet_block(PacketBlock { drops: 0xffff, unpadded_length: true, ..pb }),
            2 | 5 | 11 => w.packet(u32::from(*interface), ts_units, wire, usize::MAX),
            _ => w.packet_block(pb),
        };
    }
    w.finish()
}

/// A PPP frame: address and control (ff 03) unless `compressed`, then the 2-byte protocol.
fn ppp_frame(compressed: bool, protocol: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = if compressed { Vec::new() } else { vec![0xff, 0x03] };
    f.extend_from_slice(&protocol.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// An LCP or IPCP packet (code, identifier, length, options).
fn control_packet(code: u8, id: u8, options: &[u8]) -> Vec<u8> {
    let mut p = vec![code, id];
    p.extend_from_slice(&(4 + options.len() as u16).to_be_bytes());
    p.extend_from_slice(options);
    p
}

/// The LCP and IPCP negotiation between A (the client) and B (the server), with the protocol:
/// LCP Configure-Request (MRU, magic number) and -Ack both ways, LCP Echo-Request and -Reply,
/// IPCP Configure-Request for 0.0.0.0, -Nak offering A's address, Request and Ack of it.
fn ppp_negotiation(mru: u16) -> Vec<(bool, u16, Vec<u8>)> {
    let lcp_options = |magic: u32| {
        let mut o = vec![0x01, 0x04];
        o.extend_from_slice(&mru.to_be_bytes());
        o.extend_from_slice(&[0x05, 0x06]);
        o.extend_from_slice(&magic.to_be_bytes());
        o
    };
    let (magic_a, magic_b) = (0x1a2b_3c4d_u32, 0x5e6f_7081_u32);
    let ip_option = |addr: [u8; 4]| [0x03, 0x06, addr[0], addr[1], addr[2], addr[3]];
    let echo = |code: u8, magic: u32| control_packet(code, 7, &magic.to_be_bytes());
    vec![
        (true, ppp_proto::LCP, control_packet(1, 1, &lcp_options(magic_a))),
        (false, ppp_proto::LCP, control_packet(1, 1, &lcp_options(magic_b))),
        (false, ppp_proto::LCP, control_packet(2, 1, &lcp_options(magic_a))),
        (true, ppp_proto::LCP, control_packet(2, 1, &lcp_options(magic_b))),
        (true, ppp_proto::LCP, echo(9, magic_a)),
        (false, ppp_proto::LCP, echo(10, magic_b)),
        (true, ppp_proto::IPCP, control_packet(1, 1, &ip_option([0; 4]))),
        (false, ppp_proto::IPCP, control_packet(3, 1, &ip_option(V4_A))),
        (true, ppp_proto::IPCP, control_packet(1, 2, &ip_option(V4_A))),
        (false, ppp_proto::IPCP, control_packet(2, 2, &ip_option(V4_A))),
    ]
}

/// IP traffic over the PPP link, as (from A, protocol, packet): an HTTP connection over IPv4 and
/// a DNS lookup over IPv4 and one over IPv6.
fn ppp_traffic(sport: u16) -> Vec<(bool, u16, Vec<u8>)> {
    let mut out = Vec::new();
    for (from_a, p) in tcp_conversation(v4(V4_A), v4(V4_B), (11, 22), (Some(6), Some(6)), sport) {
        out.push((from_a, ppp_proto::IPV4, p));
    }
    for (from_a, p) in udp_exchange(v4(V4_A), v4(V4_B), sport + 1, 0x0c01) {
        out.push((from_a, ppp_proto::IPV4, p));
    }
    for (from_a, p) in udp_exchange(Ip::V6(V6_A), Ip::V6(V6_B), sport + 2, 0x0c02) {
        out.push((from_a, ppp_proto::IPV6, p));
    }
    out
}

/// 22 frames of LINKTYPE_PPP (9): LCP and IPCP negotiation, then an HTTP connection over IPv4
/// and DNS lookups over IPv4 and IPv6. Every other frame leaves out the ff 03 address and
/// control bytes (address-and-control-field compression); tshark decodes both forms.
fn ppp() -> Vec<u8> {
    let frames: Vec<Vec<u8>> = ppp_negotiation(1500)
        .into_iter()
        .chain(ppp_traffic(40200))
        .enumerate()
        .map(|(i, (_, protocol, payload))| ppp_frame(i % 2 == 1, protocol, &payload))
        .collect();
    write_pcap(9, &frames, 1_000_000)
}

/// 23 frames of LINKTYPE_PPP_HDLC (50): PPP in HDLC-like framing (ff 03, no byte stuffing, no
/// FCS) with the same negotiation and traffic as `edge-ppp.pcap`, and a last frame in Cisco HDLC
/// framing (0f 00 08 00, an IPv4 DNS query), which tshark decodes as CHDLC under this link type.
fn ppp_hdlc() -> Vec<u8> {
    let mut frames: Vec<Vec<u8>> = ppp_negotiation(1500)
        .into_iter()
        .chain(ppp_traffic(40300))
        .map(|(_, protocol, payload)| ppp_frame(false, protocol, &payload))
        .collect();
    let mut chdlc = vec![0x0f, 0x00, 0x08, 0x00];
    chdlc.extend_from_slice(&udp_exchange(v4(V4_A), v4(V4_B), 40310, 0x0c03)[0].1);
    frames.push(chdlc);
    write_pcap(50, &frames, 1_000_000)
}

/// PPPoE's session id in this capture.
const PPPOE_SESSION: u16 = 0x2a17;

/// A PPPoE discovery packet (ethertype 0x8863) with tags, as (type, value).
fn pppoe_discovery(code: u8, session: u16, tags: &[(u16, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (tag, value) in tags {
        body.extend_from_slice(&tag.to_be_bytes());
        body.extend_from_slice(&(value.len() as u16).to_be_bytes());
        body.extend_from_slice(value);
    }
    let mut p = vec![0x11, code];
    p.extend_from_slice(&session.to_be_bytes());
    p.extend_from_slice(&(body.len() as u16).to_be_bytes());
    p.extend_from_slice(&body);
    p
}

/// A PPPoE session packet (ethertype 0x8864) carrying one PPP frame (protocol and payload).
fn pppoe_session(protocol: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x11, 0x00];
    p.extend_from_slice(&PPPOE_SESSION.to_be_bytes());
    p.extend_from_slice(&(2 + payload.len() as u16).to_be_bytes());
    p.extend_from_slice(&protocol.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

/// 27 Ethernet frames between a host (A) and an access concentrator (B): PPPoE discovery (PADI
/// broadcast, PADO with AC-Name and AC-Cookie, PADR, PADS giving session 0x2a17, each with
/// Service-Name and Host-Uniq tags), then session frames: LCP (MRU 1492) and IPCP negotiation
/// (short frames, zero-padded to 60 bytes), an HTTP connection and DNS lookups over IPv4 and
/// IPv6, and a closing PADT.
fn pppoe() -> Vec<u8> {
    let host_uniq: &[u8] = &[0x00, 0x00, 0x1f, 0x40];
    let cookie: &[u8] =
        &[0x5c, 0x0a, 0x7e, 0x11, 0x93, 0x27, 0x4d, 0xb1, 0x08, 0xe4, 0x66, 0x2f, 0xc1, 0x3a, 0x90, 0x5d];
    let ac_name: &[u8] = b"pcapframe-bras";
    let service: (u16, &[u8]) = (0x0101, &[]);
    let mut frames = vec![
        (true, [0xff; 6], 0x8863, pppoe_discovery(0x09, 0, &[service, (0x0103, host_uniq)])),
        (
            false,
            MAC_A,
            0x8863,
            pppoe_discovery(0x07, 0, &[service, (0x0102, ac_name), (0x0104, cookie), (0x0103, host_uniq)]),
        ),
        (true, MAC_B, 0x8863, pppoe_discovery(0x19, 0, &[service, (0x0103, host_uniq), (0x0104, cookie)])),
        (false, MAC_A, 0x8863, pppoe_discovery(0x65, PPPOE_SESSION, &[service, (0x0103, host_uniq)])),
    ];
    let peer = |from_a: bool| if from_a { MAC_B } else { MAC_A };
    for (from_a, protocol, payload) in ppp_negotiation(1492).into_iter().chain(ppp_traffic(40400)) {
        frames.push((from_a, peer(from_a), 0x8864, pppoe_session(protocol, &payload)));
    }
    frames.push((true, MAC_B, 0x8863, pppoe_discovery(0xa7, PPPOE_SESSION, &[])));
    let frames: Vec<Vec<u8>> = frames
        .iter()
        .map(|(from_a, dst, ethertype, payload)| {
            ethernet(if *from_a { MAC_A } else { MAC_B }, *dst, *ethertype, payload, Fill::Zeros)
        })
        .collect();
    write_pcap(1, &frames, 1_000_000)
}
