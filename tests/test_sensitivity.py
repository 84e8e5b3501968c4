"""Global sensitivity analysis: inert inputs get zero indices, the design is reproducible."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from model.analysis.experiments import batch_fingerprint, load_runs, run_batch
from model.analysis.sensitivity import analyse, make_design, point_outputs, sensitivity_specs
from model.config import validate_scenario

ROOT = Path(__file__).resolve().parents[1]
TINY = {"start": "2019-01", "months": 13, "scale": 50,
        "geography": {"departments": ["MOQUEGUA"]}}
MOVERS = ["hb_individual_sd", "diarrhoea_monthly_prob"]  # move anemia within a year
INERT = "hb_adjustment_rate"  # moves anemia too, unless given zero width


def tiny(name: str, **extra):
    return validate_scenario({"name": name, **TINY, **extra}, source=name)


def indices_of(tmp_path, method, reference=None, width=0.0, **design):
    design = make_design(method, MOVERS + [INERT], seed=3, spreads={INERT: width}, **design)
    assert design.table()[f"u:{INERT}"].nunique() > 1
    assert (design.values[INERT].nunique() == 1) == (width == 0)  # the input moves, not it
    specs = sensitivity_specs(design, tiny("iron", interventions=[{"type": "iron"}]),
                              reference, seed=1)
    report = run_batch(specs, tmp_path, workers=2)
    assert not report.failed
    outputs = point_outputs(load_runs(tmp_path, [s.run_id for s in specs]), len(design.unit),
                            "iron", reference and reference.name)
    return analyse(design, outputs).set_index(["output", "parameter"])


def test_morris_gives_a_zero_width_parameter_exactly_zero_mu_star(tmp_path):
    indices = indices_of(tmp_path, "morris", reference=tiny("reference"), trajectories=2)
    assert set(indices.index.get_level_values("output")) == {
        "stunting", "anemia", "stunting_effect", "anemia_effect", "cost_per_anemia_year"}
    for output in ("stunting", "anemia", "anemia_effect"):
        assert indices.loc[(output, INERT), "mu_star"] == 0.0
        assert indices.loc[(output, INERT), "sigma"] == 0.0
    assert max(indices.loc[("anemia", name), "mu_star"] for name in MOVERS) > 0
    assert indices.loc[("anemia", INERT), "rank"] == 3
    control = indices_of(tmp_path / "control", "morris", width=1.0, trajectories=2)
    assert control.loc[("anemia", INERT), "mu_star"] > 0  # so the zero above can fail


def test_sobol_gives_a_zero_width_parameter_a_zero_total_index(tmp_path):
    indices = indices_of(tmp_path, "sobol", samples=4)
    assert len(indices) == 2 * 3  # levels of stunting and anemia, no reference
    for output in ("stunting", "anemia"):
        assert abs(indices.loc[(output, INERT), "ST"]) <= 1e-12
        assert abs(indices.loc[(output, INERT), "S1"]) <= 1e-12
    assert max(indices.loc[("anemia", name), "ST"] for name in MOVERS) > 0


def test_the_design_is_reproducible_from_the_seed():
    scenario, reference = tiny("iron", interventions=[{"type": "iron"}]), tiny("reference")
    for method, options in (("morris", {"trajectories": 3}), ("sobol", {"samples": 4})):
        first = make_design(method, MOVERS + [INERT], seed=5, **options)
        again = make_design(method, MOVERS + [INERT], seed=5, **options)
        other = make_design(method, MOVERS + [INERT], seed=6, **options)
        assert np.array_equal(first.unit, again.unit)
        pd.testing.assert_frame_equal(first.values, again.values)
        assert not np.array_equal(first.unit, other.unit)
        runs = sensitivity_specs(first, scenario, reference, seed=1)
        assert runs == sensitivity_specs(again, scenario, reference, seed=1)
        assert batch_fingerprint(runs) == batch_fingerprint(
            sensitivity_specs(again, scenario, reference, seed=1))
        assert len({r.seed for r in runs}) == 1  # one seed: common random numbers
        assert len(runs) == 2 * len(first.unit)
        assert runs[0].group == runs[1].group and runs[0].scenario != runs[1].scenario


def cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)


def test_cli_rejects_an_unknown_parameter_name(tmp_path):
    proc = cli("sensitivity", "scenarios/package.yaml", "scenarios/baseline.yaml",
               "--parameters", f"{MOVERS[0]},iron.not_a_parameter", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert "unknown iron.not_a_parameter" in proc.stderr and "valid names" in proc.stderr
    assert "iron.gap_closure" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_cli_writes_the_table_the_notes_and_the_tornado(tmp_path):
    text = "start: 2019-01\nmonths: 13\nscale: 50\ngeography:\n  departments: [MOQUEGUA]\n"
    (tmp_path / "reference.yaml").write_text("name: reference\n" + text)
    (tmp_path / "iron.yaml").write_text("name: iron\n" + text
                                        + "interventions:\n  - type: iron\n")
    out = tmp_path / "out"
    proc = cli("sensitivity", tmp_path / "iron.yaml", tmp_path / "reference.yaml",
               "--parameters", ",".join(MOVERS), "--trajectories", 2, "--workers", 2,
               "--out", out)
    assert proc.returncode == 0, proc.stderr
    for name in ("sensitivity.csv", "sensitivity.md", "tornado.png", "points.csv"):
        assert (out / name).exists()
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["parameter"]) == set(MOVERS) and (table["year"] == 2020).all()
    assert "Policy's effect on anemia in 2020" in proc.stderr
    assert "## Policy's effect on anemia in 2020 (pp)" in (out / "sensitivity.md").read_text()
    assert "12 runs: 12 run now" in proc.stderr
