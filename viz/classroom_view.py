"""The instructor's view: the live classroom model, its network, agents' stories, exercises."""

from __future__ import annotations

import html
import itertools
import time

import solara
import solara.lab

from model import geography, places
from viz import exercises as ex
from viz.classroom import CLASSROOM_DEPARTMENT, Classroom, live_programs, program_set
from viz.i18n import LANGUAGES, interval, number
from viz.jobs import remote
from viz.widgets import Bold, Choice, Heading, Lever, Note, Table, lang, session_closed, t

room = solara.reactive(None)          # the session's Classroom (world A), made on first visit
room_b = solara.reactive(None)        # world B, when two worlds are compared
room_department = solara.reactive(CLASSROOM_DEPARTMENT)
room_programs = solara.reactive("package")   # world A: "package", "none" or program types
room_programs_b = solara.reactive("none")    # world B
two_worlds = solara.reactive(False)
tick = solara.reactive(0)             # changed after every classroom month (re-render)
_ticks = itertools.count(1)           # next() is atomic: the play thread and a click never
                                      # compute the same new value (which would not re-render)
playing = solara.reactive(False)
pace = solara.reactive(2)
province = solara.reactive("")
selected = solara.reactive("")        # node id of the agent whose story is shown
exercise_key = solara.reactive(ex.EXERCISES[0].key)
prediction = solara.reactive(0.0)
class_table = solara.reactive(())     # the class's predictions and the results, in order


def _bump() -> None:
    """Make the classroom components re-render (the model changed)."""
    tick.set(next(_ticks))


def _world(current: Classroom | None, programs, department: str) -> Classroom:
    """``current`` if it has these programs and department, else a new Classroom."""
    wanted = program_set(programs)
    if current is None or current.programs != wanted or current.department != department:
        return Classroom(wanted, department)
    return current


def _room() -> Classroom:
    world = _world(room.value, room_programs.value, room_department.value)
    if world is not room.value:
        room.set(world)
    return world


def _room_b() -> Classroom | None:
    if not two_worlds.value:
        return None
    world = _world(room_b.value, room_programs_b.value, room_department.value)
    if world is not room_b.value:
        world.reset_to(room.value.model.steps if room.value is not None else 0)
        room_b.set(world)
    return world


def _worlds() -> list[Classroom]:
    """The worlds that step together: A, and B when two are compared."""
    return [w for w in (room.value, room_b.value if two_worlds.value else None) if w]


def _choose(reactive_programs, program: str, on: bool) -> None:
    """Switch one program of a world on or off (the world restarts at month 0)."""
    chosen = set(program_set(reactive_programs.value))
    chosen = chosen | {program} if on else chosen - {program}
    playing.set(False)
    selected.set("")
    reactive_programs.set(tuple(p for p in live_programs() if p in chosen))


@solara.component
def ProgramSwitches(world: str, reactive_programs):
    """One checkbox per program of a world, with 'all' and 'none'."""
    chosen = set(program_set(reactive_programs.value))
    Bold(t("programs_world", world=t(world)))
    with solara.Row(style={"gap": "4px"}):
        solara.Button(t("live_all"), text=True, classes=[f"{world}-all"],
                      on_click=lambda: (playing.set(False), reactive_programs.set("package")))
        solara.Button(t("live_clear"), text=True, classes=[f"{world}-none"],
                      on_click=lambda: (playing.set(False), reactive_programs.set("none")))
    with solara.Div(classes=[f"programs-{world}"], style={"columns": "2 150px"}):
        for program in live_programs():
            solara.Checkbox(label=t(f"prog_{program}"), value=program in chosen,
                            on_value=lambda on, p=program: _choose(reactive_programs, p, on),
                            style="margin: 0; break-inside: avoid;")


@solara.component
def ClassroomControls(classroom: Classroom):
    """Programs, play/pause/step/reset and the pace."""
    _ = tick.value  # re-render after each month

    def play_loop():
        was_playing = playing.value
        while playing.value and not classroom.finished:
            started = time.monotonic()
            for world in _worlds():
                world.step()
            _bump()
            # the month and its redraw count towards the pace
            time.sleep(max(0.0, 1.0 / max(1, pace.value) - (time.monotonic() - started)))
        playing.set(False)
        if was_playing:
            # A render this thread started may finish after a Reset or Step made while it
            # ran; one more, now, shows the model as it is.
            _bump()

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    def reset():
        playing.set(False)  # the play thread stops before its next month
        for world in _worlds():
            world.reset()
        selected.set("")
        _bump()

    def step():
        for world in _worlds():
            world.step()
        _bump()

    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        if playing.value:
            solara.Button(t("pause"), icon_name="mdi-pause", classes=["pause-button"],
                          on_click=lambda: playing.set(False))
        else:
            solara.Button(t("play"), icon_name="mdi-play", color="primary",
                          classes=["play-button"],
                          disabled=classroom.finished, on_click=lambda: playing.set(True))
        solara.Button(t("step"), icon_name="mdi-skip-next", classes=["step-button"],
                      disabled=playing.value
                      or classroom.finished, on_click=step)
        solara.Button(t("reset"), icon_name="mdi-restart", classes=["reset-button"],
                      on_click=reset)
    Lever(t("pace"), pace.value, 1, 12, pace.set)
    Bold(t("month_now", step=classroom.model.steps, months=classroom.scenario.months,
           date=classroom.date))
    if classroom.finished:
        solara.Info(t("finished"), dense=True)


@solara.component
def WorldChoices():
    """Department, the programs of world A and, when compared, of world B."""
    departments = geography.department_names()
    Choice(t("classroom_department"), room_department.value,
           [(d, places.department_label(d)) for d in departments],
           lambda d: (playing.set(False), selected.set(""), province.set(""),
                      room_department.set(d)) if d else None,
           name="classroom-department", searchable=True)
    ProgramSwitches("world_a", room_programs)
    solara.Switch(label=t("two_worlds"), value=two_worlds.value,
                  on_value=lambda on: (playing.set(False), two_worlds.set(on)),
                  classes=["two-worlds"])
    if two_worlds.value:
        ProgramSwitches("world_b", room_programs_b)
        Note(t("two_worlds_note"))


@solara.component
def ClassroomView():
    """The live model (one or two worlds), the province network, a story, the exercises."""
    classroom = _room()
    other = _room_b()
    _ = tick.value  # re-render after each month
    provinces = classroom.provinces()
    chosen = province.value if province.value in provinces else provinces[0]
    department = classroom.model.geography.departments[0]
    with solara.Columns([1, 3]):
        with solara.Card(classes=["classroom-controls"]):
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(
                t("classroom_intro", department=places.department_label(department),
                  scale=classroom.scenario.scale)), style={"margin-bottom": "12px"})
            ClassroomControls(classroom)
            solara.FigureEcharts(option=_live_option(classroom.trajectory(),
                                                     other.trajectory() if other else None),
                                 attributes={"style": "height: 300px;",
                                             "class": "live-chart"})
            if other is not None:
                Note(t("two_worlds_lines"))
            with solara.Div(style={"margin-top": "16px"}):
                WorldChoices()
        with solara.Column():
            Heading(t("network"))
            Choice(t("province"), chosen,
                   [(p, places.province_label(department, p)) for p in provinces],
                   province.set, name="province")
            solara.Text(t("network_hint"), style={"font-size": "0.85em", "color": "#555"})
            with solara.ColumnsResponsive(12, large=[7, 5]):
                solara.FigureEcharts(option=classroom.network(chosen, lang.value),
                                     on_click=lambda data: selected.set(data.get("name") or ""),
                                     attributes={"style": "height: 560px;",
                                                 "class": "network"})
                Story(classroom)
    Exercises()
    TeacherNotes()


def _live_option(trajectory, other=None) -> dict:
    """The live chart: stunting and anemia month by month (world B dashed, if shown).

    With two worlds the series are named "(A)" and "(B)" for the tooltip; the legend lists
    the outcomes once (a narrow column has no room for four entries) and a note under the
    chart says which line is which world.
    """
    worlds = [("", trajectory)] if other is None else [(" (A)", trajectory), (" (B)", other)]
    colors = {"stunting": "#1f77b4", "anemia": "#d62728"}
    dates = list(trajectory["date"])
    outcomes = [m for m in ("stunting", "anemia") if m in trajectory]
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": [t(m) + worlds[0][0] for m in outcomes]},
        "grid": {"left": 44, "right": 12, "top": 24, "bottom": 70},
        "xAxis": {"type": "category", "data": dates},
        "yAxis": {"type": "value", "min": 0, "name": "%"},
        # one month is a single point: show it (a line needs two)
        "series": [{"type": "line", "name": t(m) + suffix, "symbol": "circle",
                    "showSymbol": len(dates) <= 1, "symbolSize": 7,
                    "itemStyle": {"color": colors[m]},
                    "lineStyle": {"type": "dashed" if n else "solid"},
                    "data": [round(float(x), 2) for x in frame[m]]}
                   for n, (suffix, frame) in enumerate(worlds) for m in outcomes],
    }


@solara.component
def Story(classroom: Classroom):
    """The selected agent's story (a child's HAZ and Hb curve, visits, transfers...)."""
    _ = tick.value  # re-render after each month
    with solara.Card(t("story"), classes=["story"]):
        if not selected.value:
            solara.Text(t("story_pick"))
            return
        try:
            story = classroom.story(selected.value, lang.value)
        except (KeyError, IndexError, ValueError):
            solara.Text(t("story_pick"))
            return
        Bold(story["title"])
        for fact in story["facts"]:
            if fact.startswith("child:"):
                node = fact.split(" ")[0]
                solara.Button(fact, text=True, on_click=lambda n=node: selected.set(n))
            else:
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(fact),
                            style={"margin-bottom": "4px"})
        if story["chart"]:
            solara.FigureEcharts(option=story["chart"], attributes={"style": "height: 260px;",
                                                                    "class": "story-chart"})


@solara.lab.task(prefer_threaded=True)
def exercise_task(key: str, predicted: float = 0.0):
    """Run one exercise in a worker process, after the queue of heavy runs.

    The class's prediction and the result go into the class table.
    """
    closed = session_closed()
    result = next(remote(ex.exercise_job, key, should_stop=closed), None)
    if result is None:
        return None
    row = {**result, "key": key, "prediction": predicted}
    class_table.set(class_table.value + (row,))
    return row


def _exactly_zero(outcome: dict) -> bool:
    return outcome["low"] == 0 and outcome["high"] == 0


@solara.component
def Exercises():
    """Predict, then run: pick a lever, write the class's prediction, run, read why."""
    index = LANGUAGES.index(lang.value)
    language = lang.value
    item = ex.exercise(exercise_key.value)
    Heading(t("exercises"))
    solara.Text(t("exercise_intro"))
    Choice(t("exercises"), item.key, [(e.key, e.title[index]) for e in ex.EXERCISES],
           lambda key: (exercise_key.set(key), prediction.set(0.0)), name="exercise")
    with solara.Card(item.title[index], classes=["exercise"]):
        solara.Text(item.question[index])
        solara.InputFloat(t("prediction", outcome=t(item.outcome)), value=prediction.value,
                          on_value=lambda x: prediction.set(x or 0.0))
        solara.Button(t("run_exercise"), color="primary", classes=["exercise-button"],
                      disabled=exercise_task.pending,
                      on_click=lambda: exercise_task(item.key, prediction.value))
        if exercise_task.pending:
            solara.ProgressLinear(True)
        outcome = exercise_task.value
        if exercise_task.finished and outcome and outcome["key"] == item.key:
            why = solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(t('why'))}.</b> "
                                                          f"{html.escape(item.why[index])}")
            if _exactly_zero(outcome):  # the explanation first: a zero is the lesson here
                solara.Warning(t("exercise_zero"), dense=True, classes=["exercise-zero"])
                why
            solara.Success(t("exercise_result", outcome=t(item.outcome),
                             baseline=number(outcome["baseline"], language),
                             policy=number(outcome["policy"], language),
                             diff=interval(outcome["diff"], outcome["low"], outcome["high"],
                                           language, 1, sign=True),
                             prediction=number(outcome["prediction"], language, 1,
                                               sign=True)))
            if not _exactly_zero(outcome):
                why
    ClassTable()


@solara.component
def ClassTable():
    """The class's predictions beside the results, one row per exercise run."""
    rows = class_table.value
    if not rows:
        return
    index, language = LANGUAGES.index(lang.value), lang.value
    Heading(t("class_table"), 4)
    Table([t("exercise"), t("class_predicted"), t("without"), t("with"), t("change_pp")],
          [[ex.exercise(r["key"]).title[index],
            number(r["prediction"], language, 1, sign=True),
            f"{number(r['baseline'], language)}%", f"{number(r['policy'], language)}%",
            interval(r["diff"], r["low"], r["high"], language, 1, sign=True)]
           for r in rows], classes="class-table")
    solara.Button(t("class_table_clear"), text=True, classes=["class-table-clear"],
                  on_click=lambda: class_table.set(()))


@solara.component
def TeacherNotes():
    """The lesson plan for a 45-minute session (also in docs/teaching.md)."""
    with solara.Details(summary=t("teacher_notes")):
        solara.HTML(tag="div", unsafe_innerHTML=ex.teacher_notes_html(lang.value),
                    classes=["teacher-notes"])
