"""Fitting the parameters marked ``calibrated`` to survey targets with optuna.

Loss: the sum over targets of the squared error in percentage points between the model
(one run of the scenario at the given scale and seed) and the target. The study is stored in
SQLite, so a calibration started again with the same folder goes on from its trials.
"""

from __future__ import annotations

from pathlib import Path

import optuna
import pandas as pd

from model.config import Scenario, validate_scenario
from model.defaults import DEFAULTS
from model.model import ECDModel
from model.targets import model_values

# Parameters fitted, with their search ranges. Each is marked "calibrated" in defaults.py;
# the ranges are wide bands around the hand-tuned defaults (no evidence gives them).
SEARCH_SPACE = {
    "haz_birth_mean": (-0.6, 0.2),        # A3: below 0 at birth
    "haz_falter_base": (0.0, 0.03),        # z per month, 0-23 m
    "haz_falter_poor": (0.0, 0.04),
    "haz_falter_rural": (0.0, 0.04),
    "hb_iron_gap_deficit": (0.8, 3.0),     # g/dL at a complete iron gap
    "iron_gap_poor": (0.0, 0.4),
    "hb_infection_drop": (0.1, 0.8),       # B12: infection OR 1.6
    "schooling_trend_sd_per_year": (0.0, 0.1),  # no schooling series: fitted to the trend
}


def run_once(scenario: Scenario, parameters: dict) -> pd.DataFrame:
    """Results of one run of ``scenario`` with ``parameters`` overriding its own."""
    body = scenario.model_dump(mode="json")
    body["parameters"] = {**body.get("parameters", {}), **parameters}
    model = ECDModel(validate_scenario(body, source=f"calibration of {scenario.name}"))
    for _ in range(model.scenario.months):
        model.step()
    return model.results()


def loss(results: pd.DataFrame, targets: pd.DataFrame) -> float:
    """Sum of squared errors (percentage points) over the targets the run reached."""
    values = model_values(results, targets)
    if values.empty:
        return float("inf")
    merged = values.merge(targets[["value_percent"]], left_on="target", right_index=True)
    return float(((merged["model"] - merged["value_percent"]) ** 2).sum())


def calibrate(scenario: Scenario, targets: pd.DataFrame, out: Path, trials: int,
              seed: int = 1, on_trial=None) -> optuna.Study:
    """Run (or resume) the optuna study in ``out/study.db`` until it has ``trials`` trials."""
    out.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name=f"calibrate-{scenario.name}",
                                storage=f"sqlite:///{out / 'study.db'}", load_if_exists=True,
                                direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    if not study.trials:  # start from the hand-tuned defaults
        study.enqueue_trial({name: getattr(DEFAULTS, name) for name in SEARCH_SPACE})

    def objective(trial: optuna.Trial) -> float:
        parameters = {name: trial.suggest_float(name, low, high)
                      for name, (low, high) in SEARCH_SPACE.items()}
        return loss(run_once(scenario, parameters), targets)

    done = len([t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE])
    remaining = max(0, trials - done)
    callbacks = [lambda study, trial: on_trial(study, trial)] if on_trial else []
    if remaining:
        study.optimize(objective, n_trials=remaining, callbacks=callbacks)
    return study


def fitted_table(study: optuna.Study) -> pd.DataFrame:
    """Each fitted parameter: default, fitted value and search range."""
    best = study.best_params
    return pd.DataFrame([{"parameter": name, "default": getattr(DEFAULTS, name),
                          "fitted": best[name], "range_low": low, "range_high": high}
                         for name, (low, high) in SEARCH_SPACE.items()])
