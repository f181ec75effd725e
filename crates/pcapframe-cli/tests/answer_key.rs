//! The teaching capture's case, solved with pcapframe alone: each step of the answer key in
//! fixtures/README.md, run as the filter and fields a student would type, with the answers the
//! key gives. (No tshark needed.)

use std::path::PathBuf;
use std::process::Command;

fn capture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/dorm-room.pcap")
}

/// Rows of `pcapframe -r dorm-room.pcap -Y FILTER -T fields -e ...`, split into cells.
fn rows(filter: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pcapframe"));
    cmd.arg("-r").arg(capture()).args(["-Y", filter, "-T", "fields"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{filter}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| l.split('\t').map(String::from).collect()).collect()
}

#[test]
fn step_1_two_posts_one_to_vanishnote_from_the_macbook() {
    let posts = rows(
        r#"http.request.method == "POST""#,
        &["http.host", "http.request.uri", "tcp.stream", "http.cookie", "ip.src", "eth.src", "http.file_data"],
    );
    assert_eq!(posts.len(), 2, "{posts:?}");
    let threat = posts.iter().find(|r| r[0] == "www.vanishnote.example").expect("the post to vanishnote");
    assert_eq!(threat[1..6], ["/send.php", "23", "vn_visitor=8c1e77a2", "192.168.15.4", "00:17:f2:4b:2a:19"]);
    assert_eq!(
        threat[6],
        "to=lily.tuckrige%40campus.example&subject=You+will+regret+it\
         &message=Everyone+will+know+what+you+did.+Watch+your+back.&destroy=read"
    );
}

#[test]
fn step_2_the_only_mac_browser() {
    let agents = rows("http.user_agent", &["ip.src", "http.user_agent"]);
    let macs: std::collections::BTreeSet<_> =
        agents.iter().filter(|r| r[1].contains("Macintosh")).map(|r| (r[0].as_str(), r[1].as_str())).collect();
    let expected =
        ("192.168.15.4", "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.2) Gecko/20100115 Firefox/3.6");
    assert_eq!(macs.into_iter().collect::<Vec<_>>(), [expected]);
}

#[test]
fn step_3_the_same_host_signed_in_as_jcoach() {
    let login = rows(
        r#"http.host == "mail.campus.example" && http.request.method == "POST""#,
        &["http.request.uri", "tcp.stream", "ip.src", "http.file_data"],
    );
    assert_eq!(login.len(), 1, "{login:?}");
    assert_eq!(login[0][..3], ["/login", "11", "192.168.15.4"]);
    assert!(login[0][3].contains("user=jcoach"), "{:?}", login[0][3]);
    let cookies = rows(r#"http.cookie contains "jcoach""#, &["ip.src", "http.host", "http.cookie"]);
    assert!(!cookies.is_empty());
    for c in &cookies {
        assert_eq!(c[..2], ["192.168.15.4", "mail.campus.example"]);
        assert!(c[2].contains("campusmail_user=jcoach"), "{c:?}");
    }
}

#[test]
fn step_4_no_other_host_talks_to_vanishnote() {
    let senders: std::collections::BTreeSet<_> =
        rows(r#"http.host contains "vanishnote""#, &["ip.src"]).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(senders.into_iter().collect::<Vec<_>>(), ["192.168.15.4"]);
    // Its name was looked up by the MacBook too (the DNS server answers).
    let lookups = rows(r#"dns.qry.name matches "vanishnote" && dns.flags.response == 0"#, &["ip.src"]);
    assert!(!lookups.is_empty() && lookups.iter().all(|r| r[0] == "192.168.15.4"), "{lookups:?}");
}
