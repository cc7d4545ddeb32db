//! Parameter values and their canonical form.
//!
//! A trial's parameters are a flat map from dotted path to value. The canonical string of a
//! parameter set is what duplicate detection compares: type-tagged, keys in order, floats in
//! their shortest round-trip form, so two sets are duplicates exactly when every value is
//! bit-for-bit the same number (with `-0.0` treated as `0.0`).

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

/// One parameter value.
///
/// Serialised untagged (`true`, `20`, `0.35`, `"fast"`); floats are always written with a
/// decimal point or exponent, so `Int(3)` and `Float(3.0)` stay distinct through JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// A trial's parameters: dotted path to value, in path order.
pub type Params = BTreeMap<String, ParamValue>;

impl ParamValue {
    /// Appends the canonical form: a type tag, a colon and the value.
    pub fn write_canonical(&self, out: &mut String) {
        match self {
            ParamValue::Bool(b) => {
                let _ = write!(out, "b:{b}");
            }
            ParamValue::Int(i) => {
                let _ = write!(out, "i:{i}");
            }
            ParamValue::Float(x) => {
                // `{:?}` prints the shortest decimal that parses back to the same f64.
                let x = if *x == 0.0 { 0.0 } else { *x };
                let _ = write!(out, "f:{x:?}");
            }
            ParamValue::Str(s) => {
                out.push_str("s:");
                out.push_str(&serde_json::Value::String(s.clone()).to_string());
            }
        }
    }

    /// The canonical form of this value alone.
    pub fn canonical(&self) -> String {
        let mut s = String::new();
        self.write_canonical(&mut s);
        s
    }

    /// The value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Float(x) => Some(*x),
            ParamValue::Bool(_) | ParamValue::Str(_) => None,
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ParamValue::Bool(b) => serde_json::Value::Bool(*b),
            ParamValue::Int(i) => serde_json::Value::from(*i),
            ParamValue::Float(x) => serde_json::Number::from_f64(*x)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            ParamValue::Str(s) => serde_json::Value::String(s.clone()),
        }
    }

    /// Whether two values are the same under the canonical form.
    pub fn canonical_eq(&self, other: &ParamValue) -> bool {
        match (self, other) {
            (ParamValue::Float(a), ParamValue::Float(b)) => a == b,
            _ => self == other,
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x:?}"),
            ParamValue::Str(s) => f.write_str(s),
        }
    }
}

/// The canonical string of a parameter set: `path=value` pairs in path order, joined by `;`.
/// Two parameter sets are duplicates exactly when their canonical strings are equal.
pub fn canonical_params(params: &Params) -> String {
    let mut out = String::with_capacity(params.len() * 24);
    for (i, (path, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(path);
        out.push('=');
        value.write_canonical(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_and_float_of_the_same_number_are_not_duplicates() {
        assert_ne!(
            ParamValue::Int(3).canonical(),
            ParamValue::Float(3.0).canonical()
        );
    }

    #[test]
    fn negative_zero_is_zero() {
        assert_eq!(
            ParamValue::Float(-0.0).canonical(),
            ParamValue::Float(0.0).canonical()
        );
    }

    #[test]
    fn floats_use_the_shortest_round_trip_form() {
        assert_eq!(ParamValue::Float(0.1).canonical(), "f:0.1");
        assert_eq!(
            ParamValue::Float(0.1 + 0.2).canonical(),
            "f:0.30000000000000004"
        );
        assert_eq!(ParamValue::Float(1e-7).canonical(), "f:1e-7");
    }

    #[test]
    fn strings_are_quoted_so_separators_cannot_collide() {
        let mut a = Params::new();
        a.insert("x".into(), ParamValue::Str("1;y=i:2".into()));
        let mut b = Params::new();
        b.insert("x".into(), ParamValue::Str("1".into()));
        b.insert("y".into(), ParamValue::Int(2));
        assert_ne!(canonical_params(&a), canonical_params(&b));
    }

    #[test]
    fn json_round_trip_keeps_int_and_float_apart() {
        let values = vec![
            ParamValue::Bool(true),
            ParamValue::Int(3),
            ParamValue::Float(3.0),
            ParamValue::Float(0.1 + 0.2),
            ParamValue::Str("a".into()),
        ];
        let text = serde_json::to_string(&values).unwrap();
        let back: Vec<ParamValue> = serde_json::from_str(&text).unwrap();
        assert_eq!(values, back);
    }
}
