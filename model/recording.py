"""Step 6 of the month: what is recorded, and the children followed one by one.

``record_month`` counts the month's outcomes by group (``results.MetricsRecorder``), the
national service figures (growth monitoring, development, facility births) and each
program's cost, coverage and declared figures (``model.outputs``). ``Tracker`` keeps the
monthly story of the children a user follows (``ECDModel.track``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.population import JuntosStatus

if TYPE_CHECKING:  # pragma: no cover
    from model.model import ECDModel

TRACKED_FIELDS = ("age_months", "haz", "hb", "illness", "iron_supplement")


def record_month(model: "ECDModel") -> None:
    """Record this month's metrics by group and the programs' national figures."""
    kids, p = model.children, model.params
    model.recorder.record(
        step=model.steps, date=model.month_label(model.start_index + model.steps),
        cell=model.risk.cell, age_index=model.age_index, band=model.tables.band,
        haz=kids.haz, hb=kids.hb, adjustment=kids.hb_altitude_adjustment,
        cutoff=model.anemia_cutoff, stunting_cutoff=p.stunting_cutoff,
        severe_cutoff=p.severe_stunting_cutoff, illness=kids.illness)
    _record_programs(model)


def _record_programs(model: "ECDModel") -> None:
    """Growth monitoring, development, and each program's cost and coverage (national).

    Without programs nobody is monitored (0%) and development is not tracked.
    """
    kids, rec = model.children, model.recorder
    if not model.interventions or model.steps == 0:
        rec.record_extra("growth_monitoring", "national", 0.0)
        return
    under3 = kids.age_months < 36
    recent = (model.steps - kids.last_cred_step) < 3
    rec.record_extra("growth_monitoring", "national",
                     100 * np.count_nonzero(recent & under3) / max(1, under3.sum()))
    rec.record_extra("mean_development", "national", float(kids.development[under3].mean()))
    newborn = kids.age_months == 0
    rec.record_extra("facility_births", "national",
                     100 * np.count_nonzero(kids.facility_birth & newborn) / max(
                         1, np.count_nonzero(newborn)))
    for intervention in model.interventions:
        late = intervention.coverage(model) if intervention.is_active(model) else None
        if late is not None:
            model.outputs.set_coverage(intervention.name, late)
    model.outputs.record(rec)


class Tracker:
    """The children a user follows, and their monthly records."""

    def __init__(self):
        """Nobody followed yet."""
        self._records: dict[int, list[dict]] = {}

    def follow(self, model: "ECDModel", uids) -> None:
        """Follow the children ``uids`` from this month on."""
        for uid in np.atleast_1d(uids):
            self._records.setdefault(int(uid), [])
        self.record(model)

    def follows(self, uid: int) -> bool:
        """Whether child ``uid`` is followed."""
        return int(uid) in self._records

    def history(self, uid: int) -> pd.DataFrame:
        """Monthly records of a followed child."""
        if not self.follows(uid):
            raise KeyError(f"child {uid} is not tracked; call model.track([{uid}]) first")
        return pd.DataFrame(self._records[uid])

    def record(self, model: "ECDModel") -> None:
        """Add this month's row for every followed child alive in the model."""
        if not self._records:
            return
        kids = model.children
        uids = np.fromiter(self._records, dtype=np.int64)
        slots = np.flatnonzero(np.isin(kids.uid, uids))
        date = model.month_label(model.start_index + model.steps)
        anemic = model.anemic_mask(slots)
        for s, is_anemic in zip(slots, anemic):
            row = {"step": model.steps, "date": date, "anemic": bool(is_anemic)}
            row.update({f: getattr(kids, f)[s].item() for f in TRACKED_FIELDS})
            row.update(_services(model, int(s)))
            history = self._records[int(kids.uid[s])]
            if not history or history[-1]["step"] != model.steps:
                history.append(row)


def _services(model: "ECDModel", slot: int) -> dict:
    """What a tracked child's family received this month, and its post's staffing."""
    kids, hh = model.children, model.households
    h = int(kids.household[slot])
    post = model.post_list[int(hh.health_post[h])]
    return {"cred_seen": bool(kids.cred_seen[slot]),
            "home_visit": bool(hh.last_visit_step[h] == model.steps),
            "juntos": JuntosStatus(int(hh.juntos[h])).name.lower(),
            "juntos_paid": bool(hh.last_transfer_step[h] == model.steps),
            "sis_insured": bool(hh.sis_insured[h]),
            "post_staff": int(post.staff), "post_serums": int(post.serums_staff)}
