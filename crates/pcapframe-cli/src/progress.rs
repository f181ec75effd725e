//! The progress bar of `--out DIR/` on a terminal: bytes of all captures read, frames written,
//! rate. Nothing is drawn when standard error is not a terminal (pipes, CI logs, tests).

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pcapframe::dataset::ExportProgress;

/// A bar over the bytes of every capture to export.
pub struct ExportBar {
    bar: ProgressBar,
    /// Bytes of the captures before each one: where its own progress starts on the bar.
    starts: Vec<u64>,
}

impl ExportBar {
    /// A bar for these captures, drawn on standard error when it is a terminal.
    pub fn new<P: AsRef<Path>>(captures: &[P]) -> Self {
        let sizes: Vec<u64> = captures.iter().map(|c| std::fs::metadata(c.as_ref()).map_or(0, |m| m.len())).collect();
        let starts = sizes.iter().scan(0, |sum, size| Some(std::mem::replace(sum, *sum + size))).collect();
        let bar = ProgressBar::with_draw_target(Some(sizes.iter().sum()), draw_target());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {elapsed} {msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        ExportBar { bar, starts }
    }

    /// Moves the bar to where the export has got.
    pub fn update(&self, p: ExportProgress<'_>) {
        let name =
            p.capture.file_name().map_or_else(|| p.capture.display().to_string(), |n| n.to_string_lossy().into());
        self.bar.set_position(self.starts.get(p.index).copied().unwrap_or(0) + p.bytes);
        self.bar.set_message(format!("{name}: {} frames", p.frames));
    }

    /// Removes the bar (before the summary table is printed).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn draw_target() -> ProgressDrawTarget {
    if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}
