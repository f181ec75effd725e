//! tshark's HTTP and DNS counter trees (`-z http,tree`, `-z dns,tree`) as DataFrames, in one
//! streaming pass over a capture.
//!
//! Both are laid out as [`StatsTree`] prints them: `topic`, `parent`, `depth`, `count`, in
//! tshark's row order. What tshark 4.0 counts, learnt from its output:
//!
//! - **HTTP**: every request and response message, SSDP's over UDP included, under "Total HTTP
//!   Packets"; a frame of HTTP data that carries no message (a continuation) counts once as
//!   "Other HTTP Packets". Requests count by method (`M-SEARCH` shows as `SEARCH`); responses by
//!   class ("2xx: Success") and code with tshark's phrase ("200 OK"). A code tshark has no phrase
//!   for shows as "N Success - Others" (and the like) when N ends in 99, else as "Unknown (N)";
//!   codes below 100 or from 600 on count under "???: broken". The six classes, and the three
//!   message kinds, are always shown, with count 0 when nothing counted.
//! - **DNS**: every DNS message on port 53 (UDP or TCP; not mDNS nor LLMNR), under "Total
//!   Packets", by rcode, opcode, query or response, and the type and class of its first
//!   question. tshark's further rows (payload size, query and response statistics, service
//!   response times) are not reproduced: they carry averages, minima and maxima rather than
//!   counts, or label statistics pcapframe has no fields for.

use std::path::Path;

use polars::prelude::*;

use super::stats_tree::StatsTree;
use crate::error::Result;
use crate::fields::{Field, FieldSet, FrameValues, Layer, Value};
use crate::limits::Limits;
use crate::scan::Scanner;

/// Reads every frame of `capture` with the `wanted` fields, passing each to `each`.
fn for_each_frame(capture: &Path, wanted: &[Field], mut each: impl FnMut(&FrameValues)) -> Result<()> {
    let mut scanner = Scanner::open(capture, wanted.iter().copied().collect::<FieldSet>(), Limits::default())?;
    while let Some(frame) = scanner.next_frame()? {
        each(frame);
    }
    Ok(())
}

/// The response classes tshark shows, in the order it creates them.
const HTTP_CLASSES: [&str; 6] =
    ["1xx: Informational", "2xx: Success", "3xx: Redirection", "4xx: Client Error", "5xx: Server Error", "???: broken"];

/// `tshark -z http,tree` as a DataFrame (see the [module documentation](self)).
///
/// Columns: `topic` (e.g. "Total HTTP Packets", "2xx: Success", "200 OK", "GET"), `parent` (the
/// topic it counts under; null for the total), `depth` (tshark's indentation, 0 for the total)
/// and `count`.
pub fn http_tree(capture: impl AsRef<Path>) -> Result<DataFrame> {
    let mut tree = StatsTree::default();
    let total = tree.topic(None, "Total HTTP Packets");
    let requests = tree.topic(Some(total), "HTTP Request Packets");
    let responses = tree.topic(Some(total), "HTTP Response Packets");
    let other = tree.topic(Some(total), "Other HTTP Packets");
    let classes = HTTP_CLASSES.map(|c| tree.topic(Some(responses), c));
    let wanted = [Field::HttpRequestMethod, Field::HttpResponseCode];
    let mut text = String::new();
    for_each_frame(capture.as_ref(), &wanted, |frame| {
        let mut messages = 0;
        for &(field, value) in frame.items() {
            match (field, value) {
                (Field::HttpRequestMethod, _) => {
                    text.clear();
                    frame.write_text(field, value, &mut text);
                    tree.count(requests);
                    tree.count_child(requests, method_topic(&text));
                }
                (Field::HttpResponseCode, Value::UInt(code)) => {
                    tree.count(responses);
                    let class = classes[class_index(code)];
                    tree.count(class);
                    tree.count_child(class, &code_topic(code));
                }
                _ => continue,
            }
            messages += 1;
        }
        let http_data = frame.has_layer(Layer::Http) == Some(true) || frame.has_layer(Layer::Ssdp) == Some(true);
        if messages == 0 && http_data {
            tree.count(other);
            messages = 1;
        }
        for _ in 0..messages {
            tree.count(total);
        }
    })?;
    tree.into_frame()
}

/// A request method as tshark's tree names it.
fn method_topic(method: &str) -> &str {
    method.strip_prefix("M-").unwrap_or(method)
}

/// The index in [`HTTP_CLASSES`] of a response code.
fn class_index(code: u64) -> usize {
    match code {
        100..=599 => (code / 100 - 1) as usize,
        _ => 5,
    }
}

/// A response code as tshark's tree names it: "200 OK", "299 Success - Others", "700 Unknown
/// (700)".
fn code_topic(code: u64) -> String {
    if let Some(phrase) = http_phrase(code) {
        return format!("{code} {phrase}");
    }
    let class = match code {
        100..=599 if code % 100 == 99 => HTTP_CLASSES[class_index(code)].split_once(": ").map(|(_, c)| c),
        _ => None,
    };
    match class {
        Some(class) => format!("{code} {class} - Others"),
        None => format!("{code} Unknown ({code})"),
    }
}

/// The status phrases tshark 4.0 knows (read from its `-z http,tree` output for every code
/// from 100 to 599).
fn http_phrase(code: u64) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Time-out",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Time-out",
        505 => "HTTP Version not supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

/// The tallies of one DNS message, read from its fields.
#[derive(Debug, Default, Clone, Copy)]
struct DnsMessage {
    response: Option<bool>,
    opcode: Option<u64>,
    rcode: Option<u64>,
    qtype: Option<u64>,
    qclass: Option<u64>,
}

/// The DNS messages of one frame, in order (each begins with its `dns.id`).
fn dns_messages(frame: &FrameValues, out: &mut Vec<DnsMessage>) {
    out.clear();
    for &(field, value) in frame.items() {
        if field == Field::DnsId {
            out.push(DnsMessage::default());
            continue;
        }
        let Some(m) = out.last_mut() else { continue };
        match (field, value) {
            (Field::DnsFlagsResponse, Value::Bool(b)) => m.response = Some(b),
            (Field::DnsFlagsResponse, Value::UInt(n)) => m.response = Some(n != 0),
            (Field::DnsFlagsOpcode, Value::UInt(n)) => m.opcode = Some(n),
            (Field::DnsFlagsRcode, Value::UInt(n)) => m.rcode = Some(n),
            (Field::DnsQryType, Value::UInt(n)) => _ = m.qtype.get_or_insert(n),
            (Field::DnsQryClass, Value::UInt(n)) => _ = m.qclass.get_or_insert(n),
            _ => {}
        }
    }
}

/// `tshark -z dns,tree` as a DataFrame: its counts (see the [module documentation](self)).
///
/// Columns: `topic` (e.g. "Total Packets", "rcode", "No error", "Query Type", "A (Host
/// Address)"), `parent` (null for the total), `depth` and `count`.
pub fn dns_tree(capture: impl AsRef<Path>) -> Result<DataFrame> {
    let mut tree = StatsTree::default();
    let total = tree.topic(None, "Total Packets");
    let [rcodes, opcodes, kinds, types, classes] =
        ["rcode", "opcodes", "Query/Response", "Query Type", "Class"].map(|name| tree.topic(Some(total), name));
    let wanted = [
        Field::DnsId,
        Field::DnsFlagsResponse,
        Field::DnsFlagsOpcode,
        Field::DnsFlagsRcode,
        Field::DnsQryType,
        Field::DnsQryClass,
    ];
    let mut messages = Vec::new();
    for_each_frame(capture.as_ref(), &wanted, |frame| {
        if frame.has_layer(Layer::Dns) != Some(true) {
            return; // mDNS and LLMNR have their own statistics
        }
        dns_messages(frame, &mut messages);
        for m in &messages {
            tree.count(total);
            let mut count = |topic: usize, name: Option<String>| {
                if let Some(name) = name {
                    tree.count(topic);
                    tree.count_child(topic, &name);
                }
            };
            // pcapframe shows no rcode on a query; tshark counts its (zero) bits.
            count(rcodes, Some(rcode_name(m.rcode.unwrap_or(0))));
            count(opcodes, m.opcode.map(opcode_name));
            count(kinds, m.response.map(|r| if r { "Response" } else { "Query" }.to_owned()));
            count(types, m.qtype.map(type_name));
            count(classes, m.qclass.map(class_name));
        }
    })?;
    tree.into_frame()
}

/// An rcode as tshark names it.
fn rcode_name(rcode: u64) -> String {
    let name = match rcode {
        0 => "No error",
        1 => "Format error",
        2 => "Server failure",
        3 => "No such name",
        4 => "Not implemented",
        5 => "Refused",
        6 => "Name exists",
        7 => "RRset exists",
        8 => "RRset does not exist",
        9 => "Not authoritative",
        10 => "Name out of zone",
        11 => "DSO-Type not implemented",
        _ => return format!("Unknown rcode ({rcode})"),
    };
    name.to_owned()
}

/// An opcode as tshark names it.
fn opcode_name(opcode: u64) -> String {
    let name = match opcode {
        0 => "Standard query",
        1 => "Inverse query",
        2 => "Server status request",
        4 => "Zone change notification",
        5 => "Dynamic update",
        6 => "DNS Stateful operations (DSO)",
        _ => return format!("Unknown opcode ({opcode})"),
    };
    name.to_owned()
}

/// A query class as tshark names it.
fn class_name(class: u64) -> String {
    let name = match class {
        1 => "IN",
        2 => "CS",
        3 => "CH",
        4 => "HS",
        254 => "NONE",
        255 => "ANY",
        _ => return format!("Unknown class ({class})"),
    };
    name.to_owned()
}

/// A query type as tshark's DNS tree names it.
fn type_name(qtype: u64) -> String {
    let name = match qtype {
        1 => "A (Host Address)",
        2 => "NS (authoritative Name Server)",
        3 => "MD (Mail Destination)",
        5 => "CNAME (Canonical NAME for an alias)",
        6 => "SOA (Start Of a zone of Authority)",
        7 => "MB (MailBox domain name)",
        10 => "NULL RR",
        12 => "PTR (domain name PoinTeR)",
        13 => "HINFO (host information)",
        15 => "MX (Mail eXchange)",
        16 => "TXT (Text strings)",
        17 => "RP (Responsible Person)",
        24 => "SIG (security signature)",
        25 => "KEY (security key)",
        28 => "AAAA (IPv6 Address)",
        29 => "LOC (Location Information)",
        33 => "SRV (Server Selection)",
        35 => "NAPTR (Naming Authority Pointer)",
        39 => "DNAME",
        41 => "OPT",
        43 => "DS (Delegation Signer)",
        44 => "SSHFP (SSH Key Fingerprint)",
        46 => "RRSIG (Resource Record Signature)",
        47 => "NSEC (Next Secure)",
        48 => "DNSKEY (DNS Public Key)",
        50 => "NSEC3",
        52 => "TLSA",
        59 => "CDS (Child DS)",
        60 => "CDNSKEY (DNSKEY(s) the Child wants reflected in DS)",
        61 => "OPENPGPKEY (OpenPGP Key)",
        62 => "CSYNC (Child-to-Parent Synchronization)",
        64 => "SVCB (General Purpose Service Endpoints)",
        65 => "HTTPS (HTTPS Specific Service Endpoints)",
        99 => "SPF",
        108 => "EUI48",
        109 => "EUI64",
        249 => "TKEY (Transaction Key)",
        250 => "TSIG (Transaction Signature)",
        251 => "IXFR (incremental transfer)",
        252 => "AXFR (transfer of an entire zone)",
        253 => "MAILB (mailbox-related RRs)",
        254 => "MAILA (mail agent RRs)",
        255 => "* (A request for all records the server/cache has available)",
        256 => "URI",
        257 => "CAA (Certification Authority Restriction)",
        32769 => "DLV (DNSSEC Lookaside Validation)",
        _ => return format!("Unknown packet type ({qtype})"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
    }

    fn rows(df: &DataFrame) -> Vec<(String, u64)> {
        let topics = df.column("topic").unwrap().str().unwrap();
        let counts = df.column("count").unwrap().u64().unwrap();
        (0..df.height()).map(|i| (topics.get(i).unwrap_or("").to_owned(), counts.get(i).unwrap_or(0))).collect()
    }

    #[test]
    fn response_codes_are_named_as_tshark_names_them() {
        assert_eq!(code_topic(200), "200 OK");
        assert_eq!(code_topic(299), "299 Success - Others");
        assert_eq!(code_topic(104), "104 Unknown (104)");
        assert_eq!(code_topic(700), "700 Unknown (700)");
        assert_eq!(class_index(700), 5);
        assert_eq!(method_topic("M-SEARCH"), "SEARCH");
    }

    #[test]
    fn the_dorm_room_http_tree() {
        let df = http_tree(fixture("dorm-room.pcap")).unwrap();
        let rows = rows(&df);
        assert_eq!(rows[0], ("Total HTTP Packets".to_owned(), 76));
        assert!(rows.contains(&("200 OK".to_owned(), 38)));
        assert!(rows.contains(&("GET".to_owned(), 36)));
        assert!(rows.contains(&("POST".to_owned(), 2)));
        assert_eq!(df.height(), 13);
    }

    #[test]
    fn the_dorm_room_dns_tree() {
        let df = dns_tree(fixture("dorm-room.pcap")).unwrap();
        let rows = rows(&df);
        let expected = [
            ("Total Packets", 72),
            ("rcode", 72),
            ("No error", 72),
            ("opcodes", 72),
            ("Standard query", 72),
            ("Query/Response", 72),
            ("Response", 36),
            ("Query", 36),
            ("Query Type", 72),
            ("A (Host Address)", 72),
            ("Class", 72),
            ("IN", 72),
        ];
        assert_eq!(rows, expected.map(|(t, c)| (t.to_owned(), c)));
    }

    #[test]
    fn a_missing_capture_is_an_error() {
        assert!(http_tree("/nonexistent.pcap").is_err());
        assert!(dns_tree("/nonexistent.pcap").is_err());
    }
}
