"""Survey targets: reading them and finding the model's matching number.

A targets file has the columns of ``model/data/calibration_targets.csv``:
``year, indicator, age_group, group, value_percent, source``. ``indicator`` is ``stunting``
or ``anemia``; ``age_group`` is ``0-59m``, ``6-35m`` or a single band such as ``6-8m``;
``group`` is ``national``, ``urban``, ``rural``, ``natural_region:*``, ``department:*`` or
``quintile:*``. A survey year is compared with the model's state in July of that year
(surveys run through the year).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.config import ScenarioError
from model.dynamics import AGE_BANDS, band_label

COLUMNS = ["year", "indicator", "age_group", "group", "value_percent", "source"]
DEFAULT_TARGETS = Path(__file__).parent / "data" / "calibration_targets.csv"
BANDS = {band_label(b) for b in AGE_BANDS}


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
    for i, row in table.iterrows():
        where = f"{path}: row {i + 2}"
        if row["indicator"] not in ("stunting", "anemia"):
            raise ScenarioError(f"{where}: indicator {row['indicator']!r}; allowed: stunting, "
                                "anemia")
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
    if indicator == "stunting" and age == "0-59m":
        return "stunting", group
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
    frame = results.assign(run_id=runs)
    rows = []
    for i, row in targets.iterrows():
        metric, group = metric_and_group(row)
        date = f"{int(row['year'])}-07"
        values = frame[(frame["metric"] == metric) & (frame["group"] == group)
                       & (frame["date"] == date)]
        for run_id, value in zip(values["run_id"], values["value"]):
            rows.append({"target": i, "run_id": run_id, "model": float(value)})
    return pd.DataFrame(rows, columns=["target", "run_id", "model"])
