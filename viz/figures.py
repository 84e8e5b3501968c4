"""ECharts options for the dashboard, built from a ComparisonResult (plain dicts, no Solara).

Trajectories, equity and the headline of a comparison, the history against the surveys, and
the labels and context of every chart and download, and the regions' boundaries; the maps
themselves are in ``viz/maps.py``.

ECharts ships with Solara (``solara.FigureEcharts``) and, through ``solara-assets``, is served
from this machine: the charts need no internet. Every label goes through ``viz.i18n``.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd

from model import places
from model.analysis.comparison import OUTCOMES
from model.geography import load_boundaries
from viz.i18n import number, tr
from viz.levers import ALL_PERU, changed_from_file
from viz.runner import ComparisonResult
from viz.today import TodayResult

COLORS = {"baseline": "#7f7f7f", "no_programs": "#7f7f7f", "policy": "#1f77b4"}
SURVEY_COLOR = "#d62728"
EQUITY_GROUPS = ("urban", "rural", "natural_region:Costa", "natural_region:Sierra",
                 "natural_region:Selva", *(f"quintile:{q}" for q in range(1, 6)))


def group_label(group: str, lang: str) -> str:
    """A results group (``urban``, ``natural_region:Sierra``, ``quintile:1``) in words."""
    if group.startswith("quintile:"):
        q = group.split(":")[1]
        return tr({"1": "quintile_poorest", "5": "quintile_richest"}.get(q, "quintile"), lang,
                  q=q)
    return tr(group.split(":")[-1], lang)


def reference_label(result: ComparisonResult, lang: str) -> str:
    """The reference's name in words: the status quo, or no programs (counterfactual)."""
    return tr(f"ref_{result.reference.name}", lang)


def scenario_labels(result: ComparisonResult, lang: str) -> dict[str, str]:
    """Results' scenario names (reference, ``policy``) -> their names in ``lang``."""
    return {result.reference.name: reference_label(result, lang),
            result.policy.name: tr("policy", lang)}


def region_label(region: str, lang: str) -> str:
    """All Peru or the department's name, in words."""
    return tr("all_peru", lang) if region == ALL_PERU else places.department_label(region)


def policy_label(result: ComparisonResult, lang: str) -> str:
    """The policy's name for a download: the starting file, and whether levers moved."""
    levers = result.levers
    if levers is None:
        return tr("policy", lang)
    key = "policy_file_changed" if changed_from_file(levers) else "policy_file"
    return tr(key, lang, file=tr(f"scen_{levers.scenario}", lang))


def interval_kind(result: ComparisonResult) -> str:
    """``draws`` (plausible models and chance) or ``chance`` (chance alone)."""
    return "draws" if result.draws > 0 else "chance"


def context_title(result: ComparisonResult, lang: str) -> str:
    """Region, policy against reference, simulated: the first line of a downloaded chart."""
    region = region_label(result.levers.region if result.levers else ALL_PERU, lang)
    return tr("download_title", lang, region=region, policy=policy_label(result, lang),
              reference=reference_label(result, lang))


def context_note(result: ComparisonResult, lang: str, generated: str) -> str:
    """What a downloaded chart's intervals mean, how many runs and when it was made."""
    return tr("download_note", lang, interval=tr(f"interval_short_{interval_kind(result)}",
                                                   lang), n=result.pairs_done, date=generated)


def with_context(table: pd.DataFrame, result: ComparisonResult, lang: str,
                 generated: str) -> pd.DataFrame:
    """A downloaded table with its context as columns: region, interval, simulated, date."""
    return table.assign(region=result.levers.region if result.levers else ALL_PERU,
                        interval=tr(f"interval_short_{interval_kind(result)}", lang),
                        simulated=True, generated=generated)


def bands(result: ComparisonResult, outcome: str, group: str = "national") -> pd.DataFrame:
    """Median and 5th/95th percentiles over runs, per scenario and date."""
    data = result.results
    rows = data[(data["metric"] == outcome) & (data["group"] == group)]
    table = rows.groupby(["scenario", "date"])["value"].quantile([0.05, 0.5, 0.95])
    return table.unstack().rename(columns={0.05: "p5", 0.5: "median", 0.95: "p95"})


def trajectory_option(result: ComparisonResult, outcome: str, lang: str) -> dict:
    """Median line and 90% band of ``outcome`` for the reference and the policy."""
    table = bands(result, outcome)
    dates = sorted(table.index.get_level_values("date").unique())
    series = []
    labels = scenario_labels(result, lang)
    for scenario, name in labels.items():
        if scenario not in table.index.get_level_values("scenario"):
            continue
        lines = table.loc[scenario].reindex(dates)
        color = COLORS[scenario]
        stack = f"band-{scenario}"
        series += [
            {"type": "line", "data": _round(lines["p5"]), "stack": stack, "symbol": "none",
             "lineStyle": {"opacity": 0}, "silent": True, "name": f"{name} p5",
             "tooltip": {"show": False}},
            {"type": "line", "data": _round(lines["p95"] - lines["p5"]), "stack": stack,
             "symbol": "none", "lineStyle": {"opacity": 0}, "silent": True,
             "areaStyle": {"color": color, "opacity": 0.2}, "name": f"{name} {tr('band', lang)}",
             "tooltip": {"show": False}},
            {"type": "line", "data": _round(lines["median"]), "name": name, "symbol": "none",
             "lineStyle": {"color": color, "width": 2}, "itemStyle": {"color": color}},
        ]
    return {
        "animation": False,  # redrawn after every pair of runs
        "title": {"text": tr(f"{outcome}_long", lang), "left": "center",
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": list(labels.values())},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 70},
        "xAxis": {"type": "category", "data": dates, "name": tr("date", lang),
                  "nameLocation": "middle", "nameGap": 28},
        "yAxis": {"type": "value", "name": tr("prevalence", lang), "min": 0},
        "series": series,
    }


def _round(values) -> list:
    """JSON-friendly numbers (NaN becomes a gap)."""
    return [None if pd.isna(v) else round(float(v), 2) for v in values]


@lru_cache(maxsize=32)
def region_geojson(region: str) -> dict:
    """District boundaries (GPL-3, model/data/gpl3) of all Peru or one department."""
    data = load_boundaries()
    if region != "PERU":
        data = {"type": "FeatureCollection",
                "features": [f for f in data["features"]
                             if f["properties"]["department"] == region]}
    return data


@lru_cache(maxsize=32)
def region_geojson_text(region: str) -> str:
    """``region_geojson`` as JSON text, which is what the page hands to ECharts.

    ECharts parses GeoJSON given as a string. Handing the dict instead would make every
    re-render of the page walk its ~70,000 coordinate pairs (reacton looks for child
    elements inside every argument), which made a national run four times slower.
    """
    return json.dumps(region_geojson(region), separators=(",", ":"))


def equity_table(result: ComparisonResult, outcome: str) -> pd.DataFrame:
    """Reference, policy and difference by group at the end of the horizon.

    Medians (``baseline``: the reference, whichever it is; ``policy``; ``diff``, paired by
    run) with their 90% intervals (``<column>_p5``, ``<column>_p95``).
    """
    summary = result.summary
    rows = summary[(summary["outcome"] == outcome) & summary["group"].isin(
        ("national",) + EQUITY_GROUPS)]
    wide = rows.pivot_table(index="group", columns="scenario",
                            values=["median", "p5", "p95", "diff_median", "diff_p5",
                                    "diff_p95"])
    order = [g for g in ("national",) + EQUITY_GROUPS if g in wide.index]
    table = {"group": order}
    for column, scenario in (("baseline", result.reference.name), ("policy", "policy")):
        for stat, suffix in (("median", ""), ("p5", "_p5"), ("p95", "_p95")):
            table[column + suffix] = wide[(stat, scenario)].reindex(order).to_numpy()
    for stat in ("median", "p5", "p95"):
        name = "diff" if stat == "median" else f"diff_{stat}"
        table[name] = wide[(f"diff_{stat}", "policy")].reindex(order).to_numpy()
    return pd.DataFrame(table)


BAR_WIDTH = 0.3  # of a category's width: the equity chart's two bars side by side


def equity_option(result: ComparisonResult, outcome: str, lang: str) -> dict:
    """Grouped bars: the outcome with and without the policy, by area, region and quintile.

    Each bar is a median with its 90% interval as an error bar. ECharts has no error bars
    (a ``custom`` series needs a JavaScript function, which the page's JSON options cannot
    carry): they are line segments on a hidden value axis laid over the categories, where
    category i spans i - 0.5 to i + 0.5 and the two bars are centred at i -/+ BAR_WIDTH / 2.
    Hovering a bar gives its median and interval.
    """
    table = equity_table(result, outcome)
    labels = [group_label(g, lang) for g in table["group"]]
    names = scenario_labels(result, lang)
    series = []
    whiskers = []
    for side, (column, scenario) in zip((-1, 1), (("baseline", result.reference.name),
                                                  ("policy", "policy"))):
        color, name = COLORS[scenario], names[scenario]
        data, segments = [], []
        for i, (label, mid, low, high) in enumerate(zip(
                labels, table[column], table[f"{column}_p5"], table[f"{column}_p95"])):
            if pd.isna(mid):
                data.append(None)
                continue
            data.append({"value": round(float(mid), 2), "tooltip": {"formatter": (
                f"{label}<br/>{name}: {number(mid, lang)}% ({tr('band', lang)}: "
                f"{number(low, lang)} – {number(high, lang)})")}})
            x = i + side * BAR_WIDTH / 2
            cap = BAR_WIDTH / 6
            segments += [[x, round(float(low), 2)], [x, round(float(high), 2)], "-",
                         [x - cap, round(float(low), 2)], [x + cap, round(float(low), 2)],
                         "-", [x - cap, round(float(high), 2)],
                         [x + cap, round(float(high), 2)], "-"]
        series.append({"type": "bar", "name": name, "data": data,
                       "barWidth": f"{100 * BAR_WIDTH:g}%", "barGap": "0%",
                       "itemStyle": {"color": color}})
        whiskers.append({"type": "line", "name": f"{name} {tr('band', lang)}",
                         "xAxisIndex": 1, "data": segments, "symbol": "none",
                         "silent": True, "connectNulls": False, "z": 3,
                         "lineStyle": {"color": "#222222", "width": 1.2},
                         "itemStyle": {"color": "#222222"}, "tooltip": {"show": False}})
    return {
        "animation": False,
        "title": {"text": tr(f"{outcome}_long", lang), "left": "center",
                  "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "data": [names[result.reference.name], names["policy"]]},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 100},
        "xAxis": [{"type": "category", "data": labels, "axisLabel": {"rotate": 30}},
                  {"type": "value", "min": -0.5, "max": len(labels) - 0.5, "show": False}],
        # onZero would draw the y axis at 0 of the hidden axis: the first group's centre
        "yAxis": {"type": "value", "name": tr("prevalence", lang), "min": 0,
                  "axisLine": {"onZero": False}},
        "series": series + whiskers,
    }


def headline(result: ComparisonResult) -> dict:
    """National end-of-horizon figures per outcome: level, difference, cases averted, costs."""
    summary = result.summary
    out = {}
    for outcome in OUTCOMES:
        rows = summary[(summary["outcome"] == outcome) & (summary["group"] == "national")
                       & (summary["scenario"] == "policy")]
        if rows.empty:
            continue
        out[outcome] = rows.iloc[0].to_dict()
    return out


# --- Peru today: the status quo's levels and the history against the surveys ---------------

def history_option(today: TodayResult, outcome: str, lang: str) -> dict:
    """The model's monthly ``outcome`` over 2000-2019 with the ENDES figures.

    Each figure has its 90% sampling interval (1.645 standard errors; none where the
    survey's n is unknown) and a tooltip with the model's value in July of that year.
    """
    dates = list(today.trajectory["date"])
    points = today.survey[today.survey["indicator"] == outcome]
    survey, whiskers = [], []
    for row in points.itertuples():
        date = f"{int(row.year)}-07"
        if date not in dates:
            continue
        text = tr("survey_point", lang, year=int(row.year), value=row.value_percent,
                  model=row.model)
        if not np.isnan(row.se):
            low, high = row.value_percent - 1.645 * row.se, row.value_percent + 1.645 * row.se
            text += "<br/>" + tr("survey_interval", lang, low=low, high=high)
            whiskers += [[date, round(low, 2)], [date, round(high, 2)], "-"]
        survey.append({"value": [date, round(float(row.value_percent), 2)],
                       "tooltip": {"formatter": text}})
    return {
        "animation": False,
        "title": {"text": tr(f"{outcome}_long", lang), "left": "center",
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 70},
        "xAxis": {"type": "category", "data": dates, "name": tr("date", lang),
                  "nameLocation": "middle", "nameGap": 28,
                  "axisLabel": {"interval": 47}},  # every fourth January from 2000-01
        "yAxis": {"type": "value", "name": tr("prevalence", lang), "min": 0},
        "series": [
            {"type": "line", "name": tr("model_history", lang), "symbol": "none",
             "data": _round(today.trajectory[outcome]),
             "lineStyle": {"color": COLORS["baseline"], "width": 2},
             "itemStyle": {"color": COLORS["baseline"]},
             "tooltip": {"show": False}},
            {"type": "line", "name": tr("survey_interval_name", lang), "data": whiskers,
             "symbol": "none", "silent": True, "connectNulls": False,
             "lineStyle": {"color": SURVEY_COLOR, "width": 1.5},
             "itemStyle": {"color": SURVEY_COLOR}, "tooltip": {"show": False}},
            {"type": "scatter", "name": tr("survey", lang), "data": survey,
             "symbolSize": 8, "itemStyle": {"color": SURVEY_COLOR}},
        ],
    }
