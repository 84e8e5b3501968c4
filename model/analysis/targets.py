"""Survey targets: reading them and finding the model's matching number.

A targets file has the columns of ``model/data/calibration_targets.csv``:
``year, indicator, age_group, group, value_percent, source``, and optionally ``area``
(``total``, ``urban`` or ``rural``; default total) and ``n`` (children measured behind the
figure, for its sampling error), as in ``model/data/endes_departments_2009_2012.csv``.
``indicator`` is ``stunting``, ``severe_stunting`` or ``anemia``; ``age_group`` is ``0-59m``,
``6-35m`` or a single band such as ``6-8m``; ``group`` is ``national``, ``urban``, ``rural``,
``natural_region:*``, ``department:*`` or ``quintile:*``. A survey year is compared with the
model's state in July of that year (surveys run through the year).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.config import ScenarioError
from model.dynamics import AGE_BANDS, band_label

COLUMNS = ["year", "indicator", "age_group", "group", "value_percent", "source"]
DEFAULT_TARGETS = Path(__file__).parent.parent / "data" / "calibration_targets.csv"
BANDS = {band_label(b) for b in AGE_BANDS}
INDICATORS = ("stunting", "severe_stunting", "anemia")
AREAS = ("total", "urban", "rural")
DEPARTMENT_TARGETS = Path(__file__).parent.parent / "data" / "endes_departments_2009_2012.csv"


def load_targets(path: str | Path) -> pd.DataFrame:
    """Read and check a targets file (ScenarioError naming the problem if it is wrong)."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: targets file not found")
    try:
        table = pd.read_csv(path, dtype={"group": str, "age_group": str, "indicator": str})
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: not a readable CSV ({err})") from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ScenarioError(f"{path}: missing columns {missing}; allowed columns: {COLUMNS}")
    if "area" not in table.columns:
        table["area"] = "total"
    table["area"] = table["area"].fillna("total").astype(str)
    if "n" not in table.columns:
        table["n"] = float("nan")
    for i, row in table.iterrows():
        where = f"{path}: row {i + 2}"
        if row["indicator"] not in INDICATORS:
            raise ScenarioError(f"{where}: indicator {row['indicator']!r}; allowed: "
                                f"{', '.join(INDICATORS)}")
        if row["area"] not in AREAS:
            raise ScenarioError(f"{where}: area {row['area']!r}; allowed: {', '.join(AREAS)}")
        if not (pd.isna(row["n"]) or float(row["n"]) > 0):
            raise ScenarioError(f"{where}: n {row['n']!r}; allowed: a positive count or empty")
        if metric_and_group(row) is None:
            raise ScenarioError(f"{where}: age_group {row['age_group']!r} is not available "
                                f"for {row['indicator']} in group {row['group']!r}; allowed: "
                                "0-59m, 6-35m (anemia), or a band "
                                f"({', '.join(sorted(BANDS))}) for group national")
        if not 0 <= float(row["value_percent"]) <= 100:
            raise ScenarioError(f"{where}: value_percent {row['value_percent']}; allowed 0-100")
    return table


def metric_and_group(row) -> tuple[str, str] | None:
    """The results (metric, group) that a target row is compared with, or None."""
    age, group, indicator = row["age_group"], row["group"], row["indicator"]
    area = row.get("area", "total")
    area = "total" if pd.isna(area) else area
    if area != "total":
        if group == "national":
            group = area
        elif group.startswith(("department:", "natural_region:")):
            group = f"{group}:{area}"
        else:
            return None
    if indicator in ("stunting", "severe_stunting") and age == "0-59m":
        return indicator, group
    if indicator == "anemia" and age == "6-35m":
        return "anemia", group
    if indicator == "anemia" and age in ("0-59m", "6-59m"):
        return "anemia_6_59m", group  # Hb is measured from 6 months
    if age in BANDS and group == "national":
        return indicator, f"age:{age}"
    return None


def model_values(results: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """The model's value for each target and run (columns: target index, run, value).

    ``results`` may hold several runs (a ``run_id`` column); rows for a date the run did not
    reach are left out.
    """
    runs = results["run_id"] if "run_id" in results else pd.Series("run", index=results.index)
    dates = {f"{int(y)}-07" for y in targets["year"]}
    frame = results.assign(run_id=runs)
    frame = frame[frame["date"].isin(dates)]
    keys = pd.DataFrame([(i, *metric_and_group(row), f"{int(row['year'])}-07")
                         for i, row in targets.iterrows()],
                        columns=["target", "metric", "group", "date"])
    matched = keys.merge(frame[["metric", "group", "date", "run_id", "value"]],
                         on=["metric", "group", "date"])
    matched = matched.sort_values(["target", "run_id"], kind="stable")
    return pd.DataFrame({"target": matched["target"].to_numpy(),
                         "run_id": matched["run_id"].to_numpy(),
                         "model": matched["value"].astype(float).to_numpy()})


def combine_targets(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Several targets tables as one; a figure given twice keeps the later file's row."""
    table = pd.concat(tables, ignore_index=True)
    key = ["year", "indicator", "age_group", "group", "area"]
    return table.drop_duplicates(subset=key, keep="last").reset_index(drop=True)
