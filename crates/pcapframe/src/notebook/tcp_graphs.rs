//! Wireshark's TCP stream graphs (Statistics › TCP Stream Graphs) for one `tcp.stream`, drawn
//! as [`Figure`]s: Stevens (sequence numbers against time), tcptrace, throughput, round-trip
//! time and window scaling.
//!
//! ```no_run
//! use pcapframe::prelude::*;
//! let graph = TcpGraph::from_capture("capture.pcap", 0)?;
//! let figure = graph.tcptrace()?; // the cell's last expression shows it
//! graph.reverse().stevens()?.save("/tmp/stevens.svg").unwrap();
//! # Ok::<(), pcapframe::Error>(())
//! ```
//!
//! The graphs are built from the columns tshark's TCP analysis produces (`tcp.seq`, `tcp.ack`,
//! `tcp.analysis.*`, ...): [`TcpGraph::FIELDS`] lists them, and a DataFrame read with them can be
//! graphed with [`TcpGraph::new`]. The values are those of the columns, so the graphs show what
//! tshark's analysis says (relative sequence numbers, scaled windows); Wireshark's dialog
//! recomputes some of them (round-trip times) from the segments instead.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use polars::prelude::*;

use super::chart::{Chart, Figure, Mark};
use super::stats::column_f64;
use crate::error::{Error, Result};
use crate::{read_pcap, ReadOptions};

/// One side of a TCP connection: address and port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// `ip.src` or `ipv6.src` as tshark prints it (empty when the DataFrame has no address column).
    pub address: String,
    /// The TCP port.
    pub port: u16,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.address.is_empty(), self.address.contains(':')) {
            (true, _) => write!(f, "port {}", self.port),
            (false, true) => write!(f, "[{}]:{}", self.address, self.port),
            (false, false) => write!(f, "{}:{}", self.address, self.port),
        }
    }
}

/// `(x, y)` points of a series.
type Points = Vec<(f64, f64)>;

/// One frame of the stream, as the graphs need it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Segment {
    frame: Option<u64>,
    time: f64,
    /// Sent by the graphed sender (otherwise by the receiver).
    forward: bool,
    seq: Option<f64>,
    nxtseq: Option<f64>,
    ack: Option<f64>,
    /// The ACK flag; `true` when the DataFrame has no `tcp.flags.ack` but a `tcp.ack`.
    ack_flag: bool,
    len: f64,
    window: Option<f64>,
    retransmission: bool,
    ack_rtt: Option<f64>,
    acks_frame: Option<u64>,
    bytes_in_flight: Option<f64>,
    sack: Option<(f64, f64)>,
}

/// Wireshark's TCP stream graphs for one stream and one direction of it.
///
/// The direction graphed is the one that sends the most payload bytes (`tcp.len`); on a tie, the
/// one that sent the stream's first frame. Wireshark graphs the direction of the selected packet;
/// a download's data usually flows from the server, so the largest sender is the useful default.
/// [`TcpGraph::reverse`] graphs the other direction.
#[derive(Debug, Clone)]
pub struct TcpGraph {
    stream: u32,
    sender: Endpoint,
    receiver: Endpoint,
    /// The stream's frames in DataFrame order; `forward` is relative to `sender`.
    segments: Vec<Segment>,
    /// Columns the DataFrame had (a graph names the ones it misses).
    columns: Vec<String>,
    average_over: usize,
    rtt_against_time: bool,
}

/// The tcptrace graph's data: bars `(time, seq, nxtseq)`, points `(time, value)`.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tcptrace {
    segments: Vec<(f64, f64, f64)>,
    retransmissions: Vec<(f64, f64, f64)>,
    /// The receiver's `tcp.ack`, one point per ACK (draw as steps).
    acks: Vec<(f64, f64)>,
    /// The receiver's `tcp.ack + tcp.window_size`, one point per ACK (draw as steps).
    window: Vec<(f64, f64)>,
    /// The receiver's first SACK block.
    sacks: Vec<(f64, f64, f64)>,
}

/// The throughput graph's data, `(time, bits/s)`.
#[derive(Debug, Clone, Default, PartialEq)]
struct Throughput {
    per_segment: Vec<(f64, f64)>,
    average: Vec<(f64, f64)>,
    goodput: Vec<(f64, f64)>,
}

impl TcpGraph {
    /// The fields the graphs use; [`TcpGraph::from_capture`] reads these.
    pub const FIELDS: [&'static str; 24] = [
        "frame.number",
        "frame.time_relative",
        "ip.src",
        "ip.dst",
        "ipv6.src",
        "ipv6.dst",
        "tcp.stream",
        "tcp.srcport",
        "tcp.dstport",
        "tcp.seq",
        "tcp.nxtseq",
        "tcp.ack",
        "tcp.len",
        "tcp.window_size",
        "tcp.flags.syn",
        "tcp.flags.ack",
        "tcp.analysis.retransmission",
        "tcp.analysis.ack_rtt",
        "tcp.analysis.acks_frame",
        "tcp.analysis.bytes_in_flight",
        "tcp.analysis.initial_rtt",
        "tcp.analysis.flags",
        "tcp.options.sack_le",
        "tcp.options.sack_re",
    ];

    /// The graphs of stream `stream` of a DataFrame read with (some of) [`TcpGraph::FIELDS`];
    /// `tcp.stream`, `tcp.srcport` and `frame.time_relative` are required, each graph names
    /// the other columns it misses.
    pub fn new(df: &DataFrame, stream: u32) -> Result<Self> {
        for name in ["tcp.stream", "tcp.srcport", "frame.time_relative"] {
            if df.column(name).is_err() {
                return Err(Error::Unsupported(format!("TcpGraph needs the column '{name}'")));
            }
        }
        let ids = df.column("tcp.stream")?.cast(&DataType::UInt64)?;
        let mask = ids.u64()?.equal(stream as u64);
        let df = df.filter(&mask)?;
        if df.height() == 0 {
            return Err(Error::Unsupported(format!("tcp.stream {stream} has no frames")));
        }
        let n = df.height();
        let numbers = |name: &str| -> Result<Vec<Option<f64>>> {
            Ok(if df.column(name).is_ok() { column_f64(&df, name)? } else { vec![None; n] })
        };
        let flags = |name: &str| -> Result<Vec<bool>> {
            Ok(match df.column(name) {
                Ok(c) => {
                    let c = c.cast(&DataType::Boolean)?;
                    let c = c.bool()?;
                    (0..n).map(|i| c.get(i).unwrap_or(false)).collect()
                }
                Err(_) => vec![false; n],
            })
        };
        let strings = |name: &str| -> Result<Vec<Option<String>>> {
            Ok(match df.column(name) {
                Ok(c) => {
                    let c = c.cast(&DataType::String)?;
                    let c = c.str()?;
                    (0..n).map(|i| c.get(i).map(str::to_owned)).collect()
                }
                Err(_) => vec![None; n],
            })
        };
        let address = |v4: &str, v6: &str| -> Result<Vec<String>> {
            let (v4, v6) = (strings(v4)?, strings(v6)?);
            Ok(v4.into_iter().zip(v6).map(|(a, b)| a.or(b).unwrap_or_default()).collect())
        };
        let (src, dst) = (address("ip.src", "ipv6.src")?, address("ip.dst", "ipv6.dst")?);
        let (sport, dport) = (numbers("tcp.srcport")?, numbers("tcp.dstport")?);
        let time = numbers("frame.time_relative")?;
        let len = numbers("tcp.len")?;
        let ack = numbers("tcp.ack")?;
        let ack_flag = if df.column("tcp.flags.ack").is_ok() {
            flags("tcp.flags.ack")?
        } else {
            ack.iter().map(Option::is_some).collect()
        };
        let (frame, acks_frame) = (numbers("frame.number")?, numbers("tcp.analysis.acks_frame")?);
        let (seq, nxtseq, window) = (numbers("tcp.seq")?, numbers("tcp.nxtseq")?, numbers("tcp.window_size")?);
        let retransmission = flags("tcp.analysis.retransmission")?;
        let (ack_rtt, bytes_in_flight) = (numbers("tcp.analysis.ack_rtt")?, numbers("tcp.analysis.bytes_in_flight")?);
        let (sack_le, sack_re) = (numbers("tcp.options.sack_le")?, numbers("tcp.options.sack_re")?);

        let endpoint =
            |addr: &str, port: Option<f64>| Endpoint { address: addr.to_owned(), port: port.unwrap_or(0.0) as u16 };
        // Payload bytes per source endpoint, in order of first appearance.
        let mut sent: Vec<(Endpoint, f64)> = Vec::new();
        for i in 0..n {
            let e = endpoint(&src[i], sport[i]);
            let bytes = len[i].unwrap_or(0.0);
            match sent.iter_mut().find(|(s, _)| *s == e) {
                Some(entry) => entry.1 += bytes,
                None => sent.push((e, bytes)),
            }
        }
        let sender = sent.iter().fold(None::<&(Endpoint, f64)>, |best, s| match best {
            Some(b) if b.1 >= s.1 => best,
            _ => Some(s),
        });
        let sender = sender.map(|s| s.0.clone()).unwrap_or_else(|| endpoint(&src[0], sport[0]));
        let receiver = match sent.iter().find(|(e, _)| *e != sender) {
            Some((e, _)) => e.clone(),
            None => endpoint(&dst[0], dport[0]),
        };
        let segments = (0..n)
            .map(|i| Segment {
                frame: frame[i].map(|f| f as u64),
                time: time[i].unwrap_or(f64::NAN),
                forward: endpoint(&src[i], sport[i]) == sender,
                seq: seq[i],
                nxtseq: nxtseq[i],
                ack: ack[i],
                ack_flag: ack_flag[i],
                len: len[i].unwrap_or(0.0),
                window: window[i],
                retransmission: retransmission[i],
                ack_rtt: ack_rtt[i],
                acks_frame: acks_frame[i].map(|f| f as u64),
                bytes_in_flight: bytes_in_flight[i],
                sack: sack_le[i].zip(sack_re[i]),
            })
            .filter(|s| s.time.is_finite())
            .collect();
        Ok(TcpGraph {
            stream,
            sender,
            receiver,
            segments,
            columns: df.get_column_names().iter().map(|c| c.to_string()).collect(),
            average_over: 20,
            rtt_against_time: false,
        })
    }

    /// Reads [`TcpGraph::FIELDS`] of stream `stream`'s frames from a capture (with the display
    /// filter `tcp.stream == stream`) and prepares its graphs.
    pub fn from_capture(path: impl AsRef<Path>, stream: u32) -> Result<Self> {
        let options = ReadOptions::fields(Self::FIELDS).display_filter(format!("tcp.stream == {stream}"));
        Self::new(&read_pcap(path, &options)?, stream)
    }

    /// Graphs the other direction: the current receiver becomes the sender.
    pub fn reverse(mut self) -> Self {
        std::mem::swap(&mut self.sender, &mut self.receiver);
        for s in &mut self.segments {
            s.forward = !s.forward;
        }
        self
    }

    /// Averages the throughput graph's line over this many segments (Wireshark's default: 20).
    pub fn average_over(mut self, segments: usize) -> Self {
        self.average_over = segments.max(1);
        self
    }

    /// Puts time rather than the acknowledged sequence number on the round-trip-time graph's x axis.
    pub fn rtt_against_time(mut self, on: bool) -> Self {
        self.rtt_against_time = on;
        self
    }

    /// The endpoint whose segments are graphed.
    pub fn sender(&self) -> &Endpoint {
        &self.sender
    }

    /// The endpoint whose ACKs, windows and SACKs are graphed.
    pub fn receiver(&self) -> &Endpoint {
        &self.receiver
    }

    /// The stream's index.
    pub fn stream(&self) -> u32 {
        self.stream
    }

    /// Stevens graph: `tcp.seq` (relative) against time, one dot per segment the sender sends;
    /// retransmissions (`tcp.analysis.retransmission`) in red.
    pub fn stevens(&self) -> Result<Figure> {
        self.require("Stevens", &["tcp.seq"])?;
        let (sent, resent) = self.stevens_points();
        let chart = self
            .chart("Sequence numbers (Stevens)", "sequence number (relative)")
            .points_of(&sent, Mark::Dots { radius: 3, alpha: 0.8 }, "blue", "segment")
            .points_of(&resent, Mark::Dots { radius: 4, alpha: 1.0 }, "red", "retransmission");
        chart.draw()
    }

    /// tcptrace graph: each segment as a vertical bar from `tcp.seq` to `tcp.nxtseq` at its time
    /// (retransmissions in red); the receiver's ACKs (`tcp.ack`) as a step line, its receive
    /// window (`tcp.ack + tcp.window_size`) as a step line, its first SACK block per segment
    /// (`tcp.options.sack_le..sack_re`) as short bars.
    pub fn tcptrace(&self) -> Result<Figure> {
        self.require("tcptrace", &["tcp.seq", "tcp.ack"])?;
        let data = self.tcptrace_data();
        let chart = self
            .chart("Sequence numbers (tcptrace)", "sequence number (relative)")
            .line_of(&steps(&data.window), "green", "receive window")
            .line_of(&steps(&data.acks), "orange", "ACK")
            .bars_of(&data.segments, "blue", "segment")
            .bars_of(&data.retransmissions, "red", "retransmission")
            .bars_of(&data.sacks, "purple", "SACK");
        chart.draw()
    }

    /// Throughput graph: each data segment's payload over the time since the sender's previous
    /// data segment (dots), the average over the last [`TcpGraph::average_over`] segments
    /// (line), and the goodput: the same average without retransmitted bytes (line, drawn over
    /// the average: they coincide until a retransmission). Segment `i`'s average is the payload
    /// of segments `i-N+1..=i` over the time since segment `i-N` (Wireshark's default N is 20;
    /// the per-segment dots are N = 1). Computed in bits/s; drawn in kbit/s, Mbit/s or Gbit/s
    /// when they read better. Segments without payload are left out.
    pub fn throughput(&self) -> Result<Figure> {
        self.require("throughput", &["tcp.len"])?;
        let data = self.throughput_data();
        let peak = data.per_segment.iter().chain(&data.average).map(|p| p.1).fold(0.0, f64::max);
        let (scale, unit) = bit_rate_unit(peak);
        let scaled = |points: &[(f64, f64)]| points.iter().map(|&(t, v)| (t, v / scale)).collect::<Vec<_>>();
        let chart = self
            .chart("Throughput", unit)
            .points_of(&scaled(&data.per_segment), Mark::Dots { radius: 3, alpha: 0.6 }, "blue", "segment")
            .line_of(&scaled(&data.average), "orange", &format!("average over {} segments", self.average_over))
            .line_of(&scaled(&data.goodput), "green", "goodput (without retransmissions)");
        chart.draw()
    }

    /// Round-trip-time graph: `tcp.analysis.ack_rtt` (ms) of the receiver's ACKs against the
    /// relative sequence number of the segment each acknowledges (`tcp.analysis.acks_frame` →
    /// that frame's `tcp.seq`), or against the ACK's time with [`TcpGraph::rtt_against_time`].
    pub fn rtt(&self) -> Result<Figure> {
        let x_column = if self.rtt_against_time { "frame.time_relative" } else { "tcp.seq" };
        self.require(
            "round-trip time",
            &["tcp.analysis.ack_rtt", "tcp.analysis.acks_frame", "frame.number", x_column],
        )?;
        let points = self.rtt_points();
        let x_label = if self.rtt_against_time { "time (s)" } else { "sequence number (relative)" };
        let chart = self.chart("Round-trip time", "round-trip time (ms)").x_label(x_label).points_of(
            &points,
            Mark::LineWithCircles,
            "blue",
            "RTT (tcp.analysis.ack_rtt)",
        );
        chart.draw()
    }

    /// Window-scaling graph: the receiver's window (`tcp.window_size`, scaled) as a step line
    /// and the sender's bytes in flight (`tcp.analysis.bytes_in_flight`) as dots, against time.
    pub fn window_scaling(&self) -> Result<Figure> {
        self.require("window scaling", &["tcp.window_size", "tcp.analysis.bytes_in_flight"])?;
        let (window, in_flight) = self.window_points();
        let chart = self
            .chart("Window scaling", "bytes")
            .line_of(&steps(&window), "green", "receive window")
            .points_of(&in_flight, Mark::Dots { radius: 3, alpha: 0.8 }, "blue", "bytes in flight");
        chart.draw()
    }

    /// All five graphs, in the order of Wireshark's menu.
    pub fn all(&self) -> Result<Vec<(&'static str, Figure)>> {
        Ok(vec![
            ("stevens", self.stevens()?),
            ("tcptrace", self.tcptrace()?),
            ("throughput", self.throughput()?),
            ("rtt", self.rtt()?),
            ("window_scaling", self.window_scaling()?),
        ])
    }

    fn require(&self, graph: &str, names: &[&str]) -> Result<()> {
        let missing: Vec<&str> = names.iter().copied().filter(|n| !self.columns.iter().any(|c| c == n)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::Unsupported(format!(
                "the {graph} graph needs the column(s) {} (TcpGraph::FIELDS lists all it uses)",
                missing.join(", ")
            )))
        }
    }

    /// A chart titled `<what> for sender → receiver (tcp.stream N)` with time on the x axis.
    fn chart(&self, what: &str, y_label: &str) -> Chart {
        Chart::new(&format!("{what} for {} → {} (tcp.stream {})", self.sender, self.receiver, self.stream))
            .x_label("time (s)")
            .y_label(y_label)
    }

    fn sent(&self) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(|s| s.forward)
    }

    fn received(&self) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(|s| !s.forward)
    }

    /// `(time, seq)` of the sender's segments: first transmissions, then retransmissions.
    fn stevens_points(&self) -> (Points, Points) {
        let (mut sent, mut resent) = (Vec::new(), Vec::new());
        for s in self.sent() {
            if let Some(seq) = s.seq {
                (if s.retransmission { &mut resent } else { &mut sent }).push((s.time, seq));
            }
        }
        (sent, resent)
    }

    fn tcptrace_data(&self) -> Tcptrace {
        let mut data = Tcptrace::default();
        for s in &self.segments {
            if s.forward {
                let Some(seq) = s.seq else { continue };
                let next = s.nxtseq.unwrap_or(seq + s.len);
                if next > seq {
                    (if s.retransmission { &mut data.retransmissions } else { &mut data.segments })
                        .push((s.time, seq, next));
                }
            } else {
                if let (true, Some(ack)) = (s.ack_flag, s.ack) {
                    data.acks.push((s.time, ack));
                    if let Some(window) = s.window {
                        data.window.push((s.time, ack + window));
                    }
                }
                if let Some((le, re)) = s.sack {
                    data.sacks.push((s.time, le, re));
                }
            }
        }
        data
    }

    fn throughput_data(&self) -> Throughput {
        let data: Vec<&Segment> = self.sent().filter(|s| s.len > 0.0).collect();
        let times: Vec<f64> = data.iter().map(|s| s.time).collect();
        let bytes: Vec<f64> = data.iter().map(|s| s.len).collect();
        let good: Vec<f64> = data.iter().map(|s| if s.retransmission { 0.0 } else { s.len }).collect();
        let series = |bytes: &[f64], over: usize| -> Vec<(f64, f64)> {
            (0..times.len()).filter_map(|i| Some((times[i], bit_rate(&times, bytes, i, over)?))).collect()
        };
        Throughput {
            per_segment: series(&bytes, 1),
            average: series(&bytes, self.average_over),
            goodput: series(&good, self.average_over),
        }
    }

    /// `(x, rtt in ms)` of the receiver's ACKs that carry `tcp.analysis.ack_rtt`; x is the
    /// acknowledged segment's `tcp.seq` (ACKs whose segment is not in the stream are left out)
    /// or the ACK's time.
    fn rtt_points(&self) -> Vec<(f64, f64)> {
        let seq_of: HashMap<u64, f64> = self.sent().filter_map(|s| Some((s.frame?, s.seq?))).collect();
        let mut points: Vec<(f64, f64)> = self
            .received()
            .filter_map(|s| {
                let rtt = s.ack_rtt? * 1000.0;
                let x = if self.rtt_against_time { s.time } else { *seq_of.get(&s.acks_frame?)? };
                Some((x, rtt))
            })
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        points
    }

    /// `(time, window)` of the receiver's frames and `(time, bytes in flight)` of the sender's.
    fn window_points(&self) -> (Points, Points) {
        let window = self.received().filter_map(|s| Some((s.time, s.window?))).collect();
        let in_flight = self.sent().filter_map(|s| Some((s.time, s.bytes_in_flight?))).collect();
        (window, in_flight)
    }
}

/// The bits per second of segment `i`: the payload of the `over` segments up to `i` over the
/// time since the segment before them (since the first segment, early on). `None` for the
/// first segment and when no time passed.
fn bit_rate(times: &[f64], bytes: &[f64], i: usize, over: usize) -> Option<f64> {
    let oldest = i.saturating_sub(over.max(1));
    let elapsed = times[i] - times[oldest];
    if oldest == i || elapsed <= 0.0 {
        return None;
    }
    Some(bytes[oldest + 1..=i].iter().sum::<f64>() * 8.0 / elapsed)
}

/// The divisor and label that show bit rates up to `peak` with few digits.
fn bit_rate_unit(peak: f64) -> (f64, &'static str) {
    match peak {
        p if p >= 1e9 => (1e9, "Gbit/s"),
        p if p >= 1e6 => (1e6, "Mbit/s"),
        p if p >= 1e3 => (1e3, "kbit/s"),
        _ => (1.0, "bit/s"),
    }
}

/// A step line through the points: each value holds until the next point's time.
fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, &(x, y)) in points.iter().enumerate() {
        if i > 0 {
            out.push((x, points[i - 1].1));
        }
        out.push((x, y));
    }
    out
}

/// Adding point lists and bars to a [`Chart`], with a legend entry when there is something
/// to draw.
trait ChartExt: Sized {
    fn points_of(self, points: &[(f64, f64)], mark: Mark, color: &str, label: &str) -> Self;
    fn line_of(self, points: &[(f64, f64)], color: &str, label: &str) -> Self {
        self.points_of(points, Mark::Line, color, label)
    }
    fn bars_of(self, bars: &[(f64, f64, f64)], color: &str, label: &str) -> Self;
}

impl ChartExt for Chart {
    fn points_of(self, points: &[(f64, f64)], mark: Mark, color: &str, label: &str) -> Self {
        if points.is_empty() {
            return self;
        }
        let (xs, ys): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
        self.points(&xs, &ys, mark, color).label(label)
    }

    /// Each bar is a two-point line (the chart has no bar mark); only the first is labelled.
    fn bars_of(mut self, bars: &[(f64, f64, f64)], color: &str, label: &str) -> Self {
        for (i, &(x, lo, hi)) in bars.iter().enumerate() {
            self = self.points(&[x, x], &[lo, hi], Mark::Line, color);
            if i == 0 {
                self = self.label(label);
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A download: the server (10.0.0.2:80) sends 4 data segments (the third one retransmitted
    /// later as the fifth), the client (10.0.0.1:5000) sends the request and ACKs.
    pub(super) fn download() -> DataFrame {
        df!(
            "frame.number" => [1u64, 2, 3, 4, 5, 6, 7, 8, 9],
            "frame.time_relative" => [0.0f64, 0.1, 0.2, 0.25, 0.3, 0.35, 0.5, 0.6, 0.7],
            "tcp.stream" => [0u32; 9],
            "ip.src" => ["10.0.0.1", "10.0.0.2", "10.0.0.2", "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2"],
            "tcp.srcport" => [5000u16, 80, 80, 5000, 80, 5000, 80, 5000, 80],
            "tcp.dstport" => [80u16, 5000, 5000, 80, 5000, 80, 5000, 80, 5000],
            "tcp.seq" => [1u32, 1, 1001, 101, 2001, 101, 1001, 101, 3001],
            "tcp.nxtseq" => [101u32, 1001, 2001, 101, 3001, 101, 2001, 101, 3501],
            "tcp.len" => [100u32, 1000, 1000, 0, 1000, 0, 1000, 0, 500],
            "tcp.ack" => [1u32, 101, 101, 1001, 101, 1001, 101, 3001, 101],
            "tcp.flags.ack" => [true, true, true, true, true, true, true, true, true],
            "tcp.window_size" => [8000u32, 6000, 6000, 4000, 6000, 4000, 6000, 5000, 6000],
            "tcp.analysis.retransmission" => [None, None, None, None, None, None, Some(true), None, None],
            "tcp.analysis.ack_rtt" => [None, Some(0.1), None, Some(0.15), None, None, None, Some(0.1), None],
            "tcp.analysis.acks_frame" => [None, Some(1u64), None, Some(2), None, None, None, Some(7), None],
            "tcp.analysis.bytes_in_flight" => [Some(100u32), Some(1000), Some(2000), None, Some(2000), None, Some(1000), None, Some(500)],
            "tcp.options.sack_le" => [None, None, None, None, None, Some(2001u32), None, None, None],
            "tcp.options.sack_re" => [None, None, None, None, None, Some(3001u32), None, None, None],
        )
        .unwrap()
    }

    fn graph() -> TcpGraph {
        TcpGraph::new(&download(), 0).unwrap()
    }

    #[test]
    fn the_largest_sender_is_graphed_and_reverse_swaps() {
        let g = graph();
        assert_eq!(g.sender().to_string(), "10.0.0.2:80");
        assert_eq!(g.receiver().to_string(), "10.0.0.1:5000");
        let r = g.reverse();
        assert_eq!(r.sender().to_string(), "10.0.0.1:5000");
        assert_eq!(r.stevens_points().0, vec![(0.0, 1.0), (0.25, 101.0), (0.35, 101.0), (0.6, 101.0)]);
        assert!(TcpGraph::new(&download(), 7).unwrap_err().to_string().contains("no frames"));
    }

    #[test]
    fn stevens_splits_retransmissions() {
        let (sent, resent) = graph().stevens_points();
        assert_eq!(sent, vec![(0.1, 1.0), (0.2, 1001.0), (0.3, 2001.0), (0.7, 3001.0)]);
        assert_eq!(resent, vec![(0.5, 1001.0)]);
    }

    #[test]
    fn tcptrace_ack_window_sack_and_bars() {
        let d = graph().tcptrace_data();
        assert_eq!(
            d.segments,
            vec![(0.1, 1.0, 1001.0), (0.2, 1001.0, 2001.0), (0.3, 2001.0, 3001.0), (0.7, 3001.0, 3501.0)]
        );
        assert_eq!(d.retransmissions, vec![(0.5, 1001.0, 2001.0)]);
        assert_eq!(d.acks, vec![(0.0, 1.0), (0.25, 1001.0), (0.35, 1001.0), (0.6, 3001.0)]);
        assert_eq!(d.window, vec![(0.0, 8001.0), (0.25, 5001.0), (0.35, 5001.0), (0.6, 8001.0)]);
        assert_eq!(d.sacks, vec![(0.35, 2001.0, 3001.0)]);
        assert_eq!(
            steps(&d.acks),
            vec![(0.0, 1.0), (0.25, 1.0), (0.25, 1001.0), (0.35, 1001.0), (0.35, 1001.0), (0.6, 1001.0), (0.6, 3001.0)]
        );
    }

    #[test]
    fn tcptrace_acks_need_the_ack_flag() {
        let mut df = download();
        df.with_column(Column::new("tcp.flags.ack".into(), [false, true, true, true, true, true, true, true, true]))
            .unwrap();
        let d = TcpGraph::new(&df, 0).unwrap().tcptrace_data();
        assert_eq!(d.acks.first(), Some(&(0.25, 1001.0)));
    }

    #[test]
    fn throughput_by_hand() {
        // Data segments of 10.0.0.2: t = 0.1, 0.2, 0.3, 0.5 (retransmitted), 0.7 with
        // 1000, 1000, 1000, 1000, 500 bytes.
        let t = graph().average_over(2).throughput_data();
        let close = |a: &[(f64, f64)], b: &[(f64, f64)]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x.0 - y.0).abs() < 1e-9 && (x.1 - y.1).abs() < 1e-6)
        };
        // Per segment: bytes * 8 / time since the previous data segment.
        let per = [(0.2, 80_000.0), (0.3, 80_000.0), (0.5, 40_000.0), (0.7, 20_000.0)];
        assert!(close(&t.per_segment, &per), "{:?}", t.per_segment);
        // Over 2 segments: (1000+1000)*8/0.2 at 0.3, (1000+1000)*8/0.3 at 0.5, (1000+500)*8/0.4 at 0.7;
        // at 0.2 only one segment is behind: 1000*8/0.1.
        let avg = [(0.2, 80_000.0), (0.3, 80_000.0), (0.5, 16_000.0 / 0.3), (0.7, 30_000.0)];
        assert!(close(&t.average, &avg), "{:?}", t.average);
        // Goodput leaves the retransmission's 1000 bytes out.
        let good = [(0.2, 80_000.0), (0.3, 80_000.0), (0.5, 8_000.0 / 0.3), (0.7, 10_000.0)];
        assert!(close(&t.goodput, &good), "{:?}", t.goodput);
        // The default average spans the whole (short) stream: 3500 bytes over 0.6 s.
        let whole = graph().throughput_data().average;
        assert!((whole.last().unwrap().1 - 3500.0 * 8.0 / 0.6).abs() < 1e-6);
        assert_eq!(bit_rate(&[1.0, 1.0], &[10.0, 10.0], 1, 1), None, "no time passed");
        assert_eq!(bit_rate_unit(2.5e6), (1e6, "Mbit/s"));
    }

    #[test]
    fn rtt_x_is_the_acknowledged_segments_seq() {
        let g = graph();
        // Frame 4 ACKs frame 2 (seq 1), frame 8 ACKs frame 7 (seq 1001); frame 2's RTT belongs
        // to the other direction.
        assert_eq!(g.rtt_points(), vec![(1.0, 150.0), (1001.0, 100.0)]);
        assert_eq!(g.clone().rtt_against_time(true).rtt_points(), vec![(0.25, 150.0), (0.6, 100.0)]);
        // Reversed: frame 2 ACKs frame 1 (seq 1 of the client).
        assert_eq!(g.reverse().rtt_points(), vec![(1.0, 100.0)]);
    }

    #[test]
    fn window_scaling_points() {
        let (window, in_flight) = graph().window_points();
        assert_eq!(window, vec![(0.0, 8000.0), (0.25, 4000.0), (0.35, 4000.0), (0.6, 5000.0)]);
        assert_eq!(in_flight, vec![(0.1, 1000.0), (0.2, 2000.0), (0.3, 2000.0), (0.5, 1000.0), (0.7, 500.0)]);
    }

    #[test]
    fn every_graph_draws_with_its_title() {
        let g = graph();
        for (name, title, figure) in [
            ("stevens", "Sequence numbers (Stevens)", g.stevens()),
            ("tcptrace", "Sequence numbers (tcptrace)", g.tcptrace()),
            ("throughput", "Throughput", g.throughput()),
            ("rtt", "Round-trip time", g.rtt()),
            ("window_scaling", "Window scaling", g.window_scaling()),
        ] {
            let svg = figure.unwrap().svg().to_owned();
            assert!(svg.starts_with("<svg") && svg.len() > 1000, "{name}");
            assert!(svg.contains(title) && svg.contains("10.0.0.2:80 → 10.0.0.1:5000 (tcp.stream 0)"), "{name}");
        }
        assert_eq!(g.all().unwrap().len(), 5);
    }

    #[test]
    fn a_missing_column_is_named() {
        let df = download().drop("tcp.analysis.ack_rtt").unwrap();
        let err = TcpGraph::new(&df, 0).unwrap().rtt().unwrap_err().to_string();
        assert!(err.contains("tcp.analysis.ack_rtt"), "{err}");
        let err = TcpGraph::new(&df.drop("tcp.stream").unwrap(), 0).unwrap_err().to_string();
        assert!(err.contains("tcp.stream"), "{err}");
    }

    /// The new names resolve next to polars' prelude (no ambiguity).
    #[test]
    fn prelude_names_resolve() {
        use crate::prelude::*;
        let _: Option<(TcpGraph, Endpoint)> = None;
        let _ = (expert_info, EXPERT_FLAGS, |p: &str| expert_info_capture(p));
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
    }

    #[test]
    fn fixture_stream_0_graphs() {
        let g = TcpGraph::from_capture(fixture("edge-tcp-analysis.pcap"), 0).unwrap();
        // The download's data flows from the server.
        assert_eq!(g.sender().port, 80);
        for (name, figure) in g.all().unwrap() {
            assert!(figure.svg().contains("tcp.stream 0"), "{name}");
        }
        assert!(!g.tcptrace_data().retransmissions.is_empty());
        assert!(!g.rtt_points().is_empty());
    }

    /// Writes the five graphs of the fixture's stream 0 to /tmp/graphs/ to look at them:
    /// `cargo test --release -p pcapframe --features notebook --lib write_graphs -- --ignored`.
    #[test]
    #[ignore]
    fn write_graphs() {
        std::fs::create_dir_all("/tmp/graphs").unwrap();
        let g = TcpGraph::from_capture(fixture("edge-tcp-analysis.pcap"), 0).unwrap();
        for (name, figure) in g.all().unwrap() {
            figure.save(format!("/tmp/graphs/{name}.svg")).unwrap();
        }
        let g = g.rtt_against_time(true);
        g.rtt().unwrap().save("/tmp/graphs/rtt_by_time.svg").unwrap();
        if fixture("dorm-room.pcap").exists() {
            let g = TcpGraph::from_capture(fixture("dorm-room.pcap"), 10).unwrap();
            for (name, figure) in g.all().unwrap() {
                figure.save(format!("/tmp/graphs/dorm-room-10-{name}.svg")).unwrap();
            }
        }
    }
}
