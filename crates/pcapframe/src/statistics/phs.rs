//! Protocol hierarchy statistics (`tshark -q -z io,phs`) as a DataFrame, in one streaming pass.
//!
//! tshark nests the protocols of each frame's dissection in the order they appear (leaving out
//! `frame`), and counts every frame, with its whole length, under each node of its path. Nodes
//! are listed depth first, children in the order they first occur. What it shows, learnt from
//! its output, and how pcapframe rebuilds each frame's path from the fields it decodes:
//!
//! - Link layers by name (`eth`, `sll` for SLL and SLL2, `null`, `raw` for raw IP, `ppi`,
//!   `radiotap`, `wlan_radio`, `wlan`, `llc`, `vlan`, `ieee8021ad` for an 802.1ad tag, `mpls`
//!   once per label, `pppoed`/`pppoes`, `ppp` then `lcp`, `ipcp`, `ipv6cp`, `pap`, `chap` for
//!   its control protocols); `wlan.mgt` for an 802.11 management frame, `stp` for LLC SAP 0x42.
//! - `ip`, `ipv6`, `arp`, `icmp`, `icmpv6`, `igmp` (IP protocol 2), `gre` (`erspan` before the
//!   Ethernet frame it carries), `udp`, `tcp`, `vxlan`, `geneve`, `teredo` and `gtp` (by port,
//!   when IP follows UDP directly).
//! - The packet an ICMP error quotes is inside ICMP's tree, not a level of its own; what the
//!   quoted UDP datagram carries is (as `data` when it carries anything).
//! - Applications pcapframe decodes: `dns`, `mdns`, `llmnr`, `http`, `ssdp`, `tls` (`quic` over
//!   UDP), `dhcp`, `ftp` (always followed by `ftp.current-working-directory`), `smtp`; a few
//!   that tshark recognises by port over UDP (`ntp`, `quake3`, `nbns`); an HTTP body by its
//!   content type (`data-text-lines`, `json`, `xml`, `urlencoded-form`, `image-jfif`,
//!   `image-gif`, `png`, `data` for `application/octet-stream`, else `media`; a body without
//!   a content type stays inside HTTP's tree).
//! - `data` for a payload no dissector takes: an IP payload without a transport (a fragment
//!   not yet reassembled), a UDP payload, or a TCP payload outside a connection of a decoded
//!   application.
//! - `tcp.segments` after an application message reassembled from several segments, and
//!   `_ws.short` at the end of a frame the snaplen cut short within an application message (a
//!   payload shown as `data` does not run short).
//!
//! Rule for what pcapframe does not decode: the path ends at the deepest layer pcapframe
//! decodes, followed by `data` where the layer below has a payload. Captures where tshark
//! decodes further (SMB, NetBIOS datagrams, Kerberos, ...) or marks a frame malformed are
//! listed in `parity/statistics-differences.tsv`.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use crate::capture::{CaptureReader, RecordKind};
use crate::dissect::Dissector;
use crate::error::{Error, Result};
use crate::fields::{Field, FieldSet, FrameValues, Layer, Value, FIELDS};
use crate::limits::Limits;

/// Link types whose frames begin with a layer that has no fields.
const LINKTYPE_RAW: u32 = 101;
const LINKTYPE_PPI: u32 = 192;
/// PPP in HDLC framing, whose frames may be Cisco HDLC (`chdlc`) instead.
const LINKTYPE_PPP_HDLC: u32 = 50;

/// One protocol layer of a frame: its protocol, the field that opened it and its values.
#[derive(Debug, Clone)]
struct Proto {
    name: &'static str,
    opening: Field,
    values: Vec<(Field, Value)>,
    /// Part of the packet an ICMP error quotes.
    quoted: bool,
}

impl Proto {
    fn get(&self, field: Field) -> Option<Value> {
        self.values.iter().find(|(f, _)| *f == field).map(|&(_, v)| v)
    }

    fn uint(&self, field: Field) -> Option<u64> {
        match self.get(field) {
            Some(Value::UInt(n)) => Some(n),
            Some(Value::Bool(b)) => Some(u64::from(b)),
            _ => None,
        }
    }

    fn count(&self, field: Field) -> usize {
        self.values.iter().filter(|(f, _)| *f == field).count()
    }
}

/// Splits a frame's values into protocol layers: a field of a protocol not seen yet opens a
/// layer, and so does the field that opened an earlier layer of the same protocol (a tunnel's
/// inner header, a second message); any other field belongs to the latest layer of its
/// protocol (late fields such as `eth.trailer` or `tcp.stream`).
fn split_layers(frame: &FrameValues, out: &mut Vec<Proto>) {
    out.clear();
    let mut quoted = false;
    for &(field, value) in frame.items() {
        let name = field.def().protocol;
        // tshark shows `ip.version` in IPv6 headers too.
        if name == "frame" || (field == Field::IpVersion && value == Value::UInt(6)) {
            continue;
        }
        let latest = out.iter().rposition(|p| p.name == name);
        match latest {
            Some(i) if out[i].opening != field || name == "tls" => out[i].values.push((field, value)),
            _ => {
                out.push(Proto { name, opening: field, values: vec![(field, value)], quoted });
                if matches!(name, "icmp" | "icmpv6") {
                    quoted = true;
                }
            }
        }
    }
}

/// Cross-frame state: which TCP connections carry an application, and the segments each
/// direction sent since its last complete message.
#[derive(Debug, Default)]
struct Streams {
    app: HashMap<u64, bool>,
    pending: HashMap<(u64, u64), u32>,
}

/// TCP ports whose connections tshark hands to a dissector that pcapframe also decodes.
const APP_PORTS: [u16; 8] = [21, 25, 53, 80, 443, 587, 8080, 8443];

/// UDP ports tshark recognises whose protocol pcapframe does not decode (a payload on them is
/// named, not `data`).
fn udp_port_name(port: u64) -> Option<&'static str> {
    Some(match port {
        123 => "ntp",
        137 => "nbns",
        27950..=27965 => "quake3",
        _ => return None,
    })
}

/// The name of an HTTP body's dissector, from its media type (learnt from tshark's output).
fn body_name(content_type: &str) -> &'static str {
    let ty = content_type;
    let ty = ty.split([';', ',']).next().unwrap_or("").trim().to_ascii_lowercase();
    match ty.as_str() {
        "application/x-www-form-urlencoded" => "urlencoded-form",
        "application/json" => "json",
        "text/xml" | "application/xml" | "image/svg+xml" => "xml",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "image-jfif",
        "image/gif" => "image-gif",
        "image/png" => "png",
        "text/html" | "text/plain" | "text/css" | "text/javascript" | "application/x-javascript" => "data-text-lines",
        "application/octet-stream" => "data",
        _ => "media",
    }
}

fn is_application(name: &str) -> bool {
    matches!(name, "dns" | "http" | "tls" | "ftp" | "smtp" | "dhcp")
}

/// One frame's path, built from its layers.
struct PathBuilder<'a> {
    frame: &'a FrameValues,
    names: Vec<&'static str>,
    text: String,
}

impl PathBuilder<'_> {
    fn text_of(&mut self, p: &Proto, field: Field) -> Option<String> {
        let v = p.get(field)?;
        self.text.clear();
        self.frame.write_text(field, v, &mut self.text);
        Some(self.text.clone())
    }

    /// Names one layer (and the layers it implies), given the layer after it.
    fn layer(&mut self, p: &Proto, next: Option<&Proto>) {
        let next_name = next.map(|n| n.name);
        match p.name {
            "eth" => {
                self.names.push("eth");
                if p.uint(Field::EthType) == Some(0x88a8) {
                    self.names.push("ieee8021ad");
                }
            }
            "pppoe" => {}
            "ppp" => {
                self.names.push("ppp");
                if next.is_none() {
                    if let Some(name) = p.uint(Field::PppProtocol).and_then(ppp_control) {
                        self.names.push(name);
                    }
                }
            }
            "llc" => {
                self.names.push("llc");
                if next.is_none() && p.uint(Field::LlcDsap) == Some(0x42) {
                    self.names.push("stp");
                }
            }
            "wlan" => {
                self.names.push("wlan");
                let subtype = p.uint(Field::WlanFcTypeSubtype).unwrap_or(0);
                if next.is_none() && subtype < 0x10 {
                    self.names.push("wlan.mgt");
                } else if next.is_none() && p.uint(Field::WlanFcProtected) == Some(1) {
                    self.names.push("data");
                }
            }
            "gre" => {
                self.names.push("gre");
                // ERSPAN types II and III.
                if matches!(p.uint(Field::GreProto), Some(0x88be | 0x22eb)) && next_name == Some("eth") {
                    self.names.push("erspan");
                }
            }
            "ip" => {
                self.names.push("ip");
                if next.is_none() {
                    let proto = p.uint(Field::IpProto);
                    let payload =
                        p.uint(Field::IpLen).unwrap_or(0).saturating_sub(p.uint(Field::IpHdrLen).unwrap_or(0));
                    if proto == Some(2) {
                        self.names.push("igmp");
                    } else if payload > 0 {
                        self.names.push("data");
                    }
                }
            }
            "ipv6" => {
                self.names.push("ipv6");
                if next.is_none() && p.uint(Field::Ipv6Plen).unwrap_or(0) > 0 {
                    self.names.push("data");
                }
            }
            "udp" => self.udp(p, next),
            "dns" => self.names.push(if self.frame.has_layer(Layer::Mdns) == Some(true) {
                "mdns"
            } else if self.frame.has_layer(Layer::Llmnr) == Some(true) {
                "llmnr"
            } else {
                "dns"
            }),
            "http" => {
                let ssdp = self.frame.has_layer(Layer::Ssdp) == Some(true);
                self.names.push(if ssdp { "ssdp" } else { "http" });
                // A body without a content type stays in HTTP's tree.
                if let (false, Some(_), Some(ty)) =
                    (ssdp, p.get(Field::HttpFileData), self.text_of(p, Field::HttpContentType))
                {
                    self.names.push(body_name(&ty));
                }
            }
            "ftp" => self.names.extend(["ftp", "ftp.current-working-directory"]),
            other => self.names.push(other),
        }
    }

    fn udp(&mut self, p: &Proto, next: Option<&Proto>) {
        self.names.push("udp");
        let ports = [p.uint(Field::UdpSrcport), p.uint(Field::UdpDstport)];
        let has = |port: u64| ports.contains(&Some(port));
        match next.map(|n| n.name) {
            Some("ip" | "ipv6") if has(3544) => self.names.push("teredo"),
            Some("ip" | "ipv6") if has(2152) => self.names.push("gtp"),
            None if p.uint(Field::UdpLength).unwrap_or(0) > 8 => {
                let named = ports.iter().flatten().find_map(|&port| udp_port_name(port));
                self.names.push(named.unwrap_or("data"));
            }
            _ => {}
        }
    }
}

/// The protocol names of PPP's control protocols.
fn ppp_control(protocol: u64) -> Option<&'static str> {
    Some(match protocol {
        0xc021 => "lcp",
        0x8021 => "ipcp",
        0x8057 => "ipv6cp",
        0xc023 => "pap",
        0xc223 => "chap",
        _ => return None,
    })
}

/// The path of one frame: its protocol names, outermost first.
fn frame_path(
    frame: &FrameValues,
    link_type: u32,
    kind: RecordKind,
    layers: &[Proto],
    streams: &mut Streams,
) -> Vec<&'static str> {
    let mut b = PathBuilder { frame, names: Vec::new(), text: String::new() };
    if kind == RecordKind::Custom {
        b.names.push("data");
        return b.names;
    }
    match link_type {
        LINKTYPE_RAW => b.names.push("raw"),
        LINKTYPE_PPI => b.names.push("ppi"),
        LINKTYPE_PPP_HDLC if !layers.iter().any(|p| p.name == "ppp") => b.names.push("chdlc"),
        _ => {}
    }
    let visible: Vec<&Proto> = layers.iter().filter(|p| !p.quoted).collect();
    for (i, p) in visible.iter().enumerate() {
        if p.name == "pppoe" {
            let discovery = visible[..i].iter().rev().find_map(|l| l.uint(Field::EthType)) == Some(0x8863);
            b.names.push(if discovery { "pppoed" } else { "pppoes" });
            continue;
        }
        if p.name == "tls" && visible[..i].iter().any(|l| l.name == "udp") {
            b.names.push("quic");
            continue;
        }
        b.layer(p, visible.get(i + 1).copied());
    }
    quoted_payload(layers, &mut b.names);
    http_continuation(frame, layers, &mut b.names);
    tcp_payload(layers, streams, &mut b.names);
    let len = frame.first(Field::FrameLen);
    let cap = frame.first(Field::FrameCapLen);
    if let (Some(Value::UInt(len)), Some(Value::UInt(cap))) = (len, cap) {
        // Only a message parser runs out of bytes; payload shown as data does not.
        if cap < len && b.names.iter().any(|n| is_application(n)) {
            b.names.push("_ws.short");
        }
    }
    b.names
}

/// A UDP datagram quoted by an ICMP error shows what it carries at the top level (`data`).
fn quoted_payload(layers: &[Proto], names: &mut Vec<&'static str>) {
    let Some(icmp) = layers.iter().position(|p| matches!(p.name, "icmp" | "icmpv6")) else { return };
    let inner = &layers[icmp + 1..];
    let Some(udp) = inner.iter().position(|p| p.name == "udp") else { return };
    // The bytes quoted: the outer IP payload less ICMP's 8 bytes, the inner IP header and UDP's.
    let outer = &layers[..icmp];
    let quoted_len = match outer.iter().rev().find(|p| matches!(p.name, "ip" | "ipv6")) {
        Some(ip) if ip.name == "ip" => {
            ip.uint(Field::IpLen).unwrap_or(0).saturating_sub(ip.uint(Field::IpHdrLen).unwrap_or(0))
        }
        Some(ip) => ip.uint(Field::Ipv6Plen).unwrap_or(0),
        None => 0,
    };
    let inner_header = match inner[..udp].iter().rev().find(|p| matches!(p.name, "ip" | "ipv6")) {
        Some(ip) if ip.name == "ip" => ip.uint(Field::IpHdrLen).unwrap_or(20),
        _ => 40,
    };
    if quoted_len > 8 + inner_header + 8 {
        names.push("data");
    }
}

/// A frame of HTTP data that carries no message (tshark's "Continuation").
fn http_continuation(frame: &FrameValues, layers: &[Proto], names: &mut Vec<&'static str>) {
    let marked = frame.has_layer(Layer::Http) == Some(true);
    if marked && !layers.iter().any(|p| p.name == "http") && names.last() == Some(&"tcp") {
        names.push("http");
    }
}

/// Names a TCP payload no application took (`data`, or nothing when it is part of a message
/// still being reassembled), and marks a message reassembled from several segments.
fn tcp_payload(layers: &[Proto], streams: &mut Streams, names: &mut Vec<&'static str>) {
    let Some(tcp) = layers.iter().find(|p| p.name == "tcp" && !p.quoted) else { return };
    let Some(stream) = tcp.uint(Field::TcpStream) else { return };
    let ports = [tcp.uint(Field::TcpSrcport).unwrap_or(0), tcp.uint(Field::TcpDstport).unwrap_or(0)];
    let key = (stream, ports[0]);
    let carries = names.iter().skip_while(|&&n| n != "tcp").skip(1).any(|n| is_application(n));
    let app = streams.app.entry(stream).or_insert(false);
    *app |= carries || ports.iter().any(|&p| u16::try_from(p).is_ok_and(|p| APP_PORTS.contains(&p)));
    let is_app = *app;
    // tshark hands a retransmitted segment to no dissector.
    let retransmitted = [
        Field::TcpAnalysisRetransmission,
        Field::TcpAnalysisFastRetransmission,
        Field::TcpAnalysisSpuriousRetransmission,
    ]
    .iter()
    .any(|&f| tcp.get(f).is_some());
    let payload = tcp.uint(Field::TcpLen).unwrap_or(0) > 0 && !retransmitted;
    let pending = streams.pending.entry(key).or_insert(0);
    if carries {
        if *pending > 0 {
            insert_segments(layers, names);
        }
        *pending = 0;
    } else if payload {
        *pending += 1;
        if !is_app && names.last() == Some(&"tcp") {
            names.push("data");
        }
    }
}

/// Puts `tcp.segments` after the first application message of the frame.
fn insert_segments(layers: &[Proto], names: &mut Vec<&'static str>) {
    let Some(first) = names.iter().position(|n| is_application(n)) else { return };
    let mut at = first + 1;
    while at < names.len() && !is_application(names[at]) && names[at] != "_ws.short" {
        at += 1;
    }
    let tls_records = layers.iter().find(|p| p.name == "tls").map_or(0, |p| p.count(Field::TlsRecordContentType));
    names.insert(at, "tcp.segments");
    if names[first] == "tls" && tls_records > 1 {
        names.insert(at + 1, "tls");
    }
}

/// One node of the hierarchy.
#[derive(Debug)]
struct Node {
    name: &'static str,
    parent: Option<usize>,
    frames: u64,
    bytes: u64,
}

/// The hierarchy: nodes in creation order.
#[derive(Debug, Default)]
struct Hierarchy {
    nodes: Vec<Node>,
    index: HashMap<(Option<usize>, &'static str), usize>,
}

impl Hierarchy {
    fn add(&mut self, path: &[&'static str], len: u64) {
        let mut parent = None;
        for &name in path {
            let nodes = &mut self.nodes;
            let i = *self.index.entry((parent, name)).or_insert_with(|| {
                nodes.push(Node { name, parent, frames: 0, bytes: 0 });
                nodes.len() - 1
            });
            self.nodes[i].frames += 1;
            self.nodes[i].bytes += len;
            parent = Some(i);
        }
    }

    /// Nodes depth first, children in creation order, with their depth.
    fn walk(&self) -> Vec<(usize, u32)> {
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        let mut roots = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            match n.parent {
                Some(p) => children[p].push(i),
                None => roots.push(i),
            }
        }
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<(usize, u32)> = roots.into_iter().rev().map(|i| (i, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            out.push((i, depth));
            stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
        }
        out
    }

    fn path_of(&self, mut i: usize) -> String {
        let mut names = vec![self.nodes[i].name];
        while let Some(p) = self.nodes[i].parent {
            names.push(self.nodes[p].name);
            i = p;
        }
        names.reverse();
        names.join(":")
    }

    fn into_frame(self) -> Result<DataFrame> {
        let rows = self.walk();
        let height = rows.len();
        let columns = vec![
            Column::new("protocol".into(), rows.iter().map(|&(i, _)| self.nodes[i].name).collect::<Vec<_>>()),
            Column::new("path".into(), rows.iter().map(|&(i, _)| self.path_of(i)).collect::<Vec<_>>()),
            Column::new("depth".into(), rows.iter().map(|&(_, d)| d).collect::<Vec<_>>()),
            Column::new("frames".into(), rows.iter().map(|&(i, _)| self.nodes[i].frames).collect::<Vec<_>>()),
            Column::new("bytes".into(), rows.iter().map(|&(i, _)| self.nodes[i].bytes).collect::<Vec<_>>()),
        ];
        Ok(DataFrame::new(height, columns)?)
    }
}

/// The fields the hierarchy reads: every field but TCP analysis (which costs, and opens no
/// layer) other than its retransmission flags.
fn wanted() -> FieldSet {
    let mut set = FieldSet::default();
    for (i, def) in FIELDS.iter().enumerate() {
        if !def.name.starts_with("tcp.analysis") {
            set.insert(Field::from_index(i));
        }
    }
    set.insert(Field::TcpAnalysisRetransmission);
    set.insert(Field::TcpAnalysisFastRetransmission);
    set.insert(Field::TcpAnalysisSpuriousRetransmission);
    set
}

/// `tshark -q -z io,phs` as a DataFrame: one row per node of the protocol hierarchy, in
/// tshark's order (depth first, children in the order they first occur).
///
/// Columns: `protocol` (tshark's short name: `eth`, `ip`, `tcp`, `http`, `data`, ...), `path`
/// (the names from the top, joined by `:`, e.g. `eth:ip:tcp:http`), `depth` (0 at the top, as
/// tshark's indentation), `frames` and `bytes` (frames whose path passes through the node, and
/// their lengths on the wire). See the [module documentation](self) for how paths are built.
pub fn protocol_hierarchy(capture: impl AsRef<Path>) -> Result<DataFrame> {
    let path = capture.as_ref();
    let file = File::open(path).map_err(|source| Error::Open { path: path.to_path_buf(), source })?;
    let limits = Limits::default();
    let mut reader = CaptureReader::new(file, limits.reader)?;
    let wanted = wanted();
    let mut dissector = Dissector::with_limits(&wanted, limits.tracking);
    let mut values = FrameValues::new(wanted);
    let mut hierarchy = Hierarchy::default();
    let mut streams = Streams::default();
    let mut layers = Vec::new();
    while let Some(record) = reader.next_record()? {
        let (link_type, kind) = (record.link_type, record.kind);
        dissector.dissect(&record, &mut values);
        split_layers(&values, &mut layers);
        let names = frame_path(&values, link_type, kind, &layers, &mut streams);
        let len = match values.first(Field::FrameLen) {
            Some(Value::UInt(n)) => n,
            _ => 0,
        };
        hierarchy.add(&names, len);
    }
    hierarchy.into_frame()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dorm_room_hierarchy() {
        let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/dorm-room.pcap");
        let df = protocol_hierarchy(capture).unwrap();
        let column = df.column("path").unwrap().str().unwrap();
        let paths: Vec<&str> = (0..df.height()).filter_map(|i| column.get(i)).collect();
        let frames: Vec<_> = df.column("frames").unwrap().u64().unwrap().into_no_null_iter().collect();
        let row = |p: &str| paths.iter().position(|&q| q == p).map(|i| frames[i]);
        assert_eq!(paths[0], "eth");
        assert_eq!(row("eth"), Some(15062));
        assert_eq!(row("eth:ip:udp:dns"), Some(72));
        assert_eq!(row("eth:ip:udp:quake3"), Some(11689));
        assert_eq!(row("eth:ip:tcp:http"), Some(76));
        assert_eq!(row("eth:arp"), Some(50));
        let bytes = df.column("bytes").unwrap().u64().unwrap().get(0);
        assert_eq!(bytes, Some(4_135_345));
    }

    #[test]
    fn body_names_follow_the_content_type() {
        assert_eq!(body_name("text/html; charset=utf-8"), "data-text-lines");
        assert_eq!(body_name("application/x-www-form-urlencoded"), "urlencoded-form");
        assert_eq!(body_name("application/octet-stream"), "data");
        assert_eq!(body_name("application/javascript"), "media");
    }

    #[test]
    fn a_missing_capture_is_an_error() {
        assert!(protocol_hierarchy("/nonexistent.pcap").is_err());
    }
}
