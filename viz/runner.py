"""Running the dashboard's models: the comparison and the region's history.

The comparison's runs are exactly those of the CLI (``comparison_specs`` with the same
parameter draws and replicate seeds, ``execute_run`` for each), so a dashboard result equals
the CLI's for the scenario files the page offers for download. With parameter uncertainty
(the page's default) they are N draws x 1 replicate (``--draws N --replicates 1``), without
it N replicates at the default parameters. They are executed pairwise, by the specs' group
(reference and policy of one draw and replicate, which share a history), so that a stopped
comparison keeps complete pairs; the finished frame is put back in the CLI's order.

``run_today`` runs the history (``scenarios/peru_2000_2019.yaml``) of the chosen region with
records, for the page's first screen: the status quo's levels and the model against the
ENDES surveys.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from model.analysis.comparison import comparison_specs, summarise
from model.analysis.experiments import RunSpec, execute_run
from model.analysis.targets import (
    DEFAULT_TARGETS,
    DEPARTMENT_TARGETS,
    combine_targets,
    load_targets,
)
from model.analysis.validation import survey_se
from model.config import Scenario, load_scenario, validate_scenario
from model.geography import load_geography
from model.model import build_model
from viz.levers import (
    ALL_PERU,
    SCENARIO_DIR,
    Levers,
    build_scenarios,
    estimated_seconds,
    history_seconds,
    scale_for,
)


class RunStopped(Exception):
    """The user pressed stop."""


MAP_METRICS = ("stunting", "anemia")  # district metrics kept for the map
MAP_WEIGHTS = ("children", "children_6_35m")  # their denominators, to add districts up
CUBE_METRICS = MAP_METRICS + MAP_WEIGHTS


def split_districts(frame: pd.DataFrame, ubigeos: list[str]
                    ) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Separate a run's district rows (the bulk of it) from the rest.

    Returns the frame without district rows, the map metrics with their denominators
    (``CUBE_METRICS``) as a float32 array ``[date, district, metric]`` (districts in the
    order of ``ubigeos``, NaN where no child was simulated), and its dates. A national run
    records about 1.7 million district rows; as an array the map data of a 10-run
    comparison is 18 MB.
    """
    is_district = frame["group"].str.startswith("district:")
    rest = frame[~is_district].reset_index(drop=True)
    rows = frame[is_district & frame["metric"].isin(CUBE_METRICS)]
    cube = rows.pivot_table(index="date", columns=["group", "metric"], values="value",
                            sort=True)
    dates = list(cube.index)
    columns = pd.MultiIndex.from_product([[f"district:{u}" for u in ubigeos], CUBE_METRICS])
    values = cube.reindex(columns=columns).to_numpy(np.float32)
    return rest, values.reshape(len(dates), len(ubigeos), len(CUBE_METRICS)), dates


@dataclass(frozen=True)
class ComparisonResult:
    """What the page shows: finished runs so far, and whether the comparison is complete.

    ``results`` is the CLI's tidy table without the district rows; ``district_values`` holds
    those as ``[scenario (0 reference, 1 policy), pair, date, district, metric]`` with the
    metrics of ``CUBE_METRICS``; a pair is one run of both arms (a parameter draw and
    replicate seed), in the order they were run. ``draws`` is the number of parameter draws
    (0: the default parameters, intervals from chance alone).
    """

    levers: Levers | None  # the page's settings (None for a pair run outside the page)
    reference: Scenario
    policy: Scenario
    results: pd.DataFrame
    district_values: np.ndarray
    dates: list[str]
    ubigeos: list[str]
    pairs_done: int
    complete: bool
    stopped: bool = False
    draws: int = 0

    @cached_property
    def summary(self) -> pd.DataFrame:
        """The comparison table (comparison.summarise) at the end of the horizon (cached)."""
        if self.results.empty:
            return pd.DataFrame()
        last_year = int(self.results["date"].max()[:4])
        return summarise(self.results, [last_year])


def execution_order(specs: list[RunSpec]) -> list[list[RunSpec]]:
    """The comparison's pairs: its runs by group (a draw and replicate), then scenario.

    ``comparison_specs`` lists runs scenario-major without draws and group by group with
    them; either way a pair's index is its group's position.
    """
    groups: dict[str, list[RunSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    return list(groups.values())


def run_comparison(levers: Levers, on_progress: Callable[[float], None] | None = None,
                   should_stop: Callable[[], bool] | None = None,
                   on_stage: Callable[[str, int], None] | None = None
                   ) -> Iterator[ComparisonResult]:
    """Run the comparison the levers describe (see ``run_pair``).

    With ``levers.uncertainty``: ``levers.replicates`` parameter draws of one replicate
    each; without: that many replicates at the default parameters.
    """
    reference, policy = build_scenarios(levers)
    history_share = (history_seconds(levers.region, levers.precision) * levers.replicates
                     / estimated_seconds(levers, saved=0))
    yield from run_pair(reference, policy, levers.seeds, levers.seed, levers,
                        on_progress, should_stop, on_stage, history_share, levers.draws)


def run_pair(reference: Scenario, policy: Scenario, replicates: int, seed: int,
             levers: Levers | None = None, on_progress: Callable[[float], None] | None = None,
             should_stop: Callable[[], bool] | None = None,
             on_stage: Callable[[str, int], None] | None = None,
             history_share: float = 0.0, draws: int = 0) -> Iterator[ComparisonResult]:
    """Run a reference and a policy over draws x replicates, yielding results after each pair.

    Args:
        reference: the comparison's reference scenario.
        policy: a scenario comparable with it (same start, horizon, scale, geography).
        replicates: replicate seeds (per draw), as ``python run.py compare --replicates``.
        seed: root seed of the replicate seeds and the draws, as ``--seed``.
        levers: the page's settings behind the pair, kept with the result (None outside it).
        on_progress: called with the finished fraction (0-1) after every simulated month.
        should_stop: polled every month; when it returns True the current pair is dropped
            and a last result (``stopped=True``) with the finished pairs is yielded. (Not
            while a pair lives its history: that is one call to the model.)
        on_stage: called with ``("history", p)`` before pair p's reference run (which lives
            the history when the scenarios have one, unless this process saved its state
            already) and ``("months", p)`` at its first simulated month.
        history_share: the expected share of the time spent living histories, for the
            progress fraction (0 without a history).
        draws: parameter draws, as ``--draws`` (0: the default parameters only).
    """
    specs = comparison_specs([reference, policy], replicates, seed, draws)
    pairs = execution_order(specs)
    total = len(pairs)
    frames: dict[str, pd.DataFrame] = {}
    maps: dict[str, np.ndarray] = {}
    dates: list[str] = []
    ubigeos = [str(u) for u in load_geography(reference.geography.departments,
                                              reference.geography.districts).ubigeo]

    def result(done: int, stopped: bool = False) -> ComparisonResult:
        finished = pairs[:done]
        ids = {spec.run_id for pair in finished for spec in pair}
        kept = [s for s in specs if s.run_id in ids]  # the CLI's order
        results = (pd.concat([frames[s.run_id] for s in kept], ignore_index=True) if kept
                   else pd.DataFrame())
        cube = (np.stack([np.stack([maps[pair[arm].run_id] for pair in finished])
                          for arm in (0, 1)]) if finished
                else np.empty((2, 0, 0, 0, len(CUBE_METRICS)), np.float32))
        return ComparisonResult(levers, reference, policy, results, cube, dates, ubigeos,
                                done, complete=done == total, stopped=stopped, draws=draws)

    share = history_share if reference.history is not None else 0.0

    def fraction(p: int, arm: int, done: float) -> float:
        """Finished share after ``done`` (0-1) of arm ``arm`` of pair ``p``.

        Each pair is its history (``share``) and then both arms' months.
        """
        within = share + (1 - share) * (arm + done) / 2 if done > 0 or arm else 0.0
        return (p + within) / total

    for p, pair in enumerate(pairs):
        if on_stage:
            on_stage("history" if reference.history is not None else "months", p)
        for arm, spec in enumerate(pair):

            def on_month(done: int, months: int, p: int = p, arm: int = arm) -> None:
                if should_stop and should_stop():
                    raise RunStopped
                if on_stage and arm == 0 and done == 1 and reference.history is not None:
                    on_stage("months", p)
                if on_progress:
                    on_progress(fraction(p, arm, done / months))
            try:
                frames[spec.run_id], maps[spec.run_id], dates = split_districts(
                    execute_run(spec, on_month), ubigeos)
            except RunStopped:
                yield result(p, stopped=True)
                return
        yield result(p + 1)


# --- Peru today: the history the status quo comes from, against the surveys ----------------

HISTORY_FILE = SCENARIO_DIR / "peru_2000_2019.yaml"
TODAY_PRECISION = "fast"
SURVEY_INDICATORS = {"stunting": "0-59m", "anemia": "6-35m"}  # as the trajectories show them


@dataclass(frozen=True)
class TodayResult:
    """The history (2000-2019) of one region at the fast precision, recorded.

    ``trajectory`` has one row per month (date, stunting, anemia: the region's prevalences);
    ``survey`` the ENDES figures for the region (year, indicator, value_percent, n, se: the
    survey's sampling standard error in pp, source, model: the run's value in July of that
    year, as the calibration compares them); ``departments`` the last month's prevalences by
    department (all Peru); ``district_values`` the last month's ``CUBE_METRICS`` by district
    (``[district, metric]``, a department's run only, districts in the order of ``ubigeos``).
    """

    region: str
    seed: int
    scale: float
    date: str
    anemia_definition: str
    trajectory: pd.DataFrame
    survey: pd.DataFrame
    departments: pd.DataFrame
    district_values: np.ndarray
    ubigeos: list[str]


def history_scenario(region: str, seed: int) -> Scenario:
    """``scenarios/peru_2000_2019.yaml`` restricted to ``region`` at the fast precision."""
    body = load_scenario(HISTORY_FILE).model_dump(mode="json")
    body.update(seed=seed, scale=scale_for(region, TODAY_PRECISION),
                geography={"departments": [] if region == ALL_PERU else [region],
                           "districts": []},
                outputs={"districts": region != ALL_PERU})
    return validate_scenario(body, source="dashboard history")


def survey_points(region: str) -> pd.DataFrame:
    """ENDES figures of stunting (0-59 m) and anemia (6-35 m) for all Peru or a department.

    All Peru: ``model/data/calibration_targets.csv`` and the national rows of
    ``endes_departments_2009_2012.csv`` (the latter wins where both give a year); a
    department: its rows of ``endes_departments_2009_2012.csv`` (2009-2012).
    """
    if region == ALL_PERU:
        table = combine_targets([_targets(DEFAULT_TARGETS), _targets(DEPARTMENT_TARGETS)])
        group = "national"
    else:
        table, group = _targets(DEPARTMENT_TARGETS), f"department:{region}"
    keep = (table["group"] == group) & (table["area"] == "total") & (
        table["indicator"].map(SURVEY_INDICATORS) == table["age_group"])
    points = table[keep][["year", "indicator", "value_percent", "n", "source"]].copy()
    points["se"] = survey_se(points["value_percent"], points["n"]).to_numpy()
    return points.sort_values(["indicator", "year"]).reset_index(drop=True)


_TARGETS: dict[str, pd.DataFrame] = {}


def _targets(path) -> pd.DataFrame:
    if str(path) not in _TARGETS:
        _TARGETS[str(path)] = load_targets(path)
    return _TARGETS[str(path)]


_today_cache: dict[tuple[str, int], TodayResult] = {}
_today_lock = threading.Lock()


def run_today(region: str, seed: int, on_progress: Callable[[float], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> TodayResult | None:
    """Live the history of ``region`` with records (fast precision); None if stopped.

    Deterministic for a region and seed, so finished results are kept for the process (every
    browser session opening on the same region shares them).
    """
    key = (region, seed)
    with _today_lock:
        if key in _today_cache:
            return _today_cache[key]
    today = _live_today(region, seed, on_progress, should_stop)
    if today is not None:
        _keep_today(key, today)
    return today


TODAY_KEPT = 32  # regions and seeds whose history the server keeps (a few MB each at most)


def _keep_today(key: tuple[str, int], today: TodayResult) -> None:
    with _today_lock:
        _today_cache[key] = today
        while len(_today_cache) > TODAY_KEPT:
            _today_cache.pop(next(iter(_today_cache)))


def queued_today(region: str, seed: int, on_progress: Callable[[float], None] | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 on_place: Callable[[int], None] | None = None) -> TodayResult | None:
    """``run_today`` for the page: a result this process holds, else computed by a worker.

    The worker's run waits in ``QUEUE`` like any heavy run (``on_place`` hears its place).
    """
    key = (region, seed)
    with _today_lock:
        if key in _today_cache:
            return _today_cache[key]
    today = next(remote("today", region, seed, on_progress=on_progress,
                        should_stop=should_stop, on_place=on_place), None)
    if today is not None:
        _keep_today(key, today)
    return today


def _live_today(region: str, seed: int, on_progress: Callable[[float], None] | None,
                should_stop: Callable[[], bool] | None) -> TodayResult | None:
    """Live the history of ``region`` (``run_today`` without its cache)."""
    scenario = history_scenario(region, seed)
    model = build_model(scenario)
    for _ in range(scenario.months):
        if should_stop and should_stop():
            return None
        model.step()
        if on_progress:
            on_progress(model.steps / scenario.months)
    results = model.results()
    last = results["date"].max()
    national = results[results["group"] == "national"]
    trajectory = national[national["metric"].isin(SURVEY_INDICATORS)].pivot_table(
        index="date", columns="metric", values="value").reset_index()
    trajectory.columns.name = None
    survey = survey_points(region)
    at_july = trajectory.set_index("date")
    survey["model"] = [float(at_july[row.indicator].get(f"{int(row.year)}-07", np.nan))
                       for row in survey.itertuples()]
    end = results[results["date"] == last]
    departments = end[end["group"].str.fullmatch(r"department:[^:]+")
                      & end["metric"].isin(CUBE_METRICS)].pivot_table(
        index="group", columns="metric", values="value").reset_index()
    departments.columns.name = None
    departments.insert(0, "department", departments.pop("group").str.removeprefix(
        "department:"))
    ubigeos = [str(u) for u in model.geography.ubigeo]
    cube = np.empty((0, len(CUBE_METRICS)), np.float32)
    if scenario.outputs.districts:
        _, values, _ = split_districts(end, ubigeos)
        cube = values[0]
    return TodayResult(region, seed, scenario.scale, last, scenario.anemia_definition,
                       trajectory, survey, departments, cube, ubigeos)


# --- Heavy runs: one queue for the server, computed in worker processes ---------------------
#
# Every browser session is a thread of one server process. Comparisons, histories and
# exercises computed in those threads would share its interpreter lock with the pages it
# serves (a fresh page took up to 16 s with six comparisons running) and have no limit. So
# they queue here for one of ``RUN_SLOTS`` places (one per core) and are computed in worker
# processes, one per place, started when first needed and kept while sessions are open (a
# worker keeps the histories it saved, ``model.model``); the server process only renders.

def _slots() -> int:
    """Places for heavy runs: ``$DASHBOARD_RUN_SLOTS`` if set (at least 1), else the cores."""
    try:
        return max(1, int(os.environ.get("DASHBOARD_RUN_SLOTS", "")))
    except ValueError:
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                   else os.cpu_count() or 1)


RUN_SLOTS = _slots()
WORKER_NICENESS = 10  # lower CPU priority of the workers than of the server
POLL_S = 0.2  # how often a waiting or running job looks at its stop condition


class RunQueue:
    """First come, first served admission of heavy runs, at most ``slots`` at once."""

    def __init__(self, slots: int):
        """A queue with ``slots`` places."""
        self.slots = slots
        self.running = 0
        self._waiting: list[object] = []
        self._changed = threading.Condition()

    def waiting(self) -> int:
        """Jobs waiting for a place now."""
        with self._changed:
            return len(self._waiting)

    @contextmanager
    def place(self, on_place: Callable[[int], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> Iterator[bool]:
        """Wait for a place; yield True once admitted, False if stopped while waiting.

        ``on_place(n)`` is called whenever the job's place in the line changes (1: next),
        and with 0 when it is admitted. The place is given back when the block ends.
        """
        ticket = object()
        shown = None
        with self._changed:
            self._waiting.append(ticket)
            while True:
                ahead = self._waiting.index(ticket)
                if self.running < self.slots and ahead == 0:
                    self._waiting.remove(ticket)
                    self.running += 1
                    self._changed.notify_all()
                    break
                if should_stop and should_stop():
                    self._waiting.remove(ticket)
                    self._changed.notify_all()
                    ticket = None
                    break
                if on_place and ahead + 1 != shown:
                    shown = ahead + 1
                    on_place(shown)
                self._changed.wait(POLL_S)
        if ticket is None:
            yield False
            return
        try:
            if on_place:
                on_place(0)
            yield True
        finally:
            with self._changed:
                self.running -= 1
                self._changed.notify_all()


QUEUE = RunQueue(RUN_SLOTS)


def _die_with_parent() -> None:
    """Ask Linux to end this process when the server process ends (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _worker_main(conn, stop) -> None:
    """A worker process: run jobs sent on ``conn`` until it closes; ``stop`` stops a job."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    try:  # the server's pages come first: a busy worker yields the CPU to them
        os.nice(WORKER_NICENESS)
    except (OSError, AttributeError):  # pragma: no cover
        pass
    while True:
        try:
            kind, args = conn.recv()
        except (EOFError, OSError):
            return
        sent = {"at": 0.0}

        def progress(fraction: float) -> None:
            now = time.monotonic()
            if now - sent["at"] >= POLL_S or fraction >= 1:
                sent["at"] = now
                conn.send(("progress", fraction))

        try:
            if kind == "comparison":
                for result in run_comparison(
                        args[0], progress, should_stop=stop.is_set,
                        on_stage=lambda key, pair: conn.send(("stage", key, pair))):
                    conn.send(("result", result))
            elif kind == "today":
                conn.send(("result", _live_today(*args, progress, stop.is_set)))
            elif kind == "exercise":
                from viz import exercises

                conn.send(("result", exercises.run_exercise(exercises.exercise(args[0]),
                                                            progress)))
            else:
                raise ValueError(f"unknown job {kind!r}")
            conn.send(("done",))
        except Exception as err:  # noqa: BLE001 - told to the page, the worker lives on
            conn.send(("error", f"{type(err).__name__}: {err}"))
        gc.collect()


class Worker:
    """One worker process and its pipe."""

    def __init__(self):
        """Start the process (``spawn``: a fresh interpreter, no copy of the server's threads)."""
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.stop = context.Event()
        self.process = context.Process(target=_worker_main, args=(child, self.stop),
                                       daemon=True, name="dashboard-worker")
        self.process.start()
        child.close()
        self.idle_since = time.monotonic()

    def end(self) -> None:
        """End the process now."""
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class Workers:
    """The idle worker processes, reused from job to job."""

    def __init__(self):
        """No process until the first job."""
        self._idle: list[Worker] = []
        self._lock = threading.Lock()

    def take(self) -> Worker:
        """An idle worker, or a new one."""
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    return worker
                worker.end()
        return Worker()

    def give(self, worker: Worker) -> None:
        """A worker back after a finished job (ended instead when no session is open)."""
        if SESSIONS.none_open():
            worker.end()
            return
        worker.idle_since = time.monotonic()
        with self._lock:
            self._idle.append(worker)

    def end_idle(self) -> int:
        """End every idle worker (their memory goes back to the machine); returns how many."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.end()
        return len(idle)

    def pids(self) -> list[int]:
        """Process ids of the idle workers."""
        with self._lock:
            return [w.process.pid for w in self._idle]


class Sessions:
    """The browser sessions open on this server (Solara's kernel start and close hooks)."""

    def __init__(self):
        """None yet."""
        self.open = 0
        self.seen = False
        self._lock = threading.Lock()

    def none_open(self) -> bool:
        """True when sessions were tracked and the last one has closed."""
        with self._lock:
            return self.seen and self.open == 0

    def opened(self) -> Callable[[], None]:
        """Count a new session; returns what to call when it closes."""
        with self._lock:
            self.open += 1
            self.seen = True
        return self.closed

    def closed(self) -> None:
        """A session closed: its results go with it (Solara drops its state).

        Once the last one has closed, the idle workers end too. Memory is handed back
        shortly after, when the session's threads have let go of it.
        """
        with self._lock:
            self.open = max(0, self.open - 1)
        timer = threading.Timer(RELEASE_AFTER_S, self._release)
        timer.daemon = True
        timer.start()

    def _release(self) -> None:
        if self.none_open():
            WORKERS.end_idle()
        release_memory()


RELEASE_AFTER_S = 1.0
WORKERS = Workers()
SESSIONS = Sessions()
atexit.register(WORKERS.end_idle)


def remote(kind: str, *args, on_progress: Callable[[float], None] | None = None,
           on_stage: Callable[[str, int], None] | None = None,
           should_stop: Callable[[], bool] | None = None,
           on_place: Callable[[int], None] | None = None) -> Iterator:
    """Queue a heavy job (``QUEUE``), compute it in a worker process and yield its results.

    ``kind`` is ``"comparison"`` (args: the levers; yields a ComparisonResult after each
    pair, as ``run_comparison``), ``"today"`` (region, seed; yields one TodayResult, or None
    if stopped) or ``"exercise"`` (its key; yields ``run_exercise``'s dict). ``on_place``
    hears the job's place in the line while it waits (1: next; 0 once it runs). When
    ``should_stop`` returns True the job leaves the line, or the worker is told to stop (a
    comparison then yields its finished pairs); a worker whose job did not end cleanly is
    ended. A failure in the worker is raised here as RuntimeError.
    """
    with QUEUE.place(on_place, should_stop) as admitted:
        if not admitted:
            if kind == "comparison":
                return
            yield None
            return
        worker = WORKERS.take()
        clean = False
        try:
            worker.stop.clear()
            worker.conn.send((kind, args))
            while True:
                if should_stop and should_stop():
                    worker.stop.set()
                if not worker.conn.poll(POLL_S):
                    if not worker.process.is_alive():
                        raise RuntimeError(f"the worker process ended (exit code "
                                           f"{worker.process.exitcode})")
                    continue
                message = worker.conn.recv()
                if message[0] == "progress" and on_progress:
                    on_progress(message[1])
                elif message[0] == "stage" and on_stage:
                    on_stage(message[1], message[2])
                elif message[0] == "result":
                    yield message[1]
                elif message[0] == "error":
                    clean = True
                    raise RuntimeError(message[1])
                elif message[0] == "done":
                    clean = True
                    return
        finally:
            if clean:
                WORKERS.give(worker)
            else:  # stopped mid-message, abandoned or dead: its state is unknown
                worker.end()


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc's malloc_trim)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass
