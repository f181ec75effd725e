//! A large synthetic capture for `make bench`: many TCP downloads, DNS lookups and pings,
//! generated on demand (never committed) and streamed to the writer.

use crate::packet::{self, ethernet, proto, syn_options, Fill, Ip, IpOpts, Tcp};
use crate::rng::Rng;
use crate::writer::{Endian, PcapWriter};

/// Writes about `frames` frames of mixed traffic as legacy pcap into `out`.
pub fn write(frames: u64, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut rng = Rng::new(0x0b5e_55ed);
    let mut t: u64 = 1_700_000_000_000_000_000;
    out.write_all(&PcapWriter::new(1, 65535, Endian::Little, false).finish())?;
    let mut written = 0u64;
    let mut conversation = 0u32;
    let body = vec![0x5a; 1448];
    while written < frames {
        conversation += 1;
        let client = Ip::V4([10, 1, (conversation >> 8) as u8, conversation as u8]);
        let server = Ip::V4([172, 16, 0, (conversation % 200) as u8 + 1]);
        let mac_c = [0x02, 0, 0, 0, (conversation >> 8) as u8, conversation as u8];
        let mac_s = [0x02, 0, 0, 1, 0, 1];
        let sport = 20_000 + (conversation % 40_000) as u16;
        let frame = |from_client: bool, ip: Vec<u8>| -> Vec<u8> {
            let (s, d) = if from_client { (mac_c, mac_s) } else { (mac_s, mac_c) };
            ethernet(s, d, 0x0800, &ip, Fill::Zeros)
        };
        let mut emit: Vec<Vec<u8>> = Vec::new();
        // A DNS lookup first.
        let q = packet::udp(
            client,
            server,
            sport,
            53,
            &[0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, b'w', b'w', b'w', 0, 0, 1, 0, 1],
        );
        emit.push(frame(true, packet::ip(client, server, proto::UDP, IpOpts::default(), &q)));
        // A download of a few segments.
        let (c_isn, s_isn) = (rng.next_u64() as u32, rng.next_u64() as u32);
        let seg = |from_client: bool, seq: u32, ack: Option<u32>| Tcp {
            sport: if from_client { sport } else { 80 },
            dport: if from_client { 80 } else { sport },
            seq,
            ack,
            window: 501,
            ..Default::default()
        };
        let tcp = |from_client: bool, t: Tcp, payload: &[u8]| {
            let (s, d) = if from_client { (client, server) } else { (server, client) };
            packet::ip(s, d, proto::TCP, IpOpts::default(), &packet::tcp(s, d, &t, payload))
        };
        emit.push(frame(
            true,
            tcp(true, Tcp { syn: true, options: syn_options(1460, Some(7), 1, 0), ..seg(true, c_isn, None) }, &[]),
        ));
        emit.push(frame(
            false,
            tcp(
                false,
                Tcp { syn: true, options: syn_options(1460, Some(7), 2, 1), ..seg(false, s_isn, Some(c_isn + 1)) },
                &[],
            ),
        ));
        emit.push(frame(true, tcp(true, seg(true, c_isn + 1, Some(s_isn + 1)), &[])));
        emit.push(frame(
            true,
            tcp(
                true,
                Tcp { psh: true, ..seg(true, c_isn + 1, Some(s_isn + 1)) },
                b"GET /file HTTP/1.1\r\nHost: bench\r\n\r\n",
            ),
        ));
        let segments = rng.range(2, 30) as u32;
        for i in 0..segments {
            let seq = s_isn + 1 + i * 1448;
            emit.push(frame(false, tcp(false, seg(false, seq, Some(c_isn + 37)), &body)));
            if i % 2 == 1 {
                emit.push(frame(true, tcp(true, seg(true, c_isn + 37, Some(seq + 1448)), &[])));
            }
        }
        let end = s_isn + 1 + segments * 1448;
        emit.push(frame(false, tcp(false, Tcp { fin: true, ..seg(false, end, Some(c_isn + 37)) }, &[])));
        emit.push(frame(true, tcp(true, Tcp { fin: true, ..seg(true, c_isn + 37, Some(end + 1)) }, &[])));
        for f in emit {
            t += rng.range(10_000, 2_000_000);
            let mut record = PcapWriter::new(1, 65535, Endian::Little, false);
            record.packet(t, &f);
            out.write_all(&record.finish()[24..])?;
            written += 1;
        }
    }
    Ok(())
}
