"""Local government (issue 14): municipalities and regions, incentives, the child registry."""

from __future__ import annotations

import numpy as np

from model import local_government, network, services
from model.population import JuntosStatus
from tests.conftest import make_model

REGION = {"departments": ["HUANCAVELICA", "AYACUCHO"]}


def _model(interventions, months=2, parameters=None, start="2019-01", **fields):
    model = make_model(geography=REGION, scale=20, months=max(months, 1), seed=5, start=start,
                       interventions=interventions, parameters=parameters or {}, **fields)
    for _ in range(months):
        model.step()
    return model


def _program(model, name):
    return next(i for i in model.interventions if i.name == name)


# --- the agents -----------------------------------------------------------------------------

def test_every_district_has_a_municipality_and_every_department_a_region():
    model = _model([], months=0)
    assert len(model.municipalities) == model.geography.n == model.municipal.size
    assert len(model.regions) == len(model.geography.departments) == 2
    capacity = model.municipal.capacity
    assert np.all((capacity > 0) & (capacity < 1))
    # capacity rises with the development index (its main proxy), all else aside
    assert np.corrcoef(capacity, model.geography.idh)[0, 1] > 0.5
    muni = next(iter(model.municipalities))
    story = muni.story()
    assert story["ubigeo"] == model.geography.ubigeo[muni.district]
    assert {"registry_quality", "stakes_soles_per_child", "payments_soles",
            "visit_points"} <= set(story)


def test_capacity_is_national_so_a_region_keeps_its_values():
    whole = make_model(scale=200, months=1, seed=1)
    part = _model([], months=0)
    where = np.searchsorted(whole.geography.ubigeo, part.geography.ubigeo)
    assert np.allclose(whole.municipal.capacity[where], part.municipal.capacity)


# --- incentives move effort only where targets pay ------------------------------------------

def test_a_registry_prize_raises_registry_effort_and_not_visit_effort():
    unpaid = 0.1
    model = _model([{"type": "sello", "prize_soles_per_child": 20.0}], months=1,
                   start="2019-01", parameters={"unpaid_effort": unpaid})
    mun, p = model.municipal, model.params
    expected = unpaid + (1 - unpaid) * mun.capacity * 20.0 / (20.0 + p.stake_half_soles)
    assert np.allclose(mun.effort_registry, expected)
    assert np.all(mun.effort_registry > unpaid)
    assert np.all(mun.effort_visits == unpaid)  # nothing pays for visits
    # the same stake moves a capable municipality more than a weak one
    order = np.argsort(mun.capacity)
    assert np.all(np.diff(mun.effort_registry[order]) >= 0)


def test_fed_pushes_only_the_regions_in_an_agreement():
    model = _model([{"type": "fed", "departments": ["Ayacucho"]}, {"type": "cred"},
                    {"type": "iron"}], months=2)
    reg = model.regional
    ayacucho = model.geography.departments.index("AYACUCHO")
    other = 1 - ayacucho
    assert reg.effort[ayacucho] > model.params.unpaid_effort
    assert reg.effort[other] == model.params.unpaid_effort
    factor = np.broadcast_to(model.effects.read("post_capacity"), (model.posts.size,))
    in_ayacucho = model.posts.department == ayacucho
    assert np.all(factor[in_ayacucho] > 1) and np.all(factor[~in_ayacucho] == 1)
    stockout = np.broadcast_to(model.effects.read("post_stockouts"), (model.posts.size,))
    assert np.all(stockout[in_ayacucho] < 1) and np.all(stockout[~in_ayacucho] == 1)


def test_fed_pays_each_met_target_a_third_of_the_allocation():
    model = _model([{"type": "registry"}, {"type": "fed", "registry_target": 0.0,
                                           "cred_target": 1.0, "iron_target": 1.0},
                    {"type": "cred"}], months=13, start="2019-01")
    fed = _program(model, "fed")
    reg = model.regional
    assert np.all(reg.targets_met == 1)  # the registry target (0) met, the others not
    assert np.allclose(reg.payments, fed.allocation / 3)
    paid = model.results().query("metric == 'cost:fed'")["value"].sum()
    assert np.isclose(paid, fed.allocation.sum() / 3)


def test_a_municipality_copies_a_paid_neighbour_and_not_without_the_edges():
    def run(strength, cut_edges=False):
        model = _model([{"type": "sello", "registry_target": 0.0}], months=1,
                       parameters={"neighbour_copy_strength": strength})
        if cut_edges:
            model.network.cut()
        mun = model.municipal
        mun.effort_registry[:] = np.linspace(0.1, 0.9, mun.size)  # last year's efforts
        mun.paid_registry[:] = np.arange(mun.size) % 2 == 0  # half were paid
        local_government.decide(model)
        return model

    own = local_government.effort_for(run(0.0).municipal.capacity,
                                      np.full(run(0.0).municipal.size, 10.0), run(0.0).params)
    copied = run(0.5)
    mun = copied.municipal
    assert np.allclose(run(0.0).municipal.effort_registry, own)
    unpaid = ~mun.paid_registry
    best = copied.network.maximum(np.where(mun.paid_registry,
                                                           np.linspace(0.1, 0.9, mun.size),
                                                           -np.inf))
    moved = unpaid & (best > own)
    assert moved.any()
    assert np.allclose(mun.effort_registry[moved], own[moved] + 0.5 * (best - own)[moved])
    assert np.allclose(mun.effort_registry[~moved], own[~moved])
    assert np.allclose(run(0.5, cut_edges=True).municipal.effort_registry, own)


# --- the registry gates services ------------------------------------------------------------

def _registry_model(registry: dict, others, months=2):
    return _model([{"type": "registry", **registry}, *others], months=months)


def test_attendance_of_a_missed_child_is_scaled_by_its_factor():
    model = _registry_model({"normalise": False, "unfound_attendance": 0.4}, [{"type": "cred"}])
    kids = model.children
    born = np.flatnonzero(kids.age_months >= 0)
    found, missed = born[kids.found[born]][:200], born[~kids.found[born]][:200]
    assert len(found) and len(missed)
    registry = next(i for i in model.interventions if i.name == "registry")
    for group, factor in ((found, 1.0), (missed, 0.4)):
        with_gate = services.attendance_probability(model, group, 0.3)
        model.effects.withdraw(registry)
        without = services.attendance_probability(model, group, 0.3)
        registry._offer_gates(model)
        assert np.allclose(with_gate, np.minimum(1.0, factor * without))


def test_normalised_gates_average_to_the_calibrated_rate_at_the_start():
    model = _registry_model({"unfound_attendance": 0.5}, [{"type": "cred"}], months=1)
    registry = next(i for i in model.interventions if i.name == "registry")
    # at the starting quality the found-weighted factor averages 1 in every municipality
    start = registry.reference
    assert np.allclose(start * 1 / (start + (1 - start) * 0.5)
                       + (1 - start) * 0.5 / (start + (1 - start) * 0.5), 1.0)
    born = np.flatnonzero(model.children.age_months >= 0)
    mean = registry.attendance_factor(model, born).mean()
    se = registry.attendance_factor(model, born).std() / np.sqrt(len(born))
    assert abs(mean - 1.0) < 4 * se + 0.02  # quality moved one month at most 4% of the gap


def test_a_child_never_registered_is_not_found_and_a_complete_registry_finds_all():
    model = _registry_model({"registration_start": 0.0, "registration_capacity": 0.0,
                             "monthly_gain": 0.0}, [], months=1)
    assert not model.children.found[model.children.age_months >= 0].any()
    full = _registry_model({"floor": 1.0}, [], months=1)
    # every child is registered with complete data once the first months' ramp is over
    assert full.children.found[full.children.age_months >= 48].all()
    assert np.all(full.municipal.registration == 1.0)


def test_sis_and_juntos_find_households_through_the_registry():
    closed = {"registration_start": 0.0, "registration_capacity": 0.0, "monthly_gain": 0.0,
              "unfound_sis": 0.0, "unfound_enrolment": 0.0, "normalise": False}
    model = _registry_model(closed, [{"type": "cct"}, {"type": "sis"}])
    hh = model.households
    has_born = np.bincount(model.children.household, weights=model.children.age_months >= 0,
                           minlength=hh.size) > 0
    assert not (hh.juntos[has_born] != JuntosStatus.NOT_ENROLLED).any()
    assert not hh.sis_insured[has_born].any()
    open_ = _registry_model({"floor": 1.0, "normalise": False}, [{"type": "cct"}, {"type": "sis"}])
    assert (open_.households.juntos != JuntosStatus.NOT_ENROLLED).any()
    assert open_.households.sis_insured.any()


def test_iron_does_not_start_for_a_missed_child_when_missed_children_never_come():
    closed = {"registration_start": 0.0, "registration_capacity": 0.0, "monthly_gain": 0.0,
              "unfound_attendance": 0.0, "normalise": False}
    model = _registry_model(closed, [{"type": "cred"}, {"type": "iron"}], months=4)
    kids = model.children
    assert not (kids.iron_stock > 0).any() and not (kids.iron_supplement > 0).any()
    found = _registry_model({"floor": 1.0, "normalise": False},
                            [{"type": "cred"}, {"type": "iron"}], months=4)
    assert (found.children.iron_supplement > 0).any()


def test_a_better_registry_raises_coverage_in_the_status_quo_sense():
    """With normalise, a complete registry beats the starting one where posts have room.

    (At full posts the extra demand is turned away, and discouraged families come less: the
    registry's gain then needs capacity too.)
    """
    def coverage(registry):
        model = _registry_model(registry, [{"type": "cred", "capacity_multiplier": 10.0}],
                                months=6)
        return model.results().query("metric == 'growth_monitoring' and group == 'national'")[
            "value"].iloc[-1]

    assert coverage({"floor": 1.0}) > coverage({"monthly_gain": 0.0})


# --- the municipal visits, run by municipalities --------------------------------------------

def test_municipal_visits_follow_effort_and_pay_by_points():
    model = _model([{"type": "municipal_visits", "families": None, "max_districts": None,
                     "incentive_soles_per_child": 50.0, "pass_points": 0.0}], months=13)
    mun = model.municipal
    visits = _program(model, "municipal_visits")
    eligible = visits.eligible_district
    assert np.all(mun.effort_visits[eligible] > model.params.unpaid_effort)
    assert np.all(mun.points[eligible] >= 0) and np.all(mun.points <= 100)
    scored = mun.points > 0
    assert scored.any()
    assert np.allclose(mun.payments[scored], 50.0 * mun.children[scored] * mun.points[scored]
                       / 100)
    # without the incentive, effort stays at the unpaid level
    unpaid = _model([{"type": "municipal_visits", "families": None, "max_districts": None,
                      "incentive_soles_per_child": 0.0}], months=1)
    assert np.all(unpaid.municipal.effort_visits == unpaid.params.unpaid_effort)


# --- the graph in the month -------------------------------------------------------------------

ISLANDS = ("210103", "211302")  # Amantaní and Anapia, Lake Titicaca: no land border


def _puno(interventions, months, cut=False, parameters=None, scale=20):
    model = make_model(geography={"departments": ["PUNO"]}, scale=scale, months=months, seed=7,
                       interventions=interventions, parameters=parameters or {})
    if cut:
        model.network.cut()
    for _ in range(months):
        model.step()
    return model


def test_the_titicaca_islands_have_no_neighbours_and_get_no_cross_border_care():
    model = _puno([{"type": "cred"}], 1)
    geo, posts = model.geography, model.posts
    islands = [geo.index_of(code) for code in ISLANDS]
    assert all(np.diff(model.network.indptr)[i] == 0 for i in islands)
    # every family at every post asks, and no post has room at home: who is seen across?
    kids, hh = model.children, model.households
    requests = np.flatnonzero(kids.age_months >= 0)
    post = hh.health_post[kids.household[requests]]
    capacity = np.where(np.isin(posts.district, islands), 0.0, 1e9)  # only the islands full
    seen = network.cross_border_care(model, requests, post, capacity, np.zeros(posts.size))
    on_island = np.isin(hh.district[kids.household[requests]], islands)
    assert on_island.any() and not seen[on_island].any()
    # mainland families with a neighbour that has room do cross
    assert seen[~on_island].any()


def test_cutting_the_edges_stops_cross_border_care_and_lowers_growth_monitoring():
    # few health workers (many posts without one) and a long attendance distance, so that
    # crossing is common enough to see against the binomial noise; at scale 10 the effect
    # (about 3 points, seeds 7-10) is about 5 standard errors, at scale 20 only 3.5
    run = dict(interventions=[{"type": "cred"}], months=6, scale=10,
               parameters={"cross_border_care": 1.0, "health_workers_per_10k": 4.0,
                           "attendance_distance_km": 100.0})
    linked, cut = _puno(**run), _puno(**run, cut=True)

    def national(model, metric):
        return model.results().query(f"metric == '{metric}' and group == 'national'")["value"]

    assert national(linked, "cross_border_contacts").sum() > 0
    assert national(cut, "cross_border_contacts").sum() == 0
    monitored = [national(m, "growth_monitoring").iloc[-1] / 100 for m in (linked, cut)]
    under3 = np.count_nonzero((cut.children.age_months >= 0) & (cut.children.age_months < 36))
    se = np.sqrt(sum(p * (1 - p) for p in monitored) / under3)
    assert monitored[0] - monitored[1] > 4 * se


def test_isolated_districts_fill_places_slower():
    model = _puno([], 1)
    factor = network.recruitment_factor(model).copy()
    islands = [model.geography.index_of(code) for code in ISLANDS]
    pop = model.geography.population
    # an island recruits from its own people only: 1 + half / population
    assert np.allclose(factor[islands], 1 + model.params.recruitment_pool_half / pop[islands])
    model.network.cut()
    cut = network.recruitment_factor(model)
    has_neighbours = np.diff(_puno([], 1).network.indptr) > 0
    assert np.all(cut[has_neighbours] > factor[has_neighbours])
    assert np.allclose(cut[islands], factor[islands])
    # SERUMS posts stay empty longer without neighbours' labour pools
    serums = [{"type": "serums", "vacancy_months": 3, "rotation_months": 2,
               "placements_per_year": 50000}]  # vacancies, not placements, bind
    slow = {"recruitment_pool_half": 20000.0}
    linked = _puno(serums, 12, parameters=slow)
    alone = _puno(serums, 12, cut=True, parameters=slow)
    staffed = [m.results().query("metric == 'coverage:serums'")["value"].mean()
               for m in (linked, alone)]
    assert staffed[1] < staffed[0]
