"""Step 1 of the month: demography, households' yearly changes and their risk.

Children age; a child reaching 60 months leaves and a newborn of the same household takes
the slot. Every January households' latent welfare churns, poverty, schooling, water, care at
birth, vaccination and post staffing follow the scenario's trends, non-iron causes of anemia
are redrawn, and the per-child copies of household risk are refreshed
(``refresh_household_risk``, also called when a program changes a household).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model import calendar, dynamics, fast_random
from model.agents import restaff_posts
from model.population import Area, BirthWeight, Illness, probit, trend_probit
from model.results import N_BANDS, cell_index

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel


def month(model: "ECDModel", churn: bool = True) -> None:
    """Step 1 of the month: ageing, births, and in January the year's changes (``step``)."""
    kids = model.children
    kids.age_months += 1
    kids.age_months[kids.age_months >= 60] = 0
    newborn = np.flatnonzero(kids.age_months == 0)
    if len(newborn):
        births(model, newborn)
    model.age_index = kids.age_months.astype(np.intp) + dynamics.AGE_OFFSET  # table row
    if churn and calendar.is_january(model.month_index()):  # a year of welfare churn
        churn_welfare(model)
        refresh_household_risk(model)

def births(model: "ECDModel", slots: np.ndarray) -> None:
    """Initialise the children born this month in ``slots``."""
    rng, kids, p = model.streams["demography"], model.children, model.params
    n = len(slots)
    kids.uid[slots] = model.population.next_uid + np.arange(n)
    model.population.next_uid += n
    kids.sex[slots] = rng.random(n) < p.male_share_at_birth
    home = kids.household[slots]
    anc = rng.random(n) < model.households.anc_prob[home]
    kids.antenatal_care[slots] = anc
    skilled = rng.random(n) < model.households.facility_prob[home]
    kids.facility_birth[slots] = skilled
    kids.vaccinated[slots] = model.households.vaccine_access[home]
    low = rng.random(n) < np.where(anc, model.lbw_probability[0], model.lbw_probability[1])
    kids.birth_weight[slots] = np.where(low, BirthWeight.LOW, BirthWeight.NORMAL)
    kids.haz[slots] = dynamics.haz_at_birth(low, rng.standard_normal(n), p, skilled=skilled)
    kids.haz_velocity[slots] = p.haz_velocity_sd * rng.standard_normal(n)
    kids.hb_offset[slots] = (p.hb_individual_sd * rng.standard_normal(n)
                             + model.district_hb_shift[model.households.district[home]])
    altitude = model.households.altitude_m[home]
    kids.hb_altitude_rise[slots] = model.district_hb_rise[model.households.district[home]]
    kids.hb_altitude_adjustment[slots] = dynamics.altitude_adjustment(
        altitude, model.scenario.anemia_definition, model.params)
    kids.hb[slots] = (model.tables.hb_profile[dynamics.AGE_OFFSET] + kids.hb_offset[slots]
                      + kids.hb_altitude_rise[slots])
    kids.illness[slots] = Illness.NONE
    kids.diarrhoea_episodes[slots] = 0
    kids.development[slots] = rng.standard_normal(n)
    kids.last_cred_step[slots] = -10_000
    kids.iron_stock[slots] = 0
    draw_registry_uniforms(model, slots)

def draw_registry_uniforms(model: "ECDModel", slots: np.ndarray) -> None:
    """The registry's two fixed uniforms of the children in ``slots`` (stream "local")."""
    rng, kids = model.streams["local"], model.children
    kids.registry_u[slots] = rng.random(len(slots), dtype=np.float32)
    kids.registry_data_u[slots] = rng.random(len(slots), dtype=np.float32)

def churn_welfare(model: "ECDModel") -> None:
    """One year of latent-welfare change (AR(1), rural households keep their gap)."""
    hh, p = model.households, model.params
    rho = np.float32(p.welfare_yearly_correlation)
    noise = fast_random.standard_normal(model.streams["demography"], hh.size)
    rural = hh.area == Area.RURAL
    hh.welfare[:] = (rho * hh.welfare + np.float32(np.sqrt(1 - rho ** 2)) * noise
                     - np.float32((1 - rho) * p.rural_welfare_gap_sd) * rural)

def refresh_household_risk(model: "ECDModel", households: np.ndarray | None = None) -> None:
    """Recompute the per-child copies of household risk.

    With no argument (set-up and every January): poverty, quintile and the risk of every
    child. With ``households``: only the risk of those households' children, after a
    program changed them (feeding practice, transfers); poverty is left as it is.
    """
    hh, p, risk = model.households, model.params, model.risk
    if households is None:
        line = model.population.district_threshold[hh.district]
        shift = model.poverty_shift[min(max(model.steps + model.history_months, 0),
                                        len(model.poverty_shift) - 1)]
        hh.poor[:] = hh.welfare < line + shift
        hh.quintile[:] = 1 + np.searchsorted(model.population.quintile_cutoffs,
                                             hh.welfare - line)
        apply_secular_trends(model)
        households = np.arange(hh.size)
        slots, counts = slice(None), None
    else:
        households = np.asarray(households)
        slots, counts = model.children_of(households), hh.n_children[households]

    def spread(values: np.ndarray) -> np.ndarray:
        """Household values -> one per child (all children, or those of ``households``)."""
        return values[model.children.household] if counts is None else np.repeat(values,
                                                                                  counts)

    # household-level risk first, then copied to each child of those households
    rural = hh.area[households] == Area.RURAL
    poor = hh.poor[households]
    feeding = hh.adequate_feeding[households]
    rate = dynamics.falter_rate(poor, rural, hh.schooling[households], p,
                                hh.altitude_m[households])
    rate += np.asarray(p.haz_falter_department, dtype=np.float32)[
        model.district_department[hh.district[households]]]
    risk.falter_rate[slots] = spread(rate - model.effects.read("income_relief", households))
    risk.feeding_penalty[slots] = spread(np.where(feeding, np.float32(0.0), np.float32(
        p.haz_falter_inadequate_feeding)))
    risk.diarrhoea_rr[slots] = spread(dynamics.diarrhoea_rate_ratio(
        hh.improved_water[households], hh.improved_sanitation[households], poor, p))
    risk.iron_gap[slots] = spread(dynamics.household_iron_gap(poor, feeding, p, rural))
    risk.non_iron_drop[slots] = spread(np.where(hh.non_iron[households], np.float32(
        p.hb_non_iron_drop), np.float32(0.0)))
    risk.cell[slots] = spread(cell_index(hh.district[households], hh.area[households],
                                         hh.quintile[households]).astype(np.intp) * N_BANDS)

def apply_secular_trends(model: "ECDModel") -> None:
    """Apply the year's secular trends.

    Schooling, water, care at birth, vaccination, non-iron causes of anemia and post
    staffing, each from the scenario's trend or held at its parameter.
    """
    hh, p, trends = model.households, model.params, model.trends
    year = calendar.in_years(model.month_index())

    def covered(score: np.ndarray, path: dict, default: float) -> np.ndarray:
        """Households whose score is above the cut that covers this year's share."""
        return score > np.float32(-trend_probit(path, year, default))

    hh.anc_base[:] = covered(hh.care_score, trends.antenatal_care_pct,
                             p.anc_baseline_share)
    hh.facility_base[:] = covered(hh.care_score, trends.skilled_birth_pct,
                                  p.facility_delivery_base)
    hh.vaccine_access[:] = covered(hh.vaccine_score, trends.vaccination_pct,
                                   p.vaccination_share)
    if trends.health_workers_per_10k:
        density = trends.health_workers_per_10k
        restaff_posts(model, float(np.interp(year, list(density), list(density.values()))))
    schooling_and_water(model, year)
    non_iron_causes(model)

def non_iron_causes(model: "ECDModel") -> None:
    """Which households carry a non-iron cause of anemia this year (B15)."""
    hh, p = model.households, model.params
    chance = np.asarray(p.non_iron_share_by_region, dtype=np.float32)[model.household_region]
    chance = chance * np.where(hh.improved_water, np.float32(1.0),
                               np.float32(p.non_iron_rr_unimproved_water))
    chance *= np.where(hh.improved_sanitation, np.float32(1.0),
                       np.float32(p.non_iron_rr_unimproved_sanitation))
    hh.non_iron[:] = hh.non_iron_u < chance

def schooling_and_water(model: "ECDModel", year: float) -> None:
    """Schooling and water of the current year (only when a trend is set)."""
    hh, p = model.households, model.params
    if p.schooling_trend_sd_per_year:
        shift = np.float32(p.schooling_trend_sd_per_year * (year - 2018))
        hh.schooling[:] = np.searchsorted(model.population.schooling_cutoffs,
                                          hh.schooling_score + shift)
    path = model.trends.improved_water_pct
    if path:
        target = trend_probit(path, year, p.improved_water_share)
        hh.improved_water[:] = hh.water_score > np.float32(probit(p.improved_water_share)
                                                           - target)
