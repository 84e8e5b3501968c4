"""Every shipped scenario file validates and runs."""

from pathlib import Path

import pytest

from model.config import load_scenario
from model.model import ECDModel

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


def test_the_expected_scenarios_ship():
    names = {p.stem for p in SCENARIOS}
    assert {"baseline", "classroom", "cct", "sis", "serums", "home_visits", "iron", "cred",
            "package", "cuna_mas_1m"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_runs(path):
    scenario = load_scenario(path, {"months": 3, "scale": 200.0})
    model = ECDModel(scenario)
    for _ in range(3):
        model.step()
    results = model.results()
    assert results.step.max() == 3
    for spec in scenario.interventions:
        assert f"cost:{spec.type}" in set(results.metric)
