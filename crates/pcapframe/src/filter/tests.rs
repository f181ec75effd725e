//! The parser's errors: what, where, and in tshark's words where tshark has words for it.

use super::DisplayFilter;

fn error(filter: &str) -> (String, usize) {
    let e = DisplayFilter::parse(filter).expect_err(filter);
    (e.message, e.start)
}

#[test]
fn syntax_errors_point_at_the_culprit() {
    assert_eq!(error("tcp xor udp"), ("\"xor\" was unexpected in this context.".into(), 4));
    assert_eq!(error("tcp ^^ udp"), ("\"^\" was unexpected in this context.".into(), 4));
    assert_eq!(error("tcp.port in {80 443}"), ("\"443\" was unexpected in this context.".into(), 16));
    assert_eq!(error("(tcp"), ("Unexpected end of filter expression.".into(), 4));
    assert_eq!(error("tcp.port =="), ("Unexpected end of filter expression.".into(), 11));
    assert_eq!(error("tcp)"), ("\")\" was unexpected in this context.".into(), 3));
    assert_eq!(error(""), ("The filter is empty.".into(), 0));
    assert!(error("http.host == \"abc").0.contains("not terminated"));
}

#[test]
fn unknown_fields_suggest_the_nearest() {
    let (message, at) = error("tcp.strem == 1");
    assert_eq!(at, 0);
    assert!(
        message.starts_with("\"tcp.strem\" is neither a field nor a protocol name")
            && message.contains("\"tcp.stream\""),
        "{message}"
    );
    let (message, at) = error("tcp.srcport == tcp.dstpotr");
    assert_eq!(at, 15);
    assert!(message.contains("\"tcp.dstport\""), "{message}");
}

#[test]
fn type_mismatches_say_what_was_expected() {
    assert_eq!(error("ip.src == \"abc\""), ("IPv4 address cannot be converted from a string (\"abc\").".into(), 10));
    assert_eq!(error("tcp.port > 10.0.0.1"), ("\"10.0.0.1\" is not a valid number.".into(), 11));
    assert_eq!(error("eth.src == 00:11"), ("\"00:11\" is not a valid Ethernet address.".into(), 11));
    assert_eq!(error("ip.src == 1.2.3.4/33").0, "\"1.2.3.4/33\" is not a valid IPv4 address.");
    assert!(error("ip.src == eth.src").0.contains("different types"));
    assert!(error("tcp.port contains 80").0.contains("\"contains\" cannot be used"));
    assert!(error("tcp.port matches \"8\"").0.contains("\"matches\" cannot be used"));
    assert!(error("eth.trailer matches 55").0.contains("double-quoted string"));
    assert!(error("eth.trailer matches \"(\"").0.contains("Invalid regular expression"));
    assert!(error("tcp.port[0:1] == 00").0.contains("cannot be sliced"));
    assert!(error("ip.src & 0xff").0.contains("not an integer field"));
}

#[test]
fn unsupported_syntax_is_named() {
    assert!(error("len(eth.trailer) > 2").0.contains("functions"));
    assert!(error("udp.dstport >= udp.srcport + 1").0.contains("arithmetic"));
    assert!(error("ip.addr#2 == 10.0.0.1").0.contains("layer operator"));
    assert!(error("frame.number > ${frame.number}").0.contains("field references"));
    assert!(error("tcp contains \"GET\"").0.contains("cannot search the protocol"));
    assert!(error("frame[0:2] == 00:01").0.contains("cannot slice the protocol"));
    assert!(error("tcp == 1").0.contains("cannot compare the protocol"));
}

#[test]
fn nesting_is_bounded_and_long_chains_do_not_recurse() {
    use crate::fields::{FieldSet, FrameValues};
    let deep = format!("{}tcp{}", "(".repeat(100_000), ")".repeat(100_000));
    let (message, at) = error(&deep);
    assert!(message.contains("nest more than 100 levels"), "{message}");
    assert_eq!(at, 100);
    assert!(error(&format!("{}tcp", "not ".repeat(200))).0.contains("nest more than"));
    assert!(DisplayFilter::parse(&format!("{}tcp{}", "(".repeat(100), ")".repeat(100))).is_ok());
    // 100,000 terms: parsed, evaluated and dropped on a test thread's small stack.
    let chain = vec!["!udp && (tcp || ip)"; 100_000].join(" || ");
    let filter = DisplayFilter::parse(&chain).unwrap();
    assert!(!filter.matches(&FrameValues::new(FieldSet::all())));
}

#[test]
fn app_protocol_names_test_their_dissectors_mark_and_fall_back_to_fields() {
    use crate::fields::{Field, FieldSet, FrameValues, Layer};
    let filter = |text: &str| DisplayFilter::parse(text).unwrap();
    // An mDNS response: `dns.*` fields, but the protocol tshark names is mdns.
    let mut frame = FrameValues::new(FieldSet::all());
    frame.uint(Field::DnsId, 0u16);
    frame.mark(Layer::Mdns);
    assert!(filter("mdns").matches(&frame));
    assert!(!filter("dns").matches(&frame));
    assert!(filter("dns.id == 0").matches(&frame), "its fields are dns.* all the same");
    // A segment in an SMTP message: marked, though no smtp.* field shows.
    let mut frame = FrameValues::new(FieldSet::all());
    frame.mark(Layer::Smtp);
    assert!(filter("smtp").matches(&frame));
    assert!(!filter("smtp.req.command").matches(&frame));
    // Rows of a DataFrame carry no marks: a protocol is then present with any of its fields.
    let mut row = FrameValues::without_layers(FieldSet::all());
    row.uint(Field::DnsId, 0u16);
    assert!(filter("dns").matches(&row) && filter("mdns").matches(&row));
}

/// Found by the `display_filter` fuzz target (2026-12-01): seconds past the `i128` nanosecond
/// range overflowed (a panic with overflow checks, a wrapped value in release builds).
#[test]
fn time_literals_out_of_range_are_errors() {
    let (message, at) = error("frame.time_epoch > 33333333333333333333333333333333333333 174]fl0");
    assert_eq!((message.as_str(), at), ("\"33333333333333333333333333333333333333\" is not a valid time.", 19));
    assert!(DisplayFilter::parse("frame.time_relative > 333333333333333333333333333333.5").is_err());
    assert!(DisplayFilter::parse("frame.time_relative > 33333333333333333333.5").is_ok());
}
