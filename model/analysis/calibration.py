"""Fitting the parameters marked ``calibrated`` to survey targets with optuna.

The parameters and their search ranges are ``search_space.SEARCH_SPACE`` (each field's
``calibrate=`` in ``model/defaults.py``); the loss is ``survey_fit.loss``, a chi-square of
the run's figures against the survey's up to ``LAST_FIT_YEAR``; the runs are
``fit_runs.run_once``. The study is stored in SQLite, so a calibration started again with
the same folder goes on from its trials. The fitted values' joint uncertainty is
``posterior.posterior_covariance``.

The public names of those modules stay importable from here (``__all__``), as before the
split.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import optuna
import pandas as pd

from model.analysis.fit_runs import run_once
from model.analysis.posterior import (
    POORLY_IDENTIFIED,
    POSTERIOR_COLUMNS,
    POSTERIOR_FILE,
    STEP_SHARE,
    Jacobian,
    Posterior,
    finite_difference_steps,
    gauss_newton_covariance,
    jacobian_at_fit,
    load_posterior,
    posterior_covariance,
    posterior_from_jacobian,
)
from model.analysis.search_space import SEARCH_SPACE, as_parameters, at_bound, default_point
from model.analysis.survey_fit import (
    ASSUMED_N,
    DESIGN_EFFECT,
    LAST_FIT_YEAR,
    figure_ids,
    figure_variances,
    fit_targets,
    loss,
    residuals,
)
from model.config import Scenario

# Callers may import these from here as before the split (the CLI, holdout, validation, tests).
__all__ = [
    "ASSUMED_N", "DESIGN_EFFECT", "LAST_FIT_YEAR", "POORLY_IDENTIFIED", "POSTERIOR_COLUMNS",
    "POSTERIOR_FILE", "SEARCH_SPACE", "STEP_SHARE", "Jacobian", "Posterior", "as_parameters",
    "at_bound", "calibrate", "default_point", "figure_ids", "figure_variances",
    "finite_difference_steps", "fit_targets", "fitted_table", "gauss_newton_covariance",
    "jacobian_at_fit", "load_posterior", "loss", "posterior_covariance",
    "posterior_from_jacobian", "residuals", "run_once",
]


def calibrate(scenario: Scenario, targets: pd.DataFrame, out: Path, trials: int,
              seed: int = 1, on_trial=None, refine: int = 0) -> optuna.Study:
    """Run (or resume) the optuna study in ``out/study.db`` until it has ``trials`` trials.

    TPE explores the whole search space; with ``refine`` > 0, that many more trials follow
    with CMA-ES started at the best point so far (a local search in the 0-1 scaled space,
    initial step 0.1), which TPE does poorly in 20 dimensions.
    """
    out.mkdir(parents=True, exist_ok=True)
    fitted = fit_targets(targets)
    last_year = int(fitted["year"].max())
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name=f"calibrate-{scenario.name}",
                                storage=f"sqlite:///{out / 'study.db'}", load_if_exists=True,
                                direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True))
    if not study.trials:  # start from the current defaults
        study.enqueue_trial(default_point())

    def objective(trial: optuna.Trial) -> float:
        parameters = {name: trial.suggest_float(name, low, high)
                      for name, (low, high) in SEARCH_SPACE.items()}
        return loss(run_once(scenario, parameters, last_year), fitted, scale=scenario.scale)

    def complete() -> int:
        return len([t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE])

    callbacks = [lambda study, trial: on_trial(study, trial)] if on_trial else []
    if complete() < trials:
        study.optimize(objective, n_trials=trials - complete(), callbacks=callbacks)
    if refine and complete() < trials + refine:
        with warnings.catch_warnings():  # optuna 4.9 deprecates x0 and sigma0, still valid
            warnings.simplefilter("ignore", FutureWarning)
            sampler = optuna.samplers.CmaEsSampler(x0=study.best_params, sigma0=0.1, seed=seed)
        study = optuna.load_study(study_name=study.study_name,
                                  storage=f"sqlite:///{out / 'study.db'}", sampler=sampler)
        study.optimize(objective, n_trials=trials + refine - complete(), callbacks=callbacks)
    return study


def fitted_table(study: optuna.Study) -> pd.DataFrame:
    """Each fitted parameter: default, fitted value, search range and whether at a bound."""
    best = study.best_params
    defaults = default_point()
    rows = []
    for name, (low, high) in SEARCH_SPACE.items():
        rows.append({"parameter": name, "default": defaults[name], "fitted": best[name],
                     "range_low": low, "range_high": high,
                     "at_bound": at_bound(best[name], low, high)})
    return pd.DataFrame(rows)
