"""The calibrated department terms: what they move, how they are shrunk, how the holdout
and the draws treat them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.analysis.department_terms import (
    TermPrior,
    department_figures,
    figure_terms,
    shrink,
)
from model.analysis.draws import distribution_table, names
from model.analysis.holdout import refit_department_terms
from model.analysis.posterior import Jacobian
from model.analysis.search_space import SEARCH_SPACE
from model.defaults import DEFAULTS, DEPARTMENT_ORDER
from tests.conftest import make_model

PUNO, TACNA = DEPARTMENT_ORDER.index("PUNO"), DEPARTMENT_ORDER.index("TACNA")


def _terms_with(block: str, department: int, value: float) -> tuple:
    values = list(getattr(DEFAULTS, block))
    values[department] = value
    return tuple(values)


def _run(parameters: dict, months: int = 18):
    model = make_model(scale=60, months=months, seed=5,
                       geography={"departments": ["PUNO", "TACNA"]},
                       parameters=parameters)
    for _ in range(months):
        model.step()
    return model


def test_a_department_term_moves_its_department_only():
    base = _run({})
    falter = _terms_with("haz_falter_department", PUNO,
                         DEFAULTS.haz_falter_department[PUNO] + 0.03)
    hb = _terms_with("hb_department_shift", PUNO, DEFAULTS.hb_department_shift[PUNO] - 1.0)
    moved = _run({"haz_falter_department": falter, "hb_department_shift": hb})
    kids_base, kids_moved = base.children, moved.children
    puno = np.asarray(base.geography.department)[base.households.district[
        kids_base.household]] == "PUNO"
    alive = kids_base.age_months >= 0
    # Tacna's children are untouched, draw for draw
    np.testing.assert_array_equal(kids_base.haz[~puno & alive], kids_moved.haz[~puno & alive])
    np.testing.assert_array_equal(kids_base.hb[~puno & alive], kids_moved.hb[~puno & alive])
    # Puno's children are shorter (they falter more in 0-23 m) and have less Hb
    young = puno & alive & (kids_base.age_months < 24)
    assert kids_moved.haz[young].mean() < kids_base.haz[young].mean() - 0.1
    assert kids_moved.hb[puno & alive].mean() < kids_base.hb[puno & alive].mean() - 0.5


def test_shrinkage_pulls_noisy_departments_harder_and_unmeasured_ones_to_zero():
    theta = np.zeros(4)
    # unshrunk estimates: theta - gradient / curvature = 1, 1, -1 and none
    curvature = np.array([100.0, 4.0, 100.0, 0.0])
    gradient = -np.array([1.0, 1.0, -1.0, 0.0]) * curvature
    value, sd, tau = shrink(theta, gradient, curvature, phi=1.0)
    # tau^2 = mean(1, 1, 1) - mean(0.01, 0.25, 0.01) = 0.91
    assert np.isclose(tau ** 2, 1 - (0.01 + 0.25 + 0.01) / 3)
    assert np.isclose(value[0], 0.91 / 0.92) and np.isclose(value[1], 0.91 / 1.16)
    assert value[1] < value[0] and np.isclose(value[2], -value[0])
    assert value[3] == 0 and np.isclose(sd[3], tau)
    # no spread beyond the noise: every term goes to 0
    value, _, tau = shrink(theta, np.array([-0.1, 0.1, 0.0, 0.0]), np.ones(4), phi=1.0)
    assert tau == 0 and np.all(value == 0)


def test_figures_map_to_their_department_and_block():
    ids = ["2010 stunting 0-59m department:MADRE DE DIOS rural",
           "2011 anemia 6-35m department:PUNO total",
           "2011 severe_stunting 0-59m department:TACNA urban",
           "2009 stunting 0-59m national total", "2018 anemia 6-8m national total"]
    block, department = figure_terms(ids)
    assert list(block) == [0, 1, 0, -1, -1]
    assert list(department) == [DEPARTMENT_ORDER.index("MADRE DE DIOS"), PUNO, TACNA, -1, -1]
    frame = department_figures(pd.DataFrame({"model": 1.0, "survey": 1.0, "variance": 1.0},
                                            index=ids))
    assert list(frame["block"]) == ["haz_falter_department", "hb_department_shift",
                                    "haz_falter_department"]


def _jacobian(figures, residual, g):
    base = pd.DataFrame({"model": residual, "survey": 0.0, "variance": 1.0},
                        index=pd.Index(figures, name="figure"))
    matrix = np.zeros((len(figures), len(SEARCH_SPACE)))
    return Jacobian(figures=figures, names=list(SEARCH_SPACE), per_seed=np.stack([matrix] * 2),
                    chi2=np.zeros(2), base=base, department=np.stack([g, g]))


def test_a_department_left_out_falls_back_to_the_prior():
    figures = [f"{y} stunting 0-59m department:PUNO total" for y in (2009, 2010)] + [
        f"{y} stunting 0-59m department:TACNA total" for y in (2009, 2010)]
    g = np.array([2.0, 2.0, 3.0, 3.0])
    value = np.zeros((2, len(DEPARTMENT_ORDER)))
    value[0, PUNO], value[0, TACNA] = -0.5, 0.25
    prior = TermPrior(value=value, sd=np.full(value.shape, 0.1), tau=np.array([0.4, 0.2]),
                      phi=np.array([1.0, 1.0]))
    residual = np.array([0.3, -0.1, 0.2, 0.0])
    jacobian = _jacobian(figures, residual, g)
    held = np.array([True, True, False, False])
    shift, variance = refit_department_terms(jacobian, held, residual, prior)
    # Puno, all its figures out: its term returns to 0 (the figures move by -g theta) and
    # carries the prior's variance; Tacna keeps its term and its posterior variance
    np.testing.assert_allclose(shift, [1.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(variance, [4 * 0.16, 4 * 0.16, 9 * 0.01, 9 * 0.01])
    # one year of Puno held out: refitted from the other year, shrunk by tau^2 / (tau^2 + v)
    held = np.array([True, False, False, False])
    shift, _ = refit_department_terms(jacobian, held, residual, prior)
    raw = -0.5 - 2.0 * (-0.1) / 4.0
    refit = raw * 0.16 / (0.16 + 1 / 4.0)
    np.testing.assert_allclose(shift[:2], 2.0 * (refit + 0.5))


def test_draws_include_the_department_terms_with_their_posterior_sd():
    table = distribution_table().set_index("parameter")
    name = f"haz_falter_department[{PUNO}]"
    assert name in names()
    row = table.loc[name]
    assert "PUNO" in row["basis"] and row["p5"] < DEFAULTS.haz_falter_department[PUNO] < row[
        "p95"]


def test_a_scenario_can_set_some_departments_terms_by_name():
    from model.config import ScenarioError, validate_scenario
    scenario = validate_scenario({"name": "x", "parameters": {
        "hb_department_shift": {"Junín": 0.5, "puno": -0.2}}}, source="test")
    values = scenario.parameters["hb_department_shift"]
    assert values[DEPARTMENT_ORDER.index("JUNIN")] == 0.5
    assert values[PUNO] == -0.2
    assert values[TACNA] == DEFAULTS.hb_department_shift[TACNA]  # the others keep theirs
    for bad, words in (({"Atlantis": 0.5}, "unknown department 'Atlantis'"),
                       ({"PUNO": 9}, "for PUNO = 9: allowed a number from -5 to 5"),
                       ({"PUNO": "x"}, "for PUNO")):
        try:
            validate_scenario({"name": "x", "parameters": {"hb_department_shift": bad}},
                              source="test")
        except ScenarioError as err:
            assert words in str(err), str(err)
        else:
            raise AssertionError(f"{bad} accepted")


def test_a_department_left_out_is_predicted_by_the_run_without_its_terms():
    # Stunting is a threshold: the run with the terms at 0 (Jacobian.department_removed),
    # not a linear step from the term, gives the left-out department's figures; their
    # spread under the prior uses the secant slope where the derivative at the term is flat.
    figures = [f"{y} stunting 0-59m department:TACNA total" for y in (2009, 2010)]
    g = np.array([0.5, 0.5])             # flat near the floor: 3% stunting
    removed = np.array([6.0, 5.0])        # without its term Tacna's figures rise by 6 and 5 SE
    value = np.zeros((2, len(DEPARTMENT_ORDER)))
    value[0, TACNA] = -0.04
    prior = TermPrior(value=value, sd=np.full(value.shape, 0.004), tau=np.array([0.015, 0.2]),
                      phi=np.array([1.0, 1.0]))
    jacobian = _jacobian(figures, np.zeros(2), g)._replace(
        department_removed=np.stack([removed, removed]))
    shift, variance = refit_department_terms(jacobian, np.array([True, True]), np.zeros(2),
                                             prior)
    np.testing.assert_allclose(shift, removed)
    np.testing.assert_allclose(variance, (removed / 0.04) ** 2 * 0.015 ** 2)


def test_a_terms_file_without_its_spread_is_refused(tmp_path):
    # without tau the holdout would keep each left-out department's own terms (in-sample)
    import pytest

    from model.analysis.department_terms import load_term_prior
    from model.defaults import DEPARTMENT_TERMS_CSV
    table = pd.read_csv(DEPARTMENT_TERMS_CSV)
    path = tmp_path / "terms.csv"
    table.drop(columns=["hb_department_shift_tau"]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="no column hb_department_shift_tau"):
        load_term_prior(path)
    assert load_term_prior(DEPARTMENT_TERMS_CSV).tau.shape == (2,)
