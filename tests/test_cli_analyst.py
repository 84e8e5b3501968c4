"""What a ministry analyst asks of the command line: a region without editing files, names as
Peruvians write them, results in the terminal, a sweep chart and a spreadsheet."""

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from model.analysis.spreadsheet import COMPARISON_COLUMNS, column_meaning
from model.analysis.targets import combine_targets, load_targets, targets_for
from model.config import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = "name: {name}\nmonths: {months}\nscale: 20\ngeography:\n  departments: [TUMBES]\n"
TARGETS = [ROOT / "model" / "data" / n for n in ("calibration_targets.csv",
                                                 "endes_departments_2009_2012.csv")]


def cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def flat(text: str) -> str:
    return " ".join(text.split())


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_departments_are_matched_without_accents_or_case_and_replace_the_geography(tmp_path):
    proc = cli("run", ROOT / "scenarios" / "classroom.yaml", "--departments", " junín,Tumbes",
               "--months", 1, "--scale", 50, "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["scenario_definition"]["geography"]["departments"] == ["JUNIN", "TUMBES"]
    groups = set(pd.read_csv(tmp_path / "results.csv")["group"])
    assert {"department:JUNIN", "department:TUMBES"} <= groups
    assert "department:HUANCAVELICA" not in groups


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "validate"])
def test_an_unknown_department_is_refused_with_a_suggestion(command, tmp_path):
    a = write(tmp_path / "a.yaml", SMALL.format(name="a", months=2))
    b = write(tmp_path / "b.yaml", SMALL.format(name="b", months=2))
    sweep = write(tmp_path / "s.yaml", "base: a.yaml\npoints:\n  - {}\n")
    args = {"run": ["run", a], "compare": ["compare", a, b], "sweep": ["sweep", sweep],
            "validate": ["validate"]}[command]
    proc = cli(*args, "--departments", "Apurimak", "--out", tmp_path / "out")
    assert proc.returncode == 2
    text = flat(proc.stderr)
    assert "--departments" in text and "Apurimak" in text and "did you mean APURIMAC" in text
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def test_districts_option_and_its_errors(tmp_path):
    proc = cli("run", ROOT / "scenarios" / "classroom.yaml", "--districts", "090101,090102",
               "--months", 1, "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["scenario_definition"]["geography"] == {"departments": [], "districts": ["090101",
                                                                              "090102"]}
    bad = cli("run", ROOT / "scenarios" / "classroom.yaml", "--districts", "9999",
              "--out", tmp_path / "bad")
    assert bad.returncode == 2 and "--districts" in bad.stderr and "9999" in bad.stderr
    # the survey has no district figures: validate says so before any run
    none = cli("validate", "--districts", "090101", "--out", tmp_path / "v")
    assert none.returncode == 2 and "no figure for the run's geography" in flat(none.stderr)
    assert not (tmp_path / "v").exists()


def test_validate_for_some_departments_compares_only_their_figures():
    table = combine_targets([load_targets(t) for t in TARGETS])
    spec = load_scenario(ROOT / "scenarios" / "peru_2000_2019.yaml",
                         {"geography": {"departments": ["Junín"], "districts": []}})
    mine = targets_for(table, spec)
    assert len(mine) > 0 and set(mine["group"]) == {"department:JUNIN"}
    assert len(targets_for(table, load_scenario(ROOT / "scenarios" / "peru_2000_2019.yaml"))
               ) == len(table)


def test_compare_prints_its_table_and_writes_a_spreadsheet_that_explains_its_columns(tmp_path):
    a = write(tmp_path / "a.yaml", SMALL.format(name="a", months=12))
    iron = write(tmp_path / "iron.yaml", SMALL.format(name="iron", months=12)
                 + "interventions:\n  - type: iron\n")
    proc = cli("compare", a, iron, "--replicates", 2, "--departments", "piura",
               "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "change from a" in flat(proc.stderr) and "iron" in proc.stderr
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    groups = set(pd.read_parquet(tmp_path / "out" / "results.parquet")["group"])
    assert "department:PIURA" in groups and "department:TUMBES" not in groups
    book = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")
    assert book.sheetnames == ["summary", "columns"]
    sheet = book["summary"]
    assert [c.value for c in sheet[1]] == list(summary.columns)
    assert sheet.max_row == len(summary) + 1 and sheet.freeze_panes == "A2"
    median = list(summary.columns).index("median") + 1
    assert isinstance(sheet.cell(2, median).value, float)  # numbers stay numbers
    meanings = {row[0].value: row[1].value for row in book["columns"].iter_rows()
                if row[0].value in summary.columns}
    assert set(meanings) == set(summary.columns) and all(meanings.values())


def test_every_comparison_column_has_a_meaning():
    for column in ("diff_p5", "averted_median", "cost_per_case_p95", "at_5_averted_p5",
                   "extra_cost_median", "param_share"):
        assert column_meaning(column, COMPARISON_COLUMNS)


def test_sweep_runs_its_reference_and_draws_it_as_a_line(tmp_path):
    write(tmp_path / "base.yaml", SMALL.format(name="base", months=3))
    sweep = write(tmp_path / "s.yaml", "base: base.yaml\nreplicates: 2\nseed: 3\npoints:\n"
                                      "  - {parameters.haz_falter_base: 0.0}\n"
                                      "  - {parameters.haz_falter_base: 0.02}\n")
    proc = cli("sweep", sweep, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    summary = pd.read_csv(out / "sweep_summary.csv")
    assert list(summary["reference"]) == [False, False, True]
    text = flat(proc.stderr)
    assert "2 points and the reference x 2 replicates = 6 runs" in text
    assert "Sweep: national stunting" in text and "reference" in text
    png = (out / "sweep.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert openpyxl.load_workbook(out / "sweep_summary.xlsx").sheetnames == ["sweep",
                                                                             "columns"]
