"""Bad input files refused before any work (issue 13, classes 2-5 for files).

A corpus generated from the shipped scenarios, sweeps and targets: each case mutates one
field (wrong type, NaN or infinity, out of range, a fraction where an integer goes, a bool
where a number goes, unknown or missing field, dates out of order, a program listed twice,
an unknown district, a path outside the allowed folders, an alias bomb, deep nesting, a
2 MB file, an empty or malformed file...) and runs the real command line (``cli.app.app``
through typer's CliRunner). Each must exit 2 with a short message naming the field or file,
print no traceback, start no simulation and write nothing (no --out folder, no other file).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.app import app
from cli.checks import console
from model.model import ECDModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
CLASSROOM = yaml.safe_load((SCENARIOS / "classroom.yaml").read_text())
PACKAGE = yaml.safe_load((SCENARIOS / "package.yaml").read_text())
HISTORY = yaml.safe_load((SCENARIOS / "peru_2000_2019.yaml").read_text())
SWEEP = yaml.safe_load((SCENARIOS / "sweeps" / "juntos_vs_home_visits.yaml").read_text())
TARGETS = (ROOT / "model" / "data" / "calibration_targets.csv").read_text()
ALIAS_BOMB = ("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
              "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
              "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
              "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
              "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
              "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
              "description: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n")


def _set(body: dict, path: str, value) -> dict:
    """A copy of ``body`` with ``value`` at dotted ``path`` (``None`` value: delete)."""
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return body


_DELETE = object()
NAN, INF = float("nan"), float("inf")


def classroom(path: str, value) -> str:
    """The classroom scenario with one field changed, as YAML text."""
    return yaml.safe_dump(_set(CLASSROOM, path, value), sort_keys=False)


def with_program(entry: dict, *more: dict) -> str:
    """The classroom scenario running these intervention entries."""
    return yaml.safe_dump({**CLASSROOM, "interventions": [entry, *more]}, sort_keys=False)


def package(path: str, value) -> str:
    """package.yaml (the status quo's history by absolute path) with one field changed."""
    body = _set({**PACKAGE, "history": str(SCENARIOS / "peru_2000_2019.yaml")}, path, value)
    return yaml.safe_dump(body, sort_keys=False)


def history(path: str, value) -> str:
    """The history scenario with one field changed."""
    return yaml.safe_dump(_set(HISTORY, path, value), sort_keys=False)


def sweep(path: str, value) -> str:
    """The shipped sweep (its base by absolute path) with one field changed."""
    body = _set({**SWEEP, "base": str(SCENARIOS / "package.yaml")}, path, value)
    return yaml.safe_dump(body, sort_keys=False)


def targets(edit) -> str:
    """The shipped calibration targets with ``edit(lines)`` applied."""
    lines = TARGETS.splitlines()
    return "\n".join(edit(lines)) + "\n"


def row(lines, column: str, value: str):
    """``lines`` with ``column`` of the first data row set to ``value``."""
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(column)] = value
    return [lines[0], ",".join(cells), *lines[2:]]


# id: (command, {file name: text}, words the message must hold). The first file is the input;
# ``{x}`` in a command stands for the path of file x.
RUN = ["run", "{case.yaml}", "--out", "{out}"]
SWEEP_CMD = ["sweep", "{case.yaml}", "--workers", "1", "--out", "{out}"]
VALIDATE = ["validate", "--targets", "{t.csv}", "--replicates", "1", "--workers", "1",
            "--out", "{out}"]
CALIBRATE = ["calibrate", str(SCENARIOS / "classroom.yaml"), "--targets", "{t.csv}",
             "--trials", "1", "--out", "{out}"]
COMPARE = ["compare", str(SCENARIOS / "classroom.yaml"), "{case.yaml}", "--replicates", "1",
           "--workers", "1", "--out", "{out}"]


def scenario_case(text: str, *needles: str, command=RUN, extra: dict | None = None):
    return command, {"case.yaml": text, **(extra or {})}, needles


CASES = {
    # --- scenario fields: types, finiteness, ranges -----------------------------------------
    "months text": scenario_case(classroom("months", "twelve"), "months"),
    "months fraction": scenario_case(classroom("months", 12.5), "months", "integer"),
    "months bool": scenario_case(classroom("months", True), "months"),
    "months zero": scenario_case(classroom("months", 0), "months"),
    "months huge": scenario_case(classroom("months", 10**6), "months"),
    "scale nan": scenario_case(classroom("scale", NAN), "scale"),
    "scale inf": scenario_case(classroom("scale", INF), "scale"),
    "scale below 1": scenario_case(classroom("scale", 0.5), "scale"),
    "seed negative": scenario_case(classroom("seed", -1), "seed"),
    "seed fraction": scenario_case(classroom("seed", 1.5), "seed"),
    "start month 13": scenario_case(classroom("start", "2019-13"), "start", "YYYY-MM"),
    "start 1800": scenario_case(classroom("start", "1800-01"), "start"),
    "start list": scenario_case(classroom("start", [2019, 1]), "start"),
    "name number": scenario_case(classroom("name", 123), "name"),
    "name missing": scenario_case(classroom("name", _DELETE), "name"),
    "name too long": scenario_case(classroom("name", "x" * 500), "name"),
    "unknown field": scenario_case(classroom("monhts", 12), "monhts", "unknown field"),
    "anemia definition": scenario_case(classroom("anemia_definition", "who1999"),
                                       "anemia_definition"),
    "description bomb": (RUN, {"case.yaml": "name: x\n" + ALIAS_BOMB}, ("alias",)),
    "description list": scenario_case(classroom("description", list(range(1000))),
                                      "description"),
    # --- geography --------------------------------------------------------------------------
    "geography number": scenario_case(classroom("geography", 5), "geography"),
    "department unknown": scenario_case(classroom("geography.departments", ["ATLANTIS"]),
                                        "ATLANTIS", "department"),
    "departments text": scenario_case(classroom("geography.departments", "PUNO"),
                                      "departments"),
    "district unknown": scenario_case(classroom("geography.districts", ["999999"]),
                                      "999999", "district"),
    "districts number": scenario_case(classroom("geography.districts", 5), "districts"),
    "district dict": scenario_case(classroom("geography.districts", [{"a": 1}]), "district"),
    # --- trends -----------------------------------------------------------------------------
    "poverty above 100": scenario_case(classroom("trends", {"poverty_national_pct":
                                                            {2004: 150}}), "poverty_national_pct"),
    "poverty nan": scenario_case(classroom("trends", {"poverty_national_pct": {2004: NAN}}),
                                 "poverty_national_pct"),
    "trend year text": scenario_case(classroom("trends", {"improved_water_pct": {"soon": 50}}),
                                     "improved_water_pct"),
    "trend year 3000": scenario_case(classroom("trends", {"vaccination_pct": {3000: 50}}),
                                     "vaccination_pct", "year"),
    "outputs text": scenario_case(classroom("outputs", {"districts": "yes"}), "districts"),
    # --- model parameters -------------------------------------------------------------------
    "posts per 1e-9 residents": scenario_case(
        classroom("parameters", {"residents_per_health_post": 1e-9}),
        "residents_per_health_post"),
    "posts per 0 residents": scenario_case(
        classroom("parameters", {"residents_per_health_post": 0}), "residents_per_health_post"),
    "parameter inf": scenario_case(classroom("parameters", {"contacts_per_worker_month": INF}),
                                   "contacts_per_worker_month", "finite"),
    "parameter bool": scenario_case(
        classroom("parameters", {"extra_children_per_household": True}),
        "extra_children_per_household"),
    "parameter huge": scenario_case(
        classroom("parameters", {"extra_children_per_household": 1e30}),
        "extra_children_per_household"),
    "integer parameter fraction": scenario_case(
        classroom("parameters", {"haz_falter_end_month": 12.5}), "haz_falter_end_month",
        "whole"),
    "age beyond 59 months": scenario_case(classroom("parameters", {"anemia_min_age": 70}),
                                          "anemia_min_age"),
    "schooling shares sum": scenario_case(
        classroom("parameters", {"schooling_shares": [0.5, 0.5, 0.5, 0.5]}),
        "schooling_shares", "sum"),
    "schooling shares length": scenario_case(
        classroom("parameters", {"schooling_shares": [0.5, 0.5]}), "schooling_shares"),
    "cutoffs inverted": scenario_case(classroom("parameters", {"stunting_cutoff": -3.5}),
                                      "severe_stunting_cutoff"),
    "parameter unknown": scenario_case(classroom("parameters", {"haz_falter_bse": 0.01}),
                                       "haz_falter_bse"),
    "parameters list": scenario_case(classroom("parameters", [1, 2]), "parameters"),
    "parameter text": scenario_case(classroom("parameters", {"haz_birth_sd": "wide"}),
                                    "haz_birth_sd"),
    # --- interventions ----------------------------------------------------------------------
    "transfer inf": scenario_case(with_program({"type": "cct", "transfer_soles": INF}),
                                  "transfer_soles"),
    "transfer huge": scenario_case(with_program({"type": "cct", "transfer_soles": 1e12}),
                                   "transfer_soles"),
    "stipend inf": scenario_case(with_program({"type": "home_visits", "stipend": INF}),
                                 "stipend"),
    "cct district unknown": scenario_case(with_program({"type": "cct", "districts": ["000000"]}),
                                          "000000"),
    "rollout month": scenario_case(with_program({"type": "cct", "rollout": [
        {"start": "2020-13", "poverty_threshold": 0.5}]}), "rollout"),
    "rollout district": scenario_case(with_program({"type": "cct", "rollout": [
        {"start": "2020-01", "districts": ["123"]}]}), "123"),
    "program twice": scenario_case(with_program({"type": "cct"}, {"type": "cct"}), "cct",
                                   "one entry"),
    "end before start": scenario_case(with_program({"type": "iron", "start": "2022-01",
                                                    "end": "2020-01"}), "end", "start"),
    "iron ages inverted": scenario_case(with_program({"type": "iron", "start_age_months": 10,
                                                      "end_age_months": 6}),
                                        "start_age_months"),
    "schedule key not a month": scenario_case(with_program(
        {"type": "home_visits", "families_schedule": {"soon": 1000}}), "families_schedule"),
    "schedule fraction": scenario_case(with_program(
        {"type": "home_visits", "families_schedule": {"2020-01": 1.5}}), "families_schedule"),
    "families negative": scenario_case(with_program({"type": "home_visits", "families": -5}),
                                       "families"),
    "placements fraction": scenario_case(with_program({"type": "serums",
                                                       "placements_per_year": 1000.5}),
                                         "placements_per_year"),
    "coverage above 1": scenario_case(with_program({"type": "sis", "coverage_poor": 1.5}),
                                      "coverage_poor"),
    "attendance text": scenario_case(with_program({"type": "cred", "attendance": "high"}),
                                     "attendance"),
    "attendance bool": scenario_case(with_program({"type": "cred", "attendance": True}),
                                     "attendance"),
    "program unknown": scenario_case(with_program({"type": "vouchers"}), "vouchers"),
    "program parameter unknown": scenario_case(with_program({"type": "iron", "dose": 3}),
                                               "dose"),
    "interventions text": scenario_case(classroom("interventions", "cct"), "interventions"),
    "program_parameters range": scenario_case(
        classroom("program_parameters", {"iron": {"gap_closure": 5}}), "gap_closure"),
    "program_parameters unknown program": scenario_case(
        classroom("program_parameters", {"atlantis": {}}), "atlantis"),
    "package change twice": scenario_case(package("interventions", PACKAGE["interventions"]
                                                  + [{"type": "iron", "adherence_mean": 0.8}]),
                                          "iron", "one entry"),
    "package stipend inf": scenario_case(package("interventions.3.stipend", INF), "stipend"),
    "history program overlap": scenario_case(history("interventions.0.end", "2010-12"), "sis",
                                             "one entry"),
    # --- include and history: paths stay inside the allowed folders -------------------------
    "include /etc/passwd": scenario_case(classroom("include", ["/etc/passwd"]), "include",
                                         "outside"),
    "include ../ escape": scenario_case(classroom("include", ["../../../../../etc/hostname"]),
                                        "include", "outside"),
    "include /proc": scenario_case(classroom("include", "/proc/self/environ"), "include",
                                   "outside"),
    "include number": scenario_case(classroom("include", [5]), "include"),
    "include missing": scenario_case(classroom("include", ["nope.yaml"]), "include",
                                     "nope.yaml"),
    "include other keys": scenario_case(classroom("include", ["p.yaml"]), "p.yaml",
                                        "parameters", extra={"p.yaml": "name: x\n"}),
    "include out of range": scenario_case(classroom("include", ["p.yaml"]), "haz_birth_sd",
                                          extra={"p.yaml": "parameters: {haz_birth_sd: -1}\n"}),
    "include alias bomb": scenario_case(classroom("include", ["p.yaml"]), "p.yaml", "alias",
                                        extra={"p.yaml": ALIAS_BOMB}),
    "history /etc/passwd": scenario_case(package("history", "/etc/passwd"), "history",
                                         "outside"),
    "history number": scenario_case(package("history", 5), "history"),
    # --- the YAML itself --------------------------------------------------------------------
    "deep nesting": (RUN, {"case.yaml": "name: x\ndescription: " + "[" * 5000 + "]" * 5000},
                     ("nesting",)),
    "2 MB file": (RUN, {"case.yaml": "name: x\ndescription: '" + "x" * 2_000_000 + "'\n"},
                  ("bytes",)),
    "empty file": (RUN, {"case.yaml": ""}, ("mapping",)),
    "top-level list": (RUN, {"case.yaml": "- name: x\n"}, ("mapping",)),
    "malformed yaml": (RUN, {"case.yaml": "name: x\nmonths: [1, 2\n"}, ("malformed YAML",)),
    "binary file": (RUN, {"case.yaml": b"\xff\xfe\x00name"}, ("UTF-8",)),
    "duplicate key": (RUN, {"case.yaml": "name: x\nmonths: 12\nmonths: 24\n"},
                      ("months", "twice")),
    "python tag": (RUN, {"case.yaml": "name: !!python/object/apply:os.system [ls]\n"},
                   ("malformed YAML",)),
    "missing file": (["run", "{out}/../nothing.yaml", "--out", "{out}"], {}, ("nothing.yaml",)),
    "compare bad second": scenario_case(classroom("months", 12.5), "months", command=COMPARE),
    "compare bomb": (COMPARE, {"case.yaml": "name: x\n" + ALIAS_BOMB}, ("alias",)),
    # --- sweep files ------------------------------------------------------------------------
    "sweep base /etc/passwd": scenario_case(sweep("base", "/etc/passwd"), "base", "outside",
                                            command=SWEEP_CMD),
    "sweep base escape": scenario_case(sweep("base", "../../../../../etc/hostname"), "base",
                                       "outside", command=SWEEP_CMD),
    "sweep base number": scenario_case(sweep("base", 5), "base", command=SWEEP_CMD),
    "sweep replicates fraction": scenario_case(sweep("replicates", 2.5), "replicates",
                                               command=SWEEP_CMD),
    "sweep replicates bool": scenario_case(sweep("replicates", True), "replicates",
                                           command=SWEEP_CMD),
    "sweep seed negative": scenario_case(sweep("seed", -3), "seed", command=SWEEP_CMD),
    "sweep grid empty list": scenario_case(sweep("grid", {"months": []}), "months",
                                           command=SWEEP_CMD),
    "sweep grid bad path": scenario_case(sweep("grid", {"bad path!": [1]}), "bad path!",
                                         command=SWEEP_CMD),
    "sweep path through a value": scenario_case(sweep("grid", {"months.x": [1]}), "months.x",
                                                command=SWEEP_CMD),
    "sweep point invalid": scenario_case(
        sweep("grid", {"parameters.residents_per_health_post": [4000, 0]}),
        "residents_per_health_post", command=SWEEP_CMD),
    "sweep set geography": scenario_case(sweep("set.geography", 5), "geography",
                                         command=SWEEP_CMD),
    "sweep lhs inverted": scenario_case(yaml.safe_dump(
        {"base": str(SCENARIOS / "classroom.yaml"), "lhs": {
            "samples": 4, "ranges": {"parameters.haz_falter_base": [0.02, 0.0]}}}),
        "low < high", command=SWEEP_CMD),
    "sweep lhs nan": scenario_case(yaml.safe_dump(
        {"base": str(SCENARIOS / "classroom.yaml"), "lhs": {
            "samples": 4, "ranges": {"parameters.haz_falter_base": [NAN, 0.02]}}}),
        "ranges", command=SWEEP_CMD),
    "sweep lhs one bound": scenario_case(yaml.safe_dump(
        {"base": str(SCENARIOS / "classroom.yaml"), "lhs": {
            "samples": 4, "ranges": {"parameters.haz_falter_base": [0.02]}}}),
        "low < high", command=SWEEP_CMD),
    "sweep grid of 100,000 points": scenario_case(yaml.safe_dump(
        {"base": str(SCENARIOS / "classroom.yaml"), "grid": {
            "parameters.haz_falter_base": [0.001 * (i + 1) for i in range(10)],
            "months": list(range(12, 22)), "seed": list(range(10)),
            "parameters.hb_innovation_sd": [0.2 + 0.01 * i for i in range(10)],
            "parameters.haz_velocity_sd": [0.006 + 0.001 * i for i in range(10)]}}),
        "100,000", command=SWEEP_CMD),
    "sweep path both set and varied": scenario_case(yaml.safe_dump(
        {"base": str(SCENARIOS / "classroom.yaml"), "set": {"months": 2},
         "grid": {"months": [3]}}), "months", "set", command=SWEEP_CMD),
    "sweep unknown field": scenario_case(sweep("gird", {}), "gird", command=SWEEP_CMD),
    "sweep alias bomb": (SWEEP_CMD, {"case.yaml": "base: x.yaml\n" + ALIAS_BOMB},
                         ("alias",)),
    "sweep empty": (SWEEP_CMD, {"case.yaml": ""}, ("mapping",)),
    # --- targets files ----------------------------------------------------------------------
    "targets empty": (VALIDATE, {"t.csv": ""}, ("t.csv", "empty")),
    "targets header only": (VALIDATE, {"t.csv": TARGETS.splitlines()[0] + "\n"},
                            ("t.csv", "no rows")),
    "targets malformed": (VALIDATE, {"t.csv": targets(lambda ls: ls + ['2010,"stunting']) },
                          ("t.csv", "CSV")),
    "targets missing column": (VALIDATE, {"t.csv": "year,indicator\n2010,stunting\n"},
                               ("t.csv", "value_percent")),
    "targets unknown group": (VALIDATE, {"t.csv": targets(lambda ls: row(ls, "group",
                                                                          "atlantis"))},
                              ("t.csv", "group")),
    "targets figure twice": (VALIDATE, {"t.csv": targets(lambda ls: ls + [ls[1]])},
                             ("t.csv", "twice")),
    "scenario name with control characters": scenario_case(
        classroom("name", "a\x00b\x1b[31m"), "name", "control"),
    "targets year text": (VALIDATE, {"t.csv": targets(lambda ls: row(ls, "year", "soon"))},
                          ("t.csv", "year")),
    "targets year fraction": (VALIDATE, {"t.csv": targets(lambda ls: row(ls, "year", "2010.5"))},
                              ("t.csv", "year")),
    "targets value 150": (VALIDATE, {"t.csv": targets(lambda ls: row(ls, "value_percent",
                                                                      "150"))},
                          ("t.csv", "value_percent")),
    "targets value nan": (VALIDATE, {"t.csv": targets(lambda ls: row(ls, "value_percent",
                                                                      "nan"))},
                          ("t.csv", "value_percent")),
    "targets indicator": (VALIDATE, {"t.csv": targets(lambda ls: row(ls, "indicator",
                                                                      "wasting"))},
                          ("t.csv", "wasting")),
    "targets group empty": (VALIDATE, {"t.csv": targets(lambda ls: row(ls, "group", ""))},
                            ("t.csv", "group")),
    "targets binary": (VALIDATE, {"t.csv": b"\x00\xff\xfe" * 100}, ("t.csv", "UTF-8")),
    "calibrate targets empty": (CALIBRATE, {"t.csv": ""}, ("t.csv", "empty")),
    "calibrate targets value": (CALIBRATE, {"t.csv": targets(
        lambda ls: row(ls, "value_percent", "-5"))}, ("t.csv", "value_percent")),
}

# Refused by model.analysis.targets.require_reached, which calibrate, validate and holdout
# call after loading the scenario and targets, before any run.
UNREACHED = {
    "calibrate targets no run reaches": (CALIBRATE, {"t.csv": targets(lambda ls: [ls[0]] + [
        line for line in ls[1:] if line.startswith("2000")])}, ("targets", "run")),
    "holdout targets after the fitted years": (
        ["holdout", "--targets", "{t.csv}", "--out", "{out}"],
        {"t.csv": targets(lambda ls: [ls[0]] + [line.replace("2000", "2030", 1)
                                                for line in ls[1:] if line.startswith("2000")])},
        ("targets", "2012")),
}


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


@pytest.fixture
def no_simulation(monkeypatch):
    """Any model built during a bad-input case fails the test (checks come first)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a simulation started before the input was refused")
    monkeypatch.setattr(ECDModel, "__init__", refuse)


def _check(case, tmp_path, monkeypatch):
    command, files, needles = case
    for name, text in files.items():
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)  # a command's default output folder would land here
    monkeypatch.setattr(console, "width", 10_000)  # one line per message
    before = _files(tmp_path)
    args = [a.replace("{out}", str(out)) for a in command]
    for name in files:
        args = [a.replace("{" + name + "}", str(tmp_path / name)) for a in args]
    result = CliRunner().invoke(app, args)
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output[-2000:]
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    for needle in needles:
        assert needle in output, (needle, output[-1000:])
    assert len(output) < 3000, "messages must be short"
    assert _files(tmp_path) == before, "a refused input must write nothing"


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_file_exits_2_before_any_work(name, tmp_path, monkeypatch, no_simulation):
    _check(CASES[name], tmp_path, monkeypatch)


@pytest.mark.parametrize("name", list(UNREACHED))
def test_targets_no_run_reaches_are_refused(name, tmp_path, monkeypatch, no_simulation):
    _check(UNREACHED[name], tmp_path, monkeypatch)


def test_corpus_is_large_enough():
    assert len(CASES) + len(UNREACHED) >= 60


def test_every_shipped_input_file_is_still_accepted():
    """The limits refuse none of the shipped scenarios, sweeps and targets."""
    from model.analysis.sweeps import load_sweep
    from model.analysis.targets import DEFAULT_TARGETS, DEPARTMENT_TARGETS, load_targets
    from model.config import load_scenario

    for path in sorted(SCENARIOS.glob("*.yaml")):
        load_scenario(path)
    for path in sorted((SCENARIOS / "sweeps").glob("*.yaml")):
        load_sweep(path)
    for path in (DEFAULT_TARGETS, DEPARTMENT_TARGETS):
        assert len(load_targets(path)) > 0


def test_bounds_hold_the_calibration_ranges_and_the_parameter_draws():
    """Every bound holds what calibrate searches and what --draws samples (1%-99%)."""
    import numpy as np

    from model.analysis import draws
    from model.analysis.calibration import SEARCH_SPACE
    from model.config import validate_scenario
    from model.defaults import PARAMETER_BOUNDS

    for name, (low, high) in SEARCH_SPACE.items():
        bound_low, bound_high, reason = PARAMETER_BOUNDS[name.split("[")[0]]
        assert bound_low <= low and high <= bound_high and reason, name
    values = draws.values_at(np.full((2, draws.dimension()), 0.5) + [[-0.49], [0.49]])
    for record in values.to_dict("records"):
        validate_scenario(draws.apply_draw({"name": "x"}, record), source="draw")
