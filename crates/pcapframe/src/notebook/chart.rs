//! Figures drawn with plotters into SVG: dots with alpha, lines (with circle markers), several
//! series per chart, a clock-time x axis for `Datetime` columns. Shown inline by evcxr and
//! savable to a file.

use plotters::prelude::*;
use polars::prelude::*;

use super::display::emit;
use super::stats::column_f64;
use crate::error::{Error, Result};

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// Small filled dots with transparency (`style=".", alpha=0.2`).
    Dots { radius: u32, alpha: f64 },
    /// A line.
    Line,
    /// A line with circle markers (`style="r-o"`).
    LineWithCircles,
}

#[derive(Debug, Clone)]
struct Layer {
    xs: Vec<f64>,
    ys: Vec<f64>,
    color: RGBColor,
    mark: Mark,
    label: Option<String>,
}

/// A chart under construction: a title, axis labels, and one or more series.
#[derive(Debug, Clone)]
pub struct Chart {
    title: String,
    x_label: String,
    y_label: String,
    size: (u32, u32),
    layers: Vec<Layer>,
    clock_x: bool,
}

/// A finished figure: SVG text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    svg: String,
}

impl Figure {
    /// Wraps an SVG document drawn elsewhere in this module tree.
    pub(crate) fn from_svg(svg: String) -> Self {
        Figure { svg }
    }

    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// Writes the SVG to a file.
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        std::fs::write(path, &self.svg)
    }

    /// Shows the figure inline in evcxr_jupyter.
    pub fn evcxr_display(&self) {
        emit(&[("image/svg+xml", &self.svg)]);
    }
}

/// A color by name: red, blue, green, orange, purple, black, gray, steelblue.
fn color(name: &str) -> RGBColor {
    match name {
        "red" => RGBColor(214, 39, 40),
        "blue" => RGBColor(31, 119, 180),
        "green" => RGBColor(44, 160, 44),
        "orange" => RGBColor(255, 127, 14),
        "purple" => RGBColor(148, 103, 189),
        "black" => RGBColor(0, 0, 0),
        "gray" | "grey" => RGBColor(127, 127, 127),
        _ => RGBColor(70, 130, 180),
    }
}

impl Chart {
    /// A chart with a title (900 × 500 pixels by default).
    pub fn new(title: &str) -> Self {
        Chart {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            size: (900, 500),
            layers: Vec::new(),
            clock_x: false,
        }
    }

    /// Labels the x axis.
    pub fn x_label(mut self, label: &str) -> Self {
        self.x_label = label.into();
        self
    }

    /// Labels the y axis.
    pub fn y_label(mut self, label: &str) -> Self {
        self.y_label = label.into();
        self
    }

    /// Sets the size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }

    /// Adds a series from two columns of a DataFrame; rows where either is null are skipped.
    /// A `Datetime` x column gives a clock-time axis.
    pub fn series(mut self, df: &DataFrame, x: &str, y: &str, mark: Mark, color_name: &str) -> Result<Self> {
        let xs = column_f64(df, x)?;
        let ys = column_f64(df, y)?;
        if matches!(df.column(x)?.dtype(), DataType::Datetime(..)) {
            self.clock_x = true;
        }
        let (xs, ys) = xs.into_iter().zip(ys).filter_map(|(a, b)| Some((a?, b?))).unzip();
        self.layers.push(Layer { xs, ys, color: color(color_name), mark, label: None });
        Ok(self)
    }

    /// Adds a series from two slices.
    pub fn points(mut self, xs: &[f64], ys: &[f64], mark: Mark, color_name: &str) -> Self {
        self.layers.push(Layer { xs: xs.to_vec(), ys: ys.to_vec(), color: color(color_name), mark, label: None });
        self
    }

    /// Names the last series added (shown in a legend).
    pub fn label(mut self, label: &str) -> Self {
        if let Some(layer) = self.layers.last_mut() {
            layer.label = Some(label.into());
        }
        self
    }

    /// Draws the chart.
    pub fn draw(&self) -> Result<Figure> {
        let mut svg = String::new();
        self.render(&mut svg).map_err(|e| Error::Plot(e.to_string()))?;
        Ok(Figure { svg })
    }

    fn render(&self, svg: &mut String) -> std::result::Result<(), Box<dyn std::error::Error + '_>> {
        let (x0, x1) = padded_range(self.layers.iter().flat_map(|l| l.xs.iter().copied()));
        let (y0, y1) = padded_range(self.layers.iter().flat_map(|l| l.ys.iter().copied()));
        let y0 = if self.layers.iter().all(|l| l.ys.iter().all(|y| *y >= 0.0)) { y0.max(0.0) } else { y0 };
        let root = SVGBackend::with_string(svg, self.size).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        // Clock labels carry as many decimals as the span needs to tell ticks apart.
        let decimals = if x1 - x0 < 5.0 {
            2
        } else if x1 - x0 < 60.0 {
            1
        } else {
            0
        };
        let clock = |x: &f64| {
            let of_day = x.rem_euclid(86_400.0);
            let secs = of_day as u64;
            let hms = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
            match decimals {
                0 => hms,
                d => format!("{hms}{}", &format!("{:.*}", d, of_day.fract())[1..]),
            }
        };
        let plain = |v: &f64| if v.abs() >= 1e6 || (v.fract() == 0.0) { format!("{v:.0}") } else { format!("{v:.2}") };
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 15))
            .y_label_formatter(&plain);
        if self.clock_x {
            mesh.x_label_formatter(&clock);
        } else {
            mesh.x_label_formatter(&plain);
        }
        mesh.draw()?;
        for layer in &self.layers {
            let c = layer.color;
            let points = layer.xs.iter().copied().zip(layer.ys.iter().copied());
            let drawn = match layer.mark {
                Mark::Dots { radius, alpha } => {
                    chart.draw_series(points.map(move |p| Circle::new(p, radius, c.mix(alpha).filled())))?
                }
                Mark::Line => chart.draw_series(LineSeries::new(points, c.stroke_width(2)))?,
                Mark::LineWithCircles => {
                    chart.draw_series(LineSeries::new(points.clone(), c.stroke_width(1)))?;
                    chart.draw_series(points.map(move |p| Circle::new(p, 3, c.filled())))?
                }
            };
            if let Some(label) = &layer.label {
                drawn
                    .label(label.as_str())
                    .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], c.filled()));
            }
        }
        if self.layers.iter().any(|l| l.label.is_some()) {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .label_font(("sans-serif", 13))
                .draw()?;
        }
        root.present()?;
        Ok(())
    }
}

/// The range of the values with a little room on each side (and a sane range when empty).
fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) =
        values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { (hi - lo) * 0.03 } else { 1.0 };
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_an_svg_with_title_labels_and_marks() {
        let df = df!("n" => [1u32, 2, 3], "len" => [60u32, 1514, 400]).unwrap();
        let fig = Chart::new("Frame length")
            .x_label("frame number")
            .y_label("bytes")
            .series(&df, "n", "len", Mark::Dots { radius: 2, alpha: 0.2 }, "blue")
            .unwrap()
            .draw()
            .unwrap();
        let svg = fig.svg();
        assert!(
            svg.starts_with("<svg")
                && svg.contains("Frame length")
                && svg.contains("frame number")
                && svg.contains("bytes")
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("opacity=\"0.2\""), "alpha is kept");
    }

    #[test]
    fn an_empty_series_still_draws() {
        let fig = Chart::new("empty").points(&[], &[], Mark::Line, "red").draw().unwrap();
        assert!(fig.svg().contains("empty"));
    }
}
