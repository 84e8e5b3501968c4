"""Sweeps and trial replays over parameter draws x replicates (issue 12): small and fast."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.app import app
from model.analysis import trials
from model.analysis.sweeps import load_sweep

ROOT = Path(__file__).resolve().parents[1]
BASE = "name: base\nmonths: 3\nscale: 20\ngeography:\n  departments: [TUMBES]\n"
# points 0 and 1 are the same scenario; point 2 changes a parameter the draws also set
POINTS = "points:\n  - {}\n  - {}\n  - {parameters.haz_falter_base: 0.02}\n"


def cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def sweep_file(tmp_path) -> Path:
    (tmp_path / "base.yaml").write_text(BASE)
    path = tmp_path / "sweep.yaml"
    path.write_text(f"base: base.yaml\nreplicates: 2\nseed: 3\nreference: false\n{POINTS}")
    return path


def by_draw(runs) -> dict:
    return {(r.labels["point"], r.labels["draw"], r.labels["replicate"]): r for r in runs}


def test_sweep_draws_are_reproducible_from_the_seed_and_shared_by_every_point(sweep_file):
    _, runs, points = load_sweep(sweep_file, draws=2, seed=5)
    assert len(points) == 3 and len(runs) == 3 * 2 * 2
    _, again, _ = load_sweep(sweep_file, draws=2, seed=5)
    assert [(r.run_id, r.seed, r.scenario, r.group) for r in runs] == \
        [(r.run_id, r.seed, r.scenario, r.group) for r in again]
    _, other, _ = load_sweep(sweep_file, draws=2, seed=6)
    assert [r.scenario for r in other] != [r.scenario for r in runs]
    assert {r.seed for r in other}.isdisjoint({r.seed for r in runs})
    runs = by_draw(runs)
    for d in range(2):
        for r in range(2):
            first, twin, changed = (runs[p, d, r] for p in range(3))
            assert first.seed == twin.seed == changed.seed  # common random numbers
            assert first.scenario == twin.scenario
            assert first.group == changed.group == f"d{d:03d}-r{r:03d}"
            drawn = first.scenario["parameters"]
            assert changed.scenario["parameters"]["haz_falter_base"] == 0.02  # the sweep wins
            assert {k: v for k, v in changed.scenario["parameters"].items()
                    if k != "haz_falter_base"} == {k: v for k, v in drawn.items()
                                                   if k != "haz_falter_base"}
    assert runs[0, 0, 0].scenario["parameters"] != runs[0, 1, 0].scenario["parameters"]
    assert runs[0, 0, 0].seed != runs[0, 1, 0].seed  # each draw its own seeds
    _, plain, _ = load_sweep(sweep_file)
    assert [r.run_id for r in plain][:2] == ["p0000-r000", "p0000-r001"]
    assert "draw" not in plain[0].labels and plain[0].group == ""
    assert plain[0].seed == plain[2].seed  # without draws every point has the same seeds


def test_sweep_with_draws_pairs_points_within_a_draw_and_reports_the_share(sweep_file):
    out = sweep_file.parent / "out"
    proc = cli("sweep", sweep_file, "--draws", 2, "--seed", 5, "--workers", 1, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "3 points x 2 draws x 2 replicates = 12 runs" in " ".join(proc.stderr.split())
    results = pd.read_parquet(list((out / "runs").glob("*.parquet")))
    assert results.groupby("point")[["draw", "replicate"]].nunique().to_dict() == {
        "draw": {0: 2, 1: 2, 2: 2}, "replicate": {0: 2, 1: 2, 2: 2}}
    keys = ["draw", "replicate", "step", "metric", "group"]
    a, b, c = (results[results.point == p].set_index(keys)["value"].sort_index()
               for p in range(3))
    pd.testing.assert_series_equal(a, b)  # identical points: exactly equal, draw by draw
    assert not np.allclose(a, c.reindex(a.index), equal_nan=True)
    national = a.xs(("stunting", "national"), level=("metric", "group"))
    assert national.xs(0, level="draw").ne(national.xs(1, level="draw")).any()
    summary = pd.read_csv(out / "sweep_summary.csv")
    assert list(summary.point) == [0, 1, 2]
    assert (summary[["draws", "replicates", "runs"]].to_numpy() == [2, 2, 4]).all()
    for outcome in ("stunting", "anemia", "mean_haz"):
        share = summary[f"{outcome}_param_share"]
        assert share.between(0, 1).all(), summary
        assert (summary[f"{outcome}_p5"] <= summary[f"{outcome}_median"]).all()
    pd.testing.assert_series_equal(summary.iloc[0].drop("point"), summary.iloc[1].drop("point"),
                                   check_names=False)
    drawn = pd.read_csv(out / "draws.csv", index_col="draw")
    assert len(drawn) == 2 and drawn.notna().all().all()
    resumed = cli("sweep", sweep_file, "--draws", 2, "--seed", 5, "--workers", 1, "--out", out)
    assert resumed.returncode == 0 and "12 already done" in resumed.stderr


@pytest.fixture(scope="module")
def drawn_trials() -> pd.DataFrame:
    """Both replays, 2 draws x 2 replicates, at coarse scales (a few seconds)."""
    return trials.replicate_trials(replicates=2, seed=3, scale_cuna=12, scale_juntos=20,
                                   draws=2)


def test_trials_over_draws_report_the_interval_and_the_parameter_share(drawn_trials):
    assert list(drawn_trials.columns) == trials.TRIAL_COLUMNS + trials.DRAW_COLUMNS
    assert len(drawn_trials) == 6
    assert (drawn_trials[["draws", "replicates"]].to_numpy() == 2).all()
    assert drawn_trials["param_share"].dropna().between(0, 1).all()
    assert drawn_trials["param_share"].notna().sum() >= 4
    assert (drawn_trials["simulated_p5"] <= drawn_trials["simulated_median"]).all()
    assert drawn_trials["agrees"].map(type).eq(bool).all()
    plain = trials.replicate_trials(replicates=2, seed=3, scale_cuna=12, scale_juntos=20)
    assert list(plain.columns) == trials.TRIAL_COLUMNS  # unchanged without draws
    assert not np.allclose(plain["simulated_median"], drawn_trials["simulated_median"])


def test_trial_draws_are_reproducible_from_the_seed(drawn_trials):
    again = trials.cuna_mas_trial(replicates=2, seed=3, scale=12, draws=2)
    pd.testing.assert_frame_equal(again, drawn_trials.iloc[:3])
    other = trials.cuna_mas_trial(replicates=2, seed=4, scale=12, draws=2)
    assert not other["simulated_median"].equals(again["simulated_median"])


@pytest.mark.parametrize("command", ["sweep", "replicate-trials"])
@pytest.mark.parametrize("draws", [-1, 10_001])
def test_draws_out_of_range_exit_2_before_any_work(command, draws, sweep_file):
    out = sweep_file.parent / "out"
    args = [str(sweep_file)] if command == "sweep" else []
    outcome = CliRunner().invoke(app, [command, *args, "--draws", str(draws),
                                           "--out", str(out)])
    assert outcome.exit_code == 2, outcome.output
    assert f"--draws {draws}: allowed 0-10000" in " ".join(outcome.output.split())
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert not out.exists()  # nothing was run or written
