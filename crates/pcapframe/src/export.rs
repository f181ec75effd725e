//! Export HTTP objects: every HTTP message body of a capture written to a directory, with the
//! file names, and the bytes, of `tshark -r CAPTURE -q --export-objects http,DIR` (tshark 4.0).
//!
//! ```no_run
//! let summary = pcapframe::export::export_http_objects("capture.pcap", "objects")?;
//! println!("{}", summary.to_dataframe()?);
//! # Ok::<(), pcapframe::Error>(())
//! ```
//!
//! What tshark 4.0 does, learnt from its output:
//! - Every HTTP message with a body is an object, requests (a POST's form) as well as
//!   responses, in the order the frames completing them arrive. The body is de-chunked and
//!   decoded (gzip, deflate); a message whose content encoding cannot be decoded is left out.
//!   An empty body is no object, unless it was chunked (a lone last chunk gives an empty file).
//!   Data on an HTTP connection that starts no message (its start was not captured) is an
//!   object too, its body taken as for `http.file_data`.
//! - The file name is the last segment of the request URI as sent (for a response, the URI of
//!   the last request on the connection before it), query string included: trailing slashes
//!   are dropped first, a URI of slashes only gives `/`, an empty one `.`. A message with no
//!   request URI (continuation data, a response with no request) is named `object` and its
//!   frame number.
//! - In the name, `/ \ : * ? " < > |` and control bytes become `%` and two lowercase hex
//!   digits; every byte from 0x80 becomes U+FFFD (so the UTF-8 of `é` gives two).
//! - Names are at most 255 bytes: past that the part before the last `.` is cut, keeping the
//!   extension (the last `.` and what follows), or, when the extension leaves no room, the
//!   whole name is cut, at a byte (even within a UTF-8 sequence).
//! - A name that exists in the directory (already written, or there before, or `.` and `..`)
//!   gets `(1)`, `(2)`, ... before its extension, the name being cut as above to make room.
//! - The directory is created (with its parents) if needed.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::dissect::BodyObject;
use crate::error::{CaptureError, Error, Result};
use crate::fields::{Field, FieldSet};
use crate::limits::Limits;
use crate::scan::Scanner;

/// The longest file name written, in bytes.
pub const MAX_NAME_BYTES: usize = 255;

/// Bytes that become `%xx` in a file name (besides control bytes).
const ESCAPED: &[u8] = b"/\\:*?\"<>|";

/// The UTF-8 of U+FFFD, for each byte from 0x80.
const REPLACEMENT: &[u8] = "\u{fffd}".as_bytes();

/// One object written, as Wireshark's Export HTTP Objects dialog lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedObject {
    /// `frame.number` of the frame that completed the message.
    pub frame: u64,
    /// The Host header of the request (for a response: of its request); empty if none.
    pub hostname: String,
    /// The message's Content-Type header; empty if none.
    pub content_type: String,
    /// The body's length in bytes (as written).
    pub size: u64,
    /// The file name written in the directory (non-UTF-8 bytes shown as U+FFFD).
    pub filename: String,
    /// The file written.
    pub path: PathBuf,
}

/// What an export wrote, and the damage that stopped reading the capture early, if any.
#[derive(Debug)]
pub struct ExportSummary {
    /// The objects written, in order.
    pub objects: Vec<ExportedObject>,
    /// A damaged capture: the objects before the damage were written.
    pub problem: Option<CaptureError>,
}

impl ExportSummary {
    /// The listing as a DataFrame: `packet`, `hostname`, `content_type`, `size`, `filename`.
    pub fn to_dataframe(&self) -> Result<DataFrame> {
        let text = |f: fn(&ExportedObject) -> &str| self.objects.iter().map(f).collect::<Vec<&str>>();
        let frame = DataFrame::new(
            self.objects.len(),
            vec![
                Column::new("packet".into(), self.objects.iter().map(|o| o.frame).collect::<Vec<u64>>()),
                Column::new("hostname".into(), text(|o| &o.hostname)),
                Column::new("content_type".into(), text(|o| &o.content_type)),
                Column::new("size".into(), self.objects.iter().map(|o| o.size).collect::<Vec<u64>>()),
                Column::new("filename".into(), text(|o| &o.filename)),
            ],
        )?;
        Ok(frame)
    }
}

/// Writes every HTTP object of `capture` into `dir` (created if needed) as
/// `tshark -r CAPTURE -q --export-objects http,DIR` does: same file names, same bytes.
///
/// Files already in `dir` are never overwritten: a name taken gets `(1)`, `(2)`, ... as in
/// tshark. An error names the directory or file that could not be created.
pub fn export_http_objects(capture: impl AsRef<Path>, dir: impl AsRef<Path>) -> Result<ExportSummary> {
    let dir = dir.as_ref();
    let mut scanner = http_scanner(capture.as_ref())?;
    std::fs::create_dir_all(dir).map_err(|e| open_error(dir, "creating the export directory", e))?;
    let mut objects = Vec::new();
    let problem = loop {
        match scanner.next_frame() {
            Ok(Some(_)) => {}
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
        for object in scanner.take_http_objects() {
            objects.push(write_object(dir, &object)?);
        }
    };
    Ok(ExportSummary { objects, problem })
}

/// A scanner that runs the HTTP dissector and keeps the bodies.
fn http_scanner(capture: &Path) -> Result<Scanner<'static>> {
    let wanted: FieldSet = [Field::HttpRequestUri].into_iter().collect();
    let mut scanner = Scanner::open(capture, wanted, Limits::default())?;
    scanner.collect_http_objects();
    Ok(scanner)
}

fn open_error(path: &Path, doing: &str, e: std::io::Error) -> Error {
    Error::Open { path: path.to_path_buf(), source: std::io::Error::new(e.kind(), format!("{doing}: {e}")) }
}

/// Writes one object under a name not yet taken in `dir`.
fn write_object(dir: &Path, object: &BodyObject) -> Result<ExportedObject> {
    let name = object_name(object.uri.as_deref(), object.frame);
    let (path, mut file) = create_unique(dir, &name)?;
    file.write_all(&object.data).map_err(|e| open_error(&path, "writing an export object", e))?;
    let text = |v: &Option<Vec<u8>>| v.as_deref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    Ok(ExportedObject {
        frame: object.frame,
        hostname: text(&object.host),
        content_type: text(&object.content_type),
        size: object.data.len() as u64,
        filename: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        path,
    })
}

/// Creates the first of `name`, `name(1)`, `name(2)`, ... that does not exist in `dir`
/// (never following a link, never replacing a file).
fn create_unique(dir: &Path, name: &[u8]) -> Result<(PathBuf, File)> {
    for n in 0..=u32::MAX {
        let candidate = numbered_name(name, n);
        if candidate == b"." || candidate == b".." {
            continue;
        }
        let path = dir.join(os_name(&candidate));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(open_error(&path, "creating an export object", e)),
        }
    }
    Err(Error::Unsupported(format!("no free file name for an export object in {}", dir.display())))
}

#[cfg(unix)]
fn os_name(name: &[u8]) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(name).to_os_string()
}

#[cfg(not(unix))]
fn os_name(name: &[u8]) -> std::ffi::OsString {
    String::from_utf8_lossy(name).into_owned().into()
}

/// The file name of an object before numbering and cutting: the URI's last segment, escaped;
/// `object` and the frame number without a URI.
fn object_name(uri: Option<&[u8]>, frame: u64) -> Vec<u8> {
    match uri {
        Some(uri) => escape(last_segment(uri)),
        None => format!("object{frame}").into_bytes(),
    }
}

/// The last `/`-separated segment, trailing slashes dropped; `/` for slashes only, `.` for nothing.
fn last_segment(uri: &[u8]) -> &[u8] {
    if uri.is_empty() {
        return b".";
    }
    let Some(end) = uri.iter().rposition(|&b| b != b'/') else { return b"/" };
    let trimmed = &uri[..=end];
    let start = trimmed.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    &trimmed[start..]
}

/// Escapes the bytes a file name cannot (or should not) hold.
fn escape(segment: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(segment.len());
    for &b in segment {
        if b >= 0x80 {
            out.extend_from_slice(REPLACEMENT);
        } else if b < 0x20 || ESCAPED.contains(&b) {
            out.extend_from_slice(format!("%{b:02x}").as_bytes());
        } else {
            out.push(b);
        }
    }
    out
}

/// `name` with `(n)` before its extension (none for 0), cut to [`MAX_NAME_BYTES`]: the part
/// before the extension is cut while at least one byte of it stays, else the whole name.
fn numbered_name(name: &[u8], n: u32) -> Vec<u8> {
    let suffix = if n == 0 { Vec::new() } else { format!("({n})").into_bytes() };
    if let Some(dot) = name.iter().rposition(|&b| b == b'.') {
        let (base, ext) = name.split_at(dot);
        if let Some(room) = MAX_NAME_BYTES.checked_sub(ext.len() + suffix.len()).filter(|&r| r > 0) {
            return [&base[..base.len().min(room)], &suffix, ext].concat();
        }
    }
    let room = MAX_NAME_BYTES - suffix.len();
    [&name[..name.len().min(room)], &suffix[..]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(uri: &str) -> String {
        String::from_utf8_lossy(&object_name(Some(uri.as_bytes()), 7)).into_owned()
    }

    /// Known answers: tshark 4.0.17 on generated requests.
    #[test]
    fn names_are_the_last_segment_escaped() {
        assert_eq!(name("/"), "%2f");
        assert_eq!(name("//"), "%2f");
        assert_eq!(name("/a/"), "a");
        assert_eq!(name("/a//"), "a");
        assert_eq!(name(""), ".");
        assert_eq!(name("x"), "x");
        assert_eq!(name("http://h.com"), "h.com");
        assert_eq!(name("/q?a=1"), "q%3fa=1");
        assert_eq!(name("/search/?q=http%3A//x.net/&r=&t=0"), "&r=&t=0");
        assert_eq!(name("/c:d/s*t/q\"t/l<g>/p|p"), "p%7cp");
        assert_eq!(name("/a\\b"), "a%5cb");
        assert_eq!(name("*"), "%2a");
        assert_eq!(name("/tab\tx\u{1}\u{7f}"), "tab%09x%01\u{7f}");
        assert_eq!(name("/%41%2F"), "%41%2F");
        assert_eq!(name("/~!@$&'()+,;=[]{}^`"), "~!@$&'()+,;=[]{}^`");
        assert_eq!(object_name(Some("/é".as_bytes()), 1), "\u{fffd}\u{fffd}".as_bytes());
        assert_eq!(object_name(None, 44), b"object44");
    }

    #[test]
    fn traversal_is_impossible() {
        assert_eq!(name("/../../etc/passwd"), "passwd");
        assert_eq!(name("/a/.."), "..");
        assert_eq!(name("/.."), "..");
        for uri in ["/..\\..\\x", "..%2f..", "/a/b\\c"] {
            assert!(!name(uri).contains('/') && !name(uri).contains('\\'), "{uri}");
        }
    }

    #[test]
    fn numbers_go_before_the_extension() {
        let numbered = |s: &str, n| String::from_utf8(numbered_name(s.as_bytes(), n)).unwrap();
        assert_eq!(numbered("a.b.c", 1), "a.b(1).c");
        assert_eq!(numbered(".hidden", 1), "(1).hidden");
        assert_eq!(numbered(".", 1), "(1).");
        assert_eq!(numbered("..", 1), ".(1).");
        assert_eq!(numbered("y.", 2), "y(2).");
        assert_eq!(numbered("noext", 10), "noext(10)");
    }

    /// Known answers: tshark 4.0.17 on URIs of 250 to 310 bytes.
    #[test]
    fn long_names_keep_their_extension() {
        let numbered = |s: String, n| String::from_utf8(numbered_name(s.as_bytes(), n)).unwrap();
        let a = |n| "a".repeat(n);
        let c = |n| "c".repeat(n);
        assert_eq!(numbered(a(300), 0), a(255));
        assert_eq!(numbered(a(300), 1), a(252) + "(1)");
        assert_eq!(numbered(a(260) + ".txt", 0), a(251) + ".txt");
        assert_eq!(numbered(a(250) + ".txt", 1), a(248) + "(1).txt");
        // The extension leaves one byte: kept; none: the whole name is cut.
        assert_eq!(numbered("bbbbbbbbbb.".to_string() + &c(253), 0), "b.".to_string() + &c(253));
        assert_eq!(numbered("bbbbbbbbbb.".to_string() + &c(254), 0), "bbbbbbbbbb.".to_string() + &c(244));
        assert_eq!(numbered("bbbbbbbbbb.".to_string() + &c(251), 1), "bbbbbbbbbb.".to_string() + &c(241) + "(1)");
        // Cut at a byte, even within a UTF-8 sequence.
        let cut =
            numbered_name(&escape(&[b'a'; 1].iter().chain(&[0xc3, 0xa9].repeat(100)).copied().collect::<Vec<_>>()), 0);
        assert_eq!((cut.len(), &cut[253..]), (255, &[0xef, 0xbf][..]));
    }

    #[test]
    fn taken_names_are_numbered_and_never_replaced() {
        let dir = std::env::temp_dir().join(format!("pcapframe-export-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), b"mine").unwrap();
        let object = |uri: &str| BodyObject {
            frame: 1,
            host: None,
            content_type: None,
            uri: Some(uri.as_bytes().to_vec()),
            data: b"x".to_vec(),
        };
        let names: Vec<String> =
            ["/a.txt", "/a.txt", "/..", ""].iter().map(|u| write_object(&dir, &object(u)).unwrap().filename).collect();
        assert_eq!(names, ["a(1).txt", "a(2).txt", ".(1).", "(1)."]);
        assert_eq!(std::fs::read(dir.join("a.txt")).unwrap(), b"mine");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unusable_directory_is_named() {
        let file = std::env::temp_dir().join(format!("pcapframe-export-file-{}", std::process::id()));
        std::fs::write(&file, b"").unwrap();
        let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/edge-app-reassembly.pcap");
        let message = export_http_objects(&capture, file.join("sub")).unwrap_err().to_string();
        assert!(message.contains(&file.join("sub").display().to_string()), "{message}");
        std::fs::remove_file(&file).unwrap();
    }
}
