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
            Command::Backtest(args) => args.is_json,
            Command::Features(_) => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Candle files: inspect and validate them, or write synthetic ones.
    Data(DataArgs),
    /// Time the standard workloads: parsing, feature precompute, backtests.
    Bench(BenchArgs),
    /// Run a strategy config over a candle file: metrics, score, constraints and trades.
    /// Exit 0 on success, 2 on a bad file, config or window.
    Backtest(BacktestArgs),
    /// Compute the default features of a config over a candle file and write them as CSV.
    Features(FeaturesArgs),
}

/// Where the strategy config comes from.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// A strategy config file (YAML or JSON).
    #[arg(long, conflicts_with = "preset")]
    pub config: Option<PathBuf>,
    /// An embedded preset: genesis, sma_cross, rsi_reversion, bollinger_breakout,
    /// donchian_breakout. Default: genesis.
    #[arg(long)]
    pub preset: Option<String>,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The candle file: CSV, TSV or JSON, optionally gzipped.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// First bar's open time to include: ISO-8601 (2024-03-01, 2024-03-01T12:00:00Z) or
    /// unix time (s or ms). Default: the first bar.
    #[arg(long)]
    pub from: Option<String>,
    /// Open time to stop before (exclusive), same formats. Default: after the last bar.
    #[arg(long)]
    pub to: Option<String>,
    /// Drop bad rows of the candle file (each is reported by `data inspect`) instead of
    /// rejecting it.
    #[arg(long = "lenient")]
    pub is_lenient: bool,
    /// How many of the first and of the last trades the text output lists.
    #[arg(long, default_value_t = 5)]
    pub show_trades: usize,
    /// Print one JSON document on stdout (metrics, trades, constraints, fingerprints).
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
pub struct FeaturesArgs {
    /// The candle file: CSV, TSV or JSON, optionally gzipped.
    #[arg(long)]
    pub data: PathBuf,
    /// The config whose `features:` section to use (default: the genesis preset's).
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Drop bad rows of the candle file instead of rejecting it.
    #[arg(long = "lenient")]
    pub is_lenient: bool,
    /// Output CSV file (`-` for stdout): time, OHLCV, then every feature column by name;
    /// warm-up values are empty.
    #[arg(long)]
    pub out: PathBuf,
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
