"""One scenario run written to its folder: results.csv, trajectories.png, metadata.json.

The job of ``python run.py run`` (and of ``python run.py`` with no command). metadata.json is
written last and says whether every month was simulated; the folder's INCOMPLETE marker
says what a reader should know until then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from model.analysis.charts import plot_trajectories, region_words
from model.analysis.experiments import RunOutcome, run_scenario
from model.analysis.outputs import OutFolder, atomic_path, write_csv, write_json
from model.config import Scenario

RUN_FILES = ("results.csv", "metadata.json", "trajectories.png")


def run_job(spec: Scenario, folder: OutFolder, on_setup: Callable[[], None] | None = None,
            on_month: Callable[[int, int], None] | None = None) -> RunOutcome:
    """Run ``spec`` and write its results, chart and metadata (last) to ``folder.out``.

    A model that cannot be built writes nothing (the outcome's results are empty and the
    folder stays marked); a run stopped part-way writes the months computed. The folder is
    finished once metadata.json is written.
    """
    out = folder.out
    outcome = run_scenario(spec, on_setup=on_setup, on_month=on_month)
    if outcome.results.empty:
        folder.mark("the model could not be built; results.csv and metadata.json here, if "
                    "any, are an earlier run's")
        return outcome
    folder.mark("results.csv may be this run's while metadata.json is an earlier run's")
    write_csv(outcome.results, out / "results.csv")
    region = region_words(spec.geography.model_dump())
    with atomic_path(out / "trajectories.png") as chart:
        plot_trajectories(outcome.results, chart,
                          title=f"{spec.name}: {region}, simulated (one run: seed {spec.seed}, "
                                f"scale {spec.scale:g})",
                          total_label="National" if region == "Peru" else region[:40])
    write_json(out / "metadata.json", outcome.metadata)
    folder.finish()  # metadata.json says whether the run completed
    return outcome


def run_files(out: Path) -> list[Path]:
    """The files ``run_job`` writes in ``out``, in the order the command names them."""
    return [out / name for name in RUN_FILES]
