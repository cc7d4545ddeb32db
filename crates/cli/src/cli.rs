//! The command-line grammar (clap derive). Every command and option has help text.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use genesis_study::{ObjectiveSpec, PrunerChoice, SamplerChoice};

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
            // Its output is JSON lines already; errors too.
            Command::Evaluate(_) => true,
            Command::Optimize(args) => args.is_json,
            Command::Walkforward(wf) => match &wf.command {
                Some(WalkforwardCommand::Report(args)) => args.is_json,
                Some(WalkforwardCommand::Replay(args)) => args.is_json,
                None => wf.is_json,
            },
            Command::Study(study) => match &study.command {
                StudyCommand::Summarize(args) => args.is_json,
                StudyCommand::Pareto(args) => args.is_json,
                StudyCommand::Replay(args) => args.is_json,
                StudyCommand::Refine(args) => args.is_json,
                StudyCommand::Export(_) | StudyCommand::Import(_) => false,
            },
            Command::Rules(rules) => match &rules.command {
                RulesCommand::Check(args) => args.is_json,
                RulesCommand::Functions => false,
            },
            Command::Champion(champion) => match &champion.command {
                ChampionCommand::Show(args) => args.is_json,
                ChampionCommand::Promote(args) => args.is_json,
                ChampionCommand::Rollback(args) => args.is_json,
                ChampionCommand::Export(_) => false,
            },
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Candle files: inspect and validate them, or write synthetic ones.
    Data(DataArgs),
    /// Time the standard workloads: parsing, feature precompute, backtests, sampler
    /// overhead, study throughput.
    Bench(BenchArgs),
    /// Run a strategy config over a candle file: metrics, score, constraints and trades.
    /// Exit 0 on success, 2 on a bad file, config or window.
    Backtest(BacktestArgs),
    /// Compute the default features of a config over a candle file and write them as CSV.
    Features(FeaturesArgs),
    /// Run or resume a study: trials in parallel on native threads, journaled as they
    /// finish; optionally validate the best trials out of sample. Exit 0 on success, 2 on
    /// a bad file, space, option or refused resume, 1 on an internal error.
    Optimize(Box<OptimizeArgs>),
    /// Walk-forward optimisation: the data cut into folds, a study on each fold's train
    /// window, its chosen trial run on the fold's test window, the test windows stitched
    /// into one out-of-sample record. Journaled fold by fold; `--resume` continues a run.
    /// `walkforward report FILE` reads a run's journal. Exit 0 on success, 2 on bad input.
    Walkforward(Box<WalkforwardArgs>),
    /// Work with a study journal: summarize, replay, export, import, refine.
    Study(StudyArgs),
    /// Champions per (symbol, timeframe): show, promote a validated trial, roll back,
    /// export as a config file.
    Champion(ChampionArgs),
    /// Rules strategies (`strategy: rules`): check a config's rules, print the language
    /// reference.
    Rules(RulesArgs),
    /// The study's objective as a line protocol for another optimizer: a JSON object of
    /// parameters per stdin line, a JSON trial outcome per stdout line (`--describe`: the
    /// space as Optuna distributions). How `cargo xtask bench` drives Optuna on our trials.
    Evaluate(Box<EvaluateArgs>),
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The candle file.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub base: BaseArgs,
    #[command(flatten)]
    pub choices: ChoiceArgs,
    #[command(flatten)]
    pub parse: ParseArgs,
    /// Print the space as Optuna distributions and the objectives, then stop.
    #[arg(long = "describe")]
    pub is_describe: bool,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: RulesCommand,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Compile a rules config: print its column program, or every error with its key, line
    /// and column. Exit 0 if valid, 2 if not.
    Check(RulesCheckArgs),
    /// Print the language reference: inputs, operators, every function with its signature,
    /// definition and warm-up.
    Functions,
}

#[derive(Debug, Args)]
pub struct RulesCheckArgs {
    /// The config file (YAML or JSON) with `strategy: rules`.
    pub file: PathBuf,
    /// Print one JSON document (`ok`, `program` or `errors`) instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

/// The values of `--sampler`: the study crate's choices, with their descriptions as help.
fn sampler_values() -> impl TypedValueParser<Value = SamplerChoice> {
    let values = SamplerChoice::ALL.map(|c| PossibleValue::new(c.name()).help(c.describe()));
    PossibleValuesParser::new(values).try_map(|name| name.parse::<SamplerChoice>())
}

/// How a candle file is read: the options every command that reads one shares.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Drop bad rows of the candle file (each is reported by `data inspect`) instead of
    /// rejecting it.
    #[arg(long = "lenient")]
    pub is_lenient: bool,
    /// The day/month order of dates written with the year last (`05.03.2024`): `dmy` or
    /// `mdy`. By default the data decides (a day above 12 settles it) and the report says
    /// how; this option overrides that.
    #[arg(long = "date-order", value_enum)]
    pub date_order: Option<DateOrderChoice>,
}

/// The day/month order of year-last dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DateOrderChoice {
    /// Day, month, year (`31.01.2024`).
    Dmy,
    /// Month, day, year (`01/31/2024`).
    Mdy,
}

/// The values of `--pruner`: the study crate's choices, with their descriptions as help.
fn pruner_values() -> impl TypedValueParser<Value = PrunerChoice> {
    let values = PrunerChoice::ALL.map(|c| PossibleValue::new(c.name()).help(c.describe()));
    PossibleValuesParser::new(values).try_map(|name| name.parse::<PrunerChoice>())
}

/// The `genesis optimize` option that makes each study choice (a key of
/// [`StudyChoices::KEYS`](genesis_study::StudyChoices::KEYS)), to name it in errors.
pub fn choice_flag(key: &str) -> Option<&'static str> {
    Some(match key {
        "seed" => "--seed",
        "sampler" => "--sampler",
        "pruner" => "--pruner",
        "sync_window" => "--sync-window",
        "checkpoints" => "--checkpoints",
        "in_sample_fraction" => "--split",
        "validate_top" => "--validate-top",
        "min_oos_score" => "--min-oos-score",
        "max_degradation" => "--max-degradation",
        "max_trials" => "--trials",
        "timeout_s" => "--timeout",
        "end_at" => "--end-at",
        "pbo_blocks" => "--pbo-blocks",
        "objectives" => "--objective",
        _ => return None,
    })
}

#[derive(Debug, Args)]
pub struct OptimizeArgs {
    /// The candle file: CSV, TSV or JSON, optionally gzipped.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub base: BaseArgs,
    #[command(flatten)]
    pub choices: ChoiceArgs,
    /// Worker threads (default: the machine's hardware threads).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The study journal (JSONL), written as trials finish.
    #[arg(long)]
    pub study: PathBuf,
    /// Continue the study in `--study`; refused when its signature differs.
    #[arg(long = "resume")]
    pub is_resume: bool,
    /// Resume even though the signature differs (recorded in the journal).
    #[arg(long = "allow-signature-mismatch")]
    pub is_mismatch_allowed: bool,
    /// The study's name (default: the journal file's stem).
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub parse: ParseArgs,
    /// Print one JSON document on stdout (progress still goes to stderr).
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct WalkforwardArgs {
    #[command(subcommand)]
    pub command: Option<WalkforwardCommand>,
    /// The candle file: CSV, TSV or JSON, optionally gzipped.
    #[arg(long, required = true)]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub base: BaseArgs,
    #[command(flatten)]
    pub choices: ChoiceArgs,
    /// `rolling`: each fold trains on the `--train` length right before its test window;
    /// `anchored`: from the first bar.
    #[arg(long, value_enum, default_value = "rolling")]
    pub mode: FoldModeChoice,
    /// Train length: bars (2000) or time (90d, 2w, 12h, 30m). Required for a new run.
    #[arg(long)]
    pub train: Option<String>,
    /// Test length, bars or time. Required for a new run.
    #[arg(long)]
    pub test: Option<String>,
    /// From one test window to the next (default: the test length, so they tile).
    #[arg(long)]
    pub step: Option<String>,
    /// Bars left out between each train window and its test window (a purge).
    #[arg(long, default_value_t = 0)]
    pub gap: usize,
    /// Worker threads per fold study (default: the machine's hardware threads).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The run's journal (JSONL), written fold by fold.
    #[arg(long, required = true)]
    pub out: Option<PathBuf>,
    /// Continue the run in `--out`.
    #[arg(long = "resume")]
    pub is_resume: bool,
    /// The run's name (default: the journal file's stem).
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub parse: ParseArgs,
    /// Print the report as one JSON document on stdout (progress still goes to stderr).
    #[arg(long = "json")]
    pub is_json: bool,
}

/// Walk-forward fold modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FoldModeChoice {
    Rolling,
    Anchored,
}

#[derive(Debug, Subcommand)]
pub enum WalkforwardCommand {
    /// The report of a walk-forward journal: fold table, stitched out-of-sample equity,
    /// walk-forward efficiency, parameter stability, buy and hold; optionally the fold
    /// table as CSV and every fold's study as an Optuna journal.
    Report(WalkforwardReportArgs),
    /// Re-run one fold from scratch (its study, validation, choice and test run) and compare
    /// it with the journal, bit for bit. Exit 0 when identical, 1 when not.
    Replay(WalkforwardReplayArgs),
}

#[derive(Debug, Args)]
pub struct WalkforwardReplayArgs {
    /// The walk-forward journal.
    pub file: PathBuf,
    /// The fold to replay (1-based, as the report numbers them).
    #[arg(long)]
    pub fold: usize,
    /// The candle file (default: the one the run recorded).
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub parse: ParseArgs,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
pub struct WalkforwardReportArgs {
    /// The walk-forward journal.
    pub file: PathBuf,
    /// Write the fold table as CSV to this file.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Write into this directory (created if missing) `report.json`, `folds.csv` and each
    /// fold's study as `fold_N.optuna.jsonl` (opens in Optuna and optuna-dashboard).
    #[arg(long)]
    pub export_dir: Option<PathBuf>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

/// The search space and the base config of a study (or of every fold of a walk-forward run).
#[derive(Debug, Args)]
pub struct BaseArgs {
    /// The search space (YAML, shaped like the strategy config). Required for a new study;
    /// a resumed one uses its journal's unless given.
    #[arg(long)]
    pub space: Option<PathBuf>,
    /// The base config from a file.
    #[arg(long, conflicts_with_all = ["preset", "is_champion"])]
    pub config: Option<PathBuf>,
    /// The base config from an embedded preset (one per strategy of the registry).
    #[arg(long, conflicts_with = "is_champion", value_parser = preset_names())]
    pub preset: Option<String>,
    /// The base config is the current champion of the data's symbol and timeframe.
    #[arg(long = "champion")]
    pub is_champion: bool,
    /// The champions file, for --champion.
    #[arg(long, default_value = "champions.json")]
    pub champions: PathBuf,
    /// The symbol champions are filed under (default: guessed from the data file's name).
    #[arg(long)]
    pub symbol: Option<String>,
}

/// The choices of a study's set-up (the browser's Optimize form offers the same).
#[derive(Debug, Args)]
pub struct ChoiceArgs {
    /// The study's total budget of evaluated trials (duplicates excluded), earlier sessions
    /// included; in a walk-forward run, each fold's.
    #[arg(long, default_value_t = genesis_study::choices::DEFAULT_MAX_TRIALS)]
    pub trials: u64,
    /// Random seed of the sampler (default 42 for a new study).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Sampler of a new study (default tpe).
    #[arg(long, value_parser = sampler_values())]
    pub sampler: Option<SamplerChoice>,
    /// Pruner of a new study (default none).
    #[arg(long, value_parser = pruner_values())]
    pub pruner: Option<PrunerChoice>,
    /// Trials see the results of trials this many numbers back (default 8); any number of
    /// jobs up to it stays busy, and the study is the same for any number of jobs.
    #[arg(long)]
    pub sync_window: Option<u32>,
    /// Stop asking for trials after this many seconds.
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Stop asking for trials at this time (ISO-8601 or unix time).
    #[arg(long)]
    pub end_at: Option<String>,
    /// In-sample fraction: trials explore the first part of the bars, validation uses the
    /// rest (0.7: the first 70 %).
    #[arg(long)]
    pub split: Option<f64>,
    /// After the run, validate this many of the best feasible trials out of sample
    /// (needs --split).
    #[arg(long)]
    pub validate_top: Option<usize>,
    /// Validation passes only at or above this out-of-sample score (default 0).
    #[arg(long, allow_negative_numbers = true)]
    pub min_oos_score: Option<f64>,
    /// Validation passes only if the out-of-sample score is at least the in-sample score
    /// less this fraction of it (0.5: at most half lost).
    #[arg(long)]
    pub max_degradation: Option<f64>,
    /// Equal segments of the window; the score at each segment end feeds the pruner
    /// (default 4).
    #[arg(long)]
    pub checkpoints: Option<u32>,
    /// Blocks each trial's per-bar returns are summed in for the probability of backtest
    /// overfitting (even, 2 to 22; default 16; 0: none).
    #[arg(long)]
    pub pbo_blocks: Option<u8>,
    /// An objective of a multi-objective study, METRIC:maximize or METRIC:minimize; give two
    /// or three (`--objective total_return:maximize --objective max_drawdown:minimize`),
    /// with `--sampler nsga2` or `motpe`. Without any, the score is the one objective.
    #[arg(long = "objective", value_name = "METRIC:DIRECTION")]
    pub objectives: Vec<ObjectiveSpec>,
}

#[derive(Debug, Args)]
pub struct StudyArgs {
    #[command(subcommand)]
    pub command: StudyCommand,
}

#[derive(Debug, Subcommand)]
pub enum StudyCommand {
    /// Counts per state, durations, best and top trials (with out-of-sample results),
    /// parameter importance.
    Summarize(SummarizeArgs),
    /// Re-run a stored trial and compare every number with the journal, bit for bit.
    /// Exit 0 when identical, 1 when not.
    Replay(ReplayArgs),
    /// Write the study as an Optuna journal (opens in Optuna and optuna-dashboard) or CSV.
    Export(ExportArgs),
    /// Read an Optuna journal exported by `study export` back into a study journal.
    Import(ImportArgs),
    /// Create a child study whose numeric bounds are narrowed around the parent's top
    /// trials; continue it with `genesis optimize --study CHILD --resume --data ...`.
    Refine(RefineArgs),
    /// The Pareto front of a multi-objective study: its members with every objective, the
    /// hypervolume against a stated reference point, and how it grew over the trials.
    Pareto(ParetoArgs),
}

#[derive(Debug, Args)]
pub struct ParetoArgs {
    /// The study journal.
    pub file: PathBuf,
    /// The reference point the hypervolume is measured from, one value per objective in
    /// its own units (`--reference -0.5,0.6`); default: each objective's worst feasible
    /// value moved 10 % further away (Optuna's rule).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub reference: Option<Vec<f64>>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
pub struct SummarizeArgs {
    /// The study journal.
    pub file: PathBuf,
    /// How many of the best trials to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The study journal.
    pub file: PathBuf,
    /// The trial number.
    #[arg(long)]
    pub trial: u64,
    /// The candle file (default: the path the study recorded); must be the study's data.
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub parse: ParseArgs,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Optuna's JournalStorage JSONL.
    OptunaJournal,
    /// One row per trial, columns as Optuna's trials_dataframe.
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The study journal.
    pub file: PathBuf,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Output file (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// An Optuna journal written by `genesis study export --format optuna-journal`.
    pub file: PathBuf,
    /// The study journal to write (must not exist yet).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RefineArgs {
    /// The parent study journal.
    pub file: PathBuf,
    /// Narrow around this many of the parent's best feasible trials.
    #[arg(long)]
    pub top: usize,
    /// The child study journal to create (must not exist yet).
    #[arg(long)]
    pub out: PathBuf,
    /// Padding on each side, as a fraction of the parent's range.
    #[arg(long, default_value_t = genesis_study::refine::DEFAULT_PADDING)]
    pub padding: f64,
    /// The child's name (default: the output file's stem).
    #[arg(long)]
    pub name: Option<String>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
pub struct ChampionArgs {
    #[command(subcommand)]
    pub command: ChampionCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChampionCommand {
    /// The current champion of a (symbol, timeframe) with its history, or every current
    /// champion.
    Show(ChampionShowArgs),
    /// Promote a trial of a study; refused unless it passed out-of-sample validation.
    Promote(ChampionPromoteArgs),
    /// Return a (symbol, timeframe) to the champion that was current before.
    Rollback(ChampionSlotArgs),
    /// Write the current champion's config as a strategy config YAML file.
    Export(ChampionExportArgs),
}

#[derive(Debug, Args)]
pub struct ChampionFileArgs {
    /// The champions file (JSON; created on the first promotion).
    #[arg(long, default_value = "champions.json")]
    pub champions: PathBuf,
}

#[derive(Debug, Args)]
pub struct ChampionShowArgs {
    #[arg(long)]
    pub symbol: Option<String>,
    #[arg(long, requires = "symbol")]
    pub timeframe: Option<String>,
    #[command(flatten)]
    pub file: ChampionFileArgs,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
pub struct ChampionPromoteArgs {
    /// The study journal.
    #[arg(long)]
    pub study: PathBuf,
    /// The trial to promote.
    #[arg(long)]
    pub trial: u64,
    /// The symbol to file it under (default: the study's).
    #[arg(long)]
    pub symbol: Option<String>,
    /// Refuse unless the trial's deflated Sharpe ratio among the study's tries is at least
    /// this (0.95: 95 % confidence that its Sharpe ratio is not a fluke of selection).
    #[arg(long)]
    pub min_dsr: Option<f64>,
    /// Refuse unless the study's probability of backtest overfitting is at most this.
    #[arg(long)]
    pub max_pbo: Option<f64>,
    #[command(flatten)]
    pub file: ChampionFileArgs,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
pub struct ChampionSlotArgs {
    #[arg(long)]
    pub symbol: String,
    #[arg(long)]
    pub timeframe: String,
    #[command(flatten)]
    pub file: ChampionFileArgs,
    /// Print one JSON document on stdout instead of text.
    #[arg(long = "json")]
    pub is_json: bool,
}

#[derive(Debug, Args)]
pub struct ChampionExportArgs {
    #[arg(long)]
    pub symbol: String,
    #[arg(long)]
    pub timeframe: String,
    #[command(flatten)]
    pub file: ChampionFileArgs,
    /// Output YAML file (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Where the strategy config comes from.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// A strategy config file (YAML or JSON).
    #[arg(long, conflicts_with = "preset")]
    pub config: Option<PathBuf>,
    /// An embedded preset (one per strategy of the registry). Default: genesis.
    #[arg(long, value_parser = preset_names())]
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
    #[command(flatten)]
    pub parse: ParseArgs,
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
    #[command(flatten)]
    pub parse: ParseArgs,
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
    #[command(flatten)]
    pub parse: ParseArgs,
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

/// The embedded presets, from the engine's strategy registry: clap lists them in `--help`
/// and refuses any other name.
fn preset_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(genesis_engine::strategy::presets::names())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use genesis_study::StudyChoices;

    use super::*;

    /// Every option of a study's set-up the browser's form offers, the CLI offers too.
    #[test]
    fn every_study_choice_has_an_optimize_option() {
        let cli = Cli::command();
        let optimize = cli
            .find_subcommand("optimize")
            .expect("the optimize command");
        let longs: Vec<String> = optimize
            .get_arguments()
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        for key in StudyChoices::KEYS {
            let flag = choice_flag(key).unwrap_or_else(|| panic!("no option for `{key}`"));
            assert!(longs.iter().any(|l| l == flag), "{flag} for `{key}`");
        }
    }

    /// `genesis optimize --data d.csv --study s.jsonl FLAG VALUE`, parsed.
    fn optimize_with(flag: &str, value: &str) -> Result<OptimizeArgs, clap::Error> {
        let cli = Cli::try_parse_from([
            "genesis", "optimize", "--data", "d.csv", "--study", "s.jsonl", flag, value,
        ])?;
        match cli.command {
            Command::Optimize(args) => Ok(*args),
            _ => panic!("optimize"),
        }
    }

    #[test]
    fn sampler_and_pruner_take_every_choice_by_name() {
        for sampler in SamplerChoice::ALL {
            let args = optimize_with("--sampler", sampler.name()).unwrap();
            assert_eq!(args.choices.sampler, Some(sampler));
        }
        for pruner in PrunerChoice::ALL {
            let args = optimize_with("--pruner", pruner.name()).unwrap();
            assert_eq!(args.choices.pruner, Some(pruner));
        }
        let bad = optimize_with("--sampler", "tpee").unwrap_err();
        assert!(bad.to_string().contains("tpe-independent"), "{bad}");
    }
}
