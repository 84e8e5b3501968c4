"""The hold-out check: a linearised refit without a fold, and coverage of its predictions.

Synthetic Jacobians with the calibration's parameter names: residuals drawn with a known
spread, so the share of held-out figures inside a 90% interval has a known expectation and
a binomial standard error.
"""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.app import app
from model.analysis.calibration import SEARCH_SPACE, Jacobian
from model.analysis.holdout import (
    coverage,
    held_out_predictions,
    load_jacobian,
    parse_figure_id,
    save_jacobian,
)

NAMES = list(SEARCH_SPACE)
RANGES = np.array([SEARCH_SPACE[n][1] - SEARCH_SPACE[n][0] for n in NAMES])
DEPARTMENTS = [f"D{j:02d}" for j in range(20)]


def synthetic(residual_sd: float, seed: int = 3, exact_shift: np.ndarray | None = None
              ) -> Jacobian:
    """20 departments x 30 figures; residuals ~ N(0, residual_sd) or J @ exact_shift."""
    rng = np.random.default_rng(seed)
    figures = [f"{year} stunting 0-59m department:{d} {area}"
               for d in DEPARTMENTS for year in range(2003, 2013)
               for area in ("total", "urban", "rural")]
    matrix = rng.normal(size=(len(figures), len(NAMES))) / RANGES
    per_seed = np.stack([matrix, matrix])  # two seeds that agree: no Monte Carlo error
    if exact_shift is None:
        residual = rng.normal(scale=residual_sd, size=len(figures))
    else:
        residual = matrix @ exact_shift
    base = pd.DataFrame({"model": residual, "survey": 0.0, "variance": 1.0},
                        index=pd.Index(figures, name="figure"))
    return Jacobian(figures=figures, names=NAMES, per_seed=per_seed,
                    chi2=np.full(2, float((residual ** 2).sum())), base=base)


def test_figure_id_with_spaces_in_the_department():
    assert parse_figure_id("2010 anemia 6-35m department:MADRE DE DIOS rural") == {
        "year": 2010, "indicator": "anemia", "age_group": "6-35m",
        "group": "department:MADRE DE DIOS", "area": "rural"}


def test_the_refit_is_the_exact_leave_out_fit_of_a_linear_model():
    # Residuals of a model fitted to every figure (orthogonal to the Jacobian's columns): for
    # a linear model, one Newton step is the exact refit without the held-out department,
    # computed here independently as a least-squares problem (the prior as extra rows).
    jacobian = synthetic(1.0)
    matrix = jacobian.mean
    noise = jacobian.base["model"].to_numpy()
    fitted = noise - matrix @ np.linalg.lstsq(matrix, noise, rcond=None)[0]
    jacobian = jacobian._replace(base=jacobian.base.assign(model=fitted))
    predictions = held_out_predictions(jacobian)
    one = predictions[(predictions["kind"] == "department") & (predictions["fold"] == "D07")]
    held = np.isin(jacobian.figures, one["figure"])
    train = ~held
    phi = float((fitted[train] ** 2).sum()) / (train.sum() - len(NAMES))
    rows = np.vstack([matrix[train] / np.sqrt(phi), np.diag(np.sqrt(12.0) / RANGES)])
    target = np.concatenate([-fitted[train] / np.sqrt(phi), np.zeros(len(NAMES))])
    step = np.linalg.lstsq(rows, target, rcond=None)[0]
    np.testing.assert_allclose(one["prediction"].to_numpy(),
                               fitted[held] + matrix[held] @ step, rtol=1e-6, atol=1e-9)
    # Left out, the department is predicted worse than it was fitted.
    assert (one["prediction"] - one["survey"]).abs().mean() > np.abs(fitted[held]).mean()


def _share_inside(predictions: pd.DataFrame, column: str) -> float:
    held = predictions[predictions["kind"] == "department"]
    return float(held[column].mean())


def test_coverage_is_about_90_percent_when_the_noise_is_the_sampling_error():
    predictions = held_out_predictions(synthetic(1.0))
    se = np.sqrt(0.9 * 0.1 / 600)
    assert abs(_share_inside(predictions, "inside_sampling") - 0.90) < 3 * se


def test_misfit_beyond_sampling_is_caught_and_the_dispersion_restores_coverage():
    # Residuals twice the sampling error: the sampling interval covers about 59%
    # (P(|z| < 1.645 / 2)); widened by the training figures' dispersion, about 90%.
    predictions = held_out_predictions(synthetic(2.0))
    se = np.sqrt(0.9 * 0.1 / 600)
    assert _share_inside(predictions, "inside_sampling") < 0.70
    assert abs(_share_inside(predictions, "inside_misfit") - 0.90) < 3 * se
    table = coverage(predictions)
    assert set(table["kind"]) == {"in-sample", "department", "years"}


def test_a_saved_jacobian_is_reused_only_with_the_same_settings(tmp_path):
    jacobian = synthetic(1.0)
    path = tmp_path / "jacobian.npz"
    save_jacobian(jacobian, path, {"seeds": 2, "scale": 25.0})
    again = load_jacobian(path, {"seeds": 2, "scale": 25.0})
    assert again is not None
    np.testing.assert_array_equal(again.per_seed, jacobian.per_seed)
    pd.testing.assert_frame_equal(again.base, jacobian.base)
    assert load_jacobian(path, {"seeds": 3, "scale": 25.0}) is None
    assert load_jacobian(tmp_path / "missing.npz", {}) is None


def test_each_fold_holds_out_its_own_figures_only():
    predictions = held_out_predictions(synthetic(1.0))
    years = predictions[predictions["kind"] == "years"]
    assert sorted(years["year"].unique()) == [2011, 2012] and len(years) == 120
    departments = predictions[predictions["kind"] == "department"]
    assert (departments["group"] == "department:" + departments["fold"]).all()
    assert departments.groupby("fold").size().eq(30).all()


@pytest.mark.parametrize("args, message", [
    (["--seeds", "1"], "--seeds 1: allowed 2-100"),
    (["--workers", "0"], "--workers 0: allowed 1-"),
    (["--scale", "0.5"], "--scale 0.5: allowed 1-10000"),
])
def test_bad_options_exit_2_before_any_work(tmp_path, args, message):
    out = tmp_path / "out"
    outcome = CliRunner().invoke(app, ["holdout", *args, "--out", str(out)])
    assert outcome.exit_code == 2, outcome.output
    assert message in " ".join(outcome.output.split())
    assert not out.exists()
