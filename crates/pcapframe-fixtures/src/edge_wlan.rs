//! Edge captures of IEEE 802.11: bare frames (link type 105), with a radiotap header (127) and
//! with a PPI header (192). Frames have no FCS unless radiotap's flags say so.

use crate::edge::{tcp_conversation, udp_exchange, v4, write_pcap, Fixture, MAC_A, MAC_B, V4_A, V4_B, V6_A, V6_B};
use crate::packet::{crc32, Ip, Mac};
use crate::rng::Rng;

/// The 802.11 edge fixtures.
pub fn all() -> Vec<Fixture> {
    vec![("edge-wlan.pcap", wlan()), ("edge-radiotap.pcap", radiotap_capture()), ("edge-ppi.pcap", ppi())]
}

/// The access point (BSSID), a second access point it bridges to (WDS), and two stations of an
/// ad hoc network (IBSS) with its random BSSID. The station in the BSS is MAC_A; MAC_B is a host
/// on the wired side of the access point.
const AP: Mac = [0x00, 0x1a, 0x70, 0x2a, 0x9b, 0x01];
const AP2: Mac = [0x00, 0x1a, 0x70, 0x2a, 0x9b, 0x02];
const IBSS_X: Mac = [0x00, 0x17, 0xf2, 0x4b, 0x2a, 0x19];
const IBSS_Y: Mac = [0x00, 0x1b, 0x21, 0x3c, 0xd4, 0xe5];
const IBSS_BSSID: Mac = [0x02, 0x6c, 0x3e, 0x91, 0x5a, 0x07];
const BROADCAST: Mac = [0xff; 6];
const SSID: &[u8] = b"pcapframe-lab";

/// Frame control flags (second byte).
const RETRY: u8 = 0x08;
const POWER_MGMT: u8 = 0x10;
const PROTECTED: u8 = 0x40;

/// Who sends a data frame to whom, which sets the ToDS/FromDS bits and the address fields.
#[derive(Debug, Clone, Copy)]
enum Path {
    /// Neither bit (ad hoc): A1 = DA, A2 = SA, A3 = BSSID.
    Ibss { da: Mac, sa: Mac, bssid: Mac },
    /// ToDS: A1 = BSSID, A2 = SA, A3 = DA.
    ToAp { bssid: Mac, sa: Mac, da: Mac },
    /// FromDS: A1 = DA, A2 = BSSID, A3 = SA.
    FromAp { da: Mac, bssid: Mac, sa: Mac },
    /// Both (WDS, 4 addresses): A1 = RA, A2 = TA, A3 = DA, A4 = SA.
    Wds { ra: Mac, ta: Mac, da: Mac, sa: Mac },
}

impl Path {
    fn ds_bits(self) -> u8 {
        match self {
            Path::Ibss { .. } => 0,
            Path::ToAp { .. } => 1,
            Path::FromAp { .. } => 2,
            Path::Wds { .. } => 3,
        }
    }

    /// A1, A2, A3 and, for WDS, A4.
    fn addresses(self) -> Vec<Mac> {
        match self {
            Path::Ibss { da, sa, bssid } => vec![da, sa, bssid],
            Path::ToAp { bssid, sa, da } => vec![bssid, sa, da],
            Path::FromAp { da, bssid, sa } => vec![da, bssid, sa],
            Path::Wds { ra, ta, da, sa } => vec![ra, ta, da, sa],
        }
    }

    /// Between the station (A) and the wired host (B) through the access point.
    fn bss(from_a: bool) -> Path {
        if from_a {
            Path::ToAp { bssid: AP, sa: MAC_A, da: MAC_B }
        } else {
            Path::FromAp { da: MAC_A, bssid: AP, sa: MAC_B }
        }
    }
}

/// Frame control, duration, then the addresses and fields in order.
fn header(kind: u8, subtype: u8, flags: u8, duration: u16, fields: &[&[u8]]) -> Vec<u8> {
    let mut h = vec![(subtype << 4) | (kind << 2), flags];
    h.extend_from_slice(&duration.to_le_bytes());
    for f in fields {
        h.extend_from_slice(f);
    }
    h
}

/// Sequence control: fragment 0, sequence number `seq`.
fn seq_ctl(seq: u16) -> [u8; 2] {
    (seq << 4).to_le_bytes()
}

/// A management frame (A1 = DA, A2 = SA, A3 = BSSID).
fn management(subtype: u8, da: Mac, sa: Mac, bssid: Mac, seq: u16, body: &[u8]) -> Vec<u8> {
    let mut f = header(0, subtype, 0, 0, &[&da, &sa, &bssid, &seq_ctl(seq)]);
    f.extend_from_slice(body);
    f
}

/// Information elements: SSID, supported rates (1, 2, 5.5, 11, 6, 9, 12, 18 Mb/s), and for a
/// beacon the DS parameter set (channel 6) and an RSN element (CCMP, PSK).
fn elements(beacon: bool) -> Vec<u8> {
    let mut e = vec![0, SSID.len() as u8];
    e.extend_from_slice(SSID);
    e.extend_from_slice(&[1, 8, 0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24]);
    if beacon {
        e.extend_from_slice(&[3, 1, 6]);
        e.extend_from_slice(&[48, 20, 1, 0, 0x00, 0x0f, 0xac, 4, 1, 0, 0x00, 0x0f, 0xac, 4, 1, 0]);
        e.extend_from_slice(&[0x00, 0x0f, 0xac, 2, 0, 0]);
    }
    e
}

/// A beacon of the access point: timestamp, interval 100 TU, capabilities (ESS, privacy, short
/// slot time), then the elements.
fn beacon(seq: u16, tsf: u64) -> Vec<u8> {
    let mut body = tsf.to_le_bytes().to_vec();
    body.extend_from_slice(&100u16.to_le_bytes());
    body.extend_from_slice(&0x0411u16.to_le_bytes());
    body.extend_from_slice(&elements(true));
    management(8, BROADCAST, AP, AP, seq, &body)
}

/// A probe request of station A for the SSID.
fn probe_request(seq: u16) -> Vec<u8> {
    management(4, BROADCAST, MAC_A, BROADCAST, seq, &elements(false))
}

/// A data frame (QoS data, TID 0, when `qos`) along `path`.
fn data(path: Path, qos: bool, flags: u8, seq: u16, body: &[u8]) -> Vec<u8> {
    let subtype = if qos { 8 } else { 0 };
    let addresses = path.addresses();
    let mut f = header(2, subtype, path.ds_bits() | flags, 44, &[&addresses[0], &addresses[1], &addresses[2]]);
    f.extend_from_slice(&seq_ctl(seq));
    if let Some(a4) = addresses.get(3) {
        f.extend_from_slice(a4);
    }
    if qos {
        f.extend_from_slice(&[0, 0]);
    }
    f.extend_from_slice(body);
    f
}

/// A Null function frame (no data) from the station, going to sleep (power management).
fn null_function(seq: u16) -> Vec<u8> {
    header(2, 4, Path::bss(true).ds_bits() | POWER_MGMT, 44, &[&AP, &MAC_A, &AP, &seq_ctl(seq)])
}

/// LLC/SNAP (aa aa 03, OUI 0) with an ethertype before `payload`.
fn llc_snap(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut b = vec![0xaa, 0xaa, 0x03, 0, 0, 0];
    b.extend_from_slice(&ethertype.to_be_bytes());
    b.extend_from_slice(payload);
    b
}

/// LLC/SNAP around an IP packet.
fn llc_ip(ip_packet: &[u8]) -> Vec<u8> {
    llc_snap(if ip_packet[0] >> 4 == 6 { 0x86dd } else { 0x0800 }, ip_packet)
}

/// An ARP request (or reply) between the two ad hoc stations, X at 10.0.0.1 and Y at 10.0.0.2.
fn arp(request: bool) -> Vec<u8> {
    let (op, sha, spa, tha, tpa) = if request {
        (1, IBSS_X, [10, 0, 0, 1], [0; 6], [10, 0, 0, 2])
    } else {
        (2, IBSS_Y, [10, 0, 0, 2], IBSS_X, [10, 0, 0, 1])
    };
    let mut a = vec![0, 1, 8, 0, 6, 4, 0, op];
    a.extend_from_slice(&sha);
    a.extend_from_slice(&spa);
    a.extend_from_slice(&tha);
    a.extend_from_slice(&tpa);
    a
}

/// A CCMP-protected QoS data frame from the station: CCMP header (packet number `pn`, key 0,
/// ExtIV), then 48 bytes of ciphertext and an 8-byte MIC (deterministic noise).
fn protected(seq: u16, pn: u64) -> Vec<u8> {
    let pn = pn.to_le_bytes();
    let mut body = vec![pn[0], pn[1], 0, 0x20, pn[2], pn[3], pn[4], pn[5]];
    let mut rng = Rng::new(pn[0].into());
    body.extend((0..56).map(|_| rng.next_u64() as u8));
    data(Path::bss(true), true, PROTECTED, seq, &body)
}

/// Control frames: RTS (station to AP), CTS, ACK (to the station) and a compressed Block Ack
/// (TID 0, starting sequence `seq`, 8 frames acknowledged).
fn rts() -> Vec<u8> {
    header(1, 11, 0, 300, &[&AP, &MAC_A])
}

fn cts() -> Vec<u8> {
    header(1, 12, 0, 256, &[&MAC_A])
}

fn ack() -> Vec<u8> {
    header(1, 13, 0, 0, &[&MAC_A])
}

fn block_ack(seq: u16) -> Vec<u8> {
    let mut bitmap = [0u8; 8];
    bitmap[0] = 0xff;
    header(1, 9, 0, 0, &[&MAC_A, &AP, &0x0004u16.to_le_bytes(), &seq_ctl(seq), &bitmap])
}

/// The station's traffic through the access point, as data frames from `seq` on: an HTTP
/// connection over IPv4 in QoS data frames, a DNS lookup over IPv4 in plain data frames and one
/// over IPv6 in QoS data frames (ToDS from the station, FromDS to it).
fn bss_traffic(seq: u16, sport: u16) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let push = |frames: &mut Vec<Vec<u8>>, qos: bool, from_a: bool, p: &[u8]| {
        let n = seq + frames.len() as u16;
        frames.push(data(Path::bss(from_a), qos, 0, n, &llc_ip(p)));
    };
    for (from_a, p) in tcp_conversation(v4(V4_A), v4(V4_B), (500, 900), (Some(6), Some(7)), sport) {
        push(&mut frames, true, from_a, &p);
    }
    for (from_a, p) in udp_exchange(v4(V4_A), v4(V4_B), sport + 1, 0x1201) {
        push(&mut frames, false, from_a, &p);
    }
    for (from_a, p) in udp_exchange(Ip::V6(V6_A), Ip::V6(V6_B), sport + 2, 0x1202) {
        push(&mut frames, true, from_a, &p);
    }
    frames
}

/// 25 frames of LINKTYPE_IEEE802_11 (105), no FCS: a beacon (SSID "pcapframe-lab", channel 6,
/// RSN), a probe request, an ARP request and reply between ad hoc stations (neither DS bit), RTS
/// and CTS, the station's HTTP connection (QoS data) and DNS lookups over IPv4 (plain data) and
/// IPv6 (QoS data) through the AP (ToDS and FromDS, LLC/SNAP), with the IPv4 answer sent twice,
/// the second time with the Retry flag and the same sequence number (tshark still dissects it,
/// as its `wlan.retransmitted` preference is on by default, so DNS reports a retransmitted
/// response), a Block Ack, a DNS lookup between hosts behind two bridged APs (WDS, four
/// addresses), a Null function frame (power management), a CCMP-protected QoS data frame and an
/// ACK.
fn wlan() -> Vec<u8> {
    let mut frames = vec![beacon(100, 0x0000_0001_2345_6789), probe_request(7)];
    let ibss = |request: bool, seq: u16| {
        let (da, sa) = if request { (BROADCAST, IBSS_X) } else { (IBSS_X, IBSS_Y) };
        data(Path::Ibss { da, sa, bssid: IBSS_BSSID }, false, 0, seq, &llc_snap(0x0806, &arp(request)))
    };
    frames.extend([ibss(true, 30), ibss(false, 31), rts(), cts()]);
    let mut traffic = bss_traffic(200, 41000);
    let mut retry = traffic[9].clone();
    retry[1] |= RETRY;
    traffic.insert(10, retry);
    frames.extend(traffic);
    frames.push(block_ack(200));
    for (i, (from_a, p)) in udp_exchange(v4([10, 0, 1, 5]), v4([10, 0, 2, 6]), 41010, 0x1203).into_iter().enumerate() {
        let path = if from_a {
            Path::Wds { ra: AP2, ta: AP, da: IBSS_Y, sa: IBSS_X }
        } else {
            Path::Wds { ra: AP, ta: AP2, da: IBSS_X, sa: IBSS_Y }
        };
        frames.push(data(path, true, 0, 400 + i as u16, &llc_ip(&p)));
    }
    frames.push(null_function(220));
    frames.push(protected(221, 0x0000_0000_0123));
    frames.push(ack());
    write_pcap(105, &frames, 1_000_000)
}

/// The radiotap fields of one frame (radiotap.org), written in bit order, each aligned to its
/// natural boundary from the start of the header.
#[derive(Debug, Clone, Copy, Default)]
struct Radio {
    tsft: Option<u64>,
    flags: Option<u8>,
    /// In 500 kb/s units.
    rate: Option<u8>,
    /// Frequency in MHz, channel flags.
    channel: Option<(u16, u16)>,
    signal: Option<i8>,
    noise: Option<i8>,
    antenna: Option<u8>,
    rx_flags: Option<u16>,
    /// Known, flags, MCS index.
    mcs: Option<[u8; 3]>,
    /// Known (u16), flags, bandwidth, mcs_nss[4], coding, group id, partial AID (u16).
    vht: Option<[u8; 12]>,
    /// Per-antenna (signal, antenna) in extra radiotap-namespace presence words.
    chains: &'static [(i8, u8)],
}

/// Radiotap flags and channel flags used here.
const FLAG_FCS: u8 = 0x10;
const CHAN_2GHZ_CCK: u16 = 0x00a0;
const CHAN_2GHZ_OFDM: u16 = 0x00c0;
const CHAN_5GHZ_OFDM: u16 = 0x0140;

impl Radio {
    /// (presence bit, alignment, bytes) of the fields of the first namespace.
    fn fields(&self) -> Vec<(u32, usize, Vec<u8>)> {
        let mut f = Vec::new();
        let mut add = |bit: u32, align: usize, bytes: Option<Vec<u8>>| {
            if let Some(b) = bytes {
                f.push((bit, align, b));
            }
        };
        add(0, 8, self.tsft.map(|t| t.to_le_bytes().to_vec()));
        add(1, 1, self.flags.map(|v| vec![v]));
        add(2, 1, self.rate.map(|v| vec![v]));
        add(3, 2, self.channel.map(|(freq, flags)| [freq.to_le_bytes(), flags.to_le_bytes()].concat()));
        add(5, 1, self.signal.map(|v| vec![v as u8]));
        add(6, 1, self.noise.map(|v| vec![v as u8]));
        add(11, 1, self.antenna.map(|v| vec![v]));
        add(14, 2, self.rx_flags.map(|v| v.to_le_bytes().to_vec()));
        add(19, 1, self.mcs.map(|v| v.to_vec()));
        add(21, 2, self.vht.map(|v| v.to_vec()));
        f
    }

    /// The radiotap header.
    fn header(&self) -> Vec<u8> {
        let mut namespaces = vec![self.fields()];
        for &(signal, antenna) in self.chains {
            namespaces.push(vec![(5, 1, vec![signal as u8]), (11, 1, vec![antenna])]);
        }
        let mut h = vec![0, 0, 0, 0];
        for (i, fields) in namespaces.iter().enumerate() {
            let mut present: u32 = fields.iter().map(|(bit, _, _)| 1 << bit).sum();
            if i + 1 < namespaces.len() {
                present |= (1 << 29) | (1 << 31);
            }
            h.extend_from_slice(&present.to_le_bytes());
        }
        for (_, align, bytes) in namespaces.iter().flatten() {
            while h.len() % align != 0 {
                h.push(0);
            }
            h.extend_from_slice(bytes);
        }
        let len = h.len() as u16;
        h[2..4].copy_from_slice(&len.to_le_bytes());
        h
    }

    /// The header, the 802.11 frame, and its FCS when the flags say "FCS at end".
    fn frame(&self, wlan: &[u8]) -> Vec<u8> {
        let mut f = self.header();
        f.extend_from_slice(wlan);
        if self.flags.is_some_and(|v| v & FLAG_FCS != 0) {
            f.extend_from_slice(&crc32(wlan).to_le_bytes());
        }
        f
    }
}

/// VHT fields: STBC, GI and bandwidth known; no STBC, short GI, 80 MHz, user 0 at `mcs` with `nss` streams.
fn vht(mcs: u8, nss: u8) -> [u8; 12] {
    [0x45, 0x00, 0x04, 4, (mcs << 4) | nss, 0, 0, 0, 0, 0, 0, 0]
}

/// 15 frames of LINKTYPE_IEEE802_11_RADIOTAP (127): a beacon on 2.4 GHz channel 6 at 1 Mb/s
/// (TSFT, flags, rate, channel, dBm signal and noise, antenna, RX flags), then the station's
/// traffic on 5 GHz channel 36: its HTTP connection with a legacy rate (24 Mb/s), an HT MCS
/// field (MCS 15, 40 MHz, short GI: 300 Mb/s, no rate) or a VHT field (MCS 9, 2 streams, 80 MHz,
/// short GI: 866.7 Mb/s); the IPv4 DNS answer with an extended presence bitmap (two more radiotap
/// namespaces, one per antenna, each with a dBm signal and an antenna: tshark lists all three
/// signals in `radiotap.dbm_antsignal` and takes the last for `wlan_radio.signal_dbm`), the IPv6
/// answer with "FCS at end" and a correct CRC-32, a CCMP-protected frame, and an ACK.
fn radiotap_capture() -> Vec<u8> {
    let tsf = 0x0000_0002_0000_0000u64;
    let base = Radio {
        tsft: Some(tsf),
        flags: Some(0),
        rate: Some(48),
        channel: Some((5180, CHAN_5GHZ_OFDM)),
        signal: Some(-51),
        noise: Some(-92),
        antenna: Some(0),
        rx_flags: Some(0),
        ..Default::default()
    };
    let beacon_radio =
        Radio { rate: Some(2), channel: Some((2437, CHAN_2GHZ_CCK)), signal: Some(-38), noise: Some(-95), ..base };
    let mut frames = vec![beacon_radio.frame(&beacon(101, tsf))];
    for (i, wlan) in bss_traffic(300, 42000).iter().enumerate() {
        let tsft = Some(tsf + 1000 * (i as u64 + 1));
        let radio = match i {
            0..=2 => Radio { tsft, ..base },
            3 | 5 | 7 => Radio { tsft, rate: None, noise: None, mcs: Some([0x7f, 0x05, 15]), ..base },
            4 | 6 => Radio { tsft, rate: None, noise: None, antenna: None, vht: Some(vht(9, 2)), ..base },
            8 => Radio { tsft, signal: Some(-60), ..base },
            9 => Radio { tsft, signal: Some(-61), noise: None, chains: &[(-62, 0), (-64, 1)], ..base },
            10 => Radio { tsft, signal: Some(-52), ..base },
            _ => Radio { tsft, flags: Some(FLAG_FCS), signal: Some(-53), ..base },
        };
        frames.push(radio.frame(wlan));
    }
    frames.push(Radio { signal: Some(-49), ..base }.frame(&protected(320, 0x0000_0000_0456)));
    frames.push(Radio { signal: Some(-47), ..base }.frame(&ack()));
    write_pcap(127, &frames, 1_000_000)
}

/// A PPI header (version 0, flags 0) for DLT 105 with an 802.11-Common field (type 2): TSF,
/// flags 0 (no FCS), rate in 500 kb/s, channel frequency and flags, FHSS 0, dBm signal and noise;
/// and with an A-MPDU id an 802.11n MAC Extensions field (type 3: flags 0, the id, 0 delimiters).
fn ppi_header(tsf: u64, rate: u16, signal: i8, ampdu: Option<u32>) -> Vec<u8> {
    let mut common = tsf.to_le_bytes().to_vec();
    common.extend_from_slice(&0u16.to_le_bytes());
    common.extend_from_slice(&rate.to_le_bytes());
    common.extend_from_slice(&2437u16.to_le_bytes());
    common.extend_from_slice(&CHAN_2GHZ_OFDM.to_le_bytes());
    common.extend_from_slice(&[0, 0, signal as u8, (-95i8) as u8]);
    let mut fields = vec![(2u16, common)];
    if let Some(id) = ampdu {
        let mut ext = 0u32.to_le_bytes().to_vec(); // HT20, long GI, not aggregated
        ext.extend_from_slice(&id.to_le_bytes());
        ext.extend_from_slice(&[0, 0, 0, 0]);
        fields.push((3, ext));
    }
    let mut h = vec![0, 0, 0, 0];
    h.extend_from_slice(&105u32.to_le_bytes());
    for (kind, body) in fields {
        h.extend_from_slice(&kind.to_le_bytes());
        h.extend_from_slice(&(body.len() as u16).to_le_bytes());
        h.extend_from_slice(&body);
    }
    let len = h.len() as u16;
    h[2..4].copy_from_slice(&len.to_le_bytes());
    h
}

/// 12 frames of LINKTYPE_PPI (192): 802.11 data frames on channel 6 with LLC/SNAP, the station's
/// HTTP connection and DNS lookups (IPv4 and IPv6) through the AP, each behind a PPI header with
/// an 802.11-Common field (54 Mb/s, or 24 Mb/s for the DNS frames). The SYN's header also has an
/// 802.11n MAC Extensions field (not aggregated), which makes tshark take the frame for 802.11n
/// at MCS 0 (6.5 Mb/s, with warnings that STBC, FEC and extension streams are assumed); with the
/// aggregate flag set, tshark would reassemble A-MPDUs across frames of the same A-MPDU id.
fn ppi() -> Vec<u8> {
    let mut frames = Vec::new();
    for (i, wlan) in bss_traffic(500, 43000).iter().enumerate() {
        let tsf = 0x0000_0003_0000_0000 + 1000 * i as u64;
        let header = match i {
            0 => ppi_header(tsf, 108, -44, Some(7)),
            1..=7 => ppi_header(tsf, 108, -45, None),
            _ => ppi_header(tsf, 48, -46, None),
        };
        frames.push([header, wlan.clone()].concat());
    }
    write_pcap(192, &frames, 1_000_000)
}
