"""Sello Municipal: a yearly prize for municipalities whose child registry meets a target.

The Sello Municipal rewards municipalities (program documents, DESIGN.md §9). Here a
municipality wins it in January if its child registry reached ``registry_target`` (the share
of its children found with complete data, at full age: registration x data quality) and
receives ``prize_soles_per_child`` for each of its children under five. The prize on offer is
the stake of the registry target (local_government.py): municipalities put effort into their
registries by capacity and stake; the winners' neighbours copy them. The program documents
give neither the targets nor the prize: both are ASSUMPTIONS, drawn over wide ranges.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from model import calendar
from model.interventions.base import MAX_SOLES, Intervention, InterventionParams


class SelloParams(InterventionParams):
    """Parameters of the Sello Municipal."""

    prize_soles_per_child: float = Field(10.0, ge=0, le=MAX_SOLES, description=(
        "Soles per child under five paid to a winning municipality, once a year. "
        "ASSUMPTION: no amount in the program documents."),
        json_schema_extra={"draw": ("uniform", 5, 15, "ASSUMPTION (no amount)")})
    registry_target: float = Field(0.8, ge=0, le=1, description=(
        "Registry quality (share of children found with complete data) that wins the Sello. "
        "ASSUMPTION."))


class Sello(Intervention):
    """The Sello Municipal prize for good child registries."""

    name = "sello"
    Params = SelloParams
    phase = "incentives"

    def act(self, model) -> None:
        """January: evaluate and pay last year's registries; every month: offer the prize."""
        mun = model.municipal
        if calendar.is_january(model.month_index()) and getattr(self, "running", False):
            won = mun.registration * mun.data_quality >= self.p.registry_target
            mun.sello[:] = won
            mun.paid_registry[:] = won
            prize = np.where(won, self.p.prize_soles_per_child * mun.children, 0.0)
            mun.payments += prize
            model.outputs.add_cost(self.name, float(prize.sum()))
        model.effects.offer("registry_stake", self, np.full(mun.size,
                                                           self.p.prize_soles_per_child))
        model.outputs.set_coverage(self.name, 100 * np.count_nonzero(mun.sello) / max(1, mun.size))

    def idle(self, model) -> None:
        """Outside its dates no prize is on offer."""
        model.municipal.sello[:] = False
        model.municipal.paid_registry[:] = False
