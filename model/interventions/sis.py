"""SIS, the free public health insurance: care seeking, treatment and antenatal care.

Insurance is a modifier of access (C6e): insured families seek care for a sick child more
often, and treated episodes cost less growth and Hb (``treated_illness_loss_reduction``);
insured mothers get antenatal care more often, which lowers the odds of low birth weight
(C6d), and deliver in facilities more often (recorded; no outcome effect is modelled for
lack of evidence). There is no direct effect on HAZ (C6f).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from model import calendar
from model.interventions.base import (
    MAX_SOLES,
    Intervention,
    InterventionParams,
    year_month,
)
from model.program_outputs import State


class SisParams(InterventionParams):
    """Parameters of SIS insurance."""

    coverage_poor: float = Field(0.72, ge=0, le=1, description=(
        "Share of poor households insured; program documents: more than 70% of the poor after "
        "the 2007 expansion."))
    coverage_nonpoor: float = Field(0.37, ge=0, le=1, description=(
        "Share of non-poor households insured; derived: D2a, non-poor about half as likely "
        "(RRP 0.51) x 0.72."))
    annual_growth: float = Field(0.0, ge=-0.2, le=0.2, description=(
        "Change of both coverages per year (fraction points), capped to 0-1."))
    care_seeking_insured: float = Field(0.6, ge=0, le=1, description=(
        "Chance an insured family takes an ill child for treatment. ASSUMPTION: C6e says "
        "utilisation improved in 32/40 studies, with no size for Peru."),
        json_schema_extra={"draw": ("uniform", 0.4, 0.8,
                                    "ASSUMPTION (C6e: utilisation improved in 32/40 "
                                    "studies, no size)"),
                           "label": "SIS: care seeking of the insured"})
    anc_insured: float = Field(0.97, ge=0, le=1, description=(
        "Chance an insured mother has antenatal care. ASSUMPTION, no evidence row."),
        json_schema_extra={"draw": ("uniform", 0.9, 1.0, "ASSUMPTION")})
    facility_delivery_insured: float = Field(0.9, ge=0, le=1, description=(
        "Chance an insured mother delivers in a facility (recorded as facility_births; no "
        "outcome effect is modelled). ASSUMPTION, no evidence row."),
        json_schema_extra={"draw": ("uniform", 0.8, 0.97, "ASSUMPTION")})
    juntos_automatic_from: str | None = Field(None, description=(
        "Month (YYYY-MM) from which Juntos families are insured automatically (D1e: since "
        "2009); default: always while both programs run."))
    cost_per_insured_child_month: float = Field(10.0, ge=0, le=MAX_SOLES, description=(
        "Soles of claims per insured child per month. ASSUMPTION: no unit cost in the "
        "evidence table."),
        json_schema_extra={"draw": ("uniform", 5, 20, "ASSUMPTION (no unit cost)")})


    @field_validator("juntos_automatic_from", mode="before")
    @classmethod
    def _automatic_month(cls, text):
        return None if text is None else year_month(text)


class Sis(Intervention):
    """SIS health insurance."""

    name = "sis"
    Params = SisParams
    states = (State("households", "sis_insured", bool, False, "insured by SIS this month"),)

    def setup(self, model) -> None:
        """One uniform per household decides insurance against the coverage (stable over time)."""
        self.rank = self.rng.random(model.households.size)

    def idle(self, model) -> None:
        """Outside its dates nobody is insured."""
        model.households.sis_insured[:] = False

    def act(self, model) -> None:
        """Insure households by poverty, then raise care seeking and antenatal care.

        While the child registry runs, a household it misses is affiliated less often
        (registry.py); Juntos families are affiliated whatever the registry says.
        """
        hh, kids = model.households, model.children
        years = calendar.years(model.month_index() - (self.first or model.start_index))
        growth = self.p.annual_growth * years
        coverage = np.where(hh.poor, self.p.coverage_poor, self.p.coverage_nonpoor) + growth
        juntos = hh.juntos != 0  # Juntos families are enrolled automatically (D1e)
        automatic = self.p.juntos_automatic_from
        if automatic is not None and model.month_index() < calendar.parse(automatic):
            juntos = np.zeros_like(juntos)
        # affiliation goes through the child registry (the effect sis_affiliation)
        coverage = coverage * model.effects.read("sis_affiliation")
        hh.sis_insured[:] = (self.rank < np.clip(coverage, 0, 1)) | juntos
        insured_child = hh.sis_insured[kids.household]
        np.maximum(kids.care_prob, np.where(insured_child, self.p.care_seeking_insured, 0),
                   out=kids.care_prob)
        if not model.care_trends:  # a measured trend of care at birth already includes SIS
            np.maximum(hh.anc_prob, np.where(hh.sis_insured, self.p.anc_insured, 0),
                       out=hh.anc_prob)
            np.maximum(hh.facility_prob, np.where(hh.sis_insured,
                                                  self.p.facility_delivery_insured, 0),
                       out=hh.facility_prob)
        n_insured = np.count_nonzero(insured_child)
        model.outputs.add_cost(self.name, model.outputs.real(n_insured)
                               * self.p.cost_per_insured_child_month)
        model.outputs.set_coverage(self.name, 100 * n_insured / kids.size)
