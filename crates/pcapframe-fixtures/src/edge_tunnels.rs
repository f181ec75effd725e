//! Edge captures of tunnels on Ethernet: GRE (with ERSPAN and PPTP's enhanced GRE), IP in IP,
//! UDP tunnels (Teredo, VXLAN, GENEVE) and MPLS (with pseudowires). The inner traffic is short
//! HTTP connections and DNS lookups, each tunnel with its own ports, so that every inner
//! conversation gets its own `tcp.stream` or `udp.stream`.

use crate::edge::{
    eth_ip, tcp_conversation, udp_exchange, udp_packet, v4, write_pcap, Fixture, MAC_A, MAC_B, V4_A, V4_B, V6_A, V6_B,
};
use crate::packet::{self, ethernet, internet_checksum, Fill, Ip, IpOpts, Mac};

/// The tunnel edge fixtures.
pub fn all() -> Vec<Fixture> {
    vec![
        ("edge-gre.pcap", gre_capture()),
        ("edge-pptp.pcap", pptp_capture()),
        ("edge-ip-in-ip.pcap", ip_in_ip()),
        ("edge-udp-tunnels.pcap", udp_tunnels()),
        ("edge-mpls-pw.pcap", mpls()),
    ]
}

/// Tunnel endpoints (the outer addresses).
const TUN4_A: [u8; 4] = [198, 51, 100, 1];
const TUN4_B: [u8; 4] = [203, 0, 113, 1];
const TUN6_A: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01];
const TUN6_B: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02];
/// MAC addresses of the hosts on the bridged (inner) Ethernet segments.
const IN_MAC_A: Mac = [0x52, 0x54, 0x00, 0xab, 0x00, 0x01];
const IN_MAC_B: Mac = [0x52, 0x54, 0x00, 0xab, 0x00, 0x02];

/// Ethertypes (and GRE protocol types) used here.
mod ethertype {
    pub const IPV4: u16 = 0x0800;
    pub const IPV6: u16 = 0x86dd;
    pub const TEB: u16 = 0x6558;
    pub const ERSPAN_2: u16 = 0x88be;
    pub const ERSPAN_3: u16 = 0x22eb;
    pub const PPP: u16 = 0x880b;
    pub const MPLS: u16 = 0x8847;
}

/// An HTTP connection from A:`sport` to B:80, as (from A, IP packet).
fn http(a: Ip, b: Ip, sport: u16) -> Vec<(bool, Vec<u8>)> {
    let isn = u32::from(sport);
    tcp_conversation(a, b, (isn * 1000, isn * 7), (Some(7), Some(7)), sport)
}

/// An Ethernet frame carrying an IP packet between the hosts `macs` (A, B).
fn eth_frame(macs: (Mac, Mac), from_a: bool, ip_packet: &[u8], fill: Fill<'_>) -> Vec<u8> {
    let (s, d) = if from_a { macs } else { (macs.1, macs.0) };
    ethernet(s, d, ip_ethertype(ip_packet), ip_packet, fill)
}

/// An Ethernet frame between the inner hosts (unpadded: it travels inside a tunnel).
fn inner_eth(from_a: bool, ip_packet: &[u8]) -> Vec<u8> {
    eth_frame((IN_MAC_A, IN_MAC_B), from_a, ip_packet, Fill::Nothing)
}

/// The ethertype of an IP packet.
fn ip_ethertype(ip_packet: &[u8]) -> u16 {
    if ip_packet[0] >> 4 == 6 {
        ethertype::IPV6
    } else {
        ethertype::IPV4
    }
}

/// An Ethernet frame carrying an IPv4 packet between the tunnel endpoints.
fn outer_v4(from_a: bool, protocol: u8, id: u16, payload: &[u8]) -> Vec<u8> {
    let (s, d) = if from_a { (TUN4_A, TUN4_B) } else { (TUN4_B, TUN4_A) };
    eth_ip(from_a, &packet::ipv4(s, d, protocol, IpOpts { id, ..Default::default() }, payload))
}

/// An Ethernet frame carrying an IPv6 packet between the tunnel endpoints.
fn outer_v6(from_a: bool, next_header: u8, payload: &[u8]) -> Vec<u8> {
    let (s, d) = if from_a { (TUN6_A, TUN6_B) } else { (TUN6_B, TUN6_A) };
    eth_ip(from_a, &packet::ipv6(s, d, next_header, 64, &[], payload))
}

/// A UDP datagram between the IPv4 tunnel endpoints, the endpoint's port first.
fn outer_udp(from_a: bool, ports: (u16, u16), id: u16, payload: &[u8]) -> Vec<u8> {
    let (s, d) = if from_a { (TUN4_A, TUN4_B) } else { (TUN4_B, TUN4_A) };
    eth_ip(from_a, &udp_packet(v4(s), v4(d), ports.0, ports.1, payload, id))
}

/// GRE header settings (RFC 2784, with RFC 2890's key and sequence number).
#[derive(Debug, Clone, Copy, Default)]
struct Gre {
    checksum: bool,
    key: Option<u32>,
    seq: Option<u32>,
    protocol: u16,
}

/// A GRE packet; the checksum, when present, covers the header and the payload.
fn gre(g: Gre, payload: &[u8]) -> Vec<u8> {
    let flags = (u8::from(g.checksum) << 7) | (u8::from(g.key.is_some()) << 5) | (u8::from(g.seq.is_some()) << 4);
    let mut out = vec![flags, 0];
    out.extend_from_slice(&g.protocol.to_be_bytes());
    if g.checksum {
        out.extend_from_slice(&[0; 4]);
    }
    for field in [g.key, g.seq].into_iter().flatten() {
        out.extend_from_slice(&field.to_be_bytes());
    }
    out.extend_from_slice(payload);
    if g.checksum {
        let c = internet_checksum(&out);
        out[4..6].copy_from_slice(&c.to_be_bytes());
    }
    out
}

/// Sequence numbers of the two directions of a tunnel.
#[derive(Debug, Default)]
struct Seqs([u32; 2]);

impl Seqs {
    fn next(&mut self, from_a: bool) -> u32 {
        let n = &mut self.0[usize::from(!from_a)];
        *n += 1;
        *n
    }
}

/// Wraps each inner IP packet in GRE (`g`, with a per-direction sequence number when `g.seq` is
/// set) in outer IPv4, or outer IPv6 when `over_v6`.
fn gre_frames(g: Gre, over_v6: bool, inner: &[(bool, Vec<u8>)], frames: &mut Vec<Vec<u8>>) {
    let mut seqs = Seqs::default();
    for (from_a, p) in inner {
        let seq = g.seq.map(|s| s + seqs.next(*from_a));
        let g = Gre { seq, protocol: if g.protocol == 0 { ip_ethertype(p) } else { g.protocol }, ..g };
        let id = frames.len() as u16 + 1;
        frames.push(if over_v6 { outer_v6(*from_a, 47, &gre(g, p)) } else { outer_v4(*from_a, 47, id, &gre(g, p)) });
    }
}

/// An ERSPAN type II header (version 1): VLAN, session id, index; the mirrored frame follows.
fn erspan2(vlan: u16, session: u16, index: u32) -> Vec<u8> {
    let mut h = ((1 << 12) | vlan).to_be_bytes().to_vec();
    h.extend_from_slice(&session.to_be_bytes());
    h.extend_from_slice(&index.to_be_bytes());
    h
}

/// An ERSPAN type III header (version 2): VLAN, session id, a timestamp in 100 ns units,
/// hardware id 5, an Ethernet frame (FT 0), ingress, no platform-specific subheader.
fn erspan3(vlan: u16, session: u16, timestamp: u32) -> Vec<u8> {
    let mut h = ((2 << 12) | vlan).to_be_bytes().to_vec();
    h.extend_from_slice(&session.to_be_bytes());
    h.extend_from_slice(&timestamp.to_be_bytes());
    h.extend_from_slice(&0u16.to_be_bytes()); // security group tag
    h.extend_from_slice(&((5u16 << 4) | (1 << 1)).to_be_bytes()); // hardware id 5, granularity 100 ns
    h
}

/// 28 Ethernet frames of GRE between 198.51.100.1 and 203.0.113.1 (or 2001:db8:ffff::1 and ::2),
/// with their checksum, key and sequence number variants: an HTTP connection over IPv4 in plain
/// GRE, a DNS lookup over IPv6 in GRE with checksum, key and sequence number (over IPv6), a DNS
/// lookup over IPv4 with a key, an HTTP connection over IPv6 with sequence numbers, a 2008-byte
/// UDP datagram fragmented in two inside GRE with a checksum, Transparent Ethernet Bridging
/// (0x6558, key 100) carrying a DNS lookup in Ethernet frames, and ERSPAN type II (0x88be,
/// session 42) and type III (0x22eb, session 43) mirroring DNS lookups. tshark decodes every
/// inner layer, and shows `gre.proto` for each GRE header.
fn gre_capture() -> Vec<u8> {
    let mut frames = Vec::new();
    let plain = Gre::default();
    gre_frames(plain, false, &http(v4(V4_A), v4(V4_B), 40500), &mut frames);
    let all_flags = Gre { checksum: true, key: Some(0x0001_e240), seq: Some(0), protocol: 0 };
    gre_frames(all_flags, true, &udp_exchange(Ip::V6(V6_A), Ip::V6(V6_B), 40501, 0x0d01), &mut frames);
    let keyed = Gre { key: Some(7), ..plain };
    gre_frames(keyed, false, &udp_exchange(v4(V4_A), v4(V4_B), 40502, 0x0d02), &mut frames);
    let sequenced = Gre { seq: Some(1000), ..plain };
    gre_frames(sequenced, false, &http(Ip::V6(V6_A), Ip::V6(V6_B), 40503), &mut frames);
    let big: Vec<u8> = (0..2000u32).map(|i| (i % 253) as u8).collect();
    let datagram = udp_packet(v4(V4_A), v4(V4_B), 40504, 9, &big, 0x6001);
    let fragments: Vec<_> = packet::fragment_ipv4(&datagram, 1200).into_iter().map(|f| (true, f)).collect();
    gre_frames(Gre { checksum: true, ..plain }, false, &fragments, &mut frames);
    let bridged: Vec<_> =
        udp_exchange(v4(V4_A), v4(V4_B), 40505, 0x0d05).into_iter().map(|(a, p)| (a, inner_eth(a, &p))).collect();
    gre_frames(Gre { key: Some(100), protocol: ethertype::TEB, ..plain }, false, &bridged, &mut frames);
    let mirrored = |sport: u16, id: u16| -> Vec<(bool, Vec<u8>)> {
        udp_exchange(v4(V4_A), v4(V4_B), sport, id).into_iter().map(|(a, p)| (a, inner_eth(a, &p))).collect()
    };
    let erspan_ii: Vec<_> =
        mirrored(40506, 0x0d06).into_iter().map(|(_, f)| (true, [erspan2(10, 42, 0), f].concat())).collect();
    gre_frames(Gre { seq: Some(0), protocol: ethertype::ERSPAN_2, ..plain }, false, &erspan_ii, &mut frames);
    let erspan_iii: Vec<_> = mirrored(40507, 0x0d07)
        .into_iter()
        .enumerate()
        .map(|(i, (_, f))| (true, [erspan3(10, 43, 1_000_000 + i as u32 * 25), f].concat()))
        .collect();
    gre_frames(Gre { seq: Some(0), protocol: ethertype::ERSPAN_3, ..plain }, false, &erspan_iii, &mut frames);
    write_pcap(1, &frames, 1_000_000)
}

/// PPTP's enhanced GRE (RFC 2637: version 1, protocol 0x880b, key = payload length and call
/// id, optional sequence and acknowledgment numbers) carrying `payload`.
fn pptp_gre(call_id: u16, seq: Option<u32>, ack: Option<u32>, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x20 | (u8::from(seq.is_some()) << 4), (u8::from(ack.is_some()) << 7) | 1];
    out.extend_from_slice(&ethertype::PPP.to_be_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(&call_id.to_be_bytes());
    for field in [seq, ack].into_iter().flatten() {
        out.extend_from_slice(&field.to_be_bytes());
    }
    out.extend_from_slice(payload);
    out
}

/// 13 Ethernet frames of a PPTP tunnel's data channel between 198.51.100.1 (client, call id
/// 0x4a01 at the server) and 203.0.113.1 (server, call id 0x0c8e at the client): PPP (ff 03
/// 00 21 or 00 57) in enhanced GRE with sequence and acknowledgment numbers, carrying an HTTP
/// connection over IPv4 and DNS lookups over IPv4 and IPv6, and one acknowledgment-only GRE
/// packet with no payload.
fn pptp_capture() -> Vec<u8> {
    let mut inner = http(v4(V4_A), v4(V4_B), 40600);
    inner.extend(udp_exchange(v4(V4_A), v4(V4_B), 40601, 0x0e01));
    inner.extend(udp_exchange(Ip::V6(V6_A), Ip::V6(V6_B), 40602, 0x0e02));
    let mut sent = [0u32; 2];
    let mut frames = Vec::new();
    for (from_a, p) in &inner {
        let (mine, theirs) = if *from_a { (0, 1) } else { (1, 0) };
        let ppp_protocol: &[u8] = if p[0] >> 4 == 6 { &[0x00, 0x57] } else { &[0x00, 0x21] };
        let ppp = [&[0xff, 0x03], ppp_protocol, p.as_slice()].concat();
        let ack = (sent[theirs] > 0).then_some(sent[theirs]);
        sent[mine] += 1;
        let call_id = if *from_a { 0x4a01 } else { 0x0c8e };
        frames.push(outer_v4(*from_a, 47, frames.len() as u16 + 1, &pptp_gre(call_id, Some(sent[mine]), ack, &ppp)));
    }
    frames.push(outer_v4(true, 47, frames.len() as u16 + 1, &pptp_gre(0x4a01, None, Some(sent[1]), &[])));
    write_pcap(1, &frames, 1_000_000)
}

/// 24 Ethernet frames of IP in IP: an HTTP connection and a 2008-byte UDP datagram fragmented in
/// two in IPv4-in-IPv4 (protocol 4), a DNS lookup and an HTTP connection over IPv6 in 6in4
/// (protocol 41), a DNS lookup over IPv4 in IPv6 (next header 4) and one over IPv6 in IPv6 (next
/// header 41).
fn ip_in_ip() -> Vec<u8> {
    let mut frames = Vec::new();
    let over_v4 = |frames: &mut Vec<Vec<u8>>, inner: Vec<(bool, Vec<u8>)>, protocol: u8| {
        for (from_a, p) in inner {
            let id = frames.len() as u16 + 0x100;
            frames.push(outer_v4(from_a, protocol, id, &p));
        }
    };
    over_v4(&mut frames, http(v4(V4_A), v4(V4_B), 40700), 4);
    let big: Vec<u8> = (0..2000u32).map(|i| (i % 249) as u8).collect();
    let datagram = udp_packet(v4(V4_A), v4(V4_B), 40701, 9, &big, 0x7001);
    over_v4(&mut frames, packet::fragment_ipv4(&datagram, 1200).into_iter().map(|f| (true, f)).collect(), 4);
    over_v4(&mut frames, udp_exchange(Ip::V6(V6_A), Ip::V6(V6_B), 40702, 0x0f02), 41);
    over_v4(&mut frames, http(Ip::V6(V6_A), Ip::V6(V6_B), 40703), 41);
    for (from_a, p) in udp_exchange(v4(V4_A), v4(V4_B), 40704, 0x0f04) {
        frames.push(outer_v6(from_a, 4, &p));
    }
    for (from_a, p) in udp_exchange(Ip::V6(V6_A), Ip::V6(V6_B), 40705, 0x0f05) {
        frames.push(outer_v6(from_a, 41, &p));
    }
    write_pcap(1, &frames, 1_000_000)
}

/// The Teredo address of a client behind NAT 198.51.100.1:40000, served by 203.0.113.1
/// (RFC 4380: prefix, server, flags, then the mapped port and address, each inverted).
const TEREDO_CLIENT: [u8; 16] = [0x20, 0x01, 0, 0, 203, 0, 113, 1, 0, 0, !0x9c, !0x40, !198, !51, !100, !1];
/// Teredo's UDP port.
const TEREDO_PORT: u16 = 3544;

/// A Teredo origin indication (RFC 4380 5.1.1): the sender's port and IPv4 address, inverted.
fn origin_indication(port: u16, addr: [u8; 4]) -> Vec<u8> {
    let mut h = vec![0x00, 0x00];
    h.extend_from_slice(&(!port).to_be_bytes());
    h.extend(addr.iter().map(|b| !b));
    h
}

/// A VXLAN header (RFC 7348: I flag, 24-bit VNI).
fn vxlan(vni: u32) -> Vec<u8> {
    let mut h = vec![0x08, 0, 0, 0];
    h.extend_from_slice(&(vni << 8).to_be_bytes());
    h
}

/// A GENEVE header (RFC 8926) with one 4-byte option (class 0xffff, experimental, type 1) when
/// `option` is set.
fn geneve(vni: u32, protocol: u16, option: Option<u32>) -> Vec<u8> {
    let opt_words = if option.is_some() { 2 } else { 0 };
    let mut h = vec![opt_words, 0];
    h.extend_from_slice(&protocol.to_be_bytes());
    h.extend_from_slice(&(vni << 8).to_be_bytes());
    if let Some(value) = option {
        h.extend_from_slice(&[0xff, 0xff, 0x01, 0x01]);
        h.extend_from_slice(&value.to_be_bytes());
    }
    h
}

/// 22 Ethernet frames of UDP tunnels between 198.51.100.1 and 203.0.113.1: a DNS lookup over
/// IPv6 in Teredo (port 3544; the answer behind an origin indication), an HTTP connection and a
/// DNS lookup in VXLAN (port 4789, VNI 5001, inner Ethernet), a DNS lookup in GENEVE (port 6081,
/// VNI 7001, one option, inner Ethernet 0x6558) and an HTTP connection in GENEVE carrying IPv4
/// directly (0x0800, VNI 7002). The tunnel endpoints' source ports differ per inner flow and
/// direction, as VXLAN and GENEVE endpoints hash them, so each direction is its own outer
/// `udp.stream` (Teredo's two datagrams share one), and tshark lists the outer stream first.
fn udp_tunnels() -> Vec<u8> {
    let mut frames = Vec::new();
    for (from_a, p) in udp_exchange(Ip::V6(TEREDO_CLIENT), Ip::V6(V6_B), 40800, 0x1001) {
        let id = frames.len() as u16 + 0x200;
        let (ports, payload) = if from_a {
            ((40000, TEREDO_PORT), p)
        } else {
            ((TEREDO_PORT, 40000), [origin_indication(TEREDO_PORT, TUN4_B), p].concat())
        };
        frames.push(outer_udp(from_a, ports, id, &payload));
    }
    let tunnel = |frames: &mut Vec<Vec<u8>>, inner: Vec<(bool, Vec<u8>)>, dport: u16, header: Vec<u8>| {
        let hash = 49152 + (inner[0].1.len() as u16 * 31) % 8192;
        for (from_a, p) in inner {
            let id = frames.len() as u16 + 0x200;
            let sport = if from_a { hash } else { hash + 1000 };
            frames.push(outer_udp(from_a, (sport, dport), id, &[header.as_slice(), &p].concat()));
        }
    };
    let bridged = |inner: Vec<(bool, Vec<u8>)>| inner.into_iter().map(|(a, p)| (a, inner_eth(a, &p))).collect();
    tunnel(&mut frames, bridged(http(v4(V4_A), v4(V4_B), 40801)), 4789, vxlan(5001));
    tunnel(&mut frames, bridged(udp_exchange(v4(V4_A), v4(V4_B), 40802, 0x1002)), 4789, vxlan(5001));
    let with_option = geneve(7001, ethertype::TEB, Some(0x0000_00aa));
    tunnel(&mut frames, bridged(udp_exchange(v4(V4_A), v4(V4_B), 40803, 0x1003)), 6081, with_option);
    tunnel(&mut frames, http(v4(V4_A), v4(V4_B), 40804), 6081, geneve(7002, ethertype::IPV4, None));
    write_pcap(1, &frames, 1_000_000)
}

/// An MPLS label stack entry; `bottom` sets the S bit.
fn mpls_label(label: u32, bottom: bool, ttl: u8) -> [u8; 4] {
    ((label << 12) | (u32::from(bottom) << 8) | u32::from(ttl)).to_be_bytes()
}

/// An Ethernet frame (0x8847) with the label stack (the last is the bottom) before `payload`.
fn mpls_frame(from_a: bool, labels: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (i, &label) in labels.iter().enumerate() {
        body.extend_from_slice(&mpls_label(label, i + 1 == labels.len(), 63));
    }
    body.extend_from_slice(payload);
    let (s, d) = if from_a { (MAC_A, MAC_B) } else { (MAC_B, MAC_A) };
    ethernet(s, d, ethertype::MPLS, &body, Fill::Zeros)
}

/// 16 Ethernet frames of MPLS (0x8847): an HTTP connection over IPv4 under one label (16001), a
/// DNS lookup over IPv6 under two labels (16002, 24002), and Ethernet pseudowires (RFC 4448)
/// under a transport and a PW label carrying DNS lookups: with the 4-byte all-zero control word
/// (16003/299776), and without it, once between hosts whose MACs start with 00 (16004/299792)
/// and once between hosts whose MACs start with 52 (16005/299808). tshark guesses the payload
/// from its first nibble (4: IPv4, 6: IPv6, 0: an Ethernet pseudowire, with a control word if the
/// first 4 bytes are zero), so it decodes the first pseudowire without control word as Ethernet
/// and leaves the second as data. `mpls.label` lists the whole stack.
fn mpls() -> Vec<u8> {
    let mut frames = Vec::new();
    for (from_a, p) in http(v4(V4_A), v4(V4_B), 40900) {
        frames.push(mpls_frame(from_a, &[16001], &p));
    }
    for (from_a, p) in udp_exchange(Ip::V6(V6_A), Ip::V6(V6_B), 40901, 0x1101) {
        frames.push(mpls_frame(from_a, &[16002, 24002], &p));
    }
    for (from_a, p) in udp_exchange(v4(V4_A), v4(V4_B), 40902, 0x1102) {
        let pw = [[0u8; 4].as_slice(), &inner_eth(from_a, &p)].concat();
        frames.push(mpls_frame(from_a, &[16003, 299_776], &pw));
    }
    for (from_a, p) in udp_exchange(v4(V4_A), v4(V4_B), 40903, 0x1103) {
        frames.push(mpls_frame(from_a, &[16004, 299_792], &eth_frame((MAC_A, MAC_B), from_a, &p, Fill::Nothing)));
    }
    for (from_a, p) in udp_exchange(v4(V4_A), v4(V4_B), 40904, 0x1104) {
        frames.push(mpls_frame(from_a, &[16005, 299_808], &inner_eth(from_a, &p)));
    }
    write_pcap(1, &frames, 1_000_000)
}
