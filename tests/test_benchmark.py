"""The plain-Mesa comparator of the benchmark runs the same dynamics as the arrays."""

import numpy as np
from conftest import make_model

from model.analysis.benchmark import PlainModel


def test_plain_mesa_agents_reproduce_the_array_model():
    source = make_model(geography={"departments": ["CAJAMARCA"]}, scale=5, months=12, seed=2)
    plain = PlainModel(source, n_children=source.children.size, seed=2)
    for _ in range(12):
        source.step()
        plain.step()
    kids = source.children
    young = (kids.age_months >= 6) & (kids.age_months <= 35)
    array_stunting = np.mean(kids.haz < -2)
    array_anemia = np.mean(source.anemic_mask()[young])
    plain_stunting = np.mean([c.haz < -2 for c in plain.children])
    plain_young = [c for c in plain.children if 6 <= c.age <= 35]
    plain_anemia = np.mean([c.hb - c.adjustment < 11.0 for c in plain_young])
    n = kids.size
    # two independent stochastic runs from the same start: difference SE = sqrt(2) x binomial SE
    for a, b, p, m in ((array_stunting, plain_stunting, 0.3, n),
                       (array_anemia, plain_anemia, 0.5, young.sum())):
        assert abs(a - b) < 4 * np.sqrt(2 * p * (1 - p) / m), (a, b)
    assert len(plain.tallies) == 12
