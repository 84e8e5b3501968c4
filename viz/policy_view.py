"""The policymaker view: levers on the left; the region today, then the comparison.

The view starts at the status quo (``scenarios/baseline.yaml``) and opens on the region
"today": the history 2000-2019 is run in the background when the page opens
(``today_task``) and shown against the ENDES surveys, with the end-of-2019 levels on the map.
A comparison (``comparison_task``) runs the reference and the policy in a worker process and
shows its headline, trajectories, map, equity table and downloads.
"""

from __future__ import annotations

import datetime
import html
import tempfile
import textwrap
from dataclasses import replace
from pathlib import Path

import solara
import solara.lab

from model import geography, places
from model.analysis import charts
from model.config import ScenarioError
from viz import figures, runner
from viz import levers as L
from viz.i18n import interval, number, tr
from viz.jobs import RUN_SLOTS, remote
from viz.runner import ComparisonResult
from viz.today import TodayResult, queued_today
from viz.widgets import (
    Bold,
    Choice,
    Heading,
    Lever,
    Note,
    Table,
    lang,
    session_closed,
    t,
    throttled_progress,
)

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


@solara.component
def ProgramLevers(program: str):
    """Switch and sliders of one program."""
    current = levers.value
    on = program in current.enabled
    notes = L.lever_notes(current)
    solara.Switch(label=t(f"prog_{program}"), value=on,
                  on_value=lambda flag: levers.set(levers.value.with_program(program, flag)))
    if not on:
        return
    with solara.Column(style={"padding-left": "24px"}):
        for parameter, (low, high) in L.LEVERS[program].items():
            value = current.value(program, parameter)
            label = t(f"{program}.{parameter}")
            share = isinstance(low, float)  # shown in percent
            factor = 100 if share else 1
            Lever(label, round(factor * value), round(factor * low), round(factor * high),
                  lambda x, p=parameter, f=factor: levers.set(
                      levers.value.with_value(program, p, x / f if f != 1 else x)))
            if (program, parameter) in notes:
                key, values = notes[(program, parameter)]
                solara.Text(t(key, **values), classes=[f"note-{program}-{parameter}"],
                            style={"font-size": "0.8em", "color": "#555",
                                   "display": "block", "margin-bottom": "6px"})
        for parameter, options in L.CHOICES.get(program, {}).items():
            Choice(t(f"{program}.{parameter}"), current.value(program, parameter),
                   [(o, t(f"{program}.{parameter}.{o}")) for o in options],
                   lambda x, p=parameter: levers.set(levers.value.with_value(program, p, x)),
                   name=f"{program}-{parameter}")


@solara.component
def LeverPanel():
    """Scenario, region, horizon, runs, uncertainty and the programs' levers; run and stop."""
    current = levers.value
    departments = geography.department_names()
    Note(t("levers_top"))
    Choice(t("scenario"), current.scenario, [(s, t(f"scen_{s}")) for s in L.SHIPPED],
           lambda name: levers.set(L.levers_from_scenario(
               name, reference=current.reference, region=current.region, years=current.years,
               replicates=current.replicates, seed=current.seed,
               precision=current.precision, uncertainty=current.uncertainty)),
           name="scenario")
    Choice(t("reference"), current.reference,
           [(r, t(f"ref_{r}")) for r in L.REFERENCES],
           lambda x: levers.set(_replace(reference=x)), name="reference")
    if current.reference != L.STATUS_QUO:  # a counterfactual is not a policy: say so
        Note(t(f"reference_note_{current.reference}"))
    Choice(t("region"), current.region,
           [(L.ALL_PERU, t("all_peru"))] + [(d, places.department_label(d))
                                             for d in departments],
           lambda region: levers.set(_replace(region=region)) if region else None,
           name="region", searchable=True)
    Lever(t("years"), current.years, 1, 10, lambda x: levers.set(_replace(years=x)))
    errors, warnings = L.check(current)
    RunControls(bool(errors))
    saved = L.histories_saved(current)
    Note(t("scale_note_saved" if saved else "scale_note",
           scale=L.scale_for(current.region, current.precision),
           seconds=round(L.estimated_seconds(current, saved)),
           history=round(L.history_seconds(current.region, current.precision)), saved=saved))
    for key, values in errors:
        solara.Error(t(key, **values), dense=True)
    for key, values in warnings:
        solara.Warning(t(key, **values), dense=True)
    with solara.Details(summary=t("advanced")):
        Lever(t("runs"), current.replicates, 1, 20,
              lambda x: levers.set(_replace(replicates=x)))
        solara.Switch(label=t("chance_only"), value=not current.uncertainty,
                      on_value=lambda flag: levers.set(_replace(uncertainty=not flag)),
                      classes=["chance-only"])
        Note(t("runs_note_draws" if current.uncertainty else "runs_note_chance"))
        Choice(t("precision"), current.precision,
               [(p, t(f"precision_{p}")) for p in L.PRECISION_TARGET],
               lambda x: levers.set(_replace(precision=x)), name="precision")
        Note(t("precision_note"))
        solara.InputInt(t("seed"), value=current.seed,
                        on_value=lambda x: levers.set(_replace(seed=max(0, int(x or 0)))))
        Note(t("seed_note"))
    Heading(t("programs"), 4)
    Note(t("levers_intro"))
    for program in L.PROGRAMS:
        ProgramLevers(program)
    Reproduce(current)


@solara.component
def RunControls(refused: bool):
    """Run and stop buttons and the progress bar.

    The only lever-side reader of the task, so a progress update re-renders just this.
    """
    running = comparison_task.pending
    # stays in view while the programs' levers scroll under it
    with solara.Row(classes=["run-row"], style={
            "position": "sticky", "top": "64px", "z-index": "3", "background": "white",
            "padding": "6px 0", "flex-wrap": "wrap", "gap": "6px"}):
        solara.Button(t("run"), color="primary", classes=["run-button"],
                      disabled=running or refused,
                      on_click=lambda: comparison_task(levers.value))
        solara.Button(t("stop"), color="error", classes=["stop-button"], disabled=not running,
                      on_click=comparison_task.cancel)
    result = _current_result()
    if result is not None and not running and result.levers == levers.value:
        QuickResult(result)
    if running and queue_place.value:
        solara.ProgressLinear(True, color="grey")
        solara.Info(t("queued", place=queue_place.value, slots=RUN_SLOTS), dense=True,
                    classes=["queue-place"])
    elif running:
        solara.ProgressLinear(comparison_task.progress or True)
        solara.Text(t("running", percent=comparison_task.progress or 0))
        key, values = stage.value
        if key:
            Note(t(key, **values))


@solara.component
def QuickResult(result: ComparisonResult):
    """The headline in two lines beside the run button, where the eye is after a click."""
    numbers = figures.headline(result)
    if not numbers:
        return
    language = lang.value
    lines = [t("quick_result", date=next(iter(numbers.values()))["date"])] + [
        f"{t(outcome)}: {number(row['diff_median'], language, 2, sign=True)} {t('pp')}"
        for outcome, row in numbers.items()]
    solara.HTML(tag="div", unsafe_innerHTML="<br/>".join(html.escape(x) for x in lines),
                classes=["quick-result"],
                style={"background": "#eef6ee", "border-left": "3px solid #2ca02c",
                       "padding": "4px 8px", "margin": "4px 0 8px 0", "font-size": "0.9em"})


# The context columns every downloaded table carries (figures.with_context).
CONTEXT_COLUMNS = {
    "region": "the region simulated (all Peru or a department)",
    "interval": "what the 90% intervals include",
    "simulated": "True: numbers simulated by the model, not measured",
    "generated": "the date the file was made",
    "run_id": "the run (draw and replicate) a row comes from",
}


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
    with solara.Details(summary=t("reproduce")):
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
        solara.Info(t("stale"), dense=True)


@solara.component
def Headline(result: ComparisonResult):
    """End-of-horizon difference with interval, cases averted, cost, cost per case."""
    numbers = figures.headline(result)
    if not numbers:
        return
    first = next(iter(numbers.values()))
    Heading(t("headline", date=first["date"], n=result.pairs_done), 4)
    IntervalMeaning(result)
    with solara.Columns([1, 1]):
        for outcome, row in numbers.items():
            with solara.Card(t(f"{outcome}_long"), classes=[f"headline-{outcome}"]):
                language = lang.value
                per_case = (interval(row["cost_per_case_median"], row["cost_per_case_p5"],
                                     row["cost_per_case_p95"], language, 0)
                            if row["averted_median"] > 0 else t("not_applicable"))
                Table([], [
                    [t("difference"), interval(row["diff_median"], row["diff_p5"],
                                               row["diff_p95"], language, 2, sign=True)
                     .replace(" (", f" {t('pp')} (", 1)],
                    [t("cases_averted"), interval(row["averted_median"], row["averted_p5"],
                                                  row["averted_p95"], language, 0)],
                    [t("cost"), interval(row["extra_cost_median"], row["extra_cost_p5"],
                                         row["extra_cost_p95"], language, 1, scale=1e6)],
                    [t("cost_per_case"), per_case]])


@solara.component
def IntervalMeaning(result: ComparisonResult):
    """What the result's 90% intervals include, in one title and one sentence."""
    kind = figures.interval_kind(result)
    with solara.Div(classes=[f"interval-{kind}"],
                    style={"border-left": "3px solid #1f77b4", "padding": "2px 10px",
                           "margin": "0 0 10px 0"}):
        Bold(t(f"interval_title_{kind}"))
        Note(t(f"interval_text_{kind}"))


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
    Heading(t("map"))
    with solara.Row():
        Choice(t("map_metric"), map_metric.value,
               [(m, t(m)) for m in ("stunting", "anemia")], map_metric.set, name="map-metric")
        Choice(t("map_show"), map_show.value,
               [("change", t("map_change")), ("policy", t("map_level_policy")),
                ("baseline", t("map_level_reference", reference=figures.reference_label(
                    result, lang.value).lower()))], map_show.set, name="map-show")
    solara.SliderInt(f"{t('map_date')}: {date}", value=dates.index(date), min=0,
                     max=len(dates) - 1, on_value=lambda i: map_date.set(dates[i]))
    region = result.levers.region
    level = _map_level(region)
    Choice(t("map_level"), level, [("district", t("map_by_district")),
                                    ("province", t("map_by_province"))], map_level.set,
           name="map-level")
    option = figures.map_option(result, date, map_metric.value, map_show.value, lang.value,
                                level)
    solara.FigureEcharts(option=option,
                         maps={figures.map_name(region): figures.region_geojson_text(region)},
                         attributes={"style": "height: 560px;", "class": "district-map"}
                         ).key(f"map-{region}")
    solara.Text(t("map_hint"), style={"font-size": "0.85em", "color": "#555"})


@solara.component
def Equity(result: ComparisonResult):
    """Outcomes by urban/rural, natural region and poverty quintile."""
    Heading(t("equity"))
    with solara.Columns([1, 1]):
        for outcome in ("stunting", "anemia"):
            solara.FigureEcharts(option=figures.equity_option(result, outcome, lang.value),
                                 attributes={"style": "height: 380px;"})
    rows = []
    for outcome in ("stunting", "anemia"):
        table = figures.equity_table(result, outcome)
        for r in table.itertuples(index=False):
            language = lang.value
            rows.append([t(outcome), figures.group_label(r.group, language),
                         interval(r.baseline, r.baseline_p5, r.baseline_p95, language),
                         interval(r.policy, r.policy_p5, r.policy_p95, language),
                         interval(r.diff, r.diff_p5, r.diff_p95, language, 2, sign=True)])
    Note(t("equity_hint"))
    Table(["", t("group"), f"{figures.reference_label(result, lang.value)} (%)",
           f"{t('policy')} (%)", t("change_pp")],
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

    def summary_xlsx() -> bytes:
        from model.analysis.spreadsheet import COMPARISON_COLUMNS, write_workbook

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "summary.xlsx"
            write_workbook(path, figures.with_context(result.summary, result, language, today()),
                           "summary", {**COMPARISON_COLUMNS, **CONTEXT_COLUMNS},
                           note=figures.context_note(result, language, today()))
            return path.read_bytes()

    def png(draw) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "chart.png"
            draw(path)
            return path.read_bytes()

    names = figures.scenario_labels(result, language)
    title = figures.context_title(result, language)

    def trajectory_png() -> bytes:
        return png(lambda p: charts.plot_comparison(
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
        return png(lambda p: charts.plot_district_map(
            figures.region_geojson(result.levers.region),
            dict(zip(table["ubigeo"], table[column])), p, heading,
            tr("change_pp" if map_show.value == "change" else "prevalence", language),
            diverging=map_show.value == "change", note=note))

    def equity_png() -> bytes:
        tables = {tr(f"{o}_long", language): figures.equity_table(result, o)
                  for o in ("stunting", "anemia")}
        groups = next(iter(tables.values()))["group"]
        return png(lambda p: charts.plot_equity(
            tables, [figures.group_label(g, language) for g in groups],
            {"baseline": names[result.reference.name], "policy": names["policy"]}, p,
            tr("prevalence_band", language), title=title,
            note=figures.context_note(result, language, today())))

    Heading(t("downloads"))
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
        solara.FileDownload(results_csv, "results.csv", label=t("download_csv"))
        solara.FileDownload(summary_csv, "summary.csv", label=t("download_summary"))
        solara.FileDownload(summary_xlsx, "summary.xlsx", label=t("download_xlsx"))
        solara.FileDownload(trajectory_png, "trajectories.png", label=t("download_png"))
        solara.FileDownload(map_png, "map.png", label=t("download_map_png"))
        solara.FileDownload(equity_png, "equity.png", label=t("download_equity_png"))


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
    region = (t("today_peru") if current.region == L.ALL_PERU
              else places.department_label(current.region))
    Heading(t("today_title", region=region))
    if today_task.error:
        solara.Error(t("today_failed", error=str(today_task.exception)))
    if today is None:
        if today_task.pending and today_place.value:
            Note(t("today_queued", place=today_place.value))
        elif today_task.pending:
            solara.ProgressLinear(today_task.progress or True)
            Note(t("today_running", percent=today_task.progress or 0))
        return
    TodayCharts(today)


@solara.component
def TodayCharts(today: TodayResult):
    """Map of the status quo's levels and the history charts of one TodayResult."""
    Note(t("today_intro", region=(t("today_peru") if today.region == L.ALL_PERU
                                   else places.department_label(today.region)),
            scale=today.scale, seed=today.seed,
            areas=t("areas_department" if today.region == L.ALL_PERU else "areas_district")))
    last = today.trajectory.iloc[-1]
    Bold(t("today_levels", stunting=last["stunting"], anemia=last["anemia"]))
    Note(t(f"anemia_note_{today.anemia_definition}"))
    # side by side on wide screens (Vuetify's lg, 1264 px and more), stacked below that
    with solara.ColumnsResponsive(12, large=[5, 7]):
        with solara.Column():
            with solara.Row():
                Choice(t("map_metric"), today_metric.value,
                       [(m, t(m)) for m in ("stunting", "anemia")], today_metric.set,
                       name="today-metric")
                if today.region != L.ALL_PERU:
                    Choice(t("map_level"), figures.today_level(today, map_level.value),
                           [("district", t("map_by_district")),
                            ("province", t("map_by_province"))],
                           map_level.set, name="today-level")
            option = figures.today_map_option(today, today_metric.value, lang.value,
                                              map_level.value)
            solara.FigureEcharts(option=option,
                                 maps={figures.map_name(today.region):
                                       figures.region_geojson_text(today.region)},
                                 attributes={"style": "height: 560px;", "class": "today-map"}
                                 ).key(f"today-map-{today.region}")
        with solara.Column():
            Heading(t("history_title"), 4)
            for outcome in ("stunting", "anemia"):
                solara.FigureEcharts(option=figures.history_option(today, outcome, lang.value),
                                     attributes={"style": "height: 270px;",
                                                 "class": f"history-{outcome}"})
            Note(t("history_hint"))


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

