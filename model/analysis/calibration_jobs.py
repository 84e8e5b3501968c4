"""The three jobs of ``python run.py calibrate`` with the files they write.

The fit of the calibrated parameters (fitted.csv, calibrated.yaml), the department terms
(department_terms.csv, department_fit.csv) and the posterior covariance at the defaults
(one CSV file). The computations are ``calibration``'s and ``department_terms``'.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from model.analysis.outputs import OutFolder, atomic_path, write_csv, write_text
from model.config import Scenario


@dataclass
class FitOutcome:
    """What the fit found and wrote: the fitted table, the best loss, the trials run."""

    fitted: pd.DataFrame
    best_loss: float
    trials: int
    written: list[Path]


def fit_job(spec: Scenario, targets: pd.DataFrame, trials: int, refine: int, source: str,
            folder: OutFolder, write: Path | None = None,
            on_trial: Callable | None = None) -> FitOutcome:
    """Fit the calibrated parameters (optuna study in ``folder.out``) and write the result.

    Writes fitted.csv and calibrated.yaml (a 'parameters:' file; also to ``write`` if
    given), then finishes the folder. ``source`` names the scenario file in the YAML's note;
    ``on_trial(study, trial)`` is called after each trial.
    """
    import yaml

    from model.analysis.calibration import as_parameters, calibrate, fitted_table

    out = folder.out
    study = calibrate(spec, targets, out, trials, seed=spec.seed, refine=refine,
                      on_trial=on_trial)
    fitted = fitted_table(study)
    written = [write_csv(fitted, out / "fitted.csv")]
    body = yaml.safe_dump({
        "note": f"Fitted by python run.py calibrate {source} ({len(study.trials)} "
                f"trials, scale {spec.scale:g}, seed {spec.seed}); loss (chi-square over the "
                f"figures up to 2012) {study.best_value:.1f}",
        "parameters": {k: (round(float(v), 6) if not isinstance(v, tuple) else
                           [round(float(x), 6) for x in v])
                       for k, v in as_parameters(study.best_params).items()}},
        sort_keys=False)
    written.append(write_text(out / "calibrated.yaml", body))
    if write:
        written.append(write_text(write, body))
    folder.finish()
    return FitOutcome(fitted, study.best_value, len(study.trials), written)


def department_terms_job(spec: Scenario, targets: pd.DataFrame, seeds: int, iterations: int,
                         workers: int, folder: OutFolder,
                         on_run: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Fit the department terms and write department_terms.csv and department_fit.csv.

    Seeds ``spec.seed`` to ``spec.seed + seeds - 1``; returns the fit's summary and
    finishes the folder.
    """
    from model.analysis.department_terms import fit_department_terms, terms_table

    out = folder.out
    fit = fit_department_terms(spec, targets, seeds=tuple(range(spec.seed, spec.seed + seeds)),
                               scale=spec.scale, iterations=iterations, workers=workers,
                               on_run=on_run)
    write_csv(terms_table(fit), out / "department_terms.csv")
    write_csv(fit.summary, out / "department_fit.csv")
    folder.finish()
    return fit.summary


def posterior_job(spec: Scenario, targets: pd.DataFrame, seeds: tuple[int, ...],
                  workers: int, out: Path, on_run: Callable[[int, int], None] | None = None):
    """The posterior covariance at the defaults, written to the CSV file ``out``.

    Raises ValueError (a message for the user) when the figures cannot give it.
    """
    from model.analysis.calibration import posterior_covariance

    out.parent.mkdir(parents=True, exist_ok=True)
    post = posterior_covariance(spec, targets, seeds=seeds, scale=spec.scale, workers=workers,
                                on_run=on_run)
    with atomic_path(out) as temporary:
        post.save(temporary)
    return post
