//! tshark's `-T fields` text form: separators, occurrences, aggregators and quotes.

use crate::fields::{Field, FieldIndex, FrameValues, TextOut, ValueTexts};

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

    /// Appends one frame's line. For many frames, [`TextFormat::rows`] is faster.
    pub fn write_row(&self, fields: &[Field], frame: &FrameValues, out: &mut String) {
        let mut line = Vec::new();
        self.rows(fields).write(frame, &mut line);
        out.push_str(&String::from_utf8_lossy(&line));
    }

    /// A writer of lines of `fields`, one per frame, that finds each frame's values in one pass.
    pub fn rows<'a>(&'a self, fields: &'a [Field]) -> RowWriter<'a> {
        RowWriter {
            format: self,
            fields,
            index: FieldIndex::new(fields.iter().copied().collect()),
            values: ValueTexts::default(),
            separator: Separator::of(&self.separator),
            aggregator: Separator::of(&self.aggregator),
        }
    }
}

/// A separator or aggregator, with the usual one-byte case written without a copy call.
#[derive(Debug, Clone, Copy)]
enum Separator<'a> {
    Byte(u8),
    Text(&'a str),
}

impl<'a> Separator<'a> {
    fn of(text: &'a str) -> Self {
        match text.as_bytes() {
            [b] => Separator::Byte(*b),
            _ => Separator::Text(text),
        }
    }

    #[inline]
    fn write(self, out: &mut Vec<u8>) {
        match self {
            Separator::Byte(b) => out.push(b),
            Separator::Text(t) => out.extend_from_slice(t.as_bytes()),
        }
    }
}

/// Writes lines of a fixed list of fields (see [`TextFormat::rows`]); allocates nothing per frame.
pub struct RowWriter<'a> {
    format: &'a TextFormat,
    fields: &'a [Field],
    index: FieldIndex,
    values: ValueTexts,
    separator: Separator<'a>,
    aggregator: Separator<'a>,
}

impl RowWriter<'_> {
    /// Appends one frame's line, as UTF-8.
    pub fn write(&mut self, frame: &FrameValues, out: &mut Vec<u8>) {
        self.index.index(frame);
        out.reserve(64 + 16 * self.fields.len());
        for (i, f) in self.fields.iter().enumerate() {
            if i > 0 {
                self.separator.write(out);
            }
            self.write_field(*f, frame, out);
        }
        out.push(b'\n');
    }

    fn write_field(&mut self, field: Field, frame: &FrameValues, out: &mut Vec<u8>) {
        let Some((first, last)) = self.index.span(field) else {
            return;
        };
        let items = frame.items();
        let quote = self.format.quote;
        if let Some(q) = quote {
            out.text(q.encode_utf8(&mut [0; 4]));
        }
        match self.format.occurrence {
            TextOccurrence::First => self.values.write(field, frame, items[first].1, out),
            TextOccurrence::Last => self.values.write(field, frame, items[last].1, out),
            TextOccurrence::All => {
                self.values.write(field, frame, items[first].1, out);
                // Most fields occur once: then nothing lies between.
                for &(other, value) in &items[first + 1..=last] {
                    if other == field {
                        self.aggregator.write(out);
                        self.values.write(field, frame, value, out);
                    }
                }
            }
        }
        if let Some(q) = quote {
            out.text(q.encode_utf8(&mut [0; 4]));
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
