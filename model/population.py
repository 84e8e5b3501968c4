"""Households and children as struct-of-arrays stores (DESIGN.md §2).

Every attribute is one numpy array registered once with ``ArrayStore.add`` (LASER style);
categorical states are ``IntEnum``s. Children occupy fixed slots: when a child turns 60 months
the slot is taken by a newborn of the same household, so the arrays never grow. Each child
also carries a stable ``uid`` that is never reused, for inspecting one agent over time.

``generate_population`` builds both stores for a ``Geography`` from district population,
urban share and poverty, with one random generator passed in explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag

import numpy as np
from scipy.special import ndtr, ndtri

from model import calendar
from model.defaults import Parameters
from model.geography import Geography


class Area(IntEnum):
    """Where a household lives."""

    URBAN = 0
    RURAL = 1


class Schooling(IntEnum):
    """Mother's (main caregiver's) highest schooling level."""

    NONE = 0
    PRIMARY = 1
    SECONDARY = 2
    HIGHER = 3


class Sex(IntEnum):
    """Sex of a child."""

    FEMALE = 0
    MALE = 1


class BirthWeight(IntEnum):
    """Birth weight class (low = under 2,500 g)."""

    NORMAL = 0
    LOW = 1


class Illness(IntFlag):
    """Illness episodes a child has this month (flags combine)."""

    NONE = 0
    DIARRHOEA = 1
    RESPIRATORY = 2


class JuntosStatus(IntEnum):
    """A household's standing in the Juntos conditional cash transfer."""

    NOT_ENROLLED = 0
    ENROLLED = 1      # receives the transfer when verified compliant
    SUSPENDED = 2     # enrolled, payment withheld after missing co-responsibilities


class ArrayStore:
    """A struct of equally long numpy arrays, registered by name with a dtype and default."""

    def __init__(self, size: int):
        """Create an empty store for ``size`` agents."""
        self.size = size
        self.properties: list[str] = []
        self.defaults: dict[str, object] = {}

    def add(self, name: str, dtype, default=0) -> np.ndarray:
        """Register the array ``name`` filled with ``default`` and return it."""
        if name in self.properties:
            raise ValueError(f"property {name!r} is already registered")
        array = np.full(self.size, default, dtype=dtype)
        setattr(self, name, array)
        self.properties.append(name)
        self.defaults[name] = default
        return array

    def extend(self, n: int, **values) -> np.ndarray:
        """Append ``n`` agents (``values`` by name, else the defaults); return their indices.

        Every array is replaced by a longer one, so hold the store, not its arrays.
        """
        for name in self.properties:
            array = getattr(self, name)
            tail = np.full(n, values.get(name, self.defaults[name]), dtype=array.dtype)
            setattr(self, name, np.concatenate([array, tail]))
        self.size += n
        return np.arange(self.size - n, self.size)

    def nbytes(self) -> int:
        """Memory held by the arrays, in bytes."""
        return sum(getattr(self, p).nbytes for p in self.properties)


@dataclass
class Population:
    """The two stores plus the facts needed to keep them consistent over time."""

    households: ArrayStore
    children: ArrayStore
    district_threshold: np.ndarray  # latent-welfare poverty line per district (probit scale)
    quintile_cutoffs: np.ndarray     # national cut-offs of relative welfare into quintiles
    schooling_cutoffs: np.ndarray    # national cut-offs of the schooling score
    next_uid: int = 0


def stochastic_round(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round each value down or up with probabilities that keep its expectation."""
    floor = np.floor(values)
    return (floor + (rng.random(len(values)) < values - floor)).astype(np.int64)


def district_poverty_thresholds(poverty: np.ndarray, urban_share: np.ndarray,
                                rural_gap: float) -> np.ndarray:
    """Latent poverty line per district so that its urban/rural mix has the given poverty.

    Latent welfare is standard normal for urban households and shifted down by ``rural_gap``
    for rural ones; a household is poor when its welfare is below the line ``c``, so that
    ``urban_share * Phi(c) + (1 - urban_share) * Phi(c + rural_gap) = poverty``.
    """
    lo = np.full(len(poverty), -10.0)
    hi = np.full(len(poverty), 10.0)
    for _ in range(60):  # bisection, vectorised over districts
        mid = (lo + hi) / 2
        share = urban_share * ndtr(mid) + (1 - urban_share) * ndtr(mid + rural_gap)
        too_high = share > poverty
        hi = np.where(too_high, mid, hi)
        lo = np.where(too_high, lo, mid)
    return (lo + hi) / 2


def mixture_quantiles(means: np.ndarray, sds: np.ndarray, weights: np.ndarray,
                      probabilities) -> np.ndarray:
    """Quantiles of a weighted mixture of normal distributions (by bisection)."""
    weights = weights / weights.sum()
    out = []
    for p in probabilities:
        lo, hi = means.min() - 10 * sds.max(), means.max() + 10 * sds.max()
        for _ in range(60):
            mid = (lo + hi) / 2
            if np.dot(weights, ndtr((mid - means) / sds)) > p:
                hi = mid
            else:
                lo = mid
        out.append((lo + hi) / 2)
    return np.array(out)


def district_children(geo: Geography, national: Geography,
                      params: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """Real children under five per district of ``geo``, and the urban share of them.

    Rural areas have ``rural_children_ratio`` times as many young children per person as
    urban ones; the national number stays ``under5_share_of_population`` of the population.
    """
    k = params.rural_children_ratio
    weight = national.urban_share + k * (1 - national.urban_share)
    norm = np.dot(national.population, weight) / national.population.sum()
    local_weight = geo.urban_share + k * (1 - geo.urban_share)
    children = geo.population * params.under5_share_of_population * local_weight / norm
    return children, geo.urban_share / local_weight


def generate_population(geo: Geography, national: Geography, params: Parameters, scale: float,
                        rng: np.random.Generator) -> Population:
    """Build households and children for the districts of ``geo``.

    Args:
        geo: the districts of this run.
        national: all of Peru's districts; national quintiles and schooling/water shares are
            defined on it so that a one-department run keeps national meanings.
        params: model parameters.
        scale: real children per simulated child.
        rng: the model's random generator (the draws come in a fixed order).
    """
    households, rural = _households(geo, national, params, scale, rng)
    threshold, cutoffs, relative, mixture = _welfare(households, rural, geo, national, params,
                                                     rng)
    school_cut = _household_conditions(households, relative, mixture, params, rng)
    households.add("altitude_m", np.float32)[:] = geo.altitude_m[households.district]
    # Health post and distance (assigned by the caller once posts exist).
    households.add("health_post", np.int32, -1)
    mean_km = np.where(rural, params.rural_distance_km_mean, params.urban_distance_km_mean)
    households.add("distance_km", np.float32)[:] = rng.exponential(mean_km)
    # Set by programs each month (step 3), read at births. The programs' own arrays (Juntos
    # enrolment, insurance, visits, iron) are declared by the programs and the shared health
    # services (``model/program_outputs.py``) and added by the model.
    households.add("anc_prob", np.float32)             # probability a birth had antenatal care
    households.add("facility_prob", np.float32)        # probability a birth is in a facility

    children = _generate_children(households, params, rng)
    return Population(households=households, children=children,
                      district_threshold=threshold, quintile_cutoffs=cutoffs,
                      schooling_cutoffs=school_cut)


def _households(geo: Geography, national: Geography, params: Parameters, scale: float,
                rng: np.random.Generator) -> tuple[ArrayStore, np.ndarray]:
    """Households per district (district, area, children under five); and which are rural.

    Household sizes (children under five): 1 + Poisson, at most 3. Drawing one candidate
    household per child guarantees enough; each district keeps what its children fill.
    """
    children_real, child_urban_share = district_children(geo, national, params)
    children_per_district = stochastic_round(children_real / scale, rng)
    district_of_candidate = np.repeat(np.arange(geo.n), children_per_district)
    sizes = 1 + np.minimum(rng.poisson(params.extra_children_per_household,
                                       len(district_of_candidate)), 2)
    exclusive_cumsum = np.cumsum(sizes) - sizes
    first_candidate = np.concatenate(([0], np.cumsum(children_per_district)[:-1]))
    start_in_district = exclusive_cumsum - exclusive_cumsum[first_candidate[district_of_candidate]]
    keep = start_in_district < children_per_district[district_of_candidate]
    hh_district = district_of_candidate[keep].astype(np.int32)
    room = children_per_district[hh_district] - start_in_district[keep]
    hh_size = np.minimum(sizes[keep], room).astype(np.int8)

    households = ArrayStore(len(hh_district))
    households.add("district", np.int32)[:] = hh_district
    rural = rng.random(households.size) >= child_urban_share[hh_district]
    households.add("area", np.int8)[:] = np.where(rural, Area.RURAL, Area.URBAN)
    households.add("n_children", np.int8)[:] = hh_size
    return households, rural


def _welfare(households: ArrayStore, rural: np.ndarray, geo: Geography, national: Geography,
             params: Parameters, rng: np.random.Generator) -> tuple:
    """Latent welfare, poverty and quintile of every household.

    Returns the district lines, the quintile cut-offs, each household's welfare relative to
    its line and the national mixture. A household is poor when its welfare is below the
    district line (``district_poverty_thresholds``); quintiles are cut on the national
    mixture of relative welfare u = welfare - line, one normal per district x area.
    """
    hh_district = households.district
    threshold = district_poverty_thresholds(geo.poverty, geo.urban_share,
                                            params.rural_welfare_gap_sd)
    welfare = rng.standard_normal(households.size) - params.rural_welfare_gap_sd * rural
    households.add("welfare", np.float32)[:] = welfare
    households.add("poor", bool)[:] = welfare < threshold[hh_district]
    nat_threshold = district_poverty_thresholds(national.poverty, national.urban_share,
                                                params.rural_welfare_gap_sd)
    comp_means = np.concatenate([-nat_threshold, -nat_threshold - params.rural_welfare_gap_sd])
    comp_weights = np.concatenate([national.population * national.urban_share,
                                   national.population * (1 - national.urban_share)])
    comp_sds = np.ones_like(comp_means)
    cutoffs = mixture_quantiles(comp_means, comp_sds, comp_weights, [0.2, 0.4, 0.6, 0.8])
    relative = welfare - threshold[hh_district]
    households.add("quintile", np.int8)[:] = 1 + np.searchsorted(cutoffs, relative)
    return threshold, cutoffs, relative, (comp_means, comp_sds, comp_weights)


def _household_conditions(households: ArrayStore, relative: np.ndarray, mixture: tuple,
                          params: Parameters, rng: np.random.Generator) -> np.ndarray:
    """Schooling, water, sanitation, feeding, care and vaccine access, non-iron causes.

    Each is correlated with welfare through ``ses_loading`` and cut at the national shares
    (computed on the national mixture, so they hold nationally). Returns the schooling
    cut-offs.
    """
    comp_means, comp_sds, comp_weights = mixture
    mu = np.dot(comp_weights, comp_means) / comp_weights.sum()
    sd = np.sqrt(np.dot(comp_weights, (comp_means - mu) ** 2 + 1) / comp_weights.sum())
    loading = params.ses_loading
    noise_sd = np.sqrt(loading ** 2 / sd ** 2 + 1 - loading ** 2)

    def ses_score() -> np.ndarray:
        return loading * (relative - mu) / sd + np.sqrt(1 - loading ** 2) * rng.standard_normal(
            households.size)

    def national_cut(shares_below) -> np.ndarray:
        return mixture_quantiles(loading * (comp_means - mu) / sd, comp_sds * noise_sd,
                                 comp_weights, shares_below)

    school_cut = national_cut(np.cumsum(params.schooling_shares)[:-1])
    schooling_score = households.add("schooling_score", np.float32)  # latent, kept for trends
    schooling_score[:] = ses_score()
    households.add("schooling", np.int8)[:] = np.searchsorted(school_cut, schooling_score)
    for name, share in (("improved_water", params.improved_water_share),
                        ("improved_sanitation", params.improved_sanitation_share),
                        ("adequate_feeding", params.adequate_feeding_share)):
        score = ses_score() - national_cut([1 - share])[0]
        if name == "improved_water":  # latent score above the cut, kept for trends
            households.add("water_score", np.float32)[:] = score
        households.add(name, bool)[:] = score > 0
    # Access to antenatal care and a skilled attendant at birth (one latent score: the same
    # mothers tend to get both) and to vaccination, correlated with welfare like the rest;
    # a scenario's trends cover households from the top score down (model.py).
    households.add("care_score", np.float32)[:] = ses_score() - national_cut([0.5])[0]
    households.add("vaccine_score", np.float32)[:] = ses_score() - national_cut([0.5])[0]
    households.add("anc_base", np.float32)       # P(antenatal care) before programs, this year
    households.add("facility_base", np.float32)  # P(skilled attendant at birth), this year
    households.add("vaccine_access", bool)       # newborns of this household get immunised
    # A non-iron cause of anemia (parasites, B12 deficiency, malaria; B15): a household's
    # fixed uniform against a share that rises without improved water or sanitation.
    households.add("non_iron_u", np.float32)[:] = rng.random(households.size)
    households.add("non_iron", bool)
    return school_cut


def _generate_children(households: ArrayStore, params: Parameters,
                       rng: np.random.Generator) -> ArrayStore:
    """Child slots, grouped by household.

    Ages are set to (true age - 60): the model's warm-up then lives through each child's
    first months with the same dynamics.
    """
    n = int(households.n_children.sum(dtype=np.int64))
    children = ArrayStore(n)
    children.add("household", np.intp)[:] = np.repeat(  # intp: indexes per child monthly
        np.arange(households.size, dtype=np.intp), households.n_children)
    children.add("uid", np.int64, -1)
    children.add("age_months", np.int16)[:] = rng.integers(0, 60, n) - 60
    children.add("sex", np.int8)
    children.add("birth_weight", np.int8)
    children.add("haz", np.float32)
    children.add("haz_velocity", np.float32)
    children.add("hb", np.float32)
    children.add("hb_offset", np.float32)
    children.add("hb_altitude_rise", np.float32)        # rise at home altitude (g/dL)
    children.add("hb_altitude_adjustment", np.float32)  # subtracted before the cut-off (g/dL)
    children.add("illness", np.int8)
    children.add("diarrhoea_episodes", np.int16)
    children.add("development", np.float32)      # child development score (z), for home visits
    children.add("antenatal_care", bool)         # the child's mother had antenatal care
    children.add("facility_birth", bool)         # born with a skilled attendant (in a facility)
    children.add("vaccinated", bool)             # immunised against rotavirus and pneumococcus
    # Set by programs each month (step 3), read by health and growth (steps 4-5).
    children.add("iron_supplement", np.float32)  # amount taken off the iron gap by drops
    children.add("care_prob", np.float32)        # probability an illness this month is treated
    children.add("treated", bool)                # this month's illness was treated
    return children


def household_risk_store(n_children: int) -> ArrayStore:
    """Per-child copies of household risk, refreshed when households change (not monthly)."""
    risk = ArrayStore(n_children)
    risk.add("falter_rate", np.float32)      # z lost per month in 0-23 m (household part)
    risk.add("feeding_penalty", np.float32)  # extra z per month at 6-23 m if feeding inadequate
    risk.add("diarrhoea_rr", np.float32)     # multiplier of the diarrhoea probability
    risk.add("iron_gap", np.float32)         # household part of the dietary iron gap
    risk.add("non_iron_drop", np.float32)    # g/dL off the Hb target from non-iron causes
    risk.add("cell", np.intp)                # metrics cell (district, area, quintile) x N_BANDS
    return risk


def national_threshold_shift(poverty: np.ndarray, urban_share: np.ndarray, weights: np.ndarray,
                             threshold: np.ndarray, rural_gap: float, target: float) -> float:
    """Shift of every district's poverty line that makes national poverty equal ``target``."""
    lo, hi = -10.0, 10.0
    w = weights / weights.sum()
    for _ in range(60):
        mid = (lo + hi) / 2
        share = urban_share * ndtr(threshold + mid) + (1 - urban_share) * ndtr(
            threshold + mid + rural_gap)
        if np.dot(w, share) > target:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def poverty_shift_by_month(path: dict[int, float], national: Geography, params: Parameters,
                           start_index: int, months: int) -> np.ndarray:
    """Shift of every district's poverty line for each step (zeros: keep the 2018 map).

    ``path`` gives national poverty (%) by year; it is interpolated on the probit scale and
    held outside its years; each year's shift is solved over all districts, then months are
    interpolated. ``start_index`` is the first month (months since year 0).
    """
    if not path:
        return np.zeros(months)
    line = district_poverty_thresholds(national.poverty, national.urban_share,
                                       params.rural_welfare_gap_sd)
    month_years = calendar.in_years(start_index + np.arange(months))
    grid = np.arange(int(month_years.min()), int(month_years.max()) + 2)
    shifts = [national_threshold_shift(national.poverty, national.urban_share,
                                       national.population, line, params.rural_welfare_gap_sd,
                                       float(ndtr(trend_probit(path, year, 0.5))))
              for year in grid]
    return np.interp(month_years, grid, shifts)


def trend_probit(path: dict[int, float], year: float, default: float) -> float:
    """Probit of a trend's share (%) in ``year``.

    Interpolated on the probit scale and held outside the path's years; without a path, the
    probit of ``default`` (a share 0-1).
    """
    if not path:
        return probit(min(max(default, 1e-6), 1 - 1e-6))
    return float(np.interp(year, list(path), [probit(v / 100) for v in path.values()]))


def probit(p: float) -> float:
    """Inverse of the standard normal CDF."""
    return float(ndtri(p))
