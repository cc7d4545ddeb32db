//! One module per command; each returns `Result<(), CliError>` and prints its own output.

mod backtest;
mod bench;
mod champion;
mod data;
mod evaluate;
mod features;
mod journal;
mod optimize;
mod rules;
mod study;
mod walkforward;

use crate::cli::{
    ChampionCommand, Cli, Command, DataCommand, RulesCommand, StudyCommand, WalkforwardCommand,
};
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
        Command::Optimize(args) => optimize::run(&args),
        Command::Walkforward(wf) => match &wf.command {
            Some(WalkforwardCommand::Report(args)) => walkforward::report_cmd(args),
            Some(WalkforwardCommand::Replay(args)) => walkforward::replay_cmd(args),
            None => walkforward::run(&wf),
        },
        Command::Study(study) => match study.command {
            StudyCommand::Summarize(args) => study::summarize_cmd(&args),
            StudyCommand::Pareto(args) => study::pareto_cmd(&args),
            StudyCommand::Replay(args) => study::replay_cmd(&args),
            StudyCommand::Export(args) => study::export_cmd(&args),
            StudyCommand::Import(args) => study::import_cmd(&args),
            StudyCommand::Refine(args) => study::refine_cmd(&args),
        },
        Command::Evaluate(args) => evaluate::run(&args),
        Command::Rules(rules) => match rules.command {
            RulesCommand::Check(args) => rules::check(&args),
            RulesCommand::Functions => rules::functions(),
        },
        Command::Champion(champion) => match champion.command {
            ChampionCommand::Show(args) => champion::show(&args),
            ChampionCommand::Promote(args) => champion::promote(&args),
            ChampionCommand::Rollback(args) => champion::rollback(&args),
            ChampionCommand::Export(args) => champion::export(&args),
        },
    }
}
