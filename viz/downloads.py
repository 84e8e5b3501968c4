"""The policymaker view's downloads: results and summary as CSV and Excel, charts as PNG.

Each carries its context: the tables as columns (region, what the interval means,
simulated, the date made), the charts in their title and a note under them (region, policy
against reference, simulated, the interval's meaning, runs, the date made). Charts are drawn
in the page's language by ``model.analysis.charts``.
"""

from __future__ import annotations

import datetime
import tempfile
import textwrap
from pathlib import Path

import solara

from model.analysis import charts
from viz import figures, maps
from viz.i18n import tr
from viz.policy_state import map_level_for, map_metric, map_show, shown_date
from viz.runner import ComparisonResult
from viz.widgets import Heading, lang, t

# The context columns every downloaded table carries (figures.with_context).
CONTEXT_COLUMNS = {
    "region": "the region simulated (all Peru or a department)",
    "interval": "what the 90% intervals include",
    "simulated": "True: numbers simulated by the model, not measured",
    "generated": "the date the file was made",
    "run_id": "the run (draw and replicate) a row comes from",
}


def _today() -> str:
    return datetime.date.today().isoformat()


def _png(draw) -> bytes:
    """The bytes of a chart that ``draw(path)`` saves as a PNG file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chart.png"
        draw(path)
        return path.read_bytes()


def table_csv(table, result: ComparisonResult, language: str) -> bytes:
    """A table of the result with its context columns, as CSV."""
    return figures.with_context(table, result, language, _today()).to_csv(index=False).encode()


def summary_xlsx(result: ComparisonResult, language: str) -> bytes:
    """The summary as an Excel workbook with a sheet of column meanings and the context."""
    from model.analysis.spreadsheet import COMPARISON_COLUMNS, write_workbook

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "summary.xlsx"
        write_workbook(path, figures.with_context(result.summary, result, language, _today()),
                       "summary", {**COMPARISON_COLUMNS, **CONTEXT_COLUMNS},
                       note=figures.context_note(result, language, _today()))
        return path.read_bytes()


def trajectory_png(result: ComparisonResult, language: str) -> bytes:
    """Stunting and anemia over time, reference and policy, as a PNG."""
    title = figures.context_title(result, language)
    names = figures.scenario_labels(result, language)
    return _png(lambda p: charts.plot_comparison(
        result.results, p, title=title,
        titles={o: tr(f"{o}_long", language) for o in ("stunting", "anemia")},
        names=names, colors=figures.COLORS, ylabel=tr("prevalence_band", language),
        xlabel=tr("date", language), note=figures.context_note(result, language,
                                                              _today())))


def map_png(result: ComparisonResult, language: str) -> bytes:
    """The map as the page shows it now (metric, level or change, date, level), as a PNG."""
    title = figures.context_title(result, language)
    date = shown_date(result)
    table = maps.map_values(result, date, map_level_for(result.levers.region))
    column = f"{map_metric.value}_{map_show.value}"
    caption = {"change": tr("map_change", language),
               "policy": tr("map_level_policy", language),
               "baseline": tr("map_level_reference", language,
                              reference=figures.reference_label(result, language).lower())
               }[map_show.value]
    heading = (f"{textwrap.fill(title, 58)}\n"
               f"{tr(map_metric.value + '_long', language)}\n{caption}, {date}")
    note = textwrap.fill(f"{tr('map_median', language)} "
                         f"{figures.context_note(result, language, _today())}", 80)
    return _png(lambda p: charts.plot_district_map(
        figures.region_geojson(result.levers.region),
        dict(zip(table["ubigeo"], table[column])), p, heading,
        tr("change_pp" if map_show.value == "change" else "prevalence", language),
        diverging=map_show.value == "change", note=note))


def equity_png(result: ComparisonResult, language: str) -> bytes:
    """Outcomes by group, reference and policy with their intervals, as a PNG."""
    title = figures.context_title(result, language)
    names = figures.scenario_labels(result, language)
    tables = {tr(f"{o}_long", language): figures.equity_table(result, o)
              for o in ("stunting", "anemia")}
    groups = next(iter(tables.values()))["group"]
    return _png(lambda p: charts.plot_equity(
        tables, [figures.group_label(g, language) for g in groups],
        {"baseline": names[result.reference.name], "policy": names["policy"]}, p,
        tr("prevalence_band", language), title=title,
        note=figures.context_note(result, language, _today())))


@solara.component
def Downloads(result: ComparisonResult):
    """Results and summary as CSV and Excel, charts as PNG (drawn in the page's language).

    Each file is made when its button is pressed, from the page's settings at that moment.
    """
    language = lang.value
    Heading(t("downloads"))
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
        solara.FileDownload(lambda: table_csv(result.results, result, language), "results.csv",
                            label=t("download_csv"))
        solara.FileDownload(lambda: table_csv(result.summary, result, language), "summary.csv",
                            label=t("download_summary"))
        solara.FileDownload(lambda: summary_xlsx(result, language), "summary.xlsx",
                            label=t("download_xlsx"))
        solara.FileDownload(lambda: trajectory_png(result, language), "trajectories.png",
                            label=t("download_png"))
        solara.FileDownload(lambda: map_png(result, language), "map.png",
                            label=t("download_map_png"))
        solara.FileDownload(lambda: equity_png(result, language), "equity.png",
                            label=t("download_equity_png"))
