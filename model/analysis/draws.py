"""Parameter uncertainty: a distribution for every uncertain number, and reproducible draws.

Three kinds of uncertain number (``docs/uncertainty.md`` has the table this module renders).
Each distribution is declared with its parameter: ``draw=`` on a field of
``model/defaults.py``, ``json_schema_extra={"draw": (kind, low, high, basis)}`` on a
program's Field; ``COLUMNS`` below fixes their order.

* **Evidence rows** with a confidence interval or range: a normal, lognormal (ratios) or
  beta (shares) distribution whose 90% interval matches the row's (a 95% CI is converted).
* **ASSUMPTIONs**: a stated, deliberately wide uniform range around the default.
* **Calibrated** parameters (``search_space.SEARCH_SPACE``): one joint normal, the fit's
  Gauss-Newton approximation (``posterior.load_posterior``), clipped to the search ranges;
  the department terms (``department_terms.csv``) as independent normals, their
  empirical-Bayes posterior (``analysis/department_terms.py``).

Every distribution is centred on the model's default (its median for normal, lognormal and
uniform, its mean for beta), so the centre of the uncertainty is the model everyone runs.
A *draw* is a set of
values for all of them at once, from a Latin hypercube over the independent numbers plus
normal scores for the calibrated block, reproducible from the seed. A draw is applied to a
scenario as ``parameters`` (model defaults) and ``program_parameters`` (the evidence
assumptions of programs): a value the scenario sets itself wins, so policy choices are never
drawn.

``spread`` scales every distribution's width around its centre: 0 gives the central values
(the defaults) in every draw, which is how the tests check that a draw changes nothing but
the parameters.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from model.declare import Z90, declared
from model.defaults import DEFAULTS, DEPARTMENT_ORDER, Parameters
from model.interventions import INTERVENTIONS
from model.parameter_checks import parameter_range


@dataclass(frozen=True)
class Uncertain:
    """One uncertain number: its distribution and why.

    ``targets`` are the parameters it sets: model defaults by name (``haz_birth_sd``), tuple
    elements as ``name[i]``, program parameters as ``program.field``; one number may set
    several (the same assumption in two programs). ``kind`` is ``normal``, ``lognormal``,
    ``beta`` (a 90% interval ``low``-``high`` around the default) or ``uniform`` (the range
    ``low``-``high``, uniform on each side of the default with half the probability on each
    side, so the default is the median); ``integer`` rounds the value.
    """

    targets: tuple[str, ...]
    kind: str
    low: float
    high: float
    basis: str
    integer: bool = False

    @property
    def name(self) -> str:
        """The first target, used as the number's name in tables."""
        return self.targets[0]

    def centre(self) -> float:
        """The default value of the first target."""
        return float(default_value(self.targets[0]))

    def ppf(self, u: np.ndarray, spread: float = 1.0) -> np.ndarray:
        """Values at probabilities ``u`` (inverse CDF), widths scaled by ``spread``."""
        u = np.clip(np.asarray(u, dtype=float), 1e-9, 1 - 1e-9)
        centre = self.centre()
        if self.kind == "uniform":  # uniform on each side of the default, median there
            below = self.low + (centre - self.low) * (u / 0.5)
            above = centre + (self.high - centre) * ((u - 0.5) / 0.5)
            values = centre + spread * (np.where(u < 0.5, below, above) - centre)
        elif self.kind == "normal":
            sd = (self.high - self.low) / (2 * Z90)
            values = centre + spread * sd * stats.norm.ppf(u)
        elif self.kind == "lognormal":
            sd = (math.log(self.high) - math.log(self.low)) / (2 * Z90)
            values = centre * np.exp(spread * sd * stats.norm.ppf(u))
        elif self.kind == "beta":
            if spread == 0:
                values = np.full(u.shape, centre)
            else:
                sd = spread * (self.high - self.low) / (2 * Z90)
                concentration = max(centre * (1 - centre) / sd ** 2 - 1, 1e-3)
                values = stats.beta.ppf(u, centre * concentration, (1 - centre) * concentration)
        else:
            raise ValueError(f"unknown distribution {self.kind!r}")
        return np.round(values) if self.integer else values

    def interval(self) -> tuple[float, float]:
        """The 90% interval (5th and 95th percentiles) of the distribution."""
        low, high = self.ppf(np.array([0.05, 0.95]))
        return float(low), float(high)


# The hypercube's columns, in a fixed order: a seed gives the draws it gave before the
# declarations moved (a number declared later is appended; adding one changes every draw, as
# the hypercube's dimension changes). Each is declared where its parameter is: a model
# parameter's draw= in model/defaults.py, a program's json_schema_extra={"draw": ...} on its
# Field in model/interventions/. Calibrated parameters are not here (joint, below).
COLUMNS: tuple[str, ...] = (
    # --- population and households ---
    "low_birth_weight_share", "extra_children_per_household", "rural_welfare_gap_sd",
    "welfare_yearly_correlation", "ses_loading", "improved_sanitation_share",
    "adequate_feeding_share",
    # --- health posts and care ---
    "residents_per_health_post", "contacts_per_worker_month", "rural_distance_km_mean",
    "urban_distance_km_mean", "care_seeking_base", "treated_illness_loss_reduction",
    "cred_share_of_capacity", "discouraged_months", "discouraged_attendance_factor",
    "attendance_distance_km", "lbw_odds_ratio_no_anc", "vaccine_respiratory_rr",
    "cost_per_cred_contact",
    # --- growth ---
    "haz_birth_lbw_shift", "haz_falter_inadequate_feeding", "haz_drift_after_24m",
    "haz_velocity_sd", "haz_loss_per_diarrhoea",
    # --- hemoglobin ---
    "hb_individual_sd", "hb_innovation_sd", "hb_adjustment_rate", "iron_gap_adequate_feeding",
    "non_iron_rr_unimproved_water", "non_iron_rr_unimproved_sanitation",
    # --- illness ---
    "diarrhoea_monthly_prob", "diarrhoea_rr_unimproved_water",
    "diarrhoea_rr_unimproved_sanitation", "diarrhoea_rr_poor", "illness_season_amplitude",
    "respiratory_monthly_prob",
    # --- programs: Juntos ---
    "cct.exclusion_error", "cct.inclusion_error", "cct.attendance", "cct.anc_enrolled",
    "cct.falter_relief",
    # --- SIS ---
    "sis.care_seeking_insured", "sis.anc_insured", "sis.facility_delivery_insured",
    "sis.cost_per_insured_child_month",
    # --- SERUMS ---
    "serums.vacancy_months", "serums.counselling_multiplier", "serums.salary_soles_month",
    # --- CRED ---
    "cred.attendance", "cred.counselling_adoption",
    # --- home visits (the municipal visits' Params inherit these, draw and all) ---
    "home_visits.turnover_base", "home_visits.turnover_caseload_elasticity",
    "home_visits.turnover_stipend_elasticity", "home_visits.recruitment_months",
    "home_visits.visited_care_seeking", "home_visits.development_gain",
    "home_visits.supervision_per_family_month",
    # --- iron ---
    "iron.gap_closure", "iron.adherence_mean", "iron.adherence_concentration", "iron.stockout_prob",
    "iron.pickup_attendance", "iron.visit_adherence_boost", "iron.cost_per_month_supply",
    "sms.phone_share", "sms.adherence_boost", "sms.attendance_boost", "sms.cost_per_message",
    # --- local government, the child registry, incentives, the district graph (issue 14) ---
    "unpaid_effort", "stake_half_soles", "capacity_idh_weight", "neighbour_copy_strength",
    "cross_border_care", "neighbour_labour_share", "recruitment_pool_half",
    "registry.monthly_gain", "registry.unfound_attendance", "registry.unfound_sis",
    "registry.unfound_enrolment", "fed.budget_soles_per_year", "fed.capacity_gain",
    "fed.stockout_cut", "fed.registry_push", "sello.prize_soles_per_child",
    "municipal_visits.visited_share", "municipal_visits.incentive_soles_per_child",
)


def program_declared(fact: str) -> dict[str, object]:
    """``{"program.field": value}`` of each program Field whose ``json_schema_extra`` has ``fact``.

    In ``INTERVENTIONS`` order, then field order; a field a program's Params inherits (the
    municipal visits' from Cuna Mas's) is listed for both programs.
    """
    found = {}
    for program, intervention in INTERVENTIONS.items():
        for field, info in intervention.Params.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and fact in extra:
                found[f"{program}.{field}"] = extra[fact]
    return found


def declared_draws() -> dict[str, Uncertain]:
    """Every declared uncertain number by name: the model's parameters', then the programs'.

    The same field with the same draw in several programs (inherited) is one number that
    sets all of them, named by the first.
    """
    out = {name: Uncertain((name,), *dataclasses.astuple(draw))
           for name, draw in declared(Parameters, "draw").items()}
    shared: dict[tuple, list[str]] = {}
    for name, draw in program_declared("draw").items():
        shared.setdefault((name.split(".", 1)[1], tuple(draw)), []).append(name)
    for (_, draw), targets in shared.items():
        out[targets[0]] = Uncertain(tuple(targets), *draw)
    return out


def _in_columns(columns: tuple[str, ...]) -> tuple[Uncertain, ...]:
    """The declared draws in the order of ``columns``; those not named there follow."""
    draws = declared_draws()
    undeclared = [name for name in columns if name not in draws]
    if undeclared:
        raise ValueError(f"{', '.join(undeclared)}: no draw declared (draw= in "
                         "model/defaults.py, json_schema_extra on a program's Field)")
    return tuple(draws[name] for name in (*columns, *(n for n in draws if n not in columns)))


# Every independent uncertain number, in the hypercube's column order.
UNCERTAIN: tuple[Uncertain, ...] = _in_columns(COLUMNS)


def default_value(target: str) -> float:
    """The default of a target: a model parameter, ``name[i]`` or ``program.field``."""
    if "." in target:
        program, field = target.split(".", 1)
        return INTERVENTIONS[program].Params.model_fields[field].default
    if target.endswith("]"):
        base, index = target[:-1].split("[")
        return getattr(DEFAULTS, base)[int(index)]
    return getattr(DEFAULTS, target)


@lru_cache(maxsize=1)
def _posterior():
    """The calibrated numbers' joint normal, with the ranges they are clipped to.

    The mechanisms' block is the calibration's Gauss-Newton posterior (search ranges as
    ``low`` and ``high``); the department terms follow, independent normals with their
    empirical-Bayes posterior sd (``department_terms.csv``; a term without an sd is not
    drawn), clipped to the parameter's bounds.
    """
    from model.analysis.posterior import load_posterior
    from model.analysis.search_space import SEARCH_SPACE, default_point
    posterior = load_posterior()
    names = list(posterior.names)
    low = [SEARCH_SPACE[name][0] for name in names]
    high = [SEARCH_SPACE[name][1] for name in names]
    centre = default_point()  # the fit is the defaults: centred there exactly
    mean = [centre[name] for name in names]
    variances = []
    for name, value, sd in department_term_sds():
        names.append(name)
        mean.append(value)
        variances.append(sd ** 2)
        low.append(parameter_range(name.split("[")[0])[0])
        high.append(parameter_range(name.split("[")[0])[1])
    k = len(posterior.names)
    cov = np.zeros((len(names), len(names)))
    cov[:k, :k] = posterior.cov
    cov[k:, k:] = np.diag(variances)
    return _Block(names, np.array(mean), cov, np.array(low), np.array(high))


def department_term_sds() -> list[tuple[str, float, float]]:
    """``(name[i], value, sd)`` of each department term with a posterior sd above 0.

    From ``department_terms.load_term_prior`` (which refuses a file without the sds).
    """
    from model.analysis.department_terms import BLOCKS, load_term_prior
    prior = load_term_prior()
    return [(f"{block}[{i}]", float(getattr(DEFAULTS, block)[i]), float(sd))
            for b, block in enumerate(BLOCKS) for i, sd in enumerate(prior.sd[b]) if sd > 0]


@dataclass(frozen=True)
class _Block:
    names: list
    mean: np.ndarray
    cov: np.ndarray
    low: np.ndarray
    high: np.ndarray


def calibrated_names() -> list[str]:
    """The calibrated parameters drawn jointly (``search_space.SEARCH_SPACE`` order)."""
    return list(_posterior().names)


def dimension() -> int:
    """How many uncertain numbers a draw sets."""
    return len(UNCERTAIN) + len(calibrated_names())


def unit_draws(n: int, seed: int) -> np.ndarray:
    """``n`` points of a Latin hypercube in (0, 1)^dimension, reproducible from ``seed``."""
    if n <= 0:
        return np.zeros((0, dimension()))
    sampler = qmc.LatinHypercube(d=dimension(), seed=np.random.default_rng([seed, 20260]))
    return sampler.random(n)


def allowed_range(target: str) -> tuple[float, float]:
    """The range a scenario may set ``target`` to.

    A parameter's bounds (``defaults.PARAMETER_BOUNDS``) or a program field's ``ge``/``le``
    (``-inf``/``inf`` where a side is open). A draw is truncated to it: a tail of a
    lognormal or normal must not give a value the scenario schema refuses
    (``iron.gap_closure`` above 1, say).
    """
    if "." in target:
        program, field = target.split(".", 1)
        low, high = -math.inf, math.inf
        for bound in INTERVENTIONS[program].Params.model_fields[field].metadata:
            low = max(low, float(getattr(bound, "ge", getattr(bound, "gt", low))))
            high = min(high, float(getattr(bound, "le", getattr(bound, "lt", high))))
        return low, high
    return parameter_range(target.split("[")[0])


def names() -> list[str]:
    """Every uncertain number's name, in the column order of ``unit_draws`` and ``values_at``."""
    return [item.name for item in UNCERTAIN] + calibrated_names()


def values_at(u: np.ndarray, spread: float = 1.0,
              spreads: dict[str, float] | None = None) -> pd.DataFrame:
    """Parameter values (one row per point, one column per uncertain number) at ``u``.

    ``u`` has one column per name of ``names()``, in (0, 1). The first ``len(UNCERTAIN)``
    go through each number's inverse CDF, truncated to what a scenario may set
    (``allowed_range``); the rest are normal scores of the calibrated
    block, correlated by the posterior's Cholesky factor and clipped to the search ranges
    (0.5 everywhere gives the defaults). ``spreads`` scales single numbers' widths on top of
    ``spread`` (e.g. ``{"iron.gap_closure": 0}`` fixes it at its default).
    """
    u = np.atleast_2d(u)
    spreads = spreads or {}
    columns = {}
    for j, item in enumerate(UNCERTAIN):
        values = item.ppf(u[:, j], spread * spreads.get(item.name, 1.0))
        for target in item.targets:
            values = np.clip(values, *allowed_range(target))
        columns[item.name] = values
    posterior = _posterior()
    z = stats.norm.ppf(np.clip(u[:, len(UNCERTAIN):], 1e-9, 1 - 1e-9))
    widths = spread * np.array([spreads.get(name, 1.0) for name in posterior.names])
    block = posterior.mean + widths * (z @ np.linalg.cholesky(posterior.cov).T)
    block = np.clip(block, posterior.low, posterior.high)
    for j, name in enumerate(posterior.names):
        columns[name] = block[:, j]
    return pd.DataFrame(columns)


def parameter_draws(n: int, seed: int, spread: float = 1.0) -> pd.DataFrame:
    """``n`` parameter sets (rows, indexed by draw number), reproducible from ``seed``."""
    table = values_at(unit_draws(n, seed), spread)
    table.index.name = "draw"
    return table


def scenario_changes(values: dict[str, float]) -> tuple[dict, dict]:
    """``(parameters, program_parameters)`` that set one draw's values."""
    parameters: dict = {}
    programs: dict = {}
    targets = {item.name: item.targets for item in UNCERTAIN}
    for name, value in values.items():
        for target in targets.get(name, (name,)):
            value = float(value)
            if "." in target:
                program, field = target.split(".", 1)
                default = INTERVENTIONS[program].Params.model_fields[field].default
                programs.setdefault(program, {})[field] = (
                    int(round(value)) if isinstance(default, int) else value)
            elif target.endswith("]"):
                base, index = target[:-1].split("[")
                current = list(parameters.get(base, getattr(DEFAULTS, base)))
                current[int(index)] = value
                parameters[base] = tuple(current)
            else:
                default = getattr(DEFAULTS, target)
                parameters[target] = int(round(value)) if isinstance(default, int) else value
    return parameters, programs


def apply_draw(body: dict, values: dict[str, float]) -> dict:
    """A scenario (as a dict) with one draw applied; the scenario's own settings win."""
    parameters, programs = scenario_changes(values)
    out = dict(body)
    out["parameters"] = {**parameters, **(body.get("parameters") or {})}
    merged = {name: dict(v) for name, v in programs.items()}
    for name, own in (body.get("program_parameters") or {}).items():
        merged.setdefault(name, {}).update(own)
    out["program_parameters"] = merged
    return out


def distribution_table() -> pd.DataFrame:
    """Every uncertain number: distribution, centre, 90% interval and why (docs table)."""
    rows = []
    for item in UNCERTAIN:
        low, high = item.interval()
        rows.append({"parameter": ", ".join(item.targets), "distribution": item.kind,
                     "centre": item.centre(), "p5": low, "p95": high, "basis": item.basis})
    posterior = _posterior()
    sd = np.sqrt(np.diag(posterior.cov))
    for j, name in enumerate(posterior.names):
        low = max(posterior.low[j], posterior.mean[j] - Z90 * sd[j])
        high = min(posterior.high[j], posterior.mean[j] + Z90 * sd[j])
        if "_department" in name:
            department = DEPARTMENT_ORDER[int(name[:-1].split("[")[1])]
            kind, basis = "normal (department term)", (
                f"calibrated department term, {department}: empirical-Bayes posterior "
                "(docs/validation.md)")
        else:
            kind, basis = "joint normal (calibration)", (
                "calibrated: Gauss-Newton posterior of the fit, clipped to "
                f"{posterior.low[j]:g}-{posterior.high[j]:g}")
        rows.append({"parameter": name, "distribution": kind, "centre": posterior.mean[j],
                     "p5": low, "p95": high, "basis": basis})
    return pd.DataFrame(rows)


def _number(value: float) -> str:
    """A value for the docs table: 4 significant digits, no exponent for ordinary sizes."""
    return f"{value:.4g}"


def distribution_markdown() -> str:
    """The distribution table of ``docs/uncertainty.md`` (a test keeps the two the same)."""
    lines = ["| parameter | distribution | centre (default) | 90% interval | basis |",
             "|---|---|---|---|---|"]
    for _, row in distribution_table().iterrows():
        lines.append(f"| `{row['parameter']}` | {row['distribution']} | "
                     f"{_number(row['centre'])} | {_number(row['p5'])} to "
                     f"{_number(row['p95'])} | {row['basis']} |")
    return "\n".join(lines)
