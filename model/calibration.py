"""Fitting the parameters marked ``calibrated`` to survey targets with optuna.

Loss: a chi-square. Each survey figure p (a share) measured on n children has the sampling
variance of a clustered binomial, ``DESIGN_EFFECT * p (1 - p) / n``; the model's figure has
its own Monte Carlo variance ``m (1 - m) / k`` from the k simulated children behind it. The
loss is the sum over figures of ``(m - p)^2 / (both variances)``, so a department of 150
children counts far less than the nation, and a figure the run reaches with few simulated
children counts less too. Figures without ``n`` (the national series of
``calibration_targets.csv``) get the sample sizes of ``ASSUMED_N``.

The study is stored in SQLite, so a calibration started again with the same folder goes on
from its trials. Only figures up to ``LAST_FIT_YEAR`` are fitted: later years are kept
apart to judge the forecast.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import optuna
import pandas as pd

from model.config import Scenario, validate_scenario
from model.defaults import DEFAULTS
from model.model import ECDModel
from model.targets import metric_and_group, model_values

# ENDES is a clustered sample; SOURCES.md (section 9) says to allow a design effect of about
# 1.5-2. We take the upper end: it widens every survey interval.
DESIGN_EFFECT = 2.0
# Figures without a sample size: ENDES national samples of 2009-2012 (about 9,500 children
# 0-59 m measured for height and 4,500 aged 6-35 m for Hb; endes_departments_2009_2012.csv).
# ASSUMPTION for the 2000 and 2007 rounds; 0-59 m anemia uses the height sample.
ASSUMED_N = {"stunting": 9500, "severe_stunting": 9500, "anemia": 4500}
LAST_FIT_YEAR = 2012

# Parameters fitted, with their search ranges. Each is marked "calibrated" in defaults.py.
# A name "x[i]" is element i of the tuple parameter x.
SEARCH_SPACE = {
    "haz_birth_mean": (-0.6, 0.2),           # A3: below 0 at birth
    "haz_birth_sd": (0.6, 1.0),               # A6: population SD
    "haz_innovation_sd": (0.03, 0.09),        # A5-A6: tracking, < 5% recover a month
    "haz_birth_unskilled_shift": (-0.8, 0.0),  # E2: newborn care, no effect size
    "haz_falter_base": (0.0, 0.03),           # z per month, 0-23 m
    "haz_falter_poor": (0.0, 0.04),
    "haz_falter_rural": (0.0, 0.04),
    "haz_falter_schooling[0]": (0.0, 0.12),   # no schooling (A10 gradient)
    "haz_falter_schooling[1]": (0.0, 0.09),   # primary
    "haz_falter_schooling[2]": (0.0, 0.04),   # secondary (higher: 0)
    "haz_falter_per_km_altitude": (0.0, 0.012),
    "schooling_trend_sd_per_year": (0.0, 0.1),  # no schooling series: fitted to the trend
    "hb_iron_gap_deficit": (0.8, 3.0),        # g/dL at a complete iron gap
    "iron_gap_poor": (0.0, 0.4),
    "iron_gap_rural": (0.0, 0.3),
    "hb_infection_drop": (0.1, 0.8),          # B12: infection OR 1.6
    "hb_altitude_rise_per_km": (0.6, 1.4),    # B13: about 1.07
    "hb_altitude_south_factor": (0.4, 1.0),   # B13: smaller rise in Puno and Cusco
    "hb_non_iron_drop": (0.2, 2.0),           # B15
    "non_iron_share_by_region[0]": (0.0, 0.3),  # Costa
    "non_iron_share_by_region[1]": (0.0, 0.3),  # Sierra (B15: 3.3% altitude-free anemia)
    "non_iron_share_by_region[2]": (0.05, 0.6),  # Selva (B15: 13.5%, most non-iron anemia)
    "vaccine_diarrhoea_rr": (0.5, 1.0),       # E3 gives coverage only
}


def _element(name: str) -> tuple[str, int | None]:
    """``("x", 2)`` for a search-space name ``"x[2]"``, ``("x", None)`` for ``"x"``."""
    if "[" not in name:
        return name, None
    base, index = name[:-1].split("[")
    return base, int(index)


def as_parameters(flat: dict[str, float]) -> dict:
    """Search-space values -> scenario parameters (``x[i]`` entries folded into tuples)."""
    out: dict = {}
    for name, value in flat.items():
        base, index = _element(name)
        if index is None:
            out[base] = float(value)
        else:
            current = list(out.get(base, getattr(DEFAULTS, base)))
            current[index] = float(value)
            out[base] = tuple(current)
    return out


def default_point() -> dict[str, float]:
    """The search-space values of the current defaults."""
    point = {}
    for name in SEARCH_SPACE:
        base, index = _element(name)
        value = getattr(DEFAULTS, base)
        point[name] = float(value if index is None else value[index])
    return point


def fit_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """The figures the calibration fits: years up to LAST_FIT_YEAR, with a sample size."""
    table = targets[targets["year"] <= LAST_FIT_YEAR].copy()
    n = table["n"] if "n" in table else pd.Series(np.nan, index=table.index)
    table["n"] = n.fillna(table["indicator"].map(ASSUMED_N))
    return table


def run_once(scenario: Scenario, parameters: dict, last_year: int | None = None) -> pd.DataFrame:
    """Results of one run of ``scenario`` with ``parameters`` overriding its own.

    With ``last_year`` the run stops at the end of July of that year (the last survey date
    needed).
    """
    body = scenario.model_dump(mode="json")
    body["parameters"] = {**body.get("parameters", {}), **as_parameters(parameters)}
    model = ECDModel(validate_scenario(body, source=f"calibration of {scenario.name}"))
    months = model.scenario.months
    if last_year is not None:
        months = min(months, last_year * 12 + 6 - model.start_index + 1)
    for _ in range(months):
        model.step()
    return model.results()


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


def loss(results: pd.DataFrame, targets: pd.DataFrame, scale: float | None = None) -> float:
    """Chi-square of the run against the figures it reached (inf if it reached none)."""
    values = model_values(results, targets)
    if values.empty:
        return float("inf")
    if scale is not None:
        results = results.assign(scale=scale)
    merged = figure_variances(results, targets, values)
    merged = merged[merged["children"] > 0]
    if merged.empty:
        return float("inf")
    chi = (merged["model"] - merged["value_percent"]) ** 2 / (merged["survey_var"]
                                                              + merged["model_var"])
    return float(chi.sum())


def calibrate(scenario: Scenario, targets: pd.DataFrame, out: Path, trials: int,
              seed: int = 1, on_trial=None, refine: int = 0) -> optuna.Study:
    """Run (or resume) the optuna study in ``out/study.db`` until it has ``trials`` trials.

    TPE explores the whole search space; with ``refine`` > 0, that many more trials follow
    with CMA-ES started at the best point so far (a local search in the 0-1 scaled space,
    initial step 0.1), which TPE does poorly in 20 dimensions.
    """
    out.mkdir(parents=True, exist_ok=True)
    fitted = fit_targets(targets)
    last_year = int(fitted["year"].max())
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name=f"calibrate-{scenario.name}",
                                storage=f"sqlite:///{out / 'study.db'}", load_if_exists=True,
                                direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True))
    if not study.trials:  # start from the current defaults
        study.enqueue_trial(default_point())

    def objective(trial: optuna.Trial) -> float:
        parameters = {name: trial.suggest_float(name, low, high)
                      for name, (low, high) in SEARCH_SPACE.items()}
        return loss(run_once(scenario, parameters, last_year), fitted, scale=scenario.scale)

    def complete() -> int:
        return len([t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE])

    callbacks = [lambda study, trial: on_trial(study, trial)] if on_trial else []
    if complete() < trials:
        study.optimize(objective, n_trials=trials - complete(), callbacks=callbacks)
    if refine and complete() < trials + refine:
        study = optuna.load_study(
            study_name=study.study_name, storage=f"sqlite:///{out / 'study.db'}",
            sampler=optuna.samplers.CmaEsSampler(x0=study.best_params, sigma0=0.1, seed=seed))
        study.optimize(objective, n_trials=trials + refine - complete(), callbacks=callbacks)
    return study


def fitted_table(study: optuna.Study) -> pd.DataFrame:
    """Each fitted parameter: default, fitted value, search range and whether at a bound."""
    best = study.best_params
    defaults = default_point()
    rows = []
    for name, (low, high) in SEARCH_SPACE.items():
        margin = 0.02 * (high - low)
        at_bound = ("low" if best[name] - low < margin else "high" if high - best[name] < margin
                    else "")
        rows.append({"parameter": name, "default": defaults[name], "fitted": best[name],
                     "range_low": low, "range_high": high, "at_bound": at_bound})
    return pd.DataFrame(rows)
