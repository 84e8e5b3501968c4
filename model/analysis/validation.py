"""Comparing the historical scenario with survey targets: the validation table.

Each survey figure p (percent) measured on n children has the sampling standard error of a
clustered sample, ``100 * sqrt(DESIGN_EFFECT * p (1 - p) / n)`` with p as a share (the
design effect of ``model/analysis/survey_fit.py``). A figure is *inside* when it lies in
its 90% *predictive* interval: the model's 90% interval over runs (parameter draws and
chance with ``--draws``, chance alone without) combined in quadrature with the survey's 90%
sampling interval (1.645 standard errors). ``coverage`` gives the share inside, for the
figures the calibration fitted and those it did not.

Figures are sorted into *levels*: ``national``, ``area`` (national urban or rural),
``band`` (national, one age band), ``department`` (a department's total),
``department_area`` (a department's urban or rural part), and likewise ``natural_region``,
``natural_region_area`` and ``quintile`` for those groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.analysis.calibration import DESIGN_EFFECT, LAST_FIT_YEAR
from model.analysis.targets import BANDS, INDICATORS, metric_and_group, model_values

Z90 = 1.645  # two-sided 90%: the survey's interval added to the model's
LEVELS = ("national", "area", "band", "natural_region", "natural_region_area", "quintile",
          "department", "department_area")
ANEMIA_DEFINITIONS = {
    "who2011": "WHO 2011 cut-off (Hb < 11 g/dL at 6-59 m) with the CDC altitude adjustment, "
               "as ENDES until 2023",
    "who2024": "WHO 2024 cut-offs (10.5 g/dL at 6-23 m) and altitude adjustment, as MINSA "
               "from 2024; the ENDES figures here use WHO 2011, so anemia is not like for like",
    "peru": "Hb < 11 g/dL with the Peru-specific (INS) altitude correction; the ENDES figures "
            "here use the CDC adjustment, so anemia is not like for like",
}


def validation_table(results: pd.DataFrame, targets: pd.DataFrame,
                     dispersion: float | None = None) -> pd.DataFrame:
    """One row per target: model median and 90% interval over runs, and the error.

    Columns: the target's own columns, then metric, model_group, runs, model_median,
    model_p5, model_p95, error (model median - target, percentage points), survey_se
    (the survey's sampling standard error, pp; NaN without ``n``), level (see the module
    docstring), predictive_p5 and predictive_p95 (``predictive_interval``), inside_90
    (nullable boolean: the survey value within the predictive interval; missing without a
    model value or a survey_se) and fitted (the calibration fitted the figure's year).
    With ``dispersion`` (the calibration's phi, the misfit beyond sampling error), also
    misfit_p5, misfit_p95 and inside_90_misfit: the same interval with the survey's
    sampling variance multiplied by it (``predictive_interval``).
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
    table = pd.DataFrame(rows)
    for column in ("model_median", "model_p5", "model_p95", "error"):
        if column not in table:
            table[column] = np.nan  # no target reached by any run
    n = table["n"] if "n" in table else pd.Series(np.nan, index=table.index)
    table["survey_se"] = survey_se(table["value_percent"], n)
    table["level"] = [target_level(row) for _, row in table.iterrows()]
    table["predictive_p5"], table["predictive_p95"] = predictive_interval(table)
    table["inside_90"] = _inside_90(table)
    if dispersion is not None:
        table["misfit_p5"], table["misfit_p95"] = predictive_interval(table, dispersion)
        table["inside_90_misfit"] = _inside_90(table, "misfit")
    table["fitted"] = table["year"].astype(int) <= LAST_FIT_YEAR
    return table


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """Share of survey figures inside their 90% predictive interval.

    By indicator and by whether the calibration fitted the figure (``fitted``: years up to
    ``LAST_FIT_YEAR``) or not (held out), with the number of figures; the aim is close to
    90%. With ``inside_90_misfit`` in the table, its share too.
    """
    known = table.dropna(subset=["inside_90"])
    if known.empty:
        return pd.DataFrame(columns=["indicator", "figures_used", "figures", "inside_90"])
    grouped = known.assign(used=np.where(known["fitted"], "fitted", "held out")).groupby(
        ["indicator", "used"], sort=False)
    out = grouped["inside_90"].agg(figures="size",
                                   inside_90=lambda x: float(x.astype(float).mean()))
    if "inside_90_misfit" in known:
        out["inside_90_misfit"] = grouped["inside_90_misfit"].agg(
            lambda x: float(x.astype(float).mean()))
    return out.reset_index().rename(columns={"used": "figures_used"})


def survey_se(value_percent, n) -> pd.Series:
    """Sampling standard error (pp) of survey figures in percent on n children (NaN without n).

    ``100 * sqrt(DESIGN_EFFECT * p (1 - p) / n)`` with p as a share.
    """
    p = pd.to_numeric(pd.Series(value_percent), errors="coerce").astype(float) / 100.0
    n = pd.to_numeric(pd.Series(n, index=p.index), errors="coerce").astype(float)
    n = n.where(n > 0)
    return 100.0 * np.sqrt(DESIGN_EFFECT * p * (1.0 - p) / n)


def target_level(row) -> str:
    """The level of a target row: national, area, band, department, department_area, ..."""
    group = str(row["group"])
    area = row.get("area", "total")
    split = not (pd.isna(area) or area == "total")
    if str(row["age_group"]) in BANDS:
        return "band"
    if group == "national":
        return "area" if split else "national"
    if group in ("urban", "rural"):
        return "area"
    for prefix in ("department", "natural_region"):
        if group.startswith(prefix + ":"):
            return f"{prefix}_area" if split else prefix
    if group.startswith("quintile:"):
        return "quintile"
    return "other"


def predictive_interval(table: pd.DataFrame, dispersion: float = 1.0
                        ) -> tuple[pd.Series, pd.Series]:
    """The 90% interval in which the survey would report each figure, by the model.

    The model's 90% interval over runs (parameter draws and chance, or chance alone) and the
    survey's 90% sampling interval (1.645 ``survey_se``) combined in quadrature on each side
    of the model median: the interval of model value plus survey error, treating the two
    as independent and roughly normal. ``dispersion`` multiplies the survey's variance: the
    calibration's phi counts the model's structural misfit as noise of that size (the
    hold-out check of ``model/analysis/holdout.py`` tests it).
    """
    if not dispersion >= 1.0:
        raise ValueError(f"dispersion {dispersion}: allowed >= 1")
    median = table["model_median"].astype(float)
    sampling = Z90 * np.sqrt(dispersion) * table["survey_se"].astype(float)
    below = np.sqrt((median - table["model_p5"].astype(float)) ** 2 + sampling ** 2)
    above = np.sqrt((table["model_p95"].astype(float) - median) ** 2 + sampling ** 2)
    return median - below, median + above


def _inside_90(table: pd.DataFrame, interval: str = "predictive") -> pd.Series:
    """Whether each survey value lies in the ``interval``'s 90% interval (NA when unknown)."""
    value = table["value_percent"].astype(float)
    low, high = table[f"{interval}_p5"], table[f"{interval}_p95"]
    inside = pd.Series((value >= low) & (value <= high), dtype="boolean")
    inside[low.isna() | high.isna()] = pd.NA
    return inside


def mean_absolute_error(table: pd.DataFrame) -> pd.Series:
    """Mean absolute error (percentage points) per indicator, over targets the model reached."""
    return table.dropna(subset=["error"]).groupby("indicator")["error"].apply(
        lambda e: float(e.abs().mean()))


def _ordered(values, order) -> list:
    """The distinct ``values``, those in ``order`` first and in that order."""
    seen = list(dict.fromkeys(values))
    return [v for v in order if v in seen] + [v for v in seen if v not in order]


def fit_by_level(table: pd.DataFrame) -> pd.DataFrame:
    """Fit per indicator and level over the figures the model reached.

    Columns: indicator, level, figures (compared figures), mae (mean absolute error, pp),
    mean_survey_se (pp, over figures with ``n``), share_inside_90 (share of the figures with
    a known ``inside_90``; NaN if none), known_inside (how many that is).
    """
    reached = table.dropna(subset=["error"])
    rows = []
    for indicator in _ordered(reached["indicator"], INDICATORS):
        part = reached[reached["indicator"] == indicator]
        for level in _ordered(part["level"], LEVELS):
            cell = part[part["level"] == level]
            inside = cell["inside_90"].astype("boolean").dropna()
            rows.append({"indicator": indicator, "level": level, "figures": len(cell),
                         "mae": float(cell["error"].abs().mean()),
                         "mean_survey_se": float(cell["survey_se"].mean()),
                         "share_inside_90": float(inside.mean()) if len(inside) else np.nan,
                         "known_inside": len(inside)})
    return pd.DataFrame(rows, columns=["indicator", "level", "figures", "mae", "mean_survey_se",
                                       "share_inside_90", "known_inside"])


def department_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per department x area x indicator: survey and model means over the years.

    Columns: department, area, indicator, age_group, years (survey figures), first_year,
    last_year, survey_mean, model_mean (mean model median over the years the runs reached),
    error (mean of the yearly errors, pp: model_mean - survey_mean when every year was
    reached; NaN if none was), mean_survey_se (pp), share_inside_90.
    """
    columns = ["department", "area", "indicator", "age_group", "years", "first_year",
               "last_year", "survey_mean", "model_mean", "error", "mean_survey_se",
               "share_inside_90"]
    rows = table[table["level"].isin(["department", "department_area"])].copy()
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows["department"] = rows["group"].str.split(":", n=1).str[1].str.strip()
    rows["area"] = rows["area"].fillna("total")
    out = []
    for (department, area, indicator, age), cell in rows.groupby(
            ["department", "area", "indicator", "age_group"], sort=False):
        inside = cell["inside_90"].astype("boolean").dropna()
        out.append({"department": department, "area": area, "indicator": indicator,
                    "age_group": age, "years": len(cell),
                    "first_year": int(cell["year"].min()), "last_year": int(cell["year"].max()),
                    "survey_mean": float(cell["value_percent"].mean()),
                    "model_mean": float(cell["model_median"].mean()),
                    "error": float(cell["error"].mean()),
                    "mean_survey_se": float(cell["survey_se"].mean()),
                    "share_inside_90": float(inside.mean()) if len(inside) else np.nan})
    summary = pd.DataFrame(out, columns=columns)
    summary["_i"] = summary["indicator"].map({k: i for i, k in enumerate(INDICATORS)})
    summary["_a"] = summary["area"].map({"total": 0, "urban": 1, "rural": 2})
    return (summary.sort_values(["_i", "department", "_a"]).drop(columns=["_i", "_a"])
            .reset_index(drop=True))


def anemia_definition_note(definition: str) -> str:
    """A sentence naming the anemia definition behind the model's anemia figures."""
    return f"anemia: {ANEMIA_DEFINITIONS.get(definition, definition)}"


def forecast_against_persistence(table: pd.DataFrame, last_fit_year: int = 2012,
                                 persistence_years: tuple[int, ...] = (2011, 2012)
                                 ) -> pd.DataFrame:
    """Figures after ``last_fit_year``: the model's forecast against naive persistence.

    Persistence forecasts each figure by its own mean over ``persistence_years`` (the same
    indicator, age group, group and area, from the table's fitted years). Returns one row per
    later figure that has such a value: the model error, the persistence error (pp) and
    whether the model is closer. ``table`` is a ``validation_table``.
    """
    key = ["indicator", "age_group", "group", "area"]
    base = table[table["year"].isin(persistence_years)].groupby(key)["value_percent"].mean()
    later = table[(table["year"] > last_fit_year) & table["model_median"].notna()].copy()
    if later.empty:
        return later.assign(persistence=[], model_abs_error=[], persistence_abs_error=[],
                            model_closer=[])
    later["persistence"] = [base.get(tuple(r), np.nan) for r in later[key].itertuples(
        index=False)]
    later = later.dropna(subset=["persistence"])
    later["model_abs_error"] = (later["model_median"] - later["value_percent"]).abs()
    later["persistence_abs_error"] = (later["persistence"] - later["value_percent"]).abs()
    later["model_closer"] = later["model_abs_error"] < later["persistence_abs_error"]
    return later


def forecast_summary(forecast: pd.DataFrame) -> pd.DataFrame:
    """Per indicator and level: figures, model MAE, persistence MAE, the noise floor, wins.

    The noise floor is the mean absolute error a perfect forecast would still have from the
    survey's sampling error alone: sqrt(2 / pi) x the figure's standard error (``survey_se``,
    with the design effect), averaged over the figures that give their sample size.
    """
    if forecast.empty:
        return pd.DataFrame(columns=["indicator", "level", "figures", "model_mae",
                                     "persistence_mae", "noise_floor", "model_closer"])
    floor = np.sqrt(2 / np.pi) * forecast.get("survey_se", pd.Series(np.nan, forecast.index))
    return forecast.assign(noise_floor=floor).groupby(["indicator", "level"], sort=False).agg(
        figures=("model_closer", "size"), model_mae=("model_abs_error", "mean"),
        persistence_mae=("persistence_abs_error", "mean"),
        noise_floor=("noise_floor", "mean"),
        model_closer=("model_closer", "mean")).reset_index()
