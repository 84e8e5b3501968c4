"""Local government: district municipalities and regional governments, on the district graph.

Peru's second generation of early-childhood reforms pays local governments for results
(program documents, DESIGN.md §9): the FED pays regional governments for coverage targets, the
Sello Municipal and the 2019 municipal anemia visits pay municipalities, and the municipal
child registry (Padrón Nominal) decides who is found for SIS, CRED, iron and Juntos.

Every district of a run has a ``Municipality`` and every department a ``RegionalGovernment``
(Mesa agents over the arrays ``model.municipal`` and ``model.regional``, like the health
posts). Each has a **capacity** (0-1): a logistic index of the district's 2019 human
development index (our staff and budget proxy: the data hold no municipal budget), its
population (scale of the administration) and its rural share (remoteness), standardised over
all of Peru so that a one-department run keeps national meanings; a region's capacity is the
population-weighted mean of its districts'. Every weight is an ASSUMPTION
(``model/defaults.py``, "Local government").

**Effort responds to incentives, limited by capacity.** Each January (step 2 of
``ECDModel.step``) every municipality sets its effort on each target (``registry``: the
quality of its child registry; ``visits``: the coverage of its anemia home visits) and every
region its effort on the FED's service targets:

    effort = unpaid_effort + (1 - unpaid_effort) * capacity * stake / (stake + stake_half_soles)

where ``stake`` is what the running incentive programs pay for that target, in soles per
child under five a year (``stakes``). A target that pays nothing gets ``unpaid_effort``;
remote, poor municipalities (low capacity) move less for the same money. A municipality that
was not paid for a target last year copies part of the gap to its most effortful neighbour
that was (``neighbour_copy_strength``; 0 switches copying off), so incentives spread along
the border graph (``model.network``, network.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.agent import AgentSet

from model import calendar
from model.agents import _field
from model.population import ArrayStore, district_children

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel

MUNICIPAL_TARGETS = ("registry", "visits")  # what a municipality can be paid for
REGIONAL_TARGET = "services"  # a region's FED agreement: coverage of the service packages


def standardised(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``values`` in standard deviations of ``reference`` (its mean 0)."""
    return (values - reference.mean()) / max(reference.std(), 1e-12)


def municipal_capacity(geo, national, params) -> np.ndarray:
    """Capacity (0-1) of the municipality of each district of ``geo`` (see the module doc)."""
    logit = (params.capacity_idh_weight * standardised(geo.idh, national.idh)
             + params.capacity_population_weight * standardised(
                 np.log(geo.population), np.log(national.population))
             - params.capacity_rural_weight * standardised(1 - geo.urban_share,
                                                           1 - national.urban_share))
    return 1.0 / (1.0 + np.exp(-logit))


def stake(model: "ECDModel", target: str) -> np.ndarray:
    """Soles per child a year each municipality can earn for ``target`` (all programs).

    The sum of the programs' offers of the effect ``<target>_stake`` (``model/effects.py``).
    """
    return np.broadcast_to(model.effects.read(f"{target}_stake"), (model.municipal.size,))


class Municipality(mesa.Agent):
    """A district municipality: capacity, effort on each paid target, registry and payments.

    Its state is entry ``index`` of the arrays in ``model.municipal`` (one per district of
    the run, in district order).
    """

    district = _field("municipal", "district", int, "District position.")
    capacity = _field("municipal", "capacity", float, "Capacity, 0-1 (module doc).")
    effort_registry = _field("municipal", "effort_registry", float,
                             "Effort on the child registry this year, 0-1.")
    effort_visits = _field("municipal", "effort_visits", float,
                           "Effort on the anemia home visits this year, 0-1.")
    registration = _field("municipal", "registration", float,
                          "Share of its children who get into the registry (by about 6 m).")
    data_quality = _field("municipal", "data_quality", float,
                          "Share of registered children whose record is complete.")
    payments = _field("municipal", "payments", float, "Soles earned from incentives so far.")
    points = _field("municipal", "points", float, "Points of the last visits evaluation, 0-100.")
    sello = _field("municipal", "sello", bool, "Won the Sello Municipal at the last evaluation.")

    def __init__(self, model: "ECDModel", index: int):
        """The municipality at position ``index`` of ``model.municipal``."""
        super().__init__(model)
        self.index = index

    @property
    def name(self) -> str:
        """District name (upper case, as in the data)."""
        return str(self.model.geography.name[self.district])

    @property
    def registry_quality(self) -> float:
        """Share of its children found in the registry with complete data (at full age)."""
        return self.registration * self.data_quality

    def story(self) -> dict:
        """What a user asks of a municipality: targets, payments, registry, visits."""
        model = self.model
        paid = {target: bool(getattr(model.municipal, f"paid_{target}")[self.index])
                for target in MUNICIPAL_TARGETS}
        stakes = {target: float(stake(model, target)[self.index])
                  for target in MUNICIPAL_TARGETS}
        return {"district": self.name, "ubigeo": str(model.geography.ubigeo[self.district]),
                "capacity": self.capacity, "registry_quality": self.registry_quality,
                "registration": self.registration, "data_quality": self.data_quality,
                "effort_registry": self.effort_registry, "effort_visits": self.effort_visits,
                "stakes_soles_per_child": stakes, "paid_last_evaluation": paid,
                "payments_soles": self.payments, "visit_points": self.points,
                "sello": self.sello}


class RegionalGovernment(mesa.Agent):
    """A regional government: capacity, effort on its FED targets and payments received."""

    department = _field("regional", "department", int, "Department position in the run.")
    capacity = _field("regional", "capacity", float, "Capacity, 0-1 (module doc).")
    effort = _field("regional", "effort", float, "Effort on the FED targets this year, 0-1.")
    payments = _field("regional", "payments", float, "Soles earned from the FED so far.")
    targets_met = _field("regional", "targets_met", int,
                         "FED targets met at the last evaluation.")

    def __init__(self, model: "ECDModel", index: int):
        """The regional government at position ``index`` of ``model.regional``."""
        super().__init__(model)
        self.index = index

    @property
    def name(self) -> str:
        """Department name (upper case, as in the data)."""
        return str(self.model.geography.departments[self.department])


def build_local_government(model: "ECDModel") -> tuple[AgentSet, AgentSet]:
    """Municipalities and regional governments of the run's districts and departments.

    Fills ``model.municipal`` (one entry per district) and ``model.regional`` (one per
    department); returns the two agent sets.
    Nothing random: capacity comes from the data.
    """
    geo, nat, p = model.geography, model.national_geography, model.params
    mun = ArrayStore(geo.n)
    mun.add("district", np.intp)[:] = np.arange(geo.n)
    mun.add("region", np.intp)[:] = geo.department_index
    mun.add("capacity", np.float64)[:] = municipal_capacity(geo, nat, p)
    children, _ = district_children(geo, nat, p)
    mun.add("children", np.float64)[:] = children  # real children under five
    for target in MUNICIPAL_TARGETS:
        mun.add(f"effort_{target}", np.float64, p.unpaid_effort)
        mun.add(f"paid_{target}", bool, False)
    mun.add("registration", np.float64, 1.0)  # no registry yet: nobody is missed by it
    mun.add("data_quality", np.float64, 1.0)
    mun.add("payments", np.float64, 0.0)
    mun.add("points", np.float64, 0.0)
    mun.add("sello", bool, False)
    model.municipal = mun
    n_regions = len(geo.departments)
    reg = ArrayStore(n_regions)
    reg.add("department", np.intp)[:] = np.arange(n_regions)
    weights = np.bincount(mun.region, weights=geo.population, minlength=n_regions)
    reg.add("capacity", np.float64)[:] = np.bincount(
        mun.region, weights=geo.population * mun.capacity, minlength=n_regions) / np.maximum(
        weights, 1.0)
    reg.add("children", np.float64)[:] = np.bincount(mun.region, weights=children,
                                                     minlength=n_regions)
    reg.add("effort", np.float64, p.unpaid_effort)
    reg.add("payments", np.float64, 0.0)
    reg.add("targets_met", np.int64, 0)
    model.regional = reg
    municipalities = AgentSet([Municipality(model, i) for i in range(geo.n)],
                              random=model.random)
    regions = AgentSet([RegionalGovernment(model, i) for i in range(n_regions)],
                       random=model.random)
    return municipalities, regions


def effort_for(capacity: np.ndarray, stake: np.ndarray, params) -> np.ndarray:
    """Effort (0-1) on a target paying ``stake`` soles per child a year (module doc)."""
    pull = stake / (stake + params.stake_half_soles)
    return params.unpaid_effort + (1 - params.unpaid_effort) * capacity * pull


def decide(model: "ECDModel") -> None:
    """January: every municipality and region sets this year's effort on each target.

    A municipality not paid for a target last year (and offered a stake for it) closes
    ``neighbour_copy_strength`` of the gap to its most effortful neighbour that was paid.
    """
    mun, reg, p = model.municipal, model.regional, model.params
    for target in MUNICIPAL_TARGETS:
        offered = stake(model, target)
        effort = effort_for(mun.capacity, offered, p)
        paid = getattr(mun, f"paid_{target}")
        if p.neighbour_copy_strength > 0 and paid.any():
            last = getattr(mun, f"effort_{target}")
            best = model.network.maximum(np.where(paid, last, -np.inf))
            copies = (offered > 0) & ~paid & (best > effort)
            effort[copies] += p.neighbour_copy_strength * (best[copies] - effort[copies])
        getattr(mun, f"effort_{target}")[:] = np.minimum(1.0, effort)
    regional = np.broadcast_to(model.effects.read("regional_stake"), (reg.size,))
    reg.effort[:] = np.minimum(1.0, effort_for(reg.capacity, regional, p))


def regional_push(model: "ECDModel") -> np.ndarray:
    """Each region's effort above the unpaid level, as a share of what is left (0-1).

    What the FED buys on top of the calibrated services: 0 where a region is paid nothing.
    """
    unpaid = model.params.unpaid_effort
    return np.clip((model.regional.effort - unpaid) / max(1e-12, 1 - unpaid), 0.0, 1.0)


def month(model: "ECDModel") -> None:
    """Step 2 (local government): January decisions; then the registry's month, if it runs."""
    if calendar.is_january(model.month_index()):
        decide(model)
