"""``python run.py run``: one scenario, its results, chart and metadata, and a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cli.checks import (
    DEPARTMENTS_OPTION,
    DISTRICTS_OPTION,
    check_seed,
    console,
    fail,
    geography_override,
)
from cli.terminal import guarded, holding, progress_bar
from model.config import ScenarioError, load_scenario


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
    from model.analysis.single_run import run_files, run_job

    check_seed(seed)
    place = geography_override(departments, districts)
    try:
        spec = load_scenario(scenario, {"seed": seed, "months": months, "scale": scale,
                                        "geography": place})
    except ScenarioError as err:
        fail(str(err))
    with holding(out, "run") as folder:
        console.print(f"Scenario [bold]{spec.name}[/]: {spec.months} months from "
                      f"{spec.start}, seed {spec.seed}, scale {spec.scale:g}", highlight=False)
        with progress_bar("{task.description}") as bar:
            task = bar.add_task("living the history 2000-2019" if spec.history else
                                "building population", total=spec.months)
            outcome = run_job(
                spec, folder, on_setup=lambda: bar.update(task, description="simulating months"),
                on_month=lambda done, total: bar.update(task, completed=done))
        if outcome.results.empty:
            console.print(f"[bold red]run failed while building the model:[/] "
                          f"{outcome.metadata['error']}", highlight=False)
            raise typer.Exit(1)
        _print_summary(outcome.results, outcome.metadata, run_files(out))
    if not outcome.complete:
        console.print(f"[bold red]run {outcome.metadata['status']}[/] after "
                      f"{outcome.metadata['months_simulated']} of {spec.months} months: "
                      f"{outcome.metadata['error']}. The months computed were written to {out}.")
        raise typer.Exit(130 if outcome.metadata["status"] == "interrupted" else 1)


def _print_summary(results, meta: dict, written: list[Path]) -> None:
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
    console.print(f"Wrote {', '.join(str(p) for p in written)} in {meta['wall_seconds']:.1f} s",
                  highlight=False)
