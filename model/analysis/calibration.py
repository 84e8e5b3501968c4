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

The joint uncertainty of the fitted values is a Gauss-Newton (Laplace) approximation around
the fit (``posterior_covariance``, stored in ``POSTERIOR_FILE``): the Jacobian of the
standardised residuals by finite differences, the model's misfit counted as extra noise (the
quasi-likelihood dispersion ``phi = chi-square / (figures - parameters)``), and the search
range as a weak prior. See docs/calibration_posterior.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import optuna
import pandas as pd

from model.analysis.experiments import end_pool, new_pool
from model.analysis.targets import metric_and_group, model_values
from model.config import Scenario, validate_scenario
from model.defaults import DEFAULTS
from model.model import ECDModel

# ENDES is a clustered sample; SOURCES.md (section 9) says to allow a design effect of about
# 1.5-2. We take the upper end: it widens every survey interval.
DESIGN_EFFECT = 2.0
# Figures without a sample size: ENDES national samples of 2009-2012 (about 9,500 children
# 0-59 m measured for height and 4,500 aged 6-35 m for Hb; endes_departments_2009_2012.csv).
# ASSUMPTION for the 2000 and 2007 rounds; 0-59 m anemia uses the height sample.
ASSUMED_N = {"stunting": 9500, "severe_stunting": 9500, "anemia": 4500}
LAST_FIT_YEAR = 2012
# The covariance of the fitted parameters (posterior_covariance, load_posterior).
POSTERIOR_FILE = Path(__file__).resolve().parents[1] / "data" / "calibration_posterior.csv"
# Finite-difference step of the Jacobian, as a share of each parameter's search range.
STEP_SHARE = 0.03
# A posterior sd above this share of the search range: the figures add less precision than
# the range's own prior (12 / range^2), so the parameter is poorly identified by them. The
# prior alone gives 1 / sqrt(12) = 28.9% of the range, the most any sd can be.
POORLY_IDENTIFIED = 1 / np.sqrt(24)

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


def _figures(results: pd.DataFrame, targets: pd.DataFrame,
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
    figures = _figures(results, targets, scale)
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
        with warnings.catch_warnings():  # optuna 4.9 deprecates x0 and sigma0, still valid
            warnings.simplefilter("ignore", FutureWarning)
            sampler = optuna.samplers.CmaEsSampler(x0=study.best_params, sigma0=0.1, seed=seed)
        study = optuna.load_study(study_name=study.study_name,
                                  storage=f"sqlite:///{out / 'study.db'}", sampler=sampler)
        study.optimize(objective, n_trials=trials + refine - complete(), callbacks=callbacks)
    return study


def fitted_table(study: optuna.Study) -> pd.DataFrame:
    """Each fitted parameter: default, fitted value, search range and whether at a bound."""
    best = study.best_params
    defaults = default_point()
    rows = []
    for name, (low, high) in SEARCH_SPACE.items():
        rows.append({"parameter": name, "default": defaults[name], "fitted": best[name],
                     "range_low": low, "range_high": high,
                     "at_bound": at_bound(best[name], low, high)})
    return pd.DataFrame(rows)


def at_bound(value: float, low: float, high: float) -> str:
    """``"low"`` or ``"high"`` within 2% of the range from that end, else ``""``."""
    margin = 0.02 * (high - low)
    return "low" if value - low < margin else "high" if high - value < margin else ""


def gauss_newton_covariance(jacobian: np.ndarray, phi: float, ranges: np.ndarray,
                            noise: np.ndarray | None = None) -> np.ndarray:
    """``inv(J' J / phi + diag(12 / ranges^2))``: the Gauss-Newton posterior covariance.

    Args:
        jacobian: figures x parameters, the derivative of each standardised residual (model
            minus survey over its standard error) with respect to each parameter.
        phi: the dispersion: the residual variance left once the parameters are fitted (1 if
            the model fitted the surveys up to their sampling error; larger, the misfit is
            counted as extra noise).
        ranges: width of each parameter's search range. ``12 / range^2`` is the precision of
            a uniform distribution over the range: a weak prior that only keeps directions
            the figures do not identify from getting an unbounded variance.
        noise: parameters x parameters, the expected ``E' E`` of the Jacobian's Monte Carlo
            error ``E`` (``Jacobian.noise``). A noisy Jacobian overstates ``J' J`` by about
            that much, so it is subtracted, and the negative part of the difference (noise
            that looks like information) is dropped: ``J' J`` becomes
            ``pos(J' J - noise)``, eigenvalues below 0 set to 0 in range-scaled units.

    The matrix is inverted in range-scaled units (each parameter divided by its range),
    where it is well conditioned, through its Cholesky factor.
    """
    jacobian = np.asarray(jacobian, dtype=float)
    ranges = np.asarray(ranges, dtype=float)
    if jacobian.ndim != 2 or jacobian.shape[1] != len(ranges):
        raise ValueError(f"jacobian of shape {jacobian.shape} for {len(ranges)} ranges")
    if not (phi > 0 and np.all(ranges > 0)):
        raise ValueError(f"phi {phi} and every range must be > 0")
    scaled = jacobian * ranges
    information = scaled.T @ scaled
    if noise is not None:
        values, vectors = np.linalg.eigh(information - np.asarray(noise) * np.outer(ranges,
                                                                                    ranges))
        information = (vectors * np.clip(values, 0, None)) @ vectors.T
    precision = information / phi + 12.0 * np.eye(len(ranges))
    factor_inverse = np.linalg.inv(np.linalg.cholesky(precision))
    covariance = (factor_inverse.T @ factor_inverse) * np.outer(ranges, ranges)
    return (covariance + covariance.T) / 2


@dataclass
class Posterior:
    """A normal approximation of the calibrated parameters' joint distribution.

    Centred at the fitted values (``mean``, the defaults) with covariance ``cov`` (in the
    parameters' own units, in ``names`` order): the parameter sets the survey figures cannot
    tell apart once the model's misfit, the dispersion ``phi``, is counted as noise
    (``n_figures`` figures fitted). Local (Gauss-Newton around the best fit); it does not
    cover structural error.
    """

    names: list[str]
    mean: np.ndarray
    cov: np.ndarray
    phi: float
    n_figures: int

    @property
    def sd(self) -> np.ndarray:
        """Posterior standard deviation of each parameter."""
        return np.sqrt(np.diag(self.cov))

    def correlation(self) -> pd.DataFrame:
        """The correlation matrix, labelled by parameter."""
        sd = self.sd
        return pd.DataFrame(self.cov / np.outer(sd, sd), index=self.names, columns=self.names)

    def strongest_correlations(self, top: int = 5) -> pd.DataFrame:
        """The ``top`` pairs of parameters with the largest absolute correlation."""
        corr = self.correlation().to_numpy()
        rows = [(self.names[i], self.names[j], corr[i, j])
                for i in range(len(self.names)) for j in range(i + 1, len(self.names))]
        pairs = pd.DataFrame(rows, columns=["parameter", "with", "correlation"])
        order = pairs["correlation"].abs().sort_values(ascending=False, kind="stable").index
        return pairs.loc[order[:top]].reset_index(drop=True)

    def table(self) -> pd.DataFrame:
        """The summary table, a row per parameter.

        Fitted value, sd (also as % of its search range), 90% interval (fitted +/- 1.645 sd,
        clipped to the range), the range, whether the fit is at a bound and whether the
        parameter is poorly identified (``POORLY_IDENTIFIED``).
        """
        rows = []
        for name, value, sd in zip(self.names, self.mean, self.sd):
            low, high = SEARCH_SPACE[name]
            rows.append({"parameter": name, "fitted": value, "sd": sd,
                         "sd_pct_range": 100 * sd / (high - low),
                         "low_90": max(low, value - 1.645 * sd),
                         "high_90": min(high, value + 1.645 * sd),
                         "range_low": low, "range_high": high,
                         "at_bound": at_bound(value, low, high),
                         "poorly_identified": bool(sd > POORLY_IDENTIFIED * (high - low))})
        return pd.DataFrame(rows)

    def save(self, path: Path) -> None:
        """Write one CSV, a row per parameter.

        Columns ``parameter, mean, low, high, phi, n_figures`` (low, high: the search range;
        phi and n_figures repeated on every row), then one column per parameter holding the
        covariance matrix.
        """
        frame = pd.DataFrame({"parameter": self.names, "mean": self.mean,
                              "low": [SEARCH_SPACE[name][0] for name in self.names],
                              "high": [SEARCH_SPACE[name][1] for name in self.names],
                              "phi": self.phi, "n_figures": self.n_figures})
        cov = pd.DataFrame(self.cov, columns=self.names)
        pd.concat([frame, cov], axis=1).to_csv(path, index=False)


POSTERIOR_COLUMNS = ["parameter", "mean", "low", "high", "phi", "n_figures"]


def load_posterior(path: Path = POSTERIOR_FILE) -> Posterior:
    """Read a file written by ``Posterior.save``.

    ValueError naming the problem if the columns are not those, or the covariance is not
    symmetric and positive definite.
    """
    table = pd.read_csv(path)
    names = [str(name) for name in table.get("parameter", [])]
    if list(table.columns) != POSTERIOR_COLUMNS + names:
        raise ValueError(f"{path}: columns must be {', '.join(POSTERIOR_COLUMNS)} and then one "
                         "per parameter, in the rows' order")
    cov = table[names].to_numpy(dtype=float)
    if np.abs(cov - cov.T).max() > 1e-12 * np.abs(cov).max():
        raise ValueError(f"{path}: the covariance is not symmetric")
    try:
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError(f"{path}: the covariance is not positive definite") from None
    return Posterior(names=names, mean=table["mean"].to_numpy(dtype=float), cov=cov,
                     phi=float(table["phi"].iloc[0]), n_figures=int(table["n_figures"].iloc[0]))


def finite_difference_steps(point: dict[str, float]) -> dict[str, float]:
    """The finite-difference step of each parameter at ``point``.

    ``STEP_SHARE`` of its range; backward (negative) where the forward step would leave it.
    """
    steps = {}
    for name, (low, high) in SEARCH_SPACE.items():
        step = STEP_SHARE * (high - low)
        steps[name] = step if point[name] + step <= high else -step
    return steps


class Jacobian(NamedTuple):
    """Finite-difference Jacobian of the standardised residuals at the fitted point."""

    figures: list[str]      # figure ids (rows)
    names: list[str]        # parameters (columns)
    per_seed: np.ndarray    # seeds x figures x parameters
    chi2: np.ndarray        # the loss at the fitted point, per seed
    # The fitted point's figures (rows as ``figures``): model (mean over the seeds), survey,
    # variance (survey plus Monte Carlo, pp^2, mean over the seeds); the residuals'
    # standardisation. None where only the derivatives were kept.
    base: pd.DataFrame | None = None
    # seeds x figures: the derivative of each standardised residual with respect to its own
    # department's term (``department_terms.figure_terms``; 0 for other figures). None
    # unless asked for.
    department: np.ndarray | None = None
    # seeds x figures: how far each standardised residual moves when every department term
    # is set to 0 (a run, not a linear step: stunting is a threshold). None unless asked for.
    department_removed: np.ndarray | None = None

    @property
    def mean(self) -> np.ndarray:
        """The Jacobian averaged over the seeds."""
        return self.per_seed.mean(axis=0)

    @property
    def noise(self) -> np.ndarray:
        """Unbiased estimate of ``E' E`` for the Monte Carlo error ``E`` of ``mean``.

        From the seeds' disagreement: ``sum_s (J_s - mean)' (J_s - mean) / (S (S - 1))``
        over S seeds. Common random numbers do not remove this error: a parameter that
        changes how many random numbers a month draws (illness, for one) shifts every later
        draw of that stream.
        """
        spread = self.per_seed - self.mean
        seeds = len(self.per_seed)
        return np.einsum("sfi,sfj->ij", spread, spread) / (seeds * (seeds - 1))

    def noise_share(self) -> np.ndarray:
        """Share of each column's squared norm in ``mean`` that is Monte Carlo error."""
        return np.diag(self.noise) / (self.mean ** 2).sum(axis=0)


def _run_figures(job: tuple) -> pd.DataFrame:
    """``_figures`` of one run: (scenario, parameters, last_year, targets)."""
    scenario, parameters, last_year, targets = job
    return _figures(run_once(scenario, parameters, last_year), targets, scenario.scale)


def jacobian_at_fit(scenario: Scenario, targets: pd.DataFrame, seeds: Sequence[int] = (1, 2),
                    scale: float = 25, workers: int = 2,
                    on_run: Callable[[int, int], None] | None = None,
                    department_terms: bool = False) -> Jacobian:
    """The Jacobian of the residuals at ``default_point()`` by forward finite differences.

    For each seed, one run at the fitted point and one per parameter moved by its step
    (``finite_difference_steps``), all with that seed (common random numbers); the
    differences are averaged over the seeds. The residuals of every run are standardised by
    the fitted point's variances (survey plus Monte Carlo, averaged over the seeds), so only
    the model values change. ``targets`` as for ``calibrate`` (figures up to
    ``LAST_FIT_YEAR`` are used); runs stop in July of the last year fitted. ``on_run(done,
    total)`` is called after each run. With ``department_terms``, two more runs per seed:
    every department term moved by its step (``Jacobian.department``) and every term at 0
    (``Jacobian.department_removed``).
    """
    from model.analysis.department_terms import moved_terms, removed_terms, term_steps

    fitted = fit_targets(targets)
    ids = figure_ids(fitted)
    if not ids.is_unique:
        raise ValueError(f"targets give figure {ids[ids.duplicated()].iloc[0]!r} twice "
                         "(combine the tables with combine_targets)")
    if len(seeds) < 2 or len(set(seeds)) < len(seeds):
        raise ValueError(f"seeds {tuple(seeds)}: allowed two or more different seeds (their "
                         "disagreement measures the Jacobian's Monte Carlo error)")
    last_year = int(fitted["year"].max())
    point, names = default_point(), list(SEARCH_SPACE)
    steps = finite_difference_steps(point)
    jobs = {}
    for seed in seeds:
        spec = scenario.model_copy(update={"seed": int(seed), "scale": float(scale)})
        jobs[seed, None] = (spec, point, last_year, fitted)
        for name in names:
            jobs[seed, name] = (spec, {**point, name: point[name] + steps[name]}, last_year,
                                fitted)
        if department_terms:
            jobs[seed, "department terms"] = (spec, {**point, **moved_terms()}, last_year,
                                              fitted)
            jobs[seed, "no department terms"] = (spec, {**point, **removed_terms()},
                                                 last_year, fitted)
    runs = _run_all(jobs, workers, on_run)
    bases = [runs[seed, None] for seed in seeds]
    figures = [i for i in bases[0].index if all(i in base.index for base in bases)]
    chi2 = np.array([float(((base["model"] - base["survey"]) ** 2 / base["variance"]).sum())
                     for base in bases])
    spread = np.sqrt(np.mean([base.loc[figures, "variance"] for base in bases], axis=0))
    per_seed = np.zeros((len(seeds), len(figures), len(names)))
    for s, seed in enumerate(seeds):
        for j, name in enumerate(names):
            moved = runs[seed, name]["model"].reindex(figures)
            if moved.isna().any():
                raise ValueError(f"the run with {name} moved did not reach figure "
                                 f"{moved[moved.isna()].index[0]!r}")
            per_seed[s, :, j] = (moved.to_numpy() - bases[s].loc[figures, "model"].to_numpy()
                                 ) / steps[name] / spread
    base = pd.DataFrame({
        "model": np.mean([b.loc[figures, "model"] for b in bases], axis=0),
        "survey": bases[0].loc[figures, "survey"].to_numpy(),
        "variance": spread ** 2}, index=pd.Index(figures, name="figure"))
    department = removed = None
    if department_terms:
        step = term_steps(figures)

        def change(key: str, s: int, seed: int) -> np.ndarray:
            return (runs[seed, key]["model"].reindex(figures).to_numpy()
                    - bases[s].loc[figures, "model"].to_numpy()) / spread

        department = np.stack([np.nan_to_num(change("department terms", s, seed) / step)
                               for s, seed in enumerate(seeds)])
        removed = np.stack([np.where(np.isnan(step), 0.0, np.nan_to_num(
            change("no department terms", s, seed))) for s, seed in enumerate(seeds)])
    return Jacobian(figures=figures, names=names, per_seed=per_seed, chi2=chi2, base=base,
                    department=department, department_removed=removed)


def _run_all(jobs: dict, workers: int, on_run: Callable[[int, int], None] | None) -> dict:
    """``_run_figures`` of every job (serially with one worker), by key."""
    out = {}
    if workers <= 1:
        for done, (key, job) in enumerate(jobs.items(), 1):
            out[key] = _run_figures(job)
            if on_run:
                on_run(done, len(jobs))
        return out
    pool = new_pool(workers)  # workers die with this process
    try:
        futures = {pool.submit(_run_figures, job): key for key, job in jobs.items()}
        for done, future in enumerate(as_completed(futures), 1):
            out[futures[future]] = future.result()
            if on_run:
                on_run(done, len(jobs))
    except BaseException:  # Ctrl-C or a failed run: cancel the rest, end the workers now
        end_pool(pool)
        raise
    pool.shutdown()
    return out


def posterior_from_jacobian(jacobian: Jacobian) -> Posterior:
    """The Gauss-Newton posterior at ``default_point()`` from its Jacobian.

    The dispersion is ``phi = chi-square / (figures - parameters)`` with the chi-square at
    the fitted point averaged over the seeds: the model's misfit, beyond the surveys'
    sampling error, treated as extra noise that widens every interval by ``sqrt(phi)``.
    The Jacobian's Monte Carlo error, measured by the seeds' disagreement, is taken out of
    ``J' J`` (``gauss_newton_covariance``'s ``noise``).
    """
    n, k = len(jacobian.figures), len(jacobian.names)
    if n <= k:
        raise ValueError(f"{n} figures matched; the covariance of {k} parameters needs more "
                         f"than {k}")
    phi = float(jacobian.chi2.mean()) / (n - k)
    ranges = np.array([SEARCH_SPACE[name][1] - SEARCH_SPACE[name][0] for name in jacobian.names])
    point = default_point()
    return Posterior(names=list(jacobian.names),
                     mean=np.array([point[name] for name in jacobian.names]),
                     cov=gauss_newton_covariance(jacobian.mean, phi, ranges, jacobian.noise),
                     phi=phi, n_figures=n)


def posterior_covariance(scenario: Scenario, targets: pd.DataFrame,
                         seeds: Sequence[int] = (1, 2), scale: float = 25, workers: int = 2,
                         on_run: Callable[[int, int], None] | None = None) -> Posterior:
    """The Gauss-Newton (Laplace) posterior of the calibrated parameters at the defaults.

    ``Sigma = inv(J' J / phi + diag(12 / range^2))`` with ``J`` from ``jacobian_at_fit``
    (``len(seeds) x 24`` runs of ``scenario`` at ``scale``, on ``workers`` processes; its
    Monte Carlo error, from the seeds' disagreement, taken out of ``J' J``) and the
    dispersion ``phi = chi-square / (figures - 23)``: the model's misfit is counted as extra
    noise. The search range enters as a weak prior (a uniform's variance). Mean: the fitted
    values.
    """
    return posterior_from_jacobian(jacobian_at_fit(scenario, targets, seeds, scale, workers,
                                                   on_run))
