"""The batch commands: compare, sensitivity and sweep.

Each checks its options, runs its job of the analysis layer (``comparison.comparison_job``,
``sensitivity_job.sensitivity_job``, ``sweeps.sweep_job``: the batch in --out, resumable,
and the files written) behind a progress bar and prints the headline table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cli.checks import (
    CLUSTER_OPTION,
    DEPARTMENTS_OPTION,
    DISTRICTS_OPTION,
    MAX_DRAWS,
    MAX_REPLICATES,
    OVERSUBSCRIBE_OPTION,
    WORKERS_OPTION,
    check_range,
    check_seed,
    check_workers,
    check_years,
    console,
    estimate_batch,
    fail,
    geography_override,
)
from cli.terminal import batch_command, guarded
from model.analysis.outputs import short
from model.config import ScenarioError, load_scenario


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
    from model.analysis.comparison import comparison_job, comparison_specs

    if len(scenarios) < 2:
        fail("compare: give at least two scenario files (the first is the reference)")
    check_range("--replicates", replicates, 1, MAX_REPLICATES)
    check_range("--draws", draws, 0, MAX_DRAWS)
    check_seed(seed)
    check_workers(workers, allow_oversubscribe)
    place = geography_override(departments, districts)
    specs, year_list = _comparable_scenarios("compare", scenarios, months, scale, years, place)
    estimate_batch(len(specs) * replicates * max(1, draws), workers, specs[0],
                   f"--replicates {replicates} x --draws {draws} x {len(specs)} scenarios")
    runs = comparison_specs(specs, replicates, seed, draws)
    manifest = {"scenarios": [str(p) for p in scenarios], "draws": draws,
                "replicates": replicates, **({"geography": place} if place else {})}
    batch_command(out, "compare", len(runs), workers, cluster,
                  lambda folder, settings: comparison_job(
                      runs, manifest, specs, year_list, draws, replicates, seed, folder,
                      settings),
                  lambda summary: _print_comparison(summary, draws, replicates))


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
    from model.analysis.sensitivity_job import sensitivity_job

    if method not in analysis.METHODS:
        fail(f"--method {short(method)}: allowed {', '.join(analysis.METHODS)}")
    check_range("--trajectories", trajectories, 2, 1000)
    if levels % 2 or not 4 <= levels <= 10:
        fail(f"--levels {levels}: allowed an even number from 4 to 10")
    if samples < 2 or samples > 2**16 or samples & (samples - 1):
        fail(f"--samples {samples}: allowed a power of 2 from 2 to 65536")
    check_seed(seed)
    check_workers(workers, allow_oversubscribe)
    chosen = _parameter_names(parameters)
    paths = [scenario] if reference is None else [reference, scenario]
    specs, year_list = _comparable_scenarios("sensitivity", paths, months, scale, years)
    n_names = len(chosen or uncertain_names())
    estimate_batch(analysis.run_count(method, n_names, trajectories, samples,
                                      reference is not None), workers, specs[0],
                   "--trajectories" if method == "morris" else "--samples")
    design = analysis.make_design(method, chosen, seed, trajectories, levels, samples)
    runs = analysis.sensitivity_specs(design, specs[-1], specs[0] if reference else None, seed)
    console.print(f"{method}: {len(design.names)} parameters, {len(design.unit)} points, "
                  f"{len(runs)} runs", highlight=False)
    manifest = {"method": method, "parameters": design.names,
                "scenarios": [str(p) for p in paths]}
    batch_command(out, "sensitivity", len(runs), workers, cluster,
                  lambda folder, settings: sensitivity_job(
                      design, runs, specs, year_list, seed, manifest, folder, settings),
                  lambda indices: _print_sensitivity(indices, method))


def _parameter_names(parameters: Optional[str]) -> Optional[list[str]]:
    """The --parameters names, checked (exit 2 naming the unknown ones and close matches)."""
    import difflib

    from model.analysis.draws import names as uncertain_names
    from model.analysis.sensitivity import unknown_names

    chosen = [n.strip() for n in parameters.split(",") if n.strip()] if parameters else None
    unknown = unknown_names(chosen or [])
    if unknown or chosen == []:
        close = sorted({match for name in unknown for match in difflib.get_close_matches(
            name, uncertain_names(), n=3, cutoff=0.4)})
        prefixes = {name.split(".")[0] + "." for name in unknown if "." in name}
        close += [n for n in uncertain_names() if n.split(".")[0] + "." in prefixes
                  and n not in close]
        fail(f"--parameters: unknown {short(', '.join(unknown)) or 'empty list'}; valid "
             f"names: {short(', '.join(close or uncertain_names()), 240)} (all "
             f"{len(uncertain_names())} in docs/uncertainty.md)")
    return chosen


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
    from model.analysis.sweeps import load_sweep, sweep_job

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
    manifest = {"sweep_file": str(sweep_file), "points": points, "draws": draws,
                "seed": spec.seed, **({"geography": place} if place else {})}
    batch_command(out, "sweep", len(runs), workers, cluster,
                  lambda folder, settings: sweep_job(
                      sweep_file, spec, runs, points, draws, manifest, folder, settings),
                  lambda summary: _print_sweep(summary, points))


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
