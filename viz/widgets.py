"""Shared pieces of the dashboard: the page language, small widgets and session helpers.

Both views (``viz/policy_view.py``, ``viz/classroom_view.py``) build from these; nothing here
knows about a view.
"""

from __future__ import annotations

import html
import time

import reacton.ipyvuetify as v
import solara

from viz.i18n import tr

PROGRESS_INTERVAL_S = 0.25
lang = solara.reactive("es")  # the page's language, per browser session


def t(key: str, **values) -> str:
    """The text ``key`` in the page's language, with ``values`` formatted in."""
    return tr(key, lang.value, **values)


@solara.component
def Choice(label: str, value, options: list[tuple], on_value, name: str = "",
           searchable: bool = False):
    """A select whose shown texts differ from its values (translated labels).

    ``name`` becomes the CSS class ``choice-<name>`` (the browser tests find it by that);
    ``searchable`` lets the user type to filter a long list.
    """
    widget = v.Autocomplete if searchable else v.Select
    widget(label=label, v_model=value, items=[{"text": t, "value": k} for k, t in options],
           on_v_model=on_value, dense=True, hide_details=True, class_=f"mb-3 choice-{name}")


def Heading(text: str, level: int = 3):
    """A heading (plain HTML: solara.Markdown would fetch KaTeX from a CDN)."""
    return solara.HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(text),
                       style={"margin": "12px 0 6px 0"})


def Bold(text: str):
    """A line of bold text."""
    return solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(text)}</b>")


def Table(header: list[str], rows: list[list[str]], classes: str = ""):
    """A small HTML table."""
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{html.escape(h)}</th>"
                   for h in header)
    body = "".join("<tr>" + "".join(f"<td style='padding:2px 8px'>{html.escape(c)}</td>"
                                    for c in row) + "</tr>" for row in rows)
    return solara.HTML(tag="div", unsafe_innerHTML=f"<table class='{classes}'><tr>{head}</tr>"
                                                    f"{body}</table>")


@solara.component
def Lever(label: str, value: int, low: int, high: int, on_value):
    """A slider with its label and value above it (long labels keep the slider wide).

    A change to the value already shown is ignored, so that a value read from a file
    (e.g. adherence 0.589, shown as 59%) is only replaced when the user moves the slider.
    """
    solara.Text(f"{label}: {value:,}", style={"font-size": "0.9em"})
    solara.SliderInt("", value=value, min=low, max=high, step=1,
                     on_value=lambda x: on_value(x) if x != value else None)


def Note(text: str):
    """A small grey paragraph."""
    return solara.Text(text, style={"font-size": "0.85em", "color": "#555", "display": "block",
                                    "margin": "4px 0 8px 0"})



def throttled_progress(task):
    """A progress callback (fraction 0-1) that sets ``task.progress`` at most 4 times a second.

    Every update re-renders the components that read the task.
    """
    shown = {"percent": -1, "at": 0.0}

    def on_progress(fraction: float) -> None:
        percent, now = int(100 * fraction), time.monotonic()
        if percent != shown["percent"] and now - shown["at"] >= PROGRESS_INTERVAL_S:
            shown.update(percent=percent, at=now)
            task.progress = percent

    return on_progress


DISCONNECTED_STOP_S = 20  # a session without a connected page stops its runs after this


def session_closed():
    """A callable true once this browser session has closed, or lost its page a while.

    Closed: its tab closed or navigated away, or Solara culled it. Lost: no page connected
    for ``DISCONNECTED_STOP_S`` (a tab closed without saying so, a laptop asleep); nobody
    is waiting for its runs, and the session keeps the finished pairs if it comes back.
    """
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
        closed = context.closed_event
    except (RuntimeError, AttributeError, ImportError):  # outside a server session (tests)
        return lambda: False
    lost = {"since": None}

    def stopped() -> bool:
        if closed.is_set():
            return True
        statuses = list(getattr(context, "page_status", {}).values())
        if not statuses or any(s == kernel_context.PageStatus.CONNECTED for s in statuses):
            lost["since"] = None
            return False
        lost["since"] = lost["since"] or time.monotonic()
        return time.monotonic() - lost["since"] > DISCONNECTED_STOP_S

    return stopped

