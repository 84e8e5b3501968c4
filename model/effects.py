"""Effects: the one way programs act on each other and on the core.

A program never sets another program's numbers. While it runs it *offers* a named effect
(``model.effects.offer(name, self, value)``); whoever needs it *reads* the combination of
every offer (``model.effects.read(name, index)``). When a program stops, its offers are
withdrawn (``Intervention.apply`` does it). Each effect is declared once in ``EFFECTS``: how
offers combine, what it is with no offer, and what it means. Offers combine in the programs'
canonical order (``ECDModel.interventions``), never in the order a scenario lists them.

An offer is a value (a number, or an array over the entities the effect is about: posts,
households, regions, municipalities) or a function ``f(model, index)`` evaluated when read
(a bound method of the program, so that a model can be saved with pickle).
``read(name, index)`` indexes an array offer with ``index`` and calls a function offer with
the model and it; with no offer it returns the effect's neutral value.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce


@dataclass(frozen=True)
class Effect:
    """How an effect's offers combine, its value with none, and what it means."""

    combine: str     # "product", "sum", "all" (logical and) or "each" (call every offer)
    neutral: object  # the value read when nothing is offered
    meaning: str     # what it is, per what, and who reads it


EFFECTS: dict[str, Effect] = {
    "cred_capacity": Effect("product", 1.0, "multiplier of every post's CRED contacts "
                            "(scalar); read by services.post_capacity"),
    "post_capacity": Effect("product", 1.0, "multiplier of each post's CRED contacts (per "
                            "post); read by services.post_capacity"),
    "post_stockouts": Effect("product", 1.0, "multiplier of each post's chance of an iron "
                             "stock-out (per post); read by iron"),
    "serums_counselling": Effect("product", 1.0, "counselling quality at posts with a SERUMS "
                                 "worker (scalar); read by services.post_counselling"),
    "cred_attendance": Effect("product", 1.0, "multiplier of the chance the families of the "
                              "children read go to a due CRED contact or fetch iron (index: "
                              "child slots); read by services.attendance_probability"),
    "iron_adherence": Effect("sum", 0.0, "added to the chance a family gives this month's "
                             "iron drops (index: households); read by iron"),
    "sis_affiliation": Effect("product", 1.0, "multiplier of each household's chance of SIS "
                              "affiliation (per household); read by sis"),
    "findable": Effect("all", True, "households that enrolment (Juntos, the municipal "
                       "visits) can find this month (per household); read by cct and home "
                       "visits"),
    "income_relief": Effect("sum", 0.0, "z a month less growth faltering from program income "
                            "(index: households); read by ECDModel.refresh_household_risk"),
    "registry_push": Effect("sum", 0.0, "registry effort added to each region's "
                            "municipalities (per region); read by registry"),
    "registry_stake": Effect("sum", 0.0, "soles per child a year each municipality can earn "
                             "for its registry (per municipality); read by local government"),
    "visits_stake": Effect("sum", 0.0, "soles per child a year each municipality can earn "
                           "for its home visits (per municipality); read by local government"),
    "regional_stake": Effect("sum", 0.0, "soles per child a year each region can earn for "
                             "its FED targets (per region); read by local government"),
    "at_cred_contact": Effect("each", None, "what a program gives at a CRED contact (called "
                              "with the child slots seen this month); read by "
                              "services.serve_cred"),
}

_COMBINE = {"product": operator.mul, "sum": operator.add, "all": operator.and_}


class Effects:
    """The effects on offer in one model, by name and program."""

    def __init__(self, model):
        """No offers yet; they will combine in the order of ``model.interventions``."""
        self._model = model
        self._offers: dict[str, dict[object, object]] = {name: {} for name in EFFECTS}

    def offer(self, name: str, program, value) -> None:
        """``program`` offers ``value`` for effect ``name`` (replacing its earlier offer)."""
        if name not in EFFECTS:
            raise KeyError(f"unknown effect {name!r}; declared: {', '.join(EFFECTS)}")
        self._offers[name][program] = value

    def withdraw(self, program, name: str | None = None) -> None:
        """Take back ``program``'s offer of effect ``name`` (default: all, it stopped)."""
        for offers in ([self._offers[name]] if name else self._offers.values()):
            offers.pop(program, None)

    def offered(self, name: str) -> bool:
        """Whether any program offers effect ``name`` now."""
        return bool(self._offers[name])

    def read(self, name: str, index=None):
        """The combined effect ``name`` (at ``index``, if given), or its neutral value.

        Arrays are indexed with ``index``, functions called with it. For an "each" effect,
        every offer is called with ``index`` and nothing is returned.
        """
        effect, offers = EFFECTS[name], self._offers[name]
        if not offers:
            return effect.neutral
        order = self._model.interventions.index
        values = [_at(offers[program], self._model, index) for program in sorted(offers, key=order)]
        if effect.combine == "each":
            return None
        return values[0] if len(values) == 1 else reduce(_COMBINE[effect.combine], values)


def _at(value, model, index):
    """An offer read at ``index``: a function called with the model and it, an array indexed."""
    if callable(value):
        return value(model, index)
    if index is not None and getattr(value, "ndim", 0):
        return value[index]
    return value
