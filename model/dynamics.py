"""Pure kernels of child health: illness, height-for-age (HAZ) and hemoglobin (Hb).

Arrays and random draws in, arrays out: no model object, no hidden randomness, so each
function can be tested alone (STYLE.md §8). Age-dependent numbers are looked up in
``AgeTables`` (one entry per month of age, built once from the parameters), which keeps the
monthly update to a few vector operations per child.

Ages may be negative during the model's warm-up (children not born yet); every table is zero
there, and birth overwrites whatever an unborn slot accumulated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import kernels
from model.defaults import HB_PROFILE_AGES, Parameters

AGE_OFFSET = 60  # table index = age in months + AGE_OFFSET (ages -60 .. 60)
TABLE_SIZE = 121
ANEMIA_DEFINITIONS = ("who2011", "who2024", "peru")

# Age bands used for the age-profile metrics, as (first month, last month).
AGE_BANDS = ((0, 5), (6, 8), (9, 11), (12, 17), (18, 23), (24, 35), (36, 47), (48, 59))


def band_label(band: tuple[int, int]) -> str:
    """'6-8m' for (6, 8)."""
    return f"{band[0]}-{band[1]}m"


@dataclass(frozen=True)
class AgeTables:
    """Per-month-of-age lookup tables (index ``age + AGE_OFFSET``)."""

    falter_window: np.ndarray      # 1 where HAZ faltering applies (0-23 m)
    feeding_window: np.ndarray     # 1 where complementary feeding matters (6-23 m)
    drift: np.ndarray              # z per month after the faltering window
    diarrhoea_loss: np.ndarray     # z lost per diarrhoea episode
    diarrhoea_mult: np.ndarray     # age multiplier of the diarrhoea probability
    respiratory_mult: np.ndarray   # age multiplier of the respiratory-episode probability
    hb_profile: np.ndarray         # g/dL at sea level, iron-replete child
    iron_gap: np.ndarray           # dietary iron gap by age (0-1)
    band: np.ndarray               # index into AGE_BANDS (-1 when unborn)


def age_tables(params: Parameters) -> AgeTables:
    """Build the lookup tables from the parameters."""
    age = np.arange(TABLE_SIZE) - AGE_OFFSET
    born = age >= 0
    young, mid, old = (age >= 0) & (age < 6), (age >= 6) & (age < 24), age >= 24

    def by_stage(values: tuple[float, float, float]) -> np.ndarray:
        return np.select([young, mid, old], values, 0.0).astype(np.float32)

    falter = born & (age < params.haz_falter_end_month)
    loss = np.where(age < 6, params.haz_diarrhoea_age_mult[0],
                    np.where(age < 12, params.haz_diarrhoea_age_mult[1], 1.0))
    band = np.full(TABLE_SIZE, -1, dtype=np.int8)
    for i, (lo, hi) in enumerate(AGE_BANDS):
        band[(age >= lo) & (age <= hi)] = i
    return AgeTables(
        falter_window=falter.astype(np.float32),
        feeding_window=(falter & (age >= 6)).astype(np.float32),
        drift=np.where(born & ~falter, params.haz_drift_after_24m, 0.0).astype(np.float32),
        diarrhoea_loss=np.where(born, params.haz_loss_per_diarrhoea * loss, 0.0).astype(
            np.float32),
        diarrhoea_mult=by_stage(params.diarrhoea_age_mult),
        respiratory_mult=by_stage(params.respiratory_age_mult),
        hb_profile=np.where(born, np.interp(age, HB_PROFILE_AGES, params.hb_profile), 0.0).astype(
            np.float32),
        iron_gap=by_stage(params.iron_gap_by_age),
        band=band,
    )


# --- Household-level risk (recomputed when poverty or feeding change) ----------------------

def falter_rate(poor: np.ndarray, rural: np.ndarray, schooling: np.ndarray,
                params: Parameters, altitude_m: np.ndarray | float = 0.0) -> np.ndarray:
    """HAZ lost per month (z) in 0-23 m before feeding, diarrhoea and the child's own velocity.

    Poverty, rural residence, the mother's schooling and altitude (km above sea level: a
    calibrated stand-in for what the evidence table does not give, see defaults.py).
    """
    by_schooling = np.asarray(params.haz_falter_schooling, dtype=np.float32)
    return (params.haz_falter_base + params.haz_falter_poor * poor
            + params.haz_falter_rural * rural + by_schooling[schooling]
            + params.haz_falter_per_km_altitude * np.asarray(altitude_m) / 1000.0
            ).astype(np.float32)


def diarrhoea_rate_ratio(improved_water: np.ndarray, improved_sanitation: np.ndarray,
                         poor: np.ndarray, params: Parameters) -> np.ndarray:
    """Household multiplier of the diarrhoea probability (water, sanitation, poverty)."""
    rr = np.where(improved_water, 1.0, params.diarrhoea_rr_unimproved_water)
    rr = rr * np.where(improved_sanitation, 1.0, params.diarrhoea_rr_unimproved_sanitation)
    return (rr * np.where(poor, params.diarrhoea_rr_poor, 1.0)).astype(np.float32)


def household_iron_gap(poor: np.ndarray, adequate_feeding: np.ndarray,
                       params: Parameters, rural: np.ndarray | bool = False) -> np.ndarray:
    """Household part of the dietary iron gap (added to the age part)."""
    return (params.iron_gap_poor * poor + params.iron_gap_rural * np.asarray(rural)
            + params.iron_gap_adequate_feeding * adequate_feeding).astype(np.float32)


def _f32(values, n: int) -> np.ndarray:
    """``values`` as a contiguous float32 array of ``n`` (scalars are broadcast)."""
    values = np.asarray(values, dtype=np.float32)
    if values.shape != (n,) or not values.flags.c_contiguous:
        values = np.ascontiguousarray(np.broadcast_to(values, (n,)))
    return values


def _flags(illness, n: int) -> np.ndarray:
    """Illness flags as a contiguous int8 array of ``n``."""
    return np.ascontiguousarray(np.broadcast_to(np.asarray(illness, dtype=np.int8), (n,)))


def _rows(age_index) -> np.ndarray:
    """Age-table rows as a contiguous ``np.intp`` array."""
    return np.ascontiguousarray(age_index, dtype=np.intp)


# --- Illness ----------------------------------------------------------------------------------

def season_factor(month_of_year: int, params: Parameters) -> float:
    """Relative illness risk in a calendar month (1 = January, the rainy-season peak)."""
    return 1.0 + params.illness_season_amplitude * np.cos(2 * np.pi * (month_of_year - 1) / 12)


def draw_illness(age_index: np.ndarray, household_rr: np.ndarray, season: float, tables: AgeTables,
                 params: Parameters, u_diarrhoea: np.ndarray,
                 u_respiratory: np.ndarray, vaccinated: np.ndarray | None = None) -> np.ndarray:
    """Illness flags for this month from uniform draws (one pair per child).

    ``age_index`` is age in months + AGE_OFFSET (the row of the age tables), as ``np.intp``:
    numpy indexes with intp many times faster than with small integer types. Children
    immunised against rotavirus and pneumococcus (boolean ``vaccinated``) have fewer
    diarrhoea and respiratory episodes (E3).
    """
    n = len(age_index)
    out = np.empty(n, dtype=np.int8)
    has_vaccinated = vaccinated is not None
    kernels.illness(
        _rows(age_index), _f32(household_rr, n),
        np.asarray(vaccinated, dtype=bool) if has_vaccinated else kernels.empty(bool),
        has_vaccinated, tables.diarrhoea_mult, tables.respiratory_mult,
        params.diarrhoea_monthly_prob * season, params.respiratory_monthly_prob * season,
        params.vaccine_diarrhoea_rr, params.vaccine_respiratory_rr,
        _f32(u_diarrhoea, n), _f32(u_respiratory, n), out)
    return out


# --- Height-for-age ----------------------------------------------------------------------------

def haz_at_birth(low_birth_weight: np.ndarray, z: np.ndarray, params: Parameters,
                 skilled: np.ndarray | None = None) -> np.ndarray:
    """HAZ of newborns around the birth mean.

    Lower for low birth weight (C6a-C6c) and without a skilled attendant at birth (E1-E2;
    ``skilled`` is boolean, default: all attended).
    """
    haz = (params.haz_birth_mean + params.haz_birth_lbw_shift * low_birth_weight
           + params.haz_birth_sd * z)
    if skilled is not None:
        haz = haz + params.haz_birth_unskilled_shift * ~np.asarray(skilled, dtype=bool)
    return haz.astype(np.float32)


def haz_change(age_index: np.ndarray, rate: np.ndarray, feeding_penalty: np.ndarray,
               velocity: np.ndarray, illness: np.ndarray, tables: AgeTables,
               params: Parameters, z: np.ndarray,
               treated: np.ndarray | None = None) -> np.ndarray:
    """Monthly HAZ change (z).

    Within the faltering window (0-23 m) the child loses ``rate`` (household risk) plus the
    feeding penalty (6-23 m) less its own persistent ``velocity``; after it, a small drift.
    Each diarrhoea episode costs an age-dependent loss, reduced where the boolean mask
    ``treated`` is set; ``z`` adds the random innovation. ``age_index`` is age in months +
    AGE_OFFSET. (Unborn slots, age < 0, get the drift: birth overwrites them.)
    """
    n = len(age_index)
    out = np.empty(n, dtype=np.float32)
    has_treated = treated is not None and len(treated) > 0
    kernels.haz_change(
        _rows(age_index), _f32(rate, n), _f32(feeding_penalty, n), _f32(velocity, n),
        _flags(illness, n), tables.falter_window, tables.feeding_window, tables.diarrhoea_loss,
        params.haz_drift_after_24m, params.haz_innovation_sd, _f32(z, n),
        np.asarray(treated, dtype=bool) if has_treated else kernels.empty(bool), has_treated,
        params.treated_illness_loss_reduction, out)
    return out


# --- Hemoglobin ---------------------------------------------------------------------------------

def altitude_rise_cdc(altitude_m: np.ndarray) -> np.ndarray:
    """Hb rise with altitude (g/dL), WHO 2011 / CDC formula (B6).

    The quadratic is negative below about 440 m and is clipped at zero there; the model uses
    it as the physiological rise of measured Hb at every altitude (a structural assumption:
    it is the curve the survey targets were adjusted with).
    """
    feet = np.asarray(altitude_m, dtype=np.float64) * 0.0032808
    return np.maximum(0.0, (-0.032 * feet + 0.022 * feet ** 2)).astype(np.float32)


def altitude_rise_true(altitude_m: np.ndarray, southern: np.ndarray,
                       params: Parameters) -> np.ndarray:
    """A child's physiological Hb rise with altitude (g/dL): the Peruvian evidence, B13.

    Flat up to ``hb_altitude_threshold_m``, then linear at ``hb_altitude_rise_per_km``;
    multiplied by ``hb_altitude_south_factor`` where ``southern`` (Puno, Cusco: B13 finds a
    smaller rise there). The survey then subtracts the CDC formula (``altitude_adjustment``),
    which is convex: it under-corrects at middle altitudes and over-corrects high up (B14),
    so the gap between the two is measured anemia that no iron can remove.
    """
    alt = np.asarray(altitude_m, dtype=np.float64)
    rise = params.hb_altitude_rise_per_km * np.maximum(0.0, alt - params.hb_altitude_threshold_m
                                                       ) / 1000.0
    return (rise * np.where(southern, params.hb_altitude_south_factor, 1.0)).astype(np.float32)


def altitude_adjustment_who2024(altitude_m: np.ndarray) -> np.ndarray:
    """WHO 2024 altitude adjustment as adopted by MINSA (B16): about 4 g/L per 500 m, g/dL.

    B16 gives only the slope; applying it linearly from sea level is an ASSUMPTION.
    """
    return (0.4 * np.asarray(altitude_m, dtype=np.float64) / 500.0).astype(np.float32)


def altitude_adjustment_peru(altitude_m: np.ndarray) -> np.ndarray:
    """Peru-specific ENDES 2015 altitude correction (B8), g/dL; zero below about 865 m.

    B8 gives Hb_adj = 8.3*exp(0.000426*alt) - 12; its values are in g/L (at 3,000 m it gives
    17.8, next to the CDC formula's 18.2 g/L), so the result is divided by 10. (B8's "Hb rises
    from 375 m" is a separate finding, not this formula's threshold.)
    """
    alt = np.asarray(altitude_m, dtype=np.float64)
    return np.maximum(0.0, (8.3 * np.exp(0.000426 * alt) - 12.0) / 10.0).astype(np.float32)


def altitude_adjustment(altitude_m: np.ndarray, definition: str,
                        params: Parameters) -> np.ndarray:
    """g/dL subtracted from measured Hb before comparing with the cut-off.

    who2011 (as ENDES until 2023) uses the CDC formula above 1,000 m (B5, B6); who2024 the
    WHO 2024 slope MINSA adopted in 2024 (B16); peru the INS correction (B8).
    """
    if definition == "peru":
        return altitude_adjustment_peru(altitude_m)
    if definition == "who2024":
        return altitude_adjustment_who2024(altitude_m)
    if definition == "who2011":
        altitude_m = np.asarray(altitude_m, dtype=np.float64)
        return np.where(altitude_m > params.who_adjustment_min_altitude_m,
                        altitude_rise_cdc(altitude_m), 0.0).astype(np.float32)
    raise ValueError(f"unknown anemia definition {definition!r}; valid: {ANEMIA_DEFINITIONS}")


def anemia_cutoff_by_age(definition: str, params: Parameters) -> np.ndarray:
    """Hb cut-off (g/dL, altitude-adjusted) per month of age; +inf where not assessed (< 6 m)."""
    age = np.arange(TABLE_SIZE) - AGE_OFFSET
    cutoff = np.full(TABLE_SIZE, params.anemia_cutoff, dtype=np.float32)
    if definition == "who2024":
        cutoff = np.where(age < 24, params.anemia_cutoff_who2024[0],
                          params.anemia_cutoff_who2024[1]).astype(np.float32)
    cutoff[age < params.anemia_min_age] = -np.inf  # nobody under 6 m counts as anemic
    return cutoff


def hb_target(age_index: np.ndarray, offset: np.ndarray, altitude_rise: np.ndarray,
              household_gap: np.ndarray, supplement: np.ndarray, illness: np.ndarray,
              tables: AgeTables, params: Parameters,
              treated: np.ndarray | None = None,
              non_iron_drop: np.ndarray | None = None) -> np.ndarray:
    """The Hb (g/dL, measured at the child's altitude) a child tends towards this month.

    Age profile + the child's persistent offset + altitude rise, minus the deficit from the
    unmet share of dietary iron (age and household parts, less what supplements cover), a
    drop in months with an illness episode (smaller where the boolean mask ``treated`` is
    set) and ``non_iron_drop`` (g/dL: parasites, B12 deficiency, malaria; iron does not touch
    it). ``age_index`` is age in months + AGE_OFFSET.
    """
    n = len(age_index)
    out = np.empty(n, dtype=np.float32)
    has_treated, has_non_iron = treated is not None, non_iron_drop is not None
    kernels.hb_target(
        _rows(age_index), _f32(offset, n), _f32(altitude_rise, n), _f32(household_gap, n),
        _f32(supplement, n), _flags(illness, n), tables.iron_gap, tables.hb_profile,
        params.hb_iron_gap_deficit, params.hb_infection_drop,
        np.asarray(treated, dtype=bool) if has_treated else kernels.empty(bool), has_treated,
        params.treated_illness_loss_reduction,
        _f32(non_iron_drop, n) if has_non_iron else kernels.empty(np.float32), has_non_iron,
        out)
    return out


def hb_update(hb: np.ndarray, target: np.ndarray, params: Parameters,
              z: np.ndarray) -> np.ndarray:
    """Move Hb part of the way to its target, plus a random innovation (g/dL)."""
    hb = np.asarray(hb, dtype=np.float32)
    out = np.empty(len(hb), dtype=np.float32)
    kernels.hb_update(hb, _f32(target, len(hb)), params.hb_adjustment_rate,
                      params.hb_innovation_sd, _f32(z, len(hb)), out)
    return out
