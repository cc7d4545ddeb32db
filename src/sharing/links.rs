//! Backtest setups in the URL: `#/backtest?d=<dataset hash>&n=<file name>&c=<config>&from=…&to=…`
//! where the config is its canonical JSON in URL-safe base64. Opening such a link with the
//! dataset present reproduces the run exactly (same candles by hash, same config by
//! fingerprint); without it the page asks for the file and checks its hash. A link is
//! untrusted input: sizes are limited and every part is checked, with an error naming it.

use crate::sharing::bundle::{base64_decode, base64_encode};

/// The longest link fragment read (a config is a few kilobytes).
pub const MAX_FRAGMENT_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct SharedSetup {
    /// The dataset's content hash (64 hex digits).
    pub dataset_hash: String,
    /// The dataset's file name, to tell the user which file to choose.
    pub dataset_name: String,
    /// The config as JSON text (valid YAML, which the editor takes).
    pub config_json: String,
    /// `YYYY-MM-DD` window bounds, as the date inputs hold them.
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("the shared link's {part} {message}")]
pub struct ShareError {
    pub part: &'static str,
    pub message: String,
}

fn bad(part: &'static str, message: impl Into<String>) -> ShareError {
    ShareError {
        part,
        message: message.into(),
    }
}

/// The URL fragment (`#/backtest?…`) of a setup.
pub fn encode(setup: &SharedSetup) -> String {
    let mut out = format!(
        "#/backtest?d={}&n={}&c={}",
        setup.dataset_hash,
        url_safe(&base64_encode(setup.dataset_name.as_bytes())),
        url_safe(&base64_encode(setup.config_json.as_bytes()))
    );
    for (key, value) in [("from", &setup.from), ("to", &setup.to)] {
        if let Some(value) = value {
            out.push_str(&format!("&{key}={value}"));
        }
    }
    out
}

/// The setup a fragment carries: `Ok(None)` when it carries none (a plain `#/backtest`).
pub fn decode(fragment: &str) -> Result<Option<SharedSetup>, ShareError> {
    if fragment.len() > MAX_FRAGMENT_BYTES {
        return Err(bad(
            "address",
            format!(
                "is {} bytes; at most {MAX_FRAGMENT_BYTES} are read",
                fragment.len()
            ),
        ));
    }
    let Some((_, query)) = fragment.split_once('?') else {
        return Ok(None);
    };
    let mut dataset_hash = None;
    let mut dataset_name = None;
    let mut config_json = None;
    let mut from = None;
    let mut to = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "d" => {
                let is_hash = value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit());
                if !is_hash {
                    return Err(bad("dataset hash (d)", "is not 64 hex digits"));
                }
                dataset_hash = Some(value.to_ascii_lowercase());
            }
            "n" => dataset_name = Some(text("dataset name (n)", value)?),
            "c" => config_json = Some(text("config (c)", value)?),
            "from" => from = Some(date("start date (from)", value)?),
            "to" => to = Some(date("end date (to)", value)?),
            _ => {}
        }
    }
    if dataset_hash.is_none() && config_json.is_none() {
        return Ok(None);
    }
    let config_json = config_json.ok_or_else(|| bad("config (c)", "is missing"))?;
    if serde_json::from_str::<serde_json::Value>(&config_json).is_err() {
        return Err(bad("config (c)", "is not JSON"));
    }
    Ok(Some(SharedSetup {
        dataset_hash: dataset_hash.ok_or_else(|| bad("dataset hash (d)", "is missing"))?,
        dataset_name: dataset_name.unwrap_or_default(),
        config_json,
        from,
        to,
    }))
}

fn url_safe(b64: &str) -> String {
    b64.trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn text(part: &'static str, value: &str) -> Result<String, ShareError> {
    let standard = value.replace('-', "+").replace('_', "/");
    let bytes = base64_decode(&standard).ok_or_else(|| bad(part, "is not URL-safe base64"))?;
    let text = String::from_utf8(bytes).map_err(|_| bad(part, "is not UTF-8 text"))?;
    Ok(text
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect())
}

fn date(part: &'static str, value: &str) -> Result<String, ShareError> {
    match crate::util::timefmt::parse_date_input(value) {
        Some(_) => Ok(value.to_string()),
        None => Err(bad(part, "is not a YYYY-MM-DD date")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> SharedSetup {
        SharedSetup {
            dataset_hash: "88431d2a77d79949b69cedec3c6fd17bef05955aa892886099e087dd0df19253".into(),
            dataset_name: "demo-BTCUSD_1h.csv".into(),
            config_json: r#"{"strategy":"sma_cross","fast_period":10,"slow_period":20}"#.into(),
            from: Some("2024-03-01".into()),
            to: None,
        }
    }

    #[test]
    fn a_setup_round_trips_through_the_fragment() {
        let fragment = encode(&setup());
        assert!(fragment.starts_with("#/backtest?d=88431d2a"));
        let payload = fragment
            .split("&c=")
            .nth(1)
            .unwrap_or_default()
            .split('&')
            .next()
            .unwrap_or_default();
        assert!(
            !payload.contains(['+', '/', '=']),
            "URL-safe base64 without padding: {payload}"
        );
        assert_eq!(decode(&fragment).unwrap(), Some(setup()));
        assert_eq!(decode("#/backtest").unwrap(), None);
    }

    #[test]
    fn hostile_links_are_refused_naming_the_part() {
        let good = encode(&setup());
        let cases = [
            (good.replace("d=88431d2a", "d=zz431d2a"), "dataset hash"),
            (good.replace("&c=", "&c=%%%"), "config"),
            (format!("{good}&from=2024-13-40"), "start date"),
            (
                format!(
                    "#/backtest?d={}&c={}",
                    setup().dataset_hash,
                    url_safe(&base64_encode(b"not json"))
                ),
                "config",
            ),
            (
                format!("#/backtest?c={}", url_safe(&base64_encode(b"{}"))),
                "dataset hash",
            ),
            (
                format!("#/backtest?{}", "x".repeat(MAX_FRAGMENT_BYTES)),
                "address",
            ),
        ];
        for (fragment, part) in cases {
            let err = decode(&fragment).unwrap_err();
            assert!(err.to_string().contains(part), "{err}");
        }
    }

    /// A rules config travels whole: its rule texts (here a two-line rule with `<`) inside
    /// the canonical JSON, which reads back to the same fingerprint.
    #[test]
    fn a_rules_config_round_trips_to_the_same_fingerprint() {
        use genesis_engine::strategy::{StrategyConfig, StrategyParams};
        let yaml = genesis_engine::strategy::presets::text("rules_sma_cross")
            .unwrap()
            .replace(
                "long_entry: crossover(sma(close, fast), sma(close, slow))",
                "long_entry: |\n    crossover(sma(close, fast), sma(close, slow))\n      and not (close < 0)",
            );
        let config = StrategyConfig::from_yaml_str(&yaml, "config").unwrap();
        let StrategyParams::Rules(params) = config.params() else {
            panic!("a rules config")
        };
        assert!(params
            .spec
            .rules
            .long_entry
            .as_deref()
            .unwrap()
            .contains('\n'));
        let shared = SharedSetup {
            config_json: config.canonical_json(),
            ..setup()
        };
        let fragment = encode(&shared);
        assert!(fragment.len() < MAX_FRAGMENT_BYTES);
        let back = decode(&fragment).unwrap().unwrap();
        assert_eq!(back, shared);
        let reread = StrategyConfig::from_yaml_str(&back.config_json, "link").unwrap();
        assert_eq!(reread.fingerprint(), config.fingerprint());
        assert_eq!(reread.params(), config.params());
    }

    #[test]
    fn control_characters_in_names_are_dropped() {
        let mut hostile = setup();
        hostile.dataset_name = "evil\u{7}<script>.csv".into();
        let back = decode(&encode(&hostile)).unwrap().unwrap();
        assert_eq!(back.dataset_name, "evil<script>.csv");
    }
}
