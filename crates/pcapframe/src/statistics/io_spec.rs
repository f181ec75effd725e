//! The column specs of `-z io,stat`: a display filter (frames and bytes of the frames that pass
//! it), `FRAMES` or `BYTES` with an optional `()FILTER`, or an aggregate `FUNC(field)FILTER`
//! where `FUNC` is `COUNT`, `SUM`, `MIN`, `MAX` or `AVG` and the filter is optional.
//!
//! Every error names the whole spec: syntax errors, unknown fields and filter errors are
//! [`FilterError`]s whose text is the spec, with a caret under the culprit; `LOAD` is refused
//! with [`Error::Unsupported`].

use crate::error::{Error, Result};
use crate::fields::{self, Field, FieldType};
use crate::filter::{DisplayFilter, FilterError};

/// A function of an aggregate spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Function {
    /// Occurrences of the field.
    Count,
    /// Sum of its values.
    Sum,
    /// Least value.
    Min,
    /// Greatest value.
    Max,
    /// Mean value (integer division for integer fields, as tshark).
    Avg,
}

impl Function {
    const ALL: [Function; 5] = [Function::Count, Function::Sum, Function::Min, Function::Max, Function::Avg];

    /// The name in a spec (`SUM`).
    pub(super) fn name(self) -> &'static str {
        match self {
            Function::Count => "COUNT",
            Function::Sum => "SUM",
            Function::Min => "MIN",
            Function::Max => "MAX",
            Function::Avg => "AVG",
        }
    }

    /// The output column's name before its `_i` suffix (`sum`).
    pub(super) fn column(self) -> &'static str {
        match self {
            Function::Count => "count",
            Function::Sum => "sum",
            Function::Min => "min",
            Function::Max => "max",
            Function::Avg => "avg",
        }
    }
}

/// How an aggregated field's values are read, summed and typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Unsigned integers (decimal or hex printed): `UInt64` results.
    Unsigned,
    /// Signed integers: `Int64` results.
    Signed,
    /// Single-precision numbers: `Float64` results.
    Float,
    /// Relative and absolute times: `Float64` seconds (since the epoch for absolute ones).
    Time,
    /// Anything else (flags, addresses, bytes, text): `COUNT` only.
    Other,
}

impl Kind {
    fn of(ty: FieldType) -> Kind {
        match ty {
            FieldType::UInt { .. } | FieldType::Hex { .. } => Kind::Unsigned,
            FieldType::Int32 | FieldType::Int8 => Kind::Signed,
            FieldType::Float => Kind::Float,
            FieldType::RelTime | FieldType::AbsTime => Kind::Time,
            FieldType::Bool
            | FieldType::Mac
            | FieldType::Ipv4
            | FieldType::Ipv6
            | FieldType::Bytes
            | FieldType::Str => Kind::Other,
        }
    }
}

/// What a column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Measure {
    /// Frames and/or bytes of the passing frames.
    Frames { frames: bool, bytes: bool },
    /// A function of a field's occurrences in the passing frames.
    Aggregate { function: Function, field: Field, kind: Kind },
}

/// One parsed column spec.
#[derive(Debug, Clone)]
pub(super) struct Spec {
    /// What is counted.
    pub measure: Measure,
    /// The frames it is counted over (`None`: every frame).
    pub filter: Option<DisplayFilter>,
}

/// Parses one column spec.
pub(super) fn parse(spec: &str) -> Result<Spec> {
    let bare = match spec {
        "FRAMES" => Some(Measure::Frames { frames: true, bytes: false }),
        "BYTES" => Some(Measure::Frames { frames: false, bytes: true }),
        _ => None,
    };
    if let Some(measure) = bare {
        return Ok(Spec { measure, filter: None });
    }
    match function_call(spec) {
        Some((name, open)) => parse_call(spec, name, open),
        None => Ok(Spec { measure: Measure::Frames { frames: true, bytes: true }, filter: filter_at(spec, 0)? }),
    }
}

/// The upper-case word directly before a `(` at the start of the spec, and the `(`'s offset.
fn function_call(spec: &str) -> Option<(&str, usize)> {
    let open = spec.find('(')?;
    let name = &spec[..open];
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase())).then_some((name, open))
}

fn parse_call(spec: &str, name: &str, open: usize) -> Result<Spec> {
    let close = open
        + 1
        + spec[open + 1..].find(')').ok_or_else(|| {
            spec_error(spec, open, spec.len() - open, "Closing parenthesis missing from calculated expression.")
        })?;
    let argument = &spec[open + 1..close];
    let filter = filter_at(spec, close + 1)?;
    let measure = match name {
        "FRAMES" | "BYTES" if !argument.is_empty() => {
            let message = format!("{name} does not require or allow a field name within the parens.");
            return Err(spec_error(spec, open + 1, argument.len(), &message));
        }
        "FRAMES" => Measure::Frames { frames: true, bytes: false },
        "BYTES" => Measure::Frames { frames: false, bytes: true },
        _ => aggregate(spec, name, open, argument)?,
    };
    Ok(Spec { measure, filter })
}

fn aggregate(spec: &str, name: &str, open: usize, argument: &str) -> Result<Measure> {
    if name == "LOAD" {
        return Err(Error::Unsupported(format!(
            "io,stat column '{spec}': LOAD is not supported (tshark 4.0 truncates its response times to \
             microseconds and sizes the last interval irregularly; pcapframe does not reproduce it)"
        )));
    }
    let Some(function) = Function::ALL.into_iter().find(|f| f.name() == name) else {
        let message = format!("Unknown io,stat function '{name}' (known: COUNT, SUM, MIN, MAX, AVG, FRAMES, BYTES).");
        return Err(spec_error(spec, 0, name.len(), &message));
    };
    if argument.is_empty() {
        let message = format!("You didn't specify a field name for {name}(*).");
        return Err(spec_error(spec, open, 2, &message));
    }
    let field = lookup(spec, open + 1, argument)?;
    let kind = Kind::of(field.def().ty);
    check_kind(function, kind, argument).map_err(|message| spec_error(spec, open + 1, argument.len(), &message))?;
    Ok(Measure::Aggregate { function, field, kind })
}

/// Looks the field up; an unknown name is a spec error (a protocol or an abstract field such
/// as `ip.addr`, which a filter accepts, is said to be unsupported).
fn lookup(spec: &str, start: usize, name: &str) -> Result<Field> {
    fields::lookup(name).map_err(|unknown| {
        let message = if DisplayFilter::parse(name).is_ok() && !name.contains(char::is_whitespace) {
            format!("{name} is a protocol or an abstract field; io,stat aggregates a registered field only.")
        } else {
            unknown.to_string()
        };
        spec_error(spec, start, name.len(), &message)
    })
}

/// Whether the function applies to the kind, else tshark's complaint.
fn check_kind(function: Function, kind: Kind, field: &str) -> std::result::Result<(), String> {
    let name = function.name();
    match (function, kind) {
        (Function::Count, _) => Ok(()),
        (_, Kind::Other) => {
            Err(format!("{field} doesn't have integral values, so {name}(*) calculations are not supported on it."))
        }
        _ => Ok(()),
    }
}

/// The display filter starting at `start` of the spec (`None` when only blanks follow); its
/// errors are re-anchored in the whole spec.
fn filter_at(spec: &str, start: usize) -> Result<Option<DisplayFilter>> {
    let text = &spec[start..];
    if text.trim().is_empty() {
        return Ok(None);
    }
    DisplayFilter::parse(text).map(Some).map_err(|e| spec_error(spec, start + e.start, e.len, &e.message))
}

fn spec_error(spec: &str, start: usize, len: usize, message: &str) -> Error {
    Error::Filter(FilterError::at(spec, start, len, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(spec: &str) -> Measure {
        parse(spec).unwrap().measure
    }

    fn error(spec: &str) -> String {
        match parse(spec) {
            Err(Error::Filter(e)) => {
                assert_eq!(e.filter, spec, "the error names the spec");
                e.to_string()
            }
            other => panic!("{spec}: expected a filter error, got {other:?}"),
        }
    }

    #[test]
    fn plain_filters_count_frames_and_bytes() {
        let spec = parse("tcp && tcp.len > 0").unwrap();
        assert_eq!(spec.measure, Measure::Frames { frames: true, bytes: true });
        assert_eq!(spec.filter.unwrap().text(), "tcp && tcp.len > 0");
        assert!(parse("").unwrap().filter.is_none(), "an empty spec is every frame");
    }

    #[test]
    fn aggregates_with_and_without_filters() {
        let sum = Measure::Aggregate { function: Function::Sum, field: Field::TcpLen, kind: Kind::Unsigned };
        assert_eq!(measure("SUM(tcp.len)tcp.len"), sum);
        assert_eq!(parse("SUM(tcp.len)tcp.len").unwrap().filter.unwrap().text(), "tcp.len");
        assert!(parse("SUM(tcp.len)").unwrap().filter.is_none());
        assert!(parse("SUM(tcp.len)  ").unwrap().filter.is_none());
        let rtt = measure("AVG(tcp.analysis.ack_rtt)tcp.analysis.ack_rtt");
        assert_eq!(
            rtt,
            Measure::Aggregate { function: Function::Avg, field: Field::TcpAnalysisAckRtt, kind: Kind::Time }
        );
        let scale = measure("MIN(tcp.window_size_scalefactor)");
        assert!(matches!(scale, Measure::Aggregate { kind: Kind::Signed, .. }));
        assert!(matches!(measure("MAX(eth.type)"), Measure::Aggregate { kind: Kind::Unsigned, .. }));
        assert!(matches!(measure("COUNT(ip.src)ip"), Measure::Aggregate { kind: Kind::Other, .. }));
        assert!(matches!(measure("MAX(frame.time_epoch)"), Measure::Aggregate { kind: Kind::Time, .. }));
    }

    #[test]
    fn frames_and_bytes_functions() {
        assert_eq!(measure("FRAMES"), Measure::Frames { frames: true, bytes: false });
        assert_eq!(measure("BYTES"), Measure::Frames { frames: false, bytes: true });
        assert_eq!(measure("FRAMES()"), Measure::Frames { frames: true, bytes: false });
        let bytes = parse("BYTES()ip.dst == 10.0.0.1").unwrap();
        assert_eq!(bytes.measure, Measure::Frames { frames: false, bytes: true });
        assert_eq!(bytes.filter.unwrap().text(), "ip.dst == 10.0.0.1");
        assert!(error("FRAMES(ip.len)tcp").contains("does not require or allow a field name"));
    }

    #[test]
    fn bad_specs_are_errors_naming_the_spec() {
        assert!(error("FOO(ip.len)ip.len").contains("Unknown io,stat function 'FOO'"));
        assert!(error("SUM(ip.len").contains("Closing parenthesis missing"));
        assert!(error("SUM()ip").contains("didn't specify a field name for SUM(*)"));
        assert!(error("SUM(tcp.lenn)tcp").contains("unknown field 'tcp.lenn'"));
        assert!(error("SUM( ip.len )").contains("unknown field ' ip.len '"));
        assert!(error("COUNT(ip.addr)").contains("abstract field"));
        assert!(error("COUNT(tcp)tcp").contains("protocol"));
        assert!(error("SUM(ip.src)ip.src").contains("doesn't have integral values, so SUM(*)"));
        assert!(error("AVG(tcp.flags.syn)").contains("doesn't have integral values, so AVG(*)"));
        assert!(error("MAX(http.host)").contains("MAX(*)"));
        match parse("LOAD(dns.time)dns.time") {
            Err(Error::Unsupported(text)) => assert!(text.contains("'LOAD(dns.time)dns.time'"), "{text}"),
            other => panic!("LOAD: expected Unsupported, got {other:?}"),
        }
    }

    #[test]
    fn filter_errors_point_into_the_spec() {
        let text = error("SUM(ip.len)ip.len ==");
        assert!(text.ends_with(&format!("\n    SUM(ip.len)ip.len ==\n    {}^", " ".repeat(20))), "{text}");
        let caret = error("COUNT(tcp.len)tcp.lenn");
        assert!(caret.ends_with(&format!("\n    {}^{}", " ".repeat(14), "~".repeat(7))), "{caret}");
        error("sum(ip.len)ip.len"); // not a function name tshark knows: a (bad) filter
        error("tcp ==");
    }
}
