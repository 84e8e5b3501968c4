"""How much of measured anemia the model attributes to each cause, by region.

For the children aged 6-35 months of a model (at its current month), each cause is removed
from the child's Hb in turn and the anemia that remains is counted:

* ``iron``: the dietary iron deficit (what iron drops and better diets can close);
* ``non_iron``: parasites, B12 deficiency and malaria (B15; water, sanitation and deworming
  act on them, iron does not);
* ``altitude``: the survey's altitude adjustment replaced by the child's true rise with
  altitude (B13-B14), i.e. anemia that exists only in the measurement.

A child's Hb follows its target with a lag, so removing a cause from the target moves Hb by
the same amount in equilibrium; the shares are that equilibrium's. A child can be anemic for
several causes, so the shares need not add up to 100%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model import anemia, dynamics
from model.geography import NATURAL_REGIONS


def anemia_attribution(model) -> pd.DataFrame:
    """Share (%) of anemia at 6-35 months removed by taking away each cause, by region.

    Rows: national and each natural region; columns: anemia (%), and for each cause the
    share of that anemia it accounts for (%).
    """
    kids, hh, p = model.children, model.households, model.params
    age = kids.age_months.astype(np.intp)
    young = (age >= 6) & (age <= 35)
    index = age + dynamics.AGE_OFFSET
    gap = np.take(model.tables.iron_gap, index) + model.risk.iron_gap - kids.iron_supplement
    iron_deficit = p.hb_iron_gap_deficit * np.clip(gap, 0.0, 1.0)
    adjustment = kids.hb_altitude_adjustment
    cutoff = np.take(model.anemia_cutoff, index)
    anemic = anemia.is_anemic(kids.hb, adjustment, cutoff)
    without = {  # Hb with the cause taken away, then the same rule
        "iron": anemia.is_anemic(kids.hb + iron_deficit, adjustment, cutoff),
        "non_iron": anemia.is_anemic(kids.hb + model.risk.non_iron_drop, adjustment, cutoff),
        # the true altitude rise taken off instead of the definition's adjustment
        "altitude": anemia.is_anemic(kids.hb, kids.hb_altitude_rise, cutoff),
    }
    region = model.geography.natural_region[hh.district[kids.household]]
    rows = []
    for name, mask in [("national", young)] + [
            (f"natural_region:{r}", young & (region == i)) for i, r in enumerate(NATURAL_REGIONS)]:
        base = np.count_nonzero(anemic & mask)
        row = {"group": name, "anemia": 100 * base / max(1, np.count_nonzero(mask))}
        for cause, remaining in without.items():
            row[f"share_{cause}"] = 100 * (1 - np.count_nonzero(remaining & anemic & mask)
                                           / max(1, base))
        rows.append(row)
    return pd.DataFrame(rows)
