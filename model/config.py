"""The scenario file: its pydantic schema, a safe YAML loader and clear error messages.

A scenario is data, not code. Every field is bounded and described; unknown fields are
rejected (``extra="forbid"``). ``load_scenario`` turns every problem (missing file, malformed
YAML, unknown field, out-of-range value, unknown department) into a ``ScenarioError`` whose
message names the file, the field, the value and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic import Strict as StrictType

from model import calendar, defaults, geography
from model.interventions import INTERVENTIONS
from model.interventions.base import check_districts
from model.names import match_department
from model.parameter_checks import check_parameter, check_parameter_set
from model.safe_yaml import ScenarioError, contained_path, load_yaml, short

__all__ = ["ScenarioError", "Scenario", "load_scenario", "validate_scenario"]

# A year key of a trend: an integer, also when it comes back as text from a JSON dump.
Year = Annotated[int, StrictType(False)]


class Strict(BaseModel):
    """Base class: unknown fields are errors, types strict, numbers finite.

    Strict: no bool for a number, no fraction for an integer, no number for text; finite: no
    NaN or infinity.
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class GeographySpec(Strict):
    """Which part of Peru the run covers (default: all 1,874 districts)."""

    departments: list[str] = Field(
        default_factory=list, description="Department names, e.g. HUANCAVELICA or Junín (accents "
                                          "and case do not matter). Empty = all.")
    districts: list[str] = Field(
        default_factory=list, description="INEI ubigeo codes (6 digits, as text). Empty = all.")

    @field_validator("departments")
    @classmethod
    def _known_departments(cls, names: list[str]) -> list[str]:
        valid = geography.department_names()
        return [match_department(name, valid) for name in names]

    @field_validator("districts", mode="before")
    @classmethod
    def _known_districts(cls, codes: list) -> list[str]:
        if not isinstance(codes, list):
            raise ValueError("allowed: a list of 6-digit INEI ubigeo codes")
        cleaned = [str(c).zfill(6) if isinstance(c, int) and not isinstance(c, bool) else c
                   for c in codes]
        return check_districts(cleaned)


def _yearly_path(path: dict[int, float], low: float, high: float,
                 unit: str) -> dict[Year, float]:
    """A trend's {year: value}, checked (years 1900-2100, values low-high) and sorted."""
    for year, value in path.items():
        if not 1900 <= year <= 2100:
            raise ValueError(f"year {year} is out of range; allowed: 1900-2100")
        if not low <= value <= high:
            raise ValueError(f"{value}{unit} for {year} is out of range; allowed: "
                             f"{low:g}-{high:g}{unit}")
    return dict(sorted(path.items()))


class TrendSpec(Strict):
    """Secular trends a scenario sets (none by default: the 2018 poverty map holds)."""

    poverty_national_pct: dict[Year, float] = Field(
        default_factory=dict,
        description="National monetary poverty (%) by year, e.g. {2004: 58.7, 2016: 20.7}. "
                    "Household poverty follows it (interpolated on the probit scale, held "
                    "constant outside the given years); districts keep their 2018 ranking.")

    improved_water_pct: dict[Year, float] = Field(
        default_factory=dict,
        description="Households with improved water (%) by year, e.g. {1986: 56, 2015: 79.3} "
                    "(C5e); interpolated on the probit scale, held outside the given years.")

    antenatal_care_pct: dict[Year, float] = Field(
        default_factory=dict,
        description="Births whose mothers had 4+ antenatal visits (%) by year, e.g. "
                    "{2000: 69, 2016: 96} (E1); households with better access (welfare, "
                    "urban) are covered first. Without it: parameter anc_baseline_share.")
    skilled_birth_pct: dict[Year, float] = Field(
        default_factory=dict,
        description="Births with a skilled attendant (%) by year, e.g. {2000: 63, 2016: 98} "
                    "(E1). Without it: parameter facility_delivery_base.")
    vaccination_pct: dict[Year, float] = Field(
        default_factory=dict,
        description="Children immunised against rotavirus and pneumococcus (%) by year of "
                    "birth, e.g. {2008: 0.5, 2009: 25, 2016: 79} (E3). Without it: parameter "
                    "vaccination_share.")
    health_workers_per_10k: dict[Year, float] = Field(
        default_factory=dict,
        description="Health workers per 10,000 people by year, e.g. {2004: 11.78, 2016: 28.24} "
                    "(E4); posts are restaffed every January. Without it: parameter "
                    "health_workers_per_10k.")

    @field_validator("health_workers_per_10k")
    @classmethod
    def _density(cls, path: dict[Year, float]) -> dict[Year, float]:
        return _yearly_path(path, 0.1, 500, "")

    @field_validator("poverty_national_pct", "improved_water_pct", "antenatal_care_pct",
                     "skilled_birth_pct", "vaccination_pct")
    @classmethod
    def _percentages(cls, path: dict[Year, float]) -> dict[Year, float]:
        return _yearly_path(path, 0.5, 99.5, "%")


class OutputSpec(Strict):
    """Optional extra outputs."""

    districts: bool = Field(False, description="Also record stunting and anemia for every "
                                               "district (group district:<ubigeo>).")


class InterventionSpec(BaseModel):
    """One intervention in the scenario; its own parameters are checked by its class."""

    model_config = ConfigDict(extra="allow", strict=True)
    type: str = Field(description="Registered intervention name.")

    @field_validator("type")
    @classmethod
    def _registered(cls, name: str) -> str:
        if name not in INTERVENTIONS:
            valid = ", ".join(sorted(INTERVENTIONS)) or "none are available yet"
            raise ValueError(f"unknown intervention {name!r}; valid names: {valid}")
        return name

    @model_validator(mode="after")
    def _parameters(self) -> "InterventionSpec":
        params_model = INTERVENTIONS[self.type].Params
        try:
            params_model.model_validate(self.model_extra or {})
        except ValidationError as err:
            problem = err.errors()[0]
            where = ".".join([self.type, *(str(p) for p in problem["loc"])])
            if problem["type"] == "extra_forbidden":
                raise ValueError(f"unknown parameter {where.split('.', 1)[1]!r} for "
                                 f"intervention {self.type!r}; "
                                 f"valid names: {', '.join(params_model.model_fields)}") from None
            message = problem["msg"].removeprefix("Value error, ").replace(
                "Input should be", "allowed:")
            raise ValueError(f"{where} = {short(problem.get('input'))}: {message}") from None
        return self

    def period(self) -> tuple[float, float]:
        """(first, last) month index of the entry; open ends are -inf and +inf."""
        extra = self.model_extra or {}
        return (calendar.parse(extra["start"]) if extra.get("start") else -math.inf,
                calendar.parse(extra["end"]) if extra.get("end") else math.inf)


class Scenario(Strict):
    """A scenario: what to simulate, where, for how long and with which programs."""

    name: str = Field(min_length=1, max_length=80, description="Short name used in results.")
    description: str = Field("", description="What the scenario represents.")
    start: str = Field("2019-01", description="First simulated month, YYYY-MM.")
    months: int = Field(120, ge=1, le=1200, description="Number of monthly steps.")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="Seed of the model's random generator.")
    scale: float = Field(10.0, ge=1.0, le=10000.0,
                         description="Real children one simulated child stands for (1 = all).")
    anemia_definition: Literal["who2011", "who2024", "peru"] = Field(
        "who2011", description="who2011: Hb<11 g/dL with the CDC altitude formula (as ENDES); "
                               "who2024: 10.5 g/dL at 6-23 m; peru: Peru-specific altitude "
                               "correction (evidence rows B5-B8).")
    geography: GeographySpec = Field(default_factory=GeographySpec)
    trends: TrendSpec = Field(default_factory=TrendSpec)
    outputs: OutputSpec = Field(default_factory=OutputSpec)
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="Overrides of model/defaults.py by name.")
    program_parameters: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Evidence assumptions of programs by type, e.g. "
        "{iron: {gap_closure: 0.5}}: they replace the defaults of every program of that type, "
        "the history's included; a value a program entry sets itself wins. Parameter draws "
        "(--draws) set them.")
    interventions: list[InterventionSpec] = Field(default_factory=list)
    history: Scenario | None = Field(
        None, description="A history scenario file (e.g. peru_2000_2019.yaml) lived before "
                          "this scenario's start, unrecorded: its trends and programs bring "
                          "Peru to the start as it is (the status quo), and its programs go on "
                          "running. This scenario's interventions then change them: an entry "
                          "whose type is already running updates its parameters from the start "
                          "(e.g. {type: cct, end: 2021-12} ends Juntos; {type: cct, "
                          "transfer_soles: 300} raises the transfer); a new type is added. "
                          "Scale, seed, geography and parameters are this scenario's.")

    @field_validator("interventions")
    @classmethod
    def _one_entry_per_program(cls, entries: list[InterventionSpec]) -> list[InterventionSpec]:
        """Refuse entries of one program running in the same months.

        Costs and effects would count twice, unless the program allows concurrent entries
        (``concurrent_entries``).
        """
        for i, entry in enumerate(entries):
            if INTERVENTIONS[entry.type].concurrent_entries:
                continue
            first, last = entry.period()
            for j in range(i):
                other = entries[j]
                if other.type != entry.type:
                    continue
                other_first, other_last = other.period()
                if first <= other_last and other_first <= last:
                    raise ValueError(
                        f"entries [{j}] and [{i}] both run {entry.type!r} in the same months; "
                        "allowed: one entry per program, or entries whose start-end periods "
                        "do not overlap")
        return entries

    @model_validator(mode="after")
    def _history_before_start(self) -> "Scenario":
        if self.history is not None:
            if self.history.history is not None:
                raise ValueError("a history scenario cannot itself have a history")
            if calendar.parse(self.history.start) >= calendar.parse(self.start):
                raise ValueError(f"the history starts {self.history.start}, not before this "
                                 f"scenario's start {self.start}; allowed: an earlier start")
        return self

    @field_validator("start", mode="before")
    @classmethod
    def _year_month(cls, text) -> str:
        text = str(text).strip()
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not match or not (1900 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
            raise ValueError("allowed: a month written YYYY-MM, from 1900-01 to 2100-12")
        return text

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        checked = {key: check_parameter(key, value) for key, value in overrides.items()}
        check_parameter_set(defaults.DEFAULTS.with_overrides(checked))
        return checked

    @field_validator("program_parameters")
    @classmethod
    def _known_program_parameters(cls, overrides: dict[str, dict[str, Any]]
                                  ) -> dict[str, dict[str, Any]]:
        for name, values in overrides.items():
            if name not in INTERVENTIONS:
                raise ValueError(f"unknown program {name!r}; valid names: "
                                 f"{', '.join(sorted(INTERVENTIONS))}")
            if not isinstance(values, dict):
                raise ValueError(f"program_parameters.{name} = {short(values)}: allowed is a "
                                 "mapping of parameter names to values")
            InterventionSpec.model_validate({"type": name, **values})  # names and bounds
        return overrides

    def program_defaults(self, program: str) -> dict[str, Any]:
        """The ``program_parameters`` of ``program`` (empty if none)."""
        return dict(self.program_parameters.get(program, {}))

    def model_parameters(self) -> defaults.Parameters:
        """The defaults with this scenario's overrides applied."""
        return defaults.DEFAULTS.with_overrides(self.parameters)

    def digest(self) -> str:
        """A short hash of the validated scenario, for the run metadata."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario YAML file, with optional command-line overrides.

    The file is read with ``model.safe_yaml.load_yaml`` (size, depth and alias limits);
    ``include:`` and ``history:`` must name files inside the scenario's folder or the
    project's ``scenarios/`` (``contained_path``).

    Args:
        path: the YAML file.
        overrides: top-level fields to replace (e.g. ``{"months": 24}`` from ``--months``);
            ``None`` values are ignored.

    Raises:
        ScenarioError: with one message per problem, each naming file, field, value and
            what is allowed.
    """
    path = Path(path)
    raw = load_yaml(path, "scenario file")
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: the file must hold a YAML mapping of scenario fields "
                            f"(name, months, ...), not {type(raw).__name__}")
    includes = raw.pop("include", None) or []
    if not isinstance(includes, list):
        includes = [includes]
    if len(includes) > MAX_INCLUDES:
        raise ScenarioError(f"{path}: field 'include' lists {len(includes)} files; allowed: at "
                            f"most {MAX_INCLUDES}")
    own = raw.get("parameters") or {}
    if not isinstance(own, dict):
        raise ScenarioError(f"{path}: field 'parameters' = {short(own)}: allowed: a mapping of "
                            "parameter names to values")
    for include in includes:
        raw["parameters"] = {**_included_parameters(path, include), **own}
        own = raw["parameters"]
    _check_written_by_hand(path, raw)
    if isinstance(raw.get("history"), str):
        history_path = contained_path(path, raw["history"], "history")
        raw["history"] = load_scenario(history_path).model_dump(mode="json")
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    raw.update(given)
    return validate_scenario(raw, source=str(path), cli_fields=set(given))


# ASSUMPTION: plausibility limit; shipped scenarios include at most one parameters file.
MAX_INCLUDES = 20

# Control characters (NUL, ESC, ...) would go raw into every results row and the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _check_written_by_hand(path: Path, raw: dict) -> None:
    """Refuse what a scenario file may not say, though a scenario object may hold it.

    Control characters in ``name`` and ``description``. (An empty ``geography`` list means
    all of Peru, as the field says: the dashboard's downloaded scenarios write it so.)
    """
    for field in ("name", "description"):
        if isinstance(raw.get(field), str) and _CONTROL.search(raw[field]):
            raise ScenarioError(f"{path}: field '{field}' = {short(raw[field])}: holds a "
                                "control character; allowed: printable text")


def _included_parameters(scenario_path: Path, include) -> dict:
    """The ``parameters:`` of a file named under ``include:`` (relative to the scenario)."""
    path = contained_path(scenario_path, include, "include")
    data = load_yaml(path, "included parameters file")
    if not isinstance(data, dict) or set(data) - {"parameters", "note"} or not isinstance(
            data.get("parameters", {}), dict):
        raise ScenarioError(f"{path}: an included file holds only 'parameters:' (a mapping of "
                            "model parameter names to values) and an optional 'note:'")
    return data.get("parameters") or {}


def validate_scenario(raw: dict, source: str = "<scenario>",
                      cli_fields: set[str] | None = None) -> Scenario:
    """Validate a scenario given as a dict; see ``load_scenario`` for the errors."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(_describe(err, raw, source, cli_fields or set())) from None


def _describe(err: ValidationError, raw: dict, source: str, cli_fields: set[str]) -> str:
    """One line per validation problem: file, field, value, what is allowed."""
    lines = []
    for problem in err.errors():
        loc = [p for p in problem["loc"] if p not in ("function-after", "function-before")]
        field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc)
        field = field.replace(".[", "[")
        origin = f" (from --{loc[0]})" if loc and loc[0] in cli_fields else ""
        if problem["type"] == "extra_forbidden":
            allowed = _allowed_fields(loc)
            lines.append(f"{source}: unknown field '{field}'{origin}; allowed fields here: "
                         f"{allowed}")
            continue
        if problem["type"] == "missing":
            lines.append(f"{source}: field '{field}' is missing{origin}; it is required")
            continue
        value = short(problem.get("input", None))
        message = problem["msg"].removeprefix("Value error, ")
        message = message.replace("Input should be", "allowed: a value that is", 1) if (
            message.startswith("Input should be") and problem["type"].endswith(
                ("than", "than_equal"))) else message.replace("Input should be", "allowed:", 1)
        lines.append(f"{source}: field '{field}' = {value}{origin} is not allowed; {message}")
    return "\n".join(lines)


def _allowed_fields(loc: list) -> str:
    """Field names allowed at the parent of ``loc`` in the schema."""
    schema: type[BaseModel] = Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = schema.model_fields[part].annotation if part in schema.model_fields else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            schema = annotation
        else:
            break
    return ", ".join(schema.model_fields)
