"""Optuna 5's own answers for fixed point sets: non-domination ranks, Pareto fronts,
hypervolumes and hypervolume subset selections. Reads a JSON list of cases on stdin and
prints a JSON list of answers; the optimizer's pareto tests compare ours with them."""

import json
import sys

import numpy as np
import optuna
from optuna._hypervolume import compute_hypervolume
from optuna._hypervolume.hssp import _solve_hssp
from optuna.study._multi_objective import _fast_non_domination_rank, _is_pareto_front
from optuna.samplers._tpe.sampler import _get_reference_point


def answer(case):
    points = np.asarray(case["points"], dtype=float)
    penalty = case.get("penalty")
    penalty = None if penalty is None else np.asarray(penalty, dtype=float)
    ranks = _fast_non_domination_rank(points, penalty=penalty, n_below=case.get("n_below"))
    front = _is_pareto_front(points, assume_unique_lexsorted=False)
    reference = np.asarray(case["reference"], dtype=float)
    hv = compute_hypervolume(points, reference)
    # The subset selection runs, as in TPE, over the points of one rank: the front.
    on_front = np.flatnonzero(front)
    tie_reference = _get_reference_point(points[on_front])
    size = min(case["subset_size"], len(on_front))
    subset = _solve_hssp(points[on_front], on_front, size, tie_reference)
    return {
        "ranks": [int(r) for r in ranks],
        "front": [bool(f) for f in front],
        "hypervolume": float(hv),
        "tie_reference": [float(r) for r in tie_reference],
        "subset": [int(i) for i in subset],
    }


cases = json.load(sys.stdin)
print(json.dumps({"optuna_version": optuna.__version__, "answers": [answer(c) for c in cases]}))
