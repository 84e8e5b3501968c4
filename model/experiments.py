"""Running scenarios: one run with its metadata (replicates and sweeps build on this).

No file I/O here (STYLE.md §11): callers decide where results go.
"""

from __future__ import annotations

import platform
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from model.config import Scenario
from model.model import ECDModel


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
    model = ECDModel(scenario)
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
