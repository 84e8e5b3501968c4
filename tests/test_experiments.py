"""Replicates, comparisons and sweeps: seeds, resuming, failures, executors, bad files."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAILING_VALUE, failing_model_env

from model.analysis.experiments import load_runs, replicate_seeds, run_batch
from model.analysis.sweeps import load_sweep

ROOT = Path(__file__).resolve().parents[1]
SMALL = "name: {name}\nmonths: {months}\nscale: 20\ngeography:\n  departments: [TUMBES]\n"


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=600, **kwargs)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def small_sweep(folder: Path, points: str, replicates: int = 2, months: int = 6) -> Path:
    write(folder / "base.yaml", SMALL.format(name="base", months=months))
    return write(folder / "sweep.yaml", f"base: base.yaml\nreplicates: {replicates}\n"
                                        f"seed: 3\nreference: false\n{points}")


def test_replicate_seeds_are_distinct_and_reproducible():
    seeds = replicate_seeds(7, 50)
    assert len(set(seeds)) == 50
    assert seeds == replicate_seeds(7, 50)
    assert seeds[:10] == replicate_seeds(7, 10)  # spawning more keeps the first ones
    assert replicate_seeds(8, 5) != seeds[:5]
    assert all(0 <= s < 2**63 for s in seeds)


def test_compare_writes_its_outputs_and_identical_scenarios_differ_by_exactly_zero(tmp_path):
    a = write(tmp_path / "a.yaml", SMALL.format(name="a", months=12))
    b = write(tmp_path / "b.yaml", SMALL.format(name="b", months=12))
    iron = write(tmp_path / "iron.yaml", SMALL.format(name="iron", months=12)
                 + "interventions:\n  - type: iron\n")
    proc = cli("compare", a, b, iron, "--replicates", 3, "--workers", 2, "--out",
               tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    for name in ("results.parquet", "summary.csv", "summary.md", "comparison.png"):
        assert (out / name).exists()
    results = pd.read_parquet(out / "results.parquet")
    assert results.groupby("scenario")["replicate"].nunique().to_dict() == {"a": 3, "b": 3,
                                                                           "iron": 3}
    summary = pd.read_csv(out / "summary.csv")
    national = summary[(summary.group == "national") & (summary.year == 2020)]
    same = national[national.scenario == "b"]
    assert (same[["diff_median", "diff_p5", "diff_p95"]] == 0).all().all()  # common random numbers
    anemia = national[(national.scenario == "iron") & (national.outcome == "anemia")].iloc[0]
    assert anemia.diff_p95 < 0 and anemia.averted_median > 0 and anemia.cost_median > 0
    assert "| iron |" in (out / "summary.md").read_text()
    assert "0 failed" in proc.stderr.splitlines()[-1]


def test_compare_rejects_scenarios_that_cannot_share_random_numbers(tmp_path):
    a = write(tmp_path / "a.yaml", SMALL.format(name="a", months=12))
    b = write(tmp_path / "b.yaml", SMALL.format(name="b", months=12).replace("TUMBES", "PASCO"))
    proc = cli("compare", a, b, "--out", tmp_path / "out")
    assert proc.returncode == 2 and "geography" in proc.stderr and "Traceback" not in proc.stderr


def test_sweep_points_grid_list_and_latin_hypercube(tmp_path):
    grid = small_sweep(tmp_path, "grid:\n  months: [3, 4]\n  parameters.haz_falter_base: "
                                 "[0.005, 0.01, 0.02]\n", replicates=2)
    _, runs, points = load_sweep(grid)
    assert len(points) == 6 and len(runs) == 12  # no reference run ("reference: false")
    assert runs[0].scenario["parameters"]["haz_falter_base"] == 0.005
    assert runs[0].seed == runs[2].seed  # same replicate seeds at every point
    lhs = small_sweep(tmp_path, "lhs:\n  samples: 8\n  ranges:\n"
                                "    parameters.haz_falter_base: [0.0, 0.02]\n", replicates=1)
    _, runs, points = load_sweep(lhs)
    values = sorted(p["parameters.haz_falter_base"] for p in points)
    assert len(values) == 8 and all(0 <= v <= 0.02 for v in values)
    bins = np.floor(np.array(values) / 0.0025).astype(int)
    assert sorted(bins) == list(range(8))  # one sample per stratum
    assert load_sweep(lhs)[2] == points  # reproducible


def test_sweep_selects_interventions_by_type(tmp_path):
    write(tmp_path / "pkg.yaml", SMALL.format(name="pkg", months=3)
          + "interventions:\n  - type: sis\n  - type: cct\n")
    sweep = write(tmp_path / "s.yaml", "base: pkg.yaml\npoints:\n"
                                       "  - interventions[cct].exclusion_error: 0.5\n")
    _, runs, _ = load_sweep(sweep)
    assert runs[0].scenario["interventions"][1]["exclusion_error"] == 0.5


BAD_SWEEPS = {
    "missing": (None, "not found"),
    "yaml": ("base: base.yaml\ngrid: [1, 2\n", "malformed YAML"),
    "unknown field": ("base: base.yaml\ngird:\n  months: [1]\n", "unknown field"),
    "no design": ("base: base.yaml\nreplicates: 2\n", "exactly one of grid, points or lhs"),
    "bad path": ("base: base.yaml\npoints:\n  - interventions[cct].attendance: 0.5\n",
                 "no entry with type 'cct'"),
    "bad value": ("base: base.yaml\ngrid:\n  months: [-1]\n", "months"),
}


@pytest.mark.parametrize("case", list(BAD_SWEEPS))
def test_malformed_sweep_files_exit_2(case, tmp_path):
    text, needle = BAD_SWEEPS[case]
    write(tmp_path / "base.yaml", SMALL.format(name="base", months=3))
    path = tmp_path / "sweep.yaml"
    if text is not None:
        path.write_text(text)
    proc = cli("sweep", path, "--out", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr
    assert needle in " ".join(proc.stderr.split()) and "Traceback" not in proc.stderr


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path):
    sweep = small_sweep(tmp_path, "points:\n  - {}\n"
                                  f"  - {{parameters.haz_falter_base: {FAILING_VALUE}}}\n")
    proc = cli("sweep", sweep, "--workers", 2, "--out", tmp_path / "out",
               env=failing_model_env(tmp_path / "site"))
    assert proc.returncode == 1
    assert "4 runs" in proc.stderr and "2 failed" in proc.stderr
    runs = tmp_path / "out" / "runs"
    assert sorted(p.name for p in runs.glob("*.parquet")) == ["p0000-r000.parquet",
                                                             "p0000-r001.parquet"]
    error = json.loads((runs / "p0001-r000.error.json").read_text())
    assert "lam" in error["error"] or "ValueError" in error["error"]
    summary = pd.read_csv(tmp_path / "out" / "sweep_summary.csv")
    assert list(summary.point) == [0]


def finished_runs(out: Path) -> list[Path]:
    """The run files written whole (a writer's temporary file is hidden: ``.name...``)."""
    return [p for p in (out / "runs").glob("*.parquet") if not p.name.startswith(".")]


def test_killed_sweep_resumes_without_recomputing(tmp_path):
    sweep = small_sweep(tmp_path, "grid:\n  parameters.haz_falter_base: [0.005, 0.01, 0.015, "
                                  "0.02]\n", replicates=2, months=24)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "sweep", str(sweep),
                             "--workers", "1", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(finished_runs(out)) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = {p: p.stat().st_mtime_ns for p in finished_runs(out)}
    assert 2 <= len(done) < 8, "the sweep must be stopped part-way"
    resumed = cli("sweep", sweep, "--workers", 1, "--out", out)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(done)} already done" in resumed.stderr
    for path, mtime in done.items():
        assert path.stat().st_mtime_ns == mtime  # not recomputed
    assert not list((out / "runs").glob(".*"))  # a killed writer's temporary file is cleared
    whole = cli("sweep", sweep, "--workers", 2, "--out", tmp_path / "whole")
    assert whole.returncode == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep_summary.csv"),
                                  pd.read_csv(tmp_path / "whole" / "sweep_summary.csv"))


def test_a_resumed_sweep_must_be_the_same_sweep(tmp_path):
    sweep = small_sweep(tmp_path, "points:\n  - {}\n", replicates=1, months=2)
    assert cli("sweep", sweep, "--workers", 1, "--out", tmp_path / "out").returncode == 0
    other = small_sweep(tmp_path, "points:\n  - {months: 3}\n", replicates=1, months=2)
    proc = cli("sweep", other, "--workers", 1, "--out", tmp_path / "out")
    assert proc.returncode == 2 and "different batch" in " ".join(proc.stderr.split())


def test_dask_local_cluster_serial_and_pool_give_identical_numbers(tmp_path):
    distributed = pytest.importorskip("distributed")
    sweep = small_sweep(tmp_path, "grid:\n  parameters.haz_falter_base: [0.005, 0.02]\n",
                        replicates=2, months=4)
    _, runs, _ = load_sweep(sweep)
    frames = {}
    for name, kwargs in (("serial", {"workers": 1}), ("pool", {"workers": 2})):
        run_batch(runs, tmp_path / name, **kwargs)
        frames[name] = load_runs(tmp_path / name)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        run_batch(runs, tmp_path / "dask", cluster=cluster.scheduler_address)
    frames["dask"] = load_runs(tmp_path / "dask")
    order = ["run_id", "step", "metric", "group"]
    base = frames["serial"].sort_values(order).reset_index(drop=True)
    assert len(base) > 0
    for name in ("pool", "dask"):
        pd.testing.assert_frame_equal(frames[name].sort_values(order).reset_index(drop=True),
                                      base)


def test_an_unusable_cluster_address_exits_2(tmp_path):
    pytest.importorskip("distributed")
    sweep = small_sweep(tmp_path, "points:\n  - {}\n", replicates=1, months=2)
    proc = cli("sweep", sweep, "--cluster", "nosuchproto://x", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "--cluster nosuchproto://x" in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr


def test_compare_refuses_to_mix_runs_of_another_comparison(tmp_path):
    a = write(tmp_path / "a.yaml", SMALL.format(name="a", months=2))
    b = write(tmp_path / "b.yaml", SMALL.format(name="b", months=2))
    assert cli("compare", a, b, "--replicates", 1, "--out", tmp_path / "out").returncode == 0
    write(tmp_path / "b.yaml", SMALL.format(name="b", months=2) + "interventions:\n"
                                                                "  - type: sis\n")
    proc = cli("compare", a, b, "--replicates", 1, "--out", tmp_path / "out")
    assert proc.returncode == 2 and "different batch" in " ".join(proc.stderr.split())


def test_a_batch_of_another_model_version_is_not_resumed(tmp_path, monkeypatch):
    from model.analysis import experiments
    runs = [experiments.RunSpec(run_id="a", scenario={"name": "a"}, seed=1, labels={})]
    assert experiments.check_manifest(tmp_path, runs) is None
    assert experiments.check_manifest(tmp_path, runs) is None  # same code: resumes
    monkeypatch.setattr(experiments, "model_source_digest", lambda: "edited")
    problem = experiments.check_manifest(tmp_path, runs)
    assert problem and "another version of the model" in problem
