"""The policymaker view: levers on the left; the region today, then the comparison.

The view starts at the status quo (``scenarios/baseline.yaml``) and opens on the region
"today": the history 2000-2019 is run in the background when the page opens
(``today_task``) and shown against the ENDES surveys, with the end-of-2019 levels on the map.
A comparison (``comparison_task``) runs the reference and the policy in a worker process and
shows its headline, trajectories, map, equity table and downloads.

The session state is in ``viz/policy_state.py``, the lever column in ``viz/policy_levers.py``,
the results in ``viz/policy_results.py`` and the downloads in ``viz/downloads.py``.
"""

from __future__ import annotations

import solara

from viz.downloads import Downloads
from viz.jobs import RUN_SLOTS
from viz.policy_levers import LeverPanel
from viz.policy_results import (
    Equity,
    Headline,
    MapPanel,
    StaleNote,
    TodayPanel,
    Trajectories,
)
from viz.policy_state import (
    comparison_task,
    current_result,
    levers,
    queue_place,
    today_task,
)
from viz.widgets import Note, t


@solara.component
def ResultsPanel():
    """Headline, trajectories, map, equity and downloads of the latest comparison."""
    result = current_result()
    if comparison_task.error:
        solara.Error(t("failed", error=str(comparison_task.exception)))
    if comparison_task.pending and queue_place.value:  # where the eye is, too
        solara.Info(t("queued", place=queue_place.value, slots=RUN_SLOTS),
                    classes=["queue-place-results"])
    if result is None or result.results.empty:
        if not comparison_task.pending:
            solara.Info(t("not_run"))
        TodayPanel()
        return
    if comparison_task.cancelled or result.stopped:
        solara.Warning(t("stopped", done=result.pairs_done, total=result.levers.replicates))
    # Children get the result as their only input: a progress update re-renders this
    # component but not them (same props), so the charts are not rebuilt each time.
    StaleNote(result)
    Headline(result)
    Note(t(f"anemia_note_{result.policy.anemia_definition}"))
    Trajectories(result)
    MapPanel(result)
    Equity(result)
    Downloads(result)
    TodayPanel()


@solara.component
def PolicyView():
    """Levers on the left, results on the right; the region's history starts at once."""
    current = levers.value
    solara.use_effect(lambda: today_task(current.region, current.seed),
                      [current.region, current.seed])
    with solara.Columns([1, 3]):
        with solara.Card(classes=["levers"]):
            LeverPanel()
        with solara.Column():
            ResultsPanel()
