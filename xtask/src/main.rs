//! `cargo xtask <command>`: set-up, serve, test, dist and bench for Genesis Lab.
//!
//! Every command first installs what is missing (idempotently): the wasm32 target, Trunk 0.21,
//! wasm-bindgen-cli at exactly the version in Cargo.lock, the npm packages of the browser tests
//! (which include wasm-opt from `binaryen@132`), and Debian's Chromium and ChromeDriver. Only
//! registries are used (crates.io, npm, Debian); nothing is downloaded from anywhere else.

#![forbid(unsafe_code)]

mod bench;
mod site;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup            install every tool the other commands need (idempotent)
  serve [--port N] build the site and serve it on http://127.0.0.1:N/ (default 8080)
  test             run every test: native, wasm in headless Chromium, release build, end-to-end
  dist [--out DIR] release build with relative URLs, deployable under any sub-path (default dist/)
  bench            run the benchmark workloads natively and in headless Chromium; writes
                   bench-results/bench.json and prints a table
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => tools::ensure_all().map(|_| ()),
        Some("serve") => serve(&args[1..]),
        Some("test") => test(),
        Some("dist") => dist(&args[1..]),
        Some("bench") => bench::run(),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T> = std::result::Result<T, String>;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The value following `--flag`, if given.
fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn serve(args: &[String]) -> Result<()> {
    let port = flag_value(args, "--port").unwrap_or("8080");
    let env = tools::ensure_all()?;
    let dist = root().join("dist");
    site::build(&env, &dist)?;
    println!("Serving Genesis Lab on http://127.0.0.1:{port}/ (Ctrl-C to stop)");
    let status = env
        .command("node")
        .arg(root().join("tests/e2e/server.mjs"))
        .args(["--root", &dist.to_string_lossy(), "--port", port])
        .status()
        .map_err(|e| format!("could not start node: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server stopped: {status}"))
    }
}

fn dist(args: &[String]) -> Result<()> {
    let out = flag_value(args, "--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("dist"));
    let env = tools::ensure_all()?;
    site::build(&env, &out)?;
    println!("Built the static site in {}", out.display());
    Ok(())
}

/// One stage of the test command and what its test runner reported.
struct Stage {
    name: &'static str,
    passed: u64,
    failed: u64,
    /// The stage itself failed (a build error, a crashed runner), whatever its counts say.
    broken: Option<String>,
}

fn test() -> Result<()> {
    let env = tools::ensure_all()?;
    let mut stages = Vec::new();

    // The architecture invariants (no clock, no global randomness, no hash order, no
    // platform libm in the pure crates; no unsafe anywhere) are clippy lints and attributes,
    // so they hold only while clippy runs with warnings as errors, natively and for the app's
    // wasm target (whose code is mostly behind `cfg(target_arch = "wasm32")`).
    let clippy = |scope: &[&str]| {
        let mut command = env.command("cargo");
        command.arg("clippy").args(scope).args([
            "--all-targets",
            "--color",
            "never",
            "--",
            "-D",
            "warnings",
        ]);
        command
    };
    stages.push(run_whole(
        "clippy (native, -D warnings)",
        clippy(&["--workspace"]),
    ));
    stages.push(run_whole(
        "clippy (app for wasm32, -D warnings)",
        clippy(&["-p", "genesis-lab", "--target", "wasm32-unknown-unknown"]),
    ));

    let mut native = env.command("cargo");
    native.args(["test", "--workspace", "--color", "never"]);
    stages.push(run_counted(
        "native (cargo test --workspace)",
        native,
        parse_cargo_counts,
    ));

    let mut wasm = env.command("cargo");
    wasm.args([
        "test",
        "-p",
        "genesis-lab",
        "--target",
        "wasm32-unknown-unknown",
        "--color",
        "never",
    ])
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env("CHROMEDRIVER", tools::CHROMEDRIVER)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "300");
    stages.push(run_counted(
        "wasm (wasm-bindgen-test in headless Chromium)",
        wasm,
        parse_cargo_counts,
    ));

    // Each fuzz target for a bounded time: the candle parser and the rules compiler take
    // hostile input (uploads, share links, bundles). A finding fails the stage and leaves
    // the input in fuzz/artifacts/.
    for (target, seeds) in FUZZ_TARGETS {
        let corpus = format!("corpus/{target}");
        std::fs::create_dir_all(root().join("fuzz").join(&corpus))
            .map_err(|e| format!("fuzz/{corpus}: {e}"))?;
        let mut fuzz = env.command("cargo");
        fuzz.current_dir(root().join("fuzz"))
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target, &corpus])
            .args(*seeds)
            .args(["--", &format!("-max_total_time={FUZZ_SECONDS}")]);
        stages.push(run_whole(
            if *target == "parse" {
                "fuzz: candle parser (cargo fuzz, bounded time)"
            } else {
                "fuzz: rules compiler (cargo fuzz, bounded time)"
            },
            fuzz,
        ));
    }

    let dist = root().join("target/site-test");
    match site::build(&env, &dist) {
        Ok(()) => {
            stages.push(Stage {
                name: "release build (trunk build --release)",
                passed: 1,
                failed: 0,
                broken: None,
            });
            let mut e2e = env.command("node");
            e2e.current_dir(root().join("tests/e2e"))
                .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
                .env("GENESIS_DIST", &dist);
            for file in e2e_test_files()? {
                e2e.arg(file);
            }
            stages.push(run_counted(
                "end-to-end (playwright-core + Chromium)",
                e2e,
                parse_node_counts,
            ));
        }
        Err(message) => stages.push(Stage {
            name: "release build (trunk build --release)",
            passed: 0,
            failed: 1,
            broken: Some(message),
        }),
    }

    println!("\n== test summary ==");
    let (mut passed, mut failed) = (0, 0);
    for stage in &stages {
        let verdict = match &stage.broken {
            Some(reason) => format!("BROKEN: {reason}"),
            None if stage.failed > 0 => "FAILED".to_string(),
            None => "ok".to_string(),
        };
        println!(
            "{:<50} {:>5} passed {:>4} failed  {verdict}",
            stage.name, stage.passed, stage.failed
        );
        passed += stage.passed;
        failed += stage.failed + u64::from(stage.broken.is_some() && stage.failed == 0);
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} test(s) or stage(s) failed"))
    }
}

/// Seconds each fuzz target runs in the test command.
const FUZZ_SECONDS: u32 = 45;

/// The fuzz targets and their seed directories (relative to `fuzz/`).
const FUZZ_TARGETS: &[(&str, &[&str])] = &[
    (
        "parse",
        &[
            "seeds/parse",
            "../tests/golden/data/ok",
            "../tests/golden/data/err",
        ],
    ),
    ("rules", &["seeds/rules"]),
];

fn e2e_test_files() -> Result<Vec<String>> {
    let dir = root().join("tests/e2e");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".test.mjs"))
        .collect();
    files.sort();
    Ok(files)
}

/// Runs a test command, echoing its output, and reads the counts from its runner's lines.
fn run_counted(
    name: &'static str,
    mut command: Command,
    parse: fn(&str, &mut u64, &mut u64),
) -> Stage {
    use std::io::{BufRead, BufReader};
    println!("\n== {name} ==");
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            return Stage {
                name,
                passed: 0,
                failed: 0,
                broken: Some(format!("could not start: {e}")),
            }
        }
    };
    let (mut passed, mut failed) = (0, 0);
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            parse(&line, &mut passed, &mut failed);
        }
    }
    let broken = match child.wait() {
        Ok(status) if status.success() => None,
        Ok(status) if failed > 0 => {
            let _ = status;
            None
        }
        Ok(status) => Some(format!("exited with {status}")),
        Err(e) => Some(e.to_string()),
    };
    Stage {
        name,
        passed,
        failed,
        broken,
    }
}

/// Runs a command that is one check as a whole (a lint), counted as one pass or one failure.
fn run_whole(name: &'static str, mut command: Command) -> Stage {
    println!("\n== {name} ==");
    let (passed, failed, broken) = match command.status() {
        Ok(status) if status.success() => (1, 0, None),
        Ok(status) => (0, 1, Some(format!("exited with {status}"))),
        Err(e) => (0, 0, Some(format!("could not start: {e}"))),
    };
    Stage {
        name,
        passed,
        failed,
        broken,
    }
}

/// `test result: ok. 12 passed; 0 failed; 0 ignored; ...` (cargo and wasm-bindgen-test-runner).
fn parse_cargo_counts(line: &str, passed: &mut u64, failed: &mut u64) {
    let Some(rest) = line.trim().strip_prefix("test result: ") else {
        return;
    };
    for part in rest.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let (count, label) = match words.as_slice() {
            [_, n, label, ..] if n.parse::<u64>().is_ok() => (*n, *label),
            [n, label, ..] => (*n, *label),
            _ => continue,
        };
        let Ok(count) = count.parse::<u64>() else {
            continue;
        };
        match label {
            "passed" => *passed += count,
            "failed" => *failed += count,
            _ => {}
        }
    }
}

/// Node's test runner ends with `ℹ pass N` and `ℹ fail N`.
fn parse_node_counts(line: &str, passed: &mut u64, failed: &mut u64) {
    let line = line.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let mut words = line.split_whitespace();
    let (Some(label), Some(count), None) = (words.next(), words.next(), words.next()) else {
        return;
    };
    let Ok(count) = count.parse::<u64>() else {
        return;
    };
    match label {
        "pass" => *passed += count,
        "fail" => *failed += count,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_counts_are_read_from_the_result_line() {
        let (mut passed, mut failed) = (0, 0);
        parse_cargo_counts(
            "test result: FAILED. 7 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s",
            &mut passed,
            &mut failed,
        );
        parse_cargo_counts(
            "test result: ok. 3 passed; 0 failed; 0 ignored",
            &mut passed,
            &mut failed,
        );
        parse_cargo_counts("running 3 tests", &mut passed, &mut failed);
        assert_eq!((passed, failed), (10, 2));
    }

    #[test]
    fn node_counts_are_read_from_the_summary() {
        let (mut passed, mut failed) = (0, 0);
        for line in ["ℹ tests 5", "ℹ pass 4", "ℹ fail 1", "✔ pass 3 things (1ms)"] {
            parse_node_counts(line, &mut passed, &mut failed);
        }
        assert_eq!((passed, failed), (4, 1));
    }
}
