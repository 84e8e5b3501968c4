"""Health posts and home visitors as arrays with Mesa agents over them; views onto the many.

Health posts and home visitors number in the thousands. Their state lives in small
struct-of-arrays stores held by the model (``model.posts``, ``model.visitor_store``), so
the monthly step handles all of them with a few vector operations; ``HealthPost`` and
``HomeVisitor`` are Mesa agents whose attributes read and write those arrays, for the Mesa
shell, inspection and the classroom. Children and households live in arrays too
(``population.py``); ``ChildView`` and ``HouseholdView`` read one of them for inspection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd
from mesa.agent import AgentSet

from model.population import (
    Area,
    ArrayStore,
    BirthWeight,
    Illness,
    Schooling,
    Sex,
    district_children,
)

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel


# A step long before any run, history included (steps are negative before the start): the
# default of "until" and "last" step fields, so that no comparison with them ever holds.
NEVER = -10_000


def _field(store: str, name: str, kind: type, doc: str, index: str = "index") -> property:
    """An agent attribute that reads and writes entry ``index`` of ``model.<store>.<name>``."""

    def get(agent):
        return kind(getattr(getattr(agent.model, store), name)[getattr(agent, index)])

    def put(agent, value) -> None:
        getattr(getattr(agent.model, store), name)[getattr(agent, index)] = value

    return property(get, put, doc=doc)


class HealthPost(mesa.Agent):
    """A primary-care post: staff, a monthly contact capacity and a catchment of households.

    Staffing rule (no facility data yet): each district gets
    ``max(1, round(population / residents_per_health_post))`` posts; each post's permanent
    staff is its rounded share of the district's primary-care workers
    (``health_workers_per_10k`` x ``primary_care_share``), so the smallest rural posts have
    none; every post can hold one SERUMS worker, placed by the SERUMS intervention in the
    order of its allocation rule. A post without workers gives no CRED contacts.

    The post's state is entry ``index`` of the arrays in ``model.posts`` (see
    ``build_health_posts``); its attributes read and write them.
    """

    district = _field("posts", "district", int, "District position of the post.")
    staff = _field("posts", "staff", int, "Permanent health workers.")
    serums_slots = _field("posts", "serums_slots", int, "SERUMS positions this post can hold.")
    serums_staff = _field("posts", "serums_staff", int, "SERUMS positions filled this month.")
    serums_until = _field("posts", "serums_until", int, "Last step of the current SERUMS term.")
    vacant_until = _field("posts", "vacant_until", int,
                          "A new SERUMS worker can arrive after this step.")
    contacts_used = _field("posts", "contacts_used", float,
                           "Real-child contacts given this month.")

    def __init__(self, model: "ECDModel", index: int):
        """The post at position ``index`` of ``model.posts`` (and of ``model.post_list``)."""
        super().__init__(model)
        self.index = index

    @property
    def households(self) -> np.ndarray:
        """The catchment (household indices)."""
        posts = self.model.posts
        return posts.catchment[posts.catchment_bounds[self.index]:
                               posts.catchment_bounds[self.index + 1]]

    @property
    def workers(self) -> int:
        """Health workers on duty this month."""
        return self.staff + self.serums_staff

    @property
    def capacity(self) -> float:
        """Child contacts (real children) the post can give this month."""
        effects = self.model.effects
        return float(self.workers * self.model.params.contacts_per_worker_month
                     * effects.read("cred_capacity") * effects.read("post_capacity", self.index))

    @property
    def counselling_multiplier(self) -> float:
        """Counselling quality relative to an ordinary post (higher while SERUMS-staffed)."""
        return self.model.effects.read("serums_counselling") if self.serums_staff else 1.0


def build_health_posts(model: "ECDModel") -> AgentSet:
    """Create posts per district by the stated rule (see HealthPost) and their catchments.

    The posts' state goes to ``model.posts``, one entry per post (in district order):
    ``district``, ``staff``, ``serums_slots``, ``serums_staff``, ``serums_until``,
    ``vacant_until``, ``contacts_used``, and what CRED rationing needs (services.post_demand):
    ``real_children`` under five (the district's, shared equally by its posts), ``agents``
    (simulated children) and ``department``; the catchments are ``catchment`` (household
    indices by post) cut at ``catchment_bounds``. Returns the posts' Mesa agents.
    """
    geo, p, hh = model.geography, model.params, model.households
    n_posts = np.maximum(1, np.round(geo.population / p.residents_per_health_post)).astype(int)
    district = np.repeat(np.arange(geo.n), n_posts)
    posts = ArrayStore(len(district))
    posts.add("district", np.intp)[:] = district
    posts.add("staff", np.int64)[:] = staff_per_post(geo, n_posts, p.health_workers_per_10k,
                                                     p)[district]
    posts.add("serums_slots", np.int64, 1)
    posts.add("serums_staff", np.int64, 0)
    posts.add("serums_until", np.int64, NEVER)
    posts.add("vacant_until", np.int64, NEVER)
    posts.add("contacts_used", np.float64, 0.0)
    first_post = np.concatenate(([0], np.cumsum(n_posts)[:-1]))
    pick = model.streams["population"].random(hh.size)
    hh.health_post[:] = first_post[hh.district] + (pick * n_posts[hh.district]).astype(int)
    order = np.argsort(hh.health_post, kind="stable")
    posts.catchment = order.astype(np.int32)
    posts.catchment_bounds = np.searchsorted(hh.health_post[order], np.arange(posts.size + 1))
    children, _ = district_children(geo, model.national_geography, p)
    posts.add("real_children", np.float64)[:] = (children / n_posts)[district]
    posts.add("agents", np.float64)[:] = np.bincount(hh.health_post, weights=hh.n_children,
                                                     minlength=posts.size)
    posts.add("department", np.intp)[:] = geo.department_index[district]
    model.posts = posts
    return AgentSet([HealthPost(model, i) for i in range(posts.size)], random=model.random)


def staff_per_post(geo, n_posts: np.ndarray, workers_per_10k: float, params) -> np.ndarray:
    """Permanent staff of each post, by district.

    The district's primary-care workers split among its posts and rounded (the rule of
    HealthPost; small rural posts may have none).
    """
    workers = geo.population * workers_per_10k / 10_000 * params.primary_care_share
    return np.round(workers / np.maximum(n_posts, 1)).astype(int)


def restaff_posts(model: "ECDModel", workers_per_10k: float) -> None:
    """Set every post's permanent staff for a health-worker density (the rule of HealthPost)."""
    geo, posts = model.geography, model.posts
    n_posts = np.bincount(posts.district, minlength=geo.n)
    posts.staff[:] = staff_per_post(geo, n_posts, workers_per_10k, model.params)[posts.district]


def start_month(model: "ECDModel") -> None:
    """Step 2, supply: every post's contact counter restarts; every visitor serves a month."""
    model.posts.contacts_used[:] = 0.0
    model.visitor_store.months_in_post += 1


def visitor_store() -> ArrayStore:
    """An empty store of home visitors (one entry per visitor ever recruited, never reused).

    ``uid`` is the visitor's Mesa ``unique_id`` (what ``households.visitor`` holds),
    ``district``, ``health_post``, ``stipend`` (soles a month), ``months_in_post`` and
    ``vacant_until`` (the step when a recruit arrives after a departure); ``agents`` holds
    each entry's ``HomeVisitor`` (None once let go). Caseloads are kept by the program
    (``HomeVisits.assigned``).
    """
    store = ArrayStore(0)
    store.add("uid", np.int64, -1)
    store.add("district", np.int64)
    store.add("health_post", np.int64)
    store.add("stipend", np.float64)
    store.add("months_in_post", np.int64)
    store.add("vacant_until", np.int64, NEVER)
    store.agents = []
    return store


class HomeVisitor(mesa.Agent):
    """A community home visitor (Cuna Más or municipal) with a caseload of households.

    The visitor's state is entry ``slot`` of the arrays in ``model.visitor_store``; its
    caseload is kept by its ``program`` (a ``HomeVisits`` intervention).
    """

    district = _field("visitor_store", "district", int, "District position.", "slot")
    health_post = _field("visitor_store", "health_post", int, "Health post index.", "slot")
    stipend = _field("visitor_store", "stipend", float, "Soles per month.", "slot")
    months_in_post = _field("visitor_store", "months_in_post", int,
                            "Months since the visitor started (or replaced the last one).",
                            "slot")
    vacant_until = _field("visitor_store", "vacant_until", int,
                          "Step when a recruit arrives after a departure.", "slot")

    def __init__(self, model: "ECDModel", slot: int, program):
        """The visitor at entry ``slot`` of ``model.visitor_store``, working for ``program``."""
        super().__init__(model)
        self.slot = slot
        self.program = program

    @property
    def caseload(self) -> np.ndarray:
        """Household indices of the visitor's families, in the order they were assigned."""
        return self.program.caseload_of(self.slot)


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
