use super::*;
use genesis_engine::strategy::presets;
use genesis_engine::strategy::{StrategyConfig, StrategyParams};
use proptest::prelude::*;

/// `serde_yaml_ng`'s string at dotted `key` of `doc`: the oracle the reader is held to.
fn oracle(doc: &str, key: &str) -> Option<String> {
    let value: serde_json::Value =
        serde_json::to_value(serde_yaml_ng::from_str::<serde_yaml_ng::Value>(doc).unwrap())
            .unwrap();
    let mut node = &value;
    for segment in parse_path(key) {
        node = match segment {
            Segment::Key(k) => node.get(k)?,
            Segment::Index(i) => node.get(i)?,
        };
    }
    node.as_str().map(str::to_string)
}

/// Every character of `scalar` points at source bytes it can have come from: itself, an
/// escape, a doubled quote, or the line break a fold made it from.
fn assert_spans_fit(doc: &str, scalar: &Scalar) {
    for (ch, span) in scalar.value.chars().zip(&scalar.spans) {
        let source = &doc[span.clone()];
        let fits = source == ch.encode_utf8(&mut [0; 4])
            || source.starts_with('\\')
            || source == "''"
            || (matches!(ch, ' ' | '\n') && source == "\n");
        assert!(fits, "{ch:?} read from {source:?} in {doc:?}");
    }
    assert_eq!(scalar.spans.len(), scalar.value.chars().count());
}

fn check(doc: &str, key: &str) -> Scalar {
    let scalar = value_at(doc, key).unwrap_or_else(|| panic!("{key} not read in {doc:?}"));
    assert_eq!(
        Some(scalar.value.clone()),
        oracle(doc, key),
        "{key} in {doc:?}"
    );
    assert_spans_fit(doc, &scalar);
    scalar
}

const STYLES: &str = r#"# every scalar style a rule may be written in
strategy: rules
params: {fast: 10, slow: 20}
require:
  - fast < slow      # a comment
  - 'fast > 1'
rules:
  long_entry: crossover(sma(close, fast),
    sma(close, slow))   # folded over two lines
  short_entry: "crossunder(sma(close, fast), \
     sma(close, slow)) and \"x\" != \u0041"
  long_exit: 'it''s  two
    lines

    and a break'
  short_exit: |
    close < open
      and more indented
    and back
  stop_loss: >-
    2 *
    atr(14)

    + 1
  take_profit: |+
    keep

  trailing_stop: |2-
      two spaces kept
plots:
  x: [1, 2]
  flow: {a: "b c", d: e f}
seq_at_key_indent:
- one
- two: 2
  three: 3
- - nested
"#;

#[test]
fn every_scalar_style_reads_as_serde_yaml_reads_it() {
    for key in [
        "strategy",
        "require[0]",
        "require[1]",
        "rules.long_entry",
        "rules.short_entry",
        "rules.long_exit",
        "rules.short_exit",
        "rules.stop_loss",
        "rules.take_profit",
        "rules.trailing_stop",
        "plots.flow.a",
        "plots.flow.d",
        "seq_at_key_indent[0]",
        "seq_at_key_indent[2][0]",
    ] {
        check(STYLES, key);
    }
    assert_eq!(
        value_at(STYLES, "seq_at_key_indent[1].two").unwrap().value,
        "2"
    );
    assert_eq!(value_at(STYLES, "params.fast").unwrap().value, "10");
}

#[test]
fn json_as_a_shared_link_carries_it_reads_too() {
    let json = r#"{"backtest":{"commission":0.002},"rules":{"long_entry":"crossover(sma(close, fast), sma(close, slow))","short_entry":"a \"quoted\" \u00e9 b"},"strategy":"rules","require":["fast < slow"]}"#;
    for key in [
        "rules.long_entry",
        "rules.short_entry",
        "strategy",
        "require[0]",
    ] {
        check(json, key);
    }
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(json).unwrap())
            .unwrap();
    check(&pretty, "rules.long_entry");
}

#[test]
fn every_presets_rules_and_plots_are_found_as_the_engine_reads_them() {
    for name in presets::names() {
        let text = presets::text(name).unwrap();
        let StrategyParams::Rules(params) = StrategyConfig::preset(name).unwrap().params().clone()
        else {
            continue;
        };
        let rules = serde_json::to_value(&params.spec.rules).unwrap();
        for (rule, value) in rules.as_object().unwrap() {
            let scalar = check(text, &format!("rules.{rule}"));
            assert_eq!(
                Some(scalar.value.as_str()),
                value.as_str(),
                "{name} rules.{rule}"
            );
        }
        for (plot, value) in &params.spec.plots {
            assert_eq!(
                &check(text, &format!("plots.{plot}")).value,
                value,
                "{name} plots.{plot}"
            );
        }
        for (i, value) in params.spec.require.iter().enumerate() {
            assert_eq!(
                &check(text, &format!("require[{i}]")).value,
                value,
                "{name}"
            );
        }
    }
}

/// The engine's own error for a typo, marked where the typo is, whatever style the rule is
/// written in.
fn marked(doc: &str) -> (String, usize) {
    let error = StrategyConfig::from_yaml_str(doc, "config").unwrap_err();
    assert!(matches!(error, StrategyError::Rule { .. }), "{error}");
    let range = error_mark(doc, &error).unwrap_or_else(|| panic!("no mark for {error} in {doc}"));
    (doc[range.clone()].to_string(), line_of(doc, range.start))
}

#[test]
fn a_typo_in_a_rule_is_marked_on_the_typo_in_every_style() {
    let preset = presets::text("rules_sma_cross").unwrap();
    let plain = preset.replacen(
        "crossover(sma(close, fast)",
        "crossover(smaa(close, fast)",
        1,
    );
    assert_eq!(marked(&plain), ("smaa".to_string(), 15));
    let error = StrategyConfig::from_yaml_str(&plain, "config").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("unknown function smaa; did you mean sma?"),
        "{error}"
    );

    let rules = |long_entry: &str| {
        format!(
            "strategy: rules\nparams: {{fast: 10, slow: 20}}\nrules:\n{long_entry}\n  short_entry: close < open\n"
        )
    };
    let cases = [
        (
            "  long_entry: \"close > open and\\t\\u0020smaa(close, 5) > 1\"",
            4,
        ),
        (
            "  long_entry: 'close > open and\n    smaa(close, 5) > 1'",
            5,
        ),
        (
            "  long_entry: |\n    close > open and\n      smaa(close, 5) > 1\n",
            6,
        ),
        (
            "  long_entry: >\n    close > open and\n    smaa(close, 5) > 1\n",
            6,
        ),
        ("  long_entry: close > open and\n    smaa(close, 5) > 1", 5),
        ("  long_entry:\n    close > open and smaa(close, 5) > 1", 5),
    ];
    for (rule, line) in cases {
        assert_eq!(marked(&rules(rule)), ("smaa".to_string(), line), "{rule}");
    }
    let json = r#"{"strategy": "rules", "params": {"fast": 10}, "rules": {"long_entry": "close > smaa(close, fast)"}}"#;
    assert_eq!(marked(json), ("smaa".to_string(), 1));
    let require = rules("  long_entry: close > open")
        .replace("params:", "require: [\"smaa(1) > 0\"]\nparams:");
    assert_eq!(marked(&require), ("smaa".to_string(), 2));
}

#[test]
fn a_mistake_at_the_end_of_a_rule_is_marked_at_its_end() {
    let doc = "strategy: rules\nrules:\n  long_entry: sma(close, 5 > 1   # unclosed\n";
    let error = StrategyConfig::from_yaml_str(doc, "config").unwrap_err();
    let StrategyError::Rule { .. } = &error else {
        panic!("{error}")
    };
    let range = error_mark(doc, &error).unwrap();
    assert_eq!(line_of(doc, range.start), 3);
    assert!(range.start <= doc.find("   #").unwrap() + 1, "{range:?}");
}

#[test]
fn keys_values_and_syntax_errors_are_marked_too() {
    let preset = presets::text("rules_sma_cross").unwrap();
    let unknown = preset.replace("short_entry:", "short_entyr:");
    let error = StrategyConfig::from_yaml_str(&unknown, "config").unwrap_err();
    assert_eq!(
        &unknown[error_mark(&unknown, &error).unwrap()],
        "short_entyr",
        "{error}"
    );

    let invalid = preset.replace("commission: 0.002", "commission: -1");
    let error = StrategyConfig::from_yaml_str(&invalid, "config").unwrap_err();
    assert_eq!(
        &invalid[error_mark(&invalid, &error).unwrap()],
        "-1",
        "{error}"
    );

    let broken = preset.replace("rules:\n", "rules:\n  - oops\n");
    let error = StrategyConfig::from_yaml_str(&broken, "config").unwrap_err();
    let StrategyError::Syntax { line, .. } = &error else {
        panic!("{error}")
    };
    let range = error_mark(&broken, &error).unwrap();
    assert_eq!(line_of(&broken, range.start), *line, "{error}");
}

#[test]
fn paths_split_as_the_engine_writes_them() {
    assert_eq!(
        parse_path("rules.long_entry"),
        vec![
            Segment::Key("rules".into()),
            Segment::Key("long_entry".into())
        ]
    );
    assert_eq!(
        parse_path("require[3]"),
        vec![Segment::Key("require".into()), Segment::Index(3)]
    );
    assert_eq!(
        parse_path("risk_map[1][0]"),
        vec![
            Segment::Key("risk_map".into()),
            Segment::Index(1),
            Segment::Index(0)
        ]
    );
}

#[test]
fn what_it_does_not_read_gives_none_and_deep_nesting_does_not_overflow() {
    assert_eq!(value_at("a: &x 1\nb: *x\n", "b"), None);
    assert_eq!(value_at("%YAML 1.2\n---\na: 1\n", "a"), None);
    let deep = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(read(&deep), None);
    let deep_block: String = (0..5_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    assert_eq!(read(&deep_block), None);
}

proptest! {
    /// Whatever a rule's text, written out by serde_yaml_ng (which picks the style: plain,
    /// quoted with escapes, a literal block) or as JSON, it reads back as itself, and every
    /// character points at source bytes it can have come from.
    #[test]
    fn any_rule_text_written_as_yaml_or_json_reads_back(
        rule in r#"[a-z0-9_ ()<>=!+*/.,:#'"\\\n\t\-\[\]{}|&%@`é→]{0,60}"#,
    ) {
        let config = serde_json::json!({"strategy": "rules", "rules": {"long_entry": rule}, "require": [rule]});
        for doc in [serde_yaml_ng::to_string(&config).unwrap(), config.to_string()] {
            for key in ["rules.long_entry", "require[0]"] {
                let scalar = value_at(&doc, key);
                prop_assert_eq!(scalar.as_ref().map(|s| s.value.as_str()), Some(rule.as_str()), "{} in {}", key, doc);
                assert_spans_fit(&doc, scalar.as_ref().unwrap());
            }
        }
    }

    /// Typed text, broken or not, never panics the reader, and any mark is a range of the
    /// text on character boundaries.
    #[test]
    fn any_text_reads_without_panicking(text in r#"[a-z0-9: \-\[\]{},'"|>+#\\\n\r\té→&*!]{0,200}"#) {
        let _ = read(&text);
        for key in ["a", "a.b", "a[0]", "b[1].c"] {
            if let Some(scalar) = value_at(&text, key) {
                let range = scalar.range();
                prop_assert!(text.get(range.clone()).is_some(), "{range:?}");
                for line in 1..4 {
                    for column in 1..10 {
                        if let Some(token) = scalar.token_at(&text, line, column) {
                            prop_assert!(text.get(token.clone()).is_some(), "{token:?}");
                        }
                    }
                }
            }
        }
    }
}
