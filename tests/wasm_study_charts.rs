//! The study charts drawn onto real canvases in headless Chromium (wasm-bindgen-test): a
//! small real study (TPE with a median pruner over a synthetic objective with infeasible,
//! pruned and failed trials, the best ones then given a recorded validation), a
//! thousand-trial study built directly, and an empty one. Each chart must paint something
//! beyond the background (its marks in their colours, or its explanatory message), and its
//! hover read-out must name the trial under the pointer.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;
use std::rc::Rc;

use genesis_engine::backtest::Window;
use genesis_lab::charts::canvas::ChartSource;
use genesis_lab::charts::hit::{HitTarget, PlotLayout};
use genesis_lab::charts::plot::PlotSource;
use genesis_lab::charts::study::{
    HistoryChart, ImportanceChart, IsOosChart, ParallelChart, SliceChart, StudyChartData,
};
use genesis_optimizer::pruner::MedianPruner;
use genesis_optimizer::{
    driver, MemoryJournal, ParamValue, PrunerSettings, SearchSpace, SignatureInputs, StopPolicy,
    Study, StudySettings, StudySpec, TrialOutcome, TrialRecord, TrialState, TrialTicket,
};
use genesis_study::validation::ValidationResult;
use genesis_study::ValidationRule;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

const BACKGROUND: (u8, u8, u8) = (11, 18, 32);
const FEASIBLE: (u8, u8, u8) = (56, 189, 248);
const BEST: (u8, u8, u8) = (250, 204, 21);
const PASSED: (u8, u8, u8) = (34, 197, 94);
const REJECTED: (u8, u8, u8) = (239, 68, 68);

const SPACE_YAML: &str = "\
x: {type: float, low: -2.0, high: 2.0}
lr: {type: loguniform, low: 0.0001, high: 1.0}
n: {type: int, low: 1, high: 10}
mode: {type: categorical, choices: [a, b]}
";

fn number(ticket: &TrialTicket, key: &str) -> f64 {
    ticket
        .params
        .get(key)
        .and_then(ParamValue::as_f64)
        .unwrap_or(0.0)
}

/// A quadratic bowl with its top at x = 0.5, lr = 0.01, n = 4, mode a; reported at three
/// checkpoints so the median pruner can stop poor trials; infeasible for x > 1.2, failing
/// for n = 10 with mode b.
fn objective(ticket: &TrialTicket) -> TrialOutcome {
    let (x, lr, n) = (
        number(ticket, "x"),
        number(ticket, "lr"),
        number(ticket, "n"),
    );
    let is_mode_a = ticket.params.get("mode") == Some(&ParamValue::Str("a".into()));
    if n == 10.0 && !is_mode_a {
        return TrialOutcome::Failed {
            reason: "synthetic failure".into(),
        };
    }
    let decades = libm::log10(lr) + 2.0;
    let value =
        1.0 - (x - 0.5) * (x - 0.5) - 0.1 * decades * decades - 0.01 * (n - 4.0) * (n - 4.0)
            + if is_mode_a { 0.2 } else { 0.0 };
    let mut intermediate = Vec::new();
    for step in 1..=3u64 {
        let partial = value * step as f64 / 3.0;
        intermediate.push((step, partial));
        if ticket.prune_thresholds.should_prune(step, partial) {
            return TrialOutcome::Pruned { step, intermediate };
        }
    }
    let constraint_violations = if x > 1.2 {
        vec!["x above 1.2".to_string()]
    } else {
        Vec::new()
    };
    TrialOutcome::Complete {
        value,
        values: Vec::new(),
        intermediate,
        constraint_violations,
        user_attrs: BTreeMap::new(),
    }
}

fn validation(in_sample: f64, oos: f64, is_passed: bool) -> BTreeMap<String, serde_json::Value> {
    ValidationResult {
        window: Window {
            from_bar: 700,
            to_bar: 1000,
        },
        rule: ValidationRule::default(),
        is_passed,
        reasons: if is_passed {
            Vec::new()
        } else {
            vec!["out-of-sample score too low".into()]
        },
        in_sample_score: in_sample,
        score: oos,
        is_feasible: true,
        constraint_violations: Vec::new(),
        fingerprint: String::new(),
        metrics: BTreeMap::new(),
    }
    .to_attrs()
}

/// Runs the small study and validates its four best feasible trials (two pass, two fail).
fn small_study() -> StudyChartData {
    let space = SearchSpace::from_yaml_str(SPACE_YAML).expect("the space parses");
    let mut settings = StudySettings::new(11);
    settings.pruner = PrunerSettings::Median(MedianPruner {
        n_startup_trials: 5,
        n_warmup_steps: 0,
    });
    let spec = StudySpec {
        name: "charts".into(),
        space: space.clone(),
        settings,
        signature_inputs: SignatureInputs::default(),
        metadata: serde_json::Value::Null,
    };
    let mut study = Study::create(spec, MemoryJournal::new()).expect("create the study");
    study.set_stop_policy(StopPolicy {
        max_trials: Some(60),
        ..StopPolicy::default()
    });
    let mut now_ms = 0_i64;
    driver::run_serial(&mut study, objective, || {
        now_ms += 5;
        now_ms
    })
    .expect("the study runs");
    let mut trials: Vec<TrialRecord> = study.trials().cloned().collect();
    let mut best: Vec<(f64, usize)> = trials
        .iter()
        .enumerate()
        .filter(|(_, t)| t.is_feasible() && t.duplicate_of.is_none())
        .filter_map(|(i, t)| Some((t.value?, i)))
        .collect();
    best.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (rank, (value, i)) in best.into_iter().take(4).enumerate() {
        let is_passed = rank % 2 == 0;
        let oos = if is_passed { value * 0.9 } else { value - 1.0 };
        trials[i]
            .user_attrs
            .extend(validation(value, oos, is_passed));
    }
    StudyChartData::new(trials, space)
}

/// `n_trials` trials over 8 parameters, built directly: mostly complete, every 7th pruned,
/// every 11th infeasible, every 50th failed.
fn big_study(n_trials: u64) -> StudyChartData {
    let mut yaml = String::new();
    for p in 0..6 {
        yaml.push_str(&format!("p{p}: {{type: float, low: 0.0, high: 10.0}}\n"));
    }
    yaml.push_str("rate: {type: loguniform, low: 0.001, high: 1.0}\n");
    yaml.push_str("kind: {type: categorical, choices: [one, two, three]}\n");
    let space = SearchSpace::from_yaml_str(&yaml).expect("the space parses");
    let trials = (0..n_trials)
        .map(|i| {
            // A deterministic spread of values without randomness.
            let u = |k: u64| ((i * (2 * k + 3) * 7919 + k * 104729) % 1000) as f64 / 1000.0;
            let mut params: BTreeMap<String, ParamValue> = (0..6)
                .map(|p| (format!("p{p}"), ParamValue::Float(10.0 * u(p))))
                .collect();
            params.insert(
                "rate".into(),
                ParamValue::Float(libm::pow(10.0, -3.0 * u(7))),
            );
            let kind = ["one", "two", "three"][(i % 3) as usize];
            params.insert("kind".into(), ParamValue::Str(kind.into()));
            let value =
                -(u(0) - 0.3) * (u(0) - 0.3) - 0.5 * (u(1) - 0.6) * (u(1) - 0.6) + 0.05 * u(2);
            let (state, value, intermediate) = if i % 50 == 49 {
                (TrialState::Failed, None, Vec::new())
            } else if i % 7 == 6 {
                (TrialState::Pruned, None, vec![(1, value - 0.1)])
            } else {
                (TrialState::Complete, Some(value), vec![(1, value / 2.0)])
            };
            TrialRecord {
                number: i,
                params,
                state,
                value,
                values: Vec::new(),
                intermediate,
                pruned_at_step: (state == TrialState::Pruned).then_some(1),
                constraint_violations: if i % 11 == 10 {
                    vec!["too few trades".into()]
                } else {
                    Vec::new()
                },
                user_attrs: BTreeMap::new(),
                fail_reason: (state == TrialState::Failed).then(|| "synthetic".to_string()),
                duplicate_of: None,
                timing: None,
            }
        })
        .collect();
    StudyChartData::new(trials, space)
}

fn empty_study() -> StudyChartData {
    let space = SearchSpace::from_yaml_str(SPACE_YAML).expect("the space parses");
    StudyChartData::new(Vec::new(), space)
}

fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .expect("create a canvas")
        .dyn_into()
        .expect("a canvas element");
    canvas.set_width(width);
    canvas.set_height(height);
    document
        .body()
        .expect("a body")
        .append_child(&canvas)
        .expect("attach the canvas");
    canvas
}

/// The canvas's pixels, RGBA.
fn pixels(canvas: &HtmlCanvasElement) -> Vec<u8> {
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .expect("get a context")
        .expect("a 2D context")
        .dyn_into()
        .expect("a 2D context");
    context
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .expect("read the pixels")
        .data()
        .0
}

/// Pixels within `tolerance` of `rgb` on every channel.
fn count_near(pixels: &[u8], rgb: (u8, u8, u8), tolerance: u8) -> usize {
    pixels
        .chunks_exact(4)
        .filter(|p| {
            p[0].abs_diff(rgb.0) <= tolerance
                && p[1].abs_diff(rgb.1) <= tolerance
                && p[2].abs_diff(rgb.2) <= tolerance
        })
        .count()
}

fn count_painted(pixels: &[u8]) -> usize {
    pixels.len() / 4 - count_near(pixels, BACKGROUND, 0)
}

/// The first point target of a layout, as canvas pixels and the chart's id.
fn first_point(layout: &PlotLayout) -> Option<(f64, f64)> {
    layout.targets.iter().find_map(|t| match *t {
        HitTarget::Point { x_px, y_px, .. } => Some((f64::from(x_px), f64::from(y_px))),
        HitTarget::Area { .. } => None,
    })
}

fn draw_plot(source: &dyn PlotSource, width: u32) -> (HtmlCanvasElement, PlotLayout, Vec<u8>) {
    let height = source.height_for_width(width).unwrap_or(360);
    let canvas = canvas(width, height);
    let layout = source.draw(&canvas).expect("the chart draws");
    let pixels = pixels(&canvas);
    (canvas, layout, pixels)
}

#[wasm_bindgen_test]
fn the_history_shows_trials_and_the_best_so_far() {
    let data = Rc::new(small_study());
    assert!(
        data.trials.iter().any(|t| t.state == TrialState::Pruned),
        "the pruner pruned some trials"
    );
    assert!(data
        .trials
        .iter()
        .any(|t| t.state == TrialState::Complete && !t.is_feasible()));
    let chart = HistoryChart::new(data);
    let canvas = canvas(800, 360);
    chart
        .draw(&canvas, 0..chart.n_bars())
        .expect("the history draws");
    let pixels = pixels(&canvas);
    assert!(
        count_painted(&pixels) > 5_000,
        "painted {}",
        count_painted(&pixels)
    );
    assert!(
        count_near(&pixels, FEASIBLE, 6) > 50,
        "feasible dots in the accent colour"
    );
    assert!(
        count_near(&pixels, BEST, 6) > 100,
        "the best-so-far line in yellow"
    );
    let best = chart.best().map(|(n, _)| n).expect("a best trial");
    assert!(chart
        .readout(best as usize)
        .starts_with(&format!("trial #{best} · score ")));
}

#[wasm_bindgen_test]
fn slices_parallel_importance_and_validation_draw_their_marks() {
    let data = Rc::new(small_study());

    let slices = SliceChart::new(data.clone());
    let (_, layout, pixels) = draw_plot(&slices, 900);
    assert!(
        count_painted(&pixels) > 5_000,
        "slices painted {}",
        count_painted(&pixels)
    );
    assert!(
        count_near(&pixels, BEST, 6) > 10,
        "the best trial is ringed"
    );
    let (x, y) = first_point(&layout).expect("slice points are hover targets");
    assert!(slices
        .hit(&layout, x + 2.0, y)
        .is_some_and(|s| s.starts_with("trial #")));

    let parallel = ParallelChart::new(data.clone());
    let (_, layout, pixels) = draw_plot(&parallel, 900);
    assert!(
        count_painted(&pixels) > 5_000,
        "parallel painted {}",
        count_painted(&pixels)
    );
    let (x, y) = first_point(&layout).expect("polyline vertices are hover targets");
    assert!(parallel
        .hit(&layout, x, y + 3.0)
        .is_some_and(|s| s.contains(" · score ")));

    let importance = ImportanceChart::new(data.clone());
    assert!(
        !importance.rows().is_empty(),
        "sixty trials give an importance"
    );
    let (_, layout, pixels) = draw_plot(&importance, 900);
    assert!(
        count_painted(&pixels) > 2_000,
        "importance painted {}",
        count_painted(&pixels)
    );
    let first_bar = layout.targets.first().copied();
    let Some(HitTarget::Area { rect, .. }) = first_bar else {
        panic!("the bars are area targets: {first_bar:?}");
    };
    let readout = importance.hit(&layout, f64::from(rect.left + 1), f64::from(rect.top + 1));
    assert!(readout.is_some_and(|s| s.contains('%')));

    let is_oos = IsOosChart::new(data);
    assert_eq!(is_oos.points().len(), 4);
    let (_, layout, pixels) = draw_plot(&is_oos, 600);
    assert!(
        count_near(&pixels, PASSED, 6) > 20,
        "passed trials in green"
    );
    assert!(
        count_near(&pixels, REJECTED, 6) > 20,
        "failed trials in red"
    );
    let (x, y) = first_point(&layout).expect("validated trials are hover targets");
    assert!(is_oos
        .hit(&layout, x, y)
        .is_some_and(|s| s.contains("out-of-sample")));
}

#[wasm_bindgen_test]
fn an_empty_study_draws_messages_not_errors() {
    let data = Rc::new(empty_study());
    let history = HistoryChart::new(data.clone());
    let canvas = canvas(800, 360);
    history
        .draw(&canvas, 0..history.n_bars())
        .expect("an empty history draws");
    let history_pixels = pixels(&canvas);
    let plots: Vec<Box<dyn PlotSource>> = vec![
        Box::new(SliceChart::new(data.clone())),
        Box::new(ParallelChart::new(data.clone())),
        Box::new(ImportanceChart::new(data.clone())),
        Box::new(IsOosChart::new(data)),
    ];
    let mut all = vec![history_pixels];
    for plot in &plots {
        let (_, layout, pixels) = draw_plot(plot.as_ref(), 800);
        assert!(layout.targets.is_empty(), "nothing to hover over");
        all.push(pixels);
    }
    for (i, pixels) in all.iter().enumerate() {
        let painted = count_painted(pixels);
        // A line of text: some hundreds of pixels, not a drawn chart.
        assert!(
            painted > 100 && painted < pixels.len() / 4 / 20,
            "chart {i}: painted {painted}"
        );
        assert_eq!(
            count_near(pixels, FEASIBLE, 6),
            0,
            "chart {i} drew no trial marks"
        );
    }
}

type BuildPlot = fn(Rc<StudyChartData>) -> Box<dyn PlotSource>;

/// Runs `f`, then waits for the canvas to finish painting (reading a pixel back flushes
/// the pending drawing), and says how long both took, in ms.
fn timed_paint<T>(canvas: &HtmlCanvasElement, f: impl FnOnce() -> T) -> (T, f64) {
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .expect("performance");
    let start = performance.now();
    let out = f();
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .expect("get a context")
        .expect("a 2D context")
        .dyn_into()
        .expect("a 2D context");
    context
        .get_image_data(0.0, 0.0, 1.0, 1.0)
        .expect("read a pixel");
    (out, performance.now() - start)
}

/// The median of five redraws (each painted), in ms.
fn median_redraw_ms(canvas: &HtmlCanvasElement, mut redraw: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..5).map(|_| timed_paint(canvas, &mut redraw).1).collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

#[wasm_bindgen_test]
fn a_thousand_trials_over_eight_parameters_draw() {
    let data = Rc::new(big_study(1000));
    // (chart, build + first draw ms, median redraw ms), each including the painting.
    let mut timings: Vec<(&str, f64, f64)> = Vec::new();

    let canvas_h = canvas(1000, 360);
    let (history, first_ms) = timed_paint(&canvas_h, || {
        let history = HistoryChart::new(data.clone());
        history
            .draw(&canvas_h, 0..history.n_bars())
            .expect("the history draws");
        history
    });
    let redraw_ms = median_redraw_ms(&canvas_h, || {
        history
            .draw(&canvas_h, 0..history.n_bars())
            .expect("the history draws");
    });
    timings.push(("history", first_ms, redraw_ms));
    assert!(count_near(&pixels(&canvas_h), FEASIBLE, 6) > 500);

    let builds: [(&str, BuildPlot); 3] = [
        ("slices", |d| Box::new(SliceChart::new(d))),
        ("parallel", |d| Box::new(ParallelChart::new(d))),
        ("importance", |d| Box::new(ImportanceChart::new(d))),
    ];
    for (name, build) in builds {
        let height = build(data.clone()).height_for_width(1000).unwrap_or(360);
        let canvas = canvas(1000, height);
        let ((plot, layout), first_ms) = timed_paint(&canvas, || {
            let plot = build(data.clone());
            let layout = plot.draw(&canvas).expect("the chart draws");
            (plot, layout)
        });
        let redraw_ms = median_redraw_ms(&canvas, || {
            plot.draw(&canvas).expect("the chart draws");
        });
        timings.push((name, first_ms, redraw_ms));
        assert!(!layout.targets.is_empty(), "{name} has hover targets");
        assert!(count_painted(&pixels(&canvas)) > 10_000, "{name} painted");
    }
    console_log!("(chart, build + first draw ms, median redraw ms): {timings:?}");
}
