//! Sets one scalar in a YAML document by its dotted path, touching nothing else: the config
//! editor's form writes into the YAML text, so the presets' comments (which explain every key
//! and its units) survive editing. Handles block mappings and one-line flow mappings
//! (`regime_proba: {trend: 0.5, bear: 0.6}`); anything else is an error asking the user to
//! edit the text directly. The engine re-parses and validates the result as usual.

/// Replaces the value of `path` (e.g. `thresholds.regime_proba.trend`) with `value` (already
/// YAML: `0.4`, `true`, `null`).
pub fn set_scalar(text: &str, path: &str, value: &str) -> Result<String, String> {
    let segments: Vec<&str> = path.split('.').collect();
    let mut stack: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('-') {
            continue;
        }
        let indent = content.len() - trimmed.len();
        let Some((key, after_colon)) = split_key(trimmed) else {
            continue;
        };
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let depth = stack.len();
        let is_on_path = depth < segments.len()
            && stack
                .iter()
                .map(|(_, k)| *k)
                .eq(segments[..depth].iter().copied())
            && segments[depth] == key;
        if is_on_path {
            let value_start = line_start + indent + (trimmed.len() - after_colon.len());
            if depth + 1 == segments.len() {
                return Ok(replace_value(text, value_start, after_colon, value));
            }
            if depth + 2 == segments.len() && after_colon.trim_start().starts_with('{') {
                let lead = after_colon.len() - after_colon.trim_start().len();
                return set_in_flow_map(text, value_start + lead, segments[depth + 1], value)
                    .ok_or_else(|| not_found(path));
            }
        }
        stack.push((indent, key));
    }
    Err(not_found(path))
}

fn not_found(path: &str) -> String {
    format!("{path} is not written as a plain key in the YAML; edit it in the text")
}

/// `key: rest` → `(key, rest)` for a plain (unquoted) key.
fn split_key(trimmed: &str) -> Option<(&str, &str)> {
    let colon = trimmed.find(':')?;
    let key = &trimmed[..colon];
    let rest = &trimmed[colon + 1..];
    let is_plain_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let is_separated = rest.is_empty() || rest.starts_with([' ', '\t']);
    (is_plain_key && is_separated).then_some((key, rest))
}

/// Replaces the scalar that starts after a key's colon, keeping a trailing comment and the
/// spacing in front of it.
fn replace_value(text: &str, value_start: usize, after_colon: &str, value: &str) -> String {
    let lead = after_colon.len() - after_colon.trim_start().len();
    let body = &after_colon[lead..];
    let body = body.trim_end_matches(['\n', '\r']);
    let comment_at = body.find(" #").or_else(|| body.find("\t#"));
    let old_value_len = match comment_at {
        Some(at) => body[..at].trim_end().len(),
        None => body.trim_end().len(),
    };
    let start = value_start + lead;
    let mut out = String::with_capacity(text.len() + value.len());
    out.push_str(&text[..value_start]);
    out.push(' ');
    out.push_str(value);
    out.push_str(&text[start + old_value_len..]);
    out
}

/// Sets `key` inside the one-line flow mapping that starts at `brace_at`.
fn set_in_flow_map(text: &str, brace_at: usize, key: &str, value: &str) -> Option<String> {
    let line_end = text[brace_at..]
        .find('\n')
        .map_or(text.len(), |i| brace_at + i);
    let close = brace_at + text[brace_at..line_end].find('}')?;
    let inner = &text[brace_at + 1..close];
    let mut entry_start = 0;
    for entry in inner.split(',') {
        let (k, v) = entry.split_once(':')?;
        if k.trim() == key {
            let value_from = brace_at + 1 + entry_start + k.len() + 1;
            let value_to = value_from + v.len();
            let mut out = String::with_capacity(text.len() + value.len());
            out.push_str(&text[..value_from]);
            out.push(' ');
            out.push_str(value);
            out.push_str(&text[value_to - (v.len() - v.trim_end().len())..]);
            return Some(out);
        }
        entry_start += entry.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
# a preset
strategy: genesis
thresholds:
  # minimum probability
  entry_conf_overall: 0.35   # of the traded side
  regime_proba: {trend: 0.5, balanced: 0.7, bear: 0.6}
max_hold_bars: 20
exits:
  stop_atr_multiplier: 2.0
  take_profit_atr_multiplier: null
backtest:
  initial_cash: 10000    # quote currency
";

    #[test]
    fn a_block_scalar_changes_and_its_comment_stays() {
        let out = set_scalar(DOC, "thresholds.entry_conf_overall", "0.4").unwrap();
        assert!(
            out.contains("  entry_conf_overall: 0.4   # of the traded side\n"),
            "{out}"
        );
        assert_eq!(out.replace("0.4   #", "0.35   #"), DOC);
    }

    #[test]
    fn top_level_and_nested_keys_with_the_same_name_are_told_apart() {
        let out = set_scalar(DOC, "max_hold_bars", "48").unwrap();
        assert!(out.contains("\nmax_hold_bars: 48\n"));
        let out = set_scalar(&out, "exits.take_profit_atr_multiplier", "3.5").unwrap();
        assert!(out.contains("  take_profit_atr_multiplier: 3.5\n"));
        let out = set_scalar(&out, "backtest.initial_cash", "25000").unwrap();
        assert!(
            out.ends_with("  initial_cash: 25000    # quote currency\n"),
            "{out}"
        );
    }

    #[test]
    fn a_key_inside_a_flow_mapping_changes_alone() {
        let out = set_scalar(DOC, "thresholds.regime_proba.balanced", "0.65").unwrap();
        assert!(
            out.contains("regime_proba: {trend: 0.5, balanced: 0.65, bear: 0.6}"),
            "{out}"
        );
        let out = set_scalar(DOC, "thresholds.regime_proba.bear", "0.55").unwrap();
        assert!(
            out.contains("{trend: 0.5, balanced: 0.7, bear: 0.55}"),
            "{out}"
        );
    }

    #[test]
    fn missing_keys_are_errors_that_name_the_path() {
        let err = set_scalar(DOC, "thresholds.nope", "1").unwrap_err();
        assert!(err.contains("thresholds.nope"));
        assert!(set_scalar(DOC, "thresholds.regime_proba.sideways", "1").is_err());
        assert!(
            set_scalar(DOC, "entry_conf_overall", "1").is_err(),
            "only under its parent"
        );
    }
}
