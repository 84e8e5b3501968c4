"""In-silico replication of the program evaluations (DESIGN.md §8).

Each function replays a published evaluation inside the model, with its design (arms,
districts, ages, duration, comparison group), over replicate seeds, and puts the simulated
effect next to the published one in one table with the columns of ``TRIAL_COLUMNS``:

- ``trial``, ``outcome``: which evaluation and which outcome (with its unit);
- ``published``: the published effect as a number (0 for a published null);
- ``published_interval``: what the publication says, as text (not every source gives a CI);
- ``simulated_median``, ``simulated_p5``, ``simulated_p95``: the simulated effect over the
  replicates (median and 90% interval);
- ``agrees``: whether the simulation agrees by the criterion stated in each function.

With ``draws`` > 0 every replay runs under each of ``draws`` parameter sets
(``model.analysis.draws``, reproducible from the seed) with each draw's own replicate seeds
(``experiments.draw_seeds``), as ``compare --draws`` does; the median and 90% interval are then
over draws x replicates and the table adds ``DRAW_COLUMNS``: ``draws``, ``replicates`` (per
draw) and ``param_share``, the share of the simulated effect's variance due to the parameter
draws (``comparison.parameter_share``; the rest is chance). A trial's design (districts,
arms, program settings) is set by the scenario and is never drawn.

Everything here is pure: scenarios are built as dicts and validated, models run serially
in memory, and the results come back as pandas DataFrames (no files, no printing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from model.analysis.batches import write_draws
from model.analysis.comparison import interval_meaning, parameter_share
from model.analysis.draws import apply_draw, parameter_draws
from model.analysis.experiments import draw_seeds, replicate_seeds
from model.analysis.outputs import OutFolder, write_csv, write_text
from model.config import Scenario, validate_scenario
from model.defaults import DEFAULTS
from model.geography import load_district_table
from model.model import ECDModel
from model.population import Area, JuntosStatus

TRIAL_COLUMNS = ["trial", "outcome", "published", "published_interval", "simulated_median",
                 "simulated_p5", "simulated_p95", "agrees"]
DRAW_COLUMNS = ["draws", "replicates", "param_share"]

# --- Cuna Más cluster trial (Araujo et al. 2021; evidence rows C3a, C3b) ----------------------
CUNA_MAS_DISTRICTS = 180          # districts randomised (C3a)
CUNA_MAS_TREATED = 120            # treated districts; the other 60 are controls (DESIGN §8)
CUNA_MAS_CHILDREN = 5_800         # children in the trial's sample (C3a: > 5,000)
CUNA_MAS_START = "2013-01"        # baseline 2013 (C3a)
CUNA_MAS_MONTHS = 24              # follow-up 2015, about two years later (C3a)
CUNA_MAS_MAX_URBAN_SHARE = 0.5    # "rural" district: under half the population urban
CUNA_MAS_MIN_POVERTY = 0.4        # "poor" district: monetary poverty at least 40% (2018 map)
CUNA_MAS_REGIONS = ("Sierra", "Selva")  # Andean and Amazonian districts
ENROL_EVERYONE = 5_000_000        # families: more than all eligible households, so the cap binds

# --- Juntos evaluation (program documents, DESIGN §9; evidence rows C1b-C1d) -----------------
JUNTOS_DEPARTMENTS = ("APURIMAC", "AYACUCHO", "HUANCAVELICA")
JUNTOS_START = "2008-01"
JUNTOS_MONTHS = 36
JUNTOS_SCALE = 5.0                # default: about 26,000 simulated children under five
JUNTOS_LATE_MEASURE_STEP = 24     # when the children first exposed at 24-35 m are measured


# --- shared helpers ---------------------------------------------------------------------------

def _replays(replicates: int, seed: int, draws: int) -> list[tuple[int, int, int, dict]]:
    """``(draw, replicate, seed, parameter values)`` of every replay of an evaluation.

    Without draws: draw 0, ``replicate_seeds(seed, replicates)`` and no values (the
    defaults). With draws: row ``d`` of ``parameter_draws(draws, seed)`` with the seeds
    ``draw_seeds(seed, draws, replicates)[d]``.
    """
    if draws <= 0:
        return [(0, r, s, {}) for r, s in enumerate(replicate_seeds(seed, replicates))]
    table = parameter_draws(draws, seed).to_dict("records")
    return [(d, r, s, table[d]) for d, seeds in enumerate(draw_seeds(seed, draws, replicates))
            for r, s in enumerate(seeds)]


def _effects(replay: Callable[[int, dict], dict[str, float]], replicates: int, seed: int,
             draws: int) -> pd.DataFrame:
    """``replay(seed, values)`` for every replay: one row each, indexed by draw and replicate."""
    rows = [{"draw": d, "replicate": r, **replay(s, values)}
            for d, r, s, values in _replays(replicates, seed, draws)]
    return pd.DataFrame(rows).set_index(["draw", "replicate"])


def _drawn(body: dict, values: dict | None) -> dict:
    """A scenario body with one parameter draw applied (unchanged without values)."""
    return apply_draw(body, values) if values else body


def _row(trial: str, outcome: str, published: float, published_interval: str,
         values: pd.Series, agrees: Callable[[float, float, float], bool],
         draws: int = 0) -> dict:
    """One table row: the simulated median and 90% interval, and the agreement verdict.

    ``values`` is indexed by draw and replicate; with ``draws`` the row adds
    ``DRAW_COLUMNS``.
    """
    median, p5, p95 = (float(v) for v in np.percentile(values.to_numpy(), [50, 5, 95]))
    row = {"trial": trial, "outcome": outcome, "published": published,
           "published_interval": published_interval, "simulated_median": median,
           "simulated_p5": p5, "simulated_p95": p95, "agrees": bool(agrees(median, p5, p95))}
    if draws > 0:
        row.update(draws=draws,
                   replicates=int(values.groupby(level="draw").size().max()),
                   param_share=parameter_share(values))
    return row


def _table(rows: list[dict], draws: int) -> pd.DataFrame:
    """The rows with the columns of ``TRIAL_COLUMNS`` (and ``DRAW_COLUMNS`` with draws)."""
    return pd.DataFrame(rows, columns=TRIAL_COLUMNS + (DRAW_COLUMNS if draws > 0 else []))


def _null_agrees(tolerance: float) -> Callable[[float, float, float], bool]:
    """Agreement with a published null: the 90% interval holds 0 or |median| < tolerance."""
    return lambda median, p5, p95: (p5 <= 0 <= p95) or abs(median) < tolerance


def _overlaps(low: float, high: float) -> Callable[[float, float, float], bool]:
    """Agreement with a published range: the simulated 90% interval overlaps [low, high]."""
    return lambda median, p5, p95: p5 <= high and p95 >= low


def _difference(values: np.ndarray, first: np.ndarray, second: np.ndarray) -> float:
    """Mean of ``values`` where ``first`` minus the mean where ``second`` (nan if one is empty)."""
    if not first.any() or not second.any():
        return float("nan")
    return float(values[first].mean() - values[second].mean())


# --- Cuna Más --------------------------------------------------------------------------------

def cuna_mas_districts() -> list[str]:
    """The 180 districts "of the trial's kind" (ubigeo codes, sorted).

    Rule: among the districts that are rural (urban share of the 2019 population below 0.5),
    poor (2018 monetary poverty at least 40%) and Andean or Amazonian (natural region Sierra
    or Selva), the 180 poorest (ties broken by ubigeo). The trial's own list is not in the
    data; this rule gives districts of the kind it randomised (C3a: rural, poor, 12
    departments; the rule gives 14 departments, mostly Sierra).
    """
    table = load_district_table()
    kind = table[(table["urban_share_2019"] < CUNA_MAS_MAX_URBAN_SHARE)
                 & (table["poverty_total_pct_2018"] >= 100 * CUNA_MAS_MIN_POVERTY)
                 & table["natural_region"].isin(CUNA_MAS_REGIONS)]
    poorest = kind.sort_values(["poverty_total_pct_2018", "ubigeo"],
                               ascending=[False, True]).head(CUNA_MAS_DISTRICTS)
    return sorted(poorest["ubigeo"])


def assign_arms(districts: list[str], seed: int,
                treated: int = CUNA_MAS_TREATED) -> tuple[list[str], list[str]]:
    """Randomise districts into a treated and a control arm.

    Args:
        districts: the districts of the trial.
        seed: seed of the ``numpy.random.default_rng`` that draws the permutation; the same
            seed always gives the same arms.
        treated: districts in the treated arm (the rest are controls).

    Returns:
        (treated districts, control districts), each sorted.
    """
    order = np.random.default_rng(seed).permutation(len(districts))
    return (sorted(districts[i] for i in order[:treated]),
            sorted(districts[i] for i in order[treated:]))


def cuna_mas_scale(districts: list[str] | None = None) -> float:
    """Scale at which the simulated trial sample has about 5,800 children.

    The sample is the children under two at baseline in rural households (see
    ``cuna_mas_trial``); their real number is estimated as rural population x
    ``under5_share_of_population`` x 24/60, and the scale is that number / 5,800 (at least
    1). For the default districts it is about 5.7.
    """
    table = load_district_table()
    chosen = table[table["ubigeo"].isin(districts or cuna_mas_districts())]
    rural = (chosen["pop_2019"] * (1 - chosen["urban_share_2019"])).sum()
    under_two = rural * DEFAULTS.under5_share_of_population * 24 / 60
    return max(1.0, float(under_two) / CUNA_MAS_CHILDREN)


def cuna_mas_scenario(treated: list[str], control: list[str], seed: int,
                      scale: float, values: dict | None = None) -> Scenario:
    """The trial as a scenario: both arms' districts, home visits in the treated arm only.

    Home visits (the Cuna Más family service) run from the start in the treated districts,
    for rural households with a child under 3; ``families`` is larger than every eligible
    household, so every eligible family can be enrolled (enrolment is capped by the eligible
    households). Other home-visit parameters keep their defaults (e.g. two thirds of
    enrolled families visited in a month), or with ``values`` (one parameter draw) the
    draw's.
    """
    return validate_scenario(_drawn({
        "name": "cuna_mas_trial",
        "description": "Cuna Más cluster trial replay (Araujo et al. 2021; C3a, C3b)",
        "start": CUNA_MAS_START, "months": CUNA_MAS_MONTHS, "seed": seed, "scale": scale,
        "geography": {"districts": sorted(treated + control)},
        "interventions": [{"type": "home_visits", "districts": treated, "rural_only": True,
                           "families": ENROL_EVERYONE}],
    }, values), source="cuna_mas_trial")


def _cuna_mas_replicate(seed: int, districts: list[str], scale: float,
                        values: dict | None = None) -> dict[str, float]:
    """One replay of the trial: new arms and new children from ``seed``; ITT differences.

    ``values``: one parameter draw (default: the model's defaults).
    """
    treated, control = assign_arms(districts, seed)
    model = ECDModel(cuna_mas_scenario(treated, control, seed, scale, values))
    kids, hh = model.children, model.households
    sample = (kids.age_months < 24) & (hh.area[kids.household] == Area.RURAL)
    cohort = kids.uid[sample]
    for _ in range(CUNA_MAS_MONTHS):
        model.step()
    # Children under 24 months at baseline are at most 47 months now: all still present.
    slots = np.flatnonzero(np.isin(kids.uid, cohort))
    in_treated = np.isin(model.geography.ubigeo[hh.district[kids.household[slots]]], treated)
    haz = kids.haz[slots]
    return {
        "development": _difference(kids.development[slots], in_treated, ~in_treated),
        "haz": _difference(haz, in_treated, ~in_treated),
        "stunting": 100 * _difference((haz < model.params.stunting_cutoff).astype(float),
                                      in_treated, ~in_treated),
    }


def cuna_mas_trial(replicates: int = 5, seed: int = 1, scale: float | None = None,
                   draws: int = 0) -> pd.DataFrame:
    """Replay the Cuna Más home-visiting cluster trial (Araujo et al. 2021; C3a, C3b).

    Design: the 180 districts of ``cuna_mas_districts`` (rural, poor, Sierra and Selva; the
    180 poorest such districts) are randomised into 120 treated and 60 control districts;
    home visits run in the treated districts for 24 months from January 2013 (see
    ``cuna_mas_scenario``). The sample is the children aged 0-23 months at baseline living
    in rural households (the trial surveyed the rural communities the program serves);
    they are found again by ``uid`` after 24 months (all are still under five). Effects are
    intention-to-treat by district arm: treated-arm mean minus control-arm mean, whether or
    not a child's family was actually visited.

    Replicates: ``experiments.replicate_seeds(seed, replicates)``; each replicate seed draws
    its own randomisation of the arms (``assign_arms``, ``numpy.random.default_rng``) and
    seeds the model, so the spread over replicates is the spread of trial results one
    would see from new randomisations and new children.

    Outcomes and agreement criteria:

    - development score (z, about 1 SD at birth): published +0.10 SD (C3a, no CI in the
      evidence table); agrees if the simulated 90% interval overlaps [0.05, 0.15];
    - mean HAZ (z) and stunting (HAZ < -2, percentage points): published null (C3b);
      agree if the simulated 90% interval contains 0 or |median| < 0.05 SD / 1 pp.

    Args:
        replicates: replays of the trial.
        seed: seed of the replicate seeds.
        scale: real children per simulated child; default ``cuna_mas_scale()`` (about 5,800
            children in the simulated sample).
        draws: parameter draws, each replayed ``replicates`` times (0 = the defaults only).

    Returns:
        One row per outcome, columns ``TRIAL_COLUMNS`` (and ``DRAW_COLUMNS`` with draws).
    """
    districts = cuna_mas_districts()
    scale = cuna_mas_scale(districts) if scale is None else scale
    runs = _effects(lambda s, values: _cuna_mas_replicate(s, districts, scale, values),
                    replicates, seed, draws)
    trial = "Cuna Más home visits (cluster RCT, 120 vs 60 districts)"
    rows = [
        _row(trial, "development score (SD)", 0.10, "about +0.10 SD",
             runs["development"], _overlaps(0.05, 0.15), draws),
        _row(trial, "mean HAZ (SD)", 0.0, "no effect on nutritional status (C3b)",
             runs["haz"], _null_agrees(0.05), draws),
        _row(trial, "stunting (pp)", 0.0, "no effect on nutritional status (C3b)",
             runs["stunting"], _null_agrees(1.0), draws),
    ]
    return _table(rows, draws)


# --- Juntos ----------------------------------------------------------------------------------

def juntos_scenario(seed: int, scale: float = JUNTOS_SCALE,
                    values: dict | None = None) -> Scenario:
    """Juntos (default parameters) with CRED (default parameters) in three poor Sierra departments.

    Apurímac, Ayacucho and Huancavelica, from January 2008 for 36 months. With ``values``
    (one parameter draw) the model's and programs' uncertain numbers are the draw's.
    """
    return validate_scenario(_drawn({
        "name": "juntos_evaluation",
        "description": "Juntos evaluation replay: enrolled vs comparable non-enrolled poor",
        "start": JUNTOS_START, "months": JUNTOS_MONTHS, "seed": seed, "scale": scale,
        "geography": {"departments": list(JUNTOS_DEPARTMENTS)},
        "interventions": [{"type": "cct"}, {"type": "cred"}],
    }, values), source="juntos_evaluation")


def _juntos_arms(model: ECDModel) -> tuple[np.ndarray, np.ndarray]:
    """Per child: in an enrolled poor household; in a comparable non-enrolled one.

    Both groups are poor households in the districts where Juntos operates; the comparable
    ones are not enrolled (the program's exclusion error), the others are enrolled
    (receiving or suspended). Non-poor enrolled households (inclusion error) are left out
    of both.
    """
    hh, kids = model.households, model.children
    cct = next(i for i in model.interventions if i.name == "cct")
    poor = hh.poor & cct.eligible_districts(model)[hh.district]
    enrolled = poor & (hh.juntos != JuntosStatus.NOT_ENROLLED)
    comparable = poor & (hh.juntos == JuntosStatus.NOT_ENROLLED)
    return enrolled[kids.household], comparable[kids.household]


def _juntos_replicate(seed: int, scale: float, values: dict | None = None) -> dict[str, float]:
    """One run: growth-monitoring gap and HAZ differences by age at first exposure.

    ``values``: one parameter draw (default: the model's defaults).
    """
    model = ECDModel(juntos_scenario(seed, scale, values))
    kids = model.children
    late_cohort = kids.uid[(kids.age_months >= 24) & (kids.age_months < 36)]
    late = float("nan")
    for _ in range(JUNTOS_MONTHS):
        model.step()
        if model.steps == JUNTOS_LATE_MEASURE_STEP:
            enrolled, comparable = _juntos_arms(model)
            cohort = np.isin(kids.uid, late_cohort)
            late = _difference(kids.haz, cohort & enrolled, cohort & comparable)
    enrolled, comparable = _juntos_arms(model)
    under3 = kids.age_months < 36  # at the end: born under the program, exposed from birth
    monitored = 100.0 * ((model.steps - kids.last_cred_step) < 3)
    return {
        "growth_monitoring": _difference(monitored, under3 & enrolled, under3 & comparable),
        "haz_from_birth": _difference(kids.haz, under3 & enrolled, under3 & comparable),
        "haz_after_age_2": late,
    }


def juntos_evaluation(replicates: int = 5, seed: int = 1, scale: float = JUNTOS_SCALE,
                      draws: int = 0) -> pd.DataFrame:
    """Replay the Juntos comparisons: growth monitoring and HAZ of Juntos children.

    Design (``juntos_scenario``): Juntos and CRED, both with default parameters, in
    Apurímac, Ayacucho and Huancavelica from January 2008 for 36 months. Juntos children
    (poor households enrolled, paid or suspended) are compared with comparable non-Juntos
    children: poor households in the same eligible districts that are not enrolled (the
    exclusion error); see ``_juntos_arms``.

    Outcomes (enrolled minus comparable) and agreement criteria:

    - growth monitoring: children under 36 months at the end with a CRED contact in the
      last three months (``model.steps - last_cred_step < 3``), difference in percentage
      points. Published: +69 pp (program documents, DESIGN §9). Agrees if the simulated
      90% interval overlaps [50, 85]. This is a consistency check, not an independent
      validation: Juntos' ``attendance`` parameter was derived from the same figure.
    - mean HAZ, exposed from birth: children under 36 months at the end of the 36 months
      (born under the program), measured at the end.
    - mean HAZ, exposed after age 2: children aged 24-35 months at the start, measured at
      month 24 (then 48-59 months old; measured then because by month 36 they would have
      passed 60 months and left). Their exposure starts after the age at which the model's
      faltering ends.

      Both HAZ rows: published null (C1c, C1d: no significant effect on nutrition; C1b's
      observational +0.43 to +0.52 for boys is of low strength). Agree if the simulated 90%
      interval contains 0 or |median| < 0.1 SD.

    Args:
        replicates: runs, seeded by ``experiments.replicate_seeds(seed, replicates)``.
        seed: seed of the replicate seeds.
        scale: real children per simulated child.
        draws: parameter draws, each replayed ``replicates`` times (0 = the defaults only).

    Returns:
        One row per outcome, columns ``TRIAL_COLUMNS`` (and ``DRAW_COLUMNS`` with draws).
    """
    runs = _effects(lambda s, values: _juntos_replicate(s, scale, values), replicates, seed,
                    draws)
    trial = "Juntos (enrolled vs comparable non-enrolled poor)"
    haz_text = ("no significant nutrition effect (C1c, C1d); C1b observational +0.43 to "
                "+0.52 for boys, low strength")
    rows = [
        _row(trial, "growth monitoring in last 3 months, under-3s (pp)", 69.0,
             "+69 pp (program documents)", runs["growth_monitoring"],
             _overlaps(50.0, 85.0), draws),
        _row(trial, "mean HAZ, exposed from birth (SD)", 0.0, haz_text,
             runs["haz_from_birth"], _null_agrees(0.1), draws),
        _row(trial, "mean HAZ, exposed after age 2 (SD)", 0.0, haz_text,
             runs["haz_after_age_2"], _null_agrees(0.1), draws),
    ]
    return _table(rows, draws)


def replicate_trials(replicates: int = 5, seed: int = 1, scale_cuna: float | None = None,
                     scale_juntos: float | None = None, draws: int = 0) -> pd.DataFrame:
    """Both replays in one table (Cuna Más rows, then Juntos rows).

    Args:
        replicates: replicates of each evaluation (per parameter draw).
        seed: seed of the replicate seeds and of the parameter draws (shared by both, so
            draw ``d`` has the same parameters in both evaluations).
        scale_cuna: scale of the Cuna Más trial (default: ``cuna_mas_scale()``).
        scale_juntos: scale of the Juntos evaluation (default: ``JUNTOS_SCALE``).
        draws: parameter draws (0 = the defaults only, intervals from chance alone).
    """
    return pd.concat([
        cuna_mas_trial(replicates, seed, scale_cuna, draws),
        juntos_evaluation(replicates, seed, JUNTOS_SCALE if scale_juntos is None
                          else scale_juntos, draws),
    ], ignore_index=True)


def trials_markdown(table: pd.DataFrame, draws: int, replicates: int) -> list[str]:
    """The lines of trials.md: one table row per outcome (and the interval's meaning)."""
    share = " | parameters' share of variance |" if draws else " |"
    lines = ([f"Medians with {interval_meaning(draws, replicates)}.", ""] if draws else []) + [
        "| trial | outcome | published | simulated median (90% interval) | agrees" + share,
        "|---|---|---|---|---|" + ("---|" if draws else "")]
    for row in table.itertuples():
        shown = "" if not draws else (
            " - |" if row.param_share != row.param_share
            else f" {100 * row.param_share:.0f}% |")
        lines.append(f"| {row.trial} | {row.outcome} | {row.published_interval} | "
                     f"{row.simulated_median:.3f} ({row.simulated_p5:.3f} to "
                     f"{row.simulated_p95:.3f}) | {'yes' if row.agrees else 'no'} |" + shown)
    return lines


def trials_job(replicates: int, seed: int, draws: int,
               folder: OutFolder) -> tuple[list[str], list[Path]]:
    """Replay both evaluations and write trials.csv, trials.md (and draws.csv) to the folder.

    Returns the lines of trials.md and the files written; the folder is then finished.
    """
    out = folder.out
    written = [out / "trials.csv", out / "trials.md"]
    if draws:
        written.append(write_draws(out, draws, seed))
    table = replicate_trials(replicates=replicates, seed=seed, draws=draws)
    write_csv(table, written[0])
    lines = trials_markdown(table, draws, replicates)
    write_text(written[1], "\n".join(lines) + "\n")
    folder.finish()
    return lines, written
