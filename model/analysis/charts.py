"""PNG charts of simulated results (matplotlib), for the command line and the dashboard.

Trajectories, comparisons, sweeps, district maps, equity bars and sensitivity tornados,
drawn from the tidy results table only; charts against the surveys are ``survey_charts``.
"""

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


def region_words(geography: dict) -> str:
    """A scenario's ``geography`` (a dict) in words, for chart titles.

    Peru, its departments as INEI writes them, or how many districts.
    """
    if geography["districts"]:
        return f"{len(geography['districts'])} districts"
    if geography["departments"]:
        return ", ".join(places.department_label(d) for d in geography["departments"])
    return "Peru"


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
            band = median_band(data[(data["metric"] == metric)
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
    return save_chart(fig, title, path, dates=False, note=note)


def _save_panels(fig, axes, ylabel: str, title: str, path: str | Path,
                 xlabel: str = "Date", note: str = "") -> Path:
    """Shared finish of the outcome panels: axes, legend, title, PNG at ``path``."""
    for ax in axes:
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel(ylabel)
    axes[0].legend(loc="best", frameon=True, framealpha=0.9)
    return save_chart(fig, title, path, note=note)


def save_chart(fig, title: str, path: str | Path, dpi: int = 120,
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


def median_band(lines: pd.DataFrame) -> pd.DataFrame:
    """Per date: the 5th, 50th and 95th percentile of ``value`` over runs."""
    when = pd.to_datetime(lines["date"], format="%Y-%m")
    return lines.groupby(when)["value"].quantile([0.05, 0.5, 0.95]).unstack()


def year_axis(ax, step: int = 4) -> None:
    """Ticks every ``step`` years on a date axis, labelled with the year only."""
    ax.xaxis.set_major_locator(mdates.YearLocator(step))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))




def district_polygons(geojson: dict) -> tuple[list[np.ndarray], list[str]]:
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

    ``note`` is printed small at the bottom (see ``save_chart``).
    """
    polygons, codes = district_polygons(geojson)
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
    return save_chart(fig, title, path, dpi=110, note=note)





def plot_equity(tables: dict[str, pd.DataFrame], labels: list[str], names: dict[str, str],
                path: str | Path, ylabel: str, title: str = "", note: str = "") -> Path:
    """Grouped bars, one panel per outcome: ``baseline`` and ``policy`` columns by group.

    ``tables`` maps panel title to its table (rows in the order of ``labels``); where it has
    ``<scenario>_p5`` and ``<scenario>_p95`` columns the bars get those as error bars (the
    90% interval). ``note`` is printed small at the bottom (see ``save_chart``).
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
    return save_chart(fig, title, path, dpi=110, note=note)


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
    return save_chart(fig, title, path, dates=False)
