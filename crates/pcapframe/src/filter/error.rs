//! Filter errors in tshark's layout: the message, the filter, and a caret line under the culprit.

/// A display filter that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}\n    {filter}\n    {caret}")]
pub struct FilterError {
    /// What is wrong.
    pub message: String,
    /// The filter as given.
    pub filter: String,
    /// Byte offset of the culprit.
    pub start: usize,
    /// Its length in bytes.
    pub len: usize,
    caret: String,
}

impl FilterError {
    pub(crate) fn at(filter: &str, start: usize, len: usize, message: &str) -> Self {
        let start = start.min(filter.len());
        let width = filter[..start].chars().count();
        let span = filter[start..(start + len).min(filter.len())].chars().count().max(1);
        let caret = format!("{}^{}", " ".repeat(width), "~".repeat(span - 1));
        FilterError { message: message.to_string(), filter: filter.to_string(), start, len, caret }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_tshark() {
        let e = FilterError::at("tcp xor udp", 4, 3, "\"xor\" was unexpected in this context.");
        assert_eq!(e.to_string(), "\"xor\" was unexpected in this context.\n    tcp xor udp\n        ^~~");
    }
}
