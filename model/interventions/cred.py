"""CRED growth monitoring and counselling (the PAN-strengthened routine service).

Families of children due a visit (schedule in ``services.CRED_DUE_AGES``) go with a
probability that falls with distance and discouragement; the health post sees them up to its
capacity; at each contact, caregivers of children under two with inadequate complementary
feeding may adopt adequate feeding (C2a is the effect of that change on HAZ).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from model import services
from model.geography import poverty_floor
from model.interventions.base import Intervention, InterventionParams


class CredParams(InterventionParams):
    """Parameters of CRED growth monitoring and counselling."""

    attendance: float = Field(0.30, ge=0, le=1, description=(
        "Chance a family attends a due visit at distance 0; calibrated on growth monitoring of "
        "under-3s in the last three months (program documents, DESIGN §9): CRED alone gives "
        "~23% (2008: 24%), the whole package ~61% (2016: 58%)."),
        json_schema_extra={"draw": ("uniform", 0.2, 0.4,
                                    "tuned by hand in issue 3 on growth monitoring "
                                    "(program documents)"),
                           "label": "CRED: attendance (status quo)"})
    counselling_adoption: float = Field(0.15, ge=0, le=1, description=(
        "Chance a caregiver with inadequate complementary feeding adopts adequate feeding at a "
        "contact (children under 24 m). ASSUMPTION: no evidence row gives a per-contact "
        "uptake; C2a gives the HAZ effect of the feeding change."),
        json_schema_extra={"draw": ("uniform", 0.05, 0.3, "ASSUMPTION"),
                           "label": "CRED: families adopting the counselling"})
    max_districts: int | None = Field(None, ge=1, le=1874, description=(
        "Only the N poorest districts of the run (e.g. Crecer's 880 priority districts, "
        "program documents); default: all districts."))
    capacity_multiplier: float = Field(1.0, ge=0, le=10, description=(
        "Multiplier of every post's contact capacity (the PAN results-based budget raised "
        "CRED capacity; program documents give no figure)."))


class Cred(Intervention):
    """CRED growth monitoring and counselling at health posts."""

    name = "cred"
    Params = CredParams
    # Entries may overlap: a priority-district layer (Crecer's 880) runs alongside the
    # national program (PAN's capacity), as in scenarios/peru_2000_2019.yaml.
    concurrent_entries = True

    def setup(self, model) -> None:
        """Find the program's districts."""
        self.retarget(model, set())

    def retarget(self, model, changed: set[str]) -> None:
        """The program's districts (all, or the poorest ``max_districts``)."""
        self.in_area = np.ones(model.geography.n, dtype=bool)
        if self.p.max_districts is not None:  # Peru's poorest, whatever the run's region
            self.in_area = model.geography.poverty >= poverty_floor(self.p.max_districts)
        # the same per child (children never change household, nor households district)
        self.child_in_area = self.in_area[model.households.district[model.children.household]]

    def act(self, model) -> None:
        """Due children's families ask for a contact; the post rations (services.py).

        Offers the effects ``cred_capacity`` (its budget) and ``at_cred_contact`` (counselling).
        """
        model.effects.offer("cred_capacity", self, self.p.capacity_multiplier)
        model.effects.offer("at_cred_contact", self, self._counsel)
        kids = model.children
        due = np.flatnonzero(kids.cred_due & self.child_in_area)
        go = self.rng.random(len(due)) < services.attendance_probability(
            model, due, self.p.attendance)
        kids.cred_request[due[go]] = True

    def coverage(self, model) -> float:
        """% of children under 3 with a CRED contact in the last three months (this one too)."""
        kids = model.children
        under3 = kids.age_months < 36
        recent = (model.steps - kids.last_cred_step) < 3
        return 100 * np.count_nonzero(recent & under3) / max(1, np.count_nonzero(under3))

    def _counsel(self, model, seen: np.ndarray) -> None:
        """Counselling for caregivers of children under two seen this month."""
        if not self.is_active(model) or len(seen) == 0:
            return
        kids, hh = model.children, model.households
        young = seen[(kids.age_months[seen] < 24) & self.child_in_area[seen]]
        homes = kids.household[young]
        quality = services.post_counselling(model)[hh.health_post[homes]]
        adoption = np.minimum(1.0, self.p.counselling_adoption * quality)
        services.counselled_feeding(model, homes, adoption, self.rng)
