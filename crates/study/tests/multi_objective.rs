//! Multi-objective studies of real strategies on the demo data: NSGA-II and the
//! multi-objective TPE over the genesis preset (total return against max drawdown) give the
//! same journal to the byte with 1 and 2 threads (and the golden files, which the browser
//! test rebuilds); Optuna reads the export and its `best_trials` are our front, and a real
//! optuna-dashboard serving the export shows the same front; TPE over `sma_cross`'s preset
//! space spends its 200 trials on 200 distinct parameter sets; a walk-forward refuses
//! objectives.

mod common;
#[path = "../../../tests/support/optuna.rs"]
mod optuna;

use std::collections::BTreeSet;

use common::*;
use genesis_optimizer::export::to_optuna_journal;
use genesis_optimizer::pareto::StudyFront;
use genesis_optimizer::{canonical_params, Direction};
use genesis_study::{ObjectiveSpec, SamplerChoice, StudyChoices};
use optuna::{has_python3, interop_dir, optuna_python, read_with_optuna};

/// The golden journals of the two samplers, from this crate's directory.
const GOLDEN_NSGA2: &str = "../../tests/golden/study/genesis_nsga2_return_drawdown_200.jsonl";
const GOLDEN_MOTPE: &str = "../../tests/golden/study/genesis_motpe_return_drawdown_200.jsonl";

fn objectives() -> Vec<ObjectiveSpec> {
    vec![
        "total_return:maximize".parse().unwrap(),
        "max_drawdown:minimize".parse().unwrap(),
    ]
}

/// The plan of a two-objective study of the genesis preset on the demo data.
fn plan_with(sampler: SamplerChoice) -> genesis_study::StudyPlan {
    let candles = demo();
    let choices = StudyChoices {
        seed: Some(5),
        sampler: Some(sampler),
        objectives: Some(genesis_study::ObjectiveList(objectives())),
        // No return blocks: the golden journals stay a third of the size.
        pbo_blocks: Some(0),
        ..StudyChoices::default()
    };
    let mut config = choices
        .to_config("test", space(GENESIS_SPACE), None)
        .unwrap();
    config.symbol = Some("DEMO".into());
    genesis_study::StudyPlan::new(
        config,
        genesis_study::BaseSource::Preset {
            name: "genesis".into(),
        },
        preset("genesis"),
        genesis_engine::data::DatasetMeta::new("demo.csv", &candles),
    )
    .unwrap()
}

#[test]
fn two_objective_studies_are_the_same_with_any_thread_count_and_optuna_sees_our_front() {
    let candles = demo();
    for (sampler, golden) in [
        (SamplerChoice::Nsga2, GOLDEN_NSGA2),
        (SamplerChoice::Motpe, GOLDEN_MOTPE),
    ] {
        let plan = plan_with(sampler);
        assert_eq!(
            plan.settings.directions,
            vec![Direction::Maximize, Direction::Minimize]
        );
        let one = run_study(&plan, &candles, 200, 1);
        let two = run_study(&plan, &candles, 200, 2);
        let journal = canonical(&one);
        assert_eq!(journal, canonical(&two), "{sampler:?}: 1 and 2 threads");
        let log = one.log().unwrap();
        let evaluated = log
            .trials
            .iter()
            .filter(|t| t.duplicate_of.is_none())
            .count();
        assert_eq!(evaluated, 200, "{sampler:?}");
        for trial in log.trials.iter().filter(|t| t.is_feasible()) {
            assert_eq!(trial.values.len(), 2);
            assert_eq!(
                Some(&serde_json::json!(trial.values[0])),
                trial.user_attrs.get("total_return")
            );
            assert_eq!(
                Some(&serde_json::json!(trial.values[1])),
                trial.user_attrs.get("max_drawdown")
            );
        }
        let front = StudyFront::of(&log, None).unwrap();
        assert!(
            front.members.len() >= 3,
            "{sampler:?}: a front of {}",
            front.members.len()
        );
        assert!(front.hypervolume > 0.0);
        check_golden_journal(golden, &journal, &format!("the {sampler:?} study"));

        if !has_python3() {
            println!("SKIPPED the Optuna half: python3 is not installed");
            continue;
        }
        let dir = interop_dir();
        let python = optuna_python(&dir);
        let path = dir.join(format!("{sampler:?}-export.jsonl"));
        std::fs::write(&path, to_optuna_journal(&log).unwrap()).unwrap();
        let seen = read_with_optuna(&python, &path, "test");
        assert_eq!(
            seen["directions"],
            serde_json::json!(["MAXIMIZE", "MINIMIZE"])
        );
        let mut theirs: Vec<u64> = serde_json::from_value(seen["best_numbers"].clone()).unwrap();
        theirs.sort_unstable();
        let mut ours = front.members.clone();
        ours.sort_unstable();
        assert_eq!(
            theirs, ours,
            "{sampler:?}: Optuna's best_trials are our front"
        );
        for (i, trial) in log.trials.iter().enumerate() {
            if trial.state == genesis_optimizer::TrialState::Complete {
                assert_eq!(seen["all_values"][i], serde_json::json!(trial.values));
            }
        }
    }
}

#[test]
fn tpe_over_sma_cross_spends_200_trials_on_200_distinct_parameter_sets() {
    let candles = demo();
    let plan = plan(&candles, "sma_cross", SMA_SPACE, 42, None);
    let one = run_study(&plan, &candles, 200, 1);
    let two = run_study(&plan, &candles, 200, 2);
    assert_eq!(canonical(&one), canonical(&two), "1 and 2 threads");
    let trials: Vec<_> = one.trials().collect();
    assert_eq!(trials.len(), 200, "no trial number went to a duplicate");
    let distinct: BTreeSet<String> = trials.iter().map(|t| canonical_params(&t.params)).collect();
    assert_eq!(distinct.len(), 200);
}

#[test]
fn a_walk_forward_refuses_objectives_by_name() {
    use genesis_study::folds::{FoldSpec, Length, Mode};
    use genesis_study::walkforward::WalkForwardHeader;

    let candles = short_demo(3_000);
    let mut study = genesis_study::StudyConfig::new("wf", space(SMA_SPACE), 1);
    study.objectives = objectives();
    let spec = FoldSpec {
        mode: Mode::Rolling,
        train: Length::Bars(1_500),
        test: Length::Bars(500),
        step: None,
        gap_bars: 0,
    };
    let err = WalkForwardHeader::new(
        "wf",
        spec,
        study,
        genesis_study::BaseSource::Preset {
            name: "sma_cross".into(),
        },
        preset("sma_cross"),
        "demo.csv",
        &candles,
    )
    .unwrap_err();
    match err {
        genesis_study::StudyError::InvalidSetting { key, message } => {
            assert_eq!(key, "objectives");
            assert!(
                message.contains("a Pareto front has no single best"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Kills the child process it holds when dropped (a failed assertion included).
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` from 127.0.0.1:`port`, the body parsed as JSON; `None` while nothing answers.
fn get_json(port: u16, path: &str) -> Option<serde_json::Value> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    serde_json::from_str(body).ok()
}

#[test]
fn optuna_dashboard_draws_the_front_of_the_export() {
    if !has_python3() {
        println!(
            "SKIPPED optuna_dashboard_draws_the_front_of_the_export: python3 is not installed"
        );
        return;
    }
    let candles = demo();
    let plan = plan_with(SamplerChoice::Nsga2);
    let log = run_study(&plan, &candles, 80, 2).log().unwrap();
    let front = StudyFront::of(&log, None).unwrap();
    let dir = interop_dir();
    let path = dir.join("dashboard-export.jsonl");
    std::fs::write(&path, to_optuna_journal(&log).unwrap()).unwrap();

    let python = optuna::python_with(&dir, &["optuna==5.1.0", "optuna-dashboard"]);
    let dashboard = python.with_file_name("optuna-dashboard");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Server(
        std::process::Command::new(&dashboard)
            .arg(&path)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Ready when it answers; a server that exits fails the test.
    let study = loop {
        if let Some(study) = get_json(port, "/api/studies/0?after=0") {
            break study;
        }
        assert!(
            server.0.try_wait().unwrap().is_none(),
            "optuna-dashboard exited"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(
        study["directions"],
        serde_json::json!(["maximize", "minimize"])
    );
    assert_eq!(
        study["trials"].as_array().map(Vec::len),
        Some(log.trials.len())
    );
    // The dashboard's best trials leave constraints aside; its feasible ones are our front.
    let feasible: Vec<u64> = study["best_trials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_u64().unwrap())
        .filter(|&n| log.trial(n).is_some_and(|t| t.is_feasible()))
        .collect();
    let mut ours = front.members.clone();
    ours.sort_unstable();
    let mut theirs = feasible;
    theirs.sort_unstable();
    assert_eq!(theirs, ours);
}
