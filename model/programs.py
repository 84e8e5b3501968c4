"""The programs of a run: made from a scenario's entries, ordered, given streams, changed.

Programs act in a canonical order (``Intervention.order_key``: ``PROGRAM_ORDER``, then their
dates and parameters) and draw from a random stream of their own, keyed by their type and
dates (``keyed_stream``), so that the order of a scenario's entries never matters and adding
a program does not move the others' draws. A scenario with a history changes the programs
the history left running (``change_status_quo``).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import TYPE_CHECKING

import numpy as np

from model.interventions import INTERVENTIONS, Intervention

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel

KEYED_STREAM_TAG = 0x50524F47  # marks a keyed stream's spawn key apart from spawned ones


def new_program(model: "ECDModel", kind: str, params: dict):
    """A new intervention of type ``kind``.

    Its parameters: the scenario's ``program_parameters`` for that type (evidence
    assumptions, e.g. a parameter draw), then the entry's own ``params``, which win.
    """
    return INTERVENTIONS[kind](**{**model.scenario.program_defaults(kind), **params})

def add_programs(model: "ECDModel", specs) -> list:
    """New programs for ``specs``, each with its own stream, in the canonical order.

    A program's stream is keyed by its type and dates (and the number of entries with the
    same before it in the canonical order), never by its position in the scenario.
    Returns the new programs.
    """
    added = sorted((new_program(model, spec.type, spec.model_extra or {}) for spec in specs),
                   key=Intervention.order_key)
    for program in added:
        key = program.stream_key()
        twins = sum(other.stream_key() == key for other in model.interventions)
        program.rng = keyed_stream(model, f"{key}#{twins}")
        model.interventions.append(program)
    model.interventions.sort(key=Intervention.order_key)
    return added

def keyed_stream(model: "ECDModel", key: str) -> np.random.Generator:
    """An independent random generator for ``key``, derived from the model's seed.

    The same seed and key give the same draws, whatever other streams exist and in
    whatever order they are made.
    """
    digest = hashlib.sha256(key.encode()).digest()
    words = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
    seq = model.rng.bit_generator.seed_seq
    child = np.random.SeedSequence(seq.entropy, pool_size=seq.pool_size,
                                   spawn_key=(*seq.spawn_key, KEYED_STREAM_TAG, *words))
    return np.random.Generator(type(model.rng.bit_generator)(child))

def change_status_quo(model: "ECDModel", specs) -> None:
    """Apply a scenario's changes to the programs its history left running.

    An entry whose type is among the history's programs updates the parameters of the one
    running in the scenario's first month (if none, the last to have run); its state, such
    as enrolment, carries on. Other entries are new programs, set up now. The order of
    the entries does not matter.
    """
    new = []
    for spec in sorted(specs, key=_entry_order):
        changes = spec.model_extra or {}
        running = program_to_change(model, spec.type)
        if running is not None:
            running.change(model, changes)
        else:
            new.append(spec)
    for program in add_programs(model, new):
        program.setup(model)

def program_to_change(model: "ECDModel", kind: str):
    """The program of type ``kind`` a scenario's entry changes (None: there is none)."""
    same = [i for i in model.interventions if i.name == kind]
    if not same:
        return None
    return same[entry_to_change([(i.first, i.last) for i in same], model.start_index)]


def entry_to_change(dates: list[tuple[int | None, int | None]], month: int) -> int:
    """Which of a type's entries a scenario's change updates: its position in ``dates``.

    ``dates`` are the entries' (first, last) month indices (None: open). The entry running in
    ``month`` (the scenario's first) that started last; if none runs then, the one that ended
    last. The dashboard reads the status quo's levers with the same rule.
    """
    def runs(first, last) -> bool:
        return (first is None or first <= month) and (last is None or month <= last)

    def started(i: int) -> float:
        return -math.inf if dates[i][0] is None else dates[i][0]

    def ended(i: int) -> float:
        return math.inf if dates[i][1] is None else dates[i][1]

    running = [i for i, (first, last) in enumerate(dates) if runs(first, last)]
    if running:
        return max(running, key=lambda i: (started(i), i))
    return max(range(len(dates)), key=lambda i: (ended(i), i))


def _entry_order(spec) -> tuple:
    """A fixed order of a scenario's entries: by type, then by their text."""
    return (spec.type, json.dumps(spec.model_dump(mode="json"), sort_keys=True))
