//! Shared by the tests that check us against Python tools (the optimizer's and the study's
//! Optuna interop, the engine's backtesting.py comparison; each includes this file with
//! `#[path]`): one virtualenv under the target directory's tmp, created by whichever test
//! runs first, with each test's PyPI requirements installed into it when missing. Tests run
//! in parallel threads (and test binaries may run in parallel processes), so the venv is
//! created and installed into under an exclusive lock on a file beside it: on a fresh
//! clone two tests once raced `python3 -m venv` and one failed with "File exists".

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `python3` is installed; the interop tests skip, saying so, when it is not.
pub fn has_python3() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs a command and returns its stdout, failing the test with its output otherwise.
pub fn run_checked(command: &mut Command, what: &str) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The virtualenv's Python (`optuna-venv` in `dir`), with Optuna installed.
#[allow(dead_code)]
pub fn optuna_python(dir: &Path) -> PathBuf {
    python_with(dir, &["optuna"])
}

/// The shared virtualenv's Python (`optuna-venv` in `dir`, created if missing) with every
/// one of `requirements` installed: a name (`optuna`) or a pinned `name==version`. Only
/// what is missing (or at another version) is installed.
pub fn python_with(dir: &Path, requirements: &[&str]) -> PathBuf {
    let lock_path = dir.join("optuna-venv.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .unwrap_or_else(|e| panic!("{}: {e}", lock_path.display()));
    // Held until the function returns: one creator and one installer at a time.
    lock.lock()
        .unwrap_or_else(|e| panic!("locking {}: {e}", lock_path.display()));
    let venv = dir.join("optuna-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        run_checked(
            // A venv without its python is a broken earlier try: start it afresh.
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "python3 -m venv",
        );
    }
    let missing: Vec<&str> = requirements
        .iter()
        .copied()
        .filter(|requirement| !is_installed(&python, requirement))
        .collect();
    if !missing.is_empty() {
        run_checked(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(&missing),
            &format!("pip install {}", missing.join(" ")),
        );
    }
    python
}

/// Whether `requirement` (`name` or `name==version`) is installed in `python`'s environment.
fn is_installed(python: &Path, requirement: &str) -> bool {
    let (name, version) = match requirement.split_once("==") {
        Some((name, version)) => (name, Some(version)),
        None => (requirement, None),
    };
    let script = format!("import importlib.metadata as m; print(m.version({name:?}))");
    let Ok(output) = Command::new(python).args(["-c", &script]).output() else {
        return false;
    };
    let installed = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    output.status.success() && version.is_none_or(|version| installed == version)
}

/// What real Optuna sees in the journal file `path` for study `study_name`: the JSON that
/// `tests/support/read_optuna_journal.py` prints (trials, states, values, params,
/// intermediate values, attributes, best trial).
#[allow(dead_code)]
pub fn read_with_optuna(python: &Path, path: &Path, study_name: &str) -> serde_json::Value {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/read_optuna_journal.py");
    let stdout = run_checked(
        Command::new(python).arg(&script).arg(path).arg(study_name),
        "reading the export with Optuna",
    );
    serde_json::from_str(stdout.trim()).unwrap()
}

/// The directory the interop tests share: the venv and their export files.
pub fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("optuna-interop");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
