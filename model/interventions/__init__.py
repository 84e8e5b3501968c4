"""Interventions: one small module per program, all with the same interface.

Each intervention is a class with a pydantic ``Params`` model (its scenario parameters,
bounded and described, unknown names rejected) and ``apply(model)``, called once a month in
step 3 of ``ECDModel.step`` (DESIGN.md §3-4). Classes register themselves in
``INTERVENTIONS`` by ``name``; a scenario's ``interventions:`` list names them under
``type:``. Effects act on mechanisms (income, contacts, counselling, supplements, care
seeking); prevalence emerges.
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
