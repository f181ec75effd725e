//! Deterministic captures for pcapframe's tests and notebooks: same seed, same bytes, everywhere.
//!
//! [`writer`] writes pcap and pcapng, [`packet`] builds valid packets with etherparse,
//! [`edge`] makes one small capture per edge case (with [`edge_links`] for link layers,
//! [`edge_tunnels`] for tunnels, [`edge_wlan`] for 802.11, [`edge_tcp_analysis`] for TCP
//! sequence analysis, [`edge_app_reassembly`] for application messages over TCP reassembly and
//! [`edge_quic`] for TLS inside QUIC Initial packets,
//! with [`deflate`] for its compressed bodies).

pub mod bench;
pub mod deflate;
pub mod edge;
pub mod edge_app_reassembly;
pub mod edge_links;
pub mod edge_quic;
pub mod edge_tcp_analysis;
pub mod edge_tunnels;
pub mod edge_wlan;
pub mod packet;
pub mod rng;
pub mod teaching;
pub mod writer;

/// Every committed fixture, by file name.
pub fn all() -> Vec<(&'static str, Vec<u8>)> {
    let mut all = edge::all();
    all.push((teaching::FILE_NAME, teaching::capture()));
    all
}
