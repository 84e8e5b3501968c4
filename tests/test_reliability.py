"""Interrupts, killed parents, full disks, two processes on one --out, damaged files, names.

Issue 13, classes 1, 2 and 6: Ctrl-C keeps finished runs and says how to resume (exit 130),
no pool worker outlives its parent, a full disk leaves no half-written file and no
traceback, a second process on the same --out is refused, damaged run files are set aside,
and scenario names never become paths or spreadsheet formulas.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL = ("name: {name}\nmonths: {months}\nscale: {scale}\ngeography:\n"
         "  departments: [TUMBES]\n")
ENV = {**os.environ, "COLUMNS": "200"}


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=300, env=ENV, **kwargs)


def _default_sigint() -> None:
    """In the child: SIGINT at its default, as in a terminal. A test runner started in the
    background of a script inherits SIGINT ignored, and Python then never raises
    KeyboardInterrupt: the interrupt tests would pass or fail with how CI was started."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "run.py"), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=_default_sigint)


def scenarios(folder: Path, months: int, names=("a", "b"), scale: float = 20) -> list[Path]:
    paths = []
    for i, name in enumerate(names):
        path = folder / f"s{i}.yaml"
        path.write_text(SMALL.format(name=f'"{name}"', months=months, scale=scale))
        paths.append(path)
    return paths


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline and not condition():
        time.sleep(0.05)
    assert condition(), "timed out"


def processes_mentioning(text: str) -> list[int]:
    """Pids of live processes whose command line contains ``text`` (workers are forks)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def finished(out: Path) -> list[Path]:
    return sorted(p for p in (out / "runs").glob("*.parquet") if not p.name.startswith("."))


def test_ctrl_c_keeps_finished_runs_refuses_a_second_process_and_resumes(tmp_path):
    # Runs of more than a second each (Tumbes at scale 2, 30 years): the batch lasts well
    # beyond the second process's refusal and the first finished run, however fast the
    # machine.
    paths = scenarios(tmp_path, months=360, scale=2)
    out = tmp_path / "out"
    args = ("compare", *paths, "--replicates", 10, "--workers", 2, "--out", out)
    proc = start(*args)
    wait_for(lambda: (out / ".lock").exists() and (out / ".lock").read_text().strip())
    second = cli(*args)  # the same --out while the first runs
    assert second.returncode == 2, second.stderr
    assert f"in use by pid {proc.pid}" in second.stderr and "Traceback" not in second.stderr
    wait_for(lambda: len(finished(out)) >= 1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    kept = finished(out)
    assert f"{len(kept)} of 20 runs kept; run the same command to resume" in stderr
    assert len(kept) < 20 and "Traceback" not in stderr
    assert (out / "INCOMPLETE").exists()
    time.sleep(0.5)
    assert not processes_mentioning(str(out)), "a worker outlived the interrupted command"
    mtimes = {p: p.stat().st_mtime_ns for p in kept}
    resumed = cli(*args)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(kept)} already done" in resumed.stderr
    assert all(p.stat().st_mtime_ns == m for p, m in mtimes.items())
    assert len(finished(out)) == 20 and not (out / "INCOMPLETE").exists()


def test_sigkill_of_the_parent_leaves_no_worker_alive(tmp_path):
    paths = scenarios(tmp_path, months=60)
    out = tmp_path / "killed"
    proc = start("compare", *paths, "--replicates", 4, "--workers", 2, "--out", out)
    wait_for(lambda: len(processes_mentioning(str(out))) >= 3)  # parent and two workers
    workers = [p for p in processes_mentioning(str(out)) if p != proc.pid]
    proc.kill()
    proc.wait()
    wait_for(lambda: not any(Path(f"/proc/{p}").exists() and p in processes_mentioning(
        str(out)) for p in workers), seconds=10)


def test_damaged_run_files_and_manifest_are_set_aside_and_redone(tmp_path):
    paths = scenarios(tmp_path, months=2)
    out = tmp_path / "out"
    args = ("compare", *paths, "--replicates", 2, "--workers", 1, "--out", out)
    assert cli(*args).returncode == 0
    runs = finished(out)
    runs[0].write_bytes(b"PAR1 not really")
    runs[1].write_bytes(b"")
    (out / "batch.json").write_text("")
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("set aside") == 3
    assert "2 run now, 2 already done" in proc.stderr
    assert len(list((out / "runs").glob("*.damaged-1"))) == 2
    assert (out / "batch.json.damaged-1").exists()
    assert all(len(pd.read_parquet(p)) for p in finished(out))


def test_names_stay_labels_never_paths_or_formulas(tmp_path):
    names = ("=HYPERLINK(\\\"http://x\\\")", "../../../../outside/x", "+1-2", "@SUM(A1)")
    paths = scenarios(tmp_path, months=2, names=names)
    work = tmp_path / "work"
    work.mkdir()
    proc = cli("compare", *paths, "--replicates", 1, "--workers", 1, "--out", work / "out",
               cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s0.yaml", "s1.yaml", "s2.yaml",
                                                         "s3.yaml", "work"]
    assert [p.name for p in work.iterdir()] == ["out"]
    assert all(p.parent == work / "out" / "runs" for p in finished(work / "out"))
    text = (work / "out" / "summary.csv").read_text()
    for line in text.splitlines()[1:]:
        assert not line.startswith(("=", "+", "-", "@")), line
        assert ",=" not in line and ",@" not in line and ",+" not in line
    summary = pd.read_csv(work / "out" / "summary.csv")
    assert "'=HYPERLINK(\"http://x\")" in set(summary["scenario"])


def test_run_marks_an_unfinished_folder_and_clears_the_mark(tmp_path):
    path = scenarios(tmp_path, months=2)[0]
    out = tmp_path / "out"
    proc = cli("run", path, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert not (out / "INCOMPLETE").exists()
    assert sorted(p.name for p in out.iterdir()) == [".lock", "metadata.json", "results.csv",
                                                     "trajectories.png"]


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("a tmpfs needs root and mount(8); the full-disk test is skipped here")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_full_disk_keeps_whole_files_and_gives_a_clear_message(tmp_path, tiny_disk):
    path = scenarios(tmp_path, months=12)[0]
    out = tiny_disk / "out"
    proc = cli("run", path, "--out", out)
    assert proc.returncode == 1, proc.stderr
    assert "disk full" in proc.stderr and "Traceback" not in proc.stderr
    left = sorted(p.name for p in out.iterdir())
    assert "results.csv" not in left and not [n for n in left if ".tmp" in n], left
    assert "INCOMPLETE" in left
    # a batch on the full disk: the runs written stay whole and readable
    paths = scenarios(tmp_path, months=2)
    batch = cli("compare", *paths, "--replicates", 3, "--workers", 1, "--out",
                tiny_disk / "batch")
    assert batch.returncode in (0, 1) and "Traceback" not in batch.stderr, batch.stderr
    for run in finished(tiny_disk / "batch"):
        assert len(pd.read_parquet(run))
