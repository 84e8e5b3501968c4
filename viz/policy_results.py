"""The policymaker view's results: headline, trajectories, map, equity and Peru today.

Each component takes the result it shows as its only input, so a progress update of the
running comparison does not rebuild its charts. Reads the session state of
``viz/policy_state.py``.
"""

from __future__ import annotations

import solara

from model import places
from viz import figures, maps
from viz import levers as L
from viz.i18n import interval
from viz.policy_state import (
    levers,
    map_date,
    map_level,
    map_level_for,
    map_metric,
    map_show,
    shown_date,
    today_metric,
    today_place,
    today_task,
)
from viz.runner import ComparisonResult
from viz.today import TodayResult
from viz.widgets import Bold, Choice, Heading, Note, Table, lang, t


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


@solara.component
def MapPanel(result: ComparisonResult):
    """District map with metric, level/change and date controls; hover shows the values."""
    dates = result.dates
    date = shown_date(result)
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
    level = map_level_for(region)
    Choice(t("map_level"), level, [("district", t("map_by_district")),
                                    ("province", t("map_by_province"))], map_level.set,
           name="map-level")
    option = maps.map_option(result, date, map_metric.value, map_show.value, lang.value,
                                level)
    solara.FigureEcharts(option=option,
                         maps={maps.map_name(region): figures.region_geojson_text(region)},
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
                    Choice(t("map_level"), maps.today_level(today, map_level.value),
                           [("district", t("map_by_district")),
                            ("province", t("map_by_province"))],
                           map_level.set, name="today-level")
            option = maps.today_map_option(today, today_metric.value, lang.value,
                                              map_level.value)
            solara.FigureEcharts(option=option,
                                 maps={maps.map_name(today.region):
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
