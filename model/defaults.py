"""Every default number in the model: one declaration per parameter.

Each field of ``Parameters`` is one ``param(...)`` (``model/declare.py``) that states the
value, its ``unit`` and its ``source``, the ``bounds`` a scenario may set it to (with the
reason), and where they apply its ``draw`` (the distribution of ``model/analysis/draws.py``),
its ``calibrate`` search range and a plain-language ``label``. ``PARAMETER_BOUNDS`` below,
the draws of the model's parameters, the calibration's ``SEARCH_SPACE``
(``model/analysis/search_space.py``) and the sensitivity labels are derived from these
declarations. Every ``source`` says where the number comes from:

* a row of the evidence table (``docs/evidence.md``, a copy of
  ``shared/evidence/parameters.md``), e.g. ``"C6c (ENDES 2016: 7.0%)"``;
* a program-document fact (``program documents``, DESIGN.md section 9);
* ``derived`` from such figures, with the arithmetic;
* ``calibrated`` when no direct evidence gives the number and it is fitted to the survey
  figures up to 2012 (``model/data/calibration_targets.csv`` and
  ``endes_departments_2009_2012.csv``): the 23 numbers with a ``calibrate`` range by
  ``python run.py calibrate``, the department terms by ``calibrate --departments``;
* ``tuned by hand in issue 3, not refitted`` when no direct evidence gives the number and
  it was set by hand so that the model matched a gradient or shape of the evidence table
  (A10, B1, B9, C5e, C6b) and the 2011 national figures; these are not refitted;
* ``ASSUMPTION`` when there is neither evidence nor a target: the number is our stated
  guess, listed again in ``docs/model.md`` ("Assumptions without evidence").

A scenario may override any field by name under ``parameters:``.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

from model.declare import (
    Z95,
    Draw,
    ci95,
    ci95_ratio,
    declared,
    param,
    relative_interval,
)

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


# Reasons shared by several bounds (each field's bounds=(low, high, reason)).
_SHARE = "a share or probability"
_Z_MONTH = ("ASSUMPTION: plausibility limit; 0.2 z a month for 24 months is -4.8 z, beyond any "
            "population's mean (A9: Peru's worst department about -2)")
_RR = "ASSUMPTION: plausibility limit for a rate or odds ratio (evidence rows give 0.5-2.5)"
_GDL = "ASSUMPTION: physiological limit (g/dL)"
# Log-SDs of draws carried from an evidence row's 95% CI in proportion to its log ratio.
_C5C_LOG_SD = (math.log(1.19) - math.log(1.07)) / (2 * Z95) / math.log(1.13)
_C6B_LOG_SD = (math.log(2.62) - math.log(2.05)) / (2 * Z95) / math.log(2.32)
_C2A = tuple(v / 18 for v in ci95(0.09, 0.36))


@dataclass(frozen=True)
class Parameters:
    """Default parameters of the ECD model (each one ``param``: value, unit, source...)."""

    # --- Population -------------------------------------------------------------------------
    under5_share_of_population: float = param(0.0903, unit="fraction",
        source='derived: DESIGN.md §2 "about 2.9 million children under five" / 32,131,400 people (2019, SOURCES §1)',
        bounds=(0.01, 0.3, "ASSUMPTION: physical limit; no country has under-fives above 20% of its people (Peru 9%)"))
    rural_children_ratio: float = param(2.5, unit="under-5 children per person in rural areas relative to urban ones",
        source="derived: ENDES 2009-2012 national, urban and rural stunting imply that 35-37% of children under five were rural (e.g. 2009: (40.3 - 23.8) / (40.3 - 14.2) = 63% urban), against 18% of the 2019 population (peru_districts.csv): 0.36 x 0.819 / (0.64 x 0.181) = 2.5 (higher rural fertility and urbanisation since then)",
        bounds=(0.2, 10.0, "ASSUMPTION: plausibility limit (derived value 2.5)"))
    extra_children_per_household: float = param(0.3, unit="mean of Poisson extra under-5 siblings per household (capped at 2)",
        source="ASSUMPTION, no evidence row",
        bounds=(0.0, 3.0, "ASSUMPTION: plausibility limit; extra siblings are capped at 2"), draw=Draw("uniform", 0.15, 0.45, "ASSUMPTION"))
    low_birth_weight_share: float = param(0.070, unit="fraction of births < 2,500 g",
        source="C6c (ENDES 2016: 7.0%)",
        bounds=(0.0, 1.0, _SHARE + " (C6c: 7%)"), draw=Draw("beta", 0.062, 0.078, "C6c: 7.0% (ENDES 2016); 90% interval +/-0.8 points, ASSUMPTION (no CI given)"))
    male_share_at_birth: float = param(0.5, unit="fraction",
        source="ASSUMPTION (sex is recorded, not yet used by the dynamics)",
        bounds=(0.4, 0.6, "ASSUMPTION: physical limit (about 0.51 everywhere)"))
    rural_welfare_gap_sd: float = param(0.8, unit="SD of latent welfare by which rural households sit below urban ones in the same district",
        source="ASSUMPTION (shared/data has no within-district urban/rural poverty split)",
        bounds=(0.0, 5.0, "ASSUMPTION: plausibility limit, SD units"), draw=Draw("uniform", 0.4, 1.2, "ASSUMPTION"))
    welfare_yearly_correlation: float = param(0.9, unit="correlation of a household's latent welfare one year apart (poverty churn)",
        source="ASSUMPTION, no evidence row",
        bounds=(0.0, 1.0, "a correlation (negative churn is not modelled)"), draw=Draw("uniform", 0.8, 0.97, "ASSUMPTION"))
    ses_loading: float = param(0.7, unit="correlation of schooling, water, sanitation and adequate feeding with latent welfare",
        source="ASSUMPTION, no evidence row",
        bounds=(0.0, 1.0, "a correlation"), draw=Draw("uniform", 0.5, 0.85, "ASSUMPTION"))
    schooling_shares: tuple = param((0.04, 0.28, 0.45, 0.23), unit="mothers with none / primary / secondary / higher schooling",
        source="ASSUMPTION (A10 gives the stunting gradient, not these shares)",
        bounds=(0.0, 1.0, _SHARE + "; the four must sum to 1"))
    schooling_trend_sd_per_year: float = param(0.07158, unit="yearly rise of mothers' latent schooling score (SD), relative to the 2018 distribution",
        source="calibrated (0 = schooling as in 2018; no schooling series in the evidence table)",
        bounds=(-0.5, 0.5, "ASSUMPTION: plausibility limit; 0.5 SD a year moves all mothers across the range in a decade"), calibrate=(0.0, 0.1))  # no schooling series: fitted to the trend
    improved_water_share: float = param(0.793, unit="fraction of households with improved drinking water",
        source="C5e (Huicho et al. 2019: 79.3% in 2015)",
        bounds=(0.0, 1.0, _SHARE))
    improved_sanitation_share: float = param(0.70, unit="fraction of households with improved sanitation",
        source="ASSUMPTION, no Peru figure in the evidence table",
        bounds=(0.0, 1.0, _SHARE), draw=Draw("uniform", 0.6, 0.8, "ASSUMPTION"))
    adequate_feeding_share: float = param(0.55, unit="fraction of caregivers whose complementary feeding is adequate",
        source='tuned by hand in issue 3, not refitted (C2d: "a majority" in Peru received a minimum adequate diet)',
        bounds=(0.0, 1.0, _SHARE), label="share of children adequately fed", draw=Draw("uniform", 0.45, 0.65, "tuned by hand in issue 3; C2d: 'a majority' had a minimum adequate diet"))

    # --- Health posts (no facility data yet: a stated rule) ---------------------------------
    residents_per_health_post: float = param(4000.0, unit="persons per health post",
        source="ASSUMPTION until facility data exist (each district gets at least one post)",
        bounds=(100.0, 100_000.0, "ASSUMPTION: plausibility limit; Peru has about one post per 4,000 people; fewer than 100 residents per post means more posts than the model can hold"), draw=Draw("uniform", 3000, 6000, "ASSUMPTION"))
    health_workers_per_10k: float = param(17.8, unit="health workers per 10,000 people",
        source="D3c (~2011)",
        bounds=(0.1, 500.0, "as trends.health_workers_per_10k (E4: 11.8-28.2)"))
    primary_care_share: float = param(0.333, unit="share of health workers in primary care",
        source="D3c (about one third of physicians, 2017)",
        bounds=(0.0, 1.0, _SHARE))
    contacts_per_worker_month: float = param(160.0, unit="child contacts one worker can give per month",
        source="ASSUMPTION (8 a day, 20 days), no evidence row",
        bounds=(1.0, 2000.0, "ASSUMPTION: physical limit (100 a day)"), draw=Draw("uniform", 100, 220, "ASSUMPTION"))
    rural_distance_km_mean: float = param(5.0, unit="mean distance (km) from a rural household to its post, exponential",
        source="ASSUMPTION, no evidence row",
        bounds=(0.01, 200.0, "ASSUMPTION: plausibility limit (km)"), draw=Draw("uniform", 3, 10, "ASSUMPTION"))
    urban_distance_km_mean: float = param(1.0, unit="mean distance (km) for urban households, exponential",
        source="ASSUMPTION, no evidence row",
        bounds=(0.01, 100.0, "ASSUMPTION: plausibility limit (km)"), draw=Draw("uniform", 0.5, 2, "ASSUMPTION"))

    # --- Height-for-age (HAZ) ---------------------------------------------------------------
    stunting_cutoff: float = param(-2.0, unit="z",
        source="A1 (WHO 2006 standards)",
        bounds=(-6.0, 0.0, "z; WHO flags HAZ below -6 as implausible (A1: -2)"))
    severe_stunting_cutoff: float = param(-3.0, unit="z",
        source="A1",
        bounds=(-6.0, 0.0, "z; below stunting_cutoff (A1: -3)"))
    haz_birth_mean: float = param(-0.1284, unit="z at birth, normal birth weight",
        source="calibrated (A3: mean HAZ at birth < 0)",
        bounds=(-3.0, 3.0, "ASSUMPTION: plausibility limit, z"), calibrate=(-0.6, 0.2))  # A3: below 0 at birth
    haz_birth_sd: float = param(0.7249, unit="z",
        source="calibrated (A6, population SD)",
        bounds=(0.0, 3.0, "ASSUMPTION: plausibility limit, z (A6 about 1)"), calibrate=(0.6, 1.0))  # A6: population SD
    haz_birth_lbw_shift: float = param(-0.6, unit="z added at birth for low birth weight",
        source="tuned by hand in issue 3, not refitted so the LBW odds ratio for stunting is near 2.3 (C6b OR 2.32; C6a SGA-term 2.43)",
        bounds=(-3.0, 3.0, "ASSUMPTION: plausibility limit, z"), draw=Draw("normal", *sorted(-0.6 * v for v in relative_interval(1.0, _C6B_LOG_SD)), "C6b: OR 2.32 (95% CI 2.05-2.62), carried to the shift in proportion to log OR"))
    haz_falter_base: float = param(0.01574, unit="z lost per month from 0 to 23 months, least-risk child",
        source="calibrated (A2 shape, A9/targets level)",
        bounds=(0.0, 0.2, _Z_MONTH), calibrate=(0.0, 0.03))  # z per month, 0-23 m
    haz_falter_poor: float = param(0.02805, unit="extra z per month 0-23 m if the household is poor",
        source="calibrated (A11: wealth protective)",
        bounds=(0.0, 0.2, _Z_MONTH), calibrate=(0.0, 0.04))
    haz_falter_rural: float = param(0.00936, unit="extra z per month 0-23 m if rural",
        source="calibrated (A11: rural PR 1.36)",
        bounds=(0.0, 0.2, _Z_MONTH), calibrate=(0.0, 0.04))
    haz_falter_schooling: tuple = param((0.03762, 0.01192, 0.005645, 0), unit="extra z per month 0-23 m by mother's schooling none/primary/secondary/higher",
        source="calibrated (A10 gradient 54.3/39.1/13.7/3.4%)",
        bounds=(0.0, 0.2, _Z_MONTH), elements=("no schooling", "primary", "secondary"),
        calibrate={0: (0.0, 0.12),  # no schooling (A10 gradient)
                   1: (0.0, 0.09),  # primary
                   2: (0.0, 0.04)})  # secondary (higher: 0)
    haz_falter_inadequate_feeding: float = param(0.0128, unit="extra z per month 6-23 m with inadequate complementary feeding",
        source="derived: C2a (feeding education raises HAZ by SMD +0.23 by 24 m), read as the HAZ gap between inadequate and adequate feeding spread over the 18 months 6-23 (0.23/18)",
        bounds=(0.0, 0.2, _Z_MONTH), label="HAZ faltering with inadequate feeding", draw=Draw("normal", *_C2A, "C2a: SMD +0.23 (95% CI 0.09-0.36) over 18 months"))
    haz_falter_per_km_altitude: float = param(0.001275, unit="extra z per month 0-23 m per 1,000 m of altitude",
        source="calibrated, range 0-0.012: no evidence row gives it; it stands for what varies with altitude and the table lacks (hypoxia, Andean diets, mothers' height), added because the department fit left the poor highland departments (Huancavelica, Ayacucho, Apurimac) far too low",
        bounds=(0.0, 0.2, _Z_MONTH), calibrate=(0.0, 0.012))
    haz_falter_department: tuple = param(_FALTER_BY_DEPARTMENT, unit="extra z lost per month in 0-23 m in each department (25, DEPARTMENT_ORDER), read from model/data/department_terms.csv",
        source="calibrated department term: what the faltering mechanisms leave unexplained between departments (diets, care practices, mothers' height), fitted with shrinkage towards 0 (docs/validation.md)",
        bounds=(-0.2, 0.2, _Z_MONTH))
    haz_falter_end_month: int = param(24, unit="age (months) at which faltering stops",
        source='A2 ("falters dramatically until 24 months")',
        bounds=(1, 60, "months of age, within the model's 0-59 months"))
    haz_drift_after_24m: float = param(0.002, unit="z per month from 24 to 59 m",
        source="tuned by hand in issue 3, not refitted within A3 (+0.3 to +0.5 over 24 m to mid-childhood) and A4 (Peru -0.19 from 1 to 5 y)",
        bounds=(-0.1, 0.1, "ASSUMPTION: plausibility limit, z a month (A3-A4: about +0.01)"), draw=Draw("uniform", 0.0, 0.004, "tuned by hand in issue 3 within A3-A4"))
    haz_velocity_sd: float = param(0.010, unit="SD of each child's own z per month over 0-23 m (persistent component)",
        source="tuned by hand in issue 3, not refitted (A6: strong tracking)",
        bounds=(0.0, 0.2, _Z_MONTH), draw=Draw("uniform", 0.005, 0.015, "tuned by hand in issue 3 (A6)"))
    haz_innovation_sd: float = param(0.04343, unit="SD of the monthly random HAZ change",
        source="calibrated (A5: < 5% of stunted recover a month; A6)",
        bounds=(0.0, 0.5, "ASSUMPTION: plausibility limit, z a month (A5)"), calibrate=(0.03, 0.09))  # A5-A6: tracking, < 5% recover a month
    haz_loss_per_diarrhoea: float = param(0.016, unit="z lost per diarrhoea episode at 12-59 m",
        source="derived from C5c: OR 1.13 per 5 episodes; at 20% prevalence and HAZ SD 1.15 the log-odds of stunting rise 1.52 per z of mean shift (phi(-0.84)/(1.15*0.2*0.8)), so ln(1.13)/1.52/5 = 0.016",
        bounds=(0.0, 1.0, "ASSUMPTION: plausibility limit, z an episode"), label="HAZ lost per diarrhoea episode", draw=Draw("lognormal", *relative_interval(0.016, _C5C_LOG_SD), "C5c: OR 1.13 per 5 episodes (95% CI 1.07-1.19), in proportion to log OR"))
    haz_diarrhoea_age_mult: tuple = param((1.97, 1.72), unit="multiplier of that loss at 0-5 m and 6-11 m",
        source="C5d (aPR 1.97 and 1.72 vs 12-23 m, for losing >= 0.5 LAZ after an episode, used here as multipliers of the mean loss)",
        bounds=(0.0, 10.0, _RR))

    # --- Hemoglobin ---------------------------------------------------------------------------
    hb_profile: tuple = param((15.0, 11.9, 10.75, 11.35, 11.6, 11.85, 11.9, 12.2, 12.4, 12.5), unit="g/dL at sea level for an iron-replete child at HB_PROFILE_AGES",
        source="tuned by hand in issue 3, not refitted (B9 shape: lowest near 6-12 m; B1 levels)",
        bounds=(5.0, 20.0, _GDL))
    hb_individual_sd: float = param(0.75, unit="g/dL, SD of a child's persistent Hb offset",
        source="tuned by hand in issue 3, not refitted (B1)",
        bounds=(0.0, 3.0, _GDL), label="Hb: spread between children (SD)", draw=Draw("uniform", 0.55, 0.95, "tuned by hand in issue 3 (B1)"))
    hb_innovation_sd: float = param(0.25, unit="g/dL, SD of the monthly random Hb change",
        source="tuned by hand in issue 3, not refitted",
        bounds=(0.0, 3.0, _GDL), label="Hb: monthly noise (SD)", draw=Draw("uniform", 0.15, 0.35, "tuned by hand in issue 3"))
    hb_adjustment_rate: float = param(0.35, unit="fraction of the gap to the child's target Hb closed per month",
        source="tuned by hand in issue 3, not refitted (B11: recovery within months on iron)",
        bounds=(0.0, 1.0, "a fraction of the gap closed a month"), label="Hb: monthly adjustment towards its target", draw=Draw("uniform", 0.25, 0.45, "tuned by hand in issue 3 (B11)"))
    hb_iron_gap_deficit: float = param(2.862, unit="g/dL below target at a complete dietary iron gap",
        source="calibrated (B1, B10: iron is one cause among several)",
        bounds=(0.0, 8.0, _GDL), label="Hb lost at a complete iron gap", calibrate=(0.8, 3.0))  # g/dL at a complete iron gap
    iron_gap_by_age: tuple = param((0.20, 0.45, 0.30), unit="dietary iron gap (0-1) at 0-5, 6-23 and 24-59 m",
        source="tuned by hand in issue 3, not refitted (B1 peak at 6-12 m; C2a/C4 context)",
        bounds=(0.0, 1.0, "the iron gap scale is 0-1"))
    iron_gap_poor: float = param(0.05207, unit="extra iron gap if poor",
        source="calibrated (B12: 51.9% met micronutrient needs)",
        bounds=(0.0, 1.0, "the iron gap scale is 0-1"), label="iron gap: extra in poor households", calibrate=(0.0, 0.4))
    iron_gap_rural: float = param(0.011, unit="extra iron gap if rural",
        source="calibrated, range 0-0.3 (B12: 51.9% met micronutrient needs; rural diets poorer in heme iron, no Peru figure)",
        bounds=(0.0, 1.0, "the iron gap scale is 0-1"), label="iron gap: extra in rural households", calibrate=(0.0, 0.3))
    iron_gap_adequate_feeding: float = param(-0.20, unit="change in iron gap with adequate complementary feeding",
        source="tuned by hand in issue 3, not refitted",
        bounds=(-1.0, 1.0, "the iron gap scale is 0-1"), label="iron gap: change with adequate feeding", draw=Draw("uniform", -0.3, -0.1, "tuned by hand in issue 3"))
    hb_infection_drop: float = param(0.1905, unit="g/dL lower target in a month with illness",
        source="calibrated to B12 (infection OR 1.6 for anemia)",
        bounds=(0.0, 5.0, _GDL), label="Hb drop with an infection", calibrate=(0.1, 0.8))  # B12: infection OR 1.6
    hb_altitude_threshold_m: float = param(1000.0, unit="m",
        source="a child's true Hb rises with altitude above this; B13 (SIEN, 2 million children: flat from sea level to 999 m)",
        bounds=(0.0, 5000.0, "m; Peru's highest districts are near 5,000 m"))
    hb_altitude_rise_per_km: float = param(0.9152, unit="g/dL of true Hb rise per 1,000 m above the threshold",
        source="derived from B13 (11.32 g/dL at 1,000 m to about 14.54 at 4,000 m: 3.22 / 3), calibrated within 0.6-1.4",
        bounds=(0.0, 5.0, _GDL + " per 1,000 m (B13: about 1)"), label="Hb rise per km of altitude", calibrate=(0.6, 1.4))  # B13: about 1.07
    hb_department_shift: tuple = param(_HB_BY_DEPARTMENT, unit="g/dL added to the Hb of every child in each department (25, DEPARTMENT_ORDER), read from model/data/department_terms.csv",
        source="calibrated department term: what the Hb mechanisms leave unexplained between departments (diet, altitude adaptation, measurement), fitted with shrinkage towards 0 (docs/validation.md)",
        bounds=(-5.0, 5.0, _GDL))
    hb_altitude_south_factor: float = param(0.6944, unit="multiplier of that rise in Puno and Cusco",
        source="calibrated (B13: Hb rises less in the southern highlands; B14: Puno's over-correction is the largest)",
        bounds=(0.0, 3.0, "ASSUMPTION: plausibility limit (a multiplier)"), calibrate=(0.4, 1.0))  # B13: smaller rise in Puno and Cusco
    hb_non_iron_drop: float = param(0.4397, unit="g/dL lower Hb target for a child with a non-iron cause of anemia (parasites, B12 deficiency, malaria)",
        source="calibrated (B15)",
        bounds=(0.0, 8.0, _GDL), label="Hb drop from non-iron causes", calibrate=(0.2, 2.0))  # B15
    non_iron_share_by_region: tuple = param((0.1756, 0.1777, 0.3352), unit="share of households with a non-iron cause at improved water and sanitation, Costa / Sierra / Selva",
        source="calibrated (B15: altitude-free anemia 13.5% selva vs 3.3% sierra; parasitosis in about half of anemic children in Ucayali and Huancavelica)",
        bounds=(0.0, 1.0, _SHARE), elements=("Costa", "Sierra", "Selva"),
        calibrate={0: (0.0, 0.3),  # Costa
                   1: (0.0, 0.3),  # Sierra (B15: 3.3% altitude-free anemia)
                   2: (0.05, 0.6)})  # Selva (B15: 13.5%, most non-iron anemia)
    non_iron_rr_unimproved_water: float = param(1.8, unit="rate ratio of a non-iron cause without improved water",
        source="derived from B15 (safe water would lower selva anemia by 45%: 1 / 0.55)",
        bounds=(0.0, 10.0, _RR), label="non-iron anemia: RR, unimproved water", draw=Draw("lognormal", 1.35, 2.4, "B15: safe water lowers selva anemia by 45% (1/0.55 = 1.8); width ASSUMPTION"))
    non_iron_rr_unimproved_sanitation: float = param(1.3, unit="rate ratio without improved sanitation",
        source="ASSUMPTION (as for diarrhoea), no evidence row",
        bounds=(0.0, 10.0, _RR), label="non-iron anemia: RR, unimproved sanitation", draw=Draw("uniform", 1.0, 1.6, "ASSUMPTION"))
    anemia_cutoff: float = param(11.0, unit="g/dL, 6-59 m, WHO 2011",
        source="B5",
        bounds=(5.0, 15.0, _GDL + " (B5: 11)"))
    anemia_cutoff_who2024: tuple = param((10.5, 11.0), unit="g/dL at 6-23 m and 24-59 m",
        source="B7",
        bounds=(5.0, 15.0, _GDL + " (B7: 10.5 and 11)"))
    who_adjustment_min_altitude_m: float = param(1000.0, unit="m",
        source="WHO altitude adjustment applies above this altitude; B5",
        bounds=(0.0, 5000.0, "m; Peru's highest districts are near 5,000 m"))
    anemia_min_age: int = param(6, unit="months",
        source="B5 (anemia is judged from 6 months)",
        bounds=(0, 59, "months of age, within the model's 0-59 months"))

    # --- Care, antenatal care and CRED contacts (used once a program runs) -------------------
    care_seeking_base: float = param(0.3, unit="probability an ill child is taken for treatment without programs",
        source="ASSUMPTION, no evidence row",
        bounds=(0.0, 1.0, _SHARE), label="care seeking when ill (uninsured)", draw=Draw("uniform", 0.2, 0.45, "ASSUMPTION"))
    treated_illness_loss_reduction: float = param(0.5, unit="share of an episode's HAZ loss and Hb drop avoided when treated",
        source="ASSUMPTION, no evidence row (C6e: insurance improves health in 9/12 studies, no size)",
        bounds=(0.0, 1.0, _SHARE), label="share of an illness's HAZ and Hb loss avoided if treated", draw=Draw("uniform", 0.2, 0.8, "ASSUMPTION (C6e gives no size)"))
    anc_baseline_share: float = param(0.96, unit="share of births with 4+ antenatal visits when the scenario sets no trend",
        source="E1 (96% in 2016)",
        bounds=(0.0, 1.0, _SHARE))
    facility_delivery_base: float = param(0.98, unit="share of births with a skilled attendant when the scenario sets no trend",
        source="E1 (98% in 2016)",
        bounds=(0.0, 1.0, _SHARE))
    haz_birth_unskilled_shift: float = param(-0.08909, unit="z at birth without a skilled attendant (no newborn care)",
        source="calibrated (E2: maternal and newborn care the main driver of the decline, no effect size), range -0.8 to 0",
        bounds=(-3.0, 3.0, "ASSUMPTION: plausibility limit, z"), calibrate=(-0.8, 0.0))  # E2: newborn care, no effect size
    vaccination_share: float = param(0.79, unit="share of children immunised against rotavirus and pneumococcus when the scenario sets no trend",
        source="E3 (79% in 2016)",
        bounds=(0.0, 1.0, _SHARE))
    vaccine_diarrhoea_rr: float = param(0.8577, unit="rate ratio of diarrhoea episodes for an immunised child",
        source="calibrated (E3 gives coverage, not efficacy), range 0.5-1",
        bounds=(0.0, 2.0, _RR), calibrate=(0.5, 1.0))  # E3 gives coverage only
    vaccine_respiratory_rr: float = param(0.9, unit="rate ratio of respiratory episodes for an immunised child",
        source="ASSUMPTION (E3 gives coverage, not efficacy; left out of the fit, which cannot tell it from the diarrhoea ratio)",
        bounds=(0.0, 2.0, _RR), draw=Draw("uniform", 0.75, 1.0, "ASSUMPTION (E3 gives coverage, not efficacy)"))
    lbw_odds_ratio_no_anc: float = param(1.24, unit="odds ratio of low birth weight with no antenatal care",
        source="C6d (AOR 1.24)",
        bounds=(0.1, 10.0, _RR), draw=Draw("lognormal", *ci95_ratio(1.16, 1.34), "C6d: AOR 1.24 (95% CI 1.16-1.34)"))
    cost_per_cred_contact: float = param(15.0, unit="soles per CRED contact, whichever program brought the family",
        source="ASSUMPTION, no unit cost in the evidence table",
        bounds=(0.0, 10_000.0, "ASSUMPTION: plausibility limit, soles"), draw=Draw("uniform", 8, 30, "ASSUMPTION (no unit cost)"))
    cred_share_of_capacity: float = param(0.3, unit="share of a post's contacts available for CRED",
        source="ASSUMPTION, no evidence row",
        bounds=(0.0, 1.0, _SHARE), draw=Draw("uniform", 0.2, 0.45, "ASSUMPTION"))
    discouraged_months: int = param(6, unit="months a family turned away at a full post stays discouraged",
        source="ASSUMPTION",
        bounds=(0, 60, "ASSUMPTION: plausibility limit, months (a child's first five years)"), draw=Draw("uniform", 3, 9, "ASSUMPTION", integer=True))
    discouraged_attendance_factor: float = param(0.3, unit="multiplier of a discouraged family's attendance",
        source="ASSUMPTION",
        bounds=(0.0, 1.0, "a multiplier of attendance, 0-1"), draw=Draw("uniform", 0.1, 0.5, "ASSUMPTION"))
    attendance_distance_km: float = param(10.0, unit="km over which attendance falls by a factor e (exp(-d/this))",
        source="ASSUMPTION, no evidence row",
        bounds=(0.1, 1000.0, "ASSUMPTION: plausibility limit (km)"), draw=Draw("uniform", 5, 20, "ASSUMPTION"))

    # --- Illness ---------------------------------------------------------------------------------
    diarrhoea_monthly_prob: float = param(0.12, unit="probability of a diarrhoea episode in a month for a non-poor child with improved water and sanitation (age multiplier 1)",
        source="tuned by hand in issue 3, not refitted so the national mean is 0.16-0.17 a month, derived from C5e (10% ill in 2 weeks, ~4-day episodes: 0.10*14/18*30/14 = 0.17)",
        bounds=(0.0, 1.0, _SHARE), label="diarrhoea: monthly probability", draw=Draw("uniform", 0.09, 0.15, "tuned by hand in issue 3 to C5e (0.16-0.17 episodes a month)"))
    diarrhoea_age_mult: tuple = param((0.8, 1.6, 0.6), unit="multiplier at 0-5, 6-23, 24-59 m",
        source="tuned by hand in issue 3, not refitted (C5e: higher at 0-23 m)",
        bounds=(0.0, 10.0, _RR))
    diarrhoea_rr_unimproved_water: float = param(1.5, unit="rate ratio without improved water",
        source="tuned by hand in issue 3, not refitted (C5e, B12 water OR 0.58 for anemia)",
        bounds=(0.0, 10.0, _RR), draw=Draw("lognormal", 1.2, 1.9, "tuned by hand in issue 3 (C5e; B12 water OR 0.58)"))
    diarrhoea_rr_unimproved_sanitation: float = param(1.3, unit="rate ratio without improved sanitation",
        source="ASSUMPTION, no evidence row",
        bounds=(0.0, 10.0, _RR), draw=Draw("uniform", 1.0, 1.6, "ASSUMPTION"))
    diarrhoea_rr_poor: float = param(1.2, unit="rate ratio if poor",
        source="tuned by hand in issue 3, not refitted (C5e: higher in the poorest)",
        bounds=(0.0, 10.0, _RR), draw=Draw("uniform", 1.0, 1.4, "tuned by hand in issue 3 (C5e)"))
    illness_season_amplitude: float = param(0.2, unit="relative rise of episodes in January, the rainy season (cosine over the year)",
        source="ASSUMPTION, no evidence row",
        bounds=(0.0, 1.0, "a relative amplitude, 0-1"), draw=Draw("uniform", 0.05, 0.35, "ASSUMPTION"))
    respiratory_monthly_prob: float = param(0.15, unit="probability of an acute respiratory episode in a month",
        source="ASSUMPTION, no evidence row",
        bounds=(0.0, 1.0, _SHARE), label="respiratory infection: monthly probability", draw=Draw("uniform", 0.08, 0.25, "ASSUMPTION"))
    respiratory_age_mult: tuple = param((1.2, 1.3, 0.8), unit="multiplier at 0-5, 6-23, 24-59 m",
        source="ASSUMPTION, no evidence row",
        bounds=(0.0, 10.0, _RR))

    # --- Local government: municipalities, regions and the neighbour graph (issue 14) ----------
    # No evidence row gives municipal capacity, effort or the response to incentives: every
    # number here is an ASSUMPTION, drawn over a wide range (model/analysis/draws.py).
    capacity_idh_weight: float = param(1.5, unit="logit of a municipality's capacity per SD of the 2019 human development index (staff and budget proxy)",
        source="ASSUMPTION",
        bounds=(0.0, 10.0, "ASSUMPTION: plausibility limit (logit per SD)"), draw=Draw("uniform", 0.75, 2.25, "ASSUMPTION (proxy weight)"))
    capacity_population_weight: float = param(0.5, unit="logit of capacity per SD of log population (scale of the administration)",
        source="ASSUMPTION",
        bounds=(0.0, 10.0, "ASSUMPTION: plausibility limit (logit per SD)"))
    capacity_rural_weight: float = param(0.5, unit="logit of capacity lost per SD of rural share (remoteness)",
        source="ASSUMPTION",
        bounds=(0.0, 10.0, "ASSUMPTION: plausibility limit (logit per SD)"))
    unpaid_effort: float = param(0.1, unit="effort (0-1) a municipality or region gives a target that pays nothing (mandated work only)",
        source="ASSUMPTION",
        bounds=(0.0, 1.0, "an effort share, 0-1"), draw=Draw("uniform", 0.05, 0.2, "ASSUMPTION (no evidence row)"))
    stake_half_soles: float = param(20.0, unit="soles per child under five a year at stake for which effort reaches half of what capacity allows",
        source="ASSUMPTION",
        bounds=(0.1, 10_000.0, "ASSUMPTION: plausibility limit (soles per child a year)"), draw=Draw("uniform", 10, 40, "ASSUMPTION (no evidence row)"))
    neighbour_copy_strength: float = param(0.3, unit="share of the gap to the most effortful paid neighbour a municipality that was not paid closes each year (0 = no copying)",
        source="ASSUMPTION",
        bounds=(0.0, 1.0, _SHARE), draw=Draw("uniform", 0.0, 0.6, "ASSUMPTION"))
    cross_border_care: float = param(0.5, unit="chance a family turned away or without a staffed post tries the nearest neighbouring district's staffed post (before its distance cost",
        source="0 = never); ASSUMPTION",
        bounds=(0.0, 1.0, _SHARE), draw=Draw("uniform", 0.2, 0.8, "ASSUMPTION"))
    neighbour_labour_share: float = param(0.5, unit="weight of neighbouring districts' population in a district's labour pool for home visitors and SERUMS workers (0 = own district only)",
        source="ASSUMPTION",
        bounds=(0.0, 1.0, "a weight, 0-1"), draw=Draw("uniform", 0.25, 0.75, "ASSUMPTION"))
    recruitment_pool_half: float = param(2000.0, unit="residents of a labour pool for which filling a place takes twice the program's lag (lag x (1 + this / pool): a much larger pool fills at about the lag)",
        source="ASSUMPTION",
        bounds=(0.0, 1_000_000.0, "ASSUMPTION: plausibility limit (residents)"), draw=Draw("uniform", 1000, 3000, "ASSUMPTION"))

    def with_overrides(self, overrides: dict) -> "Parameters":
        """Return a copy with ``overrides`` applied (names must be fields of this class)."""
        return dataclasses.replace(self, **overrides)


# Allowed values of every parameter a scenario may override: (low, high, reason), inclusive,
# from each field's bounds=.
# Bounds are plausibility limits, wide around the evidence: they must hold every value a
# shipped scenario, the calibration's SEARCH_SPACE and the parameter draws
# (model/analysis/draws.py) can give, and refuse only what no child population can have.
# Every value of a tuple lies in its range. Integers (haz_falter_end_month, anemia_min_age,
# discouraged_months) must be whole numbers.
PARAMETER_BOUNDS: dict[str, tuple[float, float, str]] = declared(Parameters, "bounds")
# Kept for callers of the old names: parameters that may be negative / are shares.
NEGATIVE_ALLOWED = {name for name, (low, _, _) in PARAMETER_BOUNDS.items() if low < 0}
UNIT_INTERVAL = {name for name, (low, high, _) in PARAMETER_BOUNDS.items()
                 if (low, high) == (0.0, 1.0)}


def parameter_names() -> list[str]:
    """Names a scenario may override under ``parameters:``."""
    return [f.name for f in dataclasses.fields(Parameters)]


DEFAULTS = Parameters()

assert set(PARAMETER_BOUNDS) == set(parameter_names()), "every parameter needs its bounds"
