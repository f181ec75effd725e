//! Wireshark display filters, in the syntax of tshark 4.0 for the fields pcapframe decodes:
//! parsed before reading, then evaluated on each frame's values while reading, so frames that
//! fail are never materialised.
//!
//! Supported: field and protocol existence; `== != === !== ~= > < >= <=` and `eq ne any_eq all_ne
//! all_eq any_ne gt lt ge le`, with the `any`/`all` modifiers; `contains`; `matches`/`~`
//! (case-insensitive unless `(?-i)`); `in {a, b, c..d}`; `&` (bitwise and); `not and or ! && ||`
//! with Wireshark's precedence (not, then and, then or) and parentheses; integers in decimal,
//! hex, octal, binary and as character constants; booleans; strings with escapes and raw strings;
//! byte strings (`00:1d:d9`, `001dd9`); MAC, IPv4 and IPv6 addresses with CIDR prefixes; slices
//! (`eth.src[0:3]`, `[i-j]`, `[i]`, `[:j]`, `[i:]`, `[-4:]`); the abstract fields `ip.addr`,
//! `ipv6.addr`, `eth.addr`, `tcp.port`, `udp.port`. Like tshark 4.0, `xor` is not an operator.
//! Not supported (an error says so): functions, arithmetic, layer operators (`#`), field
//! references (`${...}`), slices of protocols and `contains` on protocols (they need the raw
//! bytes of a layer).

mod error;
mod eval;
mod frame;
mod lexer;
mod operand;
mod parser;
#[cfg(test)]
mod tests;

pub use error::FilterError;
pub use frame::filter_frame;

use crate::fields::{FieldSet, FrameValues};

/// A parsed display filter.
#[derive(Debug, Clone)]
pub struct DisplayFilter {
    text: String,
    root: parser::Node,
    fields: FieldSet,
    /// Set when the filter only asks for these fields to be present.
    required: Option<FieldSet>,
}

impl DisplayFilter {
    /// Parses a filter; errors name what was unexpected and where, as tshark does.
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        let tokens = lexer::tokenize(text)?;
        let root = parser::parse(text, &tokens)?;
        let mut fields = FieldSet::default();
        root.collect_fields(&mut fields);
        let required = root.required_fields();
        Ok(DisplayFilter { text: text.to_string(), root, fields, required })
    }

    /// The fields the filter reads (they are decoded even when not requested as columns).
    pub fn fields(&self) -> FieldSet {
        self.fields
    }

    /// Whether a frame passes the filter.
    pub fn matches(&self, frame: &FrameValues) -> bool {
        match &self.required {
            Some(fields) => frame.has_all(fields),
            None => eval::node(&self.root, frame),
        }
    }

    /// The filter as written.
    pub fn text(&self) -> &str {
        &self.text
    }
}
