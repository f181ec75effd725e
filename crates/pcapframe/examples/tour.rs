//! The README's tour: `cargo run --release --example tour`.

use pcapframe::{read_pcap, ReadOptions};

fn main() -> Result<(), pcapframe::Error> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "fixtures/edge-tcp-port-reuse.pcap".into());
    let df = read_pcap(
        path,
        &ReadOptions::fields(["tcp.stream", "ip.src", "tcp.seq", "tcp.len", "tcp.window_size"])
            .timeseries(true)
            .strict(true),
    )?;
    println!("{df}");
    Ok(())
}
