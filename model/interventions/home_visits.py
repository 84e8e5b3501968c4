"""Home visits (Cuna Más family service and municipal visitors).

Visitors (Mesa agents over ``model.visitor_store``, each standing for ``scale`` real
visitors; the program handles them all at once as arrays) carry a caseload of
enrolled households with a child under 36 months in eligible districts. They visit weekly
under 12 months, every two weeks at 12-23 and monthly at 24-35 (program documents), up to
what a part-time visitor can do. Visitors leave (more often with larger caseloads and
smaller stipends) and are replaced after a recruitment lag; their families go unvisited
meanwhile. A visited month raises the child's development score (C3a), supports iron
adherence (iron.py), and raises care seeking for illness; by default it does not change
feeding practice, since the trial found no effect on nutrition or caregiving (C3b).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from model import calendar
from model.agents import HomeVisitor
from model.geography import poverty_floor
from model.interventions.base import (
    MAX_SOLES,
    Districts,
    Intervention,
    InterventionParams,
    Month,
)
from model.network import recruitment_lag
from model.population import Area
from model.program_outputs import State
from model.services import counselled_feeding

# (under this age in months, visits a month): weekly, fortnightly, monthly; program documents
VISITS_BY_AGE = ((12, 4.0), (24, 2.0), (36, 1.0))


def families_at(families: int | None, schedule: dict[str, int | None],
                month: int) -> int | None:
    """Families in force in ``month``: the schedule's last month begun, else ``families``."""
    for begun, value in sorted(schedule.items()):
        if calendar.parse(begun) <= month:
            families = value
    return families


# Families enrolled nationwide: at most 5 million (ASSUMPTION: physical limit; Peru has
# about 2.9 million children under five, so fewer eligible families).
Families = Annotated[int, Field(ge=0, le=5_000_000)]


class HomeVisitParams(InterventionParams):
    """Parameters of home visiting."""

    families: int | None = Field(110_000, ge=0, le=5_000_000, description=(
        "Families enrolled nationwide (real); program documents: 110,000 (2019), plan over "
        "1 million. A restricted run gets its share of eligible households. None: every "
        "eligible family."))
    families_schedule: dict[Month, Families | None] = Field(default_factory=dict, description=(
        "Families by month (YYYY-MM -> families, or null for every eligible family), "
        "overriding `families` from each month on; e.g. the growth of Cuna Más from 2012."))
    max_child_age_months: int = Field(36, ge=1, le=60, description=(
        "A family is eligible while its youngest child is younger than this (months); "
        "program documents: Cuna Más under 3, the municipal anemia visits under 1."))
    poor_only: bool = Field(False, description=(
        "Only poor households are eligible (the municipal anemia visits: 'all children under "
        "one living in poverty', program documents)."))
    districts: Districts = Field(default_factory=list, description=(
        "Explicit eligible districts (ubigeo); overrides the poverty threshold (e.g. the "
        "treated districts of a trial)."))
    district_poverty_threshold: float = Field(0.4, ge=0, le=1, description=(
        "Eligible districts: monetary poverty at or above this share. ASSUMPTION (the program "
        "serves poor rural districts; the exact rule is not in the evidence table)."))
    district_rule: Literal["poverty", "cuna_mas"] = Field("poverty", description=(
        "poverty: districts at or above district_poverty_threshold; cuna_mas: the program's "
        "own rule (program documents): poverty above 50%, within Juntos's scope (poverty "
        "above 40%), or at least half the population rural."))
    max_districts: int | None = Field(None, ge=1, le=1874, description=(
        "At most this many eligible districts, poorest first; program documents: 720 "
        "eligible districts under the Cuna Más rule by 2016."))
    rural_only: bool = Field(True, description="Only rural households are eligible.")
    visited_share: float = Field(0.65, ge=0, le=1, description=(
        "Share of enrolled families actually visited in a month; program documents: fewer "
        "than two thirds of eligible households visited."))
    caseload: int = Field(10, ge=1, le=60, description=(
        "Families per visitor; program documents (about 10)."))
    visits_capacity: float = Field(40.0, gt=0, le=1000, description=(
        "Visits a part-time visitor can make a month; derived: 10 families weekly. At most "
        "1,000 (ASSUMPTION: physical limit, about 30 a day)."))
    stipend: float = Field(460.0, ge=0, le=MAX_SOLES, description=(
        "Soles per visitor per month; program documents (320, then 460)."))
    supervision_per_family_month: float = Field(67.3, ge=0, le=MAX_SOLES, description=(
        "Soles per family per month besides stipends; derived: program documents' 1,360 "
        "soles per family a year minus the stipend share (460 x 12 / 10 = 552), / 12."),
        json_schema_extra={"draw": ("uniform", 50, 85,
                                    "derived from program documents (1,360 soles a "
                                    "family a year); width ASSUMPTION")})
    turnover_base: float = Field(0.03, ge=0, le=1, description=(
        "Monthly chance a visitor leaves at caseload 10 and stipend 460. ASSUMPTION (D4f: "
        "turnover unverified)."),
        json_schema_extra={"draw": ("uniform", 0.01, 0.06, "ASSUMPTION (D4f unverified)")})
    turnover_caseload_elasticity: float = Field(1.0, ge=0, le=5, description=(
        "Turnover rises as (the visitor's families / 10)^this. ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.5, 1.5, "ASSUMPTION")})
    turnover_stipend_elasticity: float = Field(1.0, ge=0, le=5, description=(
        "Turnover falls as (stipend/460)^-this. ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.5, 1.5, "ASSUMPTION")})
    recruitment_months: int = Field(2, ge=0, le=24, description=(
        "Months to replace a visitor who left, where the labour pool is large; small, "
        "isolated districts take longer (network.recruitment_lag). ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 1, 4, "ASSUMPTION", True)})
    visit_quality: float = Field(1.0, ge=0, le=2, description=(
        "Multiplier of the development gain of a visit; 1 = the quality of the evaluated "
        "program (C3a)."))
    development_gain: float = Field(0.0064, ge=0, le=0.1, description=(
        "Development z gained per fully visited month; derived from C3a: +0.10 SD after ~24 "
        "months with about two thirds visited (0.10 / (24 x 0.65))."),
        json_schema_extra={"draw": ("normal", 0.0064 * 0.5, 0.0064 * 1.5,
                                    "C3a: +0.10 SD after 2 years (no CI given): +/-50%, "
                                    "ASSUMPTION")})
    feeding_adoption: float = Field(0.0, ge=0, le=1, description=(
        "Chance a visited caregiver with inadequate feeding adopts adequate feeding in a "
        "month; 0 by default because C3b found no effect on nutrition or practices."))
    visited_care_seeking: float = Field(0.5, ge=0, le=1, description=(
        "Chance an ill visited child is taken for treatment (early detection). ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.3, 0.7, "ASSUMPTION")})


class HomeVisits(Intervention):
    """Cuna Más / municipal home visiting."""

    name = "home_visits"
    Params = HomeVisitParams
    states = (State("households", "visitor", np.int32, -1,
                    "index of the household's home visitor, -1 = none"),
              State("households", "last_visit_step", np.int32, -10_000,
                    "step of the last home visit"))
    # Cuna Más finds families through its community committees; the municipal visits through
    # the municipal child registry (registry.py)
    finds_through_registry = False

    def setup(self, model) -> None:
        """Find eligible districts and this run's share of the families."""
        self.retarget(model, set())
        self.enrolled = np.zeros(model.households.size, dtype=bool)
        # each household's visitor (entry of model.visitor_store, -1 = none) and its place
        # in that visitor's caseload (families keep the order they were assigned in)
        self.assigned = np.full(model.households.size, -1, dtype=np.int64)
        self.assigned_order = np.zeros(model.households.size, dtype=np.int64)
        self.assignments = 0  # families assigned so far (the next assigned_order)
        self.store = model.visitor_store  # the visitors' state (all programs')
        self.slots = np.empty(0, dtype=np.int64)  # this program's visitors, in recruitment order
        self.carry = 0.0

    @property
    def team(self) -> list[HomeVisitor]:
        """The program's visitors, in recruitment order (``model.visitors`` has all)."""
        return [self.store.agents[slot] for slot in self.slots]

    def caseload_of(self, slot: int) -> np.ndarray:
        """Household indices of visitor ``slot``'s families, in the order they were assigned."""
        mine = np.flatnonzero(self.assigned == slot)
        return mine[np.argsort(self.assigned_order[mine], kind="stable")].astype(np.int32)

    def retarget(self, model, changed: set[str]) -> None:
        """Eligible districts and this run's share of the families (enrolment carries on)."""
        geo, nat = model.geography, model.national_geography

        def by_rule(g):
            if self.p.district_rule == "cuna_mas":
                return (g.poverty > 0.4) | (g.urban_share <= 0.5)  # > 50% is within > 40%
            return g.poverty >= self.p.district_poverty_threshold

        floor = 0.0
        if self.p.max_districts is not None:
            floor = poverty_floor(self.p.max_districts, by_rule(nat))

        def eligible(g):
            if self.p.districts:
                return np.isin(g.ubigeo, self.p.districts)
            return by_rule(g) & (g.poverty >= floor)  # the poorest max_districts of Peru

        rural = 1 - nat.urban_share if self.p.rural_only else np.ones(nat.n)
        national = (nat.population * rural)[eligible(nat)]
        rural_run = 1 - geo.urban_share if self.p.rural_only else np.ones(geo.n)
        local = (geo.population * rural_run)[eligible(geo)]
        self.share = local.sum() / max(1.0, national.sum())
        self.eligible_district = eligible(geo)
        # households in those districts (and rural, if asked): neither ever changes
        hh = model.households
        self.eligible_home = self.eligible_district[hh.district]
        if self.p.rural_only:
            self.eligible_home &= hh.area == Area.RURAL

    def idle(self, model) -> None:
        """Outside its dates nobody is visited and the visitors are let go."""
        self._unassign(model, np.flatnonzero(self.assigned >= 0))
        self._let_go(model, self.slots)
        self.enrolled[:] = False

    def _unassign(self, model, households: np.ndarray) -> None:
        """These families lose their visitor (and wait for another if still enrolled)."""
        hh = model.households
        theirs = self.store.uid[self.assigned[households]]
        hh.visitor[households[hh.visitor[households] == theirs]] = -1
        self.assigned[households] = -1

    def _assign(self, model, households: np.ndarray, slots: np.ndarray) -> None:
        """Add families to the end of visitors' caseloads (``households`` in caseload order)."""
        self.assigned[households] = slots
        model.households.visitor[households] = self.store.uid[slots]
        self.assigned_order[households] = self.assignments + np.arange(len(households))
        self.assignments += len(households)

    def _let_go(self, model, slots: np.ndarray) -> None:
        """Visitors without families leave the program (and the model)."""
        if len(slots) == 0:
            return
        for slot in slots:  # only those leaving: Mesa removes its agents one by one
            visitor = self.store.agents[slot]
            model.visitors.remove(visitor)
            visitor.remove()
            self.store.agents[slot] = None
        self.slots = self.slots[~np.isin(self.slots, slots)]

    def _recruit(self, model, district: np.ndarray, health_post: np.ndarray) -> np.ndarray:
        """New visitors (one per entry) who start after the recruitment lag; their slots."""
        lag = recruitment_lag(model, self.p.recruitment_months, district)
        slots = self.store.extend(len(district), district=district, health_post=health_post,
                                  stipend=self.p.stipend, vacant_until=model.steps + lag - 1)
        for slot in slots:  # only the recruits: Mesa creates its agents one by one
            visitor = HomeVisitor(model, int(slot), self)
            self.store.uid[slot] = visitor.unique_id
            self.store.agents.append(visitor)
            model.visitors.add(visitor)
        self.slots = np.concatenate([self.slots, slots])
        return slots

    def _loads(self) -> np.ndarray:
        """Families of each of this program's visitors (in ``slots`` order)."""
        mine = self.assigned[self.assigned >= 0]
        return np.bincount(mine, minlength=self.store.size)[self.slots]

    def act(self, model) -> None:
        """Enrol, keep the visitor roster, visit, and record effects and costs."""
        hh, rng = model.households, self.rng
        youngest = model.youngest_child_age()
        eligible = self.eligible_home & (youngest < self.p.max_child_age_months)
        if self.p.poor_only:
            eligible &= hh.poor
        if self.finds_through_registry:  # families found through the registry
            eligible &= model.effects.read("findable")
        self.enrolled &= eligible  # families leave when their youngest turns 3
        self._enrol(model, eligible, rng)
        self._roster(model, rng)
        visited, share = self._visit(model, youngest, rng)
        kids = model.children
        visited_kids = model.children_of(visited)
        young = visited_kids[kids.age_months[visited_kids] < 36]
        kids.development[young] += self.p.development_gain * self.p.visit_quality * np.repeat(
            share, hh.n_children[visited])[kids.age_months[visited_kids] < 36]
        kids.care_prob[visited_kids] = np.maximum(kids.care_prob[visited_kids],
                                                  self.p.visited_care_seeking)
        hh.last_visit_step[visited] = model.steps
        if self.p.feeding_adoption > 0:
            counselled_feeding(model, visited, np.full(len(visited), self.p.feeding_adoption),
                               rng)
        active = np.count_nonzero(self.store.vacant_until[self.slots] < model.steps)
        real = model.outputs.real
        model.outputs.add_cost(self.name, real(active) * self.p.stipend
                               + real(np.count_nonzero(self.enrolled))
                               * self.p.supervision_per_family_month)
        model.outputs.set_coverage(self.name,
                                   100 * len(visited) / max(1, np.count_nonzero(eligible)))

    def target(self, model, eligible: np.ndarray) -> float:
        """Simulated households to enrol this month (the run's share of the families)."""
        families = families_at(self.p.families, self.p.families_schedule, model.month_index())
        if families is None:
            return float(np.count_nonzero(eligible))
        return model.outputs.simulated(families * self.share)

    def _enrol(self, model, eligible: np.ndarray, rng) -> None:
        missing = self.target(model, eligible) - np.count_nonzero(self.enrolled)
        self.carry += missing - int(missing)
        room = int(missing) + int(self.carry >= 1)
        self.carry -= int(self.carry >= 1)
        if room <= 0:
            return
        pool = np.flatnonzero(eligible & ~self.enrolled)
        chosen = rng.choice(pool, size=min(room, len(pool)), replace=False)
        self.enrolled[chosen] = True

    def _roster(self, model, rng) -> None:
        """Assign caseloads, turnover and recruitment."""
        hh, p, store = model.households, self.p, self.store
        # families no longer enrolled leave their caseloads; a visitor with none is let go
        self._unassign(model, np.flatnonzero((self.assigned >= 0) & ~self.enrolled))
        load = self._loads()
        self._let_go(model, self.slots[load == 0])
        load = load[load > 0]
        # turnover, with each visitor's actual caseload (one draw per visitor on duty)
        on_duty = store.vacant_until[self.slots] < model.steps
        rate = self._turnover_by_load(int(load.max(initial=0)))[load[on_duty]]
        leaving = self.slots[on_duty][rng.random(np.count_nonzero(on_duty)) < rate]
        store.vacant_until[leaving] = model.steps + recruitment_lag(
            model, p.recruitment_months, store.district[leaving])
        store.months_in_post[leaving] = 0
        # families waiting, by district then index; open places filled in the same district,
        # visitor by visitor in recruitment order
        waiting = np.flatnonzero(self.enrolled & (self.assigned < 0))
        waiting = waiting[np.argsort(hh.district[waiting], kind="stable")]
        district = hh.district[waiting].astype(np.int64)
        queue_place = np.arange(len(waiting)) - np.searchsorted(district, district)
        room = p.caseload - load
        open_slots = self.slots[room > 0]
        room = room[room > 0]
        by_district = np.argsort(store.district[open_slots], kind="stable")
        open_slots, room = open_slots[by_district], room[by_district]
        open_district = store.district[open_slots]
        room_end = np.cumsum(room)  # end of each visitor's share of its district's queue
        room_end -= (room_end - room)[np.searchsorted(open_district, open_district)]
        span = len(waiting) + int(room.sum()) + 1
        taker = np.searchsorted(open_district * span + room_end, district * span + queue_place,
                                side="right")
        taken = taker < len(open_slots)
        taken[taken] = open_district[taker[taken]] == district[taken]
        self._assign(model, waiting[taken], open_slots[taker[taken]])
        # the rest: new visitors (with lag), one per group of `caseload` families
        rest, district = waiting[~taken], district[~taken]
        first = (np.arange(len(rest)) - np.searchsorted(district, district)) % p.caseload == 0
        recruits = self._recruit(model, district[first], hh.health_post[rest[first]])
        self._assign(model, rest, recruits[np.cumsum(first) - 1])

    def _turnover_by_load(self, most: int) -> np.ndarray:
        """Monthly chance a visitor leaves, by number of families (0 to ``most``)."""
        p = self.p
        return np.array([min(1.0, p.turnover_base * (max(n, 1) / 10)
                             ** p.turnover_caseload_elasticity
                             * (460.0 / max(p.stipend, 1.0)) ** p.turnover_stipend_elasticity)
                         for n in range(most + 1)])

    def visited_probability(self, model, homes: np.ndarray) -> np.ndarray | float:
        """Chance each of ``homes`` (enrolled, with a visitor on duty) is visited this month."""
        return self.p.visited_share

    def _visit(self, model, youngest: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
        """Households visited this month and the share of their scheduled visits made.

        Each visitor on duty draws which of its families it sees (visitor by visitor in
        recruitment order, families in caseload order) and splits its visits among them.
        """
        store = self.store
        on_duty = np.zeros(store.size, dtype=bool)
        on_duty[self.slots[store.vacant_until[self.slots] < model.steps]] = True
        homes = np.flatnonzero(self.assigned >= 0)
        homes = homes[on_duty[self.assigned[homes]]]
        # by visitor (slots grow in recruitment order), then by place in the caseload
        homes = homes[np.argsort(self.assigned[homes] * (self.assignments + 1)
                                 + self.assigned_order[homes])]
        homes = homes[rng.random(len(homes)) < self.visited_probability(model, homes)]
        need = np.zeros(len(homes))
        for limit, per_month in reversed(VISITS_BY_AGE):
            need[youngest[homes] < limit] = per_month
        visitor = self.assigned[homes]
        scheduled = np.bincount(visitor, weights=need, minlength=store.size)
        share = np.minimum(1.0, self.p.visits_capacity / np.maximum(scheduled, 1e-9))
        return homes, share[visitor]


class MunicipalVisitParams(HomeVisitParams):
    """The 2019 municipal anemia visits: the home-visit parameters with their own defaults."""

    families: int | None = Field(None, ge=0, le=5_000_000, description=(
        "Families visited nationwide; default None: every eligible family (program documents: "
        "'all children under one living in poverty'; 20,000 children in the first month)."))
    max_child_age_months: int = Field(12, ge=1, le=60, description=(
        "Children under one (program documents)."))
    poor_only: bool = Field(True, description="Households in poverty (program documents).")
    rural_only: bool = Field(False, description="Rural and urban (program documents).")
    district_poverty_threshold: float = Field(0.0, ge=0, le=1, description=(
        "Every district qualifies before the max_districts cut."))
    max_districts: int | None = Field(865, ge=1, le=1874, description=(
        "865 municipalities (program documents); which ones is not known: the poorest first "
        "(ASSUMPTION)."))
    development_gain: float = Field(0.0, ge=0, le=0.1, description=(
        "No development curriculum: the visit delivers iron and checks its use (program "
        "documents); 0 (ASSUMPTION)."))
    stipend: float = Field(460.0, ge=0, le=MAX_SOLES, description=(
        "Soles per municipal visitor per month. ASSUMPTION: Cuna Más's stipend (program "
        "documents give no municipal figure)."))
    supervision_per_family_month: float = Field(0.0, ge=0, le=MAX_SOLES, description=(
        "Soles per family per month besides stipends. ASSUMPTION: none (municipal staff)."))
    visited_share: float = Field(0.9, ge=0, le=1, description=(
        "Share of enrolled families visited in a month at full municipal effort; the "
        "municipality's effort on visits (local_government.py) multiplies it. ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 0.8, 1.0, "ASSUMPTION")})
    incentive_soles_per_child: float = Field(30.0, ge=0, le=MAX_SOLES, description=(
        "Soles a year per child under five a municipality can earn with full points "
        "(program documents: 'a points-based financial incentive', no amount). ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 10, 50,
                                    "ASSUMPTION (no amount in the program documents)")})
    target_visited_share: float = Field(0.8, gt=0, le=1, description=(
        "Share of enrolled family-months visited that scores full points. ASSUMPTION."))
    pass_points: float = Field(50.0, ge=0, le=100, description=(
        "Points needed to be paid. ASSUMPTION."))


class MunicipalVisits(HomeVisits):
    """The municipal anemia home visits (2019): weekly visits to poor children under one.

    MINSA mandated local governments to hire and train visitors who give the iron
    supplement each week, funded by MEF against targets with a points-based financial
    incentive (program documents). Visitors, caseloads and turnover work as in Cuna Más
    (``HomeVisits``); the iron itself is handed out by the iron program when its channel
    includes visits. The program is run by the municipalities (local_government.py):

    * it finds its families through the child registry (registry.py);
    * an enrolled family with a visitor on duty is visited in a month with chance
      ``visited_share`` x the municipality's effort on visits, which rises with the points
      incentive on offer (``incentive_soles_per_child``) and the municipality's capacity;
    * each January a municipality scores points for last year's visits, 100 x (visited
      family-months / enrolled family-months) / ``target_visited_share`` (at most 100), and
      with at least ``pass_points`` earns ``incentive_soles_per_child`` x its children
      under five x points / 100.
    """

    name = "municipal_visits"
    Params = MunicipalVisitParams
    finds_through_registry = True

    def setup(self, model) -> None:
        """As home visits, plus each municipality's yearly counters of family-months."""
        super().setup(model)
        self.enrolled_months = np.zeros(model.geography.n)
        self.visited_months = np.zeros(model.geography.n)
        self.counted = False

    def visited_probability(self, model, homes: np.ndarray) -> np.ndarray:
        """``visited_share`` x the effort on visits of each family's municipality."""
        effort = model.municipal.effort_visits[model.households.district[homes]]
        return self.p.visited_share * effort

    def act(self, model) -> None:
        """Home visits' month, then this month's family-months into the counters."""
        super().act(model)
        hh = model.households
        n = model.geography.n
        self.enrolled_months += np.bincount(hh.district[self.enrolled], minlength=n)
        visited = hh.last_visit_step == model.steps
        self.visited_months += np.bincount(hh.district[self.enrolled & visited], minlength=n)
        self.counted = True

    def govern(self, model) -> None:
        """January: score and pay last year's visits; every month: offer the stake."""
        mun, p = model.municipal, self.p
        if calendar.is_january(model.month_index()) and self.counted:
            achieved = self.visited_months / np.maximum(self.enrolled_months, 1)
            points = np.where(self.enrolled_months > 0, 100 * np.minimum(
                1.0, achieved / max(p.target_visited_share, 1e-9)), 0.0)
            paid = points >= p.pass_points
            mun.points[:] = points
            mun.paid_visits[:] = paid
            money = np.where(paid, p.incentive_soles_per_child * mun.children * points / 100, 0)
            mun.payments += money
            model.outputs.add_cost(self.name, float(money.sum()))
            self.enrolled_months[:] = 0
            self.visited_months[:] = 0
            self.counted = False
        model.effects.offer("visits_stake", self, np.where(
            self.eligible_district, p.incentive_soles_per_child, 0.0))

    def idle(self, model) -> None:
        """As home visits; the stake is withdrawn."""
        super().idle(model)
        model.municipal.paid_visits[:] = False
