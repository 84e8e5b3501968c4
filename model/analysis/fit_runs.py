"""Runs for the fit: one run with search-space values, and many runs' figures on a pool."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import as_completed

import pandas as pd

from model import calendar
from model.analysis.pools import end_pool, new_pool
from model.analysis.search_space import as_parameters
from model.analysis.survey_fit import reached_figures
from model.config import Scenario, validate_scenario
from model.model import ECDModel


def run_once(scenario: Scenario, parameters: dict, last_year: int | None = None) -> pd.DataFrame:
    """Results of one run of ``scenario`` with ``parameters`` overriding its own.

    With ``last_year`` the run stops at the end of July of that year (the last survey date
    needed).
    """
    body = scenario.model_dump(mode="json")
    body["parameters"] = {**body.get("parameters", {}), **as_parameters(parameters)}
    model = ECDModel(validate_scenario(body, source=f"calibration of {scenario.name}"))
    months = model.scenario.months
    if last_year is not None:
        months = min(months, calendar.mid_year(last_year) - model.start_index + 1)
    for _ in range(months):
        model.step()
    return model.results()


def run_figures(job: tuple) -> pd.DataFrame:
    """``survey_fit.reached_figures`` of one run: (scenario, parameters, last_year, targets)."""
    scenario, parameters, last_year, targets = job
    return reached_figures(run_once(scenario, parameters, last_year), targets, scenario.scale)


def run_all(jobs: dict, workers: int, on_run: Callable[[int, int], None] | None) -> dict:
    """``run_figures`` of every job (serially with one worker), by key."""
    out = {}
    if workers <= 1:
        for done, (key, job) in enumerate(jobs.items(), 1):
            out[key] = run_figures(job)
            if on_run:
                on_run(done, len(jobs))
        return out
    pool = new_pool(workers)  # workers die with this process
    try:
        futures = {pool.submit(run_figures, job): key for key, job in jobs.items()}
        for done, future in enumerate(as_completed(futures), 1):
            out[futures[future]] = future.result()
            if on_run:
                on_run(done, len(jobs))
    except BaseException:  # Ctrl-C or a failed run: cancel the rest, end the workers now
        end_pool(pool)
        raise
    pool.shutdown()
    return out
