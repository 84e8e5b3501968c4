"""Every default number in the model, in one commented table.

Each line gives the value, its unit and where it comes from:

* a row of the evidence table (``docs/evidence.md``, a copy of
  ``shared/evidence/parameters.md``), e.g. ``# C6c``;
* a program-document fact (``# program documents``, DESIGN.md section 9);
* ``# derived`` from such figures, with the arithmetic;
* ``# calibrated`` when no direct evidence gives the number and it is fitted to the survey
  figures up to 2012 (``model/data/calibration_targets.csv`` and
  ``endes_departments_2009_2012.csv``): the 23 of ``model/analysis/calibration.py``'s
  ``SEARCH_SPACE`` by ``python run.py calibrate``, the department terms by ``calibrate
  --departments``;
* ``# tuned by hand in issue 3, not refitted`` when no direct evidence gives the number and
  it was set by hand so that the model matched a gradient or shape of the evidence table
  (A10, B1, B9, C5e, C6b) and the 2011 national figures; these are not refitted;
* ``# ASSUMPTION`` when there is neither evidence nor a target: the number is our stated
  guess, listed again in ``docs/model.md`` ("Assumptions without evidence").

A scenario may override any field by name under ``parameters:``.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

from model.names import plain_name
from model.safe_yaml import short as _number_text

# The calibrated department terms (python run.py calibrate --departments): one row per
# department, alphabetical as in the district data.
DEPARTMENT_TERMS_CSV = Path(__file__).parent / "data" / "department_terms.csv"


def _department_terms() -> tuple[tuple[str, ...], tuple[float, ...], tuple[float, ...]]:
    """Department names and their two fitted terms, from ``DEPARTMENT_TERMS_CSV``."""
    with open(DEPARTMENT_TERMS_CSV, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return (tuple(row["department"] for row in rows),
            tuple(float(row["haz_falter_department"]) for row in rows),
            tuple(float(row["hb_department_shift"]) for row in rows))


# DEPARTMENT_ORDER: the departments in the order of the department-term tuples below.
DEPARTMENT_ORDER, _FALTER_BY_DEPARTMENT, _HB_BY_DEPARTMENT = _department_terms()
# The department terms: a scenario may also give them as {DEPARTMENT: value}.
DEPARTMENT_TERMS = ("haz_falter_department", "hb_department_shift")

# Ages (months) at which the Hb age profile below is given; linear in between.
HB_PROFILE_AGES = (0, 3, 6, 9, 12, 18, 24, 36, 48, 59)


@dataclass(frozen=True)
class Parameters:
    """Default parameters of the ECD model (units in the comments, sources on each line)."""

    # --- Population -------------------------------------------------------------------------
    under5_share_of_population: float = 0.0903   # fraction; derived: DESIGN.md §2 "about 2.9 million children under five" / 32,131,400 people (2019, SOURCES §1)
    rural_children_ratio: float = 2.5            # under-5 children per person in rural areas relative to urban ones; derived: ENDES 2009-2012 national, urban and rural stunting imply that 35-37% of children under five were rural (e.g. 2009: (40.3 - 23.8) / (40.3 - 14.2) = 63% urban), against 18% of the 2019 population (peru_districts.csv): 0.36 x 0.819 / (0.64 x 0.181) = 2.5 (higher rural fertility and urbanisation since then)
    extra_children_per_household: float = 0.3    # mean of Poisson extra under-5 siblings per household (capped at 2); ASSUMPTION, no evidence row
    low_birth_weight_share: float = 0.070        # fraction of births < 2,500 g; C6c (ENDES 2016: 7.0%)
    male_share_at_birth: float = 0.5             # fraction; ASSUMPTION (sex is recorded, not yet used by the dynamics)
    rural_welfare_gap_sd: float = 0.8            # SD of latent welfare by which rural households sit below urban ones in the same district; ASSUMPTION (shared/data has no within-district urban/rural poverty split)
    welfare_yearly_correlation: float = 0.9      # correlation of a household's latent welfare one year apart (poverty churn); ASSUMPTION, no evidence row
    ses_loading: float = 0.7                     # correlation of schooling, water, sanitation and adequate feeding with latent welfare; ASSUMPTION, no evidence row
    schooling_shares: tuple = (0.04, 0.28, 0.45, 0.23)  # mothers with none / primary / secondary / higher schooling; ASSUMPTION (A10 gives the stunting gradient, not these shares)
    schooling_trend_sd_per_year: float = 0.07158      # yearly rise of mothers' latent schooling score (SD), relative to the 2018 distribution; calibrated (0 = schooling as in 2018; no schooling series in the evidence table)
    improved_water_share: float = 0.793          # fraction of households with improved drinking water; C5e (Huicho et al. 2019: 79.3% in 2015)
    improved_sanitation_share: float = 0.70      # fraction of households with improved sanitation; ASSUMPTION, no Peru figure in the evidence table
    adequate_feeding_share: float = 0.55         # fraction of caregivers whose complementary feeding is adequate; tuned by hand in issue 3, not refitted (C2d: "a majority" in Peru received a minimum adequate diet)

    # --- Health posts (no facility data yet: a stated rule) ---------------------------------
    residents_per_health_post: float = 4000.0    # persons per health post; ASSUMPTION until facility data exist (each district gets at least one post)
    health_workers_per_10k: float = 17.8         # health workers per 10,000 people; D3c (~2011)
    primary_care_share: float = 0.333            # share of health workers in primary care; D3c (about one third of physicians, 2017)
    contacts_per_worker_month: float = 160.0     # child contacts one worker can give per month; ASSUMPTION (8 a day, 20 days), no evidence row
    rural_distance_km_mean: float = 5.0          # mean distance (km) from a rural household to its post, exponential; ASSUMPTION, no evidence row
    urban_distance_km_mean: float = 1.0          # mean distance (km) for urban households, exponential; ASSUMPTION, no evidence row

    # --- Height-for-age (HAZ) ---------------------------------------------------------------
    stunting_cutoff: float = -2.0                # z; A1 (WHO 2006 standards)
    severe_stunting_cutoff: float = -3.0         # z; A1
    haz_birth_mean: float = -0.1284                 # z at birth, normal birth weight; calibrated (A3: mean HAZ at birth < 0)
    haz_birth_sd: float = 0.7249                    # z; calibrated (A6, population SD)
    haz_birth_lbw_shift: float = -0.6            # z added at birth for low birth weight; tuned by hand in issue 3, not refitted so the LBW odds ratio for stunting is near 2.3 (C6b OR 2.32; C6a SGA-term 2.43)
    haz_falter_base: float = 0.01574               # z lost per month from 0 to 23 months, least-risk child; calibrated (A2 shape, A9/targets level)
    haz_falter_poor: float = 0.02805                # extra z per month 0-23 m if the household is poor; calibrated (A11: wealth protective)
    haz_falter_rural: float = 0.00936               # extra z per month 0-23 m if rural; calibrated (A11: rural PR 1.36)
    haz_falter_schooling: tuple = (0.03762, 0.01192, 0.005645, 0)   # extra z per month 0-23 m by mother's schooling none/primary/secondary/higher; calibrated (A10 gradient 54.3/39.1/13.7/3.4%)
    haz_falter_inadequate_feeding: float = 0.0128  # extra z per month 6-23 m with inadequate complementary feeding; derived: C2a (feeding education raises HAZ by SMD +0.23 by 24 m), read as the HAZ gap between inadequate and adequate feeding spread over the 18 months 6-23 (0.23/18)
    haz_falter_per_km_altitude: float = 0.001275       # extra z per month 0-23 m per 1,000 m of altitude; calibrated, range 0-0.012: no evidence row gives it; it stands for what varies with altitude and the table lacks (hypoxia, Andean diets, mothers' height), added because the department fit left the poor highland departments (Huancavelica, Ayacucho, Apurimac) far too low
    haz_falter_department: tuple = _FALTER_BY_DEPARTMENT  # extra z lost per month in 0-23 m in each department (25, DEPARTMENT_ORDER), read from model/data/department_terms.csv; calibrated department term: what the faltering mechanisms leave unexplained between departments (diets, care practices, mothers' height), fitted with shrinkage towards 0 (docs/validation.md)
    haz_falter_end_month: int = 24               # age (months) at which faltering stops; A2 ("falters dramatically until 24 months")
    haz_drift_after_24m: float = 0.002           # z per month from 24 to 59 m; tuned by hand in issue 3, not refitted within A3 (+0.3 to +0.5 over 24 m to mid-childhood) and A4 (Peru -0.19 from 1 to 5 y)
    haz_velocity_sd: float = 0.010               # SD of each child's own z per month over 0-23 m (persistent component); tuned by hand in issue 3, not refitted (A6: strong tracking)
    haz_innovation_sd: float = 0.04343               # SD of the monthly random HAZ change; calibrated (A5: < 5% of stunted recover a month; A6)
    haz_loss_per_diarrhoea: float = 0.016        # z lost per diarrhoea episode at 12-59 m; derived from C5c: OR 1.13 per 5 episodes; at 20% prevalence and HAZ SD 1.15 the log-odds of stunting rise 1.52 per z of mean shift (phi(-0.84)/(1.15*0.2*0.8)), so ln(1.13)/1.52/5 = 0.016
    haz_diarrhoea_age_mult: tuple = (1.97, 1.72)  # multiplier of that loss at 0-5 m and 6-11 m; C5d (aPR 1.97 and 1.72 vs 12-23 m, for losing >= 0.5 LAZ after an episode, used here as multipliers of the mean loss)

    # --- Hemoglobin ---------------------------------------------------------------------------
    hb_profile: tuple = (15.0, 11.9, 10.75, 11.35, 11.6, 11.85, 11.9, 12.2, 12.4, 12.5)  # g/dL at sea level for an iron-replete child at HB_PROFILE_AGES; tuned by hand in issue 3, not refitted (B9 shape: lowest near 6-12 m; B1 levels)
    hb_individual_sd: float = 0.75               # g/dL, SD of a child's persistent Hb offset; tuned by hand in issue 3, not refitted (B1)
    hb_innovation_sd: float = 0.25               # g/dL, SD of the monthly random Hb change; tuned by hand in issue 3, not refitted
    hb_adjustment_rate: float = 0.35             # fraction of the gap to the child's target Hb closed per month; tuned by hand in issue 3, not refitted (B11: recovery within months on iron)
    hb_iron_gap_deficit: float = 2.862              # g/dL below target at a complete dietary iron gap; calibrated (B1, B10: iron is one cause among several)
    iron_gap_by_age: tuple = (0.20, 0.45, 0.30)  # dietary iron gap (0-1) at 0-5, 6-23 and 24-59 m; tuned by hand in issue 3, not refitted (B1 peak at 6-12 m; C2a/C4 context)
    iron_gap_poor: float = 0.05207                   # extra iron gap if poor; calibrated (B12: 51.9% met micronutrient needs)
    iron_gap_rural: float = 0.011                    # extra iron gap if rural; calibrated, range 0-0.3 (B12: 51.9% met micronutrient needs; rural diets poorer in heme iron, no Peru figure)
    iron_gap_adequate_feeding: float = -0.20     # change in iron gap with adequate complementary feeding; tuned by hand in issue 3, not refitted
    hb_infection_drop: float = 0.1905               # g/dL lower target in a month with illness; calibrated to B12 (infection OR 1.6 for anemia)
    hb_altitude_threshold_m: float = 1000.0      # m; a child's true Hb rises with altitude above this; B13 (SIEN, 2 million children: flat from sea level to 999 m)
    hb_altitude_rise_per_km: float = 0.9152         # g/dL of true Hb rise per 1,000 m above the threshold; derived from B13 (11.32 g/dL at 1,000 m to about 14.54 at 4,000 m: 3.22 / 3), calibrated within 0.6-1.4
    hb_department_shift: tuple = _HB_BY_DEPARTMENT  # g/dL added to the Hb of every child in each department (25, DEPARTMENT_ORDER), read from model/data/department_terms.csv; calibrated department term: what the Hb mechanisms leave unexplained between departments (diet, altitude adaptation, measurement), fitted with shrinkage towards 0 (docs/validation.md)
    hb_altitude_south_factor: float = 0.6944         # multiplier of that rise in Puno and Cusco; calibrated (B13: Hb rises less in the southern highlands; B14: Puno's over-correction is the largest)
    hb_non_iron_drop: float = 0.4397                 # g/dL lower Hb target for a child with a non-iron cause of anemia (parasites, B12 deficiency, malaria); calibrated (B15)
    non_iron_share_by_region: tuple = (0.1756, 0.1777, 0.3352)   # share of households with a non-iron cause at improved water and sanitation, Costa / Sierra / Selva; calibrated (B15: altitude-free anemia 13.5% selva vs 3.3% sierra; parasitosis in about half of anemic children in Ucayali and Huancavelica)
    non_iron_rr_unimproved_water: float = 1.8    # rate ratio of a non-iron cause without improved water; derived from B15 (safe water would lower selva anemia by 45%: 1 / 0.55)
    non_iron_rr_unimproved_sanitation: float = 1.3  # rate ratio without improved sanitation; ASSUMPTION (as for diarrhoea), no evidence row
    anemia_cutoff: float = 11.0                  # g/dL, 6-59 m, WHO 2011; B5
    anemia_cutoff_who2024: tuple = (10.5, 11.0)  # g/dL at 6-23 m and 24-59 m; B7
    who_adjustment_min_altitude_m: float = 1000.0  # m; WHO altitude adjustment applies above this altitude; B5
    anemia_min_age: int = 6                      # months; B5 (anemia is judged from 6 months)

    # --- Care, antenatal care and CRED contacts (used once a program runs) -------------------
    care_seeking_base: float = 0.3               # probability an ill child is taken for treatment without programs; ASSUMPTION, no evidence row
    treated_illness_loss_reduction: float = 0.5  # share of an episode's HAZ loss and Hb drop avoided when treated; ASSUMPTION, no evidence row (C6e: insurance improves health in 9/12 studies, no size)
    anc_baseline_share: float = 0.96             # share of births with 4+ antenatal visits when the scenario sets no trend; E1 (96% in 2016)
    facility_delivery_base: float = 0.98         # share of births with a skilled attendant when the scenario sets no trend; E1 (98% in 2016)
    haz_birth_unskilled_shift: float = -0.08909      # z at birth without a skilled attendant (no newborn care); calibrated (E2: maternal and newborn care the main driver of the decline, no effect size), range -0.8 to 0
    vaccination_share: float = 0.79              # share of children immunised against rotavirus and pneumococcus when the scenario sets no trend; E3 (79% in 2016)
    vaccine_diarrhoea_rr: float = 0.8577             # rate ratio of diarrhoea episodes for an immunised child; calibrated (E3 gives coverage, not efficacy), range 0.5-1
    vaccine_respiratory_rr: float = 0.9          # rate ratio of respiratory episodes for an immunised child; ASSUMPTION (E3 gives coverage, not efficacy; left out of the fit, which cannot tell it from the diarrhoea ratio)
    lbw_odds_ratio_no_anc: float = 1.24          # odds ratio of low birth weight with no antenatal care; C6d (AOR 1.24)
    cost_per_cred_contact: float = 15.0          # soles per CRED contact, whichever program brought the family; ASSUMPTION, no unit cost in the evidence table
    cred_share_of_capacity: float = 0.3          # share of a post's contacts available for CRED; ASSUMPTION, no evidence row
    discouraged_months: int = 6                  # months a family turned away at a full post stays discouraged; ASSUMPTION
    discouraged_attendance_factor: float = 0.3   # multiplier of a discouraged family's attendance; ASSUMPTION
    attendance_distance_km: float = 10.0         # km over which attendance falls by a factor e (exp(-d/this)); ASSUMPTION, no evidence row

    # --- Illness ---------------------------------------------------------------------------------
    diarrhoea_monthly_prob: float = 0.12         # probability of a diarrhoea episode in a month for a non-poor child with improved water and sanitation (age multiplier 1); tuned by hand in issue 3, not refitted so the national mean is 0.16-0.17 a month, derived from C5e (10% ill in 2 weeks, ~4-day episodes: 0.10*14/18*30/14 = 0.17)
    diarrhoea_age_mult: tuple = (0.8, 1.6, 0.6)  # multiplier at 0-5, 6-23, 24-59 m; tuned by hand in issue 3, not refitted (C5e: higher at 0-23 m)
    diarrhoea_rr_unimproved_water: float = 1.5   # rate ratio without improved water; tuned by hand in issue 3, not refitted (C5e, B12 water OR 0.58 for anemia)
    diarrhoea_rr_unimproved_sanitation: float = 1.3  # rate ratio without improved sanitation; ASSUMPTION, no evidence row
    diarrhoea_rr_poor: float = 1.2               # rate ratio if poor; tuned by hand in issue 3, not refitted (C5e: higher in the poorest)
    illness_season_amplitude: float = 0.2        # relative rise of episodes in January, the rainy season (cosine over the year); ASSUMPTION, no evidence row
    respiratory_monthly_prob: float = 0.15       # probability of an acute respiratory episode in a month; ASSUMPTION, no evidence row
    respiratory_age_mult: tuple = (1.2, 1.3, 0.8)  # multiplier at 0-5, 6-23, 24-59 m; ASSUMPTION, no evidence row

    # --- Local government: municipalities, regions and the neighbour graph (issue 14) ----------
    # No evidence row gives municipal capacity, effort or the response to incentives: every
    # number here is an ASSUMPTION, drawn over a wide range (model/analysis/draws.py).
    capacity_idh_weight: float = 1.5             # logit of a municipality's capacity per SD of the 2019 human development index (staff and budget proxy); ASSUMPTION
    capacity_population_weight: float = 0.5      # logit of capacity per SD of log population (scale of the administration); ASSUMPTION
    capacity_rural_weight: float = 0.5           # logit of capacity lost per SD of rural share (remoteness); ASSUMPTION
    unpaid_effort: float = 0.1                   # effort (0-1) a municipality or region gives a target that pays nothing (mandated work only); ASSUMPTION
    stake_half_soles: float = 20.0               # soles per child under five a year at stake for which effort reaches half of what capacity allows; ASSUMPTION
    neighbour_copy_strength: float = 0.3         # share of the gap to the most effortful paid neighbour a municipality that was not paid closes each year (0 = no copying); ASSUMPTION
    cross_border_care: float = 0.5               # chance a family turned away or without a staffed post tries the nearest neighbouring district's staffed post (before its distance cost; 0 = never); ASSUMPTION
    neighbour_labour_share: float = 0.5          # weight of neighbouring districts' population in a district's labour pool for home visitors and SERUMS workers (0 = own district only); ASSUMPTION
    recruitment_pool_half: float = 2000.0        # residents of a labour pool for which filling a place takes twice the program's lag (lag x (1 + this / pool): a much larger pool fills at about the lag); ASSUMPTION

    def with_overrides(self, overrides: dict) -> "Parameters":
        """Return a copy with ``overrides`` applied (names must be fields of this class)."""
        return dataclasses.replace(self, **overrides)


# Allowed values of every parameter a scenario may override: (low, high, reason), inclusive.
# Bounds are plausibility limits, wide around the evidence: they must hold every value a
# shipped scenario, the calibration's SEARCH_SPACE and the parameter draws
# (model/analysis/draws.py) can give, and refuse only what no child population can have.
# Every value of a tuple lies in its range. Integers (haz_falter_end_month, anemia_min_age,
# discouraged_months) must be whole numbers.
_SHARE = "a share or probability"
_Z_MONTH = ("ASSUMPTION: plausibility limit; 0.2 z a month for 24 months is -4.8 z, beyond any "
            "population's mean (A9: Peru's worst department about -2)")
_RR = "ASSUMPTION: plausibility limit for a rate or odds ratio (evidence rows give 0.5-2.5)"
_GDL = "ASSUMPTION: physiological limit (g/dL)"
PARAMETER_BOUNDS: dict[str, tuple[float, float, str]] = {
    "under5_share_of_population": (0.01, 0.3, "ASSUMPTION: physical limit; no country has "
                                   "under-fives above 20% of its people (Peru 9%)"),
    "rural_children_ratio": (0.2, 10.0, "ASSUMPTION: plausibility limit (derived value 2.5)"),
    "extra_children_per_household": (0.0, 3.0, "ASSUMPTION: plausibility limit; extra "
                                     "siblings are capped at 2"),
    "low_birth_weight_share": (0.0, 1.0, _SHARE + " (C6c: 7%)"),
    "male_share_at_birth": (0.4, 0.6, "ASSUMPTION: physical limit (about 0.51 everywhere)"),
    "rural_welfare_gap_sd": (0.0, 5.0, "ASSUMPTION: plausibility limit, SD units"),
    "welfare_yearly_correlation": (0.0, 1.0, "a correlation (negative churn is not modelled)"),
    "ses_loading": (0.0, 1.0, "a correlation"),
    "schooling_shares": (0.0, 1.0, _SHARE + "; the four must sum to 1"),
    "schooling_trend_sd_per_year": (-0.5, 0.5, "ASSUMPTION: plausibility limit; 0.5 SD a "
                                    "year moves all mothers across the range in a decade"),
    "improved_water_share": (0.0, 1.0, _SHARE),
    "improved_sanitation_share": (0.0, 1.0, _SHARE),
    "adequate_feeding_share": (0.0, 1.0, _SHARE),
    "residents_per_health_post": (100.0, 100_000.0, "ASSUMPTION: plausibility limit; Peru has "
                                  "about one post per 4,000 people; fewer than 100 residents "
                                  "per post means more posts than the model can hold"),
    "health_workers_per_10k": (0.1, 500.0, "as trends.health_workers_per_10k (E4: 11.8-28.2)"),
    "primary_care_share": (0.0, 1.0, _SHARE),
    "contacts_per_worker_month": (1.0, 2000.0, "ASSUMPTION: physical limit (100 a day)"),
    "rural_distance_km_mean": (0.01, 200.0, "ASSUMPTION: plausibility limit (km)"),
    "urban_distance_km_mean": (0.01, 100.0, "ASSUMPTION: plausibility limit (km)"),
    "stunting_cutoff": (-6.0, 0.0, "z; WHO flags HAZ below -6 as implausible (A1: -2)"),
    "severe_stunting_cutoff": (-6.0, 0.0, "z; below stunting_cutoff (A1: -3)"),
    "haz_birth_mean": (-3.0, 3.0, "ASSUMPTION: plausibility limit, z"),
    "haz_birth_sd": (0.0, 3.0, "ASSUMPTION: plausibility limit, z (A6 about 1)"),
    "haz_birth_lbw_shift": (-3.0, 3.0, "ASSUMPTION: plausibility limit, z"),
    "haz_falter_base": (0.0, 0.2, _Z_MONTH),
    "haz_falter_poor": (0.0, 0.2, _Z_MONTH),
    "haz_falter_rural": (0.0, 0.2, _Z_MONTH),
    "haz_falter_schooling": (0.0, 0.2, _Z_MONTH),
    "haz_falter_inadequate_feeding": (0.0, 0.2, _Z_MONTH),
    "haz_falter_per_km_altitude": (0.0, 0.2, _Z_MONTH),
    "haz_falter_department": (-0.2, 0.2, _Z_MONTH),
    "haz_falter_end_month": (1, 60, "months of age, within the model's 0-59 months"),
    "haz_drift_after_24m": (-0.1, 0.1, "ASSUMPTION: plausibility limit, z a month (A3-A4: "
                            "about +0.01)"),
    "haz_velocity_sd": (0.0, 0.2, _Z_MONTH),
    "haz_innovation_sd": (0.0, 0.5, "ASSUMPTION: plausibility limit, z a month (A5)"),
    "haz_loss_per_diarrhoea": (0.0, 1.0, "ASSUMPTION: plausibility limit, z an episode"),
    "haz_diarrhoea_age_mult": (0.0, 10.0, _RR),
    "hb_profile": (5.0, 20.0, _GDL),
    "hb_individual_sd": (0.0, 3.0, _GDL),
    "hb_innovation_sd": (0.0, 3.0, _GDL),
    "hb_adjustment_rate": (0.0, 1.0, "a fraction of the gap closed a month"),
    "hb_iron_gap_deficit": (0.0, 8.0, _GDL),
    "iron_gap_by_age": (0.0, 1.0, "the iron gap scale is 0-1"),
    "iron_gap_poor": (0.0, 1.0, "the iron gap scale is 0-1"),
    "iron_gap_rural": (0.0, 1.0, "the iron gap scale is 0-1"),
    "iron_gap_adequate_feeding": (-1.0, 1.0, "the iron gap scale is 0-1"),
    "hb_infection_drop": (0.0, 5.0, _GDL),
    "hb_altitude_threshold_m": (0.0, 5000.0, "m; Peru's highest districts are near 5,000 m"),
    "hb_altitude_rise_per_km": (0.0, 5.0, _GDL + " per 1,000 m (B13: about 1)"),
    "hb_department_shift": (-5.0, 5.0, _GDL),
    "hb_altitude_south_factor": (0.0, 3.0, "ASSUMPTION: plausibility limit (a multiplier)"),
    "hb_non_iron_drop": (0.0, 8.0, _GDL),
    "non_iron_share_by_region": (0.0, 1.0, _SHARE),
    "non_iron_rr_unimproved_water": (0.0, 10.0, _RR),
    "non_iron_rr_unimproved_sanitation": (0.0, 10.0, _RR),
    "anemia_cutoff": (5.0, 15.0, _GDL + " (B5: 11)"),
    "anemia_cutoff_who2024": (5.0, 15.0, _GDL + " (B7: 10.5 and 11)"),
    "who_adjustment_min_altitude_m": (0.0, 5000.0, "m; Peru's highest districts are near "
                                      "5,000 m"),
    "anemia_min_age": (0, 59, "months of age, within the model's 0-59 months"),
    "care_seeking_base": (0.0, 1.0, _SHARE),
    "treated_illness_loss_reduction": (0.0, 1.0, _SHARE),
    "anc_baseline_share": (0.0, 1.0, _SHARE),
    "facility_delivery_base": (0.0, 1.0, _SHARE),
    "haz_birth_unskilled_shift": (-3.0, 3.0, "ASSUMPTION: plausibility limit, z"),
    "vaccination_share": (0.0, 1.0, _SHARE),
    "vaccine_diarrhoea_rr": (0.0, 2.0, _RR),
    "vaccine_respiratory_rr": (0.0, 2.0, _RR),
    "lbw_odds_ratio_no_anc": (0.1, 10.0, _RR),
    "cost_per_cred_contact": (0.0, 10_000.0, "ASSUMPTION: plausibility limit, soles"),
    "cred_share_of_capacity": (0.0, 1.0, _SHARE),
    "discouraged_months": (0, 60, "ASSUMPTION: plausibility limit, months (a child's first "
                           "five years)"),
    "discouraged_attendance_factor": (0.0, 1.0, "a multiplier of attendance, 0-1"),
    "attendance_distance_km": (0.1, 1000.0, "ASSUMPTION: plausibility limit (km)"),
    "diarrhoea_monthly_prob": (0.0, 1.0, _SHARE),
    "diarrhoea_age_mult": (0.0, 10.0, _RR),
    "diarrhoea_rr_unimproved_water": (0.0, 10.0, _RR),
    "diarrhoea_rr_unimproved_sanitation": (0.0, 10.0, _RR),
    "diarrhoea_rr_poor": (0.0, 10.0, _RR),
    "illness_season_amplitude": (0.0, 1.0, "a relative amplitude, 0-1"),
    "respiratory_monthly_prob": (0.0, 1.0, _SHARE),
    "respiratory_age_mult": (0.0, 10.0, _RR),
    "capacity_idh_weight": (0.0, 10.0, "ASSUMPTION: plausibility limit (logit per SD)"),
    "capacity_population_weight": (0.0, 10.0, "ASSUMPTION: plausibility limit (logit per SD)"),
    "capacity_rural_weight": (0.0, 10.0, "ASSUMPTION: plausibility limit (logit per SD)"),
    "unpaid_effort": (0.0, 1.0, "an effort share, 0-1"),
    "stake_half_soles": (0.1, 10_000.0, "ASSUMPTION: plausibility limit (soles per child a "
                         "year)"),
    "neighbour_copy_strength": (0.0, 1.0, _SHARE),
    "cross_border_care": (0.0, 1.0, _SHARE),
    "neighbour_labour_share": (0.0, 1.0, "a weight, 0-1"),
    "recruitment_pool_half": (0.0, 1_000_000.0, "ASSUMPTION: plausibility limit (residents)"),
}
# Kept for callers of the old names: parameters that may be negative / are shares.
NEGATIVE_ALLOWED = {name for name, (low, _, _) in PARAMETER_BOUNDS.items() if low < 0}
UNIT_INTERVAL = {name for name, (low, high, _) in PARAMETER_BOUNDS.items()
                 if (low, high) == (0.0, 1.0)}


def parameter_range(name: str) -> tuple[float, float]:
    """The range a scenario may set parameter ``name`` to."""
    low, high, _ = PARAMETER_BOUNDS[name]
    return (low, high)


def check_parameter(name: str, value):
    """``value`` for parameter ``name`` checked (type, finiteness, bounds) and normalised.

    A tuple parameter takes a list (or tuple) of the same length; a department term
    (``DEPARTMENT_TERMS``) also takes ``{DEPARTMENT: value}`` for some departments, the others
    keeping their defaults. Returns the value (a tuple for tuple parameters). Raises
    ValueError with a short message: the parameter, the value (truncated) and what is
    allowed, with the bound's reason.
    """
    if name not in PARAMETER_BOUNDS:
        import difflib

        close = difflib.get_close_matches(str(name), parameter_names(), n=5, cutoff=0.5)
        raise ValueError(f"unknown parameter {_number_text(name)}; valid names"
                         + (f" close to it: {', '.join(close)}" if close else
                            f" ({len(parameter_names())}): listed in model/defaults.py")
                         + " (scenarios/README.md)")
    default = getattr(DEFAULTS, name)
    low, high, reason = PARAMETER_BOUNDS[name]
    if name in DEPARTMENT_TERMS and isinstance(value, dict):
        value = _by_department(name, value, default)
    if isinstance(default, tuple):
        if not isinstance(value, (list, tuple)) or len(value) != len(default):
            by_name = (f", in the order of {DEPARTMENT_TERMS_CSV.name}, or {{DEPARTMENT: "
                       "value}" if name in DEPARTMENT_TERMS else "")
            raise ValueError(f"parameter {name!r} = {_number_text(value)}: allowed is a list "
                             f"of {len(default)} numbers, each {low:g} to {high:g} ({reason})"
                             + by_name)
        values = list(value)
    else:
        values = [value]
    whole = isinstance(default, int) and not isinstance(default, bool)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"parameter {name!r} = {_number_text(value)}: allowed are finite "
                             "numbers")
        if whole and not isinstance(v, int):
            raise ValueError(f"parameter {name!r} = {_number_text(value)}: allowed is a whole "
                             f"number from {low:g} to {high:g}")
        if not low <= v <= high:
            raise ValueError(f"parameter {name!r} = {_number_text(value)}: allowed values from "
                             f"{low:g} to {high:g} ({reason})")
    return tuple(values) if isinstance(default, tuple) else value


def _by_department(name: str, value: dict, default: tuple) -> list:
    """A department term given as ``{DEPARTMENT: value}``: the defaults with those replaced.

    Names are matched without regard to case or accents ("Junín" is JUNIN).
    """
    plain = plain_name
    values = list(default)
    for key, number in value.items():
        if plain(key) not in DEPARTMENT_ORDER:
            raise ValueError(f"parameter {name!r}: unknown department {_number_text(key)}; "
                             f"allowed: {', '.join(DEPARTMENT_ORDER)}")
        low, high, reason = PARAMETER_BOUNDS[name]
        if (isinstance(number, bool) or not isinstance(number, (int, float))
                or not math.isfinite(number) or not low <= number <= high):
            raise ValueError(f"parameter {name!r} for {plain(key)} = {_number_text(number)}: "
                             f"allowed a number from {low:g} to {high:g} ({reason})")
        values[DEPARTMENT_ORDER.index(plain(key))] = number
    return values


def check_parameter_set(p: "Parameters") -> None:
    """Checks across parameters (ValueError naming them).

    Schooling shares sum to 1; severe stunting lies below stunting.
    """
    total = sum(p.schooling_shares)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"parameter 'schooling_shares' = {_number_text(p.schooling_shares)} "
                         f"sums to {total:g}; allowed: shares summing to 1")
    if not p.severe_stunting_cutoff < p.stunting_cutoff:
        raise ValueError(f"parameters 'severe_stunting_cutoff' = {p.severe_stunting_cutoff:g} "
                         f"and 'stunting_cutoff' = {p.stunting_cutoff:g}: allowed: severe "
                         "below stunting (A1: -3 and -2)")


def parameter_names() -> list[str]:
    """Names a scenario may override under ``parameters:``."""
    return [f.name for f in dataclasses.fields(Parameters)]


DEFAULTS = Parameters()

assert set(PARAMETER_BOUNDS) == set(parameter_names()), "every parameter needs its bounds"
