//! The pure arithmetic of the study charts: axis scales (linear, logarithmic, categorical)
//! and their ticks, number formats, the best-so-far step line, robust score ranges,
//! small-multiple grids, the score colour ramp, and thinning marks that land on the same
//! pixels. Nothing here knows plotters or the DOM, so all of it is tested natively.

use genesis_optimizer::space::Distribution;
use genesis_optimizer::ParamValue;

use crate::charts::hit::Rect;

/// How one axis maps values to positions. Positions ("coordinates") are the value itself
/// on a linear axis, its natural logarithm on a log axis and the choice index on a
/// categorical one.
#[derive(Clone, Debug, PartialEq)]
pub enum Scale {
    Linear {
        low: f64,
        high: f64,
    },
    /// `0 < low <= high`.
    Log {
        low: f64,
        high: f64,
    },
    Categories {
        choices: Vec<ParamValue>,
    },
}

/// One labelled position on an axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub coord: f64,
    pub label: String,
}

impl Scale {
    /// The axis of a search-space parameter, spanning its declared range (so the axis stays
    /// put as trials arrive): log-scaled leaves get a log axis, categorical ones categories.
    /// A grid leaf of numbers is a linear axis over its values; any other grid leaf is
    /// categorical.
    pub fn for_distribution(distribution: &Distribution) -> Scale {
        match distribution {
            Distribution::Float { low, high, log, .. } => numeric(*low, *high, *log),
            Distribution::Int { low, high, log, .. } => numeric(*low as f64, *high as f64, *log),
            Distribution::Categorical { choices } => Scale::Categories {
                choices: choices.clone(),
            },
            Distribution::Grid { values } => {
                let numbers: Option<Vec<f64>> = values.iter().map(ParamValue::as_f64).collect();
                match numbers {
                    Some(numbers) if !numbers.is_empty() => {
                        let low = numbers.iter().copied().fold(f64::INFINITY, f64::min);
                        let high = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        numeric(low, high, false)
                    }
                    _ => Scale::Categories {
                        choices: values.clone(),
                    },
                }
            }
        }
    }

    pub fn is_log(&self) -> bool {
        matches!(self, Scale::Log { .. })
    }

    /// The coordinate of a number (`None` for a non-positive number on a log axis, and on a
    /// categorical axis).
    pub fn coord(&self, value: f64) -> Option<f64> {
        if !value.is_finite() {
            return None;
        }
        match self {
            Scale::Linear { .. } => Some(value),
            Scale::Log { .. } => (value > 0.0).then(|| libm::log(value)),
            Scale::Categories { .. } => None,
        }
    }

    /// The coordinate of a parameter value (`None` when the axis cannot place it).
    pub fn coord_of(&self, value: &ParamValue) -> Option<f64> {
        match self {
            Scale::Categories { choices } => choices
                .iter()
                .position(|c| c.canonical_eq(value))
                .map(|i| i as f64),
            _ => self.coord(value.as_f64()?),
        }
    }

    /// The axis extent in coordinates, never empty: a single value gets room around it, and
    /// categories sit in the middle of equal slots.
    pub fn coord_range(&self) -> (f64, f64) {
        match self {
            Scale::Linear { low, high } => widen(*low, *high),
            Scale::Log { low, high } => {
                let (low, high) = if high > low {
                    (*low, *high)
                } else {
                    (*low / 2.0, *low * 2.0)
                };
                (libm::log(low), libm::log(high))
            }
            Scale::Categories { choices } => (-0.5, choices.len().max(1) as f64 - 0.5),
        }
    }

    /// Where `coord` falls on the axis, from 0 (low end) to 1 (high end), clamped.
    pub fn unit(&self, coord: f64) -> f64 {
        let (low, high) = self.coord_range();
        unit_in(coord, low, high)
    }

    /// The value a coordinate stands for, as an axis label.
    pub fn label(&self, coord: f64) -> String {
        match self {
            Scale::Linear { .. } => format_number(coord),
            Scale::Log { .. } => format_number(libm::exp(coord)),
            Scale::Categories { choices } => {
                let idx = libm::round(coord);
                if idx < 0.0 {
                    return String::new();
                }
                choices
                    .get(idx as usize)
                    .map(ToString::to_string)
                    .unwrap_or_default()
            }
        }
    }

    /// At most about `max_ticks` labelled positions: round numbers on a linear axis, powers
    /// of ten (or 1-2-5 within a decade) on a log axis, every k-th choice on a categorical one.
    pub fn ticks(&self, max_ticks: usize) -> Vec<Tick> {
        let max_ticks = max_ticks.max(1);
        match self {
            Scale::Linear { .. } => {
                let (low, high) = self.coord_range();
                labelled_ticks(low, high, max_ticks)
            }
            Scale::Log { .. } => {
                let (low, high) = self.coord_range();
                log_ticks(libm::exp(low), libm::exp(high), max_ticks)
                    .into_iter()
                    .map(|v| Tick {
                        coord: libm::log(v),
                        label: format_number(v),
                    })
                    .collect()
            }
            Scale::Categories { choices } => {
                let stride = choices.len().div_ceil(max_ticks).max(1);
                choices
                    .iter()
                    .enumerate()
                    .step_by(stride)
                    .map(|(i, c)| Tick {
                        coord: i as f64,
                        label: c.to_string(),
                    })
                    .collect()
            }
        }
    }
}

fn numeric(low: f64, high: f64, is_log: bool) -> Scale {
    if is_log && low > 0.0 && high.is_finite() {
        Scale::Log { low, high }
    } else {
        Scale::Linear { low, high }
    }
}

/// A range with room: a zero-width (or inverted) one is widened around its value.
fn widen(low: f64, high: f64) -> (f64, f64) {
    if high > low {
        return (low, high);
    }
    let pad = if low == 0.0 { 1.0 } else { low.abs() * 0.1 };
    (low - pad, low + pad)
}

/// `(x - low) / (high - low)` clamped to `[0, 1]`; the middle for an empty range.
pub fn unit_in(x: f64, low: f64, high: f64) -> f64 {
    let width = high - low;
    if width.is_nan() || width <= 0.0 || !x.is_finite() {
        return 0.5;
    }
    ((x - low) / (high - low)).clamp(0.0, 1.0)
}

/// Maps an axis's coordinates onto a pixel span; `px_from` is where `low` lands (for a
/// vertical axis that is the bottom). Coordinates outside the range land on its ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisMap {
    pub low: f64,
    pub high: f64,
    pub px_from: f64,
    pub px_to: f64,
}

impl AxisMap {
    pub fn new((low, high): (f64, f64), px_from: f64, px_to: f64) -> AxisMap {
        AxisMap {
            low,
            high,
            px_from,
            px_to,
        }
    }

    pub fn px(&self, coord: f64) -> f64 {
        self.px_from + unit_in(coord, self.low, self.high) * (self.px_to - self.px_from)
    }
}

/// [`linear_ticks`] with their labels: a linear axis's ticks as the charts draw them.
pub fn labelled_ticks(low: f64, high: f64, max_ticks: usize) -> Vec<Tick> {
    linear_ticks(low, high, max_ticks)
        .into_iter()
        .map(|v| Tick {
            coord: v,
            label: format_number(v),
        })
        .collect()
}

/// Round-number ticks in `[low, high]`: steps of 1, 2 or 5 times a power of ten, at most
/// `max_ticks + 1` of them, except that a range holding fewer than two round numbers at
/// that spacing gets a finer one, so an axis has at least two labels (the range's ends
/// when even that fails).
pub fn linear_ticks(low: f64, high: f64, max_ticks: usize) -> Vec<f64> {
    if !(low.is_finite() && high.is_finite()) || max_ticks == 0 {
        return Vec::new();
    }
    if high <= low {
        return vec![low];
    }
    let raw = (high - low) / max_ticks as f64;
    let magnitude = libm::pow(10.0, libm::floor(libm::log10(raw)));
    let mut step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    let mut ticks = multiples(low, high, step);
    for _ in 0..3 {
        if ticks.len() >= 2 {
            return ticks;
        }
        step = finer_step(step);
        ticks = multiples(low, high, step);
    }
    if ticks.len() >= 2 {
        ticks
    } else {
        vec![low, high]
    }
}

/// The multiples of `step` in `[low, high]` (at most a thousand).
fn multiples(low: f64, high: f64, step: f64) -> Vec<f64> {
    let first = libm::ceil(low / step - 1e-9);
    let mut out = Vec::new();
    for k in 0..1000 {
        let v = (first + f64::from(k)) * step;
        if v > high + step * 1e-9 {
            break;
        }
        // `-0` would print as "-0".
        out.push(if v == 0.0 { 0.0 } else { v });
    }
    out
}

/// The next finer round step: 5 → 2 → 1 → 0.5 (times a power of ten).
fn finer_step(step: f64) -> f64 {
    let magnitude = libm::pow(10.0, libm::floor(libm::log10(step)));
    let mantissa = libm::round(step / magnitude);
    if mantissa >= 5.0 {
        2.0 * magnitude
    } else if mantissa >= 2.0 {
        magnitude
    } else {
        magnitude / 2.0
    }
}

/// Ticks for a log axis over `[low, high]` (`low > 0`): the powers of ten inside when
/// there are at least two, else 1, 2 and 5 times powers of ten, else round linear ticks.
pub fn log_ticks(low: f64, high: f64, max_ticks: usize) -> Vec<f64> {
    if !(low > 0.0 && high.is_finite() && high >= low) {
        return Vec::new();
    }
    let max_ticks = max_ticks.max(2);
    let tolerance = 1e-9;
    let inside = |v: f64| v >= low * (1.0 - tolerance) && v <= high * (1.0 + tolerance);
    let first_exp = libm::floor(libm::log10(low)) as i32;
    let last_exp = libm::ceil(libm::log10(high)) as i32;
    let decades: Vec<f64> = (first_exp..=last_exp)
        .map(|e| libm::pow(10.0, f64::from(e)))
        .filter(|v| inside(*v))
        .collect();
    if decades.len() >= 2 {
        let stride = decades.len().div_ceil(max_ticks);
        return decades.into_iter().step_by(stride).collect();
    }
    let one_two_five: Vec<f64> = (first_exp..=last_exp)
        .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * libm::pow(10.0, f64::from(e))))
        .filter(|v| inside(*v))
        .collect();
    if (2..=max_ticks).contains(&one_two_five.len()) {
        return one_two_five;
    }
    linear_ticks(low, high, max_ticks)
        .into_iter()
        .filter(|v| *v > 0.0)
        .collect()
}

/// A number with four significant digits and no trailing zeros (`1234.5678` → "1235",
/// `0.0123456` → "0.01235", `12.5` → "12.5"); magnitudes below 0.001 or from a million up
/// in exponent form (`2.5e-5`).
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs();
    if !(1e-3..1e6).contains(&magnitude) {
        let text = format!("{value:.2e}");
        return match text.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
            None => text,
        };
    }
    let decimals = (3 - libm::floor(libm::log10(magnitude)) as i32).clamp(0, 6) as usize;
    let text = format!("{value:.decimals$}");
    trim_zeros(&text).to_string()
}

fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// A parameter value as a read-out shows it: numbers with [`format_number`], the rest as is.
pub fn format_param(value: &ParamValue) -> String {
    match value {
        ParamValue::Float(x) => format_number(*x),
        other => other.to_string(),
    }
}

/// The running best of `(trial number, value)` pairs in number order: one entry per pair
/// that improved on every earlier one. Non-finite values never count as an improvement.
pub fn best_so_far(points: impl IntoIterator<Item = (u64, f64)>) -> Vec<(u64, f64)> {
    let mut out: Vec<(u64, f64)> = Vec::new();
    for (number, value) in points {
        if !value.is_finite() {
            continue;
        }
        if out.last().is_none_or(|&(_, best)| value > best) {
            out.push((number, value));
        }
    }
    out
}

/// The polyline of a best-so-far step line through the improvements (in number order), on
/// an x axis where trial `k` sits at `k + 0.5`, cut to `[x_from, x_to]`: each best is held
/// level until the next improvement and on to `x_to`; the best before `x_from` enters from
/// the left edge.
pub fn step_path(improvements: &[(u64, f64)], x_from: f64, x_to: f64) -> Vec<(f64, f64)> {
    let x_of = |number: u64| number as f64 + 0.5;
    let mut path = Vec::new();
    if let Some(&(_, best)) = improvements.iter().rev().find(|(n, _)| x_of(*n) <= x_from) {
        path.push((x_from, best));
    }
    for &(number, best) in improvements {
        let x = x_of(number);
        if x <= x_from || x > x_to {
            continue;
        }
        if let Some(&(_, previous)) = path.last() {
            path.push((x, previous));
        }
        path.push((x, best));
    }
    if let Some(&(x, best)) = path.last() {
        if x < x_to {
            path.push((x_to, best));
        }
    }
    path
}

/// The `q` quantile (0..=1) of sorted values, linearly interpolated.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let below = libm::floor(pos) as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let (a, b) = (sorted[below], sorted[above]);
    a + (b - a) * (pos - below as f64)
}

/// The range a score axis shows: the finite values' extent, cut at three interquartile
/// ranges beyond the quartiles so one catastrophic trial does not flatten all the others
/// (marks beyond it sit on the axis's edge, the read-out still gives their value), but
/// always including `keep` (the best score). `None` without a finite value.
pub fn robust_range(
    values: impl IntoIterator<Item = f64>,
    keep: Option<f64>,
) -> Option<(f64, f64)> {
    let mut sorted: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let (q1, q3) = (quantile(&sorted, 0.25), quantile(&sorted, 0.75));
    let iqr = q3 - q1;
    let (mut low, mut high) = if iqr > 0.0 {
        (min.max(q1 - 3.0 * iqr), max.min(q3 + 3.0 * iqr))
    } else {
        (min, max)
    };
    if let Some(k) = keep.filter(|k| k.is_finite()) {
        low = low.min(k);
        high = high.max(k);
    }
    Some((low, high))
}

/// `range` grown by `fraction` of its width on each side; a zero-width range is widened
/// around its value first.
pub fn padded((low, high): (f64, f64), fraction: f64) -> (f64, f64) {
    let (low, high) = widen(low, high);
    let pad = (high - low) * fraction;
    (low - pad, high + pad)
}

/// How many columns and rows `n_cells` small multiples take on a canvas `width_px` wide,
/// each at least `min_cell_width_px` wide.
pub fn grid_shape(n_cells: usize, width_px: u32, min_cell_width_px: u32) -> (usize, usize) {
    if n_cells == 0 {
        return (0, 0);
    }
    let columns = (width_px / min_cell_width_px.max(1)).max(1) as usize;
    let columns = columns.min(n_cells);
    (columns, n_cells.div_ceil(columns))
}

/// The cells of a `columns`-wide grid of `n_cells` filling `area` row by row.
pub fn grid_cells(n_cells: usize, columns: usize, area: Rect) -> Vec<Rect> {
    if n_cells == 0 || columns == 0 {
        return Vec::new();
    }
    let rows = n_cells.div_ceil(columns);
    let (w, h) = (area.width() as usize, area.height() as usize);
    (0..n_cells)
        .map(|i| {
            let (col, row) = (i % columns, i / columns);
            let left = area.left + (col * w / columns) as i32;
            let right = area.left + ((col + 1) * w / columns) as i32;
            let top = area.top + (row * h / rows) as i32;
            let bottom = area.top + ((row + 1) * h / rows) as i32;
            Rect::new(left, top, right, bottom)
        })
        .collect()
}

/// The colour of a score at `t` in `[0, 1]` (0 worst, 1 best): from a dim slate blue
/// through the accent blue to a bright yellow, so the best trials stand out on the dark
/// background.
pub fn score_ramp(t: f64) -> (u8, u8, u8) {
    const STOPS: [(f64, f64, f64); 3] = [
        (42.0, 58.0, 94.0),
        (56.0, 189.0, 248.0),
        (250.0, 204.0, 21.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (a, b, s) = if t < 0.5 {
        (STOPS[0], STOPS[1], t * 2.0)
    } else {
        (STOPS[1], STOPS[2], t * 2.0 - 1.0)
    };
    let mix = |x: f64, y: f64| libm::round(x + (y - x) * s) as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Indices of the marks to draw when many land on the same `cell_px`-sized square: the
/// first of each square, in input order. A thousand trials rarely collide; a hundred
/// thousand then draw as fast as a few thousand.
pub fn thin_by_pixel(points_px: &[(f64, f64)], cell_px: f64) -> Vec<usize> {
    let cell = cell_px.max(1.0);
    let mut keyed: Vec<((i64, i64), usize)> = points_px
        .iter()
        .enumerate()
        .filter(|(_, (x, y))| x.is_finite() && y.is_finite())
        .map(|(i, (x, y))| {
            (
                (libm::floor(x / cell) as i64, libm::floor(y / cell) as i64),
                i,
            )
        })
        .collect();
    keyed.sort_unstable();
    keyed.dedup_by_key(|(key, _)| *key);
    let mut kept: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    kept.sort_unstable();
    kept
}

/// Short names for dotted parameter paths: the last segment, or more segments where the
/// last alone would be ambiguous.
pub fn short_names(paths: &[&str]) -> Vec<String> {
    let suffix = |path: &str, n: usize| -> String {
        let parts: Vec<&str> = path.split('.').collect();
        parts[parts.len().saturating_sub(n)..].join(".")
    };
    paths
        .iter()
        .map(|path| {
            let depth = path.split('.').count();
            (1..=depth)
                .map(|n| suffix(path, n))
                .find(|name| {
                    paths
                        .iter()
                        .filter(|other| suffix(other, name.split('.').count()) == *name)
                        .count()
                        == 1
                })
                .unwrap_or_else(|| path.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_so_far_keeps_only_improvements() {
        let points = [
            (0, 1.0),
            (1, 0.5),
            (3, 2.0),
            (4, f64::NAN),
            (5, 2.0),
            (7, 3.0),
        ];
        assert_eq!(best_so_far(points), vec![(0, 1.0), (3, 2.0), (7, 3.0)]);
        assert!(best_so_far([]).is_empty());
    }

    #[test]
    fn the_step_path_holds_each_best_until_the_next() {
        let improvements = [(0, 1.0), (3, 2.0), (8, 4.0)];
        let path = step_path(&improvements, 0.0, 10.0);
        assert_eq!(
            path,
            vec![
                (0.5, 1.0),
                (3.5, 1.0),
                (3.5, 2.0),
                (8.5, 2.0),
                (8.5, 4.0),
                (10.0, 4.0)
            ]
        );
        assert!(step_path(&[], 0.0, 10.0).is_empty());
    }

    #[test]
    fn a_zoomed_step_path_enters_at_the_left_edge_with_the_earlier_best() {
        let improvements = [(0, 1.0), (3, 2.0), (8, 4.0)];
        // View of trials 5..7: no improvement inside, the best of trial 3 throughout.
        assert_eq!(
            step_path(&improvements, 5.0, 7.0),
            vec![(5.0, 2.0), (7.0, 2.0)]
        );
        // View of trials 2..9: enters at 1.0, steps at 3 and 8.
        assert_eq!(
            step_path(&improvements, 2.0, 9.0),
            vec![
                (2.0, 1.0),
                (3.5, 1.0),
                (3.5, 2.0),
                (8.5, 2.0),
                (8.5, 4.0),
                (9.0, 4.0)
            ]
        );
        // Before the first improvement there is no line.
        assert_eq!(step_path(&[(5, 1.0)], 0.0, 3.0), Vec::<(f64, f64)>::new());
    }

    #[test]
    fn linear_ticks_are_round_and_inside() {
        assert_eq!(
            linear_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(linear_ticks(-0.9, 0.9, 4), vec![-0.5, 0.0, 0.5]);
        assert_eq!(linear_ticks(3.0, 3.0, 4), vec![3.0]);
        assert!(linear_ticks(f64::NAN, 1.0, 4).is_empty());
        // Regression (found by the property below): a range narrower than the round step
        // used to get no tick at all.
        let low = -195164.0811137737;
        assert!(linear_ticks(low, low + 1e-6, 1).len() >= 2);
        // -1.9..1.3 in 3 ticks: the step of 2 leaves only 0 inside, so the step is 1.
        assert_eq!(linear_ticks(-1.9, 1.3, 3), vec![-1.0, 0.0, 1.0]);
    }

    #[test]
    fn log_ticks_prefer_decades_then_one_two_five() {
        let decades = log_ticks(1e-4, 1.0, 6);
        assert_eq!(decades.len(), 5);
        assert!((decades[0] - 1e-4).abs() < 1e-12 && (decades[4] - 1.0).abs() < 1e-12);
        let within = log_ticks(1.5, 60.0, 6);
        assert_eq!(within.len(), 5, "{within:?}");
        assert!((within[0] - 2.0).abs() < 1e-9 && (within[4] - 50.0).abs() < 1e-9);
        assert!(
            log_ticks(0.0, 1.0, 5).is_empty(),
            "a log axis cannot include 0"
        );
    }

    #[test]
    fn numbers_print_with_four_significant_digits() {
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(1234.5678), "1235");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(0.0123456), "0.01235");
        assert_eq!(format_number(-3.0), "-3");
        assert_eq!(format_number(2.5e-5), "2.5e-5");
        assert_eq!(format_number(1.0e7), "1e7");
    }

    #[test]
    fn log_axes_place_values_by_their_logarithm() {
        let scale = Scale::for_distribution(&Distribution::Float {
            low: 1e-4,
            high: 1.0,
            step: None,
            log: true,
        });
        assert!(scale.is_log());
        // 1e-2 is halfway between 1e-4 and 1 in log space.
        let mid = scale.coord(1e-2).map(|c| scale.unit(c));
        assert!(mid.is_some_and(|u| (u - 0.5).abs() < 1e-12), "{mid:?}");
        assert_eq!(scale.coord(0.0), None);
        assert_eq!(scale.coord(-1.0), None);
        let ticks = scale.ticks(6);
        assert_eq!(ticks.first().map(|t| t.label.as_str()), Some("1e-4"));
        assert_eq!(ticks.last().map(|t| t.label.as_str()), Some("1"));
    }

    #[test]
    fn categories_spread_evenly() {
        let choices = vec![
            ParamValue::Str("a".into()),
            ParamValue::Str("b".into()),
            ParamValue::Bool(true),
        ];
        let scale = Scale::for_distribution(&Distribution::Categorical {
            choices: choices.clone(),
        });
        let units: Vec<f64> = choices
            .iter()
            .filter_map(|c| scale.coord_of(c))
            .map(|c| scale.unit(c))
            .collect();
        // Three equal slots: their centres at 1/6, 3/6 and 5/6.
        let expected = [1.0 / 6.0, 0.5, 5.0 / 6.0];
        assert_eq!(units.len(), 3);
        for (u, e) in units.iter().zip(expected) {
            assert!((u - e).abs() < 1e-12, "{units:?}");
        }
        assert_eq!(scale.coord_of(&ParamValue::Str("zzz".into())), None);
        assert_eq!(scale.label(2.0), "true");
        assert_eq!(scale.ticks(10).len(), 3);
    }

    #[test]
    fn a_grid_of_numbers_is_a_linear_axis_over_its_values() {
        let scale = Scale::for_distribution(&Distribution::Grid {
            values: vec![
                ParamValue::Int(50),
                ParamValue::Int(10),
                ParamValue::Int(20),
            ],
        });
        assert_eq!(
            scale,
            Scale::Linear {
                low: 10.0,
                high: 50.0
            }
        );
        assert_eq!(
            scale.coord_of(&ParamValue::Int(30)).map(|c| scale.unit(c)),
            Some(0.5)
        );
    }

    #[test]
    fn a_single_valued_axis_still_has_width() {
        let scale = Scale::Linear {
            low: 5.0,
            high: 5.0,
        };
        let (low, high) = scale.coord_range();
        assert!(low < 5.0 && high > 5.0);
        assert_eq!(scale.unit(5.0), 0.5);
        let log = Scale::Log {
            low: 3.0,
            high: 3.0,
        };
        let (low, high) = log.coord_range();
        assert!(low < libm::log(3.0) && high > libm::log(3.0));
    }

    #[test]
    fn one_catastrophic_score_does_not_flatten_the_rest() {
        let mut values: Vec<f64> = (0..40).map(|i| f64::from(i) / 40.0).collect();
        values.push(-1e9);
        let (low, high) = robust_range(values.iter().copied(), Some(0.975)).unwrap_or((0.0, 0.0));
        // Quartiles of the 41 values are about 0.24 and 0.74: the cut sits 1.5 below.
        assert!(low > -2.0 && low < 0.0, "low {low}");
        assert_eq!(high, 0.975);
        let (low, _) = robust_range(values.iter().copied(), Some(-1e9)).unwrap_or((0.0, 0.0));
        assert_eq!(low, -1e9, "the value to keep is always inside");
        assert_eq!(robust_range([f64::NAN], None), None);
    }

    #[test]
    fn grid_cells_tile_the_area() {
        assert_eq!(grid_shape(8, 1000, 240), (4, 2));
        assert_eq!(grid_shape(3, 1000, 240), (3, 1));
        assert_eq!(grid_shape(5, 100, 240), (1, 5));
        let cells = grid_cells(5, 2, Rect::new(0, 0, 100, 90));
        assert_eq!(cells.len(), 5);
        assert_eq!(cells[0], Rect::new(0, 0, 50, 30));
        assert_eq!(cells[1], Rect::new(50, 0, 100, 30));
        assert_eq!(cells[4], Rect::new(0, 60, 50, 90));
    }

    #[test]
    fn the_ramp_runs_from_dim_to_bright() {
        // Relative luminance (ITU-R BT.709 weights): yellow is brighter than blue to the eye.
        let brightness = |(r, g, b): (u8, u8, u8)| {
            0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b)
        };
        assert!(brightness(score_ramp(0.0)) < brightness(score_ramp(0.5)));
        assert!(brightness(score_ramp(0.5)) < brightness(score_ramp(1.0)));
        assert_eq!(score_ramp(1.0), (250, 204, 21));
        assert_eq!(score_ramp(f64::NAN), score_ramp(0.0));
    }

    #[test]
    fn thinning_keeps_one_mark_per_square_in_input_order() {
        let points = [
            (0.2, 0.2),
            (5.0, 5.0),
            (1.5, 1.5),
            (f64::NAN, 1.0),
            (5.5, 5.1),
        ];
        assert_eq!(thin_by_pixel(&points, 2.0), vec![0, 1]);
        assert_eq!(thin_by_pixel(&points, 1.0), vec![0, 1, 2]);
    }

    #[test]
    fn short_names_stay_unambiguous() {
        let names = short_names(&["a.period", "b.period", "c.width", "lonely"]);
        assert_eq!(names, vec!["a.period", "b.period", "width", "lonely"]);
    }

    // proptest does not build for wasm32-unknown-unknown.
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn ticks_stay_inside_their_range(low in -1e6f64..1e6, width in 1e-6f64..1e6, max in 1usize..12) {
                let high = low + width;
                let ticks = linear_ticks(low, high, max);
                // At most max + 1 at the first spacing; a finer one only when that held a
                // single tick (width < 2 steps), which three refinements (at most 10x finer)
                // keep to 21.
                prop_assert!(ticks.len() >= 2 && ticks.len() <= (max + 1).max(21), "{ticks:?}");
                for t in &ticks {
                    prop_assert!(*t >= low - width * 1e-6 && *t <= high + width * 1e-6);
                }
            }

            #[test]
            fn log_ticks_stay_inside_their_range(low in 1e-8f64..1e6, ratio in 1.01f64..1e8) {
                let high = low * ratio;
                for t in log_ticks(low, high, 6) {
                    prop_assert!(t >= low * (1.0 - 1e-6) && t <= high * (1.0 + 1e-6));
                }
            }

            #[test]
            fn the_best_so_far_never_falls(values in proptest::collection::vec(-1e6f64..1e6, 0..60)) {
                let improvements = best_so_far(values.iter().enumerate().map(|(i, v)| (i as u64, *v)));
                for pair in improvements.windows(2) {
                    prop_assert!(pair[1].1 > pair[0].1 && pair[1].0 > pair[0].0);
                }
                let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert_eq!(improvements.last().map(|p| p.1), values.first().map(|_| max));
            }

            #[test]
            fn axis_units_stay_in_zero_one(low in -1e3f64..1e3, width in 0.0f64..1e3, x in -1e4f64..1e4) {
                let unit = Scale::Linear { low, high: low + width }.unit(x);
                prop_assert!((0.0..=1.0).contains(&unit));
            }
        }
    }
}
