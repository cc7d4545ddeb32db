"""Loads a study from an Optuna journal file with real Optuna and prints what it sees as JSON.

Usage: python read_optuna_journal.py JOURNAL STUDY_NAME

Shared by the optimizer's and the study crate's interop tests (through
`tests/support/optuna.rs`): each reads the fields it checks.
"""

import json
import sys

import optuna
from optuna.storages import JournalStorage

try:
    from optuna.storages.journal import JournalFileBackend
except ImportError:  # Optuna 3.x
    from optuna.storages import JournalFileStorage as JournalFileBackend

optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = JournalStorage(JournalFileBackend(sys.argv[1]))
study = optuna.load_study(study_name=sys.argv[2], storage=storage)
trials = study.get_trials(deepcopy=False)
is_multi = len(study.directions) > 1
best = study.best_trials if is_multi else [study.best_trial]
print(json.dumps({
    "optuna_version": optuna.__version__,
    "direction": None if is_multi else study.direction.name,
    "directions": [d.name for d in study.directions],
    "best_numbers": [t.system_attrs.get("genesis_number") for t in best],
    "all_values": [t.values for t in trials],
    "n_trials": len(trials),
    "states": [t.state.name for t in trials],
    "values": [None if is_multi else t.value for t in trials],
    "params": [t.params for t in trials],
    "intermediate": [{str(k): v for k, v in t.intermediate_values.items()} for t in trials],
    "numbers": [t.system_attrs.get("genesis_number") for t in trials],
    "fingerprints": [t.user_attrs.get("fingerprint") for t in trials],
    "sharpes": [t.user_attrs.get("sharpe") for t in trials],
    "validations": [t.user_attrs.get("validation") for t in trials],
    "best_value": None if is_multi else study.best_value,
    "best_number": best[0].system_attrs.get("genesis_number") if best else None,
}))
