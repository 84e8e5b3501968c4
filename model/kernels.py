"""Compiled per-child loops of the monthly step (numba).

Each numpy expression over millions of children reads and writes whole arrays; a chain of
ten of them streams the same data through memory ten times, and every age-table lookup
(``np.take``) reads an 8-byte index per child. These kernels do the same arithmetic in one
pass per child: the formulas are those documented in ``model.dynamics`` (which calls them)
and ``model.results``. They are compiled on first use and cached on disk (``cache=True``).

Nothing random happens here: the draws come in as arrays from the model's seeded streams, so
results do not depend on the machine or on how work is split. Arithmetic is float32 on
float32 arrays with float64 intermediates; results agree with the numpy formulas to float32
rounding.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model import anemia
from model.population import Illness

DIARRHOEA, RESPIRATORY = int(Illness.DIARRHOEA), int(Illness.RESPIRATORY)  # compile-time constants
# the anemia rule (model/anemia.py), compiled into the loops
_adjusted_hb = njit(inline="always")(anemia.adjusted_hb)
_is_anemic = njit(inline="always")(anemia.is_anemic)


@njit(cache=True, nogil=True)
def illness(age_index, household_rr, vaccinated, has_vaccinated, diarrhoea_mult,
            respiratory_mult, p_diarrhoea, p_respiratory, vaccine_diarrhoea_rr,
            vaccine_respiratory_rr, u_diarrhoea, u_respiratory, out):  # pragma: no cover
    """Illness flags (``out``, int8) from each child's probabilities and uniform draws."""
    for i in range(age_index.size):
        a = age_index[i]
        p_d = diarrhoea_mult[a] * household_rr[i] * p_diarrhoea
        p_r = respiratory_mult[a] * p_respiratory
        if has_vaccinated and vaccinated[i]:
            p_d *= vaccine_diarrhoea_rr
            p_r *= vaccine_respiratory_rr
        flags = 0
        if u_diarrhoea[i] < p_d:
            flags |= DIARRHOEA
        if u_respiratory[i] < p_r:
            flags |= RESPIRATORY
        out[i] = flags


@njit(cache=True, nogil=True)
def haz_change(age_index, rate, feeding_penalty, velocity, illness_flags, falter_window,
               feeding_window, diarrhoea_loss, drift, innovation_sd, z, treated, has_treated,
               loss_reduction, out):  # pragma: no cover
    """Monthly HAZ change (``out``): see ``dynamics.haz_change``."""
    for i in range(age_index.size):
        a = age_index[i]
        delta = ((velocity[i] - rate[i] - drift) * falter_window[a] + drift
                 - feeding_window[a] * feeding_penalty[i] + innovation_sd * z[i])
        if illness_flags[i] & DIARRHOEA:
            loss = diarrhoea_loss[a]
            if has_treated and treated[i]:
                loss *= 1.0 - loss_reduction
            delta -= loss
        out[i] = delta


@njit(cache=True, nogil=True)
def hb_target(age_index, offset, altitude_rise, household_gap, supplement, illness_flags,
              iron_gap, hb_profile, iron_deficit, infection_drop, treated, has_treated,
              loss_reduction, non_iron_drop, has_non_iron, out):  # pragma: no cover
    """The Hb each child tends towards this month (``out``): see ``dynamics.hb_target``."""
    for i in range(age_index.size):
        a = age_index[i]
        gap = iron_gap[a] + household_gap[i] - supplement[i]
        if gap < 0.0:
            gap = 0.0
        elif gap > 1.0:
            gap = 1.0
        target = hb_profile[a] + offset[i] + altitude_rise[i] - iron_deficit * gap
        if illness_flags[i] != 0:
            drop = infection_drop
            if has_treated and treated[i]:
                drop -= loss_reduction * infection_drop
            target -= drop
        if has_non_iron:
            target -= non_iron_drop[i]
        out[i] = target


@njit(cache=True, nogil=True)
def hb_update(hb, target, rate, innovation_sd, z, out):  # pragma: no cover
    """Hb moved part of the way to its target plus an innovation (``out`` may be ``hb``)."""
    for i in range(hb.size):
        out[i] = hb[i] + rate * (target[i] - hb[i]) + innovation_sd * z[i]


@njit(cache=True, nogil=True)
def tally(cell, age_index, band, haz, hb, adjustment, cutoff, stunting_cutoff,
          severe_cutoff, illness_flags, n_outcomes, counts, haz_sum, hb_sum):  # pragma: no cover
    """Add each child to its cell's outcome counts and HAZ and adjusted-Hb sums.

    ``cell`` is the household part of the cell index (already times the number of age
    bands); ``band`` maps the age row to the band. The outcome code is
    ``4 * haz class + 2 * anemic + diarrhoea`` (haz class 0 not stunted, 1 stunted, 2
    severely), so ``counts`` has ``n_outcomes`` entries per cell.
    """
    for i in range(cell.size):
        a = age_index[i]
        c = cell[i] + band[a]
        adjusted = _adjusted_hb(hb[i], adjustment[i])
        code = 0
        if haz[i] < stunting_cutoff:
            code = 4
            if haz[i] < severe_cutoff:
                code = 8
        if _is_anemic(hb[i], adjustment[i], cutoff[a]):
            code += 2
        code += illness_flags[i] & DIARRHOEA
        counts[c * n_outcomes + code] += 1
        haz_sum[c] += haz[i]
        hb_sum[c] += adjusted


@njit(cache=True, nogil=True)
def youngest(age, first, out):  # pragma: no cover
    """Age of each household's youngest child (``out``), as ``minimum.reduceat``.

    Children are stored household by household from ``first`` (at least one each).
    """
    n = first.size
    for h in range(n):
        end = first[h + 1] if h + 1 < n else age.size
        low = age[first[h]]
        for i in range(first[h] + 1, end):
            if age[i] < low:
                low = age[i]
        out[h] = low


def empty(dtype) -> np.ndarray:
    """A zero-length array to pass where an optional array is absent."""
    return np.zeros(0, dtype=dtype)
