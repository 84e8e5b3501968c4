"""The Solara dashboard: the page, with a policymaker view and an instructor (classroom) view.

The views are ``viz/policy_view.py`` and ``viz/classroom_view.py``; the widgets and helpers
they share are in ``viz/widgets.py``.

The policymaker view starts at the status quo (``scenarios/baseline.yaml``) and opens on the
region "today": the history 2000-2019 is run in the background when the page opens
(``today_task``) and shown against the ENDES surveys, with the end-of-2019 levels on the map.

Serve it with ``python run.py dashboard`` (or ``solara run viz/app.py``). Module-level
``solara.reactive`` values and ``solara.lab.task`` results are per browser session (Solara
keeps one copy per virtual kernel), so every visitor has their own levers, results and
classroom model; no model object is created at import time.
"""

from __future__ import annotations

from pathlib import Path

import solara
import solara.lab
import solara.lifecycle

from viz import jobs
from viz.classroom_view import (  # noqa: F401 - the session state, for tests and callers
    ClassroomView,
    exercise_task,
    playing,
    prediction,
    room,
    selected,
)
from viz.i18n import LANGUAGES
from viz.policy_state import comparison_task, levers, today_task  # noqa: F401
from viz.policy_view import PolicyView
from viz.widgets import lang, t

try:  # served by `solara run viz/app.py` too: no usage telemetry leaves the machine
    import solara.server.settings
    import solara.server.starlette

    solara.server.settings.telemetry.mixpanel_enable = False
    # the fixed "This website runs on Solara" banner covered the last download button and
    # speaks English on a Spanish page
    solara.server.settings.theme.show_banner = False
except ImportError:  # pragma: no cover - solara without its server
    pass
else:
    def _installed_file_only(base, path):
        """Solara's CDN proxy without its fetch: an installed front-end file, or a 404.

        Only files installed on this machine (solara-assets) are served; with the fetch, any
        visitor could make the server download any npm path into the virtual environment.
        """
        from solara.server.cdn_helper import path_is_child_of

        parts = path.replace("\\", "/").split("/")
        found = base / (path if len(parts) != 1 else Path(path) / "__main.js")
        if not path_is_child_of(found, base) or not found.is_file():
            raise FileNotFoundError(path)
        return found

    solara.server.starlette.get_path = _installed_file_only



@solara.component
def Page():
    """The dashboard: language switch and the two views as tabs."""
    solara.Title(t("title"))
    # Vuetify breaks card titles anywhere ("mese-s"): break between words only
    solara.Style(".v-card__title { word-break: normal; }")
    with solara.AppBar():
        solara.Text(t("language"), style={"margin-right": "8px"})
        solara.ToggleButtonsSingle(value=lang.value, values=list(LANGUAGES),
                                   on_value=lang.set, classes=["language"])
    with solara.AppBarTitle():
        solara.Text(t("title"))
    with solara.lab.Tabs():
        with solara.lab.Tab(t("tab_policy")):
            PolicyView()
        with solara.lab.Tab(t("tab_classroom")):
            ClassroomView()


# Each browser session counted while it is open: when it closes, its results go with it and
# the memory is handed back (jobs.SESSIONS); its queued or running jobs stop (they poll
# the session's closed event).
solara.lifecycle.on_kernel_start(jobs.SESSIONS.opened)
