//! What polars hands the scan (a regression test for polars upgrades), and lazy = eager.

use super::*;
use crate::{read_pcap, ReadOptions};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

const FIELDS: [&str; 6] =
    ["frame.number", "frame.len", "ip.src", "tcp.stream", "tcp.seq", "tcp.analysis.retransmission"];

/// Runs `query` on a scan of dorm-room.pcap and returns its result and what the scan received.
fn run(query: impl FnOnce(LazyFrame) -> LazyFrame) -> (DataFrame, ScanRecord) {
    let scan = Arc::new(
        PcapScan::new(&[fixture("dorm-room.pcap")], MergeOrder::Chronological, &ScanOptions::fields(FIELDS)).unwrap(),
    );
    let args = ScanArgsAnonymous { schema: Some(scan.schema.clone()), name: "scan_pcap", ..Default::default() };
    let lazy = LazyFrame::anonymous_scan(scan.clone(), args).unwrap();
    let df = query(lazy).collect().unwrap();
    let record = scan.record.lock().unwrap().clone().expect("the scan ran");
    (df, record)
}

fn eager(options: ReadOptions) -> DataFrame {
    read_pcap(fixture("dorm-room.pcap"), &options).unwrap()
}

#[test]
fn the_whole_scan_equals_read_pcap_on_every_fixture() {
    let mut names: Vec<_> = std::fs::read_dir(fixture(""))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
        .collect();
    names.sort();
    assert!(names.len() > 30);
    for name in names {
        let lazy = scan_pcap(fixture(&name), &ScanOptions::fields(FIELDS)).unwrap().collect().unwrap();
        let eager = read_pcap(fixture(&name), &ReadOptions::fields(FIELDS)).unwrap();
        assert!(lazy.equals_missing(&eager), "{name}:\n{lazy}\n{eager}");
    }
}

#[test]
fn a_projection_decodes_only_the_selected_fields() {
    let (df, record) = run(|lf| lf.select([col("frame.len")]));
    assert_eq!(record.with_columns, Some(vec!["frame.len".to_string()]));
    assert_eq!(record.decoded, ["frame.len"], "no TCP field is decoded, so the TCP tracker does not run");
    assert!(df.equals_missing(&eager(ReadOptions::fields(["frame.len"]))));
}

#[test]
fn a_predicate_is_applied_while_reading() {
    let (df, record) = run(|lf| {
        lf.filter(col("tcp.stream").eq(lit(10u32)).and(col("frame.len").gt(lit(1000u32)))).select([col("tcp.seq")])
    });
    assert!(record.predicate, "polars pushed the predicate down: {record:?}");
    assert_eq!(record.decoded, ["frame.len", "tcp.stream", "tcp.seq"]);
    let expected = eager(ReadOptions::fields(["tcp.seq"]).display_filter("tcp.stream == 10 && frame.len > 1000"));
    assert!(df.height() > 50 && df.equals_missing(&expected), "{df}\n{expected}");
}

#[test]
fn a_limit_stops_the_read() {
    let (df, record) = run(|lf| lf.select([col("frame.number")]).limit(5));
    assert_eq!(record.n_rows, Some(5));
    let numbers: Vec<_> = df.column("frame.number").unwrap().u64().unwrap().iter().flatten().collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
}

#[test]
fn the_options_display_filter_always_applies() {
    let options = ScanOptions::fields(["frame.number", "dns.qry.name"]).display_filter("dns.flags.response == 0");
    let lazy = scan_pcap(fixture("dorm-room.pcap"), &options).unwrap().select([col("dns.qry.name")]).collect().unwrap();
    let eager = eager(ReadOptions::fields(["dns.qry.name"]).display_filter("dns.flags.response == 0"));
    assert!(lazy.height() == 36 && lazy.equals_missing(&eager));
}

#[test]
fn unknown_fields_bad_filters_and_missing_files_are_errors() {
    let unknown = scan_pcap(fixture("dorm-room.pcap"), &ScanOptions::fields(["frame.lenn"])).err().unwrap();
    assert!(unknown.to_string().contains("frame.len"), "{unknown}");
    assert!(scan_pcap(fixture("dorm-room.pcap"), &ScanOptions::fields(["frame.len"]).display_filter("tcp.port =="))
        .is_err());
    let missing = scan_pcap(fixture("no-such.pcap"), &ScanOptions::fields(["frame.len"])).unwrap().collect();
    assert!(missing.unwrap_err().to_string().contains("no-such.pcap"));
}

/// polars' streaming engine cannot run an `AnonymousScan`: it panics inside polars while planning,
/// before the scan runs (polars issue #24670). Pinned because the README and the module
/// documentation tell users so: an upgrade that changes it must change the advice too.
#[test]
fn polars_streaming_engine_panics_on_the_scan() {
    let lazy = scan_pcap(fixture("dorm-room.pcap"), &ScanOptions::fields(["frame.len"])).unwrap();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lazy.collect_with_engine(Engine::Streaming)));
    let Err(panic) = run else { panic!("polars' streaming engine ran scan_pcap: update the README's advice") };
    let message =
        panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
    assert!(message.as_deref().is_some_and(|m| m.contains("AnonymousScan")), "{message:?}");
}

#[test]
fn a_glob_scans_its_matches_as_one_capture() {
    let pattern = fixture("edge-tcp-*.pcap");
    let matches = [fixture("edge-tcp-analysis.pcap"), fixture("edge-tcp-port-reuse.pcap")];
    let globbed = scan_pcap(&pattern, &ScanOptions::fields(FIELDS)).unwrap().collect().unwrap();
    let listed = scan_pcaps(&matches, MergeOrder::Chronological, &ScanOptions::fields(FIELDS)).unwrap();
    let one = read_pcap(&matches[0], &ReadOptions::fields(FIELDS)).unwrap();
    assert!(globbed.height() > one.height() && globbed.equals_missing(&listed.collect().unwrap()));
    for bad in ["edge-nothing-*.pcap", "edge-[.pcap"] {
        let e = scan_pcap(fixture(bad), &ScanOptions::fields(FIELDS)).err().expect(bad).to_string();
        assert!(e.contains(bad) && (e.contains("no file matches") || e.contains("not a valid glob")), "{e}");
    }
}

#[test]
fn several_captures_scan_as_read_pcaps_reads_them() {
    let paths = [fixture("edge-tcp-analysis.pcap"), fixture("edge-app-reassembly.pcap")];
    for order in [MergeOrder::Chronological, MergeOrder::Concatenated] {
        let lazy = scan_pcaps(&paths, order, &ScanOptions::fields(FIELDS))
            .unwrap()
            .filter(col("tcp.stream").lt(lit(3u32)))
            .collect()
            .unwrap();
        let eager =
            crate::read_pcaps(&paths, order, &ReadOptions::fields(FIELDS).display_filter("tcp.stream < 3")).unwrap();
        assert!(lazy.height() > 50 && lazy.equals_missing(&eager), "{order:?}");
    }
}

#[test]
fn a_limit_before_a_filter_limits_the_frames_the_filter_sees() {
    let (df, record) = run(|lf| lf.limit(40).filter(col("frame.len").gt(lit(300u32))).select([col("frame.number")]));
    assert_eq!(record.n_rows, Some(40));
    let expected = eager(ReadOptions { max_frames: Some(40), ..ReadOptions::fields(["frame.number", "frame.len"]) })
        .lazy()
        .filter(col("frame.len").gt(lit(300u32)))
        .select([col("frame.number")])
        .collect()
        .unwrap();
    assert!(df.height() > 0 && df.equals_missing(&expected), "{df}\n{expected}");
    // And a filter before the limit: the first 5 frames that pass it.
    let (df, _) = run(|lf| lf.filter(col("frame.len").gt(lit(1000u32))).limit(5).select([col("frame.len")]));
    assert_eq!(df.height(), 5);
    assert!(df.column("frame.len").unwrap().u32().unwrap().iter().flatten().all(|l| l > 1000));
}
