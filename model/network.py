"""The district graph in the month: neighbours, cross-border care, labour pools.

The 5,202 shared borders of Peru's districts (``geography.graph``) carry three mechanisms:

* **Cross-border care** (``cross_border_care``, used by ``services.serve_cred``): a family
  turned away at a full post, or whose post has no health worker, tries the nearest
  neighbouring district (by the distance between the two capitals) that has a staffed post
  with room this month, with chance ``cross_border_care x exp(-km / attendance_distance_km)``;
  that district's posts serve such visitors up to their spare capacity. A district without
  neighbours (the Titicaca islands Amantaní and Anapia) has nowhere to go.
* **Labour pools** (``recruitment_factor``): home visitors and SERUMS workers are found in a
  district's own population and ``neighbour_labour_share`` of its neighbours'; a place is
  filled after the program's lag times ``1 + recruitment_pool_half / pool``, so small,
  isolated districts fill places slower.
* **Copying** (local_government.decide): a municipality copies a paid neighbour's effort.

Every strength is an ASSUMPTION (``model/defaults.py``, "Local government"), drawn over wide
ranges; setting it to 0 switches the mechanism off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG), as in the data's polygon areas


class Neighbours:
    """The border graph of a run's districts as arrays (compressed rows, nearest first)."""

    def __init__(self, geo):
        """District ``i``'s neighbours are ``indices[indptr[i]:indptr[i + 1]]``, nearest first.

        ``km`` is the great-circle distance between the two capitals; ``population`` the
        districts' 2019 population (for labour pools).
        """
        graph = geo.graph
        rows = [sorted(graph.neighbors(i)) for i in range(geo.n)]
        self.indptr = np.zeros(geo.n + 1, dtype=np.int64)
        self.indptr[1:] = np.cumsum([len(r) for r in rows])
        indices = np.array([j for r in rows for j in r], dtype=np.int64)
        source = np.repeat(np.arange(geo.n), np.diff(self.indptr))
        km = capital_distance_km(geo, source, indices)
        order = np.lexsort((km, source))  # by district, nearest neighbour first
        self.indices, self.km = indices[order], km[order]
        self.population = np.asarray(geo.population, dtype=float)

    def cut(self) -> None:
        """Remove every edge (what-if: no district can reach another)."""
        self.indices = self.indices[:0]
        self.km = self.km[:0]
        self.indptr = np.zeros_like(self.indptr)

    def maximum(self, values: np.ndarray) -> np.ndarray:
        """Per district, the largest of ``values`` over its neighbours (-inf without any)."""
        out = np.full(len(self.indptr) - 1, -np.inf)
        if len(self.indices) == 0:
            return out
        has = np.diff(self.indptr) > 0
        out[has] = np.maximum.reduceat(values[self.indices], self.indptr[:-1][has])
        return out

    def nearest(self, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per district, its nearest neighbour with ``allowed`` True (-1 if none) and the km."""
        n = len(self.indptr) - 1
        target = np.full(n, -1, dtype=np.int64)
        km = np.full(n, np.inf)
        ok = allowed[self.indices]
        if not ok.any():
            return target, km
        source = np.repeat(np.arange(n), np.diff(self.indptr))[ok]
        first = np.unique(source, return_index=True)[1]  # rows are nearest first
        target[source[first]] = self.indices[ok][first]
        km[source[first]] = self.km[ok][first]
        return target, km

    def labour_pool(self, neighbour_share: float) -> np.ndarray:
        """Residents each district recruits from: its own and a share of its neighbours'."""
        n = len(self.indptr) - 1
        source = np.repeat(np.arange(n), np.diff(self.indptr))
        around = np.bincount(source, weights=self.population[self.indices], minlength=n)
        return self.population + neighbour_share * around


def capital_distance_km(geo, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle km between the capitals of districts ``a`` and ``b`` (haversine)."""
    lat1, lon1, lat2, lon2 = (np.radians(x) for x in (geo.lat[a], geo.lon[a], geo.lat[b],
                                                      geo.lon[b]))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))


def recruitment_factor(model: "ECDModel") -> np.ndarray:
    """Per district, how many times the program's lag a place takes to fill (>= 1)."""
    p = model.params
    key = (p.neighbour_labour_share, p.recruitment_pool_half, len(model.network.indices))
    kept = getattr(model, "_recruitment_factor", None)
    if kept is None or kept[0] != key:
        pool = model.network.labour_pool(p.neighbour_labour_share)
        kept = model._recruitment_factor = (key, 1.0 + p.recruitment_pool_half
                                            / np.maximum(pool, 1.0))
    return kept[1]


def recruitment_lag(model: "ECDModel", months: int, districts: np.ndarray) -> np.ndarray:
    """Months to fill places in ``districts`` given a program's lag of ``months``."""
    return np.rint(months * recruitment_factor(model)[districts]).astype(np.int64)


def cross_border_care(model: "ECDModel", requests: np.ndarray, post: np.ndarray,
                      capacity: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Which of the unserved ``requests`` (children, at posts ``post``) are seen across a border.

    ``capacity`` and ``used`` are every post's contacts (real children) this month and those
    already given. Returns a boolean per request. Draws from the services stream only when
    some family tries.
    """
    p, geo = model.params, model.geography
    seen = np.zeros(len(requests), dtype=bool)
    if p.cross_border_care <= 0 or len(requests) == 0 or len(model.network.indices) == 0:
        return seen
    posts = model.posts
    spare_post = np.maximum(0.0, capacity - used)
    spare = np.bincount(posts.district, weights=spare_post, minlength=geo.n)
    target, km = model.network.nearest(spare > 0)
    district = posts.district[post]
    goes_to = target[district]
    chance = p.cross_border_care * np.exp(-km[district] / p.attendance_distance_km)
    trying = np.flatnonzero(goes_to >= 0)
    if len(trying) == 0:
        return seen
    rng = model.streams["services"]
    trying = trying[rng.random(len(trying)) < chance[trying]]
    demand = model.outputs.real(np.bincount(goes_to[trying], minlength=geo.n))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(demand > 0, np.minimum(1.0, spare / demand), 0.0)
    served = trying[rng.random(len(trying)) < share[goes_to[trying]]]
    seen[served] = True
    # the host district's posts give those contacts, in proportion to their room
    host = goes_to[served]
    given = model.outputs.real(np.bincount(host, minlength=geo.n))
    room_share = spare_post / np.maximum(spare[posts.district], 1e-12)
    posts.contacts_used += given[posts.district] * room_share
    return seen
