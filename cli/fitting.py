"""The model against the evidence: calibrate, validate, holdout and replicate-trials.

Each checks its options, runs its job of the analysis layer (``calibration_jobs``,
``validation_report.validation_job``, ``holdout.holdout_job``, ``trials.trials_job``: the
runs and the files written) and prints what the job returns.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.progress import TextColumn

from cli.checks import (
    DEFAULT_TARGET_FILES,
    DEPARTMENTS_OPTION,
    DISTRICTS_OPTION,
    HISTORICAL,
    MAX_DRAWS,
    MAX_REPLICATES,
    MAX_RUNS,
    OVERSUBSCRIBE_OPTION,
    SCENARIO_FOLDER,
    WORKERS_OPTION,
    check_file_target,
    check_jacobian_options,
    check_range,
    check_seed,
    check_workers,
    console,
    estimate_batch,
    fail,
    geography_override,
)
from cli.terminal import batch_settings, finish_batch, guarded, holding, progress_bar, runs_bar
from model.analysis.outputs import short
from model.config import ScenarioError, load_scenario


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
    check_range("--trials", trials, 1, 10_000)
    check_range("--refine", refine, 0, 10_000)
    check_seed(seed)
    if write is not None:
        check_file_target(write, "--write", [out or Path("calibration"), SCENARIO_FOLDER])
    spec, table = _calibration_inputs(scenario, targets, scale, seed, departments)
    _check_calibration_job(ctx, posterior, departments)
    if posterior:
        _calibration_posterior(spec, table, out, seeds, workers, refine, write)
    elif departments:
        _calibration_departments(spec, table, out, seeds, workers, iterations, refine, write)
    else:
        _calibration_fit(spec, table, scenario, out or Path("calibration"), trials, refine,
                         write)


def _calibration_inputs(scenario: Path, targets: list[Path], scale: float, seed: int,
                        departments: bool):
    """The scenario to fit and the survey targets (up to the last fitted year), or exit 2."""
    from model.analysis.calibration import LAST_FIT_YEAR
    from model.analysis.targets import combine_targets, load_targets, require_reached

    try:
        spec = load_scenario(scenario, {"scale": scale, "seed": seed})
        if departments and (spec.geography.departments or spec.geography.districts):
            fail(f"{short(scenario)}: covers part of Peru; --departments fits the terms of all "
                 "25 departments together (their spread tau); allowed: a scenario of all Peru")
        table = combine_targets([load_targets(t) for t in targets])
        require_reached(table, spec, last_year=LAST_FIT_YEAR)
    except ScenarioError as err:
        fail(str(err))
    return spec, table


def _check_calibration_job(ctx: typer.Context, posterior: bool, departments: bool) -> None:
    """Exit 2 for two jobs at once, or an option the chosen job does not use."""
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


def _calibration_fit(spec, table, scenario: Path, out: Path, trials: int, refine: int,
                     write: Optional[Path]) -> None:
    """The fit of calibrate: an optuna study in ``out``, fitted.csv and calibrated.yaml."""
    from model.analysis.calibration_jobs import fit_job

    with holding(out, "calibrate") as folder:
        progress = progress_bar("trials", TextColumn("best loss {task.fields[best]}"))
        with progress:
            task = progress.add_task("trials", total=trials + refine, best="-")
            outcome = fit_job(spec, table, trials, refine, str(scenario), folder, write,
                              on_trial=lambda st, tr: progress.update(
                                  task, completed=len(st.trials), best=f"{st.best_value:.1f}"))
    console.print(outcome.fitted.round(4).to_string(index=False), highlight=False)
    console.print(f"best loss {outcome.best_loss:.1f} after {outcome.trials} trials; wrote "
                  + ", ".join(str(p) for p in outcome.written), highlight=False)


def _calibration_departments(spec, table, out: Optional[Path], seeds: int, workers: int,
                             iterations: int, refine: int, write: Optional[Path]) -> None:
    """The --departments job of calibrate: department terms to ``out``, a summary table."""
    from model.analysis.calibration_jobs import department_terms_job

    check_jacobian_options(seeds, workers)
    check_range("--iterations", iterations, 1, 20)
    if refine or write:
        fail("--refine, --write: not used with --departments; allowed: leave them out")
    out = out or Path("calibration")
    total = iterations * seeds * 2
    with holding(out, "calibrate") as folder:
        with runs_bar("runs", total=total, remaining=False) as on_run:
            runs = {"done": 0}

            def advance(done: int, of: int) -> None:
                runs["done"] += 1
                on_run(runs["done"], total)

            summary = department_terms_job(spec, table, seeds, iterations, workers, folder,
                                           on_run=advance)
    console.print(summary.round(4).to_string(index=False), highlight=False)
    console.print(f"wrote {out / 'department_terms.csv'} and {out / 'department_fit.csv'}; "
                  "copy department_terms.csv to model/data/ to make them the model's",
                  highlight=False)


def _calibration_posterior(spec, table, out: Optional[Path], seeds: int, workers: int,
                           refine: int, write: Optional[Path]) -> None:
    """The --posterior job of calibrate: covariance at the defaults to ``out``, a table."""
    from model.analysis.calibration import POSTERIOR_FILE
    from model.analysis.calibration_jobs import posterior_job

    check_jacobian_options(seeds, workers)
    if refine or write:
        fail("--refine, --write: not used with --posterior (it fits nothing); allowed: "
             "leave them out")
    out = out or POSTERIOR_FILE
    if out.is_dir() or out.suffix != ".csv":
        fail(f"--out {short(out)}: with --posterior, allowed: a .csv file path")
    check_file_target(out, "--out")
    seed_list = tuple(range(spec.seed, spec.seed + seeds))
    started = time.perf_counter()
    with runs_bar("runs") as on_run:
        try:
            post = posterior_job(spec, table, seed_list, workers, out, on_run=on_run)
        except ValueError as err:
            fail(str(err))
    _print_posterior(post)
    console.print(f"wrote {out} ({len(seed_list) * (len(post.names) + 1)} runs, seeds "
                  f"{seed_list[0]} to {seed_list[-1]}, scale "
                  f"{spec.scale:g}, {time.perf_counter() - started:.0f} s)", highlight=False)


def _print_posterior(post) -> None:
    """The fitted parameters' sds, the poorly identified ones and the strongest correlations."""
    from rich.table import Table

    from model.analysis.calibration import POORLY_IDENTIFIED

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
    workers: int = WORKERS_OPTION,
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
    from model.analysis.targets import (
        combine_targets,
        load_targets,
        require_reached,
        targets_for,
    )
    from model.analysis.validation_report import validation_job

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
    runs = replicates * max(1, draws)
    estimate_batch(runs, workers, spec, f"--replicates {replicates} x --draws {draws}")
    with holding(out, "validate") as folder:
        with batch_settings(runs, workers) as settings:
            outcome = validation_job(spec, table, replicates, draws, seed, folder, settings)
        if outcome.table is None:
            fail("validate: no run finished; see the errors in " + str(out / "runs"))
        _print_validation(outcome, draws, spec.anemia_definition)
    finish_batch(outcome.report, out)


def _print_validation(outcome, draws: int, anemia_definition: str) -> None:
    """Validate's headline: errors, fit by level, coverage, forecasts, files written."""
    from model.analysis.validation import anemia_definition_note, forecast_summary

    table, by_level, covered = outcome.table, outcome.by_level, outcome.coverage
    for indicator, value in outcome.mae.items():
        console.print(f"mean absolute error, {indicator}: {value:.1f} percentage points "
                      f"({int((table.indicator == indicator).sum())} targets)",
                      highlight=False)
    if not outcome.departments:
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
    what = ("parameter draws, chance and the survey's error" if draws else
            "chance and the survey's error only (add --draws for parameter uncertainty)")
    console.print(f"coverage of the 90% predictive intervals ({what}; aim: about 90%); "
                  f"'with misfit': the survey's variance times the calibration's dispersion "
                  f"phi = {outcome.phi:.2f}, the model's misfit counted as noise (python run.py "
                  "holdout checks it on figures left out of the fit):", highlight=False)
    shares = [c for c in ("inside_90", "inside_90_misfit") if c in covered]
    console.print(covered.assign(**{c: covered[c].map("{:.0%}".format) for c in shares})
                  .rename(columns={"inside_90_misfit": "with misfit"}).to_string(index=False),
                  highlight=False)
    if not outcome.forecast.empty:
        console.print("figures after 2012 (not fitted): model against persistence of each "
                      "figure's 2011-2012 value, and the noise floor (the mean absolute error "
                      "the survey's sampling error alone gives a perfect forecast):",
                      highlight=False)
        console.print(forecast_summary(outcome.forecast).round(2).to_string(index=False),
                      highlight=False)
    console.print(anemia_definition_note(anemia_definition), highlight=False)
    console.print("Wrote " + ", ".join(str(p) for p in outcome.written), highlight=False)


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
    from model.analysis.calibration import LAST_FIT_YEAR
    from model.analysis.holdout import holdout_job
    from model.analysis.targets import combine_targets, load_targets, require_reached

    check_jacobian_options(seeds, workers)
    check_range("--scale", scale, 1.0, 10_000.0)
    try:
        spec = load_scenario(HISTORICAL, {"scale": scale})
        table = combine_targets([load_targets(t) for t in targets])
        require_reached(table, spec, last_year=LAST_FIT_YEAR)
    except ScenarioError as err:
        fail(str(err))
    with holding(out, "holdout") as folder:
        started = time.perf_counter()
        with runs_bar("Jacobian runs", lazy=True) as on_run:
            covered, written = holdout_job(spec, table, targets, seeds, workers, folder,
                                           on_run=on_run)
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
        console.print(f"Wrote {', '.join(str(p) for p in written)} "
                      f"({time.perf_counter() - started:.0f} s)", highlight=False)


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
    from model.analysis.trials import trials_job

    check_range("--replicates", replicates, 1, MAX_REPLICATES)
    check_range("--draws", draws, 0, MAX_DRAWS)
    check_seed(seed)
    if replicates * max(1, draws) > MAX_RUNS // 10:
        fail(f"--replicates {replicates} x --draws {draws}: allowed at most "
             f"{MAX_RUNS // 10:,} replays (each replays two evaluations)")
    with holding(out, "replicate-trials") as folder:
        with console.status("replaying the evaluations"):
            lines, written = trials_job(replicates, seed, draws, folder)
        console.print("\n".join(lines), highlight=False)
        console.print("Wrote " + ", ".join(str(p) for p in written), highlight=False)
