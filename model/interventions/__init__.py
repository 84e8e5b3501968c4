"""Interventions: one small module per program, all with the same interface.

Each intervention is a class with its parameters validated by a pydantic model and one method,
``apply(model)``, called once a month in step 3 of ``ECDModel.step`` (DESIGN.md §3-4). Classes
register themselves in ``INTERVENTIONS`` by name; a scenario's ``interventions:`` list names
them under ``type:``. The core (issue 3) ships the interface and an empty registry; the
programs (Juntos, SIS, SERUMS, home visits, iron, CRED) arrive with issue 4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel

INTERVENTIONS: dict[str, type["Intervention"]] = {}


class Intervention:
    """Base class: subclasses set ``name`` and implement ``apply``."""

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        """Register every concrete subclass under its ``name``."""
        super().__init_subclass__(**kwargs)
        if cls.name:
            INTERVENTIONS[cls.name] = cls

    def apply(self, model: "ECDModel") -> None:
        """Act on the model for the current month."""
        raise NotImplementedError
