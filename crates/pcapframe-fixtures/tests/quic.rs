//! tshark 4.0 decrypts the Initial packets of `fixtures/edge-quic.pcap` and finds each TLS hello
//! on the frame the generator intends.

use std::path::PathBuf;
use std::process::Command;

/// `frame.number` and the values of `fields` for the frames matching `filter`, or `None` (said
/// loudly) without tshark 4.0.
fn tshark(filter: &str, fields: &[&str]) -> Option<Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/edge-quic.pcap");
    let version = Command::new("tshark").arg("--version").output().ok()?;
    if !String::from_utf8_lossy(&version.stdout).starts_with("TShark (Wireshark) 4.0.") {
        eprintln!("SKIPPED: tshark 4.0 is not installed");
        return None;
    }
    let mut args = vec!["-r".to_string(), path.to_str()?.to_string(), "-Y".into(), filter.into(), "-T".into()];
    args.extend(["fields".into(), "-e".into(), "frame.number".into()]);
    for f in fields {
        args.extend(["-e".to_string(), f.to_string()]);
    }
    let out = Command::new("tshark").args(&args).output().expect("tshark runs");
    assert!(out.status.success(), "tshark {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect())
}

#[test]
fn the_fixture_has_16_frames_all_quic() {
    let Some(frames) = tshark("quic", &[]) else { return };
    assert_eq!(frames.len(), 16);
}

#[test]
fn every_hello_is_decrypted_on_the_frame_that_completes_it() {
    let fields = ["tls.handshake.type", "tls.handshake.extensions_server_name"];
    let Some(hellos) = tshark("tls.handshake.type", &fields) else { return };
    let expected = [
        "2\t1\th3.example.com",
        "3\t2\t",
        "6\t1\treorder.example.net",
        "7\t1\tretry.example.org",
        "10\t2\t",
        "11\t1\talt-port.example.com",
        "12\t2\t",
        "16\t1\tacked.example.com",
    ];
    assert_eq!(hellos, expected);
}

#[test]
fn tls_marks_the_frames_that_deliver_crypto_bytes() {
    // Not 5 (held past a gap), 9 (the ClientHello again after the Retry), 13 (forged) or 15
    // (an ACK alone).
    let Some(frames) = tshark("tls", &[]) else { return };
    assert_eq!(frames, ["1", "2", "3", "6", "7", "10", "11", "12", "14", "16"]);
}
