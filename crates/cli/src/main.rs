//! `genesis`: the Genesis Lab engine on the command line. This file only wires the parsed
//! arguments to a command and turns the outcome into an exit status (see [`error`]).

#![forbid(unsafe_code)]

mod cli;
mod commands;
mod error;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    error::install_panic_hook();
    let cli = cli::Cli::parse();
    let is_json = cli.is_json();
    let outcome = std::panic::catch_unwind(|| commands::run(cli));
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(err)) => err.report(is_json),
        // The panic hook has already told the user; a panic is an internal error.
        Err(_) => ExitCode::from(error::EXIT_INTERNAL),
    }
}
