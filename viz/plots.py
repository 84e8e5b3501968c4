"""Static charts drawn from the tidy results table only."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

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
                    xlabel: str = "Date") -> Path:
    """National stunting and anemia per scenario: median over replicates with a 90% band.

    ``titles`` (outcome -> panel title), ``names`` (scenario -> legend name), ``colors``
    (scenario -> colour), ``ylabel`` and ``xlabel`` default to English and matplotlib's
    colour cycle; the dashboard passes its language and its colours.
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
    return _save_panels(fig, axes, ylabel, title, path, xlabel)


def _save_panels(fig, axes, ylabel: str, title: str, path: str | Path,
                 xlabel: str = "Date") -> Path:
    """Shared finish of the outcome panels: axes, legend, title, PNG at ``path``."""
    for ax in axes:
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel(ylabel)
    axes[0].legend(loc="lower left", frameon=False)
    return _save(fig, title, path)


def _save(fig, title: str, path: str | Path, dpi: int = 120) -> Path:
    """Title, date labels, tight layout; write the PNG at ``path`` and close the figure."""
    fig.suptitle(title, fontsize=12)
    fig.autofmt_xdate()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def _median_band(lines: pd.DataFrame) -> pd.DataFrame:
    """Per date: the 5th, 50th and 95th percentile of ``value`` over runs."""
    when = pd.to_datetime(lines["date"], format="%Y-%m")
    return lines.groupby(when)["value"].quantile([0.05, 0.5, 0.95]).unstack()


def plot_validation(results: pd.DataFrame, table: pd.DataFrame, path: str | Path,
                    title: str = "") -> Path:
    """Model bands (median and 90% interval over runs) against the survey points.

    One panel per model series that has targets (e.g. stunting 0-59 m, anemia 6-35 m).
    """
    series = table.dropna(subset=["metric"]).groupby(["metric", "model_group"], sort=False)
    ncols = min(3, series.ngroups)
    nrows = -(-series.ngroups // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 3.6 * nrows), squeeze=False)
    for ax in axes.flat[series.ngroups:]:
        ax.set_visible(False)
    for ax, ((metric, group), points) in zip(axes.flat, series):
        band = _median_band(results[(results["metric"] == metric)
                                    & (results["group"] == group)])
        ax.fill_between(band.index, band[0.05], band[0.95], alpha=0.25, linewidth=0,
                        label="model 90% interval")
        ax.plot(band.index, band[0.5], linewidth=2, label="model median")
        when = pd.to_datetime(points["year"].astype(int).astype(str) + "-07", format="%Y-%m")
        ax.scatter(when, points["value_percent"], color="black", zorder=3, label="survey")
        age = points["age_group"].iloc[0]
        ax.set_title(f"{metric} ({group}, {age})", fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    for row in axes:
        row[0].set_ylabel("Prevalence (%)")
    axes[0][0].legend(loc="lower left", frameon=False, fontsize=8)
    return _save(fig, title, path, dpi=110)


def plot_district_map(geojson: dict, values: dict[str, float], path: str | Path, title: str,
                      label: str, diverging: bool = False) -> Path:
    """Districts of ``geojson`` filled by ``values`` (ubigeo -> value; grey where missing)."""
    polygons, colours = [], []
    for feature in geojson["features"]:
        geometry = feature["geometry"]
        parts = (geometry["coordinates"] if geometry["type"] == "MultiPolygon"
                 else [geometry["coordinates"]])
        value = values.get(feature["properties"]["ubigeo"], np.nan)
        for part in parts:
            polygons.append(np.asarray(part[0]))
            colours.append(value)
    colours = np.asarray(colours, dtype=float)
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
    return _save(fig, title, path, dpi=110)


def plot_equity(tables: dict[str, pd.DataFrame], labels: list[str], names: dict[str, str],
                path: str | Path, ylabel: str, title: str = "") -> Path:
    """Grouped bars, one panel per outcome: ``baseline`` and ``policy`` columns by group.

    ``tables`` maps panel title to its table (rows in the order of ``labels``).
    """
    fig, axes = plt.subplots(1, len(tables), figsize=(12, 4.4), squeeze=False)
    for ax, (panel, table) in zip(axes[0], tables.items()):
        x = np.arange(len(table))
        for offset, (scenario, color) in zip((-0.2, 0.2), (("baseline", "#7f7f7f"),
                                                           ("policy", "#1f77b4"))):
            ax.bar(x + offset, table[scenario], width=0.4, color=color, label=names[scenario])
        ax.set_xticks(x, labels, rotation=30, ha="right")
        ax.set_title(panel, fontsize=11)
        ax.grid(alpha=0.3, axis="y")
    axes[0][0].set_ylabel(ylabel)
    axes[0][0].legend(frameon=False)
    return _save(fig, title, path, dpi=110)
