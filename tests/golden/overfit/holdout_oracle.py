"""PSR, DSR, minimum track record length and PBO from `holdout-backtest` (PyPI), an
implementation no one here wrote, on random return matrices, as JSON for the Rust test
crates/study/tests/overfit_oracle.rs.

    python holdout_oracle.py SEED

Prints {"returns": [[per-bar returns of trial j] for j], "deflation": {...}, "pbo": {...},
"paper": {...}}: a (bars × trials) matrix with fat tails and a few trials with some skill,
holdout's deflate_trials and probability_of_backtest_overfitting on it (16 blocks), and the
2014 paper's worked example computed by holdout.
"""

import json
import math
import sys

import numpy as np
from holdout.deflated import (
    deflate_trials,
    expected_maximum_sharpe,
    minimum_track_record_length,
    probabilistic_sharpe_ratio,
)
from holdout.pbo import probability_of_backtest_overfitting


def main():
    seed = int(sys.argv[1])
    rng = np.random.default_rng(seed)
    n_bars, n_trials = 640, 40
    # Student-t returns (fat tails), each trial with its own drift and scale.
    returns = rng.standard_t(5, size=(n_bars, n_trials)) * 0.01
    returns += rng.normal(0.0, 0.0008, size=n_trials)
    deflation = deflate_trials(returns)
    pbo = probability_of_backtest_overfitting(returns, n_blocks=16)
    best = deflation.estimate
    slope, _, _ = pbo.degradation
    sr_paper = 2.5 / math.sqrt(250.0)
    sr0 = expected_maximum_sharpe(100, 0.5 / 250.0)
    doc = {
        "returns": returns.T.tolist(),
        "deflation": {
            "selected": deflation.selected,
            "sharpe": best.value,
            "skewness": best.skewness,
            "kurtosis": best.kurtosis,
            "trials_variance": deflation.trials_variance,
            "expected_max_sharpe": deflation.expected_maximum,
            "psr": deflation.probabilistic,
            "dsr": deflation.deflated,
            "min_trl": minimum_track_record_length(
                best.value, confidence=0.95, skewness=best.skewness, kurtosis=best.kurtosis
            )
            if best.value > 0
            else None,
        },
        "pbo": {
            "pbo": pbo.pbo,
            "logits": pbo.logits.tolist(),
            "in_sample": pbo.in_sample.tolist(),
            "out_of_sample": pbo.out_of_sample.tolist(),
            "slope": slope,
            "probability_of_loss": pbo.probability_of_loss,
        },
        "paper": {
            "sr0": sr0,
            "dsr": probabilistic_sharpe_ratio(
                sr_paper, 1250, benchmark=sr0, skewness=-3.0, kurtosis=10.0
            ),
        },
    }
    print(json.dumps(doc))


if __name__ == "__main__":
    main()
