//! Any text as a display filter: parsing never panics, and a parsed filter evaluates on a frame.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pcapframe::fields::{Field, FieldSet, FrameValues, Layer, Value};
use pcapframe::DisplayFilter;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(filter) = DisplayFilter::parse(text) else { return };
    let mut frame = FrameValues::new(FieldSet::all());
    frame.push(Field::EthSrc, Value::Mac([0, 0x1d, 0xd9, 1, 2, 3]));
    frame.push(Field::IpSrc, Value::Ipv4([10, 0, 0, 1]));
    frame.push(Field::Ipv6Dst, Value::Ipv6([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
    frame.uint(Field::TcpSrcport, 80u16);
    frame.push(Field::FrameTimeRelative, Value::Nanos(1_500_000_000));
    frame.bytes(Field::EthTrailer, b"leak");
    frame.text(Field::HttpHost, "www.example.com");
    frame.text(Field::DnsQryName, "campus.example");
    frame.push(Field::DnsA, Value::Ipv4([203, 0, 113, 10]));
    frame.mark(Layer::Http);
    let _ = filter.matches(&frame);
});
