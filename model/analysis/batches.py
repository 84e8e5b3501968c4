"""A command's batch in its output folder: check the folder, run the batch, load the runs.

The batch commands (compare, sweep, sensitivity, validate) share this: the folder's
manifest (a different batch there is refused), the runs on a pool or a Dask cluster
(``experiments.run_batch``), the finished runs read back, and ``draws.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from model.analysis.experiments import (
    BatchReport,
    RunSpec,
    check_manifest,
    load_runs,
    run_batch,
)
from model.analysis.outputs import write_csv


class BatchError(ValueError):
    """A batch cannot run in its folder (it holds another batch): a message for the user."""


@dataclass
class BatchSettings:
    """Where and how a command's batch runs: workers or a Dask cluster, and its callbacks."""

    workers: int = 1
    cluster: str | None = None
    on_progress: Callable[[BatchReport], None] | None = None
    on_note: Callable[[str], None] | None = None


@dataclass
class BatchOutcome:
    """What a command's batch did and wrote: ``table`` is None when no run finished."""

    report: BatchReport
    table: pd.DataFrame | None = None
    written: list[Path] = field(default_factory=list)


def run_batch_in(out: Path, runs: list[RunSpec], extra: dict | None,
                 settings: BatchSettings) -> tuple[BatchReport, pd.DataFrame]:
    """Check ``out``'s manifest, run the batch there and load the finished runs' results.

    ``extra`` goes into ``batch.json`` beside the fingerprint (None: no manifest, runs
    reused by name). Raises ``BatchError`` if ``out`` holds a different batch and
    ``ClusterError`` if the cluster cannot be reached.
    """
    problem = extra is not None and check_manifest(out, runs, extra, on_note=settings.on_note)
    if problem:
        raise BatchError(problem)
    report = run_batch(runs, out, workers=settings.workers, cluster=settings.cluster,
                       on_progress=settings.on_progress, on_note=settings.on_note)
    return report, load_runs(out, [r.run_id for r in runs], on_note=settings.on_note)


def write_draws(out: Path, draws: int, seed: int) -> Path:
    """Write the ``draws`` parameter sets drawn from ``seed`` to ``out/draws.csv``."""
    from model.analysis.draws import parameter_draws

    return write_csv(parameter_draws(draws, seed), out / "draws.csv", index=True)
