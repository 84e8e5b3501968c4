"""What the commands share on the terminal: the --out folder, Ctrl-C, progress bars.

``holding`` checks and locks a command's output folder (exit 2 if it cannot be used),
``guarded`` turns Ctrl-C and a full disk into a message and an exit code, and the progress
bars follow a batch, a run or a job's runs.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cli.checks import console, fail, note
from model.analysis.outputs import OutError, OutFolder, is_disk_full, short


@contextlib.contextmanager
def holding(out: Path, command: str, option: str = "--out"):
    """Check, lock and mark ``out`` for ``command`` (exit 2 if it cannot be used)."""
    try:
        folder = OutFolder(out, f"python run.py {command}", option).__enter__()
    except OutError as err:
        fail(str(err))
    try:
        yield folder
    finally:
        folder.__exit__()


def guarded(function):
    """Turn Ctrl-C and a full disk inside a command into a message and an exit code.

    Ctrl-C: 130 with the runs kept and how to resume; a full disk: exit 1, the files
    already written are whole (written atomically) and kept.
    """
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except KeyboardInterrupt as err:  # BatchInterrupted carries the batch's report
            report = getattr(err, "report", None)
            kept = "" if report is None else \
                f" {report.skipped + report.finished} of {report.total} runs kept;"
            console.print(f"[bold red]interrupted:[/]{kept} run the same command to resume",
                          highlight=False)
            raise typer.Exit(130) from None
        except OSError as err:
            if not is_disk_full(err):
                raise
            console.print(f"[bold red]disk full[/] writing {short(err.filename or 'output')} "
                          f"({err.strerror}): files already written are whole and kept; free "
                          "space and run the same command to resume", highlight=False)
            raise typer.Exit(1) from None
    return wrapper


def progress_bar(label: str, *fields: TextColumn, remaining: bool = True) -> Progress:
    """A rich progress bar: ``label``, the bar, done of total, extra columns, the times."""
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), *fields,
                    TimeElapsedColumn(), *([TimeRemainingColumn()] if remaining else []),
                    console=console)


@contextlib.contextmanager
def batch_settings(total: int, workers: int, cluster: str | None = None):
    """Settings for a batch of ``total`` runs with a progress bar: runs done, failures.

    The bar appears with the batch's first report (not while the folder is checked) and
    ends with its last, before the results are analysed and written.
    """
    from model.analysis.batches import BatchSettings

    progress = progress_bar("{task.description}", TextColumn("failed: {task.fields[failed]}"))
    task = progress.add_task("runs", total=total, failed=0)

    def update(report) -> None:
        progress.start()
        done = report.skipped + report.finished + len(report.failed)
        progress.update(task, completed=done, failed=len(report.failed))
        if done >= total:
            _stop(progress)

    try:
        yield BatchSettings(workers=workers, cluster=cluster, on_progress=update, on_note=note)
    finally:
        _stop(progress)


@contextlib.contextmanager
def runs_bar(label: str, total: int | None = None, remaining: bool = True, lazy: bool = False):
    """A callback ``on_run(done, total)`` moving a bar of runs, shown while the block runs.

    ``lazy``: the bar appears with the first run it reports (a job that may run nothing).
    """
    progress = progress_bar(label, remaining=remaining)
    task = progress.add_task("runs", total=total)

    def on_run(done: int, total: int | None) -> None:
        progress.start()
        progress.update(task, completed=done, total=total)

    if not lazy:
        progress.start()
    try:
        yield on_run
    finally:
        _stop(progress)


def _stop(progress: Progress) -> None:
    """End the bar if it is shown (a second stop would print an empty line)."""
    if progress.live.is_started:
        progress.stop()


def finish_batch(report, out: Path) -> None:
    """Final line (how many runs failed) and the exit code."""
    failed = len(report.failed)
    line = (f"{report.total} runs: {report.finished} run now, {report.skipped} already done, "
            f"{failed} failed")
    if failed:
        console.print(f"[bold red]{line}[/] (errors in {out / 'runs'}/*.error.json)",
                      highlight=False)
        raise typer.Exit(1)
    console.print(line, highlight=False)


def batch_command(out: Path, command: str, total: int, workers: int, cluster: str | None,
                  job, show) -> None:
    """Hold ``out``, run ``job(folder, settings)`` behind a bar, ``show`` its table, exit.

    ``job`` is a batch job of the analysis layer (it returns a ``BatchOutcome``); a folder
    holding another batch or an unreachable cluster exits 2; the final line says how many
    runs failed (exit 1 if any).
    """
    from model.analysis.batches import BatchError
    from model.analysis.experiments import ClusterError

    with holding(out, command) as folder:
        try:
            with batch_settings(total, workers, cluster) as settings:
                outcome = job(folder, settings)
        except (BatchError, ClusterError) as err:
            fail(str(err))
        if outcome.table is not None:
            show(outcome.table)
            console.print("Wrote " + ", ".join(str(p) for p in outcome.written),
                          highlight=False)
    finish_batch(outcome.report, out)
