//! Our non-domination ranks, Pareto fronts, hypervolumes and hypervolume subset selections
//! against Optuna 5's own functions (`_fast_non_domination_rank`, `_is_pareto_front`,
//! `compute_hypervolume`, `_solve_hssp`, run by `tests/support/optuna_pareto.py` in the
//! interop virtualenv) on fixed point sets: two to four objectives, integer coordinates
//! (many ties and equal points) and real ones, with and without constraint penalties and a
//! cut-off `n_below`. Ranks, fronts and selections must be equal; hypervolumes equal
//! exactly on integer points (every partial sum is exact) and to 1e-12 relative on real
//! ones (NumPy sums with BLAS, in its own order). Skips, saying so, only when `python3` is
//! not installed.

#[path = "../../../tests/support/optuna.rs"]
mod optuna;

use std::process::{Command, Stdio};

use genesis_optimizer::pareto::{
    hypervolume, hypervolume_subset, nondomination_ranks, pareto_front, reference_point,
};
use genesis_optimizer::rng::TrialRng;
use optuna::{has_python3, interop_dir, python_with};
use serde_json::{json, Value};

struct Case {
    points: Vec<Vec<f64>>,
    penalty: Option<Vec<f64>>,
    n_below: Option<usize>,
    reference: Vec<f64>,
    subset_size: usize,
    is_integer: bool,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for seed in 0..60u64 {
        let mut rng = TrialRng::new(seed, 7);
        let width = 2 + (seed % 3) as usize;
        let n = 1 + rng.below(if width == 4 { 24 } else { 60 }) as usize;
        let is_integer = seed % 2 == 0;
        let points: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                (0..width)
                    .map(|_| {
                        if is_integer {
                            rng.below(8) as f64
                        } else {
                            rng.uniform() * 10.0 - 3.0
                        }
                    })
                    .collect()
            })
            .collect();
        let penalty = (seed % 3 == 1).then(|| {
            (0..n)
                .map(|_| {
                    if rng.uniform() < 0.3 {
                        1.0 + rng.below(3) as f64
                    } else {
                        0.0
                    }
                })
                .collect()
        });
        let n_below = (seed % 4 == 3).then(|| 1 + rng.below(n as u64) as usize);
        let reference = (0..width)
            .map(|j| {
                points
                    .iter()
                    .map(|p| p[j])
                    .fold(f64::NEG_INFINITY, f64::max)
                    + 1.5
            })
            .collect();
        cases.push(Case {
            subset_size: 1 + rng.below(n as u64) as usize,
            points,
            penalty,
            n_below,
            reference,
            is_integer,
        });
    }
    cases
}

#[test]
fn ranks_fronts_and_hypervolumes_equal_optunas() {
    if !has_python3() {
        println!("SKIPPED ranks_fronts_and_hypervolumes_equal_optunas: python3 is not installed");
        return;
    }
    let python = python_with(&interop_dir(), &["optuna==5.1.0"]);
    let cases = cases();
    let input: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({"points": c.points, "penalty": c.penalty, "n_below": c.n_below,
                   "reference": c.reference, "subset_size": c.subset_size})
        })
        .collect();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/support/optuna_pareto.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    serde_json::to_writer(stdin, &input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "optuna_pareto.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_slice(&output.stdout).unwrap();
    println!(
        "Optuna {} answered {} cases",
        seen["optuna_version"],
        cases.len()
    );
    let answers = seen["answers"].as_array().unwrap();
    assert_eq!(answers.len(), cases.len());
    let mut n_ties = 0;
    for (i, (case, answer)) in cases.iter().zip(answers).enumerate() {
        let ranks = nondomination_ranks(&case.points, case.penalty.as_deref(), case.n_below);
        let theirs: Vec<usize> = serde_json::from_value(answer["ranks"].clone()).unwrap();
        assert_eq!(ranks, theirs, "case {i}: ranks");
        let front = pareto_front(&case.points);
        let theirs: Vec<bool> = serde_json::from_value(answer["front"].clone()).unwrap();
        assert_eq!(front, theirs, "case {i}: front");

        let hv = hypervolume(&case.points, &case.reference).unwrap();
        let theirs = answer["hypervolume"].as_f64().unwrap();
        if case.is_integer {
            assert_eq!(hv, theirs, "case {i}: hypervolume");
        } else {
            assert!(
                (hv - theirs).abs() <= 1e-12 * theirs.abs(),
                "case {i}: hypervolume {hv} vs {theirs}"
            );
        }

        let on_front: Vec<usize> = (0..front.len()).filter(|&j| front[j]).collect();
        let front_points: Vec<Vec<f64>> =
            on_front.iter().map(|&j| case.points[j].clone()).collect();
        let tie_reference = reference_point(&front_points);
        let theirs: Vec<f64> = serde_json::from_value(answer["tie_reference"].clone()).unwrap();
        assert_eq!(tie_reference, theirs, "case {i}: reference point");
        let size = case.subset_size.min(on_front.len());
        let subset = hypervolume_subset(&front_points, &on_front, size, &tie_reference);
        let theirs: Vec<usize> = serde_json::from_value(answer["subset"].clone()).unwrap();
        assert_eq!(
            subset,
            theirs,
            "case {i}: subset of {size} from {} front points",
            on_front.len()
        );
        if ranks
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            < ranks.len()
        {
            n_ties += 1;
        }
    }
    // The cases exercise what they claim: shared ranks, penalties, cut-offs.
    assert!(n_ties > 40, "only {n_ties} cases with shared ranks");
    assert!(cases
        .iter()
        .any(|c| c.penalty.is_some() && c.n_below.is_some()));
}
