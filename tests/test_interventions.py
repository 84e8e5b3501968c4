"""Each intervention moves the outcomes the evidence says it moves, and not the others.

Runs share a seed, so baseline and intervention runs have the same children and the same
illness and growth draws (common random numbers): effects are judged on paired differences,
child by child, with tolerances in standard errors of those differences.
"""

import numpy as np
import pytest
from conftest import make_model

from model.population import JuntosStatus

REGION = {"departments": ["AYACUCHO"]}
MONTHS = 36


def run(*interventions, months=MONTHS, **fields):
    """Build the region with these interventions and simulate ``months`` months (0: build)."""
    fields.setdefault("scale", 4)
    model = make_model(geography=REGION, months=max(months, 60), seed=17,
                       interventions=list(interventions), **fields)
    for _ in range(months):
        model.step()
    return model


@pytest.fixture(scope="module")
def baseline():
    return run()


def paired(a, b, mask):
    """Mean and standard error of the child-by-child difference a - b over ``mask``."""
    d = (a[mask].astype(float) - b[mask].astype(float))
    return d.mean(), d.std(ddof=1) / np.sqrt(len(d))


def national(model, metric):
    res = model.results()
    rows = res[(res.metric == metric) & (res.group == "national")]
    return rows.set_index("step")["value"]


def test_runs_share_their_children(baseline):
    other = run({"type": "sis"})
    assert np.array_equal(baseline.children.uid, other.children.uid)
    assert np.array_equal(baseline.children.illness, other.children.illness)


def test_cred_raises_monitoring_and_feeding_and_lowers_stunting(baseline):
    cred = run({"type": "cred"})
    assert national(cred, "growth_monitoring").iloc[-1] > 15
    assert national(baseline, "growth_monitoring").iloc[-1] == 0
    assert cred.households.adequate_feeding.mean() > baseline.households.adequate_feeding.mean()
    kids = cred.children
    d, se = paired(cred.children.haz, baseline.children.haz, kids.age_months >= 12)
    assert d > 4 * se  # counselling -> adequate feeding -> less faltering (C2a)
    d, se = paired(cred.anemic_mask(), baseline.anemic_mask(),
                   (kids.age_months >= 6) & (kids.age_months < 36))
    assert d < 0  # adequate feeding also narrows the iron gap
    assert np.array_equal(cred.children.development, baseline.children.development)


def test_home_visits_raise_development_and_barely_move_haz(baseline):
    visits = run({"type": "home_visits"}, months=24)
    base24 = run(months=24)
    hh = visits.households
    enrolled = hh.last_visit_step[visits.children.household] >= 0
    young = enrolled & (visits.children.age_months < 36)
    d_dev, se_dev = paired(visits.children.development, base24.children.development, young)
    assert d_dev > 4 * se_dev
    assert 0.03 < d_dev < 0.25  # C3a: +0.10 SD after ~2 years (ITT); visited children gain more
    d_haz, se_haz = paired(visits.children.haz, base24.children.haz, young)
    assert abs(d_haz) < 0.05  # C3b: no effect on nutritional status (only earlier care)
    assert national(visits, "coverage:home_visits").iloc[-1] > 0
    assert len(visits.visitors) > 0


def test_iron_relative_risk_of_anemia_in_adherent_children_matches_c4a():
    base, iron = run(months=0, scale=1), run({"type": "iron"}, months=0, scale=1)
    took = np.zeros((3, iron.children.size), dtype=bool)
    for t in range(24):
        base.step()
        iron.step()
        took[t % 3] = iron.children.iron_supplement > 0
    age = iron.children.age_months
    adherent = took.all(axis=0) & (age >= 6) & (age <= 23)
    assert adherent.sum() > 400
    rr = iron.anemic_mask()[adherent].mean() / base.anemic_mask()[adherent].mean()
    assert 0.50 <= rr <= 0.74, rr  # C4a: RR 0.61 (0.50-0.74)
    # iron does not change growth (C4d: no HAZ effect)
    assert np.allclose(iron.children.haz, base.children.haz)
    hb_gain, se = paired(iron.children.hb, base.children.hb, adherent)
    assert hb_gain > 4 * se


def test_iron_start_age_follows_the_norm():
    iron = run({"type": "iron", "start_age_months": 6}, months=6)
    kids = iron.children
    assert not (kids.iron_supplement[kids.age_months < 6] > 0).any()
    assert (kids.iron_supplement[(kids.age_months >= 6) & (kids.age_months <= 35)] > 0).any()


@pytest.mark.parametrize("cross_border", [0.0, 1.0])
def test_a_health_post_without_staff_delivers_no_cred(cross_border):
    """An unstaffed post sees nobody; its families are seen only across a district border."""
    model = run({"type": "cred"}, months=0, parameters={"cross_border_care": cross_border})
    empty = [p for p in model.post_list if len(p.households)][:20]
    for post in empty:
        post.staff, post.serums_slots = 0, 0
    model.step()
    kids = model.children
    seen_elsewhere = 0
    for post in empty:
        children = model.children_of(post.households)
        seen_elsewhere += int(kids.cred_seen[children].sum())
        assert post.contacts_used == 0
    staffed = [p for p in model.post_list if p.workers > 0 and p.contacts_used > 0]
    assert staffed  # others did see children
    if cross_border == 0:
        assert seen_elsewhere == 0
    else:  # seen only by a neighbouring district's post: counted as cross-border contacts
        assert seen_elsewhere * model.scale <= model.outputs.figures["cross_border_contacts"]


def test_serums_staffs_rural_posts_poorest_first_and_adds_capacity():
    model = run({"type": "serums", "placements_per_year": 200}, {"type": "cred"}, months=3)
    slotted = [p for p in model.post_list if p.serums_slots]
    staffed = [p for p in slotted if p.serums_staff]
    assert 0 < len(staffed) < len(slotted)
    poverty = model.geography.poverty
    assert min(poverty[p.district] for p in staffed) >= max(
        poverty[p.district] for p in slotted if not p.serums_staff) - 1e-9
    assert all(p.capacity > p.staff * model.params.contacts_per_worker_month
               for p in staffed)
    costs = national(model, "cost:serums")
    assert costs.iloc[-1] == pytest.approx(len(staffed) * 3000.0)


def test_serums_terms_last_a_year_then_leave_a_vacancy():
    model = run({"type": "serums", "placements_per_year": 20_000, "vacancy_months": 2},
                months=0)
    history = []
    for _ in range(20):
        model.step()
        history.append([p.serums_staff for p in model.post_list])
    history = np.array(history)  # months x posts
    first = history.argmax(axis=0)  # month of each post's first placement
    placed = history.any(axis=0)
    assert placed.mean() > 0.9
    for post in np.flatnonzero(placed)[:50]:
        s = first[post]
        assert history[s:s + 12, post].all()  # a one-year term
        if s + 14 <= 20:
            assert not history[s + 12:s + 14, post].any()  # then two months empty


def test_sis_raises_treatment_and_antenatal_care(baseline):
    sis = run({"type": "sis"})
    ill = sis.children.illness > 0
    assert sis.children.treated[ill].mean() > baseline.children.treated[ill].mean()
    born = sis.children.uid >= baseline.children.uid.min()
    assert sis.children.antenatal_care[born].mean() >= baseline.children.antenatal_care[
        born].mean()
    d, se = paired(sis.children.haz, baseline.children.haz, sis.children.age_months >= 12)
    assert d > 0  # treated episodes cost less growth
    assert 40 < national(sis, "coverage:sis").iloc[-1] < 80


def test_juntos_pays_200_soles_every_two_months_to_compliant_families():
    juntos = run({"type": "cct"}, months=8)
    res = juntos.results()
    cost = res[res.metric == "cost:cct"].set_index("step")["value"]
    paid = res[res.metric == "cct_households_paid"].set_index("step")["value"]
    assert list(paid.index) == [2, 4, 6, 8]  # every two months
    assert (cost[cost.index % 2 == 1] == 0).all()
    assert np.allclose(cost.loc[paid.index], paid * 200.0)
    hh = juntos.households
    enrolled = hh.juntos != JuntosStatus.NOT_ENROLLED
    assert enrolled.any()
    assert paid.iloc[-1] == pytest.approx(np.count_nonzero(hh.juntos == JuntosStatus.ENROLLED)
                                          * juntos.scale)
    assert (hh.juntos == JuntosStatus.SUSPENDED).any()  # some missed a visit
    assert (juntos.geography.poverty[hh.district[enrolled]] > 0.40).all()


def test_juntos_raises_growth_monitoring_of_its_children(baseline):
    juntos = run({"type": "cct"}, {"type": "cred"})
    cred = run({"type": "cred"})
    kids = juntos.children
    enrolled = juntos.households.juntos[kids.household] != JuntosStatus.NOT_ENROLLED
    recent = (juntos.steps - kids.last_cred_step) < 3
    under3 = kids.age_months < 36
    recent_cred = (cred.steps - cred.children.last_cred_step) < 3
    gain = recent[enrolled & under3].mean() - recent_cred[enrolled & under3].mean()
    assert gain > 0.25  # program documents: +69 points with Juntos (capacity limits apply)


def test_turned_away_families_are_discouraged():
    model = run({"type": "cred"}, months=1, parameters={"contacts_per_worker_month": 1.0})
    hh = model.households
    assert (hh.discouraged_until >= model.steps).mean() > 0.05


def test_costs_and_coverage_are_recorded_for_every_intervention():
    model = run({"type": "cct"}, {"type": "sis"}, {"type": "serums"}, {"type": "home_visits"},
                {"type": "iron", "channel": "both"}, {"type": "cred"}, months=4)
    res = model.results()
    last = res[res.step == 4].set_index("metric")["value"]
    names = ["cct", "sis", "serums", "home_visits", "iron", "cred"]
    assert last["cost_total"] == pytest.approx(sum(last[f"cost:{n}"] for n in names))
    for name in names:
        assert 0 <= last[f"coverage:{name}"] <= 100


def test_interventions_respect_start_and_end_dates():
    model = run({"type": "sis", "start": "2019-04", "end": "2019-06"}, months=8)
    cost = national(model, "cost:sis")
    assert (cost.loc[1:3] == 0).all() and (cost.loc[4:6] > 0).all() and (cost.loc[7:8] == 0).all()


def test_sis_raises_facility_births(baseline):
    sis = run({"type": "sis"})
    assert national(sis, "facility_births").mean() > 70  # base 70%, insured 90%
    assert not ({"facility_births"} & set(baseline.results().metric))


def test_visit_quality_scales_the_development_gain():
    low = run({"type": "home_visits", "visit_quality": 0.5}, months=12)
    high = run({"type": "home_visits", "visit_quality": 1.0}, months=12)
    base = run(months=12)
    young = high.children.age_months < 36
    gain_low = (low.children.development - base.children.development)[young].sum()
    gain_high = (high.children.development - base.children.development)[young].sum()
    assert gain_high == pytest.approx(2 * gain_low, rel=1e-5)
