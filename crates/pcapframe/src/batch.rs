//! A capture read in bounded batches of rows: what `scan_pcap` and the dataset writer share.

use polars::prelude::*;

use crate::error::{CaptureError, Result};
use crate::fields::Field;
use crate::filter::DisplayFilter;
use crate::scan::Scanner;
use crate::table::{Occurrence, TableBuilder};

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
        let mut columns = TableBuilder::new(&self.fields, self.occurrence);
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
            columns.append(frame);
            height += 1;
        }
        if height == 0 && self.done {
            return Ok(None);
        }
        Ok(Some(DataFrame::new(height, columns.finish())?))
    }

    /// Whether the capture was read to its end without damage: no batch follows the last one
    /// returned. (A capture that ends exactly where a batch is full is known to have ended only
    /// when the next call returns `None`.)
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))] // the dataset writer's
    pub(crate) fn ended_cleanly(&self) -> bool {
        self.done && self.problem.is_none()
    }

    /// Bytes of the capture read so far.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))] // the dataset writer's
    pub(crate) fn bytes_read(&self) -> u64 {
        self.scanner.bytes_read()
    }

    /// Where and how the capture was damaged, once the batches have ended on it.
    pub(crate) fn problem(&self) -> Option<&CaptureError> {
        self.problem.as_ref()
    }
}
