//! The browser half of `cargo xtask bench`: `window.genesisBench()` times the SPEC §9
//! workloads inside a real worker, and the drawing of a million bars on the page's canvas.

use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsCast;

use crate::charts::canvas::ChartSource;
use crate::charts::price::{OverlayToggles, PriceChart};
use crate::context::AppContext;
use crate::storage::colfile;
use crate::workers::protocol::{BenchWorkload, Event, Request};

/// One line of the bench table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub name: String,
    pub median_ms: f64,
    pub min_ms: f64,
    pub target: String,
    pub wasm_memory_mb: Option<f64>,
    /// When the workload ran, on the page's `performance.now()` clock, so the bench script
    /// can tell which main-thread long tasks fell inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span_ms: Option<(f64, f64)>,
}

fn row(name: &str, mut samples_ms: Vec<f64>, target: &str, memory_bytes: Option<u64>) -> Row {
    samples_ms.sort_by(f64::total_cmp);
    Row {
        name: name.to_string(),
        median_ms: samples_ms
            .get(samples_ms.len() / 2)
            .copied()
            .unwrap_or(f64::NAN),
        min_ms: samples_ms.first().copied().unwrap_or(f64::NAN),
        target: target.to_string(),
        wasm_memory_mb: memory_bytes.map(|b| b as f64 / (1024.0 * 1024.0)),
        span_ms: None,
    }
}

pub async fn run_all(ctx: AppContext) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for workload in BenchWorkload::ALL {
        match ctx
            .pool()
            .run(
                Request::Bench {
                    workload,
                    repeats: 20,
                },
                |_| {},
            )
            .await
        {
            Ok(Event::Bench(result)) => rows.push(row(
                workload.name(),
                result.samples_ms,
                workload.target(),
                None,
            )),
            Ok(other) => return Err(format!("unexpected answer {other:?}")),
            Err(err) => return Err(err.to_string()),
        }
    }
    rows.push(parse_million_bars(ctx).await?);
    rows.push(draw_million_bars(ctx).await?);
    rows.push(
        study_thousand_trials(
            ctx,
            "genesis",
            "genesis_tpe",
            "study_tpe_1000_trials_2_workers",
        )
        .await?,
    );
    // A rules strategy against the built-in one it restates (issue 14: within 1.5×).
    rows.push(
        study_thousand_trials(
            ctx,
            "sma_cross",
            "sma_cross",
            "study_tpe_1000_sma_cross_2_workers",
        )
        .await?,
    );
    rows.push(
        study_thousand_trials(
            ctx,
            "rules_sma_cross",
            "rules_sma_cross",
            "study_tpe_1000_rules_sma_cross_2_workers",
        )
        .await?,
    );
    rows.push(walkforward_five_folds(ctx).await?);
    Ok(rows)
}

/// SPEC §9: a 1,000-trial TPE study of `preset` over the space `space` on the 17,278-bar
/// demo data with two workers, through the page's real coordinator (trials persisted to
/// IndexedDB as they finish), from start to the last trial stored.
async fn study_thousand_trials(
    ctx: AppContext,
    preset: &str,
    space: &str,
    name: &str,
) -> Result<Row, String> {
    use genesis_optimizer::SearchSpace;
    use genesis_study::BaseSource;
    use genesis_study::StudyChoices;

    let dataset = demo_dataset(ctx).await?;
    let space = SearchSpace::from_yaml_str(crate::config::spaces::text(space).unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let choices = StudyChoices {
        seed: Some(7),
        max_trials: Some(1_000),
        ..StudyChoices::default()
    };
    let config = choices
        .to_config(&format!("bench: 1000 TPE trials of {preset}"), space, None)
        .map_err(|e| e.to_string())?;
    let setup = crate::studies::runner::StudySetup {
        dataset,
        config,
        base_source: BaseSource::Preset {
            name: preset.into(),
        },
        base_yaml: genesis_engine::strategy::presets::text(preset)
            .unwrap_or_default()
            .to_string(),
        n_workers: 2,
    };
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .ok_or("no clock")?;
    let start = performance.now();
    crate::studies::runner::start(ctx, ctx.studies, setup)
        .await
        .map_err(|e| e.to_string())?;
    let end = performance.now();
    let elapsed_ms = end - start;
    let mut row = row(name, vec![elapsed_ms], "< 10000 ms", None);
    row.target = format!(
        "< 10000 ms ({:.0} trials/s)",
        1000.0 / (elapsed_ms / 1000.0)
    );
    row.span_ms = Some((start, end));
    Ok(row)
}

/// The demo dataset, generated in a worker and stored (or found stored).
async fn demo_dataset(ctx: AppContext) -> Result<crate::storage::datasets::DatasetRecord, String> {
    let db = ctx
        .db
        .get_untracked()
        .ok_or("the browser database is not open")?;
    let payload = match ctx.pool().run(Request::Demo, |_| {}).await {
        Ok(Event::Dataset(payload)) => payload,
        Ok(other) => return Err(format!("unexpected answer {other:?}")),
        Err(err) => return Err(err.to_string()),
    };
    match crate::storage::datasets::add(ctx, &db, *payload, "demo (bench)".into()).await {
        Ok(
            crate::storage::datasets::Added::New(record)
            | crate::storage::datasets::Added::AlreadyStored(record),
        ) => Ok(record),
        Err(err) => Err(err.to_string()),
    }
}

/// Issue 15's walk-forward target in the page: 5 rolling folds (train 10,000 bars, test
/// 1,455) of 200 TPE trials of `genesis` on the demo data, folds in two workers, each
/// stored in IndexedDB as it finishes; from start to the last fold stored.
async fn walkforward_five_folds(ctx: AppContext) -> Result<Row, String> {
    use genesis_study::folds::{FoldSpec, Length, Mode};
    use genesis_study::walkforward::WalkForwardHeader;
    use genesis_study::StudyChoices;

    let dataset = demo_dataset(ctx).await?;
    let db = ctx.open_db().map_err(|e| e.to_string())?;
    let columns = crate::storage::datasets::open(ctx, &db, &dataset.id)
        .await
        .map_err(|e| e.to_string())?;
    let candles = genesis_engine::data::Candles::from_columns((*columns).clone())
        .map_err(|e| e.to_string())?;
    let space = genesis_optimizer::SearchSpace::from_yaml_str(
        crate::config::spaces::text("genesis_tpe").unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    let config = StudyChoices {
        seed: Some(42),
        max_trials: Some(200),
        ..StudyChoices::default()
    }
    .to_config("bench: walk-forward", space, None)
    .map_err(|e| e.to_string())?;
    let spec = FoldSpec {
        mode: Mode::Rolling,
        train: Length::Bars(10_000),
        test: Length::Bars(1_455),
        step: None,
        gap_bars: 0,
    };
    let header = WalkForwardHeader::new(
        "bench: walk-forward",
        spec,
        config,
        genesis_study::BaseSource::Preset {
            name: "genesis".into(),
        },
        genesis_engine::strategy::StrategyConfig::preset("genesis").map_err(|e| e.to_string())?,
        &dataset.meta.name,
        &candles,
    )
    .map_err(|e| e.to_string())?;
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .ok_or("no clock")?;
    let start = performance.now();
    crate::studies::walkforward::start(
        ctx,
        header,
        dataset.id.clone(),
        dataset.meta.name.clone(),
        2,
    )
    .await
    .map_err(|e| e.to_string())?;
    let end = performance.now();
    let mut row = row(
        "walkforward_rolling_5_folds_200_trials_2_workers",
        vec![end - start],
        "< 6000 ms",
        None,
    );
    row.span_ms = Some((start, end));
    Ok(row)
}

/// What a user waits for when dropping a million-bar CSV: the real `ParseFile` job on a fresh
/// worker, from the page sending the bytes to the page holding the encoded columns, and the
/// worker's memory high-water mark afterwards.
async fn parse_million_bars(ctx: AppContext) -> Result<Row, String> {
    let bytes = match ctx
        .pool()
        .run(Request::SynthCsv { n_bars: 1_000_000 }, |_| {})
        .await
    {
        Ok(Event::Bytes(bytes)) => bytes,
        Ok(other) => return Err(format!("unexpected answer {other:?}")),
        Err(err) => return Err(err.to_string()),
    };
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .ok_or("no clock")?;
    let mut samples = Vec::new();
    let mut peak_memory = 0;
    for _ in 0..3 {
        let fresh = crate::workers::pool::Pool::new(1);
        if let Some(Err(err)) = fresh.hello_all().await.into_iter().next() {
            return Err(err.to_string());
        }
        let request = Request::ParseFile {
            name: "bench-1m.csv".into(),
            bytes: bytes.clone(),
            is_lenient: false,
            date_order: None,
        };
        let start = performance.now();
        match fresh.run(request, |_| {}).await {
            Ok(Event::Dataset(_)) => samples.push(performance.now() - start),
            Ok(other) => return Err(format!("unexpected answer {other:?}")),
            Err(err) => return Err(err.to_string()),
        }
        if let Ok(Event::Memory(bytes)) = fresh.run(Request::Memory, |_| {}).await {
            peak_memory = peak_memory.max(bytes);
        }
    }
    Ok(row(
        "parse_csv_1000000 (page→worker→page)",
        samples,
        "< 1500 ms, < 200 MB",
        Some(peak_memory),
    ))
}

/// Draws a million bars (decimated per pixel column) on a detached 1200×420 canvas.
async fn draw_million_bars(ctx: AppContext) -> Result<Row, String> {
    let payload = match ctx
        .pool()
        .run(Request::Synth { n_bars: 1_000_000 }, |_| {})
        .await
    {
        Ok(Event::Dataset(payload)) => payload,
        Ok(other) => return Err(format!("unexpected answer {other:?}")),
        Err(err) => return Err(err.to_string()),
    };
    let columns = colfile::decode(&payload.columns).map_err(|e| e.to_string())?;
    let chart = PriceChart {
        columns: std::rc::Rc::new(columns),
        overlays: None,
        toggles: OverlayToggles::default(),
        trade_markers: Vec::new(),
        plots: std::rc::Rc::default(),
    };
    let canvas: web_sys::HtmlCanvasElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|e| e.dyn_into().ok())
        .ok_or("no canvas")?;
    canvas.set_width(1200);
    canvas.set_height(420);
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .ok_or("no clock")?;
    let mut samples = Vec::new();
    for _ in 0..10 {
        let start = performance.now();
        chart.draw(&canvas, 0..1_000_000)?;
        samples.push(performance.now() - start);
    }
    Ok(row(
        "draw_price_1000000",
        samples,
        "< 100 ms per frame",
        None,
    ))
}
