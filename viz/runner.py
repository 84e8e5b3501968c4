"""Running the dashboard's comparison: the same runs as ``python run.py compare``, stoppable.

The runs are exactly those of the CLI (``comparison_specs`` with the same replicate seeds,
``execute_run`` for each), so a dashboard result equals the CLI's for the scenario files the
page offers for download. They are executed pairwise (reference r0, policy r0, reference r1,
...) so that a stopped comparison keeps complete pairs; the finished frame is put back in
the CLI's order (all reference runs, then all policy runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from model.comparison import comparison_specs, summarise
from model.config import Scenario
from model.experiments import RunSpec, execute_run
from model.geography import load_geography
from viz.levers import Levers, build_scenarios


class RunStopped(Exception):
    """The user pressed stop."""


MAP_METRICS = ("stunting", "anemia")  # district metrics kept for the map
MAP_WEIGHTS = ("children", "children_6_35m")  # their denominators, to add districts up
CUBE_METRICS = MAP_METRICS + MAP_WEIGHTS


def split_districts(frame: pd.DataFrame, ubigeos: list[str]
                    ) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Separate a run's district rows (the bulk of it) from the rest.

    Returns the frame without district rows, the map metrics with their denominators
    (``CUBE_METRICS``) as a float32 array ``[date, district, metric]`` (districts in the
    order of ``ubigeos``, NaN where no child was simulated), and its dates. A national run
    records about 1.7 million district rows; as an array the map data of a 10-run
    comparison is 18 MB.
    """
    is_district = frame["group"].str.startswith("district:")
    rest = frame[~is_district].reset_index(drop=True)
    rows = frame[is_district & frame["metric"].isin(CUBE_METRICS)]
    cube = rows.pivot_table(index="date", columns=["group", "metric"], values="value",
                            sort=True)
    dates = list(cube.index)
    columns = pd.MultiIndex.from_product([[f"district:{u}" for u in ubigeos], CUBE_METRICS])
    values = cube.reindex(columns=columns).to_numpy(np.float32)
    return rest, values.reshape(len(dates), len(ubigeos), len(CUBE_METRICS)), dates


@dataclass(frozen=True)
class ComparisonResult:
    """What the page shows: finished runs so far, and whether the comparison is complete.

    ``results`` is the CLI's tidy table without the district rows; ``district_values`` holds
    those as ``[scenario (0 reference, 1 policy), replicate, date, district, metric]`` with
    the metrics of ``CUBE_METRICS``.
    """

    levers: Levers | None  # the page's settings (None for a pair run outside the page)
    reference: Scenario
    policy: Scenario
    results: pd.DataFrame
    district_values: np.ndarray
    dates: list[str]
    ubigeos: list[str]
    pairs_done: int
    complete: bool
    stopped: bool = False

    @cached_property
    def summary(self) -> pd.DataFrame:
        """The comparison table (comparison.summarise) at the end of the horizon (cached)."""
        if self.results.empty:
            return pd.DataFrame()
        last_year = int(self.results["date"].max()[:4])
        return summarise(self.results, [last_year])


def execution_order(specs: list[RunSpec], replicates: int) -> list[RunSpec]:
    """Reference and policy of each replicate next to each other."""
    return [specs[s * replicates + r] for r in range(replicates) for s in (0, 1)]


def run_comparison(levers: Levers, on_progress: Callable[[float], None] | None = None,
                   should_stop: Callable[[], bool] | None = None
                   ) -> Iterator[ComparisonResult]:
    """Run the comparison the levers describe (see ``run_pair``)."""
    reference, policy = build_scenarios(levers)
    yield from run_pair(reference, policy, levers.replicates, levers.seed, levers,
                        on_progress, should_stop)


def run_pair(reference: Scenario, policy: Scenario, replicates: int, seed: int,
             levers: Levers | None = None, on_progress: Callable[[float], None] | None = None,
             should_stop: Callable[[], bool] | None = None) -> Iterator[ComparisonResult]:
    """Run a reference and a policy over replicates, yielding the results after each pair.

    Args:
        reference: the comparison's reference scenario.
        policy: a scenario comparable with it (same start, horizon, scale, geography).
        replicates: pairs of runs, as ``python run.py compare --replicates``.
        seed: root seed of the replicate seeds, as ``--seed``.
        levers: the page's settings behind the pair, kept with the result (None outside it).
        on_progress: called with the finished fraction (0-1) after every simulated month.
        should_stop: polled every month; when it returns True the current pair is dropped
            and a last result (``stopped=True``) with the finished pairs is yielded.
    """
    specs = comparison_specs([reference, policy], replicates, seed)
    order = execution_order(specs, replicates)
    frames: dict[str, pd.DataFrame] = {}
    maps: dict[str, np.ndarray] = {}
    dates: list[str] = []
    ubigeos = [str(u) for u in load_geography(reference.geography.departments,
                                              reference.geography.districts).ubigeo]

    def result(pairs: int, stopped: bool = False) -> ComparisonResult:
        kept = [s for s in specs if s.run_id in frames and s.labels["replicate"] < pairs]
        results = (pd.concat([frames[s.run_id] for s in kept], ignore_index=True) if kept
                   else pd.DataFrame())
        cube = (np.stack([maps[s.run_id] for s in kept]).reshape(
            2, pairs, len(dates), len(ubigeos), len(CUBE_METRICS)) if kept
            else np.empty((2, 0, 0, 0, len(CUBE_METRICS)), np.float32))
        return ComparisonResult(levers, reference, policy, results, cube, dates, ubigeos,
                                pairs, complete=pairs == replicates, stopped=stopped)

    for i, spec in enumerate(order):
        def on_month(done: int, total: int, i: int = i) -> None:
            if should_stop and should_stop():
                raise RunStopped
            if on_progress:
                on_progress((i + done / total) / len(order))
        try:
            frames[spec.run_id], maps[spec.run_id], dates = split_districts(
                execute_run(spec, on_month), ubigeos)
        except RunStopped:
            yield result(i // 2, stopped=True)
            return
        if i % 2 == 1:
            yield result(i // 2 + 1)
