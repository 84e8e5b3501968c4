"""Calibration (optuna, resumable) and validation against survey targets."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model.analysis.targets import load_targets, metric_and_group
from model.config import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SHORT = ("name: short\nstart: 2006-01\nmonths: 30\nscale: 50\n"
         "geography:\n  departments: [TUMBES]\ninclude: [params.yaml]\n")
TARGETS = ("year,indicator,age_group,group,value_percent,source\n"
           "2007,stunting,0-59m,national,20.0,test\n"
           "2007,anemia,6-35m,national,50.0,test\n"
           "2007,anemia,9-11m,national,60.0,test\n")


def cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "short.yaml").write_text(SHORT)
    (tmp_path / "params.yaml").write_text("parameters:\n  haz_falter_base: 0.01\n")
    (tmp_path / "targets.csv").write_text(TARGETS)
    return tmp_path


def test_targets_map_to_model_series():
    table = load_targets(ROOT / "model" / "data" / "calibration_targets.csv")
    mapped = {metric_and_group(row) for _, row in table.iterrows()}
    assert ("stunting", "national") in mapped and ("anemia", "national") in mapped
    assert ("anemia_6_59m", "national") in mapped and ("anemia", "age:9-11m") in mapped


def test_bad_targets_are_refused(files):
    bad = files / "bad.csv"
    bad.write_text(TARGETS.replace("6-35m", "3-4m"))
    with pytest.raises(ScenarioError, match="age_group"):
        load_targets(bad)
    bad.write_text("year,value\n2000,1\n")
    with pytest.raises(ScenarioError, match="missing columns"):
        load_targets(bad)
    proc = cli("validate", "--targets", bad, "--scenario", files / "short.yaml")
    assert proc.returncode == 2 and "missing columns" in proc.stderr


def test_included_parameters_reach_the_scenario(files):
    scenario = load_scenario(files / "short.yaml")
    assert scenario.parameters["haz_falter_base"] == 0.01
    (files / "params.yaml").write_text("parameters:\n  haz_magic: 1\n")
    with pytest.raises(ScenarioError, match="haz_magic"):
        load_scenario(files / "short.yaml")


def test_validate_writes_the_table_the_chart_and_the_errors(files):
    out = files / "val"
    # short.yaml covers Tumbes only: its figures are Tumbes', and a national one is not
    # Tumbes' (validate leaves the national rows out)
    regional = files / "tumbes.csv"
    regional.write_text(TARGETS + "2007,stunting,0-59m,department:TUMBES,15.0,test\n"
                                  "2007,anemia,6-35m,department:TUMBES,45.0,test\n")
    proc = cli("validate", "--scenario", files / "short.yaml", "--targets", regional,
               "--replicates", 2, "--workers", 2, "--out", out)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "validation.csv")
    assert set(table.group) == {"department:TUMBES"}
    assert len(table) == 2 and table.runs.eq(2).all()
    assert (table.model_p5 <= table.model_median).all() and (
        table.model_median <= table.model_p95).all()
    assert (table.error == table.model_median - table.value_percent).all()
    assert "mean absolute error, stunting" in proc.stderr
    assert (out / "validation.png").stat().st_size > 10_000


def test_calibration_fits_writes_and_resumes(files):
    out = files / "cal"
    proc = cli("calibrate", files / "short.yaml", "--targets", files / "targets.csv",
               "--trials", 2, "--scale", 100, "--out", out)
    assert proc.returncode == 0, proc.stderr
    fitted = pd.read_csv(out / "fitted.csv")
    assert {"parameter", "default", "fitted", "range_low", "range_high"} <= set(fitted.columns)
    assert ((fitted.fitted >= fitted.range_low) & (fitted.fitted <= fitted.range_high)).all()
    written = yaml.safe_load((out / "calibrated.yaml").read_text())
    # tuple parameters are fitted element by element ("x[0]") and written whole ("x")
    assert set(written["parameters"]) == {name.split("[")[0] for name in fitted.parameter}
    assert len(written["parameters"]["non_iron_share_by_region"]) == 3
    again = cli("calibrate", files / "short.yaml", "--targets", files / "targets.csv",
                "--trials", 3, "--scale", 100, "--out", out)
    assert again.returncode == 0 and "after 3 trials" in " ".join(again.stderr.split())
    refined = cli("calibrate", files / "short.yaml", "--targets", files / "targets.csv",
                  "--trials", 3, "--refine", 2, "--scale", 100, "--out", out)
    assert refined.returncode == 0 and "after 5 trials" in " ".join(refined.stderr.split())


def test_the_loss_weighs_each_figure_by_its_sampling_error():
    from model.analysis.survey_fit import loss
    results = pd.DataFrame({
        "date": ["2010-07"] * 4, "metric": ["stunting", "children"] * 2,
        "group": ["department:TUMBES", "department:TUMBES", "national", "national"],
        "value": [30.0, 1e6, 30.0, 1e6]})
    def target(group, n):
        return pd.DataFrame([{"year": 2010, "indicator": "stunting", "age_group": "0-59m",
                              "group": group, "area": "total", "value_percent": 25.0,
                              "n": n}])
    small, large = loss(results, target("department:TUMBES", 150), scale=1.0), loss(
        results, target("national", 9000), scale=1.0)
    # the same 5-point error: chi-square = 25 / (1e4 x 2 x 0.25 x 0.75 / n + model variance),
    # the model variance being 1e4 x 0.3 x 0.7 / 1e6 simulated children
    assert np.isclose(small, 25 / (2 * 1875 / 150 + 0.0021), rtol=1e-6)
    assert large > 30 * small


def test_replicate_trials_command_writes_the_table(tmp_path):
    proc = cli("replicate-trials", "--replicates", 1, "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(tmp_path / "trials.csv")
    assert {"trial", "outcome", "published", "simulated_median", "agrees"} <= set(table.columns)
    assert len(table) == 6
    assert "| trial |" in (tmp_path / "trials.md").read_text()


def test_the_loss_is_the_sum_of_the_squared_residuals(files):
    from model.analysis.fit_runs import run_once
    from model.analysis.survey_fit import fit_targets, loss, residuals
    from model.analysis.targets import model_values
    targets = fit_targets(load_targets(files / "targets.csv"))
    results = run_once(load_scenario(files / "short.yaml"), {}, last_year=2007)
    res = residuals(results, targets, scale=50)
    assert list(res.index) == ["2007 stunting 0-59m national total",
                               "2007 anemia 6-35m national total",
                               "2007 anemia 9-11m national total"]
    assert np.isclose((res ** 2).sum(), loss(results, targets, scale=50), rtol=1e-12)
    assert (res != 0).all()
    # with given variances only the model values come from the run
    ones = pd.Series(1.0, index=res.index[:2])
    raw = residuals(results, targets, scale=50, variance=ones)
    assert list(raw.index) == list(res.index[:2])
    values = model_values(results, targets)
    gaps = values["model"].to_numpy() - targets.loc[values["target"], "value_percent"].to_numpy()
    assert np.allclose(raw, gaps[:2]) and (np.sign(res) == np.sign(gaps)).all()
    later = targets.assign(year=2030)
    assert residuals(results, later, scale=50).empty and loss(results, later, 50) == np.inf


def test_the_stored_posterior_matches_the_search_space_and_the_defaults():
    from model.analysis.posterior import load_posterior
    from model.analysis.search_space import SEARCH_SPACE, default_point
    post = load_posterior()
    assert post.names == list(SEARCH_SPACE)
    assert np.allclose(post.mean, list(default_point().values()), rtol=0, atol=1e-9)
    assert post.cov.shape == (23, 23) and np.array_equal(post.cov, post.cov.T)
    np.linalg.cholesky(post.cov)  # positive definite
    widths = np.array([high - low for low, high in SEARCH_SPACE.values()])
    # the range's prior alone gives range / sqrt(12); the figures can only narrow it
    assert (post.sd > 0).all() and (post.sd <= widths / np.sqrt(12) * (1 + 1e-9)).all()
    assert post.phi > 1 and post.n_figures == 929


def test_gauss_newton_covariance_on_a_linear_problem(tmp_path):
    from model.analysis.calibration import (
        SEARCH_SPACE,
        Posterior,
        finite_difference_steps,
        gauss_newton_covariance,
        load_posterior,
    )
    rng = np.random.default_rng(3)
    jac = rng.normal(size=(200, 3)) * [1.0, 10.0, 0.1]
    phi, ranges = 2.5, np.array([0.5, 0.02, 3.0])
    closed = np.linalg.inv(jac.T @ jac / phi + np.diag(12 / ranges ** 2))
    assert np.allclose(gauss_newton_covariance(jac, phi, ranges), closed, rtol=1e-10, atol=0)
    # with wide ranges it is the least-squares covariance: check it by simulation
    wide = gauss_newton_covariance(jac, phi, np.full(3, 1e6))
    noise = rng.normal(scale=np.sqrt(phi), size=(4000, 200))
    estimates = np.linalg.lstsq(jac, noise.T, rcond=None)[0].T
    assert np.allclose(np.cov(estimates.T), wide, rtol=0.1, atol=0.05 * np.sqrt(
        np.outer(np.diag(wide), np.diag(wide))).max())
    with pytest.raises(ValueError, match="phi"):
        gauss_newton_covariance(jac, 0.0, ranges)
    # steps go backward at the top of a range; a saved posterior reads back; a bad one fails
    point = {name: high for name, (low, high) in SEARCH_SPACE.items()}
    assert all(step < 0 for step in finite_difference_steps(point).values())
    names = list(SEARCH_SPACE)[:3]
    post = Posterior(names, np.array([0.0, 0.8, 0.05]), closed, phi, 200)
    post.save(tmp_path / "post.csv")
    back = load_posterior(tmp_path / "post.csv")
    assert back.names == names and np.array_equal(back.cov, closed) and back.phi == phi
    table = pd.read_csv(tmp_path / "post.csv")
    assert list(table.columns) == ["parameter", "mean", "low", "high", "phi", "n_figures",
                                   *names]
    table.loc[0, names[1]] += 1.0
    table.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="not symmetric"):
        load_posterior(tmp_path / "bad.csv")


def test_monte_carlo_error_is_taken_out_of_the_jacobian():
    from model.analysis.posterior import Jacobian, gauss_newton_covariance
    rng = np.random.default_rng(5)
    jac = rng.normal(size=(300, 3))
    jac[:, 2] = jac[:, 1] + 0.02 * rng.normal(size=300)  # a weakly identified direction
    phi, ranges = 1.0, np.array([1.0, 2.0, 2.0])
    # a given noise is subtracted from J'J (here it leaves J'J - noise positive definite)
    small = 0.01 * np.eye(3)
    closed = np.linalg.inv(jac.T @ jac - small + np.diag(12 / ranges ** 2))
    assert np.allclose(gauss_newton_covariance(jac, phi, ranges, small), closed, rtol=1e-10)
    # seeds whose Jacobians carry Monte Carlo error: the plain mean looks better identified
    # than the truth; the seeds' disagreement puts most of the lost spread back
    seeds = jac + 0.3 * rng.normal(size=(4, 300, 3))
    noisy = Jacobian(figures=[str(i) for i in range(300)], names=["a", "b", "c"],
                     per_seed=seeds, chi2=np.zeros(4))
    truth = np.sqrt(np.diag(gauss_newton_covariance(jac, phi, ranges)))
    plain = np.sqrt(np.diag(gauss_newton_covariance(noisy.mean, phi, ranges)))
    fixed = np.sqrt(np.diag(gauss_newton_covariance(noisy.mean, phi, ranges, noisy.noise)))
    assert plain[2] < 0.7 * truth[2]  # although the error is 2% of each column's norm
    assert np.all(np.abs(np.log(fixed / truth)) < 0.15)
    assert np.allclose(noisy.noise, 0.3 ** 2 * 300 / 4 * np.eye(3), rtol=0.15, atol=3)
    assert noisy.noise_share()[0] < 0.1


def test_posterior_option_refuses_bad_input(tmp_path):
    proc = cli("calibrate", "--posterior", "--out", tmp_path / "post.txt")
    assert proc.returncode == 2 and "allowed: a .csv file path" in proc.stderr
    assert not (tmp_path / "post.txt").exists()


def test_the_split_modules_stay_importable_from_calibration_without_a_circle():
    import model.analysis.calibration as calibration
    assert all(hasattr(calibration, name) for name in calibration.__all__)
    # department terms need the runs, not the study: importing them leaves calibration out
    code = ("import sys, model.analysis.department_terms, model.analysis.posterior; "
            "assert 'model.analysis.calibration' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
