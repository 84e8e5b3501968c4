"""SMS reminders about anemia and check-ups to families of Juntos and the home-visit programs.

A World Bank pilot sent SMS reminders about anemia through Juntos and Cuna Más (program
documents, DESIGN.md §9). Each month, families enrolled in Juntos or visited by a home-visit
program (Cuna Más or the municipal visits) with a child under ``max_child_age_months``
receive ``messages_per_month`` reminders if they own a phone (a fixed draw per household at
``phone_share``). While reminded, a family gives iron drops more often (``adherence_boost``
added to its adherence, interventions/iron.py) and goes to due CRED check-ups more often
(attendance multiplied by ``1 + attendance_boost``, services.attendance_probability). The
reminder does not supply drops or see a child: iron must still be handed out, and the post
still rations its contacts.

No evidence row gives the effect of SMS reminders in Peru, phone ownership among these
families, or the cost of a message: every number here is an ASSUMPTION with a wide range
(``model/analysis/draws.py``). The reminders reach iron and CRED through the effects
``iron_adherence`` and ``cred_attendance`` (``model/effects.py``) in the same month, whatever
the order of the scenario's entries.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from model.interventions.base import MAX_SOLES, Intervention, InterventionParams
from model.population import JuntosStatus


class SmsParams(InterventionParams):
    """Parameters of SMS reminders."""

    phone_share: float = Field(0.75, ge=0, le=1, description=(
        "Share of eligible families who own a phone that receives SMS. ASSUMPTION: no "
        "evidence row gives phone ownership among Juntos or Cuna Más families."),
        json_schema_extra={"draw": ("uniform", 0.5, 0.9, "ASSUMPTION (no ownership figure)")})
    messages_per_month: int = Field(4, ge=1, le=60, description=(
        "Reminders sent to each reached family a month. ASSUMPTION (weekly)."))
    cost_per_message: float = Field(0.10, ge=0, le=MAX_SOLES, description=(
        "Soles per message sent, platform and content included. ASSUMPTION: no unit cost in "
        "the evidence table."),
        json_schema_extra={"draw": ("uniform", 0.03, 0.3, "ASSUMPTION (no unit cost)")})
    adherence_boost: float = Field(0.05, ge=0, le=1, description=(
        "Added to a reminded family's monthly chance of giving the iron drops. ASSUMPTION: no "
        "evidence row; wide range in the draws (0 to 0.15)."),
        json_schema_extra={"draw": ("uniform", 0.0, 0.15, "ASSUMPTION (no evidence row)")})
    attendance_boost: float = Field(0.10, ge=0, le=5, description=(
        "Relative rise of a reminded family's chance of going to a due CRED check-up. "
        "ASSUMPTION: no evidence row; wide range in the draws (0 to 0.3)."),
        json_schema_extra={"draw": ("uniform", 0.0, 0.3, "ASSUMPTION (no evidence row)")})
    max_child_age_months: int = Field(36, ge=1, le=60, description=(
        "Families are reminded while their youngest child is younger than this (months): "
        "the ages of iron drops (to 35 m) and of most CRED check-ups."))
    channel: Literal["juntos", "visits", "both"] = Field("both", description=(
        "Who is reminded: Juntos families, families of a home-visit program, or both."))


class Sms(Intervention):
    """SMS reminders to families of Juntos and the home-visit programs."""

    name = "sms"
    Params = SmsParams

    def setup(self, model) -> None:
        """Draw which households own a phone (a fixed draw, compared with phone_share)."""
        self.phone_u = self.rng.random(model.households.size)

    def act(self, model) -> None:
        """Remind this month's eligible families with a phone; count the messages' cost."""
        eligible = self.eligible(model)
        reached = eligible & (self.phone_u < self.p.phone_share)
        adherence = np.where(reached, np.float32(self.p.adherence_boost), np.float32(0.0))
        self.attendance = np.where(reached, np.float32(self.p.attendance_boost),
                                   np.float32(0.0))
        model.effects.offer("iron_adherence", self, adherence)
        model.effects.offer("cred_attendance", self, self.attendance_factor)
        messages = model.outputs.real(np.count_nonzero(reached)) * self.p.messages_per_month
        model.outputs.add_cost(self.name, messages * self.p.cost_per_message)
        model.outputs.set_coverage(self.name, 100 * np.count_nonzero(reached) / max(
            1, np.count_nonzero(eligible)))

    def attendance_factor(self, model, children: np.ndarray) -> np.ndarray:
        """Multiplier of the CRED attendance of ``children``'s families (1 + the boost)."""
        return 1.0 + self.attendance[model.children.household[children]]

    def eligible(self, model) -> np.ndarray:
        """Households in the channel's programs whose youngest child is young enough."""
        hh = model.households
        in_juntos = hh.juntos != JuntosStatus.NOT_ENROLLED
        visited = hh.visitor >= 0
        program = {"juntos": in_juntos, "visits": visited, "both": in_juntos | visited}
        youngest = model.youngest_child_age()
        return program[self.p.channel] & (youngest >= 0) & (
            youngest < self.p.max_child_age_months)
