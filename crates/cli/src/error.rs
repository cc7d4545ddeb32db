//! The CLI's error convention, shared by every command:
//!
//! - exit 0: success;
//! - exit 2: bad input or configuration; the message on stderr names the file and the line,
//!   column or key;
//! - exit 1: an internal error (a bug, or the machine failing us, such as a full disk).
//!
//! No panic reaches the user as a backtrace: the hook prints one line and the status is 1.
//! With `--json`, a failing command also prints `{"ok": false, "exit_code", "error", "detail"}`
//! on stdout, so a script always gets one JSON document.

use std::process::ExitCode;

pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_INTERNAL: u8 = 1;

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad input or configuration (exit 2). `detail` is the structured error, when there is
    /// one, for `--json` output.
    Input {
        message: String,
        detail: Option<serde_json::Value>,
    },
    /// Anything else (exit 1).
    Internal(anyhow::Error),
    /// The command has already printed its output (its JSON document included) and only
    /// the exit status and a line on stderr remain (a replay that differs: exit 1).
    Reported { exit_code: u8, message: String },
}

impl CliError {
    /// Bad input described by a message that already names the file and place.
    pub fn input(message: impl Into<String>) -> CliError {
        CliError::Input {
            message: message.into(),
            detail: None,
        }
    }

    /// Bad input in `file`, with the engine's structured error kept for `--json`.
    pub fn input_in<E: std::fmt::Display + serde::Serialize>(file: &str, err: &E) -> CliError {
        CliError::Input {
            message: format!("{file}: {err}"),
            detail: serde_json::to_value(err).ok(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input { .. } => EXIT_BAD_INPUT,
            CliError::Internal(_) => EXIT_INTERNAL,
            CliError::Reported { exit_code, .. } => *exit_code,
        }
    }

    /// Prints the error (stderr, and stdout as JSON when asked) and gives the exit status.
    pub fn report(&self, is_json: bool) -> ExitCode {
        let (message, detail) = match self {
            CliError::Input { message, detail } => (message.clone(), detail.clone()),
            CliError::Internal(err) => (format!("internal error: {err:#}"), None),
            CliError::Reported { message, .. } => {
                eprintln!("error: {message}");
                return ExitCode::from(self.exit_code());
            }
        };
        eprintln!("error: {message}");
        if is_json {
            let doc = serde_json::json!({
                "ok": false,
                "exit_code": self.exit_code(),
                "error": message,
                "detail": detail,
            });
            println!("{doc}");
        }
        ExitCode::from(self.exit_code())
    }
}

impl From<anyhow::Error> for CliError {
    fn from(err: anyhow::Error) -> Self {
        CliError::Internal(err)
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        CliError::Internal(err.into())
    }
}

/// Replaces Rust's panic message and backtrace with one line that says it is a bug.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("internal error (a bug in genesis, please report it): {info}");
    }));
}
