//! Shared by the optimizer's and the study's Optuna interop tests (each includes this file
//! with `#[path]`): a virtualenv with Optuna from PyPI under the target directory's tmp,
//! created by whichever test runs first and reused after.

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
pub fn optuna_python(dir: &Path) -> PathBuf {
    let venv = dir.join("optuna-venv");
    let python = venv.join("bin").join("python");
    let ready = Command::new(&python)
        .args(["-c", "import optuna"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        run_checked(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 -m venv",
        );
        run_checked(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "optuna",
            ]),
            "pip install optuna",
        );
    }
    python
}

/// The directory the interop tests share: the venv and their export files.
pub fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("optuna-interop");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
