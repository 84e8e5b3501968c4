"""Parameter uncertainty: distributions, draws, and how a draw enters a run (issue 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model.analysis import draws
from model.analysis.comparison import parameter_share
from model.analysis.experiments import RunSpec, execute_run
from model.config import ScenarioError, validate_scenario
from model.model import ECDModel

ROOT = Path(__file__).resolve().parents[1]
SMALL = ("name: {name}\nmonths: 6\nscale: 40\ngeography:\n  departments: [TUMBES]\n"
         "interventions:\n  - {{type: iron}}\n  - {{type: cred}}\n")


def test_every_distribution_is_centred_on_the_default_and_contains_it():
    table = draws.values_at(np.full((1, draws.dimension()), 0.5))
    for item in draws.UNCERTAIN:
        assert item.kind in ("normal", "lognormal", "beta", "uniform")
        low, high = item.interval()
        assert low <= item.centre() <= high, item.name
        if item.kind != "beta":  # a beta is centred by its mean, not its median
            assert table[item.name].iloc[0] == pytest.approx(item.centre()), item.name
        for target in item.targets:
            draws.default_value(target)  # every target exists
    from model.analysis.calibration import default_point
    for name, value in default_point().items():
        assert table[name].iloc[0] == pytest.approx(value)


def test_draws_are_reproducible_and_distinct():
    a, b = draws.parameter_draws(8, seed=3), draws.parameter_draws(8, seed=3)
    pd.testing.assert_frame_equal(a, b)
    other = draws.parameter_draws(8, seed=4)
    assert not np.allclose(a.to_numpy(), other.to_numpy())
    continuous = [i.name for i in draws.UNCERTAIN if not i.integer]
    assert a[continuous].nunique().min() == 8          # every draw differs in every number
    assert list(a.columns) == draws.names()


def test_a_latin_hypercube_covers_each_range_evenly():
    u = draws.unit_draws(20, seed=1)
    strata = np.floor(u * 20).astype(int)
    assert all(sorted(strata[:, j]) == list(range(20)) for j in range(u.shape[1]))


def test_calibrated_draws_follow_the_posterior_covariance():
    from model.analysis.calibration import load_posterior
    posterior = load_posterior()
    table = draws.parameter_draws(400, seed=2)[posterior.names]
    sd = np.sqrt(np.diag(posterior.cov))
    inside = (table.std().to_numpy() / sd)
    inside = inside[sd > 0]
    # clipping to the search ranges can only narrow a spread; a 400-point hypercube gives
    # each SD to within about 10%
    assert np.median(inside) == pytest.approx(1.0, abs=0.15)


def test_zero_spread_gives_the_defaults_and_a_plain_run():
    body = validate_scenario(yaml.safe_load(SMALL.format(name="a")),
                             source="test").model_dump(mode="json")
    values = draws.parameter_draws(1, seed=5, spread=0.0).iloc[0].to_dict()
    drawn = draws.apply_draw(body, values)
    plain = execute_run(RunSpec(run_id="plain", scenario=body, seed=11))
    same = execute_run(RunSpec(run_id="plain", scenario=drawn, seed=11))
    pd.testing.assert_frame_equal(plain, same)
    moved = draws.apply_draw(body, draws.parameter_draws(1, seed=5).iloc[0].to_dict())
    other = execute_run(RunSpec(run_id="plain", scenario=moved, seed=11))
    assert not plain["value"].equals(other["value"])


def test_a_draw_never_overrides_what_a_scenario_sets():
    body = {"name": "x", "parameters": {"care_seeking_base": 0.25},
            "program_parameters": {"iron": {"stockout_prob": 0.05}},
            "interventions": [{"type": "iron", "gap_closure": 0.9}]}
    values = {"care_seeking_base": 0.4, "iron.stockout_prob": 0.3, "iron.gap_closure": 0.6,
              "home_visits.turnover_base": 0.02}
    out = draws.apply_draw(body, values)
    assert out["parameters"]["care_seeking_base"] == 0.25
    assert out["program_parameters"]["iron"] == {"stockout_prob": 0.05, "gap_closure": 0.6}
    assert out["program_parameters"]["municipal_visits"]["turnover_base"] == 0.02
    model = ECDModel(validate_scenario({**out, "months": 1, "scale": 200.0, "geography": {
        "departments": ["TUMBES"]}}, source="test"))
    (iron,) = model.interventions
    assert iron.p.gap_closure == 0.9 and iron.p.stockout_prob == 0.05  # the entry's own wins


def test_program_parameters_are_checked():
    with pytest.raises(ScenarioError, match="unknown program 'irn'"):
        validate_scenario({"name": "x", "program_parameters": {"irn": {"gap_closure": 1}}},
                          source="t")
    with pytest.raises(ScenarioError, match="gap_closre"):
        validate_scenario({"name": "x", "program_parameters": {"iron": {"gap_closre": 1}}},
                          source="t")
    with pytest.raises(ScenarioError, match="stockout_prob"):
        validate_scenario({"name": "x", "program_parameters": {"iron": {"stockout_prob": 2}}},
                          source="t")


def test_parameter_share_separates_draws_from_chance():
    index = pd.MultiIndex.from_product([range(6), range(4)], names=["draw", "replicate"])
    rng = np.random.default_rng(0)
    pure_chance = pd.Series(rng.normal(size=24), index=index)
    assert parameter_share(pure_chance) < 0.5
    by_draw = pd.Series(np.repeat(np.arange(6.0) * 10, 4) + rng.normal(0, 0.1, 24),
                        index=index)
    assert parameter_share(by_draw) > 0.99
    no_draws = pd.Series([1.0, 2.0], index=pd.Index([0, 1], name="replicate"))
    assert np.isnan(parameter_share(no_draws))


def test_compare_with_draws_pairs_scenarios_within_each_draw(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(SMALL.format(name=name))
    proc = subprocess.run([sys.executable, str(ROOT / "run.py"), "compare",
                           str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--draws", "3",
                           "--replicates", "2", "--workers", "2", "--out",
                           str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    results = pd.read_parquet(out / "results.parquet")
    assert results.groupby("scenario")[["draw", "replicate"]].nunique().to_dict() == {
        "draw": {"a": 3, "b": 3}, "replicate": {"a": 2, "b": 2}}
    summary = pd.read_csv(out / "summary.csv")
    same = summary[summary.scenario == "b"]
    assert (same[["diff_median", "diff_p5", "diff_p95"]] == 0).all().all()  # exactly
    assert len(pd.read_csv(out / "draws.csv")) == 3
    text = (out / "summary.md").read_text()
    assert "3 parameter draws x 2 replicates" in text
    assert "plausible models" in proc.stdout + proc.stderr


def test_the_docs_table_is_the_code_table():
    text = (ROOT / "docs" / "uncertainty.md").read_text()
    assert draws.distribution_markdown() in text, (
        "docs/uncertainty.md is out of date: run python -m model.analysis.doc_tables")


def test_the_most_extreme_draws_are_scenarios_the_schema_accepts():
    # The tails of lognormal and normal distributions are truncated to what a scenario may
    # set (iron.gap_closure's lognormal would pass 1 at the top).
    u = np.full((2, len(draws.names())), 0.5)
    u[0], u[1] = 1e-9, 1 - 1e-9
    body = yaml.safe_load(SMALL.format(name="extreme"))
    for values in draws.values_at(u).to_dict("records"):
        validate_scenario(draws.apply_draw(body, values), source="extreme draw")
    top = draws.values_at(u)["iron.gap_closure"].iloc[1]
    assert top == 1.0
