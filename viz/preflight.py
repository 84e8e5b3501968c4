"""Before a comparison runs: how long it will take, and what is wrong with the levers.

The time estimates are fitted to measured dashboard runs on this machine (see
``estimated_seconds``); the page refuses runs over ``MAX_ESTIMATED_SECONDS`` and warns of
lever combinations that change nothing (``check``).
"""

from __future__ import annotations

from collections import OrderedDict

from model import geography
from model import model as model_module
from model.analysis.comparison import comparison_specs
from model.config import validate_scenario
from viz.levers import ALL_PERU, STATUS_QUO, Levers, schedule_kept
from viz.policy_scenarios import build_scenarios, policy_interventions, real_children, scale_for

MAX_ESTIMATED_SECONDS = 300  # longer runs belong on the command line (the page says so)


def districts_in(region: str) -> int:
    """Districts of ``region`` (a department or all Peru)."""
    table = geography.load_district_table()
    return len(table) if region == ALL_PERU else int((table["department"] == region).sum())


def history_seconds(region: str, precision: str) -> float:
    """Rough time to live the history (2000-2019) once at the region's scale on this machine.

    Set-up and saving the state 1.8 s, then 300 months (60 of warm-up, 240 of history) of
    5.2 us per district and 0.5 us per simulated child. Fitted to the history part of
    dashboard comparisons (package, one replicate, empty cache) measured on 2 cores next to a
    running calibration (load about 4, 2026-12-01): Tumbes fast 2.3 s (estimate 3.2),
    Huancavelica fast 2.8 s (3.0) and fine 5.0 s (4.0), Lima fast 3.2 s (3.0), all Peru fast
    6.5-6.7 s (6.3) and standard 6.8 s (7.2). ``build_model`` of baseline.yaml alone, same
    machine: 2.5-3.5 s for a department, 8.7 s for all Peru; restored from the saved state
    0.1-0.35 s.
    """
    children = real_children(region) / scale_for(region, precision)
    return 1.8 + 300 * (5.2e-6 * districts_in(region) + 5e-7 * children)


def arm_seconds(region: str, precision: str, years: int) -> float:
    """Rough time of one arm after the history: restore the saved state, run, record.

    0.3 s plus 0.4 ms per district (restoring, the district rows), then each month 35 us per
    district (metrics by district, health posts) and 0.7 us per simulated child. Same
    measurements as ``history_seconds`` (both arms together): Tumbes fast 2 years 0.9 s
    (estimate 1.4), Huancavelica fast 2 years 2.1 s (1.4) and fine 2.9 s (2.0), Lima fast
    5 years 2.6 s (2.7), all Peru fast 2 years 6.1 s (5.8), 5 years 11.9 s (11.2), standard
    2 years 6.2 s (6.3).
    """
    districts = districts_in(region)
    children = real_children(region) / scale_for(region, precision)
    return 0.3 + 4e-4 * districts + 12 * years * (2.8e-5 * districts + 1.75e-6 * children)


def histories_saved(levers: Levers) -> int:
    """Runs whose history this process has saved already (restored, not lived again).

    Reads the model's store of saved states (``model.model``); 0 if it is not there.
    """
    states = getattr(model_module, "_history_states", None)
    if not states:
        return 0
    return min(len(set(history_keys(levers)) & set(states)), model_module.HISTORY_STATES_KEPT)


def history_keys(levers: Levers) -> tuple[str, ...]:
    """Per run of the comparison, the key of the history it lives (``model.history_key``).

    A run's reference and policy share it: same parameters (its draw), seed and history.
    Cached by what decides it (the page asks on every render; the programs' levers and the
    horizon do not change a history).
    """
    key = (levers.region, levers.precision, levers.seed, levers.replicates, levers.uncertainty)
    if key not in _HISTORY_KEYS:
        reference, _ = build_scenarios(levers)
        specs = comparison_specs([reference], levers.seeds, levers.seed, levers.draws)
        _HISTORY_KEYS[key] = tuple(model_module.history_key(validate_scenario(
            {**spec.scenario, "seed": spec.seed}, source="dashboard run")) for spec in specs)
        while len(_HISTORY_KEYS) > 64:
            _HISTORY_KEYS.popitem(last=False)
    return _HISTORY_KEYS[key]


_HISTORY_KEYS: OrderedDict[tuple, tuple[str, ...]] = OrderedDict()


def estimated_seconds(levers: Levers, saved: int | None = None) -> float:
    """Rough model time of the comparison on this machine.

    Each run (a parameter draw, or a replicate seed without parameter uncertainty) lives the
    history once (``history_seconds``; both arms then restore its saved state), unless the
    process saved it already (``saved`` runs, by default ``histories_saved``), and runs both
    arms over the horizon (``arm_seconds``).
    The page itself adds about 30% when the browser shares the machine.

    Refitted in issue 15 (the model had grown slower per child with the local-government
    layer): the end-to-end times of the page on 2 cores with the browser on the same machine,
    package.yaml, 5 years, 4 runs at the fast precision, empty cache: all Peru 71 s (the old
    coefficients gave 70 s), Huancavelica 36 s (they gave 22 s). The child terms of
    ``history_seconds`` and ``arm_seconds`` were multiplied by 2.5 and the district terms by
    0.8, the two factors that fit both.
    """
    saved = histories_saved(levers) if saved is None else saved
    history = history_seconds(levers.region, levers.precision)
    arms = 2 * arm_seconds(levers.region, levers.precision, levers.years)
    return (levers.replicates - saved) * history + levers.replicates * arms


def check(levers: Levers) -> tuple[list[str], list[str]]:
    """Problems with the levers: (errors that stop a run, warnings shown beside the result).

    Messages are keys into viz.i18n with their format arguments, as ``(key, kwargs)``.
    """
    errors, warnings = [], []
    seconds = estimated_seconds(levers)
    if seconds > MAX_ESTIMATED_SECONDS:
        errors.append(("too_slow", {"seconds": round(seconds), "limit": MAX_ESTIMATED_SECONDS}))
    if levers.reference == STATUS_QUO and not policy_interventions(levers):
        warnings.append(("no_change", {}))
    if levers.reference == "no_programs" and not levers.enabled:
        warnings.append(("no_programs", {}))
    if "cct" in levers.enabled and not schedule_kept(levers, "cct",
                                                     "district_poverty_threshold"):
        table = geography.load_district_table()
        if levers.region != ALL_PERU:
            table = table[table["department"] == levers.region]
        threshold = levers.value("cct", "district_poverty_threshold")
        if not (table["poverty_total_pct_2018"] / 100 > threshold).any():
            warnings.append(("cct_no_district", {"threshold": round(100 * threshold)}))
    if ("iron" in levers.enabled and levers.value("iron", "channel") == "visits"
            and not {"home_visits", "municipal_visits"} & set(levers.enabled)):
        warnings.append(("iron_needs_visits", {}))
    return errors, warnings
