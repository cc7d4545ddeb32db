//! Golden files for the parser: every input under `tests/golden/data/ok/` must parse and
//! match its `.expected.json` (the report, first and last bar, hash); every input under
//! `tests/golden/data/err/` must fail with the message in its `.expected.txt`. An input
//! whose name contains `.lenient.` is parsed in lenient mode, one with `.dmy.` or `.mdy.`
//! with that date order asked for (the layout is still decided by content alone).
//!
//! `UPDATE_GOLDEN=1 cargo test -p genesis-engine --test golden_data` rewrites the expected
//! files; review the diff before committing it.

use std::path::{Path, PathBuf};

use genesis_engine::data::timestamp::format_iso_ms;
use genesis_engine::data::{parse, DataError, DateOrder, ParseOptions};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/data")
}

fn is_expected_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".expected.json") || name.ends_with(".expected.txt")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file() && !is_expected_file(path))
        .collect();
    paths.sort();
    paths
}

fn options_for(path: &Path) -> ParseOptions {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut options = if name.contains(".lenient.") {
        ParseOptions::lenient()
    } else {
        ParseOptions::default()
    };
    if name.contains(".dmy.") {
        options.date_order = Some(DateOrder::Dmy);
    } else if name.contains(".mdy.") {
        options.date_order = Some(DateOrder::Mdy);
    }
    options
}

/// Compares with (or, under UPDATE_GOLDEN, writes) the expected file; returns a mismatch.
fn check(expected_path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(expected_path, actual).unwrap();
        return None;
    }
    match std::fs::read_to_string(expected_path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            expected_path.display()
        )),
        Err(err) => Some(format!(
            "{}: {err} (run with UPDATE_GOLDEN=1)",
            expected_path.display()
        )),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

#[test]
fn valid_files_match_their_golden_reports() {
    let inputs = inputs(&golden_dir().join("ok"));
    assert!(inputs.len() >= 20, "the ok corpus is missing");
    let mut failures = Vec::new();
    for path in inputs {
        let bytes = std::fs::read(&path).unwrap();
        let parsed = match parse(&bytes, &options_for(&path)) {
            Ok(parsed) => parsed,
            Err(err) => {
                failures.push(format!("{}: expected to parse, got: {err}", path.display()));
                continue;
            }
        };
        let candles = &parsed.candles;
        let doc = serde_json::json!({
            "first_time": format_iso_ms(parsed.report.first_ts_ms),
            "last_time": format_iso_ms(parsed.report.last_ts_ms),
            "first_bar": candles.bar(0),
            "last_bar": candles.bar(candles.len() - 1),
            "hash": candles.content_hash(),
            "report": parsed.report,
        });
        let actual = serde_json::to_string_pretty(&doc).unwrap() + "\n";
        failures.extend(check(&with_suffix(&path, ".expected.json"), &actual));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn invalid_files_fail_with_their_golden_messages() {
    let inputs = inputs(&golden_dir().join("err"));
    assert!(inputs.len() >= 20, "the err corpus is missing");
    let mut failures = Vec::new();
    for path in inputs {
        let bytes = std::fs::read(&path).unwrap();
        match parse(&bytes, &options_for(&path)) {
            Ok(parsed) => failures.push(format!(
                "{}: expected an error, parsed {} bars",
                path.display(),
                parsed.candles.len()
            )),
            Err(err) => {
                // The error must survive the worker boundary unchanged.
                let json = serde_json::to_string(&err).unwrap();
                let back: DataError = serde_json::from_str(&json).unwrap();
                assert_eq!(back, err, "{}", path.display());
                failures.extend(check(
                    &with_suffix(&path, ".expected.txt"),
                    &format!("{err}\n"),
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
