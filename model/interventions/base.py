"""The shared interface of interventions: parameters, timing, registry."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel

INTERVENTIONS: dict[str, type["Intervention"]] = {}


class InterventionParams(BaseModel):
    """Parameters every intervention has: when it runs."""

    model_config = ConfigDict(extra="forbid")
    start: str | None = Field(None, description="First month it runs (YYYY-MM); default: "
                                                "from the scenario's start.")
    end: str | None = Field(None, description="Last month it runs (YYYY-MM); default: to the "
                                              "end of the run.")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _year_month(cls, text):
        if text is None:
            return None
        text = str(text).strip()
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError("allowed: a month written YYYY-MM")
        return text


def month_index(text: str) -> int:
    """Months since year 0 of 'YYYY-MM'."""
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


class Intervention:
    """Base class: subclasses set ``name``, ``Params`` and implement ``act``."""

    name: ClassVar[str] = ""
    Params: ClassVar[type[InterventionParams]] = InterventionParams

    def __init_subclass__(cls, **kwargs):
        """Register every concrete subclass under its ``name``."""
        super().__init_subclass__(**kwargs)
        if cls.name:
            INTERVENTIONS[cls.name] = cls

    def __init__(self, **params):
        """Validate ``params`` against ``Params``."""
        self.p = self.Params.model_validate(params)
        self.first = month_index(self.p.start) if self.p.start else None
        self.last = month_index(self.p.end) if self.p.end else None

    def setup(self, model: "ECDModel") -> None:
        """Prepare state once the model is built (optional)."""

    def change(self, model: "ECDModel", changes: dict) -> None:
        """Update some parameters from now on, keeping the program's state (status quo runs).

        Any field of ``Params`` may change; ``retarget`` then redoes what ``setup`` derived
        from the parameters. An ``end`` before this month stops the program.
        """
        merged = {**self.p.model_dump(), **changes}
        self.p = self.Params.model_validate(merged)
        self.first = month_index(self.p.start) if self.p.start else None
        self.last = month_index(self.p.end) if self.p.end else None
        self.retarget(model, set(changes))

    def retarget(self, model: "ECDModel", changed: set[str]) -> None:
        """Redo what ``setup`` derived from the parameters named in ``changed`` (default: none)."""

    def is_active(self, model: "ECDModel") -> bool:
        """Whether the program runs in the month being simulated."""
        month = model.month_index()
        return (self.first is None or month >= self.first) and (
            self.last is None or month <= self.last)

    def apply(self, model: "ECDModel") -> None:
        """Act on the model if the program runs this month; ``stop`` it when its dates end."""
        if self.is_active(model):
            self.act(model)
            self.running = True
        elif getattr(self, "running", False):
            self.idle(model)
            self.running = False

    def act(self, model: "ECDModel") -> None:
        """The program's monthly work (enrolment, delivery, costs)."""
        raise NotImplementedError

    def idle(self, model: "ECDModel") -> None:
        """Called once, in the first month after the program stops (default: nothing)."""

    def coverage(self, model: "ECDModel") -> float | None:
        """% covered, computed after the month's services (None: ``act`` already set it)."""
        return None
