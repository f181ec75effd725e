//! A counting tree laid out as tshark 4.0 prints its `-z NAME,tree` statistics, and its
//! DataFrame form.
//!
//! The order tshark prints, learnt from its output: the top-level topics in the order they were
//! created; below them, each level sorted by count, largest first, and topics of equal count by
//! name, bytewise and descending ("rcode" before "opcodes" before "Query/Response").

use polars::prelude::*;

use crate::error::Result;

/// One topic of the tree.
#[derive(Debug, Clone)]
struct Topic {
    name: String,
    parent: Option<usize>,
    count: u64,
}

/// Topics and their counts, created on first use.
#[derive(Debug, Default, Clone)]
pub(crate) struct StatsTree {
    topics: Vec<Topic>,
}

impl StatsTree {
    /// The topic `name` under `parent` (`None`: a top-level topic), created with count 0 when
    /// new.
    pub fn topic(&mut self, parent: Option<usize>, name: &str) -> usize {
        if let Some(i) = self.topics.iter().position(|t| t.parent == parent && t.name == name) {
            return i;
        }
        self.topics.push(Topic { name: name.to_owned(), parent, count: 0 });
        self.topics.len() - 1
    }

    /// Adds one to a topic's count.
    pub fn count(&mut self, topic: usize) {
        if let Some(t) = self.topics.get_mut(topic) {
            t.count += 1;
        }
    }

    /// Adds one to the topic `name` under `parent`, creating it when new; returns it.
    pub fn count_child(&mut self, parent: usize, name: &str) -> usize {
        let topic = self.topic(Some(parent), name);
        self.count(topic);
        topic
    }

    /// The children of `parent` in tshark's printing order.
    fn children(&self, parent: Option<usize>) -> Vec<usize> {
        let mut children: Vec<usize> = (0..self.topics.len()).filter(|&i| self.topics[i].parent == parent).collect();
        if parent.is_some() {
            children.sort_by(|&a, &b| {
                let (a, b) = (&self.topics[a], &self.topics[b]);
                b.count.cmp(&a.count).then_with(|| b.name.as_bytes().cmp(a.name.as_bytes()))
            });
        }
        children
    }

    /// Every topic depth-first in printing order, with its depth.
    fn walk(&self) -> Vec<(usize, u32)> {
        let mut out = Vec::with_capacity(self.topics.len());
        let mut stack: Vec<(usize, u32)> = self.children(None).into_iter().rev().map(|i| (i, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            out.push((i, depth));
            stack.extend(self.children(Some(i)).into_iter().rev().map(|c| (c, depth + 1)));
        }
        out
    }

    /// The tree as a DataFrame, one row per topic in tshark's order: `topic`, `parent` (the
    /// parent topic's name; null at the top level), `depth` (0 at the top level, as tshark's
    /// indentation) and `count`.
    pub fn into_frame(self) -> Result<DataFrame> {
        let rows = self.walk();
        let topic: Vec<&str> = rows.iter().map(|&(i, _)| self.topics[i].name.as_str()).collect();
        let parent: Vec<Option<&str>> =
            rows.iter().map(|&(i, _)| self.topics[i].parent.map(|p| self.topics[p].name.as_str())).collect();
        let depth: Vec<u32> = rows.iter().map(|&(_, d)| d).collect();
        let count: Vec<u64> = rows.iter().map(|&(i, _)| self.topics[i].count).collect();
        let height = rows.len();
        Ok(DataFrame::new(
            height,
            vec![
                Column::new("topic".into(), topic),
                Column::new("parent".into(), parent),
                Column::new("depth".into(), depth),
                Column::new("count".into(), count),
            ],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_below_the_top_sort_by_count_then_name_descending() {
        let mut tree = StatsTree::default();
        let total = tree.topic(None, "Total");
        let other = tree.topic(None, "Other");
        for name in ["b", "a", "c", "a"] {
            tree.count_child(total, name);
        }
        tree.topic(Some(total), "z");
        let df = tree.into_frame().unwrap();
        let column = df.column("topic").unwrap().str().unwrap();
        let topics: Vec<&str> = (0..df.height()).filter_map(|i| column.get(i)).collect();
        assert_eq!(topics, ["Total", "a", "c", "b", "z", "Other"]);
        let depths: Vec<_> = df.column("depth").unwrap().u32().unwrap().into_no_null_iter().collect();
        assert_eq!(depths, [0, 1, 1, 1, 1, 0]);
        assert_eq!(other, 1);
    }
}
