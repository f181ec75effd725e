//! tshark's `-T fields` text form: separators, occurrences, aggregators and quotes.

use crate::fields::{Field, FrameValues};

/// Which occurrences of a repeated field to print (`-E occurrence=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextOccurrence {
    /// All of them, joined by the aggregator (`a`, tshark's default).
    #[default]
    All,
    /// The first (`f`).
    First,
    /// The last (`l`).
    Last,
}

/// How to lay out field text, mirroring tshark's `-E` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFormat {
    /// Print a header line of field names (`-E header=y`).
    pub header: bool,
    /// Between fields (`-E separator=`; tab by default).
    pub separator: String,
    /// Which occurrences to print.
    pub occurrence: TextOccurrence,
    /// Between occurrences (`-E aggregator=`; comma by default).
    pub aggregator: String,
    /// Quote character around non-empty values (`-E quote=d|s`).
    pub quote: Option<char>,
}

impl Default for TextFormat {
    fn default() -> Self {
        TextFormat {
            header: false,
            separator: "\t".into(),
            occurrence: TextOccurrence::All,
            aggregator: ",".into(),
            quote: None,
        }
    }
}

impl TextFormat {
    /// Appends the header line (field names, never quoted).
    pub fn write_header(&self, fields: &[Field], out: &mut String) {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push_str(&self.separator);
            }
            out.push_str(f.def().name);
        }
        out.push('\n');
    }

    /// Appends one frame's line.
    pub fn write_row(&self, fields: &[Field], frame: &FrameValues, out: &mut String) {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push_str(&self.separator);
            }
            self.write_field(*f, frame, out);
        }
        out.push('\n');
    }

    fn write_field(&self, field: Field, frame: &FrameValues, out: &mut String) {
        let count = frame.all(field).count();
        if count == 0 {
            return;
        }
        let (from, to) = match self.occurrence {
            TextOccurrence::All => (0, count),
            TextOccurrence::First => (0, 1),
            TextOccurrence::Last => (count - 1, count),
        };
        if let Some(q) = self.quote {
            out.push(q);
        }
        for (i, v) in frame.all(field).enumerate().skip(from).take(to - from) {
            if i > from {
                out.push_str(&self.aggregator);
            }
            frame.write_text(field, v, out);
        }
        if let Some(q) = self.quote {
            out.push(q);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{FieldSet, Value};

    fn icmp_error() -> FrameValues {
        let mut fv = FrameValues::new(FieldSet::all());
        fv.uint(Field::FrameNumber, 2u32);
        fv.push(Field::IpSrc, Value::Ipv4([192, 168, 100, 1]));
        fv.push(Field::IpSrc, Value::Ipv4([192, 168, 100, 138]));
        fv
    }

    #[test]
    fn layouts_match_tshark() {
        let fields = [Field::FrameNumber, Field::TcpSrcport, Field::IpSrc];
        let fv = icmp_error();
        let mut out = String::new();
        TextFormat::default().write_row(&fields, &fv, &mut out);
        assert_eq!(out, "2\t\t192.168.100.1,192.168.100.138\n");
        out.clear();
        let quoted = TextFormat { quote: Some('"'), aggregator: "|".into(), ..Default::default() };
        quoted.write_row(&fields, &fv, &mut out);
        assert_eq!(out, "\"2\"\t\t\"192.168.100.1|192.168.100.138\"\n");
        out.clear();
        let last = TextFormat { occurrence: TextOccurrence::Last, separator: ";".into(), ..Default::default() };
        last.write_row(&fields, &fv, &mut out);
        assert_eq!(out, "2;;192.168.100.138\n");
    }
}
