"""Coverage on figures held out of the fit: leave a department, or the last years, out.

The calibration fits 23 parameters (and the department terms) to every survey figure up to
``LAST_FIT_YEAR``, so the
validation's coverage of those figures is in-sample. Here each *fold* (one department, all
its figures, total, urban and rural, every year; or the years 2011-2012 of every figure)
is left out and the fit is redone without it, then the fold's figures are predicted:

- **Refit**: one Gauss-Newton step from the fitted point. The fit minimises the loss over
  every figure, so there the training figures' gradient is minus the held-out figures'
  (``J_H' r_H / phi``) and the step that removes it is ``delta = Sigma_T J_H' r_H / phi_T``,
  with ``Sigma_T = gauss_newton_covariance(J_T, phi_T, ranges)`` from the training figures
  (the search range as a weak prior), clipped to the ranges: the usual approximate
  leave-group-out refit. The parameters' variance is the same matrix with the Jacobian's
  Monte Carlo error taken out (the posterior of ``calibrate --posterior``). It is
  linearised, from the Jacobian of ``jacobian_at_fit``, not a new optuna search. (A
  Gauss-Newton step from the fitted point on the training figures'
  own residuals is no substitute: the fitted point is an optuna optimum of a noisy,
  non-linear model, not a stationary point of its linearisation, and that step leaves the
  region where the linearisation holds.)
- **Department terms** (``refit_department_terms``): refitted without the fold by the same
  empirical-Bayes update as ``department_terms.shrink``; a department left out falls back
  to the prior (0, variance tau^2), so its figures are predicted from the mechanisms alone.
- **Prediction** of a held-out figure: the fitted model value moved by the step,
  ``model + s J delta`` (pp), where ``s`` is the figure's standard error (survey plus the
  run's Monte Carlo error, which standardises the residuals).
- **Two 90% predictive intervals**, both from the training figures only:
  ``sampling``: parameters (``s^2 J Sigma_T J'``), chance and the survey's sampling error
  (``s^2``), what ``validate`` combines; ``with misfit``: the same, with the sampling
  part multiplied by the dispersion of the training figures of the same indicator
  (``mean(r_T^2)`` after the step): the model's structural misfit, counted as noise the way
  the calibration's posterior counts it (``phi``).

``coverage`` reports, by fold kind and indicator, the share of held-out figures inside each
interval; the same for all figures in-sample (no fold left out) is the reference.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from model.analysis.calibration import (
    SEARCH_SPACE,
    Jacobian,
    default_point,
    gauss_newton_covariance,
)
from model.analysis.department_terms import TermPrior, figure_terms, load_term_prior
from model.analysis.outputs import OutFolder, write_atomic, write_csv
from model.config import Scenario

Z90 = 1.645
HELD_OUT_YEARS = (2011, 2012)


def parse_figure_id(figure: str) -> dict:
    """The parts of a ``figure_ids`` id: year, indicator, age_group, group, area."""
    words = str(figure).split("@")[0].split(" ")
    return {"year": int(words[0]), "indicator": words[1], "age_group": words[2],
            "group": " ".join(words[3:-1]), "area": words[-1]}


def figure_frame(jacobian: Jacobian) -> pd.DataFrame:
    """The Jacobian's figures with their parts, model and survey values and residuals."""
    if jacobian.base is None:
        raise ValueError("the Jacobian has no base figures (compute it with jacobian_at_fit)")
    parts = pd.DataFrame([parse_figure_id(f) for f in jacobian.figures],
                         index=pd.Index(jacobian.figures, name="figure"))
    base = jacobian.base.reindex(jacobian.figures)
    parts["model"] = base["model"].to_numpy()
    parts["survey"] = base["survey"].to_numpy()
    parts["se"] = np.sqrt(base["variance"].to_numpy())
    parts["residual"] = (parts["model"] - parts["survey"]) / parts["se"]
    return parts


def folds(figures: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
    """The held-out folds, by (kind, name): a boolean mask over ``figures`` per fold.

    ``department``: one per department (its total and area figures, every year; national
    and regional figures, which include it, stay in). ``years``: the figures of
    ``HELD_OUT_YEARS``, every group.
    """
    out = {}
    department = figures["group"].str.startswith("department:")
    for name in sorted(figures.loc[department, "group"].unique()):
        out["department", name.split(":", 1)[1]] = (figures["group"] == name).to_numpy()
    out["years", "-".join(map(str, HELD_OUT_YEARS))] = figures["year"].isin(
        HELD_OUT_YEARS).to_numpy()
    return out


def _ranges(names: list[str]) -> np.ndarray:
    """Width of each parameter's search range."""
    return np.array([SEARCH_SPACE[n][1] - SEARCH_SPACE[n][0] for n in names])


def predict_held_out(jacobian: Jacobian, figures: pd.DataFrame, held: np.ndarray
                     ) -> pd.DataFrame:
    """Refit without the ``held`` figures (one Gauss-Newton step) and predict them.

    Returns the held-out rows of ``figures`` with ``prediction`` (pp), ``parameter_sd``,
    ``sampling_sd`` (survey and chance) and ``misfit_sd`` (sampling times the square root of
    the training dispersion of the figure's indicator), ``phi`` and the two intervals'
    ``inside_sampling`` and ``inside_misfit``. With no figure held out, the training set is
    every figure and the prediction is the fitted model value (the in-sample reference).
    """
    names = list(jacobian.names)
    matrix = jacobian.mean
    residual = figures["residual"].to_numpy()
    train = ~held
    n_train, k = int(train.sum()), len(names)
    if n_train <= k:
        raise ValueError(f"{n_train} training figures for {k} parameters")
    ranges = _ranges(names)
    phi = float((residual[train] ** 2).sum()) / (n_train - k)
    # The posterior of the training fit (the Jacobian's Monte Carlo error taken out, as
    # calibrate --posterior does) gives the parameters' variance; the step itself minimises
    # the linearised loss with the Jacobian as measured (taking the noise out there would
    # enlarge the step along noisy directions and overshoot).
    sigma = gauss_newton_covariance(matrix[train], phi, ranges, _noise(jacobian, train))
    newton = gauss_newton_covariance(matrix[train], phi, ranges)
    # The fitted point minimises the loss over every figure, so the training figures' own
    # gradient there is minus the held-out figures' share: one Newton step removes it.
    step = newton @ (matrix[held].T @ residual[held]) / phi
    point = np.array([default_point()[n] for n in names])
    low = np.array([SEARCH_SPACE[n][0] for n in names])
    step = np.clip(point + step, low, low + ranges) - point
    term_shift, term_var = refit_department_terms(jacobian, held, residual + matrix @ step)
    moved = residual + matrix @ step + term_shift
    dispersion = (pd.Series(moved[train] ** 2, index=figures.index[train])
                  .groupby(figures["indicator"][train]).mean())
    pick = held if held.any() else np.ones(len(figures), bool)
    rows = figures[pick].copy()
    rows["prediction"] = rows["model"] + rows["se"] * (matrix[pick] @ step + term_shift[pick])
    rows["parameter_sd"] = rows["se"] * np.sqrt(np.einsum("fi,ij,fj->f", matrix[pick], sigma,
                                                          matrix[pick]) + term_var[pick])
    rows["sampling_sd"] = rows["se"]
    rows["phi"] = rows["indicator"].map(dispersion).fillna(phi).clip(lower=1.0)
    rows["misfit_sd"] = rows["se"] * np.sqrt(rows["phi"])
    error = (rows["survey"] - rows["prediction"]).abs()
    for kind in ("sampling", "misfit"):
        half = Z90 * np.sqrt(rows["parameter_sd"] ** 2 + rows[f"{kind}_sd"] ** 2)
        rows[f"inside_{kind}"] = error <= half
    return rows


def refit_department_terms(jacobian: Jacobian, held: np.ndarray, residual: np.ndarray,
                           prior: TermPrior | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The department terms refitted without the ``held`` figures: (shift, variance).

    Both per figure, in standardised units: how far the figure moves when its department's
    term is refitted on the training figures alone (``residual``: after the mechanisms'
    step), and the variance the refitted term adds. The refit is ``shrink``'s empirical-Bayes
    update with the fit's tau and phi (``prior``, default the model's
    ``department_terms.csv``): a department left out entirely falls back to the prior, 0
    with variance tau^2, its figures moved as the run with every term at 0 gives them
    (``Jacobian.department_removed``; a linear step where that run is missing); with nothing
    held out, the terms stay and add their posterior variance. Zeros if the Jacobian has no
    department derivatives.
    """
    n = len(jacobian.figures)
    if jacobian.department is None:
        return np.zeros(n), np.zeros(n)
    prior = prior or load_term_prior()
    g = jacobian.department.mean(axis=0)
    block, department = figure_terms(jacobian.figures)
    shift, variance = np.zeros(n), np.zeros(n)
    for b in range(len(prior.tau)):
        for d in range(prior.value.shape[1]):
            mine = (block == b) & (department == d)
            if not mine.any():
                continue
            theta = prior.value[b, d]
            if not (mine & held).any():
                variance[mine] = g[mine] ** 2 * prior.sd[b, d] ** 2
                continue
            train = mine & ~held
            curvature = float((g[train] ** 2).sum())
            tau2 = prior.tau[b] ** 2
            if curvature <= 0 and jacobian.department_removed is not None:
                # the department left out: its figures as the run without the terms gives
                # them (a linear step from the term to 0 misses the threshold's curvature);
                # their spread under the prior from the secant slope between the term and 0
                # where the term is large (near a floor the derivative at the term is flat)
                removed = jacobian.department_removed.mean(axis=0)[mine]
                shift[mine] = removed
                slope = g[mine]
                if abs(theta) > 0.5 * prior.tau[b]:
                    slope = np.where(np.abs(removed / theta) > np.abs(slope), -removed / theta,
                                     slope)
                variance[mine] = slope ** 2 * tau2
                continue
            if curvature <= 0:
                refit, refit_var = 0.0, tau2
            else:
                raw = theta - float((g[train] * residual[train]).sum()) / curvature
                spread = prior.phi[b] / curvature
                weight = tau2 / (tau2 + spread)
                refit, refit_var = raw * weight, spread * weight
            shift[mine] = g[mine] * (refit - theta)
            variance[mine] = g[mine] ** 2 * refit_var
    return shift, variance


def _noise(jacobian: Jacobian, rows: np.ndarray) -> np.ndarray | None:
    """``Jacobian.noise`` over the given rows only (None with one seed)."""
    per_seed = jacobian.per_seed[:, rows, :]
    seeds = len(per_seed)
    if seeds < 2:
        return None
    spread = per_seed - per_seed.mean(axis=0)
    return np.einsum("sfi,sfj->ij", spread, spread) / (seeds * (seeds - 1))


def held_out_predictions(jacobian: Jacobian) -> pd.DataFrame:
    """Every fold's held-out figures with their predictions, plus the in-sample reference.

    Columns of ``predict_held_out`` plus ``kind`` (department, years or in-sample) and
    ``fold`` (the department's name, the years, or "all").
    """
    figures = figure_frame(jacobian)
    parts = [predict_held_out(jacobian, figures, np.zeros(len(figures), bool))
             .assign(kind="in-sample", fold="all")]
    for (kind, name), held in folds(figures).items():
        if not held.any():
            continue  # nothing of this fold among the figures
        parts.append(predict_held_out(jacobian, figures, held).assign(kind=kind, fold=name))
    return pd.concat(parts).reset_index()


def coverage(predictions: pd.DataFrame) -> pd.DataFrame:
    """Share inside each 90% interval by kind of fold and indicator, with the figure count."""
    grouped = predictions.groupby(["kind", "indicator"], sort=False)
    return grouped.agg(figures=("figure", "size"),
                       inside_sampling=("inside_sampling", "mean"),
                       inside_misfit=("inside_misfit", "mean"),
                       mean_abs_error=("prediction", lambda p: float(
                           (p - predictions.loc[p.index, "survey"]).abs().mean()))
                       ).reset_index()


def save_jacobian(jacobian: Jacobian, path, meta: dict) -> None:
    """Write a Jacobian (with its base figures and ``meta``, e.g. seeds and scale) to .npz."""
    extra = {name: getattr(jacobian, name) for name in ("department", "department_removed")
             if getattr(jacobian, name) is not None}
    np.savez_compressed(path, figures=np.array(jacobian.figures),
                        names=np.array(jacobian.names), per_seed=jacobian.per_seed,
                        chi2=jacobian.chi2,
                        base=jacobian.base[["model", "survey", "variance"]].to_numpy(),
                        meta=np.array(repr(sorted(meta.items()))), **extra)


def load_jacobian(path, meta: dict) -> Jacobian | None:
    """The Jacobian saved at ``path`` if it was computed with the same ``meta``, else None."""
    try:
        saved = np.load(path, allow_pickle=False)
        if str(saved["meta"]) != repr(sorted(meta.items())):
            return None
        figures = [str(f) for f in saved["figures"]]
        base = pd.DataFrame(saved["base"], columns=["model", "survey", "variance"],
                            index=pd.Index(figures, name="figure"))
        return Jacobian(figures=figures, names=[str(n) for n in saved["names"]],
                        per_seed=saved["per_seed"], chi2=saved["chi2"], base=base,
                        department=saved["department"] if "department" in saved else None,
                        department_removed=(saved["department_removed"]
                                            if "department_removed" in saved else None))
    except (OSError, KeyError, ValueError):
        return None


def holdout_job(spec: Scenario, targets: pd.DataFrame, target_files: list, seeds: int,
                workers: int, folder: OutFolder,
                on_run: Callable[[int, int], None] | None = None) -> tuple[pd.DataFrame, list]:
    """Held-out predictions and their coverage, written to ``folder.out``; return both.

    The Jacobian of the fit (``seeds`` x 24 runs at ``spec``'s scale, ``on_run(done,
    total)`` after each) is reused from jacobian.npz when seeds, scale, code and target
    files match, else computed and saved there. Writes holdout.csv and
    holdout_coverage.csv, then finishes the folder.
    """
    from model.analysis.calibration import jacobian_at_fit
    from model.analysis.experiments import model_source_digest

    out = folder.out
    meta = {"seeds": seeds, "scale": spec.scale, "code": model_source_digest(),
            "targets": sorted(str(t) for t in target_files)}
    jacobian = load_jacobian(out / "jacobian.npz", meta)
    if jacobian is None:
        jacobian = jacobian_at_fit(spec, targets, seeds=list(range(1, seeds + 1)),
                                   scale=spec.scale, workers=workers, on_run=on_run,
                                   department_terms=True)
        write_atomic(out / "jacobian.npz", lambda path: save_jacobian(jacobian, path, meta))
    predictions = held_out_predictions(jacobian)
    written = [write_csv(predictions, out / "holdout.csv")]
    covered = coverage(predictions)
    written.append(write_csv(covered, out / "holdout_coverage.csv"))
    folder.finish()
    return covered, written
