"""Parameter sweeps: the sweep file, its parameter points, the per-point summary and files.

A sweep file names a base scenario and the scenario fields to vary, by dotted path:
``months``, ``parameters.haz_falter_base``, ``interventions.0.attendance`` or, by program
name, ``interventions[cct].exclusion_error``. Points come from a full grid, an explicit list,
or a Latin hypercube over ranges; each point runs ``replicates`` times with the replicate
seeds of ``SeedSequence(seed)`` (the same seeds at every point: common random numbers).

With ``draws`` > 0 every point runs under the same ``draws`` parameter sets
(``model.analysis.draws``: a Latin hypercube reproducible from the seed), each draw with its
own replicate seeds (``experiments.draw_seeds``), exactly as ``compare --draws``: within a
draw every point shares the parameters and the seeds, so points are compared paired within a
draw. A value the sweep sets itself (a swept or ``set`` field) wins over the draw.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from scipy.stats import qmc

from model.analysis import outputs
from model.analysis.batches import BatchOutcome, BatchSettings, run_batch_in, write_draws
from model.analysis.charts import plot_sweep, region_words
from model.analysis.comparison import interval_meaning, parameter_share
from model.analysis.draws import apply_draw, parameter_draws
from model.analysis.experiments import RunSpec, draw_seeds, replicate_seeds
from model.analysis.outputs import OutFolder, atomic_path, write_csv
from model.analysis.spreadsheet import SWEEP_COLUMNS, write_workbook
from model.config import ScenarioError, load_scenario, validate_scenario
from model.safe_yaml import contained_path, load_yaml, short

LOW, HIGH = 5, 95


# A dotted path of a scenario field: names, list indices and [type] selectors.
PATH = re.compile(r"[A-Za-z_]\w*(\[\w+\])?(\.(\d+|[A-Za-z_]\w*(\[\w+\])?))*")
MAX_PATH = 200  # ASSUMPTION: plausibility limit; the longest real path is ~40 characters


def _check_paths(paths) -> None:
    """Refuse a key that is not a dotted path of scenario fields (ValueError)."""
    for path in paths:
        if not isinstance(path, str) or len(path) > MAX_PATH or not PATH.fullmatch(path):
            raise ValueError(f"{short(path)} is not a scenario field path; allowed: dotted "
                             "names such as months, parameters.haz_falter_base, "
                             "interventions.0.attendance or interventions(type).field")


# At most this many parameter points in one sweep (counted before any is built).
MAX_POINTS = 10_000

class _Strict(BaseModel):
    """Unknown fields are errors, types strict, numbers finite (as the scenario schema)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class LatinHypercube(_Strict):
    """Latin hypercube sampling over ranges."""

    samples: int = Field(ge=1, le=10_000, description="Number of parameter points.")
    ranges: dict[str, list[float]] = Field(min_length=1, description=(
        "Path -> [low, high], finite with low < high."))

    @field_validator("ranges")
    @classmethod
    def _ordered(cls, ranges: dict[str, list[float]]) -> dict[str, list[float]]:
        _check_paths(ranges)
        for key, bounds in ranges.items():
            if len(bounds) != 2 or not bounds[0] < bounds[1]:
                raise ValueError(f"{key}: {short(bounds)}; allowed: two numbers low, high "
                                 "with low < high")
        return ranges


class SweepFile(_Strict):
    """The schema of a sweep file."""

    base: str = Field(description="Scenario file, relative to the sweep file.")
    replicates: int = Field(1, ge=1, le=1000, description="Runs per parameter point.")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="Root seed of the replicate seeds.")
    set: dict[str, Any] = Field(default_factory=dict, description=(
        "Fixed changes to the base scenario, by dotted path (e.g. months: 36)."))
    grid: dict[str, list[Any]] = Field(default_factory=dict, description=(
        "Full factorial: every combination of these values."))
    points: list[dict[str, Any]] = Field(default_factory=list, description=(
        "An explicit list of parameter points."))
    lhs: LatinHypercube | None = None
    reference: bool = Field(True, description=(
        "Also run the base scenario with the fixed changes (``set``) only, as the reference "
        "line of sweep.png and the last row of the summary."))

    @field_validator("set", "grid")
    @classmethod
    def _paths(cls, values: dict) -> dict:
        _check_paths(values)
        for key, value in values.items():
            if isinstance(value, list) and not value:
                raise ValueError(f"{key}: an empty list; allowed: at least one value")
        return values

    @field_validator("points")
    @classmethod
    def _point_paths(cls, points: list[dict]) -> list[dict]:
        for point in points:
            _check_paths(point)
        return points

    @model_validator(mode="after")
    def _one_design(self) -> "SweepFile":
        designs = [name for name in ("grid", "points", "lhs") if getattr(self, name)]
        if len(designs) != 1:
            raise ValueError("give exactly one of grid, points or lhs (found "
                             f"{', '.join(designs) or 'none'})")
        varied = set(self.grid) | {k for p in self.points for k in p} | set(
            self.lhs.ranges if self.lhs else {})
        both = sorted(varied & set(self.set))
        if both:
            raise ValueError(f"{short(', '.join(both))}: both fixed in 'set' and varied in "
                             f"{designs[0]}; allowed: each path in one of them")
        count = (math.prod(len(v) for v in self.grid.values()) if self.grid else
                 len(self.points) if self.points else self.lhs.samples)
        if count > MAX_POINTS:
            raise ValueError(f"{designs[0]}: {count:,} parameter points; allowed: at most "
                             f"{MAX_POINTS:,} (split the sweep)")
        return self


def set_path(scenario: dict, path: str, value: Any) -> None:
    """Set ``value`` at a dotted ``path`` of a scenario dict (see module docstring)."""
    parts = path.split(".")
    node: Any = scenario
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if not isinstance(node, (dict, list)):
            raise KeyError(f"{path}: {'.'.join(parts[:i])} is a value, not a mapping or list")
        match = re.fullmatch(r"(\w+)\[(\w+)\]", part)
        if match:  # interventions[cct]: the entry with that type
            items = node.setdefault(match[1], []) if isinstance(node, dict) else None
            if not isinstance(items, list):
                raise KeyError(f"{path}: {match[1]} is not a list of entries with a type")
            found = [item for item in items
                     if isinstance(item, dict) and item.get("type") == match[2]]
            if not found:
                raise KeyError(f"{path}: no entry with type {match[2]!r} in {match[1]}")
            child = found[0]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise KeyError(f"{path}: {part!r} is not an index of a list of {len(node)}")
            if last:
                node[int(part)] = value
                return
            child = node[int(part)]
        else:
            if last:
                node[part] = value
                return
            child = node.setdefault(part, {})
        node = child
    raise KeyError(f"{path}: the path ends at a list entry; name a field of it")


def parameter_points(sweep: SweepFile) -> list[dict[str, Any]]:
    """The parameter points of the sweep, in a fixed order."""
    if sweep.grid:
        keys = list(sweep.grid)
        return [dict(zip(keys, combo)) for combo in itertools.product(*sweep.grid.values())]
    if sweep.points:
        return [dict(p) for p in sweep.points]
    ranges = sweep.lhs.ranges
    sampler = qmc.LatinHypercube(d=len(ranges), seed=np.random.default_rng(sweep.seed))
    unit = sampler.random(sweep.lhs.samples)
    low = np.array([r[0] for r in ranges.values()])
    high = np.array([r[1] for r in ranges.values()])
    values = qmc.scale(unit, low, high) if len(ranges) else unit
    return [{k: float(v) for k, v in zip(ranges, row)} for row in values]


def load_sweep(path: str | Path, draws: int = 0, seed: int | None = None,
               geography: dict | None = None) -> tuple[SweepFile, list[RunSpec], list[dict]]:
    """Read and check a sweep file; return it, its runs and its points.

    Args:
        path: the sweep file.
        draws: parameter draws per point (0 = the defaults only); see the module docstring.
        seed: root seed replacing the file's ``seed`` (the design, the draws and the
            replicate seeds all come from it); None keeps the file's.
        geography: replaces the base scenario's ``geography`` (``--departments``); None keeps
            it.

    Raises ScenarioError (a clear one-message error) for a missing or malformed file, an
    unknown field, a bad path, or a point that makes an invalid scenario.
    """
    path = Path(path)
    raw = load_yaml(path, "sweep file")
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a sweep file is a YAML mapping with base, replicates and "
                            "one of grid, points or lhs")
    try:
        sweep = SweepFile.model_validate(raw if seed is None else {**raw, "seed": seed})
    except ValidationError as err:
        problem = err.errors()[0]
        field = ".".join(str(p) for p in problem["loc"]) or "(top level)"
        message = problem["msg"].removeprefix("Value error, ").replace(
            "Input should be", "allowed:")
        if problem["type"] == "extra_forbidden":
            message = ("unknown field; allowed: base, replicates, seed, set, grid, points, "
                       "lhs")
        raise ScenarioError(f"{path}: field '{field[:60]}' = {short(problem.get('input'))}: "
                            f"{message}") from None
    base = load_scenario(contained_path(path, sweep.base, "base")).model_dump(mode="json")
    points = parameter_points(sweep)
    bodies = []
    for p, point in enumerate(points + [{}] * sweep.reference):
        body = copy.deepcopy(base)
        try:
            for key, value in {**sweep.set, **point}.items():
                set_path(body, key, value)
        except KeyError as err:
            raise ScenarioError(f"{path}: {err.args[0]}") from None
        if geography is not None:  # --departments wins over the file's own geography
            body["geography"] = geography
        source = f"{path} (point {p}: {short(point)})" if p < len(points) else \
            f"{path} (the reference: base and set)"
        scenario = validate_scenario(body, source=source)
        bodies.append(scenario.model_dump(mode="json"))
    return sweep, sweep_runs(bodies, points + [{}] * sweep.reference, sweep.replicates,
                             sweep.seed, draws), points


def sweep_runs(bodies: list[dict], points: list[dict], replicates: int, seed: int,
               draws: int = 0) -> list[RunSpec]:
    """The runs of a sweep: every point x replicate (x parameter draw).

    Without draws, run ids are ``p0000-r000`` and every point uses
    ``replicate_seeds(seed, replicates)``. With draws, ``p0000-d000-r000``: draw ``d`` of
    every point applies row ``d`` of ``parameter_draws(draws, seed)`` and the seeds
    ``draw_seeds(seed, draws, replicates)[d]``; the runs of one draw and replicate (every
    point) share a ``group``, so a pool gives them to one worker (which lives a shared
    history once).
    """
    labels = [{f"param:{k}": _label(v) for k, v in point.items()} for point in points]
    if draws <= 0:
        seeds = replicate_seeds(seed, replicates)
        return [RunSpec(run_id=f"p{p:04d}-r{r:03d}", scenario=body, seed=replicate_seed,
                        labels={"point": p, "replicate": r, **labels[p]})
                for p, body in enumerate(bodies) for r, replicate_seed in enumerate(seeds)]
    table = parameter_draws(draws, seed).to_dict("records")
    return [RunSpec(run_id=f"p{p:04d}-d{d:03d}-r{r:03d}", scenario=apply_draw(body, table[d]),
                    seed=replicate_seed, labels={"point": p, "draw": d, "replicate": r,
                                                 **labels[p]},
                    group=f"d{d:03d}-r{r:03d}")
            for d, seeds_of_draw in enumerate(draw_seeds(seed, draws, replicates))
            for r, replicate_seed in enumerate(seeds_of_draw)
            for p, body in enumerate(bodies)]


def _label(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool)) else json.dumps(value)


def sweep_summary(results: pd.DataFrame, points: list[dict]) -> pd.DataFrame:
    """One row per parameter point: medians and 90% intervals over the runs at the end.

    With a reference run (the base scenario and ``set`` only, point ``len(points)``), it is
    the last row, with ``reference`` True.

    Outcomes (national, last date): stunting, anemia, mean_haz, and cumulative cost_total.
    Without draws the intervals are over replicates (chance). With parameter draws (a
    ``draw`` column in ``results``) they are over draws x replicates; the row adds ``draws``,
    ``replicates`` (per draw), ``runs`` and, per outcome, ``<outcome>_param_share``: the share
    of its variance due to the parameter draws (``comparison.parameter_share``; the rest is
    chance).
    """
    with_draws = "draw" in results
    keys = ["point", "draw", "replicate"] if with_draws else ["point", "replicate"]
    last = results["step"].max()
    national = results[results["group"] == "national"]
    end = national[national["step"] == last].pivot_table(
        index=keys, columns="metric", values="value")
    cost = national[national["metric"] == "cost_total"].groupby(keys)["value"].sum()
    end["cost_total_cumulative"] = cost.reindex(end.index).fillna(0.0)
    rows = []
    for p, point in enumerate(points + [{}]):
        if p not in end.index.get_level_values("point"):
            continue
        block = end.xs(p, level="point")
        row = {"point": p, "reference": p == len(points), **point, "replicates": len(block)}
        if with_draws:
            row.update(draws=block.index.get_level_values("draw").nunique(),
                       replicates=block.index.get_level_values("replicate").nunique(),
                       runs=len(block))
        for outcome in ("stunting", "anemia", "mean_haz", "cost_total_cumulative"):
            if outcome in block:
                values = block[outcome].dropna()
                row[f"{outcome}_median"] = float(values.median())
                row[f"{outcome}_p5"] = float(np.percentile(values, LOW))
                row[f"{outcome}_p95"] = float(np.percentile(values, HIGH))
                if with_draws:
                    row[f"{outcome}_param_share"] = parameter_share(values)
        rows.append(row)
    return pd.DataFrame(rows)


def sweep_job(sweep_file: Path, sweep: SweepFile, runs: list[RunSpec], points: list[dict],
              draws: int, manifest: dict, folder: OutFolder,
              settings: BatchSettings) -> BatchOutcome:
    """Run (or resume) a sweep in ``folder.out`` and write its summary, chart and draws.

    Writes sweep_summary.csv, sweep_summary.xlsx, sweep.png and, with draws, draws.csv; the
    outcome's ``table`` is the summary (None when no run finished: nothing is written). The
    folder is finished when no run failed.
    """
    out = folder.out
    report, results = run_batch_in(out, runs, manifest, settings)
    if results.empty:
        return BatchOutcome(report)
    written = [out / "sweep_summary.csv", out / "sweep_summary.xlsx", out / "sweep.png"]
    if draws:
        written.append(write_draws(out, draws, sweep.seed))
    summary = sweep_summary(results, points)
    write_csv(summary, written[0])
    note = sweep_note(sweep, draws)
    write_workbook(written[1], summary, "sweep", SWEEP_COLUMNS, note=note)
    region = region_words(runs[0].scenario["geography"])
    title = (f"Sweep {outputs.short(sweep_file.name)}: {region}, {results['date'].max()} "
             "(simulated, national = the run's districts)")
    with atomic_path(written[2]) as chart:
        plot_sweep(summary, points, chart, title=title, note=note)
    if not report.failed:
        folder.finish()
    return BatchOutcome(report, summary, written)


def sweep_note(sweep: SweepFile, draws: int) -> str:
    """Under the sweep's chart and atop its workbook: the interval's meaning and the seed."""
    return (interval_meaning(draws, sweep.replicates) + ". Simulated by the model, not "
            f"measured; seed {sweep.seed}.")
