"""``python run.py bench``: speed and memory benchmarks with PASS/FAIL checks."""

from __future__ import annotations

import typer

from cli.checks import SCENARIO_FOLDER, check_range, console, fail
from cli.terminal import guarded


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
            str(SCENARIO_FOLDER / "sweeps" / "classroom_bench.yaml"),
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


def _print_checks(checks: list[dict]) -> None:
    """PASS/FAIL lines; exit 1 if any check failed, 0 otherwise."""
    for check in checks:
        mark = "[green]PASS[/]" if check["passed"] else "[red]FAIL[/]"
        console.print(f"{mark} {check['name']}: {check['value']} (target {check['target']})")
    raise typer.Exit(0 if all(check["passed"] for check in checks) else 1)
