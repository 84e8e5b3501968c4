"""How a model parameter is declared: one ``param(...)`` per field of ``Parameters``.

A field of ``model.defaults.Parameters`` states every fact about its number once::

    low_birth_weight_share: float = param(
        0.070,
        unit="fraction of births < 2,500 g",
        source="C6c (ENDES 2016: 7.0%)",
        bounds=(0.0, 1.0, "a share or probability (C6c: 7%)"),
        draw=Draw("beta", 0.062, 0.078, "C6c: 7.0% (ENDES 2016); ..."))

* ``value``: the default; ``unit``: its unit and meaning; ``source``: where it comes from
  (an evidence row, the program documents, derived, calibrated, tuned by hand or
  ASSUMPTION: the kinds of ``model/defaults.py``'s docstring);
* ``bounds``: ``(low, high, reason)``, what a scenario may set it to (inclusive; every value
  of a tuple lies in the range);
* ``draw``: its distribution when it is uncertain (``Draw``; ``model/analysis/draws.py``
  draws it);
* ``calibrate``: its search range ``(low, high)`` when it is fitted to the surveys, or
  ``{i: (low, high)}`` for elements of a tuple (``model/analysis/search_space.py``);
* ``label``: a plain-language name for charts and tables where the field's name is not
  readable enough; ``elements``: names of a tuple's elements for the same use.

The tables the rest of the code reads (``PARAMETER_BOUNDS``, the draws, the search space,
the labels) are views of these declarations (``declared``, ``fit_ranges``), so a new
parameter is written once. This module is part of the model core: it imports nothing from
the model, and the analysis layer reads it.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
from dataclasses import dataclass
from types import MappingProxyType

Z90 = 1.6448536269514722   # a 90% interval is +/- Z90 standard deviations
Z95 = 1.959963984540054
DRAW_KINDS = ("normal", "lognormal", "beta", "uniform")


@dataclass(frozen=True)
class Draw:
    """The distribution of an uncertain number (``model/analysis/draws.py``'s ``Uncertain``).

    ``kind`` is ``normal``, ``lognormal``, ``beta`` (a 90% interval ``low``-``high`` around
    the default) or ``uniform`` (the range ``low``-``high``, the default its median);
    ``basis`` says why; ``integer`` rounds the drawn value.
    """

    kind: str
    low: float
    high: float
    basis: str
    integer: bool = False

    def __post_init__(self):
        """Refuse an unknown kind or an empty interval."""
        if self.kind not in DRAW_KINDS or not self.low <= self.high:
            raise ValueError(f"draw {self}: allowed a kind of {DRAW_KINDS} and low <= high")


def param(value, *, unit: str, source: str, bounds: tuple, draw: Draw | None = None,
          calibrate: tuple | dict | None = None, label: str | None = None,
          elements: tuple[str, ...] | None = None):
    """A dataclass field with default ``value`` and the parameter's facts as its metadata.

    See the module docstring for the arguments. The metadata is read-only; ``declared``
    and ``fit_ranges`` read it back.
    """
    low, high, reason = bounds
    if not (low <= high and isinstance(reason, str) and unit and source):
        raise ValueError(f"parameter {value!r}: bounds must be (low, high, reason) with low "
                         "<= high, and unit and source given")
    facts = {"unit": unit, "source": source, "bounds": (low, high, reason), "draw": draw,
             "calibrate": calibrate, "label": label, "elements": elements}
    return dataclasses.field(default=value, metadata=MappingProxyType(facts))


def declared(cls, fact: str) -> dict:
    """``{field name: fact}`` for every field of ``cls`` that declares ``fact``, in field order."""
    return {field.name: field.metadata[fact] for field in dataclasses.fields(cls)
            if field.metadata.get(fact) is not None}


def fit_ranges(cls) -> dict[str, tuple[float, float]]:
    """The search range of every calibrated number of ``cls``, in field order.

    A tuple's element ``i`` is named ``"name[i]"``.
    """
    ranges = {}
    for name, calibrate in declared(cls, "calibrate").items():
        if isinstance(calibrate, dict):
            ranges.update({f"{name}[{i}]": tuple(r) for i, r in calibrate.items()})
        else:
            ranges[name] = tuple(calibrate)
    return ranges


def markdown_table(cls, value_text=lambda name, value: repr(value)) -> str:
    """A Markdown table of the fields of ``cls``: name, value, then ``unit; source``.

    Section rows come from the ``# --- Section ---`` comments of the class body; a field's
    value is written by ``value_text(name, value)``.
    """
    sections, current = {}, None
    for line in inspect.getsource(cls).splitlines():
        heading = re.match(r"\s*# --- (.*?) -*$", line)
        field = re.match(r"\s*(\w+): [\w\[\], ]+ = param\(", line)
        if heading:
            current = heading[1]
        elif field and current:
            sections[field[1]], current = current, None
    rows = ["| Parameter | Value | Unit, meaning and source (its declaration in defaults.py) |",
            "|---|---|---|"]
    for field in dataclasses.fields(cls):
        if field.name in sections:
            rows.append(f"| **{sections[field.name]}** | | |")
        rows.append(f"| `{field.name}` | {value_text(field.name, field.default)} | "
                    f"{field.metadata['unit']}; {field.metadata['source']} |")
    return "\n".join(rows)


def ci95(low: float, high: float) -> tuple[float, float]:
    """A 95% confidence interval turned into the 90% interval of the same normal."""
    middle, half = (low + high) / 2, (high - low) / 2 * Z90 / Z95
    return middle - half, middle + half


def ci95_ratio(low: float, high: float) -> tuple[float, float]:
    """A 95% CI of a ratio (symmetric on the log scale) as the 90% interval."""
    mid, half = (math.log(low) + math.log(high)) / 2, (math.log(high) - math.log(low)) / 2
    half *= Z90 / Z95
    return math.exp(mid - half), math.exp(mid + half)


def relative_interval(centre: float, log_sd: float) -> tuple[float, float]:
    """The 90% interval of a lognormal with median ``centre`` and log-SD ``log_sd``."""
    return centre * math.exp(-Z90 * log_sd), centre * math.exp(Z90 * log_sd)
