//! A capture read in bounded batches of rows: what `scan_pcap` and the dataset writer share.

use polars::prelude::*;

use crate::error::{CaptureError, Result};
use crate::fields::Field;
use crate::filter::DisplayFilter;
use crate::scan::Scanner;
use crate::table::{ColumnBuilder, Occurrence};

/// Turns a scanner's frames into DataFrames of at most a given number of rows.
pub(crate) struct BatchReader<'r> {
    scanner: Scanner<'r>,
    fields: Vec<Field>,
    filter: Option<DisplayFilter>,
    occurrence: Occurrence,
    done: bool,
    problem: Option<CaptureError>,
}

impl<'r> BatchReader<'r> {
    /// Batches of `fields` (one column each) of the frames that pass `filter`. The scanner must
    /// decode `fields` and the filter's fields.
    pub(crate) fn new(
        scanner: Scanner<'r>,
        fields: Vec<Field>,
        filter: Option<DisplayFilter>,
        occurrence: Occurrence,
    ) -> Self {
        BatchReader { scanner, fields, filter, occurrence, done: false, problem: None }
    }

    /// The next batch of up to `rows` rows, `None` at the end. A damaged capture ends the
    /// batches early: the frames before the damage are in them, and [`Self::problem`] says what
    /// it was.
    pub(crate) fn next_batch(&mut self, rows: usize) -> Result<Option<DataFrame>> {
        if self.done {
            return Ok(None);
        }
        let mut columns: Vec<ColumnBuilder> =
            self.fields.iter().map(|f| ColumnBuilder::for_field(*f, rows.min(1 << 16))).collect();
        let mut height = 0;
        while height < rows {
            let frame = match self.scanner.next_frame() {
                Ok(Some(frame)) => frame,
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    self.problem = Some(e);
                    self.done = true;
                    break;
                }
            };
            if self.filter.as_ref().is_some_and(|f| !f.matches(frame)) {
                continue;
            }
            for (builder, field) in columns.iter_mut().zip(&self.fields) {
                builder.append(*field, frame, self.occurrence);
            }
            height += 1;
        }
        if height == 0 && self.done {
            return Ok(None);
        }
        let columns: Vec<Column> = columns.into_iter().map(ColumnBuilder::finish).collect();
        Ok(Some(DataFrame::new(height, columns)?))
    }

    /// Whether the capture was read to its end without damage: no batch follows the last one
    /// returned. (A capture that ends exactly where a batch is full is known to have ended only
    /// when the next call returns `None`.)
    pub(crate) fn ended_cleanly(&self) -> bool {
        self.done && self.problem.is_none()
    }

    /// Bytes of the capture read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.scanner.bytes_read()
    }

    /// Where and how the capture was damaged, once the batches have ended on it.
    pub(crate) fn problem(&self) -> Option<&CaptureError> {
        self.problem.as_ref()
    }
}
