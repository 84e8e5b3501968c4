"""docs/extending.md's example program, read from the page, runs in a scenario."""

from __future__ import annotations

import re
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.config import Scenario
from model.interventions import INTERVENTIONS
from model.model import ECDModel

DOC = Path(__file__).resolve().parents[1] / "docs" / "extending.md"
REGION = {"departments": ["HUANCAVELICA"]}


@pytest.fixture(scope="module")
def telecounselling():
    """The example module, executed from the page (registers 'telecounselling')."""
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"```python\n(# model/interventions/telecounselling\.py\n.*?)```", text,
                     re.S)
    assert code, "docs/extending.md lost its example program"
    before = INTERVENTIONS.get("telecounselling")  # a real program of that name, if any
    module = types.ModuleType("telecounselling_example")
    exec(compile(code.group(1), str(DOC), "exec"), module.__dict__)
    yield module
    if before is None:
        INTERVENTIONS.pop("telecounselling", None)
    else:
        INTERVENTIONS["telecounselling"] = before


def _run(interventions, months=6):
    model = ECDModel(Scenario(name="example", geography=REGION, scale=20, months=months,
                              seed=5, interventions=interventions))
    for _ in range(months):
        model.step()
    return model


def _national(model, metric):
    results = model.results()
    return results[(results.group == "national") & (results.metric == metric)]["value"]


def test_the_example_program_runs_and_reports_its_cost_coverage_and_figure(telecounselling):
    assert "telecounselling" in INTERVENTIONS
    model = _run([{"type": "cred"}, {"type": "telecounselling", "reach": 0.5}])
    calls = _national(model, "telecounselling_calls")
    assert len(calls) == 6 and (calls > 0).all()
    cost = _national(model, "cost:telecounselling")
    assert np.allclose(cost.values, calls.values * 2.0)
    coverage = _national(model, "coverage:telecounselling")
    # half of the eligible families are called: within 4 binomial standard errors
    eligible = calls.iloc[-1] / 20 / (coverage.iloc[-1] / 100)
    assert abs(coverage.iloc[-1] / 100 - 0.5) < 4 * np.sqrt(0.25 / eligible)
    assert (model.households.last_call_step == model.steps).any()


def test_the_example_program_counsels_and_its_order_does_not_matter(telecounselling):
    entries = [{"type": "cred"}, {"type": "telecounselling", "reach": 1.0, "adoption": 0.5}]
    forward, backward = _run(entries), _run(entries[::-1])
    pd.testing.assert_frame_equal(forward.results(), backward.results(), check_exact=True)
    without = _run(entries[:1])
    # counselling at every call turns inadequate feeding adequate: far more families feed well
    gained = (np.count_nonzero(forward.households.adequate_feeding)
              - np.count_nonzero(without.households.adequate_feeding))
    se = np.sqrt(forward.households.size * 0.25)
    assert gained > 4 * se
