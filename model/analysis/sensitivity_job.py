"""The sensitivity analysis as a batch in its folder: the design's runs, indices and files.

The job of ``python run.py sensitivity``: the runs of a design (``sensitivity.make_design``,
``sensitivity.sensitivity_specs``) run or resume in the folder, their outputs are analysed
and sensitivity.csv, sensitivity.md, points.csv and tornado.png are written
(``sensitivity.write_outputs``), each whole or not at all.
"""

from __future__ import annotations

from model.analysis import sensitivity
from model.analysis.batches import BatchOutcome, BatchSettings, run_batch_in
from model.analysis.experiments import RunSpec
from model.analysis.outputs import OutFolder, staged
from model.config import Scenario


def sensitivity_job(design: sensitivity.Design, runs: list[RunSpec], specs: list[Scenario],
                    years: list[int] | None, seed: int, manifest: dict, folder: OutFolder,
                    settings: BatchSettings) -> BatchOutcome:
    """Run (or resume) a sensitivity analysis in ``folder.out`` and write its files.

    ``specs`` is the policy alone, or the reference then the policy. The outcome's
    ``table`` is the indices (None when no run finished: nothing is written). The folder
    is finished when no run failed.
    """
    out = folder.out
    report, results = run_batch_in(out, runs, manifest, settings)
    if results.empty:
        return BatchOutcome(report)
    policy, reference = specs[-1], specs[0] if len(specs) > 1 else None
    outputs = sensitivity.point_outputs(results, len(design.unit), policy.name,
                                        reference.name if reference else None, years)
    indices = sensitivity.analyse(design, outputs)
    description = (f"{policy.name}" + (f" against {reference.name}" if reference else "")
                   + f": {policy.months} months from {policy.start}, scale {policy.scale:g}, "
                   f"seed {seed}")
    with staged(out) as stage:
        written = [out / p.name for p in sensitivity.write_outputs(
            stage, design, outputs, indices, len(runs), description)]
    if not report.failed:
        folder.finish()
    return BatchOutcome(report, indices, written)
