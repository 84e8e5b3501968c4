"""PNG charts of the model against the surveys (matplotlib): validation bands, departments.

Drawn from the tidy results and the validation table (``validation.validation_table``);
the figure finish, the median band and the district rings are ``charts``'.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from model import places  # noqa: E402
from model.analysis.charts import (  # noqa: E402
    AREA_STYLES,
    district_polygons,
    median_band,
    save_chart,
    year_axis,
)


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
                band = median_band(series)
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
        year_axis(ax)
        ax.legend(loc="lower left", frameon=False, fontsize=8)
    for row in axes:
        row[0].set_ylabel("Prevalence (%)")
    fig.text(0.5, 0.005, "Lines and bands: model median and 90% interval over runs. "
             "Points: surveys, with ±1.96 SE bars where n is known.", ha="center",
             fontsize=8, color="#444444")
    return save_chart(fig, title, path, dpi=110, rect=(0, 0.03, 1, 1), dates=False)
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
    bands = {group.split(":", 1)[1]: median_band(lines)
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
        year_axis(ax, 5)
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
    return save_chart(fig, title or f"{label} by department: model against surveys (department "
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
    polygons, codes = district_polygons(geojson)
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
