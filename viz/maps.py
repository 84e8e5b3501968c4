"""ECharts options of the district maps: a comparison's change or levels, and Peru today.

Districts are drawn from the boundaries of ``model/data/gpl3`` (``figures.region_geojson``);
at the province or department level each district is coloured with its area's value
(``by_area``: prevalences added up with their children as weights). Every label goes through
``viz.i18n``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from model import places
from model.geography import load_district_table
from viz.figures import reference_label
from viz.i18n import number, tr
from viz.runner import MAP_METRICS, ComparisonResult
from viz.today import TodayResult


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
        data.append(_map_item(row["ubigeo"], row[column], lines))
    values = table[column].dropna()
    if show == "change":
        # the 95th percentile: a district with three simulated children can swing by 100 pp
        reach = float(max(1.0, np.ceil(values.abs().quantile(0.95)))) if len(values) else 1.0
        visual = {"min": -reach, "max": reach,
                  "inRange": {"color": ["#1a9850", "#f7f7f7", "#d73027"]}}
    else:
        visual = _prevalence_scale(values)
    return _map_chart(f"{tr(metric + '_long', lang)}: {caption}, {date}", visual,
                      result.levers.region, data)


def _map_chart(title: str, visual: dict, region: str, data: list[dict]) -> dict:
    """The ECharts option of a district map: title, colour scale and the districts' items."""
    return {
        "animation": False,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item"},
        "visualMap": {**visual, "left": 10, "bottom": 10, "calculable": True,
                      "text": [f"{visual['max']:g}", f"{visual['min']:g}"]},
        "series": [{"type": "map", "map": map_name(region), "roam": True,
                    "nameProperty": "ubigeo", "data": data,
                    "emphasis": {"label": {"show": False}},
                    "itemStyle": {"borderColor": "#999", "borderWidth": 0.2,
                                  "areaColor": "#e0e0e0"}}],
    }


def _map_item(ubigeo: str, value: float, lines: list[str]) -> dict:
    """One district on the map: its value (None: no children, grey) and hover lines."""
    return {"name": ubigeo, "value": None if np.isnan(value) else round(float(value), 2),
            "tooltip": {"formatter": "<br/>".join(lines)}}


def _prevalence_scale(values: pd.Series) -> dict:
    """The map's colour scale for levels: 0 to the 95th percentile rounded up to 10."""
    top = (float(max(10.0, np.ceil(values.quantile(0.95) / 10) * 10)) if len(values)
           else 100.0)
    return {"min": 0, "max": top, "inRange": {"color": ["#fff5eb", "#fd8d3c", "#7f2704"]}}


def map_name(region: str) -> str:
    """The name the region's boundaries are registered under in ECharts."""
    return f"peru-{region.lower()}"



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
        data.append(_map_item(row["ubigeo"], row[metric], lines))
    visual = _prevalence_scale(table[metric].dropna())
    return _map_chart(f"{tr(metric + '_long', lang)}: {tr('today_caption', lang)}", visual,
                      today.region, data)
