"""The dashboard's levers: what a policymaker sets, read from the shipped scenario files.

Everything starts at the status quo: ``scenarios/baseline.yaml`` is Peru from January 2020
as the history (``scenarios/peru_2000_2019.yaml``) leaves it, every program running at its
last level. A lever shows the status quo's value of its parameter (the history's entry of
the program that a change updates: the one running in January 2020) merged with the starting
file's own changes (``package.yaml``, ``cct.yaml``...). Moving a lever adds or updates a
change entry ``{type: X, parameter: value}`` in the policy scenario; switching a program off
adds ``{type: X, end: <the month before the start>}``. A few levers stand for something the
status quo sets another way, and moving them replaces it (``REPLACES``): Juntos' district
threshold replaces the 2005-2010 roll-out list (``rollout: []``), Cuna Más' families replace
its yearly schedule (``families_schedule: {}``).

The reference is the status quo itself (``baseline.yaml``) or, as a labelled counterfactual,
``no_programs.yaml`` (every program ended in December 2019): same start, history, horizon,
region, scale and seeds as the policy, so the pair shares common random numbers and the
difference between them is the policy's effect. By default both arms of each run also
share a parameter draw (``model.analysis.draws``): N runs are N draws x 1 replicate and
intervals include parameter uncertainty; ``uncertainty=False`` makes them N replicates at
the default parameters (chance alone).

The levers become the pair of scenarios in ``viz.policy_scenarios``; the time estimate and
the checks before a run are in ``viz.preflight``. Nothing here imports Solara: the functions
are plain and tested on their own.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from model import calendar, geography
from model.config import ScenarioError, load_scenario
from model.interventions import INTERVENTIONS
from model.interventions.cct import RolloutStep
from model.interventions.cct import rollout_districts as cct_rollout
from model.interventions.home_visits import families_at
from model.programs import entry_to_change

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
def shipped_body(name: str) -> dict:
    """``scenarios/<name>.yaml`` as a validated dict, cached: read it, never change it."""
    return load_scenario(SCENARIO_DIR / f"{name}.yaml").model_dump(mode="json")


def shipped_scenario(name: str) -> dict:
    """The raw definition of ``scenarios/<name>.yaml`` (validated; a fresh copy)."""
    if name not in SHIPPED:
        raise ScenarioError(f"dashboard scenario {name!r}: allowed {', '.join(SHIPPED)}")
    return copy.deepcopy(shipped_body(name))


def _params(program: str, spec: dict) -> dict:
    """Every parameter of ``program`` given the entry ``spec`` (defaults for the rest)."""
    fields = {k: v for k, v in spec.items() if k != "type"}
    return INTERVENTIONS[program].Params.model_validate(fields).model_dump(mode="json")


def _running(params: dict, start: str) -> bool:
    """Whether a program with these parameters runs in the month ``start``."""
    end, first = params.get("end"), params.get("start")
    return (end is None or calendar.parse(end) >= calendar.parse(start)) and (
        first is None or calendar.parse(first) <= calendar.parse(start))


def status_quo_programs(body: dict) -> dict[str, dict]:
    """Per program type: the parameters of the history's entry a scenario's change updates.

    The same rule as the model's (``programs.entry_to_change``): the entry running at the
    scenario's start that began last.
    Empty for a scenario without a history.
    """
    history = body.get("history")
    if not history:
        return {}
    by_type: dict[str, list[dict]] = {}
    for spec in history["interventions"]:
        by_type.setdefault(spec["type"], []).append(spec)
    month = calendar.parse(body["start"])
    chosen = {program: specs[entry_to_change([_dates(spec) for spec in specs], month)]
              for program, specs in by_type.items()}  # the entry the model changes
    return {program: _params(program, spec) for program, spec in chosen.items()}


def _dates(spec: dict) -> tuple[int | None, int | None]:
    """An entry's first and last month indices (None: open)."""
    return tuple(calendar.parse(spec[k]) if spec.get(k) else None for k in ("start", "end"))


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
    begun = [s for s in rollout if calendar.parse(s["start"]) <= calendar.parse(start)]
    return begun[-1] if begun else None


def rollout_districts(rollout: list[dict], start: str) -> int:
    """Districts of Peru that Juntos' roll-out includes at ``start`` (the model's rule)."""
    steps = [RolloutStep.model_validate(step) for step in rollout]
    return int(cct_rollout(steps, geography.load_geography(), calendar.parse(start)).sum())


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
    return families_at(families, schedule, calendar.parse(start))


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
