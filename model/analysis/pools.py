"""Worker processes for batches: a process pool whose workers die with their parent.

Used by the batch runner (``experiments.run_batch``) and the calibration's Jacobian runs:
workers ignore Ctrl-C (the parent handles it and ends them at once) and never outlive the
parent, even when it is killed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor


def pool_context() -> multiprocessing.context.BaseContext:
    """'fork' where the platform has it (importing mesa switches the default to 'spawn')."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def worker_init(parent: int | None = None) -> None:
    """Initialise a pool worker so it never outlives its parent and ignores Ctrl-C.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``);
    elsewhere a daemon thread polls ``os.getppid()``. Ctrl-C reaches the whole terminal
    process group: the parent alone handles it (cancels the queue and ends the workers).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = parent if parent is not None else os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) != 0:  # 1 = PR_SET_PDEATHSIG
            raise OSError
    except (OSError, AttributeError):
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)
        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)


def new_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process (``worker_init``)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=pool_context(),
                               initializer=worker_init, initargs=(os.getpid(),))


def end_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel the queued tasks and end the workers now (running tasks are lost)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    call_queue = getattr(pool, "_call_queue", None)
    if call_queue is not None:  # its feeder may be blocked writing to a worker we kill:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            call_queue.cancel_join_thread()  # never wait for it (a hang at exit under load)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(timeout=5)
    # Let the pool's manager thread see its workers gone and close its wake-up pipe now:
    # otherwise Python's exit handler may write to that pipe while the thread closes it
    # ("Bad file descriptor" traceback after Ctrl-C, a race of Python 3.11's
    # concurrent.futures, seen when the machine is loaded).
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(timeout=5)
