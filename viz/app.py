"""The Solara dashboard: a policymaker view and an instructor (classroom) view.

The policymaker view starts at the status quo (``scenarios/baseline.yaml``) and opens on the
region "today": the history 2000-2019 is run in the background when the page opens
(``today_task``) and shown against the ENDES surveys, with the end-of-2019 levels on the map.

Serve it with ``python run.py dashboard`` (or ``solara run viz/app.py``). Module-level
``solara.reactive`` values and ``solara.lab.task`` results are per browser session (Solara
keeps one copy per virtual kernel), so every visitor has their own levers, results and
classroom model; no model object is created at import time.
"""

from __future__ import annotations

import datetime
import html
import itertools
import tempfile
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import reacton.ipyvuetify as v
import solara
import solara.lab
import solara.lifecycle

from model import geography
from model.config import ScenarioError
from viz import exercises as ex
from viz import figures, plots, runner
from viz import levers as L
from viz.classroom import Classroom
from viz.i18n import LANGUAGES, tr
from viz.runner import ComparisonResult, TodayResult, queued_today, remote

try:  # served by `solara run viz/app.py` too: no usage telemetry leaves the machine
    import solara.server.settings
    import solara.server.starlette

    solara.server.settings.telemetry.mixpanel_enable = False
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

PROGRESS_INTERVAL_S = 0.25

lang = solara.reactive("es")
levers = solara.reactive(L.levers_from_scenario())  # the status quo
stage = solara.reactive(("", {}))     # what the comparison is doing: (text key, values)
queue_place = solara.reactive(0)      # the comparison's place in the server's queue (0: not)
today_place = solara.reactive(0)      # the same for the region's history
map_metric = solara.reactive("stunting")
today_metric = solara.reactive("stunting")
map_show = solara.reactive("change")
map_date = solara.reactive("")
map_level = solara.reactive("")      # "" = provinces for all Peru, districts for a department
room = solara.reactive(None)          # the session's Classroom, created on first visit
room_programs = solara.reactive("package")
tick = solara.reactive(0)             # changed after every classroom month (re-render)
_ticks = itertools.count(1)           # next() is atomic: the play thread and a click never
                                      # compute the same new value (which would not re-render)
playing = solara.reactive(False)
pace = solara.reactive(2)
province = solara.reactive("")
selected = solara.reactive("")        # node id of the agent whose story is shown
exercise_key = solara.reactive(ex.EXERCISES[0].key)
prediction = solara.reactive(0.0)


# --- helpers --------------------------------------------------------------------------------

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


def _t(key: str, **values) -> str:
    return tr(key, lang.value, **values)


# --- policymaker view ----------------------------------------------------------------------

def _throttled_progress(task):
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


def _session_closed():
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


@solara.lab.task(prefer_threaded=True)
def comparison_task(settings: L.Levers):
    """Queue the comparison, follow it in a worker process, yield results after each pair.

    The page shows the comparison's place in the queue while it waits.
    """
    on_progress = _throttled_progress(comparison_task)
    closed = _session_closed()

    def on_stage(kind: str, pair: int) -> None:
        stage.set((f"stage_{kind}", {"r": pair + 1, "n": settings.replicates}))

    try:
        for result in remote("comparison", settings, on_progress=on_progress,
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
    closed = _session_closed()
    try:
        return queued_today(region, seed, _throttled_progress(today_task),
                            should_stop=lambda: closed() or not today_task.is_current(),
                            on_place=today_place.set)
    finally:
        today_place.set(0)


@solara.component
def ProgramLevers(program: str):
    """Switch and sliders of one program."""
    current = levers.value
    on = program in current.enabled
    notes = L.lever_notes(current)
    solara.Switch(label=_t(f"prog_{program}"), value=on,
                  on_value=lambda flag: levers.set(levers.value.with_program(program, flag)))
    if not on:
        return
    with solara.Column(style={"padding-left": "24px"}):
        for parameter, (low, high) in L.LEVERS[program].items():
            value = current.value(program, parameter)
            label = _t(f"{program}.{parameter}")
            share = isinstance(low, float)  # shown in percent
            factor = 100 if share else 1
            Lever(label, round(factor * value), round(factor * low), round(factor * high),
                  lambda x, p=parameter, f=factor: levers.set(
                      levers.value.with_value(program, p, x / f if f != 1 else x)))
            if (program, parameter) in notes:
                key, values = notes[(program, parameter)]
                solara.Text(_t(key, **values), classes=[f"note-{program}-{parameter}"],
                            style={"font-size": "0.8em", "color": "#555",
                                   "display": "block", "margin-bottom": "6px"})
        for parameter, options in L.CHOICES.get(program, {}).items():
            Choice(_t(f"{program}.{parameter}"), current.value(program, parameter),
                   [(o, _t(f"{program}.{parameter}.{o}")) for o in options],
                   lambda x, p=parameter: levers.set(levers.value.with_value(program, p, x)),
                   name=f"{program}-{parameter}")


@solara.component
def LeverPanel():
    """Scenario, region, horizon, runs, uncertainty and the programs' levers; run and stop."""
    current = levers.value
    departments = geography.department_names()
    Choice(_t("scenario"), current.scenario, [(s, f"scenarios/{s}.yaml") for s in L.SHIPPED],
           lambda name: levers.set(L.levers_from_scenario(
               name, reference=current.reference, region=current.region, years=current.years,
               replicates=current.replicates, seed=current.seed,
               precision=current.precision, uncertainty=current.uncertainty)),
           name="scenario")
    Choice(_t("reference"), current.reference,
           [(r, _t(f"ref_{r}")) for r in L.REFERENCES],
           lambda x: levers.set(_replace(reference=x)), name="reference")
    Note(_t(f"reference_note_{current.reference}"))
    Choice(_t("region"), current.region,
           [(L.ALL_PERU, _t("all_peru"))] + [(d, d.title()) for d in departments],
           lambda region: levers.set(_replace(region=region)) if region else None,
           name="region", searchable=True)
    Lever(_t("years"), current.years, 1, 10, lambda x: levers.set(_replace(years=x)))
    Lever(_t("runs"), current.replicates, 1, 20,
          lambda x: levers.set(_replace(replicates=x)))
    solara.Switch(label=_t("chance_only"), value=not current.uncertainty,
                  on_value=lambda flag: levers.set(_replace(uncertainty=not flag)),
                  classes=["chance-only"])
    Note(_t("runs_note_draws" if current.uncertainty else "runs_note_chance"))
    Choice(_t("precision"), current.precision,
           [(p, _t(f"precision_{p}")) for p in L.PRECISION_TARGET],
           lambda x: levers.set(_replace(precision=x)), name="precision")
    Note(_t("precision_note"))
    solara.InputInt(_t("seed"), value=current.seed,
                    on_value=lambda x: levers.set(_replace(seed=max(0, int(x or 0)))))
    saved = L.histories_saved(current)
    Note(_t("scale_note_saved" if saved else "scale_note",
            scale=L.scale_for(current.region, current.precision),
            seconds=round(L.estimated_seconds(current, saved)),
            history=round(L.history_seconds(current.region, current.precision)), saved=saved))
    Bold(_t("programs"))
    Note(_t("levers_intro"))
    for program in L.PROGRAMS:
        ProgramLevers(program)
    errors, warnings = L.check(current)
    for key, values in errors:
        solara.Error(_t(key, **values), dense=True)
    for key, values in warnings:
        solara.Warning(_t(key, **values), dense=True)
    RunControls(bool(errors))
    Reproduce(current)


@solara.component
def RunControls(refused: bool):
    """Run and stop buttons and the progress bar.

    The only lever-side reader of the task, so a progress update re-renders just this.
    """
    running = comparison_task.pending
    with solara.Row():
        solara.Button(_t("run"), color="primary", classes=["run-button"],
                      disabled=running or refused,
                      on_click=lambda: comparison_task(levers.value))
        solara.Button(_t("stop"), color="error", classes=["stop-button"], disabled=not running,
                      on_click=comparison_task.cancel)
    if running and queue_place.value:
        solara.ProgressLinear(True, color="grey")
        solara.Info(_t("queued", place=queue_place.value, slots=runner.RUN_SLOTS), dense=True,
                    classes=["queue-place"])
    elif running:
        solara.ProgressLinear(comparison_task.progress or True)
        solara.Text(_t("running", percent=comparison_task.progress or 0))
        key, values = stage.value
        if key:
            Note(_t(key, **values))


def Note(text: str):
    """A small grey paragraph."""
    return solara.Text(text, style={"font-size": "0.85em", "color": "#555", "display": "block",
                                    "margin": "4px 0 8px 0"})


def _replace(**changes) -> L.Levers:
    """The current levers with some settings changed."""
    return replace(levers.value, **changes)


@solara.component
def Reproduce(current: L.Levers):
    """The CLI command and scenario files that give exactly the same numbers."""
    try:
        reference, policy = L.build_scenarios(current)
    except ScenarioError as err:
        solara.Error(str(err))
        return
    with solara.Details(summary=_t("reproduce")):
        # one argument a line (a narrow lever column would break them anywhere)
        solara.HTML(tag="pre", unsafe_innerHTML=html.escape(L.cli_command(current,
                                                                          multiline=True)),
                    style={"white-space": "pre", "overflow-x": "auto", "font-size": "0.75em"},
                    classes=["cli-command"])
        with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
            for scenario, name in ((reference, "reference_dashboard.yaml"),
                                   (policy, "policy_dashboard.yaml")):
                solara.FileDownload(L.scenario_yaml(scenario), name, children=[
                    solara.Button(name, icon_name="mdi-cloud-download-outline", text=True,
                                  style={"text-transform": "none", "font-size": "0.8em",
                                         "letter-spacing": "0", "padding": "0 4px"})])


def _current_result() -> ComparisonResult | None:
    result = comparison_task.latest
    return result if isinstance(result, ComparisonResult) else None


@solara.component
def ResultsPanel():
    """Headline, trajectories, map, equity and downloads of the latest comparison."""
    result = _current_result()
    if comparison_task.error:
        solara.Error(_t("failed", error=str(comparison_task.exception)))
    if comparison_task.pending and queue_place.value:  # where the eye is, too
        solara.Info(_t("queued", place=queue_place.value, slots=runner.RUN_SLOTS),
                    classes=["queue-place-results"])
    if result is None or result.results.empty:
        if not comparison_task.pending:
            solara.Info(_t("not_run"))
        TodayPanel()
        return
    if comparison_task.cancelled or result.stopped:
        solara.Warning(_t("stopped", done=result.pairs_done, total=result.levers.replicates))
    # Children get the result as their only input: a progress update re-renders this
    # component but not them (same props), so the charts are not rebuilt each time.
    StaleNote(result)
    Headline(result)
    Note(_t(f"anemia_note_{result.policy.anemia_definition}"))
    Trajectories(result)
    MapPanel(result)
    Equity(result)
    Downloads(result)
    TodayPanel()


@solara.component
def Trajectories(result: ComparisonResult):
    """Stunting and anemia over time, reference and policy, medians with 90% bands."""
    with solara.Columns([1, 1]):
        for outcome in ("stunting", "anemia"):
            solara.FigureEcharts(option=figures.trajectory_option(result, outcome, lang.value),
                                 attributes={"style": "height: 340px;",
                                             "class": f"chart-{outcome}"})


@solara.component
def StaleNote(result: ComparisonResult):
    """Says so when the levers moved after this result was computed."""
    if result.levers != levers.value:
        solara.Info(_t("stale"), dense=True)


@solara.component
def Headline(result: ComparisonResult):
    """End-of-horizon difference with interval, cases averted, cost, cost per case."""
    numbers = figures.headline(result)
    if not numbers:
        return
    first = next(iter(numbers.values()))
    Heading(_t("headline", date=first["date"], n=result.pairs_done), 4)
    IntervalMeaning(result)
    with solara.Columns([1, 1]):
        for outcome, row in numbers.items():
            with solara.Card(_t(f"{outcome}_long"), classes=[f"headline-{outcome}"]):
                per_case = (f"{row['cost_per_case_median']:,.0f} "
                            f"({row['cost_per_case_p5']:,.0f} – {row['cost_per_case_p95']:,.0f})"
                            if row["averted_median"] > 0 else _t("not_applicable"))
                Table([], [
                    [_t("difference"), f"{row['diff_median']:+.2f} {_t('pp')} "
                                       f"({row['diff_p5']:+.2f} – {row['diff_p95']:+.2f})"],
                    [_t("cases_averted"), f"{row['averted_median']:,.0f} "
                                          f"({row['averted_p5']:,.0f} – "
                                          f"{row['averted_p95']:,.0f})"],
                    [_t("cost"), f"{row['extra_cost_median'] / 1e6:,.1f} "
                                 f"({row['extra_cost_p5'] / 1e6:,.1f} – "
                                 f"{row['extra_cost_p95'] / 1e6:,.1f})"],
                    [_t("cost_per_case"), per_case]])


@solara.component
def IntervalMeaning(result: ComparisonResult):
    """What the result's 90% intervals include, in one title and one sentence."""
    kind = figures.interval_kind(result)
    with solara.Div(classes=[f"interval-{kind}"],
                    style={"border-left": "3px solid #1f77b4", "padding": "2px 10px",
                           "margin": "0 0 10px 0"}):
        Bold(_t(f"interval_title_{kind}"))
        Note(_t(f"interval_text_{kind}"))


def _map_level(region: str) -> str:
    """The map's level: the user's choice, else provinces for all Peru.

    A national run has few simulated children per district; a department run has many.
    """
    return map_level.value or ("province" if region == L.ALL_PERU else "district")


@solara.component
def MapPanel(result: ComparisonResult):
    """District map with metric, level/change and date controls; hover shows the values."""
    dates = result.dates
    date = map_date.value if map_date.value in dates else dates[-1]
    Heading(_t("map"))
    with solara.Row():
        Choice(_t("map_metric"), map_metric.value,
               [(m, _t(m)) for m in ("stunting", "anemia")], map_metric.set, name="map-metric")
        Choice(_t("map_show"), map_show.value,
               [("change", _t("map_change")), ("policy", _t("map_level_policy")),
                ("baseline", _t("map_level_reference", reference=figures.reference_label(
                    result, lang.value).lower()))], map_show.set, name="map-show")
    solara.SliderInt(f"{_t('map_date')}: {date}", value=dates.index(date), min=0,
                     max=len(dates) - 1, on_value=lambda i: map_date.set(dates[i]))
    region = result.levers.region
    level = _map_level(region)
    Choice(_t("map_level"), level, [("district", _t("map_by_district")),
                                    ("province", _t("map_by_province"))], map_level.set,
           name="map-level")
    option = figures.map_option(result, date, map_metric.value, map_show.value, lang.value,
                                level)
    solara.FigureEcharts(option=option,
                         maps={figures.map_name(region): figures.region_geojson_text(region)},
                         attributes={"style": "height: 560px;", "class": "district-map"}
                         ).key(f"map-{region}")
    solara.Text(_t("map_hint"), style={"font-size": "0.85em", "color": "#555"})


@solara.component
def Equity(result: ComparisonResult):
    """Outcomes by urban/rural, natural region and poverty quintile."""
    Heading(_t("equity"))
    with solara.Columns([1, 1]):
        for outcome in ("stunting", "anemia"):
            solara.FigureEcharts(option=figures.equity_option(result, outcome, lang.value),
                                 attributes={"style": "height: 380px;"})
    rows = []
    for outcome in ("stunting", "anemia"):
        table = figures.equity_table(result, outcome)
        for r in table.itertuples(index=False):
            rows.append([_t(outcome), figures.group_label(r.group, lang.value),
                         f"{r.baseline:.1f} ({r.baseline_p5:.1f} – {r.baseline_p95:.1f})",
                         f"{r.policy:.1f} ({r.policy_p5:.1f} – {r.policy_p95:.1f})",
                         f"{r.diff:+.2f} ({r.diff_p5:+.2f} – {r.diff_p95:+.2f})"])
    Note(_t("equity_hint"))
    Table(["", _t("group"), f"{figures.reference_label(result, lang.value)} (%)",
           f"{_t('policy')} (%)", _t("change_pp")],
          rows, classes="equity-table")


@solara.component
def Downloads(result: ComparisonResult):
    """Results and summary as CSV, charts as PNG (drawn in the page's language).

    Each carries its context: the tables as columns (region, what the interval means,
    simulated, the date made), the charts in their title and a note under them (region,
    policy against reference, simulated, the interval's meaning, runs, the date made).
    """
    language = lang.value

    def today() -> str:
        return datetime.date.today().isoformat()

    def results_csv() -> bytes:
        return figures.with_context(result.results, result, language, today()).to_csv(
            index=False).encode()

    def summary_csv() -> bytes:
        return figures.with_context(result.summary, result, language, today()).to_csv(
            index=False).encode()

    def png(draw) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "chart.png"
            draw(path)
            return path.read_bytes()

    names = figures.scenario_labels(result, language)
    title = figures.context_title(result, language)

    def trajectory_png() -> bytes:
        return png(lambda p: plots.plot_comparison(
            result.results, p, title=title,
            titles={o: tr(f"{o}_long", language) for o in ("stunting", "anemia")},
            names=names, colors=figures.COLORS, ylabel=tr("prevalence_band", language),
            xlabel=tr("date", language), note=figures.context_note(result, language,
                                                                  today())))

    def map_png() -> bytes:
        date = map_date.value if map_date.value in result.dates else result.dates[-1]
        table = figures.map_values(result, date, _map_level(result.levers.region))
        column = f"{map_metric.value}_{map_show.value}"
        caption = {"change": tr("map_change", language),
                   "policy": tr("map_level_policy", language),
                   "baseline": tr("map_level_reference", language,
                                  reference=figures.reference_label(result, language).lower())
                   }[map_show.value]
        heading = (f"{textwrap.fill(title, 58)}\n"
                   f"{tr(map_metric.value + '_long', language)}\n{caption}, {date}")
        note = textwrap.fill(f"{tr('map_median', language)} "
                             f"{figures.context_note(result, language, today())}", 80)
        return png(lambda p: plots.plot_district_map(
            figures.region_geojson(result.levers.region),
            dict(zip(table["ubigeo"], table[column])), p, heading,
            tr("change_pp" if map_show.value == "change" else "prevalence", language),
            diverging=map_show.value == "change", note=note))

    def equity_png() -> bytes:
        tables = {tr(f"{o}_long", language): figures.equity_table(result, o)
                  for o in ("stunting", "anemia")}
        groups = next(iter(tables.values()))["group"]
        return png(lambda p: plots.plot_equity(
            tables, [figures.group_label(g, language) for g in groups],
            {"baseline": names[result.reference.name], "policy": names["policy"]}, p,
            tr("prevalence_band", language), title=title,
            note=figures.context_note(result, language, today())))

    Heading(_t("downloads"))
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
        solara.FileDownload(results_csv, "results.csv", label=_t("download_csv"))
        solara.FileDownload(summary_csv, "summary.csv", label=_t("download_summary"))
        solara.FileDownload(trajectory_png, "trajectories.png", label=_t("download_png"))
        solara.FileDownload(map_png, "map.png", label=_t("download_map_png"))
        solara.FileDownload(equity_png, "equity.png", label=_t("download_equity_png"))


@solara.component
def TodayPanel():
    """The region today: the status quo's levels on the map and the history against ENDES.

    Computed in the background when the page opens or the region or seed changes
    (``today_task``, started by ``PolicyView``).
    """
    current = levers.value
    today = today_task.value if today_task.finished else None
    if today is not None and (today.region, today.seed) != (current.region, current.seed):
        today = None
    region = (_t("today_peru") if current.region == L.ALL_PERU else current.region.title())
    Heading(_t("today_title", region=region))
    if today_task.error:
        solara.Error(_t("today_failed", error=str(today_task.exception)))
    if today is None:
        if today_task.pending and today_place.value:
            Note(_t("today_queued", place=today_place.value))
        elif today_task.pending:
            solara.ProgressLinear(today_task.progress or True)
            Note(_t("today_running", percent=today_task.progress or 0))
        return
    TodayCharts(today)


@solara.component
def TodayCharts(today: TodayResult):
    """Map of the status quo's levels and the history charts of one TodayResult."""
    Note(_t("today_intro", region=(_t("today_peru") if today.region == L.ALL_PERU
                                   else today.region.title()),
            scale=today.scale, seed=today.seed,
            areas=_t("areas_department" if today.region == L.ALL_PERU else "areas_district")))
    last = today.trajectory.iloc[-1]
    Bold(_t("today_levels", stunting=last["stunting"], anemia=last["anemia"]))
    Note(_t(f"anemia_note_{today.anemia_definition}"))
    # side by side on wide screens (Vuetify's lg, 1264 px and more), stacked below that
    with solara.ColumnsResponsive(12, large=[5, 7]):
        with solara.Column():
            with solara.Row():
                Choice(_t("map_metric"), today_metric.value,
                       [(m, _t(m)) for m in ("stunting", "anemia")], today_metric.set,
                       name="today-metric")
                if today.region != L.ALL_PERU:
                    Choice(_t("map_level"), figures.today_level(today, map_level.value),
                           [("district", _t("map_by_district")),
                            ("province", _t("map_by_province"))],
                           map_level.set, name="today-level")
            option = figures.today_map_option(today, today_metric.value, lang.value,
                                              map_level.value)
            solara.FigureEcharts(option=option,
                                 maps={figures.map_name(today.region):
                                       figures.region_geojson_text(today.region)},
                                 attributes={"style": "height: 560px;", "class": "today-map"}
                                 ).key(f"today-map-{today.region}")
        with solara.Column():
            Heading(_t("history_title"), 4)
            for outcome in ("stunting", "anemia"):
                solara.FigureEcharts(option=figures.history_option(today, outcome, lang.value),
                                     attributes={"style": "height: 270px;",
                                                 "class": f"history-{outcome}"})
            Note(_t("history_hint"))


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


# --- instructor view -----------------------------------------------------------------------

def _bump() -> None:
    """Make the classroom components re-render (the model changed)."""
    tick.set(next(_ticks))


def _room() -> Classroom:
    if room.value is None or room.value.programs != room_programs.value:
        room.set(Classroom(room_programs.value))
    return room.value


@solara.component
def ClassroomControls(classroom: Classroom):
    """Programs, play/pause/step/reset and the pace."""
    _ = tick.value  # re-render after each month

    def play_loop():
        was_playing = playing.value
        while playing.value and not classroom.finished:
            started = time.monotonic()
            classroom.step()
            _bump()
            # the month and its redraw count towards the pace
            time.sleep(max(0.0, 1.0 / max(1, pace.value) - (time.monotonic() - started)))
        playing.set(False)
        if was_playing:
            # A render this thread started may finish after a Reset or Step made while it
            # ran; one more, now, shows the model as it is.
            _bump()

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    def reset():
        playing.set(False)  # the play thread stops before its next month
        classroom.reset()
        selected.set("")
        _bump()

    def step():
        classroom.step()
        _bump()

    Choice(_t("programs_live"), room_programs.value,
           [("none", _t("live_none")), ("package", _t("live_package"))],
           lambda x: (playing.set(False), room_programs.set(x), selected.set("")),
           name="live-programs")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        if playing.value:
            solara.Button(_t("pause"), icon_name="mdi-pause", classes=["pause-button"],
                          on_click=lambda: playing.set(False))
        else:
            solara.Button(_t("play"), icon_name="mdi-play", color="primary",
                          classes=["play-button"],
                          disabled=classroom.finished, on_click=lambda: playing.set(True))
        solara.Button(_t("step"), icon_name="mdi-skip-next", classes=["step-button"],
                      disabled=playing.value
                      or classroom.finished, on_click=step)
        solara.Button(_t("reset"), icon_name="mdi-restart", classes=["reset-button"],
                      on_click=reset)
    solara.SliderInt(f"{_t('pace')}: {pace.value}", value=pace.value, min=1, max=12,
                     on_value=pace.set)
    Bold(_t("month_now", step=classroom.model.steps, months=classroom.scenario.months,
            date=classroom.date))
    if classroom.finished:
        solara.Info(_t("finished"), dense=True)


@solara.component
def ClassroomView():
    """The live model, the province network, an agent's story and the exercises."""
    classroom = _room()
    _ = tick.value  # re-render after each month
    provinces = classroom.provinces()
    chosen = province.value if province.value in provinces else provinces[0]
    with solara.Columns([1, 3]):
        with solara.Card(classes=["classroom-controls"]):
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(
                _t("classroom_intro", scale=classroom.scenario.scale)),
                style={"margin-bottom": "12px"})
            ClassroomControls(classroom)
            trajectory = classroom.trajectory()
            solara.FigureEcharts(option=_live_option(trajectory),
                                 attributes={"style": "height: 260px;"})
        with solara.Column():
            Heading(_t("network"))
            Choice(_t("province"), chosen, [(p, p.title()) for p in provinces], province.set,
                   name="province")
            solara.Text(_t("network_hint"), style={"font-size": "0.85em", "color": "#555"})
            with solara.Columns([3, 2]):
                solara.FigureEcharts(option=classroom.network(chosen, lang.value),
                                     on_click=lambda data: selected.set(data.get("name") or ""),
                                     attributes={"style": "height: 520px;",
                                                 "class": "network"})
                Story(classroom)
    Exercises()


def _live_option(trajectory) -> dict:
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 10, "top": 20, "bottom": 50},
        "xAxis": {"type": "category", "data": list(trajectory["date"])},
        "yAxis": {"type": "value", "min": 0, "name": "%"},
        "series": [{"type": "line", "name": _t(m), "symbol": "none",
                    "data": [round(float(x), 2) for x in trajectory[m]]}
                   for m in ("stunting", "anemia") if m in trajectory],
    }


@solara.component
def Story(classroom: Classroom):
    """The selected agent's story (a child's HAZ and Hb curve, visits, transfers...)."""
    _ = tick.value  # re-render after each month
    with solara.Card(_t("story"), classes=["story"]):
        if not selected.value:
            solara.Text(_t("story_pick"))
            return
        try:
            story = classroom.story(selected.value, lang.value)
        except (KeyError, IndexError, ValueError):
            solara.Text(_t("story_pick"))
            return
        Bold(story["title"])
        for fact in story["facts"]:
            if fact.startswith("child:"):
                node = fact.split(" ")[0]
                solara.Button(fact, text=True, on_click=lambda n=node: selected.set(n))
            else:
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(fact),
                            style={"margin-bottom": "4px"})
        if story["chart"]:
            solara.FigureEcharts(option=story["chart"], attributes={"style": "height: 260px;",
                                                                    "class": "story-chart"})


@solara.lab.task(prefer_threaded=True)
def exercise_task(key: str):
    """Run one exercise in a worker process, after the queue of heavy runs."""
    closed = _session_closed()
    result = next(remote("exercise", key, should_stop=closed), None)
    return None if result is None else {**result, "key": key}


@solara.component
def Exercises():
    """Predict, then run: pick a lever, write the class's prediction, run, read why."""
    index = LANGUAGES.index(lang.value)
    item = ex.exercise(exercise_key.value)
    Heading(_t("exercises"))
    solara.Text(_t("exercise_intro"))
    Choice(_t("exercises"), item.key, [(e.key, e.title[index]) for e in ex.EXERCISES],
           lambda key: (exercise_key.set(key), prediction.set(0.0)), name="exercise")
    with solara.Card(item.title[index], classes=["exercise"]):
        solara.Text(item.question[index])
        solara.InputFloat(_t("prediction", outcome=_t(item.outcome)), value=prediction.value,
                          on_value=lambda x: prediction.set(x or 0.0))
        solara.Button(_t("run_exercise"), color="primary", classes=["exercise-button"],
                      disabled=exercise_task.pending,
                      on_click=lambda: exercise_task(item.key))
        if exercise_task.pending:
            solara.ProgressLinear(True)
        outcome = exercise_task.value
        if exercise_task.finished and outcome and outcome["key"] == item.key:
            solara.Success(_t("exercise_result", outcome=_t(item.outcome),
                              diff=outcome["diff"], low=outcome["low"], high=outcome["high"],
                              prediction=prediction.value))
            solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(_t('why'))}.</b> "
                                                    f"{html.escape(item.why[index])}")


# --- the page ------------------------------------------------------------------------------

@solara.component
def Page():
    """The dashboard: language switch and the two views as tabs."""
    solara.Title(_t("title"))
    # Vuetify breaks card titles anywhere ("mese-s"): break between words only
    solara.Style(".v-card__title { word-break: normal; }")
    with solara.AppBar():
        solara.Text(_t("language"), style={"margin-right": "8px"})
        solara.ToggleButtonsSingle(value=lang.value, values=list(LANGUAGES),
                                   on_value=lang.set, classes=["language"])
    with solara.AppBarTitle():
        solara.Text(_t("title"))
    with solara.lab.Tabs():
        with solara.lab.Tab(_t("tab_policy")):
            PolicyView()
        with solara.lab.Tab(_t("tab_classroom")):
            ClassroomView()


# Each browser session counted while it is open: when it closes, its results go with it and
# the memory is handed back (runner.SESSIONS); its queued or running jobs stop (they poll
# the session's closed event).
solara.lifecycle.on_kernel_start(runner.SESSIONS.opened)
