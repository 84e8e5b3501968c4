"""Iron supplementation: drops handed out at CRED or by home visitors, taken or not.

Children from ``start_age_months`` to ``end_age_months`` receive a supply of drops at a CRED
contact (unless the post is stocked out that month) or at a home visit. Whether a supplied
child takes them each month is behaviour: each household has its own adherence propensity
(mean from C4f), raised while a home visitor supports it. A child who takes them closes
``gap_closure`` off its dietary iron gap, which raises its Hb target (dynamics.hb_target);
the anemia risk ratio that results is checked against C4a in the tests.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from model.interventions.base import MAX_SOLES, Intervention, InterventionParams
from model.program_outputs import State
from model.services import attendance_probability


class IronParams(InterventionParams):
    """Parameters of iron supplementation."""

    start_age_months: int = Field(4, ge=0, le=12, description=(
        "Age at which drops start; program documents: month 4 (national norm since about "
        "2017-18); 6 under the older Directiva 050 (C4g)."))
    end_age_months: int = Field(35, ge=6, le=59, description="Last month of age (C4g: to 35).")
    channel: Literal["cred", "visits", "both"] = Field("cred", description=(
        "Where drops are handed out: at CRED contacts, by home visitors, or both."))
    supply_months: int = Field(2, ge=1, le=6, description=(
        "Months of drops given at a contact. ASSUMPTION, no evidence row."))
    stockout_prob: float = Field(0.2, ge=0, le=1, description=(
        "Chance a post has no drops in a month. ASSUMPTION (D3d: 80% of SERUMS staff in "
        "Ancash lacked supplies)."),
        json_schema_extra={"draw": ("uniform", 0.1, 0.35, "ASSUMPTION (D3d)"),
                           "label": "iron drops: stock-out probability"})
    pickup_attendance: float = Field(0.4, ge=0, le=1, description=(
        "Chance a family without drops goes to the post for them (at distance 0). "
        "ASSUMPTION, no evidence row."),
        json_schema_extra={"draw": ("uniform", 0.2, 0.6, "ASSUMPTION"),
                           "label": "iron drops: pick-up attendance"})
    adherence_mean: float = Field(0.589, ge=0, le=1, description=(
        "Mean monthly adherence; C4f (58.9% of mothers adherent to MNP, Lambayeque)."),
        json_schema_extra={"draw": ("beta", 0.42, 0.75,
                                    "C4f: 58.9% (n = 56, one region): binomial SE widened 1.5x"),
                           "label": "iron drops: mean adherence (status quo)"})
    adherence_concentration: float = Field(4.0, gt=0, le=1000, description=(
        "Beta concentration of household adherence (higher = more alike). ASSUMPTION."),
        json_schema_extra={"draw": ("uniform", 2, 8, "ASSUMPTION")})
    visit_adherence_boost: float = Field(0.15, ge=0, le=1, description=(
        "Added adherence in a month a home visitor came. ASSUMPTION, no evidence row."),
        json_schema_extra={"draw": ("uniform", 0.05, 0.3, "ASSUMPTION")})
    gap_closure: float = Field(0.55, ge=0, le=1, description=(
        "Amount a month of drops takes off the child's dietary iron gap (0-1 scale, floored "
        "at 0); calibrated so that adherent children's anemia risk ratio is near C4a's 0.61 "
        "(0.50-0.74)."),
        # draw: C4a's 95% CI carried in proportion to log RR, 90% interval
        # 0.55 x exp(+/-1.645 x ln(0.74/0.50) / (2 x 1.96) / -ln(0.61))
        json_schema_extra={"draw": ("lognormal", 0.3942990851993213, 0.7671841283808304,
                                    "C4a: RR 0.61 (95% CI 0.50-0.74), in proportion to log RR"),
                           "label": "iron drops: iron gap closed by taking them"})
    cost_per_month_supply: float = Field(3.0, ge=0, le=MAX_SOLES, description=(
        "Soles per child-month of drops handed out. ASSUMPTION: no unit cost in the evidence "
        "table."),
        json_schema_extra={"draw": ("uniform", 1.5, 6, "ASSUMPTION (no unit cost)")})


    @model_validator(mode="after")
    def _ages_in_order(self) -> "IronParams":
        if self.start_age_months > self.end_age_months:
            raise ValueError(f"start_age_months {self.start_age_months} is after "
                             f"end_age_months {self.end_age_months}; allowed: start <= end")
        return self

class Iron(Intervention):
    """Preventive iron supplementation."""

    name = "iron"
    Params = IronParams
    states = (State("households", "iron_adherence", np.float32, 0.0,
                    "propensity to give the iron drops (0-1)"),
              State("children", "iron_stock", np.int8, 0, "months of iron drops at home"))

    def setup(self, model) -> None:
        """Draw each household's adherence propensity and hook delivery into CRED."""
        self.stocked = np.ones(len(model.post_list), dtype=bool)
        self.retarget(model, {"adherence_mean", "channel"})

    def retarget(self, model, changed: set[str]) -> None:
        """Redraw adherence if its distribution changed."""
        if changed & {"adherence_mean", "adherence_concentration"}:
            self._draw_adherence(model)

    def _draw_adherence(self, model) -> None:
        mean, k = self.p.adherence_mean, self.p.adherence_concentration
        rng = self.rng
        if 0 < mean < 1:
            model.households.iron_adherence[:] = rng.beta(mean * k, (1 - mean) * k,
                                                          model.households.size)
        else:
            model.households.iron_adherence[:] = mean

    def _eligible(self, model, children: np.ndarray | None = None) -> np.ndarray:
        """Those of ``children`` (default: all) in the age range."""
        age = model.children.age_months
        if children is None:
            return np.flatnonzero((age >= self.p.start_age_months)
                                  & (age <= self.p.end_age_months))
        age = age[children]
        return children[(age >= self.p.start_age_months) & (age <= self.p.end_age_months)]

    def act(self, model) -> None:
        """Stock-outs, requests for drops, visits' deliveries, and who takes them."""
        kids, hh, rng = model.children, model.households, self.rng
        # a region's FED effort avoids some stock-outs (the effect post_stockouts, fed.py)
        self.stocked = rng.random(len(model.post_list)) >= (
            self.p.stockout_prob * model.effects.read("post_stockouts"))
        if self.p.channel in ("cred", "both"):  # drops handed out at CRED contacts
            model.effects.offer("at_cred_contact", self, self._hand_out_at_cred)
        else:
            model.effects.withdraw(self, "at_cred_contact")
        eligible = self._eligible(model)
        visited = hh.last_visit_step[kids.household[eligible]] >= model.steps - 1
        if self.p.channel in ("visits", "both"):
            given = eligible[visited & (kids.iron_stock[eligible] == 0)]
            self._deliver(model, given)  # taken below with the rest of the supplied
        if self.p.channel in ("cred", "both"):
            empty = eligible[kids.iron_stock[eligible] == 0]
            go = rng.random(len(empty)) < attendance_probability(model, empty,
                                                                 self.p.pickup_attendance)
            kids.cred_request[empty[go]] = True
        supplied = eligible[kids.iron_stock[eligible] > 0]
        self._take(model, supplied)

    def coverage(self, model) -> float:
        """% of children in the age range who took drops this month (after CRED hand-outs)."""
        kids = model.children
        age = kids.age_months
        eligible = (age >= self.p.start_age_months) & (age <= self.p.end_age_months)
        return 100 * np.count_nonzero(eligible & (kids.iron_supplement > 0)) / max(
            1, np.count_nonzero(eligible))

    def _take(self, model, supplied: np.ndarray) -> None:
        """Each supplied child takes this month's drops with its household's adherence.

        Raised in a month a home visitor came (``visit_adherence_boost``) and while the family
        gets SMS reminders (the effect ``iron_adherence``, interventions/sms.py).
        """
        kids, hh = model.children, model.households
        home = kids.household[supplied]
        boost = np.where(hh.last_visit_step[home] >= model.steps - 1,
                         self.p.visit_adherence_boost, 0.0) + model.effects.read(
                             "iron_adherence", home)
        takes = self.rng.random(len(supplied)) < hh.iron_adherence[home] + boost
        kids.iron_supplement[supplied[takes]] = self.p.gap_closure
        kids.iron_stock[supplied] -= 1

    def _hand_out_at_cred(self, model, seen: np.ndarray) -> None:
        if not self.is_active(model):
            return
        kids, hh = model.children, model.households
        eligible = self._eligible(model, seen)
        stocked = self.stocked[hh.health_post[kids.household[eligible]]]
        given = eligible[stocked & (kids.iron_stock[eligible] == 0)]
        self._deliver(model, given)
        # the first month's drops come from this supply, unless the child already took
        # drops this month from its previous one
        self._take(model, given[kids.iron_supplement[given] == 0])

    def _deliver(self, model, children: np.ndarray) -> None:
        model.children.iron_stock[children] = self.p.supply_months
        model.outputs.add_cost(self.name, model.outputs.real(len(children)) * self.p.supply_months
                               * self.p.cost_per_month_supply)
