"""The cell-based recorder gives the same numbers as a direct computation."""

import numpy as np
import pytest

from model.dynamics import AGE_BANDS


def test_group_metrics_match_a_direct_count(national_model, national_results):
    m, res = national_model, national_results
    last = res[res.step == res.step.max()].set_index(["metric", "group"])["value"]
    kids, hh = m.children, m.households
    h = kids.household
    age = kids.age_months
    anemic = m.anemic_mask()
    young = (age >= 6) & (age <= 35)
    dept = np.array(m.geography.department)[hh.district[h]]
    for name in ("PUNO", "LIMA", "LORETO"):
        sel = dept == name
        assert last["stunting", f"department:{name}"] == pytest.approx(
            100 * np.mean(kids.haz[sel] < -2))
        assert last["anemia", f"department:{name}"] == pytest.approx(
            100 * np.mean(anemic[sel & young]))
        assert last["mean_haz", f"department:{name}"] == pytest.approx(
            np.mean(kids.haz[sel]), abs=1e-4)
    rural = hh.area[h] == 1
    assert last["severe_stunting", "rural"] == pytest.approx(100 * np.mean(kids.haz[rural] < -3))
    q2 = hh.quintile[h] == 2
    assert last["anemia_6_59m", "quintile:2"] == pytest.approx(
        100 * np.mean(anemic[q2 & (age >= 6)]))
    lo, hi = AGE_BANDS[2]
    band = (age >= lo) & (age <= hi)
    assert last["anemia", f"age:{lo}-{hi}m"] == pytest.approx(100 * np.mean(anemic[band]))
    assert ("anemia", "age:0-5m") not in last.index  # anemia is not assessed under 6 months


def test_district_outputs_when_asked():
    from conftest import make_model
    m = make_model(geography={"departments": ["MOQUEGUA"]}, scale=5, months=1,
                   outputs={"districts": True})
    res = m.results()
    districts = {g for g in res.group if g.startswith("district:")}
    assert len(districts) == m.geography.n
