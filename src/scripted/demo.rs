//! The one-click demo, for a first visit or a shared `#/demo` link: the demo data, a
//! backtest of the `genesis` preset, then a short study in the background, in seconds.

use genesis_engine::strategy::presets;
use genesis_optimizer::SearchSpace;
use genesis_study::{BaseSource, StudyChoices};
use leptos::prelude::*;

use crate::context::AppContext;
use crate::error::AppError;
use crate::storage::datasets::{self, Added};
use crate::studies::runner::{self, StudySetup};
use crate::workers::protocol::{Event, Request};

/// Trials in the demo study.
pub const DEMO_TRIALS: u64 = 40;

pub async fn run(ctx: AppContext) {
    if let Err(message) = run_inner(ctx).await {
        ctx.errors.raise("demo", message);
    }
}

async fn run_inner(ctx: AppContext) -> Result<(), AppError> {
    let db = ctx.open_db()?;
    let payload = match ctx.pool().run(Request::Demo, |_| {}).await {
        Ok(Event::Dataset(payload)) => payload,
        Ok(other) => return Err(AppError::Unexpected(format!("{other:?}"))),
        Err(err) => return Err(err.into()),
    };
    let dataset = match datasets::add(ctx, &db, *payload, "demo (synthetic)".into()).await? {
        Added::New(record) | Added::AlreadyStored(record) => record,
    };
    ctx.datasets.selected.set(Some(dataset.id.clone()));

    // The backtest: the Backtest page runs its pending setup as soon as the engine has
    // accepted the preset.
    let backtest = ctx.backtest;
    backtest.config.preset.set("genesis".into());
    backtest
        .config
        .set_text(presets::text("genesis").unwrap_or_default().to_string());
    backtest.from_date.set(String::new());
    backtest.to_date.set(String::new());
    backtest.pending.set(Some(dataset.id.clone()));
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash("#/backtest");
    }

    // The study, in the background, on every worker the pool has.
    if ctx.studies.running.get_untracked().is_some() {
        return Ok(());
    }
    let space =
        SearchSpace::from_yaml_str(crate::config::spaces::text("genesis_tpe").unwrap_or_default())?;
    let choices = StudyChoices {
        max_trials: Some(DEMO_TRIALS),
        in_sample_fraction: Some(0.7),
        validate_top: Some(3),
        ..StudyChoices::default()
    };
    let config = choices.to_config("demo study", space, None)?;
    let setup = StudySetup {
        dataset,
        config,
        base_source: BaseSource::Preset {
            name: "genesis".into(),
        },
        base_yaml: presets::text("genesis").unwrap_or_default().to_string(),
        n_workers: ctx.pool().size().max(crate::workers::pool::default_size()),
    };
    ctx.notices.show(format!(
        "Demo: a {DEMO_TRIALS}-trial study of the genesis preset is running on the Optimize page."
    ));
    runner::start(ctx, ctx.studies, setup).await?;
    if let Some(study) = ctx.studies.open.get_untracked() {
        ctx.notices.show(format!(
            "Demo study finished: best score {} over {} trials (Optimize page).",
            study
                .row
                .best_value
                .map_or_else(|| "none".into(), |v| format!("{v:.4}")),
            study.row.n_finished
        ));
    }
    Ok(())
}
