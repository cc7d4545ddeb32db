//! Which config keys the editor's form shows: the scalar keys of the canonical config (every
//! key, defaults filled in), except the sections that are lists or deep structures better
//! edited as text (features, model weights, zones, the risk map, constraints) and a rules
//! config's rule texts and plots, which are code: a one-line form field would write them
//! back unquoted, and the text has line numbers and underlines their mistakes.

use serde_json::Value;

/// Sections left to the YAML text.
const TEXT_ONLY: [&str; 8] = [
    "strategy",
    "features",
    "model",
    "signal_adaptation",
    "risk_map",
    "constraints",
    "rules",
    "plots",
];

/// A form field: its dotted path and current value.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub path: String,
    pub value: Value,
}

pub fn fields(canonical: &Value) -> Vec<Field> {
    let mut out = Vec::new();
    if let Value::Object(map) = canonical {
        for (key, value) in map {
            if !TEXT_ONLY.contains(&key.as_str()) {
                collect(key.clone(), value, &mut out);
            }
        }
    }
    out
}

fn collect(path: String, value: &Value, out: &mut Vec<Field>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                collect(format!("{path}.{key}"), child, out);
            }
        }
        Value::Array(_) => {}
        scalar => out.push(Field {
            path,
            value: scalar.clone(),
        }),
    }
}

/// What the user typed, as a YAML scalar: empty is `null`, numbers stay as typed, anything
/// else is an error for the form to show.
pub fn number_text(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok("null".to_string());
    }
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(text.to_string()),
        _ => Err(format!("{text:?} is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_outside_text_only_sections_become_fields() {
        let canonical = serde_json::json!({
            "strategy": "genesis",
            "max_hold_bars": 20,
            "thresholds": {"entry_conf_overall": 0.35, "regime_proba": {"trend": 0.5}},
            "risk_map": [[0.45, 0.015]],
            "model": {"weights": {"trend": 0.6}},
            "exits": {"take_profit_atr_multiplier": null},
            "backtest": {"whole_units": false}
        });
        let paths: Vec<String> = fields(&canonical).into_iter().map(|f| f.path).collect();
        assert_eq!(
            paths,
            [
                "backtest.whole_units",
                "exits.take_profit_atr_multiplier",
                "max_hold_bars",
                "thresholds.entry_conf_overall",
                "thresholds.regime_proba.trend"
            ]
        );
    }

    #[test]
    fn a_rules_configs_params_are_fields_and_its_rules_and_plots_stay_text() {
        let config = genesis_engine::strategy::StrategyConfig::preset("rules_sma_cross").unwrap();
        let paths: Vec<String> = fields(&config.to_value())
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert!(paths.contains(&"params.fast".to_string()), "{paths:?}");
        assert!(paths.contains(&"params.slow".to_string()), "{paths:?}");
        assert!(
            !paths
                .iter()
                .any(|p| p.starts_with("rules.") || p.starts_with("plots.")),
            "{paths:?}"
        );
    }

    #[test]
    fn typed_numbers_are_checked() {
        assert_eq!(number_text(" 0.4 ").unwrap(), "0.4");
        assert_eq!(number_text("").unwrap(), "null");
        assert!(number_text("abc").is_err());
        assert!(number_text("inf").is_err());
    }
}
