"""Interventions: one small module per program, all with the same interface.

Each intervention is a class with a pydantic ``Params`` model (its scenario parameters,
bounded and described, unknown names rejected), its declared arrays (``states``) and
outputs, and ``act(model)``, its work in a month it runs: the base class's ``apply(model)``,
called once a month in its phase of ``ECDModel.step``, calls ``act`` or ``idle`` by its
dates. Programs act in ``PROGRAM_ORDER`` (``base.py``) and on each other only through named
effects (``model/effects.py``). Classes register themselves in ``INTERVENTIONS`` by
``name``; a scenario's ``interventions:`` list names them under ``type:``. Programs act on
mechanisms (income, contacts, counselling, supplements, care seeking); prevalence emerges.
Adding one: ``docs/extending.md``.
"""

from model.interventions import (  # noqa: F401, E402
    cct,
    cred,
    fed,
    home_visits,
    iron,
    registry,
    sello,
    serums,
    sis,
    sms,
)
from model.interventions.base import INTERVENTIONS, Intervention, InterventionParams

__all__ = ["INTERVENTIONS", "Intervention", "InterventionParams"]
