"""The joint uncertainty of the calibrated parameters: a Gauss-Newton (Laplace) posterior.

Around the fit (the defaults): the Jacobian of the standardised residuals by finite
differences (``jacobian_at_fit``), the model's misfit counted as extra noise (the
quasi-likelihood dispersion ``phi = chi-square / (figures - parameters)``), and the search
range as a weak prior (``gauss_newton_covariance``). Stored in ``POSTERIOR_FILE``
(``Posterior.save``, ``load_posterior``). See docs/calibration_posterior.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from model.analysis.department_terms import moved_terms, removed_terms, term_steps
from model.analysis.fit_runs import run_all
from model.analysis.search_space import SEARCH_SPACE, at_bound, default_point
from model.analysis.survey_fit import figure_ids, fit_targets
from model.config import Scenario

# The covariance of the fitted parameters (posterior_covariance, load_posterior).
POSTERIOR_FILE = Path(__file__).resolve().parents[1] / "data" / "calibration_posterior.csv"
# Finite-difference step of the Jacobian, as a share of each parameter's search range.
STEP_SHARE = 0.03
# A posterior sd above this share of the search range: the figures add less precision than
# the range's own prior (12 / range^2), so the parameter is poorly identified by them. The
# prior alone gives 1 / sqrt(12) = 28.9% of the range, the most any sd can be.
POORLY_IDENTIFIED = 1 / np.sqrt(24)


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


def _jacobian_jobs(scenario: Scenario, fitted: pd.DataFrame, seeds: Sequence[int],
                   scale: float, steps: dict[str, float], department_terms: bool) -> dict:
    """The runs of ``jacobian_at_fit`` by ``(seed, what moved)``: ``None`` for none."""
    last_year = int(fitted["year"].max())
    point = default_point()
    jobs = {}
    for seed in seeds:
        spec = scenario.model_copy(update={"seed": int(seed), "scale": float(scale)})
        jobs[seed, None] = (spec, point, last_year, fitted)
        for name in SEARCH_SPACE:
            jobs[seed, name] = (spec, {**point, name: point[name] + steps[name]}, last_year,
                                fitted)
        if department_terms:
            jobs[seed, "department terms"] = (spec, {**point, **moved_terms()}, last_year,
                                              fitted)
            jobs[seed, "no department terms"] = (spec, {**point, **removed_terms()},
                                                 last_year, fitted)
    return jobs


def _department_columns(runs: dict, bases: list, seeds: Sequence[int], figures: list,
                        spread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``Jacobian.department`` and ``Jacobian.department_removed`` from the runs."""
    step = term_steps(figures)

    def change(key: str, s: int, seed: int) -> np.ndarray:
        return (runs[seed, key]["model"].reindex(figures).to_numpy()
                - bases[s].loc[figures, "model"].to_numpy()) / spread

    department = np.stack([np.nan_to_num(change("department terms", s, seed) / step)
                           for s, seed in enumerate(seeds)])
    removed = np.stack([np.where(np.isnan(step), 0.0, np.nan_to_num(
        change("no department terms", s, seed))) for s, seed in enumerate(seeds)])
    return department, removed


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
    fitted = fit_targets(targets)
    ids = figure_ids(fitted)
    if not ids.is_unique:
        raise ValueError(f"targets give figure {ids[ids.duplicated()].iloc[0]!r} twice "
                         "(combine the tables with combine_targets)")
    if len(seeds) < 2 or len(set(seeds)) < len(seeds):
        raise ValueError(f"seeds {tuple(seeds)}: allowed two or more different seeds (their "
                         "disagreement measures the Jacobian's Monte Carlo error)")
    names = list(SEARCH_SPACE)
    steps = finite_difference_steps(default_point())
    runs = run_all(_jacobian_jobs(scenario, fitted, seeds, scale, steps, department_terms),
                   workers, on_run)
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
        department, removed = _department_columns(runs, bases, seeds, figures, spread)
    return Jacobian(figures=figures, names=names, per_seed=per_seed, chi2=chi2, base=base,
                    department=department, department_removed=removed)


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
