"""Component tests of the Solara page (solara.render, no browser), one session per test."""

import threading
import time
from dataclasses import replace

import ipyvuetify as vw
import pytest
import solara
import solara.server.app  # noqa: F401 - routes widget comms through Solara's kernel
import solara.server.starlette  # noqa: F401 - reactive values then live per session
from solara.server import kernel, kernel_context

from viz import app
from viz import levers as L


def new_session(name: str) -> kernel_context.VirtualKernelContext:
    """A virtual kernel: what Solara creates for each browser session."""
    return kernel_context.VirtualKernelContext(id=name, kernel=kernel.Kernel(),
                                               session_id=f"session-{name}")


@pytest.fixture
def session():
    """A fresh session: its own reactive values, tasks and classroom model."""
    context = new_session(f"test-{time.monotonic_ns()}")
    try:
        with context:
            yield context
    finally:
        with context:
            stop_tasks()
            context.close()


def stop_tasks(seconds: float = 120.0) -> None:
    """Cancel the session's background tasks and wait for their threads to end.

    A task thread still running when its session closes re-renders a closed page and dies
    with an exception in a later test.
    """
    for task in (app.comparison_task, app.today_task, app.exercise_task):
        if task.pending:
            task.cancel()
    deadline = time.monotonic() + seconds
    for thread in threading.enumerate():  # a task's thread re-renders after it says "done"
        target = getattr(thread, "_target", None)
        code = getattr(target, "__code__", None)
        if code is not None and code.co_filename.endswith("solara/tasks.py"):
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                raise AssertionError("a dashboard task did not stop")


def texts(widget, found=None) -> list[str]:
    """Every string shown by ``widget`` and its children."""
    found = [] if found is None else found
    for child in getattr(widget, "children", None) or []:
        if isinstance(child, str):
            found.append(child)
        else:
            texts(child, found)
    for name in ("unsafe_innerHTML", "label", "v_model", "value", "description"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            found.append(value)
    return found


def charts(widget, css_class: str, found=None) -> list:
    """ECharts widgets under ``widget`` whose attributes carry ``css_class``."""
    found = [] if found is None else found
    attributes = getattr(widget, "attributes", None)
    if isinstance(attributes, dict) and css_class in str(attributes.get("class", "")):
        found.append(widget)
    for child in getattr(widget, "children", None) or []:
        if not isinstance(child, str):
            charts(child, css_class, found)
    return found


def shown(box, fragment: str) -> bool:
    """Whether some text of the page contains ``fragment``."""
    return any(fragment in t for t in texts(box))


def wait_for(condition, seconds: float = 120.0) -> None:
    """Poll until ``condition()`` is true (the model runs in a thread)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def test_page_starts_in_spanish_and_switches_to_english(session):
    box, rc = solara.render(app.Page(), handle_error=False)
    assert shown(box, "Decisores de política") and shown(box, "Mueva los controles")
    app.lang.set("en")
    assert shown(box, "Policymakers") and shown(box, "Move the levers")
    assert not shown(box, "Mueva los controles")


def test_page_opens_on_peru_today(session):
    """Before any run: the status quo's levels by department and the history against ENDES."""
    box, rc = solara.render(app.Page(), handle_error=False)
    assert app.levers.value.scenario == "baseline" and app.levers.value.reference == "baseline"
    assert shown(box, "Perú hoy (situación actual, fin de 2019)")
    wait_for(lambda: app.today_task.finished, seconds=180)
    wait_for(lambda: charts(box, "today-map"), seconds=10)
    (chart,) = charts(box, "today-map")
    assert chart.option["series"][0]["type"] == "map" and chart.maps
    assert "situación actual, fin de 2019" in chart.option["title"]["text"]
    (history,) = charts(box, "history-stunting")
    assert history.option["series"][2]["data"]  # the ENDES points
    assert shown(box, "Hb < 11 g/dL con el ajuste por altitud del CDC, como ENDES hasta 2023")
    # the levers show the status quo, with what a schedule lever replaces
    assert shown(box, "Transferencia (soles cada 2 meses): 200")
    assert shown(box, "Hoy Juntos llega a los 1,142 distritos más pobres")
    assert shown(box, "Familias visitadas (nacional): 110,000")


def test_reference_can_be_the_no_programs_counterfactual(session):
    box, rc = solara.render(app.Page(), handle_error=False)
    assert not shown(box, "Referencia: un contrafactual")  # the status quo needs no note
    app.levers.set(replace(app.levers.value, reference="no_programs"))
    assert shown(box, "Referencia: un contrafactual en el que todos los programas terminan")


def test_run_shows_headline_map_and_equity(session):
    app.levers.set(L.levers_from_scenario("iron", region="TUMBES", years=1, replicates=2))
    box, rc = solara.render(app.Page(), handle_error=False)
    rc.find(vw.Btn, class_="run-button").widget.click()
    wait_for(lambda: app.comparison_task.finished)
    assert shown(box, "Al final del horizonte (2021-01)")
    assert shown(box, "Situación actual (%)")  # the reference, in the equity table
    (chart,) = charts(box, "district-map")
    assert chart.option["series"][0]["type"] == "map" and chart.maps
    assert shown(box, "Quintil 1") and shown(box, "Años-niño evitados")
    result = app.comparison_task.latest
    assert result.complete and result.pairs_done == 2
    # by default the intervals include parameter uncertainty, and the page says what they mean
    assert result.draws == 2
    assert shown(box, "Intervalo de 90%: el 90% de los modelos plausibles y del azar")
    assert shown(box, "cuánto reduce la anemia el hierro")
    assert shown(box, "--draws 2 --replicates 1 \\\n    --seed 1")
    assert shown(box, "La precisión cambia el ancho de los intervalos, no el resultado")
    # moving a lever marks the shown result as out of date
    app.levers.set(app.levers.value.with_value("iron", "adherence_mean", 0.9))
    wait_for(lambda: shown(box, "Los controles cambiaron"), seconds=10)


def test_chance_alone_switch_runs_replicates(session):
    """The switch turns parameter draws into replicates at the default parameters."""
    app.levers.set(L.levers_from_scenario("iron", region="TUMBES", years=1, replicates=2))
    box, rc = solara.render(app.Page(), handle_error=False)
    assert app.levers.value.uncertainty and shown(box, "--draws 2 --replicates 1")
    switch = rc.find(vw.Switch, class_="chance-only").widget
    assert switch.label == "Solo el azar (sin incertidumbre de parámetros)"
    assert switch.v_model is False
    switch.v_model = True
    assert not app.levers.value.uncertainty
    assert shown(box, "policy_dashboard.yaml \\\n    --replicates 2 \\")
    assert not shown(box, "--draws")
    assert shown(box, "los intervalos muestran solo el azar")
    rc.find(vw.Btn, class_="run-button").widget.click()
    wait_for(lambda: app.comparison_task.finished)
    result = app.comparison_task.latest
    assert result.draws == 0 and result.pairs_done == 2
    assert set(result.results["replicate"]) == {0, 1} and "draw" not in result.results
    wait_for(lambda: shown(box, "Intervalo de 90%: solo el azar"), seconds=10)
    assert not shown(box, "modelos plausibles")
    stop_tasks()  # the task thread's last re-render must not race the language switch
    app.lang.set("en")
    assert shown(box, "Chance alone (no parameter uncertainty)")
    assert shown(box, "90% interval: chance alone")


def test_oversized_run_is_refused_in_the_page(session):
    app.levers.set(replace(L.levers_from_scenario("package"), precision="fine",
                           replicates=20, years=10))
    box, rc = solara.render(app.Page(), handle_error=False)
    assert rc.find(vw.Btn, class_="run-button").widget.disabled
    assert shown(box, "Demasiado grande")


def test_classroom_steps_plays_and_resets(session):
    box, rc = solara.render(app.Page(), handle_error=False)
    rc.find(vw.Btn, class_="step-button").widget.click()
    assert shown(box, "Mes 1 de 60")
    rc.find(vw.Btn, class_="play-button").widget.click()
    wait_for(lambda: app.room.value.model.steps >= 3, seconds=30)
    rc.find(vw.Btn, class_="pause-button").widget.click()
    wait_for(lambda: not app.playing.value, seconds=10)
    rc.find(vw.Btn, class_="reset-button").widget.click()
    wait_for(lambda: shown(box, "Mes 0 de 60"), seconds=10)  # the play thread has finished
    time.sleep(1.0)  # a full month at 2 months/s: nothing steps after a reset
    assert shown(box, "Mes 0 de 60") and app.room.value.model.steps == 0


def test_story_opens_for_a_selected_child(session):
    box, rc = solara.render(app.Page(), handle_error=False)
    for _ in range(3):
        rc.find(vw.Btn, class_="step-button").widget.click()
    option = app.room.value.network(app.room.value.provinces()[0], "es")
    child = next(n["id"] for n in option["series"][0]["data"] if n["id"].startswith("child:"))
    app.selected.set(child)  # what a click on the node does (FigureEcharts on_click)
    assert shown(box, f"Niño {child.split(':')[1]}") and shown(box, "Recibió:")
    (chart,) = charts(box, "story-chart")
    assert chart.option["series"][0]["data"]


def test_each_session_has_its_own_model():
    first, second = new_session("a"), new_session("b")
    with first:
        solara.render(app.Page(), handle_error=False)
        first_room = app.room.value
        first_room.step()
        first_room.step()
    with second:
        solara.render(app.Page(), handle_error=False)
        assert app.room.value is not first_room and app.room.value.model.steps == 0
    with first:
        assert app.room.value is first_room and first_room.model.steps == 2
    for context in (first, second):
        with context:
            stop_tasks()
            context.close()


def test_exercise_card_runs_and_explains(session):
    box, rc = solara.render(app.Page(), handle_error=False)
    app.prediction.set(-10.0)
    rc.find(vw.Btn, class_="exercise-button").widget.click()
    wait_for(lambda: app.exercise_task.finished or app.exercise_task.error, seconds=120)
    assert not app.exercise_task.error, app.exercise_task.exception
    wait_for(lambda: shown(box, "la clase predijo -10.0 p.p."), seconds=10)  # the re-render
    assert shown(box, "Por qué")


def test_page_answers_during_a_run_and_stop_keeps_finished_runs(session):
    app.levers.set(L.levers_from_scenario("package", region="HUANCAVELICA", years=5,
                                          replicates=8))
    box, rc = solara.render(app.Page(), handle_error=False)
    rc.find(vw.Btn, class_="run-button").widget.click()
    wait_for(lambda: app.comparison_task.latest is not None, seconds=60)
    assert app.comparison_task.pending
    app.lang.set("en")  # the page keeps answering while the model runs
    wait_for(lambda: shown(box, "Simulating…"), seconds=10)
    wait_for(lambda: shown(box, "Run 1 of 8"), seconds=10)  # the stage: history or months
    stop = rc.find(vw.Btn, class_="stop-button").widget
    assert not stop.disabled
    stop.click()
    wait_for(lambda: not app.comparison_task.pending, seconds=60)
    result = app.comparison_task.latest
    assert 1 <= result.pairs_done < 8 and not result.complete
    wait_for(lambda: shown(box, f"Stopped: showing {result.pairs_done} of 8"), seconds=10)
    assert shown(box, "At the end of the horizon")  # the finished replicates are shown
