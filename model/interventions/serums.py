"""SERUMS: one-year placements of new health graduates in health posts, poorest first.

Every post can hold one SERUMS worker. Each month the program places up to a twelfth of the
yearly placements in empty posts, in the order of its allocation rule (poorest districts
first, or no targeting); a placement serves ``rotation_months`` and leaves a vacancy of
``vacancy_months`` before the next one can arrive. A placed worker adds CRED contact
capacity (treatment of illness is not capacity-limited in the model) and may raise the
post's counselling quality; a post without any worker gives no contacts (``services.py``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from model import calendar
from model.interventions.base import MAX_SOLES, Intervention, InterventionParams
from model.network import recruitment_lag


class SerumsParams(InterventionParams):
    """Parameters of SERUMS placements."""

    placements_per_year: int = Field(6384, ge=0, le=50_000, description=(
        "Placements a year nationwide; program documents: 4,650 (2007) to 6,384 (2013). A "
        "restricted run gets its share by number of posts."))
    rule: Literal["poverty_map", "older"] = Field("poverty_map", description=(
        "poverty_map: poorest districts first (the 2009 retargeting, program documents); "
        "older: no poverty targeting (random order among all posts)."))
    rotation_months: int = Field(12, ge=1, le=36, description=(
        "Months of service; program documents and D3d: one year."))
    vacancy_months: int = Field(2, ge=0, le=24, description=(
        "Months a post stays empty between placements where the labour pool is large; "
        "small, isolated districts take longer (network.recruitment_lag). ASSUMPTION, no "
        "evidence row."),
        json_schema_extra={"draw": ("uniform", 1, 4, "ASSUMPTION", True)})
    counselling_multiplier: float = Field(1.0, ge=0, le=5, description=(
        "Counselling quality at a SERUMS-staffed post relative to others; 1 by default "
        "because D3d finds no evidence that SERUMS improves indicators."),
        json_schema_extra={"draw": ("uniform", 0.9, 1.1,
                                    "ASSUMPTION (D3d: no evidence SERUMS improves indicators)")})
    salary_soles_month: float = Field(3000.0, ge=0, le=MAX_SOLES, description=(
        "Soles per placement per month. ASSUMPTION: no salary in the evidence table."),
        json_schema_extra={"draw": ("uniform", 2000, 4500,
                                    "ASSUMPTION (no salary in the evidence)")})


class Serums(Intervention):
    """SERUMS staffing of health posts."""

    name = "serums"
    Params = SerumsParams

    def setup(self, model) -> None:
        """Order the slots by the allocation rule and find this run's share of placements."""
        self.retarget(model, {"rule", "placements_per_year"})
        self.carry = 0.0

    def retarget(self, model, changed: set[str]) -> None:
        """Slot order and monthly placements (posts keep their current SERUMS staff)."""
        if not changed & {"rule", "placements_per_year"}:
            return
        posts = model.posts
        slotted = np.flatnonzero(posts.serums_slots > 0)
        if self.p.rule == "poverty_map":
            poverty = model.geography.poverty[posts.district[slotted]]
            order = np.argsort(-poverty, kind="stable")
        else:
            order = self.rng.permutation(len(slotted))
        self.order = slotted[order]  # post indices, in the order placements fill them
        nat = model.national_geography
        national_slots = np.maximum(1, np.round(
            nat.population / model.params.residents_per_health_post)).sum()
        self.monthly = (calendar.per_month(self.p.placements_per_year) * len(slotted)
                        / max(1, national_slots))

    def act(self, model) -> None:
        """End terms, place this month's share in the first free slots, count costs."""
        model.effects.offer("serums_counselling", self, self.p.counselling_multiplier)
        posts, step, order = model.posts, model.steps, self.order
        ending = order[(posts.serums_staff[order] != 0) & (posts.serums_until[order] < step)]
        posts.serums_staff[ending] = 0
        posts.vacant_until[ending] = step + recruitment_lag(
            model, self.p.vacancy_months, posts.district[ending]) - 1
        self.carry += self.monthly
        free = order[(posts.serums_staff[order] == 0) & (posts.vacant_until[order] < step)]
        placed = free[:max(0, int(self.carry))]  # one placement per whole unit carried
        posts.serums_staff[placed] = 1
        posts.serums_until[placed] = step + self.p.rotation_months - 1
        self.carry -= len(placed)
        self.carry = min(self.carry, 1.0)  # unfilled placements do not pile up
        staffed = int(posts.serums_staff[order].sum())
        model.outputs.add_cost(self.name, staffed * self.p.salary_soles_month)
        model.outputs.set_coverage(self.name, 100 * staffed / max(1, len(order)))

    def idle(self, model) -> None:
        """Outside its dates no one is placed; terms in progress end."""
        model.posts.serums_staff[getattr(self, "order", [])] = 0
