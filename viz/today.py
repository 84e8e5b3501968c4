"""Peru today: the history the status quo comes from, against the surveys.

``run_today`` runs the history (``scenarios/peru_2000_2019.yaml``) of the chosen region with
records, for the page's first screen: the status quo's levels and the model against the
ENDES surveys. ``queued_today`` is the same for the page: computed by a worker process
(``viz.jobs``, the job ``today_job``) unless this process holds the result already.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from model.analysis.targets import (
    DEFAULT_TARGETS,
    DEPARTMENT_TARGETS,
    combine_targets,
    load_targets,
)
from model.analysis.validation import survey_se
from model.config import Scenario, load_scenario, validate_scenario
from model.model import build_model
from viz.jobs import remote
from viz.levers import ALL_PERU, SCENARIO_DIR
from viz.policy_scenarios import scale_for
from viz.runner import CUBE_METRICS, split_districts

HISTORY_FILE = SCENARIO_DIR / "peru_2000_2019.yaml"
TODAY_PRECISION = "fast"
SURVEY_INDICATORS = {"stunting": "0-59m", "anemia": "6-35m"}  # as the trajectories show them


@dataclass(frozen=True)
class TodayResult:
    """The history (2000-2019) of one region at the fast precision, recorded.

    ``trajectory`` has one row per month (date, stunting, anemia: the region's prevalences);
    ``survey`` the ENDES figures for the region (year, indicator, value_percent, n, se: the
    survey's sampling standard error in pp, source, model: the run's value in July of that
    year, as the calibration compares them); ``departments`` the last month's prevalences by
    department (all Peru); ``district_values`` the last month's ``CUBE_METRICS`` by district
    (``[district, metric]``, a department's run only, districts in the order of ``ubigeos``).
    """

    region: str
    seed: int
    scale: float
    date: str
    anemia_definition: str
    trajectory: pd.DataFrame
    survey: pd.DataFrame
    departments: pd.DataFrame
    district_values: np.ndarray
    ubigeos: list[str]


def history_scenario(region: str, seed: int) -> Scenario:
    """``scenarios/peru_2000_2019.yaml`` restricted to ``region`` at the fast precision."""
    body = load_scenario(HISTORY_FILE).model_dump(mode="json")
    body.update(seed=seed, scale=scale_for(region, TODAY_PRECISION),
                geography={"departments": [] if region == ALL_PERU else [region],
                           "districts": []},
                outputs={"districts": region != ALL_PERU})
    return validate_scenario(body, source="dashboard history")


def survey_points(region: str) -> pd.DataFrame:
    """ENDES figures of stunting (0-59 m) and anemia (6-35 m) for all Peru or a department.

    All Peru: ``model/data/calibration_targets.csv`` and the national rows of
    ``endes_departments_2009_2012.csv`` (the latter wins where both give a year); a
    department: its rows of ``endes_departments_2009_2012.csv`` (2009-2012).
    """
    if region == ALL_PERU:
        table = combine_targets([_targets(DEFAULT_TARGETS), _targets(DEPARTMENT_TARGETS)])
        group = "national"
    else:
        table, group = _targets(DEPARTMENT_TARGETS), f"department:{region}"
    keep = (table["group"] == group) & (table["area"] == "total") & (
        table["indicator"].map(SURVEY_INDICATORS) == table["age_group"])
    points = table[keep][["year", "indicator", "value_percent", "n", "source"]].copy()
    points["se"] = survey_se(points["value_percent"], points["n"]).to_numpy()
    return points.sort_values(["indicator", "year"]).reset_index(drop=True)


_TARGETS: dict[str, pd.DataFrame] = {}


def _targets(path) -> pd.DataFrame:
    if str(path) not in _TARGETS:
        _TARGETS[str(path)] = load_targets(path)
    return _TARGETS[str(path)]


_today_cache: dict[tuple[str, int], TodayResult] = {}
_today_lock = threading.Lock()


def run_today(region: str, seed: int, on_progress: Callable[[float], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> TodayResult | None:
    """Live the history of ``region`` with records (fast precision); None if stopped.

    Deterministic for a region and seed, so finished results are kept for the process (every
    browser session opening on the same region shares them).
    """
    key = (region, seed)
    with _today_lock:
        if key in _today_cache:
            return _today_cache[key]
    today = _live_today(region, seed, on_progress, should_stop)
    if today is not None:
        _keep_today(key, today)
    return today


TODAY_KEPT = 32  # regions and seeds whose history the server keeps (a few MB each at most)


def _keep_today(key: tuple[str, int], today: TodayResult) -> None:
    with _today_lock:
        _today_cache[key] = today
        while len(_today_cache) > TODAY_KEPT:
            _today_cache.pop(next(iter(_today_cache)))


def queued_today(region: str, seed: int, on_progress: Callable[[float], None] | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 on_place: Callable[[int], None] | None = None) -> TodayResult | None:
    """``run_today`` for the page: a result this process holds, else computed by a worker.

    The worker's run waits in ``viz.jobs.QUEUE`` like any heavy run (``on_place`` hears its place).
    """
    key = (region, seed)
    with _today_lock:
        if key in _today_cache:
            return _today_cache[key]
    today = next(remote(today_job, region, seed, on_progress=on_progress,
                        should_stop=should_stop, on_place=on_place), None)
    if today is not None:
        _keep_today(key, today)
    return today


def today_job(region: str, seed: int, on_progress: Callable[[float], None] | None = None,
              should_stop: Callable[[], bool] | None = None,
              on_stage: Callable[[str, int], None] | None = None
              ) -> Iterator[TodayResult | None]:
    """The job a worker runs for ``queued_today`` (``viz.jobs``): yields ``_live_today``'s."""
    yield _live_today(region, seed, on_progress, should_stop)


def _live_today(region: str, seed: int, on_progress: Callable[[float], None] | None,
                should_stop: Callable[[], bool] | None) -> TodayResult | None:
    """Live the history of ``region`` (``run_today`` without its cache)."""
    scenario = history_scenario(region, seed)
    model = build_model(scenario)
    for _ in range(scenario.months):
        if should_stop and should_stop():
            return None
        model.step()
        if on_progress:
            on_progress(model.steps / scenario.months)
    results = model.results()
    last = results["date"].max()
    national = results[results["group"] == "national"]
    trajectory = national[national["metric"].isin(SURVEY_INDICATORS)].pivot_table(
        index="date", columns="metric", values="value").reset_index()
    trajectory.columns.name = None
    survey = survey_points(region)
    at_july = trajectory.set_index("date")
    survey["model"] = [float(at_july[row.indicator].get(f"{int(row.year)}-07", np.nan))
                       for row in survey.itertuples()]
    end = results[results["date"] == last]
    departments = end[end["group"].str.fullmatch(r"department:[^:]+")
                      & end["metric"].isin(CUBE_METRICS)].pivot_table(
        index="group", columns="metric", values="value").reset_index()
    departments.columns.name = None
    departments.insert(0, "department", departments.pop("group").str.removeprefix(
        "department:"))
    ubigeos = [str(u) for u in model.geography.ubigeo]
    cube = np.empty((0, len(CUBE_METRICS)), np.float32)
    if scenario.outputs.districts:
        _, values, _ = split_districts(end, ubigeos)
        cube = values[0]
    return TodayResult(region, seed, scenario.scale, last, scenario.anemia_definition,
                       trajectory, survey, departments, cube, ubigeos)
