"""The shared interface of interventions: parameters, timing, registry."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from model import calendar
from model.safe_yaml import short

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel

INTERVENTIONS: dict[str, type["Intervention"]] = {}
# The order in which programs act within their phase of the month (``ECDModel.step``),
# whatever order a scenario lists them in: incentives before the registry, reminders before
# the services they remind about, enrolment before the services that read it. A program not
# named here acts after these, by name.
PROGRAM_ORDER = ("fed", "sello", "registry", "sms", "sis", "cct", "cred", "serums",
                 "home_visits", "municipal_visits", "iron")


def year_month(text) -> str:
    """``text`` checked as a month written YYYY-MM, 1900-01 to 2100-12 (ValueError if not)."""
    text = str(text).strip() if isinstance(text, (str, int)) and not isinstance(
        text, bool) else ""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not (1900 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise ValueError("allowed: a month written YYYY-MM, from 1900-01 to 2100-12")
    return text


def check_districts(codes: list) -> list[str]:
    """``codes`` checked as INEI ubigeo codes of the 2017 frame.

    Raises ValueError naming the first unknown one.
    """
    from model import geography  # the district table, read once per process

    valid = set(geography.district_codes())
    for code in codes:
        if not isinstance(code, str) or code not in valid:
            raise ValueError(f"unknown district {short(code)}; allowed: a 6-digit INEI ubigeo of "
                             "the 2017 frame (see model/data/peru_districts.csv)")
    return codes


# A month (YYYY-MM, 1900-01 to 2100-12) and a list of existing districts, as field types.
Month = Annotated[str, BeforeValidator(year_month)]
Districts = Annotated[list[str], AfterValidator(check_districts)]
# ASSUMPTION: plausibility limit for soles amounts (a month's stipend, salary, transfer or
# unit cost): 100,000 soles is about 100 times Peru's minimum monthly wage (1,025 in 2022).
MAX_SOLES = 100_000.0


class InterventionParams(BaseModel):
    """Parameters every intervention has: when it runs.

    Types are strict (no bool for a number, no fraction for an integer) and numbers finite.
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    start: str | None = Field(None, description="First month it runs (YYYY-MM); default: "
                                                "from the scenario's start.")
    end: str | None = Field(None, description="Last month it runs (YYYY-MM); default: to the "
                                              "end of the run.")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _year_month(cls, text):
        return None if text is None else year_month(text)

    @model_validator(mode="after")
    def _end_after_start(self):
        if self.start and self.end and calendar.parse(self.end) < calendar.parse(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}; allowed: an end "
                             "in or after the start month")
        return self


class Intervention:
    """Base class: subclasses set ``name``, ``Params`` and implement ``act``.

    ``self.p`` holds the validated parameters; ``self.rng`` is the program's own random
    stream (``programs.keyed_stream``, keyed by its type and dates), set before ``setup``.
    A program acts on others only through effects (``model/effects.py``), which are
    withdrawn when it stops.
    """

    name: ClassVar[str] = ""
    Params: ClassVar[type[InterventionParams]] = InterventionParams
    # Whether a scenario may list entries of this program running in the same months
    # (config refuses overlapping entries otherwise: costs and effects would count twice).
    concurrent_entries: ClassVar[bool] = False
    # When in the month it acts (ECDModel.step): "incentives" and "registry" in step 2 (local
    # government: incentive programs evaluate, pay and offer stakes; municipalities decide in
    # January; then the registry moves), "programs" in step 3 (services to families).
    phase: ClassVar[str] = "programs"
    # Arrays the program keeps per household or child (``program_outputs.State``); the model
    # adds those of every program type, so others may read them whether or not it runs.
    states: ClassVar[tuple] = ()
    # National figures it reports besides ``cost:<name>`` and ``coverage:<name>``: name ->
    # meaning (reported with ``model.outputs.set_figure``).
    outputs: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs):
        """Register every concrete subclass under its ``name``."""
        super().__init_subclass__(**kwargs)
        if cls.name:
            INTERVENTIONS[cls.name] = cls

    def __init__(self, **params):
        """Validate ``params`` against ``Params``."""
        self.p = self.Params.model_validate(params)
        self.first = calendar.parse(self.p.start) if self.p.start else None
        self.last = calendar.parse(self.p.end) if self.p.end else None

    def setup(self, model: "ECDModel") -> None:
        """Prepare state once the model is built (optional)."""

    def change(self, model: "ECDModel", changes: dict) -> None:
        """Update some parameters from now on, keeping the program's state (status quo runs).

        Any field of ``Params`` may change; ``retarget`` then redoes what ``setup`` derived
        from the parameters. An ``end`` before this month stops the program.
        """
        merged = {**self.p.model_dump(), **changes}
        self.p = self.Params.model_validate(merged)
        self.first = calendar.parse(self.p.start) if self.p.start else None
        self.last = calendar.parse(self.p.end) if self.p.end else None
        self.retarget(model, set(changes))

    def retarget(self, model: "ECDModel", changed: set[str]) -> None:
        """Redo what ``setup`` derived from the parameters named in ``changed`` (default: none)."""

    def is_active(self, model: "ECDModel") -> bool:
        """Whether the program runs in the month being simulated."""
        return self.runs_in(model.month_index())

    def runs_in(self, month: int) -> bool:
        """Whether the program's dates include ``month`` (a month index)."""
        return (self.first is None or month >= self.first) and (
            self.last is None or month <= self.last)

    def order_key(self) -> tuple:
        """Where the program acts in its phase: ``PROGRAM_ORDER``, then by dates and parameters.

        Entries of one type run in the order of their start, end and parameters, so that
        the order of a scenario's entries never matters.
        """
        rank = PROGRAM_ORDER.index(self.name) if self.name in PROGRAM_ORDER else len(
            PROGRAM_ORDER)
        return (rank, self.name, -math.inf if self.first is None else self.first,
                math.inf if self.last is None else self.last, self.entry_text())

    def entry_text(self) -> str:
        """The program's type and parameters as canonical text."""
        return self.name + json.dumps(self.p.model_dump(mode="json"), sort_keys=True)

    def stream_key(self) -> str:
        """Its type and dates: what keys its random stream.

        Not its other parameters, so that a scenario changing them draws the same numbers
        (common random numbers across a sweep or a comparison).
        """
        return f"{self.name}|{self.p.start}|{self.p.end}"

    def apply(self, model: "ECDModel") -> None:
        """Act on the model if the program runs this month; ``stop`` it when its dates end."""
        if self.is_active(model):
            self.act(model)
            self.running = True
        elif getattr(self, "running", False):
            self.idle(model)
            model.effects.withdraw(self)
            self.running = False

    def act(self, model: "ECDModel") -> None:
        """The program's monthly work (enrolment, delivery, costs)."""
        raise NotImplementedError

    def idle(self, model: "ECDModel") -> None:
        """Called once, in the first month after the program stops (default: nothing)."""

    def govern(self, model: "ECDModel") -> None:
        """Step 2's incentive work of a step-3 program while it runs (default: nothing).

        A program run by local governments (the municipal visits) evaluates last year's
        targets, pays and offers its stake here, before the January decisions.
        """

    def coverage(self, model: "ECDModel") -> float | None:
        """% covered, computed after the month's services (None: ``act`` already set it)."""
        return None


def program_states() -> list:
    """Every array declared by the health services and the program types, in that order."""
    from model import services

    return list(services.STATES) + [state for cls in INTERVENTIONS.values()
                                    for state in cls.states]


def program_outputs() -> dict[str, str]:
    """Every national figure the services and programs may report, with its meaning."""
    from model import services

    declared = dict(services.OUTPUTS)
    for cls in INTERVENTIONS.values():
        declared.update(cls.outputs)
    return declared
