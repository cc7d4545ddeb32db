//! Turning serde's errors into errors that name the dotted key, suggest the nearest known
//! key, and say what was expected in words; and the canonical JSON text a fingerprint hashes.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::StrategyError;

/// Levenshtein distance over characters: the one implementation, shared with the optimizer.
pub use genesis_text::edit_distance;

/// Deserialises `value` into `T`, naming the dotted key of any error. `prefix` is the
/// section `value` sits in (`""` at the top level, `"features"` for the features section),
/// and `extra_keys` are keys that are valid at the top of `value` although `T` does not list
/// them (the sections the caller took out before), so they are suggested too.
pub(crate) fn deserialize_at<T: DeserializeOwned>(
    value: Value,
    prefix: &str,
    extra_keys: &[&str],
) -> Result<T, StrategyError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
        let key = join_key(prefix, if path == "." { "" } else { &path });
        match unknown_field(&message) {
            Some((field, mut expected)) => {
                // serde_path_to_error ends the path with the unknown field itself; the
                // parent is where the suggestions come from.
                let key = if key.ends_with(&field) {
                    key
                } else {
                    join_key(&key, &field)
                };
                let is_top = key == join_key(prefix, &field);
                if is_top {
                    expected.extend(extra_keys.iter().map(|k| (*k).to_owned()));
                }
                expected.sort();
                expected.dedup();
                StrategyError::UnknownKey {
                    source_name: None,
                    suggestion: nearest(&field, &expected),
                    key,
                    expected,
                }
            }
            None => {
                // A missing key is named in full, like any other key.
                let (key, message) = match missing_field(&message) {
                    Some(field) => (join_key(&key, field), "missing required key".to_owned()),
                    None => (key, humanise(&message)),
                };
                StrategyError::Invalid {
                    source_name: None,
                    key: if key.is_empty() {
                        "(top level)".to_owned()
                    } else {
                        key
                    },
                    message,
                }
            }
        }
    })
}

/// `a.b` from `a` and `b`; either may be empty. Index segments (`[1]`) attach without a dot.
pub(crate) fn join_key(prefix: &str, key: &str) -> String {
    match (prefix.is_empty(), key.is_empty()) {
        (true, _) => key.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if key.starts_with('[') => format!("{prefix}{key}"),
        (false, false) => format!("{prefix}.{key}"),
    }
}

/// The unknown field and the expected ones from serde's message
/// ``unknown field `x`, expected one of `a`, `b` `` (also "expected `a`", "expected `a` or
/// `b`" and "there are no fields").
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let end = rest.find('`')?;
    let field = rest[..end].to_owned();
    let expected = rest[end + 1..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Some((field, expected))
}

/// The field of serde's "missing field `x`".
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.strip_suffix('`')
}

/// The candidate nearest to `key` by edit distance, when it is close enough to be a typo:
/// at most a third of the longer name's length (and at least 1) edits.
pub fn nearest(key: &str, candidates: &[String]) -> Option<String> {
    genesis_text::nearest(
        key,
        candidates.iter().map(String::as_str),
        |key, candidate| (key.chars().count().max(candidate.chars().count()) / 3).max(1),
    )
    .map(str::to_owned)
}

/// serde's "invalid type: string \"x\", expected f64" as "expected a number, found string
/// \"x\"": the Rust type names mean nothing to someone editing YAML.
fn humanise(message: &str) -> String {
    let plain = |expected: &str| -> String {
        match expected {
            "f64" | "f32" => "a number".to_owned(),
            "u32" | "u64" | "usize" | "u16" | "u8" => "a whole number".to_owned(),
            "i64" | "i32" => "a whole number".to_owned(),
            "a boolean" => "true or false".to_owned(),
            "a sequence" => "a list".to_owned(),
            // The only fixed-length list in a config is a risk_map step.
            "an array of length 2" => "a list of 2 numbers [confidence, fraction]".to_owned(),
            other if other.starts_with("struct ") || other == "a map" => {
                "a mapping of keys".to_owned()
            }
            other => other.to_owned(),
        }
    };
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let found = match (found, expected) {
                // YAML's .nan and .inf arrive as null: JSON numbers are finite.
                ("null", "f64") => {
                    "nothing (null; NaN and infinity are not numbers here)".to_owned()
                }
                ("null", _) => "nothing (null)".to_owned(),
                _ => found.to_owned(),
            };
            return format!("expected {}, found {found}", plain(expected));
        }
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return format!("expected {}, found {found}", plain(expected));
        }
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        if let Some((length, expected)) = rest.split_once(", expected ") {
            return format!("expected {}, found a list of {length}", plain(expected));
        }
    }
    message.to_owned()
}

/// The canonical text of a JSON value: object keys sorted (by their UTF-8 bytes) at every
/// level whatever the map type, no whitespace, numbers as serde_json prints them (shortest
/// round-trip form for floats). Equal values give equal text, so the text can be hashed.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (k, (key, item)) in entries.into_iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// `value` with object keys in sorted order at every level (a no-op for serde_json's default
/// sorted map; it matters if a dependency turns on its insertion-ordered map).
pub fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        scalar => scalar,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_suggests_typos_only() {
        let known = ["entry_conf_overall", "regime_proba"].map(String::from);
        assert_eq!(
            nearest("entry_conf_overal", &known).as_deref(),
            Some("entry_conf_overall")
        );
        assert_eq!(
            nearest("regim_proba", &known).as_deref(),
            Some("regime_proba")
        );
        assert_eq!(nearest("colour", &known), None, "too far from anything");
    }

    #[test]
    fn serde_unknown_field_messages_are_read_in_every_form() {
        let (field, expected) =
            unknown_field("unknown field `x`, expected one of `a`, `b`, `c`").unwrap();
        assert_eq!(field, "x");
        assert_eq!(expected, ["a", "b", "c"]);
        assert_eq!(
            unknown_field("unknown field `x`, expected `a` or `b`")
                .unwrap()
                .1,
            ["a", "b"]
        );
        assert_eq!(
            unknown_field("unknown field `x`, there are no fields")
                .unwrap()
                .1
                .len(),
            0
        );
        assert_eq!(unknown_field("invalid type: null, expected f64"), None);
    }

    #[test]
    fn canonical_text_sorts_keys_and_is_compact() {
        let value = serde_json::json!({"b": 1, "a": {"d": [1.5, true], "c": null}});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"c":null,"d":[1.5,true]},"b":1}"#
        );
    }
}
