"""FED: results-based payments to regional governments for coverage of the service packages.

The FED (Fondo de Estímulo al Desempeño, from 2014) pays regional governments for meeting
targets on management indicators and coverage of early-childhood service packages (program
documents, DESIGN.md §9). Here each region in an agreement is offered its share of
``budget_soles_per_year`` (by its children under five) for three targets, measured on its
children over a calendar year: the share of children under one found in the child registry,
the share of children under one with a CRED contact in the last three months, and the share
of children 4-11 months taking iron drops. Each January the previous year is evaluated and
each met target pays a third of the region's allocation (the program's cost).

What the money buys is the region's effort (local_government.py: capacity and stake; the
same formula as municipalities'). Effort above the unpaid level ("push", 0-1) raises CRED
capacity at the region's posts (``capacity_gain``), avoids iron stock-outs (``stockout_cut``)
and adds to its municipalities' effort on the registry (``registry_push``): the regional
health directorates' supplies, staff hours and follow-up of the municipal registries. Every
size here is an ASSUMPTION (no evidence row measures the FED), drawn over wide ranges.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from model import calendar
from model.defaults import DEPARTMENT_ORDER
from model.interventions.base import Intervention, InterventionParams
from model.local_government import regional_push
from model.names import match_department
from model.population import district_children

FED_TARGETS = ("registry", "cred", "iron")


class FedParams(InterventionParams):
    """Parameters of the FED agreements."""

    budget_soles_per_year: float = Field(100e6, ge=0, le=10e9, description=(
        "Soles a year on offer nationwide, shared among regions by children under five; a "
        "restricted run gets its regions' share. ASSUMPTION: the program documents give no "
        "amount."),
        json_schema_extra={"draw": ("uniform", 50e6, 150e6,
                                    "ASSUMPTION (no amount in the program documents)")})
    departments: list[str] = Field(default_factory=list, description=(
        "Regions with an agreement (department names; case and accents ignored); default: "
        "all."))
    registry_target: float = Field(0.6, ge=0, le=1, description=(
        "Share of children under one found in the registry to meet the first target. "
        "ASSUMPTION."))
    cred_target: float = Field(0.6, ge=0, le=1, description=(
        "Share of children under one with a CRED contact in the last three months. "
        "ASSUMPTION."))
    iron_target: float = Field(0.4, ge=0, le=1, description=(
        "Share of children 4-11 months taking iron drops. ASSUMPTION."))
    capacity_gain: float = Field(0.3, ge=0, le=5, description=(
        "Relative rise of CRED capacity at a region's posts at full push. ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.0, 0.6, "ASSUMPTION")})
    stockout_cut: float = Field(0.5, ge=0, le=1, description=(
        "Share of iron stock-outs avoided at full push. ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.2, 0.8, "ASSUMPTION")})
    registry_push: float = Field(0.3, ge=0, le=1, description=(
        "Registry effort added to the region's municipalities at full push. ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.0, 0.6, "ASSUMPTION")})


    @field_validator("departments")
    @classmethod
    def _known_departments(cls, names: list[str]) -> list[str]:
        return [match_department(name, DEPARTMENT_ORDER) for name in names]


class Fed(Intervention):
    """FED agreements with regional governments."""

    name = "fed"
    Params = FedParams
    outputs = {"fed_regions_paid": "regions paid for at least one target last year"}
    phase = "incentives"

    def setup(self, model) -> None:
        """Regions in an agreement, their allocations, and empty yearly counters."""
        self.retarget(model, set())
        self.counts = np.zeros((len(FED_TARGETS), 2, model.regional.size))  # met / asked
        self.running = False

    def retarget(self, model, changed: set[str]) -> None:
        """Regions in an agreement and each one's yearly allocation (soles)."""
        geo, nat, reg = model.geography, model.national_geography, model.regional
        names = set(self.p.departments) or set(geo.departments)
        self.in_agreement = np.array([d in names for d in geo.departments])
        national_children = district_children(nat, nat, model.params)[0].sum()
        self.allocation = (self.p.budget_soles_per_year * reg.children
                           / max(1.0, national_children) * self.in_agreement)

    def act(self, model) -> None:
        """January: evaluate and pay; every month: offer the stake, push services, count."""
        reg = model.regional
        if getattr(self, "running", False):  # last month ran under the agreement: count it
            self._count(model)
        if calendar.is_january(model.month_index()) and self.counts[:, 1].any():
            self._evaluate(model)
        stake = np.where(reg.children > 0, self.allocation / np.maximum(reg.children, 1.0), 0)
        push = regional_push(model) * self.in_agreement
        post_region = model.posts.department
        effects = model.effects
        effects.offer("regional_stake", self, stake)
        effects.offer("post_capacity", self, 1.0 + self.p.capacity_gain * push[post_region])
        effects.offer("post_stockouts", self, 1.0 - self.p.stockout_cut * push[post_region])
        effects.offer("registry_push", self, self.p.registry_push * push)
        model.outputs.set_figure("fed_regions_paid", float(np.count_nonzero(reg.targets_met)))

    def _count(self, model) -> None:
        """Add last month's children to each region's three indicators (before any change)."""
        kids, hh = model.children, model.households
        region = model.municipal.region[hh.district[kids.household]]
        age = kids.age_months
        under1 = (age >= 0) & (age < 12)
        iron_age = (age >= 4) & (age < 12)
        recent = (model.steps - kids.last_cred_step) < 3
        n = model.regional.size
        for k, (met, asked) in enumerate(((under1 & kids.found, under1),
                                          (under1 & recent, under1),
                                          (iron_age & (kids.iron_supplement > 0), iron_age))):
            self.counts[k, 0] += np.bincount(region[met], minlength=n)
            self.counts[k, 1] += np.bincount(region[asked], minlength=n)

    def _evaluate(self, model) -> None:
        """Last year's indicators against the targets; pay each met target a third."""
        reg = model.regional
        share = self.counts[:, 0] / np.maximum(self.counts[:, 1], 1)
        targets = np.array([self.p.registry_target, self.p.cred_target, self.p.iron_target])
        met = (share >= targets[:, None]) & (self.counts[:, 1] > 0)
        reg.targets_met[:] = met.sum(axis=0) * self.in_agreement
        paid = self.allocation * reg.targets_met / len(FED_TARGETS)
        reg.payments += paid
        model.outputs.add_cost(self.name, float(paid.sum()))
        self.counts[:] = 0

    def idle(self, model) -> None:
        """Outside its dates nothing is on offer (its effects are withdrawn)."""
        model.regional.targets_met[:] = 0
