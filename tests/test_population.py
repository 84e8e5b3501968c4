"""Generated households and children reproduce the district data they come from."""

import numpy as np
import pytest
from conftest import person_weights

from model.defaults import DEFAULTS as P
from model.geography import load_geography
from model.population import (
    Area,
    district_children,
    district_poverty_thresholds,
    generate_population,
    stochastic_round,
)


@pytest.fixture(scope="module")
def national():
    return load_geography()


@pytest.fixture(scope="module")
def population(national):
    return generate_population(national, national, P, scale=20, rng=np.random.default_rng(2))


def test_stochastic_round_keeps_the_expectation():
    values = np.full(100_000, 2.3)
    rounded = stochastic_round(values, np.random.default_rng(0))
    assert set(np.unique(rounded)) == {2, 3}
    assert abs(rounded.mean() - 2.3) < 4 * np.sqrt(0.3 * 0.7 / 100_000)


def test_children_per_district_follow_population_and_scale(national, population):
    kids, hh = population.children, population.households
    expected = district_children(national, national, P)[0] / 20
    assert expected.sum() == pytest.approx(
        national.population.sum() * P.under5_share_of_population / 20)
    got = np.bincount(hh.district[kids.household], minlength=national.n)
    # stochastic rounding: each district is within one child of its expectation
    assert np.all(np.abs(got - expected) < 1)
    assert abs(got.sum() - expected.sum()) < 4 * np.sqrt(national.n * 0.25)


def test_household_sizes_and_child_grouping(population):
    hh, kids = population.households, population.children
    assert hh.n_children.min() >= 1 and hh.n_children.max() <= 3
    assert np.array_equal(np.bincount(kids.household, minlength=hh.size), hh.n_children)
    assert np.all(np.diff(kids.household) >= 0)  # children of a household are contiguous


def test_poverty_thresholds_reproduce_district_poverty(national):
    line = district_poverty_thresholds(national.poverty, national.urban_share,
                                       P.rural_welfare_gap_sd)
    from scipy.special import ndtr
    share = national.urban_share * ndtr(line) + (1 - national.urban_share) * ndtr(
        line + P.rural_welfare_gap_sd)
    assert share == pytest.approx(national.poverty, abs=1e-6)


def test_generated_poverty_urban_share_and_services_match_the_data(national, population):
    hh = population.households
    weights = person_weights(hh)  # poverty and the urban share are person figures
    n = hh.size
    target_poverty = np.average(national.poverty, weights=national.population)
    se = np.sqrt(0.2 * 0.8 / n) * 2  # households cluster in districts: design effect 4
    assert np.average(hh.poor, weights=weights) == pytest.approx(target_poverty, abs=4 * se)
    rural_target = np.average(1 - national.urban_share, weights=national.population)
    assert np.average(hh.area == Area.RURAL, weights=weights) == pytest.approx(rural_target,
                                                                               abs=4 * se)
    # rural households are poorer than urban ones in the same districts
    assert hh.poor[hh.area == Area.RURAL].mean() > hh.poor[hh.area == Area.URBAN].mean()
    households = weights / hh.n_children  # household shares, back to the persons' mix
    assert np.average(hh.improved_water, weights=households) == pytest.approx(
        P.improved_water_share, abs=0.02)
    assert np.average(hh.improved_sanitation, weights=households) == pytest.approx(
        P.improved_sanitation_share, abs=0.02)
    shares = np.bincount(hh.schooling, weights=households, minlength=4) / households.sum()
    assert shares == pytest.approx(P.schooling_shares, abs=0.02)
    # children are poorer than persons: more of them live in rural areas
    assert np.average(hh.poor, weights=hh.n_children) > target_poverty + 4 * se


def test_quintiles_split_the_nation_in_fifths_with_poverty_at_the_bottom(population):
    hh = population.households
    share = np.bincount(hh.quintile, weights=person_weights(hh), minlength=6)[1:]
    assert share / share.sum() == pytest.approx([0.2] * 5, abs=0.02)  # quintiles of persons
    poor_by_q = [hh.poor[hh.quintile == q].mean() for q in range(1, 6)]
    assert poor_by_q == sorted(poor_by_q, reverse=True)


def test_a_department_run_keeps_national_quintiles(national):
    huancavelica = load_geography(departments=["HUANCAVELICA"])
    pop = generate_population(huancavelica, national, P, scale=5,
                              rng=np.random.default_rng(4))
    hh = pop.households
    share_q1 = np.average(hh.quintile == 1, weights=hh.n_children)
    # expected share below the national first cut-off, from the department's own mixture
    from scipy.special import ndtr
    line = district_poverty_thresholds(huancavelica.poverty, huancavelica.urban_share,
                                       P.rural_welfare_gap_sd)
    cut = pop.quintile_cutoffs[0]
    g = P.rural_welfare_gap_sd
    children, child_urban = district_children(huancavelica, national, P)
    per_district = child_urban * ndtr(cut + line) + (1 - child_urban) * ndtr(cut + line + g)
    expected = np.average(per_district, weights=children)
    assert expected > 0.3  # one of the poorest departments: far more than a fifth in Q1
    assert share_q1 == pytest.approx(expected, abs=4 * np.sqrt(2 * 0.25 / hh.size))
