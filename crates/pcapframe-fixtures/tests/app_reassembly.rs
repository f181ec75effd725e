//! tshark 4.0 shows every application message of `fixtures/edge-app-reassembly.pcap` on the frame
//! the generator intends: the frame that completes it after TCP reassembly.

use std::path::PathBuf;
use std::process::Command;

fn fixture() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/edge-app-reassembly.pcap");
    path.to_str().unwrap().to_owned()
}

/// `true` if tshark 4.0 is installed; says why not (loudly) otherwise.
fn tshark_4_0() -> bool {
    let Ok(version) = Command::new("tshark").arg("--version").output() else {
        eprintln!("SKIPPED: tshark is not installed");
        return false;
    };
    if !String::from_utf8_lossy(&version.stdout).starts_with("TShark (Wireshark) 4.0.") {
        eprintln!("SKIPPED: the frame numbers and values below are tshark 4.0's");
        return false;
    }
    true
}

/// `(frame number, value)` of every frame matching `filter` (one pass, as tshark shows frames by
/// default), the value being `field`'s occurrences joined by commas.
fn tshark_values(field: &str, filter: &str) -> Vec<(u32, String)> {
    let path = fixture();
    let args = ["-r", path.as_str(), "-Y", filter, "-T", "fields", "-e", "frame.number", "-e", field];
    let out = Command::new("tshark").args(args).output().expect("tshark runs");
    assert!(out.status.success(), "tshark {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    // Binary bodies (http.file_data of an octet stream) come out raw: read leniently.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let (frame, value) = line.split_once('\t').unwrap_or((line, ""));
            (frame.parse().unwrap(), value.to_owned())
        })
        .collect()
}

fn owned(expected: &[(u32, &str)]) -> Vec<(u32, String)> {
    expected.iter().map(|&(frame, value)| (frame, value.to_owned())).collect()
}

#[test]
fn the_fixture_has_171_frames() {
    if !tshark_4_0() {
        return;
    }
    assert_eq!(tshark_values("frame.cap_len", "frame").len(), 171);
}

#[test]
fn http_messages_appear_on_the_frame_that_completes_them() {
    if !tshark_4_0() {
        return;
    }
    // Requests: 27 after three segments, 51 two pipelined, 87 the POST, 95 found by the heuristic
    // on port 8000, 162 and 169 whose responses the end of the capture cuts.
    let methods = [
        (27, "GET"),
        (38, "GET"),
        (41, "GET"),
        (43, "GET"),
        (51, "GET,GET"),
        (59, "GET"),
        (68, "GET"),
        (75, "GET"),
        (79, "GET"),
        (87, "POST"),
        (95, "GET"),
        (103, "GET"),
        (162, "GET"),
        (169, "GET"),
    ];
    assert_eq!(tshark_values("http.request.method", "http.request.method"), owned(&methods));
    // Responses: 31 after three segments, 40 chunked, 42 gzip, 44 deflate, 52 two pipelined, 62 on
    // the server's FIN (a frame without payload), 74 after a reordered and a retransmitted segment,
    // 80 right after a response with a segment missing (never shown), 88 the 302. The response
    // without FIN (163-164) and the one with cut headers (170-171) never appear.
    let codes = [
        (31, "200"),
        (40, "200"),
        (42, "200"),
        (44, "200"),
        (52, "200,200"),
        (62, "200"),
        (74, "200"),
        (80, "200"),
        (88, "302"),
        (96, "200"),
        (104, "200"),
    ];
    assert_eq!(tshark_values("http.response.code", "http.response.code"), owned(&codes));
    // tshark 4.0 gives both pipelined responses to the later request of frame 51.
    let uris = [
        (31, "http://www.example.com/index.html"),
        (40, "http://www.example.com/stream.txt"),
        (42, "http://www.example.com/fox.txt"),
        (44, "http://www.example.com/zlib.txt"),
        (52, "http://www.example.com/app.js,http://www.example.com/app.js"),
        (62, "http://api.example.com/legacy.txt"),
        (74, "http://www.example.com/blob.bin"),
        (80, "http://www.example.com/after-the-gap.txt"),
        (88, "http://www.example.com/login"),
        (96, "http://api.example.com:8000/status"),
        (104, "http://api.example.com:8080/health"),
    ];
    assert_eq!(tshark_values("http.response_for.uri", "http.response_for.uri"), owned(&uris));
    let lengths = [(31, "246"), (42, "71"), (44, "62"), (52, "20,26"), (74, "1200"), (80, "12")];
    let lengths = [&lengths[..], &[(87, "21"), (88, "0"), (96, "13"), (104, "13")]].concat();
    assert_eq!(tshark_values("http.content_length", "http.content_length"), owned(&lengths));
}

#[test]
fn http_bodies_are_decoded() {
    if !tshark_4_0() {
        return;
    }
    let bodies = [
        (40, "Chunked transfer coding: three chunks, then a trailer."),
        (42, "gzip: the quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog."),
        (44, "deflate: zlib-wrapped, as RFC 9110 says deflate means."),
        (62, "No length, no chunks:\\nthis body ends where the server closes the connection.\\n"),
    ];
    let got = tshark_values("http.file_data", "frame.number in {40,42,44,62}");
    assert_eq!(got, owned(&bodies));
    assert_eq!(tshark_values("http.transfer_encoding", "http.transfer_encoding"), owned(&[(40, "chunked")]));
    assert_eq!(
        tshark_values("http.content_encoding", "http.content_encoding"),
        owned(&[(42, "gzip"), (44, "deflate")])
    );
}

#[test]
fn the_login_post_and_its_redirect() {
    if !tshark_4_0() {
        return;
    }
    let expected: [(&str, (u32, &str)); 6] = [
        ("http.authbasic", (87, "alice:open:sesame")),
        ("http.cookie", (87, "session=3f2a9c; theme=dark")),
        ("http.referer", (87, "http://www.example.com/login")),
        ("http.x_forwarded_for", (87, "198.51.100.77")),
        ("http.set_cookie", (88, "session=7b1e04; Path=/; HttpOnly")),
        ("http.location", (88, "http://www.example.com/dashboard")),
    ];
    for (field, frame) in expected {
        assert_eq!(tshark_values(field, field), owned(&[frame]), "{field}");
    }
}

#[test]
fn dns_answers_over_udp_and_tcp() {
    if !tshark_4_0() {
        return;
    }
    let expected: [(&str, &[(u32, &str)]); 4] = [
        ("dns.mx.mail_exchange", &[(8, "mail.example.com,mx2.example.net")]),
        ("dns.txt", &[(8, "v=spf1 mx -all")]),
        ("dns.ptr.domain_name", &[(10, "web.example.net")]),
        ("dns.cname", &[(6, "web.example.net")]),
    ];
    for (field, frames) in expected {
        assert_eq!(tshark_values(field, field), owned(frames), "{field}");
    }
    let udp = [(5, "0x51c1"), (6, "0x51c1"), (7, "0x51c2"), (8, "0x51c2"), (9, "0x51c3"), (10, "0x51c3")];
    assert_eq!(tshark_values("dns.id", "dns.id && udp"), owned(&udp));
    // Over TCP the second response (17-18) is shown on its second segment.
    let tcp = [(14, "0x7e01"), (15, "0x7e01"), (16, "0x7e02"), (18, "0x7e02")];
    assert_eq!(tshark_values("dns.id", "dns.id && tcp"), owned(&tcp));
    let a = "203.0.113.100,203.0.113.101,203.0.113.102,203.0.113.103,203.0.113.104,203.0.113.105,203.0.113.106,203.0.113.107";
    assert_eq!(tshark_values("dns.a", "frame.number == 18"), owned(&[(18, a)]));
}

#[test]
fn tls_handshake_records_across_segments() {
    if !tshark_4_0() {
        return;
    }
    // 112 completes the ClientHello begun in 111; 114 holds the ServerHello and half the
    // Certificate, 115 the rest and ServerHelloDone; the Finished messages are encrypted.
    let types = [(112, "1"), (114, "2"), (115, "11,14"), (116, "16")];
    assert_eq!(tshark_values("tls.handshake.type", "tls.handshake.type"), owned(&types));
    let sni = [(112, "www.example.com")];
    assert_eq!(
        tshark_values("tls.handshake.extensions_server_name", "tls.handshake.extensions_server_name"),
        owned(&sni)
    );
    // GREASE values are left out of JA3.
    let ja3 = [(112, "cafe522b1f077145bca328ed52621259")];
    assert_eq!(tshark_values("tls.handshake.ja3", "tls.handshake.ja3"), owned(&ja3));
    let full = "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,0-23-65281-10-11-35-16-5-13-51-45-43,29-23-24,0";
    assert_eq!(tshark_values("tls.handshake.ja3_full", "tls.handshake.ja3_full"), owned(&[(112, full)]));
    let ja3s = [(114, "41ec6d948569ef0ce04151b5972eeb8b")];
    assert_eq!(tshark_values("tls.handshake.ja3s", "tls.handshake.ja3s"), owned(&ja3s));
    let records = [(116, "22,20,22"), (117, "20,22"), (118, "23"), (119, "23,23")];
    assert_eq!(
        tshark_values("tls.record.content_type", "tls.record.content_type && frame.number > 115"),
        owned(&records)
    );
}

#[test]
fn ftp_smtp_and_dhcp_commands() {
    if !tshark_4_0() {
        return;
    }
    let ftp = [(127, "USER"), (129, "PASS"), (131, "PWD"), (133, "QUIT")];
    assert_eq!(tshark_values("ftp.request.command", "ftp.request.command"), owned(&ftp));
    let ftp = [(126, "220"), (128, "331"), (130, "230"), (132, "257"), (134, "221")];
    assert_eq!(tshark_values("ftp.response.code", "ftp.response.code"), owned(&ftp));
    let smtp = [(142, "EHLO"), (144, "MAIL"), (146, "RCPT"), (148, "DATA"), (154, "QUIT")];
    assert_eq!(tshark_values("smtp.req.command", "smtp.req.command"), owned(&smtp));
    // The message (150-151) is shown as IMF on the frame with the final dot.
    assert_eq!(tshark_values("imf.subject", "imf"), owned(&[(152, "Reassembly")]));
    let dhcp = [(1, "1"), (2, "2"), (3, "3"), (4, "5")];
    assert_eq!(tshark_values("dhcp.option.dhcp", "dhcp.option.dhcp"), owned(&dhcp));
}
