"""ECharts options for the dashboard, built from a ComparisonResult (plain dicts, no Solara).

ECharts ships with Solara (``solara.FigureEcharts``) and, through ``solara-assets``, is served
from this machine: the charts need no internet. Every label goes through ``viz.i18n``.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from model.comparison import OUTCOMES
from model.geography import load_boundaries, load_district_table
from viz.i18n import tr
from viz.runner import MAP_METRICS, ComparisonResult

COLORS = {"baseline": "#7f7f7f", "policy": "#1f77b4"}
EQUITY_GROUPS = ("urban", "rural", "natural_region:Costa", "natural_region:Sierra",
                 "natural_region:Selva", *(f"quintile:{q}" for q in range(1, 6)))


def group_label(group: str, lang: str) -> str:
    """A results group (``urban``, ``natural_region:Sierra``, ``quintile:1``) in words."""
    if group.startswith("quintile:"):
        return tr("quintile", lang, q=group.split(":")[1])
    return tr(group.split(":")[-1], lang)


def bands(result: ComparisonResult, outcome: str, group: str = "national") -> pd.DataFrame:
    """Median and 5th/95th percentiles over replicates, per scenario and date."""
    data = result.results
    rows = data[(data["metric"] == outcome) & (data["group"] == group)]
    table = rows.groupby(["scenario", "date"])["value"].quantile([0.05, 0.5, 0.95])
    return table.unstack().rename(columns={0.05: "p5", 0.5: "median", 0.95: "p95"})


def trajectory_option(result: ComparisonResult, outcome: str, lang: str) -> dict:
    """Median line and 90% band of ``outcome`` for the reference and the policy."""
    table = bands(result, outcome)
    dates = sorted(table.index.get_level_values("date").unique())
    series = []
    for scenario in ("baseline", "policy"):
        if scenario not in table.index.get_level_values("scenario"):
            continue
        lines = table.loc[scenario].reindex(dates)
        name, color = tr(scenario, lang), COLORS[scenario]
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
        "animation": False,  # redrawn after every replicate pair
        "title": {"text": tr(f"{outcome}_long", lang), "left": "center",
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": [tr(s, lang) for s in ("baseline", "policy")]},
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


def map_values(result: ComparisonResult, date: str, level: str = "district") -> pd.DataFrame:
    """Per district: reference and policy medians of both map metrics, and the change.

    Columns ``<metric>_baseline`` and ``<metric>_policy`` (levels, %) and
    ``<metric>_change`` (policy minus reference, paired by replicate, percentage points),
    medians over replicates. With ``level="province"`` every district carries its
    province's values: the districts' prevalences added up with their children as weights
    (a district has few simulated children at coarse scales; a province has many).
    """
    t = result.dates.index(date)
    cube = result.district_values[:, :, t]  # scenario, replicate, district, metric
    names = load_district_table().set_index("ubigeo").loc[result.ubigeos]
    prevalence = cube[..., :len(MAP_METRICS)]
    if level == "province":
        weights = np.nan_to_num(cube[..., len(MAP_METRICS):])
        weights = np.where(np.isnan(prevalence), 0.0, weights)
        provinces, index = np.unique(names["department"] + "/" + names["province"],
                                     return_inverse=True)
        one_hot = np.zeros((len(result.ubigeos), len(provinces)))
        one_hot[np.arange(len(result.ubigeos)), index] = 1.0
        weighted = np.einsum("srdm,dp->srpm", np.nan_to_num(prevalence) * weights, one_hot)
        total = np.einsum("srdm,dp->srpm", weights, one_hot)
        with np.errstate(all="ignore"):
            prevalence = (weighted / total)[:, :, index]  # back to one row per district
    elif level != "district":
        raise ValueError(f"map level {level!r}: allowed district, province")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: no simulated children
        medians = np.nanmedian(prevalence, axis=1)
        change = np.nanmedian(prevalence[1] - prevalence[0], axis=0)
    table = pd.DataFrame({"ubigeo": result.ubigeos})
    for m, metric in enumerate(MAP_METRICS):
        table[f"{metric}_baseline"] = medians[0, :, m]
        table[f"{metric}_policy"] = medians[1, :, m]
        table[f"{metric}_change"] = change[:, m]
    if level == "province":
        table["name"] = [f"{p} ({d})" for p, d in zip(names["province"], names["department"])]
    else:
        table["name"] = [f"{n} ({p}, {d})" for n, p, d in zip(
            names["district"], names["province"], names["department"])]
    return table


def map_option(result: ComparisonResult, date: str, metric: str, show: str,
               lang: str, level: str = "district") -> dict:
    """Districts coloured by ``metric`` (level or change), with a name-and-values tooltip.

    ``level="province"`` colours each district with its province's value.
    """
    table = map_values(result, date, level)
    column = f"{metric}_{show}"
    data = []
    for row in table.itertuples(index=False):
        row = row._asdict()
        lines = [f"<b>{row['name']}</b>"]
        for m in MAP_METRICS:
            base, pol, chg = row[f"{m}_baseline"], row[f"{m}_policy"], row[f"{m}_change"]
            if np.isnan(base):
                lines.append(f"{tr(m, lang)}: {tr('map_no_children', lang)}")
            else:
                lines.append(f"{tr(m, lang)}: {base:.1f}% → {pol:.1f}% ({chg:+.1f} pp)")
        value = row[column]
        data.append({"name": row["ubigeo"], "value": None if np.isnan(value) else
                     round(float(value), 2), "tooltip": {"formatter": "<br/>".join(lines)}})
    values = table[column].dropna()
    if show == "change":
        # the 95th percentile: a district with three simulated children can swing by 100 pp
        reach = float(max(1.0, np.ceil(values.abs().quantile(0.95)))) if len(values) else 1.0
        visual = {"min": -reach, "max": reach,
                  "inRange": {"color": ["#1a9850", "#f7f7f7", "#d73027"]}}
        caption = tr("map_change", lang)
    else:
        top = (float(max(10.0, np.ceil(values.quantile(0.95) / 10) * 10)) if len(values)
               else 100.0)
        visual = {"min": 0, "max": top,
                  "inRange": {"color": ["#fff5eb", "#fd8d3c", "#7f2704"]}}
        caption = tr("prevalence", lang)
    return {
        "animation": False,
        "title": {"text": f"{tr(metric + '_long', lang)}: {caption}, {date}", "left": "center",
                  "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item"},
        "visualMap": {**visual, "left": 10, "bottom": 10, "calculable": True,
                      "text": [f"{visual['max']:g}", f"{visual['min']:g}"]},
        "series": [{"type": "map", "map": map_name(result.levers.region), "roam": True,
                    "nameProperty": "ubigeo", "data": data,
                    "emphasis": {"label": {"show": False}},
                    "itemStyle": {"borderColor": "#999", "borderWidth": 0.2,
                                  "areaColor": "#e0e0e0"}}],
    }


def map_name(region: str) -> str:
    """The name the region's boundaries are registered under in ECharts."""
    return f"peru-{region.lower()}"


def equity_table(result: ComparisonResult, outcome: str) -> pd.DataFrame:
    """Reference, policy and difference (with interval) by group at the end of the horizon."""
    summary = result.summary
    rows = summary[(summary["outcome"] == outcome) & summary["group"].isin(
        ("national",) + EQUITY_GROUPS)]
    wide = rows.pivot_table(index="group", columns="scenario",
                            values=["median", "diff_median", "diff_p5", "diff_p95"])
    order = [g for g in ("national",) + EQUITY_GROUPS if g in wide.index]
    return pd.DataFrame({
        "group": order,
        "baseline": wide[("median", "baseline")].reindex(order).to_numpy(),
        "policy": wide[("median", "policy")].reindex(order).to_numpy(),
        "diff": wide[("diff_median", "policy")].reindex(order).to_numpy(),
        "diff_p5": wide[("diff_p5", "policy")].reindex(order).to_numpy(),
        "diff_p95": wide[("diff_p95", "policy")].reindex(order).to_numpy(),
    })


def equity_option(result: ComparisonResult, outcome: str, lang: str) -> dict:
    """Grouped bars: the outcome with and without the policy, by area, region and quintile."""
    table = equity_table(result, outcome)
    labels = [group_label(g, lang) for g in table["group"]]
    series = []
    for scenario in ("baseline", "policy"):
        series.append({"type": "bar", "name": tr(scenario, lang), "data": _round(table[scenario]),
                       "itemStyle": {"color": COLORS[scenario]}})
    return {
        "animation": False,
        "title": {"text": tr(f"{outcome}_long", lang), "left": "center",
                  "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 100},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 30}},
        "yAxis": {"type": "value", "name": tr("prevalence", lang), "min": 0},
        "series": series,
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
