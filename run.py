"""Command line of the Peru early-childhood policy simulator.

python run.py                         run the default scenario into output/
python run.py run SCENARIO.yaml       run a scenario (see --help for options)
python run.py bench                   speed and memory benchmark
"""

from __future__ import annotations

import json
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

from model.config import ScenarioError, load_scenario

DEFAULT_SCENARIO = Path(__file__).parent / "scenarios" / "baseline.yaml"
EXIT_BAD_INPUT = 2

app = typer.Typer(add_completion=False, no_args_is_help=False, invoke_without_command=True,
                  help="Agent-based simulator of stunting and anemia in Peru's children under "
                       "five, district by district. With no command, runs the default scenario "
                       f"({DEFAULT_SCENARIO.relative_to(Path(__file__).parent)}) into output/.",
                  rich_markup_mode=None, pretty_exceptions_enable=False)
console = Console(stderr=True)


def fail(message: str) -> None:
    """Print a clear error (no traceback) and exit with code 2."""
    console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@app.callback()
def main(ctx: typer.Context) -> None:
    """Run the default scenario when no command is given."""
    if ctx.invoked_subcommand is None:
        run(DEFAULT_SCENARIO, seed=None, months=None, scale=None, out=Path("output"))


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/baseline.yaml."),
    seed: Optional[int] = typer.Option(None, help="Random seed (default: the scenario's seed)."),
    months: Optional[int] = typer.Option(None, help="Months to simulate, 1-1200 (default: the "
                                                     "scenario's)."),
    scale: Optional[float] = typer.Option(None, help="Real children per simulated child, >= 1; "
                                                      "1 simulates every child (default: the "
                                                      "scenario's)."),
    out: Path = typer.Option(Path("output"), help="Folder for results.csv, metadata.json and "
                                                  "trajectories.png (created if missing)."),
) -> None:
    """Run one scenario and write results.csv, metadata.json and trajectories.png to --out."""
    from model.experiments import run_scenario
    from viz.plots import plot_trajectories

    try:
        spec = load_scenario(scenario, {"seed": seed, "months": months, "scale": scale})
    except ScenarioError as err:
        fail(str(err))
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        fail(f"--out {out}: cannot write there ({err.strerror}); allowed: a writable folder")

    console.print(f"Scenario [bold]{spec.name}[/]: {spec.months} months from {spec.start}, "
                  f"seed {spec.seed}, scale {spec.scale:g}")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                  transient=False) as bar:
        task = bar.add_task("building population", total=spec.months)
        outcome = run_scenario(
            spec, on_setup=lambda: bar.update(task, description="simulating months"),
            on_month=lambda done, total: bar.update(task, completed=done))

    outcome.results.to_csv(out / "results.csv", index=False)
    (out / "metadata.json").write_text(json.dumps(outcome.metadata, indent=2))
    area = spec.geography.departments + spec.geography.districts
    plot_trajectories(outcome.results, out / "trajectories.png",
                      title=f"{spec.name} (seed {spec.seed}, scale {spec.scale:g})",
                      total_label="National" if not area else "All: " + ", ".join(area)[:40])
    _print_summary(outcome.results, outcome.metadata, out)
    if not outcome.complete:
        console.print(f"[bold red]run {outcome.metadata['status']}[/] after "
                      f"{outcome.metadata['months_simulated']} of {spec.months} months: "
                      f"{outcome.metadata['error']}. The months computed were written to {out}.")
        raise typer.Exit(130 if outcome.metadata["status"] == "interrupted" else 1)


def _print_summary(results, meta: dict, out: Path) -> None:
    """A few numbers on the terminal so the user sees what happened."""
    nat = results[results["group"] == "national"]
    first, last = nat["step"].min(), nat["step"].max()
    lines = []
    for metric, label in (("stunting", "stunting 0-59 m"), ("anemia", "anemia 6-35 m")):
        values = nat[nat["metric"] == metric].set_index("step")["value"]
        lines.append(f"  {label:16s} {values[first]:5.1f}% -> {values[last]:5.1f}%  "
                     f"({nat[nat.step == first]['date'].iloc[0]} -> "
                     f"{nat[nat.step == last]['date'].iloc[0]})")
    console.print("\n".join(lines), highlight=False)
    console.print(f"Wrote {out / 'results.csv'}, {out / 'metadata.json'}, "
                  f"{out / 'trajectories.png'} in {meta['wall_seconds']:.1f} s", highlight=False)


@app.command()
def bench(
    months: int = typer.Option(120, help="Months for the national run."),
    scale: float = typer.Option(1.0, help="Scale of the national run (1 = every child)."),
    mesa_children: int = typer.Option(20_000, help="Children in the plain-Mesa comparison."),
    mesa_months: int = typer.Option(12, help="Months for the plain-Mesa comparison."),
) -> None:
    """Benchmark speed and memory against the same dynamics as plain Mesa agents.

    All of Peru at scale 1 for 120 months (time, peak memory, cost per child-month), then
    20,000 children written as plain Mesa agents.
    """
    from model.benchmark import run_benchmark

    if months < 1 or scale < 1 or mesa_children < 100 or mesa_months < 1:
        fail("bench: --months >= 1, --scale >= 1, --mesa-children >= 100 and --mesa-months >= 1 "
             "are required")
    report = run_benchmark(months=months, scale=scale, mesa_children=mesa_children,
                           mesa_months=mesa_months, log=lambda s: console.print(s, highlight=False))
    ok = all(check["passed"] for check in report["checks"])
    for check in report["checks"]:
        mark = "[green]PASS[/]" if check["passed"] else "[red]FAIL[/]"
        console.print(f"{mark} {check['name']}: {check['value']} (target {check['target']})")
    raise typer.Exit(0 if ok else 1)


if __name__ == "__main__":
    try:
        app()
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)
