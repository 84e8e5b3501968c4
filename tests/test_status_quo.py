"""The status quo: a history lived before the start, its programs changed by a scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.analysis.comparison import check_comparable
from model.config import ScenarioError, load_scenario, validate_scenario
from model.model import ECDModel
from model.population import JuntosStatus

HISTORY = "peru_2000_2019.yaml"


def scenario(tmp_path, body: str):
    """A scenario file beside a copy of the history (Huancavelica, scale 20)."""
    from pathlib import Path
    root = Path(__file__).parents[1] / "scenarios"
    (tmp_path / HISTORY).write_text((root / HISTORY).read_text())
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nstart: 2020-01\nmonths: 6\nscale: 20\nseed: 3\n"
                    "geography: {departments: [HUANCAVELICA]}\n"
                    f"history: {HISTORY}\n" + body)
    return load_scenario(path)


def run(spec) -> tuple[ECDModel, pd.DataFrame]:
    """Run a scenario to its end."""
    model = ECDModel(spec)
    for _ in range(spec.months):
        model.step()
    return model, model.results()


@pytest.fixture(scope="module")
def status_quo(tmp_path_factory):
    """The status quo of Huancavelica from 2020-01, and its results."""
    return run(scenario(tmp_path_factory.mktemp("sq"), ""))


def test_the_history_brings_programs_and_children_to_the_start(status_quo):
    model, results = status_quo
    assert results["date"].iloc[0] == "2020-01" and results["step"].min() == 0
    assert model.history_months == 240
    # programs running at their last levels: Juntos families enrolled, SIS insured, visitors
    assert np.count_nonzero(model.households.juntos != JuntosStatus.NOT_ENROLLED) > 0
    assert model.households.sis_insured.mean() > 0.3
    assert len(model.visitors) > 0
    names = {i.name for i in model.interventions}
    assert {"cct", "sis", "serums", "cred", "home_visits", "iron"} <= names
    assert results[results["metric"] == "cost:cct"]["value"].sum() > 0


def test_an_unchanged_status_quo_gives_identical_results(tmp_path, status_quo):
    _, reference = status_quo
    _, same = run(scenario(tmp_path, "interventions:\n  - {type: cct, transfer_soles: 200}\n"))
    pd.testing.assert_frame_equal(same.drop(columns="scenario"),
                                  reference.drop(columns="scenario"))


def test_changes_update_the_running_programs(tmp_path, status_quo):
    _, reference = status_quo
    model, results = run(scenario(tmp_path, "interventions:\n"
                                            "  - {type: cct, transfer_soles: 300}\n"
                                            "  - {type: home_visits, end: 2019-12}\n"))
    juntos = [i for i in model.interventions if i.name == "cct"][-1]
    assert juntos.p.transfer_soles == 300
    assert juntos.p.rollout  # the history's own settings carry on
    cuna_mas = [i for i in model.interventions if i.name == "home_visits"][-1]
    assert not cuna_mas.team and not cuna_mas.enrolled.any()  # ended before the start
    paid = results[results["metric"] == "cost:cct"]["value"].sum()
    assert paid > reference[reference["metric"] == "cost:cct"]["value"].sum()


def test_histories_must_match_to_compare(tmp_path):
    with_history = scenario(tmp_path, "")
    without = validate_scenario({**with_history.model_dump(mode="json"), "history": None})
    problems = check_comparable([with_history, without])
    assert problems and "history" in problems[0]


def test_a_history_must_start_before_the_scenario(tmp_path):
    body = scenario(tmp_path, "").model_dump(mode="json")
    with pytest.raises(ScenarioError, match="history starts 2000-01"):
        validate_scenario({**body, "start": "1999-01"})


def test_a_saved_history_gives_the_same_results_as_living_it_again(tmp_path):
    from model import model as model_module
    spec = scenario(tmp_path, "interventions:\n  - {type: iron, adherence_mean: 0.8}\n")
    model_module._history_states.clear()
    first = model_module.build_model(spec)   # lives the history and saves it
    assert len(model_module._history_states) == 1
    restored = model_module.build_model(spec)  # restored from the saved state
    fresh = ECDModel(spec)
    for m in (first, restored, fresh):
        for _ in range(spec.months):
            m.step()
    pd.testing.assert_frame_equal(restored.results(), fresh.results())
    pd.testing.assert_frame_equal(first.results(), fresh.results())


def test_the_status_quo_starts_where_the_recorded_history_ends(tmp_path):
    # the history lived before the start (negative steps) must be the history run itself
    sq = scenario(tmp_path, "")
    history = validate_scenario({**sq.history.model_dump(mode="json"), "scale": sq.scale,
                                 "seed": sq.seed, "geography": sq.geography.model_dump()})
    lived = ECDModel(history)
    for _ in range(history.months):
        lived.step()
    started = ECDModel(sq)
    for name in ("age_months", "haz", "hb", "iron_stock"):
        assert np.array_equal(getattr(lived.children, name), getattr(started.children, name)), name
    seen = lived.children.last_cred_step > -10_000  # step numbers: counted from 2000 or 2020
    assert np.array_equal(lived.children.last_cred_step[seen] - history.months,
                          started.children.last_cred_step[seen])
    for name in ("juntos", "sis_insured", "visitor", "discouraged_until"):
        left, right = getattr(lived.households, name), getattr(started.households, name)
        if name == "discouraged_until":  # a step number: the same month, counted from 2000
            left = np.where(left > -10_000, left - history.months, left)
        assert np.array_equal(left, right), name
    first = lambda r, m: r[(r["metric"] == m) & (r["group"] == "national")]["value"]  # noqa: E731
    for metric in ("stunting", "anemia"):
        assert first(lived.results(), metric).iloc[-1] == first(started.results(), metric).iloc[0]
