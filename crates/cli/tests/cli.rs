//! The `genesis` binary end to end: exit codes, output shapes, help.

use std::path::PathBuf;
use std::process::{Command, Output};

fn genesis(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genesis"))
        .args(args)
        .output()
        .expect("the genesis binary runs")
}

fn golden(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/data")
        .join(path)
        .display()
        .to_string()
}

fn stdout_json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("genesis-cli-test-{}-{name}", std::process::id()))
}

#[test]
fn inspect_a_valid_file_exits_0_and_describes_it() {
    let output = genesis(&["data", "inspect", &golden("ok/bitfinex_header.csv")]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Bitfinex candles"), "{text}");
    assert!(text.contains("2024-01-01T00:00:00Z"), "{text}");
    assert!(text.contains("1h"), "{text}");
}

#[test]
fn inspect_json_is_one_document_with_report_and_meta() {
    let output = genesis(&["data", "inspect", "--json", &golden("ok/yahoo.csv")]);
    assert_eq!(output.status.code(), Some(0));
    let doc = stdout_json(&output);
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["report"]["layout"], "yahoo");
    assert_eq!(doc["report"]["n_bars"], 4);
    assert_eq!(doc["meta"]["timeframe"], "1d");
    assert_eq!(doc["meta"]["hash"].as_str().map(str::len), Some(64));
}

#[test]
fn a_rejected_file_exits_2_with_line_and_column_on_stderr() {
    let output = genesis(&["data", "inspect", &golden("err/high_below_body.csv")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("high_below_body.csv"), "{stderr}");
    assert!(stderr.contains("line 3, column 3 (high)"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_rejected_file_with_json_still_prints_one_document() {
    let output = genesis(&[
        "data",
        "inspect",
        "--json",
        &golden("err/many_problems.csv"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let doc = stdout_json(&output);
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["exit_code"], 2);
    assert_eq!(doc["detail"]["error"], "rejected");
    assert_eq!(doc["detail"]["n_problems"], 25);
    assert_eq!(doc["detail"]["problems"].as_array().map(Vec::len), Some(20));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("and 5 more"), "{stderr}");
}

#[test]
fn lenient_inspect_exits_0_and_lists_dropped_rows() {
    let output = genesis(&[
        "data",
        "inspect",
        "--lenient",
        &golden("ok/every_problem.lenient.csv"),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("dropped rows (10)"), "{text}");
    assert!(text.contains("line 14, column 1 (time)"), "{text}");
}

#[test]
fn a_missing_file_is_bad_input() {
    let output = genesis(&["data", "inspect", "/nonexistent/genesis/candles.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("/nonexistent/genesis/candles.csv"));
}

#[test]
fn synth_writes_the_demo_dataset_that_inspect_reads_back() {
    let path = temp_path("demo.csv");
    let out = path.display().to_string();
    let output = genesis(&[
        "data",
        "synth",
        "--bars",
        "17278",
        "--timeframe",
        "1h",
        "--seed",
        "42",
        "--out",
        &out,
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = genesis(&["data", "inspect", "--json", &out]);
    std::fs::remove_file(&path).ok();
    let doc = stdout_json(&output);
    assert_eq!(doc["report"]["n_bars"], 17_278);
    assert_eq!(doc["report"]["first_ts_ms"], 1_704_067_200_000_i64);
    // The same hash the engine's pinned demo test holds: the CLI adds nothing of its own.
    assert_eq!(
        doc["meta"]["hash"],
        "88431d2a77d79949b69cedec3c6fd17bef05955aa892886099e087dd0df19253"
    );
}

#[test]
fn bad_synth_options_are_exit_2_naming_the_option() {
    let output = genesis(&["data", "synth", "--timeframe", "7x", "--out", "-"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("--timeframe"));
    let output = genesis(&["data", "synth", "--bars", "1", "--out", "-"]);
    assert_eq!(output.status.code(), Some(2));
    // Unknown options are clap's usage errors, also exit 2.
    let output = genesis(&["data", "inspect", "--no-such-flag", "x.csv"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn bench_json_reports_each_workload() {
    let output = genesis(&[
        "bench",
        "--only",
        "parse_csv_17278",
        "--repeats",
        "1",
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc = stdout_json(&output);
    let workloads = doc["workloads"].as_array().unwrap();
    assert_eq!(workloads.len(), 1);
    assert_eq!(workloads[0]["name"], "parse_csv_17278");
    assert_eq!(workloads[0]["n_bars"], 17_278);
    assert!(
        workloads[0]["min_ms"].as_f64().unwrap() <= workloads[0]["median_ms"].as_f64().unwrap()
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["data", "--help"],
        &["data", "inspect", "--help"],
        &["data", "synth", "--help"],
        &["bench", "--help"],
    ] {
        let output = genesis(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8(output.stdout).unwrap().contains("Usage"),
            "{args:?}"
        );
    }
}
