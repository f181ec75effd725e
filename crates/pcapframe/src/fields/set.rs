//! A compact set of fields, used to decode only what was asked for.

use super::{Field, FIELDS};

const WORDS: usize = FIELDS.len().div_ceil(64);

/// A bitset over [`Field`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldSet([u64; WORDS]);

impl FieldSet {
    /// The set of every field.
    pub fn all() -> Self {
        let mut s = FieldSet::default();
        for i in 0..FIELDS.len() {
            s.insert(Field::from_index(i));
        }
        s
    }

    /// The set of `fields`, made at compile time (for groups of fields a dissector checks at once).
    pub const fn of(fields: &[Field]) -> Self {
        let mut words = [0u64; WORDS];
        let mut i = 0;
        while i < fields.len() {
            let index = fields[i].index();
            words[index / 64] |= 1 << (index % 64);
            i += 1;
        }
        FieldSet(words)
    }

    /// Whether some field of `other` is in the set.
    #[inline]
    pub fn intersects(&self, other: &FieldSet) -> bool {
        // Every word, without a branch per word: dissectors ask this of every frame.
        self.0.iter().zip(&other.0).fold(0, |common, (a, b)| common | (a & b)) != 0
    }

    /// Adds a field.
    pub fn insert(&mut self, f: Field) {
        self.0[f.index() / 64] |= 1 << (f.index() % 64);
    }

    /// Whether the field is in the set.
    #[inline]
    pub fn contains(&self, f: Field) -> bool {
        self.0[f.index() / 64] & (1 << (f.index() % 64)) != 0
    }

    /// How many fields the set holds.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set holds no field.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every field of `other` is in the set.
    #[inline]
    pub fn contains_all(&self, other: &FieldSet) -> bool {
        self.0.iter().zip(&other.0).fold(0, |missing, (a, b)| missing | (b & !a)) == 0
    }

    /// Adds every field of another set.
    pub fn extend(&mut self, other: FieldSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }
}

impl FromIterator<Field> for FieldSet {
    fn from_iter<I: IntoIterator<Item = Field>>(iter: I) -> Self {
        let mut s = FieldSet::default();
        for f in iter {
            s.insert(f);
        }
        s
    }
}
