"""SMS reminders (issue 14, point 4): who is reached, what a reminder changes, what it costs."""

from __future__ import annotations

import numpy as np

from model import services
from model.population import JuntosStatus
from tests.conftest import make_model


def _model(sms: dict, months: int = 3):
    model = make_model(geography={"departments": ["HUANCAVELICA"]}, scale=20, months=months,
                       seed=3, interventions=[{"type": "cct"}, {"type": "iron"},
                                              {"type": "sms", **sms}])
    for _ in range(months):
        model.step()
    return model


def test_reminders_reach_young_juntos_families_with_a_phone_only():
    model = _model({"channel": "juntos", "adherence_boost": 0.1, "attendance_boost": 0.2})
    hh = model.households
    sms = next(i for i in model.interventions if i.name == "sms")
    adherence = model.effects.read("iron_adherence", np.arange(hh.size))
    reached = adherence > 0
    assert reached.any()
    assert np.all(hh.juntos[reached] != JuntosStatus.NOT_ENROLLED)
    assert np.all(sms.phone_u[reached] < 0.75)
    assert np.allclose(adherence[reached], 0.1)
    assert np.allclose(sms.attendance[reached], 0.2)
    eligible = sms.eligible(model)
    assert np.array_equal(reached, eligible & (sms.phone_u < 0.75))
    # the last month's cost and coverage
    n = np.count_nonzero(reached)
    assert np.isclose(model.outputs.costs["sms"], n * 20 * 4 * 0.10)
    assert np.isclose(model.outputs.coverage["sms"], 100 * n / np.count_nonzero(eligible))
    # the share with a phone is what phone_share says, within 4 binomial SEs
    share = np.count_nonzero(reached) / np.count_nonzero(eligible)
    se = np.sqrt(0.75 * 0.25 / np.count_nonzero(eligible))
    assert abs(share - 0.75) < 4 * se


def test_a_reminder_raises_attendance_and_nobody_is_reached_without_phones():
    model = _model({"attendance_boost": 0.5})
    hh, kids = model.households, model.children
    sms = next(i for i in model.interventions if i.name == "sms")
    reached = np.flatnonzero(sms.attendance > 0)
    children = np.flatnonzero(np.isin(kids.household, reached))[:50]
    with_reminder = services.attendance_probability(model, children, 0.3)
    model.effects.withdraw(sms)
    without = services.attendance_probability(model, children, 0.3)
    assert np.allclose(with_reminder, np.minimum(1.0, 1.5 * without))
    none = _model({"phone_share": 0.0})
    assert not (none.effects.read("iron_adherence", np.arange(hh.size)) > 0).any()
    assert none.outputs.costs["sms"] == 0.0


def test_reminders_stop_after_their_end():
    model = make_model(geography={"departments": ["HUANCAVELICA"]}, scale=20, months=4, seed=3,
                       interventions=[{"type": "cct"},
                                      {"type": "sms", "end": "2019-02", "start": "2019-01"}],
                       start="2019-01")
    for _ in range(2):
        model.step()
    everyone = np.arange(model.households.size)
    assert (model.effects.read("iron_adherence", everyone) > 0).any()
    for _ in range(2):
        model.step()
    assert not model.effects.offered("iron_adherence")
    assert not model.effects.offered("cred_attendance")
