//! Values that cross JavaScript as JSON text.
//!
//! JavaScript has one number type, so `2.0` and `2` are the same value there: an
//! integral-valued float parameter (`ParamValue::Float(2.0)`) written to IndexedDB or sent
//! to a worker as a plain JS value comes back as `ParamValue::Int(2)`. That changes its
//! canonical form and its place in the search space, and a resumed study then samples
//! differently from an uninterrupted one (the end-to-end resume test caught exactly this).
//! Study records, journal headers, plans and tickets therefore cross as the journal's own
//! JSON text, which keeps every type; large byte buffers still cross as `Uint8Array`s.

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value carried as JSON text.
#[derive(Clone, Debug, PartialEq)]
pub struct Json<T>(pub T);

impl<T: Serialize> Serialize for Json<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(&self.0, serializer)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Json<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(Json)
    }
}

/// For `#[serde(with = "crate::workers::json_text")]` fields.
pub fn serialize<T: Serialize, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let text = serde_json::to_string(value).map_err(S::Error::custom)?;
    serializer.serialize_str(&text)
}

/// For `#[serde(with = "crate::workers::json_text")]` fields.
pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    let text = String::deserialize(deserializer)?;
    serde_json::from_str(&text).map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use genesis_optimizer::{ParamValue, Params};

    /// What a JS round trip does to numbers: every number becomes an f64, and an integral f64
    /// reads back as an integer.
    fn through_js_numbers(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Number(n) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if x.fract() == 0.0 && x.abs() < 9e15 {
                    serde_json::json!(x as i64)
                } else {
                    serde_json::json!(x)
                }
            }
            serde_json::Value::Array(items) => items.into_iter().map(through_js_numbers).collect(),
            serde_json::Value::Object(map) => map
                .into_iter()
                .map(|(k, v)| (k, through_js_numbers(v)))
                .collect(),
            other => other,
        }
    }

    #[test]
    fn float_parameters_keep_their_type_only_as_json_text() {
        let params: Params = [("trail".to_string(), ParamValue::Float(2.0))]
            .into_iter()
            .collect();
        let plain = through_js_numbers(serde_json::to_value(&params).unwrap());
        let back: Params = serde_json::from_value(plain).unwrap();
        assert_eq!(
            back["trail"],
            ParamValue::Int(2),
            "the plain route loses the type"
        );

        let wrapped = through_js_numbers(serde_json::to_value(Json(params.clone())).unwrap());
        let back: Json<Params> = serde_json::from_value(wrapped).unwrap();
        assert_eq!(back.0, params);
    }
}
