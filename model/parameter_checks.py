"""Checks of the parameters a scenario sets: one value at a time, then the set as a whole.

The bounds come from each field's declaration in ``model/defaults.py``
(``PARAMETER_BOUNDS``); a refused value gets a short message naming the parameter, the value
and what is allowed, with the bound's reason.
"""

from __future__ import annotations

import math

from model.defaults import (
    DEFAULTS,
    DEPARTMENT_ORDER,
    DEPARTMENT_TERMS,
    DEPARTMENT_TERMS_CSV,
    PARAMETER_BOUNDS,
    Parameters,
    parameter_names,
)
from model.names import match_department
from model.safe_yaml import short as _number_text


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
    values = list(default)
    for key, number in value.items():
        try:
            department = match_department(key, DEPARTMENT_ORDER)
        except ValueError as err:
            raise ValueError(f"parameter {name!r}: {err}") from None
        low, high, reason = PARAMETER_BOUNDS[name]
        if (isinstance(number, bool) or not isinstance(number, (int, float))
                or not math.isfinite(number) or not low <= number <= high):
            raise ValueError(f"parameter {name!r} for {department} = {_number_text(number)}: "
                             f"allowed a number from {low:g} to {high:g} ({reason})")
        values[DEPARTMENT_ORDER.index(department)] = number
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
