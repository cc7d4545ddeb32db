//! Search-space YAML: what parses, and errors that name the dotted path.

use genesis_optimizer::space::Distribution;
use genesis_optimizer::{OptimizerError, ParamValue, SearchSpace};

fn parse(yaml: &str) -> Result<SearchSpace, OptimizerError> {
    SearchSpace::from_yaml_str(yaml)
}

fn err(yaml: &str) -> OptimizerError {
    parse(yaml).expect_err("expected an error")
}

#[test]
fn a_scalar_where_a_leaf_was_expected_names_its_path() {
    // The seeds' failure: a bare value under a key, read as a sub-tree much later.
    let e = err("thresholds:\n  entry_conf_overall: 0.35\n");
    match &e {
        OptimizerError::MissingType { path, message } => {
            assert_eq!(path, "thresholds.entry_conf_overall");
            assert!(message.contains("a number"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("`thresholds.entry_conf_overall`"));
}

#[test]
fn a_list_where_a_leaf_was_expected_names_its_path() {
    match err("risk_map: [[0.45, 0.015], [0.55, 0.025]]\n") {
        OptimizerError::MissingType { path, message } => {
            assert_eq!(path, "risk_map");
            assert!(message.contains("a list"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_mapping_with_leaf_fields_but_no_type_names_its_path() {
    for yaml in [
        "thresholds:\n  entry_conf_overall: {low: 0.25, high: 0.65}\n",
        "thresholds:\n  entry_conf_overall: {values: [0.3, 0.4]}\n",
        "thresholds:\n  entry_conf_overall: {value: 0.3}\n",
    ] {
        match err(yaml) {
            OptimizerError::MissingType { path, .. } => {
                assert_eq!(path, "thresholds.entry_conf_overall", "{yaml}")
            }
            other => panic!("{yaml}: {other:?}"),
        }
    }
}

#[test]
fn a_key_named_low_holding_a_subtree_is_a_subtree() {
    // signal_adaptation.zones.low is a zone, not a bound.
    let space = parse(
        "signal_adaptation:\n  zones:\n    low:\n      max_atr_pct: {type: fixed, value: 0.33}\n      entry_conf_overall: {type: float, low: 0.3, high: 0.5}\n",
    )
    .unwrap();
    assert_eq!(
        space.leaf_paths(),
        vec![
            "signal_adaptation.zones.low.entry_conf_overall",
            "signal_adaptation.zones.low.max_atr_pct"
        ]
    );
}

#[test]
fn unknown_types_and_wrong_fields_are_named() {
    match err("x: {type: uniform, low: 0, high: 1}\n") {
        OptimizerError::UnknownType { path, found } => {
            assert_eq!((path.as_str(), found.as_str()), ("x", "uniform"))
        }
        other => panic!("{other:?}"),
    }
    match err("a:\n  x: {type: float, low: 0, high: 1, choices: [1]}\n") {
        OptimizerError::ExtraField { path, field, .. } => {
            assert_eq!((path.as_str(), field.as_str()), ("a.x", "choices"))
        }
        other => panic!("{other:?}"),
    }
    match err("a:\n  x: {type: int, low: 0}\n") {
        OptimizerError::MissingField { path, field, .. } => {
            assert_eq!((path.as_str(), field.as_str()), ("a.x", "high"))
        }
        other => panic!("{other:?}"),
    }
    match err("x: {type: loguniform, low: 0.1, high: 1, step: 0.1}\n") {
        OptimizerError::ExtraField { field, .. } => assert_eq!(field, "step"),
        other => panic!("{other:?}"),
    }
    match err("x: {type: int, low: 0.5, high: 3}\n") {
        OptimizerError::InvalidField { path, field, .. } => {
            assert_eq!((path.as_str(), field.as_str()), ("x", "low"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bounds_steps_logs_and_choices_are_checked() {
    match err("t:\n  x: {type: float, low: 0.7, high: 0.3}\n") {
        OptimizerError::LowAboveHigh { path, low, high } => {
            assert_eq!(path, "t.x");
            assert_eq!((low, high), (0.7, 0.3));
        }
        other => panic!("{other:?}"),
    }
    match err("x: {type: float, low: 0.25, high: 0.65, step: 0.03}\n") {
        OptimizerError::StepDoesNotDivide { path, .. } => assert_eq!(path, "x"),
        other => panic!("{other:?}"),
    }
    match err("x: {type: int, low: 5, high: 50, step: 10}\n") {
        OptimizerError::StepDoesNotDivide { path, .. } => assert_eq!(path, "x"),
        other => panic!("{other:?}"),
    }
    match err("x: {type: loguniform, low: 0, high: 1}\n") {
        OptimizerError::NonPositiveLogLow { path, .. } => assert_eq!(path, "x"),
        other => panic!("{other:?}"),
    }
    match err("x: {type: float, low: -1, high: 1, log: true}\n") {
        OptimizerError::NonPositiveLogLow { path, .. } => assert_eq!(path, "x"),
        other => panic!("{other:?}"),
    }
    match err("m:\n  x: {type: categorical, choices: []}\n") {
        OptimizerError::EmptyChoices { path, field } => {
            assert_eq!((path.as_str(), field.as_str()), ("m.x", "choices"))
        }
        other => panic!("{other:?}"),
    }
    match err("x: {type: grid, values: []}\n") {
        OptimizerError::EmptyChoices { field, .. } => assert_eq!(field, "values"),
        other => panic!("{other:?}"),
    }
    match err("x: {type: categorical, choices: [a, b, a]}\n") {
        OptimizerError::InvalidField { path, .. } => assert_eq!(path, "x"),
        other => panic!("{other:?}"),
    }
    match err("x: {type: categorical, choices: [[1, 2], 3]}\n") {
        OptimizerError::InvalidField { path, .. } => assert_eq!(path, "x"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_range_too_wide_for_f64_is_refused() {
    match err("x: {type: float, low: -1.0e308, high: 1.0e308}\n") {
        OptimizerError::InvalidField { path, .. } => assert_eq!(path, "x"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn decimal_steps_within_the_documented_tolerance_are_accepted() {
    // (2.8 - 1.7) / 0.05 is 21.999999999999996 in binary; STEP_TOLERANCE absorbs it.
    assert_ne!((2.8f64 - 1.7) / 0.05, 22.0);
    let space = parse("x: {type: float, low: 1.7, high: 2.8, step: 0.05}\n").unwrap();
    assert_eq!(space.params()[0].distribution.grid_len(), Some(23));
    // And the last grid value is the bound as written, not 2.7999999999999998.
    assert_eq!(
        space.params()[0].distribution.grid_value(22),
        ParamValue::Float(2.8)
    );
}

#[test]
fn yaml_syntax_errors_carry_line_and_column() {
    match err("a:\n  b: {type: float, low: 0\n") {
        OptimizerError::Yaml { line, .. } => assert!(line >= 2, "line {line}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn keys_with_dots_and_empty_documents_are_rejected() {
    assert!(matches!(
        err("a.b: {type: fixed, value: 1}\n"),
        OptimizerError::InvalidKey { .. }
    ));
    assert!(matches!(err(""), OptimizerError::InvalidKey { .. }));
    assert!(matches!(err("a: {}\n"), OptimizerError::InvalidKey { path, .. } if path == "a"));
}

#[test]
fn leaf_types_parse_to_their_distributions() {
    let space = parse(
        "f: {type: float, low: 0, high: 1}\n\
         s: {type: float, low: 0, high: 1, step: 0.25}\n\
         l: {type: loguniform, low: 0.001, high: 1}\n\
         i: {type: int, low: 1, high: 9, step: 2}\n\
         il: {type: int, low: 1, high: 1000, log: true}\n\
         c: {type: categorical, choices: [a, 1, 2.5, true]}\n\
         g: {type: grid, values: [10, 20]}\n\
         k: {type: fixed, value: {nested: [1, 2]}}\n",
    )
    .unwrap();
    let by_path = |p: &str| {
        space
            .params()
            .iter()
            .find(|s| s.path == p)
            .map(|s| s.distribution.clone())
            .unwrap()
    };
    assert_eq!(
        by_path("l"),
        Distribution::Float {
            low: 0.001,
            high: 1.0,
            step: None,
            log: true
        }
    );
    assert_eq!(
        by_path("c"),
        Distribution::Categorical {
            choices: vec![
                ParamValue::Str("a".into()),
                ParamValue::Int(1),
                ParamValue::Float(2.5),
                ParamValue::Bool(true)
            ]
        }
    );
    assert_eq!(
        space.fixed().get("k"),
        Some(&serde_json::json!({"nested": [1, 2]}))
    );
    assert_eq!(space.len(), 7);
}

#[test]
fn callers_check_keys_and_get_suggestions() {
    let space = parse(
        "thresholds:\n  entry_conf_overal: {type: float, low: 0.2, high: 0.6}\nmax_hold_bars: {type: int, low: 5, high: 50}\n",
    )
    .unwrap();
    let known = [
        "thresholds.entry_conf_overall",
        "max_hold_bars",
        "exit_conf_threshold",
    ];
    let errors = space
        .check_keys(|path| {
            if known.contains(&path) {
                Ok(())
            } else {
                Err(OptimizerError::unknown_key(path, known))
            }
        })
        .unwrap_err();
    assert_eq!(
        errors,
        vec![OptimizerError::UnknownKey {
            path: "thresholds.entry_conf_overal".into(),
            suggestion: Some("thresholds.entry_conf_overall".into())
        }]
    );
    assert!(errors[0]
        .to_string()
        .contains("did you mean `thresholds.entry_conf_overall`"));
}

#[test]
fn the_example_spaces_parse_and_document_every_key() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/optimizer");
    let mut n_files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        n_files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let space =
            SearchSpace::from_yaml_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!space.is_empty(), "{}", path.display());
        // Every line that opens a key has a comment line right above it.
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let above = i.checked_sub(1).map(|j| lines[j].trim_start());
            assert!(
                above.is_some_and(|a| a.starts_with('#')),
                "{}:{}: `{}` has no comment above it",
                path.display(),
                i + 1,
                trimmed
            );
        }
    }
    assert!(n_files >= 3);
}

#[test]
fn the_grid_example_is_a_grid_and_the_tpe_example_keeps_its_fixed_values() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/optimizer");
    let grid = SearchSpace::from_yaml_str(
        &std::fs::read_to_string(root.join("genesis_grid.yaml")).unwrap(),
    )
    .unwrap();
    let sampler = genesis_optimizer::sampler::GridSampler::new(&grid, 0).unwrap();
    assert_eq!(sampler.n_points(), 3 * 3 * 3 * 2 * 4 * 3);
    let tpe = SearchSpace::from_yaml_str(
        &std::fs::read_to_string(root.join("genesis_tpe.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        tpe.fixed().get("risk_map"),
        Some(&serde_json::json!([
            [0.45, 0.015],
            [0.55, 0.025],
            [0.65, 0.035]
        ]))
    );
    assert!(tpe
        .leaf_paths()
        .contains(&"htf_exit_config.trail_atr_multiplier"));
}

#[test]
fn a_space_survives_a_json_round_trip_and_hashes_stably() {
    let text = "a: {type: float, low: 0, high: 1, step: 0.1}\nb: {type: categorical, choices: [x, y]}\nc: {type: fixed, value: 3}\n";
    let space = parse(text).unwrap();
    let json = serde_json::to_string(&space).unwrap();
    let back: SearchSpace = serde_json::from_str(&json).unwrap();
    assert_eq!(back, space);
    assert_eq!(back.hash_hex(), space.hash_hex());
    let other = parse("a: {type: float, low: 0, high: 1, step: 0.2}\nb: {type: categorical, choices: [x, y]}\nc: {type: fixed, value: 3}\n").unwrap();
    assert_ne!(other.hash_hex(), space.hash_hex());
}

#[test]
fn a_space_read_back_from_json_is_validated_again() {
    let json = r#"{"params":[{"path":"x","distribution":{"type":"float","low":2.0,"high":1.0,"step":null,"log":false}}],"fixed":{}}"#;
    assert!(serde_json::from_str::<SearchSpace>(json).is_err());
}

#[test]
fn overrides_merge_fixed_values_and_params() {
    let space =
        parse("a: {type: int, low: 1, high: 3}\nb:\n  c: {type: fixed, value: [1, 2]}\n").unwrap();
    let mut params = genesis_optimizer::Params::new();
    params.insert("a".into(), ParamValue::Int(2));
    let overrides = space.overrides(&params);
    assert_eq!(overrides.get("a"), Some(&serde_json::json!(2)));
    assert_eq!(overrides.get("b.c"), Some(&serde_json::json!([1, 2])));
}

mod no_panic {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Whatever the text, parsing returns a space or an error that says where (a
        /// dotted path in backticks, or a YAML line); it never panics.
        #[test]
        fn parsing_any_text_never_panics(text in "[a-z_ .:{},\\[\\]\\-0-9\\n#]{0,120}") {
            match genesis_optimizer::SearchSpace::from_yaml_str(&text) {
                Ok(space) => prop_assert!(!space.leaf_paths().is_empty()),
                Err(e) => {
                    let message = e.to_string();
                    prop_assert!(message.contains('`') || message.contains("line"), "{}", message);
                }
            }
        }

        /// Leaf-shaped mappings with arbitrary numbers never panic either.
        #[test]
        fn any_numeric_leaf_never_panics(
            kind in prop::sample::select(vec!["float", "int", "loguniform", "grid", "categorical", "fixed"]),
            low in prop::num::f64::ANY,
            high in prop::num::f64::ANY,
            step in prop::num::f64::ANY,
        ) {
            let text = format!("x: {{type: {kind}, low: {low:?}, high: {high:?}, step: {step:?}}}\n");
            match genesis_optimizer::SearchSpace::from_yaml_str(&text) {
                Ok(space) => {
                    // Only a float or int range can take these fields, and then a sane one.
                    for spec in space.params() {
                        if let genesis_optimizer::space::Distribution::Float { low, high, .. } = spec.distribution {
                            prop_assert!(low.is_finite() && high.is_finite() && low <= high);
                        }
                    }
                }
                Err(e) => prop_assert!(e.to_string().contains("`x"), "{}", e),
            }
        }

        /// Journal text of any shape is read or refused with a line number, never a panic.
        #[test]
        fn reading_any_journal_text_never_panics(text in "[a-z_\"{}:,0-9\\n ]{0,200}") {
            if let Err(e) = genesis_optimizer::journal::parse_jsonl(&text) {
                let is_located = matches!(e, genesis_optimizer::OptimizerError::Journal { line, .. } if line >= 1);
                prop_assert!(is_located, "{}", e);
            }
            if let Err(e) = genesis_optimizer::export::from_optuna_journal(&text) {
                let is_import = matches!(e, genesis_optimizer::OptimizerError::Import { .. });
                prop_assert!(is_import, "{}", e);
            }
        }
    }
}
