//! One small capture per edge the reader and dissectors must handle. Each is checked against
//! tshark by the parity test, so what they contain is what tshark must agree with.

use crate::packet::{self, ethernet, proto, syn_options, Fill, Ip, IpOpts, Mac, Tcp};
use crate::writer::{Endian, Interface, PcapNgWriter, PcapWriter};

/// A named capture.
pub type Fixture = (&'static str, Vec<u8>);

pub(crate) const T0: u64 = 1_700_000_000_000_000_000;
pub(crate) const MAC_A: Mac = [0x00, 0x1d, 0xd9, 0x2e, 0x4f, 0x61];
pub(crate) const MAC_B: Mac = [0x00, 0x0f, 0xcc, 0x13, 0x37, 0x42];
pub(crate) const V4_A: [u8; 4] = [192, 168, 1, 10];
pub(crate) const V4_B: [u8; 4] = [93, 184, 216, 34];
pub(crate) const V6_A: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a];
pub(crate) const V6_B: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b];

/// Every edge fixture.
pub fn all() -> Vec<Fixture> {
    let mut all = vec![
        ("edge-nanosecond.pcap", nanosecond()),
        ("edge-big-endian.pcap", big_endian_pcap()),
        ("edge-pcapng-sections.pcapng", pcapng_sections()),
        ("edge-vlan-qinq.pcap", vlan()),
        ("edge-sll.pcap", sll()),
        ("edge-sll2.pcap", sll2()),
        ("edge-raw-ip.pcap", raw_ip(101)),
        ("edge-linktype-ipv4.pcap", raw_ip(228)),
        ("edge-linktype-ipv6.pcap", raw_ip(229)),
        ("edge-null-loopback.pcap", loopback(0)),
        ("edge-loop.pcap", loopback(108)),
        ("edge-ipv6-ext-headers.pcap", ipv6_ext()),
        ("edge-fragments.pcap", fragments()),
        ("edge-snaplen.pcap", snaplen()),
        ("edge-icmp-errors.pcap", icmp_errors()),
        ("edge-tcp-port-reuse.pcap", tcp_reuse()),
        ("edge-ethernet-trailers.pcap", trailers()),
        ("edge-malformed.pcap", malformed()),
    ];
    all.extend(crate::edge_links::all());
    all.extend(crate::edge_tunnels::all());
    all.extend(crate::edge_wlan::all());
    all.extend(crate::edge_tcp_analysis::all());
    all.extend(crate::edge_app_reassembly::all());
    all.extend(crate::edge_quic::all());
    all
}

pub(crate) fn v4(a: [u8; 4]) -> Ip {
    Ip::V4(a)
}

/// A TCP exchange between A:40000 and B:80: handshake (with the given window scales), one
/// request, one response, and FIN/ACK both ways. Returns IP packets with their direction.
pub(crate) fn tcp_conversation(
    a: Ip,
    b: Ip,
    isn: (u32, u32),
    wscale: (Option<u8>, Option<u8>),
    sport: u16,
) -> Vec<(bool, Vec<u8>)> {
    let (ca, cb) = isn;
    let seg = |from_a: bool, seq: u32, ack: Option<u32>| Tcp {
        sport: if from_a { sport } else { 80 },
        dport: if from_a { 80 } else { sport },
        seq,
        ack,
        window: 502,
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut push = |from_a: bool, t: Tcp, payload: &[u8]| {
        let (s, d) = if from_a { (a, b) } else { (b, a) };
        let transport = packet::tcp(s, d, &t, payload);
        out.push((
            from_a,
            packet::ip(s, d, proto::TCP, IpOpts { id: out.len() as u16 + 1, ..Default::default() }, &transport),
        ));
    };
    let request = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    let response = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    push(
        true,
        Tcp { syn: true, window: 64240, options: syn_options(1460, wscale.0, 1000, 0), ..seg(true, ca, None) },
        &[],
    );
    push(
        false,
        Tcp {
            syn: true,
            window: 65160,
            options: syn_options(1460, wscale.1, 2000, 1000),
            ..seg(false, cb, Some(ca + 1))
        },
        &[],
    );
    push(true, seg(true, ca + 1, Some(cb + 1)), &[]);
    push(true, Tcp { psh: true, ..seg(true, ca + 1, Some(cb + 1)) }, request);
    let after_req = ca + 1 + request.len() as u32;
    push(false, Tcp { psh: true, ..seg(false, cb + 1, Some(after_req)) }, response);
    let after_resp = cb + 1 + response.len() as u32;
    push(true, Tcp { fin: true, ..seg(true, after_req, Some(after_resp)) }, &[]);
    push(false, Tcp { fin: true, ..seg(false, after_resp, Some(after_req + 1)) }, &[]);
    push(true, seg(true, after_req + 1, Some(after_resp + 1)), &[]);
    out
}

pub(crate) fn eth_ip(from_a: bool, ip_packet: &[u8]) -> Vec<u8> {
    let (s, d) = if from_a { (MAC_A, MAC_B) } else { (MAC_B, MAC_A) };
    let ethertype = if ip_packet[0] >> 4 == 6 { 0x86dd } else { 0x0800 };
    ethernet(s, d, ethertype, ip_packet, Fill::Zeros)
}

pub(crate) fn dns_query(id: u16) -> Vec<u8> {
    let mut q = id.to_be_bytes().to_vec();
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7]);
    q.extend_from_slice(b"example\x03com\x00\x00\x01\x00\x01");
    q
}

/// The answer to [`dns_query`]: example.com is 93.184.216.34.
pub(crate) fn dns_response(id: u16) -> Vec<u8> {
    let mut r = dns_query(id);
    r[2..4].copy_from_slice(&[0x81, 0x80]);
    r[7] = 1;
    r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
    r.extend_from_slice(&V4_B);
    r
}

/// A DNS lookup between A:`sport` and B:53 (query, answer), as IP packets with their direction.
pub(crate) fn udp_exchange(a: Ip, b: Ip, sport: u16, id: u16) -> Vec<(bool, Vec<u8>)> {
    vec![
        (true, udp_packet(a, b, sport, 53, &dns_query(id), id)),
        (false, udp_packet(b, a, 53, sport, &dns_response(id), id.wrapping_add(0x100))),
    ]
}

/// A legacy little-endian pcap of `frames`, `step_ns` apart from T0.
pub(crate) fn write_pcap(link_type: u32, frames: &[Vec<u8>], step_ns: u64) -> Vec<u8> {
    let mut w = PcapWriter::new(link_type, 65535, Endian::Little, false);
    for (i, f) in frames.iter().enumerate() {
        w.packet(T0 + i as u64 * step_ns, f);
    }
    w.finish()
}

pub(crate) fn udp_packet(src: Ip, dst: Ip, sport: u16, dport: u16, payload: &[u8], id: u16) -> Vec<u8> {
    let transport = packet::udp(src, dst, sport, dport, payload);
    packet::ip(src, dst, proto::UDP, IpOpts { id, ..Default::default() }, &transport)
}

fn nanosecond() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 65535, Endian::Little, true);
    for i in 0..4u64 {
        let p = udp_packet(v4(V4_A), v4(V4_B), 53000 + i as u16, 53, &dns_query(i as u16), i as u16);
        w.packet(T0 + i * 123_456_789, &eth_ip(true, &p));
    }
    w.finish()
}

fn big_endian_pcap() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 65535, Endian::Big, false);
    for (i, (from_a, p)) in
        tcp_conversation(v4(V4_A), v4(V4_B), (1000, 5000), (Some(7), Some(2)), 40000).into_iter().enumerate()
    {
        w.packet(T0 + i as u64 * 1_500_000, &eth_ip(from_a, &p));
    }
    w.finish()
}

fn pcapng_sections() -> Vec<u8> {
    let mut w = PcapNgWriter::new();
    w.section(Endian::Little)
        .interface(Interface::ethernet())
        .interface(Interface { link_type: 101, snaplen: 0, tsresol: Some(9), tsoffset: None })
        .interface(Interface { link_type: 113, snaplen: 0, tsresol: Some(0x80 | 10), tsoffset: Some(100) });
    let p = udp_packet(v4(V4_A), v4(V4_B), 5353, 53, &dns_query(7), 1);
    w.packet(0, 1_700_000_000_000_000, &eth_ip(true, &p), usize::MAX);
    w.packet(1, T0 + 5, &p, usize::MAX);
    w.custom(true, 32473, b"a custom block tshark shows as a frame");
    let mut sll = vec![0, 4, 0, 1, 0, 6];
    sll.extend_from_slice(&MAC_A);
    sll.extend_from_slice(&[0, 0, 0x08, 0x00]);
    sll.extend_from_slice(&p);
    w.packet(2, 3 * 1024 + 512, &sll, usize::MAX);
    w.unknown_block(0x0000_0123, b"skip me");
    w.custom(false, 32473, b"not to be copied");
    w.section(Endian::Big).interface(Interface { link_type: 1, snaplen: 0, tsresol: Some(3), tsoffset: None });
    w.packet(0, 1_700_000_001_250, &eth_ip(false, &p), usize::MAX);
    w.simple_packet(&eth_ip(true, &p));
    w.packet(0, 1_700_000_002_000, &eth_ip(true, &p), 40);
    w.finish()
}

fn vlan() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    let p = udp_packet(v4(V4_A), v4(V4_B), 5353, 53, &dns_query(9), 3);
    let tag = |tpid: u16, tci: u16, inner: u16| -> Vec<u8> {
        let mut t = tpid.to_be_bytes().to_vec();
        t.extend_from_slice(&tci.to_be_bytes());
        t.extend_from_slice(&inner.to_be_bytes());
        t
    };
    let frame = |tags: &[Vec<u8>], payload: &[u8]| -> Vec<u8> {
        let mut f = MAC_B.to_vec();
        f.extend_from_slice(&MAC_A);
        for t in tags {
            f.extend_from_slice(&t[..4]);
        }
        f.extend_from_slice(&tags.last().unwrap()[4..]);
        f.extend_from_slice(payload);
        f.resize(f.len().max(60), 0);
        f
    };
    w.packet(T0, &frame(&[tag(0x8100, (5 << 13) | 100, 0x0800)], &p));
    w.packet(T0 + 1000, &frame(&[tag(0x8100, 10, 0x8100), tag(0x8100, (3 << 13) | (1 << 12) | 20, 0x0800)], &p));
    w.packet(T0 + 2000, &frame(&[tag(0x88a8, 30, 0x8100), tag(0x8100, 40, 0x0800)], &p));
    let ack = packet::tcp(
        v4(V4_A),
        v4(V4_B),
        &Tcp { sport: 40000, dport: 80, seq: 1, ack: Some(1), window: 10, ..Default::default() },
        &[],
    );
    let short = packet::ip(v4(V4_A), v4(V4_B), proto::TCP, IpOpts::default(), &ack);
    w.packet(T0 + 3000, &frame(&[tag(0x8100, 100, 0x0800)], &short));
    w.finish()
}

fn sll() -> Vec<u8> {
    let mut w = PcapWriter::new(113, 65535, Endian::Little, false);
    for (i, (from_a, p)) in
        tcp_conversation(v4(V4_A), v4(V4_B), (7, 9), (Some(8), Some(8)), 41000).into_iter().enumerate()
    {
        let mut f = vec![0, if from_a { 4 } else { 0 }, 0, 1, 0, 6];
        f.extend_from_slice(&MAC_A);
        f.extend_from_slice(&[0, 0, 0x08, 0x00]);
        f.extend_from_slice(&p);
        w.packet(T0 + i as u64 * 1000, &f);
    }
    w.finish()
}

fn sll2() -> Vec<u8> {
    let mut w = PcapWriter::new(276, 65535, Endian::Little, false);
    let v6 = udp_packet(Ip::V6(V6_A), Ip::V6(V6_B), 5353, 53, &dns_query(1), 0);
    let v4p = udp_packet(v4(V4_A), v4(V4_B), 5353, 53, &dns_query(2), 9);
    for (i, (ethertype, p)) in [(0x86ddu16, v6), (0x0800, v4p)].into_iter().enumerate() {
        let mut f = ethertype.to_be_bytes().to_vec();
        f.extend_from_slice(&[0, 0, 0, 0, 0, 2, 0, 1, 4, 6]);
        f.extend_from_slice(&MAC_A);
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(&p);
        w.packet(T0 + i as u64, &f);
    }
    w.finish()
}

fn raw_ip(link_type: u32) -> Vec<u8> {
    let mut w = PcapWriter::new(link_type, 65535, Endian::Little, false);
    let v4p = udp_packet(v4(V4_A), v4(V4_B), 1234, 53, &dns_query(3), 5);
    let v6p = udp_packet(Ip::V6(V6_A), Ip::V6(V6_B), 1234, 53, &dns_query(4), 0);
    match link_type {
        228 => w.packet(T0, &v4p),
        229 => w.packet(T0, &v6p),
        _ => {
            w.packet(T0, &v4p);
            w.packet(T0 + 10, &v6p);
        }
    }
    w.finish()
}

fn loopback(link_type: u32) -> Vec<u8> {
    let mut w = PcapWriter::new(link_type, 65535, Endian::Little, false);
    let family = |f: u32| if link_type == 0 { f.to_le_bytes() } else { f.to_be_bytes() };
    for (i, (from_a, p)) in tcp_conversation(v4([127, 0, 0, 1]), v4([127, 0, 0, 1]), (50, 60), (Some(7), Some(7)), 6379)
        .into_iter()
        .take(4)
        .enumerate()
    {
        let _ = from_a;
        let mut f = family(2).to_vec();
        f.extend_from_slice(&p);
        w.packet(T0 + i as u64 * 100, &f);
    }
    let mut f = family(30).to_vec();
    f.extend_from_slice(&udp_packet(Ip::V6(V6_A), Ip::V6(V6_A), 1, 2, b"x", 0));
    w.packet(T0 + 1000, &f);
    w.finish()
}

fn ipv6_ext() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    let udp = packet::udp(Ip::V6(V6_A), Ip::V6(V6_B), 12345, 54321, b"payload!");
    // Hop-by-hop (PadN) -> destination options -> routing (type 2) -> UDP.
    let mut ext = vec![60, 0, 1, 4, 0, 0, 0, 0];
    ext.extend_from_slice(&[43, 0, 1, 4, 0, 0, 0, 0]);
    ext.extend_from_slice(&[17, 2, 2, 1, 0, 0, 0, 0]);
    ext.extend_from_slice(&V6_B); // type 2: the final destination, which the checksum covers
    w.packet(T0, &eth_ip(true, &packet::ipv6(V6_A, V6_B, 0, 64, &ext, &udp)));
    let echo = packet::icmp(128, 0, [0, 7, 0, 1], b"ping6", Some((V6_A, V6_B)));
    w.packet(T0 + 1000, &eth_ip(true, &packet::ipv6(V6_A, V6_B, proto::ICMPV6, 64, &[], &echo)));
    let tcp = packet::tcp(
        Ip::V6(V6_A),
        Ip::V6(V6_B),
        &Tcp {
            sport: 40001,
            dport: 443,
            seq: 77,
            syn: true,
            window: 65535,
            options: syn_options(1440, Some(7), 5, 0),
            ..Default::default()
        },
        &[],
    );
    w.packet(T0 + 2000, &eth_ip(true, &packet::ipv6(V6_A, V6_B, 60, 64, &[6, 0, 1, 4, 0, 0, 0, 0], &tcp)));
    w.finish()
}

fn fragments() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    let mut t = T0;
    let mut emit = |w: &mut PcapWriter, ip: &[u8]| {
        t += 1000;
        w.packet(t, &eth_ip(true, ip));
    };
    let big: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let datagram = udp_packet(v4(V4_A), v4(V4_B), 7001, 7002, &big, 0x1111);
    for f in packet::fragment_ipv4(&datagram, 1480) {
        emit(&mut w, &f);
    }
    let second = udp_packet(v4(V4_A), v4(V4_B), 7001, 7003, &big[..2000], 0x2222);
    let mut frags = packet::fragment_ipv4(&second, 1480);
    frags.reverse();
    for f in frags {
        emit(&mut w, &f);
    }
    let echo = packet::icmp(8, 0, [0, 9, 0, 1], &big[..1600], None);
    let ping = packet::ipv4(V4_A, V4_B, proto::ICMP, IpOpts { id: 0x3333, ttl: 64, df: false }, &echo);
    for f in packet::fragment_ipv4(&ping, 1480) {
        emit(&mut w, &f);
    }
    // IPv6: a UDP datagram in two fragments (Fragment header, id 0xabcd).
    let udp6 = packet::udp(Ip::V6(V6_A), Ip::V6(V6_B), 7001, 7004, &big[..1800]);
    for (offset, more) in [(0usize, true), (1232, false)] {
        let end = if more { 1232 } else { udp6.len() };
        let frag_word: u16 = (offset as u16) | u16::from(more);
        let mut ext = vec![proto::UDP, 0];
        ext.extend_from_slice(&frag_word.to_be_bytes());
        ext.extend_from_slice(&0xabcdu32.to_be_bytes());
        emit(&mut w, &packet::ipv6(V6_A, V6_B, 44, 64, &ext, &udp6[offset..end]));
    }
    w.finish()
}

fn snaplen() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 64, Endian::Little, false);
    for (i, (from_a, p)) in
        tcp_conversation(v4(V4_A), v4(V4_B), (100, 200), (Some(7), Some(7)), 42000).into_iter().enumerate()
    {
        w.packet(T0 + i as u64 * 2000, &eth_ip(from_a, &p));
    }
    w.finish()
}

fn icmp_errors() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    let router = [192, 168, 1, 1];
    let probe = udp_packet(v4(V4_A), v4(V4_B), 33434, 33435, &[0u8; 24], 0x4444);
    w.packet(T0, &eth_ip(true, &probe));
    let quoted = &probe[..28];
    let unreachable = packet::icmp(3, 3, [0; 4], quoted, None);
    w.packet(T0 + 1000, &eth_ip(false, &packet::ipv4(V4_B, V4_A, proto::ICMP, IpOpts::default(), &unreachable)));
    let syn = packet::tcp(
        v4(V4_A),
        v4(V4_B),
        &Tcp { sport: 43000, dport: 8080, seq: 555, syn: true, window: 1024, ..Default::default() },
        &[],
    );
    let syn_ip = packet::ip(v4(V4_A), v4(V4_B), proto::TCP, IpOpts { id: 0x5555, ..Default::default() }, &syn);
    w.packet(T0 + 2000, &eth_ip(true, &syn_ip));
    let host_unreach = packet::icmp(3, 1, [0; 4], &syn_ip, None);
    w.packet(T0 + 3000, &eth_ip(false, &packet::ipv4(router, V4_A, proto::ICMP, IpOpts::default(), &host_unreach)));
    let short_quote = packet::icmp(11, 0, [0; 4], &syn_ip[..28], None);
    w.packet(T0 + 4000, &eth_ip(false, &packet::ipv4(router, V4_A, proto::ICMP, IpOpts::default(), &short_quote)));
    let echo = packet::icmp(8, 0, [0x12, 0x34, 0, 1], b"abcdefgh", None);
    let ping = packet::ipv4(V4_A, V4_B, proto::ICMP, IpOpts { id: 7, ttl: 1, df: false }, &echo);
    w.packet(T0 + 5000, &eth_ip(true, &ping));
    let exceeded = packet::icmp(11, 0, [0; 4], &ping, None);
    w.packet(T0 + 6000, &eth_ip(false, &packet::ipv4(router, V4_A, proto::ICMP, IpOpts::default(), &exceeded)));
    // An established segment with timestamps, quoted whole by "fragmentation needed"
    // (whole, so that tshark's checksum validation of the quoted segment passes).
    let options = [
        etherparse::TcpOptionElement::Noop,
        etherparse::TcpOptionElement::Noop,
        etherparse::TcpOptionElement::Timestamp(77, 66),
    ];
    let data = packet::tcp(
        v4(V4_A),
        v4(V4_B),
        &Tcp {
            sport: 43000,
            dport: 8080,
            seq: 556,
            ack: Some(999),
            psh: true,
            window: 2048,
            options: options.to_vec(),
            ..Default::default()
        },
        &[0x41; 16],
    );
    let data_ip = packet::ip(v4(V4_A), v4(V4_B), proto::TCP, IpOpts { id: 0x5556, ..Default::default() }, &data);
    w.packet(T0 + 6500, &eth_ip(true, &data_ip));
    let too_big = packet::icmp(3, 4, [0, 0, 0x05, 0x00], &data_ip, None);
    w.packet(T0 + 6600, &eth_ip(false, &packet::ipv4(router, V4_A, proto::ICMP, IpOpts::default(), &too_big)));
    // A redirect quoting the same segment's whole header (gateway 192.168.1.2).
    let redirect = packet::icmp(5, 1, [192, 168, 1, 2], &data_ip, None);
    w.packet(T0 + 6700, &eth_ip(false, &packet::ipv4(router, V4_A, proto::ICMP, IpOpts::default(), &redirect)));
    let udp6 = udp_packet(Ip::V6(V6_A), Ip::V6(V6_B), 33434, 33500, &[0u8; 8], 0);
    let ex6 = packet::icmp(3, 0, [0; 4], &udp6, Some((V6_B, V6_A)));
    w.packet(T0 + 7000, &eth_ip(false, &packet::ipv6(V6_B, V6_A, proto::ICMPV6, 64, &[], &ex6)));
    w.finish()
}

fn tcp_reuse() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    let mut t = T0;
    let mut emit = |w: &mut PcapWriter, from_a: bool, p: &[u8]| {
        t += 10_000;
        w.packet(t, &eth_ip(from_a, p));
    };
    for (from_a, p) in tcp_conversation(v4(V4_A), v4(V4_B), (1_000, 90_000), (Some(6), Some(9)), 40000) {
        emit(&mut w, from_a, &p);
    }
    // The same address/port pair again, new ISNs, no window scaling offered by the client.
    for (from_a, p) in tcp_conversation(v4(V4_A), v4(V4_B), (4_000_000_000, 7), (None, Some(9)), 40000) {
        emit(&mut w, from_a, &p);
    }
    // A connection already open when the capture started: the middle of it only.
    for (from_a, p) in tcp_conversation(v4(V4_A), v4(V4_B), (123, 456), (Some(2), Some(2)), 40001).into_iter().skip(3) {
        emit(&mut w, from_a, &p);
    }
    w.finish()
}

fn trailers() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    let ack = packet::tcp(
        v4(V4_A),
        v4(V4_B),
        &Tcp { sport: 40000, dport: 80, seq: 1, ack: Some(1), window: 10, ..Default::default() },
        &[],
    );
    let ack_ip = packet::ip(v4(V4_A), v4(V4_B), proto::TCP, IpOpts::default(), &ack);
    let mut t = T0;
    let mut emit = |w: &mut PcapWriter, f: &[u8]| {
        t += 1000;
        w.packet(t, f);
    };
    emit(&mut w, &ethernet(MAC_A, MAC_B, 0x0800, &ack_ip, Fill::Zeros));
    emit(&mut w, &ethernet(MAC_A, MAC_B, 0x0800, &ack_ip, Fill::Leak(b"SECRET")));
    emit(&mut w, &ethernet(MAC_A, MAC_B, 0x0800, &ack_ip, Fill::Nothing));
    let data = packet::tcp(
        v4(V4_A),
        v4(V4_B),
        &Tcp { sport: 40000, dport: 80, seq: 1, ack: Some(1), window: 10, psh: true, ..Default::default() },
        b"0123456789",
    );
    let data_ip = packet::ip(v4(V4_A), v4(V4_B), proto::TCP, IpOpts::default(), &data);
    let mut with_fcs = ethernet(MAC_A, MAC_B, 0x0800, &data_ip, Fill::Nothing);
    with_fcs.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    emit(&mut w, &with_fcs);
    let mut trailer_and_fcs = ethernet(MAC_A, MAC_B, 0x0800, &data_ip, Fill::Nothing);
    trailer_and_fcs.extend_from_slice(b"leak!!\x12\x34\x56\x78");
    emit(&mut w, &trailer_and_fcs);
    let mut zeros_and_fcs = ethernet(MAC_A, MAC_B, 0x0800, &data_ip, Fill::Nothing);
    zeros_and_fcs.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    emit(&mut w, &zeros_and_fcs);
    let mut arp = vec![0, 1, 8, 0, 6, 4, 0, 1];
    arp.extend_from_slice(&MAC_A);
    arp.extend_from_slice(&V4_A);
    arp.extend_from_slice(&[0; 6]);
    arp.extend_from_slice(&[192, 168, 1, 1]);
    emit(&mut w, &ethernet(MAC_A, [0xff; 6], 0x0806, &arp, Fill::Zeros));
    emit(&mut w, &ethernet(MAC_A, [0xff; 6], 0x0806, &arp, Fill::Leak(&[0xaa, 0x55])));
    let mut llc = [0x01, 0x80, 0xc2, 0, 0, 0].to_vec();
    llc.extend_from_slice(&MAC_A);
    llc.extend_from_slice(&38u16.to_be_bytes());
    llc.extend_from_slice(&[0x42, 0x42, 0x03]);
    llc.resize(60, 0);
    emit(&mut w, &llc);
    w.finish()
}

/// Damaged frames: each is a valid packet with one header field made absurd (lengths too short
/// or too long, bad header sizes, overrunning options), captured whole. tshark marks ten of the
/// seventeen malformed or bogus; the parity test checks that pcapframe reports exactly the fields
/// tshark reports for every one (the layers before the damage, and nothing after it).
fn malformed() -> Vec<u8> {
    let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
    let segment = |payload: &[u8]| {
        let tcp = packet::tcp(
            v4(V4_A),
            v4(V4_B),
            &Tcp { sport: 40000, dport: 80, seq: 1, ack: Some(1), window: 10, psh: true, ..Default::default() },
            payload,
        );
        packet::ip(v4(V4_A), v4(V4_B), proto::TCP, IpOpts::default(), &tcp)
    };
    let datagram = udp_packet(v4(V4_A), v4(V4_B), 5353, 53, &dns_query(9), 9);
    let with = |mut ip: Vec<u8>, at: usize, bytes: &[u8]| {
        ip[at..at + bytes.len()].copy_from_slice(bytes);
        ip
    };
    let mut frames = vec![
        // IPv4: total length beyond the frame, under the header, header length under 20 and over the data.
        eth_ip(true, &with(segment(b"hello"), 2, &1500u16.to_be_bytes())),
        eth_ip(true, &with(segment(b"hello"), 2, &10u16.to_be_bytes())),
        eth_ip(true, &with(segment(b"hello"), 0, &[0x43])),
        eth_ip(true, &with(segment(b"hello"), 0, &[0x4f])),
        // TCP: data offset under 20 bytes and beyond the segment; an option whose length overruns.
        eth_ip(true, &with(segment(b"hello"), 32, &[0x20])),
        eth_ip(true, &with(segment(b"hello"), 32, &[0xf0])),
        eth_ip(true, &with(segment(&[1, 1, 1, 1, 1, 1, 1, 1]), 32, &[0x70])),
        eth_ip(true, &with(with(segment(&[3, 40, 7, 1, 1, 1, 1, 1]), 32, &[0x70]), 40, &[3, 40])),
        eth_ip(true, &with(with(segment(&[2, 0, 0, 0, 1, 1, 1, 1]), 32, &[0x70]), 40, &[2, 0])),
        // UDP: length under the header, and beyond the datagram.
        eth_ip(true, &with(datagram.clone(), 24, &4u16.to_be_bytes())),
        eth_ip(true, &with(datagram.clone(), 24, &1000u16.to_be_bytes())),
        // IPv4 fragment whose offset and length run past 65,535 bytes.
        eth_ip(true, &with(with(datagram.clone(), 6, &[0x3f, 0xff]), 9, &[17])),
    ];
    // IPv6: payload length beyond the frame; a hop-by-hop header that runs past the packet.
    let udp6 = udp_packet(Ip::V6(V6_A), Ip::V6(V6_B), 5353, 53, &dns_query(10), 0);
    frames.push(eth_ip(true, &with(udp6.clone(), 4, &2000u16.to_be_bytes())));
    let hop = packet::ipv6(V6_A, V6_B, 0, 64, &[proto::UDP, 200, 1, 4, 0, 0, 0, 0], &udp6[40..]);
    frames.push(eth_ip(true, &hop));
    // ICMP error quoting a 12-byte scrap of an IP header; ARP with zero-sized addresses; a VLAN
    // tag cut off after two bytes.
    let scrap = packet::icmp(3, 3, [0; 4], &datagram[..12], None);
    frames.push(eth_ip(false, &packet::ipv4(V4_B, V4_A, proto::ICMP, IpOpts::default(), &scrap)));
    let arp = [0, 1, 8, 0, 0, 0, 0, 1, 1, 2, 3, 4];
    frames.push(ethernet(MAC_A, [0xff; 6], 0x0806, &arp, Fill::Zeros));
    frames.push(ethernet(MAC_A, MAC_B, 0x8100, &[0x00, 0x07], Fill::Nothing));
    for (i, frame) in frames.iter().enumerate() {
        w.packet(T0 + i as u64 * 1000, frame);
    }
    w.finish()
}
