"""Heavy runs: one queue for the server, computed in worker processes.

Every browser session is a thread of one server process. Comparisons, histories and
exercises computed in those threads would share its interpreter lock with the pages it
serves (a fresh page took up to 16 s with six comparisons running) and have no limit. So
they queue here for one of ``RUN_SLOTS`` places (one per core) and are computed in worker
processes, one per place, started when first needed and kept while sessions are open (a
worker keeps the histories it saved, ``model.model``); the server process only renders.

A job is a module-level function (it is sent to the worker by reference) called as
``job(*args, on_progress=..., should_stop=..., on_stage=...)`` that yields its results
(``viz.runner.run_comparison``, ``viz.today.today_job``, ``viz.exercises.exercise_job``).
Nothing here knows what a job computes.
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
from typing import Callable, Iterable, Iterator


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
            job, args = conn.recv()
        except (EOFError, OSError):
            return
        sent = {"at": 0.0}

        def progress(fraction: float) -> None:
            now = time.monotonic()
            if now - sent["at"] >= POLL_S or fraction >= 1:
                sent["at"] = now
                conn.send(("progress", fraction))

        try:
            for result in job(*args, on_progress=progress, should_stop=stop.is_set,
                              on_stage=lambda key, pair: conn.send(("stage", key, pair))):
                conn.send(("result", result))
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


def remote(job: Callable[..., Iterable], *args,
           on_progress: Callable[[float], None] | None = None,
           on_stage: Callable[[str, int], None] | None = None,
           should_stop: Callable[[], bool] | None = None,
           on_place: Callable[[int], None] | None = None) -> Iterator:
    """Queue a heavy job (``QUEUE``), compute it in a worker process and yield its results.

    ``job`` is a module-level function, called in the worker as ``job(*args,
    on_progress=..., should_stop=..., on_stage=...)``; whatever it yields is yielded here
    (``run_comparison``: a ComparisonResult after each pair; ``today_job``: one TodayResult,
    or None if stopped; ``exercise_job``: ``run_exercise``'s dict). ``on_place`` hears the
    job's place in the line while it waits (1: next; 0 once it runs). When ``should_stop``
    returns True the job leaves the line (nothing is yielded), or the worker is told to stop
    (a comparison then yields its finished pairs); a worker whose job did not end cleanly is
    ended. A failure in the worker is raised here as RuntimeError.
    """
    with QUEUE.place(on_place, should_stop) as admitted:
        if not admitted:
            return
        worker = WORKERS.take()
        clean = False
        try:
            worker.stop.clear()
            worker.conn.send((job, args))
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
