"""Our samplers against Optuna 5's on the same trials, for `cargo xtask bench`.

Both sides evaluate the very same objective: Optuna's studies ask for parameters over our
search space (its distributions from `genesis evaluate --describe`) and get each trial's
outcome from a `genesis evaluate` process (a JSON line of parameters in, the trial outcome
out); ours run as `genesis optimize` studies. Constraint violations become Optuna
constraints (`trial.set_constraint`, one per violation count), so both sides' infeasible
trials are never best and never on a front.

- Multi-objective: total return (maximise) against max drawdown (minimise) of the genesis
  preset over `config/optimizer/genesis_tpe.yaml`, 300 trials, 40 seeds (the first 10 are
  the issue's figure; seed-to-seed spread is wide, so all 40 are summarised too); the hypervolume of
  the feasible trials against the reference point (return 0, drawdown 0.5), computed by
  Optuna's `compute_hypervolume` for Optuna's studies and by `genesis study pareto
  --reference 0,0.5` for ours (the two are the same function: the interop tests check it).
- Single-objective: the score of the genesis preset over a dozen continuous parameters
  (`config/optimizer/genesis_dozen.yaml`), 150 trials, 36 seeds (the first 12 and all 36
  summarised); the best feasible score.

Usage: optuna_quality.py GENESIS DATA ROOT OUT_JSON
Prints a table; writes every figure to OUT_JSON. A benchmark: it measures, it asserts
nothing.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import optuna
from optuna._hypervolume import compute_hypervolume
from optuna.distributions import json_to_distribution

GENESIS, DATA, ROOT, OUT = sys.argv[1:5]
MO_SEEDS = range(40)
MO_FIRST = 10
MO_TRIALS = 300
SO_SEEDS = range(36)
SO_FIRST = 12
SO_TRIALS = 150
OBJECTIVES = ["--objective", "total_return:maximize", "--objective", "max_drawdown:minimize"]
REFERENCE = (0.0, 0.5)  # return 0, drawdown 0.5: as losses (-0.0, 0.5)

optuna.logging.set_verbosity(optuna.logging.WARNING)


def space_args(space):
    return ["--space", os.path.join(ROOT, "config/optimizer", space), "--preset", "genesis"]


def run(args):
    out = subprocess.run([GENESIS, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"genesis {' '.join(args)} failed: {out.stdout}{out.stderr}")
    return out.stdout


class Evaluator:
    """A `genesis evaluate` process: parameters in, trial outcome out."""

    def __init__(self, args):
        self.proc = subprocess.Popen(
            [GENESIS, "evaluate", "--data", DATA, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        described = json.loads(run(["evaluate", "--data", DATA, *args, "--describe"]))
        self.distributions = {
            path: json_to_distribution(text) for path, text in described["distributions"].items()
        }

    def __call__(self, params):
        self.proc.stdin.write(json.dumps(params) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        self.proc.wait()


def optuna_study(evaluate, sampler, directions, n_trials):
    """Runs an ask-and-tell study; returns the outcomes in trial order and the time taken."""
    study = optuna.create_study(directions=directions, sampler=sampler)
    outcomes = []
    started = time.perf_counter()
    for _ in range(n_trials):
        trial = study.ask(evaluate.distributions)
        outcome = evaluate(trial.params)
        outcomes.append(outcome)
        if outcome["state"] == "complete":
            trial.set_constraint("violations", float(len(outcome.get("constraint_violations", []))))
            values = outcome["values"] if len(directions) > 1 else outcome["value"]
            study.tell(trial, values)
        else:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
    return outcomes, time.perf_counter() - started


def feasible(outcome):
    return outcome["state"] == "complete" and not outcome.get("constraint_violations")


def hypervolume(outcomes):
    losses = [(-o["values"][0], o["values"][1]) for o in outcomes if feasible(o)]
    reference = np.array([-REFERENCE[0], REFERENCE[1]])
    inside = np.array([l for l in losses if l[0] <= reference[0] and l[1] <= reference[1]])
    if len(inside) == 0:
        return 0.0
    return float(compute_hypervolume(inside, reference))


def ours(space, sampler, seed, n_trials, objectives):
    with tempfile.TemporaryDirectory() as tmp:
        journal = os.path.join(tmp, "study.jsonl")
        started = time.perf_counter()
        run(["optimize", "--data", DATA, *space_args(space), "--sampler", sampler,
             "--seed", str(seed), "--trials", str(n_trials), "--jobs", "1",
             "--study", journal, "--json", *objectives])
        elapsed = time.perf_counter() - started
        if objectives:
            front = json.loads(run(["study", "pareto", journal, "--reference",
                                    f"{REFERENCE[0]},{REFERENCE[1]}", "--json"]))
            return front["hypervolume"], elapsed
        summary = json.loads(run(["study", "summarize", journal, "--json"]))["summary"]
        best = summary.get("best")
        return (best["value"] if best else None), elapsed


def quartiles(values):
    present = sorted(v for v in values if v is not None)
    if len(present) < 2:
        return present[0] if present else None, None, None
    q = statistics.quantiles(present, n=4, method="inclusive")
    return q[0], statistics.median(present), q[2]


def fmt(x):
    return "   -   " if x is None else f"{x:7.4f}"


def main():
    results = {"optuna_version": optuna.__version__}

    mo = Evaluator([*space_args("genesis_tpe.yaml"), *OBJECTIVES])
    rows = {}
    for name, make in [
        ("optuna nsga2", lambda s: optuna.samplers.NSGAIISampler(seed=s)),
        ("optuna tpe", lambda s: optuna.samplers.TPESampler(seed=s)),
    ]:
        rows[name] = []
        for seed in MO_SEEDS:
            outcomes, elapsed = optuna_study(mo, make(seed), ["maximize", "minimize"], MO_TRIALS)
            rows[name].append({"seed": seed, "hypervolume": hypervolume(outcomes), "seconds": elapsed})
    mo.close()
    for name, sampler in [("genesis nsga2", "nsga2"), ("genesis motpe", "motpe")]:
        rows[name] = []
        for seed in MO_SEEDS:
            hv, elapsed = ours("genesis_tpe.yaml", sampler, seed, MO_TRIALS, OBJECTIVES)
            rows[name].append({"seed": seed, "hypervolume": hv, "seconds": elapsed})
    results["multi_objective"] = rows
    print(f"\nHypervolume after {MO_TRIALS} trials (return vs drawdown, reference {REFERENCE})")
    print(f"{'sampler':<16} {'median of seeds 0-' + str(MO_FIRST - 1):>22} {'median':>8} {'q1':>8} "
          f"{'q3':>8} {'s/study':>8}  (all {len(MO_SEEDS)} seeds)")
    for name, runs in rows.items():
        first = statistics.median(r["hypervolume"] for r in runs[:MO_FIRST])
        q1, median, q3 = quartiles([r["hypervolume"] for r in runs])
        seconds = statistics.median(r["seconds"] for r in runs)
        print(f"{name:<16} {first:22.4f} {fmt(median)} {fmt(q1)} {fmt(q3)} {seconds:8.2f}")
        results.setdefault("multi_objective_summary", {})[name] = {
            "median_first_10": first, "median": median, "q1": q1, "q3": q3,
            "median_seconds": seconds}

    so = Evaluator(space_args("genesis_dozen.yaml"))
    theirs = []
    for seed in SO_SEEDS:
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
        outcomes, elapsed = optuna_study(so, sampler, ["maximize"], SO_TRIALS)
        scores = [o["value"] for o in outcomes if feasible(o)]
        theirs.append({"seed": seed, "best": max(scores) if scores else None, "seconds": elapsed})
    so.close()
    mine = []
    for seed in SO_SEEDS:
        best, elapsed = ours("genesis_dozen.yaml", "tpe", seed, SO_TRIALS, [])
        mine.append({"seed": seed, "best": best, "seconds": elapsed})
    results["single_objective"] = {"optuna tpe (multivariate)": theirs, "genesis tpe": mine}
    print(f"\nBest feasible score after {SO_TRIALS} trials over a dozen genesis parameters")
    print(f"{'seed':>4} {'genesis':>8} {'optuna':>8}")
    for a, b in zip(mine, theirs):
        print(f"{a['seed']:>4} {fmt(a['best'])} {fmt(b['best'])}")
    for name, runs in [("genesis tpe", mine), ("optuna tpe", theirs)]:
        for label, some in [(f"seeds 0-{SO_FIRST - 1}", runs[:SO_FIRST]), (f"all {len(runs)}", runs)]:
            q1, median, q3 = quartiles([r["best"] for r in some])
            missed = sum(r["best"] is None for r in some)
            print(f"{name:<12} {label:<11} q1 {fmt(q1)}  median {fmt(median)}  q3 {fmt(q3)}  "
                  f"no feasible trial on {missed} of {len(some)} seeds")
            results.setdefault("single_objective_summary", {})[f"{name}, {label}"] = {
                "median": median, "q1": q1, "q3": q3, "missed": missed}

    with open(OUT, "w") as f:
        json.dump(results, f, indent=1)
    print(f"\nwrote {OUT}")


main()
