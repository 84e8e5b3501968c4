"""Scale may change the noise, never the answer (issue 11, point 5).

National levels and the package's effect after 12 months are computed at scales 5, 20, 100
and 200 with common random numbers within each replicate. The run-to-run standard deviation
is measured at scale 200 (8 replicates) and carried to the other scales as sqrt(scale): a
simulated child stands for ``scale`` real ones, so the variance of a prevalence grows in
proportion to the scale. Each scale's mean must agree with scale 200's within 3 standard
errors of the difference.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.config import Scenario
from model.model import ECDModel

PACKAGE = [{"type": t} for t in ("sis", "serums", "cred", "cct", "home_visits")] + [
    {"type": "iron", "channel": "both"}]
REPLICATES = {200: 8, 100: 4, 20: 2, 5: 1}
MONTHS = 12


def national(scale: float, seed: int, interventions: list) -> dict[str, float]:
    """National stunting and anemia after MONTHS months."""
    model = ECDModel(Scenario(name="scale", scale=scale, months=MONTHS, seed=seed,
                              interventions=interventions))
    for _ in range(MONTHS):
        model.step()
    return {m: model.recorder.latest(m, "national") for m in ("stunting", "anemia")}


@pytest.fixture(scope="module")
def by_scale() -> dict[int, dict[str, np.ndarray]]:
    """Per scale: arrays over replicates of levels and package effects."""
    out = {}
    for scale, reps in REPLICATES.items():
        rows = []
        for r in range(reps):
            base = national(scale, 100 + r, [])
            pack = national(scale, 100 + r, PACKAGE)
            rows.append([base["stunting"], base["anemia"], pack["stunting"] - base["stunting"],
                         pack["anemia"] - base["anemia"]])
        rows = np.array(rows)
        out[scale] = dict(zip(("stunting", "anemia", "effect_stunting", "effect_anemia"),
                              rows.T))
    return out


@pytest.mark.parametrize("outcome", ["stunting", "anemia", "effect_stunting", "effect_anemia"])
def test_levels_and_package_effects_do_not_depend_on_scale(by_scale, outcome):
    reference = by_scale[200][outcome]
    sd_200 = reference.std(ddof=1)
    assert sd_200 > 0
    se_ref = sd_200 / np.sqrt(len(reference))
    for scale in (5, 20, 100):
        values = by_scale[scale][outcome]
        se = sd_200 * np.sqrt(scale / 200) / np.sqrt(len(values))
        gap = values.mean() - reference.mean()
        assert abs(gap) < 3 * np.hypot(se, se_ref), (outcome, scale, values.mean(),
                                                     reference.mean(), se, se_ref)
