"""A corpus of bad command-line options across every command (issue 13, classes 5-7).

Each case must exit 2 before any work, with one short message naming the option, no
traceback, and nothing written outside --out (the command runs in an empty folder). The
cases run in this process through typer's test runner (one import for all); a few run as
real processes too (``SUBPROCESS``) to check the message and exit code a user sees.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SMALL = "name: {name}\nmonths: 2\nscale: 20\ngeography:\n  departments: [TUMBES]\n"
SWEEP = "base: a.yaml\nreplicates: 1\nseed: 3\npoints:\n  - {}\n"

# (command and options, text the message must contain); A, B, SWEEP, OUT, FILE are
# replaced by the scenario files, the sweep file, the --out folder and an existing file
CASES = [
    # run
    (["run", "A", "--seed", "-1"], "--seed"),
    (["run", "A", "--months", "0"], "months"),
    (["run", "A", "--scale", "0"], "scale"),
    (["run", "A", "--out", "FILE"], "--out"),
    (["run", "A", "--out", "FILE/sub"], "--out"),
    (["run", "A", "--seed", "abc"], "--seed"),
    # compare
    (["compare", "A", "B", "--replicates", "0"], "--replicates"),
    (["compare", "A", "B", "--replicates", "1001"], "--replicates"),
    (["compare", "A", "B", "--draws", "-1"], "--draws"),
    (["compare", "A", "B", "--draws", "10001"], "--draws"),
    (["compare", "A", "B", "--seed", "-1"], "--seed"),
    (["compare", "A", "B", "--workers", "0"], "--workers"),
    (["compare", "A", "B", "--workers", "1000"], "--workers"),
    (["compare", "A", "B", "--years", "1800"], "--years"),
    (["compare", "A", "B", "--years", "abc"], "--years"),
    (["compare", "A", "B", "--out", "FILE"], "--out"),
    (["compare", "A", "B", "--replicates", "1000", "--draws", "100"], "--replicates"),
    (["compare", "A"], "compare"),
    # sweep
    (["sweep", "SWEEP", "--draws", "-1"], "--draws"),
    (["sweep", "SWEEP", "--seed", "-1"], "--seed"),
    (["sweep", "SWEEP", "--workers", "0"], "--workers"),
    (["sweep", "SWEEP", "--workers", "999"], "--workers"),
    (["sweep", "SWEEP", "--out", "FILE"], "--out"),
    # sensitivity
    (["sensitivity", "A", "--method", "foo"], "--method"),
    (["sensitivity", "A", "--trajectories", "1"], "--trajectories"),
    (["sensitivity", "A", "--levels", "5"], "--levels"),
    (["sensitivity", "A", "--samples", "3"], "--samples"),
    (["sensitivity", "A", "--seed", "-1"], "--seed"),
    (["sensitivity", "A", "--workers", "0"], "--workers"),
    (["sensitivity", "A", "--parameters", "nosuch"], "--parameters"),
    (["sensitivity", "A", "--years", "1800"], "--years"),
    (["sensitivity", "A", "--out", "FILE"], "--out"),
    # validate
    (["validate", "--replicates", "0"], "--replicates"),
    (["validate", "--replicates", "5000"], "--replicates"),
    (["validate", "--draws", "-5"], "--draws"),
    (["validate", "--seed", "-1"], "--seed"),
    (["validate", "--workers", "0"], "--workers"),
    (["validate", "--replicates", "1000", "--draws", "1000"], "--replicates"),
    (["validate", "--out", "FILE"], "--out"),
    # holdout
    (["holdout", "--seeds", "1"], "--seeds"),
    (["holdout", "--seeds", "1000"], "--seeds"),
    (["holdout", "--scale", "0"], "--scale"),
    (["holdout", "--workers", "0"], "--workers"),
    (["holdout", "--out", "FILE"], "--out"),
    # calibrate
    (["calibrate", "--trials", "0"], "--trials"),
    (["calibrate", "--refine", "-1"], "--refine"),
    (["calibrate", "--seed", "-1"], "--seed"),
    (["calibrate", "--posterior", "--seeds", "1"], "--seeds"),
    (["calibrate", "--posterior", "--out", "OUT"], "--out"),
    (["calibrate", "--write", "OUT"], "--write"),
    (["calibrate", "--out", "FILE"], "--out"),
    # replicate-trials
    (["replicate-trials", "--replicates", "0"], "--replicates"),
    (["replicate-trials", "--draws", "-1"], "--draws"),
    (["replicate-trials", "--seed", "-1"], "--seed"),
    (["replicate-trials", "--replicates", "1000", "--draws", "1000"], "--replicates"),
    (["replicate-trials", "--out", "FILE"], "--out"),
    # bench
    (["bench", "--months", "0"], "--months"),
    (["bench", "--scale", "0.5"], "--scale"),
    (["bench", "--mesa-children", "1000000000"], "--mesa-children"),
    (["bench", "--mesa-months", "0"], "--mesa-months"),
    (["bench", "--draws", "1"], "--draws"),
    (["bench", "--sweep", "--draws", "5"], "--sweep"),
    (["compare", "A", "B", "--years", "2020,2020"], "--years"),
    (["run", "A", "--out", "/"], "--out"),
    (["run", "A", "--out", "/etc/simulator"], "--out"),
    (["calibrate", "--write", "/etc/calibrated.yaml"], "--write"),
    (["calibrate", "--departments", "--trials", "5"], "--trials"),
    (["calibrate", "--iterations", "3"], "--iterations"),
    (["calibrate", "--departments", "--iterations", "0"], "--iterations"),
    (["calibrate", "--departments", "--posterior"], "--posterior, --departments"),
    (["calibrate", "--departments", "--seeds", "1"], "--seeds"),
    (["calibrate", "A", "--departments"], "covers part of Peru"),
    (["dashboard", "--host", "not a host!!", "--port", "18765"], "--host"),
    (["dashboard", "--host", "10.99.99.99", "--port", "18766"], "--host"),
]

# commands with a default --out: the case adds --out OUT unless it names its own
TAKES_OUT = {"run", "compare", "sweep", "sensitivity", "validate", "holdout", "calibrate",
             "replicate-trials"}


SUBPROCESS = {0, 10, 13, 59}  # run --seed -1, compare --seed -1, --years 1800, bench


@pytest.fixture(scope="module")
def cli_app():
    spec = importlib.util.spec_from_file_location("run_cli", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "a.yaml").write_text(SMALL.format(name="a"))
    (folder / "b.yaml").write_text(SMALL.format(name="b"))
    (folder / "sweep.yaml").write_text(SWEEP)
    (folder / "file.txt").write_text("not a folder\n")
    return folder


@pytest.mark.parametrize("case", range(len(CASES)), ids=[" ".join(a) for a, _ in CASES])
def test_bad_option_exits_2_naming_it_and_writes_nothing(case, inputs, cli_app, tmp_path,
                                                         monkeypatch):
    args, named = CASES[case]
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out"
    names = {"A": inputs / "a.yaml", "B": inputs / "b.yaml", "SWEEP": inputs / "sweep.yaml",
             "OUT": out, "FILE": inputs / "file.txt", "FILE/sub": inputs / "file.txt" / "sub"}
    argv = [str(names.get(a, a)) for a in args]
    if args[0] in TAKES_OUT and "--out" not in args and not (
            args[0] == "calibrate" and "--posterior" in args):
        argv += ["--out", str(out)]
    if "OUT" in args:
        out.mkdir()
    before = sorted(p.name for p in work.iterdir())
    monkeypatch.chdir(work)
    monkeypatch.setenv("COLUMNS", "200")
    if case in SUBPROCESS:
        proc = subprocess.run([sys.executable, str(ROOT / "run.py"), *argv], cwd=work,
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "COLUMNS": "200"})
        code, stderr = proc.returncode, proc.stderr
    else:
        result = CliRunner().invoke(cli_app, argv)
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
        code, stderr = result.exit_code, result.stderr + result.stdout
    assert code == 2, (argv, code, stderr[-800:])
    assert "Traceback" not in stderr, stderr[-2000:]
    assert named in stderr, stderr[-800:]
    assert len(stderr) < 1500, "one short message"
    # nothing written: the working folder is as before, and --out holds nothing new
    assert sorted(p.name for p in work.iterdir()) == before
    assert not out.exists() or not any(out.iterdir())
    assert sorted(p.name for p in inputs.iterdir()) == ["a.yaml", "b.yaml", "file.txt",
                                                        "sweep.yaml"]
