"""The fit's loss: how far a run's figures lie from the survey figures, in standard errors.

Each survey figure p (a share) measured on n children has the sampling variance of a
clustered binomial, ``DESIGN_EFFECT * p (1 - p) / n``; the model's figure has its own Monte
Carlo variance ``m (1 - m) / k`` from the k simulated children behind it. The loss is the
sum over figures of ``(m - p)^2 / (both variances)``, so a department of 150 children counts
far less than the nation, and a figure the run reaches with few simulated children counts
less too. Figures without ``n`` (the national series of ``calibration_targets.csv``) get the
sample sizes of ``ASSUMED_N``. Only figures up to ``LAST_FIT_YEAR`` are fitted: later years
are kept apart to judge the forecast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.analysis.targets import metric_and_group, model_values

# ENDES is a clustered sample; SOURCES.md (section 9) says to allow a design effect of about
# 1.5-2. We take the upper end: it widens every survey interval.
DESIGN_EFFECT = 2.0
# Figures without a sample size: ENDES national samples of 2009-2012 (about 9,500 children
# 0-59 m measured for height and 4,500 aged 6-35 m for Hb; endes_departments_2009_2012.csv).
# ASSUMPTION for the 2000 and 2007 rounds; 0-59 m anemia uses the height sample.
ASSUMED_N = {"stunting": 9500, "severe_stunting": 9500, "anemia": 4500}
LAST_FIT_YEAR = 2012


def fit_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """The figures the calibration fits: years up to LAST_FIT_YEAR, with a sample size."""
    table = targets[targets["year"] <= LAST_FIT_YEAR].copy()
    n = table["n"] if "n" in table else pd.Series(np.nan, index=table.index)
    table["n"] = n.fillna(table["indicator"].map(ASSUMED_N))
    return table


def figure_variances(results: pd.DataFrame, targets: pd.DataFrame,
                     values: pd.DataFrame) -> pd.DataFrame:
    """Survey and Monte Carlo variance (pp^2) of each matched figure in ``values``."""
    merged = values.merge(targets[["value_percent", "n", "indicator", "age_group", "year",
                                   "group"] + (["area"] if "area" in targets else [])],
                          left_on="target", right_index=True)
    obs = merged["value_percent"].clip(0.5, 99.5) / 100
    merged["survey_var"] = 1e4 * DESIGN_EFFECT * obs * (1 - obs) / merged["n"]
    scale = float(results["scale"].iloc[0]) if "scale" in results else None
    dates = {f"{int(y)}-07" for y in merged["year"]}
    counts = results[results["metric"].isin(["children", "children_6_35m"])
                     & results["date"].isin(dates)]
    if "run_id" in counts:
        counts = counts[counts["run_id"] == counts["run_id"].iloc[0]]
    lookup = dict(zip(zip(counts["metric"], counts["group"], counts["date"]), counts["value"]))
    sims = []
    for _, row in merged.iterrows():
        metric, group = metric_and_group(row)
        count_metric = "children_6_35m" if metric == "anemia" else "children"
        sims.append(float(lookup.get((count_metric, group, f"{int(row['year'])}-07"), np.nan)))
    merged["children"] = sims
    model = merged["model"].clip(0.5, 99.5) / 100
    merged["model_var"] = 1e4 * model * (1 - model) / (merged["children"] / (scale or 1.0))
    return merged


def figure_ids(targets: pd.DataFrame) -> pd.Series:
    """A stable id for each target row: ``"<year> <indicator> <age_group> <group> <area>"``.

    For example ``"2010 stunting 0-59m department:PUNO rural"``; the same figure has the same
    id in every targets table (``combine_targets`` keeps one row per id).
    """
    area = targets["area"] if "area" in targets else pd.Series("total", index=targets.index)
    area = area.fillna("total").astype(str)
    return (targets["year"].astype(int).astype(str) + " " + targets["indicator"].astype(str)
            + " " + targets["age_group"].astype(str) + " " + targets["group"].astype(str)
            + " " + area)


def reached_figures(results: pd.DataFrame, targets: pd.DataFrame,
             scale: float | None = None) -> pd.DataFrame:
    """The figures the run reached, by id: model and survey value, variance (pp^2).

    The variance is the survey's plus the run's Monte Carlo one; figures without simulated
    children are left out. With several runs in ``results`` the id ends in ``@<run_id>``.
    """
    values = model_values(results, targets)
    if values.empty:
        return pd.DataFrame(columns=["model", "survey", "variance"], dtype=float)
    if scale is not None:
        results = results.assign(scale=scale)
    merged = figure_variances(results, targets, values)
    merged = merged[merged["children"] > 0]
    ids = merged["target"].map(figure_ids(targets))
    if merged["run_id"].nunique() > 1:
        ids = ids + "@" + merged["run_id"].astype(str)
    return pd.DataFrame({"model": merged["model"].to_numpy(),
                         "survey": merged["value_percent"].astype(float).to_numpy(),
                         "variance": (merged["survey_var"] + merged["model_var"]).to_numpy()},
                        index=pd.Index(ids.to_numpy(), name="figure"))


def residuals(results: pd.DataFrame, targets: pd.DataFrame, scale: float | None = None,
              variance: pd.Series | None = None) -> pd.Series:
    """Standardised residual of each figure the run reached, indexed by ``figure_ids``.

    ``(model - survey) / sqrt(survey variance + Monte Carlo variance)``; ``loss`` is the sum of
    their squares. With ``variance`` (pp^2 by figure id, e.g. from a base run) those
    variances are used instead of the run's own, and only the figures it names are kept:
    differencing two runs then changes the model values only.
    """
    figures = reached_figures(results, targets, scale)
    if variance is None:
        spread = figures["variance"]
    else:
        figures = figures[figures.index.isin(variance.index)]
        spread = variance.reindex(figures.index)
    return ((figures["model"] - figures["survey"]) / np.sqrt(spread)).rename("residual")


def loss(results: pd.DataFrame, targets: pd.DataFrame, scale: float | None = None) -> float:
    """Chi-square of the run against the figures it reached (inf if it reached none).

    The sum of the squared ``residuals``.
    """
    chi = residuals(results, targets, scale)
    if chi.empty:
        return float("inf")
    return float((chi ** 2).sum())
