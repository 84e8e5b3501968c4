"""Mechanisms behind Peru's geography: altitude, non-iron anemia, care at birth, vaccines."""

from __future__ import annotations

import numpy as np

from model import dynamics
from model.defaults import DEFAULTS
from model.population import Area
from tests.conftest import make_model

B13 = DEFAULTS.with_overrides({"hb_altitude_rise_per_km": 1.07,
                               "hb_altitude_south_factor": 1.0})


def test_the_cdc_adjustment_under_corrects_midway_and_over_corrects_high_up():
    # B14: WHO/CDC adjustments under-adjust at 500-2,500 m and over-adjust above 3,000 m,
    # given the true rise of B13 (11.32 g/dL at 1,000 m to about 14.54 at 4,000 m)
    altitude = np.array([2000.0, 4000.0])
    true = dynamics.altitude_rise_true(altitude, np.zeros(2, bool), B13)
    cdc = dynamics.altitude_adjustment(altitude, "who2011", B13)
    assert true[0] > cdc[0] and true[1] < cdc[1]
    assert abs(float(true[1]) - (14.54 - 11.32)) < 0.05


def test_the_southern_highlands_rise_less():
    params = B13.with_overrides({"hb_altitude_south_factor": 0.7})
    rise = dynamics.altitude_rise_true(np.array([3800.0, 3800.0]), np.array([True, False]), params)
    assert np.isclose(rise[0], 0.7 * rise[1])


def test_iron_does_not_remove_non_iron_anemia():
    tables = dynamics.age_tables(DEFAULTS)
    age = np.full(2, 12 + dynamics.AGE_OFFSET, dtype=np.intp)
    args = dict(offset=np.zeros(2, np.float32), altitude_rise=np.zeros(2, np.float32),
                household_gap=np.zeros(2, np.float32), illness=np.zeros(2, np.int8),
                tables=tables, params=DEFAULTS)
    drop = np.array([0.0, 1.0], np.float32)
    without = dynamics.hb_target(age, supplement=np.zeros(2, np.float32), non_iron_drop=drop,
                                 **args)
    with_iron = dynamics.hb_target(age, supplement=np.ones(2, np.float32), non_iron_drop=drop,
                                   **args)
    # full iron removes the dietary deficit for both children; the gap between them stays
    assert np.isclose(without[0] - without[1], 1.0) and np.isclose(with_iron[0] - with_iron[1],
                                                                    1.0)


def test_water_and_region_set_the_non_iron_causes():
    model = make_model(scale=100, months=1, seed=4)
    hh = model.households
    p = model.params
    expected = np.asarray(p.non_iron_share_by_region)[model.household_region] * np.where(
        hh.improved_water, 1.0, p.non_iron_rr_unimproved_water) * np.where(
        hh.improved_sanitation, 1.0, p.non_iron_rr_unimproved_sanitation)
    observed = hh.non_iron.mean()
    se = np.sqrt(np.sum(expected * (1 - expected))) / hh.size
    assert abs(observed - expected.mean()) < 4 * se
    assert (model.risk.non_iron_drop > 0).mean() > 0


def test_vaccinated_children_fall_ill_less():
    tables = dynamics.age_tables(DEFAULTS)
    n = 200_000
    age = np.full(n, 9 + dynamics.AGE_OFFSET, dtype=np.intp)
    rng = np.random.default_rng(1)
    u1, u2 = rng.random(n, dtype=np.float32), rng.random(n, dtype=np.float32)
    rr = np.ones(n, np.float32)
    ill = [dynamics.draw_illness(age, rr, 1.0, tables, DEFAULTS, u1, u2,
                                 vaccinated=np.full(n, v)) for v in (False, True)]
    diarrhoea = [np.mean(i & 1) for i in ill]
    assert np.isclose(diarrhoea[1] / diarrhoea[0], DEFAULTS.vaccine_diarrhoea_rr, rtol=0.03)


def test_births_without_a_skilled_attendant_start_shorter():
    z = np.zeros(2)
    haz = dynamics.haz_at_birth(np.zeros(2), z, DEFAULTS, skilled=np.array([True, False]))
    assert np.isclose(haz[1] - haz[0], DEFAULTS.haz_birth_unskilled_shift)


def test_care_at_birth_reaches_the_better_off_first_and_follows_its_trend():
    body = dict(scale=100, months=1, seed=5, start="2004-01",
                trends={"skilled_birth_pct": {2000: 63.0, 2016: 98.0},
                        "health_workers_per_10k": {2004: 11.78, 2016: 28.24}})
    early, late = make_model(**body), make_model(**{**body, "start": "2016-01"})
    for model in (early, late):
        hh = model.households
        covered = hh.facility_base > 0
        assert hh.welfare[covered].mean() > hh.welfare[~covered].mean()
        assert (hh.area[covered] == Area.URBAN).mean() > (hh.area[~covered] == Area.URBAN).mean()
    share = [m.households.facility_base.mean() for m in (early, late)]
    assert 0.6 < share[0] < share[1] and share[1] > 0.9
    staff = [sum(p.staff for p in m.post_list) for m in (early, late)]
    assert 1.8 < staff[1] / staff[0] < 3.0  # E4: 28.24 / 11.78 = 2.4 (posts round their staff)
