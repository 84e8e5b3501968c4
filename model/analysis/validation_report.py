"""The validation as a batch in its folder: the historical runs, their tables and charts.

The job of ``python run.py validate``: the scenario runs over replicates (and parameter
draws), then validation.csv, validation.png, validation_by_level.csv,
validation_departments.csv, the department charts and map (with department targets),
validation_coverage.csv and forecast_vs_persistence.csv (figures after the fit) are
written. The tables are ``validation``'s, the charts ``survey_charts``'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from model.analysis import validation
from model.analysis.batches import BatchSettings, run_batch_in, write_draws
from model.analysis.experiments import BatchReport, RunSpec, draw_seeds, replicate_seeds
from model.analysis.outputs import OutFolder, write_atomic, write_csv
from model.analysis.survey_charts import (
    plot_department_error_map,
    plot_department_multiples,
    plot_validation,
)
from model.config import Scenario


@dataclass
class ValidationOutcome:
    """What ``validation_job`` computed and wrote (``table`` None: no run finished)."""

    report: BatchReport
    table: pd.DataFrame | None = None
    mae: pd.Series | None = None
    by_level: pd.DataFrame | None = None
    coverage: pd.DataFrame | None = None
    forecast: pd.DataFrame | None = None
    phi: float = 1.0
    departments: bool = False  # the department charts and map were drawn
    written: list[Path] = field(default_factory=list)


def validation_runs(spec: Scenario, replicates: int, draws: int, seed: int) -> list[RunSpec]:
    """The runs of ``spec``: every replicate seed, under each parameter draw if any."""
    body = spec.model_dump(mode="json")
    if not draws:
        return [RunSpec(run_id=f"{spec.name}-r{r:03d}", scenario=body, seed=s,
                        labels={"replicate": r})
                for r, s in enumerate(replicate_seeds(seed, replicates))]
    from model.analysis.draws import apply_draw, parameter_draws

    drawn = parameter_draws(draws, seed)
    return [RunSpec(run_id=f"{spec.name}-d{d:03d}-r{r:03d}",
                    scenario=apply_draw(body, drawn.iloc[d].to_dict()), seed=s,
                    labels={"draw": d, "replicate": r})
            for d, seeds_of_draw in enumerate(draw_seeds(seed, draws, replicates))
            for r, s in enumerate(seeds_of_draw)]


def validation_job(spec: Scenario, targets: pd.DataFrame, replicates: int, draws: int,
                   seed: int, folder: OutFolder, settings: BatchSettings) -> ValidationOutcome:
    """Run (or resume) the validation runs in ``folder.out`` and write its files.

    Runs are reused by name (no manifest). With draws, draws.csv is written too. The
    folder is finished when no run failed.
    """
    out = folder.out
    runs = validation_runs(spec, replicates, draws, seed)
    report, results = run_batch_in(out, runs, None, settings)
    if results.empty:
        return ValidationOutcome(report)
    label = f"{draws} draws x {replicates} replicates" if draws else f"{replicates} replicates"
    outcome = write_validation(out, results, targets, f"{spec.name}: model ({label}) against "
                                                      "surveys")
    outcome.report = report
    if draws:
        outcome.written.append(write_draws(out, draws, seed))
    if not report.failed:
        folder.finish()
    return outcome


def write_validation(out: Path, results: pd.DataFrame, targets: pd.DataFrame,
                     title: str) -> ValidationOutcome:
    """Write validate's tables and charts from the finished runs; return what they hold."""
    from model.analysis.calibration import load_posterior

    phi = load_posterior().phi
    table = validation.validation_table(results, targets, dispersion=phi)
    written = [write_csv(table, out / "validation.csv"),
               write_atomic(out / "validation.png", lambda path: plot_validation(
                   results, table, path, title=title))]
    by_level = validation.fit_by_level(table)
    written += [write_csv(by_level, out / "validation_by_level.csv"),
                write_csv(validation.department_summary(table),
                          out / "validation_departments.csv")]
    departments = bool(table["level"].eq("department").any())
    if departments:
        for indicator in ("stunting", "anemia"):
            written.append(write_atomic(
                out / f"validation_departments_{indicator}.png",
                lambda path, ind=indicator: plot_department_multiples(results, table, path,
                                                                      ind)))
        written.append(write_atomic(out / "validation_error_map.png",
                                    lambda path: plot_department_error_map(table, path)))
    covered = validation.coverage(table)
    written.append(write_csv(covered, out / "validation_coverage.csv"))
    forecast = validation.forecast_against_persistence(table)
    if not forecast.empty:
        written.append(write_csv(forecast, out / "forecast_vs_persistence.csv"))
    return ValidationOutcome(report=BatchReport(total=0), table=table,
                             mae=validation.mean_absolute_error(table), by_level=by_level,
                             coverage=covered, forecast=forecast, phi=phi,
                             departments=departments, written=written)
