"""The levers as a comparable pair of scenarios: the reference and the policy, as files.

Both take start, history, anemia definition, trends and parameters from the status quo
(``baseline.yaml``) and the region, horizon, scale and seed from the levers; the policy
writes the moved levers into the starting file's change entries (``policy_interventions``,
see ``viz.levers``). ``scenario_yaml`` and ``cli_command`` give the files and the command
that reproduce the dashboard's comparison with the CLI.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from functools import lru_cache

import yaml

from model import calendar, geography
from model.config import Scenario, ScenarioError, validate_scenario
from model.defaults import DEFAULTS
from viz.levers import (
    ALL_PERU,
    CHOICES,
    LEVERS,
    PRECISION_TARGET,
    PROGRAMS,
    REFERENCES,
    REPLACES,
    STATUS_QUO,
    Levers,
    levers_from_scenario,
    shipped_body,
    shipped_scenario,
    status_quo_programs,
)


def real_children(region: str) -> float:
    """Children under five living in ``region`` (a department or all Peru), 2019."""
    table = geography.load_district_table()
    if region != ALL_PERU:
        table = table[table["department"] == region]
    return float(table["pop_2019"].sum()) * DEFAULTS.under5_share_of_population


def scale_for(region: str, precision: str) -> float:
    """Real children per simulated child: the region's children over the precision's target.

    Rounded down to a whole number (at least 1) so the scenario file reads cleanly.
    """
    return float(max(1, int(real_children(region) / PRECISION_TARGET[precision])))


def _month_before(start: str) -> str:
    return calendar.label(calendar.parse(start) - 1)


def policy_interventions(levers: Levers) -> list[dict]:
    """The policy's change entries: the starting file's, with the moved levers written in.

    A program switched off becomes ``{type: X, end: <month before the start>}``; one switched
    on that the file had ended loses its ``end`` (it runs as in the status quo); a moved
    lever sets its parameter in the entry of its program (added if the file has none), with
    the fields it replaces (``REPLACES``).
    """
    body = shipped_body(levers.scenario)
    start_levers = levers_from_scenario(levers.scenario)
    status_quo = _status_quo_types()
    entries = copy.deepcopy(body["interventions"])

    def entry(program: str) -> dict:
        mine = [e for e in entries if e["type"] == program]
        if mine:
            return mine[-1]
        entries.append({"type": program})
        return entries[-1]

    for program in PROGRAMS:
        was_on, on = program in start_levers.enabled, program in levers.enabled
        if was_on and not on:
            entries = [e for e in entries if e["type"] != program]
            entries.append({"type": program, "end": _month_before(body["start"])})
            continue
        if not on:
            continue
        spec = entry(program)
        if not was_on:
            spec.pop("end", None)
        for parameter in list(LEVERS[program]) + list(CHOICES.get(program, {})):
            value = levers.value(program, parameter)
            if value != start_levers.value(program, parameter):
                spec[parameter] = value
                spec.update(copy.deepcopy(REPLACES.get((program, parameter), {})))
        if len(spec) == 1 and program in status_quo:
            entries.remove(spec)  # no change: the program runs as in the status quo
    return entries


@lru_cache(maxsize=1)
def _status_quo_types() -> frozenset[str]:
    return frozenset(status_quo_programs(shipped_body(STATUS_QUO)))


def _key(levers: Levers) -> tuple:
    """The levers as a hashable value (for the caches of the page's repeated questions)."""
    return (levers.scenario, levers.reference, levers.region, levers.years, levers.replicates,
            levers.seed, levers.precision, levers.uncertainty, levers.enabled,
            tuple(sorted(levers.values.items())))


def build_scenarios(levers: Levers) -> tuple[Scenario, Scenario]:
    """The reference (status quo or no programs) and the policy scenario the levers describe.

    See ``_build``; cached (the page asks on every render; the scenarios are not changed).
    """
    key = _key(levers)
    if key not in _BUILT:
        _BUILT[key] = _build(levers)
        while len(_BUILT) > 64:
            _BUILT.popitem(last=False)
    return _BUILT[key]


_BUILT: OrderedDict[tuple, tuple[Scenario, Scenario]] = OrderedDict()


def _build(levers: Levers) -> tuple[Scenario, Scenario]:
    """The reference (status quo or no programs) and the policy scenario the levers describe.

    Both take start, history, anemia definition, trends and parameters from the status quo
    (``baseline.yaml``) and the region, horizon, scale and seed from the levers.

    Raises:
        ScenarioError: a lever combination the scenario schema refuses (named in the message).
    """
    if levers.reference not in REFERENCES:
        raise ScenarioError(f"reference {levers.reference!r}: allowed {', '.join(REFERENCES)}")
    frame = shipped_scenario(STATUS_QUO)
    frame.update(months=12 * levers.years, scale=scale_for(levers.region, levers.precision),
                 geography={"departments": [] if levers.region == ALL_PERU
                            else [levers.region], "districts": []},
                 outputs={"districts": True}, seed=levers.seed)
    counterfactual = shipped_scenario(levers.reference)
    reference = {**frame, "name": levers.reference,
                 "description": counterfactual["description"],
                 "interventions": counterfactual["interventions"]}
    policy = {**frame, "name": "policy", "description": describe(levers),
              "interventions": policy_interventions(levers)}
    return (validate_scenario(reference, source="dashboard reference"),
            validate_scenario(policy, source="dashboard levers"))


def describe(levers: Levers) -> str:
    """One line saying what the policy scenario is."""
    changes = []
    for spec in policy_interventions(levers):
        fields = ", ".join(f"{k} {v}" for k, v in spec.items() if k != "type")
        changes.append(f"{spec['type']} ({fields})" if fields else spec["type"])
    what = "; ".join(changes) or "no change"
    return (f"Dashboard: the status quo (baseline.yaml) with these changes from "
            f"{shipped_body(STATUS_QUO)['start']}: {what}. Started from "
            f"scenarios/{levers.scenario}.yaml.")


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as a YAML file the CLI reads (``python run.py compare ...``).

    The history is written in full, last, so that the file runs wherever it is saved.
    """
    body = scenario.model_dump(mode="json", exclude_defaults=False)
    history = body.pop("history", None)
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
    if history is not None:
        text += ("# The history lived before the start, unrecorded: scenarios/"
                 f"{history['name']}.yaml, written out in full.\n")
        text += yaml.safe_dump({"history": history}, sort_keys=False, allow_unicode=True)
    return text


def cli_command(levers: Levers, multiline: bool = False) -> str:
    """The command that reproduces the dashboard's comparison exactly.

    With parameter uncertainty: ``--draws N --replicates 1``; without: ``--replicates N``.
    ``multiline`` puts each argument on its own line (continued with backslashes).
    """
    runs = (f"--draws {levers.draws} --replicates 1" if levers.uncertainty
            else f"--replicates {levers.replicates}")
    parts = ["python run.py compare", "reference_dashboard.yaml", "policy_dashboard.yaml",
             runs, f"--seed {levers.seed}"]
    return (" \\\n    " if multiline else " ").join(parts)
