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
fn date_order_reads_year_last_dates_as_asked_and_the_report_says_so() {
    // 05.03.2024 ... 07.03.2024: no day above 12, so the data cannot decide.
    let file = TempFile::new(
        "dates.csv",
        "date,open,high,low,close,volume\n05.03.2024,100,110,95,105,10\n06.03.2024,105,108,101,102,8\n07.03.2024,102,104,99,103,9\n",
    );
    let undecided = genesis(&["data", "inspect", "--json", &file.arg()]);
    assert_eq!(undecided.status.code(), Some(0));
    let doc = stdout_json(&undecided);
    assert_eq!(doc["report"]["date_order"], "dmy");
    let notes = doc["report"]["notes"].to_string();
    assert!(notes.contains("no date settles"), "{notes}");
    assert_eq!(doc["meta"]["timeframe"], "1d");
    assert_eq!(doc["meta"]["first_ts_ms"], 1_709_596_800_000_i64); // 2024-03-05

    let asked = genesis(&[
        "data",
        "inspect",
        "--json",
        "--date-order",
        "mdy",
        &file.arg(),
    ]);
    assert_eq!(asked.status.code(), Some(0));
    let doc = stdout_json(&asked);
    assert_eq!(doc["report"]["date_order"], "mdy");
    assert_eq!(doc["meta"]["first_ts_ms"], 1_714_694_400_000_i64); // 2024-05-03 (May 3rd)

    let text = genesis(&["data", "inspect", "--date-order", "mdy", &file.arg()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("month first"), "{text}");

    let bad = genesis(&["data", "inspect", "--date-order", "ymd", &file.arg()]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_newest_first_investing_file_loads_reversed() {
    let output = genesis(&["data", "inspect", "--json", &golden("ok/investing.csv")]);
    assert_eq!(output.status.code(), Some(0));
    let doc = stdout_json(&output);
    assert_eq!(doc["report"]["layout"], "investing");
    assert_eq!(doc["report"]["is_reversed"], true);
    assert_eq!(doc["meta"]["n_bars"], 6);
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
        &["backtest", "--help"],
        &["features", "--help"],
    ] {
        let output = genesis(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8(output.stdout).unwrap().contains("Usage"),
            "{args:?}"
        );
    }
}

fn backtest_golden(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/backtest")
        .join(path)
        .display()
        .to_string()
}

/// A config file in the temp directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path = temp_path(name);
        std::fs::write(&path, text).unwrap();
        TempFile(path)
    }

    fn arg(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

/// SPEC §5's metrics, by the names the JSON promises.
const SPEC_METRICS: [&str; 22] = [
    "total_return",
    "cagr",
    "annual_volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "max_drawdown_duration_bars",
    "n_trades",
    "win_rate",
    "profit_factor",
    "expectancy",
    "avg_trade",
    "best_trade",
    "worst_trade",
    "avg_bars_held",
    "exposure",
    "sqn",
    "buy_and_hold_return",
    "return_to_dd",
    "final_equity",
    "score",
];

#[test]
fn backtest_json_is_one_document_with_metrics_trades_and_constraints() {
    let data = backtest_golden("goog.csv");
    let output = genesis(&[
        "backtest",
        "--data",
        &data,
        "--preset",
        "sma_cross",
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc = stdout_json(&output);
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["strategy"], "sma_cross");
    for name in SPEC_METRICS {
        assert!(doc["metrics"].get(name).is_some(), "metrics.{name} missing");
    }
    assert!(doc["metrics"]["score"].is_number());
    assert_eq!(doc["metrics"]["score"], doc["score"]["score"]);
    let trades = doc["trades"].as_array().unwrap();
    assert_eq!(
        doc["metrics"]["n_trades"].as_u64(),
        Some(trades.len() as u64)
    );
    // backtesting.py's example on the same data: 93 closed trades plus the one it leaves
    // open (tests/golden/backtest/goog_sma_cross_trades.csv).
    assert_eq!(trades.len(), 94);
    for key in [
        "side",
        "units",
        "entry_ts_ms",
        "entry_price",
        "exit_ts_ms",
        "exit_price",
        "pnl",
        "return_frac",
        "bars_held",
        "exit_reason",
        "run_up",
        "run_up_frac",
        "drawdown",
        "drawdown_frac",
    ] {
        assert!(trades[0].get(key).is_some(), "trades[0].{key} missing");
    }
    assert!(doc["constraints"]["is_feasible"].is_boolean());
    assert!(doc["constraints"]["reasons"].is_array());
    assert_eq!(doc["constraints"]["limits"]["min_trades"], 10);
    // Daily stock bars without weekends: auto annualisation reads a 252-day year.
    assert_eq!(doc["annualisation"]["convention"], "auto");
    assert_eq!(doc["annualisation"]["calendar"], "weekdays");
    assert_eq!(doc["annualisation"]["periods_per_year"], 252.0);
    assert_eq!(doc["annualisation"]["timeframe_ms"], 86_400_000);
    // TradingView's All / Long / Short columns, which add up.
    let summary = &doc["metrics"]["summary"];
    let count = |side: &str| summary[side]["n_trades"].as_u64().unwrap();
    assert_eq!(count("all"), 94);
    assert_eq!(count("long") + count("short"), 94);
    assert!(summary["all"]["max_run_up"].as_f64().unwrap() > 0.0);
    assert_eq!(doc["notes"], serde_json::json!([]));
    assert_eq!(doc["ruin"], serde_json::Value::Null);
    assert_eq!(doc["warm_up_bars"], 20);
    assert_eq!(doc["config_fingerprint"].as_str().map(str::len), Some(64));
    assert_eq!(doc["dataset_hash"].as_str().map(str::len), Some(64));
    assert_eq!(doc["window"]["first_decision_bar"], 20);
}

#[test]
fn backtest_text_states_the_annualisation_score_and_trades() {
    let data = backtest_golden("goog.csv");
    let output = genesis(&["backtest", "--data", &data]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("genesis (preset genesis)"), "{text}");
    assert!(
        text.contains("annualisation  auto (no weekend bars: 252 trading days a year)"),
        "{text}"
    );
    assert!(text.contains("252.00 bars of 1d per year"), "{text}");
    assert!(text.contains("summary"), "{text}");
    assert!(text.contains("run-up"), "{text}");
    assert!(text.contains("sharpe"), "{text}");
    assert!(text.contains("score"), "{text}");
    assert!(text.contains("constraints"), "{text}");
    assert!(text.contains("trades: "), "{text}");
}

#[test]
fn a_window_shorter_than_the_warm_up_says_so_in_words() {
    let data = backtest_golden("goog.csv");
    let output = genesis(&["backtest", "--data", &data, "--to", "2005-03-01", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let n_bars = doc["window"]["to_bar"].as_u64().unwrap();
    assert!(n_bars < 264);
    assert_eq!(doc["warm_up_bars"], 264);
    assert_eq!(
        doc["notes"][0],
        format!("genesis needs 264 bars of warm-up; this window has {n_bars}, so it cannot trade")
    );
    let text = genesis(&["backtest", "--data", &data, "--to", "2005-03-01"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("NOTE           genesis needs 264 bars of warm-up"),
        "{text}"
    );
}

#[test]
fn backtest_window_from_and_to_accept_dates_and_ms() {
    let data = backtest_golden("goog.csv");
    let output = genesis(&[
        "backtest",
        "--data",
        &data,
        "--preset",
        "sma_cross",
        "--from",
        "2010-01-01",
        "--to",
        "1325376000000",
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc = stdout_json(&output);
    // 2010-01-01 and 2012-01-01 (1,325,376,000,000 ms) in UTC milliseconds.
    let from_ts_ms = doc["window"]["from_ts_ms"].as_i64().unwrap();
    let last_ts_ms = doc["window"]["last_ts_ms"].as_i64().unwrap();
    assert!(from_ts_ms >= 1_262_304_000_000 && last_ts_ms < 1_325_376_000_000);
    for trade in doc["trades"].as_array().unwrap() {
        assert!(trade["entry_ts_ms"].as_i64().unwrap() > from_ts_ms);
    }
}

#[test]
fn a_bad_config_exits_2_naming_the_file_and_the_dotted_key() {
    let data = backtest_golden("goog.csv");
    let config = TempFile::new(
        "typo.yaml",
        "strategy: genesis\nthresholds:\n  entry_conf_overal: 0.3\n",
    );
    let output = genesis(&["backtest", "--data", &data, "--config", &config.arg()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("typo.yaml"), "{stderr}");
    assert!(
        stderr.contains(
            "thresholds.entry_conf_overal: unknown key; did you mean entry_conf_overall?"
        ),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());

    let config = TempFile::new("range.yaml", "strategy: sma_cross\nfast_period: 50\n");
    let output = genesis(&[
        "backtest",
        "--data",
        &data,
        "--config",
        &config.arg(),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let doc = stdout_json(&output);
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["detail"]["error"], "invalid");
    assert_eq!(doc["detail"]["key"], "fast_period");
}

#[test]
fn bad_backtest_options_exit_2() {
    let data = backtest_golden("goog.csv");
    let cases: [&[&str]; 5] = [
        &["backtest", "--data", &data, "--preset", "nope"],
        &["backtest", "--data", &data, "--from", "yesterday"],
        &["backtest", "--data", &data, "--from", "2030-01-01"],
        &["backtest", "--data", "/nonexistent/genesis/goog.csv"],
        &[
            "backtest",
            "--data",
            &data,
            "--config",
            "/nonexistent/genesis/c.yaml",
        ],
    ];
    for args in cases {
        let output = genesis(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
    let stderr =
        String::from_utf8(genesis(&["backtest", "--data", &data, "--preset", "nope"]).stderr)
            .unwrap();
    assert!(
        stderr.contains("--preset") && stderr.contains("sma_cross"),
        "{stderr}"
    );
    // --config and --preset together are a usage error.
    let output = genesis(&[
        "backtest", "--data", &data, "--preset", "genesis", "--config", "x.yaml",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn features_writes_one_row_per_bar_with_every_column() {
    let data = backtest_golden("goog.csv");
    let out = temp_path("features.csv");
    let output = genesis(&[
        "features",
        "--data",
        &data,
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("ts_ms,open,high,low,close,volume,ema_fast,ema_slow,rsi,atr"),
        "{header}"
    );
    assert!(header.ends_with("htf_close,htf_ema,htf_trend"), "{header}");
    let n_columns = header.split(',').count();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2148);
    assert!(rows.iter().all(|row| row.split(',').count() == n_columns));

    // A config's features section changes the columns: the RSI warm-up follows rsi_period.
    let config = TempFile::new(
        "features.yaml",
        "strategy: genesis\nfeatures: {rsi_period: 5}\n",
    );
    let output = genesis(&[
        "features",
        "--data",
        &data,
        "--config",
        &config.arg(),
        "--out",
        "-",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let rsi_column = 8;
    let first_rsi = text
        .lines()
        .skip(1)
        .position(|row| !row.split(',').nth(rsi_column).unwrap_or("").is_empty());
    assert_eq!(first_rsi, Some(5), "RSI(5) is first valid at bar 5");

    let config = TempFile::new(
        "bad-features.yaml",
        "strategy: genesis\nfeatures: {rsi_period: 0}\n",
    );
    let output = genesis(&[
        "features",
        "--data",
        &data,
        "--config",
        &config.arg(),
        "--out",
        "-",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("features.rsi_period"));
}

#[test]
fn bench_times_the_strategy_workloads() {
    let output = genesis(&[
        "bench",
        "--only",
        "backtest_sma_cross",
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
    assert_eq!(workloads[0]["name"], "backtest_sma_cross_17278");
    assert_eq!(workloads[0]["n_bars"], 17_278);
}

#[test]
fn rules_check_prints_the_program_or_every_error() {
    let preset = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../config/strategy/rules_sma_cross.yaml")
        .display()
        .to_string();
    let ok = genesis(&["rules", "check", &preset]);
    assert_eq!(ok.status.code(), Some(0));
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        text.contains("= crossover(sma(close, 10), sma(close, 20))"),
        "{text}"
    );
    assert!(text.contains("long_entry = %"), "{text}");

    let bad = TempFile::new(
        "bad_rules.yaml",
        "strategy: rules\nparams: {fast: 10}\nrules:\n  long_entry: crossover(smaa(close, fast), close)\n  long_exit: close[-1] > 1\n",
    );
    let output = genesis(&["rules", "check", &bad.arg()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let file = bad.arg();
    assert!(
        stderr.contains(&format!(
            "{file}: rules.long_entry:1:11: unknown function smaa; did you mean sma?"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{file}: rules.long_exit:1:1: close[-1] would read a future bar"
        )),
        "{stderr}"
    );
    let json = genesis(&["rules", "check", "--json", &bad.arg()]);
    let doc = stdout_json(&json);
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["errors"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["errors"][0]["detail"]["column"], 11);
}

#[test]
fn rules_functions_prints_the_reference_and_a_rules_config_backtests() {
    let output = genesis(&["rules", "functions"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    for signature in [
        "sma(series, length)",
        "macd_signal(series, fast, slow, signal)",
        "iff(condition, then, else)",
    ] {
        assert!(text.contains(signature), "{signature}");
    }
    let config = TempFile::new(
        "my_rules.yaml",
        "strategy: rules\nparams: {n: 14}\nrules:\n  long_entry: rsi(close, n) < 30\n  long_exit: rsi(close, n) > 55\n",
    );
    let data = golden("ok/binance_ms.csv");
    let output = genesis(&[
        "backtest",
        "--data",
        &data,
        "--config",
        &config.arg(),
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout_json(&output)["strategy"], "rules");
}
