//! Horizontal bar charts of one value per label (top talkers, requests per host), drawn with
//! plotters into SVG like [`super::Chart`].

use plotters::prelude::*;
use polars::prelude::*;

use super::chart::Figure;
use super::stats::column_f64;
use crate::error::{Error, Result};

/// A horizontal bar chart: one bar per row, labelled, longest values first as given.
#[derive(Debug, Clone)]
pub struct BarChart {
    title: String,
    x_label: String,
    bars: Vec<(String, f64)>,
    size: (u32, u32),
}

impl BarChart {
    /// A bar chart with a title (900 pixels wide; the height follows the number of bars).
    pub fn new(title: &str) -> Self {
        BarChart { title: title.into(), x_label: String::new(), bars: Vec::new(), size: (900, 0) }
    }

    /// Labels the value axis.
    pub fn x_label(mut self, label: &str) -> Self {
        self.x_label = label.into();
        self
    }

    /// One bar per row: its label from column `label` (any type, shown as text), its length from
    /// the numeric column `value`. Rows where either is null are skipped.
    pub fn bars(mut self, df: &DataFrame, label: &str, value: &str) -> Result<Self> {
        let labels = df.column(label)?.cast(&DataType::String)?;
        let labels = labels.str()?;
        let values = column_f64(df, value)?;
        for (l, v) in (0..labels.len()).map(|i| labels.get(i)).zip(values) {
            if let (Some(l), Some(v)) = (l, v) {
                self.bars.push((l.to_string(), v));
            }
        }
        Ok(self)
    }

    /// Draws the chart.
    pub fn draw(&self) -> Result<Figure> {
        let mut svg = String::new();
        self.render(&mut svg).map_err(|e| Error::Plot(e.to_string()))?;
        Ok(Figure::from_svg(svg))
    }

    fn render(&self, svg: &mut String) -> std::result::Result<(), Box<dyn std::error::Error + '_>> {
        let n = self.bars.len().max(1);
        let height = if self.size.1 > 0 { self.size.1 } else { 120 + 34 * n as u32 };
        let max = self.bars.iter().map(|(_, v)| *v).fold(0.0, f64::max);
        let max = if max > 0.0 { max * 1.05 } else { 1.0 };
        let longest = self.bars.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(4) as u32;
        let root = SVGBackend::with_string(svg, (self.size.0, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size((longest * 8 + 16).clamp(60, 360))
            .build_cartesian_2d(0.0..max, -0.5..(n as f64 - 0.5))?;
        // The first bar on top: row i sits at y = n - 1 - i.
        let label_of = |y: &f64| {
            let row = n as f64 - 1.0 - y.round();
            if (y - y.round()).abs() < 1e-6 && row >= 0.0 {
                self.bars.get(row as usize).map(|(l, _)| l.clone()).unwrap_or_default()
            } else {
                String::new()
            }
        };
        let plain = |v: &f64| if v.abs() >= 1e6 || v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&label_of)
            .x_label_formatter(&plain)
            .x_desc(&self.x_label)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 15))
            .draw()?;
        let steel = RGBColor(70, 130, 180);
        chart.draw_series(self.bars.iter().enumerate().map(|(i, (_, v))| {
            let y = (n - 1 - i) as f64;
            Rectangle::new([(0.0, y - 0.35), (*v, y + 0.35)], steel.filled())
        }))?;
        root.present()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_labelled_bar_per_row() {
        let df =
            df!("host" => ["192.168.15.6", "192.168.15.7", "10.0.0.1"], "bytes" => [1_300_000u64, 260_000, 0]).unwrap();
        let svg = BarChart::new("Top talkers").x_label("bytes").bars(&df, "host", "bytes").unwrap().draw().unwrap();
        let svg = svg.svg();
        assert!(svg.contains("Top talkers") && svg.contains("192.168.15.6") && svg.contains("10.0.0.1"));
        // Three bars (a zero-length one included) plus the white background.
        assert_eq!(svg.matches("fill=\"#4682B4\"").count(), 3, "{svg}");
    }

    #[test]
    fn a_missing_column_is_an_error() {
        let df = df!("host" => ["a"]).unwrap();
        assert!(BarChart::new("x").bars(&df, "host", "bytes").is_err());
    }
}
