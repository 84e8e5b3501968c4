"""Unit tests of the pure kernels in model/dynamics.py and model/fast_random.py."""

import numpy as np
import pytest

from model import dynamics, fast_random
from model.defaults import DEFAULTS as P
from model.population import Illness

T = dynamics.age_tables(P)


def rows(ages):
    return np.asarray(ages, dtype=np.intp) + dynamics.AGE_OFFSET


def test_haz_at_birth_is_lower_for_low_birth_weight():
    z = np.zeros(2, dtype=np.float32)
    haz = dynamics.haz_at_birth(np.array([False, True]), z, P)
    assert haz[0] == pytest.approx(P.haz_birth_mean)
    assert haz[1] - haz[0] == pytest.approx(P.haz_birth_lbw_shift)
    assert haz[1] < haz[0]


def test_haz_change_falters_only_before_24_months_and_drifts_after():
    ages = [3, 12, 30, 50]
    n = len(ages)
    delta = dynamics.haz_change(rows(ages), np.full(n, 0.05, np.float32),
                                np.zeros(n, np.float32), np.zeros(n, np.float32),
                                np.zeros(n, np.int8), T, P, np.zeros(n, np.float32))
    assert delta[:2] == pytest.approx([-0.05, -0.05])
    assert delta[2:] == pytest.approx([P.haz_drift_after_24m] * 2)


def test_feeding_penalty_applies_from_6_to_23_months_only():
    ages = [3, 10, 30]
    pen = np.full(3, 0.02, np.float32)
    zeros = np.zeros(3, np.float32)
    delta = dynamics.haz_change(rows(ages), zeros, pen, zeros, np.zeros(3, np.int8), T, P, zeros)
    base = dynamics.haz_change(rows(ages), zeros, zeros, zeros, np.zeros(3, np.int8), T, P, zeros)
    assert (delta - base) == pytest.approx([0.0, -0.02, 0.0])


def test_diarrhoea_costs_more_height_in_infancy():
    ages = [3, 9, 18, 40]
    ill = np.full(4, int(Illness.DIARRHOEA), np.int8)
    zeros = np.zeros(4, np.float32)
    with_d = dynamics.haz_change(rows(ages), zeros, zeros, zeros, ill, T, P, zeros)
    without = dynamics.haz_change(rows(ages), zeros, zeros, zeros, np.zeros(4, np.int8), T, P,
                                  zeros)
    loss = without - with_d
    expected = P.haz_loss_per_diarrhoea * np.array([*P.haz_diarrhoea_age_mult, 1.0, 1.0])
    assert loss == pytest.approx(expected, rel=1e-5)
    # a respiratory episode alone costs no height
    resp = np.full(4, int(Illness.RESPIRATORY), np.int8)
    assert dynamics.haz_change(rows(ages), zeros, zeros, zeros, resp, T, P, zeros) == \
        pytest.approx(without)


def test_haz_innovation_scales_with_z():
    zeros = np.zeros(1, np.float32)
    delta = dynamics.haz_change(rows([40]), zeros, zeros, zeros, np.zeros(1, np.int8), T, P,
                                np.ones(1, np.float32))
    assert delta[0] == pytest.approx(P.haz_drift_after_24m + P.haz_innovation_sd)


def test_cdc_altitude_formula_matches_evidence_row_b6():
    rise = dynamics.altitude_rise_cdc(np.array([0.0, 200.0, 3000.0]))
    assert rise[0] == 0.0
    assert rise[1] == 0.0  # the quadratic is negative below ~440 m and clipped at zero
    assert rise[2] == pytest.approx(1.82, abs=0.01)  # B6 check: ~18.2 g/L at 3,000 m


def test_who_adjustment_applies_above_1000_m_only():
    adj = dynamics.altitude_adjustment(np.array([900.0, 1100.0, 3000.0]), "who2011", P)
    assert adj[0] == 0.0  # B5: adjust above 1,000 m
    assert adj[1:] == pytest.approx(dynamics.altitude_rise_cdc(np.array([1100.0, 3000.0])))


def test_peru_altitude_correction_is_zero_at_low_altitude():
    adj = dynamics.altitude_adjustment_peru(np.array([300.0, 3000.0]))
    assert adj[0] == 0.0
    assert adj[1] == pytest.approx((8.3 * np.exp(0.000426 * 3000) - 12) / 10, rel=1e-5)
    with pytest.raises(ValueError, match="valid"):
        dynamics.altitude_adjustment(np.array([0.0]), "who1999", P)


def test_anemia_cutoffs_by_definition():
    ages = rows([3, 6, 12, 30, 59])
    who2011 = dynamics.anemia_cutoff_by_age("who2011", P)[ages]
    who2024 = dynamics.anemia_cutoff_by_age("who2024", P)[ages]
    assert who2011[0] == -np.inf and who2024[0] == -np.inf  # under 6 months: never anemic
    assert who2011[1:] == pytest.approx([11.0] * 4)
    assert who2024[1:] == pytest.approx([10.5, 10.5, 11.0, 11.0])


def test_hb_target_responds_to_iron_supplements_and_illness():
    n = 3
    args = dict(age_index=rows([9] * n), offset=np.zeros(n, np.float32),
                altitude_rise=np.zeros(n, np.float32),
                household_gap=np.zeros(n, np.float32), tables=T, params=P)
    base = dynamics.hb_target(supplement=np.zeros(n, np.float32),
                              illness=np.zeros(n, np.int8), **args)
    supplemented = dynamics.hb_target(supplement=np.full(n, 1.0, np.float32),
                                      illness=np.zeros(n, np.int8), **args)
    ill = dynamics.hb_target(supplement=np.zeros(n, np.float32),
                             illness=np.full(n, 1, np.int8), **args)
    gap9 = P.iron_gap_by_age[1]
    assert (supplemented - base) == pytest.approx([P.hb_iron_gap_deficit * gap9] * n, rel=1e-5)
    assert (base - ill) == pytest.approx([P.hb_infection_drop] * n, rel=1e-5)


def test_hb_update_moves_part_way_to_target():
    hb = np.array([10.0], np.float32)
    out = dynamics.hb_update(hb, np.array([12.0], np.float32), P, np.zeros(1, np.float32))
    assert out[0] == pytest.approx(10.0 + 2.0 * P.hb_adjustment_rate)


def test_hb_profile_is_lowest_between_6_and_12_months():
    profile = T.hb_profile[rows(np.arange(3, 60))]
    lowest_age = 3 + int(np.argmin(profile))
    assert 6 <= lowest_age <= 12


def test_illness_draws_follow_probabilities():
    n = 200_000
    rng = np.random.default_rng(3)
    age = rows(np.full(n, 12))
    rr = np.full(n, 1.5, np.float32)
    ill = dynamics.draw_illness(age, rr, 1.0, T, P, rng.random(n, dtype=np.float32),
                                rng.random(n, dtype=np.float32))
    p_d = P.diarrhoea_monthly_prob * P.diarrhoea_age_mult[1] * 1.5
    p_r = P.respiratory_monthly_prob * P.respiratory_age_mult[1]
    got_d = np.mean(ill & Illness.DIARRHOEA > 0)
    got_r = np.mean(ill & Illness.RESPIRATORY > 0)
    assert abs(got_d - p_d) < 4 * np.sqrt(p_d * (1 - p_d) / n)
    assert abs(got_r - p_r) < 4 * np.sqrt(p_r * (1 - p_r) / n)


def test_season_peaks_in_january():
    assert dynamics.season_factor(1, P) == pytest.approx(1 + P.illness_season_amplitude)
    assert dynamics.season_factor(7, P) == pytest.approx(1 - P.illness_season_amplitude)


def test_household_risk_functions_order_risk_as_the_evidence_says():
    poor, rich = np.array([True]), np.array([False])
    rural, urban = np.array([True]), np.array([False])
    none, higher = np.array([0]), np.array([3])
    assert dynamics.falter_rate(poor, rural, none, P)[0] > dynamics.falter_rate(
        rich, urban, higher, P)[0]
    assert dynamics.diarrhoea_rate_ratio(rich, rich, poor, P)[0] > dynamics.diarrhoea_rate_ratio(
        ~rich, ~rich, rich, P)[0]
    assert dynamics.household_iron_gap(poor, rich, P)[0] > dynamics.household_iron_gap(
        rich, ~rich, P)[0]


def test_table_normals_have_unit_variance_and_are_reproducible():
    n = 400_000
    a = fast_random.standard_normal(np.random.default_rng(5), n)
    b = fast_random.standard_normal(np.random.default_rng(5), n)
    assert np.array_equal(a, b)
    assert a.dtype == np.float32
    assert abs(a.mean()) < 4 / np.sqrt(n)
    assert abs(a.std() - 1) < 4 * np.sqrt(0.5 / n)
    assert np.mean(a < -1.96) == pytest.approx(0.025, abs=4 * np.sqrt(0.025 * 0.975 / n))
