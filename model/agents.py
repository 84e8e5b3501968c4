"""Mesa agents for the few (health posts, home visitors) and views onto the many.

Health posts and home visitors number in the thousands, so they are ordinary Mesa agents.
Children and households live in arrays (``population.py``); ``ChildView`` and
``HouseholdView`` read one of them for inspection without slowing the monthly step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd
from mesa.agent import AgentSet

from model.population import Area, BirthWeight, Illness, Schooling, Sex, district_children

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel


# A step long before any run, history included (steps are negative before the start): the
# default of "until" and "last" step fields, so that no comparison with them ever holds.
NEVER = -10_000


class HealthPost(mesa.Agent):
    """A primary-care post: staff, a monthly contact capacity and a catchment of households.

    Staffing rule (no facility data yet): each district gets
    ``max(1, round(population / residents_per_health_post))`` posts; each post's permanent
    staff is its rounded share of the district's primary-care workers
    (``health_workers_per_10k`` x ``primary_care_share``), so the smallest rural posts have
    none; every post can hold one SERUMS worker, placed by the SERUMS intervention in the
    order of its allocation rule. A post without workers gives no CRED contacts.
    """

    def __init__(self, model: "ECDModel", district: int, staff: int, serums_slots: int):
        """Create a post in district position ``district``."""
        super().__init__(model)
        self.district = district
        self.staff = staff                  # permanent health workers
        self.serums_slots = serums_slots    # SERUMS positions this post can hold
        self.serums_staff = 0               # SERUMS positions filled this month
        self.serums_until = NEVER           # last step of the current SERUMS term
        self.vacant_until = NEVER           # a new SERUMS can arrive after this step
        self.index = -1                     # position in model.post_list
        self.contacts_used = 0.0            # real-child contacts given this month
        self.households = np.empty(0, dtype=np.int32)  # catchment (household indices)

    @property
    def workers(self) -> int:
        """Health workers on duty this month."""
        return self.staff + self.serums_staff

    @property
    def capacity(self) -> float:
        """Child contacts (real children) the post can give this month."""
        return (self.workers * self.model.params.contacts_per_worker_month
                * self.model.cred_capacity_multiplier)

    @property
    def counselling_multiplier(self) -> float:
        """Counselling quality relative to an ordinary post (higher while SERUMS-staffed)."""
        return self.model.serums_counselling_multiplier if self.serums_staff else 1.0

    def start_month(self) -> None:
        """Reset the month's counters (called in step 2, supply)."""
        self.contacts_used = 0.0


def build_health_posts(model: "ECDModel") -> AgentSet:
    """Create posts per district by the stated rule (see HealthPost) and their catchments."""
    geo, p, hh = model.geography, model.params, model.households
    n_posts = np.maximum(1, np.round(geo.population / p.residents_per_health_post)).astype(int)
    staff = staff_per_post(geo, n_posts, p.health_workers_per_10k, p)
    posts = []
    for d in range(geo.n):
        posts += [HealthPost(model, d, int(staff[d]), serums_slots=1) for _ in range(n_posts[d])]
    first_post = np.concatenate(([0], np.cumsum(n_posts)[:-1]))
    pick = model.streams["population"].random(hh.size)
    hh.health_post[:] = first_post[hh.district] + (pick * n_posts[hh.district]).astype(int)
    order = np.argsort(hh.health_post, kind="stable")
    bounds = np.searchsorted(hh.health_post[order], np.arange(len(posts) + 1))
    for i, post in enumerate(posts):
        post.index = i
        post.households = order[bounds[i]:bounds[i + 1]].astype(np.int32)
    # what CRED rationing needs per post (services.post_demand): real children under five
    # (the district's, shared equally by its posts), simulated children, and department
    district = np.repeat(np.arange(geo.n), n_posts)
    children, _ = district_children(geo, model.national_geography, p)
    model.post_real_children = (children / n_posts)[district]
    model.post_agents = np.bincount(hh.health_post, weights=hh.n_children,
                                    minlength=len(posts)).astype(np.float64)
    model.post_department = geo.department_index[district].astype(np.intp)
    return AgentSet(posts, random=model.random)


def staff_per_post(geo, n_posts: np.ndarray, workers_per_10k: float, params) -> np.ndarray:
    """Permanent staff of each post, by district.

    The district's primary-care workers split among its posts and rounded (the rule of
    HealthPost; small rural posts may have none).
    """
    workers = geo.population * workers_per_10k / 10_000 * params.primary_care_share
    return np.round(workers / np.maximum(n_posts, 1)).astype(int)


def restaff_posts(model: "ECDModel", workers_per_10k: float) -> None:
    """Set every post's permanent staff for a health-worker density (the rule of HealthPost)."""
    geo = model.geography
    n_posts = np.bincount([post.district for post in model.post_list], minlength=geo.n)
    staff = staff_per_post(geo, n_posts, workers_per_10k, model.params)
    for post in model.post_list:
        post.staff = int(staff[post.district])


class HomeVisitor(mesa.Agent):
    """A community home visitor (Cuna Más or municipal) with a caseload of households."""

    def __init__(self, model: "ECDModel", district: int, health_post: int, stipend: float):
        """Create a visitor attached to a district and health post."""
        super().__init__(model)
        self.district = district
        self.health_post = health_post
        self.stipend = stipend                                # soles per month
        self.caseload = np.empty(0, dtype=np.int32)          # household indices
        self.months_in_post = 0
        self.vacant_until = NEVER                             # step when a recruit arrives

    def start_month(self) -> None:
        """Count another month of service (called in step 2, supply)."""
        self.months_in_post += 1


class HouseholdView:
    """Read-only view of one household (by its index in the household arrays)."""

    def __init__(self, model: "ECDModel", index: int):
        """Look at household ``index`` of ``model``."""
        if not 0 <= index < model.population.households.size:
            raise KeyError(f"no household {index}")
        self.model, self.index = model, index

    def _get(self, name: str):
        return getattr(self.model.population.households, name)[self.index]

    @property
    def district(self) -> str:
        """INEI ubigeo of the household's district."""
        return str(self.model.geography.ubigeo[self._get("district")])

    @property
    def area(self) -> Area:
        """Urban or rural."""
        return Area(self._get("area"))

    @property
    def poor(self) -> bool:
        """Monetary poverty this month."""
        return bool(self._get("poor"))

    @property
    def quintile(self) -> int:
        """National welfare quintile, 1 = poorest."""
        return int(self._get("quintile"))

    @property
    def schooling(self) -> Schooling:
        """Mother's schooling."""
        return Schooling(self._get("schooling"))

    @property
    def health_post(self) -> HealthPost:
        """The post whose catchment holds this household."""
        return self.model.health_posts[int(self._get("health_post"))]

    @property
    def children(self) -> list["ChildView"]:
        """The household's children under five (born ones)."""
        kids = self.model.population.children
        slots = np.flatnonzero((kids.household == self.index) & (kids.uid >= 0))
        return [ChildView(self.model, int(kids.uid[s])) for s in slots]

    def as_dict(self) -> dict:
        """All attributes as plain Python values."""
        hh = self.model.population.households
        out = {name: getattr(hh, name)[self.index].item() for name in hh.properties}
        out["district"] = self.district
        return out

    def __repr__(self) -> str:
        """Short description."""
        return (f"Household({self.index}, district={self.district}, {self.area.name.lower()}, "
                f"{'poor' if self.poor else 'non-poor'}, quintile {self.quintile})")


class ChildView:
    """Read-only view of one child, found by its stable ``uid``."""

    def __init__(self, model: "ECDModel", uid: int):
        """Look at child ``uid`` of ``model`` (KeyError if it has left or never existed)."""
        self.model, self.uid = model, uid
        self._slot()

    def _slot(self) -> int:
        hits = np.flatnonzero(self.model.population.children.uid == self.uid)
        if len(hits) == 0:
            raise KeyError(f"child {self.uid} is not in the model (aged out or never born)")
        return int(hits[0])

    def _get(self, name: str):
        return getattr(self.model.population.children, name)[self._slot()]

    @property
    def age_months(self) -> int:
        """Age in completed months."""
        return int(self._get("age_months"))

    @property
    def sex(self) -> Sex:
        """Sex."""
        return Sex(self._get("sex"))

    @property
    def birth_weight(self) -> BirthWeight:
        """Birth weight class."""
        return BirthWeight(self._get("birth_weight"))

    @property
    def haz(self) -> float:
        """Height-for-age z-score."""
        return float(self._get("haz"))

    @property
    def hb(self) -> float:
        """Measured hemoglobin, g/dL."""
        return float(self._get("hb"))

    @property
    def illness(self) -> Illness:
        """Illness episodes this month."""
        return Illness(int(self._get("illness")))

    @property
    def stunted(self) -> bool:
        """HAZ below the stunting cut-off."""
        return self.haz < self.model.params.stunting_cutoff

    @property
    def anemic(self) -> bool:
        """Altitude-adjusted Hb below the cut-off of the scenario's definition (from 6 m)."""
        return bool(self.model.anemic_mask(np.array([self._slot()]))[0])

    @property
    def household(self) -> HouseholdView:
        """The child's household."""
        return HouseholdView(self.model, int(self._get("household")))

    @property
    def history(self) -> pd.DataFrame:
        """Monthly record of this child, if ``model.track`` was asked to follow it."""
        return self.model.tracked_history(self.uid)

    def __repr__(self) -> str:
        """Short description."""
        return (f"Child({self.uid}, {self.age_months} m, HAZ {self.haz:.2f}, "
                f"Hb {self.hb:.1f} g/dL)")
