//! `cargo xtask bench`: the SPEC §9 workloads, natively (`genesis bench --json`) and in
//! headless Chromium (`tests/e2e/bench.mjs` against the release site). Writes
//! `bench-results/bench.json` and prints a table. A benchmark measures speed; it asserts
//! nothing.

use crate::{root, site, tools, Result};

pub fn run() -> Result<()> {
    let env = tools::ensure_all()?;
    let mut rows: Vec<Row> = Vec::new();

    let cli = root().join("crates/cli/Cargo.toml");
    if cli.exists() {
        tools::run(
            env.command("cargo")
                .args(["build", "--release", "-p", "genesis-cli"]),
        )?;
        let output = env
            .command(&root().join("target/release/genesis").to_string_lossy())
            .args(["bench", "--json", "--repeats", "51"])
            .output()
            .map_err(|e| format!("could not run genesis bench: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "genesis bench failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        rows.extend(parse_rows(
            "native",
            &String::from_utf8_lossy(&output.stdout),
        ));
        quality_against_optuna(&env)?;
    }

    let dist = root().join("target/site-bench");
    site::build(&env, &dist)?;
    let output = env
        .command("node")
        .arg(root().join("tests/e2e/bench.mjs"))
        .env("GENESIS_DIST", &dist)
        .output()
        .map_err(|e| format!("could not run the browser bench: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "browser bench failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    rows.extend(parse_rows(
        "browser",
        &String::from_utf8_lossy(&output.stdout),
    ));

    let out_dir = root().join("bench-results");
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let json = to_json(&rows);
    std::fs::write(out_dir.join("bench.json"), &json).map_err(|e| e.to_string())?;

    println!(
        "\n{:<9} {:<34} {:>12} {:>12}  {:<34} note",
        "where", "workload", "median", "min", "target"
    );
    for row in &rows {
        println!(
            "{:<9} {:<34} {:>9.3} ms {:>9.3} ms  {:<34} {}",
            row.place, row.name, row.median_ms, row.min_ms, row.target, row.note
        );
    }
    if rows.is_empty() {
        println!("(no workloads registered yet)");
    }
    println!("\nwrote {}", out_dir.join("bench.json").display());
    Ok(())
}

/// Our samplers and Optuna 5's side by side on the same trials
/// (`tests/support/optuna_quality.py`, in the interop virtualenv the tests share): the
/// hypervolume of return against drawdown and the best score over a dozen parameters. Prints
/// its tables and writes `bench-results/optimizer_quality.json`. Skipped, saying so, without
/// `python3`.
fn quality_against_optuna(env: &tools::Env) -> Result<()> {
    let has_python = env
        .command("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_python {
        println!("optimizer quality against Optuna: skipped (python3 is not installed)");
        return Ok(());
    }
    let dir = root().join("target/tmp/optuna-interop");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    // The lock the tests take around the same virtualenv.
    let lock = std::fs::File::create(dir.join("optuna-venv.lock")).map_err(|e| e.to_string())?;
    lock.lock().map_err(|e| e.to_string())?;
    let venv = dir.join("optuna-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        tools::run(
            env.command("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
        )?;
    }
    tools::run(env.command(&python.to_string_lossy()).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "optuna==5.1.0",
        "numpy",
    ]))?;
    drop(lock);
    let genesis = root().join("target/release/genesis");
    let data = dir.join("bench-demo.csv");
    tools::run(
        env.command(&genesis.to_string_lossy())
            .args(["data", "synth", "--out"])
            .arg(&data),
    )?;
    let out = root().join("bench-results/optimizer_quality.json");
    std::fs::create_dir_all(root().join("bench-results")).map_err(|e| e.to_string())?;
    tools::run(
        env.command(&python.to_string_lossy())
            .arg(root().join("tests/support/optuna_quality.py"))
            .arg(&genesis)
            .arg(&data)
            .arg(root())
            .arg(&out),
    )
}

/// One timed workload.
struct Row {
    place: &'static str,
    name: String,
    median_ms: f64,
    min_ms: f64,
    target: String,
    note: String,
}

/// SPEC §9 targets of the native workloads, by name.
fn native_target(name: &str) -> &'static str {
    match name {
        "features_all_17278" => "< 2 ms",
        "backtest_genesis_17278" => "< 0.5 ms",
        "backtest_sma_cross_17278" => ">= 1000x backtesting.py (~260 ms)",
        "tpe_overhead_1000" => "< 0.5 ms per trial",
        "nsga2_overhead_1000" | "motpe_overhead_1000" => "< 1 ms per trial",
        "study_tpe_200_trials_2_jobs" => "(trials per second: 200 / median)",
        _ => "",
    }
}

/// `genesis bench --json` prints one document with a `workloads` array; the browser bench
/// prints one JSON object per line. Lines that are neither are ignored.
fn parse_rows(place: &'static str, text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line.trim()) else {
            continue;
        };
        let items = match value.get("workloads").and_then(|w| w.as_array()) {
            Some(items) => items.clone(),
            None => vec![value],
        };
        for item in items {
            let (Some(name), Some(median_ms), Some(min_ms)) = (
                item.get("name").and_then(|v| v.as_str()),
                item.get("median_ms").and_then(|v| v.as_f64()),
                item.get("min_ms").and_then(|v| v.as_f64()),
            ) else {
                continue;
            };
            let target = item
                .get("target")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| native_target(name).to_string());
            let note = item
                .get("wasm_memory_mb")
                .and_then(|v| v.as_f64())
                .map(|mb| format!("wasm memory {mb:.0} MB"))
                .unwrap_or_default();
            rows.push(Row {
                place,
                name: name.to_string(),
                median_ms,
                min_ms,
                target,
                note,
            });
        }
    }
    rows
}

fn to_json(rows: &[Row]) -> String {
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "where": r.place,
                "name": r.name,
                "median_ms": r.median_ms,
                "min_ms": r.min_ms,
                "target": r.target,
                "note": r.note,
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_from_the_native_document_and_browser_lines() {
        let native = r#"{"ok":true,"workloads":[{"name":"features_all_17278","median_ms":1.5,"min_ms":1.2}]}"#;
        let rows = parse_rows("native", native);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].target, "< 2 ms");
        let browser = "noise\n{\"name\": \"parse_csv_1000000\", \"median_ms\": 900.5, \"min_ms\": 850, \"target\": \"< 1500 ms\", \"wasm_memory_mb\": 150.2}\n";
        let rows = parse_rows("browser", browser);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].median_ms, 900.5);
        assert_eq!(rows[0].note, "wasm memory 150 MB");
        assert!(to_json(&rows).contains("\"where\": \"browser\""));
    }
}
