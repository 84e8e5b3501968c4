"""The policymaker view's session state: its settings, the two background tasks, helpers.

Module-level ``solara.reactive`` values and ``solara.lab.task`` results are per browser
session. ``comparison_task`` runs the reference and the policy in a worker process
(``viz.jobs``); ``today_task`` lives the region's history 2000-2019 when the page opens.
The view's components (``viz/policy_levers.py``, ``viz/policy_results.py``,
``viz/downloads.py``) read and set these.
"""

from __future__ import annotations

from dataclasses import replace

import solara
import solara.lab

from viz import levers as L
from viz import runner
from viz.jobs import remote
from viz.runner import ComparisonResult
from viz.today import TodayResult, queued_today
from viz.widgets import session_closed, throttled_progress

levers = solara.reactive(L.levers_from_scenario())  # the status quo
stage = solara.reactive(("", {}))     # what the comparison is doing: (text key, values)
queue_place = solara.reactive(0)      # the comparison's place in the server's queue (0: not)
today_place = solara.reactive(0)      # the same for the region's history
map_metric = solara.reactive("stunting")
today_metric = solara.reactive("stunting")
map_show = solara.reactive("change")
map_date = solara.reactive("")
map_level = solara.reactive("")      # "" = provinces for all Peru, districts for a department


@solara.lab.task(prefer_threaded=True)
def comparison_task(settings: L.Levers):
    """Queue the comparison, follow it in a worker process, yield results after each pair.

    The page shows the comparison's place in the queue while it waits.
    """
    on_progress = throttled_progress(comparison_task)
    closed = session_closed()

    def on_stage(kind: str, pair: int) -> None:
        stage.set((f"stage_{kind}", {"r": pair + 1, "n": settings.replicates}))

    try:
        for result in remote(runner.run_comparison, settings, on_progress=on_progress,
                             on_stage=on_stage, on_place=queue_place.set,
                             should_stop=lambda: closed() or not comparison_task.is_current()):
            yield result
    finally:
        queue_place.set(0)
        stage.set(("", {}))


@solara.lab.task(prefer_threaded=True)
def today_task(region: str, seed: int) -> TodayResult | None:
    """Live the region's history 2000-2019 with records (fast precision).

    A result the server holds already, or one computed by a worker process after the queue.
    """
    closed = session_closed()
    try:
        return queued_today(region, seed, throttled_progress(today_task),
                            should_stop=lambda: closed() or not today_task.is_current(),
                            on_place=today_place.set)
    finally:
        today_place.set(0)


def replace_levers(**changes) -> L.Levers:
    """The current levers with some settings changed."""
    return replace(levers.value, **changes)


def current_result() -> ComparisonResult | None:
    """The latest comparison result of this session (None before the first)."""
    result = comparison_task.latest
    return result if isinstance(result, ComparisonResult) else None


def map_level_for(region: str) -> str:
    """The map's level: the user's choice, else provinces for all Peru.

    A national run has few simulated children per district; a department run has many.
    """
    return map_level.value or ("province" if region == L.ALL_PERU else "district")


def shown_date(result: ComparisonResult) -> str:
    """The map's month: the one chosen, else the comparison's last."""
    return map_date.value if map_date.value in result.dates else result.dates[-1]
