//! One module per command; each returns `Result<(), CliError>` and prints its own output.

mod backtest;
mod bench;
mod data;
mod features;

use crate::cli::{Cli, Command, DataCommand};
use crate::error::CliError;

pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Data(data) => match data.command {
            DataCommand::Inspect(args) => data::inspect(&args),
            DataCommand::Synth(args) => data::synth(&args),
        },
        Command::Bench(args) => bench::run(&args),
        Command::Backtest(args) => backtest::run(&args),
        Command::Features(args) => features::run(&args),
    }
}
