"""Running scenarios: one run, replicate seeds, and many runs on a pool (``pools``) or Dask.

Only the runner writes files (one Parquet file per finished run, written atomically, so an
interrupted batch resumes where it stopped); the model itself does no I/O (STYLE.md §11).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from model.analysis.outputs import safe_name, set_aside, write_atomic, write_json
from model.analysis.pools import end_pool, new_pool
from model.config import Scenario, validate_scenario
from model.model import build_model


@dataclass
class RunOutcome:
    """What one run produced: the tidy results (possibly partial) and its metadata."""

    results: pd.DataFrame
    metadata: dict
    error: BaseException | None = field(default=None, repr=False)

    @property
    def complete(self) -> bool:
        """True when every requested month was simulated."""
        return self.metadata["status"] == "complete"


def code_version() -> str:
    """Package version plus the git commit of the source tree when available."""
    version = importlib_metadata.version("peru-ecd-sim")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=Path(__file__).parent, timeout=5)
        if commit.returncode == 0:
            version += f"+{commit.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    return version


def run_scenario(scenario: Scenario, on_month: Callable[[int, int], None] | None = None,
                 on_setup: Callable[[], None] | None = None) -> RunOutcome:
    """Build the model and run every month of ``scenario``.

    Args:
        scenario: a validated scenario.
        on_month: called as ``on_month(done, total)`` after each month (progress bars).
        on_setup: called once the population is built.

    A failure or Ctrl-C part-way keeps what was computed: the outcome then holds the months
    recorded so far, ``metadata["status"]`` says ``failed`` or ``interrupted``, and
    ``error`` holds the exception.
    """
    started = time.perf_counter()
    try:
        model = build_model(scenario)
    except Exception as err:  # noqa: BLE001 - reported to the caller, not a traceback
        return RunOutcome(results=pd.DataFrame(), error=err, metadata={
            "scenario": scenario.name, "status": "failed", "months_simulated": 0,
            "error": f"{type(err).__name__}: {err}", "wall_seconds": 0.0})
    setup_seconds = time.perf_counter() - started
    if on_setup:
        on_setup()
    status, error = "complete", None
    try:
        for _ in range(scenario.months):
            model.step()
            if on_month:
                on_month(model.steps, scenario.months)
    except KeyboardInterrupt as err:
        status, error = "interrupted", err
    except Exception as err:  # noqa: BLE001 - keep the months already computed
        status, error = "failed", err
    wall = time.perf_counter() - started
    meta = {
        "scenario": scenario.name,
        "description": scenario.description,
        "scenario_hash": scenario.digest(),
        "seed": model.seed,
        "scale": scenario.scale,
        "start": scenario.start,
        "months_requested": scenario.months,
        "months_simulated": model.steps,
        "status": status,
        "error": None if error is None else f"{type(error).__name__}: {error}",
        "anemia_definition": scenario.anemia_definition,
        "districts": int(model.geography.n),
        "simulated_children": int(model.children.size),
        "simulated_households": int(model.households.size),
        "health_posts": len(model.health_posts),
        "setup_seconds": round(setup_seconds, 3),
        "wall_seconds": round(wall, 3),
        "code_version": code_version(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scenario_definition": scenario.model_dump(mode="json"),
    }
    return RunOutcome(results=model.results(), metadata=meta, error=error)


# --- replicates and many runs --------------------------------------------------------------

def replicate_seeds(seed: int, n: int) -> list[int]:
    """``n`` distinct, reproducible model seeds from ``SeedSequence(seed).spawn(n)``."""
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))  # < 2**63
            for child in np.random.SeedSequence(seed).spawn(n)]


def draw_seeds(seed: int, draws: int, replicates: int) -> list[list[int]]:
    """Each parameter draw's own replicate seeds (draw 0's are ``replicate_seeds(seed, M)``).

    Every draw gets distinct seeds, so chance is sampled across draws as well as within.
    """
    seeds = replicate_seeds(seed, draws * replicates)
    return [seeds[d * replicates:(d + 1) * replicates] for d in range(draws)]


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: a scenario (as a plain dict), a seed and labels for the results.

    Runs with the same non-empty ``group`` (e.g. a comparison's arms in one draw and
    replicate, which share a history) are given to one worker together, in order, so the
    worker lives their history once and restores it for the others.
    """

    run_id: str
    scenario: dict
    seed: int
    labels: dict = field(default_factory=dict)
    group: str = ""


def execute_run(spec: RunSpec, on_month: Callable[[int, int], None] | None = None
                ) -> pd.DataFrame:
    """Run one spec to completion and return its tidy results with the labels as columns.

    ``on_month(done, total)`` is called after each month (the dashboard's progress bar; it
    may raise to stop the run). Raises whatever the model raises: the caller records it as
    a failed run.
    """
    scenario = validate_scenario({**spec.scenario, "seed": spec.seed}, source=spec.run_id)
    model = build_model(scenario)
    for _ in range(scenario.months):
        model.step()
        if on_month:
            on_month(model.steps, scenario.months)
    results = model.results()
    results.insert(0, "run_id", spec.run_id)
    for key, value in spec.labels.items():
        results[key] = value
    return results


class ClusterError(RuntimeError):
    """The Dask cluster named by ``--cluster`` cannot be used."""


@dataclass
class BatchReport:
    """What ``run_batch`` did."""

    total: int
    skipped: int = 0
    finished: int = 0
    failed: list[str] = field(default_factory=list)


def model_source_digest() -> str:
    """A hash of the model's source and data, committed or not.

    The source files (``model/**/*.py``) and the data tables (``model/data/*.csv``: fitted
    department terms, posterior, districts): a change in either gives other numbers.
    """
    root = Path(__file__).parent.parent  # the model package, analysis included
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.py"), *(root / "data").glob("*.csv")]):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def batch_fingerprint(runs: list[RunSpec]) -> str:
    """A hash of every run's id, scenario and seed and of the model's code.

    A resumed batch must match it: finished runs of other scenarios, or of another version of
    the model (edited code gives other numbers), are never mixed with new ones.
    """
    text = json.dumps([model_source_digest()] + [(r.run_id, r.seed, r.scenario) for r in runs],
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_manifest(out: Path, runs: list[RunSpec], extra: dict | None = None,
                   on_note: Callable[[str], None] | None = None) -> str | None:
    """Write ``out/batch.json``; return a problem if ``out`` holds a different batch.

    An empty or unreadable ``batch.json`` (a damaged folder) is set aside as
    ``batch.json.damaged-N`` with a note through ``on_note``, and the batch starts afresh
    (finished run files are still reused by name).
    """
    manifest = out / "batch.json"
    fingerprint = batch_fingerprint(runs)
    if manifest.exists():
        try:
            previous = json.loads(manifest.read_text()).get("fingerprint")
        except (ValueError, AttributeError, UnicodeDecodeError, OSError):
            moved = set_aside(manifest)
            _note(on_note, f"{manifest} was empty or damaged: set aside as {moved.name}")
            previous = fingerprint
        if previous != fingerprint:
            return (f"--out {out} holds a different batch of runs, or runs of another "
                    f"version of the model (fingerprint {previous}, this one {fingerprint}); "
                    "allowed: the same command with the same code to resume, or a new --out")
    out.mkdir(parents=True, exist_ok=True)
    write_json(manifest, {"fingerprint": fingerprint, "runs": len(runs), **(extra or {})})
    return None


def _note(on_note: Callable[[str], None] | None, text: str) -> None:
    """Pass ``text`` to ``on_note`` when there is one."""
    if on_note:
        on_note(text)


def run_path(out: Path, run_id: str) -> Path:
    """Where a finished run's Parquet file lives (its id made a safe file name)."""
    return out / "runs" / f"{safe_name(run_id)}.parquet"


def error_path(out: Path, run_id: str) -> Path:
    """Where a failed run's error report lives."""
    return out / "runs" / f"{safe_name(run_id)}.error.json"


def _write_atomically(frame: pd.DataFrame, path: Path) -> None:
    write_atomic(path, lambda temporary: frame.to_parquet(temporary, index=False))


def _record_failure(out: Path, spec: RunSpec, error_text: str) -> None:
    write_json(error_path(out, spec.run_id), {"run_id": spec.run_id, "seed": spec.seed,
                                              "labels": spec.labels, "error": error_text})


def _readable(path: Path) -> bool:
    """True when ``path`` is a whole Parquet file (its footer can be read)."""
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
        return True
    except Exception:  # noqa: BLE001 - any failure means damaged
        return False


def _guarded(spec: RunSpec) -> tuple[str, pd.DataFrame | None, str | None]:
    """Run a spec, turning an exception into text (so pools and clusters never lose a batch)."""
    try:
        return spec.run_id, execute_run(spec), None
    except Exception:  # noqa: BLE001 - recorded, the batch goes on
        return spec.run_id, None, traceback.format_exc(limit=8)


def _guarded_group(specs: list[RunSpec]) -> list[tuple[str, pd.DataFrame | None, str | None]]:
    """Run a group of specs in order in one process (``_guarded`` for each)."""
    return [_guarded(spec) for spec in specs]


def _groups(specs: list[RunSpec]) -> list[list[RunSpec]]:
    """Specs gathered by ``group`` (first-appearance order); ungrouped specs alone."""
    grouped: dict[str, list[RunSpec]] = {}
    for i, spec in enumerate(specs):
        grouped.setdefault(spec.group or f"\0{i}", []).append(spec)
    return list(grouped.values())


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a batch: ``report`` says how many runs are kept on disk."""

    def __init__(self, report: BatchReport):
        """Keep the report of the runs finished so far."""
        super().__init__(f"{report.skipped + report.finished} of {report.total} runs kept")
        self.report = report


def run_batch(specs: Iterable[RunSpec], out: Path, workers: int = 1,
              cluster: str | None = None,
              on_progress: Callable[[BatchReport], None] | None = None,
              on_note: Callable[[str], None] | None = None) -> BatchReport:
    """Run every spec whose results are not on disk yet; write each as soon as it finishes.

    Args:
        specs: the runs.
        out: folder; finished runs go to ``out/runs/<run_id>.parquet``, failures to
            ``out/runs/<run_id>.error.json`` (retried on the next call). A run file that
            cannot be read (damaged) is set aside as ``.damaged-N`` and the run done again.
        workers: processes for the local pool (1 = serial, in this process).
        cluster: address of an existing Dask scheduler (``tcp://host:8786``); overrides
            ``workers``.
        on_progress: called after each run with the report so far.
        on_note: called with a message for each damaged file set aside.

    Ctrl-C cancels the queued runs at once, ends the workers and raises
    ``BatchInterrupted`` (a ``KeyboardInterrupt``) with the report: every finished run is
    on disk. Any other error (e.g. a full disk) also ends the workers before it propagates.
    """
    specs = list(specs)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out / "runs")
    report = BatchReport(total=len(specs))
    todo = []
    for spec in specs:
        path = run_path(out, spec.run_id)
        if path.exists() and not _readable(path):
            moved = set_aside(path)
            _note(on_note, f"{path} was damaged: set aside as {moved.name}; the run is done "
                           "again")
        if path.exists():
            report.skipped += 1
        else:
            todo.append(spec)
    if on_progress:
        on_progress(report)

    def finish(run_id: str, frame: pd.DataFrame | None, error: str | None) -> None:
        spec = by_id[run_id]
        if error is None:
            _write_atomically(frame, run_path(out, run_id))
            error_path(out, run_id).unlink(missing_ok=True)
            report.finished += 1
        else:
            _record_failure(out, spec, error)
            report.failed.append(run_id)
        if on_progress:
            on_progress(report)

    by_id = {spec.run_id: spec for spec in todo}
    try:
        if cluster:
            _run_on_dask(_groups(todo), cluster, finish)
        elif workers <= 1:
            for spec in todo:
                finish(*_guarded(spec))
        else:
            _run_on_pool(_groups(todo), workers, finish)
    except KeyboardInterrupt:
        raise BatchInterrupted(report) from None
    return report


def _remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary run files left by processes that died while writing them."""
    for path in folder.glob(".*.tmp.parquet"):
        pid = path.name.split(".")[2]
        alive = pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid))
        if not alive:
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """True when a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_on_pool(groups: list[list[RunSpec]], workers: int, finish) -> None:
    """Run the groups on a local pool; on any error or Ctrl-C end the workers at once."""
    pool = new_pool(workers)
    try:
        pending = {pool.submit(_guarded_group, group) for group in groups}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                for outcome in future.result():
                    finish(*outcome)
    except BaseException:
        end_pool(pool)
        raise
    pool.shutdown(wait=True)


def _run_on_dask(groups: list[list[RunSpec]], address: str, finish) -> None:
    """Submit every group of specs to an existing Dask cluster; collect results as they finish."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the install
        raise ClusterError("--cluster needs dask.distributed: pip install -e '.[cluster]'") \
            from None
    try:
        # A scheduler answers in well under a second; do not keep a mistyped address
        # waiting for half a minute before saying so.
        client = Client(address, timeout="5s")
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterError(f"--cluster {address}: cannot reach a Dask scheduler there ({err}); "
                           "allowed: the address of a running scheduler, e.g. "
                           "tcp://host:8786") from None
    with client:
        futures = [client.submit(_guarded_group, group, key=f"ecd-{group[0].run_id}",
                                 pure=False) for group in groups]
        try:
            for future in as_completed(futures):
                for outcome in future.result():
                    finish(*outcome)
        except BaseException:
            client.cancel(futures)
            raise


def load_runs(out: Path, run_ids: Iterable[str] | None = None,
              on_note: Callable[[str], None] | None = None) -> pd.DataFrame:
    """All finished runs in ``out/runs`` (or the given ones) as one frame.

    A file that cannot be read is set aside (``.damaged-N``, with a note through
    ``on_note``) and left out; the next run of the same command does that run again.
    """
    paths = sorted((out / "runs").glob("*.parquet")) if run_ids is None else [
        run_path(out, run_id) for run_id in run_ids if run_path(out, run_id).exists()]
    frames = []
    for path in paths:
        try:
            frames.append(pd.read_parquet(path))
        except Exception:  # noqa: BLE001 - any failure means damaged
            moved = set_aside(path)
            _note(on_note, f"{path} was damaged: set aside as {moved.name}; run the same "
                           "command again to redo it")
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)

