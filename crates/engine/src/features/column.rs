//! A precomputed feature column with an explicit warm-up.

use serde::{Deserialize, Serialize};

/// One value per bar, computed once over the whole dataset, with the index of its first valid
/// bar.
///
/// Values before [`Column::first_valid`] are NaN. A decision must never read them as numbers:
/// use [`Column::get`], which returns `None` during warm-up, or read [`Column::values`] in a hot
/// loop that starts at `first_valid` (the loop bound is the check). When no bar is ever valid
/// (the data is shorter than the warm-up) `first_valid == len`.
///
/// A column serialises as its values and `first_valid`; NaN survives binary and JavaScript
/// encodings but not JSON, where it becomes `null`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Column {
    values: Vec<f64>,
    first_valid: usize,
}

impl Column {
    /// Wraps computed values; everything before `first_valid` is forced to NaN so the warm-up
    /// invariant holds whatever the caller left there.
    pub(crate) fn new(mut values: Vec<f64>, first_valid: usize) -> Column {
        let first_valid = first_valid.min(values.len());
        for value in &mut values[..first_valid] {
            *value = f64::NAN;
        }
        Column {
            values,
            first_valid,
        }
    }

    /// A column of `n_bars` NaN values with no valid bar.
    pub(crate) fn empty(n_bars: usize) -> Column {
        Column {
            values: vec![f64::NAN; n_bars],
            first_valid: n_bars,
        }
    }

    /// The value at `bar_idx`, or `None` during warm-up, past the end, or where the indicator
    /// documents an undefined value (NaN) after warm-up.
    #[inline]
    pub fn get(&self, bar_idx: usize) -> Option<f64> {
        if bar_idx < self.first_valid {
            return None;
        }
        match self.values.get(bar_idx) {
            Some(&value) if !value.is_nan() => Some(value),
            _ => None,
        }
    }

    /// All values, NaN during warm-up: for hot loops that start at [`Column::first_valid`].
    #[inline]
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The first bar index with a valid value; `len()` when there is none.
    #[inline]
    pub fn first_valid(&self) -> usize {
        self.first_valid
    }

    /// The number of bars (valid or not).
    #[inline]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True for a column over zero bars.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// True when at least one bar is past the warm-up.
    #[inline]
    pub fn has_valid(&self) -> bool {
        self.first_valid < self.values.len()
    }

    /// Heap bytes held by the values.
    pub fn heap_bytes(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_hides_warm_up_nan_and_the_end() {
        let column = Column::new(vec![7.0, 8.0, 9.0, f64::NAN], 1);
        assert_eq!(column.get(0), None);
        assert_eq!(column.get(1), Some(8.0));
        assert_eq!(column.get(2), Some(9.0));
        assert_eq!(
            column.get(3),
            None,
            "documented NaN after warm-up reads as None"
        );
        assert_eq!(column.get(4), None, "past the end");
        assert!(
            column.values()[0].is_nan(),
            "warm-up values are forced to NaN"
        );
    }

    #[test]
    fn first_valid_is_clamped_to_the_length() {
        let column = Column::new(vec![1.0, 2.0], 5);
        assert_eq!(column.first_valid(), 2);
        assert!(!column.has_valid());
        assert!(column.values().iter().all(|v| v.is_nan()));
    }
}
