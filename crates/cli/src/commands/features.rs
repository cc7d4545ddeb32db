//! `genesis features`: the default feature frame of a config's `features:` section, as CSV.

use std::io::Write;
use std::sync::Arc;

use genesis_engine::features::{write_csv, FeatureFrame, FeatureStore};

use super::backtest::{load_candles, load_config};
use crate::cli::FeaturesArgs;
use crate::error::CliError;

pub fn run(args: &FeaturesArgs) -> Result<(), CliError> {
    let candles = load_candles(&args.data, &args.parse)?;
    let (config, config_source) = load_config(&args.config)?;
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let frame = FeatureFrame::compute(&mut store, config.features())
        .map_err(|err| CliError::input_in(&config_source, &err))?;
    if args.out.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        write_csv(&candles, &frame, &mut lock).map_err(|err| CliError::Internal(err.into()))?;
        lock.flush()?;
    } else {
        let file = std::fs::File::create(&args.out).map_err(|err| {
            CliError::input(format!("{}: cannot create: {err}", args.out.display()))
        })?;
        let mut writer = std::io::BufWriter::new(file);
        write_csv(&candles, &frame, &mut writer).map_err(|err| CliError::Internal(err.into()))?;
        writer.flush()?;
        eprintln!(
            "wrote {} bars × {} feature columns ({}) to {}",
            candles.len(),
            frame.columns().len(),
            config_source,
            args.out.display()
        );
    }
    Ok(())
}
