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

from model import places
from model.analysis.comparison import OUTCOMES
from model.geography import load_boundaries, load_district_table
from viz.i18n import number, tr
from viz.levers import ALL_PERU, changed_from_file
from viz.runner import MAP_METRICS, ComparisonResult
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


def by_area(cube: np.ndarray, ubigeos: list[str], level: str) -> np.ndarray:
    """District prevalences as those of their province or department, one row per district.

    ``cube`` is ``[..., district, CUBE_METRICS]`` (the map metrics, then their denominators).
    Returns the map metrics ``[..., district, MAP_METRICS]``: at ``level="district"`` the
    district's own, else the area's (the districts' prevalences added up with their children
    as weights: a district has few simulated children at coarse scales, an area many).
    """
    prevalence = cube[..., :len(MAP_METRICS)]
    if level == "district":
        return prevalence
    weights = np.nan_to_num(cube[..., len(MAP_METRICS):])
    weights = np.where(np.isnan(prevalence), 0.0, weights)
    weighted = _area_sum(np.nan_to_num(prevalence) * weights, ubigeos, level)
    with np.errstate(all="ignore"):
        return weighted / _area_sum(weights, ubigeos, level)


def _area_sum(values: np.ndarray, ubigeos: list[str], level: str) -> np.ndarray:
    """Sums of ``values`` ``[..., district, m]`` by province or department, per district.

    Each district gets its area's sum (one row per district, as the map draws them).
    """
    if level not in ("province", "department"):
        raise ValueError(f"map level {level!r}: allowed district, province, department")
    names = load_district_table().set_index("ubigeo").loc[ubigeos]
    key = names["department"] + ("/" + names["province"] if level == "province" else "")
    areas, index = np.unique(key, return_inverse=True)
    one_hot = np.zeros((len(ubigeos), len(areas)))
    one_hot[np.arange(len(ubigeos)), index] = 1.0
    return np.einsum("...dm,dp->...pm", values, one_hot)[..., index, :]


def area_names(ubigeos: list[str], level: str) -> list[str]:
    """What the map's tooltip calls each district's area at ``level``, as INEI writes it."""
    names = load_district_table().set_index("ubigeo").loc[ubigeos]
    departments = [places.department_label(d) for d in names["department"]]
    if level == "department":
        return departments
    provinces = [places.province_label(d, p) for d, p in zip(names["department"],
                                                             names["province"])]
    if level == "province":
        return [f"{p} ({d})" for p, d in zip(provinces, departments)]
    return [f"{n} ({p}, {d})" for n, p, d in zip(places.district_labels(ubigeos), provinces,
                                                 departments)]


def map_values(result: ComparisonResult, date: str, level: str = "district") -> pd.DataFrame:
    """Per district: reference and policy medians of both map metrics, and the change.

    Columns ``<metric>_baseline`` (the reference, whichever it is) and ``<metric>_policy``
    (levels, %) and ``<metric>_change`` (policy minus reference, paired by run, percentage
    points), medians over runs. With ``level="province"`` every district
    carries its province's values (``by_area``).
    """
    t = result.dates.index(date)
    cube = result.district_values[:, :, t]  # scenario, pair of runs, district, metric
    prevalence = by_area(cube, result.ubigeos, level)
    simulated = area_children(cube, result.ubigeos, level) / result.policy.scale
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: no simulated children
        medians = np.nanmedian(prevalence, axis=1)
        change = np.nanmedian(prevalence[1] - prevalence[0], axis=0)
        low, high = np.nanpercentile(prevalence[1] - prevalence[0], [5, 95], axis=0)
        children = np.nanmedian(simulated[1], axis=0)
    table = pd.DataFrame({"ubigeo": result.ubigeos})
    for m, metric in enumerate(MAP_METRICS):
        table[f"{metric}_baseline"] = medians[0, :, m]
        table[f"{metric}_policy"] = medians[1, :, m]
        table[f"{metric}_change"] = change[:, m]
        table[f"{metric}_change_p5"] = low[:, m]
        table[f"{metric}_change_p95"] = high[:, m]
        table[f"{metric}_simulated"] = np.round(children[:, m])
    table["name"] = area_names(result.ubigeos, level)
    return table


# ASSUMPTION (display): below this many simulated children a prevalence's sampling error
# exceeds about 9 points (binomial, p = 0.5), so the hover says the number is rough.
FEW_CHILDREN = 30


def area_children(cube: np.ndarray, ubigeos: list[str], level: str) -> np.ndarray:
    """Real children behind each map metric, for each district's area at ``level``.

    ``cube`` is ``[..., district, CUBE_METRICS]``; returns ``[..., district, MAP_METRICS]``:
    the denominators (children 0-59 months, 6-35 months) summed over the district's
    province or department (its own at ``level="district"``).
    """
    weights = np.nan_to_num(cube[..., len(MAP_METRICS):])
    return weights if level == "district" else _area_sum(weights, ubigeos, level)


def map_option(result: ComparisonResult, date: str, metric: str, show: str,
               lang: str, level: str = "district") -> dict:
    """Districts coloured by ``metric`` (level or change), with a name-and-values tooltip.

    ``level="province"`` colours each district with its province's value.
    """
    table = map_values(result, date, level)
    column = f"{metric}_{show}"
    caption = {"change": tr("map_change", lang), "policy": tr("map_level_policy", lang),
               "baseline": tr("map_level_reference", lang,
                              reference=reference_label(result, lang).lower())}[show]
    data = []
    for row in table.itertuples(index=False):
        row = row._asdict()
        lines = [f"<b>{row['name']}</b>"]
        for m in MAP_METRICS:
            base, pol, chg = row[f"{m}_baseline"], row[f"{m}_policy"], row[f"{m}_change"]
            if np.isnan(base):
                lines.append(f"{tr(m, lang)}: {tr('map_no_children', lang)}")
                continue
            n = int(row[f"{m}_simulated"])
            lines.append(
                f"{tr(m, lang)}: {number(base, lang)}% → {number(pol, lang)}% "
                f"({number(chg, lang, 1, sign=True)} {tr('pp', lang)}; {tr('band', lang)} "
                f"{number(row[f'{m}_change_p5'], lang, 1, sign=True)} – "
                f"{number(row[f'{m}_change_p95'], lang, 1, sign=True)})<br/>"
                f"&nbsp;&nbsp;{tr('map_simulated', lang, n=number(n, lang, 0))}"
                + (f" <b>{tr('map_few', lang)}</b>" if n < FEW_CHILDREN else ""))
        value = row[column]
        data.append({"name": row["ubigeo"], "value": None if np.isnan(value) else
                     round(float(value), 2), "tooltip": {"formatter": "<br/>".join(lines)}})
    values = table[column].dropna()
    if show == "change":
        # the 95th percentile: a district with three simulated children can swing by 100 pp
        reach = float(max(1.0, np.ceil(values.abs().quantile(0.95)))) if len(values) else 1.0
        visual = {"min": -reach, "max": reach,
                  "inRange": {"color": ["#1a9850", "#f7f7f7", "#d73027"]}}
    else:
        visual = _prevalence_scale(values)
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


def _prevalence_scale(values: pd.Series) -> dict:
    """The map's colour scale for levels: 0 to the 95th percentile rounded up to 10."""
    top = (float(max(10.0, np.ceil(values.quantile(0.95) / 10) * 10)) if len(values)
           else 100.0)
    return {"min": 0, "max": top, "inRange": {"color": ["#fff5eb", "#fd8d3c", "#7f2704"]}}


def map_name(region: str) -> str:
    """The name the region's boundaries are registered under in ECharts."""
    return f"peru-{region.lower()}"


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

def today_level(today: TodayResult, level: str = "") -> str:
    """The today map's level: departments for all Peru; the user's choice else (districts)."""
    if today.region == "PERU":
        return "department"
    return level if level in ("district", "province") else "district"


def today_map_values(today: TodayResult, level: str = "") -> pd.DataFrame:
    """Per district of the region: stunting and anemia (%) at the end of the history.

    All Peru colours each district with its department's value (the run records
    departments); a department's run has its districts, shown by district or province.
    """
    level = today_level(today, level)
    table = pd.DataFrame({"ubigeo": today.ubigeos})
    if level == "department":
        names = load_district_table().set_index("ubigeo").loc[today.ubigeos]
        values = today.departments.set_index("department").reindex(names["department"])
        for metric in MAP_METRICS:
            table[metric] = values[metric].to_numpy()
    else:
        prevalence = by_area(today.district_values, today.ubigeos, level)
        for m, metric in enumerate(MAP_METRICS):
            table[metric] = prevalence[:, m]
    table["name"] = area_names(today.ubigeos, level)
    return table


def today_map_option(today: TodayResult, metric: str, lang: str, level: str = "") -> dict:
    """The region's districts coloured by the status quo's ``metric`` (one run, fast)."""
    table = today_map_values(today, level)
    data = []
    for row in table.itertuples(index=False):
        row = row._asdict()
        lines = [f"<b>{row['name']}</b>"] + [
            f"{tr(m, lang)}: " + (tr("map_no_children", lang) if np.isnan(row[m])
                                  else f"{number(row[m], lang)}%") for m in MAP_METRICS]
        value = row[metric]
        data.append({"name": row["ubigeo"], "value": None if np.isnan(value) else
                     round(float(value), 2), "tooltip": {"formatter": "<br/>".join(lines)}})
    visual = _prevalence_scale(table[metric].dropna())
    return {
        "animation": False,
        "title": {"text": f"{tr(metric + '_long', lang)}: {tr('today_caption', lang)}",
                  "left": "center", "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item"},
        "visualMap": {**visual, "left": 10, "bottom": 10, "calculable": True,
                      "text": [f"{visual['max']:g}", f"{visual['min']:g}"]},
        "series": [{"type": "map", "map": map_name(today.region), "roam": True,
                    "nameProperty": "ubigeo", "data": data,
                    "emphasis": {"label": {"show": False}},
                    "itemStyle": {"borderColor": "#999", "borderWidth": 0.2,
                                  "areaColor": "#e0e0e0"}}],
    }


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
