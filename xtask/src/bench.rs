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
        tools::run(env.command("cargo").args(["build", "--release", "-p", "genesis-cli"]))?;
        let output = env
            .command(&root().join("target/release/genesis").to_string_lossy())
            .args(["bench", "--json"])
            .output()
            .map_err(|e| format!("could not run genesis bench: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "genesis bench failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        rows.extend(parse_rows("native", &String::from_utf8_lossy(&output.stdout)));
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
    rows.extend(parse_rows("browser", &String::from_utf8_lossy(&output.stdout)));

    let out_dir = root().join("bench-results");
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let json = to_json(&rows);
    std::fs::write(out_dir.join("bench.json"), &json).map_err(|e| e.to_string())?;

    println!("\n{:<9} {:<52} {:>12} {:>12}  target", "where", "workload", "median", "min");
    for row in &rows {
        println!(
            "{:<9} {:<52} {:>9.3} ms {:>9.3} ms  {}",
            row.place, row.name, row.median_ms, row.min_ms, row.target
        );
    }
    if rows.is_empty() {
        println!("(no workloads registered yet)");
    }
    println!("\nwrote {}", out_dir.join("bench.json").display());
    Ok(())
}

/// One timed workload.
struct Row {
    place: &'static str,
    name: String,
    median_ms: f64,
    min_ms: f64,
    target: String,
}

/// Both benches print one JSON object per line:
/// `{"name": "...", "median_ms": 1.0, "min_ms": 0.9, "target": "..."}`; other lines are ignored.
fn parse_rows(place: &'static str, text: &str) -> Vec<Row> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if !line.starts_with('{') {
                return None;
            }
            Some(Row {
                place,
                name: json_string(line, "name")?,
                median_ms: json_number(line, "median_ms")?,
                min_ms: json_number(line, "min_ms")?,
                target: json_string(line, "target").unwrap_or_default(),
            })
        })
        .collect()
}

fn json_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("\"{key}\":"))? + key.len() + 3;
    Some(line[start..].trim_start())
}

fn json_string(line: &str, key: &str) -> Option<String> {
    let rest = json_field(line, key)?.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

fn json_number(line: &str, key: &str) -> Option<f64> {
    let rest = json_field(line, key)?;
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

fn to_json(rows: &[Row]) -> String {
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "  {{\"where\": \"{}\", \"name\": \"{}\", \"median_ms\": {}, \"min_ms\": {}, \"target\": \"{}\"}}",
                r.place, r.name, r.median_ms, r.min_ms, r.target
            )
        })
        .collect();
    format!("[\n{}\n]\n", items.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_from_json_lines() {
        let text = "noise\n{\"name\": \"parse 17278 bars\", \"median_ms\": 3.5, \"min_ms\": 3.1, \"target\": \"< 5 ms\"}\n";
        let rows = parse_rows("native", text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "parse 17278 bars");
        assert_eq!(rows[0].median_ms, 3.5);
        assert_eq!(rows[0].min_ms, 3.1);
        assert_eq!(rows[0].target, "< 5 ms");
        assert!(to_json(&rows).contains("\"where\": \"native\""));
    }
}
