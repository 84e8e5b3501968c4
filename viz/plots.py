"""Static charts drawn from the tidy results table only."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from model import places  # noqa: E402

AREA_STYLES = {"national": ("black", "-", "National"), "urban": ("tab:blue", "--", "Urban"),
               "rural": ("tab:green", "--", "Rural")}
OUTCOMES = {"stunting": "Stunting, children 0-59 months (%)",
            "anemia": "Anemia, children 6-35 months (%)"}


def plot_trajectories(results: pd.DataFrame, path: str | Path, title: str = "",
                      total_label: str = "National") -> Path:
    """Stunting and anemia over time, national and by area; saved as a PNG at ``path``.

    ``total_label`` names the ``national`` group in the legend (e.g. the department of a
    restricted run, where ``national`` means every district in the run).
    """
    data = results[results["metric"].isin(OUTCOMES) & results["group"].isin(AREA_STYLES)].copy()
    data["when"] = pd.to_datetime(data["date"], format="%Y-%m")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
    for ax, (metric, label) in zip(axes, OUTCOMES.items()):
        for group, (color, style, name) in AREA_STYLES.items():
            line = data[(data["metric"] == metric) & (data["group"] == group)]
            if not line.empty:
                legend = total_label if group == "national" else name
                ax.plot(line["when"], line["value"], color=color, linestyle=style, label=legend,
                        linewidth=2 if group == "national" else 1.5)
        ax.set_title(label, fontsize=11)
    return _save_panels(fig, axes, "Prevalence (%)", title, path)


def plot_comparison(results: pd.DataFrame, path: str | Path, title: str = "",
                    titles: dict[str, str] | None = None, names: dict[str, str] | None = None,
                    colors: dict[str, str] | None = None,
                    ylabel: str = "Prevalence (%), median and 90% interval",
                    xlabel: str = "Date", note: str = "") -> Path:
    """National stunting and anemia per scenario: median over replicates with a 90% band.

    ``titles`` (outcome -> panel title), ``names`` (scenario -> legend name), ``colors``
    (scenario -> colour), ``ylabel`` and ``xlabel`` default to English and matplotlib's
    colour cycle; the dashboard passes its language and its colours. ``note`` is printed
    small under the panels (the dashboard's context: what the interval means, the date).
    """
    titles = titles or OUTCOMES
    data = results[results["metric"].isin(titles) & (results["group"] == "national")]
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, axes = plt.subplots(1, len(titles), figsize=(11, 4.2), sharex=True)
    for ax, (metric, label) in zip(axes, titles.items()):
        for i, scenario in enumerate(dict.fromkeys(data["scenario"])):
            band = _median_band(data[(data["metric"] == metric)
                                     & (data["scenario"] == scenario)])
            color = (colors or {}).get(scenario, cycle[i % len(cycle)])
            ax.fill_between(band.index, band[0.05], band[0.95], color=color, alpha=0.2,
                            linewidth=0)
            ax.plot(band.index, band[0.5], color=color, linewidth=2,
                    label=(names or {}).get(scenario, scenario))
        ax.set_title(label, fontsize=11)
    return _save_panels(fig, axes, ylabel, title, path, xlabel, note)


def point_label(point: dict) -> str:
    """A sweep point as short text: the last part of each path and its value, one per line."""
    parts = []
    for key, value in point.items():
        name = str(key).split(".")[-1]
        shown = f"{value:,.3g}" if isinstance(value, float) else (
            f"{value:,}" if isinstance(value, int) else str(value))
        parts.append(f"{name[:22]}={shown[:12]}")
    return "\n".join(parts) or "(base)"


def plot_sweep(summary: pd.DataFrame, points: list[dict], path: str | Path, title: str = "",
               note: str = "") -> Path:
    """Each sweep point's national stunting and anemia at the end: median and 90% interval.

    The reference (the base scenario with the sweep's fixed changes, ``reference`` row of
    ``summary``, if it ran) is a dashed line with its 90% band, so a point better than the
    reference sits below the line.
    """
    swept = summary[~summary.get("reference", pd.Series(False, index=summary.index))
                    .astype(bool)]
    reference = summary[summary.get("reference", pd.Series(False, index=summary.index))
                        .astype(bool)]
    labels = [point_label(points[int(p)]) for p in swept["point"]]
    x = np.arange(len(swept))
    fig, axes = plt.subplots(1, 2, figsize=(max(9.0, 0.55 * len(x) + 4), 4.6))
    for ax, (outcome, label) in zip(axes, OUTCOMES.items()):
        if f"{outcome}_median" not in swept:
            ax.set_visible(False)
            continue
        median = swept[f"{outcome}_median"].to_numpy()
        low, high = swept[f"{outcome}_p5"].to_numpy(), swept[f"{outcome}_p95"].to_numpy()
        ax.errorbar(x, median, yerr=[median - low, high - median], fmt="o", color="tab:blue",
                    ecolor="tab:blue", capsize=3, label="sweep point: median, 90% interval")
        if not reference.empty:
            row = reference.iloc[0]
            ax.axhline(row[f"{outcome}_median"], color="black", linestyle="--", linewidth=1.2,
                       label="reference (base scenario): median")
            ax.axhspan(row[f"{outcome}_p5"], row[f"{outcome}_p95"], color="black", alpha=0.08,
                       linewidth=0, label="reference: 90% interval")
        ax.set_xticks(x)
        ax.set_xticklabels(labels, fontsize=7, rotation=90 if len(x) > 6 else 0)
        ax.set_title(label, fontsize=11)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("Prevalence (%) at the end of the run")
    axes[0].legend(loc="best", fontsize=8, frameon=True, framealpha=0.9)
    return _save(fig, title, path, dates=False, note=note)


def _save_panels(fig, axes, ylabel: str, title: str, path: str | Path,
                 xlabel: str = "Date", note: str = "") -> Path:
    """Shared finish of the outcome panels: axes, legend, title, PNG at ``path``."""
    for ax in axes:
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel(ylabel)
    axes[0].legend(loc="best", frameon=True, framealpha=0.9)
    return _save(fig, title, path, note=note)


def _save(fig, title: str, path: str | Path, dpi: int = 120,
          rect: tuple[float, float, float, float] | None = None, dates: bool = True,
          note: str = "") -> Path:
    """Title, date labels, tight layout; write the PNG at ``path`` and close the figure.

    ``rect`` is the part of the figure the panels may fill (room for a figure legend);
    ``dates=False`` leaves the x tick labels as the caller set them (no slanting); ``note``
    (lines split by newlines) is printed small at the bottom, under the panels.
    """
    fig.suptitle(title, fontsize=12)
    if note:
        fig.text(0.5, 0.01, note, ha="center", va="bottom", fontsize=8.5, color="#444444")
        room = (0.12 + 0.16 * (note.count("\n") + 1)) / fig.get_figheight()
        left, bottom, right, top = rect or (0, 0, 1, 1)
        rect = (left, max(bottom, room), right, top)
    if dates:
        fig.autofmt_xdate()
    fig.tight_layout(rect=rect)
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def _median_band(lines: pd.DataFrame) -> pd.DataFrame:
    """Per date: the 5th, 50th and 95th percentile of ``value`` over runs."""
    when = pd.to_datetime(lines["date"], format="%Y-%m")
    return lines.groupby(when)["value"].quantile([0.05, 0.5, 0.95]).unstack()


def _year_axis(ax, step: int = 4) -> None:
    """Ticks every ``step`` years on a date axis, labelled with the year only."""
    ax.xaxis.set_major_locator(mdates.YearLocator(step))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def _survey_dates(years: pd.Series) -> pd.Series:
    """Survey years as July dates (a survey year is compared with the model's July)."""
    return pd.to_datetime(years.astype(int).astype(str) + "-07", format="%Y-%m")


def _survey_points(ax, points: pd.DataFrame, color: str, label: str | None = None,
                   marker: str = "o") -> None:
    """Survey values as markers, with ±1.96 survey_se error bars where the SE is known."""
    se = points["survey_se"] if "survey_se" in points else pd.Series(np.nan, index=points.index)
    ax.errorbar(_survey_dates(points["year"]), points["value_percent"],
                yerr=(1.96 * se.astype(float)).fillna(0).to_numpy(), fmt=marker,
                color=color, markeredgecolor="black", markeredgewidth=0.6, markersize=5,
                ecolor=color, elinewidth=1, capsize=2, zorder=3, label=label)


METRIC_TITLES = {"stunting": "Stunting, 0-59 m", "severe_stunting": "Severe stunting, 0-59 m",
                 "anemia": "Anemia, 6-35 m", "anemia_6_59m": "Anemia, 6-59 m"}
SUMMARY_LEVELS = ("national", "area", "band")


def _summary_level(table: pd.DataFrame) -> pd.Series:
    """Each target's level (the table's ``level`` column, or guessed from model_group)."""
    if "level" in table:
        return table["level"]
    group = table["model_group"].fillna("")
    return np.where(group == "national", "national", np.where(
        group.isin(["urban", "rural"]), "area",
        np.where(group.str.startswith("age:"), "band", "other")))


def plot_validation(results: pd.DataFrame, table: pd.DataFrame, path: str | Path,
                    title: str = "") -> Path:
    """Model bands (median and 90% interval over runs) against the national survey points.

    One panel per metric with the national, urban and rural series drawn together, and one
    per metric with national age bands, if the targets have any. Department figures are left
    out (``plot_department_multiples`` and ``plot_department_error_map`` show them). Survey
    points carry ±1.96 standard-error bars where ``survey_se`` is known.
    """
    table = table[pd.Series(_summary_level(table), index=table.index).isin(SUMMARY_LEVELS)]
    table = table.dropna(subset=["metric"])
    panels: dict[tuple[str, bool], pd.DataFrame] = {}
    for (metric, bands), part in table.groupby(
            [table["metric"], table["model_group"].str.startswith("age:")], sort=False):
        panels[(metric, bool(bands))] = part
    order = list(METRIC_TITLES)
    keys = sorted(panels, key=lambda k: (k[1], order.index(k[0]) if k[0] in order else 99))
    count = max(1, len(keys))
    ncols = min(3, count)
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.7 * nrows), squeeze=False)
    for ax in axes.flat[len(keys):]:
        ax.set_visible(False)
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, key in zip(axes.flat, keys):
        metric, bands = key
        points = panels[key]
        for i, group in enumerate(dict.fromkeys(points["model_group"])):
            if bands:
                color, style, name = cycle[i % len(cycle)], "-", group.split(":", 1)[1]
            else:
                color, style, name = AREA_STYLES.get(group, (cycle[i % len(cycle)], "-", group))
            series = results[(results["metric"] == metric) & (results["group"] == group)]
            if not series.empty:
                band = _median_band(series)
                ax.fill_between(band.index, band[0.05], band[0.95], color=color, alpha=0.18,
                                linewidth=0)
                ax.plot(band.index, band[0.5], color=color, linestyle=style, linewidth=1.8,
                        label=name)
            _survey_points(ax, points[points["model_group"] == group], color)
        label = METRIC_TITLES.get(metric, metric)
        if bands:
            label = f"{label.split(',')[0]} by age band, national"
        ax.set_title(label, fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        _year_axis(ax)
        ax.legend(loc="lower left", frameon=False, fontsize=8)
    for row in axes:
        row[0].set_ylabel("Prevalence (%)")
    fig.text(0.5, 0.005, "Lines and bands: model median and 90% interval over runs. "
             "Points: surveys, with ±1.96 SE bars where n is known.", ha="center",
             fontsize=8, color="#444444")
    return _save(fig, title, path, dpi=110, rect=(0, 0.03, 1, 1), dates=False)


def _district_polygons(geojson: dict) -> tuple[list[np.ndarray], list[str]]:
    """Outer rings of every district part, and the ubigeo of each ring."""
    polygons, codes = [], []
    for feature in geojson["features"]:
        geometry = feature["geometry"]
        parts = (geometry["coordinates"] if geometry["type"] == "MultiPolygon"
                 else [geometry["coordinates"]])
        for part in parts:
            polygons.append(np.asarray(part[0]))
            codes.append(feature["properties"]["ubigeo"])
    return polygons, codes


def plot_district_map(geojson: dict, values: dict[str, float], path: str | Path, title: str,
                      label: str, diverging: bool = False, note: str = "") -> Path:
    """Districts of ``geojson`` filled by ``values`` (ubigeo -> value; grey where missing).

    ``note`` is printed small at the bottom (see ``_save``).
    """
    polygons, codes = _district_polygons(geojson)
    colours = np.asarray([values.get(code, np.nan) for code in codes], dtype=float)
    finite = colours[np.isfinite(colours)]
    if diverging:
        reach = max(1.0, float(np.abs(finite).max())) if len(finite) else 1.0
        cmap, vmin, vmax = "RdYlGn_r", -reach, reach
    else:
        cmap, vmin, vmax = "Oranges", 0.0, max(10.0, float(finite.max())) if len(finite) else 1
    fig, ax = plt.subplots(figsize=(6.5, 7.5))
    collection = PolyCollection(polygons, array=np.ma.masked_invalid(colours),
                                cmap=plt.get_cmap(cmap).with_extremes(bad="#e0e0e0"),
                                edgecolors="#999999", linewidths=0.1)
    collection.set_clim(vmin, vmax)
    ax.add_collection(collection)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.axis("off")
    fig.colorbar(collection, ax=ax, shrink=0.6, label=label)
    return _save(fig, title, path, dpi=110, note=note)


DEPARTMENT_INDICATORS = {"stunting": ("stunting", "Stunting, 0-59 m"),
                         "severe_stunting": ("severe_stunting", "Severe stunting, 0-59 m"),
                         "anemia": ("anemia", "Anemia, 6-35 m")}


def _department_rows(table: pd.DataFrame, indicator: str, area: str = "total") -> pd.DataFrame:
    """The table's department figures of one indicator and area, with a department column."""
    group = table["group"].astype(str)
    area_col = table["area"].fillna("total") if "area" in table else "total"
    rows = table[group.str.startswith("department:") & (table["indicator"] == indicator)
                 & (area_col == area)].copy()
    rows["department"] = rows["group"].str.split(":", n=1).str[1].str.strip()
    return rows


def plot_department_multiples(results: pd.DataFrame, table: pd.DataFrame, path: str | Path,
                              indicator: str, title: str = "") -> Path:
    """Small multiples, one panel per department (5 x 5): model against ENDES by department.

    Each panel: the model's median and 90% interval over runs for the department total
    (``department:NAME``) over the run, and the survey figures of ``table`` for the
    department total with ±1.96 survey_se error bars; the corner gives the mean error.
    ``indicator`` is ``stunting``, ``severe_stunting`` or ``anemia`` (6-35 m).
    """
    from model.geography import department_names

    metric, label = DEPARTMENT_INDICATORS[indicator]
    rows = _department_rows(table, indicator)
    if not rows.empty and rows["metric"].notna().any():
        metric = rows["metric"].dropna().iloc[0]
    names = department_names()
    names += sorted(set(rows["department"]) - set(names))
    data = results[(results["metric"] == metric)
                   & results["group"].isin([f"department:{d}" for d in names])]
    bands = {group.split(":", 1)[1]: _median_band(lines)
             for group, lines in data.groupby("group")}
    ncols = 5
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(13, 2.3 * nrows + 0.9), sharex=True,
                             sharey=True, squeeze=False)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    se = rows["survey_se"].fillna(0) if "survey_se" in rows else 0.0
    top = max([float(band[0.95].max()) for band in bands.values()]
              + [float((rows["value_percent"] + 1.96 * se).max()) if not rows.empty else 0.0,
                 10.0])
    for ax, name in zip(axes.flat, names):
        band = bands.get(name)
        if band is not None:
            ax.fill_between(band.index, band[0.05], band[0.95], color="tab:blue", alpha=0.25,
                            linewidth=0)
            ax.plot(band.index, band[0.5], color="tab:blue", linewidth=1.5)
        else:
            ax.text(0.5, 0.55, "not simulated", transform=ax.transAxes, ha="center",
                    fontsize=8, color="#777777")
        points = rows[rows["department"] == name]
        if not points.empty:
            _survey_points(ax, points, "black", marker="o")
            error = points["error"].dropna()
            if len(error):
                ax.text(0.97, 0.95, f"error {error.mean():+.1f} pp", transform=ax.transAxes,
                        ha="right", va="top", fontsize=7.5,
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7,
                              "pad": 1})
        ax.set_title(places.department_label(name), fontsize=9, pad=3)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        _year_axis(ax, 5)
    axes[0][0].set_ylim(0, top * 1.12)
    if not data.empty:
        when = pd.to_datetime(data["date"], format="%Y-%m")
        axes[0][0].set_xlim(when.min(), when.max())
    for row in axes:
        row[0].set_ylabel("%", fontsize=8)
    handles = [plt.Line2D([], [], color="tab:blue", linewidth=1.5, label="model median"),
               plt.Rectangle((0, 0), 1, 1, color="tab:blue", alpha=0.25,
                             label="model 90% interval"),
               plt.Line2D([], [], color="black", marker="o", linestyle="none",
                          label="ENDES, ±1.96 SE")]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=9)
    return _save(fig, title or f"{label} by department: model against surveys (department "
                               "totals; error = model - survey, mean over survey years)",
                 path, dpi=100, rect=(0, 0.03, 1, 1), dates=False)


def _department_centres(polygons: list[np.ndarray], departments: list[str]):
    """Area-weighted centroid (lon, lat Series by department) of each department's rings."""
    rows = []
    for ring, department in zip(polygons, departments):
        x, y = ring[:, 0], ring[:, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area = cross.sum() / 2.0
        if abs(area) < 1e-12:
            continue
        rows.append((department, area, ((x + np.roll(x, -1)) * cross).sum() / 6.0,
                     ((y + np.roll(y, -1)) * cross).sum() / 6.0))
    frame = pd.DataFrame(rows, columns=["department", "area", "mx", "my"]).groupby(
        "department")[["area", "mx", "my"]].sum()
    return frame["mx"] / frame["area"], frame["my"] / frame["area"]


# map labels moved off crowded spots (degrees of longitude, latitude), with a leader line
LABEL_OFFSETS = {"CALLAO": (-1.6, 0.3), "LIMA": (0.4, 0.0), "TUMBES": (-0.6, 0.4),
                 "LAMBAYEQUE": (-0.9, 0.0), "LA LIBERTAD": (-1.0, 0.0), "ICA": (-0.8, -0.3),
                 "MOQUEGUA": (-0.8, -0.3), "TACNA": (-0.6, -0.6), "AYACUCHO": (-0.3, -1.0),
                 "APURIMAC": (0.3, 0.1)}


def plot_department_error_map(table: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Two maps, stunting 0-59 m and anemia 6-35 m, of each department's mean error.

    Each district is filled with its department's mean error (model - survey, pp,
    department total, mean over survey years). Diverging colours centred at 0 on one
    symmetric scale for both panels (red: the model is above the survey); grey where the
    department has no compared figure. Boundaries are the district GeoJSON of
    ``model/data/gpl3`` (``load_boundaries``); each district gets its department by ubigeo
    from ``model/data/peru_districts.csv`` (``load_district_table``, names stripped).
    """
    from model.geography import load_boundaries, load_district_table

    districts = load_district_table()
    department_of = dict(zip(districts["ubigeo"], districts["department"]))
    geojson = load_boundaries()
    polygons, codes = _district_polygons(geojson)
    lon, lat = _department_centres(polygons, [department_of.get(c, "") for c in codes])
    panels = {}
    for indicator in ("stunting", "anemia"):
        rows = _department_rows(table, indicator).dropna(subset=["error"])
        panels[indicator] = rows.groupby("department")["error"].mean()
    finite = pd.concat(panels.values())
    reach = float(np.ceil(max(1.0, finite.abs().max() if len(finite) else 1.0)))
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="#d9d9d9")
    fig, axes = plt.subplots(1, 2, figsize=(11, 8))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.87, bottom=0.12, wspace=0.02)
    for ax, (indicator, errors) in zip(axes, panels.items()):
        colours = np.asarray([errors.get(department_of.get(code, ""), np.nan)
                              for code in codes], dtype=float)
        collection = PolyCollection(polygons, array=np.ma.masked_invalid(colours), cmap=cmap,
                                    edgecolors="face", linewidths=0.2)
        collection.set_clim(-reach, reach)
        ax.add_collection(collection)
        for department, error in errors.items():
            if department in lat:
                dx, dy = LABEL_OFFSETS.get(department, (0.0, 0.0))
                x, y = lon[department], lat[department]
                if dx or dy:
                    ax.plot([x, x + dx * 0.8], [y, y + dy * 0.8], color="#555555",
                            linewidth=0.6)
                rounded = int(round(error))
                label = places.department_label(department)
                ax.text(x + dx, y + dy, f"{label}\n{rounded:+d}" if rounded
                        else f"{label}\n0", ha="center", va="center",
                        fontsize=6.5, linespacing=0.95,
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.65,
                              "pad": 0.6})
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"{DEPARTMENT_INDICATORS[indicator][1]}\n"
                     f"({len(errors)} departments with survey figures)", fontsize=11)
    bar = fig.colorbar(collection, cax=fig.add_axes((0.3, 0.07, 0.4, 0.022)),
                       orientation="horizontal")
    bar.set_label("mean error, model - survey (percentage points); red: model above survey, "
                  "blue: below; grey: no figure", fontsize=9)
    fig.suptitle(title or "Department error: model median - ENDES (department total, mean "
                          "over survey years)", fontsize=12)
    path = Path(path)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def plot_equity(tables: dict[str, pd.DataFrame], labels: list[str], names: dict[str, str],
                path: str | Path, ylabel: str, title: str = "", note: str = "") -> Path:
    """Grouped bars, one panel per outcome: ``baseline`` and ``policy`` columns by group.

    ``tables`` maps panel title to its table (rows in the order of ``labels``); where it has
    ``<scenario>_p5`` and ``<scenario>_p95`` columns the bars get those as error bars (the
    90% interval). ``note`` is printed small at the bottom (see ``_save``).
    """
    fig, axes = plt.subplots(1, len(tables), figsize=(12, 4.4), squeeze=False)
    for ax, (panel, table) in zip(axes[0], tables.items()):
        x = np.arange(len(table))
        for offset, (scenario, color) in zip((-0.2, 0.2), (("baseline", "#7f7f7f"),
                                                           ("policy", "#1f77b4"))):
            errors = None
            if f"{scenario}_p5" in table and f"{scenario}_p95" in table:
                errors = np.vstack([table[scenario] - table[f"{scenario}_p5"],
                                    table[f"{scenario}_p95"] - table[scenario]]).clip(min=0)
            ax.bar(x + offset, table[scenario], width=0.4, color=color, label=names[scenario],
                   yerr=errors, ecolor="black", error_kw={"elinewidth": 1, "capsize": 3})
        ax.set_xticks(x, labels, rotation=30, ha="right")
        ax.set_title(panel, fontsize=11)
        ax.grid(alpha=0.3, axis="y")
        ax.set_ylim(0, ax.get_ylim()[1] * 1.15)  # room for the legend above the bars
    axes[0][0].set_ylabel(ylabel)
    axes[0][0].legend(frameon=False, loc="upper center", ncol=2)
    return _save(fig, title, path, dpi=110, note=note)


def plot_tornado(panels: dict[str, pd.DataFrame], path: str | Path, xlabel: str,
                 title: str = "") -> Path:
    """Sensitivity indices as horizontal bars, one panel per output, largest on top.

    ``panels`` maps a panel title to a table with ``label`` (the parameter in words),
    ``value`` (the index: Morris mu* or Sobol ST) and ``error`` (its confidence half-width,
    drawn as a whisker; NaN draws none).
    """
    count = max(len(panels), 1)
    columns = 1 if count == 1 else 2
    rows = -(-count // columns)
    height = max((len(table) for table in panels.values()), default=1)
    fig, axes = plt.subplots(rows, columns, figsize=(8 * columns, 0.32 * height * rows + 1.6),
                             squeeze=False)
    for ax, (panel, table) in zip(axes.flat, panels.items()):
        table = table.sort_values("value")
        y = np.arange(len(table))
        error = table["error"].fillna(0).clip(lower=0).to_numpy()
        low = np.minimum(error, table["value"].clip(lower=0).to_numpy())  # not below 0
        ax.barh(y, table["value"], xerr=[low, error], color="#1f77b4", ecolor="#555555",
                capsize=2)
        ax.set_yticks(y, table["label"], fontsize=8.5)
        ax.set_ylim(-0.6, height - 0.4)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(panel, fontsize=11)
        ax.grid(alpha=0.3, axis="x")
        ax.set_xlabel(xlabel, fontsize=8.5)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    return _save(fig, title, path, dates=False)
