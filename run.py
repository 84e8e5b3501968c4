"""Command line of the Peru early-childhood policy simulator.

python run.py                         run the default scenario into output/
python run.py run SCENARIO.yaml       run a scenario (see --help for options)
python run.py bench                   speed and memory benchmark
python run.py dashboard               the Solara dashboard on http://localhost:8765
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from model.analysis.outputs import (
    OutError,
    OutFolder,
    check_writable,
    is_disk_full,
    short,
    write_atomic,
    write_csv,
    write_json,
    write_text,
)
from model.config import ScenarioError, load_scenario

SCENARIO_FOLDER = Path(__file__).parent / "scenarios"
DEFAULT_SCENARIO = SCENARIO_FOLDER / "baseline.yaml"
DEFAULT_TARGET_FILES = [Path(__file__).parent / "model" / "data" / name for name in (
    "calibration_targets.csv", "endes_departments_2009_2012.csv")]
EXIT_BAD_INPUT = 2

app = typer.Typer(add_completion=False, no_args_is_help=False, invoke_without_command=True,
                  help="Agent-based simulator of stunting and anemia in Peru's children under "
                       "five, district by district. With no command, runs the default scenario "
                       f"({DEFAULT_SCENARIO.relative_to(Path(__file__).parent)}) into output/.",
                  rich_markup_mode=None, pretty_exceptions_enable=False)
console = Console(stderr=True)


def fail(message: str) -> None:
    """Print a clear error (no traceback) and exit with code 2."""
    from rich.markup import escape

    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True)
    raise typer.Exit(EXIT_BAD_INPUT)


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


DEPARTMENTS_OPTION = typer.Option(
    None, "--departments", help="Simulate only these departments, comma-separated, e.g. "
                                "'Junín,Apurímac' (accents and case do not matter); replaces "
                                "the scenario's geography.")
DISTRICTS_OPTION = typer.Option(
    None, "--districts", help="Simulate only these districts: comma-separated 6-digit INEI "
                              "ubigeo codes, e.g. 090101,090102 (model/data/peru_districts.csv); "
                              "replaces the scenario's geography.")


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
    year, month = (int(part) for part in str(spec.start).split("-")[:2])
    first, last = year * 12 + month - 1, year * 12 + month - 1 + spec.months
    outside = [y for y in years if y * 12 + 11 < first or y * 12 > last]
    if outside:
        fail(f"--years {short(outside)}: allowed years from {first // 12} to {last // 12} "
             "(the scenarios' start and end)")


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


@app.callback()
def main(ctx: typer.Context) -> None:
    """Run the default scenario when no command is given."""
    if ctx.invoked_subcommand is None:
        run(DEFAULT_SCENARIO, seed=None, months=None, scale=None, departments=None,
            districts=None, out=Path("output"))


@app.command()
@guarded
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/baseline.yaml."),
    seed: Optional[int] = typer.Option(None, help="Random seed (default: the scenario's seed)."),
    months: Optional[int] = typer.Option(None, help="Months to simulate, 1-1200 (default: the "
                                                     "scenario's)."),
    scale: Optional[float] = typer.Option(None, help="Real children per simulated child, >= 1; "
                                                      "1 simulates every child (default: the "
                                                      "scenario's)."),
    departments: Optional[str] = DEPARTMENTS_OPTION,
    districts: Optional[str] = DISTRICTS_OPTION,
    out: Path = typer.Option(Path("output"), help="Folder for results.csv, metadata.json and "
                                                  "trajectories.png (created if missing)."),
) -> None:
    """Run one scenario and write results.csv, metadata.json and trajectories.png to --out."""
    check_seed(seed)
    place = geography_override(departments, districts)
    try:
        spec = load_scenario(scenario, {"seed": seed, "months": months, "scale": scale,
                                        "geography": place})
    except ScenarioError as err:
        fail(str(err))
    with holding(out, "run") as folder:
        _run_into(spec, out, folder)


def _run_into(spec, out: Path, folder: OutFolder) -> None:
    """The work of ``run``: simulate, then write results, chart and metadata (last)."""
    from model.analysis.charts import plot_trajectories
    from model.analysis.experiments import run_scenario
    from model.analysis.outputs import atomic_path

    console.print(f"Scenario [bold]{spec.name}[/]: {spec.months} months from {spec.start}, "
                  f"seed {spec.seed}, scale {spec.scale:g}", highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                  transient=False) as bar:
        task = bar.add_task("living the history 2000-2019" if spec.history else
                            "building population", total=spec.months)
        outcome = run_scenario(
            spec, on_setup=lambda: bar.update(task, description="simulating months"),
            on_month=lambda done, total: bar.update(task, completed=done))

    if outcome.results.empty:
        console.print(f"[bold red]run failed while building the model:[/] "
                      f"{outcome.metadata['error']}", highlight=False)
        folder.mark("the model could not be built; results.csv and metadata.json here, if "
                    "any, are an earlier run's")
        raise typer.Exit(1)
    folder.mark("results.csv may be this run's while metadata.json is an earlier run's")
    write_csv(outcome.results, out / "results.csv")
    region = _region(spec.geography.model_dump())
    with atomic_path(out / "trajectories.png") as chart:
        plot_trajectories(outcome.results, chart,
                          title=f"{spec.name}: {region}, simulated (one run: seed {spec.seed}, "
                                f"scale {spec.scale:g})",
                          total_label="National" if region == "Peru" else region[:40])
    write_json(out / "metadata.json", outcome.metadata)
    folder.finish()  # metadata.json says whether the run completed
    _print_summary(outcome.results, outcome.metadata, out)
    if not outcome.complete:
        console.print(f"[bold red]run {outcome.metadata['status']}[/] after "
                      f"{outcome.metadata['months_simulated']} of {spec.months} months: "
                      f"{outcome.metadata['error']}. The months computed were written to {out}.")
        raise typer.Exit(130 if outcome.metadata["status"] == "interrupted" else 1)


def _region(geography: dict) -> str:
    """A scenario's ``geography`` (a dict) in words, for chart titles.

    Peru, its departments as INEI writes them, or how many districts.
    """
    from model import places

    if geography["districts"]:
        return f"{len(geography['districts'])} districts"
    if geography["departments"]:
        return ", ".join(places.department_label(d) for d in geography["departments"])
    return "Peru"


def _print_summary(results, meta: dict, out: Path) -> None:
    """A few numbers on the terminal so the user sees what happened."""
    from model.analysis.validation import anemia_definition_note

    nat = results[results["group"] == "national"]
    first, last = nat["step"].min(), nat["step"].max()
    lines = []
    for metric, label in (("stunting", "stunting 0-59 m"), ("anemia", "anemia 6-35 m")):
        values = nat[nat["metric"] == metric].set_index("step")["value"]
        lines.append(f"  {label:16s} {values[first]:5.1f}% -> {values[last]:5.1f}%  "
                     f"({nat[nat.step == first]['date'].iloc[0]} -> "
                     f"{nat[nat.step == last]['date'].iloc[0]})")
    console.print("\n".join(lines), highlight=False)
    console.print(f"  ({anemia_definition_note(meta.get('anemia_definition', 'who2011'))})",
                  highlight=False)
    console.print(f"Wrote {out / 'results.csv'}, {out / 'metadata.json'}, "
                  f"{out / 'trajectories.png'} in {meta['wall_seconds']:.1f} s", highlight=False)


# the options of every batch command (compare, sweep, sensitivity)
WORKERS_OPTION = typer.Option(os.cpu_count() or 1, help="Processes (1 = serial).")
OVERSUBSCRIBE_OPTION = typer.Option(False, "--allow-oversubscribe",
                                    help="Allow --workers above the number of cores (with a "
                                         "warning).")
CLUSTER_OPTION = typer.Option(None, help="Dask scheduler address, e.g. tcp://host:8786 (needs "
                                         "the [cluster] extra).")


def _batch_progress(total: int):
    """A rich progress bar for batches: runs done, failures, time left."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("failed: {task.fields[failed]}"), TimeElapsedColumn(),
                        TimeRemainingColumn(), console=console)
    task = progress.add_task("runs", total=total, failed=0)

    def update(report) -> None:
        progress.update(task, completed=report.skipped + report.finished + len(report.failed),
                        failed=len(report.failed))
    return progress, update


def note(text: str) -> None:
    """A yellow note on the terminal (e.g. a damaged file set aside)."""
    console.print(f"[yellow]note:[/] {text}", highlight=False)


def _run_batch_in(out: Path, runs, extra: Optional[dict], workers: int,
                  cluster: Optional[str] = None):
    """Check the folder's manifest, run the batch behind a progress bar, load the results.

    A different batch in ``out`` or a cluster that cannot be reached exits 2 (``extra`` None:
    no manifest, runs reused by name). Returns the report and the finished runs' results.
    """
    from model.analysis.experiments import ClusterError, check_manifest, load_runs, run_batch

    problem = extra is not None and check_manifest(out, runs, extra, on_note=note)
    if problem:
        fail(problem)
    progress, update = _batch_progress(len(runs))
    try:
        with progress:
            report = run_batch(runs, out, workers=workers, cluster=cluster,
                               on_progress=update, on_note=note)
    except ClusterError as err:
        fail(str(err))
    return report, load_runs(out, [r.run_id for r in runs], on_note=note)


def _finish_batch(report, out: Path) -> None:
    """Final line (how many runs failed) and the exit code."""
    failed = len(report.failed)
    line = (f"{report.total} runs: {report.finished} run now, {report.skipped} already done, "
            f"{failed} failed")
    if failed:
        console.print(f"[bold red]{line}[/] (errors in {out / 'runs'}/*.error.json)",
                      highlight=False)
        raise typer.Exit(1)
    console.print(line, highlight=False)


def _comparable_scenarios(command: str, paths: list[Path], months: Optional[int],
                          scale: Optional[float], years: Optional[str],
                          place: Optional[dict] = None):
    """Scenarios with --months/--scale applied and the --years list, or exit 2.

    The scenarios must have distinct names and share what common random numbers need
    (``check_comparable``).
    """
    from model.analysis.comparison import check_comparable

    try:
        specs = [load_scenario(p, {"months": months, "scale": scale, "geography": place})
                 for p in paths]
        year_list = [int(y) for y in years.split(",")] if years else None
    except ScenarioError as err:
        fail(str(err))
    except ValueError:
        fail(f"--years {short(years)}: allowed a comma-separated list of years, e.g. "
             "2024,2029")
    if year_list and len(set(year_list)) < len(year_list):
        fail(f"--years {short(years)}: a year given twice; allowed: distinct years, e.g. "
             "2024,2029")
    names = [s.name for s in specs]
    if len(set(names)) < len(names):
        fail(f"{command}: scenario names must differ, got {names}")
    problems = check_comparable(specs)
    if problems:
        fail(f"{command}: scenarios must share start, months, scale, geography, anemia "
             "definition and history for common random numbers; " + "; ".join(problems)
             + " (--months and --scale set them for all)")
    check_years(year_list, specs[0])
    return specs, year_list


@app.command()
@guarded
def compare(
    scenarios: list[Path] = typer.Argument(..., help="Two or more scenario YAML files; the "
                                                    "first is the reference."),
    replicates: int = typer.Option(10, help="Replicates per scenario (and per draw; same "
                                            "seeds for all)."),
    draws: int = typer.Option(0, help="Parameter draws (Latin hypercube over every uncertain "
                                      "number, reproducible from --seed); 0 = the defaults "
                                      "only, intervals from chance alone."),
    seed: int = typer.Option(1, help="Root seed; replicate seeds come from "
                                     "SeedSequence(seed).spawn(draws x replicates), each draw "
                                     "its own; draws from a hypercube seeded by it."),
    years: Optional[str] = typer.Option(None, help="Comma-separated years to summarise "
                                                   "(default: the middle and last year)."),
    months: Optional[int] = typer.Option(None, help="Months for every scenario."),
    scale: Optional[float] = typer.Option(None, help="Scale for every scenario."),
    departments: Optional[str] = DEPARTMENTS_OPTION,
    districts: Optional[str] = DISTRICTS_OPTION,
    workers: int = WORKERS_OPTION,
    allow_oversubscribe: bool = OVERSUBSCRIBE_OPTION,
    cluster: Optional[str] = CLUSTER_OPTION,
    out: Path = typer.Option(Path("comparison"), help="Folder for results.parquet, "
                                                      "summary.csv, summary.xlsx, summary.md, "
                                                      "draws.csv, comparison.png and runs/."),
) -> None:
    """Compare scenarios over parameter draws and replicates with common random numbers.

    Prints the national table and writes results.parquet (all runs), summary.csv, summary.xlsx (the
    same, with a sheet of column meanings) and summary.md (medians, 90% intervals, differences
    from the first scenario, child-years averted, costs, and with --draws the share of each
    change's variance due to parameter uncertainty), draws.csv (the parameter sets) and
    comparison.png. Finished runs are kept in --out/runs, so an interrupted comparison resumes
    where it stopped.
    """
    from model.analysis.charts import plot_comparison
    from model.analysis.comparison import (
        comparison_specs,
        interval_meaning,
        summarise,
        summary_markdown,
    )
    from model.analysis.outputs import atomic_path
    from model.analysis.spreadsheet import COMPARISON_COLUMNS, write_workbook

    if len(scenarios) < 2:
        fail("compare: give at least two scenario files (the first is the reference)")
    check_range("--replicates", replicates, 1, MAX_REPLICATES)
    check_range("--draws", draws, 0, MAX_DRAWS)
    check_seed(seed)
    check_workers(workers, allow_oversubscribe)
    place = geography_override(departments, districts)
    specs, year_list = _comparable_scenarios("compare", scenarios, months, scale, years, place)
    names = [s.name for s in specs]
    estimate_batch(len(specs) * replicates * max(1, draws), workers, specs[0],
                   f"--replicates {replicates} x --draws {draws} x {len(specs)} scenarios")
    runs = comparison_specs(specs, replicates, seed, draws)
    with holding(out, "compare") as folder:
        report, results = _run_batch_in(out, runs, {"scenarios": [str(p) for p in scenarios],
                                                    "draws": draws, "replicates": replicates,
                                                    **({"geography": place} if place else {})},
                                        workers, cluster)
        if results.empty:
            _finish_batch(report, out)
            return
        if draws:
            from model.analysis.draws import parameter_draws
            write_csv(parameter_draws(draws, seed), out / "draws.csv", index=True)
        write_atomic(out / "results.parquet",
                     lambda path: results.to_parquet(path, index=False))
        summary = summarise(results, year_list)
        write_csv(summary, out / "summary.csv")
        write_workbook(out / "summary.xlsx", summary, "summary", COMPARISON_COLUMNS,
                       note=interval_meaning(draws, replicates) + ". Simulated by the model, "
                            "not measured.")
        write_text(out / "summary.md", summary_markdown(
            summary, replicates, specs[0].anemia_definition, draws))
        label = f"{draws} draws x {replicates} replicates" if draws else \
            f"{replicates} replicates"
        with atomic_path(out / "comparison.png") as chart:
            region = _region(specs[0].geography.model_dump())
            plot_comparison(results, chart, title=f"{' vs '.join(names)}: {region}, "
                                                  f"simulated ({label})",
                            note=interval_meaning(draws, replicates) + ".")
        if not report.failed:
            folder.finish()
        _print_comparison(summary, draws, replicates)
        console.print(f"Wrote {out / 'results.parquet'}, {out / 'summary.csv'}, "
                      f"{out / 'summary.xlsx'}, {out / 'summary.md'}, {out / 'comparison.png'}"
                      + (f", {out / 'draws.csv'}" if draws else ""), highlight=False)
    _finish_batch(report, out)


def _print_comparison(summary, draws: int, replicates: int) -> None:
    """The national changes of the last summarised year, in the terminal."""
    from rich.table import Table

    from model.analysis.comparison import interval_meaning

    national = summary[(summary["group"] == "national")]
    if national.empty:
        return
    last = national[national["year"] == national["year"].max()]
    reference = summary["scenario"].iloc[0]
    table = Table(title=f"{last['date'].iloc[0]}: change from {reference} (median and 90% "
                        "interval)", title_justify="left")
    for column in ("scenario", "outcome", "level", "change", "child-years averted",
                   "extra cost, M S/", "params' share"):
        table.add_column(column)

    def show(median, low, high, digits=1, scale=1.0):
        if median != median:  # NaN
            return "-"
        return (f"{median / scale:,.{digits}f} ({low / scale:,.{digits}f} to "
                f"{high / scale:,.{digits}f})")

    for _, row in last[last["scenario"] != reference].iterrows():
        digits = 3 if row["outcome"] == "development" else 2
        table.add_row(
            row["scenario"], row["outcome"], show(row["median"], row["p5"], row["p95"]),
            show(row["diff_median"], row["diff_p5"], row["diff_p95"], digits),
            show(row.get("averted_median", float("nan")), row.get("averted_p5"),
                 row.get("averted_p95"), 0),
            show(row["extra_cost_median"], row["extra_cost_p5"], row["extra_cost_p95"], 1, 1e6),
            "-" if row["param_share"] != row["param_share"] else f"{100 * row['param_share']:.0f}%")
    console.print(table)
    console.print(interval_meaning(draws, replicates) + ".", highlight=False)


@app.command()
@guarded
def sensitivity(
    scenario: Path = typer.Argument(..., help="Scenario YAML file (the policy)."),
    reference: Optional[Path] = typer.Argument(None, help="Reference scenario YAML file (e.g. "
                                                          "scenarios/baseline.yaml); with it "
                                                          "the policy's effect and cost are "
                                                          "analysed too."),
    method: str = typer.Option("morris", help="morris (elementary effects, ranks by mu*) or "
                                              "sobol (Saltelli design: S1 and total ST)."),
    parameters: Optional[str] = typer.Option(None, help="Comma-separated uncertain numbers "
                                                        "to analyse (names of docs/"
                                                        "uncertainty.md); the others keep "
                                                        "their defaults. Default: all."),
    trajectories: int = typer.Option(4, help="Morris trajectories R: R x (parameters + 1) "
                                             "points."),
    levels: int = typer.Option(4, help="Morris grid levels (even, 4 to 10)."),
    samples: int = typer.Option(16, help="Sobol base samples N (a power of 2): N x "
                                         "(parameters + 2) points."),
    seed: int = typer.Option(1, help="Seeds the design; every point runs with replicate 0 of "
                                     "compare --seed (common random numbers)."),
    years: Optional[str] = typer.Option(None, help="Comma-separated years whose outputs are "
                                                   "analysed (January; default: the last)."),
    months: Optional[int] = typer.Option(None, help="Months for both scenarios."),
    scale: Optional[float] = typer.Option(None, help="Scale for both scenarios."),
    workers: int = WORKERS_OPTION,
    allow_oversubscribe: bool = OVERSUBSCRIBE_OPTION,
    cluster: Optional[str] = CLUSTER_OPTION,
    out: Path = typer.Option(Path("sensitivity"), help="Folder for sensitivity.csv, "
                                                       "sensitivity.md, tornado.png, "
                                                       "points.csv and runs/."),
) -> None:
    """Rank the uncertain parameters by how much they move the headline results.

    Outputs: national stunting and anemia in a year and, with a REFERENCE, the policy's
    effect on them (paired: same parameters and seed) and the soles per child-year of anemia
    averted. Writes sensitivity.csv (every index and rank), sensitivity.md (the top 10 per
    output, read), tornado.png and points.csv (the design and each point's outputs).
    Finished runs are kept in --out/runs, so an interrupted analysis resumes.
    """
    from model.analysis import sensitivity as analysis
    from model.analysis.draws import names as uncertain_names
    from model.analysis.outputs import staged

    if method not in analysis.METHODS:
        fail(f"--method {short(method)}: allowed {', '.join(analysis.METHODS)}")
    check_range("--trajectories", trajectories, 2, 1000)
    if levels % 2 or not 4 <= levels <= 10:
        fail(f"--levels {levels}: allowed an even number from 4 to 10")
    if samples < 2 or samples > 2**16 or samples & (samples - 1):
        fail(f"--samples {samples}: allowed a power of 2 from 2 to 65536")
    check_seed(seed)
    check_workers(workers, allow_oversubscribe)
    chosen = [n.strip() for n in parameters.split(",") if n.strip()] if parameters else None
    unknown = analysis.unknown_names(chosen or [])
    if unknown or chosen == []:
        import difflib

        close = sorted({match for name in unknown for match in difflib.get_close_matches(
            name, uncertain_names(), n=3, cutoff=0.4)})
        prefixes = {name.split(".")[0] + "." for name in unknown if "." in name}
        close += [n for n in uncertain_names() if n.split(".")[0] + "." in prefixes
                  and n not in close]
        fail(f"--parameters: unknown {short(', '.join(unknown)) or 'empty list'}; valid "
             f"names: {short(', '.join(close or uncertain_names()), 240)} (all "
             f"{len(uncertain_names())} in docs/uncertainty.md)")
    paths = [scenario] if reference is None else [reference, scenario]
    specs, year_list = _comparable_scenarios("sensitivity", paths, months, scale, years)
    n_names = len(chosen or uncertain_names())
    points = trajectories * (n_names + 1) if method == "morris" else samples * (n_names + 2)
    estimate_batch(points * len(paths), workers, specs[0],
                   "--trajectories" if method == "morris" else "--samples")
    design = analysis.make_design(method, chosen, seed, trajectories, levels, samples)
    runs = analysis.sensitivity_specs(design, specs[-1], specs[0] if reference else None, seed)
    console.print(f"{method}: {len(design.names)} parameters, {len(design.unit)} points, "
                  f"{len(runs)} runs", highlight=False)
    with holding(out, "sensitivity") as folder:
        report, results = _run_batch_in(out, runs, {"method": method,
                                                    "parameters": design.names,
                                                    "scenarios": [str(p) for p in paths]},
                                        workers, cluster)
        if results.empty:
            _finish_batch(report, out)
            return
        first = specs[-1]
        outputs = analysis.point_outputs(results, len(design.unit), first.name,
                                         specs[0].name if reference else None, year_list)
        indices = analysis.analyse(design, outputs)
        description = (f"{first.name}" + (f" against {specs[0].name}" if reference else "")
                       + f": {first.months} months from {first.start}, scale {first.scale:g}, "
                       f"seed {seed}")
        with staged(out) as stage:
            written = [out / p.name for p in analysis.write_outputs(
                stage, design, outputs, indices, len(runs), description)]
        if not report.failed:
            folder.finish()
        _print_sensitivity(indices, method)
        console.print("Wrote " + ", ".join(str(p) for p in written), highlight=False)
    _finish_batch(report, out)


def _print_sensitivity(indices, method: str) -> None:
    """The top 10 parameters for the policy's effect on anemia (else anemia's level)."""
    from rich.table import Table

    from model.analysis.sensitivity import headline_output, number, output_title

    output = headline_output(indices)
    year = int(indices["year"].max())
    block = indices[(indices["output"] == output) & (indices["year"] == year)]
    if block["note"].iloc[0]:
        console.print(f"{output_title(output, year)}: {block['note'].iloc[0]}", highlight=False)
        return
    table = Table(title=f"{output_title(output, year)}: top 10 ({method})", title_justify="left")
    columns = (("mean |change|", "mean_abs_change"), ("95% +/-", "mean_abs_change_conf"),
               ("SD", "sd_change")) if method == "morris" else \
        (("ST", "ST"), ("+/-", "ST_conf"), ("S1", "S1"), ("+/-", "S1_conf"))
    for column in ("rank", "parameter", *(c for c, _ in columns)):
        table.add_column(column)
    for _, row in block.sort_values("rank").head(10).iterrows():
        table.add_row(str(row["rank"]), f"{row['label']}\n[dim]{row['parameter']}[/]",
                      *(number(row[key]) for _, key in columns))
    console.print(table)


@app.command()
@guarded
def sweep(
    sweep_file: Path = typer.Argument(..., help="Sweep YAML file (base scenario, fields to "
                                                "vary, replicates)."),
    draws: int = typer.Option(0, help="Parameter draws (Latin hypercube over every uncertain "
                                      "number, reproducible from the seed), the same for "
                                      "every point; the file's replicates run per draw. 0 = "
                                      "the defaults only."),
    seed: Optional[int] = typer.Option(None, help="Root seed, replacing the file's (design, "
                                                  "draws and replicate seeds; each draw its "
                                                  "own seeds)."),
    departments: Optional[str] = DEPARTMENTS_OPTION,
    districts: Optional[str] = DISTRICTS_OPTION,
    workers: int = WORKERS_OPTION,
    allow_oversubscribe: bool = OVERSUBSCRIBE_OPTION,
    cluster: Optional[str] = CLUSTER_OPTION,
    out: Path = typer.Option(Path("sweep"), help="Folder for runs/ (one Parquet file per "
                                                 "run), sweep_summary.csv and .xlsx, "
                                                 "sweep.png and, with --draws, draws.csv."),
) -> None:
    """Run a parameter sweep, optionally over parameter draws; the same --out resumes it.

    Every finished run is written at once to --out/runs/<run>.parquet; a failed run is recorded in
    --out/runs/<run>.error.json and the others go on. sweep_summary.csv (and .xlsx) has one row
    per parameter point, then one for the reference (the base with `set` only, unless the file
    says reference: false), drawn in sweep.png and printed (medians and 90% intervals over
    replicates, or with --draws over draws x replicates plus each output's share of variance
    due to the parameters). With --draws, draw d of every point has the same parameters and
    seeds (points paired within a draw) and draws.csv lists the parameter sets. The exit code
    is 1 if any run failed.
    """
    from model.analysis.charts import plot_sweep
    from model.analysis.outputs import atomic_path
    from model.analysis.spreadsheet import SWEEP_COLUMNS, write_workbook
    from model.analysis.sweeps import load_sweep, sweep_summary

    check_range("--draws", draws, 0, MAX_DRAWS)
    check_seed(seed)
    check_workers(workers, allow_oversubscribe)
    place = geography_override(departments, districts)
    try:
        spec, runs, points = load_sweep(sweep_file, draws, seed, place)
    except ScenarioError as err:
        fail(str(err))
    console.print(f"Sweep {short(sweep_file)}: {len(points)} points"
                  + (" and the reference" if spec.reference else "") + " x "
                  + (f"{draws} draws x " if draws else "")
                  + f"{spec.replicates} replicates = {len(runs)} runs", highlight=False)
    if runs:
        estimate_batch(len(runs), workers, runs[0].scenario,
                       f"{short(sweep_file)}: points x replicates x --draws {draws}")
    with holding(out, "sweep") as folder:
        report, results = _run_batch_in(out, runs, {"sweep_file": str(sweep_file),
                                                    "points": points, "draws": draws,
                                                    "seed": spec.seed,
                                                    **({"geography": place} if place else {})},
                                        workers, cluster)
        if not results.empty:
            if draws:
                from model.analysis.draws import parameter_draws
                write_csv(parameter_draws(draws, spec.seed), out / "draws.csv", index=True)
            summary = sweep_summary(results, points)
            write_csv(summary, out / "sweep_summary.csv")
            write_workbook(out / "sweep_summary.xlsx", summary, "sweep", SWEEP_COLUMNS,
                           note=_sweep_note(spec, draws))
            with atomic_path(out / "sweep.png") as chart:
                plot_sweep(summary, points, chart, title=_sweep_title(sweep_file, runs, results),
                           note=_sweep_note(spec, draws))
            _print_sweep(summary, points)
            console.print(f"Wrote {out / 'sweep_summary.csv'}, {out / 'sweep_summary.xlsx'}, "
                          f"{out / 'sweep.png'}"
                          + (f", {out / 'draws.csv'}" if draws else ""), highlight=False)
            if not report.failed:
                folder.finish()
    _finish_batch(report, out)


def _sweep_title(sweep_file: Path, runs, results) -> str:
    """The sweep chart's title: file, region, last date, 'simulated'."""
    return (f"Sweep {short(sweep_file.name)}: {_region(runs[0].scenario['geography'])}, "
            f"{results['date'].max()} (simulated, national = the run's districts)")


def _sweep_note(spec, draws: int) -> str:
    """Under the sweep's chart and atop its workbook: the interval's meaning and the seed."""
    from model.analysis.comparison import interval_meaning

    return (interval_meaning(draws, spec.replicates) + ". Simulated by the model, not "
            f"measured; seed {spec.seed}.")


def _print_sweep(summary, points: list[dict]) -> None:
    """The sweep's headline: each point's stunting and anemia at the end, in the terminal."""
    from rich.table import Table

    from model.analysis.charts import point_label

    table = Table(title="Sweep: national stunting and anemia at the end (median and 90% "
                        "interval)", title_justify="left")
    for column in ("point", "values", "stunting %", "anemia %", "cost, M S/"):
        table.add_column(column)

    def show(row, outcome: str, scale: float = 1.0) -> str:
        if f"{outcome}_median" not in row or row[f"{outcome}_median"] != row[f"{outcome}_median"]:
            return "-"
        return (f"{row[f'{outcome}_median'] / scale:,.1f} ({row[f'{outcome}_p5'] / scale:,.1f}"
                f" to {row[f'{outcome}_p95'] / scale:,.1f})")

    for _, row in summary.iterrows():
        is_reference = bool(row.get("reference", False))
        values = "reference: the base scenario" if is_reference else \
            point_label(points[int(row["point"])]).replace("\n", ", ")
        table.add_row(str(int(row["point"])), values, show(row, "stunting"),
                      show(row, "anemia"), show(row, "cost_total_cumulative", 1e6))
    console.print(table)


HISTORICAL = Path(__file__).parent / "scenarios" / "peru_2000_2019.yaml"


@app.command()
@guarded
def calibrate(
    ctx: typer.Context,
    scenario: Path = typer.Argument(HISTORICAL, help="Scenario to fit (default: the "
                                                     "2000-2019 history)."),
    targets: list[Path] = typer.Option(DEFAULT_TARGET_FILES, help="Survey targets CSV file(s) "
                                       "(repeat the option); figures after 2012 are not fitted."),
    trials: int = typer.Option(30, help="Optuna trials in total (a resumed study runs the "
                                        "rest)."),
    refine: int = typer.Option(0, help="Further trials with CMA-ES from the best point "
                                       "(a local search after TPE's exploration)."),
    scale: float = typer.Option(25.0, help="Scale of each trial run."),
    seed: int = typer.Option(1, help="Seed of the runs and of the optuna sampler."),
    out: Optional[Path] = typer.Option(None, help="Folder for study.db (resumable), "
                                                   "fitted.csv and calibrated.yaml (default: "
                                                   "calibration); with --departments, for "
                                                   "department_terms.csv and "
                                                   "department_fit.csv; with --posterior, the "
                                                   "CSV file to write (default: "
                                                   "model/data/calibration_posterior.csv)."),
    write: Optional[Path] = typer.Option(None, help="Also write the calibrated parameter file "
                                                    "here (a 'parameters:' file a scenario "
                                                    "can name under 'include:')."),
    posterior: bool = typer.Option(False, "--posterior", help="Do not fit: compute the joint "
                                   "covariance of the fitted parameters at the current "
                                   "defaults (Gauss-Newton, 24 runs per seed) and write it to "
                                   "--out."),
    seeds: int = typer.Option(6, help="Seeds of the --posterior and --departments runs, >= 2 "
                                      "(--seed, --seed + 1, ...); their disagreement measures "
                                      "the Monte Carlo error."),
    workers: int = typer.Option(2, help="Processes for the --posterior and --departments runs "
                                        "(1 = serial)."),
    departments: bool = typer.Option(False, "--departments", help="Do not fit the mechanisms: "
                                     "fit the two department terms of every department "
                                     "(empirical Bayes, shrunk towards 0; 2 runs per seed and "
                                     "iteration) with the mechanisms at their defaults, and "
                                     "write department_terms.csv to --out."),
    iterations: int = typer.Option(4, help="Iterations of the --departments fit."),
) -> None:
    """Fit the parameters marked 'calibrated' to survey targets (optuna, SQLite study).

    Loss: a chi-square, each figure's squared error divided by its survey sampling variance
    (binomial with design effect 2, from its sample size) plus the run's Monte Carlo
    variance; only figures up to 2012 are fitted. Writes fitted.csv (default, fitted value,
    search range and bound flag of each parameter) and calibrated.yaml (a 'parameters:'
    file). With --posterior, no fit: the Gauss-Newton covariance of the fitted parameters
    (docs/calibration_posterior.md) goes to --out, and a table of their sds is printed.
    With --departments, the department terms (what the mechanisms leave unexplained between
    departments, docs/validation.md) are fitted instead; copy the department_terms.csv it
    writes to model/data/ to make them the model's.
    """
    import yaml

    from model.analysis.calibration import LAST_FIT_YEAR, as_parameters, fitted_table
    from model.analysis.calibration import calibrate as fit
    from model.analysis.targets import combine_targets, load_targets, require_reached

    check_range("--trials", trials, 1, 10_000)
    check_range("--refine", refine, 0, 10_000)
    check_seed(seed)
    if write is not None:
        _check_file_target(write, "--write", [out or Path("calibration"), SCENARIO_FOLDER])
    try:
        spec = load_scenario(scenario, {"scale": scale, "seed": seed})
        if departments and (spec.geography.departments or spec.geography.districts):
            fail(f"{short(scenario)}: covers part of Peru; --departments fits the terms of all "
                 "25 departments together (their spread tau); allowed: a scenario of all Peru")
        table = combine_targets([load_targets(t) for t in targets])
        require_reached(table, spec, last_year=LAST_FIT_YEAR)
    except ScenarioError as err:
        fail(str(err))
    given = {name for name in ("trials", "iterations")  # typer carries its own click
             if getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"}
    if posterior and departments:
        fail("--posterior, --departments: one job at a time; allowed: one of them")
    if "trials" in given and (posterior or departments):
        fail("--trials: not used with --posterior or --departments (they run no optuna "
             "trials); allowed: leave it out")
    if "iterations" in given and not departments:
        fail("--iterations: only used with --departments; allowed: add --departments or "
             "leave it out")
    if posterior:
        _calibration_posterior(spec, table, out, seeds, workers, refine, write)
        return
    if departments:
        _calibration_departments(spec, table, out, seeds, workers, iterations, refine, write)
        return
    out = out or Path("calibration")
    with holding(out, "calibrate") as folder:
        progress = Progress(TextColumn("trials"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("best loss {task.fields[best]}"), TimeElapsedColumn(),
                            TimeRemainingColumn(), console=console)
        with progress:
            task = progress.add_task("trials", total=trials + refine, best="-")
            study = fit(spec, table, out, trials, seed=seed, refine=refine,
                        on_trial=lambda st, tr: progress.update(
                            task, completed=len(st.trials), best=f"{st.best_value:.1f}"))
        fitted = fitted_table(study)
        write_csv(fitted, out / "fitted.csv")
        body = yaml.safe_dump({
            "note": f"Fitted by python run.py calibrate {scenario} ({len(study.trials)} "
                    f"trials, scale {scale:g}, seed {seed}); loss (chi-square over the "
                    f"figures up to 2012) {study.best_value:.1f}",
            "parameters": {k: (round(float(v), 6) if not isinstance(v, tuple) else
                               [round(float(x), 6) for x in v])
                           for k, v in as_parameters(study.best_params).items()}},
            sort_keys=False)
        write_text(out / "calibrated.yaml", body)
        if write:
            write_text(write, body)
        folder.finish()
    console.print(fitted.round(4).to_string(index=False), highlight=False)
    console.print(f"best loss {study.best_value:.1f} after {len(study.trials)} trials; wrote "
                  f"{out / 'fitted.csv'}, {out / 'calibrated.yaml'}"
                  + (f", {write}" if write else ""), highlight=False)


def _check_file_target(path: Path, option: str, inside: Optional[list[Path]] = None) -> None:
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


def _check_jacobian_options(seeds: int, workers: int, allow_oversubscribe: bool = False
                            ) -> None:
    """Refuse --seeds outside 2-100 (their disagreement is the Jacobian's error), bad --workers."""
    check_range("--seeds", seeds, 2, 100)
    check_workers(workers, allow_oversubscribe)


def _calibration_departments(spec, table, out: Optional[Path], seeds: int, workers: int,
                             iterations: int, refine: int, write: Optional[Path]) -> None:
    """The --departments job of calibrate: department terms to ``out``, a summary table."""
    from model.analysis.department_terms import fit_department_terms, terms_table

    _check_jacobian_options(seeds, workers)
    check_range("--iterations", iterations, 1, 20)
    if refine or write:
        fail("--refine, --write: not used with --departments; allowed: leave them out")

    out = out or Path("calibration")
    with holding(out, "calibrate") as folder:
        progress = Progress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console)
        runs = {"done": 0}

        def advance(done: int, total: int) -> None:
            runs["done"] += 1
            progress.update(task, completed=runs["done"])

        with progress:
            task = progress.add_task("runs", total=iterations * seeds * 2)
            fit = fit_department_terms(spec, table, seeds=tuple(range(spec.seed,
                                                                      spec.seed + seeds)),
                                       scale=spec.scale, iterations=iterations,
                                       workers=workers, on_run=advance)
        write_csv(terms_table(fit), out / "department_terms.csv")
        write_csv(fit.summary, out / "department_fit.csv")
        folder.finish()
    console.print(fit.summary.round(4).to_string(index=False), highlight=False)
    console.print(f"wrote {out / 'department_terms.csv'} and {out / 'department_fit.csv'}; "
                  "copy department_terms.csv to model/data/ to make them the model's",
                  highlight=False)


def _calibration_posterior(spec, table, out: Optional[Path], seeds: int, workers: int,
                           refine: int, write: Optional[Path]) -> None:
    """The --posterior job of calibrate: covariance at the defaults to ``out``, a table."""
    import time

    from rich.table import Table

    from model.analysis.calibration import (
        POORLY_IDENTIFIED,
        POSTERIOR_FILE,
        posterior_covariance,
    )
    from model.analysis.outputs import atomic_path

    _check_jacobian_options(seeds, workers)
    if refine or write:
        fail("--refine, --write: not used with --posterior (it fits nothing); allowed: "
             "leave them out")
    out = out or POSTERIOR_FILE
    if out.is_dir() or out.suffix != ".csv":
        fail(f"--out {short(out)}: with --posterior, allowed: a .csv file path")
    _check_file_target(out, "--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    seeds = tuple(range(spec.seed, spec.seed + seeds))
    progress = Progress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=console)
    started = time.perf_counter()
    with progress:
        task = progress.add_task("runs", total=None)
        try:
            post = posterior_covariance(spec, table, seeds=seeds, scale=spec.scale,
                                        workers=workers, on_run=lambda done, total:
                                        progress.update(task, completed=done, total=total))
        except ValueError as err:
            fail(str(err))
    with atomic_path(out) as temporary:
        post.save(temporary)
    summary = post.table()
    view = Table("parameter", "fitted", "posterior sd", "sd % of range",
                 title=f"Posterior of the calibrated parameters (phi {post.phi:.2f}, "
                       f"{post.n_figures} figures)")
    for row in summary.itertuples():
        view.add_row(row.parameter, f"{row.fitted:.4g}", f"{row.sd:.3g}",
                     f"{row.sd_pct_range:.1f}" + (" *" if row.poorly_identified else ""))
    console.print(view)
    poor = summary.loc[summary.poorly_identified, "parameter"]
    if len(poor):
        console.print(f"* poorly identified by the figures (sd > {100 * POORLY_IDENTIFIED:.1f}"
                      "% of the range: they tell less than the range itself, which alone "
                      f"gives 28.9%): {', '.join(poor)}", highlight=False)
    pairs = "; ".join(f"{a} ~ {b} {r:+.2f}"
                      for a, b, r in post.strongest_correlations().itertuples(index=False))
    console.print(f"strongest correlations: {pairs}", highlight=False)
    console.print(f"wrote {out} ({len(seeds) * (len(post.names) + 1)} runs, seeds "
                  f"{seeds[0]} to {seeds[-1]}, scale "
                  f"{spec.scale:g}, {time.perf_counter() - started:.0f} s)", highlight=False)


@app.command()
@guarded
def validate(
    targets: list[Path] = typer.Option(DEFAULT_TARGET_FILES,
                                       help="Targets CSV file(s) (repeat the option)."),
    scenario: Path = typer.Option(HISTORICAL, help="Scenario to validate."),
    replicates: int = typer.Option(5, help="Replicates (seeds from SeedSequence(seed))."),
    draws: int = typer.Option(0, help="Parameter draws, each run with every replicate seed; "
                                      "0 = the defaults only (intervals from chance)."),
    seed: int = typer.Option(1, help="Root seed."),
    scale: Optional[float] = typer.Option(None, help="Scale (default: the scenario's)."),
    departments: Optional[str] = DEPARTMENTS_OPTION,
    districts: Optional[str] = DISTRICTS_OPTION,
    workers: int = typer.Option(os.cpu_count() or 1, help="Processes (1 = serial)."),
    allow_oversubscribe: bool = OVERSUBSCRIBE_OPTION,
    out: Path = typer.Option(Path("validation"), help="Folder for validation.csv, "
                                                      "validation.png and runs/."),
) -> None:
    """Run the historical scenario over replicates (and draws) against survey targets.

    Each survey figure is set against its 90% predictive interval: the model's spread over
    runs (parameter draws and chance) combined with the survey's sampling error; the share of
    figures inside it (coverage) is printed for the figures the calibration fitted and for
    those it did not, and written to validation_coverage.csv; likewise with the model's
    misfit added (the survey's variance times the calibration's dispersion phi).

    Writes validation.csv (each target with the model median, 90% interval, error, survey
    standard error, level and whether the survey lies in the widened 90% interval),
    validation.png (national, urban and rural bands against the survey points),
    validation_by_level.csv (fit per indicator and level), validation_departments.csv
    (department x area x indicator means over the survey years), and, with department
    targets, validation_departments_stunting.png, validation_departments_anemia.png and
    validation_error_map.png; prints the mean absolute error per indicator and the fit by
    indicator and level.
    """
    from model.analysis.experiments import RunSpec, draw_seeds, replicate_seeds
    from model.analysis.targets import (
        combine_targets,
        load_targets,
        require_reached,
        targets_for,
    )

    check_range("--replicates", replicates, 1, MAX_REPLICATES)
    check_range("--draws", draws, 0, MAX_DRAWS)
    check_seed(seed)
    check_workers(workers, allow_oversubscribe)
    place = geography_override(departments, districts)
    try:
        spec = load_scenario(scenario, {"scale": scale, "geography": place})
        table = targets_for(combine_targets([load_targets(t) for t in targets]), spec)
        require_reached(table, spec)
    except ScenarioError as err:
        fail(str(err))
    estimate_batch(replicates * max(1, draws), workers, spec,
                   f"--replicates {replicates} x --draws {draws}")
    body = spec.model_dump(mode="json")
    if draws:
        from model.analysis.draws import apply_draw, parameter_draws

        drawn = parameter_draws(draws, seed)
        runs = [RunSpec(run_id=f"{spec.name}-d{d:03d}-r{r:03d}",
                        scenario=apply_draw(body, drawn.iloc[d].to_dict()), seed=s,
                        labels={"draw": d, "replicate": r})
                for d, seeds_of_draw in enumerate(draw_seeds(seed, draws, replicates))
                for r, s in enumerate(seeds_of_draw)]
    else:
        runs = [RunSpec(run_id=f"{spec.name}-r{r:03d}", scenario=body, seed=s,
                        labels={"replicate": r})
                for r, s in enumerate(replicate_seeds(seed, replicates))]
    with holding(out, "validate") as folder:
        report, results = _run_batch_in(out, runs, None, workers)
        if results.empty:
            fail("validate: no run finished; see the errors in " + str(out / "runs"))
        if draws:
            write_csv(drawn, out / "draws.csv", index=True)
        _validate_outputs(out, spec, table, results, draws, replicates)
        if not report.failed:
            folder.finish()
    _finish_batch(report, out)


def _validate_outputs(out: Path, spec, table, results, draws: int, replicates: int) -> None:
    """Write and print validate's tables and charts from the finished runs."""
    from model.analysis.calibration import load_posterior
    from model.analysis.survey_charts import (
        plot_department_error_map,
        plot_department_multiples,
        plot_validation,
    )
    from model.analysis.validation import (
        anemia_definition_note,
        coverage,
        department_summary,
        fit_by_level,
        forecast_against_persistence,
        forecast_summary,
        mean_absolute_error,
        validation_table,
    )

    phi = load_posterior().phi
    result_table = validation_table(results, table, dispersion=phi)
    write_csv(result_table, out / "validation.csv")
    label = f"{draws} draws x {replicates} replicates" if draws else f"{replicates} replicates"
    write_atomic(out / "validation.png", lambda path: plot_validation(
        results, result_table, path, title=f"{spec.name}: model ({label}) against surveys"))
    mae = mean_absolute_error(result_table)
    for indicator, value in mae.items():
        console.print(f"mean absolute error, {indicator}: {value:.1f} percentage points "
                      f"({int((result_table.indicator == indicator).sum())} targets)",
                      highlight=False)
    written = [out / "validation.csv", out / "validation.png"]
    by_level = fit_by_level(result_table)
    write_csv(by_level, out / "validation_by_level.csv")
    departments = department_summary(result_table)
    write_csv(departments, out / "validation_departments.csv")
    written += [out / "validation_by_level.csv", out / "validation_departments.csv"]
    if result_table["level"].eq("department").any():
        for indicator in ("stunting", "anemia"):
            written.append(write_atomic(
                out / f"validation_departments_{indicator}.png",
                lambda path, ind=indicator: plot_department_multiples(results, result_table,
                                                                      path, ind)))
        written.append(write_atomic(out / "validation_error_map.png",
                             lambda path: plot_department_error_map(result_table, path)))
    else:
        console.print("no department targets: department charts and map not drawn",
                      highlight=False)
    shown = by_level.assign(
        mae=by_level["mae"].map("{:.1f}".format),
        mean_survey_se=by_level["mean_survey_se"].map(
            lambda v: "-" if v != v else f"{v:.1f}"),
        share_inside_90=["-" if not k else f"{s:.0%} of {k}" for s, k in
                         zip(by_level["share_inside_90"], by_level["known_inside"])],
    ).drop(columns="known_inside").rename(columns={
        "mae": "MAE (pp)", "mean_survey_se": "survey SE (pp)",
        "share_inside_90": "inside 90%"})
    console.print("fit by indicator and level (MAE: mean |model median - survey|; inside "
                  "90%: survey within its 90% predictive interval, the model's spread over "
                  "runs combined with the survey's sampling error):", highlight=False)
    console.print(shown.to_string(index=False), highlight=False)
    covered = coverage(result_table)
    write_csv(covered, out / "validation_coverage.csv")
    written.append(out / "validation_coverage.csv")
    what = ("parameter draws, chance and the survey's error" if draws else
            "chance and the survey's error only (add --draws for parameter uncertainty)")
    console.print(f"coverage of the 90% predictive intervals ({what}; aim: about 90%); "
                  f"'with misfit': the survey's variance times the calibration's dispersion "
                  f"phi = {phi:.2f}, the model's misfit counted as noise (python run.py "
                  "holdout checks it on figures left out of the fit):", highlight=False)
    shares = [c for c in ("inside_90", "inside_90_misfit") if c in covered]
    console.print(covered.assign(**{c: covered[c].map("{:.0%}".format) for c in shares})
                  .rename(columns={"inside_90_misfit": "with misfit"}).to_string(index=False),
                  highlight=False)
    forecast = forecast_against_persistence(result_table)
    if not forecast.empty:
        write_csv(forecast, out / "forecast_vs_persistence.csv")
        written.append(out / "forecast_vs_persistence.csv")
        console.print("figures after 2012 (not fitted): model against persistence of each "
                      "figure's 2011-2012 value:", highlight=False)
        console.print(forecast_summary(forecast).round(2).to_string(index=False),
                      highlight=False)
    console.print(anemia_definition_note(spec.anemia_definition), highlight=False)
    console.print("Wrote " + ", ".join(str(p) for p in written), highlight=False)


@app.command()
@guarded
def holdout(
    targets: list[Path] = typer.Option(DEFAULT_TARGET_FILES,
                                       help="Targets CSV file(s) (repeat the option)."),
    seeds: int = typer.Option(2, help="Seeds of the Jacobian's runs, >= 2."),
    scale: float = typer.Option(25.0, help="Scale of the Jacobian's runs (the "
                                           "calibration's)."),
    workers: int = typer.Option(2, help="Processes (1 = serial)."),
    out: Path = typer.Option(Path("holdout"), help="Folder for jacobian.npz (reused when "
                                                   "seeds, scale and code match), "
                                                   "holdout.csv and holdout_coverage.csv."),
) -> None:
    """Coverage of the 90% predictive intervals on figures held out of the fit.

    Each department in turn (all its figures), and the years 2011-2012, are left out; the
    calibrated parameters are refitted without them by one Gauss-Newton step from the
    Jacobian of the fit (seeds x 24 runs of the 2000-2012 history) and the held-out figures
    are predicted. Two intervals: parameters, chance and the survey's error; and the same
    with the model's misfit (the training figures' dispersion). Method:
    model/analysis/holdout.py and docs/uncertainty.md.
    """
    import time

    from model.analysis.calibration import LAST_FIT_YEAR, jacobian_at_fit
    from model.analysis.experiments import model_source_digest
    from model.analysis.holdout import (
        coverage,
        held_out_predictions,
        load_jacobian,
        save_jacobian,
    )
    from model.analysis.targets import combine_targets, load_targets, require_reached

    _check_jacobian_options(seeds, workers)
    check_range("--scale", scale, 1.0, 10_000.0)
    try:
        spec = load_scenario(HISTORICAL, {"scale": scale})
        table = combine_targets([load_targets(t) for t in targets])
        require_reached(table, spec, last_year=LAST_FIT_YEAR)
    except ScenarioError as err:
        fail(str(err))
    with holding(out, "holdout") as folder:
        meta = {"seeds": seeds, "scale": scale, "code": model_source_digest(),
                "targets": sorted(str(t) for t in targets)}
        started = time.perf_counter()
        jacobian = load_jacobian(out / "jacobian.npz", meta)
        if jacobian is None:
            progress = Progress(TextColumn("Jacobian runs"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TimeRemainingColumn(), console=console)
            with progress:
                task = progress.add_task("runs", total=None)
                jacobian = jacobian_at_fit(
                    spec, table, seeds=list(range(1, seeds + 1)), scale=scale, workers=workers,
                    on_run=lambda done, total: progress.update(task, completed=done, total=total),
                    department_terms=True)
            write_atomic(out / "jacobian.npz", lambda path: save_jacobian(jacobian, path, meta))
        predictions = held_out_predictions(jacobian)
        write_csv(predictions, out / "holdout.csv")
        covered = coverage(predictions)
        write_csv(covered, out / "holdout_coverage.csv")
        shown = covered.assign(**{c: covered[c].map("{:.0%}".format)
                                  for c in ("inside_sampling", "inside_misfit")},
                               mean_abs_error=covered["mean_abs_error"].map("{:.1f}".format))
        console.print("share of figures inside their 90% predictive interval (aim: about 90%); "
                      "sampling = parameters, chance and the survey's error; misfit = the same "
                      "with the model's misfit on the training figures:", highlight=False)
        console.print(shown.rename(columns={"inside_sampling": "sampling",
                                            "inside_misfit": "with misfit",
                                            "mean_abs_error": "MAE (pp)"}).to_string(index=False),
                      highlight=False)
        console.print(f"Wrote {out / 'holdout.csv'}, {out / 'holdout_coverage.csv'} "
                      f"({time.perf_counter() - started:.0f} s)", highlight=False)
        folder.finish()


@app.command("replicate-trials")
@guarded
def replicate_trials_command(
    replicates: int = typer.Option(5, help="Replicates of each replayed evaluation (per draw)."),
    draws: int = typer.Option(0, help="Parameter draws (Latin hypercube over every uncertain "
                                      "number, reproducible from --seed), each replayed "
                                      "--replicates times; 0 = the defaults only, intervals "
                                      "from chance alone."),
    seed: int = typer.Option(1, help="Root seed (replicate seeds and draws)."),
    out: Path = typer.Option(Path("trials"), help="Folder for trials.csv and trials.md (and "
                                                  "draws.csv with --draws)."),
) -> None:
    """Replay the Cuna Más cluster trial and the Juntos evaluation in silico.

    Writes trials.csv and trials.md: published effect, simulated median and 90% interval,
    and whether they agree (criteria in model/analysis/trials.py and docs/validation.md).
    With --draws the interval is over draws x replicates, the tables add the share of each
    effect's variance due to parameter uncertainty, and draws.csv lists the parameter sets.
    """
    from model.analysis.comparison import interval_meaning
    from model.analysis.trials import replicate_trials

    check_range("--replicates", replicates, 1, MAX_REPLICATES)
    check_range("--draws", draws, 0, MAX_DRAWS)
    check_seed(seed)
    if replicates * max(1, draws) > MAX_RUNS // 10:
        fail(f"--replicates {replicates} x --draws {draws}: allowed at most "
             f"{MAX_RUNS // 10:,} replays (each replays two evaluations)")
    with holding(out, "replicate-trials") as folder:
        written = [out / "trials.csv", out / "trials.md"]
        if draws:
            from model.analysis.draws import parameter_draws
            write_csv(parameter_draws(draws, seed), out / "draws.csv", index=True)
            written.append(out / "draws.csv")
        with console.status("replaying the evaluations"):
            table = replicate_trials(replicates=replicates, seed=seed, draws=draws)
        write_csv(table, out / "trials.csv")
        share = " | parameters' share of variance |" if draws else " |"
        lines = ([f"Medians with {interval_meaning(draws, replicates)}.", ""] if draws else []) + [
            "| trial | outcome | published | simulated median (90% interval) | agrees" + share,
            "|---|---|---|---|---|" + ("---|" if draws else "")]
        for row in table.itertuples():
            shown = "" if not draws else (
                " - |" if row.param_share != row.param_share
                else f" {100 * row.param_share:.0f}% |")
            lines.append(f"| {row.trial} | {row.outcome} | {row.published_interval} | "
                         f"{row.simulated_median:.3f} ({row.simulated_p5:.3f} to "
                         f"{row.simulated_p95:.3f}) | {'yes' if row.agrees else 'no'} |" + shown)
        write_text(out / "trials.md", "\n".join(lines) + "\n")
        console.print("\n".join(lines), highlight=False)
        console.print("Wrote " + ", ".join(str(p) for p in written), highlight=False)
        folder.finish()


@app.command()
@guarded
def bench(
    months: int = typer.Option(120, help="Months for the national run."),
    scale: float = typer.Option(1.0, help="Scale of the national run (1 = every child)."),
    mesa_children: int = typer.Option(20_000, help="Children in the plain-Mesa comparison."),
    mesa_months: int = typer.Option(12, help="Months for the plain-Mesa comparison."),
    sweep: bool = typer.Option(False, "--sweep", help="Instead: 16 classroom runs serially "
                                                      "and on a pool of 2 workers."),
    draws: int = typer.Option(0, help="Instead: a comparison of baseline and package over this "
                                      "many parameter draws (all Peru, scale 20, 5 years, 2 "
                                      "workers; target <= 10 min for 100), then 6 draws on a "
                                      "local Dask cluster of 1 and 2 workers."),
) -> None:
    """Benchmark speed and memory against the same dynamics as plain Mesa agents.

    All of Peru at scale 1 for 120 months (time, peak memory, cost per child-month), then
    20,000 children written as plain Mesa agents, then the cost of the status quo's history.
    With --sweep or --draws, that benchmark instead.
    """
    from model.analysis.benchmark import (
        run_benchmark,
        run_sweep_benchmark,
        run_uncertainty_benchmark,
    )

    check_range("--months", months, 1, 1200)
    check_range("--scale", scale, 1.0, 10_000.0)
    check_range("--mesa-children", mesa_children, 100, 200_000)
    check_range("--mesa-months", mesa_months, 1, 120)
    if draws and not 2 <= draws <= 1000:
        fail(f"--draws {draws}: allowed 0 (off) or 2-1000")
    if sweep and draws:
        fail("--sweep, --draws: each is a benchmark of its own; allowed: one of them")
    if sweep:
        console.print("Sweep benchmark: 16 runs of scenarios/classroom.yaml", highlight=False)
        report = run_sweep_benchmark(
            str(Path(__file__).parent / "scenarios" / "sweeps" / "classroom_bench.yaml"),
            log=lambda s: console.print(s, highlight=False))
        _print_checks(report["checks"])
        return
    if draws:
        report = run_uncertainty_benchmark(draws=draws,
                                           log=lambda s: console.print(s, highlight=False))
        _print_checks(report["checks"])
        return
    report = run_benchmark(months=months, scale=scale, mesa_children=mesa_children,
                           mesa_months=mesa_months, log=lambda s: console.print(s, highlight=False))
    _print_checks(report["checks"])


@app.command()
def dashboard(
    port: int = typer.Option(8765, help="Port to serve on (1024-65535)."),
    host: str = typer.Option("localhost", help="Interface to listen on (0.0.0.0 = every "
                                               "interface, e.g. a classroom network)."),
    open_browser: bool = typer.Option(False, "--open", help="Open a browser tab."),
) -> None:
    """Serve the dashboard (policymaker and classroom views) with Solara.

    Everything the page loads is served from this machine (solara-assets), so it works
    without internet. Stop it with Ctrl-C or SIGTERM. Same as `solara run viz/app.py
    --production`, which this process becomes (exec): no child server outlives it.
    """
    import socket

    if not 1024 <= port <= 65535:
        fail(f"--port {port}: allowed 1024-65535")
    try:  # a name or address that resolves, before the port is blamed
        socket.getaddrinfo("127.0.0.1" if host == "localhost" else host, port,
                           type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        fail(f"--host {short(host)}: not an address of this machine; allowed: localhost, "
             "0.0.0.0 (every interface) or one of this machine's addresses")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1" if host == "localhost" else host, port))
        except OSError as err:
            import errno

            if err.errno == errno.EADDRNOTAVAIL:
                fail(f"--host {short(host)}: not an address of this machine; allowed: "
                     "localhost, 0.0.0.0 (every interface) or one of this machine's "
                     "addresses")
            fail(f"--port {port} on {host} cannot be used ({err.strerror}); allowed: a free "
                 "port, e.g. --port 8766")
    app_file = Path(__file__).parent / "viz" / "app.py"
    command = [sys.executable, "-m", "solara", "run", str(app_file), "--host", host,
               "--port", str(port), "--production", "--no-check-version"]
    if not open_browser:
        command.append("--no-open")
    # No telemetry and no version check: the page must not depend on the internet. A tab
    # that lost its connection keeps its session (and results) 2 minutes, not Solara's 24 h.
    env = {"SOLARA_KERNEL_CULL_TIMEOUT": "2m", **os.environ,
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    console.print(f"Dashboard on http://{host}:{port} (Ctrl-C to stop)", highlight=False)
    sys.stdout.flush()
    sys.stderr.flush()
    # The server replaces this process: SIGTERM or Ctrl-C to `run.py dashboard` reach it
    # directly, and its worker processes end with it (viz/runner.py).
    os.execve(sys.executable, command, env)


def _print_checks(checks: list[dict]) -> None:
    """PASS/FAIL lines; exit 1 if any check failed, 0 otherwise."""
    for check in checks:
        mark = "[green]PASS[/]" if check["passed"] else "[red]FAIL[/]"
        console.print(f"{mark} {check['name']}: {check['value']} (target {check['target']})")
    raise typer.Exit(0 if all(check["passed"] for check in checks) else 1)


if __name__ == "__main__":
    try:
        app()
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)
