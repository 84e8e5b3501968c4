"""Running the dashboard's comparison: the reference and the policy, pair by pair.

The comparison's runs are exactly those of the CLI (``comparison_specs`` with the same
parameter draws and replicate seeds, ``execute_run`` for each), so a dashboard result equals
the CLI's for the scenario files the page offers for download. With parameter uncertainty
(the page's default) they are N draws x 1 replicate (``--draws N --replicates 1``), without
it N replicates at the default parameters. They are executed pairwise, by the specs' group
(reference and policy of one draw and replicate, which share a history), so that a stopped
comparison keeps complete pairs; the finished frame is put back in the CLI's order.

``run_comparison`` is also the job the page queues for a worker process (``viz.jobs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from model.analysis.comparison import comparison_specs, summarise
from model.analysis.experiments import RunSpec, execute_run
from model.config import Scenario
from model.geography import load_geography
from viz.levers import Levers
from viz.policy_scenarios import build_scenarios
from viz.preflight import estimated_seconds, history_seconds


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
    those as ``[scenario (0 reference, 1 policy), pair, date, district, metric]`` with the
    metrics of ``CUBE_METRICS``; a pair is one run of both arms (a parameter draw and
    replicate seed), in the order they were run. ``draws`` is the number of parameter draws
    (0: the default parameters, intervals from chance alone).
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
    draws: int = 0

    @cached_property
    def summary(self) -> pd.DataFrame:
        """The comparison table (comparison.summarise) at the end of the horizon (cached)."""
        if self.results.empty:
            return pd.DataFrame()
        last_year = int(self.results["date"].max()[:4])
        return summarise(self.results, [last_year])


def execution_order(specs: list[RunSpec]) -> list[list[RunSpec]]:
    """The comparison's pairs: its runs by group (a draw and replicate), then scenario.

    ``comparison_specs`` lists runs scenario-major without draws and group by group with
    them; either way a pair's index is its group's position.
    """
    groups: dict[str, list[RunSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    return list(groups.values())


def run_comparison(levers: Levers, on_progress: Callable[[float], None] | None = None,
                   should_stop: Callable[[], bool] | None = None,
                   on_stage: Callable[[str, int], None] | None = None
                   ) -> Iterator[ComparisonResult]:
    """Run the comparison the levers describe (see ``run_pair``).

    With ``levers.uncertainty``: ``levers.replicates`` parameter draws of one replicate
    each; without: that many replicates at the default parameters.
    """
    reference, policy = build_scenarios(levers)
    history_share = (history_seconds(levers.region, levers.precision) * levers.replicates
                     / estimated_seconds(levers, saved=0))
    yield from run_pair(reference, policy, levers.seeds, levers.seed, levers,
                        on_progress, should_stop, on_stage, history_share, levers.draws)


def run_pair(reference: Scenario, policy: Scenario, replicates: int, seed: int,
             levers: Levers | None = None, on_progress: Callable[[float], None] | None = None,
             should_stop: Callable[[], bool] | None = None,
             on_stage: Callable[[str, int], None] | None = None,
             history_share: float = 0.0, draws: int = 0) -> Iterator[ComparisonResult]:
    """Run a reference and a policy over draws x replicates, yielding results after each pair.

    Args:
        reference: the comparison's reference scenario.
        policy: a scenario comparable with it (same start, horizon, scale, geography).
        replicates: replicate seeds (per draw), as ``python run.py compare --replicates``.
        seed: root seed of the replicate seeds and the draws, as ``--seed``.
        levers: the page's settings behind the pair, kept with the result (None outside it).
        on_progress: called with the finished fraction (0-1) after every simulated month.
        should_stop: polled every month; when it returns True the current pair is dropped
            and a last result (``stopped=True``) with the finished pairs is yielded. (Not
            while a pair lives its history: that is one call to the model.)
        on_stage: called with ``("history", p)`` before pair p's reference run (which lives
            the history when the scenarios have one, unless this process saved its state
            already) and ``("months", p)`` at its first simulated month.
        history_share: the expected share of the time spent living histories, for the
            progress fraction (0 without a history).
        draws: parameter draws, as ``--draws`` (0: the default parameters only).
    """
    specs = comparison_specs([reference, policy], replicates, seed, draws)
    pairs = execution_order(specs)
    total = len(pairs)
    frames: dict[str, pd.DataFrame] = {}
    maps: dict[str, np.ndarray] = {}
    dates: list[str] = []
    ubigeos = [str(u) for u in load_geography(reference.geography.departments,
                                              reference.geography.districts).ubigeo]

    def result(done: int, stopped: bool = False) -> ComparisonResult:
        finished = pairs[:done]
        ids = {spec.run_id for pair in finished for spec in pair}
        kept = [s for s in specs if s.run_id in ids]  # the CLI's order
        results = (pd.concat([frames[s.run_id] for s in kept], ignore_index=True) if kept
                   else pd.DataFrame())
        cube = (np.stack([np.stack([maps[pair[arm].run_id] for pair in finished])
                          for arm in (0, 1)]) if finished
                else np.empty((2, 0, 0, 0, len(CUBE_METRICS)), np.float32))
        return ComparisonResult(levers, reference, policy, results, cube, dates, ubigeos,
                                done, complete=done == total, stopped=stopped, draws=draws)

    share = history_share if reference.history is not None else 0.0

    def fraction(p: int, arm: int, done: float) -> float:
        """Finished share after ``done`` (0-1) of arm ``arm`` of pair ``p``.

        Each pair is its history (``share``) and then both arms' months.
        """
        within = share + (1 - share) * (arm + done) / 2 if done > 0 or arm else 0.0
        return (p + within) / total

    for p, pair in enumerate(pairs):
        if on_stage:
            on_stage("history" if reference.history is not None else "months", p)
        for arm, spec in enumerate(pair):

            def on_month(done: int, months: int, p: int = p, arm: int = arm) -> None:
                if should_stop and should_stop():
                    raise RunStopped
                if on_stage and arm == 0 and done == 1 and reference.history is not None:
                    on_stage("months", p)
                if on_progress:
                    on_progress(fraction(p, arm, done / months))
            try:
                frames[spec.run_id], maps[spec.run_id], dates = split_districts(
                    execute_run(spec, on_month), ubigeos)
            except RunStopped:
                yield result(p, stopped=True)
                return
        yield result(p + 1)
