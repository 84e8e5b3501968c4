"""Juntos, the conditional cash transfer.

Targeting is geographic (districts above a poverty threshold, an explicit list, or a rollout
schedule), then by household poverty with inclusion and exclusion errors; each January,
enrolled households no longer targeted (out of poverty, unless an inclusion error) leave.
Enrolled families are asked to take their children to their due CRED visits (and mothers
to antenatal care); whether they go is behaviour: it falls with distance and after being
turned away at a full post (services.py). Compliance is verified monthly from the previous
month's visits; every ``period_months`` compliant families are paid ``transfer_soles`` and
the others are suspended for that period. Pathways: service use (CRED contacts, antenatal
care: the evidence, C1c-C1d, finds no direct effect on nutrition) and income (a small
reduction in faltering while paid, from C1a). Enrolled families are insured automatically
when the SIS program runs (D1e; see sis.py). While the child registry runs, a targeted
household none of whose children it finds joins only if the registry's fixed draw lets it
(registry.py), or later, once a child is found.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from model import calendar
from model.geography import national_poverty, poverty_floor
from model.interventions.base import (
    MAX_SOLES,
    Districts,
    Intervention,
    InterventionParams,
    Month,
)
from model.population import JuntosStatus
from model.program_outputs import State
from model.services import attendance_probability


class RolloutStep(BaseModel):
    """Districts joining Juntos from a month: a list, or all above a poverty threshold."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    start: Month = Field(description="Month the districts join (YYYY-MM).")
    districts: Districts = Field(default_factory=list, description="INEI ubigeo codes.")
    poverty_threshold: float | None = Field(None, ge=0, le=1, description=(
        "Or: every district with poverty at or above this share."))
    max_districts: int | None = Field(None, ge=1, le=1874, description=(
        "With a threshold: at most this many districts, poorest first (Peru has 1,874)."))


def rollout_districts(rollout: list[RolloutStep], geo, month: int) -> np.ndarray:
    """Boolean per district of ``geo``: included by the roll-out steps begun by ``month``.

    A step's ``max_districts`` counts Peru's poorest, whatever the run's region.
    """
    on = np.zeros(geo.n, dtype=bool)
    for step in rollout:
        if calendar.parse(step.start) > month:
            continue
        if step.districts:
            on |= np.isin(geo.ubigeo, step.districts)
        if step.poverty_threshold is not None:
            floor = step.poverty_threshold
            if step.max_districts:
                national = national_poverty() >= step.poverty_threshold
                floor = max(floor, poverty_floor(step.max_districts, national))
            on |= geo.poverty >= floor
    return on


class CctParams(InterventionParams):
    """Parameters of Juntos."""

    district_poverty_threshold: float = Field(0.40, ge=0, le=1, description=(
        "Districts with monetary poverty above this share are eligible; D1e (> 40%)."))
    districts: Districts = Field(default_factory=list, description=(
        "Explicit list of eligible districts (ubigeo); overrides the threshold."))
    rollout: list[RolloutStep] = Field(default_factory=list, description=(
        "Schedule of districts joining; overrides threshold and list."))
    exclusion_error: float = Field(0.2, ge=0, le=1, description=(
        "Share of poor households in eligible districts left out. ASSUMPTION, no evidence "
        "row."),
        json_schema_extra={"draw": ("uniform", 0.1, 0.35, "ASSUMPTION")})
    inclusion_error: float = Field(0.1, ge=0, le=1, description=(
        "Share of non-poor households in eligible districts enrolled. ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.05, 0.2, "ASSUMPTION")})
    transfer_soles: float = Field(200.0, ge=0, le=MAX_SOLES, description=(
        "Soles per payment; program documents and D1a (200 every two months). At most "
        "MAX_SOLES (ASSUMPTION: plausibility limit)."))
    period_months: int = Field(2, ge=1, le=12, description="Months between payments; D1a.")
    attendance: float = Field(0.93, ge=0, le=1, description=(
        "Chance an enrolled family goes to a due CRED visit at distance 0; derived from "
        "program documents: 24% of under-3s monitored + 69 points for Juntos children."),
        json_schema_extra={"draw": ("beta", 0.86, 0.98,
                                    "derived from program documents (93%); width ASSUMPTION")})
    anc_enrolled: float = Field(0.98, ge=0, le=1, description=(
        "Chance an enrolled mother has antenatal care (a co-responsibility). ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.9, 1.0, "ASSUMPTION")})
    falter_relief: float = Field(0.0017, ge=0, le=0.05, description=(
        "z per month less faltering at 0-23 m while paid (income, diet); derived from C1a: "
        "+0.04 SD (not significant) over ~24 months."),
        json_schema_extra={"draw": ("uniform", 0.0, 0.0034,
                                    "C1a: +0.04 SD, not significant: from none to twice "
                                    "the point estimate")})


class Cct(Intervention):
    """Juntos conditional cash transfer."""

    name = "cct"
    Params = CctParams
    states = (State("households", "juntos", np.int8, JuntosStatus.NOT_ENROLLED,
                    "standing in Juntos (JuntosStatus)"),
              State("households", "last_transfer_step", np.int32, -10_000,
                    "step of the last Juntos payment"))
    outputs = {"cct_households_paid": "households paid in a payment month (real)"}

    def setup(self, model) -> None:
        """Draw each household's targeting error once; find the eligible districts."""
        rng = self.rng
        self.u_exclusion = rng.random(model.households.size)  # one draw per error, per household
        self.u_inclusion = rng.random(model.households.size)
        self.missed = np.zeros(model.households.size, dtype=bool)
        self.paid_last = 0.0
        # z/month less faltering from the transfer's income, per household (0 when unpaid)
        self.relief = np.zeros(model.households.size, dtype=np.float32)
        model.effects.offer("income_relief", self, self.relief)

    def eligible_districts(self, model) -> np.ndarray:
        """Boolean per district of the run: Juntos operates there this month."""
        geo = model.geography
        if self.p.rollout:
            return rollout_districts(self.p.rollout, geo, model.month_index())
        if self.p.districts:
            return np.isin(geo.ubigeo, self.p.districts)
        return geo.poverty > self.p.district_poverty_threshold

    def _in_area(self, model) -> np.ndarray:
        """Boolean per household: Juntos operates in its district this month.

        Kept while the parameters and the roll-out steps begun stay the same.
        """
        month = model.month_index()
        key = (self.p, tuple(calendar.parse(step.start) <= month for step in self.p.rollout))
        cached = getattr(self, "_area_cache", None)
        if cached is None or cached[0] is not key[0] or cached[1] != key[1]:
            cached = self._area_cache = (*key, self.eligible_districts(model)[
                model.households.district])
        return cached[2]

    def act(self, model) -> None:
        """Enrol, verify last month's visits, ask for this month's, pay every period."""
        hh, kids, rng = model.households, model.children, self.rng
        in_area = self._in_area(model)
        targeted = in_area & np.where(hh.poor, self.u_exclusion >= self.p.exclusion_error,
                                      self.u_inclusion < self.p.inclusion_error)
        if calendar.is_january(model.month_index()):  # re-certification: the untargeted leave
            leaving = (hh.juntos != JuntosStatus.NOT_ENROLLED) & ~targeted
            hh.juntos[leaving] = JuntosStatus.NOT_ENROLLED
        joining = targeted & (hh.juntos == JuntosStatus.NOT_ENROLLED)
        joining &= model.effects.read("findable")  # targeting finds children via the registry
        hh.juntos[joining] = JuntosStatus.ENROLLED
        enrolled = hh.juntos != JuntosStatus.NOT_ENROLLED
        enrolled_child = enrolled[kids.household]

        # Verification: a child due last month and not seen breaks the co-responsibility.
        last_month = kids.cred_due_last & ~kids.cred_seen_last & enrolled_child
        self.missed[kids.household[last_month]] = True

        # This month's co-responsibilities: due visits and antenatal care.
        due = np.flatnonzero(kids.cred_due & enrolled_child)
        go = rng.random(len(due)) < attendance_probability(model, due, self.p.attendance)
        kids.cred_request[due[go]] = True
        np.maximum(hh.anc_prob, np.where(enrolled, self.p.anc_enrolled, 0), out=hh.anc_prob)

        first = self.first if self.first is not None else model.start_index
        if (model.month_index() - first) % self.p.period_months == self.p.period_months - 1:
            self._pay(model, enrolled)
        n_enrolled = np.count_nonzero(enrolled)
        model.outputs.set_coverage(self.name, 100 * n_enrolled / hh.size)

    def idle(self, model) -> None:
        """Outside its dates nobody is enrolled or paid, and the income effect stops."""
        hh = model.households
        if (hh.juntos != JuntosStatus.NOT_ENROLLED).any() or (self.relief > 0).any():
            stopped = np.flatnonzero(self.relief > 0)
            hh.juntos[:] = JuntosStatus.NOT_ENROLLED
            self.relief[:] = 0
            model.refresh_household_risk(stopped)

    def _pay(self, model, enrolled: np.ndarray) -> None:
        hh = model.households
        paid = enrolled & ~self.missed
        hh.juntos[enrolled] = np.where(paid[enrolled], JuntosStatus.ENROLLED,
                                       JuntosStatus.SUSPENDED)
        changed = np.flatnonzero((self.relief > 0) != paid)
        self.relief[:] = np.where(paid, np.float32(self.p.falter_relief), np.float32(0))
        model.effects.offer("income_relief", self, self.relief)
        if len(changed):
            model.refresh_household_risk(changed)
        hh.last_transfer_step[paid] = model.steps
        self.paid_last = model.outputs.real(np.count_nonzero(paid))
        model.outputs.add_cost(self.name, self.paid_last * self.p.transfer_soles)
        model.outputs.set_figure("cct_households_paid", self.paid_last)
        self.missed[:] = False
