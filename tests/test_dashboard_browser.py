"""The dashboard in a real browser: `python run.py dashboard` driven by Playwright in Debian's
Chromium (apt-get install chromium; no browser download). Screenshots go to test-artifacts/.

Every request the page makes must stay on this machine and succeed: the page must work
without internet.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("DASHBOARD_ARTIFACTS", ROOT / "test-artifacts"))
# The flags the machine's probe uses: without the background-networking ones Chromium keeps
# trying Google's hosts, which a closed network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (apt-get install "
                                       "chromium; .ci/run does it)")

# ECharts is loaded with require.js, not as a global: find it among the defined modules.
ECHARTS = """
  const defs = window.requirejs.s.contexts._.defined;
  const echarts = defs[Object.keys(defs).find(k => k.includes('echarts'))];
"""


def free_port() -> int:
    """A port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_group(process: subprocess.Popen, sig: int) -> None:
    """Send ``sig`` to the process group of ``process`` (it and the Solara it started)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def server():
    """The dashboard as a newcomer starts it, on a free port."""
    port = free_port()
    # Solara fetches a front-end file missing from its local cache from a CDN. Point that
    # CDN at a closed local port: a missing file then fails (and the test with it) even on a
    # machine that could reach the internet.
    env = {**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/"}
    # its own process group: run.py starts Solara as a child, stopped with it at the end
    process = subprocess.Popen([sys.executable, "run.py", "dashboard", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://localhost:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_group(process, signal.SIGKILL)
            pytest.fail(f"dashboard did not start: {process.stdout.read().decode()[-2000:]}")
        time.sleep(0.5)
    try:
        yield url
    finally:  # the server and everything it started end with the tests, whatever happened
        stop_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            stop_group(process, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """Requests leaving this machine, failed responses and script errors of a page."""

    def __init__(self, page):
        """Start watching ``page``."""
        self.external, self.failed, self.errors = [], [], []
        page.on("request", self._request)
        page.on("response", lambda r: self.failed.append((r.status, r.url))
                if r.status >= 400 else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _request(self, request):
        host = request.url.split("/")[2] if "://" in request.url else ""
        if not host.startswith(("localhost", "127.0.0.1")) and not request.url.startswith(
                ("data:", "blob:")):
            self.external.append(request.url)

    def check(self):
        """Nothing left the machine, nothing failed."""
        assert self.external == [], self.external
        assert self.failed == [], self.failed
        assert self.errors == [], self.errors


def open_page(browser, url, width: int = 1500, height: int = 1000):
    """A new browser session on the dashboard, loaded."""
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    watch = Watch(page)
    page.goto(url)
    page.get_by_role("button", name="Simular").wait_for(timeout=60_000)
    return page, watch


def choose(page, name: str, option: str, typed: bool = False) -> None:
    """Pick ``option`` in the select with CSS class ``choice-<name>`` (typing it first if
    the select filters as one types)."""
    page.locator(f".choice-{name}").click()
    if typed:
        page.locator(f".choice-{name} input[type=text]").fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def set_slider(page, label: str, keys: list[str]) -> None:
    """Move the slider under the caption starting with ``label`` with the keyboard."""
    caption = page.get_by_text(label).first
    thumb = caption.locator("xpath=following::*[@role='slider'][1]")
    thumb.focus()
    for key in keys:
        thumb.press(key)


def chart_option(page, css_class: str) -> dict:
    """The ECharts option currently drawn in the chart with ``css_class``."""
    return page.evaluate(f"""() => {{{ECHARTS}
      const el = document.querySelector('.{css_class}');
      return JSON.parse(JSON.stringify(echarts.getInstanceByDom(el).getOption()));
    }}""")


def node_pixels(page, prefix: str) -> list:
    """Page coordinates and ids of the network nodes whose id starts with ``prefix``;
    children of Juntos households first (their stories have the most to show)."""
    return page.evaluate(f"""() => {{{ECHARTS}
      const el = document.querySelector('.network');
      const chart = echarts.getInstanceByDom(el);
      const series = chart.getOption().series[0];
      const juntos = new Set(series.data.filter(n => n.category === 5).map(n => n.id));
      const favoured = new Set(series.links.filter(l => juntos.has(l.source))
                                           .map(l => l.target));
      const data = chart.getModel().getSeriesByIndex(0).getData();
      const box = el.getBoundingClientRect();
      const out = [];
      for (let i = 0; i < data.count(); i++) {{
        if (!data.getName(i).startsWith('{prefix}')) continue;
        const p = chart.convertToPixel({{seriesIndex: 0}}, data.getItemLayout(i));
        out.push([box.left + p[0], box.top + p[1], data.getName(i)]);
      }}
      out.sort((a, b) => favoured.has(b[2]) - favoured.has(a[2]));
      return out;
    }}""")


def shot(page, name: str) -> Path:
    """Save a screenshot as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@pytest.mark.parametrize("width", [1024, 1920])
def test_page_opens_on_peru_today(server, browser, width):
    """Before any run: the status quo by department and the history against ENDES."""
    page, watch = open_page(browser, server, width=width)
    page.get_by_text("Perú hoy (situación actual, fin de 2019)").wait_for()
    page.wait_for_selector(".today-map canvas", timeout=180_000)
    page.wait_for_selector(".history-anemia canvas")
    history = chart_option(page, "history-stunting")
    model, _, survey = history["series"]
    assert model["data"] and len(history["xAxis"][0]["data"]) == 241  # 2000-01 to 2020-01
    assert [p["value"][0] for p in survey["data"]][:2] == ["2000-07", "2007-07"]
    option = chart_option(page, "today-map")
    assert len(option["series"][0]["data"]) == 1874  # every district, by its department
    page.get_by_text("como ENDES hasta 2023").wait_for()
    # the levers show the status quo
    page.get_by_text("Transferencia (soles cada 2 meses): 200").wait_for()
    page.get_by_text("Hoy Juntos llega a los 1,142 distritos más pobres").wait_for()
    time.sleep(0.5)  # the charts' first paint
    shot(page, f"today_{width}")
    page.locator(".history-stunting").scroll_into_view_if_needed()
    shot(page, f"history_{width}")
    watch.check()
    page.close()


def actionable(page, selectors: list[str]) -> None:
    """Each control can be clicked where it is: visible, inside the window once scrolled to,
    enabled and not covered by another element (Playwright's actionability checks, run by a
    trial click that does not click)."""
    for selector in selectors:
        page.locator(selector).first.click(trial=True, timeout=5_000)


def test_policymaker_runs_a_scenario_and_reads_the_results(server, browser):
    # a laptop: 1366 x 768 (the download row used to run off the edge here)
    page, watch = open_page(browser, server, width=1366, height=768)
    # the run button is on the first screen, before any scrolling
    box = page.locator(".run-button").bounding_box()
    assert box["y"] + box["height"] <= 768, box
    choose(page, "scenario", "Paquete: seis cambios a la vez")
    page.get_by_text("Cobertura de pobres (%): 95").wait_for()
    choose(page, "region", "Huancavelica", typed=True)
    set_slider(page, "Horizonte", ["Home", "ArrowRight"])
    page.get_by_text("Opciones avanzadas").click()  # runs, uncertainty, precision, seed
    set_slider(page, "Simulaciones", ["Home", "ArrowRight"])
    page.get_by_text("Horizonte (años): 2").wait_for()
    page.get_by_text("Simulaciones: 2").wait_for()
    page.get_by_role("button", name="Simular").click()
    page.get_by_text("Al final del horizonte (2022-01), mediana e intervalo de 90% de 2 "
                     "simulaciones").wait_for(timeout=180_000)
    page.get_by_text("Intervalo de 90%: el 90% de los modelos plausibles y del azar").wait_for()
    page.get_by_role("button", name="Simular").wait_for()  # enabled again: the run finished
    page.wait_for_selector(".district-map canvas")
    trajectory = chart_option(page, "chart-stunting")
    assert len(trajectory["series"]) == 6 and len(trajectory["xAxis"][0]["data"]) == 25
    assert trajectory["legend"][0]["data"] == ["Situación actual", "Política"]
    page.locator(".headline-stunting").scroll_into_view_if_needed()
    shot(page, "policymaker")

    # the map follows its controls, and hovering names the district
    assert "Desnutrición crónica" in chart_option(page, "district-map")["title"][0]["text"]
    choose(page, "map-metric", "Anemia")
    page.wait_for_function(f"""() => {{{ECHARTS}
      const el = document.querySelector('.district-map');
      return echarts.getInstanceByDom(el).getOption().title[0].text.startsWith('Anemia');
    }}""")
    option = chart_option(page, "district-map")
    assert len(option["series"][0]["data"]) == 100  # Huancavelica's districts
    page.locator(".district-map").scroll_into_view_if_needed()
    box = page.locator(".district-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text(", Huancavelica)").first.wait_for(timeout=10_000)
    page.get_by_text("niños simulados").first.wait_for(timeout=10_000)
    shot(page, "map")
    # the quick result sits under the run button, and nothing is covered or off-screen
    page.locator(".quick-result").wait_for()
    actionable(page, [".run-button", ".choice-scenario", ".choice-region", ".choice-map-metric",
                      ".choice-map-show", ".choice-map-level"]
               + [f"text={label}" for label in ("Resultados (CSV)", "Resumen (CSV)",
                                                "Resumen (Excel)",
                                                "Gráfico de trayectorias (PNG)",
                                                "Mapa (PNG)", "Gráfico de equidad (PNG)")])

    # the results as CSV
    with page.expect_download() as download:
        page.get_by_text("Resultados (CSV)").click()
    csv = Path(download.value.path()).read_text().splitlines()
    assert csv[0] == ("run_id,scenario,seed,step,date,metric,group,value,draw,replicate,"
                      "region,interval,simulated,generated")
    assert csv[1].split(",")[-4:-1] == ["HUANCAVELICA",
                                        "intervalo 90%: modelos plausibles y azar", "True"]
    assert len(csv) > 1000
    for label, name in (("Gráfico de trayectorias (PNG)", "trajectories"),
                        ("Mapa (PNG)", "map"), ("Gráfico de equidad (PNG)", "equity")):
        with page.expect_download() as download:
            page.get_by_text(label).click()
        assert download.value.suggested_filename == f"{name}.png"
        png = Path(download.value.path()).read_bytes()
        assert png[:4] == b"\x89PNG"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"download_{name}.png").write_bytes(png)

    # English
    page.locator(".language").get_by_text("en", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).wait_for()
    page.get_by_text("At the end of the horizon (2022-01)").wait_for()
    page.wait_for_function(f"""() => {{{ECHARTS}
      const el = document.querySelector('.chart-stunting');
      return echarts.getInstanceByDom(el).getOption().title[0].text.startsWith('Stunting');
    }}""")
    watch.check()
    page.close()


def test_instructor_steps_the_classroom_and_opens_a_story(server, browser):
    page, watch = open_page(browser, server)
    page.get_by_role("tab", name="Aula").click()
    page.get_by_text("Mes 0 de 60").wait_for()
    page.locator(".step-button").click()
    page.get_by_text("Mes 1 de 60").wait_for()
    page.locator(".play-button").click()
    # Playing moves several months a second: wait for month 3 *or later* (a slow browser
    # polling the page can miss the second that shows exactly month 3).
    page.wait_for_function("""() => {
      const m = document.body.innerText.match(/Mes (\\d+) de 60/);
      return m !== null && Number(m[1]) >= 3;
    }""", timeout=20_000)
    page.locator(".pause-button").click()
    page.locator(".reset-button").click()
    page.get_by_text("Mes 0 de 60").wait_for()
    for month in range(1, 13):
        page.locator(".step-button").click()
        page.get_by_text(f"Mes {month} de 60").wait_for()
    page.wait_for_selector(".network canvas")
    time.sleep(1)  # the graph's entry animation
    for x, y, node in node_pixels(page, "child:")[:8]:
        page.mouse.click(x, y)
        try:
            page.get_by_text(f"Niño {node.split(':')[1]}", exact=True).wait_for(timeout=3000)
            break
        except Exception:  # noqa: BLE001 - another node lay on top; try the next child
            continue
    else:
        pytest.fail("no child node could be clicked")
    page.wait_for_selector(".story-chart canvas")
    page.get_by_text("Recibió:").wait_for()
    page.mouse.move(5, 500)
    page.locator(".network").scroll_into_view_if_needed()
    shot(page, "instructor")

    # predict, then run
    page.locator(".exercise input").fill("-8")
    page.locator(".exercise-button").click()
    page.get_by_text("la clase predijo -8.0 p.p.").wait_for(timeout=60_000)
    page.locator(".exercise").scroll_into_view_if_needed()
    shot(page, "exercise")
    watch.check()
    page.close()


def test_each_browser_session_has_its_own_model(server, browser):
    first, first_watch = open_page(browser, server)
    second, second_watch = open_page(browser, server)
    for page in (first, second):
        page.get_by_role("tab", name="Aula").click()
        page.get_by_text("Mes 0 de 60").wait_for()
    first.locator(".step-button").click()
    first.locator(".step-button").click()
    first.get_by_text("Mes 2 de 60").wait_for()
    second.reload()
    second.get_by_role("tab", name="Aula").click()
    second.get_by_text("Mes 0 de 60").wait_for()
    assert first.get_by_text("Mes 2 de 60").is_visible()
    first_watch.check()
    second_watch.check()


@pytest.mark.parametrize("width", [1024, 1366])
def test_every_control_is_reachable_on_a_small_screen(server, browser, width):
    """A projector (1024 x 768) and a laptop (1366 x 768): nothing covered or off-screen."""
    page, watch = open_page(browser, server, width=width, height=768)
    box = page.locator(".run-button").bounding_box()
    assert box["y"] + box["height"] <= 768, box  # the run button on the first screen
    page.get_by_text("Opciones avanzadas").click()
    actionable(page, [".run-button", ".choice-scenario", ".choice-reference",
                      ".choice-region", ".choice-precision", ".chance-only",
                      ".language"])
    page.get_by_role("tab", name="Aula").click()
    page.get_by_text("Mes 0 de 60").wait_for()
    actionable(page, [".play-button", ".step-button", ".reset-button",
                      ".choice-classroom-department", ".two-worlds", ".choice-province",
                      ".network", ".choice-exercise", ".exercise-button"])
    # the pace slider keeps its width (it collapsed to a dot at 1024 px)
    slider = page.get_by_text("Meses por segundo").locator(
        "xpath=following::*[contains(@class,'v-slider')][1]").bounding_box()
    assert slider["width"] > 100, slider
    # the live chart has a point at month 0
    option = chart_option(page, "live-chart")
    assert option["series"][0]["showSymbol"] and len(option["series"][0]["data"]) == 1
    shot(page, f"classroom_{width}")
    watch.check()
    page.close()


def test_classroom_two_worlds_any_department_and_the_class_table(server, browser):
    page, watch = open_page(browser, server, width=1366, height=900)
    page.get_by_role("tab", name="Aula").click()
    page.get_by_text("Mes 0 de 60").wait_for()
    choose(page, "classroom-department", "Junín", typed=True)
    page.get_by_text("Junín, 1 niño simulado").wait_for(timeout=60_000)
    page.locator(".world_a-none").click()  # world A: no programs...
    page.get_by_role("checkbox", name="Suplemento de hierro").first.check()  # ...but iron
    page.locator(".two-worlds").click()
    page.locator(".world_b-none").wait_for()
    for month in range(1, 4):
        page.locator(".step-button").click()
        page.get_by_text(f"Mes {month} de 60").wait_for(timeout=30_000)
    option = chart_option(page, "live-chart")
    names = [s["name"] for s in option["series"]]
    assert names == ["Desnutrición crónica (A)", "Anemia (A)", "Desnutrición crónica (B)",
                     "Anemia (B)"], names
    assert option["series"][2]["lineStyle"]["type"] == "dashed"
    page.get_by_text("Línea continua: mundo A; punteada: mundo B.").wait_for()
    assert all(len(s["data"]) == 4 for s in option["series"])
    # predict, run, and the class table keeps both
    choose(page, "exercise", "SERUMS: médicos jóvenes en puestos rurales")
    page.locator(".exercise input").fill("-2")
    page.locator(".exercise-button").click()
    page.locator(".exercise-zero").wait_for(timeout=120_000)  # a zero is explained first
    page.locator(".class-table").get_by_text("-2.0").wait_for()
    page.locator(".class-table").scroll_into_view_if_needed()
    shot(page, "class_table")
    watch.check()
    page.close()
