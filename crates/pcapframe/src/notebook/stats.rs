//! The pandas conveniences polars (Rust) lacks as one-liners: `describe`, `value_counts`,
//! `resample(...).sum()` with empty buckets kept, group sums and `idxmax`.

use polars::prelude::*;

use crate::error::{Error, Result};

/// A column's values as `f64`: numbers as they are, booleans as 0/1, `Datetime` as seconds
/// since the epoch; null stays `None`.
pub fn column_f64(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let column = df.column(name)?;
    let (series, scale) = match column.dtype() {
        DataType::Datetime(unit, _) => {
            let per_second = match unit {
                TimeUnit::Nanoseconds => 1e9,
                TimeUnit::Microseconds => 1e6,
                TimeUnit::Milliseconds => 1e3,
            };
            (column.cast(&DataType::Int64)?.cast(&DataType::Float64)?, per_second)
        }
        _ => (column.cast(&DataType::Float64)?, 1.0),
    };
    let ca = series.f64()?;
    Ok((0..ca.len()).map(|i| ca.get(i).map(|v| v / scale)).collect())
}

/// Summary statistics of a numeric column, like pandas' `describe()`: count, mean, std
/// (sample), min, quartiles (linear interpolation) and max.
pub fn describe(df: &DataFrame, name: &str) -> Result<DataFrame> {
    let mut values: Vec<f64> = column_f64(df, name)?.into_iter().flatten().collect();
    values.sort_by(f64::total_cmp);
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let quantile = |q: f64| -> f64 {
        if values.is_empty() {
            return f64::NAN;
        }
        let pos = q * (values.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
    };
    let stats = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"];
    let vals = [n, mean, std, quantile(0.0), quantile(0.25), quantile(0.5), quantile(0.75), quantile(1.0)];
    Ok(DataFrame::new(stats.len(), vec![Column::new("statistic".into(), stats), Column::new(name.into(), vals)])?)
}

/// How often each value occurs, most frequent first (ties in order of first appearance);
/// nulls are not counted, as in pandas.
pub fn value_counts(df: &DataFrame, name: &str) -> Result<DataFrame> {
    Ok(df
        .clone()
        .lazy()
        .filter(col(name).is_not_null())
        .group_by_stable([col(name)])
        .agg([len().alias("count")])
        .sort(["count"], SortMultipleOptions::default().with_order_descending(true).with_maintain_order(true))
        .collect()?)
}

/// The sum of `value` per group of `by`, sorted by `by` (null keys are dropped).
pub fn group_sum(df: &DataFrame, by: &str, value: &str) -> Result<DataFrame> {
    Ok(df
        .clone()
        .lazy()
        .filter(col(by).is_not_null())
        .group_by([col(by)])
        .agg([col(value).sum()])
        .sort([by], SortMultipleOptions::default())
        .collect()?)
}

/// The key of the row with the largest `value`, and that value (first one on ties), like
/// pandas' `idxmax()` followed by a lookup. The key column must hold integers.
pub fn idxmax(df: &DataFrame, key: &str, value: &str) -> Result<(i64, f64)> {
    let keys = df.column(key)?.cast(&DataType::Int64)?;
    let keys = keys.i64()?;
    let values = column_f64(df, value)?;
    let best = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some((i, (*v)?)))
        .fold(None::<(usize, f64)>, |best, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
        .ok_or_else(|| Error::Unsupported(format!("idxmax: column '{value}' has no values")))?;
    let k = keys.get(best.0).ok_or_else(|| Error::Unsupported(format!("idxmax: null key in '{key}'")))?;
    Ok((k, best.1))
}

/// Parses `"1s"`, `"500ms"`, `"2m"`, `"1h"`, `"10us"`, `"100ns"` into nanoseconds.
fn parse_every(every: &str) -> Result<i64> {
    let split = every.find(|c: char| !c.is_ascii_digit()).unwrap_or(every.len());
    let (number, unit) = every.split_at(split);
    let n: i64 = number.parse().map_err(|_| Error::Unsupported(format!("bad interval '{every}' (try \"1s\")")))?;
    let unit_ns = match unit {
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return Err(Error::Unsupported(format!("bad interval unit in '{every}' (ns, us, ms, s, m, h)"))),
    };
    if n <= 0 {
        return Err(Error::Unsupported(format!("interval '{every}' must be positive")));
    }
    Ok(n * unit_ns)
}

/// Sums `value` over fixed time buckets of the `Datetime` column `time`, like pandas'
/// `resample(every).sum()` on a time series: every bucket from the first to the last is
/// present, and a bucket with no rows is null (pandas shows NaN).
pub fn resample_sum(df: &DataFrame, time: &str, value: &str, every: &str) -> Result<DataFrame> {
    let step = parse_every(every)?;
    let ts = df.column(time)?;
    if !matches!(ts.dtype(), DataType::Datetime(TimeUnit::Nanoseconds, _)) {
        return Err(Error::Unsupported(format!("resample_sum: '{time}' must be Datetime[ns], not {}", ts.dtype())));
    }
    let ts = ts.cast(&DataType::Int64)?;
    let ts = ts.i64()?;
    let integer = df.column(value)?.dtype().is_integer();
    let values = column_f64(df, value)?;
    let buckets: Vec<(i64, f64)> =
        (0..ts.len()).filter_map(|i| Some((ts.get(i)?.div_euclid(step), values[i].unwrap_or(0.0)))).collect();
    let (Some(first), Some(last)) = (buckets.iter().map(|b| b.0).min(), buckets.iter().map(|b| b.0).max()) else {
        return Ok(DataFrame::new(
            0,
            vec![Column::new(time.into(), Vec::<i64>::new()), Column::new(value.into(), Vec::<f64>::new())],
        )?);
    };
    let mut sums: Vec<Option<f64>> = vec![None; (last - first + 1) as usize];
    for (b, v) in buckets {
        *sums[(b - first) as usize].get_or_insert(0.0) += v;
    }
    let starts: Vec<i64> = (first..=last).map(|b| b * step).collect();
    let time_col = Series::new(time.into(), starts).cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))?;
    let value_col = if integer {
        Series::new(value.into(), sums.iter().map(|s| s.map(|v| v as i64)).collect::<Vec<_>>())
    } else {
        Series::new(value.into(), sums)
    };
    Ok(DataFrame::new(time_col.len(), vec![time_col.into_column(), value_col.into_column()])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        let t = Series::new("time".into(), [0i64, 200_000_000, 2_100_000_000, 2_900_000_000])
            .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
            .unwrap();
        DataFrame::new(
            4,
            vec![
                t.into_column(),
                Column::new("len".into(), [60u32, 1514, 60, 60]),
                Column::new("stream".into(), [Some(1u32), Some(0), Some(1), None]),
            ],
        )
        .unwrap()
    }

    #[test]
    fn resample_keeps_empty_buckets_as_nulls() {
        let r = resample_sum(&frame(), "time", "len", "1s").unwrap();
        let sums: Vec<Option<i64>> = {
            let c = r.column("len").unwrap().i64().unwrap().clone();
            (0..c.len()).map(|i| c.get(i)).collect()
        };
        assert_eq!(sums, vec![Some(1574), None, Some(120)]);
        assert!(resample_sum(&frame(), "time", "len", "1x").unwrap_err().to_string().contains("unit"));
    }

    #[test]
    fn describe_matches_pandas() {
        let d = describe(&frame(), "len").unwrap();
        let v = d.column("len").unwrap().f64().unwrap().clone();
        assert_eq!(v.get(0), Some(4.0));
        assert_eq!(v.get(1), Some(423.5));
        assert!((v.get(2).unwrap() - 727.0).abs() < 1e-9);
        assert_eq!(
            (v.get(3), v.get(4), v.get(5), v.get(6), v.get(7)),
            (Some(60.0), Some(60.0), Some(60.0), Some(423.5), Some(1514.0))
        );
    }

    #[test]
    fn counts_sums_and_idxmax() {
        let vc = value_counts(&frame(), "len").unwrap();
        assert_eq!(vc.column("count").unwrap().u32().unwrap().get(0), Some(3));
        let sums = group_sum(&frame(), "stream", "len").unwrap();
        assert_eq!(sums.height(), 2);
        assert_eq!(idxmax(&sums, "stream", "len").unwrap(), (0, 1514.0));
    }
}
