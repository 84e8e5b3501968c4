"""The dashboard's levers: what a policymaker sets, turned into two comparable scenarios.

Everything starts at the status quo: ``scenarios/baseline.yaml`` is Peru from January 2020
as the history (``scenarios/peru_2000_2019.yaml``) leaves it, every program running at its
last level. A lever shows the status quo's value of its parameter (the last instance of the
program in the history) merged with the starting file's own changes (``package.yaml``,
``cct.yaml``...). Moving a lever adds or updates a change entry ``{type: X, parameter:
value}`` in the policy scenario; switching a program off adds ``{type: X, end: <the month
before the start>}``. A few levers stand for something the status quo sets another way, and
moving them replaces it (``REPLACES``): Juntos' district threshold replaces the 2005-2010
roll-out list (``rollout: []``), Cuna Más' families replace its yearly schedule
(``families_schedule: {}``).

The reference is the status quo itself (``baseline.yaml``) or, as a labelled counterfactual,
``no_programs.yaml`` (every program ended in December 2019): same start, history, horizon,
region, scale and seeds as the policy, so the pair shares common random numbers and the
difference between them is the policy's effect. By default both arms of each run also
share a parameter draw (``model.analysis.draws``): N runs are N draws x 1 replicate and
intervals include parameter uncertainty; ``uncertainty=False`` makes them N replicates at
the default parameters (chance alone).

Nothing here imports Solara: the functions are plain and tested on their own.
"""

from __future__ import annotations

import copy
import math
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from model import geography
from model import model as model_module
from model.analysis.comparison import comparison_specs
from model.config import Scenario, ScenarioError, load_scenario, validate_scenario
from model.defaults import DEFAULTS
from model.interventions import INTERVENTIONS
from model.interventions.base import month_index
from model.interventions.cct import RolloutStep
from model.interventions.cct import rollout_districts as cct_rollout
from model.interventions.home_visits import families_at

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
# Shipped scenarios a policymaker can start from: the status quo and its changes (each file
# lists only what it changes from 2020-01), and the no-programs counterfactual.
# peru_2000_2019 is the history itself and the classroom files have none: not offered.
SHIPPED = ("baseline", "package", "cct", "sis", "serums", "home_visits", "iron", "cred",
           "cuna_mas_1m", "registry_complete", "fed_off", "fed_stronger", "municipal_visits_all",
           "sms", "no_programs")
STATUS_QUO = "baseline"
# What the policy is compared with: the status quo, or every program ended (counterfactual).
REFERENCES = ("baseline", "no_programs")
ALL_PERU = "PERU"
PROGRAMS = ("cct", "sis", "serums", "home_visits", "municipal_visits", "iron", "cred",
            "registry", "fed", "sms")

# The levers shown per program: parameter -> (minimum, maximum) of its slider. Sliders move
# in steps of 1 (1 percentage point for shares) so that a value read from a scenario file is
# never rounded to a coarser step by the slider itself.
# Bounds are those of the intervention's own Params (pydantic) or narrower where the wider
# range is not a policy choice (e.g. a transfer of more than 1,000 soles every two months).
LEVERS: dict[str, dict[str, tuple[float, float]]] = {
    "cct": {"district_poverty_threshold": (0.0, 0.9), "transfer_soles": (0, 1000)},
    "sis": {"coverage_poor": (0.0, 1.0), "coverage_nonpoor": (0.0, 1.0)},
    "serums": {"placements_per_year": (0, 20_000)},
    "home_visits": {"families": (0, 2_000_000), "caseload": (1, 60), "stipend": (0, 2000)},
    "municipal_visits": {"max_districts": (1, 1874), "max_child_age_months": (6, 36),
                         "incentive_soles_per_child": (0, 200)},
    "iron": {"start_age_months": (4, 6), "adherence_mean": (0.0, 1.0)},
    "cred": {"attendance": (0.0, 1.0)},
    "registry": {"floor": (0.0, 1.0)},
    "fed": {"cred_target": (0.0, 1.0), "iron_target": (0.0, 1.0)},
    "sms": {"phone_share": (0.0, 1.0)},
}
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "serums": {"rule": ("poverty_map", "older")},
    "iron": {"channel": ("cred", "visits", "both")},
}
# Levers whose status-quo value comes from a schedule: moving them writes these fields too,
# replacing the schedule (the page says so beside the lever).
REPLACES: dict[tuple[str, str], dict] = {
    ("cct", "district_poverty_threshold"): {"rollout": []},
    ("home_visits", "families"): {"families_schedule": {}},
}

# Simulated children aimed at per run, by precision. The scale (real children per simulated
# child) follows from the region's size; see ``scale_for``.
PRECISION_TARGET = {"fast": 15_000, "standard": 30_000, "fine": 120_000}
# Four runs by default: the model keeps the saved states of four histories
# (model.model.HISTORY_STATES_KEPT), so a second run with the same region, precision and seed
# (after moving a lever) restores every run's history instead of living it again.
DEFAULT_REPLICATES = 4
MAX_ESTIMATED_SECONDS = 300  # longer runs belong on the command line (the page says so)


@dataclass(frozen=True)
class Levers:
    """Everything the policymaker view sets.

    ``replicates`` is the number of runs (pairs of reference and policy, each living its own
    history). With ``uncertainty`` (the default) each run has its own parameter draw
    (``model.analysis.draws``) and one replicate seed, so intervals include parameter
    uncertainty and chance; without it they are replicates at the default parameters (chance
    alone).
    """

    scenario: str = STATUS_QUO
    reference: str = STATUS_QUO
    region: str = ALL_PERU
    years: int = 5
    replicates: int = DEFAULT_REPLICATES
    seed: int = 1
    precision: str = "fast"
    uncertainty: bool = True
    enabled: tuple[str, ...] = ()
    values: dict = field(default_factory=dict)  # (program, parameter) -> value

    @property
    def draws(self) -> int:
        """Parameter draws of the comparison (0: the default parameters only)."""
        return self.replicates if self.uncertainty else 0

    @property
    def seeds(self) -> int:
        """Replicate seeds of the comparison (per draw when there are draws)."""
        return 1 if self.uncertainty else self.replicates

    def value(self, program: str, parameter: str):
        """The lever's value (the status quo's, the file's, or where the user moved it)."""
        return self.values[(program, parameter)]

    def with_value(self, program: str, parameter: str, value) -> "Levers":
        """A copy with one lever moved."""
        return replace(self, values={**self.values, (program, parameter): value})

    def with_program(self, program: str, on: bool) -> "Levers":
        """A copy with one program switched on or off."""
        enabled = [p for p in PROGRAMS if (p in self.enabled and p != program)
                   or (p == program and on)]
        return replace(self, enabled=tuple(enabled))


@lru_cache(maxsize=32)
def _shipped(name: str) -> dict:
    return load_scenario(SCENARIO_DIR / f"{name}.yaml").model_dump(mode="json")


def shipped_scenario(name: str) -> dict:
    """The raw definition of ``scenarios/<name>.yaml`` (validated; a fresh copy)."""
    if name not in SHIPPED:
        raise ScenarioError(f"dashboard scenario {name!r}: allowed {', '.join(SHIPPED)}")
    return copy.deepcopy(_shipped(name))


def _params(program: str, spec: dict) -> dict:
    """Every parameter of ``program`` given the entry ``spec`` (defaults for the rest)."""
    fields = {k: v for k, v in spec.items() if k != "type"}
    return INTERVENTIONS[program].Params.model_validate(fields).model_dump(mode="json")


def _running(params: dict, start: str) -> bool:
    """Whether a program with these parameters runs in the month ``start``."""
    end, first = params.get("end"), params.get("start")
    return (end is None or month_index(end) >= month_index(start)) and (
        first is None or month_index(first) <= month_index(start))


def status_quo_programs(body: dict) -> dict[str, dict]:
    """Per program type: the parameters of its last instance in the scenario's history.

    The model changes that instance when a scenario names the type (``_change_status_quo``).
    Empty for a scenario without a history.
    """
    history = body.get("history")
    if not history:
        return {}
    last = {}
    for spec in history["interventions"]:
        last[spec["type"]] = spec  # later entries of a type win, as in the model
    return {program: _params(program, spec) for program, spec in last.items()}


def program_settings(body: dict) -> dict[str, dict]:
    """Per program: its parameters at the scenario's start (status quo merged with changes).

    Programs neither in the history nor in the file are missing.
    """
    settings = status_quo_programs(body)
    for spec in body["interventions"]:
        program = spec["type"]
        changes = {k: v for k, v in spec.items() if k != "type"}
        if program in settings and body.get("history"):
            settings[program] = _params(program, {**settings[program], **changes})
        else:
            settings[program] = _params(program, changes)
    return settings


def _rollout_step(rollout: list[dict], start: str) -> dict | None:
    """The roll-out step in force at ``start`` (the last one begun by then)."""
    begun = [s for s in rollout if month_index(s["start"]) <= month_index(start)]
    return begun[-1] if begun else None


def rollout_districts(rollout: list[dict], start: str) -> int:
    """Districts of Peru that Juntos' roll-out includes at ``start`` (the model's rule)."""
    steps = [RolloutStep.model_validate(step) for step in rollout]
    return int(cct_rollout(steps, geography.load_geography(), month_index(start)).sum())


def rollout_threshold(rollout: list[dict], start: str) -> float | None:
    """The district-poverty threshold closest to Juntos' roll-out at ``start``.

    The poverty of the poorest district the roll-out leaves out, rounded down to a whole
    percentage point: ``poverty > threshold`` then takes in about the same districts. None if
    the roll-out is a list of districts (no threshold stands for it).
    """
    step = _rollout_step(rollout, start)
    if step is None or step.get("poverty_threshold") is None:
        return None
    threshold, n = step["poverty_threshold"], step.get("max_districts")
    among = geography.national_poverty() >= threshold
    if not n or n >= among.sum():
        return float(threshold)
    return math.floor(100 * geography.poverty_floor(n, among)) / 100


def scheduled_families(schedule: dict, families, start: str):
    """Families in force at ``start``: the schedule's last month begun, else ``families``."""
    return families_at(families, schedule, month_index(start))


def lever_value(program: str, parameter: str, params: dict, start: str):
    """What the slider of ``parameter`` shows for a program with ``params`` at ``start``."""
    if (program, parameter) == ("cct", "district_poverty_threshold") and params["rollout"]:
        threshold = rollout_threshold(params["rollout"], start)
        if threshold is not None:
            return threshold
    if parameter == "families":
        families = scheduled_families(params["families_schedule"], params["families"], start)
        return LEVERS[program]["families"][1] if families is None else families
    if parameter == "max_districts" and params[parameter] is None:
        return LEVERS[program][parameter][1]
    if (program, parameter) == ("registry", "floor") and params[parameter] is None:
        return 0.0  # no floor: the same as a floor of 0
    return params[parameter]


def levers_from_scenario(name: str = STATUS_QUO, **settings) -> Levers:
    """Levers set as ``scenarios/<name>.yaml`` leaves the programs at its start.

    For a change of the status quo: the status quo's values merged with the file's changes;
    a program is on if it runs at the start. Programs in neither keep their defaults, off.
    """
    enabled, values = _file_levers(name)
    return Levers(scenario=name, enabled=enabled, values=dict(values), **settings)


@lru_cache(maxsize=len(SHIPPED))
def _file_levers(name: str) -> tuple[tuple[str, ...], dict]:
    """Programs on and lever values of a shipped file.

    Cached (the page asks on every render); callers copy the dict.
    """
    body = shipped_scenario(name)
    found = program_settings(body)
    values, enabled = {}, []
    for program in PROGRAMS:
        params = found.get(program) or _params(program, {})
        if program in found and _running(params, body["start"]):
            enabled.append(program)
        for parameter in list(LEVERS[program]) + list(CHOICES.get(program, {})):
            values[(program, parameter)] = lever_value(program, parameter, params,
                                                       body["start"])
    return tuple(enabled), values


def moved_levers(levers: Levers) -> set[tuple[str, str]]:
    """The levers set away from the starting file's values."""
    _, start = _file_levers(levers.scenario)
    return {key for key, value in levers.values.items() if start.get(key) != value}


def changed_from_file(levers: Levers) -> bool:
    """Whether a program or lever was set away from the starting file's values."""
    enabled, values = _file_levers(levers.scenario)
    return set(levers.enabled) != set(enabled) or levers.values != values


@lru_cache(maxsize=len(SHIPPED))
def _schedules(name: str) -> dict[tuple[str, str], tuple[bool, dict]]:
    """Per schedule lever (``REPLACES``): whether ``name`` keeps the status quo's schedule.

    With what the schedule gives at the start (for the note).
    """
    body = shipped_scenario(name)
    sq = status_quo_programs(shipped_scenario(STATUS_QUO))
    found = program_settings(body)
    start = body["start"]
    out = {}
    if "cct" in found and sq.get("cct", {}).get("rollout"):
        districts = rollout_districts(sq["cct"]["rollout"], start)
        out[("cct", "district_poverty_threshold")] = (bool(found["cct"]["rollout"]),
                                                      {"districts": f"{districts:,}"})
    if "home_visits" in found and sq.get("home_visits", {}).get("families_schedule"):
        families = scheduled_families(sq["home_visits"]["families_schedule"],
                                      sq["home_visits"]["families"], start)
        out[("home_visits", "families")] = (bool(found["home_visits"]["families_schedule"]),
                                            {"families": f"{families:,}"})
    return out


def schedule_kept(levers: Levers, program: str, parameter: str) -> bool:
    """Whether the policy keeps the status quo's schedule behind this lever (not moved)."""
    kept, _ = _schedules(levers.scenario).get((program, parameter), (False, {}))
    return kept and (program, parameter) not in moved_levers(levers)


def lever_notes(levers: Levers) -> dict[tuple[str, str], tuple[str, dict]]:
    """Notes shown under levers that replace a schedule: ``(text key, values)`` per lever.

    While the lever is where the status quo left it the note says what the schedule does;
    once moved (or once the file already replaced the schedule) it says what was replaced.
    """
    kinds = {("cct", "district_poverty_threshold"): "rollout",
             ("home_visits", "families"): "schedule"}
    notes = {}
    for key, (_, values) in _schedules(levers.scenario).items():
        state = "kept" if schedule_kept(levers, *key) else "replaced"
        notes[key] = (f"note_{kinds[key]}_{state}", values)
    return notes


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


def districts_in(region: str) -> int:
    """Districts of ``region`` (a department or all Peru)."""
    table = geography.load_district_table()
    return len(table) if region == ALL_PERU else int((table["department"] == region).sum())


def history_seconds(region: str, precision: str) -> float:
    """Rough time to live the history (2000-2019) once at the region's scale on this machine.

    Set-up and saving the state 1.8 s, then 300 months (60 of warm-up, 240 of history) of
    6.5 us per district and 0.2 us per simulated child. Fitted to the history part of
    dashboard comparisons (package, one replicate, empty cache) measured on 2 cores next to a
    running calibration (load about 4, 2026-12-01): Tumbes fast 2.3 s (estimate 3.2),
    Huancavelica fast 2.8 s (3.0) and fine 5.0 s (4.0), Lima fast 3.2 s (3.0), all Peru fast
    6.5-6.7 s (6.3) and standard 6.8 s (7.2). ``build_model`` of baseline.yaml alone, same
    machine: 2.5-3.5 s for a department, 8.7 s for all Peru; restored from the saved state
    0.1-0.35 s.
    """
    children = real_children(region) / scale_for(region, precision)
    return 1.8 + 300 * (5.2e-6 * districts_in(region) + 5e-7 * children)


def arm_seconds(region: str, precision: str, years: int) -> float:
    """Rough time of one arm after the history: restore the saved state, run, record.

    0.3 s plus 0.4 ms per district (restoring, the district rows), then each month 35 us per
    district (metrics by district, health posts) and 0.7 us per simulated child. Same
    measurements as ``history_seconds`` (both arms together): Tumbes fast 2 years 0.9 s
    (estimate 1.4), Huancavelica fast 2 years 2.1 s (1.4) and fine 2.9 s (2.0), Lima fast
    5 years 2.6 s (2.7), all Peru fast 2 years 6.1 s (5.8), 5 years 11.9 s (11.2), standard
    2 years 6.2 s (6.3).
    """
    districts = districts_in(region)
    children = real_children(region) / scale_for(region, precision)
    return 0.3 + 4e-4 * districts + 12 * years * (2.8e-5 * districts + 1.75e-6 * children)


def histories_saved(levers: Levers) -> int:
    """Runs whose history this process has saved already (restored, not lived again).

    Reads the model's store of saved states (``model.model``); 0 if it is not there.
    """
    states = getattr(model_module, "_history_states", None)
    if not states:
        return 0
    return min(len(set(history_keys(levers)) & set(states)), model_module.HISTORY_STATES_KEPT)


def history_keys(levers: Levers) -> tuple[str, ...]:
    """Per run of the comparison, the key of the history it lives (``model.history_key``).

    A run's reference and policy share it: same parameters (its draw), seed and history.
    Cached by what decides it (the page asks on every render; the programs' levers and the
    horizon do not change a history).
    """
    key = (levers.region, levers.precision, levers.seed, levers.replicates, levers.uncertainty)
    if key not in _HISTORY_KEYS:
        reference, _ = build_scenarios(levers)
        specs = comparison_specs([reference], levers.seeds, levers.seed, levers.draws)
        _HISTORY_KEYS[key] = tuple(model_module.history_key(validate_scenario(
            {**spec.scenario, "seed": spec.seed}, source="dashboard run")) for spec in specs)
        while len(_HISTORY_KEYS) > 64:
            _HISTORY_KEYS.popitem(last=False)
    return _HISTORY_KEYS[key]


_HISTORY_KEYS: OrderedDict[tuple, tuple[str, ...]] = OrderedDict()


def estimated_seconds(levers: Levers, saved: int | None = None) -> float:
    """Rough model time of the comparison on this machine.

    Each run (a parameter draw, or a replicate seed without parameter uncertainty) lives the
    history once (``history_seconds``; both arms then restore its saved state), unless the
    process saved it already (``saved`` runs, by default ``histories_saved``), and runs both
    arms over the horizon (``arm_seconds``).
    The page itself adds about 30% when the browser shares the machine.

    Refitted in issue 15 (the model had grown slower per child with the local-government
    layer): the end-to-end times of the page on 2 cores with the browser on the same machine,
    package.yaml, 5 years, 4 runs at the fast precision, empty cache: all Peru 71 s (the old
    coefficients gave 70 s), Huancavelica 36 s (they gave 22 s). The child terms of
    ``history_seconds`` and ``arm_seconds`` were multiplied by 2.5 and the district terms by
    0.8, the two factors that fit both.
    """
    saved = histories_saved(levers) if saved is None else saved
    history = history_seconds(levers.region, levers.precision)
    arms = 2 * arm_seconds(levers.region, levers.precision, levers.years)
    return (levers.replicates - saved) * history + levers.replicates * arms


def _month_before(start: str) -> str:
    return model_module.ECDModel.month_label(month_index(start) - 1)


def policy_interventions(levers: Levers) -> list[dict]:
    """The policy's change entries: the starting file's, with the moved levers written in.

    A program switched off becomes ``{type: X, end: <month before the start>}``; one switched
    on that the file had ended loses its ``end`` (it runs as in the status quo); a moved
    lever sets its parameter in the entry of its program (added if the file has none), with
    the fields it replaces (``REPLACES``).
    """
    body = _shipped(levers.scenario)
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
    return frozenset(status_quo_programs(_shipped(STATUS_QUO)))


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
            f"{_shipped(STATUS_QUO)['start']}: {what}. Started from "
            f"scenarios/{levers.scenario}.yaml.")


def check(levers: Levers) -> tuple[list[str], list[str]]:
    """Problems with the levers: (errors that stop a run, warnings shown beside the result).

    Messages are keys into viz.i18n with their format arguments, as ``(key, kwargs)``.
    """
    errors, warnings = [], []
    seconds = estimated_seconds(levers)
    if seconds > MAX_ESTIMATED_SECONDS:
        errors.append(("too_slow", {"seconds": round(seconds), "limit": MAX_ESTIMATED_SECONDS}))
    if levers.reference == STATUS_QUO and not policy_interventions(levers):
        warnings.append(("no_change", {}))
    if levers.reference == "no_programs" and not levers.enabled:
        warnings.append(("no_programs", {}))
    if "cct" in levers.enabled and not schedule_kept(levers, "cct",
                                                     "district_poverty_threshold"):
        table = geography.load_district_table()
        if levers.region != ALL_PERU:
            table = table[table["department"] == levers.region]
        threshold = levers.value("cct", "district_poverty_threshold")
        if not (table["poverty_total_pct_2018"] / 100 > threshold).any():
            warnings.append(("cct_no_district", {"threshold": round(100 * threshold)}))
    if ("iron" in levers.enabled and levers.value("iron", "channel") == "visits"
            and not {"home_visits", "municipal_visits"} & set(levers.enabled)):
        warnings.append(("iron_needs_visits", {}))
    return errors, warnings


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
