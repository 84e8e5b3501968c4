"""The command line as a user meets it: outputs, reproducibility and bad input (exit 2)."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import FAILING_VALUE, failing_model_env

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def classroom_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    proc = cli("run", CLASSROOM, "--months", 12, "--out", out)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_run_writes_results_metadata_and_chart(classroom_run):
    out, proc = classroom_run
    results = pd.read_csv(out / "results.csv")
    assert list(results.columns) == ["scenario", "seed", "step", "date", "metric", "group",
                                     "value"]
    assert results.step.max() == 12 and set(results.scenario) == {"classroom"}
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["months_simulated"] == 12
    assert meta["seed"] == 7 and meta["scale"] == 5.0 and len(meta["scenario_hash"]) == 16
    png = (out / "trajectories.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert "stunting" in proc.stderr and "Traceback" not in proc.stderr


def test_same_scenario_and_seed_give_identical_csv(classroom_run, tmp_path):
    out, _ = classroom_run
    again = cli("run", CLASSROOM, "--months", 12, "--out", tmp_path)
    assert again.returncode == 0
    assert (tmp_path / "results.csv").read_bytes() == (out / "results.csv").read_bytes()
    other = cli("run", CLASSROOM, "--months", 12, "--seed", 8, "--out", tmp_path / "b")
    assert other.returncode == 0
    assert (tmp_path / "b" / "results.csv").read_bytes() != (out / "results.csv").read_bytes()


def test_help_documents_every_option():
    text = cli("run", "--help").stdout
    for option in ("--seed", "--months", "--scale", "--out", "scenario"):
        assert option in text
    assert "bench" in cli("--help").stdout


def write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


BAD_INPUTS = {
    "missing file": (["run", "no/such/file.yaml"], ["no/such/file.yaml", "not found"]),
    "unknown field": (["run", "{tmp}/bad.yaml"], ["bad.yaml", "colour", "allowed fields",
                                                   "months"]),
    "out of range": (["run", "{tmp}/range.yaml"], ["range.yaml", "scale", "0", "greater than"]),
    "unknown department": (["run", "{tmp}/dept.yaml"], ["dept.yaml", "geography.departments",
                                                        "NARNIA", "allowed", "CUSCO"]),
    "negative months": (["run", str(CLASSROOM), "--months", "-3"], ["classroom.yaml", "months",
                                                                   "-3", "--months",
                                                                   "greater than"]),
    "negative scale": (["run", str(CLASSROOM), "--scale", "-1"], ["classroom.yaml", "scale",
                                                                 "-1", "--scale"]),
    "malformed yaml": (["run", "{tmp}/broken.yaml"], ["broken.yaml", "malformed YAML", "line"]),
    "unknown parameter": (["run", "{tmp}/param.yaml"], ["param.yaml", "parameters",
                                                        "haz_magic", "valid names"]),
    "unknown intervention": (["run", "{tmp}/inter.yaml"], ["inter.yaml", "interventions",
                                                           "teleport", "valid names", "cct",
                                                           "home_visits"]),
    "unknown intervention parameter": (["run", "{tmp}/iparam.yaml"], [
        "iparam.yaml", "interventions[0]", "coverage_magic", "valid names", "transfer_soles"]),
    "intervention parameter out of range": (["run", "{tmp}/irange.yaml"], [
        "irange.yaml", "iron.adherence_mean", "1.5", "less than or equal to 1"]),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_with_a_clear_message(case, tmp_path):
    write(tmp_path, "name: x\ncolour: blue\n")
    write(tmp_path, "name: x\nscale: 0\n", "range.yaml")
    write(tmp_path, "name: x\ngeography:\n  departments: [NARNIA]\n", "dept.yaml")
    write(tmp_path, "name: x\nmonths: [1, 2\n", "broken.yaml")
    write(tmp_path, "name: x\nparameters:\n  haz_magic: 1\n", "param.yaml")
    write(tmp_path, "name: x\ninterventions:\n  - type: teleport\n", "inter.yaml")
    write(tmp_path, "name: x\ninterventions:\n  - type: cct\n    coverage_magic: 2\n",
          "iparam.yaml")
    write(tmp_path, "name: x\ninterventions:\n  - type: iron\n    adherence_mean: 1.5\n",
          "irange.yaml")
    args, needles = BAD_INPUTS[case]
    proc = cli(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    message = " ".join(proc.stderr.split())
    for needle in needles:
        assert needle in message, (needle, message)


def test_unwritable_output_folder_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = cli("run", CLASSROOM, "--months", 1, "--out", blocker / "sub")
    assert proc.returncode == 2 and "--out" in proc.stderr and "Traceback" not in proc.stderr


def test_a_failing_run_keeps_the_months_already_computed(monkeypatch):
    from model.analysis.experiments import run_scenario
    from model.config import load_scenario
    from model.model import ECDModel

    original = ECDModel.step

    def step_that_breaks(self):
        if self.steps == 4:
            raise RuntimeError("simulated crash")
        original(self)

    monkeypatch.setattr(ECDModel, "step", step_that_breaks)
    outcome = run_scenario(load_scenario(CLASSROOM, {"months": 10}))
    assert outcome.metadata["status"] == "failed"
    assert "simulated crash" in outcome.metadata["error"]
    assert outcome.results.step.max() == 3 and outcome.metadata["months_simulated"] == 4


def test_out_of_range_model_parameter_exits_2(tmp_path):
    path = write(tmp_path, "name: x\nparameters:\n  low_birth_weight_share: 1.5\n")
    proc = cli("run", path)
    assert proc.returncode == 2 and "low_birth_weight_share" in proc.stderr
    assert "from 0 to 1" in " ".join(proc.stderr.split()) and "Traceback" not in proc.stderr


def test_a_model_that_cannot_be_built_fails_without_a_traceback(tmp_path):
    path = write(tmp_path, "name: x\nscale: 200\ngeography:\n  departments: [TUMBES]\n"
                           f"parameters:\n  haz_falter_base: {FAILING_VALUE}\n")
    proc = subprocess.run([sys.executable, str(ROOT / "run.py"), "run", str(path), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=300,
                          env=failing_model_env(tmp_path / "site"))
    assert proc.returncode == 1 and "while building the model" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_default_job_runs_the_status_quo(tmp_path):
    """`python run.py` with no command, as the README's first line has a newcomer type it."""
    proc = cli(cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Scenario baseline" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "output" / "results.csv").stat().st_size > 0
