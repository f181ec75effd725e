//! The teaching capture: a dorm room's hosts behind a router for about 30 minutes, in the spirit
//! of the Nitroba University harassment scenario. The story and its answer key are in
//! `fixtures/README.md`; a test checks every fact it states.
//!
//! Sessions are generated independently, each with its own clock, then merged by time. TCP
//! streams are numbered by their SYN's time, so the plan below fixes which one is stream 10.

use etherparse::TcpOptionElement;

use crate::packet::{self, ethernet, proto, Fill, Ip, IpOpts, Mac, Tcp};
use crate::rng::Rng;
use crate::writer::{Endian, PcapWriter};

/// File name in `fixtures/`.
pub const FILE_NAME: &str = "dorm-room.pcap";

const START_NS: u64 = 1_741_960_920_000_000_000; // 2025-03-14 14:02:00 UTC
const SECOND: u64 = 1_000_000_000;
const MS: u64 = 1_000_000;

const ROUTER_MAC: Mac = [0x00, 0x1a, 0x70, 0x2a, 0x9b, 0x01]; // Cisco-Linksys
const ROUTER_IP: [u8; 4] = [192, 168, 15, 1];

/// What a NIC puts in the padding of short frames.
#[derive(Debug, Clone, Copy)]
enum Padding {
    Zeros,
    /// Printable memory contents, read from this text as it goes.
    Text(&'static [u8]),
    /// Binary memory contents.
    Noise,
}

/// A host's TCP personality.
#[derive(Debug, Clone, Copy)]
struct Stack {
    timestamps: bool,
    wscale: Option<u8>,
    window: u16,
    ttl: u8,
}

#[derive(Debug, Clone, Copy)]
struct Host {
    mac: Mac,
    ip: [u8; 4],
    padding: Padding,
    stack: Stack,
    user_agent: &'static str,
    /// The name its DHCP client sends (option 12).
    dhcp_hostname: &'static str,
}

const LEAKED_TEXT: &[u8] = b"usernameroommate2 passwordBlueJays2025 SubjectChemistrylabreport \
    CookiesessionidA7F3K9Q2 HostwwwfacebookcomGETprofileviewid4471 QueryRoommateagreementdraft ";

/// The hosts, in the order of `HostId`.
const HOSTS: [Host; 4] = [
    // Johnny's MacBook.
    Host {
        mac: [0x00, 0x17, 0xf2, 0x4b, 0x2a, 0x19],
        ip: [192, 168, 15, 4],
        padding: Padding::Zeros,
        stack: Stack { timestamps: true, wscale: Some(3), window: 65535, ttl: 64 },
        user_agent: "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.2) Gecko/20100115 Firefox/3.6",
        dhcp_hostname: "Johnnys-MacBook",
    },
    // The roommate's Windows laptop, whose Hon Hai NIC leaks memory into the padding.
    Host {
        mac: [0x00, 0x1d, 0xd9, 0x2e, 0x4f, 0x61],
        ip: [192, 168, 15, 5],
        padding: Padding::Text(LEAKED_TEXT),
        stack: Stack { timestamps: false, wscale: None, window: 64240, ttl: 128 },
        user_agent: "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0)",
        dhcp_hostname: "ROOMMATE-PC",
    },
    // A media box whose NIC (a Commscope prefix, formerly ARRIS) leaks binary garbage.
    Host {
        mac: [0x00, 0x0f, 0xcc, 0x5e, 0x21, 0x7a],
        ip: [192, 168, 15, 6],
        padding: Padding::Noise,
        stack: Stack { timestamps: false, wscale: Some(0), window: 16384, ttl: 64 },
        user_agent: "MediaBox/2.1 (Linux; ARRIS)",
        dhcp_hostname: "mediabox",
    },
    // The neighbour's Linux desktop.
    Host {
        mac: [0x00, 0x1b, 0x21, 0x3c, 0xd4, 0xe5],
        ip: [192, 168, 15, 7],
        padding: Padding::Zeros,
        stack: Stack { timestamps: true, wscale: Some(7), window: 64240, ttl: 64 },
        user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
        dhcp_hostname: "neighbour-desktop",
    },
];

const JOHNNY: usize = 0;
const ROOMMATE: usize = 1;
const MEDIABOX: usize = 2;
const NEIGHBOUR: usize = 3;

/// A web server on the far side of the router.
#[derive(Debug, Clone, Copy)]
struct Server {
    name: &'static str,
    ip: [u8; 4],
    rtt_ms: u64,
}

const VANISHNOTE: Server = Server { name: "www.vanishnote.example", ip: [198, 51, 100, 23], rtt_ms: 85 };
const CAMPUSMAIL: Server = Server { name: "mail.campus.example", ip: [192, 0, 2, 80], rtt_ms: 12 };
const NEWS: Server = Server { name: "www.dailyherald.example", ip: [203, 0, 113, 10], rtt_ms: 40 };
const CDN: Server = Server { name: "img.cdn.example", ip: [203, 0, 113, 77], rtt_ms: 25 };
const LIBRARY: Server = Server { name: "www.library.example", ip: [192, 0, 2, 15], rtt_ms: 60 };
const UPDATES: Server = Server { name: "dl.updates.example", ip: [198, 51, 100, 200], rtt_ms: 35 };
const SEARCH: Server = Server { name: "www.search.example", ip: [203, 0, 113, 5], rtt_ms: 30 };
const SOCIAL: Server = Server { name: "www.friendface.example", ip: [198, 51, 100, 61], rtt_ms: 70 };

/// One HTTP request/response exchange on a connection.
#[derive(Debug, Clone)]
struct Exchange {
    method: &'static str,
    path: String,
    extra_headers: String,
    body: Vec<u8>,
    response_len: usize,
    content_type: &'static str,
}

impl Exchange {
    fn get(path: &str, response_len: usize, content_type: &'static str) -> Self {
        Exchange {
            method: "GET",
            path: path.into(),
            extra_headers: String::new(),
            body: Vec::new(),
            response_len,
            content_type,
        }
    }
}

/// How a connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Server closes (FIN), client answers FIN.
    ServerFin,
    /// The browser resets the connection.
    ClientReset,
}

/// One planned TCP connection.
#[derive(Debug, Clone)]
struct Session {
    start: u64,
    host: usize,
    server: Server,
    exchanges: Vec<Exchange>,
    ending: Ending,
    /// Lose (upstream) and retransmit this response segment, with duplicate ACKs.
    lost_segment: Option<usize>,
}

/// Builds the teaching capture.
pub fn capture() -> Vec<u8> {
    let mut sim = Sim::new();
    let sessions = plan(&mut sim.rng);
    sim.background();
    for (i, s) in sessions.iter().enumerate() {
        sim.dns_lookup(s.host, s.server, s.start.saturating_sub(30 * MS));
        sim.tcp_session(s, 49152 + i as u16 * 7);
    }
    sim.finish()
}

/// The TCP sessions, ordered by start time (which fixes their `tcp.stream` numbers).
fn plan(rng: &mut Rng) -> Vec<Session> {
    let html = "text/html; charset=utf-8";
    let css = "text/css";
    let mut sessions: Vec<Session> = Vec::new();
    let mut t = START_NS + 20 * SECOND;
    let mut add = |sessions: &mut Vec<Session>,
                   host: usize,
                   server: Server,
                   exchanges: Vec<Exchange>,
                   gap_s: u64,
                   rng: &mut Rng| {
        t += gap_s * SECOND + rng.range(0, 900) * MS;
        let lost_segment =
            (exchanges.iter().any(|e| e.response_len > 30_000) && rng.chance(0.4)).then(|| rng.range(5, 15) as usize);
        let ending = if rng.chance(0.2) { Ending::ClientReset } else { Ending::ServerFin };
        sessions.push(Session { start: t, host, server, exchanges, ending, lost_segment });
    };
    // Morning browsing: pages with a few images each (streams 0-9).
    for (host, server, gap) in
        [(NEIGHBOUR, NEWS, 0), (NEIGHBOUR, CDN, 0), (NEIGHBOUR, CDN, 0), (ROOMMATE, SEARCH, 40), (ROOMMATE, SOCIAL, 8)]
    {
        let len = rng.range(6_000, 40_000) as usize;
        let ty = if server.name == CDN.name { css } else { html };
        add(&mut sessions, host, server, vec![Exchange::get("/", len, ty)], gap, rng);
    }
    for (host, server, gap) in [
        (ROOMMATE, CDN, 0),
        (MEDIABOX, UPDATES, 60),
        (JOHNNY, CAMPUSMAIL, 45),
        (JOHNNY, CAMPUSMAIL, 2),
        (NEIGHBOUR, SEARCH, 30),
    ] {
        let len = rng.range(3_000, 25_000) as usize;
        add(&mut sessions, host, server, vec![Exchange::get("/index.html", len, html)], gap, rng);
    }
    // Stream 10: a 240 kB PDF from the library, worth a Stevens graph.
    add(
        &mut sessions,
        NEIGHBOUR,
        LIBRARY,
        vec![Exchange::get("/papers/tcp-congestion-control.pdf", 240_000, "application/pdf")],
        25,
        rng,
    );
    sessions[10].lost_segment = Some(40);
    // Johnny signs in to campus mail: the same browser that later posts the message.
    let login = Exchange {
        method: "POST",
        path: "/login".into(),
        extra_headers: "Content-Type: application/x-www-form-urlencoded\r\n".into(),
        body: b"user=jcoach&password=%2A%2A%2A%2A%2A%2A&remember=on".to_vec(),
        response_len: 4_200,
        content_type: html,
    };
    let inbox = Exchange {
        extra_headers: "Cookie: campusmail_user=jcoach; campusmail_sid=5f2d9c41e07a\r\n".into(),
        ..Exchange::get("/inbox", 18_500, html)
    };
    add(&mut sessions, JOHNNY, CAMPUSMAIL, vec![login, inbox], 90, rng);
    // The biggest stream: the media box downloads a firmware update.
    add(
        &mut sessions,
        MEDIABOX,
        UPDATES,
        vec![Exchange::get("/firmware/mediabox-2.2.bin", 1_200_000, "application/octet-stream")],
        40,
        rng,
    );
    // More browsing by everyone.
    let others = [
        (ROOMMATE, SOCIAL),
        (NEIGHBOUR, NEWS),
        (NEIGHBOUR, CDN),
        (ROOMMATE, SEARCH),
        (JOHNNY, SEARCH),
        (MEDIABOX, UPDATES),
        (NEIGHBOUR, CDN),
        (ROOMMATE, CDN),
        (JOHNNY, NEWS),
        (NEIGHBOUR, SEARCH),
    ];
    for (i, (host, server)) in others.into_iter().enumerate() {
        let len = rng.range(2_000, 60_000) as usize;
        let gap = if i % 3 == 0 { rng.range(30, 120) } else { rng.range(0, 4) };
        add(&mut sessions, host, server, vec![Exchange::get(&format!("/page{i}.html"), len, html)], gap, rng);
    }
    // The harassing post, from Johnny's MacBook, then its confirmation page.
    let post = Exchange {
        method: "POST",
        path: "/send.php".into(),
        extra_headers: "Content-Type: application/x-www-form-urlencoded\r\nCookie: vn_visitor=8c1e77a2\r\n".into(),
        body: b"to=lily.tuckrige%40campus.example&subject=You+will+regret+it&message=Everyone+will+know+what+you+did.+Watch+your+back.&destroy=read".to_vec(),
        response_len: 2_600,
        content_type: html,
    };
    add(&mut sessions, JOHNNY, VANISHNOTE, vec![Exchange::get("/", 9_800, html), post], 75, rng);
    // An afternoon of ordinary traffic to close.
    let rest = [
        (NEIGHBOUR, NEWS),
        (NEIGHBOUR, CDN),
        (ROOMMATE, SOCIAL),
        (ROOMMATE, CDN),
        (MEDIABOX, UPDATES),
        (JOHNNY, CAMPUSMAIL),
        (NEIGHBOUR, LIBRARY),
        (ROOMMATE, SEARCH),
        (NEIGHBOUR, CDN),
        (ROOMMATE, SOCIAL),
        (NEIGHBOUR, NEWS),
        (JOHNNY, SEARCH),
    ];
    for (i, (host, server)) in rest.into_iter().enumerate() {
        let len = rng.range(1_500, 80_000) as usize;
        let gap = if i % 4 == 0 { rng.range(40, 150) } else { rng.range(0, 6) };
        add(&mut sessions, host, server, vec![Exchange::get(&format!("/more{i}.html"), len, html)], gap, rng);
    }
    sessions
}

/// Frames from every session, merged by time when written.
struct Sim {
    rng: Rng,
    frames: Vec<(u64, u64, Vec<u8>)>,
    ip_ids: [u16; 4],
    leak_cursor: usize,
}

impl Sim {
    fn new() -> Self {
        Sim { rng: Rng::new(0x2008_0722), frames: Vec::new(), ip_ids: [0x1c40, 0x3a11, 0x0100, 0x7e02], leak_cursor: 0 }
    }

    fn emit(&mut self, t: u64, frame: Vec<u8>) {
        let order = self.frames.len() as u64;
        self.frames.push((t, order, frame));
    }

    /// A frame sent by a host, padded the way its NIC pads.
    fn frame_from_host(&mut self, host: usize, dst: Mac, ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let h = HOSTS[host];
        let mut f = ethernet(h.mac, dst, ethertype, payload, Fill::Nothing);
        let missing = 60usize.saturating_sub(f.len());
        match h.padding {
            Padding::Zeros => f.resize(f.len() + missing, 0),
            Padding::Text(text) => {
                for _ in 0..missing {
                    f.push(text[self.leak_cursor % text.len()]);
                    self.leak_cursor += 1;
                }
            }
            Padding::Noise => {
                for _ in 0..missing {
                    f.push(self.rng.next_u64() as u8);
                }
            }
        }
        f
    }

    /// A frame the router sends to a host (zero padding).
    fn frame_to_host(&self, host: usize, ethertype: u16, payload: &[u8]) -> Vec<u8> {
        ethernet(ROUTER_MAC, HOSTS[host].mac, ethertype, payload, Fill::Zeros)
    }

    fn next_id(&mut self, host: usize) -> u16 {
        self.ip_ids[host] = self.ip_ids[host].wrapping_add(1);
        self.ip_ids[host]
    }

    fn host_ip(&mut self, host: usize, dst: [u8; 4], protocol: u8, transport: &[u8]) -> Vec<u8> {
        let h = HOSTS[host];
        let id = self.next_id(host);
        packet::ipv4(h.ip, dst, protocol, IpOpts { id, ttl: h.stack.ttl, df: true }, transport)
    }

    fn server_ip(&mut self, src: [u8; 4], host: usize, protocol: u8, transport: &[u8]) -> Vec<u8> {
        let id = self.rng.next_u64() as u16;
        packet::ipv4(src, HOSTS[host].ip, protocol, IpOpts { id, ttl: 52, df: true }, transport)
    }

    /// DHCP at power-on, ARP, NTP, pings and a game session: the non-web background.
    fn background(&mut self) {
        for host in 0..HOSTS.len() {
            let t = START_NS + (1 + host as u64 * 3) * SECOND + self.rng.range(0, 800) * MS;
            self.dhcp(host, t);
            self.arp(host, t + 400 * MS);
            self.ntp(host, t + 2 * SECOND);
            let mut t2 = t + 5 * 60 * SECOND;
            while t2 < START_NS + 29 * 60 * SECOND {
                self.arp(host, t2);
                t2 += self.rng.range(180, 420) * SECOND;
            }
        }
        // The neighbour pings the router and a far host in bursts.
        for (start_s, count, dst) in
            [(300u64, 20u16, [198, 51, 100, 1]), (1100, 30, ROUTER_IP), (1500, 15, [198, 51, 100, 1])]
        {
            for seq in 0..count {
                let jitter = self.rng.range(0, 50) * MS;
                self.ping(NEIGHBOUR, dst, seq + 1, START_NS + (start_s + u64::from(seq)) * SECOND + jitter);
            }
        }
        // The neighbour plays an online game for ten minutes: small UDP datagrams both ways.
        let game = [203, 0, 113, 99];
        let mut t = START_NS + 600 * SECOND;
        let end = t + 600 * SECOND;
        let mut sequence = 0u32;
        while t < end {
            // Quake III on its registered port: a sequence number, then game state.
            sequence += 1;
            let out_len = self.rng.range(18, 46) as usize;
            let payload: Vec<u8> =
                sequence.to_le_bytes().into_iter().chain((4..out_len).map(|_| self.rng.next_u64() as u8)).collect();
            let udp = packet::udp(Ip::V4(HOSTS[NEIGHBOUR].ip), Ip::V4(game), 51234, 27960, &payload);
            let ip = self.host_ip(NEIGHBOUR, game, proto::UDP, &udp);
            let f = self.frame_from_host(NEIGHBOUR, ROUTER_MAC, 0x0800, &ip);
            self.emit(t, f);
            if self.rng.chance(0.5) {
                let in_len = self.rng.range(30, 220) as usize;
                let payload: Vec<u8> =
                    sequence.to_le_bytes().into_iter().chain((4..in_len).map(|_| self.rng.next_u64() as u8)).collect();
                let udp = packet::udp(Ip::V4(game), Ip::V4(HOSTS[NEIGHBOUR].ip), 27960, 51234, &payload);
                let ip = self.server_ip(game, NEIGHBOUR, proto::UDP, &udp);
                let f = self.frame_to_host(NEIGHBOUR, 0x0800, &ip);
                self.emit(t + 31 * MS, f);
            }
            t += self.rng.range(45, 70) * MS;
            if self.rng.chance(0.01) {
                t += 2 * SECOND; // a lag spike
            }
        }
        // A burst of 1000-byte UDP datagrams: the media box streams a short clip.
        let mut t = START_NS + 1350 * SECOND;
        for _ in 0..180 {
            let payload = vec![0x47; 972];
            let src = [198, 51, 100, 200];
            let udp = packet::udp(Ip::V4(src), Ip::V4(HOSTS[MEDIABOX].ip), 5004, 5004, &payload);
            let ip = self.server_ip(src, MEDIABOX, proto::UDP, &udp);
            let f = self.frame_to_host(MEDIABOX, 0x0800, &ip);
            self.emit(t, f);
            t += self.rng.range(8, 30) * MS;
        }
    }

    fn dhcp(&mut self, host: usize, t: u64) {
        let h = HOSTS[host];
        let xid = self.rng.next_u64() as u32;
        for (i, kind) in [1u8, 2, 3, 5].into_iter().enumerate() {
            let from_client = kind == 1 || kind == 3;
            let mut bootp = vec![if from_client { 1 } else { 2 }, 1, 6, 0];
            bootp.extend_from_slice(&xid.to_be_bytes());
            bootp.extend_from_slice(&[0; 4]);
            bootp.extend_from_slice(&[0; 4]);
            bootp.extend_from_slice(if from_client { &[0; 4] } else { &h.ip });
            bootp.extend_from_slice(if from_client { &[0; 4] } else { &ROUTER_IP });
            bootp.extend_from_slice(&[0; 4]);
            bootp.extend_from_slice(&h.mac);
            bootp.extend_from_slice(&[0; 10 + 64 + 128]);
            bootp.extend_from_slice(&[99, 130, 83, 99, 53, 1, kind]);
            if !from_client {
                bootp.extend_from_slice(&[
                    54, 4, 192, 168, 15, 1, 51, 4, 0, 1, 0x51, 0x80, 1, 4, 255, 255, 255, 0, 3, 4, 192, 168, 15, 1, 6,
                    4, 192, 168, 15, 1,
                ]);
            } else {
                if kind == 3 {
                    bootp.extend_from_slice(&[50, 4]);
                    bootp.extend_from_slice(&h.ip);
                }
                bootp.extend_from_slice(&[12, h.dhcp_hostname.len() as u8]);
                bootp.extend_from_slice(h.dhcp_hostname.as_bytes());
            }
            bootp.push(255);
            bootp.resize(300, 0);
            let (src, dst) = if from_client { ([0, 0, 0, 0], [255, 255, 255, 255]) } else { (ROUTER_IP, h.ip) };
            let (sport, dport) = if from_client { (68, 67) } else { (67, 68) };
            let udp = packet::udp(Ip::V4(src), Ip::V4(dst), sport, dport, &bootp);
            let ip = packet::ipv4(
                src,
                dst,
                proto::UDP,
                IpOpts { id: 0, ttl: if from_client { 128 } else { 64 }, df: false },
                &udp,
            );
            let ts = t + i as u64 * 150 * MS;
            let frame = if from_client {
                self.frame_from_host(host, [0xff; 6], 0x0800, &ip)
            } else {
                self.frame_to_host(host, 0x0800, &ip)
            };
            self.emit(ts, frame);
        }
    }

    fn arp(&mut self, host: usize, t: u64) {
        let h = HOSTS[host];
        let mut req = vec![0, 1, 8, 0, 6, 4, 0, 1];
        req.extend_from_slice(&h.mac);
        req.extend_from_slice(&h.ip);
        req.extend_from_slice(&[0; 6]);
        req.extend_from_slice(&ROUTER_IP);
        let f = self.frame_from_host(host, [0xff; 6], 0x0806, &req);
        self.emit(t, f);
        let mut reply = vec![0, 1, 8, 0, 6, 4, 0, 2];
        reply.extend_from_slice(&ROUTER_MAC);
        reply.extend_from_slice(&ROUTER_IP);
        reply.extend_from_slice(&h.mac);
        reply.extend_from_slice(&h.ip);
        let f = self.frame_to_host(host, 0x0806, &reply);
        self.emit(t + 2 * MS, f);
    }

    fn ntp(&mut self, host: usize, t: u64) {
        let server = [192, 0, 2, 123];
        let mut req = vec![0u8; 48];
        req[0] = 0x23;
        let udp = packet::udp(Ip::V4(HOSTS[host].ip), Ip::V4(server), 123, 123, &req);
        let ip = self.host_ip(host, server, proto::UDP, &udp);
        let f = self.frame_from_host(host, ROUTER_MAC, 0x0800, &ip);
        self.emit(t, f);
        let mut resp = vec![0u8; 48];
        resp[0] = 0x24;
        resp[1] = 2;
        let udp = packet::udp(Ip::V4(server), Ip::V4(HOSTS[host].ip), 123, 123, &resp);
        let ip = self.server_ip(server, host, proto::UDP, &udp);
        let f = self.frame_to_host(host, 0x0800, &ip);
        self.emit(t + 18 * MS, f);
    }

    fn ping(&mut self, host: usize, dst: [u8; 4], seq: u16, t: u64) {
        let ident = 0x4d2u16.to_be_bytes();
        let rest = [ident[0], ident[1], (seq >> 8) as u8, seq as u8];
        let data: Vec<u8> = (0..56u8).collect();
        let echo = packet::icmp(8, 0, rest, &data, None);
        let ip = self.host_ip(host, dst, proto::ICMP, &echo);
        let f = self.frame_from_host(host, ROUTER_MAC, 0x0800, &ip);
        self.emit(t, f);
        let reply = packet::icmp(0, 0, rest, &data, None);
        let ip = self.server_ip(dst, host, proto::ICMP, &reply);
        let f = self.frame_to_host(host, 0x0800, &ip);
        self.emit(t + if dst == ROUTER_IP { MS } else { 38 * MS }, f);
    }

    fn dns_lookup(&mut self, host: usize, server: Server, t: u64) {
        let id = self.rng.next_u64() as u16;
        let mut query = id.to_be_bytes().to_vec();
        query.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        for label in server.name.split('.') {
            query.push(label.len() as u8);
            query.extend_from_slice(label.as_bytes());
        }
        query.extend_from_slice(&[0, 0, 1, 0, 1]);
        let sport = 1024 + (self.rng.next_u64() % 60_000) as u16;
        let udp = packet::udp(Ip::V4(HOSTS[host].ip), Ip::V4(ROUTER_IP), sport, 53, &query);
        let ip = self.host_ip(host, ROUTER_IP, proto::UDP, &udp);
        let f = self.frame_from_host(host, ROUTER_MAC, 0x0800, &ip);
        self.emit(t, f);
        let mut answer = query.clone();
        answer[2] = 0x81;
        answer[3] = 0x80;
        answer[7] = 1;
        answer.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
        answer.extend_from_slice(&server.ip);
        let udp = packet::udp(Ip::V4(ROUTER_IP), Ip::V4(HOSTS[host].ip), 53, sport, &answer);
        let ip = self.server_ip(ROUTER_IP, host, proto::UDP, &udp);
        let f = self.frame_to_host(host, 0x0800, &ip);
        let delay = self.rng.range(3, 25) * MS;
        self.emit(t + delay, f);
    }

    /// One TCP connection: handshake, exchanges (slow start, delayed ACKs, a possible loss with
    /// duplicate ACKs and a retransmission), then FIN or RST.
    fn tcp_session(&mut self, s: &Session, sport: u16) {
        let h = HOSTS[s.host];
        let rtt = s.server.rtt_ms * MS;
        let mss: usize = if h.stack.timestamps { 1448 } else { 1460 };
        let mut t = s.start;
        let mut c_seq = self.rng.next_u64() as u32;
        let mut s_seq = self.rng.next_u64() as u32;
        let mut ts_val = (self.rng.next_u64() % 1_000_000) as u32;
        let server_ts = (self.rng.next_u64() % 1_000_000) as u32;
        let client_opts = |syn: bool, tsv: u32, tse: u32| -> Vec<TcpOptionElement> {
            let mut o = Vec::new();
            if syn {
                o.push(TcpOptionElement::MaximumSegmentSize(1460));
                if let Some(w) = h.stack.wscale {
                    o.push(TcpOptionElement::Noop);
                    o.push(TcpOptionElement::WindowScale(w));
                }
                o.push(TcpOptionElement::Noop);
                o.push(TcpOptionElement::Noop);
                o.push(TcpOptionElement::SelectiveAcknowledgementPermitted);
            }
            if h.stack.timestamps {
                if !syn {
                    o.push(TcpOptionElement::Noop);
                    o.push(TcpOptionElement::Noop);
                }
                o.push(TcpOptionElement::Timestamp(tsv, tse));
            }
            o
        };
        let server_opts = |syn: bool, tsv: u32, tse: u32| -> Vec<TcpOptionElement> {
            let mut o = Vec::new();
            if syn {
                o.push(TcpOptionElement::MaximumSegmentSize(1460));
                o.push(TcpOptionElement::Noop);
                o.push(TcpOptionElement::WindowScale(8));
                o.push(TcpOptionElement::SelectiveAcknowledgementPermitted);
            }
            if h.stack.timestamps {
                o.push(TcpOptionElement::Noop);
                o.push(TcpOptionElement::Noop);
                o.push(TcpOptionElement::Timestamp(tsv, tse));
            }
            o
        };
        let client_window = |wscale: Option<u8>| -> u16 {
            wscale.map(|w| ((h.stack.window as u32 * 4) >> w).min(65535) as u16).unwrap_or(h.stack.window)
        };

        // Handshake.
        let syn = Tcp {
            sport,
            dport: 80,
            seq: c_seq,
            syn: true,
            window: h.stack.window,
            options: client_opts(true, ts_val, 0),
            ..Default::default()
        };
        self.client_segment(s.host, s.server, t, &syn, &[]);
        t += rtt;
        let syn_ack = Tcp {
            sport: 80,
            dport: sport,
            seq: s_seq,
            ack: Some(c_seq + 1),
            syn: true,
            window: 65535,
            options: server_opts(true, server_ts, ts_val),
            ..Default::default()
        };
        self.server_segment(s.host, s.server, t, &syn_ack, &[]);
        c_seq += 1;
        s_seq += 1;
        t += 200_000;
        ts_val += 1;
        let cwin = client_window(h.stack.wscale);
        let ack = |seq: u32, ack: u32, tsv: u32, window: u16| Tcp {
            sport,
            dport: 80,
            seq,
            ack: Some(ack),
            window,
            options: client_opts(false, tsv, server_ts),
            ..Default::default()
        };
        self.client_segment(s.host, s.server, t, &ack(c_seq, s_seq, ts_val, cwin), &[]);

        for ex in &s.exchanges {
            // Request.
            t += self.rng.range(1, 40) * MS;
            let mut request = format!(
                "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nAccept: text/html,application/xhtml+xml,*/*;q=0.8\r\nAccept-Language: en-us,en;q=0.5\r\nConnection: keep-alive\r\n{}",
                ex.method, ex.path, s.server.name, h.user_agent, ex.extra_headers
            );
            if !ex.body.is_empty() {
                request.push_str(&format!("Content-Length: {}\r\n", ex.body.len()));
            }
            request.push_str("\r\n");
            let mut request = request.into_bytes();
            request.extend_from_slice(&ex.body);
            let req = Tcp { psh: true, ..ack(c_seq, s_seq, ts_val, cwin) };
            self.client_segment(s.host, s.server, t, &req, &request);
            c_seq += request.len() as u32;
            // Response: headers + body, in slow-start bursts.
            t += rtt;
            let mut response = format!(
                "HTTP/1.1 200 OK\r\nServer: Apache/2.2.14\r\nContent-Type: {}\r\nContent-Length: {}\r\nKeep-Alive: timeout=5\r\n\r\n",
                ex.content_type, ex.response_len
            )
            .into_bytes();
            response.extend(body_bytes(&mut self.rng, ex.content_type, ex.response_len));
            let segments: Vec<&[u8]> = response.chunks(mss).collect();
            let mut cwnd = 10usize;
            let mut next = 0usize;
            let mut unacked = 0usize;
            let mut server_tsv = server_ts + 5;
            let mut lost: Option<(usize, u32)> = None;
            while next < segments.len() {
                let burst_end = (next + cwnd).min(segments.len());
                for i in next..burst_end {
                    let payload = segments[i];
                    let seg = Tcp {
                        sport: 80,
                        dport: sport,
                        seq: s_seq,
                        ack: Some(c_seq),
                        psh: i + 1 == segments.len(),
                        window: 1024,
                        options: server_opts(false, server_tsv, ts_val),
                        ..Default::default()
                    };
                    let lose = s.lost_segment == Some(i) && lost.is_none();
                    if lose {
                        lost = Some((i, s_seq));
                    } else {
                        self.server_segment(s.host, s.server, t, &seg, payload);
                    }
                    s_seq += payload.len() as u32;
                    t += self.rng.range(900, 1300) * 1000;
                    unacked += 1;
                    // Delayed ACK: every second segment; duplicate ACKs while a segment is missing.
                    if let Some((_, hole)) = lost {
                        if !lose {
                            ts_val += 1;
                            self.client_segment(s.host, s.server, t + 100_000, &ack(c_seq, hole, ts_val, cwin), &[]);
                        }
                    } else if unacked >= 2 || i + 1 == segments.len() {
                        unacked = 0;
                        ts_val += 1;
                        self.client_segment(s.host, s.server, t + 150_000, &ack(c_seq, s_seq, ts_val, cwin), &[]);
                    }
                    server_tsv += 1;
                }
                next = burst_end;
                if let Some((i, hole)) = lost.take() {
                    // Fast retransmit after the duplicate ACKs, then a cumulative ACK.
                    t += rtt / 2;
                    let seg = Tcp {
                        sport: 80,
                        dport: sport,
                        seq: hole,
                        ack: Some(c_seq),
                        window: 1024,
                        options: server_opts(false, server_tsv, ts_val),
                        ..Default::default()
                    };
                    self.server_segment(s.host, s.server, t, &seg, segments[i]);
                    t += 300_000;
                    ts_val += 1;
                    self.client_segment(s.host, s.server, t, &ack(c_seq, s_seq, ts_val, cwin), &[]);
                    cwnd = (cwnd / 2).max(2);
                } else {
                    cwnd = (cwnd * 2).min(64);
                }
                t += rtt;
            }
            // A window update after the application reads the data.
            if ex.response_len > 100_000 {
                ts_val += 1;
                self.client_segment(s.host, s.server, t, &ack(c_seq, s_seq, ts_val, cwin.saturating_add(512)), &[]);
            }
            t += self.rng.range(200, 3000) * MS;
        }
        // Ending.
        match s.ending {
            Ending::ServerFin => {
                let fin = Tcp {
                    sport: 80,
                    dport: sport,
                    seq: s_seq,
                    ack: Some(c_seq),
                    fin: true,
                    window: 1024,
                    options: server_opts(false, server_ts + 900, ts_val),
                    ..Default::default()
                };
                self.server_segment(s.host, s.server, t, &fin, &[]);
                t += 2 * MS;
                ts_val += 1;
                let fin = Tcp { fin: true, ..ack(c_seq, s_seq + 1, ts_val, cwin) };
                self.client_segment(s.host, s.server, t, &fin, &[]);
                t += rtt;
                let last = Tcp {
                    sport: 80,
                    dport: sport,
                    seq: s_seq + 1,
                    ack: Some(c_seq + 1),
                    window: 1024,
                    options: server_opts(false, server_ts + 901, ts_val),
                    ..Default::default()
                };
                self.server_segment(s.host, s.server, t, &last, &[]);
            }
            Ending::ClientReset => {
                let rst =
                    Tcp { sport, dport: 80, seq: c_seq, ack: Some(s_seq), rst: true, window: 0, ..Default::default() };
                self.client_segment(s.host, s.server, t, &rst, &[]);
            }
        }
    }

    fn client_segment(&mut self, host: usize, server: Server, t: u64, seg: &Tcp, payload: &[u8]) {
        let tcp = packet::tcp(Ip::V4(HOSTS[host].ip), Ip::V4(server.ip), seg, payload);
        let ip = self.host_ip(host, server.ip, proto::TCP, &tcp);
        let f = self.frame_from_host(host, ROUTER_MAC, 0x0800, &ip);
        self.emit(t, f);
    }

    fn server_segment(&mut self, host: usize, server: Server, t: u64, seg: &Tcp, payload: &[u8]) {
        let tcp = packet::tcp(Ip::V4(server.ip), Ip::V4(HOSTS[host].ip), seg, payload);
        let ip = self.server_ip(server.ip, host, proto::TCP, &tcp);
        let f = self.frame_to_host(host, 0x0800, &ip);
        self.emit(t, f);
    }

    fn finish(mut self) -> Vec<u8> {
        self.frames.sort_by_key(|(t, order, _)| (*t, *order));
        let mut w = PcapWriter::new(1, 65535, Endian::Little, false);
        for (t, _, f) in &self.frames {
            w.packet(*t, f);
        }
        w.finish()
    }
}

/// A response body: HTML-ish text for pages, pseudo-random bytes for everything else.
fn body_bytes(rng: &mut Rng, content_type: &str, len: usize) -> Vec<u8> {
    if content_type.starts_with("text/") {
        let words = [
            "<p>",
            "campus",
            "news",
            "the",
            "and",
            "student",
            "</p>",
            "library",
            "weather",
            "<div class=\"story\">",
            "</div>",
            "sports",
            "results",
        ];
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            out.extend_from_slice(rng.pick(&words).as_bytes());
            out.push(b' ');
        }
        out.truncate(len);
        out
    } else {
        let magic: &[u8] = if content_type == "application/pdf" { b"%PDF-1.4\n" } else { b"" };
        let mut out = magic.to_vec();
        out.extend((magic.len()..len).map(|_| rng.next_u64() as u8));
        out
    }
}
