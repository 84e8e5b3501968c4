"""The calibrated parameters and their search ranges, derived from ``model/defaults.py``.

A parameter is fitted when its field declares ``calibrate=(low, high)`` (or
``{i: (low, high)}`` for elements of a tuple, named ``"x[i]"`` here). ``SEARCH_SPACE`` lists
them in ``FIT_ORDER``, the order of the fit's trials and of the columns of
``model/data/calibration_posterior.csv``; a newly declared one follows, in field order.
"""

from __future__ import annotations

from model.declare import fit_ranges
from model.defaults import DEFAULTS, Parameters

# The order of the calibration study's parameters and of the stored posterior's columns
# (fixed: the optuna study proposes its trials in this order, and the posterior file names
# its rows so). A parameter declared with calibrate= but not listed here is appended.
FIT_ORDER = (
    "haz_birth_mean", "haz_birth_sd", "haz_innovation_sd", "haz_birth_unskilled_shift",
    "haz_falter_base", "haz_falter_poor", "haz_falter_rural", "haz_falter_schooling[0]",
    "haz_falter_schooling[1]", "haz_falter_schooling[2]", "haz_falter_per_km_altitude",
    "schooling_trend_sd_per_year", "hb_iron_gap_deficit", "iron_gap_poor", "iron_gap_rural",
    "hb_infection_drop", "hb_altitude_rise_per_km", "hb_altitude_south_factor",
    "hb_non_iron_drop", "non_iron_share_by_region[0]", "non_iron_share_by_region[1]",
    "non_iron_share_by_region[2]", "vaccine_diarrhoea_rr",
)


def _search_space() -> dict[str, tuple[float, float]]:
    """Every declared search range, in ``FIT_ORDER`` and then field order."""
    ranges = fit_ranges(Parameters)
    stale = [name for name in FIT_ORDER if name not in ranges]
    if stale:
        raise ValueError(f"FIT_ORDER names {', '.join(stale)}, which declare no calibrate= in "
                         "model/defaults.py")
    return {name: ranges[name] for name in (*FIT_ORDER, *(n for n in ranges
                                                           if n not in FIT_ORDER))}


# Parameters fitted, with their search ranges (``calibrate=`` of each field).
SEARCH_SPACE: dict[str, tuple[float, float]] = _search_space()


def element(name: str) -> tuple[str, int | None]:
    """``("x", 2)`` for a search-space name ``"x[2]"``, ``("x", None)`` for ``"x"``."""
    if "[" not in name:
        return name, None
    base, index = name[:-1].split("[")
    return base, int(index)


def as_parameters(flat: dict[str, float]) -> dict:
    """Search-space values -> scenario parameters (``x[i]`` entries folded into tuples)."""
    out: dict = {}
    for name, value in flat.items():
        base, index = element(name)
        if index is None:
            out[base] = float(value)
        else:
            current = list(out.get(base, getattr(DEFAULTS, base)))
            current[index] = float(value)
            out[base] = tuple(current)
    return out


def default_point() -> dict[str, float]:
    """The search-space values of the current defaults."""
    point = {}
    for name in SEARCH_SPACE:
        base, index = element(name)
        value = getattr(DEFAULTS, base)
        point[name] = float(value if index is None else value[index])
    return point


def at_bound(value: float, low: float, high: float) -> str:
    """``"low"`` or ``"high"`` within 2% of the range from that end, else ``""``."""
    margin = 0.02 * (high - low)
    return "low" if value - low < margin else "high" if high - value < margin else ""
