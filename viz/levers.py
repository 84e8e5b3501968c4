"""The dashboard's levers: what a policymaker sets, turned into two comparable scenarios.

A shipped scenario (``scenarios/*.yaml``) is the starting point. Its interventions fill the
levers; moving a lever overwrites that one parameter and keeps every other parameter of the
file. The reference is the same scenario with no programs (same start, horizon, region,
scale, trends and model parameters), so the pair shares common random numbers and the
difference between them is the policy's effect.

Nothing here imports Solara: the functions are plain and tested on their own.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from model import geography
from model.config import Scenario, ScenarioError, load_scenario, validate_scenario
from model.defaults import DEFAULTS
from model.interventions import INTERVENTIONS

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
# Shipped scenarios a policymaker can start from. peru_2000_2019 is left out: it replays
# history (secular trends, a Juntos roll-out by year) and its levers are not these.
SHIPPED = ("package", "baseline", "cct", "sis", "serums", "home_visits", "iron", "cred",
           "cuna_mas_1m")
ALL_PERU = "PERU"
PROGRAMS = ("cct", "sis", "serums", "home_visits", "iron", "cred")

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
    "iron": {"start_age_months": (4, 6), "adherence_mean": (0.0, 1.0)},
    "cred": {"attendance": (0.0, 1.0)},
}
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "serums": {"rule": ("poverty_map", "older")},
    "iron": {"channel": ("cred", "visits", "both")},
}

# Simulated children aimed at per run, by precision. The scale (real children per simulated
# child) follows from the region's size; see ``scale_for``.
PRECISION_TARGET = {"fast": 15_000, "standard": 30_000, "fine": 120_000}
MAX_ESTIMATED_SECONDS = 300  # longer runs belong on the command line (the page says so)


@dataclass(frozen=True)
class Levers:
    """Everything the policymaker view sets."""

    scenario: str = "package"
    region: str = ALL_PERU
    years: int = 5
    replicates: int = 5
    seed: int = 1
    precision: str = "fast"
    enabled: tuple[str, ...] = ()
    values: dict = field(default_factory=dict)  # (program, parameter) -> value

    def value(self, program: str, parameter: str):
        """The lever's value (from the scenario file or the intervention's default)."""
        return self.values[(program, parameter)]

    def with_value(self, program: str, parameter: str, value) -> "Levers":
        """A copy with one lever moved."""
        return replace(self, values={**self.values, (program, parameter): value})

    def with_program(self, program: str, on: bool) -> "Levers":
        """A copy with one program switched on or off."""
        enabled = [p for p in PROGRAMS if (p in self.enabled and p != program)
                   or (p == program and on)]
        return replace(self, enabled=tuple(enabled))


def shipped_scenario(name: str) -> dict:
    """The raw definition of ``scenarios/<name>.yaml`` (validated)."""
    if name not in SHIPPED:
        raise ScenarioError(f"dashboard scenario {name!r}: allowed {', '.join(SHIPPED)}")
    return load_scenario(SCENARIO_DIR / f"{name}.yaml").model_dump(mode="json")


def levers_from_scenario(name: str, **settings) -> Levers:
    """Levers set as ``scenarios/<name>.yaml`` sets them (defaults for programs it lacks)."""
    body = shipped_scenario(name)
    given = {spec["type"]: spec for spec in body["interventions"]}
    values = {}
    for program in PROGRAMS:
        defaults = INTERVENTIONS[program].Params().model_dump()
        file_values = given.get(program, {})
        for parameter in list(LEVERS[program]) + list(CHOICES.get(program, {})):
            values[(program, parameter)] = file_values.get(parameter, defaults[parameter])
    enabled = tuple(p for p in PROGRAMS if p in given)
    return Levers(scenario=name, enabled=enabled, values=values, **settings)


def locked_levers(levers: Levers) -> dict[tuple[str, str], str]:
    """Levers the scenario file overrides by other means, with the reason (shown disabled)."""
    body = shipped_scenario(levers.scenario)
    locked = {}
    for spec in body["interventions"]:
        if spec["type"] == "home_visits" and spec.get("families_schedule"):
            locked[("home_visits", "families")] = "families_schedule"
    return locked


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


def estimated_seconds(levers: Levers) -> float:
    """Rough model time of the comparison on this machine (2 scenarios x replicates).

    Per run: set-up of 0.1 s plus 0.2 ms per district, then each month 10 us per district
    (metrics, health posts) and 0.4 us per simulated child. Fitted to package runs measured
    on 2 cores (2026-11-25, one replicate each): all Peru, fast, 5 years 5.2 s (estimate
    3.9 s); all Peru, fine, 2 years 3.4 s (4.2 s); Huancavelica, 2 years 0.8 s (0.6 s);
    Lima, 5 years 1.0 s (1.2 s). The page
    itself adds about 30% when the browser shares the machine.
    """
    table = geography.load_district_table()
    districts = len(table) if levers.region == ALL_PERU else int(
        (table["department"] == levers.region).sum())
    children = real_children(levers.region) / scale_for(levers.region, levers.precision)
    months = 12 * levers.years
    per_run = 0.1 + 2e-4 * districts + months * (1e-5 * districts + 4e-7 * children)
    return 2 * levers.replicates * per_run


def build_scenarios(levers: Levers) -> tuple[Scenario, Scenario]:
    """The reference (no programs) and the policy scenario the levers describe.

    Raises:
        ScenarioError: a lever combination the scenario schema refuses (named in the message).
    """
    body = shipped_scenario(levers.scenario)
    body.pop("seed", None)
    body["months"] = 12 * levers.years
    body["scale"] = scale_for(levers.region, levers.precision)
    body["geography"] = {"departments": [] if levers.region == ALL_PERU else [levers.region],
                         "districts": []}
    body["outputs"] = {"districts": True}
    given = {spec["type"]: spec for spec in body["interventions"]}
    locked = locked_levers(levers)
    interventions = []
    for program in PROGRAMS:
        if program not in levers.enabled:
            continue
        spec = copy.deepcopy(given.get(program, {"type": program}))
        for parameter in list(LEVERS[program]) + list(CHOICES.get(program, {})):
            if (program, parameter) not in locked:
                spec[parameter] = levers.value(program, parameter)
        interventions.append(spec)
    policy = {**body, "name": "policy", "description": describe(levers),
              "interventions": interventions, "seed": levers.seed}
    reference = {**body, "name": "baseline", "description": "No programs (same region, "
                 "horizon, scale and model parameters as the policy).", "interventions": [],
                 "seed": levers.seed}
    return (validate_scenario(reference, source="dashboard reference"),
            validate_scenario(policy, source="dashboard levers"))


def describe(levers: Levers) -> str:
    """One line saying what the policy scenario is."""
    programs = ", ".join(levers.enabled) or "no programs"
    return f"Dashboard: {programs}; based on scenarios/{levers.scenario}.yaml"


def check(levers: Levers) -> tuple[list[str], list[str]]:
    """Problems with the levers: (errors that stop a run, warnings shown beside the result).

    Messages are keys into viz.i18n with their format arguments, as ``(key, kwargs)``.
    """
    errors, warnings = [], []
    seconds = estimated_seconds(levers)
    if seconds > MAX_ESTIMATED_SECONDS:
        errors.append(("too_slow", {"seconds": round(seconds), "limit": MAX_ESTIMATED_SECONDS}))
    if not levers.enabled:
        warnings.append(("no_programs", {}))
    if "cct" in levers.enabled:
        table = geography.load_district_table()
        if levers.region != ALL_PERU:
            table = table[table["department"] == levers.region]
        threshold = levers.value("cct", "district_poverty_threshold")
        if not (table["poverty_total_pct_2018"] / 100 >= threshold).any():
            warnings.append(("cct_no_district", {"threshold": round(100 * threshold)}))
    if ("iron" in levers.enabled and levers.value("iron", "channel") == "visits"
            and "home_visits" not in levers.enabled):
        warnings.append(("iron_needs_visits", {}))
    return errors, warnings


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as a YAML file the CLI reads (``python run.py compare ...``)."""
    body = scenario.model_dump(mode="json", exclude_defaults=False)
    return yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def cli_command(levers: Levers) -> str:
    """The command that reproduces the dashboard's comparison exactly."""
    return (f"python run.py compare baseline_dashboard.yaml policy_dashboard.yaml "
            f"--replicates {levers.replicates} --seed {levers.seed}")
