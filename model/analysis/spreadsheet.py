"""Excel workbooks beside the CSV tables, for analysts who work in spreadsheets.

A workbook holds the table as it is in the CSV (one sheet, bold frozen header, columns wide
enough to read, numbers kept as numbers with a display format) and a second sheet,
"columns", that says what each column means. openpyxl writes it (a kept library; pandas
uses it as its Excel engine). Written atomically, like every other output.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.analysis.outputs import write_atomic

# What each column of the comparison summary (summary.csv) means.
_INTERVAL = "median, 5th and 95th percentile over draws x replicates (the 90% interval)"
COMPARISON_COLUMNS = {
    "scenario": "scenario name; the first is the reference every change is measured from",
    "year": "year summarised (the outcome is read in that year's month of the run)",
    "date": "month of the reading (YYYY-MM)",
    "outcome": "stunting (% of children 0-59 months, HAZ < -2), anemia (% of children 6-35 "
               "months, altitude-adjusted Hb) or development (mean score, SD units)",
    "group": "national, urban, rural, natural region, department or poverty quintile "
             "(quintile 1 = poorest)",
    "replicates": "runs behind the row (draws x replicates)",
    "draws": "parameter draws behind the row (1 = the defaults only)",
    "param_share": "share of the change's variance due to parameter uncertainty (empty "
                   "without draws)",
    "median": "level: " + _INTERVAL + "; % (SD for development)",
    "p5": "level: 5th percentile (lower end of the 90% interval)",
    "p95": "level: 95th percentile (upper end of the 90% interval)",
    "diff": "change from the reference, paired by draw and replicate: " + _INTERVAL
            + "; percentage points (SD for development)",
    "averted": "child-years of the outcome averted from the start to the date: " + _INTERVAL,
    "cost": "cumulative program cost from the start to the date, soles: " + _INTERVAL,
    "extra_cost": "cost above the reference's, soles: " + _INTERVAL,
    "cost_per_case": "extra cost per child-year averted, soles (empty where nothing was "
                     "averted): " + _INTERVAL,
    "at_5_averted": "children who reach age 5 stunted, averted (stunting, national): "
                    + _INTERVAL,
}

SWEEP_COLUMNS = {
    "point": "parameter point of the sweep (0, 1, ...)",
    "runs": "runs behind the row (draws x replicates)",
    "draws": "parameter draws behind the row",
    "median": "output: " + _INTERVAL,
    "param_share": "share of the output's variance due to parameter uncertainty",
}


def column_meaning(column: str, meanings: dict[str, str]) -> str:
    """The meaning of ``column``: its own entry, or its stem's (``diff_p5`` -> ``diff``)."""
    if column in meanings:
        return meanings[column]
    for suffix in ("_median", "_p5", "_p95"):
        if column.endswith(suffix):
            stem = column.removesuffix(suffix)
            if stem in meanings:
                return meanings[stem]
            if suffix == "_median" or stem + "_median" in meanings or "median" in meanings:
                return f"{stem}: " + _INTERVAL
    return "a parameter set at this point (its value)" if "." in column else ""


def write_workbook(path: Path, table: pd.DataFrame, sheet: str, meanings: dict[str, str],
                   note: str = "") -> None:
    """Write ``table`` to the Excel file ``path`` with a "columns" sheet of ``meanings``.

    ``note`` (e.g. what the intervals include) is written above the columns sheet's table.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    def save(target: Path) -> None:
        book = openpyxl.Workbook()
        data = book.active
        data.title = sheet[:31]
        data.append([str(c) for c in table.columns])
        for row in table.itertuples(index=False):
            data.append([None if (isinstance(v, float) and v != v) else
                         (v.item() if hasattr(v, "item") else v) for v in row])
        for cell in data[1]:
            cell.font = Font(bold=True)
        data.freeze_panes = "A2"
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            values = table[column]
            width = max([len(str(column))] + [len(str(v)) for v in values.head(200)])
            data.column_dimensions[letter].width = min(max(8, width + 2), 40)
            if pd.api.types.is_float_dtype(values):
                big = values.abs().max() >= 1000 if values.notna().any() else False
                for cell in data[letter][1:]:
                    cell.number_format = "#,##0" if big else "0.00"
        data.auto_filter.ref = data.dimensions
        info = book.create_sheet("columns")
        start = 1
        if note:
            info.append([note])
            info.append([])
            start = 3
        info.append(["column", "meaning"])
        for column in table.columns:
            info.append([str(column), column_meaning(str(column), meanings)])
        for cell in info[start]:
            cell.font = Font(bold=True)
        info.column_dimensions["A"].width = 24
        info.column_dimensions["B"].width = 100
        for row in info.iter_rows(min_row=start + 1):
            row[1].alignment = Alignment(wrap_text=True, vertical="top")
        book.save(target)

    write_atomic(Path(path), save)
