//! The field registry: every field pcapframe produces, named exactly like its Wireshark field.

mod index;
mod registry;
mod set;
mod text;
mod value;

pub use index::FieldIndex;
pub use registry::{Field, FieldDef, FieldType, FIELDS};
pub use set::FieldSet;
pub use text::{write_escaped, write_float, write_seconds, Short, TextOut, ValueTexts};
pub use value::{FrameValues, Layer, Value};

/// A field name that pcapframe does not know, with the nearest valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown field '{name}'{}", suggestion_text(.suggestions))]
pub struct UnknownField {
    /// The name as given.
    pub name: String,
    /// Up to three known names that are spelled most alike.
    pub suggestions: Vec<&'static str>,
}

fn suggestion_text(suggestions: &[&str]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", "))
    }
}

/// Looks up a field by its Wireshark name.
pub fn lookup(name: &str) -> Result<Field, UnknownField> {
    FIELDS
        .iter()
        .position(|f| f.name == name)
        .map(Field::from_index)
        .ok_or_else(|| UnknownField { name: name.to_string(), suggestions: nearest_names(name) })
}

fn nearest_names(name: &str) -> Vec<&'static str> {
    let mut scored: Vec<(f64, &'static str)> =
        FIELDS.iter().map(|f| (strsim::jaro_winkler(name, f.name), f.name)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().filter(|(score, _)| *score > 0.75).take(3).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_field_is_registered_once() {
        let mut names: Vec<_> = FIELDS.iter().map(|f| f.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate field names");
        for f in FIELDS {
            assert_eq!(lookup(f.name).unwrap().def().name, f.name);
        }
    }

    #[test]
    fn the_readme_documents_every_field() {
        let readme = include_str!("../../../../README.md");
        for f in FIELDS {
            assert!(readme.contains(&format!("| `{}` |", f.name)), "README.md lacks a row for {}", f.name);
        }
    }

    #[test]
    fn unknown_field_suggests_nearest() {
        let err = lookup("tcp.strem").unwrap_err();
        assert_eq!(err.suggestions.first(), Some(&"tcp.stream"));
        assert!(err.to_string().contains("did you mean 'tcp.stream'"), "{err}");
        let err = lookup("zzzz").unwrap_err();
        assert!(err.suggestions.is_empty());
    }
}
