"""Options and checks shared by the commands: clear errors (exit 2), ranges, seeds, workers.

Every check runs before any work and exits 2 with a message naming the option, the value
and what is allowed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from model import calendar
from model.analysis.outputs import OutError, check_writable, short

ROOT = Path(__file__).parent.parent
SCENARIO_FOLDER = ROOT / "scenarios"
DEFAULT_SCENARIO = SCENARIO_FOLDER / "baseline.yaml"
HISTORICAL = SCENARIO_FOLDER / "peru_2000_2019.yaml"
DEFAULT_TARGET_FILES = [ROOT / "model" / "data" / name for name in (
    "calibration_targets.csv", "endes_departments_2009_2012.csv")]
EXIT_BAD_INPUT = 2

console = Console(stderr=True)

# caps on the work one command may start (issue 13): past them the command refuses (exit 2)
MAX_REPLICATES = 1000
MAX_DRAWS = 10_000
MAX_RUNS = 20_000
MAX_SEED = 2**63 - 1
CORES = max(os.cpu_count() or 1, 2)  # the defaults of holdout and calibrate use 2
OVERSUBSCRIBE_FACTOR = 8  # with --allow-oversubscribe, at most this many workers per core
# seconds per simulated child-month on this 2-core machine (all Peru at scale 20, 300 months
# in about 13 s): the batch estimate is runs x months x children / scale x this / workers
CHILD_MONTH_SECONDS = 3e-7
PERU_CHILDREN = 2.9e6
RUN_OVERHEAD_SECONDS = 1.0  # building a model, starting a process
HISTORY_MONTHS = 240

DEPARTMENTS_OPTION = typer.Option(
    None, "--departments", help="Simulate only these departments, comma-separated, e.g. "
                                "'Junín,Apurímac' (accents and case do not matter); replaces "
                                "the scenario's geography.")
DISTRICTS_OPTION = typer.Option(
    None, "--districts", help="Simulate only these districts: comma-separated 6-digit INEI "
                              "ubigeo codes, e.g. 090101,090102 (model/data/peru_districts.csv); "
                              "replaces the scenario's geography.")
# the options of every batch command (compare, sweep, sensitivity)
WORKERS_OPTION = typer.Option(os.cpu_count() or 1, help="Processes (1 = serial).")
OVERSUBSCRIBE_OPTION = typer.Option(False, "--allow-oversubscribe",
                                    help="Allow --workers above the number of cores (with a "
                                         "warning).")
CLUSTER_OPTION = typer.Option(None, help="Dask scheduler address, e.g. tcp://host:8786 (needs "
                                         "the [cluster] extra).")


def fail(message: str) -> None:
    """Print a clear error (no traceback) and exit with code 2."""
    from rich.markup import escape

    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def note(text: str) -> None:
    """A yellow note on the terminal (e.g. a damaged file set aside)."""
    console.print(f"[yellow]note:[/] {text}", highlight=False)


def check_range(option: str, value, low, high) -> None:
    """Exit 2 unless ``low <= value <= high`` (NaN is refused too)."""
    if not low <= value <= high:
        fail(f"{option} {short(value)}: allowed {low:g}-{high:g}" if isinstance(value, float)
             else f"{option} {short(value)}: allowed {low}-{high}")


def check_seed(seed: Optional[int]) -> None:
    """Exit 2 unless the seed is a non-negative 63-bit integer (or not given)."""
    if seed is not None:
        check_range("--seed", seed, 0, MAX_SEED)


def check_workers(workers: int, allow_oversubscribe: bool) -> None:
    """Exit 2 unless 1 <= workers <= the cores; more only with --allow-oversubscribe."""
    limit = CORES * OVERSUBSCRIBE_FACTOR if allow_oversubscribe else CORES
    if not 1 <= workers <= limit:
        fail(f"--workers {workers}: allowed 1-{limit}"
             + ("" if allow_oversubscribe else " (the cores; more with "
                f"--allow-oversubscribe, up to {CORES * OVERSUBSCRIBE_FACTOR})"))
    if workers > CORES:
        console.print(f"[yellow]warning:[/] --workers {workers} on {CORES} cores: runs will "
                      "compete for the CPU and memory", highlight=False)


def check_jacobian_options(seeds: int, workers: int, allow_oversubscribe: bool = False) -> None:
    """Refuse --seeds outside 2-100 (their disagreement is the Jacobian's error), bad --workers."""
    check_range("--seeds", seeds, 2, 100)
    check_workers(workers, allow_oversubscribe)


def estimate_batch(n_runs: int, workers: int, spec, options: str) -> None:
    """Refuse a batch past MAX_RUNS (exit 2); print the runs and a rough time.

    ``spec`` is a scenario (or its dict): its months, scale and history set the time a run;
    ``options`` names what sets the number of runs (for the message).
    """
    if n_runs > MAX_RUNS:
        fail(f"{options}: {n_runs:,} runs; allowed at most {MAX_RUNS:,} in one command")
    body = spec if isinstance(spec, dict) else spec.model_dump()
    months = body["months"] + (HISTORY_MONTHS if body.get("history") is not None else 0)
    scale = float(body["scale"])
    per_run = RUN_OVERHEAD_SECONDS + months * PERU_CHILDREN / scale * CHILD_MONTH_SECONDS
    total = n_runs * per_run / max(1, min(workers, CORES))
    shown = f"{total / 3600:.1f} h" if total > 5400 else f"{total / 60:.0f} min" \
        if total > 90 else f"{total:.0f} s"
    console.print(f"{n_runs:,} runs on {workers} worker{'s' * (workers > 1)}: at most about "
                  f"{shown} ({per_run:.1f} s a run for all Peru at scale {scale:g}; less "
                  "for a region or a resumed batch)", highlight=False)


def geography_override(departments: Optional[str], districts: Optional[str]) -> Optional[dict]:
    """The ``geography`` that --departments/--districts ask for, checked; None if not given.

    Exits 2 naming the option, the value and what is allowed, with "did you mean"
    suggestions for a department name.
    """
    from model import geography
    from model.interventions.base import check_districts
    from model.names import match_department

    if departments is None and districts is None:
        return None
    names = [d.strip() for d in (departments or "").split(",") if d.strip()]
    codes = [d.strip() for d in (districts or "").split(",") if d.strip()]
    if not names and not codes:
        fail("--departments/--districts: empty list; allowed: comma-separated department "
             "names (e.g. Junín,Apurímac) or 6-digit ubigeo codes (e.g. 090101)")
    valid = geography.department_names()
    try:
        names = [match_department(name, valid) for name in names]
    except ValueError as err:
        fail(f"--departments: {err}")
    try:
        check_districts(codes)
    except ValueError as err:
        fail(f"--districts: {err}")
    return {"departments": list(dict.fromkeys(names)), "districts": list(dict.fromkeys(codes))}


def check_years(years: Optional[list[int]], spec) -> None:
    """Exit 2 unless every --years year has a record between the start and the end."""
    if not years:
        return
    first = calendar.parse(spec.start)
    last = first + spec.months
    outside = [y for y in years
               if calendar.last_month(y) < first or calendar.month_index(y, 1) > last]
    if outside:
        fail(f"--years {short(outside)}: allowed years from {calendar.year_of(first)} to "
             f"{calendar.year_of(last)} "
             "(the scenarios' start and end)")


def check_file_target(path: Path, option: str, inside: Optional[list[Path]] = None) -> None:
    """Exit 2 unless ``path`` can be written as a file (not a folder, parent writable).

    With ``inside``, the file must also lie in one of those folders.
    """
    if inside and not any(path.resolve().is_relative_to(folder.resolve())
                          for folder in inside):
        fail(f"{option} {short(path)}: outside {', '.join(short(f) for f in inside)}; "
             "allowed: a file in one of those folders")
    if path.is_dir():
        fail(f"{option} {short(path)}: is a folder; allowed: a file path")
    try:
        check_writable(path.parent, option)
    except OutError as err:
        fail(str(err))
