"""In-silico trials: the Cuna Más arms, the simulated effects and the table (small, fast)."""

import numpy as np
import pandas as pd
import pytest

from model.analysis import trials
from model.geography import load_district_table


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """Both replays, 2 replicates each, at coarse scales (a few seconds)."""
    return trials.replicate_trials(replicates=2, seed=3, scale_cuna=12, scale_juntos=20)


def row(table: pd.DataFrame, trial: str, outcome: str) -> pd.Series:
    hits = table[table["trial"].str.startswith(trial) & table["outcome"].str.startswith(outcome)]
    assert len(hits) == 1, (trial, outcome, table[["trial", "outcome"]])
    return hits.iloc[0]


def test_cuna_mas_districts_follow_the_stated_rule():
    districts = trials.cuna_mas_districts()
    assert len(districts) == len(set(districts)) == 180
    info = load_district_table().set_index("ubigeo").loc[districts]
    assert (info["urban_share_2019"] < 0.5).all()
    assert (info["poverty_total_pct_2018"] >= 40).all()
    assert info["natural_region"].isin(["Sierra", "Selva"]).all()
    assert 1 < trials.cuna_mas_scale(districts) < 20


def test_cuna_mas_arms_are_120_and_60_and_reproducible_for_a_seed():
    districts = trials.cuna_mas_districts()
    treated, control = trials.assign_arms(districts, seed=7)
    assert (len(treated), len(control)) == (120, 60)
    assert set(treated).isdisjoint(control)
    assert sorted(treated + control) == districts
    assert trials.assign_arms(districts, seed=7) == (treated, control)
    assert trials.assign_arms(districts, seed=8)[0] != treated


def test_cuna_mas_scenario_visits_only_the_treated_arm():
    treated, control = trials.assign_arms(trials.cuna_mas_districts(), seed=1)
    scenario = trials.cuna_mas_scenario(treated, control, seed=1, scale=10)
    assert len(scenario.geography.districts) == 180
    (visits,) = scenario.interventions
    assert visits.type == "home_visits"
    assert visits.model_extra["districts"] == treated
    assert visits.model_extra["rural_only"] is True
    assert (scenario.start, scenario.months) == ("2013-01", 24)


def test_table_has_the_expected_columns_and_rows(table):
    assert list(table.columns) == trials.TRIAL_COLUMNS
    assert len(table) == 6
    assert table["agrees"].map(type).eq(bool).all()
    numbers = table[["simulated_median", "simulated_p5", "simulated_p95"]].to_numpy()
    assert np.isfinite(numbers).all()
    assert (table["simulated_p5"] <= table["simulated_median"]).all()
    assert (table["simulated_median"] <= table["simulated_p95"]).all()


def test_home_visits_raise_development_but_hardly_move_haz(table):
    assert row(table, "Cuna Más", "development")["simulated_median"] > 0
    assert abs(row(table, "Cuna Más", "mean HAZ")["simulated_median"]) < 0.1


def test_juntos_children_are_far_more_often_monitored(table):
    gap = row(table, "Juntos", "growth monitoring")
    assert gap["simulated_median"] > 20
    assert gap["published"] == 69
