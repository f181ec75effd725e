//! HTTP/1.x messages over reassembled TCP, placed as tshark 4.0 places them: a message's fields
//! appear on the frame that completes its headers *and* its body (by Content-Length, the last
//! chunk, or, for a response with neither, the sender's FIN). Headers cut off by the end of the
//! capture give nothing.
//!
//! Written by hand rather than with httparse: tshark shows the fields of header blocks that a
//! strict parser rejects (odd bytes in values, bare `\n` line ends), and the framing rules
//! (HEAD, 1xx/204/304, until-FIN bodies) are tshark's, not a client's.

use std::io::Read;

use super::stream::{Delivery, Hold};
use super::Ctx;
use crate::fields::{Field, FrameValues, Layer, Value};

/// TCP ports HTTP is dissected on by default (other connections are HTTP when their first
/// data is an HTTP/1.x request or status line).
pub(crate) const PORTS: [u16; 12] = [80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371];

/// SSDP's UDP port: its datagrams are HTTP messages.
pub(crate) const SSDP_PORT: u16 = 1900;

/// The most bytes a compressed body is decoded to.
const MAX_DECODED_BYTES: usize = 64 << 20;

/// Request methods that make a line a request line.
const METHODS: [&str; 27] = [
    "GET",
    "POST",
    "HEAD",
    "PUT",
    "DELETE",
    "OPTIONS",
    "TRACE",
    "CONNECT",
    "PATCH",
    "M-SEARCH",
    "NOTIFY",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "SEARCH",
    "REPORT",
    "MKACTIVITY",
    "CHECKOUT",
    "MERGE",
    "POLL",
    "SOURCE",
];

/// A message body as Wireshark's "Export Objects > HTTP" takes it: every request or response
/// whose (de-chunked, decoded) body is not empty, or is an empty chunked body, and every
/// continuation's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BodyObject {
    /// `frame.number` of the frame that completed the message.
    pub frame: u64,
    /// The Host header of the request (for a response: of the last request).
    pub host: Option<Vec<u8>>,
    /// The message's Content-Type header.
    pub content_type: Option<Vec<u8>>,
    /// The request URI as sent (for a response or a continuation: the connection's last
    /// request's); none without a request.
    pub uri: Option<Vec<u8>>,
    /// The body.
    pub data: Vec<u8>,
}

/// A request awaiting its response.
#[derive(Debug, Clone)]
struct Request {
    frame: u64,
    time_ns: i64,
    head: bool,
}

/// HTTP state of one connection.
#[derive(Debug, Default)]
pub(crate) struct HttpConn {
    /// Each direction's bytes of a message not yet complete.
    pending: [Vec<u8>; 2],
    /// The last request not yet answered: tshark matches the next response with it (with
    /// pipelined requests, the last one; earlier ones get no response).
    last_request: Option<Request>,
    /// The full URI of the last request (for `http.response_for.uri`).
    last_uri: Option<String>,
    /// The last request's URI as sent and its Host header (for export objects).
    last_target: Option<(Vec<u8>, Option<Vec<u8>>)>,
    /// Data without a start line is shown as a body (on port 80; elsewhere it is left alone).
    continuations: bool,
    /// The last request was HTTP/0.9 (no version): its response is a bare body.
    http09: Option<usize>,
    /// Each direction's pending bytes hold no line end yet (so new data without one needs no parse).
    line_open: [bool; 2],
    /// Bytes each direction's pending message still needs, when its headers say.
    expected: [Option<usize>; 2],
}

/// The start line of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartLine<'a> {
    Request {
        method: &'a [u8],
        uri: &'a [u8],
        version: &'a [u8],
    },
    /// `code` is `None` only in a line cut short by the snaplen.
    Response {
        version: &'a [u8],
        code: Option<u16>,
        phrase: &'a [u8],
    },
}

impl HttpConn {
    /// A connection; `continuations`: show data without a start line as a body (port 80).
    pub fn new(continuations: bool) -> Self {
        HttpConn { continuations, ..HttpConn::default() }
    }

    /// Bytes held in both directions.
    pub fn buffered(&self) -> usize {
        self.pending[0].len() + self.pending[1].len()
    }

    /// Whether data without a start line is shown as a body.
    pub fn shows_continuations(&self) -> bool {
        self.continuations
    }

    /// Whether data in direction `dir` answers an HTTP/0.9 request (sent the other way).
    fn http09_response_due(&self, dir: usize) -> bool {
        self.http09 == Some(1 - dir)
    }

    /// Whether direction `dir` waits for the rest of a message, and for how many bytes.
    pub fn hold(&self, dir: usize) -> Hold {
        match (self.pending[dir].is_empty(), self.expected[dir]) {
            (true, _) => Hold::No,
            (false, Some(n)) => Hold::Bytes(n),
            (false, None) => Hold::Unknown,
        }
    }
}

/// Whether data starts with an HTTP/1.x request line or status line.
pub(crate) fn looks_like_http(first: &[u8]) -> bool {
    let line = first.split(|&b| b == b'\n').next().unwrap_or(&[]);
    start_line(trim_cr(line)).is_some()
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn start_line(line: &[u8]) -> Option<StartLine<'_>> {
    if line.starts_with(b"HTTP/") {
        let mut parts = line.splitn(3, |&b| b == b' ');
        let version = parts.next()?;
        let code = parts.next()?;
        if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let code = code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        return Some(StartLine::Response { version, code: Some(code), phrase: parts.next().unwrap_or(&[]) });
    }
    let sp = line.iter().position(|&b| b == b' ')?;
    let method = &line[..sp];
    if !METHODS.iter().any(|m| m.as_bytes() == method) {
        return None;
    }
    let rest = &line[sp + 1..];
    let (uri, version) = match rest.iter().rposition(|&b| b == b' ') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]), // HTTP/0.9: no version
    };
    if !version.is_empty() && !version.starts_with(b"HTTP/") {
        return None;
    }
    Some(StartLine::Request { method, uri, version })
}

/// Where the header block ends (just past its empty line), if it does.
fn header_end(buf: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(nl) = buf[at..].iter().position(|&b| b == b'\n') {
        let line = trim_cr(&buf[at..at + nl]);
        at += nl + 1;
        if line.is_empty() {
            return Some(at);
        }
    }
    None
}

/// The header lines after the start line: (name, value) with the value's surrounding blanks
/// trimmed.
fn headers(block: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    block.split(|&b| b == b'\n').skip(1).map(trim_cr).filter(|l| !l.is_empty()).filter_map(|line| {
        let colon = line.iter().position(|&b| b == b':')?;
        Some((trim(&line[..colon]), trim(&line[colon + 1..])))
    })
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

fn header<'a>(block: &'a [u8], name: &str) -> Option<&'a [u8]> {
    headers(block).find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes())).map(|(_, v)| v)
}

/// How a message's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyLength {
    Exactly(usize),
    Chunked,
    UntilClose,
}

/// The outcome of looking for a whole message at the start of a buffer.
#[derive(Debug, PartialEq, Eq)]
enum Framing {
    /// Headers end at `headers`; the message (body decoded in `body`) ends at `end`.
    Complete {
        headers: usize,
        end: usize,
        body: Vec<u8>,
        /// The body was chunked: tshark then shows `http.file_data` even when it is empty.
        chunked: bool,
    },
    NeedMore,
    /// The headers say the message takes this many bytes in all; fewer are here.
    NeedTotal(usize),
    NotHttp,
}

fn frame(buf: &[u8], closed: bool, response_to_head: bool) -> Framing {
    let first = buf.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let Some(start) = start_line(trim_cr(first)) else {
        // A first line not yet ended may still be a start line (tshark waits for its end,
        // whatever it begins with); an ended one that is not is continuation data.
        return if !buf.contains(&b'\n') { Framing::NeedMore } else { Framing::NotHttp };
    };
    let Some(headers_end) = header_end(buf) else { return Framing::NeedMore };
    let block = &buf[..headers_end];
    let chunked =
        header(block, "transfer-encoding").is_some_and(|v| v.windows(7).any(|w| w.eq_ignore_ascii_case(b"chunked")));
    let length = header(block, "content-length").and_then(parse_decimal);
    let body_length = match start {
        StartLine::Response { code: Some(code), .. }
            if response_to_head || code / 100 == 1 || code == 204 || code == 304 =>
        {
            BodyLength::Exactly(0)
        }
        _ if chunked => BodyLength::Chunked,
        _ => match (length, start) {
            (Some(n), _) => BodyLength::Exactly(usize::try_from(n).unwrap_or(usize::MAX)),
            (None, StartLine::Request { .. }) => BodyLength::Exactly(0),
            (None, StartLine::Response { .. }) => BodyLength::UntilClose,
        },
    };
    let rest = &buf[headers_end..];
    match body_length {
        BodyLength::Exactly(n) if rest.len() >= n => {
            Framing::Complete { headers: headers_end, end: headers_end + n, body: rest[..n].to_vec(), chunked: false }
        }
        BodyLength::Exactly(n) => Framing::NeedTotal(headers_end.saturating_add(n)),
        BodyLength::UntilClose if closed => {
            Framing::Complete { headers: headers_end, end: buf.len(), body: rest.to_vec(), chunked: false }
        }
        BodyLength::UntilClose => Framing::NeedMore,
        BodyLength::Chunked => match dechunk(rest) {
            Some((used, body)) => {
                Framing::Complete { headers: headers_end, end: headers_end + used, body, chunked: true }
            }
            None => Framing::NeedMore,
        },
    }
}

fn parse_decimal(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    v.iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

/// A chunked body: the bytes it takes (through the last chunk and trailers) and the data.
fn dechunk(buf: &[u8]) -> Option<(usize, Vec<u8>)> {
    let mut at = 0;
    let mut body = Vec::new();
    loop {
        let nl = buf[at..].iter().position(|&b| b == b'\n')?;
        let line = trim_cr(&buf[at..at + nl]);
        let size_text = line.split(|&b| b == b';').next().unwrap_or(&[]);
        let size = usize::from_str_radix(std::str::from_utf8(trim(size_text)).ok()?, 16).ok()?;
        at += nl + 1;
        if size == 0 {
            // Trailers, up to an empty line.
            loop {
                let nl = buf[at..].iter().position(|&b| b == b'\n')?;
                let line = trim_cr(&buf[at..at + nl]);
                at += nl + 1;
                if line.is_empty() {
                    return Some((at, body));
                }
            }
        }
        let data = buf.get(at..at.checked_add(size)?)?;
        body.extend_from_slice(data);
        at += size;
        // The CRLF after the chunk's data.
        let nl = buf[at..].iter().position(|&b| b == b'\n')?;
        at += nl + 1;
    }
}

/// In-order data (or only a FIN) of direction `dir`: dissects every message it completes.
pub(crate) fn on_data(ctx: &mut Ctx<'_>, conn: &mut HttpConn, dir: usize, data: Option<Delivery<'_>>, fin: bool) {
    let pending = &mut conn.pending[dir];
    let mut line_ended = false;
    if let Some(d) = data {
        if d.gap {
            pending.clear();
            conn.line_open[dir] = false;
        }
        pending.extend_from_slice(&d.data);
        line_ended = d.data.contains(&b'\n');
    }
    if conn.line_open[dir] && !line_ended {
        return; // the first line still has no end: nothing new to parse (and no rescan)
    }
    let mut buf = std::mem::take(&mut conn.pending[dir]);
    conn.expected[dir] = None;
    let mut at = 0;
    while at < buf.len() {
        let head = conn.last_request.as_ref().is_some_and(|r| r.head);
        match frame(&buf[at..], fin, head) {
            Framing::Complete { headers, end, body, chunked } => {
                let first = buf[at..at + headers].split(|&b| b == b'\n').next().unwrap_or(&[]);
                match start_line(trim_cr(first)) {
                    Some(StartLine::Request { version: [], .. }) => conn.http09 = Some(dir),
                    Some(StartLine::Request { .. }) => conn.http09 = None,
                    _ => {}
                }
                ctx.out.mark(Layer::Http);
                dissect(ctx, conn, &buf[at..at + headers], body, chunked);
                at += end.max(1);
            }
            Framing::NeedMore => break,
            Framing::NeedTotal(total) => {
                conn.expected[dir] = Some(total - (buf.len() - at));
                break;
            }
            Framing::NotHttp => {
                // Data without a start line (a body whose start was not seen): see
                // `continuation_body`. An HTTP/0.9 response is all body.
                let rest = &buf[at..];
                if conn.continuations {
                    ctx.out.mark(Layer::Http); // tshark's "Continuation", with or without a body
                }
                let body = if !conn.continuations {
                    None // off port 80, tshark leaves data that is not HTTP to TCP
                } else if conn.http09_response_due(dir) {
                    Some(rest)
                } else {
                    continuation_body(rest)
                };
                if let Some(body) = body.filter(|b| !b.is_empty()) {
                    ctx.out.text_ascii(Field::HttpFileData, body.split(|&b| b == 0).next().unwrap_or(&[]));
                }
                continuation_object(ctx, conn, dir, rest);
                at = buf.len();
            }
        }
    }
    buf.drain(..at);
    conn.line_open[dir] = !buf.is_empty() && !buf.contains(&b'\n');
    conn.pending[dir] = buf;
}

/// Continuation data is an export object even where tshark shows no HTTP fields for it (off
/// port 80): its body taken as on port 80, named after the connection's last request.
fn continuation_object(ctx: &mut Ctx<'_>, conn: &HttpConn, dir: usize, rest: &[u8]) {
    if ctx.state.app.http_objects.is_none() {
        return;
    }
    let body = if conn.http09_response_due(dir) { Some(rest) } else { continuation_body(rest) };
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        let (uri, host) = conn.last_target.clone().map_or((None, None), |(u, h)| (Some(u), h));
        let object = BodyObject { frame: ctx.meta.number, host, content_type: None, uri, data: body.to_vec() };
        ctx.state.app.push_http_object(object);
    }
}

/// The body tshark shows (`http.file_data`) for data on port 80 that does not start with a
/// request or status line, learnt from its output on binary bodies of responses whose start
/// the capture missed (ndpi__1kxun): nothing unless the data starts with a printable ASCII
/// character; then lines (ended by CR, LF or CRLF) that hold a colon are taken as headers, and
/// the body starts at the first line without one (after it, if it is empty). Data that ends
/// within a header line has no body.
fn continuation_body(data: &[u8]) -> Option<&[u8]> {
    if !data.first().is_some_and(|b| (0x20..0x7f).contains(b)) {
        return None;
    }
    let mut rest = data;
    loop {
        let end = rest.iter().position(|&b| b == b'\r' || b == b'\n')?;
        let next = end + if rest[end] == b'\r' && rest.get(end + 1) == Some(&b'\n') { 2 } else { 1 };
        let line = &rest[..end];
        if line.is_empty() {
            return Some(&rest[next..]);
        }
        if !line.contains(&b':') {
            return Some(rest);
        }
        rest = &rest[next..];
    }
}

/// A UDP datagram to or from SSDP's port 1900: one HTTP message, dissected on its own.
pub(crate) fn on_datagram(ctx: &mut Ctx<'_>, payload: &[u8]) {
    let mut conn = HttpConn::default();
    if let Framing::Complete { headers, body, chunked, .. } = frame(payload, true, false) {
        ctx.out.mark(Layer::Ssdp);
        dissect(ctx, &mut conn, &payload[..headers], body, chunked);
    }
}

/// A segment cut by the snaplen: tshark dissects the captured bytes alone, as far as they go
/// (a request line cut short still gives its method, URI and what there is of the version).
pub(crate) fn on_truncated(ctx: &mut Ctx<'_>, conn: &mut HttpConn, captured: &[u8]) {
    let first = trim_cr(captured.split(|&b| b == b'\n').next().unwrap_or(&[]));
    if start_line_cut(first).is_some() {
        let end = captured.iter().rposition(|&b| b == b'\n').map_or(captured.len(), |i| i + 1);
        ctx.out.mark(Layer::Http);
        dissect(ctx, conn, &captured[..end], Vec::new(), false);
    }
}

/// A start line that may be cut short: a request's version may be any prefix of `HTTP/`.
fn start_line_cut(line: &[u8]) -> Option<StartLine<'_>> {
    start_line(line).or_else(|| {
        if line.starts_with(b"HTTP/") {
            let version = line.split(|&b| b == b' ').next().unwrap_or(line);
            return Some(StartLine::Response { version, code: None, phrase: &[] });
        }
        let sp = line.iter().position(|&b| b == b' ')?;
        let (method, rest) = (&line[..sp], &line[sp + 1..]);
        let i = rest.iter().rposition(|&b| b == b' ')?;
        let (uri, version) = (&rest[..i], &rest[i + 1..]);
        let is_prefix = !version.is_empty() && b"HTTP/".starts_with(version);
        (METHODS.iter().any(|m| m.as_bytes() == method) && is_prefix).then_some(StartLine::Request {
            method,
            uri,
            version,
        })
    })
}

/// Writes one whole message's fields; `body` is its body (dechunked when `chunked`).
fn dissect(ctx: &mut Ctx<'_>, conn: &mut HttpConn, block: &[u8], body: Vec<u8>, chunked: bool) {
    let first = trim_cr(block.split(|&b| b == b'\n').next().unwrap_or(&[]));
    let Some(start) = start_line_cut(first) else { return };
    let out = &mut *ctx.out;
    let host = header(block, "host");
    match start {
        StartLine::Request { method, uri, version } => {
            if method != b"NOTIFY" {
                // tshark calls a NOTIFY a notification (http.notification), not a request.
                out.push(Field::HttpRequest, Value::Bool(true));
            }
            out.text_ascii(Field::HttpRequestMethod, method);
            out.text_ascii(Field::HttpRequestUri, uri);
            if !version.is_empty() {
                out.text_ascii(Field::HttpRequestVersion, version);
            }
            let full_uri = host.map(|h| {
                if uri.starts_with(b"http://") || uri.starts_with(b"https://") {
                    String::from_utf8_lossy(uri).into_owned() // an absolute URI, to a proxy
                } else {
                    format!("http://{}{}", String::from_utf8_lossy(h), String::from_utf8_lossy(uri))
                }
            });
            if let Some(full) = &full_uri {
                out.text(Field::HttpRequestFullUri, full);
            }
            conn.last_request =
                Some(Request { frame: ctx.meta.number, time_ns: ctx.meta.time_ns, head: method == b"HEAD" });
            conn.last_target = Some((uri.to_vec(), host.map(<[u8]>::to_vec)));
            // Without a Host header, responses refer to the URI as sent.
            conn.last_uri = full_uri.or_else(|| Some(String::from_utf8_lossy(uri).into_owned()));
        }
        StartLine::Response { version, code, phrase } => {
            out.push(Field::HttpResponse, Value::Bool(true));
            out.text_ascii(Field::HttpResponseVersion, version);
            if let Some(code) = code {
                out.uint(Field::HttpResponseCode, code);
            }
            out.text_ascii(Field::HttpResponsePhrase, phrase);
        }
    }
    header_fields(out, block);
    if let StartLine::Response { .. } = start {
        if let Some(uri) = &conn.last_uri {
            out.text(Field::HttpResponseForUri, uri);
        }
        // The last request, once: a second response (pipelined, or after a 100 Continue) gets none.
        if let Some(r) = conn.last_request.take() {
            out.push(Field::HttpTime, Value::Nanos(ctx.meta.time_ns - r.time_ns));
            out.uint(Field::HttpRequestIn, r.frame);
        }
    }
    // An empty body shows no `http.file_data`, unless it was chunked (a lone last chunk).
    let collect = ctx.state.app.http_objects.is_some();
    if (!body.is_empty() || chunked) && (out.wants(Field::HttpFileData) || collect) {
        if let Some(body) = decoded(block, body) {
            out.text_ascii(Field::HttpFileData, body.split(|&b| b == 0).next().unwrap_or(&[]));
            if collect {
                let (uri, host) = match start {
                    StartLine::Request { uri, .. } => (Some(uri.to_vec()), host.map(<[u8]>::to_vec)),
                    StartLine::Response { .. } => conn.last_target.clone().map_or((None, None), |(u, h)| (Some(u), h)),
                };
                let content_type = header(block, "content-type").map(<[u8]>::to_vec);
                let object = BodyObject { frame: ctx.meta.number, host, content_type, uri, data: body };
                ctx.state.app.push_http_object(object);
            }
        }
    }
}

/// The header fields, one occurrence per header line, in order.
fn header_fields(out: &mut FrameValues, block: &[u8]) {
    for (name, value) in headers(block) {
        let field = match name.to_ascii_lowercase().as_slice() {
            b"host" => Field::HttpHost,
            b"user-agent" => Field::HttpUserAgent,
            b"referer" => Field::HttpReferer,
            b"cookie" => Field::HttpCookie,
            b"authorization" => {
                out.text_ascii(Field::HttpAuthorization, value);
                if let Some(credentials) = basic_credentials(value) {
                    out.text_ascii(Field::HttpAuthbasic, &credentials);
                }
                continue;
            }
            b"content-type" => Field::HttpContentType,
            b"content-length" => {
                if let Some(n) = parse_decimal(value) {
                    out.uint(Field::HttpContentLength, n);
                }
                continue;
            }
            b"server" => Field::HttpServer,
            b"set-cookie" => Field::HttpSetCookie,
            b"location" => Field::HttpLocation,
            b"x-forwarded-for" => Field::HttpXForwardedFor,
            _ => continue,
        };
        out.text_ascii(field, value);
    }
}

/// `user:password` of a Basic Authorization value.
fn basic_credentials(value: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let scheme_end = value.iter().position(|&b| b == b' ')?;
    if !value[..scheme_end].eq_ignore_ascii_case(b"basic") {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(trim(&value[scheme_end + 1..])).ok()
}

/// The body as tshark shows it in `http.file_data`: gzip and deflate content decoded; none
/// when the content is encoded otherwise, or does not decode (tshark shows it as data).
fn decoded(block: &[u8], body: Vec<u8>) -> Option<Vec<u8>> {
    let Some(encoding) = header(block, "content-encoding") else { return Some(body) };
    let mut out = Vec::new();
    let limit = MAX_DECODED_BYTES as u64;
    let ok = if encoding.eq_ignore_ascii_case(b"gzip") || encoding.eq_ignore_ascii_case(b"x-gzip") {
        flate2::read::MultiGzDecoder::new(body.as_slice()).take(limit).read_to_end(&mut out).is_ok()
    } else if encoding.eq_ignore_ascii_case(b"deflate") {
        flate2::read::ZlibDecoder::new(body.as_slice()).take(limit).read_to_end(&mut out).is_ok() || {
            out.clear();
            flate2::read::DeflateDecoder::new(body.as_slice()).take(limit).read_to_end(&mut out).is_ok()
        }
    } else {
        encoding.eq_ignore_ascii_case(b"identity") && {
            out = body;
            true
        }
    };
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_lines() {
        assert_eq!(
            start_line(b"GET /a b HTTP/1.1"),
            Some(StartLine::Request { method: b"GET", uri: b"/a b", version: b"HTTP/1.1" })
        );
        assert_eq!(
            start_line(b"HTTP/1.1 404 Not Found"),
            Some(StartLine::Response { version: b"HTTP/1.1", code: Some(404), phrase: b"Not Found" })
        );
        assert_eq!(start_line(b"HELLO / HTTP/1.1"), None);
        assert_eq!(start_line(b"HTTP/1.1 20 OK"), None);
        assert!(looks_like_http(b"POST /x HTTP/1.0\r\nHost: a\r\n"));
    }

    #[test]
    fn framing_by_length_chunks_and_close() {
        let req = b"POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET";
        match frame(req, false, false) {
            Framing::Complete { end, body, .. } => assert_eq!((end, body.as_slice()), (req.len() - 3, &b"abc"[..])),
            other => panic!("{other:?}"),
        }
        let cut = b"POST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\nabc";
        assert_eq!(frame(cut, false, false), Framing::NeedTotal(cut.len() + 1));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        match frame(chunked, false, false) {
            Framing::Complete { end, body, .. } => assert_eq!((end, body.as_slice()), (chunked.len(), &b"abcde"[..])),
            other => panic!("{other:?}"),
        }
        let until_close = b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nhello";
        assert_eq!(frame(until_close, false, false), Framing::NeedMore);
        assert!(matches!(frame(until_close, true, false), Framing::Complete { end: 35, .. }));
        assert!(matches!(
            frame(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", false, true),
            Framing::Complete { .. }
        ));
        assert_eq!(frame(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 and more\n", false, false), Framing::NotHttp);
    }

    /// Known answers: tshark 4.0.17 on ndpi__1kxun's response bodies joined mid-stream (frames
    /// 1175, 1257, 1410, 1411, 1413) and edge-tcp-analysis frame 3.
    #[test]
    fn continuation_data_keeps_lines_with_colons_as_headers() {
        assert_eq!(continuation_body(b"\x1c,binary:\n"), None, "no body unless it starts printable");
        assert_eq!(continuation_body(b"\tx\n"), None, "a tab is not printable");
        assert_eq!(continuation_body(b"l\xfd\x0b\r\x00un"), Some(&b"l\xfd\x0b\r\x00un"[..]), "no colon: all body");
        assert_eq!(continuation_body(b"`u:a!\rM'I\n.."), Some(&b"M'I\n.."[..]), "a lone CR ends a line");
        assert_eq!(continuation_body(b"e:1\nb:2\nzz\n"), Some(&b"zz\n"[..]));
        assert_eq!(continuation_body(b"emp\":24.8}\n\nevent: tick\n"), Some(&b"event: tick\n"[..]));
        assert_eq!(continuation_body(b"a:b\r\nc:d"), None, "ends within a header line");
    }

    #[test]
    fn an_empty_chunked_body_is_still_a_body() {
        match frame(b"HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, false) {
            Framing::Complete { body, chunked, .. } => assert!(body.is_empty() && chunked),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn basic_authorization_is_decoded() {
        assert_eq!(basic_credentials(b"Basic dXNlcjpwYXNz").as_deref(), Some(&b"user:pass"[..]));
        assert_eq!(basic_credentials(b"Bearer abc"), None);
    }

    #[test]
    fn gzip_bodies_are_decoded() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"hello\0world").unwrap();
        let body = gz.finish().unwrap();
        let gzip = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n";
        assert_eq!(decoded(gzip, body).as_deref(), Some(&b"hello\0world"[..]));
        assert_eq!(decoded(gzip, b"junk".to_vec()), None, "undecodable: no file_data");
        assert_eq!(decoded(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n", b"x".to_vec()), None);
    }
}
