"""Calibration (optuna, resumable) and validation against survey targets."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model.config import ScenarioError, load_scenario
from model.targets import load_targets, metric_and_group

ROOT = Path(__file__).resolve().parents[1]
SHORT = ("name: short\nstart: 2006-01\nmonths: 30\nscale: 50\n"
         "geography:\n  departments: [TUMBES]\ninclude: [params.yaml]\n")
TARGETS = ("year,indicator,age_group,group,value_percent,source\n"
           "2007,stunting,0-59m,national,20.0,test\n"
           "2007,anemia,6-35m,national,50.0,test\n"
           "2007,anemia,9-11m,national,60.0,test\n")


def cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "short.yaml").write_text(SHORT)
    (tmp_path / "params.yaml").write_text("parameters:\n  haz_falter_base: 0.01\n")
    (tmp_path / "targets.csv").write_text(TARGETS)
    return tmp_path


def test_targets_map_to_model_series():
    table = load_targets(ROOT / "model" / "data" / "calibration_targets.csv")
    mapped = {metric_and_group(row) for _, row in table.iterrows()}
    assert ("stunting", "national") in mapped and ("anemia", "national") in mapped
    assert ("anemia_6_59m", "national") in mapped and ("anemia", "age:9-11m") in mapped


def test_bad_targets_are_refused(files):
    bad = files / "bad.csv"
    bad.write_text(TARGETS.replace("6-35m", "3-4m"))
    with pytest.raises(ScenarioError, match="age_group"):
        load_targets(bad)
    bad.write_text("year,value\n2000,1\n")
    with pytest.raises(ScenarioError, match="missing columns"):
        load_targets(bad)
    proc = cli("validate", "--targets", bad, "--scenario", files / "short.yaml")
    assert proc.returncode == 2 and "missing columns" in proc.stderr


def test_included_parameters_reach_the_scenario(files):
    scenario = load_scenario(files / "short.yaml")
    assert scenario.parameters["haz_falter_base"] == 0.01
    (files / "params.yaml").write_text("parameters:\n  haz_magic: 1\n")
    with pytest.raises(ScenarioError, match="haz_magic"):
        load_scenario(files / "short.yaml")


def test_validate_writes_the_table_the_chart_and_the_errors(files):
    out = files / "val"
    proc = cli("validate", "--scenario", files / "short.yaml", "--targets", files / "targets.csv",
               "--replicates", 2, "--workers", 2, "--out", out)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "validation.csv")
    assert len(table) == 3 and table.runs.eq(2).all()
    assert (table.model_p5 <= table.model_median).all() and (
        table.model_median <= table.model_p95).all()
    assert (table.error == table.model_median - table.value_percent).all()
    assert "mean absolute error, stunting" in proc.stderr
    assert (out / "validation.png").stat().st_size > 10_000


def test_calibration_fits_writes_and_resumes(files):
    out = files / "cal"
    proc = cli("calibrate", files / "short.yaml", "--targets", files / "targets.csv",
               "--trials", 2, "--scale", 100, "--out", out)
    assert proc.returncode == 0, proc.stderr
    fitted = pd.read_csv(out / "fitted.csv")
    assert {"parameter", "default", "fitted", "range_low", "range_high"} <= set(fitted.columns)
    assert ((fitted.fitted >= fitted.range_low) & (fitted.fitted <= fitted.range_high)).all()
    written = yaml.safe_load((out / "calibrated.yaml").read_text())
    # tuple parameters are fitted element by element ("x[0]") and written whole ("x")
    assert set(written["parameters"]) == {name.split("[")[0] for name in fitted.parameter}
    assert len(written["parameters"]["non_iron_share_by_region"]) == 3
    again = cli("calibrate", files / "short.yaml", "--targets", files / "targets.csv",
                "--trials", 3, "--scale", 100, "--out", out)
    assert again.returncode == 0 and "after 3 trials" in " ".join(again.stderr.split())
    refined = cli("calibrate", files / "short.yaml", "--targets", files / "targets.csv",
                  "--trials", 3, "--refine", 2, "--scale", 100, "--out", out)
    assert refined.returncode == 0 and "after 5 trials" in " ".join(refined.stderr.split())


def test_the_loss_weighs_each_figure_by_its_sampling_error():
    from model.calibration import loss
    results = pd.DataFrame({
        "date": ["2010-07"] * 4, "metric": ["stunting", "children"] * 2,
        "group": ["department:TUMBES", "department:TUMBES", "national", "national"],
        "value": [30.0, 1e6, 30.0, 1e6]})
    def target(group, n):
        return pd.DataFrame([{"year": 2010, "indicator": "stunting", "age_group": "0-59m",
                              "group": group, "area": "total", "value_percent": 25.0,
                              "n": n}])
    small, large = loss(results, target("department:TUMBES", 150), scale=1.0), loss(
        results, target("national", 9000), scale=1.0)
    # the same 5-point error: chi-square = 25 / (1e4 x 2 x 0.25 x 0.75 / n + model variance),
    # the model variance being 1e4 x 0.3 x 0.7 / 1e6 simulated children
    assert np.isclose(small, 25 / (2 * 1875 / 150 + 0.0021), rtol=1e-6)
    assert large > 30 * small


def test_replicate_trials_command_writes_the_table(tmp_path):
    proc = cli("replicate-trials", "--replicates", 1, "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(tmp_path / "trials.csv")
    assert {"trial", "outcome", "published", "simulated_median", "agrees"} <= set(table.columns)
    assert len(table) == 6
    assert "| trial |" in (tmp_path / "trials.md").read_text()
