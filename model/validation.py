"""Comparing the historical scenario with survey targets: the validation table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.targets import metric_and_group, model_values


def validation_table(results: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """One row per target: model median and 90% interval over runs, and the error.

    Columns: the target's own columns, then metric, model_group, model_median, model_p5,
    model_p95, error (model median - target, percentage points), runs.
    """
    values = model_values(results, targets)
    rows = []
    for i, row in targets.iterrows():
        metric, group = metric_and_group(row)
        mine = values[values["target"] == i]["model"]
        entry = {**row.to_dict(), "metric": metric, "model_group": group, "runs": len(mine)}
        if len(mine):
            entry.update(model_median=float(mine.median()),
                         model_p5=float(np.percentile(mine, 5)),
                         model_p95=float(np.percentile(mine, 95)))
            entry["error"] = entry["model_median"] - float(row["value_percent"])
        rows.append(entry)
    return pd.DataFrame(rows)


def mean_absolute_error(table: pd.DataFrame) -> pd.Series:
    """Mean absolute error (percentage points) per indicator, over targets the model reached."""
    return table.dropna(subset=["error"]).groupby("indicator")["error"].apply(
        lambda e: float(e.abs().mean()))
