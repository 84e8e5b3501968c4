"""ECDModel: reproducibility and baseline behaviour with stated tolerances."""

import numpy as np
import pandas as pd
import pytest
from conftest import make_model, person_weights, prevalence_se

from model.dynamics import AGE_BANDS, band_label
from model.geography import NATURAL_REGIONS
from model.population import Area


def value(results, metric, group, step=None):
    rows = results[(results.metric == metric) & (results.group == group)]
    step = rows.step.max() if step is None else step
    return float(rows[rows.step == step].value.iloc[0])


def test_same_seed_same_results_and_another_seed_differs():
    a = make_model(geography={"departments": ["PASCO"]}, scale=5, months=6, seed=3)
    b = make_model(geography={"departments": ["PASCO"]}, scale=5, months=6, seed=3)
    c = make_model(geography={"departments": ["PASCO"]}, scale=5, months=6, seed=4)
    for m in (a, b, c):
        for _ in range(6):
            m.step()
    pd.testing.assert_frame_equal(a.results(), b.results())
    assert not a.results()["value"].equals(c.results()["value"])


def test_step_advances_calendar_and_records_monthly(national_model, national_results):
    assert national_model.steps == 12
    dates = national_results[national_results.group == "national"].drop_duplicates("step")
    assert list(dates.date)[:2] == ["2019-01", "2019-02"] and list(dates.date)[-1] == "2020-01"
    groups = set(national_results.group)
    expected = {"national", "urban", "rural", "quintile:1", "quintile:5", "department:PUNO"}
    expected |= {f"natural_region:{r}" for r in NATURAL_REGIONS}
    assert expected <= groups
    assert {"stunting", "severe_stunting", "mean_haz", "anemia"} <= set(national_results.metric)


def test_children_counts_scale_to_the_real_population(national_model, national_results):
    kids = value(national_results, "children", "national")
    assert kids == national_model.children.size * 50
    assert kids == pytest.approx(2.9e6, rel=0.01)


def test_mean_haz_falls_until_24_months_and_flattens_after(national_results):
    haz = [value(national_results, "mean_haz", f"age:{band_label(b)}") for b in AGE_BANDS]
    mid_age = [(lo + hi) / 2 for lo, hi in AGE_BANDS]
    before = [h for h, (lo, hi) in zip(haz, AGE_BANDS) if hi < 24]
    assert before == sorted(before, reverse=True), f"HAZ must fall to 24 months: {before}"
    slope_before = (haz[4] - haz[0]) / (mid_age[4] - mid_age[0])
    slope_after = (haz[7] - haz[5]) / (mid_age[7] - mid_age[5])
    assert slope_before < -0.02  # z per month (A2: dramatic faltering)
    # "flattens": the slope after 24 m is under a tenth of the slope before (A2-A4)
    assert abs(slope_after) < 0.1 * abs(slope_before), (slope_before, slope_after)


def test_anemia_is_highest_at_6_to_12_months(national_results):
    anemia = {band_label(b): value(national_results, "anemia", f"age:{band_label(b)}")
              for b in AGE_BANDS if b[0] >= 6}
    peak = max(anemia, key=anemia.get)
    assert peak in ("6-8m", "9-11m"), anemia
    n = 58_000 * 3 / 60  # children in a 3-month band at scale 50
    se = prevalence_se(0.5, int(n)) * 100
    later = [anemia[k] for k in ("18-23m", "24-35m", "36-47m", "48-59m")]
    assert max(anemia["6-8m"], anemia["9-11m"]) > max(later) + 4 * se


def test_poor_rural_highland_districts_fare_worse_than_urban_coast(national_model):
    m, geo = national_model, national_model.geography
    highland = (geo.poverty > 0.4) & (geo.urban_share < 0.3) & (geo.altitude_m > 2500)
    coast = (geo.natural_region == 0) & (geo.urban_share > 0.9) & (geo.poverty < 0.15)
    district = m.households.district[m.children.household]
    age = m.children.age_months
    stunted = m.children.haz < -2
    anemic = m.anemic_mask()
    for outcome, eligible in ((stunted, age >= 0), (anemic, (age >= 6) & (age <= 35))):
        a = outcome[highland[district] & eligible]
        b = outcome[coast[district] & eligible]
        se = np.sqrt(a.var() / len(a) + b.var() / len(b))
        assert a.mean() - b.mean() > 4 * se, (a.mean(), b.mean(), len(a), len(b))


def test_stunting_gradients_by_poverty_area_and_schooling(national_results, national_model):
    q1 = value(national_results, "stunting", "quintile:1")
    q5 = value(national_results, "stunting", "quintile:5")
    rural = value(national_results, "stunting", "rural")
    urban = value(national_results, "stunting", "urban")
    se = prevalence_se(0.3, 58_000 // 5) * 100
    assert q1 - q5 > 4 * se and rural - urban > 4 * se
    kids, hh = national_model.children, national_model.households
    by_school = [np.mean(kids.haz[hh.schooling[kids.household] == s] < -2) for s in range(4)]
    assert by_school == sorted(by_school, reverse=True)  # A10: none > primary > ... > higher


def test_recovery_from_stunting_is_rare():
    m = make_model(scale=20, months=3, seed=5)
    kids = m.children
    young = (kids.age_months < 24) & (kids.age_months > 0)
    stunted_before = (kids.haz < -2) & young
    uid_before = kids.uid.copy()
    m.step()
    same_child = kids.uid == uid_before
    recovered = stunted_before & same_child & (kids.haz >= -2)
    rate = recovered.sum() / (stunted_before & same_child).sum()
    n = (stunted_before & same_child).sum()
    assert rate + 4 * prevalence_se(rate, n) < 0.05, rate  # A5: < 5% of stunted a month


def test_scale_1_and_scale_10_agree_within_sampling_error():
    outcomes = {}
    for scale in (1, 10):
        m = make_model(geography={"departments": ["HUANCAVELICA"]}, scale=scale, months=6,
                       seed=21)
        for _ in range(6):
            m.step()
        res = m.results()
        outcomes[scale] = (value(res, "stunting", "national"), value(res, "anemia", "national"),
                           m.children.size)
    n1, n10 = outcomes[1][2], outcomes[10][2]
    assert n1 == pytest.approx(10 * n10, rel=0.02)
    deff = 1.5  # siblings share household risk: a design effect for clustered children
    for i, p in enumerate((0.3, 0.5)):
        share = 1 if i == 0 else 30 / 60  # anemia counts children 6-35 m only
        se = 100 * np.sqrt(deff * p * (1 - p) * (1 / (n1 * share) + 1 / (n10 * share)))
        assert abs(outcomes[1][i] - outcomes[10][i]) < 4 * se, (outcomes, se)


def test_anemia_definitions_change_prevalence_in_the_expected_direction():
    res = {}
    for definition in ("who2011", "who2024", "peru"):
        m = make_model(geography={"departments": ["PUNO"]}, scale=10, months=1, seed=8,
                       anemia_definition=definition)
        res[definition] = value(m.results(), "anemia", "national", step=0)
    assert res["who2024"] < res["who2011"]  # lower cut-off at 6-23 m (B7)
    assert res["peru"] != res["who2011"]


def test_poverty_trend_moves_household_poverty():
    m = make_model(months=24, scale=50, start="2004-01",
                   trends={"poverty_national_pct": {2004: 58.7, 2016: 20.7}})
    weights = person_weights(m.households)  # national poverty is a person figure
    first = np.average(m.households.poor, weights=weights)
    for _ in range(24):
        m.step()
    later = np.average(m.households.poor, weights=weights)
    assert first == pytest.approx(0.587, abs=0.03)
    expected_2006 = 0.587 + (0.207 - 0.587) * 2 / 12  # roughly linear in between
    assert later < first - 0.03 and later == pytest.approx(expected_2006, abs=0.06)


def test_views_and_tracking(national_model):
    m = national_model
    slot = int(np.flatnonzero(m.children.age_months == 10)[0])
    uid = int(m.children.uid[slot])
    child = m.child(uid)
    assert child.age_months == 10 and child.haz == pytest.approx(float(m.children.haz[slot]))
    hh = child.household
    assert uid in [c.uid for c in hh.children]
    assert hh.health_post.district == m.households.district[hh.index]
    assert isinstance(hh.area, Area) and 1 <= hh.quintile <= 5
    assert "Child(" in repr(child) and "Household(" in repr(hh)
    m.track([uid])
    assert len(child.history) == 1
    with pytest.raises(KeyError):
        m.child(-5)


def test_tracked_history_grows_each_month():
    m = make_model(geography={"departments": ["TUMBES"]}, scale=10, months=3)
    uid = int(m.children.uid[np.flatnonzero(m.children.age_months == 5)[0]])
    m.track(uid)
    for _ in range(3):
        m.step()
    history = m.child(uid).history
    assert list(history.age_months) == [5, 6, 7, 8]
    assert list(history.step) == [0, 1, 2, 3]


def test_health_posts_cover_every_household_of_their_district(national_model):
    m = national_model
    assert len(m.health_posts) >= m.geography.n
    covered = np.concatenate([p.households for p in m.health_posts])
    assert np.array_equal(np.sort(covered), np.arange(m.households.size))
    for post in list(m.health_posts)[:50]:
        assert (m.households.district[post.households] == post.district).all()
        assert post.capacity == post.workers * m.params.contacts_per_worker_month


def test_keyword_fields_and_mesa_batch_run():
    import mesa

    from model.model import ECDModel

    model = ECDModel(geography={"departments": ["TUMBES"]}, scale=10, months=2)
    assert model.scenario.scale == 10 and model.scenario.name == "default"
    runs = mesa.batch_run(ECDModel,
                          parameters={"name": "batch", "scale": [10, 20], "months": 2,
                                      "geography": [{"departments": ["TUMBES"]}]},
                          max_steps=2, display_progress=False)
    assert len(runs) == 2
    assert {r["scale"] for r in runs} == {10, 20}
    assert all(0 < r["stunting"] < 100 and 0 < r["anemia"] < 100 for r in runs)
    # batch_run reports the DataCollector row at model.steps - 1 (Mesa's convention)
    assert all(r["Step"] == 1 for r in runs)


def test_water_and_schooling_trends_follow_the_scenario():
    m = make_model(start="2000-01", months=24, scale=50,
                   trends={"improved_water_pct": {1986: 56.0, 2015: 79.3}},
                   parameters={"schooling_trend_sd_per_year": 0.05})
    hh = m.households
    households = person_weights(hh) / hh.n_children  # household shares of the persons' mix
    water_2000 = np.average(hh.improved_water, weights=households)
    expected = 0.56 + (0.793 - 0.56) * 14 / 29  # roughly linear between the anchors
    assert water_2000 == pytest.approx(expected, abs=0.04)
    higher_2000 = (hh.schooling == 3).mean()
    for _ in range(24):
        m.step()
    assert np.average(hh.improved_water, weights=households) > water_2000
    assert (hh.schooling == 3).mean() > higher_2000  # schooling rises over time
    assert higher_2000 < 0.23  # below the 2018 share, the reference year


def test_tracked_history_shows_services_received():
    """A tracked child's record names its family's visits, transfers and its post's staff."""
    m = make_model(geography={"departments": ["HUANCAVELICA"]}, scale=10, months=8,
                   interventions=[{"type": "cct"}, {"type": "home_visits"}, {"type": "cred"}])
    for _ in range(3):  # visitors are recruited first (recruitment_months)
        m.step()
    hh, kids = m.households, m.children
    visited = hh.last_visit_step[kids.household] == m.steps
    enrolled = hh.juntos[kids.household] != 0
    uid = int(kids.uid[np.flatnonzero(visited & enrolled & (kids.age_months < 40))[0]])
    m.track(uid)
    for _ in range(5):
        m.step()
    history = m.child(uid).history
    household = m.child(uid).household
    assert history.home_visit.any()
    assert history.juntos_paid.sum() >= 1  # paid every 2 months while compliant
    assert set(history.juntos) <= {"enrolled", "suspended", "not_enrolled"}
    assert history.post_staff.iloc[-1] == household.health_post.staff
