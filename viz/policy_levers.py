"""The policymaker view's lever column: scenario, region, programs' levers, run and stop.

Reads and sets the session state of ``viz/policy_state.py``; the result beside the run
button is the latest comparison's headline (``QuickResult``).
"""

from __future__ import annotations

import html

import solara

from model import geography, places
from model.config import ScenarioError
from viz import figures, policy_scenarios, preflight
from viz import levers as L
from viz.i18n import number
from viz.jobs import RUN_SLOTS
from viz.policy_state import (
    comparison_task,
    current_result,
    levers,
    queue_place,
    replace_levers,
    stage,
)
from viz.runner import ComparisonResult
from viz.widgets import Choice, Heading, Lever, Note, lang, t


@solara.component
def ProgramLevers(program: str):
    """Switch and sliders of one program."""
    current = levers.value
    on = program in current.enabled
    notes = L.lever_notes(current)
    solara.Switch(label=t(f"prog_{program}"), value=on,
                  on_value=lambda flag: levers.set(levers.value.with_program(program, flag)))
    if not on:
        return
    with solara.Column(style={"padding-left": "24px"}):
        for parameter, (low, high) in L.LEVERS[program].items():
            value = current.value(program, parameter)
            label = t(f"{program}.{parameter}")
            share = isinstance(low, float)  # shown in percent
            factor = 100 if share else 1
            Lever(label, round(factor * value), round(factor * low), round(factor * high),
                  lambda x, p=parameter, f=factor: levers.set(
                      levers.value.with_value(program, p, x / f if f != 1 else x)))
            if (program, parameter) in notes:
                key, values = notes[(program, parameter)]
                solara.Text(t(key, **values), classes=[f"note-{program}-{parameter}"],
                            style={"font-size": "0.8em", "color": "#555",
                                   "display": "block", "margin-bottom": "6px"})
        for parameter, options in L.CHOICES.get(program, {}).items():
            Choice(t(f"{program}.{parameter}"), current.value(program, parameter),
                   [(o, t(f"{program}.{parameter}.{o}")) for o in options],
                   lambda x, p=parameter: levers.set(levers.value.with_value(program, p, x)),
                   name=f"{program}-{parameter}")


@solara.component
def LeverPanel():
    """Scenario, region, horizon, runs, uncertainty and the programs' levers; run and stop."""
    current = levers.value
    departments = geography.department_names()
    Note(t("levers_top"))
    Choice(t("scenario"), current.scenario, [(s, t(f"scen_{s}")) for s in L.SHIPPED],
           lambda name: levers.set(L.levers_from_scenario(
               name, reference=current.reference, region=current.region, years=current.years,
               replicates=current.replicates, seed=current.seed,
               precision=current.precision, uncertainty=current.uncertainty)),
           name="scenario")
    Choice(t("reference"), current.reference,
           [(r, t(f"ref_{r}")) for r in L.REFERENCES],
           lambda x: levers.set(replace_levers(reference=x)), name="reference")
    if current.reference != L.STATUS_QUO:  # a counterfactual is not a policy: say so
        Note(t(f"reference_note_{current.reference}"))
    Choice(t("region"), current.region,
           [(L.ALL_PERU, t("all_peru"))] + [(d, places.department_label(d))
                                             for d in departments],
           lambda region: levers.set(replace_levers(region=region)) if region else None,
           name="region", searchable=True)
    Lever(t("years"), current.years, 1, 10, lambda x: levers.set(replace_levers(years=x)))
    errors, warnings = preflight.check(current)
    RunControls(bool(errors))
    saved = preflight.histories_saved(current)
    Note(t("scale_note_saved" if saved else "scale_note",
           scale=policy_scenarios.scale_for(current.region, current.precision),
           seconds=round(preflight.estimated_seconds(current, saved)),
           history=round(preflight.history_seconds(current.region, current.precision)),
           saved=saved))
    for key, values in errors:
        solara.Error(t(key, **values), dense=True)
    for key, values in warnings:
        solara.Warning(t(key, **values), dense=True)
    with solara.Details(summary=t("advanced")):
        Lever(t("runs"), current.replicates, 1, 20,
              lambda x: levers.set(replace_levers(replicates=x)))
        solara.Switch(label=t("chance_only"), value=not current.uncertainty,
                      on_value=lambda flag: levers.set(replace_levers(uncertainty=not flag)),
                      classes=["chance-only"])
        Note(t("runs_note_draws" if current.uncertainty else "runs_note_chance"))
        Choice(t("precision"), current.precision,
               [(p, t(f"precision_{p}")) for p in L.PRECISION_TARGET],
               lambda x: levers.set(replace_levers(precision=x)), name="precision")
        Note(t("precision_note"))
        solara.InputInt(t("seed"), value=current.seed,
                        on_value=lambda x: levers.set(replace_levers(seed=max(0, int(x or 0)))))
        Note(t("seed_note"))
    Heading(t("programs"), 4)
    Note(t("levers_intro"))
    for program in L.PROGRAMS:
        ProgramLevers(program)
    Reproduce(current)


@solara.component
def RunControls(refused: bool):
    """Run and stop buttons and the progress bar.

    The only lever-side reader of the task, so a progress update re-renders just this.
    """
    running = comparison_task.pending
    # stays in view while the programs' levers scroll under it
    with solara.Row(classes=["run-row"], style={
            "position": "sticky", "top": "64px", "z-index": "3", "background": "white",
            "padding": "6px 0", "flex-wrap": "wrap", "gap": "6px"}):
        solara.Button(t("run"), color="primary", classes=["run-button"],
                      disabled=running or refused,
                      on_click=lambda: comparison_task(levers.value))
        solara.Button(t("stop"), color="error", classes=["stop-button"], disabled=not running,
                      on_click=comparison_task.cancel)
    result = current_result()
    if result is not None and not running and result.levers == levers.value:
        QuickResult(result)
    if running and queue_place.value:
        solara.ProgressLinear(True, color="grey")
        solara.Info(t("queued", place=queue_place.value, slots=RUN_SLOTS), dense=True,
                    classes=["queue-place"])
    elif running:
        solara.ProgressLinear(comparison_task.progress or True)
        solara.Text(t("running", percent=comparison_task.progress or 0))
        key, values = stage.value
        if key:
            Note(t(key, **values))


@solara.component
def QuickResult(result: ComparisonResult):
    """The headline in two lines beside the run button, where the eye is after a click."""
    numbers = figures.headline(result)
    if not numbers:
        return
    language = lang.value
    lines = [t("quick_result", date=next(iter(numbers.values()))["date"])] + [
        f"{t(outcome)}: {number(row['diff_median'], language, 2, sign=True)} {t('pp')}"
        for outcome, row in numbers.items()]
    solara.HTML(tag="div", unsafe_innerHTML="<br/>".join(html.escape(x) for x in lines),
                classes=["quick-result"],
                style={"background": "#eef6ee", "border-left": "3px solid #2ca02c",
                       "padding": "4px 8px", "margin": "4px 0 8px 0", "font-size": "0.9em"})


@solara.component
def Reproduce(current: L.Levers):
    """The CLI command and scenario files that give exactly the same numbers."""
    try:
        reference, policy = policy_scenarios.build_scenarios(current)
    except ScenarioError as err:
        solara.Error(str(err))
        return
    with solara.Details(summary=t("reproduce")):
        # one argument a line (a narrow lever column would break them anywhere)
        solara.HTML(tag="pre", unsafe_innerHTML=html.escape(policy_scenarios.cli_command(
                        current, multiline=True)),
                    style={"white-space": "pre", "overflow-x": "auto", "font-size": "0.75em"},
                    classes=["cli-command"])
        with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
            for scenario, name in ((reference, "reference_dashboard.yaml"),
                                   (policy, "policy_dashboard.yaml")):
                solara.FileDownload(policy_scenarios.scenario_yaml(scenario), name, children=[
                    solara.Button(name, icon_name="mdi-cloud-download-outline", text=True,
                                  style={"text-transform": "none", "font-size": "0.8em",
                                         "letter-spacing": "0", "padding": "0 4px"})])
