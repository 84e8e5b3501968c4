"""The typer application: the commands in their order, and the default job.

``python run.py`` with no command runs the default scenario into output/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cli import bench, dashboard, experiments, fitting, run_command
from cli.checks import DEFAULT_SCENARIO, ROOT, console

app = typer.Typer(add_completion=False, no_args_is_help=False, invoke_without_command=True,
                  help="Agent-based simulator of stunting and anemia in Peru's children under "
                       "five, district by district. With no command, runs the default scenario "
                       f"({DEFAULT_SCENARIO.relative_to(ROOT)}) into output/.",
                  rich_markup_mode=None, pretty_exceptions_enable=False)


@app.callback()
def main(ctx: typer.Context) -> None:
    """Run the default scenario when no command is given."""
    if ctx.invoked_subcommand is None:
        run_command.run(DEFAULT_SCENARIO, seed=None, months=None, scale=None, departments=None,
                        districts=None, out=Path("output"))


app.command()(run_command.run)
app.command()(experiments.compare)
app.command()(experiments.sensitivity)
app.command()(experiments.sweep)
app.command()(fitting.calibrate)
app.command()(fitting.validate)
app.command()(fitting.holdout)
app.command("replicate-trials")(fitting.replicate_trials_command)
app.command()(bench.bench)
app.command()(dashboard.dashboard)


def start() -> None:
    """Run the command line; Ctrl-C outside a command's own handling exits 130."""
    try:
        app()
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)
