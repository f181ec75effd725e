//! Reading on several threads gives what reading on one gives: for every fixture and shared
//! capture, every field's text (`--threads 1` against `--threads 3`, with and without a display
//! filter and a frame count), the `frame.*` fields' text (read ahead on a thread of its own with
//! several threads), and `read_pcap`'s DataFrame of every field and of the fields whose TCP
//! tracking is done on the consumer's thread (with and without a filter); also on a capture cut
//! mid-frame, where both must keep the same frames and report the same damage.

#[path = "../../pcapframe/tests/corpus/mod.rs"]
mod corpus;

use std::path::Path;
use std::process::{Command, Output};

use pcapframe::pipeline::BATCH_FRAMES;
use pcapframe::{read_pcap_partial, ReadOptions, FIELDS};

fn every_field() -> Vec<String> {
    FIELDS.iter().map(|f| f.name.to_string()).collect()
}

/// Fields that need no dissection: a read of these alone reads the file ahead of its parsing.
fn frame_fields() -> Vec<String> {
    ["frame.number", "frame.time_epoch", "frame.time_delta", "frame.len", "frame.cap_len", "frame.interface_id"]
        .map(String::from)
        .to_vec()
}

/// Every field whose TCP tracking can wait for the thread that builds the columns: all but the
/// sequence analysis, the SACK edges and the application protocols over TCP.
fn tracked_apart_fields() -> Vec<String> {
    let over_tcp = ["http", "dns", "tls", "ftp", "smtp"];
    let needs_tracking_inline = ["tcp.analysis.", "tcp.time_", "tcp.completeness", "tcp.options.sack_"];
    FIELDS
        .iter()
        .filter(|f| !over_tcp.contains(&f.protocol) && !needs_tracking_inline.iter().any(|p| f.name.starts_with(p)))
        .map(|f| f.name.to_string())
        .collect()
}

fn cli(capture: &Path, threads: usize, fields: &[String], extra: &[String]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pcapframe"));
    command.arg("--threads").arg(threads.to_string()).arg("-r").arg(capture).args(["-T", "fields"]);
    for field in fields {
        command.args(["-e", field]);
    }
    command.args(extra).output().expect("pcapframe runs")
}

fn assert_same_output(capture: &Path, extra: &[String]) {
    assert_same_output_of(capture, &every_field(), extra);
}

fn assert_same_output_of(capture: &Path, fields: &[String], extra: &[String]) {
    let one = cli(capture, 1, fields, extra);
    let many = cli(capture, 3, fields, extra);
    let name = capture.display();
    assert_eq!(one.status.code(), many.status.code(), "{name} {extra:?}: exit status");
    assert!(one.stdout == many.stdout, "{name} {extra:?}: the text differs between 1 and 3 threads");
    assert_eq!(String::from_utf8_lossy(&one.stderr), String::from_utf8_lossy(&many.stderr), "{name} {extra:?}");
}

fn assert_same_frame(capture: &Path) {
    assert_same_frame_of(capture, &ReadOptions::fields(every_field()));
    let tracked_apart = ReadOptions::fields(tracked_apart_fields());
    assert_same_frame_of(capture, &tracked_apart);
    assert_same_frame_of(capture, &tracked_apart.display_filter("tcp.stream == 1 or tcp.window_size > 1000 or udp"));
}

fn assert_same_frame_of(capture: &Path, read: &ReadOptions) {
    let options = |threads| ReadOptions { threads: Some(threads), ..read.clone() };
    let (one, many) = (read_pcap_partial(capture, &options(1)), read_pcap_partial(capture, &options(2)));
    let name = capture.display();
    match (one, many) {
        (Ok(one), Ok(many)) => {
            assert!(one.frame.equals_missing(&many.frame), "{name}: read_pcap differs between 1 and 2 threads");
            assert_eq!(one.problem.map(|e| e.to_string()), many.problem.map(|e| e.to_string()), "{name}");
            assert_eq!(one.coverage, many.coverage, "{name}");
        }
        (one, many) => {
            assert_eq!(one.err().map(|e| e.to_string()), many.err().map(|e| e.to_string()), "{name}")
        }
    }
}

#[test]
fn every_capture_reads_the_same_on_one_thread_and_on_several() {
    let captures = corpus::captures();
    assert!(captures.len() >= 30, "the fixtures at least");
    for capture in &captures {
        assert_same_output(capture, &[]);
        assert_same_output_of(capture, &frame_fields(), &[]);
        assert_same_frame(capture);
    }
    let dorm = captures.iter().find(|c| c.ends_with("dorm-room.pcap")).expect("the teaching capture");
    let filtered = ["-Y".to_string(), "tcp.len > 0 || dns".to_string()];
    assert_same_output(dorm, &filtered);
    // Frame counts around a batch's edge, and past a filter; a few fields go in larger batches.
    let stevens: Vec<String> = ["frame.time_epoch", "tcp.stream", "ip.src", "ip.dst", "tcp.seq", "tcp.ack", "tcp.len"]
        .map(String::from)
        .to_vec();
    for count in [1, BATCH_FRAMES - 1, BATCH_FRAMES, BATCH_FRAMES + 1, 1000] {
        assert_same_output(dorm, &["-c".to_string(), count.to_string()]);
        assert_same_output(dorm, &[filtered.to_vec(), vec!["-c".to_string(), count.to_string()]].concat());
    }
    for count in [4 * BATCH_FRAMES - 1, 4 * BATCH_FRAMES, 4 * BATCH_FRAMES + 1, 9000] {
        assert_same_output_of(dorm, &stevens, &["-c".to_string(), count.to_string()]);
    }
    assert_same_output_of(dorm, &stevens, &filtered);
}

#[test]
fn a_damaged_capture_keeps_the_same_frames_and_damage_on_several_threads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let whole = std::fs::read(root.join("fixtures/dorm-room.pcap")).unwrap();
    let dir = std::env::temp_dir().join(format!("pcapframe-threads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cut = dir.join("cut.pcap");
    // Cut mid-frame, well past the first batches.
    std::fs::write(&cut, &whole[..whole.len() * 2 / 3 + 7]).unwrap();
    let one = cli(&cut, 1, &every_field(), &[]);
    assert_eq!(one.status.code(), Some(2), "a cut capture: exit 2 after the intact frames");
    assert!(one.stdout.iter().filter(|b| **b == b'\n').count() > 4 * BATCH_FRAMES);
    assert_same_output(&cut, &[]);
    assert_same_output_of(&cut, &frame_fields(), &[]);
    assert_same_frame(&cut);
    std::fs::remove_dir_all(&dir).unwrap();
}
