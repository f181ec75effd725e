//! Every fact `fixtures/README.md` states about the teaching capture, checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use pcapframe::polars::prelude::*;
use pcapframe::{read_pcap, ReadOptions};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

fn read(fields: &[&str]) -> DataFrame {
    read_pcap(fixture("dorm-room.pcap"), &ReadOptions::fields(fields.iter().copied())).unwrap()
}

fn u32s(df: &DataFrame, name: &str) -> Vec<Option<u32>> {
    let ca = df.column(name).unwrap().u32().unwrap();
    (0..ca.len()).map(|i| ca.get(i)).collect()
}

fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let ca = df.column(name).unwrap().str().unwrap();
    (0..ca.len()).map(|i| ca.get(i).map(String::from)).collect()
}

#[test]
fn size_duration_and_frame_lengths() {
    let df = read(&["frame.len", "frame.time_relative"]);
    assert_eq!(df.height(), 15_062);
    let duration = df.column("frame.time_relative").unwrap().f64().unwrap().max().unwrap();
    assert!((25.0 * 60.0..30.0 * 60.0).contains(&duration), "{duration} s");
    let lens: Vec<u32> = u32s(&df, "frame.len").into_iter().flatten().collect();
    let small = lens.iter().filter(|l| **l < 100).count() as f64 / lens.len() as f64;
    let full = lens.iter().filter(|l| **l > 1400).count() as f64 / lens.len() as f64;
    assert!(small > 0.5 && full > 0.1, "bimodal: {small} small, {full} full-size");
    let middle = lens.iter().filter(|l| (300..1100).contains(*l)).count();
    assert!(middle > 150, "bursts of other sizes: {middle}");
}

#[test]
fn quiet_seconds_leave_empty_buckets() {
    let df = read(&["frame.time_relative"]);
    let seconds: BTreeSet<u64> =
        df.column("frame.time_relative").unwrap().f64().unwrap().into_no_null_iter().map(|t| t as u64).collect();
    let span = seconds.last().unwrap() - seconds.first().unwrap() + 1;
    assert!(span - seconds.len() as u64 > 300, "{} of {span} seconds have traffic", seconds.len());
}

#[test]
fn streams_stream_ten_and_the_biggest_stream() {
    let df = read(&["tcp.stream", "ip.src", "ip.dst", "tcp.len", "tcp.flags.syn", "tcp.flags.ack"]);
    let streams = u32s(&df, "tcp.stream");
    let lens = u32s(&df, "tcp.len");
    let src = strs(&df, "ip.src");
    let dst = strs(&df, "ip.dst");
    let mut bytes: BTreeMap<u32, u64> = BTreeMap::new();
    let mut client: BTreeMap<u32, (String, String)> = BTreeMap::new();
    let syn = df.column("tcp.flags.syn").unwrap().bool().unwrap().clone();
    let ack = df.column("tcp.flags.ack").unwrap().bool().unwrap().clone();
    for i in 0..df.height() {
        let Some(s) = streams[i] else { continue };
        *bytes.entry(s).or_default() += u64::from(lens[i].unwrap());
        if syn.get(i) == Some(true) && ack.get(i) == Some(false) {
            client.insert(s, (src[i].clone().unwrap(), dst[i].clone().unwrap()));
        }
    }
    assert_eq!(bytes.len(), 36);
    assert_eq!(client[&10], ("192.168.15.7".to_string(), "192.0.2.15".to_string()));
    assert!((200_000..300_000).contains(&bytes[&10]), "stream 10: {} bytes", bytes[&10]);
    let (biggest, most) = bytes.iter().max_by_key(|(_, b)| **b).unwrap();
    assert_eq!((*biggest, *most), (12, 1_200_348));
    assert_eq!(client[&12], ("192.168.15.6".to_string(), "198.51.100.200".to_string()));
    assert_eq!(client[&23].1, "198.51.100.23");
    assert_eq!(client[&11].1, "192.0.2.80");
}

#[test]
fn two_nics_leak_into_their_padding() {
    let df = read(&["eth.src", "eth.trailer"]);
    let macs = strs(&df, "eth.src");
    let ca = df.column("eth.trailer").unwrap().binary().unwrap();
    let trailers: Vec<Option<Vec<u8>>> = (0..ca.len()).map(|i| ca.get(i).map(<[u8]>::to_vec)).collect();
    let mut per_mac: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (mac, trailer) in macs.iter().zip(&trailers) {
        if let (Some(mac), Some(t)) = (mac, trailer) {
            let alnum = t.iter().filter(|b| b.is_ascii_alphanumeric()).count() as f64 / t.len() as f64;
            per_mac.entry(mac.clone()).or_default().push(alnum);
        }
    }
    assert_eq!(per_mac.keys().map(String::as_str).collect::<Vec<_>>(), ["00:0f:cc:5e:21:7a", "00:1d:d9:2e:4f:61"]);
    assert!(per_mac["00:1d:d9:2e:4f:61"].iter().all(|r| *r > 0.5), "Hon Hai leaks text");
    let noisy = &per_mac["00:0f:cc:5e:21:7a"];
    assert!(noisy.iter().filter(|r| **r > 0.5).count() * 10 < noisy.len(), "ARRIS leaks binary");
    assert_eq!(pcapframe::vendor::mac_vendor("00:1d:d9:2e:4f:61"), Some("Hon Hai Precision Ind. Co.,Ltd."));
    assert_eq!(pcapframe::vendor::mac_vendor("00:0f:cc:5e:21:7a"), Some("Commscope"));
}

fn tshark(args: &[&str]) -> Option<String> {
    let out = Command::new("tshark").args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_hosts_nics_are_the_vendors_the_readme_names() {
    use pcapframe::vendor::mac_vendor;
    for (mac, vendor) in [
        ("00:1a:70:2a:9b:01", "Cisco-Linksys, LLC"),
        ("00:17:f2:4b:2a:19", "Apple, Inc."),
        ("00:1d:d9:2e:4f:61", "Hon Hai Precision Ind. Co.,Ltd."),
        ("00:0f:cc:5e:21:7a", "Commscope"),
        ("00:1b:21:3c:d4:e5", "Intel Corporate"),
    ] {
        assert_eq!(mac_vendor(mac), Some(vendor), "{mac}");
    }
    let readme = std::fs::read_to_string(fixture("README.md")).unwrap();
    for vendor in
        ["Cisco-Linksys, LLC", "Apple, Inc.", "Hon Hai Precision Ind. Co.,Ltd.", "Commscope", "Intel Corporate"]
    {
        assert!(readme.contains(vendor), "README names {vendor}");
    }
}

#[test]
fn each_dhcp_client_names_itself_as_the_readme_says() {
    let df = read(&["eth.src", "ip.src", "dhcp.option.dhcp", "dhcp.option.hostname"]);
    let macs = strs(&df, "eth.src");
    let names = strs(&df, "dhcp.option.hostname");
    let mut named = BTreeMap::new();
    for (mac, name) in macs.into_iter().zip(names) {
        if let (Some(mac), Some(name)) = (mac, name) {
            named.entry(mac).or_insert_with(BTreeSet::new).insert(name);
        }
    }
    let expected: BTreeMap<String, BTreeSet<String>> = [
        ("00:17:f2:4b:2a:19", "Johnnys-MacBook"),
        ("00:1d:d9:2e:4f:61", "ROOMMATE-PC"),
        ("00:0f:cc:5e:21:7a", "mediabox"),
        ("00:1b:21:3c:d4:e5", "neighbour-desktop"),
    ]
    .into_iter()
    .map(|(mac, name)| (mac.to_string(), BTreeSet::from([name.to_string()])))
    .collect();
    assert_eq!(named, expected);
    let readme = std::fs::read_to_string(fixture("README.md")).unwrap();
    for name in ["Johnnys-MacBook", "ROOMMATE-PC", "mediabox", "neighbour-desktop"] {
        assert!(readme.contains(&format!("`{name}`")), "README names {name}");
    }
}

#[test]
fn the_harassing_post_and_who_sent_it() {
    let path = fixture("dorm-room.pcap");
    let path = path.to_str().unwrap();
    let Some(posts) = tshark(&[
        "-r",
        path,
        "-Y",
        "http.request.method == \"POST\"",
        "-T",
        "fields",
        "-e",
        "tcp.stream",
        "-e",
        "ip.src",
        "-e",
        "eth.src",
        "-e",
        "http.host",
        "-e",
        "http.request.uri",
        "-e",
        "http.user_agent",
        "-e",
        "urlencoded-form.value",
    ]) else {
        eprintln!("SKIPPED: tshark is not installed");
        return;
    };
    let rows: Vec<Vec<&str>> = posts.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{posts}");
    let (login, post) = (&rows[0], &rows[1]);
    assert_eq!(&post[..5], ["23", "192.168.15.4", "00:17:f2:4b:2a:19", "www.vanishnote.example", "/send.php"]);
    assert!(post[6].contains("lily.tuckrige@campus.example") && post[6].contains("Watch your back"), "{}", post[6]);
    assert_eq!(&login[..5], ["11", "192.168.15.4", "00:17:f2:4b:2a:19", "mail.campus.example", "/login"]);
    assert!(login[6].starts_with("jcoach,"), "{}", login[6]);
    assert_eq!(login[5], post[5], "same browser");
    assert!(post[5].contains("Macintosh"));
    let cookies =
        tshark(&["-r", path, "-Y", "http.cookie contains \"jcoach\"", "-T", "fields", "-e", "ip.src"]).unwrap();
    assert_eq!(cookies.lines().collect::<BTreeSet<_>>(), BTreeSet::from(["192.168.15.4"]));
}

/// `frame.number<TAB>messages` of every frame tshark (checking IP, TCP and UDP checksums) finds
/// malformed or gives error-level expert info; `None` without tshark.
fn tshark_problems(path: &Path) -> Option<String> {
    tshark(&[
        "-r",
        path.to_str().unwrap(),
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "tcp.check_checksum:TRUE",
        "-o",
        "udp.check_checksum:TRUE",
        "-Y",
        "_ws.malformed or _ws.expert.severity >= 8388608",
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "_ws.expert.message",
    ])
}

#[test]
fn tshark_finds_nothing_malformed_and_no_bad_checksum_in_any_fixture() {
    // edge-malformed.pcap is damaged on purpose (see the next test).
    for (name, _) in pcapframe_fixtures::all().into_iter().filter(|(name, _)| *name != "edge-malformed.pcap") {
        let Some(problems) = tshark_problems(&fixture(name)) else {
            eprintln!("SKIPPED: tshark is not installed");
            return;
        };
        assert!(problems.trim().is_empty(), "{name}: {problems}");
    }
}

#[test]
fn tshark_finds_the_damage_in_the_malformed_fixture() {
    let Some(problems) = tshark_problems(&fixture("edge-malformed.pcap")) else {
        eprintln!("SKIPPED: tshark is not installed");
        return;
    };
    let flagged: Vec<&str> = problems.lines().filter_map(|l| l.split('\t').next()).collect();
    // Malformed or bogus whatever the checksums (some edits also left a checksum stale).
    assert!(
        ["1", "2", "3", "4", "5", "6", "10", "11", "14", "17"].iter().all(|f| flagged.contains(f)),
        "frames tshark calls malformed: {flagged:?}"
    );
}
