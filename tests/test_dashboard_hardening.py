"""The dashboard under load and abuse (issue 13, class 8).

Heavy runs wait in one queue (viz/jobs.py) and are computed in worker processes; a waiting
session sees its place; a session that leaves stops its jobs and the workers end with the
last one; Solara's CDN proxy never fetches; `run.py dashboard` ends with SIGTERM and frees
its port. Every server started here is ended, with its process group, whatever happens.
"""

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from viz import jobs, runner, today

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
from test_dashboard_browser import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
)


def group_pids(pgid: int) -> list[int]:
    """Processes still alive in process group ``pgid``."""
    out = subprocess.run(["ps", "-o", "pid=,stat=", "-g", str(pgid)], capture_output=True,
                         text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines() if "Z" not in line.split()[1]]


def port_free(port: int) -> bool:
    """Nobody listens on ``port``."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@contextmanager
def dashboard(env: dict | None = None):
    """`python run.py dashboard` on a free port in its own process group, always ended.

    Yields (process, port) once the page answers.
    """
    port = free_port()
    process = subprocess.Popen([sys.executable, "run.py", "dashboard", "--port", str(port)],
                               cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/", timeout=2):
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("dashboard did not start")
            time.sleep(0.3)
        yield process, port
    finally:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while group_pids(process.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
        process.wait(5)


def test_queue_is_first_come_first_served_and_tells_each_its_place():
    queue = jobs.RunQueue(1)
    places: dict[str, list[int]] = {"b": [], "c": []}
    order, release = [], threading.Event()

    def job(name, stop=lambda: False):
        with queue.place(places.setdefault(name, []).append, stop) as admitted:
            order.append((name, admitted))
            if admitted and name == "a":
                release.wait(10)

    first = threading.Thread(target=job, args=("a",))
    first.start()
    while queue.running == 0:
        time.sleep(0.01)
    second = threading.Thread(target=job, args=("b",))
    second.start()
    while queue.waiting() < 1:
        time.sleep(0.01)
    third = threading.Thread(target=job, args=("c",))
    third.start()
    gone = threading.Event()
    fourth = threading.Thread(target=job, args=("d", gone.is_set))
    fourth.start()
    while queue.waiting() < 3:
        time.sleep(0.01)
    gone.set()  # d gives up while waiting: it leaves the line without running
    fourth.join(5)
    release.set()
    for thread in (first, second, third):
        thread.join(10)
    assert order == [("a", True), ("d", False), ("b", True), ("c", True)]
    assert places["b"] == [1, 0] and places["d"] == [3]
    assert places["c"][0] == 2 and places["c"][-1] == 0  # 1 between, unless b was quick
    assert places["c"] == sorted(places["c"], reverse=True)
    assert queue.running == 0 and queue.waiting() == 0


def test_a_job_stopped_while_queued_never_starts_a_worker(monkeypatch):
    monkeypatch.setattr(jobs, "QUEUE", jobs.RunQueue(0))  # no place ever comes free
    monkeypatch.setattr(jobs.Workers, "take", lambda self: pytest.fail("worker started"))
    assert list(jobs.remote(runner.run_comparison, None, should_stop=lambda: True)) == []
    assert list(jobs.remote(today.today_job, "TUMBES", 1, should_stop=lambda: True)) == []
    assert today.queued_today("TUMBES", 424242, should_stop=lambda: True) is None  # not kept


def test_a_worker_gives_the_in_process_result():
    remote = today.queued_today("TUMBES", 11)
    local = today._live_today("TUMBES", 11, None, None)
    assert remote.date == local.date and remote.trajectory.equals(local.trajectory)
    jobs.WORKERS.end_idle()


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Recorder.seen.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"fetched")

    def log_message(self, *args):
        pass


def test_cdn_proxy_serves_installed_files_and_never_fetches():
    cdn = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=cdn.serve_forever, daemon=True).start()
    try:
        env = {"SOLARA_ASSETS_CDN": f"http://127.0.0.1:{cdn.server_address[1]}/"}
        with dashboard(env) as (_, port):
            base = f"http://localhost:{port}/_solara/cdn/"
            with urllib.request.urlopen(base + "requirejs@2.3.6/require.js") as reply:
                assert reply.status == 200  # installed by solara-assets
            for path in ("left-pad@1.3.0/index.js", "evil-package@9.9.9/dist/x.js",
                         "..%2F..%2F..%2Fpyvenv.cfg"):
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(base + path, timeout=10)
                assert refused.value.code in (403, 404)
        assert _Recorder.seen == []  # nothing was fetched from the CDN
    finally:
        cdn.shutdown()


def test_sigterm_ends_the_dashboard_and_frees_its_port():
    with dashboard() as (process, port):
        os.kill(process.pid, signal.SIGTERM)  # the process, as a service manager would
        deadline = time.monotonic() + 5
        while (group_pids(process.pid) or not port_free(port)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert group_pids(process.pid) == [] and port_free(port)


def workers_of(process) -> list[str]:
    """Command lines of the server's worker processes."""
    out = subprocess.run(["ps", "-o", "pid=,cmd=", "--ppid", str(process.pid)],
                         capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "spawn_main" in line]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_three_sessions_queue_and_leave():
    """One place (DASHBOARD_RUN_SLOTS=1): the second and third sessions wait and see their
    place; when the first leaves the next one runs; when all leave no worker remains."""
    from playwright.sync_api import sync_playwright

    with dashboard({"DASHBOARD_RUN_SLOTS": "1"}) as (process, port), \
            sync_playwright() as playwright:
        url = f"http://localhost:{port}/"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = []
            for width in (1500, 1024, 1024):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(url)
                if not pages:  # the history of all Peru, once for the server
                    page.wait_for_selector(".today-map canvas", timeout=120_000)
                page.get_by_role("button", name="Simular").wait_for(timeout=60_000)
                pages.append(page)
            for page in pages:
                page.get_by_role("button", name="Simular").click()
                time.sleep(0.5)
            first, second, third = pages
            second.get_by_text("su simulación es la 1.ª de la fila").first.wait_for(timeout=20_000)
            third.get_by_text("su simulación es la 2.ª de la fila").first.wait_for(timeout=20_000)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            third.locator(".queue-place").scroll_into_view_if_needed()
            third.screenshot(path=str(ARTIFACTS / "queue_waiting_1024.png"))
            third.set_viewport_size({"width": 1920, "height": 1000})
            third.locator(".language").get_by_text("en", exact=True).click()
            third.get_by_text("your simulation is number 2 in line").first.wait_for()
            third.locator(".queue-place-results").scroll_into_view_if_needed()
            third.screenshot(path=str(ARTIFACTS / "queue_waiting_1920_en.png"))
            first.goto("about:blank")  # the tab leaves (its close beacon): its run stops
            second.get_by_text("Simulando").first.wait_for(timeout=60_000)
            third.get_by_text("your simulation is number 1 in line").first.wait_for(timeout=10_000)
            for page in (second, third):
                page.goto("about:blank")
            deadline = time.monotonic() + 40
            while workers_of(process) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert workers_of(process) == []  # the last session left: the workers ended
        finally:
            browser.close()
