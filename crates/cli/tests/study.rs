//! `genesis optimize`, `genesis study ...` and `genesis champion ...` end to end: exit
//! codes, JSON documents, files written and not written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn genesis(args: &[&str]) -> Output {
    genesis_in(None, args)
}

fn genesis_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_genesis"));
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command.output().expect("the genesis binary runs")
}

fn stdout_json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON document ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn config_file(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../config/optimizer")
        .join(name)
        .display()
        .to_string()
}

/// A fresh directory with the demo data (17,278 hourly bars) in `demo.csv`.
struct Workdir {
    dir: PathBuf,
}

impl Workdir {
    fn new(name: &str) -> Workdir {
        let dir =
            std::env::temp_dir().join(format!("genesis-study-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let out = genesis(&[
            "data",
            "synth",
            "--out",
            &dir.join("demo.csv").display().to_string(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        Workdir { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// `genesis optimize` over the demo data with the genesis preset and its TPE space.
    fn optimize(&self, study: &str, extra: &[&str]) -> Output {
        let data = self.path("demo.csv");
        let study = self.path(study);
        let space = config_file("genesis_tpe.yaml");
        let mut args = vec![
            "optimize", "--data", &data, "--space", &space, "--study", &study, "--symbol", "DEMO",
            "--jobs", "2",
        ];
        args.extend_from_slice(extra);
        genesis_in(Some(&self.dir), &args)
    }

    /// A finished, validated study of 30 trials.
    fn explored(&self, study: &str) -> serde_json::Value {
        let out = self.optimize(
            study,
            &[
                "--preset",
                "genesis",
                "--trials",
                "30",
                "--split",
                "0.7",
                "--validate-top",
                "3",
                "--min-oos-score",
                "-100",
                // Lenient: these tests are about promotion, not the default rule.
                "--max-degradation",
                "100",
                "--json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout_json(&out)
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn optimize_runs_journals_validates_and_refuses_to_overwrite() {
    let w = Workdir::new("optimize");
    let doc = w.explored("s.jsonl");
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["stop_reason"]["kind"], "max_trials");
    assert_eq!(doc["validation"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        doc["base"],
        serde_json::json!({"kind": "preset", "name": "genesis"})
    );
    let journal = std::fs::read_to_string(w.path("s.jsonl")).unwrap();
    // Header, 30 trials, a stop marker and 3 validations at least.
    assert!(journal.lines().count() >= 35, "{journal}");
    assert!(
        journal
            .lines()
            .filter(|l| l.contains("\"op\":\"trial_attrs\""))
            .count()
            == 3
    );

    let again = w.optimize("s.jsonl", &["--preset", "genesis", "--trials", "30"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--resume"), "{}", stderr(&again));
}

#[test]
fn a_resume_extends_the_study_and_a_changed_setting_is_refused_by_name() {
    let w = Workdir::new("resume");
    w.explored("s.jsonl");
    let out = w.optimize("s.jsonl", &["--resume", "--trials", "40", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = stdout_json(&out);
    let counts = &doc["counts"];
    let evaluated = ["complete", "pruned", "failed"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(evaluated, 40);

    let out = w.optimize("s.jsonl", &["--resume", "--trials", "50", "--seed", "7"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sampler"), "{}", stderr(&out));
    let out = w.optimize(
        "s.jsonl",
        &["--resume", "--trials", "50", "--preset", "sma_cross"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("base_config") || stderr(&out).contains("search space"),
        "{}",
        stderr(&out)
    );
    let out = w.optimize("s.jsonl", &["--resume", "--trials", "50", "--split", "0.8"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("windows"), "{}", stderr(&out));
    let out = w.optimize("nothing.jsonl", &["--resume", "--trials", "5"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_new_study_without_an_explicit_base_or_with_a_bad_space_stops_before_any_trial() {
    let w = Workdir::new("preflight");
    let out = w.optimize("s.jsonl", &["--trials", "5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--preset NAME, --config FILE or --champion"),
        "{}",
        stderr(&out)
    );

    let space = w.path("bad_space.yaml");
    std::fs::write(
        &space,
        "thresholds:\n  entry_conf_overal: {type: float, low: 0.3, high: 0.5}\n",
    )
    .unwrap();
    let study = w.path("s.jsonl");
    let data = w.path("demo.csv");
    let out = genesis(&[
        "optimize", "--data", &data, "--space", &space, "--preset", "genesis", "--study", &study,
        "--trials", "5", "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let doc = stdout_json(&out);
    assert_eq!(doc["ok"], false);
    let message = doc["error"].as_str().unwrap();
    assert!(message.contains("bad_space.yaml"), "{message}");
    assert!(
        message.contains("did you mean `thresholds.entry_conf_overall`"),
        "{message}"
    );
    assert!(
        !Path::new(&study).exists(),
        "no journal is created before the preflight passes"
    );
}

#[test]
fn summarize_replay_export_and_import() {
    let w = Workdir::new("summarize");
    let run = w.explored("s.jsonl");
    let study = w.path("s.jsonl");
    let best = run["best"]["number"].as_u64().unwrap();

    let out = genesis(&["study", "summarize", &study, "--top", "3", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = stdout_json(&out);
    assert_eq!(doc["summary"]["best"]["number"].as_u64(), Some(best));
    assert_eq!(doc["summary"]["top"].as_array().map(Vec::len), Some(3));
    let overfitting = &doc["overfitting"];
    assert_eq!(overfitting["best_trial"].as_u64(), Some(best));
    let dsr = overfitting["deflation"]["dsr"].as_f64().expect("a DSR");
    let pbo = overfitting["pbo"]["pbo"].as_f64().expect("a PBO");
    assert!((0.0..=1.0).contains(&dsr) && (0.0..=1.0).contains(&pbo));
    let text = genesis(&["study", "summarize", &study]);
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("parameter importance"));
    assert!(text.contains(&format!("DSR {dsr:.4}")), "{text}");
    assert!(text.contains("a fluke of selection among"), "{text}");

    let out = genesis(&[
        "study",
        "replay",
        &study,
        "--trial",
        &best.to_string(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = stdout_json(&out);
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["report"]["is_identical"], true);
    let text = genesis(&["study", "replay", &study, "--trial", &best.to_string()]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("identical: every stored number"));

    // A journal whose stored sharpe was edited no longer replays: exit 1, one document.
    let journal = std::fs::read_to_string(&study).unwrap();
    let tampered_path = w.path("tampered.jsonl");
    let tampered: String = journal
        .lines()
        .map(|line| {
            if line.contains(&format!("\"number\":{best},")) && line.contains("\"op\":\"trial\"") {
                line.replacen("\"n_trades\":", "\"n_trades\":1", 1)
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(&tampered_path, tampered).unwrap();
    let out = genesis(&[
        "study",
        "replay",
        &tampered_path,
        "--trial",
        &best.to_string(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = stdout_json(&out);
    assert_eq!(doc["ok"], false);
    assert!(stderr(&out).contains("n_trades"), "{}", stderr(&out));

    let out = genesis(&["study", "replay", &study, "--trial", "99999"]);
    assert_eq!(out.status.code(), Some(2));

    let optuna = w.path("optuna.jsonl");
    let out = genesis(&[
        "study",
        "export",
        &study,
        "--format",
        "optuna-journal",
        "--out",
        &optuna,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = genesis(&["study", "export", &study, "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(csv.lines().count(), 31, "a header and one row per trial");
    assert!(csv.lines().next().unwrap().contains("user_attrs_sharpe"));

    let imported = w.path("imported.jsonl");
    let out = genesis(&["study", "import", &optuna, "--out", &imported]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = genesis(&["study", "summarize", &imported, "--json"]);
    assert_eq!(
        stdout_json(&out)["summary"]["best"]["number"].as_u64(),
        Some(best)
    );
    let out = genesis(&["study", "import", &optuna, "--out", &imported]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an existing file is not overwritten"
    );
}

#[test]
fn champions_promote_only_validated_trials_export_and_roll_back() {
    let w = Workdir::new("champion");
    let run = w.explored("s.jsonl");
    let study = w.path("s.jsonl");
    let passed: Vec<u64> = run["validation"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["is_passed"] == true)
        .map(|v| v["trial"].as_u64().unwrap())
        .collect();
    assert!(passed.len() >= 2, "{run}");
    let validated: Vec<u64> = run["validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["trial"].as_u64().unwrap())
        .collect();
    let journal = std::fs::read_to_string(&study).unwrap();
    let unvalidated = (0..30u64)
        .find(|n| !validated.contains(n) && journal.contains(&format!("\"number\":{n},\"params\"")))
        .unwrap();

    let dir = Some(w.dir.as_path());
    let out = genesis_in(
        dir,
        &[
            "champion",
            "promote",
            "--study",
            &study,
            "--trial",
            &unvalidated.to_string(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = stdout_json(&out);
    assert!(doc["error"].as_str().unwrap().contains("refused"), "{doc}");
    assert!(!w.dir.join("champions.json").exists());

    // A deflated Sharpe ratio above 1 cannot be met: refused, naming the figure.
    let out = genesis_in(
        dir,
        &[
            "champion",
            "promote",
            "--study",
            &study,
            "--trial",
            &passed[0].to_string(),
            "--min-dsr",
            "1.01",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error = stdout_json(&out)["error"].as_str().unwrap().to_string();
    assert!(error.contains("min_dsr 1.01"), "{error}");
    assert!(!w.dir.join("champions.json").exists());

    let out = genesis_in(
        dir,
        &[
            "champion",
            "promote",
            "--study",
            &study,
            "--trial",
            &passed[0].to_string(),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let champion = stdout_json(&out)["champion"].clone();
    assert_eq!(champion["symbol"], "DEMO");
    assert_eq!(champion["timeframe"], "1h");
    assert!(
        w.dir.join("champions.json").exists(),
        "the default file is in the current directory"
    );

    let out = genesis_in(
        dir,
        &[
            "champion",
            "show",
            "--symbol",
            "DEMO",
            "--timeframe",
            "1h",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout_json(&out)["champions"][0]["history"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // The exported YAML backtests to the champion's fingerprint.
    let yaml = w.path("champion.yaml");
    let out = genesis_in(
        dir,
        &[
            "champion",
            "export",
            "--symbol",
            "DEMO",
            "--timeframe",
            "1h",
            "--out",
            &yaml,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = genesis(&[
        "backtest",
        "--data",
        &w.path("demo.csv"),
        "--config",
        &yaml,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout_json(&out)["config_fingerprint"],
        champion["fingerprint"]
    );

    let out = genesis_in(
        dir,
        &[
            "champion",
            "rollback",
            "--symbol",
            "DEMO",
            "--timeframe",
            "1h",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "one champion: nothing to roll back to"
    );
    let out = genesis_in(
        dir,
        &[
            "champion",
            "promote",
            "--study",
            &study,
            "--trial",
            &passed[1].to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = genesis_in(
        dir,
        &[
            "champion",
            "rollback",
            "--symbol",
            "DEMO",
            "--timeframe",
            "1h",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["champion"]["trial"], champion["trial"]);

    // A study based on the current champion records it as its base.
    let out = w.optimize(
        "from_champion.jsonl",
        &["--champion", "--trials", "3", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = stdout_json(&out);
    assert_eq!(doc["base"]["kind"], "champion");
    assert_eq!(doc["base_fingerprint"], champion["fingerprint"]);
}

#[test]
fn refine_creates_a_linked_child_that_optimize_resumes() {
    let w = Workdir::new("refine");
    w.explored("s.jsonl");
    let child = w.path("fine.jsonl");
    let out = genesis(&[
        "study",
        "refine",
        &w.path("s.jsonl"),
        "--top",
        "5",
        "--out",
        &child,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = stdout_json(&out);
    assert_eq!(doc["parent"]["study_name"], "s");
    assert_eq!(doc["parent"]["trials"].as_array().map(Vec::len), Some(5));
    let out = genesis_in(
        Some(&w.dir),
        &[
            "optimize",
            "--study",
            &child,
            "--resume",
            "--data",
            &w.path("demo.csv"),
            "--trials",
            "5",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = genesis(&["study", "summarize", &child]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("refined from study s"));
    let out = genesis(&[
        "study",
        "refine",
        &w.path("s.jsonl"),
        "--top",
        "5",
        "--out",
        &child,
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an existing child is not overwritten"
    );
}

#[test]
fn every_study_command_has_help() {
    for args in [
        vec!["optimize", "--help"],
        vec!["study", "--help"],
        vec!["study", "summarize", "--help"],
        vec!["study", "replay", "--help"],
        vec!["study", "export", "--help"],
        vec!["study", "import", "--help"],
        vec!["study", "refine", "--help"],
        vec!["champion", "--help"],
        vec!["champion", "show", "--help"],
        vec!["champion", "promote", "--help"],
        vec!["champion", "rollback", "--help"],
        vec!["champion", "export", "--help"],
    ] {
        let out = genesis(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn bench_reports_the_optimizer_workloads_per_trial() {
    for (only, n_trials, n_bars) in [
        ("tpe_overhead_500", 500, 0),
        ("study_tpe_200_trials_2_jobs", 200, 17_278),
    ] {
        let out = genesis(&["bench", "--only", only, "--repeats", "1", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let doc = stdout_json(&out);
        let workloads = doc["workloads"].as_array().unwrap();
        assert_eq!(workloads.len(), 1, "{doc}");
        let w = &workloads[0];
        assert_eq!(w["name"], only);
        assert_eq!(w["n_trials"], n_trials);
        assert_eq!(w["n_bars"], n_bars);
        let per_trial = w["ms_per_trial"].as_f64().unwrap();
        let min_ms = w["min_ms"].as_f64().unwrap();
        assert!((per_trial * n_trials as f64 - min_ms).abs() <= 1e-9 * min_ms.max(1.0));
    }
}

#[test]
fn the_independent_tpe_sampler_runs_and_refused_choices_name_their_option() {
    let w = Workdir::new("choices");
    let out = w.optimize(
        "s.jsonl",
        &[
            "--preset",
            "genesis",
            "--trials",
            "3",
            "--sampler",
            "tpe-independent",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let journal = std::fs::read_to_string(w.path("s.jsonl")).unwrap();
    let header: serde_json::Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    let sampler = &header["settings"]["sampler"];
    assert_eq!(sampler["kind"], "tpe", "{header}");
    assert_eq!(sampler["multivariate"], false, "{header}");

    for (extra, flag) in [
        (&["--split", "1.5"][..], "--split:"),
        (&["--timeout", "0"][..], "--timeout:"),
        (&["--end-at", "soon"][..], "--end-at:"),
        (&["--pruner", "sha", "--checkpoints", "1"][..], "--pruner:"),
        (&["--validate-top", "3"][..], "--validate-top:"),
    ] {
        let mut args = vec!["--preset", "genesis", "--trials", "3"];
        args.extend_from_slice(extra);
        let out = w.optimize("refused.jsonl", &args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(flag), "{extra:?}: {}", stderr(&out));
        assert!(
            !std::path::Path::new(&w.path("refused.jsonl")).exists(),
            "{extra:?} left a journal"
        );
    }
}

#[test]
fn walkforward_runs_resumes_reports_and_exports_its_folds() {
    let w = Workdir::new("walkforward");
    let data = w.path("demo.csv");
    let out = w.path("wf.jsonl");
    let space = config_file("sma_cross.yaml");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "walkforward",
            "--data",
            &data,
            "--space",
            &space,
            "--preset",
            "sma_cross",
            "--mode",
            "anchored",
            "--train",
            "60d",
            "--test",
            "3000",
            "--trials",
            "12",
            "--jobs",
            "2",
            "--out",
            &out,
            "--json",
        ];
        args.extend_from_slice(extra);
        genesis(&args)
    };
    let first = run(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let doc = stdout_json(&first);
    assert_eq!(doc["complete"], true);
    let folds = doc["report"]["folds"].as_array().unwrap();
    assert!(folds.len() >= 4, "{}", doc["report"]["n_folds"]);
    // Anchored: every fold trains from the first bar.
    assert!(folds.iter().all(|f| f["train"][0] == 0), "{folds:?}");
    assert!(doc["report"]["stitched"]["total_return"].is_number());

    // The same file again is refused without --resume; with it, nothing is left to run.
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--resume"), "{}", stderr(&again));
    let resumed = run(&["--resume"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert_eq!(stdout_json(&resumed)["report"], doc["report"]);
    let other = run(&["--resume", "--gap", "5"]);
    assert_eq!(other.status.code(), Some(2));
    assert!(stderr(&other).contains("folds"), "{}", stderr(&other));

    // The report reads the journal alone, and exports the folds.
    let dir = w.path("export");
    let report = genesis(&[
        "walkforward",
        "report",
        &out,
        "--json",
        "--export-dir",
        &dir,
    ]);
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    assert_eq!(stdout_json(&report)["report"], doc["report"]);
    let csv = std::fs::read_to_string(Path::new(&dir).join("folds.csv")).unwrap();
    assert_eq!(csv.lines().count(), folds.len() + 1);
    let journal = std::fs::read_to_string(Path::new(&dir).join("fold_1.optuna.jsonl")).unwrap();
    // One study attribute per line (Optuna 5 replays no other way).
    let tries = journal
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|op| op["op_code"] == 2 && op["user_attr"].get("genesis_tries").is_some())
        .unwrap_or_else(|| panic!("no genesis_tries attribute in {journal}"));
    assert!(tries["user_attr"]["genesis_tries"].is_number(), "{tries}");
    assert_eq!(tries["user_attr"].as_object().map(|a| a.len()), Some(1));
    let text = genesis(&["walkforward", "report", &out]);
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("walk-forward efficiency"), "{text}");
    assert!(
        text.contains("buy and hold over the same windows"),
        "{text}"
    );

    // Any fold replays bit for bit from the journal and the data; a tampered one does not.
    let replay = genesis(&[
        "walkforward",
        "replay",
        &out,
        "--fold",
        "2",
        "--data",
        &data,
        "--json",
    ]);
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    assert_eq!(stdout_json(&replay)["ok"], true);
    let journal = std::fs::read_to_string(&out).unwrap();
    let tampered = w.path("tampered.jsonl");
    let edited: Vec<String> = journal
        .lines()
        .map(|line| {
            if line.starts_with("{\"wf\":\"fold\"") && line.contains("\"index\":1,") {
                line.replacen("\"n_trades\":", "\"n_trades\":1", 1)
            } else {
                line.to_string()
            }
        })
        .collect();
    std::fs::write(&tampered, edited.join("\n") + "\n").unwrap();
    let replay = genesis(&[
        "walkforward",
        "replay",
        &tampered,
        "--fold",
        "2",
        "--data",
        &data,
    ]);
    assert_eq!(replay.status.code(), Some(1), "{}", stderr(&replay));
    assert!(String::from_utf8_lossy(&replay.stdout).contains("DIFFERS"));
    let missing = genesis(&["walkforward", "replay", &out, "--fold", "99"]);
    assert_eq!(missing.status.code(), Some(2));

    // Bad lengths name their option.
    let bad = genesis(&[
        "walkforward",
        "--data",
        &data,
        "--space",
        &space,
        "--preset",
        "sma_cross",
        "--train",
        "3 months",
        "--test",
        "500",
        "--out",
        &w.path("bad.jsonl"),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--train"), "{}", stderr(&bad));
    assert!(
        !Path::new(&w.path("bad.jsonl")).exists(),
        "no journal for a refused set-up"
    );
}

#[test]
fn a_two_objective_study_lists_its_front_exports_it_to_optuna_and_imports_it_back() {
    let w = Workdir::new("pareto");
    let objectives = [
        "--objective",
        "total_return:maximize",
        "--objective",
        "max_drawdown:minimize",
    ];
    let mut args = vec![
        "--preset",
        "genesis",
        "--trials",
        "60",
        "--sampler",
        "motpe",
        "--split",
        "0.7",
        "--validate-top",
        "2",
        "--json",
    ];
    args.extend_from_slice(&objectives);
    let out = w.optimize("mo.jsonl", &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = stdout_json(&out);
    let members: Vec<u64> = serde_json::from_value(doc["front"]["members"].clone()).unwrap();
    assert!(!members.is_empty(), "{doc}");
    // Validation ran on the first front members.
    let validated: Vec<u64> = doc["validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["trial"].as_u64().unwrap())
        .collect();
    assert_eq!(validated, members[..validated.len()].to_vec());

    let pareto = genesis(&[
        "study",
        "pareto",
        &w.path("mo.jsonl"),
        "--reference",
        "0,0.5",
        "--json",
    ]);
    assert_eq!(pareto.status.code(), Some(0), "{}", stderr(&pareto));
    let front = stdout_json(&pareto);
    let listed: Vec<u64> = front["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["number"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, members);
    assert_eq!(front["reference"], serde_json::json!([0.0, 0.5]));
    assert_eq!(front["is_reference_given"], true);
    let history = front["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["hypervolume"], front["hypervolume"]);
    let text = genesis(&["study", "summarize", &w.path("mo.jsonl")]);
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.contains(&format!(
            "pareto front: {} trials over total_return:maximize, max_drawdown:minimize",
            members.len()
        )),
        "{text}"
    );

    // The Optuna export carries the directions and every value; read back, it is the study.
    let export = w.path("mo.optuna.jsonl");
    let out = genesis(&[
        "study",
        "export",
        &w.path("mo.jsonl"),
        "--format",
        "optuna-journal",
        "--out",
        &export,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&export).unwrap();
    let create: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(create["directions"], serde_json::json!([2, 1]));
    let back = w.path("back.jsonl");
    let out = genesis(&["study", "import", &export, "--out", &back]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let again = genesis(&["study", "pareto", &back, "--reference", "0,0.5", "--json"]);
    assert_eq!(stdout_json(&again)["members"], front["members"]);

    // What cannot be asked is refused by the option's name.
    for (extra, flag, words) in [
        (
            vec![objectives[2], objectives[3], "--pruner", "median"],
            "--pruner",
            "cannot be pruned",
        ),
        (
            vec!["--objective", "drawdown:minimize"],
            "--objective",
            "`drawdown` is not a metric",
        ),
        (vec![], "--objective", "not 1"),
    ] {
        let mut args = vec!["--preset", "genesis", "--trials", "5"];
        args.extend_from_slice(&objectives[..2]);
        args.extend(extra.iter().copied());
        let out = w.optimize("refused.jsonl", &args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let message = stderr(&out);
        assert!(
            message.contains(flag) && message.contains(words),
            "{message}"
        );
    }
    let single = genesis(&["study", "pareto", &w.path("refused.jsonl")]);
    assert_eq!(single.status.code(), Some(2));
}

#[test]
fn evaluate_answers_each_line_of_parameters_with_its_outcome() {
    let w = Workdir::new("evaluate");
    let data = w.path("demo.csv");
    let space = config_file("sma_cross.yaml");
    let base = [
        "evaluate",
        "--data",
        &data,
        "--space",
        &space,
        "--preset",
        "sma_cross",
    ];
    let described = genesis(&[&base[..], &["--describe"]].concat());
    assert_eq!(described.status.code(), Some(0), "{}", stderr(&described));
    let doc = stdout_json(&described);
    assert!(doc["distributions"]["fast_period"]
        .as_str()
        .unwrap()
        .contains("IntDistribution"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_genesis"))
        .args(base)
        .args([
            "--objective",
            "total_return:max",
            "--objective",
            "max_drawdown:min",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"{\"fast_period\": 10, \"slow_period\": 60}\n{\"fast_period\": 99, \"slow_period\": 60}\nnot json\n")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["state"], "complete");
    assert_eq!(lines[0]["values"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        lines[0]["values"][0],
        lines[0]["user_attrs"]["total_return"]
    );
    assert_eq!(lines[1]["state"], "failed");
    assert!(
        lines[1]["reason"].as_str().unwrap().contains("fast_period"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2]["reason"]
            .as_str()
            .unwrap()
            .contains("not a JSON object"),
        "{}",
        lines[2]
    );
}
