"""The municipal child registry (Padrón Nominal): who is found for SIS, CRED, iron and Juntos.

The Padrón Nominal (created 2012) is the municipal register of children, notoriously
unreliable, whose quality decides who is found for SIS, CRED, iron and Juntos (program
documents, DESIGN.md §9). Registry quality is a property of each municipality
(``model.municipal``, local_government.py), in two parts:

* ``registration``: the share of its children who get into the registry; a child who will
  is in it from birth with chance ``registered_at_birth`` and otherwise within about
  ``registration_months`` (by age a: ``1 - (1 - registered_at_birth) exp(-a /
  registration_months)``);
* ``data_quality``: the share of registered children whose record is complete (identity
  document, address) so that a program can locate them.

Each child has two fixed uniforms (drawn at birth); it is *found* this month if the first is
below ``registration`` x the age ramp and the second below ``data_quality``. The registry
starts at a quality that rises with the municipality's capacity and moves each month by the
municipality's effort on the registry target (which incentives raise, local_government.py):
``quality += monthly_gain x effort x (1 - quality)``. ``floor`` holds every municipality at or
above a quality (1 = every registry complete).

**What being found changes** (every link an ASSUMPTION: no evidence row measures the registry's
effect; the ranges in the draws are wide):

* CRED scheduling and the start of iron: a due child's family goes to a CRED visit or fetches
  drops with its usual chance if found, ``unfound_attendance`` times that if not (the post
  books registered children; others must come on their own) — ``services.attendance_probability``;
* SIS affiliation: a household with no found child is affiliated with ``unfound_sis`` times
  the usual chance (sis.py);
* Juntos targeting and the municipal anemia visits: a household with no found child joins
  (is found for a visit) only if its fixed draw is below ``unfound_enrolment``; it joins
  later, when one of its children is found (cct.py, home_visits.py).

The calibrated service rates were fitted to 2009-2012, before the registry shaped targeting.
With ``normalise`` (default) they stay the rates of the registry as it started: in each
municipality the found and the missed are weighted so that, at the starting quality, the
average chance is the calibrated one; a registry better than it started (incentives, a floor)
raises coverage, a worse one lowers it. Cost: ``cost_per_found_child_month`` for every found
child (keeping the records).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from model.interventions.base import MAX_SOLES, Intervention, InterventionParams
from model.program_outputs import State


class RegistryParams(InterventionParams):
    """Parameters of the municipal child registry."""

    registration_start: float = Field(0.6, ge=0, le=1, description=(
        "Registration share when the registry starts, at capacity 0; ASSUMPTION (the "
        "registry is 'notoriously unreliable', program documents; no figure)."))
    registration_capacity: float = Field(0.35, ge=0, le=1, description=(
        "Added registration share per unit of municipal capacity (0-1). ASSUMPTION."))
    data_start: float = Field(0.5, ge=0, le=1, description=(
        "Share of registered children with a complete record when the registry starts, at "
        "capacity 0. ASSUMPTION."))
    data_capacity: float = Field(0.4, ge=0, le=1, description=(
        "Added complete-record share per unit of capacity. ASSUMPTION."))
    registered_at_birth: float = Field(0.5, ge=0, le=1, description=(
        "Share of the children who will be registered who are from birth. ASSUMPTION."))
    registration_months: float = Field(3.0, gt=0, le=60, description=(
        "Months over which the rest are registered (exponential ramp). ASSUMPTION."))
    monthly_gain: float = Field(0.04, ge=0, le=1, description=(
        "Share of the gap to a full registry closed in a month at full effort (both parts). "
        "ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.01, 0.07, "ASSUMPTION")})
    floor: float | None = Field(None, ge=0, le=1, description=(
        "Every municipality's registration and data quality held at or above this share "
        "(1 = every registry complete); default: none."))
    unfound_attendance: float = Field(0.5, ge=0, le=1, description=(
        "Relative chance a family whose child is not found goes to a due CRED visit or "
        "fetches iron drops. ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.2, 0.8, "ASSUMPTION")})
    unfound_sis: float = Field(0.6, ge=0, le=1, description=(
        "Relative chance a household with no found child is affiliated to SIS. ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.3, 0.9, "ASSUMPTION")})
    unfound_enrolment: float = Field(0.3, ge=0, le=1, description=(
        "Share of households with no found child that Juntos or the municipal visits find "
        "anyway (a fixed draw per household). ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.1, 0.5, "ASSUMPTION")})
    normalise: bool = Field(True, description=(
        "Keep the calibrated service rates as those of the registry as it started (module "
        "doc); false: the found get the calibrated rates and the missed less."))
    cost_per_found_child_month: float = Field(0.5, ge=0, le=MAX_SOLES, description=(
        "Soles a month per child found (keeping the record). ASSUMPTION."))


class Registry(Intervention):
    """The Padrón Nominal: municipal registries that decide who programs find."""

    name = "registry"
    Params = RegistryParams
    # two fixed uniforms per child, drawn at birth for every child (ECDModel, "local"
    # stream) against the municipality's registration and data quality; "found" =
    # registered with complete data this month
    states = (State("children", "registry_u", np.float32, 0.0, "luck against registration"),
              State("children", "registry_data_u", np.float32, 0.0,
                    "luck against complete data"),
              State("children", "found", bool, True,
                    "registered with complete data this month"))
    phase = "registry"

    def setup(self, model) -> None:
        """Start every municipality's registry at its capacity's quality; draw household luck."""
        mun, p = model.municipal, self.p
        mun.registration[:] = np.minimum(1.0, p.registration_start
                                         + p.registration_capacity * mun.capacity)
        mun.data_quality[:] = np.minimum(1.0, p.data_start + p.data_capacity * mun.capacity)
        ramp = self.age_ramp(np.arange(60))
        # share found as the registry starts, before any floor: the calibrated rates' own
        self.reference = mun.registration * mun.data_quality * ramp.mean()
        self._apply_floor(model)
        self.household_u = self.rng.random(model.households.size)
        self.found_household = np.ones(model.households.size, dtype=bool)

    def retarget(self, model, changed: set[str]) -> None:
        """A new floor applies at once."""
        self._apply_floor(model)

    def _apply_floor(self, model) -> None:
        if self.p.floor is not None:
            np.maximum(model.municipal.registration, self.p.floor,
                       out=model.municipal.registration)
            np.maximum(model.municipal.data_quality, self.p.floor,
                       out=model.municipal.data_quality)

    def age_ramp(self, age: np.ndarray) -> np.ndarray:
        """Share of the eventually registered who are registered by ``age`` months."""
        return 1 - (1 - self.p.registered_at_birth) * np.exp(-age / self.p.registration_months)

    def act(self, model) -> None:
        """The month: quality moves with effort; find this month's children; count cost."""
        mun, kids, hh = model.municipal, model.children, model.households
        self._offer_gates(model)
        gain = self.p.monthly_gain * np.minimum(1.0, mun.effort_registry + self.region_push(
            model))
        mun.registration += gain * (1 - mun.registration)
        mun.data_quality += gain * (1 - mun.data_quality)
        self._apply_floor(model)
        district = hh.district[kids.household]
        born = kids.age_months >= 0
        ramp = self.age_ramp(np.maximum(kids.age_months, 0).astype(np.float32))
        kids.found[:] = ((kids.registry_u < mun.registration[district] * ramp)
                         & (kids.registry_data_u < mun.data_quality[district]))
        missed = np.bincount(kids.household, weights=born & ~kids.found, minlength=hh.size)
        found = np.bincount(kids.household, weights=born & kids.found, minlength=hh.size)
        # a household is found through any of its children (one without born children is
        # not looked for: nothing gates it)
        self.found_household = (found > 0) | (missed == 0)
        n_found = np.count_nonzero(kids.found & born)
        model.outputs.add_cost(self.name, model.outputs.real(n_found)
                               * self.p.cost_per_found_child_month)
        model.outputs.set_coverage(self.name, 100 * n_found / max(1, np.count_nonzero(born)))

    def region_push(self, model) -> np.ndarray:
        """Registry effort a municipality gets from its region's FED work (0 without FED)."""
        return model.effects.read("registry_push", model.municipal.region)

    def idle(self, model) -> None:
        """Outside its dates the registry gates nothing (its effects are withdrawn)."""
        model.children.found[:] = True
        self.found_household[:] = True

    # --- the gates (read by the programs) ---------------------------------------------------

    def _offer_gates(self, model) -> None:
        """Offer the effects by which being found gates CRED, iron, SIS and enrolment."""
        effects = model.effects
        effects.offer("cred_attendance", self, self.attendance_factor)
        effects.offer("sis_affiliation", self, self.sis_factor)
        effects.offer("findable", self, self.findable)

    def _norm(self, model, districts: np.ndarray, factor: float) -> np.ndarray:
        """Average chance at the starting quality, for dividing (1 without ``normalise``)."""
        if not self.p.normalise:
            return np.ones(len(districts))
        start = self.reference[districts]
        return start + (1 - start) * factor

    def attendance_factor(self, model, children: np.ndarray) -> np.ndarray:
        """Multiplier of the chance the families of ``children`` go to CRED or fetch iron."""
        district = model.households.district[model.children.household[children]]
        factor = self.p.unfound_attendance
        return (np.where(model.children.found[children], 1.0, factor)
                / self._norm(model, district, factor))

    def sis_factor(self, model, households=None) -> np.ndarray:
        """Multiplier of every household's chance of SIS affiliation (all households)."""
        factor = self.p.unfound_sis
        return (np.where(self.found_household, 1.0, factor)
                / self._norm(model, model.households.district, factor))

    def findable(self, model, households=None) -> np.ndarray:
        """Households Juntos or the municipal visits can find this month (all households)."""
        return self.found_household | (self.household_u < self.p.unfound_enrolment)
