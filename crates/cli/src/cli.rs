//! The command-line grammar (clap derive). Every command and option has help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Genesis Lab on the command line: candle data, backtests, studies and benchmarks.
#[derive(Debug, Parser)]
#[command(name = "genesis", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether the command promised one JSON document on stdout.
    pub fn is_json(&self) -> bool {
        match &self.command {
            Command::Data(data) => match &data.command {
                DataCommand::Inspect(args) => args.is_json,
                DataCommand::Synth(_) => false,
            },
            Command::Bench(args) => args.is_json,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Candle files: inspect and validate them, or write synthetic ones.
    Data(DataArgs),
    /// Time the standard workloads (parsing now; more as the engine grows).
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct DataArgs {
    #[command(subcommand)]
    pub command: DataCommand,
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Parse and validate a candle file; print its layout, bars, time range, timeframe, gaps
    /// and problems. Exit 0 if it is a valid dataset, 2 if it is rejected.
    Inspect(InspectArgs),
    /// Write deterministic synthetic candles as CSV (the demo data by default).
    Synth(SynthArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The candle file: CSV, TSV or JSON, optionally gzipped.
    pub file: PathBuf,
    /// Drop bad rows (each is reported) instead of rejecting the file.
    #[arg(long = "lenient")]
    pub is_lenient: bool,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of bars.
    #[arg(long = "bars", default_value_t = genesis_engine::data::synth::DEMO_N_BARS)]
    pub n_bars: usize,
    /// Bar spacing: 1m, 5m, 15m, 1h, 4h, 1d, 1w, 90m, ...
    #[arg(long, default_value = "1h")]
    pub timeframe: String,
    /// Random seed; the same seed gives the same bytes on every platform.
    #[arg(long, default_value_t = genesis_engine::data::synth::DEMO_SEED)]
    pub seed: u64,
    /// First bar's open time: ISO-8601 (2024-01-01T00:00:00Z) or unix time.
    #[arg(long, default_value = "2024-01-01T00:00:00Z")]
    pub start: String,
    /// First bar's open price.
    #[arg(long, default_value_t = genesis_engine::data::synth::DEMO_START_PRICE)]
    pub start_price: f64,
    /// Output file (`-` for stdout).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Also time parsing this candle file.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Timed runs per workload (after one warm-up run).
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
    /// Run only the workloads whose name contains this text.
    #[arg(long)]
    pub only: Option<String>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}
