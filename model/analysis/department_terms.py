"""The department terms: what the model's mechanisms leave unexplained between departments.

The mechanisms (poverty, rurality, schooling, altitude, water, programs...) explain much of
Peru's geography but not all of it: fitted on them alone, Huancavelica's stunting came out
35% against 52% measured, Puno's 32% against 23%, Tacna's 14% against 3%. Whatever makes
those differences (diets, care practices, mothers' height, how the survey measured) is not
in the evidence table, so the model carries it as two *calibrated department terms* per
department, fitted to the department figures up to ``LAST_FIT_YEAR`` and shrunk towards 0:

* ``haz_falter_department[d]``: extra z lost per month in 0-23 months (stunting and severe
  stunting figures of department d, total, urban and rural);
* ``hb_department_shift[d]``: g/dL added to every child's Hb (its anemia figures).

They are an empirical-Bayes random effect, fitted after the mechanisms (whose 23 numbers
stay at their fit):

1. *Derivatives.* A department's figures respond to its own terms only, so one run with
   every term moved by a step (per seed, common random numbers) gives all 50 derivatives.
2. *Unshrunk estimate.* Per department and block, with standardised residuals ``r`` (model
   minus survey over the survey-plus-chance standard error, ``survey_fit.residuals``) and
   derivatives ``g``: ``theta_hat = theta - g'r / g'g``, variance ``v = phi / g'g``, where
   ``phi`` is the block's dispersion (its chi-square over figures minus terms, at least 1:
   the residual scatter within departments that the terms cannot remove).
3. *Shrinkage.* The terms' spread across departments, ``tau^2 = max(0, mean(theta_hat^2) -
   mean(v))`` (method of moments, prior mean 0), and the posterior of each term,
   ``theta = theta_hat tau^2 / (tau^2 + v)`` with variance ``v tau^2 / (tau^2 + v)``. A
   department measured on few children moves less than one measured on many.
4. Repeat from the new terms (stunting is a threshold of a z-score: the model is not linear).

The result (``DepartmentFit``) is a table a row per department, written as
``model/data/department_terms.csv`` (the model's defaults read it) by ``python run.py
calibrate --departments``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.analysis.fit_runs import run_all
from model.analysis.search_space import default_point
from model.analysis.survey_fit import fit_targets
from model.config import Scenario
from model.defaults import DEFAULTS, DEPARTMENT_ORDER

# The two blocks: parameter, the indicators its figures carry, the finite-difference step.
BLOCKS = {
    "haz_falter_department": (("stunting", "severe_stunting"), 0.005),  # z a month
    "hb_department_shift": (("anemia",), 0.25),                        # g/dL
}
TERM_COLUMNS = ["department", *BLOCKS]


@dataclass
class DepartmentFit:
    """The fitted terms, their posterior sd and the fit's summary.

    ``table``: a row per department (``DEPARTMENT_ORDER``): each block's term, its sd
    (``<block>_sd``), the number of figures behind it (``<block>_figures``), and the
    block's spread across departments and dispersion (``<block>_tau``, ``<block>_phi``,
    repeated on every row).
    ``summary``: a row per block and iteration: tau, phi and the chi-square of the block's
    department figures at the start of the iteration.
    """

    table: pd.DataFrame
    summary: pd.DataFrame


def flat_terms(terms: dict) -> dict[str, float]:
    """Two department-term tuples as the flat ``name[i]`` values ``run_once`` takes."""
    return {f"{block}[{i}]": float(value) for block, values in terms.items()
            for i, value in enumerate(values)}


def figure_terms(figures: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """For each figure id, the term that moves it: (block index, department index).

    The block indexes ``BLOCKS``, the department ``DEPARTMENT_ORDER``; both are -1 for
    national, area and age-band figures.
    """
    block_of = {ind: b for b, (inds, _) in enumerate(BLOCKS.values()) for ind in inds}
    place = {name: i for i, name in enumerate(DEPARTMENT_ORDER)}
    block = np.full(len(figures), -1)
    department = np.full(len(figures), -1)
    for i, figure in enumerate(figures):
        words = str(figure).split("@")[0].split(" ")
        group = " ".join(words[3:-1])
        if group.startswith("department:") and words[1] in block_of:
            block[i] = block_of[words[1]]
            department[i] = place.get(group.split(":", 1)[1], -1)
    block[department < 0] = -1
    return block, department


def moved_terms() -> dict[str, float]:
    """Every department term of the defaults moved by its block's step (flat names)."""
    return flat_terms({block: np.asarray(getattr(DEFAULTS, block), dtype=float) + step
                       for block, (_, step) in BLOCKS.items()})


def removed_terms() -> dict[str, float]:
    """Every department term at 0 (flat names): the model with its mechanisms alone."""
    return flat_terms({block: np.zeros(len(DEPARTMENT_ORDER)) for block in BLOCKS})


def term_steps(figures: Sequence[str]) -> np.ndarray:
    """The step of the term that moves each figure (nan where none does)."""
    block, _ = figure_terms(figures)
    steps = np.array([step for _, step in BLOCKS.values()])
    return np.where(block >= 0, steps[np.maximum(block, 0)], np.nan)


@dataclass(frozen=True)
class TermPrior:
    """The fitted department terms as the holdout needs them, from ``department_terms.csv``.

    ``value`` and ``sd``: blocks x departments; ``tau`` and ``phi``: one per block (the
    spread across departments, and the dispersion the fit used).
    """

    value: np.ndarray
    sd: np.ndarray
    tau: np.ndarray
    phi: np.ndarray


def load_term_prior(path=None) -> TermPrior:
    """The terms of ``path`` (default: the model's ``department_terms.csv``).

    ValueError naming the missing columns if the file lacks the sd, tau or phi that
    ``calibrate --departments`` writes (a holdout without them would keep each left-out
    department's own terms: an in-sample check posing as a held-out one).
    """
    from model.defaults import DEPARTMENT_TERMS_CSV
    path = path or DEPARTMENT_TERMS_CSV
    table = pd.read_csv(path)
    missing = [f"{block}_{part}" for block in BLOCKS for part in ("sd", "tau", "phi")
               if f"{block}_{part}" not in table]
    if missing:
        raise ValueError(f"{path}: no column {', '.join(missing)}; allowed: the file "
                         "python run.py calibrate --departments writes")
    return TermPrior(value=np.array([table[b].to_numpy(float) for b in BLOCKS]),
                     sd=np.array([table[f"{b}_sd"].to_numpy(float) for b in BLOCKS]),
                     tau=np.array([float(table[f"{b}_tau"].iloc[0]) for b in BLOCKS]),
                     phi=np.array([float(table[f"{b}_phi"].iloc[0]) for b in BLOCKS]))


def department_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Department figures of a ``survey_fit.reached_figures`` table, with department, block.

    Adds ``department`` (its index in ``DEPARTMENT_ORDER``) and ``block`` (the term that moves
    the figure); national, area and age-band figures are left out.
    """
    block, department = figure_terms(list(figures.index))
    keep = block >= 0
    out = figures[keep].copy()
    out["department"] = department[keep]
    out["block"] = np.array(list(BLOCKS))[block[keep]]
    return out


def shrink(theta: np.ndarray, gradient: np.ndarray, curvature: np.ndarray, phi: float
           ) -> tuple[np.ndarray, np.ndarray, float]:
    """One empirical-Bayes update of a block's terms (one entry per department).

    ``gradient`` = ``g'r`` and ``curvature`` = ``g'g`` per department (standardised units).
    Returns the shrunk terms, their posterior sd and tau. Departments without figures
    (``curvature`` 0) keep the prior: 0 with sd tau.
    """
    measured = curvature > 0
    safe = np.where(measured, curvature, 1.0)
    theta_hat = np.where(measured, theta - gradient / safe, 0.0)
    variance = phi / safe
    tau2 = max(0.0, float(np.mean(theta_hat[measured] ** 2) - np.mean(variance[measured])))
    weight = np.where(measured, tau2 / (tau2 + variance), 0.0)
    posterior_var = np.where(measured, variance * weight, tau2)
    return theta_hat * weight, np.sqrt(posterior_var), float(np.sqrt(tau2))


def fit_department_terms(scenario: Scenario, targets: pd.DataFrame,
                         seeds: Sequence[int] = (1, 2, 3, 4), scale: float = 25,
                         iterations: int = 3, workers: int = 2,
                         on_run: Callable[[int, int], None] | None = None) -> DepartmentFit:
    """Fit the department terms of both blocks to the department figures up to 2012.

    Each iteration runs ``scenario`` once per seed at the current terms and once with every
    term moved by its step (``len(seeds) x 2`` runs at ``scale``, on ``workers`` processes),
    then applies ``shrink`` per block. Starts from the terms in the defaults.
    """
    fitted = fit_targets(targets)
    last_year = int(fitted["year"].max())
    mechanisms = default_point()
    terms = {block: np.asarray(getattr(DEFAULTS, block), dtype=float) for block in BLOCKS}
    summary = []
    sd = {block: np.zeros(len(DEPARTMENT_ORDER)) for block in BLOCKS}
    counts: dict[str, np.ndarray] = {}
    tau_of: dict[str, float] = {}
    for iteration in range(iterations):
        moved = {block: terms[block] + step for block, (_, step) in BLOCKS.items()}
        jobs = {}
        for seed in seeds:
            spec = scenario.model_copy(update={"seed": int(seed), "scale": float(scale)})
            jobs[seed, "base"] = (spec, {**mechanisms, **flat_terms(terms)}, last_year, fitted)
            jobs[seed, "moved"] = (spec, {**mechanisms, **flat_terms(moved)}, last_year, fitted)
        runs = run_all(jobs, workers, on_run)
        base = _mean_figures([runs[seed, "base"] for seed in seeds])
        shifted = _mean_figures([runs[seed, "moved"] for seed in seeds]).reindex(base.index)
        frame = department_figures(base)
        se = np.sqrt(frame["variance"])
        frame["r"] = (frame["model"] - frame["survey"]) / se
        frame["g"] = (shifted.loc[frame.index, "model"] - frame["model"]) / se / frame[
            "block"].map({b: s for b, (_, s) in BLOCKS.items()})
        for block in BLOCKS:
            part = frame[frame["block"] == block]
            size = len(DEPARTMENT_ORDER)
            gradient = np.bincount(part["department"], part["g"] * part["r"], minlength=size)
            curvature = np.bincount(part["department"], part["g"] ** 2, minlength=size)
            chi2 = float((part["r"] ** 2).sum())
            n_terms = int((curvature > 0).sum())
            phi = max(1.0, chi2 / max(1, len(part) - n_terms))
            terms[block], sd[block], tau = shrink(terms[block], gradient, curvature, phi)
            tau_of[block] = tau
            counts[block] = np.bincount(part["department"], minlength=len(DEPARTMENT_ORDER))
            summary.append({"iteration": iteration + 1, "block": block, "figures": len(part),
                            "chi2_before": chi2, "phi": phi, "tau": tau})
    table = pd.DataFrame({"department": list(DEPARTMENT_ORDER)})
    last = pd.DataFrame(summary).groupby("block").last()
    for block in BLOCKS:
        table[block] = terms[block]
        table[f"{block}_sd"] = sd[block]
        table[f"{block}_figures"] = counts[block]
        table[f"{block}_tau"] = tau_of[block]
        table[f"{block}_phi"] = float(last.loc[block, "phi"])
    return DepartmentFit(table=table, summary=pd.DataFrame(summary))


def _mean_figures(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Figures of several runs (seeds) averaged, on the figures all of them reached."""
    common = parts[0].index
    for part in parts[1:]:
        common = common.intersection(part.index)
    return pd.DataFrame({column: np.mean([p.loc[common, column] for p in parts], axis=0)
                         for column in ("model", "survey", "variance")}, index=common)


def terms_table(fit: DepartmentFit) -> pd.DataFrame:
    """The table in the format ``model/defaults.py`` reads, rounded to 6 significant digits.

    Department and the two terms first, then their sds, figure counts, tau and phi.
    """
    columns = TERM_COLUMNS + [c for c in fit.table.columns if c not in TERM_COLUMNS]
    table = fit.table[columns].copy()
    for column in columns[1:]:
        if table[column].dtype.kind == "f":
            table[column] = [float(f"{v:.6g}") for v in table[column]]
    return table
