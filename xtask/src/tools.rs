//! Installs what the other commands need, only when it is missing or at the wrong version.

use std::path::PathBuf;
use std::process::Command;

use crate::{root, Result};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const TRUNK_VERSION_PREFIX: &str = "trunk 0.21.";
const TRUNK_REQUIREMENT: &str = "~0.21";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const CARGO_FUZZ_REQUIREMENT: &str = "~0.13";

/// The environment every later command runs in: `PATH` with the cargo bin directory and the
/// npm tools (wasm-opt) in front.
pub struct Env {
    path: String,
}

impl Env {
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path).current_dir(root());
        command
    }
}

pub fn ensure_all() -> Result<Env> {
    let cargo_bin = cargo_home().join("bin");
    let npm_bin = root().join("tests/e2e/node_modules/.bin");
    let path = format!(
        "{}:{}:{}",
        npm_bin.display(),
        cargo_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = Env { path };
    ensure_wasm_target(&env)?;
    ensure_trunk(&env)?;
    ensure_wasm_bindgen(&env)?;
    ensure_npm_packages(&env)?;
    ensure_chromium(&env)?;
    ensure_cargo_fuzz(&env)?;
    Ok(env)
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// Runs a command to completion, echoing it first; a non-zero exit is an error.
pub fn run(command: &mut Command) -> Result<()> {
    println!("$ {}", describe(command));
    let status = command
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// The first line a command prints, if it runs at all.
fn version_of(env: &Env, program: &str, arg: &str) -> Option<String> {
    let output = env.command(program).arg(arg).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().next().map(|l| l.trim().to_string())
}

fn ensure_wasm_target(env: &Env) -> Result<()> {
    let installed = env
        .command("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup is needed to add the wasm32 target: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == WASM_TARGET)
    {
        return Ok(());
    }
    run(env.command("rustup").args(["target", "add", WASM_TARGET]))
}

fn ensure_trunk(env: &Env) -> Result<()> {
    if version_of(env, "trunk", "--version").is_some_and(|v| v.starts_with(TRUNK_VERSION_PREFIX)) {
        return Ok(());
    }
    println!("Installing Trunk {TRUNK_REQUIREMENT} (about 11 minutes on two cores)...");
    run(env.command("cargo").args([
        "install",
        "trunk",
        "--version",
        TRUNK_REQUIREMENT,
        "--locked",
    ]))
}

/// The wasm-bindgen CLI must match the `wasm-bindgen` crate in Cargo.lock exactly.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock_path = root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
            {
                return Ok(version.to_string());
            }
        }
    }
    Err(format!(
        "no wasm-bindgen package in {}",
        lock_path.display()
    ))
}

fn ensure_wasm_bindgen(env: &Env) -> Result<()> {
    let wanted = locked_wasm_bindgen_version()?;
    let have_cli = version_of(env, "wasm-bindgen", "--version");
    let have_runner = version_of(env, "wasm-bindgen-test-runner", "--version");
    let expected = format!("wasm-bindgen {wanted}");
    let expected_runner = format!("wasm-bindgen-test-runner {wanted}");
    if have_cli.as_deref() == Some(expected.as_str())
        && have_runner.as_deref() == Some(expected_runner.as_str())
    {
        return Ok(());
    }
    println!("Installing wasm-bindgen-cli {wanted} (the version in Cargo.lock)...");
    // Not `--locked`: one of the CLI's locked dependencies is no longer in the registry.
    run(env.command("cargo").args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &wanted,
        "--force",
    ]))
}

/// cargo-fuzz drives libFuzzer over the fuzz targets in `fuzz/` (the test command runs each
/// for a bounded time); it builds them with the stable compiler and `RUSTC_BOOTSTRAP=1`.
fn ensure_cargo_fuzz(env: &Env) -> Result<()> {
    let installed = env
        .command("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if installed {
        return Ok(());
    }
    println!("Installing cargo-fuzz (about a minute)...");
    run(env.command("cargo").args([
        "install",
        "cargo-fuzz",
        "--version",
        CARGO_FUZZ_REQUIREMENT,
        "--locked",
    ]))
}

fn ensure_npm_packages(env: &Env) -> Result<()> {
    let dir = root().join("tests/e2e");
    let lock = dir.join("package-lock.json");
    let installed_marker = dir.join("node_modules/.package-lock.json");
    let is_current = match (modified(&lock), modified(&installed_marker)) {
        (Some(lock_time), Some(installed_time)) => installed_time >= lock_time,
        _ => false,
    };
    if is_current && dir.join("node_modules/.bin/wasm-opt").exists() {
        return Ok(());
    }
    run(env
        .command("npm")
        .current_dir(&dir)
        .args(["ci", "--no-audit", "--no-fund"]))
}

fn modified(path: &std::path::Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn ensure_chromium(env: &Env) -> Result<()> {
    let have = |p: &str| std::path::Path::new(p).exists();
    if have(CHROMIUM) && have(CHROMEDRIVER) {
        return Ok(());
    }
    let is_root = env
        .command("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root {
        return Err(format!(
            "Chromium and ChromeDriver are needed at {CHROMIUM} and {CHROMEDRIVER}. Install them \
             with: sudo apt-get install -y chromium chromium-driver"
        ));
    }
    println!("Installing Debian's chromium and chromium-driver...");
    run(env.command("apt-get").arg("update"))?;
    run(env
        .command("apt-get")
        .args(["install", "-y", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}
